"""The shared virtualised row table: renders only the visible lines, for lists of thousands.

Why not ``KeyTable`` (a ``DataTable``): Textual's DataTable measures every cell of every new
row on its next idle and styles it on add; ``bench/gitops_bench.py`` measured 2,000
Applications in a DataTable at ~6 s on this kind of machine, against 1.4 s for the raw
lists of 2,000 Applications and 2,000 Kustomizations. Here the rows are a plain list of
(key, cells); column widths come from ``Text.cell_len`` (cheap), and ``render_line`` draws
the ~40 visible lines. Born in the GitOps pane, moved to the core so every pane with long
lists (policy results, alerts, trace search, exposure hosts) shares one widget.

The surface mirrors the part of ``DataTable`` panes use (``row_count``, ``cursor_row``,
``move_cursor``, ``get_row_at``, ``selected_key``), so switching a pane is small:
``set_data(columns, rows)`` replaces everything at once (a watch event, a filter, a sort);
the cursor stays on the same key. ``Highlighted`` is posted when the cursor lands on another
row, ``Selected`` on ``enter`` when the table was made with ``select_on_enter=True``
(otherwise ``enter`` goes on to the pane's own binding) and on a click on the cursor row.

Cells are ``rich.text.Text`` made from cleaned text (the text boundary), or plain values
that go through :func:`~k8s_essentials_tui.text.display_text` here: this widget never parses
markup and cuts every cell by terminal cells (a Hangul name keeps the columns aligned). Keys
as every table: ``j``/``k``/``g``/``G``/``ctrl+f``/``ctrl+b`` (and the arrows, home/end,
page keys).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, NamedTuple

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.events import Click
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ..text import clean, fit
from ..text import text as display_text
from .frame import paint_soon

#: a stored cell: a ``Text`` as given, or a plain value already cleaned, or a
#: :class:`Styled` (value, style) pair cleaned -- both made a ``Text`` only when their row is
#: painted: 2,000 rows x 7 cells of ``Text`` cost ~0.2 s up front
Cell = Text | str | tuple[str, str]
Row = tuple[str, list[Cell]]


class Styled(tuple[str, str]):
    """A cell painted with one style (``Styled(value, "red")``), made a ``Text`` only when
    its row is painted. Why not ``Text(value, style=...)``: a pane of 2,000 rows builds
    14,000 cells whose ~40 visible ones are ever painted."""

    __slots__ = ()

    def __new__(cls, value: str, style: str = "") -> Styled:
        return super().__new__(cls, (value, style))


def as_text(value: object) -> Text:
    return value if isinstance(value, Text) else display_text(value)


def _plain(value: str) -> tuple[str, int]:
    """``value`` cleaned, and its width in cells (a printable ASCII value is already clean
    and one cell per character: the common case skips ``clean()`` and ``cell_len()``)."""
    if value.isascii() and value.isprintable():
        return value, len(value)
    value = clean(value)
    return value, cell_len(value)


def _painted(cell: Cell) -> Text:
    if isinstance(cell, Text):
        return cell.copy()
    if isinstance(cell, tuple):
        return Text(cell[0], style=cell[1])
    return Text(cell)


class _Paint(NamedTuple):
    """What every line of one paint of a :class:`VirtualTable` shares, worked out once per
    paint rather than per line (the widget's style, scroll offsets and fitted widths cost
    ~0.05 ms a line through Textual's properties: a third of a 40-line paint)."""

    width: int
    scroll_x: int
    scroll_y: int
    base: Style
    fitted: list[int]
    line_width: int


class TableData(NamedTuple):
    """What a :class:`VirtualTable` shows: its columns, the rows as stored (cells cleaned)
    and each column's width in cells."""

    columns: tuple[str, ...]
    rows: list[Row]
    widths: list[int]


def table_data(columns: Sequence[str], rows: Sequence[tuple[str, Sequence[object]]],
               *, max_widths: Sequence[int] | None = None) -> TableData:
    """The rows cleaned and measured for :meth:`VirtualTable.set_table_data` (see
    :meth:`VirtualTable.set_data` for ``max_widths``). A pure function, safe in a worker
    thread: a pane that fetches its rows off the event loop prepares them there too
    (2,000 rows x 7 cells cost the loop ~3.5 ms, the frame that paints them waited)."""
    # the header is painted as plain cells too: a column name is cleaned and measured as
    # any cell (a pane's own words, but one built from cluster data -- a label key -- is
    # safe as well)
    header = [_plain(str(name)) for name in columns]
    names = tuple(name for name, _n in header)
    head = [n for _name, n in header]
    widths = list(head)
    stored: list[Row] = []
    # one pass, few calls per cell: 2,000 rows x 7 cells is 14,000 of them; the common
    # cell (printable ASCII text: clean already, one cell per character) is tested first,
    # inline
    for key, cells in rows:
        out: list[Cell] = []
        for i, cell in enumerate(cells):
            stored_cell: Cell
            if type(cell) is str and cell.isascii() and cell.isprintable():
                stored_cell, n = cell, len(cell)
            elif type(cell) is Styled:
                value, n = _plain(cell[0])
                stored_cell = (value, cell[1])
            elif isinstance(cell, Text):
                stored_cell, n = cell, cell.cell_len
            else:
                stored_cell, n = _plain(cell if isinstance(cell, str) else clean(cell))
            out.append(stored_cell)
            if n > widths[i]:
                widths[i] = n
        stored.append((key, out))
    if max_widths is not None:
        widths = [min(w, max(cap, n)) for w, cap, n
                  in zip(widths, max_widths, head, strict=False)] + widths[len(max_widths):]
    return TableData(names, stored, widths)


class VirtualTable(ScrollView, can_focus=True):
    HELP_GROUP = "Table"
    DEFAULT_CSS = """
    VirtualTable { height: 1fr; background: $surface; }
    VirtualTable > .vtable--header { text-style: bold; color: $text-muted; }
    VirtualTable > .vtable--cursor { background: $accent 40%; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"vtable--header", "vtable--cursor"}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "cursor(1)", "Down", show=False, id="table.down"),
        Binding("up,k", "cursor(-1)", "Up", show=False, id="table.up"),
        Binding("home,g", "jump(0)", "Top", show=False, id="table.top"),
        Binding("end,G", "jump(-1)", "Bottom", show=False, id="table.bottom"),
        Binding("pagedown,ctrl+f", "page(1)", "Page down", show=False,
                id="table.page_down"),
        Binding("pageup,ctrl+b", "page(-1)", "Page up", show=False, id="table.page_up"),
        Binding("enter", "select", "Details", show=False, id="table.select"),
    ]

    class Highlighted(Message):
        """The cursor moved to the row with this key."""

        def __init__(self, table: VirtualTable, key: str | None, index: int) -> None:
            super().__init__()
            self.table = table
            self.key = key
            self.index = index

        @property
        def control(self) -> VirtualTable:
            return self.table

    class Selected(Highlighted):
        """``enter`` (or a click on the cursor row) on the row with this key."""

    def __init__(self, *, select_on_enter: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        #: whether ``enter`` posts :class:`Selected`; off, the key goes on to the pane's
        #: own ``enter`` binding (see :meth:`check_action`)
        self.select_on_enter = select_on_enter
        self.columns: tuple[str, ...] = ()
        self.rows: list[Row] = []
        self.widths: list[int] = []
        self.cursor_row = 0
        self._paint: _Paint | None = None

    # -- data -------------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def get_row_at(self, index: int) -> list[Text]:
        return [_painted(c) for c in self.rows[index][1]]

    def selected_key(self) -> str | None:
        if 0 <= self.cursor_row < len(self.rows):
            return self.rows[self.cursor_row][0]
        return None

    def set_data(self, columns: Sequence[str], rows: Sequence[tuple[str, Sequence[object]]],
                 *, max_widths: Sequence[int] | None = None) -> None:
        """Show these columns and rows; the cursor stays on the same key when it is still
        listed (else at the same position). ``max_widths`` caps columns (in cells): a
        longer value is cut with an ellipsis when painted, so a pane need not fit every
        cell of every row up front."""
        self.set_table_data(table_data(columns, rows, max_widths=max_widths))

    def set_table_data(self, data: TableData) -> None:
        """:meth:`set_data` with the rows cleaned and measured already (by
        :func:`table_data`, e.g. in the thread that fetched them)."""
        selected = self.selected_key()
        self.columns, self.rows, self.widths = data.columns, data.rows, data.widths
        if selected is not None:
            for index, (key, _cells) in enumerate(self.rows):
                if key == selected:
                    self.cursor_row = index
                    break
        self.cursor_row = max(0, min(self.cursor_row, len(self.rows) - 1))
        self.virtual_size = Size(self._line_width(), len(self.rows) + 1)
        self.refresh()
        # new rows are what the operator waits for: painted on the loop's next turn, not
        # the screen's next 60 Hz tick (frame.py)
        paint_soon(self)

    def _line_width(self, fitted: list[int] | None = None) -> int:
        return 1 + sum(w + 2 for w in (self._fitted() if fitted is None else fitted))

    def _fitted(self) -> list[int]:
        """The column widths, the last (the message) cut so the line fits the widget when
        it can keep 12 cells: no horizontal scrollbar for a long message at 80 columns."""
        widths = list(self.widths)
        if not widths:
            return widths
        room = self.scrollable_content_region.width or self.size.width
        over = 1 + sum(w + 2 for w in widths) - room
        if room and over > 0 and widths[-1] - over >= 12:
            widths[-1] -= over
        return widths

    # -- movement ---------------------------------------------------------------------------

    def _visible(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def move_cursor(self, row: int, animate: bool = False) -> None:
        if not self.rows:
            return
        before = self.cursor_row
        self.cursor_row = max(0, min(len(self.rows) - 1, row))
        if self.cursor_row != before:
            self.post_message(self.Highlighted(self, self.selected_key(), self.cursor_row))
        top = round(self.scroll_offset.y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=animate)
        elif self.cursor_row >= top + self._visible():
            self.scroll_to(y=self.cursor_row - self._visible() + 1, animate=animate)
        self.refresh()

    def action_cursor(self, delta: int) -> None:
        self.move_cursor(self.cursor_row + delta)

    def action_page(self, direction: int) -> None:
        self.move_cursor(self.cursor_row + direction * self._visible())

    def action_jump(self, where: int) -> None:
        self.move_cursor(0 if where == 0 else len(self.rows) - 1)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``enter`` is the table's only when asked for: a disabled binding lets the key go
        on to the pane (the GitOps pane binds ``enter`` to its detail view)."""
        if action == "select":
            return self.select_on_enter
        return True

    def action_select(self) -> None:
        key = self.selected_key()
        if key is not None:
            self.post_message(self.Selected(self, key, self.cursor_row))

    def on_click(self, event: Click) -> None:
        if event.y >= 1:
            index = round(self.scroll_offset.y) + event.y - 1
            if index == self.cursor_row:
                self.action_select()
            self.move_cursor(index)

    def on_resize(self) -> None:
        if not self.rows and not self.columns:
            # nothing to size yet: the first resize (the screen's first layout) would
            # change the empty default size and lay the whole screen out once more, right
            # while a pane waits for its first data (``set_table_data`` sizes it)
            return
        self.virtual_size = Size(self._line_width(), len(self.rows) + 1)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # -- rendering --------------------------------------------------------------------------

    def _cells(self, cells: Sequence[Cell], style: Style, fitted: list[int]
               ) -> list[Segment]:
        """One line's segments: each cell cut (with an ellipsis) or padded to its column's
        width in cells, then two spaces.

        A plain or :class:`Styled` cell (the common case: cleaned when stored) becomes its
        segment directly; only a ``Text`` cell goes through Rich's ``Text`` render. Why:
        a ``Text`` per cell per painted line was ~2 ms of a 2,000-alert table's first
        frame. A cell's own style -- a ``Styled`` style, a ``Text``'s base style -- is laid
        over the line's (cursor, header) style: Rich's ``Text.render`` leaves the base
        style of a ``Text`` without spans out, which once painted ``Text("firing",
        style="bold red")`` in the plain row colour."""
        get_style = self.app.console.get_style
        segments = [Segment(" ", style)]
        append = segments.append
        for cell, width in zip(cells, fitted, strict=False):
            if isinstance(cell, Text):
                piece = cell.copy()
                piece.truncate(width, overflow="ellipsis", pad=True)
                base = style + get_style(piece.style) if piece.style else style
                segments.extend(Segment(seg.text, base + seg.style if seg.style else base)
                                for seg in piece.render(self.app.console) if seg.text)
                append(Segment("  ", style))
                continue
            if isinstance(cell, tuple):
                value, cell_style = cell
                own = style + get_style(cell_style) if cell_style else style
            else:
                value, own = cell, style
            append(Segment(fit(value, width), own))
            append(Segment("  ", style))
        return segments

    def render_lines(self, crop: Region) -> list[Strip]:
        """Work out what every line of this paint shares once (see :class:`_Paint`), then
        let Textual call :meth:`render_line` for each line."""
        self._paint = self._paint_context()
        try:
            return super().render_lines(crop)
        finally:
            self._paint = None

    def _paint_context(self) -> _Paint:
        fitted = self._fitted()
        return _Paint(self.scrollable_content_region.width, round(self.scroll_offset.x),
                      round(self.scroll_offset.y), self.rich_style, fitted,
                      self._line_width(fitted))

    def render_line(self, y: int) -> Strip:
        paint = self._paint or self._paint_context()
        width, scroll_x, base = paint.width, paint.scroll_x, paint.base
        if y == 0:
            style = base + self.get_component_rich_style("vtable--header")
            # the column names: plain cells, cleaned and measured by ``table_data``
            strip = Strip(self._cells(self.columns, style, paint.fitted))
        else:
            index = paint.scroll_y + y - 1
            if index >= len(self.rows):
                return Strip.blank(width, base)
            style = base
            if index == self.cursor_row:
                style = base + (self.get_component_rich_style("vtable--cursor")
                                if self.has_focus else Style(underline=True))
            strip = Strip(self._cells(self.rows[index][1], style, paint.fitted))
        total = max(width + scroll_x, paint.line_width)
        strip = strip.extend_cell_length(total, style)
        return strip.crop(scroll_x, scroll_x + width)


__all__ = ["Cell", "Row", "Styled", "TableData", "VirtualTable", "as_text", "table_data"]
