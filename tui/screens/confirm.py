"""The confirm dialog for every mutating action: title, command preview, warnings and, for
destructive actions, a typed-name confirmation; optionally a second explicit confirmation."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from ..actions import Mutation
from ..text import clean, text
from ..widgets.command_preview import CommandPreview


class ConfirmScreen(ModalScreen[bool]):
    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > #dialog {
        width: 90%; max-width: 100; height: auto;
        border: thick $primary; background: $panel; padding: 0 1;
    }
    ConfirmScreen #title { text-style: bold; margin-bottom: 1; width: 1fr; }
    ConfirmScreen .warning { color: $warning; text-style: bold; margin-top: 1; }
    ConfirmScreen .detail { color: $foreground; }
    ConfirmScreen #buttons { height: auto; align-horizontal: right; margin-top: 1; }
    ConfirmScreen Button { margin-left: 1; min-width: 12; }
    ConfirmScreen #typed { margin-top: 1; }
    """
    BINDINGS = [
        Binding("escape,n", "cancel", "Cancel", id="confirm.cancel"),
        Binding("y", "confirm", "Confirm", id="confirm.yes"),
    ]

    def __init__(self, mutation: Mutation) -> None:
        super().__init__()
        self.mutation = mutation
        self._second_pending = bool(mutation.second_confirmation)

    def compose(self) -> ComposeResult:
        m = self.mutation
        with Vertical(id="dialog"):
            # titles, details and warnings name the objects acted on: cluster strings
            yield Label(text(m.title), id="title", markup=False)
            yield CommandPreview(m.command, id="command")
            for line in m.details:
                yield Static(text(line, multiline=True), classes="detail", markup=False)
            if m.warning:
                yield Static(text(m.warning, multiline=True), classes="warning", markup=False)
            if m.typed_confirmation:
                # shown cleaned; what must be typed is the real name
                yield Label(text(f"Type {m.typed_confirmation!r} to confirm:"), markup=False)
                yield Input(placeholder=clean(m.typed_confirmation), id="typed")
            with Horizontal(id="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Confirm", id="confirm", variant="warning",
                             disabled=bool(m.typed_confirmation))

    def on_mount(self) -> None:
        if self.mutation.typed_confirmation:
            self.query_one("#typed", Input).focus()
        else:
            self.query_one("#cancel", Button).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        ok = event.value == self.mutation.typed_confirmation
        self.query_one("#confirm", Button).disabled = not ok

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.value == self.mutation.typed_confirmation:
            self.action_confirm()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "confirm":
            self.action_confirm()
        else:
            self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(False)

    def action_confirm(self) -> None:
        if self.mutation.typed_confirmation:
            typed = self.query_one("#typed", Input).value
            if typed != self.mutation.typed_confirmation:
                self.notify("the typed name does not match", severity="warning")
                return
        if self._second_pending:
            self._second_pending = False
            warning = self.query_one("#title", Label)
            warning.update(text(self.mutation.second_confirmation, multiline=True))
            button = self.query_one("#confirm", Button)
            button.label = "Yes, really"
            button.variant = "error"
            button.refresh(layout=True)  # the longer label needs a wider button
            return
        self.dismiss(True)
