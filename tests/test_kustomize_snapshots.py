"""SVG snapshots of the Kustomize pane (the objects of testkit/kustomize/overlays/demo and
their diff) at 80x24 and 120x40, on the real apiserver, with a fixed namespace, a relative
directory and the fixed clock."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable

from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.plugins.kustomize.pane import KustomizePane
from testkit.controlplane import BinariesMissing, find_binaries
from tests.conftest import FIXED_NOW

pytestmark = pytest.mark.e2e
SIZES = [(80, 24), (120, 40)]
NS = "kustomize-snapshots"  # fixed: the namespace is shown on screen
ROOT = Path(__file__).resolve().parent.parent
OVERLAY = "testkit/kustomize/overlays/demo"


@pytest.fixture
def fresh(kube_admin: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    try:
        bin_dir = find_binaries(build=False)
    except BinariesMissing:
        pytest.skip("kubectl not built: run scripts/build-control-plane (CI builds it first)")
    if not (bin_dir / "kubectl").exists():
        pytest.skip(f"{bin_dir / 'kubectl'} missing: run scripts/build-control-plane")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.chdir(ROOT)
    kube_admin.delete_namespace(NS)
    kube_admin.create_namespace(NS)
    yield
    kube_admin.delete_namespace(NS)


def _app(kubeconfig: str) -> EssentialsApp:
    return EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=NS, now=FIXED_NOW))


async def _until(pilot: Any, predicate: Any) -> None:
    for _ in range(600):
        if predicate():
            return
        await pilot.pause(0.05)
    raise AssertionError("the screen did not reach the expected state")


async def _preview(app: EssentialsApp, pilot: Any) -> None:
    await _until(pilot, lambda: app.session is not None)
    app.open_plugin("kustomize")
    await _until(pilot, lambda: bool(app.screen.query(KustomizePane)))
    await pilot.pause(0.1)
    await pilot.press(*OVERLAY, "enter")
    pane = app.screen.query_one(KustomizePane)
    await _until(pilot, lambda: pane.query_one("#kz-table", DataTable).row_count == 3
                 and not pane.busy)
    await pilot.pause(0.2)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_objects(snap_compare, fresh, kubeconfig, size) -> None:  # type: ignore[no-untyped-def]
    app = _app(kubeconfig)

    async def run_before(pilot: Any) -> None:
        await _preview(app, pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_diff(snap_compare, fresh, kubeconfig, size) -> None:  # type: ignore[no-untyped-def]
    app = _app(kubeconfig)

    async def run_before(pilot: Any) -> None:
        await _preview(app, pilot)
        await pilot.press("d")
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
