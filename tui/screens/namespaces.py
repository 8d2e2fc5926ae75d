"""Namespace picker (``:ns``, ``N``): the apiserver's namespaces, filtered as you type.

Why typing goes to a filter box and not to the list: a cluster has hundreds of namespaces
and the operator knows the one they want. Up/down move in the list while the box keeps the
focus, enter picks the highlighted one (or the typed name when nothing is listed: a user who
may not list namespaces can still name the one they work in), escape cancels.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from ..text import text as safe_text

#: the picker's own choice for "every namespace" (the session's namespace becomes unset)
ALL = ""


class NamespacePickerScreen(ModalScreen[str | None]):
    HELP_GROUP = "Namespace picker"
    DEFAULT_CSS = """
    NamespacePickerScreen { align: center middle; }
    NamespacePickerScreen > Vertical {
        width: 80%; max-width: 90; height: auto; max-height: 90%;
        border: thick $primary; background: $panel;
    }
    NamespacePickerScreen Label { padding: 0 1; }
    NamespacePickerScreen #ns-title { text-style: bold; }
    NamespacePickerScreen #ns-error { color: $warning; }
    NamespacePickerScreen OptionList { height: auto; max-height: 16; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="namespaces.cancel"),
        Binding("down", "move(1)", "Down", show=False, id="namespaces.down"),
        Binding("up", "move(-1)", "Up", show=False, id="namespaces.up"),
    ]

    def __init__(self, namespaces: list[str], current: str | None, error: str = "") -> None:
        super().__init__()
        self.namespaces = sorted(namespaces)
        self.current = current or ""
        self.error = error

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Switch namespace (type to filter, enter to choose, escape to cancel)",
                        id="ns-title")
            if self.error:
                yield Label(safe_text(self.error), id="ns-error")
            yield Input(placeholder="namespace", id="ns-filter")
            yield OptionList(id="ns-list")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(Input).focus()

    def _matches(self, typed: str) -> list[str]:
        typed = typed.strip().lower()
        names = [n for n in self.namespaces if typed in n.lower()]
        # the exact name first, then prefixes, then the rest (k9s-like)
        names.sort(key=lambda n: (n.lower() != typed, not n.lower().startswith(typed), n))
        return names

    def _fill(self, typed: str) -> None:
        ol = self.query_one(OptionList)
        ol.clear_options()
        if not typed.strip():
            mark = "*" if not self.current else " "
            ol.add_option(Option(Text(f"{mark} (all namespaces)"), id="\0all"))
        for name in self._matches(typed):
            mark = "*" if name == self.current else " "
            ol.add_option(Option(safe_text(f"{mark} {name}"), id=name))
        if ol.option_count:
            index = 0
            if not typed.strip() and self.current in self.namespaces:
                index = self._matches("").index(self.current) + 1
            ol.highlighted = index

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._choose()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(ALL if event.option.id == "\0all" else event.option.id)

    def _choose(self) -> None:
        ol = self.query_one(OptionList)
        if ol.highlighted is not None and ol.option_count:
            option_id = ol.get_option_at_index(ol.highlighted).id
            self.dismiss(ALL if option_id == "\0all" else option_id)
            return
        typed = self.query_one(Input).value.strip()
        if typed:  # not listed (or listing is forbidden): take the typed name
            self.dismiss(typed)

    def action_move(self, step: int) -> None:
        ol = self.query_one(OptionList)
        if step > 0:
            ol.action_cursor_down()
        else:
            ol.action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)


__all__ = ["ALL", "NamespacePickerScreen"]
