"""The tracing pane, keyboard only, against the REAL Jaeger v2 binary by direct URL (spans sent
with the OpenTelemetry SDK, seeded ids and fixed times so pictures are stable), plus SVG
snapshots at 80x24 and 120x40 and the hostile-text check. Skips when jaeger is not built."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.plugins.jaeger.client import JaegerError
from k8s_essentials_tui.plugins.jaeger.pane import (
    SpanScreen,
    TracingPane,
    open_trace,
    span_detail,
)
from k8s_essentials_tui.settings import parse_settings
from testkit import hostile
from testkit.jaeger import (
    MISSING,
    JaegerServer,
    SentTrace,
    jaeger_binary,
    send_big_trace,
    send_shop_trace,
)

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
NOW_NS = int(NOW.timestamp()) * 10**9
SIZES = [(80, 24), (120, 40)]


class Stand:
    def __init__(self, server: JaegerServer, shop: SentTrace, big: SentTrace) -> None:
        self.server = server
        self.shop = shop
        self.big = big


@pytest.fixture(scope="module")
def stand() -> Iterator[Stand]:
    binary = jaeger_binary()
    if binary is None:
        pytest.skip(MISSING)
    with JaegerServer(binary).start() as server:
        shop = send_shop_trace(server.otlp_url, start_ns=NOW_NS - 600 * 10**9, seed=7)
        older = send_shop_trace(server.otlp_url, start_ns=NOW_NS - 1200 * 10**9, seed=8,
                                operation="GET /cart")
        big = send_big_trace(server.otlp_url, start_ns=NOW_NS - 300 * 10**9, seed=9)
        for sent in (shop, older, big):
            server.wait_for_trace(sent.trace_id, sent.spans, timeout=120)
        yield Stand(server, shop, big)


def make_app(url: str) -> EssentialsApp:
    settings = parse_settings({"jaeger": {"url": url}})
    return EssentialsApp(StartOptions(now=NOW, connect=False, settings=settings))


async def wait_until(pilot, predicate, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    async def loop() -> None:
        while not predicate():
            await pilot.pause(0.05)
    await asyncio.wait_for(loop(), timeout)


def status(pane: TracingPane) -> str:
    return str(pane.query_one("#jaeger-status").render())


async def open_pane(pilot) -> TracingPane:  # type: ignore[no-untyped-def]
    pilot.app.open_plugin("jaeger")
    await pilot.pause()
    pane = pilot.app.screen.query_one(TracingPane)
    await wait_until(pilot, lambda: "services" in status(pane))
    assert pane.client is not None
    pane.client.description = "http://jaeger.test:16686"  # the port is random: stable text
    pane._render_where()
    for box in pane.query("Input"):
        box.cursor_blink = False
    return pane


async def search(pilot, pane: TracingPane, service: str = "frontend") -> None:  # type: ignore[no-untyped-def]
    await pilot.press(*service, "enter")
    await wait_until(pilot, lambda: pane.table.row_count > 0 or "failed" in status(pane))


async def test_search_open_trace_and_walk_the_waterfall(stand: Stand) -> None:
    app = make_app(stand.server.query_url)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_pane(pilot)
        assert pane._services == ["cart", "checkout", "frontend", "gateway", "inventory",
                                  "orders", "payments"]
        await search(pilot, pane)
        assert pane.table.row_count == 2
        first = [str(c).strip() for c in pane.table.get_row_at(0)]
        assert first[1] == "frontend: GET /checkout" and first[4] == "1"  # newest first
        await pilot.press("s")  # sort by duration
        assert "sorted by duration" in status(pane)
        await pilot.press("s", "enter")
        await pilot.pause()
        assert pane.showing_trace() and pane.trace is not None
        assert pane.trace.trace_id == stand.shop.trace_id
        view = pane.waterfall
        assert app.focused is view and view.rows == [0, 1, 2, 3, 4, 5]
        await pilot.press("x")  # the next error span
        assert pane.trace.spans[view.current or 0].operation == "payments.charge"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SpanScreen)
        painted = "\n".join(hostile.painted_text(app))
        assert "payments: payments.charge" in painted and "card declined" in painted
        detail = span_detail(pane.trace, 3).plain  # the part below the fold too
        for expected in ("http.status_code", "payments-0", "CHILD_OF", "exception.message",
                         "self 15ms"):
            assert expected in detail
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.query_one(TracingPane) is pane
        await pilot.press("space")  # fold payments.charge: its db query disappears
        assert view.rows == [0, 1, 2, 3, 5]
        await pilot.press("space", "g", "j", "space")
        assert view.rows == [0, 1]
        await pilot.press("space", "slash", *"cart", "enter")
        await pilot.pause()
        assert [pane.trace.spans[i].operation for i in view.rows] == ["cart.get"]
        await pilot.press("escape")  # clears the filter
        assert len(view.rows) == 6 and view.current == 2  # the cursor stays on cart.get
        await pilot.press("escape")  # back to the results
        assert not pane.showing_trace() and app.focused is pane.table
        await pilot.press("e")  # edit the search: history remembers it
        assert app.focused is pane._input("service")
        await pilot.press("escape", "ctrl+o")
        await pilot.pause()
        assert type(app.screen).__name__ == "HistoryScreen"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "MainScreen"


async def test_search_errors_show_jaegers_message_and_keep_the_form(stand: Stand) -> None:
    app = make_app(stand.server.query_url)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_pane(pilot)
        await pilot.press(*"frontend", "tab", "tab", "tab", *"5s", "tab", *"1s", "enter")
        await wait_until(pilot, lambda: pane.query_one("#jaeger-error").has_class("shown"))
        error = str(pane.query_one("#jaeger-error").render())
        assert error == "'maxDuration' should be greater than 'minDuration'"
        assert pane.form()["min"] == "5s" and pane.form()["max"] == "1s"
        await pilot.pause()
        assert app.focused is pane._input("max")  # the table had it while Jaeger answered
        pane._input("limit").value = "x"
        await pilot.press("enter")
        assert str(pane.query_one("#jaeger-error").render()) == \
            "limit must be a number between 1 and 1500"


def painted(app: EssentialsApp) -> str:
    return "\n".join(hostile.painted_text(app))


async def test_the_frames_a_search_holds_come_back(stand: Stand) -> None:
    """A search holds the screen's frames until its rows are shown (one frame shows the
    focus move and the rows): they come back with the rows, with a failed search's
    error, after 0.1 s when Jaeger is slower, and when the pane is closed meanwhile. The
    request is the real client's, paused before it is sent."""
    app = make_app(stand.server.query_url)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_pane(pilot)
        client = pane.client
        assert client is not None
        real = client.search
        gate = asyncio.Event()
        fail = False

        async def search(query):  # type: ignore[no-untyped-def]
            await gate.wait()  # not answered yet
            if fail:
                raise JaegerError("connection refused (before sending)")
            return await real(query)

        client.search = search  # type: ignore[method-assign]
        pane._input("service").value = "frontend"
        pane.action_search()
        assert app._batch_count == 1  # held
        gate.set()  # answered
        await wait_until(pilot, lambda: pane.table.row_count == 2)
        await pilot.pause()
        assert app._batch_count == 0 and "frontend: GET /checkout" in painted(app)

        gate.clear()  # Jaeger is slow: the focus move is painted after 0.1 s
        pane.action_search()
        assert app._batch_count == 1
        await pilot.pause(0.3)
        assert app._batch_count == 0 and "searching frontend" in painted(app)
        fail = True  # it fails: the error is painted
        gate.set()
        await wait_until(pilot, lambda: "failed" in status(pane))
        await pilot.pause()
        assert app._batch_count == 0 and "connection refused" in painted(app)

        gate.clear()  # the pane goes while its search is held: the app still paints
        pane.action_search()
        assert app._batch_count == 1
        app.pop_screen()
        await pilot.pause(0.3)
        assert type(app.screen).__name__ == "MainScreen" and app._batch_count == 0
        assert "svc" not in painted(app) and painted(app).strip()


async def test_t_on_a_loki_line_opens_its_trace(stand: Stand) -> None:
    """Logs -> traces: a log line carrying ``traceID=...`` opens that trace (``t`` in the
    results and in a line's detail view, ``T`` kept as an alias); a line without one says
    so in the status line and nothing else happens (``t`` no longer tails)."""
    from k8s_essentials_tui.plugins.loki.logql import to_ns
    from k8s_essentials_tui.plugins.loki.pane import DetailScreen, LokiPane
    from testkit.fake_loki import FakeLoki, FakeLokiServer

    loki = FakeLoki(clock=lambda: NOW.timestamp())
    labels = {"namespace": "shop", "app": "payments"}
    loki.add(labels, [(to_ns(NOW) - 5 * 10**9, f"charge failed traceID={stand.shop.trace_id}"),
                      (to_ns(NOW) - 9 * 10**9, "no id here")])
    with FakeLokiServer(loki).start() as srv:
        settings = parse_settings({"jaeger": {"url": stand.server.query_url},
                                   "loki": {"url": srv.url}})
        app = EssentialsApp(StartOptions(now=NOW, connect=False, settings=settings))
        async with app.run_test(size=(120, 40)) as pilot:
            app.open_plugin("loki")
            await pilot.pause()
            lp = app.screen.query_one(LokiPane)
            await wait_until(pilot, lambda: lp.client is not None)
            lp.editor.text = '{app="payments"}'
            await pilot.press("enter")
            await wait_until(pilot, lambda: len(lp.view.entries) == 2)
            await pilot.press("ctrl+g", "g", "j", "t")  # the older line, without an id
            await pilot.pause()
            status = str(lp.query_one("#loki-status").render())
            assert "carries no trace id" in status and "\n" not in status
            assert not lp.tailing and app.screen.query(LokiPane)  # no tail, no new screen
            await pilot.press("k", "t")
            await pilot.pause()
            pane = app.screen.query_one(TracingPane)
            await wait_until(pilot, lambda: pane.trace is not None)
            assert pane.trace is not None and pane.trace.trace_id == stand.shop.trace_id
            await pilot.press("escape")  # no search behind it: back to Loki
            await pilot.pause()
            assert app.screen.query_one(LokiPane) is lp
            await pilot.press("T")  # the old key, kept as an alias for a release
            await pilot.pause()
            pane = app.screen.query_one(TracingPane)
            await wait_until(pilot, lambda: pane.trace is not None)
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen.query_one(LokiPane) is lp
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, DetailScreen)
            await pilot.press("t")
            await pilot.pause()
            pane = app.screen.query_one(TracingPane)
            await wait_until(pilot, lambda: pane.trace is not None)


async def test_open_trace_unknown_id_shows_jaegers_message(stand: Stand) -> None:
    """The trace is asked for before the pane is composed; Jaeger's "not found" lands in
    the pane, which keeps the client for a search (services load after it)."""
    app = make_app(stand.server.query_url)
    async with app.run_test(size=(80, 24)) as pilot:
        open_trace(app, "0123456789abcdef0123456789abcdef")
        await pilot.pause()
        pane = app.screen.query_one(TracingPane)
        err = pane.query_one("#jaeger-error")
        await wait_until(pilot, lambda: err.has_class("shown"))
        assert str(err.render()) == "trace not found" and pane.trace is None
        await wait_until(pilot, lambda: bool(pane._services))
        await pilot.press("e", *"frontend", "enter")
        await wait_until(pilot, lambda: pane.table.row_count == 2)
        assert not err.has_class("shown")


async def test_ten_thousand_spans_open_and_scroll(stand: Stand) -> None:
    app = make_app(stand.server.query_url)
    async with app.run_test(size=(80, 24)) as pilot:
        open_trace(app, stand.big.trace_id)
        await pilot.pause()
        pane = app.screen.query_one(TracingPane)
        await wait_until(pilot, lambda: pane.trace is not None)
        view = pane.waterfall
        assert len(view.rows) == 10_000
        assert app.focused is view  # the trace view was composed visible and focused
        await pilot.press("G")
        await pilot.pause()
        assert view.cursor == 9_999 and view.scroll_offset.y > 9_900
        # only what is on screen was painted: the row cache never holds the whole trace
        assert len(view._strips) <= 3 * view.size.height
        await pilot.press("g", "space")  # fold the root: one row
        assert view.rows == [0]
        await pilot.press("space", "ctrl+f")
        assert view.cursor == view.scrollable_content_region.height - 1


async def test_l_on_a_span_opens_loki_with_the_service_logs(stand: Stand) -> None:
    from k8s_essentials_tui.plugins.loki.pane import LokiPane

    app = make_app(stand.server.query_url)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_pane(pilot)
        await search(pilot, pane)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("x", "l")
        await pilot.pause()
        loki = app.screen.query_one(LokiPane)
        assert loki.editor.text == (f'{{service_name="payments"}} |= "{stand.shop.trace_id}"')
        assert loki.preset == "custom"
        start, end = loki.custom
        assert start.startswith("2026-06-01T11:49:59") and end.startswith("2026-06-01T11:50:01")


async def test_hostile_spans_are_shown_not_sent() -> None:
    binary = jaeger_binary()
    if binary is None:
        pytest.skip(MISSING)
    evil = hostile.WORST
    with JaegerServer(binary).start() as server:
        sent = send_shop_trace(server.otlp_url, start_ns=NOW_NS - 60 * 10**9,
                               operation=f"GET {evil}",
                               services=("web", f"co{hostile.MARKUP_LINK}",
                                         hostile.HANGUL, f"pay{hostile.OSC_TITLE}"),
                               message=evil)
        server.wait_for_trace(sent.trace_id, sent.spans)
        app = make_app(server.query_url)
        async with app.run_test(size=(100, 30)) as pilot:
            pane = await open_pane(pilot)
            await search(pilot, pane, "web")
            hostile.assert_screen_clean(app)
            await pilot.press("enter")
            await pilot.pause()
            hostile.assert_screen_clean(app)
            assert "␛]0;pwned" in "\n".join(hostile.painted_text(app))
            await pilot.press("x", "enter")
            await pilot.pause()
            assert isinstance(app.screen, SpanScreen)
            hostile.assert_screen_clean(app)
            assert not hostile.painted_links(app)


# -- snapshots -------------------------------------------------------------------------------

async def _results(pilot) -> None:  # type: ignore[no-untyped-def]
    pane = await open_pane(pilot)
    await search(pilot, pane)
    await pilot.pause()


async def _waterfall(pilot) -> None:  # type: ignore[no-untyped-def]
    pane = await open_pane(pilot)
    await search(pilot, pane)
    await pilot.press("enter", "x")
    await pilot.pause()


async def _span(pilot) -> None:  # type: ignore[no-untyped-def]
    await _waterfall(pilot)
    await pilot.press("enter")
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("scene", ["results", "waterfall", "span"])
def test_snapshot(scene: str, size: tuple[int, int], stand: Stand,
                  snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = make_app(stand.server.query_url)
    run_before = {"results": _results, "waterfall": _waterfall, "span": _span}[scene]
    assert snap_compare(app, terminal_size=size, run_before=run_before)
