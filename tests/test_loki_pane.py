"""The Loki pane with Pilot (keyboard only) against the fake Loki by direct URL, plus SVG
snapshots at 80x24 and 120x40: editor with completion open, results, tail, error state."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.plugins.loki.logql import to_ns
from k8s_essentials_tui.plugins.loki.pane import LokiPane, sparkline
from k8s_essentials_tui.settings import parse_settings, state_dir
from testkit.fake_loki import FakeLoki, FakeLokiServer
from testkit.wait import wait_until

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SHOP = {"namespace": "shop", "app": "checkout", "pod": "checkout-0"}
PAY = {"namespace": "payments", "app": "ledger", "pod": "ledger-0"}
SIZES = [(80, 24), (120, 40)]


def ago(seconds: float) -> int:
    return to_ns(NOW) - int(seconds * 1e9)


@pytest.fixture
def fake() -> Iterator[FakeLokiServer]:
    loki = FakeLoki(clock=lambda: NOW.timestamp())
    loki.add(SHOP, [(ago(i * 7), f"GET /api/cart/{i} 200 {i % 13}ms" if i % 9 else
                     f"ERROR payment failed order={1000 + i} code=51") for i in range(1, 400)])
    loki.add(PAY, [(ago(i * 60), f'level=info msg="booked" txn={i}') for i in range(1, 50)])
    with FakeLokiServer(loki).start() as srv:
        yield srv


def make_app(srv: FakeLokiServer) -> EssentialsApp:
    settings = parse_settings({"loki": {"url": srv.url}})
    return EssentialsApp(StartOptions(now=NOW, connect=False, settings=settings))


async def open_pane(pilot, app: EssentialsApp) -> LokiPane:  # type: ignore[no-untyped-def]
    app.open_plugin("loki")
    await pilot.pause()
    pane = app.screen.query_one(LokiPane)
    while pane.client is None:
        await pilot.pause(0.05)
    # the fake's port is random: show a stable name in pictures
    pane.client.endpoint.description = "http://loki.test:3100"
    pane._render_settings()
    pane.editor.text = ""
    pane.editor.cursor_blink = False  # deterministic pictures
    return pane


def status(pane: LokiPane) -> str:
    return str(pane.query_one("#loki-status").render())


async def test_completion_builds_a_query_and_runs_it(fake: FakeLokiServer) -> None:
    app = make_app(fake)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_pane(pilot, app)
        await pilot.press("{", "n")
        await wait_until(pilot, lambda: pane._items == ["namespace"])
        await pilot.press("enter")           # label name -> operator list
        await wait_until(pilot, lambda: pane._items[:1] == ["="])
        await pilot.press("enter")           # "=" -> values of namespace, from the API
        await wait_until(pilot, lambda: pane._items == ["payments", "shop"])
        await pilot.press("down", "enter")
        assert pane.editor.text == '{namespace="shop"'
        await pilot.press("}", "enter")
        await wait_until(pilot, lambda: "lines" in status(pane))
        assert len(pane.view.entries) == 399
        assert pane.view.entries[0].line == "GET /api/cart/1 200 1ms"
        # history is persisted in the state dir
        doc = json.loads((state_dir() / "loki-history.json").read_text())
        assert doc["history"][0] == '{namespace="shop"}'


async def _status_after(srv: FakeLokiServer, query: str, until) -> str:  # type: ignore[no-untyped-def]
    """Run ``query`` in a fresh pane; the status line once ``until(status)`` holds."""
    app = make_app(srv)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_pane(pilot, app)
        pane.editor.text = query
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: until(status(pane)))
        await pilot.pause(0.3)  # a /labels check, when one is made, has had its time
        return status(pane)


async def test_an_empty_result_says_whether_loki_holds_any_log_at_all(
        fake: FakeLokiServer) -> None:
    """0 lines from a narrow query is normal; 0 lines because nothing ships logs to Loki
    (no collector: the usual week-1 gap) gets a hint. One /labels request tells them apart."""
    narrow = await _status_after(fake, '{namespace="shop"} |= "no such text"',
                                 lambda text: "0 lines" in text)
    assert "holds no logs" not in narrow
    with FakeLokiServer(FakeLoki(clock=lambda: NOW.timestamp())).start() as empty:
        text = await _status_after(empty, '{namespace="shop"}',
                                   lambda text: "holds no logs at all" in text)
    assert "Grafana Alloy, Promtail" in text


async def test_parse_error_is_shown_and_the_query_kept(fake: FakeLokiServer) -> None:
    app = make_app(fake)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_pane(pilot, app)
        pane.editor.text = '{app="checkout" |= "x"'
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: pane.query_one("#loki-error").has_class("shown"))
        assert "parse error at line 1" in str(pane.query_one("#loki-error").render())
        assert pane.editor.text == '{app="checkout" |= "x"'


async def test_search_detail_wrap_and_labels(fake: FakeLokiServer) -> None:
    app = make_app(fake)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_pane(pilot, app)
        pane.editor.text = '{app="checkout"}'
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(pane.view.entries) == 399)
        pane.view.focus()
        await pilot.press("slash", *"order=1018", "enter")
        assert "1 lines match" in status(pane)
        assert pane.view.entries[pane.view.cursor].line.endswith("order=1018 code=51")
        await pilot.press("enter")
        await pilot.pause()
        from k8s_essentials_tui.plugins.loki.pane import DetailScreen

        assert isinstance(app.screen, DetailScreen)
        text = str(app.screen.query_one("#detail-labels").render())
        assert 'pod                  checkout-0' in text
        await pilot.press("escape")
        await pilot.press("w", "l")
        assert pane.view.wrap and not pane.view.show_labels


async def test_metric_query_renders_a_table_with_sparklines(fake: FakeLokiServer) -> None:
    app = make_app(fake)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_pane(pilot, app)
        pane.editor.text = 'sum by (namespace) (count_over_time({namespace=~".+"}[5m]))'
        await pilot.press("enter")
        await wait_until(pilot, lambda: "matrix" in status(pane))
        from textual.widgets import DataTable

        table = pane.query_one(DataTable)
        assert table.row_count == 2
        assert str(table.get_row_at(1)[0]) == '{namespace="shop"}'


async def test_tail_pause_dropped_and_bounded_buffer(fake: FakeLokiServer) -> None:
    app = make_app(fake)
    loki = fake.loki
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_pane(pilot, app)
        pane.editor.text = '{app="ledger"}'
        pane.view.focus()
        await pilot.press("ctrl+b")              # buffer 10000 -> 50000 ...
        pane.view.set_max_lines(5)               # ... the operator may also pick a small one
        await pilot.press("f")
        await wait_until(pilot, lambda: loki.tail_count == 1)
        await wait_until(pilot, lambda: len(pane.view.entries) == 1)  # history: last minute
        loki.add(PAY, [(ago(-i), f"live {i}") for i in range(1, 9)])
        await wait_until(pilot, lambda: pane.view.entries[-1].line == "live 8")
        assert len(pane.view.entries) == 5 and pane.view.evicted == 4
        await pilot.press("p")
        loki.add(PAY, [(ago(-20), "while paused")])
        loki.report_dropped(PAY, [ago(-21), ago(-22), ago(-23)])
        await wait_until(pilot, lambda: "dropped by Loki: 3" in status(pane))
        assert pane.view.entries[-1].line == "live 8"   # frozen while paused
        assert status(pane).startswith("paused") and "1 waiting" in status(pane)
        await pilot.press("p")
        await wait_until(pilot, lambda: pane.view.entries[-1].line == "while paused")
        await pilot.press("f")
        await wait_until(pilot, lambda: loki.tail_count == 0)
        assert not pane.tailing


def test_sparkline() -> None:
    assert sparkline([0, 1, 2, 3]) == "▁▃▅█"
    assert sparkline([]) == ""


# -- snapshots -----------------------------------------------------------------------------

async def _completion_open(pilot) -> None:  # type: ignore[no-untyped-def]
    pane = await open_pane(pilot, pilot.app)
    await pilot.press("{", "a", "p", "p", "=")
    await wait_until(pilot, lambda: pane._items[:1] == ["="])
    await pilot.press("enter")
    await wait_until(pilot, lambda: pane._items == ["checkout", "ledger"])


async def _results(pilot) -> None:  # type: ignore[no-untyped-def]
    pane = await open_pane(pilot, pilot.app)
    pane.editor.text = '{namespace="shop"} |= "ERROR"'
    await pilot.press("enter")
    await wait_until(pilot, lambda: "lines" in status(pane))
    pane.view.focus()
    await pilot.pause()


async def _tail(pilot) -> None:  # type: ignore[no-untyped-def]
    pane = await open_pane(pilot, pilot.app)
    loki = pilot.app._fake.loki
    pane.editor.text = '{app="ledger"}'
    pane.view.focus()
    await pilot.press("f")
    await wait_until(pilot, lambda: loki.tail_count == 1 and len(pane.view.entries) == 1)
    loki.add(PAY, [(ago(-i), f'level=info msg="booked" txn={100 + i}') for i in range(1, 6)])
    loki.report_dropped(PAY, [ago(-30)])
    await wait_until(pilot, lambda: len(pane.view.entries) == 6 and pane.dropped == 1)
    await pilot.pause(0.3)


async def _error(pilot) -> None:  # type: ignore[no-untyped-def]
    pane = await open_pane(pilot, pilot.app)
    pane.editor.text = '{app="checkout"} |= "x" | json | level="error'
    await pilot.press("enter")
    await wait_until(pilot, lambda: pane.query_one("#loki-error").has_class("shown"))
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("scene", ["completion_open", "results", "tail", "error"])
def test_snapshot(scene: str, size: tuple[int, int], fake: FakeLokiServer,
                  snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = make_app(fake)
    app._fake = fake  # type: ignore[attr-defined]
    run_before = {"completion_open": _completion_open, "results": _results, "tail": _tail,
                  "error": _error}[scene]
    assert snap_compare(app, terminal_size=size, run_before=run_before)


async def test_escape_leaves_the_pane_like_every_other_pane() -> None:
    """k9s habit: escape goes back; from the query editor it first leaves the editor (issue
    #17: escape never throws away what was typed), the second escape goes back."""
    from k8s_essentials_tui.app import EssentialsApp, StartOptions

    app = EssentialsApp(StartOptions(connect=False))
    async with app.run_test(size=(120, 40)) as pilot:
        app.open_plugin("loki")
        await pilot.pause(0.3)
        assert type(app.screen).__name__ == "ComponentScreen"
        await pilot.press("escape")
        await pilot.pause(0.3)
        assert type(app.screen).__name__ == "ComponentScreen"
        await pilot.press("escape")
        await pilot.pause(0.3)
        assert type(app.screen).__name__ == "MainScreen"


@pytest.mark.parametrize("body", [
    {"status": "success", "data": {"resultType": "streams", "result": "x"}},
    {"status": "success", "data": {"resultType": "streams",
                                   "result": [{"stream": {}, "values": [["x", "a"]]}]}},
    {"status": "success", "data": {"resultType": "matrix", "result": [{"values": [[1]]}]}},
])
async def test_an_answer_of_the_wrong_shape_is_an_error_not_running_forever(
        fake: FakeLokiServer, body: dict) -> None:
    """Issue #15 finding 10: a wrongly shaped Loki JSON left the pane on "running…"."""
    fake.loki.answer_next(body)
    app = make_app(fake)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_pane(pilot, app)
        pane.editor.text = '{namespace="shop"}'
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: pane.query_one("#loki-error").has_class("shown"))
        assert "unexpected shape" in str(pane.query_one("#loki-error").render())
        assert "running" not in status(pane)
        assert app.is_running
