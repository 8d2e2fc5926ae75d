"""KeyFooter: Textual's footer, rebuilt only when its keys change (tui/widgets/key_footer.py)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Input
from textual.widgets._footer import FooterKey

from k8s_essentials_tui.api import KeyFooter


class Pane(Widget, can_focus=True):
    BINDINGS = [Binding("x", "noop", "Do X")]

    def action_noop(self) -> None:
        pass


class FooterApp(App[None]):
    BINDINGS = [Binding("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Pane(id="a")
        yield Pane(id="b")
        yield Input(id="c")
        yield KeyFooter()


def keys(app: App[None]) -> list[FooterKey]:
    return list(app.screen.query(FooterKey))


async def test_same_keys_no_rebuild_other_keys_rebuilt() -> None:
    app = FooterApp()
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one("#a").focus()
        await pilot.pause()
        before = keys(app)
        assert [k.description for k in before][:2] == ["Do X", "Quit"]
        assert not any(k.has_class("-compact") for k in before)
        app.query_one("#b").focus()  # the same keys shown: the same widgets
        await pilot.pause()
        app.screen.refresh_bindings()
        await pilot.pause()
        assert keys(app) == before
        app.query_one("#c").focus()  # an input: "Do X" is gone, the footer is rebuilt
        await pilot.pause()
        await pilot.pause()
        after = keys(app)
        assert "Do X" not in [k.description for k in after]
        assert not set(after) & set(before)
