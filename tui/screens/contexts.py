"""Context picker: the merged kubeconfig's contexts, current one marked."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from ..kube.config import ContextInfo
from ..text import text


class ContextPickerScreen(ModalScreen[str | None]):
    HELP_GROUP = "Context picker"
    DEFAULT_CSS = """
    ContextPickerScreen { align: center middle; }
    ContextPickerScreen > Vertical {
        width: 80%; max-width: 90; height: auto; max-height: 80%;
        border: thick $primary; background: $panel;
    }
    ContextPickerScreen Label { padding: 0 1; text-style: bold; }
    ContextPickerScreen OptionList { height: auto; max-height: 20; }
    """
    BINDINGS = [
        Binding("escape,q", "cancel", "Cancel", id="contexts.cancel"),
        Binding("j", "cursor_down", "Down", show=False, id="contexts.down"),
        Binding("k", "cursor_up", "Up", show=False, id="contexts.up"),
    ]

    def __init__(self, contexts: list[ContextInfo], error: str = "") -> None:
        super().__init__()
        self.contexts = contexts
        self.error = error

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Switch context (enter to choose, escape to cancel)")
            if self.error:
                yield Label(text(self.error), markup=False)
            # kubeconfig names are someone else's text too: an Option's str is markup
            options = [
                Option(text(f"{'*' if c.current else ' '} {c.name}  ({c.cluster}"
                            f"{', ns ' + c.namespace if c.namespace else ''})"), id=c.name)
                for c in self.contexts
            ]
            yield OptionList(*options, id="contexts")

    def on_mount(self) -> None:
        ol = self.query_one(OptionList)
        for i, c in enumerate(self.contexts):
            if c.current:
                ol.highlighted = i
        ol.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_cursor_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()
