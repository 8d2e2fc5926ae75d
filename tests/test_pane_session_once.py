"""A pane's ``on_session_ready`` runs once per open, although Textual calls the
``on_mount`` of every class in the MRO and a pane's own ``on_mount`` calls
``super().on_mount()`` (as most bundled panes do): before the guard in ``PluginPane``, every
pane subscribed and started its workers twice. Opened from the board with the keyboard,
against the real apiserver."""

from __future__ import annotations

import dataclasses

from textual.app import ComposeResult
from textual.widgets import Static

from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.screens.component import ComponentScreen
from k8s_essentials_tui.screens.main import MainScreen
from k8s_essentials_tui.widgets.board import Board
from k8s_essentials_tui.widgets.pane import PluginPane
from testkit.wait import wait_until

CALLS: list[str] = []


class CountingPane(PluginPane):
    def compose(self) -> ComposeResult:
        yield Static("counting")

    def on_mount(self) -> None:
        super().on_mount()

    def on_session_ready(self) -> None:
        CALLS.append("ready")


async def test_on_session_ready_runs_once_per_open(kubeconfig: str) -> None:
    CALLS.clear()
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig))
    first = app.registry.ordered()[0]
    app.registry.plugins[first.id] = dataclasses.replace(
        first, pane=f"{__name__}:{CountingPane.__name__}")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: app.session is not None and isinstance(
            app.screen, MainScreen) and app.screen.query_one(Board).query_one(
            "DataTable").row_count > 0)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ComponentScreen)
                         and bool(app.screen.query(CountingPane)))
        await pilot.pause()
        assert CALLS == ["ready"]


async def test_a_pane_opened_before_the_connection_subscribes_once_connected(
        kubeconfig: str) -> None:
    """``:``-opened right at start-up, before the app has connected: the pane gets its
    ``on_session_ready`` when the session arrives (it stayed "Loading…" until reopened)."""
    CALLS.clear()
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, connect=False))
    first = app.registry.ordered()[0]
    app.registry.plugins[first.id] = dataclasses.replace(
        first, pane=f"{__name__}:{CountingPane.__name__}")
    async with app.run_test(size=(100, 30)) as pilot:
        app.open_plugin(first.id)
        await wait_until(pilot, lambda: bool(app.screen.query(CountingPane)))
        assert app.session is None and CALLS == []
        app.connect()
        await wait_until(pilot, lambda: CALLS == ["ready"])
        await pilot.pause(0.2)
        assert CALLS == ["ready"]
