"""Monitoring benchmark (not a test): prints figures against raw HTTP in the same run.

Against the REAL Prometheus and Alertmanager (testkit/prometheus.py, loopback, direct URLs:
the servers' own cost is in both sides of each ratio):

1. 2,000 alerts (500 alertnames x 4 namespaces: 2,000 groups, so 2,000 table rows; and 50
   alertnames x 4 namespaces x 3 severities: 600 rows): raw ``GET /api/v2/alerts`` + JSON
   decode vs (a) the client + model (parse, group) and (b) the pane: open it in a headless
   app until the frame that paints its Alerts table's rows (:class:`RowsPainted`), against
   raw + a bare screen's first paint (``bare_screen_seconds(painted=True)``: like with
   like; target <= 1.5x); also open -> the app idle against raw + a bare screen to idle.
   With ``--compare`` the pane with its first request started as before (by a task, after
   the screen's compose), interleaved.
2. A 24 h range query at 1 m step (1,441 points x 3 series): raw ``POST query_range`` + JSON
   decode vs the client + parse + the braille plot at 120 columns (target <= 2x).

Raw and measured rounds alternate so load spikes hit both; the figure is the ratio of
medians. Run: ``.venv/bin/python bench/monitoring_bench.py [--rounds 7] [--only alerts|range]
[--compare] [--profile FILE]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _common import bare_screen_seconds, budget_line  # noqa: E402

QUERY = ('sin(vector(time()) / 3600) or label_replace(cos(vector(time()) / 7200), "w", "c", '
         '"", "") or label_replace(vector(time() % 3600 / 3600), "w", "saw", "", "")')


def alerts(n: int, names: int) -> list[dict[str, Any]]:
    """``n`` alerts over ``names`` alertnames x 4 namespaces x 3 severities."""
    now = datetime.now(UTC)
    return [{"labels": {"alertname": f"Alert{i % names:03d}",
                        "namespace": f"ns{(i // names) % 4}",
                        "severity": ("critical", "warning", "info")[i % 3], "pod": f"p{i}"},
             "annotations": {"summary": f"alert {i} is firing"},
             "startsAt": (now - timedelta(minutes=i % 90)).isoformat(),
             "endsAt": (now + timedelta(hours=2)).isoformat()} for i in range(n)]


async def raw_get(url: str) -> float:
    import httpx

    async with httpx.AsyncClient() as http:
        t0 = time.perf_counter()
        resp = await http.get(url)
        resp.json()
        return time.perf_counter() - t0


async def raw_range(base: str, start: datetime, end: datetime) -> float:
    import httpx

    async with httpx.AsyncClient() as http:
        t0 = time.perf_counter()
        resp = await http.post(f"{base}/api/v1/query_range", data={
            "query": QUERY, "start": f"{start.timestamp():.3f}", "end": f"{end.timestamp():.3f}",
            "step": "60"})
        resp.json()
        return time.perf_counter() - t0


async def model_alerts(url: str) -> float:
    from k8s_essentials_tui.plugins.monitoring.client import connect_alertmanager
    from k8s_essentials_tui.plugins.monitoring.model import group_alerts

    client = await connect_alertmanager(None, url=url)
    try:
        t0 = time.perf_counter()
        group_alerts(await client.alerts())
        return time.perf_counter() - t0
    finally:
        await client.aclose()


MOUNTED: list[float] = []
#: open -> the app idle (every tab's first poll answered and shown), per round
IDLE: list[float] = []


class RowsPainted:
    """When the alerts table first painted a line while holding ``rows`` rows: the frame
    that shows them (a ``perf_counter`` time). As ``_common.PaintProbe``, but armed again for
    each round (the rounds share this process: the class is patched once)."""

    def __init__(self) -> None:
        from k8s_essentials_tui.api import VirtualTable

        self.rows = 0
        self.at: float | None = None
        original = VirtualTable.render_line
        probe = self

        def render_line(table: Any, y: int) -> Any:
            if probe.at is None and probe.rows and table.id == "alerts" \
                    and table.row_count >= probe.rows:
                probe.at = time.perf_counter()
            return original(table, y)

        VirtualTable.render_line = render_line  # type: ignore[method-assign]

    def arm(self, rows: int) -> None:
        self.rows, self.at = rows, None


PROBE: RowsPainted | None = None


async def pane_alerts(prom: str, am: str, rows: int, profile: str = "") -> float:
    """Open the pane; seconds until the frame that paints its ``rows`` alert rows (the
    compositor rendering the table's lines while it holds them: :class:`RowsPainted`, as
    ``_common.PaintProbe``). Also records in ``MOUNTED`` the time from the pane in the DOM
    to that frame, and in ``IDLE`` the time until the app is idle (the rest of the first
    poll -- silences, targets, rules, the Prometheus status -- answered and shown)."""
    from k8s_essentials_tui.app import EssentialsApp, StartOptions
    from k8s_essentials_tui.settings import Settings

    global PROBE
    if PROBE is None:
        PROBE = RowsPainted()
    settings = Settings()
    settings.values["monitoring.prometheus_url"] = prom
    settings.values["monitoring.alertmanager_url"] = am
    app = EssentialsApp(StartOptions(connect=False, settings=settings))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        profiler = None
        if profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        PROBE.arm(rows)
        t0 = time.perf_counter()
        app.open_plugin("kube-prometheus-stack")
        mounted = 0.0
        while PROBE.at is None:
            if not mounted and app.screen.query("MonitoringPane"):
                mounted = time.perf_counter()
            await asyncio.sleep(0.002)
        ready = PROBE.at
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(profile)
        MOUNTED.append(ready - (mounted or ready))
        await pilot.pause()  # the app idle: the rest of the first poll shown too
        IDLE.append(time.perf_counter() - t0)
        return ready - t0


async def pane_alerts_late(prom: str, am: str, rows: int) -> float:
    """:func:`pane_alerts` with the first request started as before this session: by a task
    whose first turn comes after the screen's compose and mount (the pane cannot find the
    server without waiting: ``connect_alertmanager_now`` says None). The A/B of starting
    the request's thread in the pane's constructor, in the same run."""
    from k8s_essentials_tui.plugins.monitoring import pane

    real = pane.connect_alertmanager_now
    pane.connect_alertmanager_now = lambda *_a, **_k: None  # type: ignore[assignment]
    try:
        return await pane_alerts(prom, am, rows)
    finally:
        pane.connect_alertmanager_now = real


async def empty_pane(plugin: str) -> float:
    """Another pane with nothing to show (Velero, not connected): open -> painted. The app's
    own screen (status bar, title, footer, the app's stylesheet) costs this much before any
    pane data, much more than ``bare_screen_seconds``' empty Screen."""
    from k8s_essentials_tui.app import EssentialsApp, StartOptions

    app = EssentialsApp(StartOptions(connect=False))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        t0 = time.perf_counter()
        app.open_plugin(plugin)
        while not app.screen.query("#pane-body"):
            await asyncio.sleep(0.002)
        await pilot.pause()
        return time.perf_counter() - t0


async def plotted_range(base: str, start: datetime, end: datetime) -> tuple[float, int]:
    from k8s_essentials_tui.plugins.monitoring import plot
    from k8s_essentials_tui.plugins.monitoring.client import connect_prometheus

    client = await connect_prometheus(None, url=base)
    try:
        t0 = time.perf_counter()
        res = await client.query_range(QUERY, start=start, end=end, step=60)
        plot.render(res.series, 116, 24)
        return time.perf_counter() - t0, sum(len(s.points) for s in res.series)
    finally:
        await client.aclose()


def ratio(name: str, raw: list[float], ours: list[float], target: float) -> None:
    r, o = statistics.median(raw), statistics.median(ours)
    print(f"{name}: raw median {r * 1000:.1f} ms, ours {o * 1000:.1f} ms -> {o / r:.2f}x "
          f"(best {min(ours) / min(raw):.2f}x; target <= {target}x)")


async def alerts_round(rounds: int, n: int, names: int, profile: str = "",
                       compare: bool = False) -> None:
    from testkit.prometheus import MonitoringStack

    with MonitoringStack(rules=False).start() as stack:
        posted = alerts(n, names)
        stack.post_alerts(posted)
        am, prom = stack.alertmanager_url, stack.prometheus_url
        # the table's rows: one per (alertname, severity, namespace); 50 names give 600
        # (the severity cycles too), which earlier runs called "200 groups"
        rows = len({(a["labels"]["alertname"], a["labels"]["severity"],
                     a["labels"]["namespace"]) for a in posted})
        raw, model, pane, bare, bare_idle, empty, before = [], [], [], [], [], [], []
        MOUNTED.clear()
        IDLE.clear()
        for _ in range(rounds):
            raw.append(await raw_get(f"{am}/api/v2/alerts"))
            bare.append(await bare_screen_seconds((120, 40), rounds=1, painted=True))
            bare_idle.append(await bare_screen_seconds((120, 40), rounds=1))
            empty.append(await empty_pane("velero"))
            model.append(await model_alerts(am))
            pane.append(await pane_alerts(prom, am, rows))
            if compare:
                before.append(await pane_alerts_late(prom, am, rows))
            del MOUNTED[len(pane):], IDLE[len(pane):]  # the A/B rounds are not recorded
        r, b, bi = (statistics.median(x) for x in (raw, bare, bare_idle))
        print(f"{n} alerts in {rows} groups (table rows), {rounds} rounds, load average "
              f"{os.getloadavg()[0]:.1f}")
        ratio("  client + model (parse, group)", raw, model, 1.5)
        ratio(f"  pane: open -> {rows}-row table painted", raw, pane, 1.5)
        ratio("  pane: in the DOM -> table painted", raw, MOUNTED, 1.5)
        print("  " + budget_line(f"pane budget, {rows} rows painted (bare: painted)", r, b,
                                 statistics.median(pane), 1.5))
        print("  " + budget_line("pane to the app idle (bare: to idle too)", r, bi,
                                 statistics.median(IDLE), 1.5))
        if compare:
            print("  " + budget_line("  the same, request started late (before), painted", r,
                                     b, statistics.median(before), 1.5))
        e, p = statistics.median(empty), statistics.median(pane)
        print(f"  for scale: an empty Velero pane (not connected) opens in {e * 1000:.0f} ms "
              f"(to idle); ours (painted) / (raw + that) = {p / (r + e):.2f}x")
        print("  rounds (ms): raw " + " ".join(f"{x * 1000:.0f}" for x in raw)
              + " | pane " + " ".join(f"{x * 1000:.0f}" for x in pane)
              + (" | before " + " ".join(f"{x * 1000:.0f}" for x in before) if compare else ""))
        if profile:
            path = profile.replace(".prof", "") + f"-{rows}.prof"
            took = await pane_alerts(prom, am, rows, path)
            print(f"  one more pane round under cProfile: {took * 1000:.0f} ms -> {path}")


async def main(rounds: int, n: int, only: str, profile: str = "", compare: bool = False
               ) -> None:
    from testkit.prometheus import MonitoringStack

    if only in ("", "alerts"):
        # a realistic spread: 600 groups; then the worst case: each alert its own group
        await alerts_round(rounds, n, 50, profile, compare)
        await alerts_round(rounds, n, 500, profile, compare)
    if only not in ("", "range"):
        return
    with MonitoringStack(rules=False).start() as stack:
        prom = stack.prometheus_url
        end = datetime.now(UTC)
        start = end - timedelta(hours=24)
        raw_r, ours_r, points = [], [], 0
        for _ in range(rounds):
            raw_r.append(await raw_range(prom, start, end))
            took, points = await plotted_range(prom, start, end)
            ours_r.append(took)
        print(f"24 h range at 1 m step, {points} samples")
        ratio("  client + parse + braille plot", raw_r, ours_r, 2.0)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--alerts", type=int, default=2000)
    parser.add_argument("--only", choices=("alerts", "range"), default="")
    parser.add_argument("--profile", default="",
                        help="after the rounds, one more pane round under cProfile, its stats "
                             "written to FILE-<rows>.prof (open -> rows painted only)")
    parser.add_argument("--compare", action="store_true",
                        help="also time the pane with its first request started by a task "
                             "after the screen's compose (before), interleaved")
    args = parser.parse_args()
    asyncio.run(main(args.rounds, args.alerts, args.only, args.profile, args.compare))
