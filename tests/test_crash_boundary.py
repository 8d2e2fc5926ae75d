"""The crash boundary: a pane that raises shows an error there; the app keeps running, and
no path ends in Textual's traceback with locals (that printed a TLS Secret's key once).

Faults are injected with test panes (a pane class is a plugin's setting), opened from the
board with the keyboard.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import pytest
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.screens.component import ComponentScreen
from k8s_essentials_tui.screens.main import MainScreen
from k8s_essentials_tui.widgets.board import Board
from k8s_essentials_tui.widgets.crash import PaneBoundary
from k8s_essentials_tui.widgets.pane import PluginPane
from testkit.wait import wait_until

#: a value only a traceback *with locals* would print
SECRET = "-----BEGIN PRIVATE KEY-----SUPERSECRET"


def _fail(where: str) -> None:
    key_material = SECRET  # noqa: F841 -- a local, as the TLS Secret's data was
    raise ValueError(f"boom in {where}")


class Drawing(Static):
    """Renders normally until ``broken``; then ``render`` raises (inside the compositor)."""

    broken = False

    def render(self) -> Any:
        if self.broken:
            _fail("render")
        return Text("drawing")


class FaultPane(PluginPane):
    """A pane with one fault per key: a handler, a worker, a render."""

    BINDINGS = [Binding("x", "boom", "Boom"), Binding("w", "boom_worker", "Boom worker"),
                Binding("r", "boom_render", "Boom render")]
    can_focus = True

    def compose(self) -> ComposeResult:
        yield Static(Text("fault pane ready"), id="ready")
        yield Drawing(id="drawing")

    def on_mount(self) -> None:
        super().on_mount()
        self.focus()

    def action_boom(self) -> None:
        _fail("a key handler")

    def action_boom_worker(self) -> None:
        self._work()

    @work(exclusive=True, group="boom")
    async def _work(self) -> None:
        _fail("a worker")

    def action_boom_render(self) -> None:
        drawing = self.query_one(Drawing)
        drawing.broken = True
        drawing.refresh()


class MountFaultPane(PluginPane):
    def on_mount(self) -> None:
        _fail("on_mount")


class ComposeFaultPane(PluginPane):
    def compose(self) -> ComposeResult:
        _fail("compose")
        yield Static("never")


def _app_with_pane(pane_cls: type) -> tuple[EssentialsApp, str]:
    """The app whose first board row's component has ``pane_cls`` as its pane."""
    app = EssentialsApp(StartOptions(connect=False))
    ordered = app.registry.ordered()
    first = ordered[0]
    app.registry.plugins[first.id] = dataclasses.replace(
        first, pane=f"{__name__}:{pane_cls.__name__}")
    return app, first.id


def _crash_line(app: EssentialsApp) -> str:
    boundary = app.screen.query_one(PaneBoundary)
    assert boundary.failed
    return str(boundary.query_one("#pane-crash", Static).render())


async def _open_first(pilot: Any) -> None:
    app = pilot.app
    await wait_until(pilot, lambda: isinstance(app.screen, MainScreen)
                 and app.screen.query_one(Board).query_one("DataTable").row_count > 0)
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(app.screen, ComponentScreen))
    await pilot.pause()


@pytest.mark.parametrize(("key", "where"), [("x", "a key handler"), ("w", "a worker"),
                                            ("r", "render")])
async def test_a_failing_pane_shows_an_error_and_the_app_keeps_running(
        key: str, where: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    app, _pid = _app_with_pane(FaultPane)
    async with app.run_test(size=(100, 30)) as pilot:
        await _open_first(pilot)
        assert app.screen.query_one("#ready", Static)
        await pilot.press(key)
        await wait_until(pilot, lambda: bool(app.screen.query("#pane-crash")))
        line = _crash_line(app)
        assert f"boom in {where}" in line and "app.log" in line
        assert "escape goes back" in line
        await pilot.pause()
        # the pane is stopped, the screen works: escape goes back to the board
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen))
        # other screens still work: help opens and closes
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "HelpScreen")
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen))
        assert app.is_running
    assert app.return_code in (0, None)
    logged = caplog.text
    assert f"boom in {where}" in logged and "Traceback" in logged
    assert "SUPERSECRET" not in logged  # a traceback without locals


@pytest.mark.parametrize("pane_cls", [MountFaultPane, ComposeFaultPane])
async def test_a_pane_that_fails_to_start_shows_an_error(pane_cls: type) -> None:
    app, _pid = _app_with_pane(pane_cls)
    async with app.run_test(size=(100, 30)) as pilot:
        await _open_first(pilot)
        await wait_until(pilot, lambda: bool(app.screen.query("#pane-crash")))
        assert "boom in" in _crash_line(app)
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen))
        assert app.is_running


async def test_an_error_outside_a_pane_exits_with_one_line_never_locals(
        caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Outside any pane the app cannot know what is still sound: it exits -- with one line
    (no rich traceback, whose locals would print data) and the traceback in app.log."""
    caplog.set_level(logging.INFO)
    app = EssentialsApp(StartOptions(connect=False))

    def broken_open(self: Board) -> None:
        _fail("the board")

    monkeypatch.setattr(Board, "action_open", broken_open)
    with pytest.raises(ValueError, match="boom in the board"):
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_until(pilot, lambda: app.screen.query_one(Board)
                         .query_one("DataTable").row_count > 0)
            await pilot.press("enter")
            await pilot.pause()
    err = capsys.readouterr().err
    assert "internal error: ValueError: boom in the board" in err
    assert "SUPERSECRET" not in err and "Traceback" not in err
    assert len([line for line in err.splitlines() if line.strip()]) <= 2
    assert app.return_code == 1
    assert "boom in the board" in caplog.text and "SUPERSECRET" not in caplog.text
