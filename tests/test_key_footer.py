"""KeyFooter: Textual's footer, its key widgets updated in place (tui/widgets/key_footer.py).

Every test drives the focus (or keys) and compares what the footer shows with what
Textual's own ``Footer`` shows in the same app state: the same keys, in the same order, the
same disabled ones -- the picture must not change, only how it is reached."""

from __future__ import annotations

import asyncio
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widget import Widget
from textual.widgets import Footer, Input
from textual.widgets._footer import FooterKey

from k8s_essentials_tui.api import KeyFooter, hold_first_keys
from k8s_essentials_tui.widgets.key_footer import HOLD_AT_MOST


class Pane(Widget, can_focus=True):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("x", "app.hit('x')", "Do X")]


class Wide(Widget, can_focus=True):
    """More keys than the others, one of them disabled while ``locked``."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "app.hit('y')", "Why"),
        Binding("z", "app.hit('z')", "Zed, a longer label"),
        Binding("w", "locked", "Locked"),
        Binding("v", "app.hit('v')", "Hidden", show=False),
    ]
    locked = True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "locked":
            return None if self.locked else True  # None: shown, disabled
        return True

    def action_locked(self) -> None:
        app = self.app
        assert isinstance(app, FooterApp)
        app.hits.append("w")


class FooterApp(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "hit('q')", "Quit")]

    def __init__(self, footer: type[Footer] = KeyFooter) -> None:
        super().__init__()
        self.footer_type = footer
        self.hits: list[str] = []

    def compose(self) -> ComposeResult:
        yield Pane(id="a")
        yield Pane(id="b")
        yield Input(id="c")
        yield Wide(id="d")
        yield self.footer_type()

    def action_hit(self, name: str) -> None:
        self.hits.append(name)


def keys(app: App[None]) -> list[FooterKey]:
    return list(app.screen.query(FooterKey))


def shown(app: App[None]) -> list[tuple[str, str, bool, bool]]:
    """What the footer shows: (key, label, disabled, palette) of each displayed key in
    DOM order (the palette key is docked right, wherever it is in the DOM)."""
    return [(k.key, k.description, k.has_class("-disabled"), k.has_class("-command-palette"))
            for k in keys(app) if k.display]


async def walk(app: FooterApp, steps: list[str]) -> list[list[tuple[str, str, bool, bool]]]:
    """Focus each widget id in turn ("unlock" enables Wide's disabled key); what the
    footer shows after each step."""
    seen = []
    async with app.run_test(size=(80, 24)) as pilot:
        for step in steps:
            if step == "unlock":
                app.query_one(Wide).locked = False
                app.screen.refresh_bindings()
            else:
                app.query_one(f"#{step}").focus()
            await pilot.pause()
            await pilot.pause()
            seen.append(shown(app))
    return seen


STEPS = ["a", "d", "c", "b", "d", "unlock", "a", "c", "d"]


async def test_shows_what_textuals_footer_shows() -> None:
    ours = await walk(FooterApp(KeyFooter), STEPS)
    theirs = await walk(FooterApp(Footer), STEPS)
    assert ours == theirs
    assert ours[0][:2] == [("x", "Do X", False, False), ("q", "Quit", False, False)]
    assert ("w", "Locked", True, False) in ours[1]
    assert ("w", "Locked", False, False) in ours[5]
    assert not any(label == "Hidden" for _k, label, _d, _p in ours[1])


async def test_key_widgets_reused_not_remounted() -> None:
    app = FooterApp()
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one("#a").focus()
        await pilot.pause()
        first = keys(app)
        app.query_one("#b").focus()  # the same keys shown: untouched
        await pilot.pause()
        app.screen.refresh_bindings()
        await pilot.pause()
        assert keys(app) == first
        app.query_one("#d").focus()  # more keys: the two extra ones mounted, once
        await pilot.pause()
        await pilot.pause()
        most = keys(app)
        assert set(first) <= set(most)
        for step in ("c", "a", "d", "b", "c", "d"):  # back and forth: no new widgets
            app.query_one(f"#{step}").focus()
            await pilot.pause()
            await pilot.pause()
            assert keys(app) == most
        assert not any(k.has_class("-compact") for k in most)


async def test_click_on_a_rewritten_key_runs_its_new_action() -> None:
    app = FooterApp()
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one("#a").focus()
        await pilot.pause()
        app.query_one("#d").focus()
        await pilot.pause()
        await pilot.pause()
        why = next(k for k in keys(app) if k.display and k.description == "Why")
        assert await pilot.click(why)
        await pilot.pause()
        locked = next(k for k in keys(app) if k.display and k.description == "Locked")
        assert await pilot.click(locked)  # disabled: a bell, no action
        await pilot.pause()
        assert app.hits == ["y"]
        app.query_one(Wide).locked = False
        app.screen.refresh_bindings()
        await pilot.pause()
        await pilot.pause()
        assert not locked.has_class("-disabled")
        assert await pilot.click(locked)
        await pilot.pause()
        assert app.hits == ["y", "w"]


async def test_compact_reaches_every_key() -> None:
    app = FooterApp()
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one("#a").focus()
        await pilot.pause()
        app.query_one("#d").focus()  # keys mounted by the in-place update
        await pilot.pause()
        await pilot.pause()
        app.screen.query_one(KeyFooter).compact = True
        await pilot.pause()
        plain = [k for k in keys(app) if not k.has_class("-command-palette")]
        assert plain and all(k.has_class("-compact") for k in plain)


class HeldApp(FooterApp):
    """The first keys wait for ``data`` (hold_first_keys, as a pane with its first answer
    on the way calls it from ``on_mount``, before its screen's first bindings signal)."""

    def __init__(self) -> None:
        super().__init__()
        self.data: asyncio.Future[None] | None = None

    def compose(self) -> ComposeResult:
        self.data = asyncio.get_running_loop().create_future()
        hold_first_keys(self.screen, self.data)  # before the screen's first bindings signal
        yield from super().compose()


async def test_first_keys_wait_for_the_panes_data() -> None:
    app = HeldApp()
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one("#a").focus()
        # not pilot.pause(): it waits for the app to be idle, and the footer waiting for
        # the data is not idle (the bound below)
        await asyncio.sleep(HOLD_AT_MOST / 3)
        assert shown(app) == []  # the data is not here yet: no keys built
        assert app.data is not None
        app.data.set_result(None)
        await pilot.pause()
        await pilot.pause()
        assert shown(app)[:2] == [("x", "Do X", False, False), ("q", "Quit", False, False)]


async def test_first_keys_wait_at_most_the_bound() -> None:
    app = HeldApp()
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one("#a").focus()
        await pilot.pause(HOLD_AT_MOST + 0.2)  # the data never comes
        await pilot.pause()
        assert ("q", "Quit", False, False) in shown(app)


async def test_a_failed_wait_still_draws_the_keys() -> None:
    app = HeldApp()
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.data is not None
        app.data.cancel()  # the pane's first request was cancelled (the pane closed, ...)
        await pilot.pause()
        await pilot.pause()
        assert ("q", "Quit", False, False) in shown(app)
