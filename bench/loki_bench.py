"""Loki pane benchmark (not a test): prints figures, compares with raw HTTP in the same run.

1. A 5,000-line result: raw HTTP fetch + JSON decode of the same ``query_range`` vs the
   pane's path (client + parse + virtualised view + first paint). Target: <= 2x.
2. Live tail at 1,000 lines/s for a few seconds while pressing keys: keystroke latency
   (time for ``pilot.press`` to be processed) p50/p95/max and lines shown.

Run: ``.venv/bin/python bench/loki_bench.py`` (uses the fake Loki from testkit).
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.plugins.loki.logql import to_ns
from k8s_essentials_tui.plugins.loki.pane import LokiPane
from k8s_essentials_tui.settings import parse_settings
from testkit.fake_loki import FakeLoki, FakeLokiServer

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
QUERY = '{app="checkout"}'
N = 5000


def seed(loki: FakeLoki) -> None:
    labels = {"namespace": "shop", "app": "checkout", "pod": "checkout-0"}
    loki.add(labels, [(to_ns(NOW) - 10**6 - i * 10**8, f"GET /api/cart/{i} 200 {i % 97}ms "
                       f"user=u{i % 211} trace={i:016x}") for i in range(N)])


async def raw_fetch(url: str, rounds: int) -> float:
    params = {"query": QUERY, "limit": N, "start": to_ns(NOW - timedelta(hours=1)),
              "end": to_ns(NOW), "direction": "backward"}
    best = float("inf")
    async with httpx.AsyncClient(base_url=url) as http:
        for _ in range(rounds):
            t0 = time.perf_counter()
            resp = await http.get("/loki/api/v1/query_range", params=params)
            body = resp.json()
            assert len(body["data"]["result"][0]["values"]) == N
            best = min(best, time.perf_counter() - t0)
    return best


async def pane_render(srv: FakeLokiServer, rounds: int) -> float:
    app = EssentialsApp(StartOptions(now=NOW, connect=False, settings=parse_settings(
        {"loki": {"url": srv.url}})))
    best = float("inf")
    async with app.run_test(size=(160, 50)) as pilot:
        app.open_plugin("loki")
        await pilot.pause()
        pane = app.screen.query_one(LokiPane)
        while pane.client is None:
            await pilot.pause(0.01)
        pane.limit = N
        pane.editor.text = QUERY
        for _ in range(rounds):
            pane.view.clear()
            await pilot.pause()
            t0 = time.perf_counter()
            pane.run_query(QUERY)
            await app.workers.wait_for_complete()
            await pilot.pause()  # the frame with the result is painted
            best = min(best, time.perf_counter() - t0)
            assert len(pane.view.entries) == N
    return best


async def tail_latency(srv: FakeLokiServer, seconds: float = 5.0, rate: int = 1000) -> None:
    loki = srv.loki
    app = EssentialsApp(StartOptions(now=NOW, connect=False, settings=parse_settings(
        {"loki": {"url": srv.url}})))
    labels = {"namespace": "shop", "app": "tailer", "pod": "tailer-0"}
    lat: list[float] = []
    async with app.run_test(size=(160, 50)) as pilot:
        app.open_plugin("loki")
        await pilot.pause()
        pane = app.screen.query_one(LokiPane)
        while pane.client is None:
            await pilot.pause(0.01)
        pane.editor.text = '{app="tailer"}'
        pane.view.focus()
        await pilot.press("t")
        while loki.tail_count == 0:
            await pilot.pause(0.01)
        stop = asyncio.Event()
        sent = 0

        async def produce() -> None:
            nonlocal sent
            t0 = time.perf_counter()
            batch = rate // 20
            while not stop.is_set():
                ts = to_ns(NOW) + sent * 10**6
                loki.add(labels, [(ts + k * 1000, f"tail line {sent + k} " + "x" * 60)
                                  for k in range(batch)])
                sent += batch
                target = t0 + sent / rate
                await asyncio.sleep(max(0.0, target - time.perf_counter()))

        prod = asyncio.create_task(produce())
        end = time.perf_counter() + seconds
        keys = ["p", "p", "k", "j", "w", "w", "l", "l"]
        i = 0
        while time.perf_counter() < end:
            t0 = time.perf_counter()
            await pilot.press(keys[i % len(keys)])
            lat.append(time.perf_counter() - t0)
            i += 1
            await asyncio.sleep(0.05)
        stop.set()
        await prod
        await pilot.pause(0.3)
        shown = len(pane.view.entries) + pane.view.evicted
        buffer = pane.view.max_lines
        await pilot.press("t")
    lat.sort()
    print(f"tail: {sent} lines pushed in {seconds:.0f}s ({sent / seconds:.0f}/s); "
          f"{shown} received by the pane; buffer {buffer}")
    print(f"keystroke latency during tail: p50 {statistics.median(lat) * 1000:.1f} ms, "
          f"p95 {lat[int(len(lat) * 0.95) - 1] * 1000:.1f} ms, max {lat[-1] * 1000:.1f} ms "
          f"({len(lat)} keys)")


async def main() -> None:
    loki = FakeLoki(clock=lambda: NOW.timestamp())
    seed(loki)
    with FakeLokiServer(loki).start() as srv:
        raw = await raw_fetch(srv.url, 5)
        pane = await pane_render(srv, 5)
        print(f"5,000-line result: raw HTTP fetch+decode {raw * 1000:.1f} ms (best of 5), "
              f"pane fetch+parse+render {pane * 1000:.1f} ms (best of 5): "
              f"ratio {pane / raw:.2f}x (target <= 2x)")
        await tail_latency(srv)


if __name__ == "__main__":
    asyncio.run(main())
