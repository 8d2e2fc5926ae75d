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

from rich.text import Span, Text

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


def bounds(series: Sequence[Series]) -> Bounds | None:
    # one pass, no list of pairs; ``-inf < x < inf`` is False for NaN and the infinities
    # (cheaper than two ``isfinite`` calls per sample: 4,323 samples for a 24 h range)
    inf = math.inf
    t_lo = v_lo = inf
    t_hi = v_hi = -inf
    for s in series:
        for t, v in s.points:
            if -inf < t < inf and -inf < v < inf:
                if t < t_lo:
                    t_lo = t
                if t > t_hi:
                    t_hi = t
                if v < v_lo:
                    v_lo = v
                if v > v_hi:
                    v_hi = v
    if t_lo == inf:
        return None
    lo, hi = v_lo, v_hi
    if not math.isfinite(hi - lo) or hi - lo <= abs(hi) * 1e-12:
        # one value (or a span floats cannot subtract): a band around it
        pad = max(abs(hi) * 0.1, 1.0)
        lo, hi = lo - pad, hi + pad
        if not math.isfinite(hi - lo) or hi == lo:
            lo, hi = -1.0, 1.0
    return Bounds(t_lo, t_hi, lo, hi)


def _raster(series: Series, b: Bounds, cols: int, rows: int) -> list[int]:
    """Dot bits per cell (index ``row * cols + col``) for one series, consecutive points
    joined by a line. Written for speed (a flat list, no calls per point, a point on the
    dot of the one before skipped): 1,440 points x 3 series in a few milliseconds."""
    w, h = cols * 2, rows * 4
    span_t = (b.t1 - b.t0) or 1.0
    span_v = (b.hi - b.lo) or 1.0
    if not math.isfinite(span_t):
        span_t = 1.0
    sx, sy = (w - 1) / span_t, (h - 1) / span_v
    t0, hi = b.t0, b.hi
    xmax, ymax = w - 1, h - 1
    cells = [0] * (cols * rows)
    dots = _DOTS
    inf = math.inf
    px = py = -1  # -1: no previous point (start, or after a gap)
    for t, v in series.points:
        fx = (t - t0) * sx + 0.5
        fy = (hi - v) * sy + 0.5
        if not (-inf < fx < inf and -inf < fy < inf):  # False for NaN and the infinities
            px = -1  # a gap (NaN, Inf) breaks the line
            continue
        x = int(fx)
        x = 0 if x < 0 else xmax if x > xmax else x
        y = int(fy)
        y = 0 if y < 0 else ymax if y > ymax else y
        if x == px and y == py:
            continue
        if px >= 0:
            dx, dy = x - px, y - py
            steps = dx if dx > 0 else -dx
            ady = dy if dy > 0 else -dy
            if ady > steps:
                steps = ady
            for i in range(1, steps):
                ix, iy = px + dx * i // steps, py + dy * i // steps
                cells[(iy >> 2) * cols + (ix >> 1)] |= dots[ix & 1][iy & 3]
        cells[(y >> 2) * cols + (x >> 1)] |= dots[x & 1][y & 3]
        px, py = x, y
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
    bits = [0] * (cols * rows)
    owner = [0] * (cols * rows)  # the last series drawn in a cell gives its colour
    for idx, s in enumerate(drawn):
        for i, cell_bits in enumerate(_raster(s, b, cols, rows)):
            if cell_bits:
                bits[i] |= cell_bits
                owner[i] = idx
    # one string and a span per run of one colour (not one append per cell: a 116x24
    # plot is 2,700 cells)
    plain: list[str] = []
    spans: list[Span] = []
    pos = 0
    for r in range(rows):
        label = ylabels[0] if r == 0 else ylabels[1] if r == rows - 1 else ""
        head = label.rjust(yw - 1) + " │"
        plain.append(head)
        spans.append(Span(pos, pos + len(head), "dim"))
        pos += len(head)
        base = r * cols
        row_chars = [chr(_BRAILLE + bits[base + c]) if bits[base + c] else " "
                     for c in range(cols)]
        plain.append("".join(row_chars))
        run_start, run_colour = 0, -1
        for c in range(cols + 1):
            colour = owner[base + c] if c < cols and bits[base + c] else -1
            if colour != run_colour:
                if run_colour >= 0:
                    spans.append(Span(pos + run_start, pos + c,
                                      COLOURS[run_colour % len(COLOURS)]))
                run_start, run_colour = c, colour
        pos += cols
        plain.append("\n")
        pos += 1
    out = Text("".join(plain), no_wrap=True, overflow="crop", spans=spans)
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
