"""``?``: every binding that works here, collected from the app, the screen below and the
focused widgets, so the help is never out of date."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from ..text import text


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90%; max-width: 90; height: 90%; border: thick $primary; background: $panel;
    }
    HelpScreen #help-title { text-style: bold; padding: 0 1; }
    HelpScreen DataTable { height: auto; }
    """
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")]

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Label("Keys — press escape to close", id="help-title")
            table: DataTable[Text] = DataTable(cursor_type="row", zebra_stripes=True)
            table.add_columns("key", "action", "where")
            # descriptions come from plugins (and a key display may be "["): never markup
            for key, desc, where in self.rows:
                table.add_row(text(key), text(desc), text(where))
            yield table

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)


def collect_bindings(app: object) -> list[tuple[str, str, str]]:
    """(key, description, where) for the active screen's binding chain."""
    rows: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str]] = set()
    screen = app.screen  # type: ignore[attr-defined]
    chain = list(screen._binding_chain)  # (node, bindings map) from focused widget to app
    for node, bindings in chain:
        where = "global" if node is app else type(node).__name__
        for key, binding_list in bindings.key_to_bindings.items():
            for b in binding_list:
                if not b.description or (not b.show and not b.description):
                    continue
                display = app.get_key_display(b) if hasattr(app, "get_key_display") else key  # type: ignore[attr-defined]
                if (display, b.description) in seen:
                    continue
                seen.add((display, b.description))
                rows.append((display, b.description, where))
    return rows
