"""Pilot tests of the Velero pane on the real apiserver with the Velero CRDs; the Velero
server is played by ``testkit.velero_server`` (status moved through phases)."""

from __future__ import annotations

import asyncio
import gzip
import http.server
import threading
from datetime import timedelta
from typing import Any

import pytest
from textual.widgets import DataTable, Input, Log, Static

from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.plugins.velero import model
from k8s_essentials_tui.plugins.velero.detail import VeleroDetailScreen
from k8s_essentials_tui.plugins.velero.forms import CreateBackupScreen, RestoreScreen
from k8s_essentials_tui.plugins.velero.pane import VeleroPane
from k8s_essentials_tui.screens.confirm import ConfirmScreen
from k8s_essentials_tui.settings import Settings
from testkit.velero_server import FIXED_NOW, VeleroServer
from testkit.wait import wait_until

pytestmark = pytest.mark.e2e
V1 = "velero.io/v1"


def cells(app: EssentialsApp, table_id: str) -> list[list[str]]:
    table = app.screen.query_one(f"#{table_id}", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def notes(app: EssentialsApp) -> list[str]:
    return [n.message for n in app._notifications]


@pytest.fixture
def server(kube_admin, namespace) -> VeleroServer:
    srv = VeleroServer(kube_admin, namespace, FIXED_NOW)
    srv.add_bsl("default")
    return srv


def velero_settings(namespace: str) -> Settings:
    """Velero's namespace is the config's (else where the board found it), not -n."""
    settings = Settings()
    settings.values["velero.namespace"] = namespace
    return settings


def make_app(kubeconfig: str, namespace: str) -> EssentialsApp:
    return EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=namespace,
                                      now=FIXED_NOW, settings=velero_settings(namespace)))


async def open_pane(app: EssentialsApp, pilot: Any) -> VeleroPane:
    await wait_until(pilot, lambda: app.session is not None, what="connection")
    app.open_plugin("velero")
    await wait_until(pilot, lambda: app.screen.query(VeleroPane), what="the pane")
    pane = app.screen.query_one(VeleroPane)
    await wait_until(pilot, lambda: "namespace" in str(
        pane.query_one("#velero-status", Static).render()) or pane._missing, what="the first list")
    return pane


async def test_list_create_and_follow_live(server, kube_admin, kubeconfig, namespace) -> None:
    server.add_backup("older", started=FIXED_NOW - timedelta(days=2))
    server.add_backup("newer", started=FIXED_NOW - timedelta(hours=3), phase="PartiallyFailed",
                      errors=2)
    app = make_app(kubeconfig, namespace)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_pane(app, pilot)
        await wait_until(pilot, lambda: len(cells(app, "backups")) == 2, what="two backups")
        assert [r[0] for r in cells(app, "backups")] == ["newer", "older"]
        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, CreateBackupScreen), what="the form")
        form = app.screen
        assert form.query_one("#name", Input).value == "backup-20260601120000"
        form.query_one("#include", Input).value = namespace
        form.query_one("#selector", Input).value = "app=web"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirmation")
        assert "velero backup create backup-20260601120000 --include-namespaces" in \
            app.screen.mutation.command
        await pilot.press("y")
        await wait_until(pilot, lambda: kube_admin.get_or_none(
            V1, "backups", "backup-20260601120000", namespace), what="the Backup object")
        stored = kube_admin.get(V1, "backups", "backup-20260601120000", namespace)
        expected = model.build_backup(model.BackupOptions(
            name="backup-20260601120000", include_namespaces=[namespace], selector="app=web",
            ttl="720h", storage_location="default"), namespace)
        assert stored["spec"] == expected["spec"]
        # the Velero server runs it; the pane follows it live and selects it
        await asyncio.to_thread(server.run_backup, "backup-20260601120000", total=12)
        await wait_until(pilot, lambda: any(r[0] == "backup-20260601120000" and r[1] == "Completed"
                                       for r in cells(app, "backups")), what="Completed")
        await wait_until(pilot, lambda: any("finished: Completed" in n for n in notes(app)),
                         what="final notification")
        table = app.screen.query_one("#backups", DataTable)
        assert str(table.get_row_at(table.cursor_row)[0]) == "backup-20260601120000"
        assert "12/12" in str(table.get_row_at(table.cursor_row)[2])


async def test_form_validates_before_submit(server, kubeconfig, namespace) -> None:
    app = make_app(kubeconfig, namespace)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_pane(app, pilot)
        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, CreateBackupScreen), what="the form")
        form = app.screen
        form.query_one("#name", Input).value = "Bad Name"
        form.query_one("#include", Input).value = "no-such-namespace"
        form.query_one("#ttl", Input).value = "3d"
        await pilot.press("ctrl+s")
        await pilot.pause()
        text = str(form.query_one("#errors", Static).render())
        assert "invalid backup name" in text
        assert "unknown namespace: no-such-namespace" in text
        assert "invalid TTL" in text and "72h" in text
        assert isinstance(app.screen, CreateBackupScreen)


async def test_name_clash_is_reported(server, kube_admin, kubeconfig, namespace) -> None:
    server.add_backup("backup-20260601120000")
    app = make_app(kubeconfig, namespace)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_pane(app, pilot)
        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, CreateBackupScreen), what="the form")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirmation")
        await pilot.press("y")
        await wait_until(pilot, lambda: any("already exists" in n for n in notes(app)),
                         what="409 msg")


async def test_backup_now_from_schedule(server, kube_admin, kubeconfig, namespace) -> None:
    server.add_schedule("daily", "0 1 * * *",
                        {"includedNamespaces": ["shop"], "ttl": "168h0m0s",
                         "metadata": {"labels": {"tier": "gold"}}},
                        labels={"team": "ops"}, last_backup=FIXED_NOW - timedelta(hours=11))
    app = make_app(kubeconfig, namespace)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_pane(app, pilot)
        await pilot.press("n")  # switches to the Schedules tab first
        await wait_until(pilot, lambda: len(cells(app, "schedules")) == 1, what="the schedule")
        row = cells(app, "schedules")[0]
        assert row[:4] == ["daily", "0 1 * * *", "2026-06-02 01:00 (in 13h)", "no"]
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirmation")
        assert app.screen.mutation.command == (
            f"velero backup create daily-20260601120000 --from-schedule daily "
            f"--namespace {namespace}")
        await pilot.press("y")
        await wait_until(pilot, lambda: kube_admin.get_or_none(
            V1, "backups", "daily-20260601120000", namespace), what="the backup")
        stored = kube_admin.get(V1, "backups", "daily-20260601120000", namespace)
        assert stored["metadata"]["labels"] == {"tier": "gold",
                                                "velero.io/schedule-name": "daily"}
        assert stored["spec"]["includedNamespaces"] == ["shop"]
        # pause it
        app.screen.query_one("TabbedContent").active = "tab-schedules"
        await pilot.pause()
        await pilot.press("p")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="pause confirm")
        assert app.screen.mutation.command == f"velero schedule pause daily --namespace " \
                                              f"{namespace}"
        await pilot.press("y")
        await wait_until(pilot, lambda: kube_admin.get(V1, "schedules", "daily", namespace)
                    ["spec"].get("paused") is True, what="paused")
        await wait_until(pilot, lambda: cells(app, "schedules")[0][2] == "paused",
                         what="paused row")


async def test_restore_with_mapping_and_delete(server, kube_admin, kubeconfig,
                                               namespace) -> None:
    server.add_backup("nightly", namespaces=["shop"])
    app = make_app(kubeconfig, namespace)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_pane(app, pilot)
        await wait_until(pilot, lambda: len(cells(app, "backups")) == 1, what="the backup")
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, RestoreScreen), what="restore form")
        preview = str(app.screen.query_one("#preview", Static).render())
        assert "Namespaces: shop" in preview and "Items backed up: 120 of 120" in preview
        app.screen.query_one("#mapping", Input).value = "shop:shop-copy"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirmation")
        await pilot.press("y")
        await wait_until(pilot, lambda: kube_admin.get_or_none(
            V1, "restores", "nightly-20260601120000", namespace), what="the Restore")
        restore = kube_admin.get(V1, "restores", "nightly-20260601120000", namespace)
        assert restore["spec"] == {"backupName": "nightly", "includedNamespaces": ["shop"],
                                   "namespaceMapping": {"shop": "shop-copy"}, "hooks": {},
                                   "itemOperationTimeout": "0s"}
        await asyncio.to_thread(server.run_restore, "nightly-20260601120000")
        await wait_until(pilot, lambda: cells(app, "restores") and
                    cells(app, "restores")[0][2] == "Completed", what="restore completed")
        # delete with a typed confirmation
        # by key, as a user does: `1` shows the backups tab with its table focused before
        # the next key (setting `TabbedContent.active` left `d` racing the focus move)
        await pilot.press("1", "d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen),
                         what="delete confirm")
        assert app.screen.mutation.typed_confirmation == "nightly"
        from textual.widgets import Button

        assert app.screen.query_one("#confirm", Button).disabled  # name not typed yet
        await pilot.press(*"nightl", "enter")  # wrong name: refused
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y", "enter")
        deleted = await asyncio.to_thread(server.process_delete_requests)
        assert deleted == ["nightly"]
        await wait_until(pilot, lambda: not cells(app, "backups"), what="backup gone")


class _LogHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = gzip.compress(b"level=info msg=\"Backup starting\"\nlevel=info msg=done\n")
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


async def test_detail_and_logs(server, kube_admin, kubeconfig, namespace) -> None:
    server.add_backup("broken", phase="FailedValidation",
                      extra_status={"validationErrors": ["Invalid included/excluded "
                                                         "namespace lists"]})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _LogHandler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    app = make_app(kubeconfig, namespace)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await open_pane(app, pilot)
            await wait_until(pilot, lambda: len(cells(app, "backups")) == 1, what="the backup")
            app.screen.query_one("#backups", DataTable).focus()
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, VeleroDetailScreen),
                             what="detail")
            await wait_until(pilot, lambda: "Validation error: Invalid included" in
                        app.screen.detail_text, what="validation error")
            assert "Phase: FailedValidation" in app.screen.detail_text
            # logs: a reachable URL -> lines; an unreachable one -> a clear message
            await pilot.press("l")  # a DownloadRequest is created: confirm first
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
            await pilot.press("y")
            port = httpd.server_address[1]
            await asyncio.to_thread(server.answer_download_requests,
                                    f"http://127.0.0.1:{port}/log.gz")
            await wait_until(pilot, lambda: app.screen.query_one(Log).line_count >= 2,
                             what="log lines")
            assert "Backup starting" in app.screen.query_one(Log).lines[0]
            for req in kube_admin.list(V1, "downloadrequests", namespace):
                kube_admin.delete(V1, "downloadrequests", req["metadata"]["name"], namespace)
            await pilot.press("l")
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
            await pilot.press("y")
            await asyncio.to_thread(server.answer_download_requests,
                                    "http://127.0.0.1:9/unreachable.gz")
            state = app.screen.query_one("#log-state", Static)
            await wait_until(pilot, lambda: "cannot be fetched from here" in str(state.render()),
                             what="unreachable message")
            assert "Processed" in str(state.render())
    finally:
        httpd.shutdown()


async def test_forbidden_user_sees_disabled_actions(server, kube_admin, limited_kubeconfig,
                                                    namespace) -> None:
    # the limited user may read Velero objects here, not change them
    kube_admin.create({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                       "metadata": {"name": "velero-read", "namespace": namespace},
                       "rules": [{"apiGroups": ["velero.io"], "resources": ["*"],
                                  "verbs": ["get", "list", "watch"]}]})
    kube_admin.create({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                       "metadata": {"name": "velero-read", "namespace": namespace},
                       "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role",
                                   "name": "velero-read"},
                       "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User",
                                     "name": "limited"}]})
    server.add_backup("nightly")
    app = make_app(limited_kubeconfig, namespace)
    async with app.run_test(size=(140, 40)) as pilot:
        pane = await open_pane(app, pilot)
        await wait_until(pilot, lambda: len(cells(app, "backups")) == 1, what="the backup")
        disabled = pane.query_one("#velero-disabled", Static)
        # access checks answer one by one: wait for all of them
        await wait_until(pilot, lambda: all(k in str(disabled.render()) for k in (
            "b create backup", "r restore", "deletebackuprequests.velero.io")), what="reasons")
        text = str(disabled.render())
        assert f"b create backup — forbidden: cannot create backups.velero.io in {namespace}" \
            in text
        assert f"r restore — forbidden: cannot create restores.velero.io in {namespace}" in text
        assert "deletebackuprequests.velero.io" in text
        assert pane.check_action("create_backup", ()) is None
        await pilot.press("b")
        await pilot.pause()
        assert not isinstance(app.screen, CreateBackupScreen)  # the key is disabled


@pytest.fixture
def without_velero_crds(control_plane, kube_admin):
    """Remove the velero.io CRDs for one test (Velero not installed), then put them back."""
    from testkit.controlplane import iter_crd_names

    names = [n for n in iter_crd_names() if n.endswith(".velero.io")]
    for name in names:
        kube_admin.delete("apiextensions.k8s.io/v1", "customresourcedefinitions", name)
    try:
        import time

        deadline = time.monotonic() + 30
        while any(kube_admin.get_or_none("apiextensions.k8s.io/v1",
                                         "customresourcedefinitions", n) for n in names):
            if time.monotonic() > deadline:
                raise TimeoutError("velero CRDs not deleted")
            time.sleep(0.1)
        yield
    finally:
        control_plane.install_crds()


async def test_missing_crds_says_not_installed(without_velero_crds, kubeconfig, namespace,
                                               capsys) -> None:
    from k8s_essentials_tui.cli import main

    app = make_app(kubeconfig, namespace)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_pane(app, pilot)
        status = pane.query_one("#velero-status", Static)
        await wait_until(pilot, lambda: "not installed" in str(status.render()), what="missing")
        assert "Press i to install it" in str(status.render())
        assert pane.check_action("install", ()) is True
        assert pane.check_action("create_backup", ()) is None
        await pilot.press("i")
        await pilot.pause()
        assert any("helm install velero" in n for n in notes(app)) or \
            type(app.screen).__name__ == "InstallScreen"
    rc = await asyncio.to_thread(main, ["backup", "list", "--kubeconfig", kubeconfig,
                                        "-n", namespace])
    err = capsys.readouterr().err
    assert rc == 2 and "Velero is not installed" in err


class _EndlessLogHandler(http.server.BaseHTTPRequestHandler):
    """An object store answering with a body far larger than the download bound, sent
    with Content-Encoding: gzip over a .gz object (both layers must be bounded)."""

    def do_GET(self) -> None:
        if self.path == "/double.gz":
            body = gzip.compress(gzip.compress(b"level=info msg=\"twice\"\n"))
            self.send_response(200)
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_response(200)
        self.end_headers()
        try:
            for _ in range(4096):
                self.wfile.write(b"x" * 4096)
        except OSError:
            pass  # the client stopped reading: the point

    def log_message(self, *args: Any) -> None:
        pass


async def test_log_download_is_bounded(server, kubeconfig, namespace) -> None:
    from k8s_essentials_tui.kube.session import ClusterSession, ConnectOptions
    from k8s_essentials_tui.plugins.velero import ops

    server.add_backup("big")
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _EndlessLogHandler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    port = httpd.server_address[1]
    session = await ClusterSession.connect(ConnectOptions(kubeconfig=kubeconfig))
    try:
        answer = asyncio.create_task(asyncio.to_thread(
            server.answer_download_requests, f"http://127.0.0.1:{port}/endless"))
        result = await ops.fetch_logs(session.client, "BackupLog", "big", namespace,
                                      FIXED_NOW, max_bytes=64 * 1024)
        await answer
        assert result.lines == []
        assert result.message.startswith("the log is larger than 65536 bytes to download")
        for req in server.admin.list(V1, "downloadrequests", namespace):
            server.admin.delete(V1, "downloadrequests", req["metadata"]["name"], namespace)
        answer = asyncio.create_task(asyncio.to_thread(
            server.answer_download_requests, f"http://127.0.0.1:{port}/double.gz"))
        result = await ops.fetch_logs(session.client, "BackupLog", "big", namespace,
                                      FIXED_NOW)
        await answer
        assert result.lines == ['level=info msg="twice"']
    finally:
        await session.close()
        httpd.shutdown()
