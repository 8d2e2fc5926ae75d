"""Hosts one plugin's pane full-screen (k9s-style drill-down; escape goes back)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static

from ..plugin import Plugin
from ..widgets.status_bar import StatusBar


class ComponentScreen(Screen[None]):
    """A component's own pane, or its overview (workloads, Helm release, webhooks, API
    groups: :class:`~..widgets.summary.ComponentSummary`) when it has none or when asked
    with ``o`` from its own pane -- cert-manager's certificates say nothing about whether
    its webhook has endpoints."""

    # key_display: a pane's own escape (leave input / clear filter / back) shadows this
    # one's escape, and the footer would then say "q Back"
    BINDINGS = [Binding("escape,q", "back", "Back", id="component.back", key_display="esc"),
                Binding("o", "overview", "Overview", id="component.overview")]

    def __init__(self, plugin: Plugin, overview: bool = False) -> None:
        super().__init__()
        self.plugin = plugin
        self.overview = overview or not plugin.pane

    def compose(self) -> ComposeResult:
        yield self.app.make_status_bar()  # type: ignore[attr-defined]
        yield Static(f" {self.plugin.title} — {self.plugin.why}", id="pane-title", markup=False)
        if self.overview:
            from ..widgets.summary import ComponentSummary

            yield ComponentSummary(self.plugin)
        else:
            try:
                pane_cls = self.plugin.load_pane()
            except Exception as exc:  # a broken pane must not take the app down
                yield Static(f"The pane of {self.plugin.title} failed to load: {exc} "
                             "(o shows the overview)", classes="error-text", markup=False)
            else:
                yield pane_cls(self.plugin)
        yield Footer()

    def action_back(self) -> None:
        self.app.pop_screen()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "overview":
            # not when shown already, nor for what has nothing in the cluster to show
            # (the Helm releases pane: no workloads, chart or API groups of its own)
            p = self.plugin
            return not self.overview and bool(p.workload_selectors or p.api_groups or p.chart)
        return True

    def action_overview(self) -> None:
        self.app.push_screen(ComponentScreen(self.plugin, overview=True))


__all__ = ["ComponentScreen", "StatusBar"]
