"""Hosts one plugin's pane full-screen (k9s-style drill-down; escape goes back)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static

from ..plugin import Plugin
from ..widgets.status_bar import StatusBar


class ComponentScreen(Screen[None]):
    BINDINGS = [Binding("escape,q", "back", "Back", id="component.back")]

    def __init__(self, plugin: Plugin) -> None:
        super().__init__()
        self.plugin = plugin

    def compose(self) -> ComposeResult:
        yield self.app.make_status_bar()  # type: ignore[attr-defined]
        yield Static(f" {self.plugin.title} — {self.plugin.why}", id="pane-title", markup=False)
        try:
            pane_cls = self.plugin.load_pane()
        except Exception as exc:  # a broken pane must not take the app down
            yield Static(f"The pane of {self.plugin.title} failed to load: {exc}",
                         classes="error-text", markup=False)
        else:
            if pane_cls is None:
                from ..widgets.summary import ComponentSummary

                yield ComponentSummary(self.plugin)
            else:
                yield pane_cls(self.plugin)
        yield Footer()

    def action_back(self) -> None:
        self.app.pop_screen()


__all__ = ["ComponentScreen", "StatusBar"]
