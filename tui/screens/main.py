"""The main screen: the essentials board (one row per area) and connection guidance."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from ..text import clean, text
from ..widgets.board import Board
from ..widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from textual import getters

    from ..app import EssentialsApp


def connect_help(error: str) -> str:
    return (
        f"Not connected: {error}\n\n"
        "How to connect:\n"
        "  * point KUBECONFIG at a kubeconfig file, or pass --kubeconfig PATH\n"
        "  * choose a context with --context NAME, or press C here\n"
        "  * no cluster at hand? scripts/demo starts a local one with demo data\n\n"
        "Press r to retry, C to pick a context, ? for help, q to quit."
    )


class MainScreen(Screen[None]):
    if TYPE_CHECKING:  # the app's own attributes, typed (Textual's getter, for checkers)
        app = getters.app(EssentialsApp)

    HELP_GROUP = "Board"
    BINDINGS = [
        Binding("q", "app.quit", "Quit", id="main.quit"),
        Binding("r", "refresh", "Refresh", id="main.refresh"),
    ]
    DEFAULT_CSS = """
    MainScreen #notice { padding: 1 2; color: $warning; display: none; height: auto; }
    MainScreen #notice.shown { display: block; }
    """

    def compose(self) -> ComposeResult:
        yield self.app.make_status_bar()
        yield Static("", id="notice", markup=False)
        yield Board(id="board")
        yield KeyFooter()

    def on_mount(self) -> None:
        self._show_state()

    def on_session_changed(self, _message: object) -> None:
        self._show_state()

    def _show_state(self) -> None:
        app = self.app
        notice = self.query_one("#notice", Static)
        error = getattr(app, "connection_error", None)
        if error is not None:
            notice.update(text(connect_help(clean(error)), multiline=True))
            notice.add_class("shown")
        else:
            notice.remove_class("shown")

    def action_refresh(self) -> None:
        if getattr(self.app, "session", None) is None:
            self.app.connect()
        else:
            self.app.detection.refresh()
