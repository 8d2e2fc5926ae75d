"""``api.hold_first_paint``: a component screen's first frame waits for its pane's first data
(at most a bound), keys work meanwhile, and a screen that painted is never held.

Driven with keys from the board, with a test pane (a pane class is a plugin's setting)."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from k8s_essentials_tui.api import ComponentScreen, PluginPane, hold_first_paint
from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.screens.main import MainScreen
from k8s_essentials_tui.widgets.board import Board
from testkit.wait import wait_until


class HeldPane(PluginPane):
    """Holds its screen's first frame for :attr:`data` (set by each test)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("x", "hit", "Hit")]
    can_focus = True
    data: ClassVar[asyncio.Future[None] | None] = None
    at_most: ClassVar[float] = 30.0
    hits: ClassVar[int] = 0

    def compose(self) -> ComposeResult:
        yield Static(Text("held pane"), id="held")

    def on_mount(self) -> None:
        super().on_mount()
        self.focus()
        assert HeldPane.data is not None
        hold_first_paint(self.screen, HeldPane.data, HeldPane.at_most)

    def action_hit(self) -> None:
        HeldPane.hits += 1


def _app() -> EssentialsApp:
    app = EssentialsApp(StartOptions(connect=False))
    first = app.registry.ordered()[0]
    app.registry.plugins[first.id] = dataclasses.replace(first, pane=f"{__name__}:HeldPane")
    return app


async def _open(pilot: Any) -> ComponentScreen:
    app = pilot.app
    await wait_until(pilot, lambda: isinstance(app.screen, MainScreen)
                     and app.screen.query_one(Board).query_one("DataTable").row_count > 0)
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(app.screen, ComponentScreen)
                     and bool(app.screen.query("#held")))
    screen = app.screen
    assert isinstance(screen, ComponentScreen)
    return screen


def _shown(app: EssentialsApp) -> str:
    """The screen's text as painted (the screenshot's non-breaking spaces as spaces)."""
    return app.export_screenshot().replace("&#160;", " ")


def _new_hold(at_most: float = 30.0) -> asyncio.Future[None]:
    HeldPane.data = asyncio.get_running_loop().create_future()
    HeldPane.at_most, HeldPane.hits = at_most, 0
    return HeldPane.data


async def test_the_first_frame_waits_for_the_data_and_keys_work_meanwhile() -> None:
    data = _new_hold()
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot)
        await asyncio.sleep(0.2)  # not pilot.pause(): a held screen is not idle
        # laid out (the pane has its size), nothing painted yet
        assert screen.query_one("#held").size.width > 0
        assert not screen._painted
        await pilot.press("x")  # a key during the hold reaches the pane
        assert HeldPane.hits == 1
        data.set_result(None)
        await wait_until(pilot, lambda: screen._painted, what="the first frame")
        assert "held pane" in _shown(app)


async def test_the_first_frame_waits_at_most_the_bound() -> None:
    _new_hold(at_most=0.3)  # the data never comes
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot)
        await wait_until(pilot, lambda: screen._painted, timeout=10,
                         what="the first frame after the bound")


async def test_escape_during_the_hold_goes_back_and_the_board_paints() -> None:
    _new_hold()
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot)
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen))
        await pilot.pause()
        assert app.is_running


async def test_a_screen_that_painted_is_never_held() -> None:
    data = _new_hold()
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot)
        data.set_result(None)
        await wait_until(pilot, lambda: screen._painted)
        never: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        hold_first_paint(screen, never)  # too late: changes nothing
        assert screen._paint_hold is None
        screen.query_one("#held", Static).update(Text("changed"))
        await pilot.pause()
        assert "changed" in _shown(app)
        never.cancel()
