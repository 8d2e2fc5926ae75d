"""Pilot tests of the GitOps pane on the real apiserver with the Argo CD and Flux CRDs; the
controllers are played by ``testkit.gitops``. Keys drive everything; the patches that reach
the apiserver are read back from its audit log (exactly what argocd/flux send)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from textual.widgets import Static

from k8s_essentials_tui import audit
from k8s_essentials_tui.api import VirtualTable
from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.plugins.gitops import patches
from k8s_essentials_tui.plugins.gitops.detail import GitOpsDetailScreen
from k8s_essentials_tui.plugins.gitops.pane import GitOpsPane
from k8s_essentials_tui.screens.confirm import ConfirmScreen
from k8s_essentials_tui.screens.help import HelpScreen
from testkit.gitops import FIXED_NOW, KS, GitOpsControllers
from testkit.hostile import assert_screen_clean
from tests.test_gitops_e2e import sent_patches

pytestmark = pytest.mark.e2e


async def until(pilot: Any, predicate: Callable[[], Any], what: str,
                timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)


def cells(app: EssentialsApp, table_id: str) -> list[list[str]]:
    table = app.screen.query_one(f"#{table_id}", VirtualTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def notes(app: EssentialsApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def make_app(kubeconfig: str, namespace: str, read_only: bool = False) -> EssentialsApp:
    return EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=namespace,
                                      now=FIXED_NOW, read_only=read_only))


async def open_pane(app: EssentialsApp, pilot: Any, plugin: str = "argocd",
                    rows: tuple[str, int] = ("apps", 1)) -> GitOpsPane:
    await until(pilot, lambda: app.session is not None, "connection")
    app.open_plugin(plugin)
    await until(pilot, lambda: app.screen.query(GitOpsPane), "the pane")
    pane = app.screen.query_one(GitOpsPane)
    await until(pilot, lambda: len(cells(app, rows[0])) >= rows[1], f"{rows} rows")
    return pane


@pytest.fixture
def ctl(kube_admin, namespace) -> GitOpsControllers:
    return GitOpsControllers(kube_admin, namespace)


async def test_applications_listed_and_synced_by_keys(ctl, kubeconfig, namespace,
                                                      audit_log) -> None:
    ctl.add_application("payments", sync="OutOfSync", health="Degraded", op_phase="Failed",
                        resources=[("Deployment", namespace, "api", "OutOfSync",
                                    "Degraded")])
    ctl.add_application("shop")
    before = ctl.get_application("payments")
    app = make_app(kubeconfig, namespace)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_pane(app, pilot, rows=("apps", 2))
        rows = cells(app, "apps")
        assert [r[0] for r in rows] == ["payments", "shop"]
        assert rows[0][1:3] == ["OutOfSync", "Degraded"]
        assert rows[0][8:] == ["1", "1"]  # out-of-sync and degraded resources
        assert "1 degraded, 1 OutOfSync" in str(
            app.screen.query_one("#gitops-status", Static).render())
        since = datetime.now(UTC)
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "confirmation")
        assert app.screen.mutation.command == \
            f"argocd app sync payments --app-namespace {namespace}"
        await pilot.press("y")
        await until(pilot, lambda: sent_patches(audit_log, since, "applications",
                                                "payments"), "the sync patch")
        assert sent_patches(audit_log, since, "applications", "payments") == [
            patches.sync_patch(before, "admin")]
        assert audit.read()[-1]["action"] == "gitops.argocd.sync"
        # now an operation is pending: a second sync is refused without a dialog
        await until(pilot, lambda: _pending(app), "the pending operation in the cache")
        await pilot.press("s")
        await until(pilot, lambda: any("another operation is already in progress" in n
                                       for n in notes(app)), "the refusal")
        assert not isinstance(app.screen, ConfirmScreen)
        # terminate it (T), as argocd app terminate-op does
        since = datetime.now(UTC)
        pending = ctl.get_application("payments").get("operation") or {"sync": {}}
        ctl.admin.patch("argoproj.io/v1alpha1", "applications", "payments",  # as the
                        {"status": {"operationState": {  # controller starts it
                            "operation": pending, "phase": "Running",
                            "startedAt": "2026-12-06T09:00:00Z"}}}, namespace)
        await until(pilot, lambda: cells(app, "apps")[0][7] == "Running", "Running")
        await pilot.press("T")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "confirmation")
        await pilot.press("y")
        await until(pilot, lambda: sent_patches(audit_log, since, "applications",
                                                "payments"), "the terminate patch")
        assert sent_patches(audit_log, since, "applications", "payments") == [
            {"status": {"operationState": {"phase": "Terminating"}}}]


def _pending(app: EssentialsApp) -> bool:
    pane = app.screen.query_one(GitOpsPane)
    obj = pane.selected_app()
    return bool(obj and obj.get("operation"))


async def test_refresh_hard_refresh_and_autosync(ctl, kubeconfig, namespace,
                                                 audit_log) -> None:
    ctl.add_application("shop")
    app = make_app(kubeconfig, namespace)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_pane(app, pilot)
        since = datetime.now(UTC)
        for done, key in enumerate(("r", "H", "a"), start=1):
            await pilot.press(key)
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "confirm")
            await pilot.press("y")
            await until(pilot, lambda n=done: len(audit.read()) >= n
                        and audit.read()[-1]["result"] == "ok", "audited")
        await until(pilot, lambda: cells(app, "apps")[0][6] == "off", "auto-sync off")
        sent = sent_patches(audit_log, since, "applications", "shop")
        stamp = patches.go_rfc3339nano(FIXED_NOW)
        assert sent == [
            {"metadata": {"annotations": {"argocd.argoproj.io/refresh": "normal",
                                          "argocd.argoproj.io/refresh-timestamp": stamp}}},
            {"metadata": {"annotations": {"argocd.argoproj.io/refresh": "hard",
                                          "argocd.argoproj.io/refresh-timestamp": stamp}}},
            {"spec": {"syncPolicy": {"automated": None}}}]
        assert [e["command"] for e in audit.read()] == [
            f"argocd app get shop --app-namespace {namespace} --refresh",
            f"argocd app get shop --app-namespace {namespace} --hard-refresh",
            f"argocd app set shop --app-namespace {namespace} --sync-policy none"]
        await pilot.press("a")  # and back on
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "confirm")
        await pilot.press("y")
        await until(pilot, lambda: cells(app, "apps")[0][6] == "on", "auto-sync on")


async def test_flux_reconcile_waits_for_the_controller(ctl, kubeconfig, namespace,
                                                       audit_log) -> None:
    rev = ctl.add_gitrepository("fleet")
    ctl.add_kustomization("apps", applied=rev, depends_on=["infra"],
                          inventory=[(namespace, "web", "apps", "Deployment"),
                                     ("", namespace, "", "Namespace")])
    ctl.add_kustomization("infra", ready="False", reason="HealthCheckFailed",
                          message="health check failed", attempted=rev)
    app = make_app(kubeconfig, namespace)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_pane(app, pilot, "flux", rows=("kustomizations", 2))
        rows = {r[0]: r for r in cells(app, "kustomizations")}
        assert rows["apps"][1] == "Ready" and rows["apps"][4] == "infra (Failed)"
        assert rows["infra"][1] == "Failed"
        # enter: the detail lists the inventory and what blocks
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, GitOpsDetailScreen), "detail")
        text = app.screen.detail.plain
        assert "Blocked by: " + f"{namespace}/infra (Failed)" in text
        assert f"Deployment {namespace}/web  apps/v1" in text
        await pilot.press("escape")
        await until(pilot, lambda: app.screen.query(GitOpsPane), "back")
        # R on "apps" (the first row): annotate, then the controller handles it
        thread = ctl.serve_reconcile(KS, "kustomizations", "apps", applied=rev,
                                     message="Applied revision: main@sha1:new")
        since = datetime.now(UTC)
        await pilot.press("R")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "confirm")
        assert app.screen.mutation.command == \
            f"flux reconcile kustomization apps -n {namespace}"
        await pilot.press("y")
        await until(pilot, lambda: any("Applied revision: main@sha1:new" in n
                                       for n in notes(app)), "the result")
        thread.join(10)
        assert not thread.errors
        stamp = patches.go_rfc3339nano(FIXED_NOW)
        assert sent_patches(audit_log, since, "kustomizations", "apps") == [
            {"metadata": {"annotations": {"reconcile.fluxcd.io/requestedAt": stamp}}}]
        # S suspends (and S again resumes)
        await pilot.press("S")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "confirm")
        await pilot.press("y")
        await until(pilot, lambda: "suspended" in cells(app, "kustomizations")[0][1],
                    "suspended")
        assert sent_patches(audit_log, since, "kustomizations", "apps")[-1] == \
            {"spec": {"suspend": True}}
        await pilot.press("R")  # refused while suspended, no dialog
        await until(pilot, lambda: any("is suspended" in n for n in notes(app)), "refusal")
        assert not isinstance(app.screen, ConfirmScreen)


async def test_read_only_refuses_every_action(ctl, kubeconfig, namespace,
                                              audit_log) -> None:
    ctl.add_application("shop")
    app = make_app(kubeconfig, namespace, read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_pane(app, pilot)
        since = datetime.now(UTC)
        for key in ("s", "r", "a"):
            await pilot.press(key)
            await pilot.pause(0.2)
            assert not isinstance(app.screen, ConfirmScreen)
        await until(pilot, lambda: sum("read-only mode" in n for n in notes(app)) >= 3,
                    "three refusals")
        assert sent_patches(audit_log, since, "applications", "shop") == []


async def test_filter_and_tabs_by_keys(ctl, kubeconfig, namespace) -> None:
    ctl.add_application("shop")
    ctl.add_application("payments")
    ctl.add_helmrelease("podinfo")
    app = make_app(kubeconfig, namespace)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_pane(app, pilot, rows=("apps", 2))
        await pilot.press("slash", *"pay")
        await until(pilot, lambda: [r[0] for r in cells(app, "apps")] == ["payments"],
                    "filtered")
        await pilot.press("enter")  # keep the filter, back in the table
        await pilot.press("escape")  # clears the filter
        await until(pilot, lambda: len(cells(app, "apps")) == 2, "unfiltered")
        await pilot.press("3")
        await until(pilot, lambda: cells(app, "helmreleases")
                    and cells(app, "helmreleases")[0][0] == "podinfo", "helmreleases tab")
        assert app.screen.focused is app.screen.query_one("#helmreleases", VirtualTable)
        # ? lists the pane's keys (on a Flux tab: Flux's actions and the table keys)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        descriptions = {d for _k, d, _g in app.screen.rows}
        assert {"Filter", "Reconcile", "With source", "Suspend/resume", "Down",
                "Bottom"} <= descriptions


async def test_hostile_names_and_messages_stay_clean(ctl, kube_admin, kubeconfig,
                                                     namespace) -> None:
    from testkit.hostile import BIDI, MARKUP_LINK, MARKUP_STYLE, WORST

    message = f"{WORST} {MARKUP_LINK} {MARKUP_STYLE} {BIDI}"
    ctl.add_application("hostile", health="Degraded", op_phase="Failed", op_message=message,
                        health_message=message, conditions=[("SyncError", message)])
    ctl.add_kustomization("hostile-ks", ready="False", message=message)
    app = make_app(kubeconfig, namespace)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_pane(app, pilot)
        assert_screen_clean(app)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, GitOpsDetailScreen), "detail")
        await pilot.pause(0.1)
        assert_screen_clean(app)
        await pilot.press("escape")
        await pilot.press("2")
        await until(pilot, lambda: cells(app, "kustomizations"), "kustomizations")
        assert_screen_clean(app)
