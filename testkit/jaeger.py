"""The REAL Jaeger v2 binary for tests, fed with real spans over OTLP/HTTP.

``scripts/build-control-plane`` builds ``jaeger`` (github.com/jaegertracing/jaeger v1.75.0,
the module version of the v2 binary) into the control-plane cache dir. :class:`JaegerServer`
runs it with a small v2 config: in-memory storage, the OTLP/HTTP receiver and the query
extension on free ports (the binary's defaults are fixed ports 4318/16686, which parallel
test runs would fight over), nothing else listening. In a network namespace
(``testkit/netns.py``) it binds the namespace's address, so the apiserver's service proxy can
reach it as it reaches a pod.

Spans are sent with the OpenTelemetry SDK and its OTLP/HTTP exporter, as an instrumented
service would: :func:`send_shop_trace` (four services, an error span with an exception event)
and :func:`send_big_trace` (10,000 spans). Timestamps are explicit so durations are exact.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from testkit.controlplane import BinariesMissing, find_binaries

CONFIG = """\
service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
    logs:
      level: warn
extensions:
  jaeger_query:
    storage:
      traces: memstore
    http:
      endpoint: "{host}:{query_port}"
    grpc:
      endpoint: "{host}:{grpc_port}"
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 100000
receivers:
  otlp:
    protocols:
      http:
        endpoint: "{host}:{otlp_port}"
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
"""


def jaeger_binary() -> Path | None:
    """The built ``jaeger`` binary, or None (tests then skip with a message naming it)."""
    try:
        directory = find_binaries(build=False)
    except BinariesMissing:
        return None
    path = directory / "jaeger"
    return path if path.is_file() and os.access(path, os.X_OK) else None


MISSING = ("the jaeger binary is not built (scripts/build-control-plane builds Jaeger v2 into "
           "the control-plane cache dir; CI runs it first)")


def _free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@dataclass
class JaegerServer:
    """``with JaegerServer(binary).start() as j: j.query_url, j.otlp_url``.

    ``netns``: the name of a network namespace to run in (``host`` is then its address);
    ports are free there by construction, so the defaults are used."""

    binary: Path
    host: str = "127.0.0.1"
    netns: str | None = None
    query_port: int = 0
    otlp_port: int = 0
    grpc_port: int = 0
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="jaeger-")))
    proc: subprocess.Popen[bytes] | None = None

    @property
    def query_url(self) -> str:
        return f"http://{self.host}:{self.query_port}"

    @property
    def otlp_url(self) -> str:
        return f"http://{self.host}:{self.otlp_port}"

    def start(self, timeout: float = 60.0) -> JaegerServer:
        if self.netns:
            self.query_port = self.query_port or 16686
            self.otlp_port = self.otlp_port or 4318
            self.grpc_port = self.grpc_port or 16685
        else:
            self.query_port = self.query_port or _free_port(self.host)
            self.otlp_port = self.otlp_port or _free_port(self.host)
            self.grpc_port = self.grpc_port or _free_port(self.host)
        config = self.workdir / "config.yaml"
        config.write_text(CONFIG.format(host=self.host, query_port=self.query_port,
                                        grpc_port=self.grpc_port, otlp_port=self.otlp_port))
        cmd = [str(self.binary), "--config", str(config)]
        if self.netns:
            cmd = ["ip", "netns", "exec", self.netns, *cmd]
        with (self.workdir / "jaeger.log").open("wb") as log:  # the child keeps its own fd
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jaeger exited with {self.proc.returncode}: {self.log_tail()}")
            with contextlib.suppress(OSError, urllib.error.URLError):
                with urllib.request.urlopen(f"{self.query_url}/api/services", timeout=2) as r:
                    if r.status == 200:
                        return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"jaeger did not answer within {timeout:g}s: {self.log_tail()}")

    def log_tail(self) -> str:
        try:
            return (self.workdir / "jaeger.log").read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None

    def __enter__(self) -> JaegerServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
        # the config and log go too (every run left a /tmp/jaeger-* directory behind)
        shutil.rmtree(self.workdir, ignore_errors=True)

    # -- reading back (raw HTTP: the code under test is not used to check itself) ---------

    def get_json(self, path: str) -> Any:
        try:
            with urllib.request.urlopen(f"{self.query_url}{path}", timeout=10) as r:
                return json.loads(r.read())
        except urllib.error.HTTPError as exc:
            return json.loads(exc.read() or b"null")

    def wait_for_trace(self, trace_id: str, spans: int, timeout: float = 60.0) -> None:
        """Until Jaeger returns ``spans`` spans for the trace (ingestion is asynchronous)."""
        deadline = time.monotonic() + timeout
        seen = 0
        while time.monotonic() < deadline:
            body = self.get_json(f"/api/traces/{trace_id}")
            data = (body or {}).get("data") or []
            seen = len(data[0].get("spans") or []) if data else 0
            if seen >= spans:
                return
            time.sleep(0.2)
        raise RuntimeError(f"trace {trace_id}: {seen} of {spans} spans after {timeout:g}s")


# -- sending spans with the OpenTelemetry SDK ------------------------------------------------

MS = 1_000_000  # ns


@dataclass
class SentTrace:
    trace_id: str
    spans: int
    start_ns: int
    error_span: str = ""
    services: tuple[str, ...] = ()


def _id_generator(seed: int | None) -> Any:
    """Seeded trace/span ids (snapshots show the trace id), or the SDK's random ones."""
    import random

    from opentelemetry.sdk.trace.id_generator import IdGenerator, RandomIdGenerator

    if seed is None:
        return RandomIdGenerator()

    class Seeded(IdGenerator):
        def __init__(self) -> None:
            self.rng = random.Random(seed)

        def generate_span_id(self) -> int:
            return self.rng.getrandbits(64) or 1

        def generate_trace_id(self) -> int:
            return self.rng.getrandbits(128) or 1

    return Seeded()


class _Providers:
    """One TracerProvider per service (a resource names the service), all exporting to
    Jaeger's OTLP/HTTP receiver."""

    def __init__(self, otlp_url: str, batch: bool = False, queue: int = 2048,
                 seed: int | None = None) -> None:
        self.otlp_url = otlp_url
        self.batch = batch
        self.queue = queue
        self.ids = _id_generator(seed)
        self.providers: dict[str, Any] = {}

    def tracer(self, service: str, host: str = "") -> Any:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

        if service not in self.providers:
            # a fixed instance id: the SDK's default is a random UUID (pictures must not move)
            attrs: dict[str, Any] = {"service.name": service,
                                     "service.instance.id": f"{service}-0"}
            if host:
                attrs["host.name"] = host
            provider = TracerProvider(resource=Resource.create(attrs), id_generator=self.ids)
            exporter = OTLPSpanExporter(endpoint=f"{self.otlp_url}/v1/traces", timeout=30)
            processor: Any = (BatchSpanProcessor(exporter, max_queue_size=self.queue,
                                                 max_export_batch_size=1000,
                                                 schedule_delay_millis=200)
                              if self.batch else SimpleSpanProcessor(exporter))
            provider.add_span_processor(processor)
            self.providers[service] = provider
        return self.providers[service].get_tracer("testkit.jaeger")

    def close(self) -> None:
        for p in self.providers.values():
            p.force_flush(60_000)
            p.shutdown()


def send_shop_trace(otlp_url: str, start_ns: int | None = None,
                    operation: str = "GET /checkout", seed: int | None = None,
                    services: tuple[str, str, str, str] = ("frontend", "checkout", "cart",
                                                           "payments"),
                    message: str = "card declined") -> SentTrace:
    """frontend -> checkout -> (cart, payments [error] -> payments-db): 6 spans, 4 services.

    Times (ms after start): frontend 0-120; checkout 5-115; cart 10-30; payments 35-110
    (error: card declined, exception event, http.status_code=500); payments-db query 40-100;
    checkout render 111-114."""
    from opentelemetry import trace as otel
    from opentelemetry.trace import SpanKind, Status, StatusCode

    t0 = start_ns if start_ns is not None else time.time_ns() - 2000 * MS
    p = _Providers(otlp_url, seed=seed)
    frontend, checkout, cart_svc, payments = services
    try:
        front = p.tracer(frontend, "web-1")
        root = front.start_span(operation, kind=SpanKind.SERVER, start_time=t0,
                                attributes={"http.method": "GET", "http.route": "/checkout",
                                            "http.status_code": 500})
        ctx = otel.set_span_in_context(root)
        co = p.tracer(checkout, "checkout-7d9f").start_span(
            "checkout.place_order", context=ctx, kind=SpanKind.SERVER, start_time=t0 + 5 * MS)
        cctx = otel.set_span_in_context(co)
        cart = p.tracer(cart_svc).start_span("cart.get", context=cctx, kind=SpanKind.CLIENT,
                                           start_time=t0 + 10 * MS)
        cart.end(end_time=t0 + 30 * MS)
        pay = p.tracer(payments, "payments-0").start_span(
            "payments.charge", context=cctx, kind=SpanKind.SERVER, start_time=t0 + 35 * MS,
            attributes={"http.status_code": 500, "payment.amount": 42.5})
        db = p.tracer(payments).start_span(
            "SELECT cards", context=otel.set_span_in_context(pay), kind=SpanKind.CLIENT,
            start_time=t0 + 40 * MS, attributes={"db.system": "postgresql"})
        db.end(end_time=t0 + 100 * MS)
        pay.add_event("exception", {"exception.type": "CardDeclined",
                                    "exception.message": message},
                      timestamp=t0 + 105 * MS)
        pay.set_status(Status(StatusCode.ERROR, message))
        pay.end(end_time=t0 + 110 * MS)
        render = p.tracer(checkout).start_span("render", context=cctx,
                                                 start_time=t0 + 111 * MS)
        render.end(end_time=t0 + 114 * MS)
        co.end(end_time=t0 + 115 * MS)
        root.end(end_time=t0 + 120 * MS)
        trace_id = format(root.get_span_context().trace_id, "032x")
        error_span = format(pay.get_span_context().span_id, "016x")
    finally:
        p.close()
    return SentTrace(trace_id, 6, t0, error_span, services)


def send_big_trace(otlp_url: str, spans: int = 10_000, fanout: int = 8,
                   start_ns: int | None = None, seed: int | None = None) -> SentTrace:
    """One trace of ``spans`` spans in a tree with ``fanout`` children per span (breadth
    first), over three services; children start after their parent (siblings 10µs apart)
    and end before it."""
    from opentelemetry import trace as otel

    t0 = start_ns if start_ns is not None else time.time_ns() - 5000 * MS
    services = ("gateway", "orders", "inventory")
    p = _Providers(otlp_url, batch=True, queue=spans + 1000, seed=seed)
    try:
        tracers = [p.tracer(s) for s in services]
        # breadth-first: span k's parent is (k - 1) // fanout; parents end after children
        depth = [0] * spans
        for k in range(1, spans):
            depth[k] = depth[(k - 1) // fanout] + 1
        max_depth = max(depth)
        created: list[Any] = []
        for k in range(spans):
            parent = created[(k - 1) // fanout] if k else None
            ctx = otel.set_span_in_context(parent) if parent is not None else None
            start = t0 + depth[k] * 100_000 + (k % fanout) * 10_000  # whole µs apart
            created.append(tracers[k % 3].start_span(f"op-{k % 50}", context=ctx,
                                                     start_time=start))
        for k in reversed(range(spans)):
            end = (t0 + (max_depth - depth[k] + 1) * 5 * MS + depth[k] * 100_000
                   + (k % 7) * 1000)
            created[k].end(end_time=end)
        trace_id = format(created[0].get_span_context().trace_id, "032x")
    finally:
        p.close()
    return SentTrace(trace_id, spans, t0, "", services)


__all__ = ["MISSING", "JaegerServer", "SentTrace", "jaeger_binary", "send_big_trace",
           "send_shop_trace"]
