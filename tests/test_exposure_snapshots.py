"""SVG snapshots of the exposure pane at 80x24 and 120x40, opened by ``:exposure``, on
the real apiserver with a real CoreDNS (fixed names, fixed clock, certificates dated from
the fixed clock)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable

from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.plugins.exposure.pane import ExposurePane
from k8s_essentials_tui.settings import Settings
from testkit.coredns import MISSING, CoreDNS, coredns_binary, zone
from testkit.kube import KubeAdmin
from tests import exposure_fixtures as fx
from tests.conftest import FIXED_NOW

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(coredns_binary() is None, reason=MISSING)]
SIZES = [(80, 24), (120, 40)]
NS = "exposure-snapshots"  # fixed: names are on screen
CLASS = "snap-nginx"


@pytest.fixture(scope="module")
def seeded(kube_admin: KubeAdmin, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[CoreDNS]:
    kube_admin.delete_namespace(NS)
    kube_admin.create_namespace(NS)
    fx.ingress_class(kube_admin, CLASS)
    fx.controllers(kube_admin, NS)
    fx.service(kube_admin, NS, "web", [("http", 80)], ready=2)
    fx.service(kube_admin, NS, "api", [("http", 8080)], ready=0)
    fx.tls_secret(kube_admin, NS, "shop-tls",
                  fx.leaf("shop.example.test", days=60, now=FIXED_NOW, seed="snap-shop"))
    fx.ingress(kube_admin, NS, "shop", "shop.example.test", ("web", 80), klass=CLASS,
               tls_secret="shop-tls", lb="10.0.0.1")
    fx.ingress(kube_admin, NS, "api", "api.example.test", ("api", 8080), klass=CLASS,
               tls_secret="api-tls", lb="10.0.0.2")
    fx.ingress(kube_admin, NS, "docs", "docs.example.test", ("web", 9090), klass=CLASS,
               lb="10.0.0.3")
    fx.ingress(kube_admin, NS, "blog", "blog.elsewhere.test", ("web", "http"), klass=CLASS)
    records = "shop IN A 10.0.0.1\napi IN A 10.9.9.9\n"
    tmp: Path = tmp_path_factory.mktemp("exposure-dns")
    with CoreDNS(tmp, {"example.test": zone("example.test", records)}) as dns:
        yield dns
    kube_admin.delete("networking.k8s.io/v1", "IngressClass", CLASS)
    kube_admin.delete_namespace(NS)


def _app(kubeconfig: str, dns: CoreDNS) -> EssentialsApp:
    settings = Settings()
    settings.values["exposure.nameserver"] = dns.address
    return EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=NS, now=FIXED_NOW,
                                      settings=settings))


async def _until(pilot: Any, predicate: Any) -> None:
    for _ in range(400):
        try:
            if predicate():
                return
        except Exception:
            pass
        await pilot.pause(0.05)
    raise AssertionError("the screen did not reach the expected state")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_exposure_pane(snap_compare, seeded, kubeconfig, size) -> None:  # type: ignore[no-untyped-def]
    app = _app(kubeconfig, seeded)

    async def run_before(pilot: Any) -> None:
        await _until(pilot, lambda: app.session is not None
                     and app.screen.query_one("#board-table", DataTable).row_count)
        # ":exposure" opens the exposure view (a plugin of its own, board=False): by keys,
        # and not subject to which component heads the Ingress row during detection
        for key in (":", *"exposure", "enter"):
            await pilot.press(key)
        await _until(pilot, lambda: app.screen.query(ExposurePane))
        pane = app.screen.query_one(ExposurePane)
        await _until(pilot, lambda: pane.table.row_count == 4 and len(pane.dns) == 4
                     and not pane.loading_kinds()
                     and "resolving" not in str(pane.table.get_row_at(0)))
        await pilot.pause(0.3)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
