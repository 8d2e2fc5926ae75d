"""Issue #17 (panes) and #25 on the real apiserver, by keys only, at 80x24 and 120x40: the
Velero, Helm releases and certificates panes open with their table focused and a row
selected, take j/k/g/G/ctrl+f/ctrl+b, give focus back after a dialog, put a key burst after
``/`` into the search box, clear a filter on escape before going back; the restore form
fits 80x24; a backup TTL is not "critical"; ``backup create --wait`` gives up."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from textual.widgets import Button, DataTable, Input

from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.cli import main
from k8s_essentials_tui.plugins.cert_manager.pane import CertificatesPane
from k8s_essentials_tui.plugins.cert_manager.table import CertTable
from k8s_essentials_tui.plugins.helm_releases.pane import ReleasesPane
from k8s_essentials_tui.plugins.velero import command as backup_cmd
from k8s_essentials_tui.plugins.velero.forms import RestoreScreen
from k8s_essentials_tui.plugins.velero.pane import VeleroPane
from k8s_essentials_tui.screens.confirm import ConfirmScreen
from k8s_essentials_tui.settings import Settings
from testkit.hostile import painted_text
from testkit.velero_server import FIXED_NOW, VeleroServer
from testkit.wait import wait_until
from tests import cert_fixtures as certs
from tests.test_keyboard_panes import burst

pytestmark = pytest.mark.e2e
SIZES = [(80, 24), (120, 40)]


def screen_text(app: EssentialsApp) -> str:
    return "\n".join(painted_text(app))


def selected(table: DataTable) -> str:
    return str(table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value)


# -- Velero -------------------------------------------------------------------------------------


@pytest.fixture
def velero(kube_admin, namespace) -> VeleroServer:
    srv = VeleroServer(kube_admin, namespace, FIXED_NOW)
    srv.add_bsl("default")
    for i in range(30):
        srv.add_backup(f"b{i:02d}", started=FIXED_NOW - timedelta(hours=i + 1),
                       phase="Failed" if i % 3 == 0 else "Completed")
    return srv


def velero_app(kubeconfig: str, namespace: str) -> EssentialsApp:
    settings = Settings()
    settings.values["velero.namespace"] = namespace
    return EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=namespace,
                                      now=FIXED_NOW, settings=settings))


async def open_velero(app: EssentialsApp, pilot: Any) -> VeleroPane:
    await wait_until(pilot, lambda: app.session is not None, what="connection")
    app.open_plugin("velero")
    await wait_until(pilot, lambda: app.screen.query(VeleroPane), what="the pane")
    pane = app.screen.query_one(VeleroPane)
    await wait_until(pilot, lambda: pane.query_one("#backups", DataTable).row_count == 30,
                     what="the backups")
    await wait_until(pilot, lambda: pane.access_checked(), what="access checks")
    return pane


@pytest.mark.parametrize("size", SIZES)
async def test_velero_rows_by_keys_restore_names_the_row_and_fits(
        velero, kubeconfig, namespace, size) -> None:
    app = velero_app(kubeconfig, namespace)
    async with app.run_test(size=size) as pilot:
        pane = await open_velero(app, pilot)
        table = pane.query_one("#backups", DataTable)
        assert app.screen.focused is table  # not the tab bar: down moves the row
        assert selected(table) == "b00"
        await pilot.press("down", "j", "j")
        assert selected(table) == "b03"
        await pilot.press("k")
        assert selected(table) == "b02"
        await pilot.press("G")
        assert selected(table) == "b29"
        await pilot.press("g")
        assert selected(table) == "b00"
        await pilot.press("ctrl+f")
        paged = table.cursor_row
        assert paged > 1
        await pilot.press("ctrl+b")
        assert table.cursor_row < paged
        await pilot.press("g", "j", "j", "j", "j")
        assert selected(table) == "b04"
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, RestoreScreen), what="restore form")
        await pilot.pause()
        text = screen_text(app)
        assert "Restore from backup b04" in text
        assert "ctrl+s restore · esc cancel" in text
        # the whole command is painted (it was cut below the screen at 80x24)
        flat = "".join(ch for ch in text if ch not in " \n│╭╮╰╯─█▌▐")
        assert "--from-backupb04" in flat and f"--namespace{namespace}" in flat
        for button_id in ("#submit", "#cancel"):
            button = app.screen.query_one(button_id, Button)
            assert button.region.height > 0 and button.region.bottom <= size[1], button_id
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, RestoreScreen), what="closed")
        await pilot.pause()
        assert app.screen.focused is table and selected(table) == "b04"
        await pilot.press("j", "d")  # delete names the row too, then focus comes back
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        assert app.screen.mutation.title == "Delete backup b05"
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmScreen), what="closed")
        await pilot.pause()
        assert app.screen.focused is table and selected(table) == "b05"


@pytest.mark.parametrize("size", SIZES)
async def test_velero_escape_clears_the_filter_before_going_back(
        velero, kubeconfig, namespace, size) -> None:
    app = velero_app(kubeconfig, namespace)
    async with app.run_test(size=size) as pilot:
        pane = await open_velero(app, pilot)
        table = pane.query_one("#backups", DataTable)
        await pilot.press("f")  # phase filter
        await wait_until(pilot, lambda: table.row_count < 30, what="filtered")
        await pilot.press("escape")
        await wait_until(pilot, lambda: table.row_count == 30, what="filter cleared")
        assert app.screen.query(VeleroPane)  # still in the pane
        await pilot.press("2")  # schedules tab, its table focused
        assert app.screen.focused is pane.query_one("#schedules", DataTable)
        await pilot.press("1", "escape")
        await wait_until(pilot, lambda: not app.screen.query(VeleroPane), what="back on the board")


# -- Helm releases --------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
async def test_helm_releases_vi_keys_and_filter_burst(kubeconfig, namespace, kube_admin,
                                                      size) -> None:
    for i in range(3):
        kube_admin.create({"apiVersion": "v1", "kind": "Secret", "type": "helm.sh/release.v1",
                           "metadata": {"name": f"sh.helm.release.v1.rel{i}.v1",
                                        "namespace": namespace,
                                        "labels": {"owner": "helm", "name": f"rel{i}",
                                                   "version": "1", "status": "deployed"}},
                           "data": {"release": "bm90IGEgcmVsZWFzZQ=="}})
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, now=FIXED_NOW))
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: app.session is not None, what="connection")
        app.open_plugin("helm")
        await wait_until(pilot, lambda: app.screen.query(ReleasesPane), what="pane")
        pane = app.screen.query_one(ReleasesPane)
        table = pane.query_one("#releases", DataTable)
        # a burst: "/" must focus the box before "u" (upgrade), "r" (rollback), "d"...
        await burst(pilot, f"/{namespace}")
        await pilot.press("enter")
        await wait_until(pilot, lambda: table.row_count == 3, what="three releases")
        assert not app.screen.query(ConfirmScreen) and pane.filter_text == namespace
        assert app.screen.focused is table
        assert selected(table) == f"{namespace}/rel0"
        await pilot.press("j")
        assert selected(table) == f"{namespace}/rel1"
        await pilot.press("G")
        assert selected(table) == f"{namespace}/rel2"
        await pilot.press("g")
        assert selected(table) == f"{namespace}/rel0"
        await pilot.press("escape")  # clears the filter first
        await wait_until(pilot, lambda: pane.filter_text == "", what="filter cleared")
        assert app.screen.query(ReleasesPane)
        await pilot.press("escape")
        await wait_until(pilot, lambda: not app.screen.query(ReleasesPane), what="back")


# -- certificates ------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
async def test_certificates_search_burst_lands_in_the_box(kube_admin, kubeconfig, namespace,
                                                          size) -> None:
    certs.seed(kube_admin, namespace, certs.FIXED_NOW)
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=namespace,
                                     now=certs.FIXED_NOW))
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: app.session is not None, what="connection")
        app.open_plugin("cert-manager")
        await wait_until(pilot, lambda: app.screen.query(CertificatesPane), what="pane")
        pane = app.screen.query_one(CertificatesPane)
        await wait_until(pilot, lambda: pane._primed, what="listed")
        assert app.screen.focused is pane.query_one(CertTable)
        # one burst, as pasted: "c" must not reach Clear, the digits not the table
        await burst(pilot, "/c1234")
        assert pane.query_one("#certs-search", Input).value == "c1234"
        assert pane.view_rows == []
        await pilot.press("escape")  # in the box: closes and clears it (documented)
        assert len(pane.view_rows) > 1 and pane.state_filter == "all"
        await burst(pilot, "/shop.example")  # "s" (state), "a" (all) in it
        await pilot.press("enter")
        assert pane.search == "shop.example" and pane.state_filter == "all"
        assert [r.name for r in pane.view_rows] == ["web"]
        assert app.screen.focused is pane.query_one(CertTable)
        await pilot.press("escape")  # filter active: cleared first, still in the pane
        await wait_until(pilot, lambda: pane.search == "", what="search cleared")
        assert app.screen.query(CertificatesPane)
        await pilot.press("escape")
        await wait_until(pilot, lambda: not app.screen.query(CertificatesPane), what="back")


async def test_backup_ttl_is_expiring_not_critical(kube_admin, kubeconfig, namespace) -> None:
    srv = VeleroServer(kube_admin, namespace, certs.FIXED_NOW)
    srv.add_backup("soon", started=certs.FIXED_NOW - timedelta(days=28), ttl="720h")
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=namespace,
                                     now=certs.FIXED_NOW))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.session is not None, what="connection")
        app.open_plugin("cert-manager")
        await wait_until(pilot, lambda: app.screen.query(CertificatesPane), what="pane")
        pane = app.screen.query_one(CertificatesPane)
        await wait_until(pilot, lambda: pane._primed and pane._velero, what="Velero seen")
        await pilot.press("a")  # all expiries: backups join
        await wait_until(pilot, lambda: any(r.name == "soon" for r in pane.view_rows),
                         what="backup")
        row = next(r for r in pane.view_rows if r.name == "soon")
        assert row.state(certs.FIXED_NOW, pane.thresholds) == "expiring"
        text = screen_text(app)
        line = next(ln for ln in text.splitlines() if "soon" in ln)
        assert "critical" not in line and "expiring" in line


# -- backup create --wait -----------------------------------------------------------------------


def test_backup_wait_gives_up_and_says_why(kubeconfig, namespace, kube_admin, capsys,
                                           monkeypatch) -> None:
    VeleroServer(kube_admin, namespace).add_bsl("default")
    monkeypatch.setattr(backup_cmd, "NOT_PICKED_UP_AFTER", 0.5)
    rc = main(["backup", "create", "stuck", "--wait", "--timeout", "3s",
               "--kubeconfig", kubeconfig, "-n", namespace])
    out, err = capsys.readouterr()
    assert rc == 2, (out, err)
    assert "has not picked up backup stuck" in err
    assert "timed out after 3s waiting for backup stuck" in err


def test_backup_timeout_must_be_a_duration(kubeconfig, namespace, capsys) -> None:
    rc = main(["backup", "create", "x", "--wait", "--timeout", "soon",
               "--kubeconfig", kubeconfig, "-n", namespace])
    assert rc == 2 and "--timeout" in capsys.readouterr().err


# -- Telepresence: the daemon's context is not the app's ------------------------------------


async def test_telepresence_says_when_its_context_differs(kubeconfig, namespace, tmp_path,
                                                          monkeypatch) -> None:
    from k8s_essentials_tui.plugins.telepresence.pane import TelepresencePane
    from testkit.fake_telepresence import FakeTelepresence

    fake = FakeTelepresence(tmp_path / "tp")
    fake.install(monkeypatch)
    fake.connect_now("shop")  # the fake daemon reports context "demo"
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=namespace,
                                     now=FIXED_NOW))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.session is not None, what="connection")
        assert app.session is not None and app.session.context != "demo"
        app.open_plugin("telepresence")
        await wait_until(pilot, lambda: app.screen.query(TelepresencePane), what="pane")
        pane = app.screen.query_one(TelepresencePane)
        await wait_until(pilot, lambda: pane.status is not None and pane.status.connected,
                         what="status read")
        await pilot.pause()
        flat = " ".join(screen_text(app).split())
        assert "telepresence is connected to context demo, not this app's context" in flat
