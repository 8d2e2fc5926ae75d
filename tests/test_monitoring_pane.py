"""Pilot tests of the monitoring pane, driven by keys, against the REAL Prometheus and
Alertmanager behind the REAL apiserver's service proxy (tests/monitoring_fixtures.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from textual.command import CommandPalette
from textual.widgets import DataTable, Input, Static

from k8s_essentials_tui.api import VirtualTable
from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.plugins.monitoring.client import connect_alertmanager
from k8s_essentials_tui.plugins.monitoring.pane import MonitoringPane
from k8s_essentials_tui.plugins.monitoring.screens import AlertDetailScreen, SilenceScreen
from k8s_essentials_tui.screens.confirm import ConfirmScreen
from testkit.hostile import NASTY, WORST, assert_screen_clean, painted_links, painted_text
from testkit.netns import VethNamespace
from testkit.prometheus import MonitoringStack
from tests.monitoring_fixtures import expose, start_stack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[VethNamespace, MonitoringStack]]:
    yield from start_stack(1)


@pytest.fixture
def stack(servers: tuple[VethNamespace, MonitoringStack]) -> MonitoringStack:
    return servers[1]


@pytest.fixture
def mon_ns(kube_admin: Any, namespace: str,
           servers: tuple[VethNamespace, MonitoringStack]) -> str:
    expose(kube_admin, namespace, *servers)
    return namespace


async def until(pilot: Any, predicate: Callable[[], Any], what: str,
                timeout: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)


def cells(app: EssentialsApp, table_id: str) -> list[list[str]]:
    table = app.screen.query_one(f"#{table_id}", DataTable | VirtualTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def screen_text(app: EssentialsApp) -> str:
    return "\n".join(painted_text(app))


async def open_pane(app: EssentialsApp, pilot: Any, rows: int = 3) -> MonitoringPane:
    await until(pilot, lambda: app.session is not None, "connection")
    await pilot.press("colon")
    await until(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
    await pilot.press(*"alerts")
    await pilot.pause(0.5)
    await pilot.press("enter")
    await until(pilot, lambda: app.screen.query(MonitoringPane), "the pane")
    pane = app.screen.query_one(MonitoringPane)
    await until(pilot, lambda: len(cells(app, "alerts")) >= rows, "the alerts")
    return pane


async def silences(stack: MonitoringStack, comment: str = "pane test") -> dict[str, str]:
    client = await connect_alertmanager(None, url=stack.alertmanager_url)
    try:
        return {s.id: s.state for s in await client.silences() if s.comment == comment}
    finally:
        await client.aclose()


async def test_alerts_detail_silence_and_expire_by_keys(mon_ns: str, kubeconfig: str,
                                                        stack: MonitoringStack) -> None:
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=mon_ns))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_pane(app, pilot)
        rows = cells(app, "alerts")
        assert rows[0][:4] == ["firing", "critical", "AlwaysFiring", "shop"]
        assert ["inhibited", "info", "InfoNoise", "shop"] in [r[:4] for r in rows]
        assert "Checkout is down" in rows[0][6]
        # a 50-character namespace: the status line drops it rather than the version
        status = str(app.screen.query_one("#mon-status", Static).render())
        assert status.startswith("Alertmanager kube-prometheus-stack-alertmanager · "
                                 "Prometheus"), status
        assert "(3.16.0)" in status and len(status) <= 118

        await pilot.press("enter")  # the first row: AlwaysFiring
        await until(pilot, lambda: isinstance(app.screen, AlertDetailScreen), "the detail")
        text = screen_text(app)
        assert "https://runbooks.example.com/always-firing" in text
        assert "pager" in text and "Always firing, for the tests." in text
        await pilot.press("s")  # silence from the detail
        await until(pilot, lambda: isinstance(app.screen, SilenceScreen), "the form")
        matchers = app.screen.query_one("#silence-matchers", Input).value
        assert matchers == "alertname=AlwaysFiring, namespace=shop, severity=critical"
        assert "author: admin" in screen_text(app)
        await pilot.press(*"pane test", "enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "confirmation")
        text = screen_text(app)
        assert "amtool silence add --alertmanager.url=http://127.0.0.1:9093" in text
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen.query(MonitoringPane).first(None),
                                              MonitoringPane), "back in the pane")
        created = {}
        for _ in range(100):
            created = await silences(stack)
            if created:
                break
            await pilot.pause(0.1)
        assert list(created.values()) == ["active"]
        sid = next(iter(created))

        await pilot.press("2")  # the Silences tab
        await until(pilot, lambda: any(r[1] == sid[:8] for r in cells(app, "silences")),
                    "the new silence")
        await until(pilot, lambda: cells(app, "alerts")[0][2] != "AlwaysFiring"
                    or cells(app, "alerts")[0][0] == "silenced", "the alert silenced")
        table = app.screen.query_one("#silences", DataTable)
        table.move_cursor(row=[r[1] for r in cells(app, "silences")].index(sid[:8]))
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "expire confirm")
        text = " ".join(screen_text(app).replace("│", " ").replace("█", " ").split())
        assert f"amtool silence expire --alertmanager.url=http://127.0.0.1:9093 {sid}" in text
        assert f"kubectl port-forward -n {mon_ns} svc/kube-prometheus-stack-alertmanager" in text
        await pilot.press("y")
        for _ in range(100):
            if (await silences(stack)).get(sid) == "expired":
                break
            await pilot.pause(0.1)
        assert (await silences(stack))[sid] == "expired"


async def test_targets_rules_and_filter_escape_order(mon_ns: str, kubeconfig: str,
                                                     kube_admin: Any) -> None:
    kube_admin.create({"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule",
                       "metadata": {"name": "checkout", "namespace": mon_ns},
                       "spec": {"groups": [{"name": "checkout", "rules": [
                           {"alert": "CheckoutErrors", "expr": "vector(1)"},
                           {"record": "checkout:up", "expr": "up"}]}]}})
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=mon_ns))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_pane(app, pilot)
        await pilot.press("3")
        await until(pilot, lambda: len(cells(app, "targets")) == 2, "the targets")
        dead = cells(app, "targets")[0]
        assert dead[:3] == ["down", "dead", "127.0.0.1:1"]
        # LAST ERROR (narrow columns at 80) without Prometheus's 'Get "<url>": ' prefix
        assert dead[3] == "dial tcp 127.0.0.1:1: connect: connection refused"
        assert "Prometheus 3." in str(app.screen.query_one("#targets-note", Static).render())
        await pilot.press("4")
        await until(pilot, lambda: cells(app, "rules"), "the rules")
        first = cells(app, "rules")[0]
        assert first[:2] == ["err", "essentials:broken"]
        assert first[4].startswith("found duplicate series for the match group")
        # the object exists, but this Prometheus (no operator) never loaded it
        note = app.screen.query_one("#rules-note", Static)
        await until(pilot, lambda: "PrometheusRule objects:" in str(note.render()), "objects")
        assert f"(2 rules); not loaded by this Prometheus: {mon_ns}/checkout" \
            in str(note.render())

        await pilot.press("1", "slash", *"disk")
        await until(pilot, lambda: [r[2] for r in cells(app, "alerts")] == ["DiskFilling"],
                    "the filter")
        await pilot.press("escape")  # leaves the box, the filter stays
        assert isinstance(app.focused, VirtualTable)
        assert [r[2] for r in cells(app, "alerts")] == ["DiskFilling"]
        await pilot.press("escape")  # clears the filter
        await until(pilot, lambda: len(cells(app, "alerts")) >= 3, "all alerts")
        await pilot.press("escape")  # back to the board
        await until(pilot, lambda: not app.screen.query(MonitoringPane), "back")


async def test_promql_console_plot_error_and_history(mon_ns: str, kubeconfig: str) -> None:
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=mon_ns))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_pane(app, pilot)
        await pilot.press("5")
        await until(pilot, lambda: getattr(app.focused, "id", "") == "promql-input",
                    "the editor")
        await pilot.press(*"up", "enter")  # range 1h (the default)
        note = app.screen.query_one("#promql-note", Static)
        await until(pilot, lambda: "matrix: 2 series" in str(note.render()), "the result")
        plot_text = str(app.screen.query_one("#promql-plot", Static).render())
        assert any(0x2800 < ord(ch) <= 0x28FF for ch in plot_text)
        names = [r[0] for r in cells(app, "promql-table")]
        assert any('job="dead"' in n for n in names) and all(n.startswith("━━ ") for n in names)
        assert "⣿" not in screen_text(app).splitlines()[0]  # the header is not painted over

        box = app.screen.query_one("#promql-input", Input)
        box.value = ""
        await pilot.press(*"sum(", "enter")
        await until(pilot, lambda: "unclosed left parenthesis" in str(note.render()), "error")
        assert 'invalid parameter "query": 1:5: parse error' in str(note.render())
        assert box.value == "sum("  # the query is kept for fixing

        await pilot.press("up")  # history: the previous query
        assert box.value == "up"
        # instant: an empty range field
        await pilot.press("tab")
        await until(pilot, lambda: getattr(app.focused, "id", "") == "promql-range", "range")
        app.screen.query_one("#promql-range", Input).value = ""
        await pilot.press("enter")
        await until(pilot, lambda: "vector: 2 series" in str(note.render()), "instant")
        assert app.screen.query_one("#promql-plot").has_class("hidden")
        assert sorted(r[1] for r in cells(app, "promql-table")) == ["0", "1"]

    # the history outlives the app (a file in the state dir)
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=mon_ns))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_pane(app, pilot)
        await pilot.press("5", "up")
        assert app.screen.query_one("#promql-input", Input).value == "up"
        await pilot.press("up")
        assert app.screen.query_one("#promql-input", Input).value == "sum("


async def test_promql_completion_from_the_server(mon_ns: str, kubeconfig: str) -> None:
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=mon_ns))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_pane(app, pilot)
        await pilot.press("5", *"prometheus_build_inf")
        box = app.screen.query_one("#promql-input", Input)
        await until(pilot, lambda: box._suggestion == "prometheus_build_info", "a metric")
        await pilot.press("right")  # accept
        assert box.value == "prometheus_build_info"
        await pilot.press(*'{job="de')
        await until(pilot, lambda: box._suggestion == 'prometheus_build_info{job="dead',
                    "a label value")


async def test_hostile_alert_text_is_shown_not_obeyed(mon_ns: str, kubeconfig: str,
                                                      stack: MonitoringStack) -> None:
    now = datetime.now(UTC)
    stack.post_alerts([{
        "labels": {"alertname": "Hostile", "severity": "critical", "namespace": WORST,
                   **{f"l{i}": v for i, v in enumerate(NASTY)}},
        "annotations": {"summary": WORST, "description": "\n".join(NASTY),
                        "runbook_url": "[link=file:///etc/passwd]x[/link]"},
        "startsAt": (now - timedelta(minutes=5)).isoformat(),
        "endsAt": (now + timedelta(hours=1)).isoformat(),
        # Alertmanager refuses a generatorURL that is not a URI (control characters)
        "generatorURL": "http://x/[/]?a=%1b"}])
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=mon_ns))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_pane(app, pilot, rows=4)
        assert_screen_clean(app)
        assert not painted_links(app)
        hostile = [r[2] for r in cells(app, "alerts")].index("Hostile")
        app.screen.query_one("#alerts", VirtualTable).move_cursor(row=hostile)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AlertDetailScreen), "the detail")
        assert_screen_clean(app)
        assert not painted_links(app)
        assert "결제" in screen_text(app)


async def test_read_only_refuses_a_silence(mon_ns: str, kubeconfig: str,
                                           stack: MonitoringStack) -> None:
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=mon_ns, read_only=True))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_pane(app, pilot)
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, SilenceScreen), "the form")
        await pilot.press(*"read-only test", "enter")
        await until(pilot, lambda: any("read-only" in str(n.message)
                                       for n in app._notifications), "the refusal")
        assert not isinstance(app.screen, ConfirmScreen)
    assert await silences(stack, "read-only test") == {}


async def test_grafana_tab_names_datasources_never_secret_values(
        mon_ns: str, kubeconfig: str, kube_admin: Any) -> None:
    import base64

    labels = {"app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": "kps"}
    kube_admin.create({"apiVersion": "v1", "kind": "Service",
                       "metadata": {"name": "kps-grafana", "namespace": mon_ns,
                                    "labels": labels},
                       "spec": {"ports": [{"name": "http-web", "port": 80,
                                           "targetPort": 3000}]}})
    kube_admin.create({"apiVersion": "v1", "kind": "ConfigMap",
                       "metadata": {"name": "kps-grafana-datasource", "namespace": mon_ns,
                                    "labels": {"grafana_datasource": "1"}},
                       "data": {"datasource.yaml": (
                           "apiVersion: 1\ndatasources:\n- name: Prometheus\n  type: prometheus\n"
                           "  url: http://kps-prometheus.monitoring:9090/\n")}})
    secret_file = ("apiVersion: 1\ndatasources:\n- name: Loki\n  type: loki\n"
                   "  url: http://loki-gateway.loki\n  basicAuth: true\n"
                   "  secureJsonData:\n    basicAuthPassword: hunter2-NEVER-SHOWN\n")
    kube_admin.create({"apiVersion": "v1", "kind": "Secret",
                       "metadata": {"name": "loki-datasource", "namespace": mon_ns,
                                    "labels": {"grafana_datasource": "1"}},
                       "data": {"loki.yaml": base64.b64encode(secret_file.encode()).decode()}})
    kube_admin.create({"apiVersion": "v1", "kind": "ConfigMap",
                       "metadata": {"name": "dashboards-k8s", "namespace": mon_ns,
                                    "labels": {"grafana_dashboard": "1"}},
                       "data": {"pods.json": "{}", "nodes.json": "{}"}})
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=mon_ns))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_pane(app, pilot)
        await pilot.press("6")
        facts = app.screen.query_one("#grafana-facts", Static)
        await until(pilot, lambda: "loki-gateway" in str(facts.render())
                    and f"{mon_ns}/kps-grafana" in str(facts.render()), "the facts")
        text = screen_text(app)
        assert "prometheus  Prometheus  http://kps-prometheus.monitoring:9090/" in text
        assert f"loki        Loki  http://loki-gateway.loki  (Secret {mon_ns}/loki-datasource)" \
            in str(facts.render())
        assert "no Jaeger datasource provisioned" in text
        assert "2 dashboards in 1 ConfigMaps" in text
        shown = str(facts.render())  # long lines wrap on screen
        assert (f"kubectl get secret -n {mon_ns} kps-grafana -o "
                "jsonpath='{.data.admin-password}' | base64 -d") in shown
        assert "hunter2" not in text + shown and "basicAuth" not in text + shown


async def test_unreachable_servers_show_in_the_pane_not_as_a_crash() -> None:
    from k8s_essentials_tui.settings import Settings

    settings = Settings()
    settings.values["monitoring.prometheus_url"] = "http://127.0.0.1:1"
    settings.values["monitoring.alertmanager_url"] = "http://127.0.0.1:1/am"
    app = EssentialsApp(StartOptions(connect=False, settings=settings))
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_plugin("kube-prometheus-stack")
        await until(pilot, lambda: app.screen.query(MonitoringPane), "the pane")
        await until(pilot, lambda: cells(app, "alerts"), "the error row")
        assert cells(app, "alerts")[0][0].startswith(
            "cannot reach Alertmanager at http://127.0.0.1:1/am")
        await pilot.press("5", *"up", "enter")
        note = app.screen.query_one("#promql-note", Static)
        await until(pilot, lambda: "cannot reach Prometheus" in str(note.render()), "error")
        assert isinstance(app.screen.query_one(MonitoringPane), MonitoringPane)


async def test_help_lists_the_panes_keys(mon_ns: str, kubeconfig: str) -> None:
    from k8s_essentials_tui.screens.help import HelpScreen

    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=mon_ns))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_pane(app, pilot)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        text = screen_text(app)
        for words in ("Silence", "Refresh", "Filter"):
            assert words in text, words
