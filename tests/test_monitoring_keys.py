"""Keys of the monitoring pane that need no server: ``o`` from the Dashboards entry
(Grafana), saved PromQL queries (``ctrl+s``/``ctrl+o``), and the status line's fitting.

The servers are unreachable direct URLs (nothing listens on port 1): the pane shows their
errors, the keys under test do not depend on them."""

from __future__ import annotations

import asyncio
import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.widgets import Input, OptionList

from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.plugins.monitoring.pane import MonitoringPane
from k8s_essentials_tui.plugins.monitoring.screens import SavedQueriesScreen, SaveQueryScreen
from k8s_essentials_tui.plugins.monitoring.status_line import Fact, fit_status, server_fact
from k8s_essentials_tui.screens.component import ComponentScreen
from k8s_essentials_tui.settings import Settings
from k8s_essentials_tui.text import width


async def until(pilot: Any, predicate: Callable[[], Any], what: str,
                timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)


def _app() -> EssentialsApp:
    settings = Settings()
    settings.values["monitoring.prometheus_url"] = "http://127.0.0.1:1"
    settings.values["monitoring.alertmanager_url"] = "http://127.0.0.1:1"
    return EssentialsApp(StartOptions(connect=False, settings=settings))


async def test_o_opens_the_overview_from_the_grafana_entry() -> None:
    """The Dashboards area opens the pane on its Grafana tab, where nothing was focusable:
    focus fell on the hidden filter box and ``o`` was typed into it."""
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_plugin("grafana")
        await until(pilot, lambda: app.screen.query(MonitoringPane), "the pane")
        await pilot.pause(0.2)
        assert not isinstance(app.focused, Input)
        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, ComponentScreen)
                    and app.screen.overview, "the overview")
        assert app.screen.plugin.id == "grafana"


async def test_o_from_the_grafana_tab_of_the_stack_pane() -> None:
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_plugin("kube-prometheus-stack")
        await until(pilot, lambda: app.screen.query(MonitoringPane), "the pane")
        await pilot.press("6")
        await pilot.pause(0.2)
        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, ComponentScreen)
                    and app.screen.overview, "the overview")


async def test_save_list_recall_and_forget_a_query(tmp_path: Path) -> None:
    state = Path(os.environ["K8S_ESSENTIALS_TUI_STATE_DIR"])
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_plugin("kube-prometheus-stack")
        await until(pilot, lambda: app.screen.query(MonitoringPane), "the pane")
        await pilot.press("5")
        box = app.screen.query_one("#promql-input", Input)
        await until(pilot, lambda: app.focused is box, "the query box")
        await pilot.press("ctrl+o")  # nothing saved yet: a notice, no dialog
        await pilot.pause(0.1)
        assert not isinstance(app.screen, SavedQueriesScreen)
        await pilot.press(*"sum(up)", "ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, SaveQueryScreen), "the save dialog")
        name = app.screen.query_one("#save-query-name", Input)
        assert name.value == "sum(up)"  # the query is the name to start from
        name.value = ""
        await pilot.press(*"targets up", "enter")
        await until(pilot, lambda: not isinstance(app.screen, SaveQueryScreen), "saved")

        path = state / "promql-saved.json"
        doc = json.loads(path.read_text())
        assert doc == {"saved": [{"name": "targets up", "query": "sum(up)", "range": "1h"}]}
        assert stat.S_IMODE(path.stat().st_mode) == 0o600

        box = app.screen.query_one("#promql-input", Input)
        box.value = ""
        app.screen.query_one("#promql-range", Input).value = ""
        await pilot.press(*"rate(x[5m])", "ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, SaveQueryScreen), "the dialog")
        await pilot.press("enter")  # the suggested name
        await until(pilot, lambda: not isinstance(app.screen, SaveQueryScreen), "saved")

        box = app.screen.query_one("#promql-input", Input)
        box.value = ""
        await pilot.press("ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, SavedQueriesScreen), "the list")
        options = app.screen.query_one(OptionList)
        assert [str(options.get_option_at_index(i).prompt).split("\n")[0]
                for i in range(options.option_count)] == ["rate(x[5m])  [instant]",
                                                          "targets up  [1h]"]
        await pilot.press("j", "enter")  # the older one
        await until(pilot, lambda: not isinstance(app.screen, SavedQueriesScreen), "picked")
        assert app.screen.query_one("#promql-input", Input).value == "sum(up)"
        assert app.screen.query_one("#promql-range", Input).value == "1h"

        await pilot.press("ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, SavedQueriesScreen), "the list")
        await pilot.press("d", "escape")  # forget the newest
        await until(pilot, lambda: not isinstance(app.screen, SavedQueriesScreen), "closed")
        assert [s["name"] for s in json.loads(path.read_text())["saved"]] == ["targets up"]

    app = _app()  # a new session reads them back
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_plugin("kube-prometheus-stack")
        await until(pilot, lambda: app.screen.query(MonitoringPane), "the pane")
        await pilot.press("5", "ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, SavedQueriesScreen), "the list")
        assert app.screen.query_one(OptionList).option_count == 1


def test_status_line_keeps_the_important_facts_at_80_columns() -> None:
    ns = "team-payments-production-eu-west-1-monitoring-stack"
    am = server_fact("Alertmanager", ns, "kube-prometheus-stack-alertmanager", "http-web", "")
    prom = server_fact("Prometheus", ns, "kube-prometheus-stack-prometheus", "http-web", "",
                       "3.16.0")
    via = Fact(("via the apiserver", "via apiserver", "proxied"))
    line = fit_status([am, prom, via], 78)  # 80 columns less the padding
    assert width(line) <= 78
    assert line.startswith("Alertmanager · Prometheus")
    assert "(3.16.0)" in line and "…" not in line
    line = fit_status([am, prom, via], 100)
    assert line.startswith("Alertmanager kube-prometheus-stack-alertmanager · Prometheus ")
    assert "(3.16.0)" in line and width(line) <= 100
    wide = fit_status([am, prom, via], 400)
    assert wide.startswith(f"Alertmanager {ns}/kube-prometheus-stack-alertmanager:http-web")
    assert wide.endswith(" · via the apiserver")
    error = Fact(("Prometheus: cannot reach Prometheus at http://x: Connection refused",))
    cut = fit_status([error, am, via], 60)
    assert cut.startswith("Prometheus: cannot reach") and width(cut) <= 60
    hangul = fit_status([server_fact("Alertmanager", "모니터링" * 10, "am", "web", "")], 30)
    assert width(hangul) <= 30


async def test_a_hostile_saved_query_file_is_shown_not_obeyed() -> None:
    """The saved-queries file is the user's, but it may come from elsewhere (a copied home
    dir): names and queries are shown through the text boundary."""
    from testkit.hostile import NASTY, WORST, assert_screen_clean, painted_links

    state = Path(os.environ["K8S_ESSENTIALS_TUI_STATE_DIR"])
    state.mkdir(parents=True, exist_ok=True)
    (state / "promql-saved.json").write_text(json.dumps({"saved": [
        {"name": WORST, "query": q, "range": NASTY[0]} for q in NASTY[:4]] + [
        {"name": "fine", "query": f"up{{job='{WORST}'}}", "range": "1h"}, {"name": 3}]}))
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_plugin("kube-prometheus-stack")
        await until(pilot, lambda: app.screen.query(MonitoringPane), "the pane")
        await pilot.press("5", "ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, SavedQueriesScreen), "the list")
        await pilot.pause(0.2)
        assert app.screen.query_one(OptionList).option_count == 2  # one per name; bad dropped
        assert_screen_clean(app)
        assert painted_links(app) == []
        await pilot.press("j", "enter")
        await until(pilot, lambda: not isinstance(app.screen, SavedQueriesScreen), "picked")
        assert_screen_clean(app)


async def test_the_alerts_request_starts_in_the_pane_constructor(
        monkeypatch: Any) -> None:
    """The budget's first cut: the Alertmanager request travels while the screen is built.
    With the server known without waiting (a direct URL here), its thread starts inside the
    pane's constructor -- before the constructor returns, so before the screen's compose
    and mount give a task its first turn -- and the first poll uses that answer."""
    from k8s_essentials_tui.plugins.monitoring import offloop
    from k8s_essentials_tui.plugins.monitoring.client import AlertmanagerClient

    order: list[str] = []
    real_start = offloop.start_off_loop
    real_groups = AlertmanagerClient.alert_groups
    real_init = MonitoringPane.__init__
    real_compose = MonitoringPane.compose

    def start(make: Any, name: str = "off-loop") -> Any:
        order.append(f"thread {name}")
        return real_start(make, name)

    async def groups(self: AlertmanagerClient, **kwargs: Any) -> Any:
        order.append("request on the loop")
        return await real_groups(self, **kwargs)

    def init(self: MonitoringPane, *args: Any, **kwargs: Any) -> None:
        real_init(self, *args, **kwargs)
        order.append("constructed")

    def compose(self: MonitoringPane) -> Any:
        order.append("compose")
        return real_compose(self)

    monkeypatch.setattr(offloop, "start_off_loop", start)
    monkeypatch.setattr(AlertmanagerClient, "alert_groups", groups)
    monkeypatch.setattr(MonitoringPane, "__init__", init)
    monkeypatch.setattr(MonitoringPane, "compose", compose)
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_plugin("kube-prometheus-stack")
        await until(pilot, lambda: "compose" in order, "the compose")
        pane = app.screen.query_one(MonitoringPane)
        await until(pilot, lambda: "alerts" in pane.errors, "the early answer (an error)")
        await pilot.pause(0.2)
    assert order[:3] == ["thread monitoring-alerts", "constructed", "compose"]
    assert "request on the loop" not in order  # the first poll used the early answer


async def test_the_tab_strip_shows_the_current_tab_and_a_click_switches() -> None:
    """The one-line strip that replaced TabbedContent: ``3`` shows Targets (made on first
    show, focused) and the strip says so; a click on a title switches too."""
    from k8s_essentials_tui.plugins.monitoring.tabstrip import TabStrip

    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_plugin("kube-prometheus-stack")
        await until(pilot, lambda: app.screen.query(MonitoringPane), "the pane")
        pane = app.screen.query_one(MonitoringPane)
        strip = app.screen.query_one("#mon-tabstrip", TabStrip)
        assert strip.current == "alerts" and not app.screen.query("#targets")
        await pilot.press("3")
        await until(pilot, lambda: app.screen.query("#targets"), "the targets table")
        assert pane._active() == "targets" and strip.current == "targets"
        assert app.screen.focused is app.screen.query_one("#targets")
        start = next(s for s, _e, tab in strip._spans if tab == "promql")
        await pilot.click(strip, offset=(start + 2 + strip.styles.padding.left, 0))
        await until(pilot, lambda: pane._active() == "promql", "the PromQL tab")
        assert strip.current == "promql" and "5 PromQL" in str(strip.render())
        assert isinstance(app.screen.focused, Input)
