"""Jaeger end to end: the REAL Jaeger v2 binary, fed real spans by the OpenTelemetry SDK over
OTLP/HTTP; the headless ``traces``/``trace`` commands and the client, by direct URL, with the
``/api/v3`` API, and through the REAL apiserver's service proxy (Jaeger runs in a network
namespace, as the Loki e2e's fake does, because the proxy refuses loopback endpoints).

Skips with a message when the jaeger binary is not built (CI builds it first).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest

from k8s_essentials_tui.cli import main
from k8s_essentials_tui.plugins.jaeger.client import (
    JaegerClient,
    SearchQuery,
    TraceNotFoundError,
)
from k8s_essentials_tui.plugins.jaeger.model import Trace, from_us
from testkit.jaeger import (
    MISSING,
    JaegerServer,
    SentTrace,
    jaeger_binary,
    send_big_trace,
    send_shop_trace,
)
from testkit.netns import NetnsUnavailable, VethNamespace, expose_in_cluster

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def jaeger() -> Iterator[JaegerServer]:
    binary = jaeger_binary()
    if binary is None:
        pytest.skip(MISSING)
    with JaegerServer(binary).start() as server:
        yield server


@pytest.fixture(scope="module")
def shop(jaeger: JaegerServer) -> SentTrace:
    sent = send_shop_trace(jaeger.otlp_url)
    jaeger.wait_for_trace(sent.trace_id, sent.spans)
    return sent


@pytest.fixture(scope="module")
def big(jaeger: JaegerServer) -> SentTrace:
    sent = send_big_trace(jaeger.otlp_url)
    jaeger.wait_for_trace(sent.trace_id, sent.spans, timeout=120)
    return sent


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_traces_search_json_and_text(jaeger: JaegerServer, shop: SentTrace,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = _cli(capsys, "traces", "--service", "frontend", "--jaeger-url",
                        jaeger.query_url, "-o", "json")
    assert rc == 0, err
    [row] = [t for t in json.loads(out)["traces"] if t["traceID"] == shop.trace_id]
    assert row["spans"] == 6 and row["errors"] == 1
    assert row["rootService"] == "frontend" and row["rootOperation"] == "GET /checkout"
    assert row["durationMicros"] == 120_000
    assert next(iter(row["services"])) == "frontend"  # the root's service first
    assert row["services"] == {"frontend": 1, "checkout": 2, "cart": 1, "payments": 2}
    rc, out, err = _cli(capsys, "traces", "--service", "payments", "--operation",
                        "payments.charge", "--jaeger-url", jaeger.query_url)
    assert rc == 0, err
    header, line = out.splitlines()[:2]
    assert header.split()[:4] == ["START", "(UTC)", "TRACE", "ID"]
    assert shop.trace_id in line and "frontend: GET /checkout" in line and "120ms" in line


def test_traces_filters_reach_jaeger(jaeger: JaegerServer, shop: SentTrace,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    def ids(*extra: str) -> list[str]:
        rc, out, err = _cli(capsys, "traces", "--service", "payments", "--jaeger-url",
                            jaeger.query_url, "-o", "json", *extra)
        assert rc == 0, err
        return [t["traceID"] for t in json.loads(out)["traces"]]

    assert shop.trace_id in ids("--tag", "http.status_code=500")
    assert shop.trace_id in ids("--tag", "error=true", "--tag", "payment.amount=42.5")
    assert shop.trace_id not in ids("--tag", "http.status_code=404")
    assert shop.trace_id in ids("--min-duration", "70ms")  # payments.charge took 75ms
    assert shop.trace_id not in ids("--min-duration", "80ms")
    assert shop.trace_id not in ids("--operation", "nope")


def test_fail_on_errors_and_jaegers_own_errors(jaeger: JaegerServer, shop: SentTrace,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = _cli(capsys, "traces", "--service", "cart", "--fail-on-errors",
                        "--jaeger-url", jaeger.query_url)
    assert rc == 1, err  # the cart's trace holds the payments error span
    assert shop.trace_id in out
    rc, out, err = _cli(capsys, "traces", "--service", "frontend", "--fail-on-errors",
                        "--tag", "http.status_code=404", "--jaeger-url", jaeger.query_url)
    assert rc == 0 and out.startswith("no traces of frontend http.status_code=404")
    # Jaeger validates the durations itself: its words, exit 2, no traceback
    rc, out, err = _cli(capsys, "traces", "--service", "frontend", "--min-duration", "5s",
                        "--max-duration", "1s", "--jaeger-url", jaeger.query_url)
    assert rc == 2 and out == ""
    assert err.strip() == ("k8s-essentials-tui: error: 'maxDuration' should be greater "
                           "than 'minDuration'")
    rc, out, err = _cli(capsys, "trace", "0123456789abcdef0123456789abcdef",
                        "--jaeger-url", jaeger.query_url)
    assert rc == 2 and err.strip() == "k8s-essentials-tui: error: trace not found"
    rc, out, err = _cli(capsys, "trace", "not-hex", "--jaeger-url", jaeger.query_url)
    assert rc == 2 and "Traceback" not in err and "not-hex" in err
    rc, out, err = _cli(capsys, "traces", "--service", "x", "--since", "soon",
                        "--jaeger-url", jaeger.query_url)
    assert rc == 2 and "invalid duration 'soon'" in err


def test_trace_waterfall_text_and_json(jaeger: JaegerServer, shop: SentTrace,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = _cli(capsys, "trace", shop.trace_id, "--jaeger-url", jaeger.query_url,
                        "--width", "80")
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[0].startswith(f"trace {shop.trace_id}") and "6 spans  1 errors" in lines[0]
    assert lines[1].endswith("Z  services: frontend (1), checkout (2), cart (1), payments (2)")
    spans = lines[2:]
    assert [ln[:2] for ln in spans] == [" *", " *", " *", "!*", " *", " *"]
    assert "payments: payments.cha…" in spans[3] and spans[3].endswith("75ms")  # cut to 80
    assert all(len(ln) <= 80 for ln in spans)
    rc, out, err = _cli(capsys, "trace", shop.trace_id, "--jaeger-url", jaeger.query_url,
                        "-o", "json")
    doc = json.loads(out)
    pay = next(s for s in doc["spans"] if s["operation"] == "payments.charge")
    assert pay["spanID"] == shop.error_span and pay["error"] and pay["kind"] == "server"
    assert pay["logs"][0]["fields"]["exception.message"] == "card declined"
    assert pay["process"]["host.name"] == "payments-0"


async def test_v3_api_gives_the_same_trace(jaeger: JaegerServer, shop: SentTrace) -> None:
    v1 = JaegerClient.direct(jaeger.query_url, api="v1")
    v3 = JaegerClient.direct(jaeger.query_url, api="v3")
    try:
        a, b = await v1.trace(shop.trace_id), await v3.trace(shop.trace_id)
        assert a.summary() == b.summary()
        assert [(s.operation, s.error, s.duration) for s in a.spans] == \
            [(s.operation, s.error, s.duration) for s in b.spans]
        assert "payments" in await v3.services()
        assert await v3.operations("payments") == await v1.operations("payments") == \
            ["SELECT cards", "payments.charge"]
        start = from_us(shop.start_ns // 1000 - 60_000_000)
        end = from_us(shop.start_ns // 1000 + 60_000_000)
        q = SearchQuery("payments", tags={"http.status_code": "500"}, start=start, end=end)
        r1, r3 = await v1.search(q), await v3.search(q)
        assert [s.trace_id for s in r3.summaries] == [s.trace_id for s in r1.summaries] == \
            [shop.trace_id]
        q.tags = {"http.status_code": "404"}
        assert (await v3.search(q)).summaries == []  # v3's 404 "No traces found" is empty
        with pytest.raises(TraceNotFoundError):
            await v3.trace("0123456789abcdef0123456789abcdef")
    finally:
        await v1.aclose()
        await v3.aclose()


def test_ten_thousand_span_trace(jaeger: JaegerServer, big: SentTrace,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    async def fetch() -> Trace:
        client = JaegerClient.direct(jaeger.query_url)
        try:
            return await client.trace(big.trace_id)
        finally:
            await client.aclose()

    async def fetch_off_loop() -> tuple[Trace, str]:
        client = JaegerClient.direct(jaeger.query_url)
        try:
            return await client.trace_off_loop(big.trace_id), client.api
        finally:
            await client.aclose()

    trace = asyncio.run(fetch())
    # the pane's path: request, decode and read in a thread on the client's twin; the
    # API it found (v1) comes back to the pane's client
    other, api = asyncio.run(fetch_off_loop())
    assert api == "v1" and other.summary() == trace.summary()
    assert [s.span_id for s in other.spans] == [s.span_id for s in trace.spans]
    assert len(trace.spans) == 10_000 and trace.roots == [0]
    assert max(trace.depth) == 5  # 8-way fan-out
    assert trace.services == ["gateway", "inventory", "orders"]  # tree order: k=8 starts first
    rc, out, err = _cli(capsys, "trace", big.trace_id, "--jaeger-url", jaeger.query_url)
    assert rc == 0, err
    assert len(out.splitlines()) == 2 + 10_000


# -- through the apiserver's service proxy ---------------------------------------------------

@pytest.fixture(scope="module")
def proxied_jaeger() -> Iterator[tuple[VethNamespace, JaegerServer]]:
    binary = jaeger_binary()
    if binary is None:
        pytest.skip(MISSING)
    veth = VethNamespace()
    try:
        veth.create()
    except NetnsUnavailable as exc:
        pytest.fail(f"the service-proxy e2e needs a network namespace: {exc}", pytrace=False)
    try:
        with JaegerServer(binary, host=veth.inner_ip, netns=veth.name).start() as server:
            yield veth, server
    finally:
        veth.remove()


def test_headless_through_the_service_proxy(kube_admin, namespace: str,  # type: ignore[no-untyped-def]
                                            kubeconfig: str, limited_kubeconfig: str,
                                            proxied_jaeger: tuple[VethNamespace, JaegerServer],
                                            capsys: pytest.CaptureFixture[str]) -> None:
    veth, server = proxied_jaeger
    sent = send_shop_trace(server.otlp_url)
    server.wait_for_trace(sent.trace_id, sent.spans)
    # what the jaeger chart creates: a query Service (port 16686) next to the collector's
    expose_in_cluster(kube_admin, namespace, "jaeger-collector", veth.inner_ip,
                      server.otlp_port, port_name="otlp-http",
                      labels={"app.kubernetes.io/name": "jaeger"})
    expose_in_cluster(kube_admin, namespace, "jaeger-query", veth.inner_ip, server.query_port,
                      port_name="http-query", labels={"app.kubernetes.io/name": "jaeger"})
    rc, out, err = _cli(capsys, "traces", "--service", "frontend", "--kubeconfig", kubeconfig,
                        "-n", namespace, "-o", "json")
    assert rc == 0, err
    assert [t["traceID"] for t in json.loads(out)["traces"]] == [sent.trace_id]
    rc, out, err = _cli(capsys, "trace", sent.trace_id, "--kubeconfig", kubeconfig,
                        "-n", namespace)
    assert rc == 0, err
    assert out.splitlines()[0].startswith(f"trace {sent.trace_id}")
    rc, out, err = _cli(capsys, "trace", "0123456789abcdef0123456789abcdef", "--kubeconfig",
                        kubeconfig, "-n", namespace)
    assert rc == 2 and err.strip() == "k8s-essentials-tui: error: trace not found"
    # a user without services/proxy is told what is missing
    rc, out, err = _cli(capsys, "trace", sent.trace_id, "--kubeconfig", limited_kubeconfig,
                        "-n", namespace)
    assert rc == 2 and "services/proxy" in err


def test_trace_off_loop_through_the_service_proxy(kube_admin, namespace: str,  # type: ignore[no-untyped-def]
                                                  kubeconfig: str,
                                                  proxied_jaeger: tuple[VethNamespace,
                                                                        JaegerServer]) -> None:
    """The pane opens a trace on a twin client (its own connection to the apiserver, the
    same credentials) in a thread: through the real service proxy it reads the same trace,
    and Jaeger's own "not found" still reaches the pane."""
    from k8s_essentials_tui.kube.session import ClusterSession, ConnectOptions
    from k8s_essentials_tui.plugins.jaeger.client import connect

    veth, server = proxied_jaeger
    sent = send_shop_trace(server.otlp_url)
    server.wait_for_trace(sent.trace_id, sent.spans)
    expose_in_cluster(kube_admin, namespace, "jaeger-query", veth.inner_ip, server.query_port,
                      port_name="http-query", labels={"app.kubernetes.io/name": "jaeger"})

    async def run() -> tuple[Trace, Trace]:
        session = await ClusterSession.connect(ConnectOptions(kubeconfig=kubeconfig))
        try:
            client = await connect(session, None, prefer_namespaces=[namespace])
            assert client.via_proxy and client.twin is not None
            off = await client.trace_off_loop(sent.trace_id)
            with pytest.raises(TraceNotFoundError):
                await client.trace_off_loop("0123456789abcdef0123456789abcdef")
            return off, await client.trace(sent.trace_id)
        finally:
            await session.close()

    off, on = asyncio.run(run())
    assert off.summary() == on.summary() and off.summary().span_count == 6
