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

from textual.widgets import DataTable


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
