"""Waterfall layout shared by the pane and ``trace ID`` (pure: no Textual).

A row is ``[marks][indent][▸/▾] service: operation │ bar │ duration``. The bar spans the
cells of the trace's time range the span covers (at least one cell, so a 5µs span in a 3s
trace is still seen). Critical-path spans draw their bar with ``█``, the others with ``━``
so the path reads without colour too; error spans carry ``✖`` (``!`` in plain text).

Service colours come from the 16-colour ANSI palette (no true colour over SSH), assigned in
order of first appearance in the trace so a trace of up to ten services never repeats one;
red is kept for errors.
"""

from __future__ import annotations

from k8s_essentials_tui.api import clean, fit

from .model import Span, Trace, format_duration

#: ANSI colour names, red and the greys left out (red marks errors; grey is "dim")
PALETTE: tuple[str, ...] = ("cyan", "green", "yellow", "blue", "magenta", "bright_cyan",
                            "bright_green", "bright_yellow", "bright_blue", "bright_magenta")
BAR_CRITICAL = "█"
BAR = "━"
DURATION_CELLS = 8
INDENT = 2
#: deeper levels are not indented further (a 10,000-deep chain must keep its names)
MAX_INDENT_LEVELS = 12


def service_colours(trace: Trace) -> dict[str, str]:
    return {svc: PALETTE[i % len(PALETTE)] for i, svc in enumerate(trace.services)}


def bar_span(span: Span, trace: Trace, cells: int) -> tuple[int, int]:
    """The [first, last) cells of a ``cells``-wide bar the span covers."""
    if cells <= 0:
        return 0, 0
    total = trace.duration or 1
    x0 = (span.start - trace.start) * cells // total
    x1 = -(-(span.end - trace.start) * cells // total)  # ceil
    x0 = min(max(x0, 0), cells - 1)
    return x0, min(max(x1, x0 + 1), cells)


def bar_text(span: Span, trace: Trace, cells: int, critical: bool) -> str:
    x0, x1 = bar_span(span, trace, cells)
    char = BAR_CRITICAL if critical else BAR
    return " " * x0 + char * (x1 - x0) + " " * (cells - x1)


def indent_of(depth: int) -> str:
    return " " * (INDENT * min(depth, MAX_INDENT_LEVELS))


def name_text(trace: Trace, i: int, collapsed: bool) -> str:
    """``▾ svc: op`` (cleaned): the name column's text before it is fitted."""
    span = trace.spans[i]
    fold = ("▸ " if collapsed else "▾ ") if trace.children[i] else "  "
    return f"{indent_of(trace.depth[i])}{fold}{clean(span.service)}: {clean(span.operation)}"


def layout(total: int) -> tuple[int, int]:
    """(name cells, bar cells) for a row ``total`` cells wide: the name gets about 45%."""
    rest = max(total - DURATION_CELLS - 4, 10)
    name = max(14, rest * 45 // 100)
    return name, max(rest - name, 4)


def header_lines(trace: Trace) -> list[str]:
    s = trace.summary()
    services = ", ".join(f"{clean(k)} ({v})" for k, v in s.services.items())
    started = s.time.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    lines = [f"trace {clean(trace.trace_id)}  {format_duration(s.duration)}  "
             f"{s.span_count} spans  {s.error_count} errors",
             f"start {started}Z  services: {services}"]
    lines += [f"warning: {clean(w)}" for w in trace.warnings]
    return lines


def text_lines(trace: Trace, width: int = 100) -> list[str]:
    """The whole waterfall as plain lines (headless ``trace ID``): ``!`` marks an error,
    ``*`` a span on the critical path."""
    name_cells, bar_cells = layout(width - 2)
    out = header_lines(trace)
    for i, span in enumerate(trace.spans):
        crit = i in trace.critical
        marks = ("!" if span.error else " ") + ("*" if crit else " ")
        out.append(f"{marks}{fit(name_text(trace, i, False), name_cells)} "
                   f"|{bar_text(span, trace, bar_cells, crit)}| "
                   f"{format_duration(span.duration).rjust(DURATION_CELLS)}")
    return out
