"""The table every pane uses, with the k9s/vi keys operators type without thinking, and the
focus helpers that keep the keyboard on the row the user is looking at.

Why a subclass: Textual's ``DataTable`` knows only arrows/page/home/end, so ``j``/``k``/
``g``/``G``/``ctrl+f``/``ctrl+b`` fell through to the pane (where ``g`` meant "schedule
filter" in Velero). A focused table now handles them itself, in every pane.

Why ``focus_now``: ``Widget.focus()`` defers the change with ``call_later``, so keys already
queued (a pasted ``/c1234``, a fast typist over SSH) were handled by the old focus -- ``c``
reached the pane's Clear binding. ``Screen.set_focus`` changes focus before the next key.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.binding import Binding, BindingType
from textual.coordinate import Coordinate
from textual.widget import Widget
from textual.widgets import DataTable

#: the navigation keys shared by every table (ids prefixed so users can remap them)
VI_BINDINGS: list[BindingType] = [
    Binding("j", "cursor_down", "Down", show=False, id="table.down"),
    Binding("k", "cursor_up", "Up", show=False, id="table.up"),
    Binding("g", "scroll_top", "Top", show=False, id="table.top"),
    Binding("G", "scroll_bottom", "Bottom", show=False, id="table.bottom"),
    Binding("ctrl+f", "page_down", "Page down", show=False, id="table.page_down"),
    Binding("ctrl+b", "page_up", "Page up", show=False, id="table.page_up"),
]


class KeyTable(DataTable[Any]):
    """A row-cursor ``DataTable`` with the vi/k9s keys; see the module docstring."""

    BINDINGS: ClassVar[list[BindingType]] = VI_BINDINGS
    #: the help screen's group for these keys (they are the same in every table)
    HELP_GROUP = "Table"

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cursor_type", "row")
        super().__init__(**kwargs)

    def action_scroll_top(self) -> None:
        """``g``: the first row (and the cursor with it, unlike DataTable's ctrl+home)."""
        if self.row_count:
            self.move_cursor(row=0, animate=False)
        super().action_scroll_top()

    def action_scroll_bottom(self) -> None:
        """``G``: the last row."""
        if self.row_count:
            self.move_cursor(row=self.row_count - 1, animate=False)
        super().action_scroll_bottom()

    def selected_key(self) -> str | None:
        """The key of the row under the cursor (None when the table is empty)."""
        if not self.row_count or not 0 <= self.cursor_row < self.row_count:
            return None
        try:
            value = self.coordinate_to_cell_key(Coordinate(self.cursor_row, 0)).row_key.value
        except Exception:
            return None
        return None if value is None else str(value)


def focus_now(widget: Widget) -> None:
    """Move focus to ``widget`` before the next queued key is handled (see module doc)."""
    widget.screen.set_focus(widget)


__all__ = ["VI_BINDINGS", "KeyTable", "focus_now"]
