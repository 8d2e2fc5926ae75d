"""The Loki pane over hostile logs (issue #15): escape sequences, markup and Hangul in log
lines, label values, series names and Loki's error text are shown, never sent to the
terminal, and the pane keeps running. Keyboard only, fake Loki by direct URL."""

from __future__ import annotations

from textual.widgets import DataTable

from k8s_essentials_tui.plugins.loki.pane import DetailScreen, LokiPane
from testkit import hostile
from testkit.fake_loki import FakeLoki, FakeLokiServer, seed_hostile
from tests.test_loki_pane import NOW, make_app, open_pane, status, to_ns, wait_until


async def test_hostile_logs_labels_series_and_errors_are_shown_not_sent() -> None:
    loki = FakeLoki(clock=lambda: NOW.timestamp())
    seed_hostile(loki, to_ns(NOW))
    with FakeLokiServer(loki).start() as srv:
        app = make_app(srv)
        async with app.run_test(size=(100, 30)) as pilot:
            pane = await open_pane(pilot, app)
            # log lines and labels
            pane.editor.text = '{namespace="shop"}'
            await pilot.press("enter")
            await wait_until(pilot, lambda: "lines" in status(pane))
            pane.view.focus()
            await pilot.pause()
            hostile.assert_screen_clean(app)
            painted = "\n".join(hostile.painted_text(app))
            assert "␛]0;pwned" in painted
            # wrap mode and the end of the view
            await pilot.press("w", "G")
            await pilot.pause()
            hostile.assert_screen_clean(app)
            await pilot.press("w", "g", "enter")  # the detail of a hostile line
            await pilot.pause()
            assert isinstance(app.screen, DetailScreen)
            hostile.assert_screen_clean(app)
            await pilot.press("escape")
            await pilot.pause()
            # a metric query whose series names carry "[/]crash" and ESC
            pane.editor.text = 'sum by (app, pod) (count_over_time({namespace="shop"}[5m]))'
            pane.editor.focus()
            await pilot.press("enter")
            await wait_until(pilot, lambda: "series" in status(pane))
            table = pane.query_one("#loki-metrics", DataTable)
            assert any("[/]crash" in str(table.get_row_at(i)[0])
                       for i in range(table.row_count))
            hostile.assert_screen_clean(app)
            # Loki's error text is shown as text too
            loki.fail_next(500, f"boom {hostile.OSC52} {hostile.MARKUP_CLOSE}")
            await pilot.press("enter")
            await wait_until(pilot, lambda: pane.query_one("#loki-error").has_class("shown"))
            await pilot.pause()
            hostile.assert_screen_clean(app)
            assert "[/]x" in "\n".join(hostile.painted_text(app))
            # completion of label values from Loki
            pane.editor.text = ""
            pane.editor.focus()
            await pilot.press("{", "a", "p", "p", "=")
            await wait_until(pilot, lambda: pane._items[:1] == ["="])
            await pilot.press("enter")
            await wait_until(pilot, lambda: "[/]crash" in pane._items)
            await pilot.pause()
            hostile.assert_screen_clean(app)
            assert app.screen.query_one(LokiPane).is_attached
            assert app.return_code is None
