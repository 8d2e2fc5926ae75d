"""A virtualised log view: renders only the visible rows (``ScrollView.render_line``).

Why not ``RichLog``/``DataTable``: a 5,000-line result or a 1,000 lines/s tail must not cost
a widget per line or a re-layout per line. Entries live in a bounded ``deque``; a row is
``HH:MM:SS.mmm {labels} line``; wrap mode maps rows to (entry, offset) lazily; search
highlights matches; the cursor row opens a detail view.
"""

from __future__ import annotations

import zlib
from collections import deque
from collections.abc import Iterable
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from .client import LogEntry

#: 16-colour names so the bastion theme (no true colour over SSH) looks the same
LABEL_COLOURS = ("cyan", "magenta", "green", "yellow", "blue", "bright_cyan",
                 "bright_magenta", "bright_green", "bright_blue", "bright_yellow")
TS_STYLE = Style(dim=True)
CURSOR_STYLE = Style(reverse=True)
MATCH_STYLE = Style(bgcolor="yellow", color="black")
LEVEL_STYLES = (("ERROR", Style(color="red")), ("error", Style(color="red")),
                ("WARN", Style(color="yellow")), ("warn", Style(color="yellow")))


def label_style(key: str, value: str) -> Style:
    return Style(color=LABEL_COLOURS[zlib.crc32(f"{key}={value}".encode()) % len(LABEL_COLOURS)])


class LogView(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    LogView { height: 1fr; background: $surface; }
    LogView:focus { background-tint: $foreground 3%; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor(1)", "Down", show=False, id="loki.down"),
        Binding("k,up", "cursor(-1)", "Up", show=False, id="loki.up"),
        Binding("pagedown", "cursor(20)", show=False, id="loki.pagedown"),
        Binding("pageup", "cursor(-20)", show=False, id="loki.pageup"),
        Binding("g,home", "cursor_home", show=False, id="loki.home"),
        Binding("G,end", "cursor_end", show=False, id="loki.end"),
        Binding("enter", "detail", "Detail", id="loki.detail"),
        Binding("w", "toggle_wrap", "Wrap", id="loki.wrap"),
        Binding("l", "toggle_labels", "Labels", id="loki.labels"),
        Binding("n", "next_match(1)", "Next", show=False, id="loki.next"),
        Binding("N", "next_match(-1)", "Prev", show=False, id="loki.prev"),
    ]

    class Selected(Message):
        def __init__(self, entry: LogEntry) -> None:
            super().__init__()
            self.entry = entry

    def __init__(self, max_lines: int = 10_000, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.entries: deque[LogEntry] = deque(maxlen=max_lines)
        self.evicted = 0
        self.show_labels = True
        self.wrap = False
        self.cursor = -1
        self.search = ""
        self.follow = False
        self._max_width = 0
        self._rows: list[tuple[int, int]] | None = None  # wrap mode: (entry, char offset)
        self._prefix_cache: dict[int, tuple[list[Segment], int]] = {}

    # -- data -----------------------------------------------------------------------------

    @property
    def max_lines(self) -> int:
        return self.entries.maxlen or 0

    def set_max_lines(self, n: int) -> None:
        self.entries = deque(self.entries, maxlen=n)
        self._changed()

    def set_entries(self, entries: Iterable[LogEntry]) -> None:
        self.entries = deque(entries, maxlen=self.max_lines)
        self.evicted = 0
        self.cursor = 0 if self.entries else -1
        self._max_width = 0
        self._changed(reset=True)

    def append(self, entries: list[LogEntry]) -> None:
        over = len(self.entries) + len(entries) - self.max_lines
        if over > 0:
            self.evicted += over
            if self.cursor >= 0:
                self.cursor = max(0, self.cursor - over)
        self.entries.extend(entries)
        self._changed()

    def clear(self) -> None:
        self.set_entries([])

    def _changed(self, reset: bool = False) -> None:
        self._rows = None
        self._prefix_cache.clear()
        for e in list(self.entries)[-2000:] if not reset else self.entries:
            w = self._prefix_width(e) + len(e.line)
            if w > self._max_width:
                self._max_width = w
        self._update_size()
        if self.follow and self.entries:
            self.cursor = len(self.entries) - 1
            self.scroll_end(animate=False, immediate=True, x_axis=False)
        self.refresh()

    # -- layout ---------------------------------------------------------------------------

    def _prefix(self, idx: int, e: LogEntry) -> tuple[list[Segment], int]:
        cached = self._prefix_cache.get(idx)
        if cached is not None:
            return cached
        ts = e.time.strftime("%H:%M:%S.") + f"{e.time.microsecond // 1000:03d} "
        segs = [Segment(ts, TS_STYLE)]
        width = len(ts)
        if self.show_labels and e.labels:
            segs.append(Segment("{", TS_STYLE))
            width += 1
            for i, (k, v) in enumerate(sorted(e.labels.items())):
                text = f'{k}="{v}"' + (", " if i < len(e.labels) - 1 else "")
                segs.append(Segment(text, label_style(k, v)))
                width += len(text)
            segs.append(Segment("} ", TS_STYLE))
            width += 2
        self._prefix_cache[idx] = (segs, width)
        return segs, width

    def _prefix_width(self, e: LogEntry) -> int:
        width = 13
        if self.show_labels and e.labels:
            width += 3 + sum(len(k) + len(v) + 3 for k, v in e.labels.items()) + 2 * (
                len(e.labels) - 1)
        return width

    def _wrap_rows(self) -> list[tuple[int, int]]:
        if self._rows is None:
            width = max(20, self.scrollable_content_region.width or self.size.width or 80)
            rows: list[tuple[int, int]] = []
            for i, e in enumerate(self.entries):
                total = self._prefix_width(e) + len(e.line)
                n = max(1, -(-total // width))
                rows.extend((i, r * width) for r in range(n))
            self._rows = rows
        return self._rows

    def _update_size(self) -> None:
        if self.wrap:
            self.virtual_size = Size(0, len(self._wrap_rows()))
        else:
            self.virtual_size = Size(self._max_width, len(self.entries))

    def on_resize(self) -> None:
        self._rows = None
        self._update_size()

    def row_of(self, index: int) -> int:
        if not self.wrap:
            return index
        for r, (i, _off) in enumerate(self._wrap_rows()):
            if i == index:
                return r
        return 0

    # -- rendering ------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        row = scroll_y + y
        width = self.scrollable_content_region.width
        if self.wrap:
            rows = self._wrap_rows()
            if row >= len(rows):
                return Strip.blank(width, self.rich_style)
            idx, offset = rows[row]
        else:
            if row >= len(self.entries):
                return Strip.blank(width, self.rich_style)
            idx, offset = row, 0
        e = self.entries[idx]
        prefix, _pw = self._prefix(idx, e)
        segs = [*prefix, *self._line_segments(e.line)]
        strip = Strip(segs)
        if self.wrap:
            strip = strip.crop(offset, offset + width)
        else:
            strip = strip.crop(scroll_x, scroll_x + width)
        if idx == self.cursor and self.has_focus:
            strip = strip.apply_style(CURSOR_STYLE)
        return strip.extend_cell_length(width, self.rich_style).apply_style(self.rich_style)

    def _line_segments(self, line: str) -> list[Segment]:
        base = Style()
        for word, style in LEVEL_STYLES:
            if word in line:
                base = style
                break
        if not self.search:
            return [Segment(line, base)]
        out: list[Segment] = []
        low, needle, pos = line.lower(), self.search.lower(), 0
        while True:
            hit = low.find(needle, pos)
            if hit == -1:
                out.append(Segment(line[pos:], base))
                return out
            out.append(Segment(line[pos:hit], base))
            out.append(Segment(line[hit:hit + len(needle)], MATCH_STYLE))
            pos = hit + len(needle)

    # -- actions --------------------------------------------------------------------------

    def _show_cursor(self) -> None:
        row = self.row_of(self.cursor)
        self.scroll_to_region_row(row)
        self.refresh()

    def scroll_to_region_row(self, row: int) -> None:
        height = self.scrollable_content_region.height or 1
        top = self.scroll_offset.y
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False, immediate=True)

    def action_cursor(self, delta: int) -> None:
        if not self.entries:
            return
        self.follow = False
        self.cursor = max(0, min(len(self.entries) - 1, self.cursor + delta))
        self._show_cursor()

    def action_cursor_home(self) -> None:
        if self.entries:
            self.cursor = 0
            self._show_cursor()

    def action_cursor_end(self) -> None:
        if self.entries:
            self.cursor = len(self.entries) - 1
            self._show_cursor()

    def action_detail(self) -> None:
        if 0 <= self.cursor < len(self.entries):
            self.post_message(self.Selected(self.entries[self.cursor]))

    def action_toggle_wrap(self) -> None:
        self.wrap = not self.wrap
        self._rows = None
        self.scroll_to(x=0, animate=False, immediate=True)
        self._update_size()
        self._show_cursor()

    def action_toggle_labels(self) -> None:
        self.show_labels = not self.show_labels
        self._prefix_cache.clear()
        self._max_width = 0
        self._changed(reset=True)

    def set_search(self, text: str) -> int:
        """Highlight ``text`` and move to the first match after the cursor; returns the
        number of matching lines."""
        self.search = text
        self.refresh()
        if not text:
            return 0
        count = sum(1 for e in self.entries if text.lower() in e.line.lower())
        self.action_next_match(1, include_current=True)
        return count

    def action_next_match(self, step: int, include_current: bool = False) -> None:
        if not self.search or not self.entries:
            return
        needle = self.search.lower()
        n = len(self.entries)
        start = self.cursor if self.cursor >= 0 else 0
        for k in range(0 if include_current else 1, n + 1):
            i = (start + step * k) % n
            if needle in self.entries[i].line.lower():
                self.cursor = i
                self.follow = False
                self._show_cursor()
                return

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
