"""The policy pane's table: the shared ``VirtualTable`` with rows whose cells are made only
when they are painted.

Why: the violations view lists every failing result (8,000 in the 20,000-result benchmark).
``VirtualTable.set_data`` takes ready cells and measures all of them; here the pane hands
the keys, the column widths (measured on the distinct values, a few hundred) and a function
that makes one row's cells, so the cleaning and ``Text`` work is done for the ~40 rows on
screen (and rows a test or ``get_row_at`` asks for), each once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual.geometry import Size
from textual.strip import Strip

from k8s_essentials_tui.api import VirtualTable, display_text

#: the cells of a row not made yet (compared by identity)
_PENDING: list[Text | str | tuple[str, str]] = []


class PolicyTable(VirtualTable):
    """``set_data`` for the short views; :meth:`set_lazy` for the long one."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(select_on_enter=True, id=id)
        self._make: Callable[[int], Sequence[object]] | None = None

    def set_lazy(self, columns: Sequence[str], keys: Sequence[str], widths: Sequence[int],
                 make: Callable[[int], Sequence[object]]) -> None:
        """Show ``len(keys)`` rows; ``make(i)`` gives row ``i``'s cells when it is painted.
        ``widths`` are the columns' widths in cells (the last is cut to the screen)."""
        selected = self.selected_key()
        self._make = make
        self.columns = tuple(columns)
        self.rows = [(key, _PENDING) for key in keys]
        self.widths = [max(w, len(c)) for w, c in zip(widths, self.columns, strict=True)]
        self._restore(selected)

    def set_data(self, columns: Sequence[str],
                 rows: Sequence[tuple[str, Sequence[object]]],
                 *, max_widths: Sequence[int] | None = None) -> None:
        self._make = None
        super().set_data(columns, rows, max_widths=max_widths)

    def _restore(self, selected: str | None) -> None:
        if selected is not None:
            for index, (key, _cells) in enumerate(self.rows):
                if key == selected:
                    self.cursor_row = index
                    break
        self.cursor_row = max(0, min(self.cursor_row, len(self.rows) - 1))
        self.virtual_size = Size(self._line_width(), len(self.rows) + 1)
        self.refresh()

    def _ensure(self, index: int) -> None:
        if 0 <= index < len(self.rows) and self.rows[index][1] is _PENDING \
                and self._make is not None:
            key = self.rows[index][0]
            cells: list[Text | str | tuple[str, str]] = [
                c if isinstance(c, Text) else display_text(c) for c in self._make(index)]
            self.rows[index] = (key, cells)

    def get_row_at(self, index: int) -> list[Text]:
        self._ensure(index)
        return super().get_row_at(index)

    def render_line(self, y: int) -> Strip:
        if y:
            self._ensure(round(self.scroll_offset.y) + y - 1)
        return super().render_line(y)
