"""The exposure pane driven by keys on the real apiserver, with a real CoreDNS (the DNS
column) and a real TLS server (``p``): opened from the board's Ingress and DNS areas at their
own column, filter, problems only, detail, controller view, probe, hostile text."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable

from k8s_essentials_tui.api import Detection, VirtualTable
from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.plugins.exposure.controllers import ControllersScreen
from k8s_essentials_tui.plugins.exposure.pane import ExposurePane, HostDetailScreen
from k8s_essentials_tui.settings import Settings
from testkit.coredns import MISSING, CoreDNS, coredns_binary, zone
from testkit.hostile import WORST, assert_screen_clean, painted_links, painted_text
from testkit.kube import KubeAdmin
from testkit.tls_server import TLSServer
from tests import exposure_fixtures as fx
from tests.conftest import FIXED_NOW

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(coredns_binary() is None, reason=MISSING)]


async def until(pilot: Any, cond: Callable[[], object], what: str, steps: int = 400) -> None:
    for _ in range(steps):
        try:
            if cond():
                return
        except Exception:
            pass
        await pilot.pause(0.05)
    raise AssertionError(f"never happened: {what}")


def screen_text(app: EssentialsApp) -> str:
    return "\n".join(painted_text(app))


def headers(table: VirtualTable) -> list[str]:
    return list(table.columns)


def cell(table: VirtualTable, row_key: str, column: str) -> str:
    index = next(i for i, (k, _c) in enumerate(table.rows) if k == row_key)
    return table.get_row_at(index)[headers(table).index(column)].plain


@pytest.fixture
def dns(tmp_path: Path) -> Iterator[CoreDNS]:
    records = "shop IN A 127.0.0.1\napi IN A 10.9.9.9\n"
    with CoreDNS(tmp_path / "dns", {"example.test": zone("example.test", records)}) as server:
        yield server


@pytest.fixture
def seeded(kube_admin: KubeAdmin, namespace: str) -> Iterator[dict[str, Any]]:
    klass = f"nx-{namespace[-6:]}"  # the namespace's random suffix: short, unique
    fx.ingress_class(kube_admin, klass)
    fx.controllers(kube_admin, namespace)
    fx.service(kube_admin, namespace, "web", [("http", 80)], ready=2)
    fx.service(kube_admin, namespace, "api", [("http", 8080)], ready=0)
    pair = fx.leaf("shop.example.test", days=60, now=FIXED_NOW)
    fx.tls_secret(kube_admin, namespace, "shop-tls", pair)
    fx.ingress(kube_admin, namespace, "api", "api.example.test", ("api", 8080), klass=klass,
               lb="10.0.0.2")
    with TLSServer(pair) as server:
        fx.ingress(kube_admin, namespace, "shop", "shop.example.test", ("web", 80),
                   klass=klass, tls_secret="shop-tls", lb="127.0.0.1", tls_port=server.port)
        yield {"class": klass, "server": server}
    kube_admin.delete("networking.k8s.io/v1", "IngressClass", klass)


def make_app(kubeconfig: str, namespace: str, dns: CoreDNS) -> EssentialsApp:
    settings = Settings()
    settings.values["exposure.nameserver"] = dns.address
    return EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=namespace,
                                      now=FIXED_NOW, settings=settings))


def shop_key(namespace: str) -> str:
    return f"Ingress/{namespace}/shop/shop.example.test"


def api_key(namespace: str) -> str:
    return f"Ingress/{namespace}/api/api.example.test"


async def open_from_board(app: EssentialsApp, pilot: Any, *keys: str) -> ExposurePane:
    await until(pilot, lambda: app.session is not None, "connection")
    await until(pilot, lambda: app.screen.query_one("#board-table", DataTable).row_count
                and app.screen.focused is app.screen.query_one("#board-table"), "the board")
    await pilot.press(*keys, "enter")
    opened = getattr(getattr(app.screen, "plugin", None), "id", type(app.screen).__name__)
    await until(pilot, lambda: app.screen.query(ExposurePane),
                f"the exposure pane (opened: {opened})")
    pane = app.screen.query_one(ExposurePane)
    await until(pilot, lambda: pane.table.row_count == 2, "two hosts")
    return pane


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_ingress_area_keys(kubeconfig, namespace, seeded, dns, size) -> None:
    app = make_app(kubeconfig, namespace, dns)
    async with app.run_test(size=size) as pilot:
        pane = await open_from_board(app, pilot)
        table = pane.table
        # opened from the Ingress area: the class column comes right after the host
        assert headers(table)[:2] == ["HOST", "CLASS"]
        assert (len(headers(table)) == 4) == (size[0] < 120)
        assert app.screen.focused is table
        await until(pilot, lambda: cell(table, api_key(namespace), "!") == "2", "DNS done")
        assert cell(table, shop_key(namespace), "!") == "ok"
        assert cell(table, shop_key(namespace), "CLASS") == f"{seeded['class']}: running"
        assert table.cursor_row == 0
        await pilot.press("j")
        assert table.cursor_row == 1
        # "/" filters (a burst lands in the box), escape leaves it, escape clears it
        await pilot.press("slash", *"api")
        await until(pilot, lambda: table.row_count == 1, "filtered")
        await pilot.press("escape")
        assert app.screen.focused is table and table.row_count == 1
        await pilot.press("escape")
        assert table.row_count == 2 and app.screen.query(ExposurePane)
        # e: problems only
        await pilot.press("e")
        assert table.row_count == 1
        assert table.selected_key() == api_key(namespace)
        # enter: the detail names every problem's object
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, HostDetailScreen), "detail")
        text = screen_text(app)
        assert f"service {namespace}/api: no ready endpoints" in text
        assert "points elsewhere (10.9.9.9)" in text
        await pilot.press("escape")
        await until(pilot, lambda: app.screen.query(ExposurePane), "back in the pane")
        # c: the controller view
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, ControllersScreen)
                    and "1/1 ready" in app.screen.text, "controllers")
        assert f"ingress-nginx {namespace}/ingress-nginx-controller: 1/1 ready" \
            in app.screen.text
        assert seeded["class"] in app.screen.text
        await pilot.press("escape")
        await until(pilot, lambda: app.screen.query(ExposurePane), "back in the pane")
        # ? lists the pane's keys
        await pilot.press("question_mark")
        await pilot.pause(0.2)
        help_text = screen_text(app)
        assert "Probe TLS" in help_text and "Controllers" in help_text


async def test_dns_area_opens_at_dns_column_and_probe(kubeconfig, namespace, seeded,
                                                      dns) -> None:
    app = make_app(kubeconfig, namespace, dns)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_from_board(app, pilot, "j")  # the DNS area
        table = pane.table
        assert headers(table)[:2] == ["HOST", "DNS"]
        await until(pilot, lambda: cell(table, shop_key(namespace), "DNS") == "ok",
                    "shop resolves")
        assert cell(table, api_key(namespace), "DNS") == "points elsewhere (10.9.9.9)"
        assert cell(table, shop_key(namespace), "TLS") == "shop-tls 60d"
        # p: probe the selected host's TLS (shop is the second row)
        await pilot.press("j", "p")
        await until(pilot, lambda: cell(table, shop_key(namespace), "TLS").startswith(
            "shop-tls 60d; serves"), "probe result")
        await pilot.press("enter")  # the detail has the whole verdict
        await until(pilot, lambda: isinstance(app.screen, HostDetailScreen), "detail")
        assert "probe:     serves it on port" in screen_text(app)
        assert seeded["server"].server_names == ["shop.example.test"]
        assert "DNS:         ok (via 127.0.0.1:" in screen_text(app)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen.query(ExposurePane), "back in the pane")
        # the record moves; the cached answer (TTL 60 s) stays until r forgets it
        dns.write_zone("example.test", zone("example.test", "shop IN A 10.9.9.8\n"
                                            "api IN A 10.9.9.9\n", serial=2),
                       serial=2, name="shop.example.test")
        assert cell(table, shop_key(namespace), "DNS") == "ok"
        await pilot.press("r")
        await until(pilot, lambda: cell(table, shop_key(namespace), "DNS")
                    == "points elsewhere (10.9.9.8)", "resolved again")
        # "controller runs" is the board's verdict: when the board publishes that the
        # controller is gone, the CLASS column says so (the pane and the board agree)
        assert cell(table, shop_key(namespace), "CLASS") == f"{seeded['class']}: running"
        app.detections = {**app.detections, "ingress-nginx": Detection(installed=False)}
        await until(pilot, lambda: cell(table, shop_key(namespace), "CLASS").startswith(
            f"{seeded['class']}: no contr"), "the board's verdict")  # cut to the column
        assert "no running ingress-nginx controller" in " ".join(
            next(r for r in pane.rows if r.key == shop_key(namespace)).problems)
        # another component's change republishes the detections: the verdict the rows
        # read is the same, so no rebuild of every row
        await until(pilot, lambda: not pane._rebuild_pending and not pane._building,
                    "settled")
        app.detections = {**app.detections, "velero": Detection(installed=False)}
        assert not pane._rebuild_pending


async def test_hostile_hostname_annotation(kube_admin, kubeconfig, namespace, dns) -> None:
    """ExternalDNS's hostname annotation is free text: it reaches the pane only cleaned."""
    fx.service(kube_admin, namespace, "evil", [("https", 443)], ready=1, lb="10.0.0.9",
               annotations={"external-dns.alpha.kubernetes.io/hostname": WORST})
    app = make_app(kubeconfig, namespace, dns)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.session is not None, "connection")
        app.open_plugin("external-dns")
        await until(pilot, lambda: app.screen.query(ExposurePane), "pane")
        pane = app.screen.query_one(ExposurePane)
        await until(pilot, lambda: pane.table.row_count == 1, "the hostile row")
        await until(pilot, lambda: "resolving" not in screen_text(app), "DNS answered")
        assert_screen_clean(app)
        assert painted_links(app) == []
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, HostDetailScreen), "detail")
        assert_screen_clean(app)
        assert painted_links(app) == []


async def test_certificates_pane_x_opens_at_tls_column(kubeconfig, namespace, seeded,
                                                       dns) -> None:
    from k8s_essentials_tui.plugins.cert_manager.pane import CertificatesPane

    app = make_app(kubeconfig, namespace, dns)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.session is not None, "connection")
        app.open_plugin("cert-manager")
        await until(pilot, lambda: app.screen.query(CertificatesPane), "certificates pane")
        await pilot.press("x")
        await until(pilot, lambda: app.screen.query(ExposurePane), "exposure pane")
        pane = app.screen.query_one(ExposurePane)
        await until(pilot, lambda: pane.table.row_count == 2, "two hosts")
        assert headers(pane.table)[:2] == ["HOST", "TLS"]
        assert cell(pane.table, shop_key(namespace), "TLS") == "shop-tls 60d"
        await pilot.press("escape")
        await until(pilot, lambda: app.screen.query(CertificatesPane), "back")


async def test_opening_starts_every_list_first(kubeconfig, namespace, dns) -> None:
    """`open` starts every cache the pane reads before its screen is composed
    (ExposurePane.prefetch): scoped by -n, controllers and Gateways across namespaces, TLS
    Secrets by their type; and the pane subscribes to those very caches."""
    from k8s_essentials_tui.plugins.exposure import SOURCES

    app = make_app(kubeconfig, namespace, dns)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.session is not None, "connection")
        session = app.session
        assert session is not None
        before = set(session.caches.caches())
        app.open_plugin("ingress-nginx")
        started = {c.key.rtype.plural: c for c in session.caches.caches() if c not in before}
        assert sorted(started) == sorted(rtype.plural for rtype, _l, _f in SOURCES)
        assert {p for p, c in started.items() if c.key.namespace is None} == {
            "deployments", "gateways", "ingressclasses", "gatewayclasses"}
        assert started["secrets"].key.field_selector == "type=kubernetes.io/tls"
        await until(pilot, lambda: app.screen.query(ExposurePane), "the exposure pane")
        pane = app.screen.query_one(ExposurePane)
        await until(pilot, lambda: pane.caches, "subscribed")
        assert set(pane.caches.values()) == set(started.values())
