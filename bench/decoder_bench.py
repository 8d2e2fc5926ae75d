"""Benchmark (not a test): JSON decoders on the watch path (#25 goal 3).

A WatchList sync of the certificates pane's 10,000 Certificates + 10,000 TLS Secrets is
20,000+ lines of JSON, one per chunk; decoding them was ~27% of that load. This measures,
in one run, the stdlib ``json.loads`` against ``orjson.loads`` and ``msgspec.json.decode``
on the same lines (events shaped as the apiserver sends them: a Secret with a 2-certificate
chain and a key, a Certificate with status), decode only and through the client's
line splitter (``_events`` over chunks as the apiserver flushes them).

    .venv/bin/python bench/decoder_bench.py [--count 20000] [--rounds 5]

Prints min/median seconds per decoder and the ratio to json.loads. The client uses the
decoder this chose (msgspec: tui/kube/client.py says why).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from _common import ROOT

sys.path.insert(0, str(ROOT))


def events(count: int) -> list[bytes]:
    from tests import cert_fixtures as f

    kp = f.leaf("c0.bench", 30, ("c0.example.com",))
    crt = base64.b64encode(kp.cert_pem + f.INTERMEDIATE.cert_pem).decode()
    key = base64.b64encode(kp.key_pem).decode()
    ca = base64.b64encode(f.ROOT.cert_pem).decode()
    out = []
    for i in range(count):
        if i % 2:
            obj: dict[str, Any] = {
                "apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
                "metadata": {"name": f"c{i}-tls", "namespace": "bench", "uid": f"u-{i}",
                             "resourceVersion": str(1000 + i),
                             "annotations": {"cert-manager.io/certificate-name": f"c{i}"},
                             "managedFields": [{"manager": "cert-manager", "operation":
                                                "Update", "apiVersion": "v1"}]},
                "data": {"tls.crt": crt, "tls.key": key, "ca.crt": ca}}
        else:
            obj = {"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
                   "metadata": {"name": f"c{i}", "namespace": "bench", "uid": f"u-{i}",
                                "resourceVersion": str(1000 + i)},
                   "spec": {"secretName": f"c{i}-tls", "dnsNames": [f"c{i}.example.com"],
                            "issuerRef": {"name": "letsencrypt", "kind": "ClusterIssuer"}},
                   "status": {"conditions": [{"type": "Ready", "status": "True",
                                              "reason": "Ready", "message": "up to date"}],
                              "notAfter": "2026-07-01T12:00:00Z",
                              "renewalTime": "2026-06-01T12:00:00Z"}}
        out.append(json.dumps({"type": "ADDED", "object": obj}).encode())
    return out


def decoders() -> dict[str, Callable[[bytes], Any]]:
    found: dict[str, Callable[[bytes], Any]] = {"json": json.loads}
    try:
        import orjson

        found["orjson"] = orjson.loads
    except ImportError:
        print("orjson not installed: skipped", file=sys.stderr)
    try:
        import msgspec

        found["msgspec"] = msgspec.json.Decoder().decode
    except ImportError:
        print("msgspec not installed: skipped", file=sys.stderr)
    return found


class _Resp:
    """What ``_events`` reads: ``aiter_bytes`` yielding one event per chunk."""

    def __init__(self, lines: list[bytes]) -> None:
        self.lines = lines

    async def aiter_bytes(self) -> Any:
        for line in self.lines:
            yield line + b"\n"


async def through_client(lines: list[bytes]) -> int:
    from k8s_essentials_tui.kube.client import _events

    n = 0
    async for _event in _events(_Resp(lines)):  # type: ignore[arg-type]
        n += 1
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    lines = events(args.count)
    size = sum(map(len, lines)) / 1e6
    print(f"{args.count} events, {size:.1f} MB")
    found = decoders()
    times: dict[str, list[float]] = {name: [] for name in found}
    for _ in range(args.rounds):  # interleaved rounds: load changes hit every decoder
        for name, decode in found.items():
            t0 = time.perf_counter()
            for line in lines:
                decode(line)
            times[name].append(time.perf_counter() - t0)
    base = statistics.median(times["json"])
    print(f"{'decoder':10} {'min s':>8} {'median s':>9} {'ratio':>6}")
    for name, values in times.items():
        med = statistics.median(values)
        print(f"{name:10} {min(values):8.3f} {med:9.3f} {med / base:6.2f}")
    from k8s_essentials_tui.kube import client

    t0 = time.perf_counter()
    asyncio.run(through_client(lines))
    print(f"client _events with {client.DECODER_NAME}: {time.perf_counter() - t0:.3f}s")


if __name__ == "__main__":
    main()
