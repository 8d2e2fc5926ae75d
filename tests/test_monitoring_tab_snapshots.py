"""SVG snapshots of the monitoring pane's Targets, Rules, Silences and Grafana tabs and of
the silence form, at 80x24 and 120x40, from the REAL Prometheus and Alertmanager behind the
REAL apiserver's service proxy.

Determinism: Prometheus runs the test rules (testkit/prometheus.py: what fires, what is
pending, what fails) with the stack's fixed label sets; the app clock is ``FIXED_NOW``, earlier
than the servers' clock, so every alert's age reads "0s". What the servers answer that
changes from run to run -- the veth address in a target's instance (it depends on the pid),
scrape durations, TSDB head counts, silence ids and end times -- is frozen in the pane's
data before its tab is first shown (``_freeze``): the layout and every other cell are the
servers' own answers. Polling is slowed so no refresh replaces the frozen data."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from textual.widgets import Input

from k8s_essentials_tui.api import VirtualTable
from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.plugins.monitoring import model
from k8s_essentials_tui.plugins.monitoring import pane as pane_module
from k8s_essentials_tui.plugins.monitoring.client import connect_alertmanager
from k8s_essentials_tui.plugins.monitoring.pane import MonitoringPane
from k8s_essentials_tui.plugins.monitoring.screens import SilenceScreen
from testkit.netns import VethNamespace
from testkit.prometheus import MonitoringStack
from tests.conftest import FIXED_NOW
from tests.monitoring_fixtures import expose, start_stack

pytestmark = pytest.mark.e2e
SIZES = [(80, 24), (120, 40)]
NS = "monitoring-tabs"
SILENCES = (("KubeJobFailed", "batch", "nightly report job is being fixed", "alice"),
            ("NodeClockSkewDetected", "kube-system", "NTP maintenance window", "bob"),
            ("KubeHpaMaxedOut", "shop", "expected during the sale", "carol"))


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[VethNamespace, MonitoringStack]]:
    for veth, stack in start_stack(3):
        asyncio.run(_silences(stack))
        yield veth, stack


async def _silences(stack: MonitoringStack) -> None:
    """One active, one pending (starts tomorrow), one expired; none matches a firing
    alert, so the Alerts tab is the rules' own."""
    client = await connect_alertmanager(None, url=stack.alertmanager_url)
    now = datetime.now(UTC)
    try:
        ids = []
        for i, (name, ns, comment, author) in enumerate(SILENCES):
            start = now + timedelta(days=1) if i == 1 else now
            ids.append(await client.create_silence(
                [model.parse_matcher(f"alertname={name}"), model.parse_matcher(f"namespace={ns}")],
                starts_at=start, ends_at=start + timedelta(hours=2 + i), created_by=author,
                comment=comment))
        await client.expire_silence(ids[2])
    finally:
        await client.aclose()


@pytest.fixture
def seeded(kube_admin: Any, servers: tuple[VethNamespace, MonitoringStack],
           monkeypatch: pytest.MonkeyPatch) -> Iterator[VethNamespace]:
    monkeypatch.setattr(pane_module, "REFRESH", 3600.0)
    kube_admin.delete_namespace(NS)
    kube_admin.create_namespace(NS)
    expose(kube_admin, NS, *servers)
    grafana = {"app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": "kps"}
    kube_admin.create({"apiVersion": "v1", "kind": "Service",
                       "metadata": {"name": "kps-grafana", "namespace": NS, "labels": grafana},
                       "spec": {"ports": [{"name": "http-web", "port": 80,
                                           "targetPort": 3000}]}})
    kube_admin.create({"apiVersion": "v1", "kind": "ConfigMap",
                       "metadata": {"name": "kps-grafana-datasource", "namespace": NS,
                                    "labels": {"grafana_datasource": "1"}},
                       "data": {"datasource.yaml": (
                           "apiVersion: 1\ndatasources:\n- name: Prometheus\n"
                           "  type: prometheus\n  url: http://kps-prometheus.monitoring:9090/\n"
                           "- name: Loki\n  type: loki\n  url: http://loki-gateway.loki\n")}})
    kube_admin.create({"apiVersion": "v1", "kind": "ConfigMap",
                       "metadata": {"name": "kps-dashboards", "namespace": NS,
                                    "labels": {"grafana_dashboard": "1"}},
                       "data": {"pods.json": "{}", "nodes.json": "{}", "etcd.json": "{}"}})
    yield servers[0]
    kube_admin.delete_namespace(NS)


async def _until(pilot: Any, predicate: Callable[[], Any], timeout: float = 40.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("the screen did not reach the expected state")
        await pilot.pause(0.05)


def _freeze(pane: MonitoringPane, veth: VethNamespace) -> None:
    """Fix what changes between runs in the servers' answers (see the module doc)."""
    pane.targets = [dataclasses.replace(
        t, instance=t.instance.replace(veth.inner_ip, "10.96.0.9"),
        scrape_url=t.scrape_url.replace(veth.inner_ip, "10.96.0.9"),
        last_scrape_duration=0.004 if t.health == "up" else 0.0)
        for t in pane.targets]
    if pane.status is not None:
        pane.status = dataclasses.replace(
            pane.status, num_series=1234, chunk_count=2345,
            top_metrics=(("prometheus_http_requests_total", 120),
                         ("prometheus_tsdb_head_series", 1)))
    ends = {"active": FIXED_NOW + timedelta(hours=2),
            "pending": FIXED_NOW + timedelta(days=1, hours=3),
            "expired": FIXED_NOW - timedelta(minutes=5)}
    pane.silences = [dataclasses.replace(s, id=f"5e1e{i:04d}-0000-4000-8000-000000000000",
                                         ends_at=ends.get(s.state, s.ends_at))
                     for i, s in enumerate(pane.silences)]


async def _open(app: EssentialsApp, pilot: Any, veth: VethNamespace) -> MonitoringPane:
    await _until(pilot, lambda: app.session is not None)
    app.open_plugin("kube-prometheus-stack")
    await _until(pilot, lambda: bool(app.screen.query(MonitoringPane)))
    pane = app.screen.query_one(MonitoringPane)

    def missing() -> list[str]:
        """What the pane does not show yet (named in the failure: one read, no retry)."""
        checks = {"3 alerts": pane.query_one("#alerts", VirtualTable).row_count == 3,
                  "status": pane.status is not None,
                  "2 scraped targets": len(pane.targets) == 2
                  and all(t.health != "unknown" for t in pane.targets),
                  "3 silences": len(pane.silences) == 3, "7 rules": len(pane.rules) == 7,
                  "a failing rule": any(r.health == "err" for r in pane.rules)}
        return [name for name, ok in checks.items() if not ok]

    try:
        await _until(pilot, lambda: not missing())
    except AssertionError:
        raise AssertionError(f"the pane lacks {missing()}; its notes: "
                             f"{getattr(pane, 'errors', None)!r}") from None
    _freeze(pane, veth)
    return pane


def _app(kubeconfig: str) -> EssentialsApp:
    return EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=NS, now=FIXED_NOW))


@pytest.mark.parametrize("tab", ["silences", "targets", "rules", "grafana"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_tab(snap_compare, seeded, kubeconfig, size, tab) -> None:  # type: ignore[no-untyped-def]
    app = _app(kubeconfig)
    key = str(pane_module.TABS.index(tab) + 1)

    async def run_before(pilot: Any) -> None:
        pane = await _open(app, pilot, seeded)
        await pilot.press(key)
        if tab == "grafana":
            facts = pane.query_one("#grafana-facts")
            await _until(pilot, lambda: "kps-dashboards" in str(facts.render())
                         or "3 dashboards" in str(facts.render()))
        await pilot.pause(0.3)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_silence_form(snap_compare, seeded, kubeconfig, size) -> None:  # type: ignore[no-untyped-def]
    app = _app(kubeconfig)

    async def run_before(pilot: Any) -> None:
        await _open(app, pilot, seeded)
        await pilot.press("s")  # the first row: AlwaysFiring
        await _until(pilot, lambda: isinstance(app.screen, SilenceScreen))
        await pilot.press(*"deploying the fix")
        for widget in app.screen.query(Input):
            widget.cursor_blink = False
        await pilot.pause(0.3)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
