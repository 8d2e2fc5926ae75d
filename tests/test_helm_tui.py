"""The Helm screens with Pilot against the real apiserver and the real helm: the releases
pane (native list, details, filter, rollback, uninstall) and the install screen (preview
diff, confirm, streamed run, upgrade from the deployed values, failure keeps values,
$EDITOR, export)."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import pytest
import yaml
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Log, Static, TextArea

from k8s_essentials_tui import audit
from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.plugin import ChartRef, Plugin
from k8s_essentials_tui.plugins.helm_releases.pane import ReleasesPane
from k8s_essentials_tui.plugins.helm_releases.rollback import RollbackPicker
from k8s_essentials_tui.screens.confirm import ConfirmScreen
from k8s_essentials_tui.screens.install import InstallScreen
from k8s_essentials_tui.widgets.helm_dialogs import ExportDialog
from k8s_essentials_tui.widgets.helm_diff import DiffView
from testkit.chart_repo import ChartRepo
from testkit.wait import wait_until
from tests.conftest import FIXED_NOW

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _helm_home(helm_home: Path) -> Path:
    """helm's cache/config/data in the test's tmp dir (never the user's)."""
    return helm_home


def helm(helm_bin: str, kubeconfig: str, *args: str) -> None:
    subprocess.run([helm_bin, *args, "--kubeconfig", kubeconfig], check=True,
                   capture_output=True)


def demo_plugin(repo: ChartRepo, namespace: str) -> Plugin:
    return Plugin(id="demo", title="Demo", category="packaging",
                  chart=ChartRef(repo=repo.url, chart="essentials-demo", version="0.1.0",
                                 namespace=namespace, release="demo",
                                 values="message: recommended\n"))


async def open_releases_pane(app: EssentialsApp, pilot: Pilot) -> ReleasesPane:
    """Connected, then the Helm releases pane opened from the app."""
    await wait_until(pilot, lambda: app.session is not None, what="connection")
    app.open_plugin("helm")
    await wait_until(pilot, lambda: app.screen.query(ReleasesPane), what="pane")
    return app.screen.query_one(ReleasesPane)


def row_at(table: DataTable, index: int) -> list[str]:
    """A row's cells as plain strings (cells are ``Text``: data is never markup)."""
    return [str(c) for c in table.get_row_at(index)]


def text_of(widget: Static) -> str:
    return str(widget.render())


def cm_message(kube_admin, namespace: str, release: str = "demo"):  # type: ignore[no-untyped-def]
    cm = kube_admin.get_or_none("v1", "ConfigMap", f"{release}-config", namespace)
    return None if cm is None else cm["data"]["message"]


async def test_install_then_upgrade_from_the_screen(kubeconfig: str, namespace: str,
                                                    kube_admin, chart_repo: ChartRepo) -> None:
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, now=FIXED_NOW))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.session is not None, what="connection")
        screen = InstallScreen(demo_plugin(chart_repo, namespace))
        app.push_screen(screen)
        await pilot.pause()
        assert screen.query_one("#values", TextArea).text == "message: recommended\n"
        await pilot.press("ctrl+r")
        diff = screen.query_one(DiffView)
        await wait_until(pilot, lambda: screen.preview is not None, what="preview")
        body = text_of(diff.query_one("#diff-body", Static))
        assert "new install" in body and "ConfigMap" in body and "recommended" in body
        assert screen.preview is not None
        assert screen.preview.command.startswith("helm upgrade --install demo essentials-demo")
        await pilot.press("ctrl+g")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("y")
        progress = screen.query_one("#progress", Static)
        await wait_until(pilot, lambda: "✔" in text_of(progress), what="install done")
        assert "demo installed in" in text_of(progress)
        output = screen.query_one("#output", Log)
        assert any("STATUS: deployed" in line for line in output.lines)
        assert cm_message(kube_admin, namespace) == "recommended"

        # a new screen on the same release is an upgrade starting from the deployed values
        app.pop_screen()
        upgrade = InstallScreen(demo_plugin(chart_repo, namespace))
        app.push_screen(upgrade)
        await wait_until(pilot, lambda: upgrade.deployed is not None, what="deployed release")
        assert "Upgrade Demo" in text_of(upgrade.query_one("#install-title", Static))
        area = upgrade.query_one("#values", TextArea)
        assert area.text == "message: recommended\n"
        area.load_text("message: changed-in-tui\n")
        upgrade.query_one("#version", Input).value = "0.2.0"
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: upgrade.preview is not None, what="upgrade preview")
        body = text_of(upgrade.query_one("#diff-body", Static))
        assert '-  message: "recommended"' in body and '+  message: "changed-in-tui"' in body
        await pilot.press("ctrl+g")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("y")
        progress = upgrade.query_one("#progress", Static)
        await wait_until(pilot, lambda: "✔" in text_of(progress), what="upgrade done")
        assert cm_message(kube_admin, namespace) == "changed-in-tui"
    results = [(e["action"], e["result"]) for e in audit.read()]
    assert results == [("helm.install", "dry-run"), ("helm.install", "ok"),
                       ("helm.upgrade", "dry-run"), ("helm.upgrade", "ok")]


async def test_failure_keeps_the_values(kubeconfig: str, namespace: str,
                                        chart_repo: ChartRepo) -> None:
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, now=FIXED_NOW))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.session is not None, what="connection")
        screen = InstallScreen(demo_plugin(chart_repo, namespace))
        app.push_screen(screen)
        await pilot.pause()
        area = screen.query_one("#values", TextArea)
        # invalid YAML: refused on validation with the position, nothing runs
        area.load_text("message: ok\nreplicas: [\n")
        await pilot.press("ctrl+g")
        status = screen.query_one("#values-status", Static)
        assert "invalid YAML at line" in text_of(status)
        assert not isinstance(app.screen, ConfirmScreen)
        # schema violation: helm refuses (the real run), the values stay as typed
        area.load_text('image: ""\n')
        await pilot.press("ctrl+g")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("y")
        progress = screen.query_one("#progress", Static)
        await wait_until(pilot, lambda: "✖" in text_of(progress), what="failure")
        assert "install failed" in text_of(progress)
        assert "is now failed at revision 1" in text_of(progress)
        assert area.text == 'image: ""\n'
    # the install's own entry (its preflight's render, a dry-run that helm refused too,
    # is audited apart)
    assert [e["result"] for e in audit.read()
            if "--dry-run" not in e["command"]] == ["failed"]


async def test_editor_and_export(kubeconfig: str, namespace: str, chart_repo: ChartRepo,
                                 tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nprintf "message: from-editor\\nreplicas: 2\\n" > "$1"\n')
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("EDITOR", str(editor))
    monkeypatch.delenv("VISUAL", raising=False)
    app = EssentialsApp(StartOptions(connect=False, now=FIXED_NOW))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = InstallScreen(demo_plugin(chart_repo, namespace))
        app.push_screen(screen)
        await pilot.pause()
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert screen.query_one("#values", TextArea).text == "message: from-editor\nreplicas: 2\n"
        assert "valid values (2" in text_of(screen.query_one("#values-status", Static))
        await pilot.press("ctrl+t")
        await wait_until(pilot, lambda: isinstance(app.screen, ExportDialog), what="export")
        target = tmp_path / "out" / "demo.yaml"
        app.screen.query_one("#path", Input).value = str(target)
        await pilot.click("#write")
        await wait_until(pilot, target.exists, what="export file")
    docs = list(yaml.safe_load_all(target.read_text()))
    assert [d["kind"] for d in docs] == ["HelmRepository", "HelmRelease"]
    assert docs[0]["spec"]["url"] == chart_repo.url
    assert docs[1]["spec"]["values"] == {"message": "from-editor", "replicas": 2}
    assert docs[1]["spec"]["targetNamespace"] == namespace


async def test_releases_pane_rollback_and_uninstall(kubeconfig: str, namespace: str,
                                                    kube_admin, chart_repo: ChartRepo,
                                                    helm_bin: str) -> None:
    base = ["upgrade", "--install", "demo", "essentials-demo", "--repo", chart_repo.url,
            "-n", namespace]
    helm(helm_bin, kubeconfig, *base, "--version", "0.1.0")
    helm(helm_bin, kubeconfig, *base, "--version", "0.2.0", "--set", "message=second")
    # a corrupt release Secret must show as unreadable, not break the list
    kube_admin.create({"apiVersion": "v1", "kind": "Secret", "type": "helm.sh/release.v1",
                       "metadata": {"name": "sh.helm.release.v1.broken.v1",
                                    "namespace": namespace,
                                    "labels": {"owner": "helm", "name": "broken",
                                               "version": "1", "status": "deployed"}},
                       "data": {"release": "bm90IGEgcmVsZWFzZQ=="}})
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, now=FIXED_NOW))
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_releases_pane(app, pilot)
        table = pane.query_one("#releases", DataTable)
        await pilot.press("slash")
        for ch in namespace:
            await pilot.press(ch)
        await pilot.press("enter")
        await wait_until(pilot, lambda: table.row_count == 2, what="two releases")
        rows = [row_at(table, i) for i in range(table.row_count)]
        assert [r[1:4] for r in rows] == [["broken", "1", "unreadable"], ["demo", "2", "deployed"]]
        assert rows[1][4] == "essentials-demo-0.2.0" and rows[1][5] == "1.1.0"
        table.move_cursor(row=1)
        await pilot.pause()
        assert pane.query_one("#values-view", TextArea).text == "message: second\n"
        assert "ConfigMap" in pane.query_one("#manifest-view", TextArea).text
        assert pane.query_one("#history", DataTable).row_count == 2

        # rollback to revision 1: the picker shows that revision's diff, confirm runs helm
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, RollbackPicker), what="picker")
        body = text_of(app.screen.query_one("#diff-body", Static))
        assert '-  message: "second"' in body and '+  message: "hello"' in body
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        assert app.screen.mutation.command.startswith(f"helm rollback demo 1 --namespace "
                                                      f"{namespace}")
        await pilot.press("y")
        await wait_until(pilot, lambda: cm_message(kube_admin, namespace) == "hello",
                         what="rollback applied")
        await wait_until(pilot, lambda: row_at(table, 1)[2] == "3", what="revision 3")

        # uninstall: typed-name confirmation, notes what stays behind
        table.move_cursor(row=1)
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        confirm = app.screen
        assert confirm.mutation.typed_confirmation == "demo"
        assert any("CustomResourceDefinitions" in d for d in confirm.mutation.details)
        assert confirm.query_one("#confirm").disabled  # the name must be typed first
        for ch in "demo":
            await pilot.press(ch)
        await pilot.press("enter")
        await wait_until(pilot, lambda: cm_message(kube_admin, namespace) is None,
                         what="uninstalled")
        await wait_until(pilot, lambda: table.row_count == 1, what="list updated")
    assert [(e["action"], e["result"]) for e in audit.read()] == [
        ("helm.rollback", "ok"), ("helm.uninstall", "ok")]


async def test_releases_pane_follows_helm_driver(kubeconfig: str, namespace: str,
                                                 chart_repo: ChartRepo, helm_bin: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """HELM_DRIVER=configmap: the pane lists what the same helm stored in ConfigMaps and
    updates live; with sql the pane says where the releases are instead of an empty list."""
    monkeypatch.setenv("HELM_DRIVER", "configmap")
    base = ["upgrade", "--install", "cmpane", "essentials-demo", "--repo", chart_repo.url,
            "-n", namespace]
    helm(helm_bin, kubeconfig, *base, "--version", "0.1.0")
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, now=FIXED_NOW))
    async with app.run_test(size=(120, 40)) as pilot:
        table = (await open_releases_pane(app, pilot)).query_one("#releases", DataTable)
        await wait_until(pilot, lambda: any(row_at(table, i)[1] == "cmpane"
                                            for i in range(table.row_count)), what="release")
        helm(helm_bin, kubeconfig, *base, "--version", "0.2.0")
        await wait_until(pilot, lambda: any(row_at(table, i)[1:3] == ["cmpane", "2"]
                                            for i in range(table.row_count)),
                         what="revision 2 from the watch")

    monkeypatch.setenv("HELM_DRIVER", "sql")
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, now=FIXED_NOW))
    async with app.run_test(size=(120, 40)) as pilot:
        state = (await open_releases_pane(app, pilot)).query_one("#state", Static)
        await wait_until(pilot, lambda: "SQL database" in text_of(state), what="message")
        assert text_of(state).startswith("HELM_DRIVER=sql: Helm releases are kept in")


async def test_releases_pane_falls_back_to_the_session_namespace(
        kubeconfig: str, limited_kubeconfig: str, namespace: str, kube_admin,
        chart_repo: ChartRepo, helm_bin: str) -> None:
    """A user who may read Secrets only in their namespace (a real Role): listing all
    namespaces is denied, so the pane shows that namespace, like `helm list` without -A."""
    from testkit.controlplane import LIMITED_USER
    from testkit.kube import grant_in_namespace

    grant_in_namespace(kube_admin, LIMITED_USER, namespace, "read-secrets", [
        {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list", "watch"]}])
    helm(helm_bin, kubeconfig, "upgrade", "--install", "mine", "essentials-demo", "--repo",
         chart_repo.url, "-n", namespace, "--version", "0.1.0")
    app = EssentialsApp(StartOptions(kubeconfig=limited_kubeconfig, namespace=namespace,
                                     now=FIXED_NOW))
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_releases_pane(app, pilot)
        table = pane.query_one("#releases", DataTable)
        await wait_until(pilot, lambda: table.row_count == 1, what="the namespace's release")
        assert row_at(table, 0)[1:4] == ["mine", "1", "deployed"]
        assert text_of(pane.query_one("#state", Static)) == (
            f"1 release in {namespace} (no permission to list them in all namespaces)")


async def test_install_screen_warns_before_an_upgrade_helm_would_refuse(
        kubeconfig: str, namespace: str, kube_admin, chart_repo: ChartRepo) -> None:  # type: ignore[no-untyped-def]
    """An upgrade interrupted mid-way leaves the new revision ``pending-upgrade`` (the one
    before stays ``deployed``); helm then refuses every upgrade with "another operation is
    in progress". The screen says so, and how to get out, before any preview."""
    from testkit.helm_release import release_secret

    for rev, status in ((1, "deployed"), (2, "pending-upgrade")):
        kube_admin.create(release_secret("demo", namespace, revision=rev, status=status))
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, now=FIXED_NOW))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.session is not None, what="connection")
        screen = InstallScreen(demo_plugin(chart_repo, namespace))
        app.push_screen(screen)
        await wait_until(pilot, lambda: screen.query_one("#install-warning", Static).display,
                         what="warning")
        warning = screen.query_one("#install-warning", Static)
        assert text_of(warning) == (
            "⚠ revision 2 of demo is pending-upgrade: helm refuses an upgrade until that "
            "operation ends. If nothing runs it any more, roll back first: helm rollback "
            f"demo 1 --namespace {namespace}")
        assert "revision 1 (deployed)" in text_of(screen.query_one("#install-sub", Static))
        # a first install that never finished: nothing to roll back to
        kube_admin.delete("v1", "Secret", "sh.helm.release.v1.demo.v2", namespace)
        kube_admin.delete("v1", "Secret", "sh.helm.release.v1.demo.v1", namespace)
        kube_admin.create(release_secret("demo", namespace, status="pending-install"))
        await wait_until(pilot, lambda: "helm uninstall demo" in text_of(warning),
                         what="pending-install advice")
