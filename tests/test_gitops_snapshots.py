"""SVG snapshots of the GitOps pane (Applications, Kustomizations, ApplicationSets,
AppProjects, an Application's detail) at 80x24 and 120x40, on the real apiserver with
fixed names and the fixed clock."""

from __future__ import annotations

from typing import Any

import pytest

from k8s_essentials_tui.api import VirtualTable
from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.plugins.gitops.detail import GitOpsDetailScreen
from k8s_essentials_tui.plugins.gitops.pane import GitOpsPane
from testkit.gitops import GitOpsControllers
from tests.conftest import FIXED_NOW

pytestmark = pytest.mark.e2e
SIZES = [(80, 24), (120, 40)]
NS = "gitops-snapshots"  # fixed: the namespace is shown on screen


@pytest.fixture
def seeded(kube_admin):
    kube_admin.delete_namespace(NS)
    kube_admin.create_namespace(NS)
    ctl = GitOpsControllers(kube_admin, NS, FIXED_NOW)
    ctl.add_application("payments", sync="OutOfSync", health="Degraded", op_phase="Failed",
                        op_message='Ingress "payments-admin" references missing TLS secret',
                        resources=[("Deployment", "payments", "payments-api", "OutOfSync",
                                    "Degraded"),
                                   ("Service", "payments", "payments-api", "Synced",
                                    "Healthy"),
                                   ("Ingress", "payments", "payments-admin", "OutOfSync",
                                    "Progressing")],
                        conditions=[("SyncError", 'Ingress "payments-admin" references '
                                                  'missing TLS secret')])
    ctl.add_application("shop", resources=[("Deployment", "shop", "web", "Synced",
                                            "Healthy")])
    ctl.add_application("monitoring", auto=False, sync="OutOfSync", health="Healthy",
                        path="apps/monitoring")
    rev = ctl.add_gitrepository("flux-system")
    ctl.add_kustomization("flux-system", source="flux-system", applied=rev)
    ctl.add_kustomization("infra-controllers", source="flux-system", ready="False",
                          reason="HealthCheckFailed", attempted=rev,
                          message="health check failed after 5m0s: timeout waiting for: "
                                  "[Deployment/kyverno/kyverno-admission-controller]")
    ctl.add_kustomization("apps", source="flux-system", applied=rev, ready="False",
                          message="dependency 'gitops-snapshots/infra-controllers' is not "
                                  "ready", depends_on=["infra-controllers"])
    ctl.add_helmrelease("podinfo", ready="False", stalled="Failed to install after 4 "
                        "attempt(s)", message="Helm install failed for release podinfo")
    ctl.add_applicationset("regions", [{"list": {"elements": [{"name": "eu"},
                                                              {"name": "us"}]}}],
                           apps=["shop-eu", "shop-us"])
    ctl.add_applicationset("previews", [{"pullRequest": {"github": {
        "owner": "example", "repo": "shop"}}}],
        error="failed to get params for generator: 401 Bad credentials")
    # FIXED_NOW is Monday 12:00 UTC: the weekday change freeze (10:00 + 4h) is active
    ctl.add_appproject("payments", repos=["https://github.com/example/payments.git"],
                       destinations=[("https://kubernetes.default.svc", "payments")],
                       windows=[{"kind": "deny", "schedule": "0 10 * * 1-5",
                                 "duration": "4h", "applications": ["*"]}])
    ctl.add_appproject("platform", cluster_resources=[("", "Namespace"),
                                                      ("rbac.authorization.k8s.io",
                                                       "ClusterRole")],
                       windows=[{"kind": "allow", "schedule": "0 22 * * *",
                                 "duration": "4h", "clusters": ["prod"]}])
    yield ctl
    kube_admin.delete_namespace(NS)


def _app(kubeconfig: str) -> EssentialsApp:
    return EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=NS, now=FIXED_NOW))


async def _until(pilot: Any, predicate: Any) -> None:
    for _ in range(400):
        if predicate():
            return
        await pilot.pause(0.05)
    raise AssertionError("the screen did not reach the expected state")


async def _open(app: EssentialsApp, pilot: Any, plugin: str) -> GitOpsPane:
    await _until(pilot, lambda: app.session is not None)
    app.open_plugin(plugin)
    await _until(pilot, lambda: bool(app.screen.query(GitOpsPane)))
    pane = app.screen.query_one(GitOpsPane)
    # only the visible tab is filled; every cache synced = the status says no "loading"
    first, rows = ("apps", 5) if plugin == "argocd" else ("kustomizations", 3)
    await _until(pilot, lambda: pane.query_one(f"#{first}", VirtualTable).row_count == rows
                 and "loading" not in str(pane.query_one("#gitops-status").render()))
    await pilot.pause(0.2)
    return pane


async def _tab(app: EssentialsApp, pilot: Any, key: str, table: str, rows: int) -> None:
    await _open(app, pilot, "argocd")
    await pilot.press(key)
    await _until(pilot, lambda: app.screen.query_one(f"#{table}", VirtualTable).row_count
                 == rows)
    await pilot.pause(0.2)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_applications(snap_compare, seeded, kubeconfig, size) -> None:  # type: ignore[no-untyped-def]
    app = _app(kubeconfig)

    async def run_before(pilot: Any) -> None:
        await _open(app, pilot, "argocd")

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_kustomizations(snap_compare, seeded, kubeconfig, size) -> None:  # type: ignore[no-untyped-def]
    app = _app(kubeconfig)

    async def run_before(pilot: Any) -> None:
        await _open(app, pilot, "flux")

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_applicationsets(snap_compare, seeded, kubeconfig, size) -> None:  # type: ignore[no-untyped-def]
    app = _app(kubeconfig)

    async def run_before(pilot: Any) -> None:
        await _tab(app, pilot, "5", "appsets", 2)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_appprojects(snap_compare, seeded, kubeconfig, size) -> None:  # type: ignore[no-untyped-def]
    app = _app(kubeconfig)

    async def run_before(pilot: Any) -> None:
        await _tab(app, pilot, "6", "projects", 2)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_application_detail(snap_compare, seeded, kubeconfig, size) -> None:  # type: ignore[no-untyped-def]
    app = _app(kubeconfig)

    async def run_before(pilot: Any) -> None:
        await _open(app, pilot, "argocd")
        await pilot.press("j")  # payments is second (monitoring, payments, shop)
        await pilot.press("enter")
        await _until(pilot, lambda: isinstance(app.screen, GitOpsDetailScreen))
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
