"""cert-manager pane: Pilot tests against the real apiserver (keyboard only)."""

from __future__ import annotations

from pathlib import Path

import pytest

from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.plugins.cert_manager.pane import CertificatesPane
from k8s_essentials_tui.plugins.cert_manager.table import CertTable
from testkit.wait import wait_until
from tests import cert_fixtures as f

pytestmark = pytest.mark.e2e
NOW = f.FIXED_NOW


def pane_of(app: EssentialsApp) -> CertificatesPane:
    return app.screen.query_one(CertificatesPane)


async def open_pane(pilot) -> CertificatesPane:
    app = pilot.app
    await wait_until(pilot, lambda: app.session is not None)
    app.open_plugin("cert-manager")
    await wait_until(pilot, lambda: bool(app.screen.query(CertificatesPane)))
    pane = pane_of(app)
    await wait_until(pilot, lambda: pane._primed and not pane.index.pending_deep())
    await pilot.pause()
    return pane


def names(pane: CertificatesPane) -> list[str]:
    return [r.name for r in pane.view_rows]


async def test_table_sorted_by_expiry_with_states(kube_admin, kubeconfig, namespace) -> None:
    f.seed(kube_admin, namespace, NOW)
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=namespace, now=NOW))
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_pane(pilot)
        assert names(pane)[:5] == ["legacy-tls", "web", "api", "der-tls", "keyincrt-tls"]
        assert set(names(pane)[-4:]) == {"stuck", "fresh", "garbage-tls", "empty-tls"}
        states = {r.name: r.state(NOW, pane.thresholds) for r in pane.view_rows}
        assert states["legacy-tls"] == "expired" and states["web"] == "critical"
        assert states["api"] == "warning" and states["docs"] == "ok"
        assert states["stuck"] == "unknown"
        # the managed Secret is folded into its Certificate; the Ingress hosts are attached
        assert "web-tls" not in names(pane)
        web = next(r for r in pane.view_rows if r.name == "web")
        assert web.ingress_hosts == ["shop.example.com"]
        assert web.info is not None and web.info.key_matches is True
        # state filter cycles: all -> attention -> expired
        await pilot.press("s", "s")
        assert names(pane) == ["legacy-tls"]
        await pilot.press("c")
        # search by DNS name
        await pilot.press("slash", *"shop.example")
        assert names(pane) == ["web"]
        await pilot.press("escape")
        assert len(names(pane)) == 11
        assert app.screen.query_one(CertTable).has_focus


async def test_detail_view_and_renew(kube_admin, kubeconfig, namespace) -> None:
    f.seed(kube_admin, namespace, NOW)
    f.seed_chain(kube_admin, namespace)
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=namespace, now=NOW))
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_pane(pilot)
        await pilot.press("j")  # legacy-tls -> web
        assert pane.table.current_row.name == "web"
        await pilot.press("enter")
        await wait_until(pilot, lambda: "Renew (R)" in _detail_text(app))
        text = _detail_text(app)
        assert f"Certificate {namespace}/web" in text
        assert "ACMEAccountRegistered" in text
        assert "Hosts at risk shop.example.com" in text
        assert "CertificateRequest web-1 (revision 1)" in text
        assert "Order web-1-2745722290: state=pending" in text
        assert "wrong status code '404'" in text
        assert "PresentError: Error presenting challenge" in text
        assert "Renewing certificate as renewal was scheduled" in text
        assert f"Renew (R): cmctl renew -n {namespace} web" in text
        await pilot.press("R")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen")
        assert f"cmctl renew -n {namespace} web" in _screen_text(app)
        await pilot.press("y")
        await wait_until(pilot, lambda: _issuing(kube_admin, namespace, "web"))
        cert = kube_admin.get("cert-manager.io/v1", "certificates", "web", namespace)
        issuing = next(c for c in cert["status"]["conditions"] if c["type"] == "Issuing")
        assert issuing["reason"] == "ManuallyTriggered"
        # the watch brings the new condition into the detail view
        await wait_until(pilot, lambda: "True (renewal in progress)" in _detail_text(app))


async def test_read_only_and_forbidden(kube_admin, kubeconfig, limited_kubeconfig,
                                       namespace) -> None:
    f.seed(kube_admin, namespace, NOW)
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=namespace, now=NOW,
                                     read_only=True))
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_pane(pilot)
        await pilot.press("j", "R")
        await pilot.pause()
        assert any("read-only" in n.message for n in app._notifications)
        await pilot.press("enter")
        await wait_until(pilot, lambda: "Renew (R): disabled — read-only mode" in
                       _detail_text(app))
        assert pane.table.current_row.name == "web"
    app = EssentialsApp(StartOptions(kubeconfig=limited_kubeconfig, namespace=namespace,
                                     now=NOW))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        app.open_plugin("cert-manager")
        await wait_until(pilot, lambda: bool(app.screen.query(CertificatesPane)))
        pane = pane_of(app)
        await wait_until(pilot, lambda: pane._primed)
        await pilot.pause()
        message = str(app.screen.query_one("#certs-message").render())
        assert "forbidden" in message and "secrets" in message
        assert "certificates.cert-manager.io" in message
        assert "with -n NAMESPACE" not in message  # already one namespace
    app = EssentialsApp(StartOptions(kubeconfig=limited_kubeconfig, now=NOW))
    async with app.run_test(size=(120, 40)) as pilot:  # all namespaces: say what helps
        await wait_until(pilot, lambda: app.session is not None)
        app.open_plugin("cert-manager")
        await wait_until(pilot, lambda: bool(app.screen.query(CertificatesPane)))
        await wait_until(pilot, lambda: pane_of(app)._primed)
        await pilot.pause()
        # nothing readable in all namespaces: the pane moved to the context's namespace
        await wait_until(pilot, lambda: pane_of(app).scope == "default" and pane_of(app)._primed)
        await pilot.pause()
        message = str(app.screen.query_one("#certs-message").render())
        assert "secrets: " in message and "; all namespaces are denied too: -n NAMESPACE " \
            "picks one you may read" in message


async def test_threshold_crossing_notifies(kube_admin, kubeconfig, namespace) -> None:
    kube_admin.create(f.certificate(namespace, "soon", "soon-tls", ["soon.example.com"]))
    kube_admin.patch_status("cert-manager.io/v1", "certificates", namespace, "soon",
                            f.ready_status(NOW + f.dt.timedelta(days=40)))
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=namespace, now=NOW))
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_pane(pilot)
        assert names(pane) == ["soon"]
        assert not app._notifications
        kube_admin.patch_status("cert-manager.io/v1", "certificates", namespace, "soon",
                                f.ready_status(NOW + f.dt.timedelta(days=3)))
        await wait_until(pilot, lambda: any("is now critical" in n.message
                                          for n in app._notifications))
        note = next(n for n in app._notifications if "is now critical" in n.message)
        assert note.message == f"Certificate {namespace}/soon is now critical (3d left)"


async def test_watch_events_move_rows_like_a_full_refilter(kube_admin, kubeconfig,
                                                            namespace) -> None:
    """A watch event moves its rows in the sorted view and adjusts the summary's counts
    (#25: re-sorting 50,000 rows per event stalled the loop); what the user sees must be
    what a full re-filter shows: the same rows in the same order, the same summary."""
    from textual.widgets import Static

    f.seed(kube_admin, namespace, NOW)
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=namespace, now=NOW))
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_pane(pilot)

        def seen() -> tuple[list[str], str]:
            summary = app.screen.query_one("#certs-summary", Static)
            return names(pane), str(summary.render())

        assert "1 expired, 1 critical" in seen()[1].replace(" · ", ", ")
        # docs (ok) expires now, web (critical) moves far out, a new one comes
        kube_admin.patch_status("cert-manager.io/v1", "certificates", namespace, "docs",
                                f.ready_status(NOW - f.dt.timedelta(days=1)))
        kube_admin.patch_status("cert-manager.io/v1", "certificates", namespace, "web",
                                f.ready_status(NOW + f.dt.timedelta(days=300)))
        kube_admin.create(f.certificate(namespace, "newer", "newer-tls", ["n.example.com"]))
        # web: the last row with a date (rows without one come last)
        await wait_until(pilot, lambda: names(pane)[:2] == ["legacy-tls", "docs"]
                         and "newer" in names(pane) and names(pane)[-6] == "web")
        moved = seen()
        assert "2 expired, 0 critical" in moved[1].replace(" · ", ", ")
        pane._refilter()  # the full path: every row filtered, sorted and counted again
        assert seen() == moved
        await pilot.press("s", "s")  # "expired" filter: a moved row is filtered too
        assert names(pane) == ["legacy-tls", "docs"]


def _detail_text(app: EssentialsApp) -> str:
    try:
        body = app.screen.query_one("#detail-body")
    except Exception:
        return ""
    return str(body.render())


def _screen_text(app: EssentialsApp) -> str:
    from textual.widgets import Static

    return "\n".join(str(w.render()) for w in app.screen.query(Static))


def _issuing(admin, ns: str, name: str) -> bool:
    cert = admin.get("cert-manager.io/v1", "certificates", name, ns)
    return any(c["type"] == "Issuing" and c["status"] == "True"
               for c in cert["status"].get("conditions", []))


async def test_filters_and_all_expiries(kube_admin, kubeconfig, namespace) -> None:
    kube_admin.create(f.certificate(namespace, "a", "a-tls", ["a.example.com"],
                                    issuer="ca", kind="Issuer"))
    kube_admin.patch_status("cert-manager.io/v1", "certificates", namespace, "a",
                            f.ready_status(NOW + f.dt.timedelta(days=9)))
    kube_admin.create(f.certificate(namespace, "b", "b-tls", ["b.example.com"]))
    kube_admin.patch_status("cert-manager.io/v1", "certificates", namespace, "b",
                            f.ready_status(NOW + f.dt.timedelta(days=2)))
    kube_admin.create({"apiVersion": "velero.io/v1", "kind": "Backup",
                       "metadata": {"name": "nightly", "namespace": namespace},
                       "spec": {"storageLocation": "default", "ttl": "72h0m0s"}})
    kube_admin.patch_status("velero.io/v1", "backups", namespace, "nightly",
                            {"phase": "Completed", "expiration": "2026-06-02T12:00:00Z"})
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=namespace, now=NOW))
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_pane(pilot)
        assert names(pane) == ["b", "a"]
        await pilot.press("I")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "PickScreen")
        await pilot.press("down", "down", "enter")  # (all), ClusterIssuer/letsencrypt, ca
        await wait_until(pilot, lambda: pane.issuer_filter is not None)
        assert pane.issuer_filter == "ca" and names(pane) == ["a"]
        await pilot.press("c")
        await wait_until(pilot, lambda: pane._velero)
        await pilot.press("a")
        await wait_until(pilot, lambda: "nightly" in names(pane))
        assert names(pane) == ["nightly", "b", "a"]
        assert pane.view_rows[0].kind == "Backup"


async def test_namespace_scoped_user_gets_the_context_namespace(
        kube_admin, limited_kubeconfig, namespace, tmp_path) -> None:
    """RoleBindings only, no -n: listing all namespaces is denied, so the pane reads the
    kubeconfig context's namespace (like kubectl without -A) -- real RBAC, real objects."""
    import yaml

    from testkit.controlplane import LIMITED_USER
    from testkit.kube import grant_in_namespace

    grant_in_namespace(kube_admin, LIMITED_USER, namespace, "certs-reader", [
        {"apiGroups": ["", "cert-manager.io", "networking.k8s.io"],
         "resources": ["secrets", "certificates", "ingresses"],
         "verbs": ["get", "list", "watch"]}])
    kube_admin.create(f.certificate(namespace, "mine", "mine-tls", ["mine.example.com"]))
    kube_admin.patch_status("cert-manager.io/v1", "certificates", namespace, "mine",
                            f.ready_status(NOW + f.dt.timedelta(days=40)))
    config = yaml.safe_load(Path(limited_kubeconfig).read_text())
    for ctx in config["contexts"]:
        ctx["context"]["namespace"] = namespace
    scoped = tmp_path / "kubeconfig-scoped"
    scoped.write_text(yaml.safe_dump(config))
    app = EssentialsApp(StartOptions(kubeconfig=str(scoped), now=NOW))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        app.open_plugin("cert-manager")
        await wait_until(pilot, lambda: bool(app.screen.query(CertificatesPane)))
        await wait_until(pilot, lambda: pane_of(app)._primed
                       and any(r.name == "mine" for r in pane_of(app).table.rows))
        pane = pane_of(app)
        assert pane.scope == namespace
        summary = str(app.screen.query_one("#certs-summary").render())
        assert f"scope {namespace} (all namespaces denied)" in summary
        message = str(app.screen.query_one("#certs-message").render())
        assert "certificates" not in message and "secrets" not in message, message


async def test_pane_opened_before_the_app_connected_loads(kube_admin, kubeconfig,
                                                           namespace) -> None:
    """`:certs` typed at start-up mounts the pane before the session exists; it subscribes
    when the app connects instead of staying "Loading certificates…" for good."""
    f.seed(kube_admin, namespace, NOW)
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=namespace, now=NOW))
    async with app.run_test(size=(120, 40)) as pilot:
        app.open_plugin("cert-manager")  # at once: usually before the connection
        await wait_until(pilot, lambda: bool(app.screen.query(CertificatesPane)))
        pane = pane_of(app)
        await wait_until(pilot, lambda: pane._primed and "web" in names(pane))


async def test_the_secrets_cache_keeps_no_key_material(kube_admin, kubeconfig,
                                                       namespace) -> None:
    """#25: the pane's TLS Secrets cache stores checked facts, not ``data`` (no private
    key, no certificate bytes), and the rows still say whether each key matches."""
    from k8s_essentials_tui.api import SECRETS
    from k8s_essentials_tui.plugins.cert_manager.x509info import STORED_INFO

    f.seed(kube_admin, namespace, NOW)
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=namespace, now=NOW))
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_pane(pilot)
        stored = pane._cache(SECRETS).items()
        assert stored and all("data" not in o and STORED_INFO in o for o in stored)
        web = next(r for r in pane.view_rows if r.name == "web")
        assert web.info is not None and web.info.key_matches is True


async def test_opening_starts_the_three_lists_first(kubeconfig, namespace) -> None:
    """`open` starts the pane's Certificates, TLS Secrets (projected) and Ingresses caches
    before its screen is composed (CertificatesPane.prefetch), scoped by -n, and the pane
    subscribes to those very caches."""
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=namespace, now=NOW))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        session = app.session
        before = set(session.caches.caches())
        app.open_plugin("cert-manager")
        started = [c for c in session.caches.caches() if c not in before]
        assert sorted(c.key.rtype.plural for c in started) == [
            "certificates", "ingresses", "secrets"]
        assert all(c.key.namespace == namespace for c in started)
        assert any(c.key.transform is not None for c in started)
        pane = await open_pane(pilot)
        assert {s.cache for s in pane._subscriptions} >= set(started)
