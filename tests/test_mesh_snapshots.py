"""SVG snapshots of the mesh pane (namespaces, pods of a namespace, versions) at 80x24 and
120x40, on the real apiserver with fixed namespace names and the fixed clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable

from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.plugins.mesh.pane import MeshPane
from k8s_essentials_tui.settings import Settings
from testkit.kube import KubeAdmin
from tests.conftest import FIXED_NOW
from tests.mesh_fixtures import MeshWorld, world_fixture

pytestmark = pytest.mark.e2e
SIZES = [(80, 24), (120, 40)]
ROOT = "mesh-snap"  # fixed: namespaces are shown on screen


@pytest.fixture
def world(kube_admin: KubeAdmin, tmp_path: Path) -> Iterator[MeshWorld]:
    kube_admin.delete_namespace(ROOT)
    kube_admin.create_namespace(ROOT)
    try:
        yield from world_fixture(kube_admin, ROOT, tmp_path)
    finally:
        kube_admin.delete_namespace(ROOT)


def _app(kubeconfig: str) -> EssentialsApp:
    settings = Settings()
    settings.values["mesh.istio_root_namespace"] = ROOT
    return EssentialsApp(StartOptions(kubeconfig=kubeconfig, now=FIXED_NOW, settings=settings))


async def _until(pilot: Any, predicate: Any) -> None:
    for _ in range(400):
        if predicate():
            return
        await pilot.pause(0.05)
    raise AssertionError("the screen did not reach the expected state")


def _rows(app: EssentialsApp) -> list[str]:
    table = app.screen.query_one("#mesh-table", DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


async def _open(app: EssentialsApp, pilot: Any) -> MeshPane:
    await _until(pilot, lambda: app.session is not None)
    app.open_plugin("istio")
    await _until(pilot, lambda: bool(app.screen.query(MeshPane)))
    pane = app.screen.query_one(MeshPane)
    await _until(pilot, lambda: pane.report is not None
                 and len(pane.report.state.control_planes) == 3
                 and f"{ROOT}-linkerd" in _rows(app)
                 and len(pane.report.findings) == 3)
    await pilot.pause(0.2)
    return pane


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_namespaces(snap_compare, world, kubeconfig, size) -> None:  # type: ignore[no-untyped-def]
    app = _app(kubeconfig)

    async def run_before(pilot: Any) -> None:
        await _open(app, pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_pods_of_a_namespace(snap_compare, world, kubeconfig, size) -> None:  # type: ignore[no-untyped-def]
    app = _app(kubeconfig)

    async def run_before(pilot: Any) -> None:
        await _open(app, pilot)
        await pilot.press("j", "j", "j", "enter")  # ambient, canary, clean, istio
        await _until(pilot, lambda: "web-2" in " ".join(
            str(c) for i in range(app.screen.query_one("#mesh-table", DataTable).row_count)
            for c in app.screen.query_one("#mesh-table", DataTable).get_row_at(i)))
        await pilot.press("j")
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_versions(snap_compare, world, kubeconfig, size) -> None:  # type: ignore[no-untyped-def]
    app = _app(kubeconfig)

    async def run_before(pilot: Any) -> None:
        await _open(app, pilot)
        await pilot.press("3")
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
