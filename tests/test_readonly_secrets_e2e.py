"""Issue #15, findings 3 and 6, on the real apiserver with the real helm: read-only holds for
headless commands (flag and config file) and in the TUI (Helm ``u``, Velero ``l``), and
Secret values stay masked in the install diff and the Helm pane unless revealed by a user
who may read Secrets."""

from __future__ import annotations

import asyncio
import base64
import subprocess
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Static, TextArea

from k8s_essentials_tui import audit
from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.plugins.helm_releases.pane import ReleasesPane
from k8s_essentials_tui.plugins.velero.detail import VeleroDetailScreen
from k8s_essentials_tui.plugins.velero.pane import VeleroPane
from k8s_essentials_tui.screens.confirm import ConfirmScreen
from k8s_essentials_tui.screens.install import InstallScreen
from k8s_essentials_tui.settings import Settings
from testkit.chart_repo import ChartRepo
from testkit.velero_server import FIXED_NOW, VeleroServer
from testkit.wait import wait_until
from tests.test_helm_e2e import cli

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("helm_home")]
PASSWORD = "hunter2-s3cr3t"
B64 = base64.b64encode(PASSWORD.encode()).decode()
PREFIX = "k8s-essentials-tui: error: "
V1 = "velero.io/v1"


def helm_releases(kube_admin: Any, namespace: str) -> list[str]:
    """Helm's release records on the real apiserver (what `helm list` reads)."""
    return [s["metadata"]["name"] for s in kube_admin.list("v1", "secrets", namespace,
                                                           label_selector="owner=helm")]


def install_args(repo: ChartRepo, namespace: str, kubeconfig: str) -> list[str]:
    return ["install", "essentials-demo", "--repo", repo.url, "--release", "demo",
            "--version", "0.1.0", "-n", namespace, "--kubeconfig", kubeconfig]


def notes(app: EssentialsApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


# -- headless ------------------------------------------------------------------------------


def test_headless_install_read_only_flag_is_refused(capsys: pytest.CaptureFixture[str],
                                                    kubeconfig: str, namespace: str,
                                                    kube_admin: Any,
                                                    chart_repo: ChartRepo) -> None:
    code, out, err = cli(capsys, *install_args(chart_repo, namespace, kubeconfig), "--yes",
                         "--read-only")
    assert code == 2
    assert err.splitlines() == [f"{PREFIX}read-only mode: Install demo in {namespace} is "
                                "disabled (even its preview is a server-side dry-run)"]
    assert out == ""
    assert helm_releases(kube_admin, namespace) == []
    assert kube_admin.get_or_none("v1", "ConfigMap", "demo-config", namespace) is None
    assert [(e["action"], e["result"]) for e in audit.read()] == [("helm.install", "refused")]


def test_config_read_only_refuses_install_uninstall_and_backup(
        capsys: pytest.CaptureFixture[str], kubeconfig: str, namespace: str, kube_admin: Any,
        chart_repo: ChartRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, _out, err = cli(capsys, *install_args(chart_repo, namespace, kubeconfig), "--yes")
    assert code == 0, err
    before = helm_releases(kube_admin, namespace)
    assert len(before) == 1
    config = tmp_path / "config.toml"
    config.write_text("read_only = true\n")
    monkeypatch.setenv("K8S_ESSENTIALS_TUI_CONFIG", str(config))

    code, out, err = cli(capsys, *install_args(chart_repo, namespace, kubeconfig),
                         "--version", "0.2.0", "--yes")
    assert code == 2 and out == ""
    assert err.splitlines() == [f"{PREFIX}read-only mode: Upgrade demo in {namespace} is "
                                "disabled (even its preview is a server-side dry-run)"]
    code, out, err = cli(capsys, "uninstall", "demo", "-n", namespace, "--kubeconfig",
                         kubeconfig, "--yes")
    assert code == 2 and out == ""
    assert err.splitlines() == [f"{PREFIX}read-only mode: Uninstall demo from {namespace} is "
                                "disabled"]
    assert helm_releases(kube_admin, namespace) == before
    assert kube_admin.get("v1", "ConfigMap", "demo-config", namespace)

    VeleroServer(kube_admin, namespace).add_bsl("default")
    code, out, err = cli(capsys, "backup", "create", "nightly", "--kubeconfig", kubeconfig,
                         "-n", namespace)
    assert code == 2 and out == ""
    assert err.splitlines() == [f"{PREFIX}read-only mode: backup create is disabled"]
    assert kube_admin.get_or_none(V1, "backups", "nightly", namespace) is None
    results = [(e["action"], e["result"]) for e in audit.read()]
    assert results[-3:] == [("helm.upgrade", "refused"), ("helm.uninstall", "refused"),
                            ("velero.backup.create", "refused")]


def test_install_dry_run_never_prints_the_password(capsys: pytest.CaptureFixture[str],
                                                   kubeconfig: str, namespace: str,
                                                   kube_admin: Any, chart_repo: ChartRepo,
                                                   tmp_path: Path) -> None:
    values = tmp_path / "secret-values.yaml"
    values.write_text(f"message: hi\npassword: {PASSWORD}\n")
    argv = [*install_args(chart_repo, namespace, kubeconfig), "--values", str(values),
            "--dry-run"]
    code, out, err = cli(capsys, *argv)
    assert code == 0, err
    assert f"=== Secret {namespace}/demo-auth (added)" in out
    assert "+  password: (added)" in out  # the Secret's data
    assert "+password: (added)" in out  # the values diff
    assert PASSWORD not in out + err and B64 not in out + err
    assert helm_releases(kube_admin, namespace) == []
    assert audit.read()[-1]["result"] == "dry-run"

    # --show-secrets, for a user who may get Secrets there (the admin)
    code, out, err = cli(capsys, *argv, "--show-secrets")
    assert code == 0, err
    assert f"+password: {PASSWORD}" in out and f'+  password: "{B64}"' in out


def test_show_secrets_needs_permission_to_read_them(capsys: pytest.CaptureFixture[str],
                                                    limited_kubeconfig: str, namespace: str,
                                                    chart_repo: ChartRepo,
                                                    kube_admin: Any) -> None:
    # the limited user may list Secrets here (Helm's records), not get one: refused
    kube_admin.create({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                       "metadata": {"name": "list-secrets", "namespace": namespace},
                       "rules": [{"apiGroups": [""], "resources": ["secrets"],
                                  "verbs": ["list"]}]})
    kube_admin.create({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                       "metadata": {"name": "list-secrets", "namespace": namespace},
                       "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role",
                                   "name": "list-secrets"},
                       "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User",
                                     "name": "limited"}]})
    code, out, err = cli(capsys, *install_args(chart_repo, namespace, limited_kubeconfig),
                         "--dry-run", "--show-secrets")
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1
    assert err.startswith(f"{PREFIX}--show-secrets: not allowed to get Secrets in {namespace}")


# -- TUI ----------------------------------------------------------------------------------


def helm_install_with_password(helm_bin: str, kubeconfig: str, repo: ChartRepo,
                               namespace: str) -> None:
    subprocess.run([helm_bin, "upgrade", "--install", "demo", "essentials-demo", "--repo",
                    repo.url, "--version", "0.1.0", "-n", namespace, "--set",
                    f"password={PASSWORD}", "--kubeconfig", kubeconfig], check=True,
                   capture_output=True)


async def test_helm_pane_read_only_upgrade_refused_and_values_masked(
        kubeconfig: str, namespace: str, chart_repo: ChartRepo, helm_bin: str) -> None:
    helm_install_with_password(helm_bin, kubeconfig, chart_repo, namespace)
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, read_only=True, now=FIXED_NOW))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.session is not None, what="connection")
        app.open_plugin("helm")
        await wait_until(pilot, lambda: app.screen.query(ReleasesPane), what="pane")
        pane = app.screen.query_one(ReleasesPane)
        table = pane.query_one("#releases", DataTable)
        await pilot.press("slash", *namespace, "enter")
        await wait_until(pilot, lambda: table.row_count == 1, what="the release")
        values = pane.query_one("#values-view", TextArea)
        manifest = pane.query_one("#manifest-view", TextArea)
        await wait_until(pilot, lambda: "password: (hidden)" in values.text, what="masked values")
        assert PASSWORD not in values.text and B64 not in manifest.text
        assert "password: (hidden)" in manifest.text
        assert values.text.startswith("# (hidden) values: press x to show them")

        await pilot.press("u")
        await pilot.pause()
        assert not isinstance(app.screen, InstallScreen)
        assert any("read-only mode: upgrade is disabled" in n for n in notes(app))

        # reading is not writing: the admin may get Secrets, so x reveals them
        await pilot.press("x")
        await wait_until(pilot, lambda: PASSWORD in values.text, what="revealed values")
        assert B64 in manifest.text
        await pilot.press("x")
        await wait_until(pilot, lambda: PASSWORD not in values.text, what="hidden again")


async def test_install_screen_masks_the_preview_until_f3(kubeconfig: str, namespace: str,
                                                        chart_repo: ChartRepo) -> None:
    from k8s_essentials_tui.plugin import ChartRef, Plugin

    plugin = Plugin(id="demo", title="Demo", category="packaging",
                    chart=ChartRef(repo=chart_repo.url, chart="essentials-demo",
                                   version="0.1.0", namespace=namespace, release="demo",
                                   values=f"password: {PASSWORD}\n"))
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, now=FIXED_NOW))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.session is not None, what="connection")
        screen = InstallScreen(plugin)
        app.push_screen(screen)
        await pilot.pause()
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: screen.preview is not None, what="preview")
        body = screen.query_one("#diff-body", Static)
        assert "password: (added)" in str(body.render())
        assert PASSWORD not in str(body.render()) and B64 not in str(body.render())
        await pilot.press("f3")
        await wait_until(pilot, lambda: B64 in str(body.render()), what="revealed")
        assert PASSWORD in str(body.render())
    assert [(e["action"], e["result"]) for e in audit.read()] == [("helm.install", "dry-run")]


def _velero_app(kubeconfig: str, namespace: str, read_only: bool) -> EssentialsApp:
    settings = Settings()
    settings.values["velero.namespace"] = namespace
    return EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=namespace,
                                      now=FIXED_NOW, settings=settings, read_only=read_only))


async def _open_detail(app: EssentialsApp, pilot: Pilot) -> None:
    await wait_until(pilot, lambda: app.session is not None, what="connection")
    app.open_plugin("velero")
    await wait_until(pilot, lambda: app.screen.query(VeleroPane), what="the pane")
    table = app.screen.query_one("#backups", DataTable)
    await wait_until(pilot, lambda: table.row_count == 1, what="the backup")
    table.focus()
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(app.screen, VeleroDetailScreen), what="detail")


async def test_velero_logs_are_refused_read_only(kube_admin: Any, kubeconfig: str,
                                                 namespace: str) -> None:
    server = VeleroServer(kube_admin, namespace, FIXED_NOW)
    server.add_bsl("default")
    server.add_backup("nightly")
    app = _velero_app(kubeconfig, namespace, read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_detail(app, pilot)
        await pilot.press("l")
        state = app.screen.query_one("#log-state", Static)
        await wait_until(pilot, lambda: "read-only mode" in str(state.render()), what="refusal")
        assert not isinstance(app.screen, ConfirmScreen)
        assert any("Velero serves logs only through a DownloadRequest" in n
                   for n in notes(app))
        await asyncio.sleep(0.2)
    assert kube_admin.list(V1, "downloadrequests", namespace) == []
    entry = audit.read()[-1]
    assert (entry["action"], entry["result"]) == ("velero.backup.logs", "refused")
    assert entry["command"] == f"velero backup logs nightly --namespace {namespace}"


async def test_velero_logs_ask_and_are_audited(kube_admin: Any, kubeconfig: str,
                                               namespace: str) -> None:
    server = VeleroServer(kube_admin, namespace, FIXED_NOW)
    server.add_bsl("default")
    server.add_backup("nightly")
    app = _velero_app(kubeconfig, namespace, read_only=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_detail(app, pilot)
        await pilot.press("l")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        assert "DownloadRequest" in app.screen.mutation.warning
        assert kube_admin.list(V1, "downloadrequests", namespace) == []  # not before "y"
        await pilot.press("y")
        await asyncio.to_thread(server.answer_download_requests,
                                "http://127.0.0.1:9/unreachable.gz")
        state = app.screen.query_one("#log-state", Static)
        await wait_until(pilot, lambda: "cannot be fetched from here" in str(state.render()),
                         what="unreachable message")
    assert len(kube_admin.list(V1, "downloadrequests", namespace)) == 1
    entry = audit.read()[-1]
    assert (entry["action"], entry["result"]) == ("velero.backup.logs", "ok")
