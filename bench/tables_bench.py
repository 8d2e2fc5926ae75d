"""Benchmark (not a test): one watch event on a big DataTable-backed pane.

The Velero and Helm releases tables are Textual ``DataTable``s fed from watch caches. A
running backup updates its status every few seconds; GitOps tools add Helm revisions all
day. This measures, headless at 120x40 with ``--rows`` rows of Velero's backup columns:

* ``rebuild``: what the panes did before -- ``clear()`` and ``add_row`` for every row;
* ``fill_rows``: ``widgets.columns.fill_rows`` with one cell changed (same keys, same
  order), the usual watch event;

each to the next painted frame, and prints the ratio.

    .venv/bin/python bench/tables_bench.py [--rows 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import Any

from _common import ROOT

sys.path.insert(0, str(ROOT))

COLUMNS = ("NAME", "PHASE", "PROGRESS", "STARTED", "DURATION", "EXPIRES", "LOCATION", "ERR",
           "WARN", "SCHEDULE")


def rows(count: int, progress: int) -> list[tuple[str, list[Any]]]:
    from rich.text import Text

    return [(f"b{i}", [f"hourly-2026050110{i:05d}", Text("Completed", style="green"),
                       f"{progress if i == 7 else 90}/90", "2026-05-01 10:00", "3m12s", "29d",
                       "default", "0", "0", "hourly"]) for i in range(count)]


async def measure(count: int) -> dict[str, float]:
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    from k8s_essentials_tui.widgets.columns import fill_rows

    class One(App[None]):
        def compose(self) -> ComposeResult:
            yield DataTable()

    app = One()
    out: dict[str, float] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.query_one(DataTable)
        table.add_columns(*COLUMNS)
        fill_rows(table, rows(count, 1))
        await pilot.pause()
        t0 = time.perf_counter()
        table.clear()
        for key, cells in rows(count, 2):
            table.add_row(*cells, key=key)
        await pilot.pause()
        out["rebuild"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        assert fill_rows(table, rows(count, 3)) is False
        await pilot.pause()
        out["fill_rows"] = time.perf_counter() - t0
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()
    best = min((asyncio.run(measure(args.rows)) for _ in range(3)),
               key=lambda r: r["fill_rows"])
    print(f"{args.rows} rows x {len(COLUMNS)} columns, one cell changed by a watch event "
          f"(best of 3):")
    print(f"  clear + add every row: {best['rebuild']:.3f}s")
    print(f"  fill_rows (changed cells only): {best['fill_rows']:.3f}s  "
          f"ratio {best['fill_rows'] / best['rebuild']:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
