"""A braille line plot of range-query results that reads at 80x24 (pure: Rich Text out).

Why our own and not textual-plotext: the plot must work in the 16-colour theme (named ANSI
colours only), be deterministic for snapshot tests, never put server text into a Segment,
and plot 1,440 points x N series in a few milliseconds. Braille cells give 2x4 dots per
terminal cell, so a 60x10 area has 120x40 dots: enough for a 24 h range at 1 m step.

Layout: a y-axis column with min/max labels, the braille area, an x-axis line with the start
and end times, and a legend (series names cut to the width, through the text boundary).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from rich.text import Text

from k8s_essentials_tui.api import clean, display_text, fit

from .model import Series, format_value

#: dot bits of a braille cell, [x][y] for x in 0..1, y in 0..3 (Unicode's numbering)
_DOTS = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))
_BRAILLE = 0x2800
#: named colours that the 16-colour theme has too
COLOURS = ("green", "yellow", "cyan", "magenta", "blue", "red", "bright_green",
           "bright_yellow", "bright_cyan", "bright_magenta")
#: at most this many series are drawn (the legend says how many were left out)
MAX_SERIES = len(COLOURS)


@dataclass(frozen=True)
class Bounds:
    t0: float
    t1: float
    lo: float
    hi: float


def _ok(t: float, v: float) -> bool:
    return math.isfinite(t) and math.isfinite(v)


def bounds(series: Sequence[Series]) -> Bounds | None:
    ts = [t for s in series for t, v in s.points if _ok(t, v)]
    vs = [v for s in series for t, v in s.points if _ok(t, v)]
    if not ts:
        return None
    lo, hi = min(vs), max(vs)
    if not math.isfinite(hi - lo) or hi - lo <= abs(hi) * 1e-12:
        # one value (or a span floats cannot subtract): a band around it
        pad = max(abs(hi) * 0.1, 1.0)
        lo, hi = lo - pad, hi + pad
        if not math.isfinite(hi - lo) or hi == lo:
            lo, hi = -1.0, 1.0
    return Bounds(min(ts), max(ts), lo, hi)


def _raster(series: Series, b: Bounds, cols: int, rows: int) -> dict[tuple[int, int], int]:
    """Cell (col, row) -> dot bits for one series, consecutive points joined by a line."""
    w, h = cols * 2, rows * 4
    span_t = (b.t1 - b.t0) or 1.0
    span_v = (b.hi - b.lo) or 1.0
    if not math.isfinite(span_t):
        span_t = 1.0
    cells: dict[tuple[int, int], int] = {}
    prev: tuple[int, int] | None = None

    def dot(x: int, y: int) -> None:
        key = (x // 2, y // 4)
        cells[key] = cells.get(key, 0) | _DOTS[x % 2][y % 4]

    for t, v in series.points:
        if not _ok(t, v):
            prev = None  # a gap (NaN, Inf) breaks the line
            continue
        fx = (t - b.t0) / span_t * (w - 1) + 0.5
        fy = (b.hi - v) / span_v * (h - 1) + 0.5
        if not (math.isfinite(fx) and math.isfinite(fy)):
            prev = None
            continue
        x = min(w - 1, max(0, int(fx)))
        y = min(h - 1, max(0, int(fy)))
        if prev is not None:
            px, py = prev
            steps = max(abs(x - px), abs(y - py))
            for i in range(1, steps):
                dot(px + (x - px) * i // steps, py + (y - py) * i // steps)
        dot(x, y)
        prev = (x, y)
    return cells


def _time(t: float, span: float) -> str:
    try:
        dt = datetime.fromtimestamp(t, UTC)
    except (OverflowError, OSError, ValueError):
        return format_value(t)
    return dt.strftime("%H:%M:%S" if span < 600 else "%m-%d %H:%M" if span >= 43200
                       else "%H:%M")


def render(series: Sequence[Series], width: int, height: int, *, legend: bool = True) -> Text:
    """The plot in ``width`` x ``height`` cells (legend included unless ``legend=False``,
    when a table beside it names the series in the same colours); an explanation when
    there is nothing to draw."""
    drawn = [s for s in series if s.points][:MAX_SERIES]
    b = bounds(drawn)
    if b is None or width < 20 or height < 4:
        return Text("no samples to plot" if b is None else "too small to plot", style="dim")
    legend_rows = min(len(drawn) + (len(series) > MAX_SERIES), max(1, height // 4)) \
        if legend else 0
    rows = max(2, height - 1 - legend_rows)
    ylabels = [format_value(b.hi), format_value(b.lo)]
    yw = max(len(s) for s in ylabels) + 1
    if yw + 1 + 10 > width:  # no room for the labels: the plot matters more
        ylabels, yw = ["", ""], 1
    cols = max(4, width - yw - 1)
    grid: dict[tuple[int, int], tuple[int, int]] = {}  # cell -> (bits, series index)
    for idx, s in enumerate(drawn):
        for cell, bits in _raster(s, b, cols, rows).items():
            old = grid.get(cell)
            grid[cell] = (bits | (old[0] if old else 0), idx)
    out = Text(no_wrap=True, overflow="crop")
    for r in range(rows):
        label = ylabels[0] if r == 0 else ylabels[1] if r == rows - 1 else ""
        out.append(label.rjust(yw - 1) + " ", style="dim")
        out.append("│", style="dim")
        for c in range(cols):
            hit = grid.get((c, r))
            if hit is None:
                out.append(" ")
            else:
                out.append(chr(_BRAILLE + hit[0]), style=COLOURS[hit[1] % len(COLOURS)])
        out.append("\n")
    start, end = _time(b.t0, b.t1 - b.t0), _time(b.t1, b.t1 - b.t0)
    if len(start) + len(end) + 1 > cols:
        start = end = ""
    gap = max(1, cols - len(start) - len(end))
    out.append(" " * yw + "└" + start + "─" * gap + end, style="dim")
    shown = drawn[: legend_rows - (len(series) > MAX_SERIES)] if legend_rows else []
    for idx, s in enumerate(shown):
        out.append("\n")
        out.append("━━ ", style=COLOURS[idx % len(COLOURS)])
        out.append_text(display_text(fit(clean(s.name or "{}"), max(4, width - 3), pad=False)))
    left = len(series) - len(shown)
    if left > 0 and legend_rows:
        out.append("\n")
        out.append(f"… and {left} more series", style="dim")
    return out
