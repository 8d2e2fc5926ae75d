"""The "managed by GitOps" mark up front: the Helm releases list has a GITOPS column naming
the owner (Flux HelmRelease labels, Argo CD tracking annotation; the plugins'
``release_guard``), the state line names the highlighted release's owner, and the install
screen says who owns the release it would upgrade -- before any confirmation. Real
apiserver, release Secrets as Helm stores them; snapshots at 80x24 and 120x40."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from textual.widgets import Static

from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.plugins.gitops import owner
from k8s_essentials_tui.plugins.helm_releases.pane import ReleasesPane
from k8s_essentials_tui.screens.install import InstallScreen
from testkit.helm_release import release_secret
from tests.conftest import FIXED_NOW

pytestmark = pytest.mark.e2e

SIZES = [(80, 24), (120, 40)]
NS = "gitops-helm-mark"  # fixed: shown on screen
FLUX_MANIFEST = """---
# Source: podinfo/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: podinfo
  labels:
    app.kubernetes.io/name: podinfo
    helm.toolkit.fluxcd.io/name: podinfo
    helm.toolkit.fluxcd.io/namespace: flux-system
"""
ARGO_MANIFEST = """---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app.kubernetes.io/instance: shop
  annotations:
    argocd.argoproj.io/tracking-id: "shop:apps/Deployment:gitops-helm-mark/web"
"""


async def until(pilot: Any, predicate: Callable[[], Any], what: str,
                timeout: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)


@pytest.fixture
def releases(kube_admin) -> Iterator[str]:  # type: ignore[no-untyped-def]
    kube_admin.delete_namespace(NS)
    kube_admin.create_namespace(NS)
    for name, manifest in (("podinfo", FLUX_MANIFEST), ("shop", ARGO_MANIFEST),
                           ("plain", "kind: ConfigMap\n")):
        kube_admin.create(release_secret(name, NS, chart=name, chart_version="1.0.0",
                                         manifest=manifest,
                                         deployed_at="2026-05-31T12:00:00Z"))
    yield NS
    kube_admin.delete_namespace(NS)


async def settle(app: EssentialsApp, pilot: Any) -> None:
    """No blinking cursors, no timed toasts: the picture must not depend on timing."""
    app.clear_notifications()
    for widget in app.screen.query("TextArea, Input"):
        widget.cursor_blink = False  # type: ignore[attr-defined]
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


def rows(pane: ReleasesPane) -> dict[str, list[str]]:
    table = pane.query_one("#releases")
    out = {}
    for i in range(table.row_count):  # type: ignore[attr-defined]
        cells = [str(c) for c in table.get_row_at(i)]  # type: ignore[attr-defined]
        out[cells[1]] = cells
    return out


async def open_releases(app: EssentialsApp, pilot: Any) -> ReleasesPane:
    await until(pilot, lambda: app.session is not None, "connection")
    app.open_plugin("helm")
    await until(pilot, lambda: app.screen.query(ReleasesPane), "the pane")
    pane = app.screen.query_one(ReleasesPane)
    await pilot.press("slash", *NS, "enter")
    await until(pilot, lambda: len(rows(pane)) == 3, "three releases")
    return pane


def test_owner_read_from_the_manifest_without_parsing_unmarked_documents() -> None:
    big = "kind: ConfigMap\n" * 50_000 + "---\n" + FLUX_MANIFEST
    found = owner.release_owner(big)
    assert found is not None and found.title == "Flux HelmRelease flux-system/podinfo"
    assert owner.release_owner("kind: ConfigMap\n" * 50_000) is None
    assert owner.guard("Argo CD", ARGO_MANIFEST, "") == \
        "Argo CD Application shop"
    assert owner.guard("Flux", ARGO_MANIFEST, "") == ""


async def test_releases_list_marks_gitops_owned_releases(releases, kubeconfig) -> None:
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, now=FIXED_NOW))
    async with app.run_test(size=(140, 30)) as pilot:
        pane = await open_releases(app, pilot)
        table = rows(pane)
        header = [str(c.label) for c in pane.query_one("#releases").columns.values()]  # type: ignore[attr-defined]
        col = header.index("GITOPS")
        assert table["podinfo"][col] == "Flux HelmRelease flux-s…"
        assert table["shop"][col] == "Argo CD Application shop"
        assert table["plain"][col] == ""
        # the highlighted release's owner, in full, on the state line
        names = list(table)
        await pilot.press("g", *(["j"] * names.index("podinfo")))
        state = pane.query_one("#state", Static)
        await until(pilot, lambda: "managed by GitOps" in str(state.render()), "state")
        assert "podinfo: managed by GitOps (Flux HelmRelease flux-system/podinfo)" in \
            str(state.render())
        # u opens the install screen for the upgrade, which names the owner up front
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, InstallScreen), "install screen")
        warning = app.screen.query_one("#install-warning", Static)
        await until(pilot, lambda: warning.display, "the owner line")
        assert "managed by GitOps: Flux HelmRelease flux-system/podinfo owns this " \
               "release" in str(warning.render())


async def test_no_column_when_nothing_is_owned(releases, kubeconfig) -> None:
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, now=FIXED_NOW))
    async with app.run_test(size=(140, 30)) as pilot:
        pane = await open_releases(app, pilot)
        await pilot.press("slash", "ctrl+u", *"plain", "enter")
        await until(pilot, lambda: list(rows(pane)) == ["plain"], "filtered")
        header = [str(c.label) for c in pane.query_one("#releases").columns.values()]  # type: ignore[attr-defined]
        assert "GITOPS" not in header


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_releases_list_mark(snap_compare, releases, kubeconfig, size) -> None:  # type: ignore[no-untyped-def]
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, now=FIXED_NOW))

    async def run_before(pilot: Any) -> None:
        pane = await open_releases(app, pilot)
        await pilot.press("g")  # plain, podinfo, shop: the first Flux-owned one is 2nd
        await pilot.press("j")
        state = pane.query_one("#state", Static)
        await until(pilot, lambda: "managed by GitOps" in str(state.render()), "state")
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_install_screen_names_the_owner(snap_compare, releases, kubeconfig, size) -> None:  # type: ignore[no-untyped-def]
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, now=FIXED_NOW))

    async def run_before(pilot: Any) -> None:
        await open_releases(app, pilot)
        await pilot.press("g", "j", "j", "u")  # shop: Argo CD
        await until(pilot, lambda: isinstance(app.screen, InstallScreen), "install screen")
        warning = app.screen.query_one("#install-warning", Static)
        await until(pilot, lambda: warning.display, "the owner line")
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
