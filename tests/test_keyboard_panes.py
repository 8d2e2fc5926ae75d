"""Issue #17 (panes) and #25: the keyboard in the plugin panes, driven by keys only, at 80x24
and 120x40 -- table focused with a row selected on open, vi keys in every table, focus back
after a dialog, a key burst that lands in the search box, escape that clears a filter before
going back and never loses the Loki query, dialogs whose buttons and command fit 80x24.

These need no cluster (the fake telepresence CLI, the fake Loki by URL); the Velero, Helm
and certificate cases run on the real apiserver in ``test_keyboard_panes_e2e.py``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, DataTable

from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.plugins.loki.logview import LogView
from k8s_essentials_tui.plugins.loki.pane import LokiPane, QueryEditor
from k8s_essentials_tui.plugins.telepresence.forms import InterceptForm
from k8s_essentials_tui.plugins.telepresence.pane import TelepresencePane
from k8s_essentials_tui.screens.confirm import ConfirmScreen
from k8s_essentials_tui.settings import Settings, parse_settings
from testkit.fake_loki import FakeLoki, FakeLokiServer
from testkit.fake_telepresence import FakeTelepresence
from testkit.hostile import painted_text
from testkit.wait import wait_until
from tests.conftest import FIXED_NOW

SIZES = [(80, 24), (120, 40)]


async def burst(pilot: Pilot, text: str) -> None:
    """Keys as a terminal delivers a paste or a fast typist over SSH: all queued at once
    (``pilot.press`` waits until each key is handled, which hides the race of #25)."""
    import unicodedata

    from textual import events
    from textual.keys import _character_to_key, _get_unicode_name_from_key

    driver = pilot.app._driver
    assert driver is not None
    for ch in text:
        key = ch if ch.isalnum() else _character_to_key(ch)
        try:
            char: str | None = unicodedata.lookup(_get_unicode_name_from_key(key))
        except KeyError:
            char = ch
        event = events.Key(key, char)
        event.set_sender(pilot.app)
        driver.send_message(event)
    for _ in range(5):
        await pilot.pause()


def screen_text(app: EssentialsApp) -> str:
    return "\n".join(painted_text(app))


def fully_on_screen(app: EssentialsApp, widget: Button) -> bool:
    """The widget is painted whole: inside the screen and not cut by its scrolling parent."""
    region = widget.region
    return (region.height > 0 and region.bottom <= app.size.height
            and widget.parent is not None
            and widget.parent.region.contains_region(region)
            and widget.screen.find_widget(widget) is not None)


# -- Telepresence -------------------------------------------------------------------------------


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeTelepresence:
    f = FakeTelepresence(tmp_path / "tp")
    f.install(monkeypatch)
    f.connect_now("shop")
    return f


def tp_app() -> EssentialsApp:
    settings = Settings()
    settings.values["telepresence.timeout_seconds"] = 20
    return EssentialsApp(StartOptions(connect=False, now=FIXED_NOW, settings=settings))


async def open_tp(pilot: Pilot) -> TelepresencePane:
    app = pilot.app
    assert isinstance(app, EssentialsApp)
    app.open_plugin("telepresence")
    await wait_until(pilot, lambda: bool(app.screen.query(TelepresencePane)), what="pane")
    pane = app.screen.query_one(TelepresencePane)
    await wait_until(pilot, lambda: pane.query_one("#tp-workloads", DataTable).row_count >= 3,
                     what="workloads listed")
    return pane


def tp_selected(pane: TelepresencePane) -> str:
    wl = pane.selected_workload()
    return wl.name if wl else ""


@pytest.mark.parametrize("size", SIZES)
async def test_telepresence_table_takes_vi_keys_and_focus_comes_back(
        fake: FakeTelepresence, size: tuple[int, int]) -> None:
    app = tp_app()
    async with app.run_test(size=size) as pilot:
        pane = await open_tp(pilot)
        table = pane.query_one("#tp-workloads", DataTable)
        assert app.screen.focused is table and table.cursor_row == 0
        names = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        await pilot.press("j")
        assert tp_selected(pane) == names[1]
        await pilot.press("G")
        assert tp_selected(pane) == names[-1]
        await pilot.press("g")
        assert tp_selected(pane) == names[0]
        await pilot.press("ctrl+f")
        assert tp_selected(pane) == names[-1]
        await pilot.press("ctrl+b")
        assert tp_selected(pane) == names[0]
        interceptable = [w.name for w in pane.workloads if w.interceptable]
        target = interceptable[-1]
        while tp_selected(pane) != target:
            await pilot.press("j")
        await pilot.press("k", "j")  # back and forth by keys lands on the same row
        assert tp_selected(pane) == target
        await pilot.press("I")
        await wait_until(pilot, lambda: isinstance(app.screen, InterceptForm),
                         what="intercept form")
        await pilot.pause()
        # names the row it acts on, shows its buttons and says how to submit
        text = screen_text(app)
        assert f"Start an intercept of {target} in shop" in text
        assert "ctrl+s intercept · esc cancel" in text
        for button_id in ("#ok", "#cancel"):
            assert fully_on_screen(app, app.screen.query_one(button_id, Button)), button_id
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen.query(TelepresencePane).first(),
                                              TelepresencePane), what="back in the pane")
        await pilot.pause()
        assert app.screen.focused is table and tp_selected(pane) == target
        await pilot.press("I")
        await wait_until(pilot, lambda: isinstance(app.screen, InterceptForm),
                         what="intercept form")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen),
                         what="confirm dialog")
        assert target in app.screen.mutation.title
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmScreen), what="closed")
        await pilot.pause()
        assert app.screen.focused is table and tp_selected(pane) == target


# -- Loki ---------------------------------------------------------------------------------------

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SHOP = {"namespace": "shop", "app": "checkout", "pod": "checkout-0", "container": "main",
        "node": "worker-1", "stream": "stdout"}
SHOP2 = {**SHOP, "pod": "checkout-1"}
CART = {**SHOP, "app": "cart", "container": "cart", "pod": "cart-0"}


@pytest.fixture
def loki() -> Iterator[FakeLokiServer]:
    from k8s_essentials_tui.plugins.loki.logql import to_ns

    fake = FakeLoki(clock=lambda: NOW.timestamp())
    base = to_ns(NOW)
    fake.add(SHOP, [(base - i * 7_000_000_000, f"GET /api/cart/{i} 200 MESSAGE-{i}")
                    for i in range(1, 60)])
    fake.add(SHOP2, [(base - i * 9_000_000_000, f"POST /api/pay/{i} 201 MESSAGE-B{i}")
                     for i in range(1, 30)])
    fake.add(CART, [(base - i * 5_000_000_000, f"PUT /api/cart/{i} 204 MESSAGE-C{i}")
                    for i in range(1, 30)])
    with FakeLokiServer(fake).start() as srv:
        yield srv


def loki_app(srv: FakeLokiServer) -> EssentialsApp:
    return EssentialsApp(StartOptions(now=NOW, connect=False,
                                      settings=parse_settings({"loki": {"url": srv.url}})))


async def open_loki(pilot: Pilot) -> LokiPane:
    app = pilot.app
    assert isinstance(app, EssentialsApp)
    app.open_plugin("loki")
    await wait_until(pilot, lambda: bool(app.screen.query(LokiPane)), what="pane")
    pane = app.screen.query_one(LokiPane)
    await wait_until(pilot, lambda: pane.client is not None, what="Loki connected")
    return pane


async def type_query(pilot: Pilot, pane: LokiPane, query: str) -> None:
    """Select all and type, by keys (completion closed before enter)."""
    await pilot.press("ctrl+a", "shift+end")
    pane.editor.select_all()
    await pilot.press("backspace")
    await pilot.press(*query)
    await pilot.pause()
    if pane._completion is not None:
        await pilot.press("escape")


@pytest.mark.parametrize("size", SIZES)
async def test_loki_escape_keeps_the_query_and_ctrl_g_reaches_results(
        loki: FakeLokiServer, size: tuple[int, int]) -> None:
    app = loki_app(loki)
    async with app.run_test(size=size) as pilot:
        pane = await open_loki(pilot)
        await type_query(pilot, pane, '{app="checkout"} |= "cart"')
        typed = pane.editor.text
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: len(pane.view.entries) > 0, what="results")
        # the key is in the footer; it moves from the editor to the results and back
        assert "Results" in screen_text(app)
        assert isinstance(app.screen.focused, QueryEditor)
        await pilot.press("ctrl+g")
        assert isinstance(app.screen.focused, LogView)
        first = pane.view.cursor
        await pilot.press("j")
        assert pane.view.cursor == first + 1
        await pilot.press("ctrl+g")
        assert isinstance(app.screen.focused, QueryEditor)
        # escape: leaves the editor (for the results), then goes back; the query is kept
        await pilot.press("escape")
        assert isinstance(app.screen.focused, LogView)
        await pilot.press("escape")
        await wait_until(pilot, lambda: not app.screen.query(LokiPane), what="back on the board")
        app.open_plugin("loki")
        await wait_until(pilot, lambda: bool(app.screen.query(LokiPane)), what="pane again")
        assert app.screen.query_one(LokiPane).editor.text == typed


@pytest.mark.parametrize("size", SIZES)
async def test_loki_search_burst_lands_in_the_box_and_escape_clears_it_first(
        loki: FakeLokiServer, size: tuple[int, int]) -> None:
    app = loki_app(loki)
    async with app.run_test(size=size) as pilot:
        pane = await open_loki(pilot)
        await type_query(pilot, pane, '{app="checkout"}')
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: len(pane.view.entries) > 0, what="results")
        await pilot.press("ctrl+g")
        # one burst: "/" must move the focus before "p" (pause) and the rest are handled
        await burst(pilot, "/pay/3")
        await pilot.press("enter")
        assert pane.view.search == "pay/3"
        assert isinstance(app.screen.focused, LogView)
        await pilot.press("escape")  # clears the search, stays in the pane
        assert pane.view.search == "" and app.screen.query(LokiPane)
        await pilot.press("escape")
        await wait_until(pilot, lambda: not app.screen.query(LokiPane), what="back on the board")


@pytest.mark.parametrize("size", SIZES)
async def test_loki_compact_labels_leave_room_for_the_message(
        loki: FakeLokiServer, size: tuple[int, int]) -> None:
    app = loki_app(loki)
    async with app.run_test(size=size) as pilot:
        pane = await open_loki(pilot)
        await type_query(pilot, pane, '{pod="checkout-0"}')
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: len(pane.view.entries) > 0, what="results")
        await pilot.pause()
        text = screen_text(app)
        assert "MESSAGE-1" in text  # one stream: no labels in front of the message
        assert 'node="worker-1"' not in text
        await type_query(pilot, pane, '{app="checkout"}')
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: any("MESSAGE-B" in e.line for e in pane.view.entries),
                         what="two streams")
        await pilot.pause()
        text = screen_text(app)
        # two streams: only the label that tells them apart, and the message still shows
        assert 'pod="checkout-' in text and 'node="worker-1"' not in text
        assert "MESSAGE-" in text
        # three streams, app/container/pod all differ: only pod (it tells the most apart)
        await type_query(pilot, pane, '{namespace="shop"}')
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: any("MESSAGE-C" in e.line for e in pane.view.entries),
                         what="three streams")
        await pilot.pause()
        text = screen_text(app)
        assert 'pod="' in text and 'app="' not in text and "MESSAGE-" in text
        await pilot.press("ctrl+g", "l")  # none
        await pilot.pause()
        assert 'pod="checkout-' not in screen_text(app)
        await pilot.press("l")  # all labels (the old default)
        await pilot.pause()
        assert 'container="main"' in screen_text(app)
