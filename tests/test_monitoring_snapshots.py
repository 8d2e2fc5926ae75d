"""SVG snapshots of the monitoring pane at 80x24 and 120x40, from the REAL servers with
deterministic data: Alertmanager holds alerts posted with fixed labels and start times
(relative to the fixed clock; Prometheus has no rules here), and the PromQL plot draws
functions of ``time()`` over the hour before the fixed clock, which Prometheus computes the
same on every run. The namespace is fixed because the status line shows it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from textual.widgets import Input, Static

from k8s_essentials_tui.api import VirtualTable
from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.plugins.monitoring.pane import MonitoringPane
from k8s_essentials_tui.plugins.monitoring.screens import AlertDetailScreen
from testkit.netns import VethNamespace
from testkit.prometheus import MonitoringStack
from tests.conftest import FIXED_NOW
from tests.monitoring_fixtures import expose, start_stack

pytestmark = pytest.mark.e2e
SIZES = [(80, 24), (120, 40)]
NS = "monitoring-snapshots"
WAVES = ('sin(vector(time()) / 600) or label_replace(cos(vector(time()) / 900) * 0.5, '
         '"wave", "cos", "", "")')


def _alert(name: str, severity: str, namespace: str, started: timedelta, summary: str,
           **labels: str) -> dict[str, Any]:
    return {"labels": {"alertname": name, "severity": severity, "namespace": namespace,
                       **labels},
            "annotations": {"summary": summary,
                            "runbook_url": f"https://runbooks.example.com/{name}"},
            "startsAt": (FIXED_NOW - started).isoformat(),
            "endsAt": (datetime.now(UTC) + timedelta(days=1)).isoformat(),
            "generatorURL": f"http://prometheus.example/graph?g0.expr={name}"}


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[VethNamespace, MonitoringStack]]:
    for veth, stack in start_stack(2, rules=False):
        stack.post_alerts([
            _alert("KubePodCrashLooping", "critical", "shop", timedelta(minutes=42),
                   "Pod shop/checkout-7d9 is crash looping", pod="checkout-7d9"),
            _alert("KubePodCrashLooping", "critical", "shop", timedelta(minutes=12),
                   "Pod shop/cart-55f is crash looping", pod="cart-55f"),
            _alert("CPUThrottlingHigh", "info", "shop", timedelta(hours=3),
                   "Processes experience elevated CPU throttling"),
            _alert("KubePersistentVolumeFillingUp", "warning", "payments",
                   timedelta(hours=2, minutes=5), "PVC ledger-data is 91% full"),
            _alert("TargetDown", "warning", "monitoring", timedelta(days=1, hours=1),
                   "100% of the dead/dead targets are down"),
        ])
        yield veth, stack


@pytest.fixture
def seeded(kube_admin: Any, servers: tuple[VethNamespace, MonitoringStack]) -> Iterator[str]:
    kube_admin.delete_namespace(NS)
    kube_admin.create_namespace(NS)
    expose(kube_admin, NS, *servers)
    yield NS
    kube_admin.delete_namespace(NS)


async def _until(pilot: Any, predicate: Callable[[], Any], timeout: float = 30.0,
                 state: Callable[[], Any] = lambda: "") -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"the screen did not reach the expected state {state()}")
        await pilot.pause(0.05)


def _app(kubeconfig: str) -> EssentialsApp:
    return EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=NS, now=FIXED_NOW))


async def _open(app: EssentialsApp, pilot: Any) -> MonitoringPane:
    await _until(pilot, lambda: app.session is not None)
    app.open_plugin("kube-prometheus-stack")
    await _until(pilot, lambda: bool(app.screen.query(MonitoringPane)))
    pane = app.screen.query_one(MonitoringPane)
    await _until(pilot, lambda: pane.query_one("#alerts", VirtualTable).row_count == 4
                 and pane.status is not None and len(pane.targets) == 2
                 and all(t.health != "unknown" for t in pane.targets))
    await pilot.pause(0.2)
    return pane


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_alerts(snap_compare, seeded, kubeconfig, size) -> None:  # type: ignore[no-untyped-def]
    app = _app(kubeconfig)

    async def run_before(pilot: Any) -> None:
        await _open(app, pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_alert_detail(snap_compare, seeded, kubeconfig, size) -> None:  # type: ignore[no-untyped-def]
    app = _app(kubeconfig)

    async def run_before(pilot: Any) -> None:
        await _open(app, pilot)
        await pilot.press("enter")
        await _until(pilot, lambda: isinstance(app.screen, AlertDetailScreen))
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_promql_plot(snap_compare, seeded, kubeconfig, size) -> None:  # type: ignore[no-untyped-def]
    app = _app(kubeconfig)

    async def run_before(pilot: Any) -> None:
        pane = await _open(app, pilot)
        await pilot.press("5")
        box = pane.query_one("#promql-input", Input)
        await _until(pilot, lambda: app.focused is box)
        box.value = WAVES
        await pilot.press("enter")
        note = pane.query_one("#promql-note", Static)
        await _until(pilot, lambda: "matrix: 2 series" in str(note.render()),
                     state=lambda: note.render())
        plot = pane.query_one("#promql-plot", Static)
        await _until(pilot, lambda: any(0x2800 < ord(c) <= 0x28FF for c in str(plot.render())))
        await pilot.press("ctrl+g")  # to the table: no blinking cursor in the picture
        for widget in app.screen.query(Input):
            widget.cursor_blink = False
        await pilot.pause(0.3)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
