"""Tracing pane benchmark (not a test): figures against raw HTTP in the same run.

The REAL Jaeger v2 binary (built by scripts/build-control-plane) runs as its own process with
in-memory storage; spans go in through OTLP/HTTP with the OpenTelemetry SDK.

1. Search returning 500 traces: raw ``GET /api/traces?limit=500`` + JSON decode vs the pane's
   path (keys: enter in the form -> client -> summaries -> results table -> first frame).
   Target <= 1.5x.
2. A 10,000-span trace: raw ``GET /api/traces/{id}`` + JSON decode vs the pane's path
   (open -> fetch -> model -> first painted waterfall). Target <= 2x.
3. Scrolling that trace: per key (``j``, ``ctrl+f``, ``G``/``g``) the time from the press to
   the app being idle again with the frame painted, next to the same for a key bound to
   nothing (the pilot's own cost). Target: the difference under one frame (16.7 ms).

Rounds alternate raw and pane so load spikes on a shared machine hit both; the ratio of
medians is the figure. Run: ``.venv/bin/python bench/jaeger_bench.py [--rounds 5]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MS = 1_000_000


def send_many(otlp_url: str, traces: int) -> None:
    """``traces`` small traces of the service ``shop`` (3 spans each), batched."""
    from opentelemetry import trace as otel

    from testkit.jaeger import _Providers

    p = _Providers(otlp_url, batch=True, queue=traces * 4 + 100)
    try:
        tracer = p.tracer("shop")
        t0 = time.time_ns() - 600_000 * MS
        for k in range(traces):
            start = t0 + k * 1000 * MS
            root = tracer.start_span("GET /buy", start_time=start)
            ctx = otel.set_span_in_context(root)
            for j in range(2):
                child = tracer.start_span(f"step-{j}", context=ctx, start_time=start + MS)
                child.end(end_time=start + (5 + j) * MS)
            root.end(end_time=start + 10 * MS + k * 1000)
    finally:
        p.close()


def raw_get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=60) as r:
        return json.loads(r.read())


async def pane_search(url: str) -> float:
    from k8s_essentials_tui.app import EssentialsApp, StartOptions
    from k8s_essentials_tui.plugins.jaeger.pane import TracingPane
    from k8s_essentials_tui.settings import parse_settings

    app = EssentialsApp(StartOptions(connect=False,
                                     settings=parse_settings({"jaeger": {"url": url}})))
    async with app.run_test(size=(120, 40)) as pilot:
        app.open_plugin("jaeger")
        await pilot.pause()
        pane = app.screen.query_one(TracingPane)
        while not pane._services:
            await pilot.pause(0.02)
        pane._input("service").value = "shop"
        pane._input("since").value = "24h"
        pane._input("limit").value = "500"
        t0 = time.perf_counter()
        await pilot.press("enter")
        while pane.table.row_count < 500:
            await pilot.pause(0.001)
        await pilot.pause()
        return time.perf_counter() - t0


async def pane_trace(url: str, trace_id: str, keys: bool = False) -> tuple[float, dict[str, float]]:
    from k8s_essentials_tui.app import EssentialsApp, StartOptions
    from k8s_essentials_tui.plugins.jaeger.pane import TracingPane, open_trace
    from k8s_essentials_tui.settings import parse_settings

    app = EssentialsApp(StartOptions(connect=False,
                                     settings=parse_settings({"jaeger": {"url": url}})))
    per_key: dict[str, float] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        t0 = time.perf_counter()
        open_trace(app, trace_id)
        await pilot.pause(0)
        pane = app.screen.query_one(TracingPane)
        while pane.trace is None:
            await pilot.pause(0.001)
        await pilot.pause()
        elapsed = time.perf_counter() - t0
        if keys:
            # "f13" is bound to nothing: what a press costs the test pilot by itself
            for key, n in (("f13", 40), ("j", 40), ("ctrl+f", 40), ("G", 5), ("g", 5)):
                times = []
                for _ in range(n):
                    k0 = time.perf_counter()
                    await pilot.press(key)
                    times.append(time.perf_counter() - k0)
                per_key[key] = statistics.median(times)
    return elapsed, per_key


def main() -> int:
    from testkit.jaeger import JaegerServer, jaeger_binary, send_big_trace

    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    opts = ap.parse_args()
    binary = jaeger_binary()
    if binary is None:
        print("jaeger is not built (scripts/build-control-plane)")
        return 2
    with JaegerServer(binary).start() as server:
        url = server.query_url
        send_many(server.otlp_url, 500)
        big = send_big_trace(server.otlp_url)
        server.wait_for_trace(big.trace_id, big.spans, timeout=120)
        search_url = f"{url}/api/traces?service=shop&limit=500&lookback=24h"
        deadline = time.monotonic() + 60
        while len(raw_get(search_url)["data"] or []) < 500 and time.monotonic() < deadline:
            time.sleep(0.5)
        raw_s, pane_s, raw_t, pane_t = [], [], [], []
        keys: dict[str, list[float]] = {}
        for r in range(opts.rounds):
            t0 = time.perf_counter()
            assert len(raw_get(search_url)["data"]) == 500
            raw_s.append(time.perf_counter() - t0)
            pane_s.append(asyncio.run(pane_search(url)))
            t0 = time.perf_counter()
            assert len(raw_get(f"{url}/api/traces/{big.trace_id}")["data"][0]["spans"]) == \
                10_000
            raw_t.append(time.perf_counter() - t0)
            elapsed, per_key = asyncio.run(pane_trace(url, big.trace_id, keys=r == 0))
            pane_t.append(elapsed)
            for k, v in per_key.items():
                keys.setdefault(k, []).append(v)
    med = statistics.median
    print(f"search 500 traces: raw fetch+decode {med(raw_s) * 1000:.0f} ms, pane to first "
          f"frame {med(pane_s) * 1000:.0f} ms -> {med(pane_s) / med(raw_s):.2f}x "
          f"(best {min(pane_s) / min(raw_s):.2f}x)")
    print(f"10,000-span trace: raw fetch+decode {med(raw_t) * 1000:.0f} ms, pane to first "
          f"painted waterfall {med(pane_t) * 1000:.0f} ms -> {med(pane_t) / med(raw_t):.2f}x "
          f"(best {min(pane_t) / min(raw_t):.2f}x)")
    base = med(keys.pop("f13"))
    print(f"scrolling the 10,000-span waterfall, press to idle+frame (median; an unbound "
          f"key costs the pilot {base * 1000:.1f} ms): " + ", ".join(
              f"{k} {med(v) * 1000:.1f} ms (+{(med(v) - base) * 1000:.1f})"
              for k, v in keys.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
