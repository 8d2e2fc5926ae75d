"""Pilot tests of the GitOps pane's ApplicationSets and AppProjects tabs and the Flux
OCIRepository/HelmChart/Bucket sources, on the real apiserver with the official CRDs.
Keys drive everything; the clock is the app's fixed one (sync windows depend on it)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from textual.widgets import Static

from k8s_essentials_tui.api import VirtualTable
from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.plugins.gitops.detail import GitOpsDetailScreen
from testkit.gitops import GitOpsControllers
from testkit.hostile import BIDI, MARKUP_LINK, MARKUP_STYLE, WORST, assert_screen_clean
from tests.test_gitops_pane import cells, open_pane, until

pytestmark = pytest.mark.e2e

#: Monday 2026-12-07 23:30 UTC: inside a nightly 22:00+8h deny window
NIGHT = datetime(2026, 12, 7, 23, 30, tzinfo=UTC)
LIST_GEN = {"list": {"elements": [{"name": "eu"}, {"name": "us"}]}}


@pytest.fixture
def ctl(kube_admin, namespace) -> GitOpsControllers:
    return GitOpsControllers(kube_admin, namespace, NIGHT)


def make_app(kubeconfig: str, namespace: str) -> EssentialsApp:
    return EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=namespace, now=NIGHT))


def detail_text(app: EssentialsApp) -> str:
    return str(app.screen.query_one("#gitops-detail", Static).render())


async def test_applicationsets_tab_by_keys(ctl, kubeconfig, namespace) -> None:
    ctl.add_applicationset("regions", [LIST_GEN], apps=["eu", "us"])
    ctl.add_applicationset("broken", [{"git": {"repoURL": "https://git.example/x.git",
                                               "revision": "main",
                                               "files": [{"path": "envs/*.json"}]}}],
                           error="failed to get params: repository not found")
    app = make_app(kubeconfig, namespace)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_pane(app, pilot, rows=("apps", 2))
        # only the visible tab is filled: the sets are drawn when their tab is shown
        assert app.screen.query_one("#appsets", VirtualTable).row_count == 0
        await pilot.press("5")
        await until(pilot, lambda: len(cells(app, "appsets")) == 2, "appsets")
        rows = {r[0]: r for r in cells(app, "appsets")}
        # one namespace (-n): no NAMESPACE column
        assert rows["broken"][1:4] == ["Error", "0", "git files"]
        assert "repository not found" in rows["broken"][4]
        assert rows["regions"][1:4] == ["UpToDate", "2", "list(2)"]
        status = str(app.screen.query_one("#gitops-status", Static).render())
        assert "1 appset in error" in status
        # broken sorts first: enter opens its detail with the three conditions
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, GitOpsDetailScreen), "detail")
        text = detail_text(app)
        assert "ErrorOccurred=True" in text and "ParametersGenerated=False" in text
        assert "Applications owned: 0" in text
        await pilot.press("escape")
        await pilot.press("j", "enter")
        await until(pilot, lambda: isinstance(app.screen, GitOpsDetailScreen), "detail 2")
        assert "Applications owned: 2" in detail_text(app)


async def test_appprojects_tab_shows_an_active_deny_window(ctl, kubeconfig,
                                                           namespace) -> None:
    ctl.add_appproject("payments", repos=["https://github.com/example/payments.git"],
                       destinations=[("https://kubernetes.default.svc", "payments")],
                       cluster_resources=[("", "Namespace")],
                       windows=[{"kind": "deny", "schedule": "0 22 * * *", "duration": "8h",
                                 "applications": ["*"], "manualSync": True}])
    ctl.add_appproject("tools", cluster_resources=[("*", "*")])
    app = make_app(kubeconfig, namespace)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_pane(app, pilot, rows=("apps", 0))
        await pilot.press("6")
        await until(pilot, lambda: len(cells(app, "projects")) == 2, "projects")
        rows = {r[0]: r for r in cells(app, "projects")}
        assert rows["payments"][1] == "1 (1 active), syncs denied"
        assert rows["payments"][2] == "core/Namespace"
        assert rows["payments"][4].startswith("https://github.com/example/")  # cut: 30
        assert rows["tools"][1:5] == ["-", "all", "any", "any"]
        assert app.screen.focused is app.screen.query_one("#projects", VirtualTable)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, GitOpsDetailScreen), "detail")
        text = detail_text(app)
        assert "Syncs now: DENIED by a sync window" in text
        assert "deny '0 22 * * *' for 8h manual-sync [apps=*] ACTIVE" in text


async def test_sources_tab_lists_oci_chart_and_bucket(ctl, kubeconfig, namespace) -> None:
    ctl.add_gitrepository("fleet")
    ctl.add_source("OCIRepository", "manifests", {"url": "oci://ghcr.io/example/manifests",
                                                  "ref": {"tag": "1.2.0"}},
                   "1.2.0@sha256:" + "b" * 64)
    ctl.add_source("HelmChart", "flux-system-podinfo",
                   {"chart": "podinfo", "version": "6.x",
                    "sourceRef": {"kind": "HelmRepository", "name": "podinfo"}}, "6.9.1")
    ctl.add_source("Bucket", "configs", {"bucketName": "configs",
                                         "endpoint": "minio.example:9000"},
                   "", ready="False", message="bucket 'configs' does not exist")
    app = make_app(kubeconfig, namespace)
    async with app.run_test(size=(140, 30)) as pilot:
        await open_pane(app, pilot, plugin="flux", rows=("kustomizations", 0))
        await pilot.press("4")
        await until(pilot, lambda: len(cells(app, "sources")) == 4, "sources")
        rows = {r[0]: r for r in cells(app, "sources")}
        assert rows["OCIRepository"][1] == "manifests" and rows["OCIRepository"][2] == "Ready"
        assert rows["HelmChart"][3] == "6.9.1"
        assert rows["Bucket"][2] == "Failed"
        assert rows["Bucket"][5] == "bucket 'configs' does not exist"


async def test_hostile_sets_and_projects_stay_clean(ctl, kubeconfig, namespace) -> None:
    message = f"{WORST} {MARKUP_LINK} {MARKUP_STYLE} {BIDI}"
    ctl.add_applicationset("hostile", [LIST_GEN], error=message)
    ctl.add_appproject("hostile", repos=[message], description=message,
                       windows=[{"kind": "allow", "schedule": "0 9 * * *",
                                 "duration": "1h", "applications": [message]}])
    app = make_app(kubeconfig, namespace)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_pane(app, pilot, rows=("apps", 0))
        for key, table in (("5", "appsets"), ("6", "projects")):
            await pilot.press(key)
            await until(pilot, lambda: bool(cells(app, table)), table)  # noqa: B023
            assert_screen_clean(app)
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, GitOpsDetailScreen), "detail")
            await pilot.pause(0.1)
            assert_screen_clean(app)
            await pilot.press("escape")
