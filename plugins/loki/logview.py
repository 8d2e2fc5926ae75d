"""A virtualised log view: renders only the visible rows (``ScrollView.render_line``).

Why not ``RichLog``/``DataTable``: a 5,000-line result or a 1,000 lines/s tail must not cost
a widget per line or a re-layout per line. Why this shape (measured, see docs/loki.md):

* lines are kept as compact ``(ts, line, stream)`` tuples in a bounded ``deque`` (O(1)
  eviction), labels once per stream -- no object per line;
* nothing is formatted up front: the timestamp, the coloured labels and the level colour
  are built only for rows that are painted, and the finished strips are kept in an LRU
  cache keyed by the line's sequence number, so a repaint of unchanged rows is a lookup;
* the widest line and, in wrap mode, the row index are extended for appended lines
  instead of being recomputed over the whole buffer.

A row is ``HH:MM:SS.mmm {labels} line`` (UTC); search highlights matches; the cursor row
opens a detail view. Labels are compact by default: only the one label that tells the most
streams apart (none for a single stream), so the message stays visible at 80 columns;
``l`` cycles compact → none → all labels.

Log lines and label values are untrusted (any pod writes them): every painted row passes
:func:`k8s_essentials_tui.text.clean` (ESC shown as ``␛``, tabs expanded), and every width is
in terminal cells -- a Hangul character takes two, so ``len()`` would end a Korean line's
scroll range early and, in wrap mode, lose its later visual rows. Printable ASCII (the usual
case) keeps the cheap path: one cell per character, no cleaning needed.
"""

from __future__ import annotations

import zlib
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from operator import add, itemgetter
from typing import ClassVar, overload

from rich.cells import cell_len, chop_cells
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from k8s_essentials_tui.api import clean

from .client import LogEntry, Row

#: 16-colour names so the bastion theme (no true colour over SSH) looks the same
LABEL_COLOURS = ("cyan", "magenta", "green", "yellow", "blue", "bright_cyan",
                 "bright_magenta", "bright_green", "bright_blue", "bright_yellow")
TS_STYLE = Style(dim=True)
CURSOR_STYLE = Style(reverse=True)
MATCH_STYLE = Style(bgcolor="yellow", color="black")
PLAIN_STYLE = Style()
LEVEL_STYLES = (("ERROR", Style(color="red")), ("error", Style(color="red")),
                ("WARN", Style(color="yellow")), ("warn", Style(color="yellow")))
#: width of ``HH:MM:SS.mmm `` -- the timestamp column
TS_WIDTH = 13
_LINE = itemgetter(1)
_SID = itemgetter(2)


def simple_text(text: str) -> bool:
    """Printable ASCII: one cell per character and nothing to clean (the fast path)."""
    return text.isascii() and text.isprintable()


def line_cells(line: str) -> int:
    """Cells the cleaned ``line`` takes on screen."""
    return len(line) if simple_text(line) else cell_len(clean(line))


def label_text(labels: dict[str, str]) -> str:
    """The cleaned ``{k="v", …} `` prefix of a row (empty without labels)."""
    if not labels:
        return ""
    inner = ", ".join(f'{clean(k)}="{clean(v)}"' for k, v in sorted(labels.items()))
    return "{" + inner + "} "


def wrap_starts(text: str, width: int) -> list[int]:
    """The cell offset where each visual row of ``text`` starts when wrapped at ``width``
    cells; a wide character never straddles two rows (``rich.cells.chop_cells``)."""
    starts: list[int] = []
    pos = 0
    for chunk in chop_cells(text, width):
        starts.append(pos)
        pos += cell_len(chunk)
    return starts or [0]


def label_style(key: str, value: str) -> Style:
    return Style(color=LABEL_COLOURS[zlib.crc32(f"{key}={value}".encode()) % len(LABEL_COLOURS)])


def clock_text(ts: int) -> str:
    """``HH:MM:SS.mmm `` in UTC from Unix ns (integer maths: no datetime per line)."""
    sod = (ts // 1_000_000_000) % 86_400
    return (f"{sod // 3600:02d}:{sod // 60 % 60:02d}:{sod % 60:02d}."
            f"{ts // 1_000_000 % 1000:03d} ")


def crop_pad(segments: list[Segment], start: int, width: int, pad: Style) -> list[Segment]:
    """Cells ``start .. start+width`` of single-cell-per-character ``segments``, padded
    with ``pad`` to ``width`` (what ``Strip.crop_extend`` does, without its Strips)."""
    end = start + width
    out: list[Segment] = []
    pos = 0
    for seg in segments:
        text = seg.text
        nxt = pos + len(text)
        if nxt > start and pos < end and text:
            if pos >= start and nxt <= end:
                out.append(seg)
            else:
                out.append(Segment(text[max(0, start - pos):end - pos], seg.style))
        pos = nxt
        if pos >= end:
            break
    if pos < end:
        out.append(Segment(" " * (end - max(pos, start)), pad))
    return out


class Entries(Sequence[LogEntry]):
    """The kept lines as :class:`LogEntry` objects, made on access (a read-only view)."""

    __slots__ = ("_view",)

    def __init__(self, view: LogView) -> None:
        self._view = view

    def __len__(self) -> int:
        return len(self._view._data)

    @overload
    def __getitem__(self, i: int) -> LogEntry: ...
    @overload
    def __getitem__(self, i: slice) -> list[LogEntry]: ...

    def __getitem__(self, i: int | slice) -> LogEntry | list[LogEntry]:
        streams = self._view._streams
        if isinstance(i, slice):
            return [LogEntry(ts, line, streams[sid])
                    for ts, line, sid in list(self._view._data)[i]]
        ts, line, sid = self._view._data[i]
        return LogEntry(ts, line, streams[sid])

    def __iter__(self) -> Iterator[LogEntry]:
        streams = self._view._streams
        for ts, line, sid in self._view._data:
            yield LogEntry(ts, line, streams[sid])


#: compact labels: on a tie, the label that names a stream best comes first
COMPACT_PREFERENCE = ("pod", "container", "app", "job", "instance", "namespace")


class LogView(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    LogView { height: 1fr; background: $surface; }
    LogView:focus { background-tint: $foreground 3%; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor(1)", "Down", show=False, id="loki.down"),
        Binding("k,up", "cursor(-1)", "Up", show=False, id="loki.up"),
        Binding("pagedown,ctrl+f", "cursor(20)", show=False, id="loki.pagedown"),
        Binding("pageup,ctrl+b", "cursor(-20)", show=False, id="loki.pageup"),
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
        self._data: deque[Row] = deque(maxlen=max_lines)
        #: labels per stream id, and the interning table that gives the ids
        self._streams: list[dict[str, str]] = []
        self._sid_of: dict[tuple[tuple[str, str], ...], int] = {}
        #: rows appended since the last reset: the sequence number of _data[i] is
        #: ``_total - len(_data) + i`` (stable while older rows are evicted)
        self._total = 0
        self.evicted = 0
        #: "compact" (labels that differ between streams), "none" or "full"
        self.label_mode = "compact"
        #: compact mode: the label names shown (those whose values differ)
        self._varying: frozenset[str] = frozenset()
        self.wrap = False
        self.cursor = -1
        self.search = ""
        self.follow = False
        self._max_width = 0
        self._prefix_widths: list[int] = []
        #: the cleaned label prefix per stream when labels are shown ("" otherwise)
        self._prefix_plain: list[str] = []
        #: wrap mode: absolute first visual row of each kept line (parallel to _data)
        self._wstart: deque[int] | None = None
        self._wend = 0
        self._wwidth = 0
        self._label_cache: dict[tuple[int, Style, bool], tuple[list[Segment], bool]] = {}
        self._strips: LRUCache[tuple[object, ...], Strip] = LRUCache(1024)
        self._frame: tuple[Style, int] | None = None

    # -- data -----------------------------------------------------------------------------

    @property
    def entries(self) -> Entries:
        return Entries(self)

    @property
    def max_lines(self) -> int:
        return self._data.maxlen or 0

    def set_max_lines(self, n: int) -> None:
        dropped = max(0, len(self._data) - n)
        self._data = deque(self._data, maxlen=n)
        if self.cursor >= 0:
            self.cursor = max(0, self.cursor - dropped)
        self._wstart = None
        self._changed()

    def _stream_id(self, labels: dict[str, str]) -> int:
        key = tuple(sorted(labels.items()))
        sid = self._sid_of.get(key)
        if sid is None:
            sid = self._sid_of[key] = len(self._streams)
            self._streams.append(labels)
            self._add_prefix(labels)
        return sid

    def _compact_streams(self) -> None:
        """Forget label sets no kept line uses, so a long tail over churning streams (new
        pods, a high-cardinality label) keeps memory flat too."""
        used = sorted({sid for _ts, _line, sid in self._data})
        remap = {old: new for new, old in enumerate(used)}
        self._streams = [self._streams[s] for s in used]
        self._prefix_widths = [self._prefix_widths[s] for s in used]
        self._prefix_plain = [self._prefix_plain[s] for s in used]
        self._sid_of = {tuple(sorted(lab.items())): i for i, lab in enumerate(self._streams)}
        self._data = deque(((ts, line, remap[sid]) for ts, line, sid in self._data),
                           maxlen=self._data.maxlen)
        self._label_cache.clear()
        self._strips.clear()

    def set_rows(self, rows: list[Row], streams: list[dict[str, str]]) -> None:
        """Replace the content with a query result (``rows`` index ``streams``)."""
        self._streams = list(streams)
        self._sid_of = {tuple(sorted(lab.items())): i for i, lab in enumerate(streams)}
        self._update_varying()
        self._set_prefixes()
        self._data = deque(rows, maxlen=self.max_lines)
        self._total = len(rows)
        self.evicted = 0
        self.cursor = 0 if self._data else -1
        self._max_width = self._widest(self._data)
        self._reset_render()
        self._changed()

    def set_entries(self, entries: Iterable[LogEntry]) -> None:
        self.set_rows([], [])
        self.append(list(entries))
        self.cursor = 0 if self._data else -1

    def append(self, entries: list[LogEntry]) -> None:
        streams: dict[int, int] = {}
        labels: list[dict[str, str]] = []
        rows: list[Row] = []
        for e in entries:
            sid = streams.get(id(e.labels))
            if sid is None:
                sid = streams[id(e.labels)] = len(labels)
                labels.append(e.labels)
            rows.append((e.ts, e.line, sid))
        self.append_batches([(rows, labels)])

    def append_batches(self, batches: Iterable[tuple[list[Row], list[dict[str, str]]]]
                       ) -> None:
        """Add tail batches (rows whose stream ids index the batch's own ``streams``) with
        one repaint; the oldest lines go when the buffer is full."""
        known = len(self._streams)
        for rows, streams in batches:
            if not rows:
                continue
            remap = [self._stream_id(labels) for labels in streams]
            if remap != list(range(len(streams))):
                rows = [(ts, line, remap[sid]) for ts, line, sid in rows]
            self._append_rows(rows)
        if len(self._streams) > 4096 and len(self._streams) > 2 * len(self._data):
            self._compact_streams()
        if len(self._streams) != known and self._update_varying() \
                and self.label_mode == "compact":
            self._relabel()  # a new stream made another label worth showing
            return
        self._changed()

    def _append_rows(self, rows: list[Row]) -> None:
        over = len(self._data) + len(rows) - self.max_lines
        if over > 0:
            self.evicted += over
            if self.cursor >= 0:
                self.cursor = max(0, self.cursor - over)
        self._data.extend(rows)
        self._total += len(rows)
        rows = rows[-self.max_lines:]
        self._max_width = max(self._max_width, self._widest(rows))
        if self._wstart is not None:
            self._extend_wrap(rows)

    def clear(self) -> None:
        self.set_rows([], [])

    def _widest(self, rows: Sequence[Row] | deque[Row]) -> int:
        if not rows:
            return 0
        pw = self._prefix_widths
        return max(map(add, map(pw.__getitem__, map(_SID, rows)),
                       map(line_cells, map(_LINE, rows))))

    def _changed(self) -> None:
        self._update_size()
        if self.follow and self._data:
            self.cursor = len(self._data) - 1
            self.scroll_end(animate=False, immediate=True, x_axis=False)
        self.refresh()

    def _reset_render(self) -> None:
        self._wstart = None
        self._label_cache.clear()
        self._strips.clear()

    # -- layout ---------------------------------------------------------------------------

    def _add_prefix(self, labels: dict[str, str]) -> None:
        plain = label_text(dict(self._shown(labels)))
        self._prefix_plain.append(plain)
        self._prefix_widths.append(TS_WIDTH + cell_len(plain))

    def _set_prefixes(self) -> None:
        self._prefix_widths, self._prefix_plain = [], []
        for labels in self._streams:
            self._add_prefix(labels)

    def _row_starts(self, line: str, sid: int, width: int) -> list[int] | None:
        """Where each visual row of a wrapped row starts (cells), or None when the row is
        printable ASCII and rows are simply every ``width`` cells."""
        prefix = self._prefix_plain[sid]
        if simple_text(line) and prefix.isascii():
            return None
        return wrap_starts(" " * TS_WIDTH + prefix + clean(line), width)

    @property
    def show_labels(self) -> bool:
        return self.label_mode != "none"

    @show_labels.setter
    def show_labels(self, value: bool) -> None:
        self.label_mode = "full" if value else "none"
        self._relabel()

    def _shown(self, labels: dict[str, str]) -> list[tuple[str, str]]:
        """The labels a row prints, sorted by name."""
        if self.label_mode == "none":
            return []
        items = sorted(labels.items())
        if self.label_mode == "compact":
            return [(k, v) for k, v in items if k in self._varying]
        return items

    def _update_varying(self) -> bool:
        """Recompute the label compact mode shows: the one that tells the most streams
        apart (``pod`` first on a tie: app, container, job usually vary with it), none
        for a single stream. True when that changed."""
        names = {k for lab in self._streams for k in lab}
        distinct = {k: len({lab.get(k) for lab in self._streams}) for k in names}
        best = max((n for n in distinct if distinct[n] > 1),
                   key=lambda n: (distinct[n], n in COMPACT_PREFERENCE,
                                  -COMPACT_PREFERENCE.index(n) if n in COMPACT_PREFERENCE
                                  else 0, n), default=None)
        varying = frozenset() if best is None else frozenset({best})
        if varying == self._varying:
            return False
        self._varying = varying
        return True

    def _relabel(self) -> None:
        """The label prefix changed: re-measure and re-render every row."""
        self._set_prefixes()
        self._max_width = self._widest(self._data)
        self._reset_render()
        self._changed()

    def _wrap_width(self) -> int:
        return max(20, self.scrollable_content_region.width or self.size.width or 80)

    def _extend_wrap(self, rows: Iterable[Row]) -> None:
        assert self._wstart is not None
        width, pw, end, starts = self._wwidth, self._prefix_widths, self._wend, self._wstart
        for _ts, line, sid in rows:
            starts.append(end)
            exact = self._row_starts(line, sid, width)
            end += len(exact) if exact is not None else max(1, -(-(pw[sid] + len(line))
                                                                 // width))
        self._wend = end

    def _wrap_index(self, width: int = 0) -> deque[int]:
        width = max(20, width) if width else self._wrap_width()
        if self._wstart is None or width != self._wwidth:
            stale = self._wstart is not None and self.is_mounted
            self._wwidth, self._wend = width, 0
            self._wstart = deque(maxlen=self.max_lines)
            self._extend_wrap(self._data)
            if stale:  # e.g. a scrollbar appeared: the row count changed with the width
                self.call_later(self._update_size)
        return self._wstart

    def _wrap_rows_total(self) -> int:
        starts = self._wrap_index()
        return self._wend - starts[0] if starts else 0

    def _update_size(self) -> None:
        if self.wrap:
            self.virtual_size = Size(0, self._wrap_rows_total())
        else:
            self.virtual_size = Size(self._max_width, len(self._data))

    def on_resize(self) -> None:
        self._update_size()

    def row_of(self, index: int) -> int:
        if not self.wrap:
            return index
        starts = self._wrap_index()
        if not 0 <= index < len(starts):
            return 0
        return starts[index] - starts[0]

    # -- rendering ------------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        # the widget's style and width are the same for every row of a frame: look them up
        # once (``rich_style`` walks all ancestors) instead of once per row
        self._frame = (self.rich_style, self.scrollable_content_region.width)
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def render_line(self, y: int) -> Strip:
        base, width = self._frame or (self.rich_style, self.scrollable_content_region.width)
        scroll_x, scroll_y = self.scroll_offset
        row = scroll_y + y
        data = self._data
        if self.wrap:
            starts = self._wrap_index(width)
            if not starts:
                return Strip.blank(width, base)
            target = starts[0] + row
            if target >= self._wend:
                return Strip.blank(width, base)
            idx = bisect_right(starts, target) - 1
            _ts, line, sid = data[idx]
            exact = self._row_starts(line, sid, self._wwidth)
            sub = target - starts[idx]
            if exact is None:
                x, x_end = sub * self._wwidth, 0
            else:
                x = exact[sub] if sub < len(exact) else 0
                x_end = exact[sub + 1] if sub + 1 < len(exact) else x + self._wwidth
        else:
            x_end = 0
            if row >= len(data):
                return Strip.blank(width, base)
            idx, x = row, scroll_x
        cursor = idx == self.cursor and self.has_focus
        key = (self._total - len(data) + idx, x, width, cursor, base)
        strip = self._strips.get(key)
        if strip is None:
            segs, simple = self._line_segments(data[idx], base, cursor)
            if x_end:
                # a wrapped row of wide text: up to where the next visual row starts
                strip = Strip(segs).crop_extend(x, x_end, base).extend_cell_length(
                    width, base).crop(0, width)
            elif simple:
                # one cell per character: crop by slicing, one Strip instead of three
                strip = Strip(crop_pad(segs, x, width, base), width)
            else:
                strip = Strip(segs).crop_extend(x, x + width, base)
            if not self.follow:
                # a followed tail never shows a row twice: caching it would only keep
                # garbage alive long enough to reach the oldest GC generation
                self._strips[key] = strip
        return strip

    def _line_segments(self, row: Row, base: Style, cursor: bool
                       ) -> tuple[list[Segment], bool]:
        """The whole (uncropped) line with final styles (``base + [cursor +] own style``,
        the composition the compositor would otherwise apply segment by segment), and
        whether every character is one cell wide (printable ASCII)."""
        ts, line, sid = row
        simple = simple_text(line)

        def final(style: Style) -> Style:
            return base + (CURSOR_STYLE + style) if cursor else base + style

        segs = [Segment(clock_text(ts), final(TS_STYLE))]
        if self.label_mode != "none":
            label_segs, label_simple = self._label_segments(sid, base, cursor, final)
            segs.extend(label_segs)
            simple = simple and label_simple
        level = PLAIN_STYLE
        for word, style in LEVEL_STYLES:
            if word in line:
                level = style
                break
        if not simple:
            line = clean(line)
        if not self.search:
            segs.append(Segment(line, final(level)))
            return segs, simple
        low, needle, pos = line.lower(), self.search.lower(), 0
        plain, match = final(level), final(MATCH_STYLE)
        while True:
            hit = low.find(needle, pos)
            if hit == -1:
                segs.append(Segment(line[pos:], plain))
                return segs, simple
            segs.append(Segment(line[pos:hit], plain))
            segs.append(Segment(line[hit:hit + len(needle)], match))
            pos = hit + len(needle)

    def _label_segments(self, sid: int, base: Style, cursor: bool,
                        final: Callable[[Style], Style]) -> tuple[list[Segment], bool]:
        key = (sid, base, cursor)
        cached = self._label_cache.get(key)
        if cached is not None:
            return cached
        labels = self._shown(self._streams[sid])
        segs: list[Segment] = []
        if labels:
            segs.append(Segment("{", final(TS_STYLE)))
            for i, (k, v) in enumerate(labels):
                text = f'{clean(k)}="{clean(v)}"' + (", " if i < len(labels) - 1 else "")
                segs.append(Segment(text, final(label_style(k, v))))
            segs.append(Segment("} ", final(TS_STYLE)))
        if len(self._label_cache) > 4096:
            self._label_cache.clear()
        simple = all(seg.text.isascii() and seg.text.isprintable() for seg in segs)
        self._label_cache[key] = (segs, simple)
        return segs, simple

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
        if not self._data:
            return
        self.follow = False
        self.cursor = max(0, min(len(self._data) - 1, self.cursor + delta))
        self._show_cursor()

    def action_cursor_home(self) -> None:
        if self._data:
            self.cursor = 0
            self._show_cursor()

    def action_cursor_end(self) -> None:
        if self._data:
            self.cursor = len(self._data) - 1
            self._show_cursor()

    def action_detail(self) -> None:
        if 0 <= self.cursor < len(self._data):
            self.post_message(self.Selected(self.entries[self.cursor]))

    def action_toggle_wrap(self) -> None:
        self.wrap = not self.wrap
        self.scroll_to(x=0, animate=False, immediate=True)
        self._update_size()
        self._show_cursor()

    def action_toggle_labels(self) -> None:
        """``l``: compact → none → all labels → compact."""
        self.label_mode = {"compact": "none", "none": "full"}.get(self.label_mode, "compact")
        self._relabel()

    def set_search(self, text: str) -> int:
        """Highlight ``text`` and move to the first match after the cursor; returns the
        number of matching lines."""
        self.search = text
        self._strips.clear()
        self.refresh()
        if not text:
            return 0
        needle = text.lower()
        count = sum(1 for _ts, line, _sid in self._data if needle in line.lower())
        self.action_next_match(1, include_current=True)
        return count

    def action_next_match(self, step: int, include_current: bool = False) -> None:
        if not self.search or not self._data:
            return
        needle = self.search.lower()
        lines = list(map(_LINE, self._data))  # a deque's middle is slow to index
        n = len(lines)
        start = self.cursor if self.cursor >= 0 else 0
        for k in range(0 if include_current else 1, n + 1):
            i = (start + step * k) % n
            if needle in lines[i].lower():
                self.cursor = i
                self.follow = False
                self._show_cursor()
                return

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()


__all__ = ["Entries", "LogView", "clock_text", "label_style", "label_text", "line_cells",
           "wrap_starts"]
