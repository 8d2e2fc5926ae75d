"""Tables that fit the terminal: every column when it is wide, the essential ones when not.

Why: over SSH on a bastion 80x24 is common, and a DataTable wider than the screen hides its
right-hand columns behind a horizontal scrollbar that also costs a line. Each table names
its columns once and which of them stay on a narrow screen; the rest are a key press away
(the detail view of the row).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable

from ..text import cell, width


@dataclass(frozen=True)
class Columns:
    names: tuple[str, ...]
    #: the columns kept below ``wide_at`` terminal columns, in display order
    narrow: tuple[str, ...]
    wide_at: int = 100

    def shown(self, width: int) -> tuple[str, ...]:
        return self.names if width <= 0 or width >= self.wide_at else self.narrow

    def cells(self, row: Sequence[Any], shown: tuple[str, ...]) -> list[Any]:
        """The cells of a full row (one per name) that ``shown`` keeps."""
        return [row[self.names.index(name)] for name in shown]


def current_columns(table: DataTable[Any]) -> tuple[str, ...]:
    return tuple(str(c.label) for c in table.columns.values())


def set_columns(table: DataTable[Any], shown: tuple[str, ...]) -> bool:
    """Give ``table`` exactly these columns; True when they changed (rows were cleared)."""
    if current_columns(table) == shown:
        return False
    table.clear(columns=True)
    table.add_columns(*shown)
    return True


def _plain(cell: Any) -> str:
    return cell.plain if isinstance(cell, Text) else str(cell)


def same_cell(old: Any, new: Any) -> bool:
    """Cell equality that sees a Text's colour (``Text.__eq__`` compares text and spans
    only, so a phase turning from warning to error colour would look unchanged)."""
    if isinstance(old, Text) and isinstance(new, Text):
        return old.plain == new.plain and str(old.style) == str(new.style) \
            and old.spans == new.spans
    return type(old) is type(new) and old == new


def fill_rows(table: DataTable[Any], rows: Sequence[tuple[str, Sequence[Any]]]) -> bool:
    """Give ``table`` exactly these rows (key, cells in column order), in this order.
    Every cell goes through :func:`~..text.cell`: a ``str`` becomes a ``Text`` (never
    markup), data is cleaned of control characters.

    Why not always clear and re-add: a watch event on one object (a running backup's
    progress, every few seconds) would rebuild and re-measure thousands of rows on the
    event loop. When the keys are the same, in the same order, only the cells that differ
    are updated, and a column is re-measured only when a cell grows. Anything else (a row
    added, removed or moved) rebuilds. Returns True when it rebuilt."""
    rows = [(key, [cell(c) for c in cells]) for key, cells in rows]
    keys = [key for key, _cells in rows]
    if keys and [rk.value for rk in table.rows] == keys:
        columns = list(table.columns)
        for key, cells in rows:
            for column, old, new in zip(columns, table.get_row(key), cells, strict=True):
                if not same_cell(old, new):
                    table.update_cell(key, column, new,
                                      update_width=width(new.plain) > width(_plain(old)))
        return False
    table.clear()
    for key, cells in rows:
        table.add_row(*cells, key=key)
    measure_columns(table)
    return True


def measure_columns(table: DataTable[Any]) -> None:
    """Size every auto-width column from its cells now rather than on the table's next idle.

    Why: a table re-filled from a resize handler (new columns for the new width) may be
    drawn before that idle, with each column as wide as its header, and Textual (8.2.8)
    keeps those rows in a cache whose key has no column widths: ``paym  deploy`` stays on
    screen until the next layout change. Measured here, the first drawing is already
    right, and the idle measurement finds nothing to change."""
    for key, column in table.columns.items():
        if not column.auto_width:
            continue
        widths = [cell_len(line) for line in _plain(column.label).split("\n")]
        for value in table.get_column(key):
            widths += [cell_len(line) for line in _plain(value).split("\n")]
        column.content_width = max(widths)
