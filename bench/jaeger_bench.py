"""Tracing pane benchmark (not a test): figures against raw HTTP in the same run.

The REAL Jaeger v2 binary (built by scripts/build-control-plane) runs as its own process with
in-memory storage; spans go in through OTLP/HTTP with the OpenTelemetry SDK.

Budgets are read as the lead set them for every pane (bench/_common.py
``bare_screen_seconds``): ``ours <= target x (raw + bare)``, where ``raw`` is the plain HTTP
fetch + JSON decode and ``bare`` a bare Textual app pushing and painting an empty screen (the
fixed cost of a frame that a raw fetch does not pay); ``ours/raw`` is printed too.

1. Search returning 500 traces: raw ``GET /api/traces?limit=500`` + JSON decode vs the pane's
   path (keys: enter in the form -> request -> rows read -> results table painted).
   Target <= 1.5x. Timed two ways from the same searches, each against its own bare screen:
   to the frame that paints the 500 rows (``PaintProbe``, as the exposure and policy panes
   are timed; bare: push -> its paint) -- the budget's figure -- and, as in the sessions
   before, to the app idle after the test pilot's ``press`` and ``pause`` (bare: push ->
   ``pause``). The second also counts the pilot's own waits: ``press`` waits for the
   process to be idle twice (20 ms windows with no CPU used) and the final ``pause`` once,
   where the bare screen pays one ``pause``. Measured twice per round: a search after the
   focus has been to the results table once (the footer has every key widget it needs),
   and the screen's first search (the footer mounts the table's keys meanwhile).
2. A 10,000-span trace: raw ``GET /api/traces/{id}`` + JSON decode vs the pane's path
   (``open_trace`` -> screen composed + fetch, decode, read in a thread -> the waterfall
   painted, app idle). Target <= 2x.
3. Scrolling that trace, per key (``j``, ``ctrl+f``, ``G``, ``g``): the pane's own cost -- the
   key's handler plus rendering every visible row afresh, as the next frame does -- and, for
   reference, the pilot's press-to-idle time over that of a key bound to nothing. Target:
   the pane's cost under one frame (16.7 ms).

Rounds alternate raw, bare and pane so load spikes on a shared machine hit all of them; the
figures are medians. The pane is polled every 5 ms (a 1 ms poll loop competes for the GIL
with the thread that reads the trace). Run:
``.venv/bin/python bench/jaeger_bench.py [--rounds 5] [--profile FILE]``.

Seeding takes a while; ``--serve`` starts and seeds Jaeger once and prints the arguments
(``--url URL --big TRACE_ID``) that make later runs measure against it instead.
``--profile FILE`` writes the cProfile stats of one more search (``enter`` -> table painted,
only that window) to FILE.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import statistics
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

MS = 1_000_000
POLL = 0.005
#: seconds a focus move from the search form to the results table took, per round: the
#: first on a new screen, and the next
FOCUS: list[float] = []
FOCUS_AGAIN: list[float] = []


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


class _Painted:
    """When the results table first painted 500 rows (a ``PaintProbe`` made once per
    process: it patches the table's class)."""

    probe: Any = None

    @classmethod
    def reset(cls) -> Any:
        if cls.probe is None:
            from _common import PaintProbe

            from k8s_essentials_tui.api import VirtualTable

            cls.probe = PaintProbe(VirtualTable, lambda table: table.row_count >= 500)
        cls.probe.at = None
        return cls.probe


async def pane_search(url: str, profile: str | None = None, warm: bool = True
                      ) -> tuple[float, float]:
    """``enter`` in the search form -> (the frame that paints the 500 rows, the app idle
    after the pilot's press and pause). ``warm``: the focus has been to the results table
    and back before (a later search on the screen); otherwise this is the screen's first
    search."""
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
        await pilot.pause()
        if warm:
            # what moving the focus from the form to the table costs by itself, part of
            # every search: the first time on a screen the footer mounts the keys it has
            # not shown yet; later it rewrites its key widgets in place
            for moves in (FOCUS, FOCUS_AGAIN):
                f0 = time.perf_counter()
                pane.table.focus()
                await pilot.pause()
                moves.append(time.perf_counter() - f0)
                pane._input("limit").focus()
                await pilot.pause()
        else:  # the pane's first search: the focus has never left the form
            pane._input("limit").focus()
            await pilot.pause()
        profiler = None
        if profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        probe = _Painted.reset()
        t0 = time.perf_counter()
        await pilot.press("enter")
        # a plain sleep, not pilot.pause(POLL): the pilot's pause waits for every widget's
        # queue and forces a screen update each time (frames no app would paint); the
        # final pause waits for the screen and the idle loop, as the bare screen's does
        while pane.table.row_count < 500:
            await asyncio.sleep(POLL)
        await pilot.pause()
        elapsed = time.perf_counter() - t0
        if profiler is not None and profile:
            profiler.disable()
            profiler.dump_stats(profile)
        painted = await probe.wait(5.0)  # painted already: the rows are on screen
        return painted - t0, elapsed


async def pane_trace(url: str, trace_id: str, keys: bool = False
                     ) -> tuple[float, dict[str, float], dict[str, float]]:
    from k8s_essentials_tui.app import EssentialsApp, StartOptions
    from k8s_essentials_tui.plugins.jaeger.pane import TracingPane, open_trace
    from k8s_essentials_tui.settings import parse_settings

    app = EssentialsApp(StartOptions(connect=False,
                                     settings=parse_settings({"jaeger": {"url": url}})))
    per_key: dict[str, float] = {}
    own: dict[str, float] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        t0 = time.perf_counter()
        open_trace(app, trace_id)
        await pilot.pause(0)
        pane = app.screen.query_one(TracingPane)
        while pane.trace is None:
            await pilot.pause(POLL)
        await pilot.pause()
        elapsed = time.perf_counter() - t0
        if keys:
            view = pane.waterfall
            region = view.scrollable_content_region.reset_offset
            actions = {"j": lambda: view.action_cursor(1), "ctrl+f": lambda: view.action_page(1),
                       "G": view.action_cursor_end, "g": view.action_cursor_home}
            for key, act in actions.items():
                times = []
                for _ in range(30):
                    k0 = time.perf_counter()
                    act()
                    view.render_lines(region)  # what the next frame asks of the widget
                    times.append(time.perf_counter() - k0)
                own[key] = statistics.median(times)
            # "f13" is bound to nothing: what a press costs the test pilot by itself
            for key, n in (("f13", 40), ("j", 40), ("ctrl+f", 40), ("G", 5), ("g", 5)):
                times = []
                for _ in range(n):
                    k0 = time.perf_counter()
                    await pilot.press(key)
                    times.append(time.perf_counter() - k0)
                per_key[key] = statistics.median(times)
    return elapsed, per_key, own


def main() -> int:
    from testkit.jaeger import JaegerServer, jaeger_binary, send_big_trace

    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--serve", action="store_true",
                    help="start and seed Jaeger, print --url/--big for later runs, wait")
    ap.add_argument("--url", help="a Jaeger seeded by --serve (with --big)")
    ap.add_argument("--big", help="the 10,000-span trace id of that Jaeger")
    ap.add_argument("--profile", help="write the cProfile stats of one more search here")
    ap.add_argument("--search-only", action="store_true", help="measure the search alone")
    opts = ap.parse_args()
    if opts.url and opts.big:
        return measure(opts.url, opts.big, opts.rounds, opts.profile, opts.search_only)
    binary = jaeger_binary()
    if binary is None:
        print("jaeger is not built (scripts/build-control-plane)")
        return 2
    with JaegerServer(binary).start() as server:
        send_many(server.otlp_url, 500)
        big = send_big_trace(server.otlp_url)
        server.wait_for_trace(big.trace_id, big.spans, timeout=120)
        if opts.serve:
            # a TERM (or ctrl+c) leaves the with-block: Jaeger is stopped, its files removed
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
            print(f"--url {server.query_url} --big {big.trace_id}", flush=True)
            with contextlib.suppress(KeyboardInterrupt):
                while True:
                    time.sleep(3600)
            return 0
        return measure(server.query_url, big.trace_id, opts.rounds, opts.profile,
                       opts.search_only)


def measure(url: str, big_id: str, rounds: int, profile: str | None,
            search_only: bool = False) -> int:
    """Interleaved rounds of every figure against the Jaeger at ``url``; prints them."""
    from _common import bare_screen_seconds, budget_line, precompile

    precompile()  # as an installed app (this machine sets PYTHONDONTWRITEBYTECODE)
    search_url = f"{url}/api/traces?service=shop&limit=500&lookback=24h"
    deadline = time.monotonic() + 60
    while len(raw_get(search_url)["data"] or []) < 500 and time.monotonic() < deadline:
        time.sleep(0.5)
    raw_s, pane_s, first_s, raw_t, pane_t, bare_s = [], [], [], [], [], []
    paint_s, paint_first_s, bare_p = [], [], []
    keys: dict[str, list[float]] = {}
    own: dict[str, list[float]] = {}
    for r in range(rounds):
        t0 = time.perf_counter()
        assert len(raw_get(search_url)["data"]) == 500
        raw_s.append(time.perf_counter() - t0)
        bare_s.append(asyncio.run(bare_screen_seconds((120, 40))))
        bare_p.append(asyncio.run(bare_screen_seconds((120, 40), painted=True)))
        painted, idle = asyncio.run(pane_search(url))
        paint_s.append(painted)
        pane_s.append(idle)
        painted, idle = asyncio.run(pane_search(url, warm=False))
        paint_first_s.append(painted)
        first_s.append(idle)
        if search_only:
            continue
        t0 = time.perf_counter()
        assert len(raw_get(f"{url}/api/traces/{big_id}")["data"][0]["spans"]) == \
            10_000
        raw_t.append(time.perf_counter() - t0)
        elapsed, per_key, own_key = asyncio.run(pane_trace(url, big_id,
                                                           keys=r == 0))
        pane_t.append(elapsed)
        for k, v in per_key.items():
            keys.setdefault(k, []).append(v)
        for k, v in own_key.items():
            own.setdefault(k, []).append(v)
    med = statistics.median
    bare = med(bare_s)
    print(f"load average {' / '.join(f'{x:.1f}' for x in os.getloadavg())} (1/5/15 min), "
          f"{rounds} interleaved rounds, medians")
    print(budget_line("search 500 traces (enter -> the frame that paints the rows)",
                      med(raw_s), med(bare_p), med(paint_s), 1.5))
    print(budget_line("  the screen's first search (the footer mounts the table's keys)",
                      med(raw_s), med(bare_p), med(paint_first_s), 1.5))
    print(budget_line("  the same searches to the app idle after the pilot's press + pause",
                      med(raw_s), bare, med(pane_s), 1.5))
    print(budget_line("  the screen's first search, to the app idle",
                      med(raw_s), bare, med(first_s), 1.5))
    print(f"  a focus move from the form to the table alone: the first on the screen "
          f"{med(FOCUS) * 1000:.0f} ms, the next {med(FOCUS_AGAIN) * 1000:.0f} ms")
    print("  rounds (ms): search raw " + _ms(raw_s) + " / painted " + _ms(paint_s)
          + " / first " + _ms(paint_first_s) + " / idle " + _ms(pane_s) + " / first "
          + _ms(first_s) + "; bare painted " + _ms(bare_p) + " / idle " + _ms(bare_s))
    if search_only:
        if profile:
            asyncio.run(pane_search(url, profile))
            print(f"cProfile stats of one search written to {profile}")
        return 0
    print(budget_line("10,000-span trace (open -> waterfall painted, app idle)", med(raw_t), bare,
                      med(pane_t), 2.0))
    print("  rounds (ms): trace raw " + _ms(raw_t) + " / pane " + _ms(pane_t)
          + "; bare (idle) " + _ms(bare_s))
    print("scrolling the 10,000-span waterfall, the pane's cost per key (handler + every "
          "visible row rendered afresh, median): " + ", ".join(
              f"{k} {med(v) * 1000:.1f} ms" for k, v in own.items()) + " (frame 16.7 ms)")
    base = med(keys.pop("f13"))
    print(f"  pilot press to idle+frame (median; an unbound key costs the pilot "
          f"{base * 1000:.1f} ms): " + ", ".join(
              f"{k} {med(v) * 1000:.1f} ms (+{(med(v) - base) * 1000:.1f})"
              for k, v in keys.items()))
    if profile:
        asyncio.run(pane_search(url, profile))
        print(f"cProfile stats of one search written to {profile}")
    return 0


def _ms(values: list[float]) -> str:
    return " ".join(f"{x * 1000:.0f}" for x in values)


if __name__ == "__main__":
    raise SystemExit(main())
