"""The waterfall widget: a ``ScrollView`` that paints only the rows on screen.

Why not a ``DataTable``: a 10,000-span trace would cost 10,000 rows of cells (seconds to
first paint, see CONVENTIONS.md); here opening it costs one pass that lists the visible
span indexes, and each frame paints the ~20 rows in view, each row built from the span on
demand and kept in a small LRU cache (a repaint of unchanged rows is a lookup). Collapsing
a subtree or filtering recomputes the index list, O(spans).

Text from Jaeger is cleaned (``clean`` via :func:`waterfall.name_text`) before it becomes a
``Segment``; widths are terminal cells.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from k8s_essentials_tui.api import clean, fit

from .model import Span, Trace, format_duration, visible_rows
from .waterfall import (
    BAR,
    BAR_CRITICAL,
    DURATION_CELLS,
    bar_span,
    indent_of,
    layout,
    service_colours,
)

CURSOR = Style(reverse=True)
ERROR = Style(color="red", bold=True)
DIM = Style(dim=True)
MATCH = Style(underline=True)
PLAIN = Style()
BOLD = Style(bold=True)


class Waterfall(ScrollView, can_focus=True):
    """Rows of a :class:`Trace`; ``cursor`` is a position in :attr:`rows`."""

    DEFAULT_CSS = """
    Waterfall { height: 1fr; background: $surface; }
    Waterfall:focus { background-tint: $foreground 3%; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor(1)", "Down", show=False, id="jaeger.down"),
        Binding("k,up", "cursor(-1)", "Up", show=False, id="jaeger.up"),
        Binding("pagedown,ctrl+f", "page(1)", show=False, id="jaeger.pagedown"),
        Binding("pageup,ctrl+b", "page(-1)", show=False, id="jaeger.pageup"),
        Binding("g,home", "cursor_home", show=False, id="jaeger.home"),
        Binding("G,end", "cursor_end", show=False, id="jaeger.end"),
        Binding("enter", "detail", "Span", id="jaeger.detail"),
        Binding("space,right,left", "fold", "Fold", id="jaeger.fold", key_display="space"),
        Binding("c", "next_critical", "Critical", id="jaeger.critical"),
        Binding("x", "next_error", "Error", id="jaeger.error"),
    ]

    class Selected(Message):
        """``enter`` on a span."""

        def __init__(self, span: Span, index: int) -> None:
            super().__init__()
            self.span = span
            self.index = index

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.trace: Trace | None = None
        self.rows: list[int] = []
        self.collapsed: set[int] = set()
        self.filter = ""
        self.cursor = 0
        self._colours: dict[str, Style] = {}
        self._strips: LRUCache[tuple[object, ...], Strip] = LRUCache(256)
        #: the widget's base style (``rich_style`` walks the CSS of every ancestor: it was
        #: half of a page's paint when asked for per row) and the combined styles of a row
        self._base: tuple[object, Style] | None = None
        #: (scroll offset, width, focus) while a frame's rows are rendered
        self._frame: tuple[int, int, bool] | None = None
        self._combined: dict[tuple[Style, bool, bool], Style] = {}

    # -- data -----------------------------------------------------------------------------

    def set_trace(self, trace: Trace | None) -> None:
        self.trace = trace
        self.collapsed = set()
        self.filter = ""
        self.cursor = 0
        self._colours = ({svc: Style(color=c) for svc, c in service_colours(trace).items()}
                         if trace else {})
        self._recompute()
        self.scroll_to(0, 0, animate=False, immediate=True)

    def set_filter(self, text: str) -> int:
        """Show only spans whose service, operation or a tag value contains ``text``."""
        keep = self.current
        self.filter = text.strip().lower()
        self._recompute(keep)
        return len(self.rows)

    def _matches(self, span: Span) -> bool:
        f = self.filter
        return (f in span.operation.lower() or f in span.service.lower()
                or any(f in v.lower() or f in k.lower() for k, v in span.tags))

    def _recompute(self, keep: int | None = None) -> None:
        trace = self.trace
        if trace is None:
            self.rows = []
        elif self.filter:
            self.rows = [i for i, s in enumerate(trace.spans) if self._matches(s)]
        else:
            self.rows = visible_rows(trace, self.collapsed)
        self._strips.clear()
        if keep is not None and keep in self.rows:
            self.cursor = self.rows.index(keep)
        self.cursor = max(0, min(self.cursor, len(self.rows) - 1))
        self.virtual_size = Size(0, len(self.rows))
        self.refresh()

    @property
    def current(self) -> int | None:
        """The span index under the cursor."""
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    def select_span(self, index: int) -> None:
        """Put the cursor on span ``index`` (expanding collapsed ancestors)."""
        trace = self.trace
        if trace is None:
            return
        if index not in self.rows and not self.filter:
            self.collapsed = {c for c in self.collapsed if not self._is_ancestor(c, index)}
            self._recompute()
        if index in self.rows:
            self.cursor = self.rows.index(index)
            self._show_cursor()

    def _is_ancestor(self, a: int, i: int) -> bool:
        trace = self.trace
        if trace is None or a >= i:
            return False
        d = trace.depth[a]
        return all(trace.depth[k] > d for k in range(a + 1, i + 1))

    # -- painting -------------------------------------------------------------------------

    def on_resize(self) -> None:
        self._strips.clear()
        self.virtual_size = Size(0, len(self.rows))

    def _base_style(self) -> Style:
        """``rich_style``, worked out once per focus state and theme."""
        key = (self.has_focus, getattr(self.app, "theme", None))
        if self._base is None or self._base[0] != key:
            self._base = (key, self.rich_style)
            self._combined.clear()
        return self._base[1]

    def render_lines(self, crop: Region) -> list[Strip]:
        """One frame's rows: the scroll offset, width and focus are read once for all of
        them (each is a walk through Textual's reactives and regions, per row it was a
        third of a page's paint)."""
        self._frame = (self.scroll_offset.y, self.scrollable_content_region.width,
                       self.has_focus)
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def render_line(self, y: int) -> Strip:
        top, width, focused = self._frame or (self.scroll_offset.y,
                                              self.scrollable_content_region.width,
                                              self.has_focus)
        pos = top + y
        if self.trace is None or not 0 <= pos < len(self.rows):
            return Strip.blank(width, self._base_style())
        index = self.rows[pos]
        selected = pos == self.cursor
        cursor = selected and focused
        key = (index, width, cursor, selected, index in self.collapsed)
        strip = self._strips.get(key)
        if strip is None:
            segments, cells = self._segments(index, width, cursor, selected)
            if cells <= width:  # the usual case: pad, no measuring of what was built
                if cells < width:
                    segments.append(Segment(" " * (width - cells), self._base_style()))
                strip = Strip(segments, width)
            else:
                strip = Strip(segments).adjust_cell_length(width, self._base_style())
            self._strips[key] = strip
        return strip

    def _segments(self, index: int, width: int, cursor: bool, selected: bool
                  ) -> tuple[list[Segment], int]:
        """A row's segments and their width in cells (the name is fitted to its cells,
        the rest is ASCII or one-cell box characters)."""
        trace = self.trace
        assert trace is not None
        span = trace.spans[index]
        base = self._base_style()
        colour = self._colours.get(span.service, PLAIN)
        critical = index in trace.critical
        combined = self._combined

        def style(s: Style) -> Style:
            key = (s, cursor, selected)
            out = combined.get(key)
            if out is None:
                out = base + s
                out = out + CURSOR if cursor else (out + BOLD if selected else out)
                combined[key] = out
            return out

        name_cells, bar_cells = layout(width - 2)
        fold = ("▸ " if index in self.collapsed else "▾ ") if trace.children[index] else "  "
        svc, op = clean(span.service), clean(span.operation)
        head = indent_of(trace.depth[index]) + fold
        name = fit(f"{head}{svc}: {op}", name_cells)
        split = min(len(head) + len(svc) + 1, len(name))
        segs = [Segment("✖" if span.error else " ", style(ERROR if span.error else PLAIN)),
                Segment("◆" if critical else " ", style(DIM)),
                Segment(name[:len(head)], style(DIM)),
                Segment(name[len(head):split], style(colour)),
                Segment(name[split:], style(PLAIN)),
                Segment(" ", style(PLAIN))]
        x0, x1 = bar_span(span, trace, bar_cells)
        bar_style = ERROR if span.error else (colour + BOLD if critical else colour)
        duration = format_duration(span.duration).rjust(DURATION_CELLS + 1)
        segs += [Segment(" " * x0, style(DIM)),
                 Segment((BAR_CRITICAL if critical else BAR) * (x1 - x0), style(bar_style)),
                 Segment(" " * (bar_cells - x1), style(DIM)),
                 Segment(duration, style(DIM if not critical else PLAIN))]
        return segs, 2 + (name_cells if name_cells > 0 else 0) + 1 + bar_cells + len(duration)

    # -- keys -----------------------------------------------------------------------------

    def _show_cursor(self) -> None:
        height = self.scrollable_content_region.height or 1
        top = self.scroll_offset.y
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)
        self.refresh()

    def action_cursor(self, delta: int) -> None:
        if self.rows:
            self.cursor = max(0, min(len(self.rows) - 1, self.cursor + delta))
            self._show_cursor()

    def action_page(self, direction: int) -> None:
        self.action_cursor(direction * max(1, (self.scrollable_content_region.height or 2) - 1))

    def action_cursor_home(self) -> None:
        self.cursor = 0
        self._show_cursor()

    def action_cursor_end(self) -> None:
        self.cursor = max(0, len(self.rows) - 1)
        self._show_cursor()

    def action_detail(self) -> None:
        index = self.current
        if self.trace is not None and index is not None:
            self.post_message(self.Selected(self.trace.spans[index], index))

    def action_fold(self) -> None:
        index = self.current
        if self.trace is None or index is None or self.filter or not self.trace.children[index]:
            return
        self.collapsed ^= {index}
        self._recompute(index)

    def _next(self, wanted: set[int]) -> None:
        if not self.rows:
            return
        n = len(self.rows)
        for step in range(1, n + 1):
            pos = (self.cursor + step) % n
            if self.rows[pos] in wanted:
                self.cursor = pos
                self._show_cursor()
                return

    def action_next_critical(self) -> None:
        if self.trace is not None:
            self._next(self.trace.critical)

    def action_next_error(self) -> None:
        if self.trace is not None:
            self._next({i for i, s in enumerate(self.trace.spans) if s.error})

    def on_focus(self) -> None:
        self._strips.clear()
        self.refresh()

    def on_blur(self) -> None:
        self._strips.clear()
        self.refresh()
