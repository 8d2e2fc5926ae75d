"""Snapshots of the certificates pane and its detail view at 80x24 and 120x40.

Deterministic: fixed namespace names, certificates from seeded keys with dates relative to
FIXED_NOW, and the app's clock frozen at FIXED_NOW.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.plugins.cert_manager.pane import CertificatesPane
from tests import cert_fixtures as f

pytestmark = pytest.mark.e2e
NOW = f.FIXED_NOW


@pytest.fixture
def snap_namespace(request: pytest.FixtureRequest, kube_admin) -> Iterator[str]:
    """A fixed, per-test namespace name (random names would change the pictures)."""
    size = request.node.callspec.params["size"]
    name = f"certs-{request.node.originalname.removeprefix('test_')}-{size[0]}"
    kube_admin.delete_namespace(name)
    kube_admin.create_namespace(name)
    f.seed(kube_admin, name, NOW)
    f.seed_chain(kube_admin, name)
    yield name
    kube_admin.delete_namespace(name)


async def _open(pilot) -> CertificatesPane:
    app = pilot.app
    for _ in range(400):
        if app.session is not None:
            break
        await pilot.pause(0.05)
    app.open_plugin("cert-manager")
    await pilot.pause()
    pane = app.screen.query_one(CertificatesPane)
    for _ in range(400):
        if pane._primed and not pane.index.pending_deep() and not pane._deepening:
            break
        await pilot.pause(0.05)
    await pilot.pause()
    return pane


SIZES = [(80, 24), (120, 40)]


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_pane(snap_compare, kubeconfig, snap_namespace, size) -> None:
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=snap_namespace,
                                     now=NOW))

    async def run_before(pilot) -> None:
        await _open(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_detail(snap_compare, kubeconfig, snap_namespace, size) -> None:
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=snap_namespace,
                                     now=NOW))

    async def run_before(pilot) -> None:
        await _open(pilot)
        await pilot.press("j", "enter")  # web: the stuck ACME renewal
        for _ in range(400):
            body = pilot.app.screen.query("#detail-body")
            if body and "Renew (R)" in str(body.first().render()) and \
                    "Challenge" in str(body.first().render()):
                break
            await pilot.pause(0.05)
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
