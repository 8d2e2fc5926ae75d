"""SVG snapshots of the Velero pane (backups list, create form, detail, restore form) at
80x24 and 120x40, on the real apiserver with fixed names and the fixed clock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from textual.widgets import DataTable, Input

from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.plugins.velero.detail import VeleroDetailScreen
from k8s_essentials_tui.plugins.velero.forms import CreateBackupScreen, RestoreScreen
from k8s_essentials_tui.plugins.velero.pane import VeleroPane
from k8s_essentials_tui.settings import Settings
from testkit.velero_server import VeleroServer
from testkit.wait import wait_until
from tests.conftest import FIXED_NOW

pytestmark = pytest.mark.e2e
SIZES = [(80, 24), (120, 40)]
NS = "velero-snapshots"  # fixed: the namespace is shown on screen


@pytest.fixture
def seeded(kube_admin):
    kube_admin.delete_namespace(NS)
    kube_admin.create_namespace(NS)
    srv = VeleroServer(kube_admin, NS, FIXED_NOW)
    srv.add_bsl("default")
    srv.add_bsl("offsite", default=False, phase="Unavailable",
                message="bucket offsite-backups not found", bucket="offsite-backups")
    srv.add_schedule("daily", "0 1 * * *", {"includedNamespaces": ["shop", "db"],
                                            "ttl": "720h0m0s"},
                     last_backup=FIXED_NOW - timedelta(hours=11))
    srv.add_backup("daily-20260601010000", started=FIXED_NOW - timedelta(hours=11),
                   schedule="daily", namespaces=["shop", "db"], total=812)
    srv.add_backup("daily-20260531010000", started=FIXED_NOW - timedelta(days=1, hours=11),
                   schedule="daily", namespaces=["shop", "db"], phase="PartiallyFailed",
                   total=806, errors=3, warnings=12)
    srv.add_backup("pre-upgrade", started=FIXED_NOW - timedelta(minutes=4), phase="InProgress",
                   total=400, done=130, namespaces=["shop"])
    srv.add_backup("bad-filter", started=FIXED_NOW - timedelta(days=3), phase="FailedValidation",
                   total=0, extra_status={"validationErrors": [
                       "Invalid included/excluded namespace lists: excludes list cannot "
                       "contain '*'"]})
    yield srv
    kube_admin.delete_namespace(NS)


def _app(kubeconfig: str) -> EssentialsApp:
    settings = Settings()
    settings.values["velero.namespace"] = NS
    return EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=NS, now=FIXED_NOW,
                                      settings=settings))


async def _steady(app: EssentialsApp, pilot: Any) -> None:
    """No blinking cursor in the picture."""
    for widget in app.screen.query(Input):
        widget.cursor_blink = False
    await pilot.pause(0.2)


async def _open(app: EssentialsApp, pilot: Any) -> VeleroPane:
    await wait_until(pilot, lambda: app.session is not None)
    app.open_plugin("velero")
    await wait_until(pilot, lambda: bool(app.screen.query(VeleroPane)))
    pane = app.screen.query_one(VeleroPane)
    await wait_until(pilot, lambda: pane.query_one("#backups", DataTable).row_count == 4
                 and pane.query_one("#locations", DataTable).row_count == 2
                 and "default" in pane.access_checked())
    await pilot.pause(0.2)
    return pane


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_backups_list(snap_compare, seeded, kubeconfig, size) -> None:  # type: ignore[no-untyped-def]
    app = _app(kubeconfig)

    async def run_before(pilot: Any) -> None:
        await _open(app, pilot)
        app.screen.query_one("#backups", DataTable).focus()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_create_form(snap_compare, seeded, kubeconfig, size) -> None:  # type: ignore[no-untyped-def]
    app = _app(kubeconfig)

    async def run_before(pilot: Any) -> None:
        await _open(app, pilot)
        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, CreateBackupScreen))
        await pilot.press("tab", *"def")  # the include field completes namespaces
        await _steady(app, pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_backup_detail(snap_compare, seeded, kubeconfig, size) -> None:  # type: ignore[no-untyped-def]
    app = _app(kubeconfig)

    async def run_before(pilot: Any) -> None:
        await _open(app, pilot)
        table = app.screen.query_one("#backups", DataTable)
        table.focus()
        table.move_cursor(row=table.get_row_index("daily-20260531010000"))
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, VeleroDetailScreen)
                     and app.screen.detail_text)
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_restore_form(snap_compare, seeded, kubeconfig, size) -> None:  # type: ignore[no-untyped-def]
    app = _app(kubeconfig)

    async def run_before(pilot: Any) -> None:
        await _open(app, pilot)
        table = app.screen.query_one("#backups", DataTable)
        table.focus()
        table.move_cursor(row=table.get_row_index("daily-20260601010000"))
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, RestoreScreen))
        app.screen.query_one("#mapping").value = "shop:shop-restored"
        await _steady(app, pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
