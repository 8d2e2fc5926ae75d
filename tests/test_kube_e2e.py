"""The cluster layer against the real kube-apiserver: typed helpers, pagination, patches,
dry-run, status subresource, watches (410 Gone, apiserver restart), RBAC 403s, access checks
and connection failures."""

from __future__ import annotations

import asyncio
import socket
import time
from pathlib import Path

import httpx
import pytest
import yaml

from k8s_essentials_tui.errors import (
    ConfigError,
    ForbiddenError,
    GoneError,
    NotFoundError,
    TLSError,
    UnauthorizedError,
    UnreachableError,
)
from k8s_essentials_tui.kube.cache import ResourceCache
from k8s_essentials_tui.kube.config import list_contexts
from k8s_essentials_tui.kube.resources import NAMESPACES, SECRETS, rt
from k8s_essentials_tui.kube.session import ClusterSession, ConnectOptions
from testkit.controlplane import ControlPlane
from testkit.wait import wait_until

CONFIGMAPS = rt("v1", "configmaps", "ConfigMap")
BACKUPS = rt("velero.io/v1", "backups", "Backup")
CERTIFICATES = rt("cert-manager.io/v1", "certificates", "Certificate")


async def connect(kubeconfig: str | Path, context: str | None = None) -> ClusterSession:
    return await ClusterSession.connect(ConnectOptions(kubeconfig=str(kubeconfig),
                                                       context=context))


def cm(name: str, **data: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name},
            "data": data}


async def test_crud_pagination_patches_and_dry_run(kubeconfig: str, namespace: str) -> None:
    session = await connect(kubeconfig)
    c = session.client
    try:
        assert session.server_version["gitVersion"].startswith("v1.35")
        for i in range(23):
            await c.create(CONFIGMAPS, cm(f"cm-{i:02d}", i=str(i)), namespace)
        items, rv = await c.list(CONFIGMAPS, namespace, limit=5)
        names = [o["metadata"]["name"] for o in items if o["metadata"]["name"].startswith("cm-")]
        assert names == [f"cm-{i:02d}" for i in range(23)] and rv
        assert items[0]["kind"] == "ConfigMap" and items[0]["apiVersion"] == "v1"

        await c.patch(CONFIGMAPS, "cm-00", {"data": {"merge": "yes"}}, namespace)
        await c.patch(CONFIGMAPS, "cm-00", [{"op": "add", "path": "/data/json", "value": "1"}],
                      namespace, patch_type="json")
        await c.patch(CONFIGMAPS, "cm-00", {"apiVersion": "v1", "kind": "ConfigMap",
                                           "metadata": {"name": "cm-00"},
                                           "data": {"applied": "ssa"}},
                      namespace, patch_type="apply", force=True)
        got = await c.get(CONFIGMAPS, "cm-00", namespace)
        assert got["data"]["merge"] == "yes" and got["data"]["json"] == "1"
        assert got["data"]["applied"] == "ssa"

        dry = await c.create(CONFIGMAPS, cm("dry"), namespace, dry_run=True)
        assert dry["metadata"]["name"] == "dry"
        with pytest.raises(NotFoundError, match="not found: get configmaps dry"):
            await c.get(CONFIGMAPS, "dry", namespace)
        await c.delete(CONFIGMAPS, "cm-01", namespace, dry_run=True)
        await c.get(CONFIGMAPS, "cm-01", namespace)
    finally:
        await session.close()


async def test_status_subresource_on_a_crd(kubeconfig: str, namespace: str) -> None:
    session = await connect(kubeconfig)
    c = session.client
    try:
        await c.create(CERTIFICATES, {
            "apiVersion": "cert-manager.io/v1", "kind": "Certificate",
            "metadata": {"name": "web"},
            "spec": {"secretName": "web-tls", "dnsNames": ["web.example.com"],
                     "issuerRef": {"name": "letsencrypt", "kind": "ClusterIssuer"}}}, namespace)
        await c.patch_status(CERTIFICATES, "web", {"status": {"notAfter": "2026-07-01T00:00:00Z"}},
                             namespace)
        got = await c.get(CERTIFICATES, "web", namespace)
        assert got["status"]["notAfter"] == "2026-07-01T00:00:00Z"
        # a spec change through the main resource leaves status alone (status subresource)
        await c.patch(CERTIFICATES, "web", {"status": {"notAfter": "x"},
                                            "spec": {"dnsNames": ["a.example.com"]}}, namespace)
        got = await c.get(CERTIFICATES, "web", namespace)
        assert got["status"]["notAfter"] == "2026-07-01T00:00:00Z"
        assert got["spec"]["dnsNames"] == ["a.example.com"]
    finally:
        await session.close()


async def test_discovery_sees_crds(kubeconfig: str) -> None:
    session = await connect(kubeconfig)
    try:
        disc = await session.discovery()
        assert disc.complete
        assert disc.has_group("velero.io") and disc.has_group("cert-manager.io")
        backups = disc.find("velero.io", "backups")
        assert backups is not None and backups.kind == "Backup" and backups.namespaced
    finally:
        await session.close()


async def test_shared_cache_follows_changes(kubeconfig: str, namespace: str) -> None:
    session = await connect(kubeconfig)
    try:
        cache = session.cache(CONFIGMAPS, namespace)
        assert session.cache(CONFIGMAPS, namespace) is cache  # shared, not one per caller
        changes = []
        cache.subscribe(changes.append)
        await cache.wait_synced()
        await session.client.create(CONFIGMAPS, cm("live", v="1"), namespace)
        await wait_until(None, lambda: any(ch.upserted for ch in changes))
        await session.client.patch(CONFIGMAPS, "live", {"data": {"v": "2"}}, namespace)
        await wait_until(
            None, lambda: any(o.get("data", {}).get("v") == "2" for o in cache.items()))
        await session.client.delete(CONFIGMAPS, "live", namespace)
        await wait_until(None, lambda: all(o["metadata"]["name"] != "live" for o in cache.items()))
        # subscribers hear of it in coalesced batches
        await wait_until(None, lambda: any(ch.deleted for ch in changes))
        assert cache.list_count == 1  # all of that came from the watch, not re-lists
        assert cache.sync_mode == "watch-list"  # the 1.35 server streams the initial state
    finally:
        await session.close()


async def test_cache_syncs_with_one_watch_request(kubeconfig: str, audit_log: Path,
                                                  namespace: str) -> None:
    """WatchList: the apiserver's audit log shows one watch (sendInitialEvents) and no
    list for a cache's sync; the initial objects are all there when it says synced."""
    import time

    from testkit.controlplane import read_audit_events

    session = await connect(kubeconfig)
    try:
        for i in range(7):
            await session.client.create(CONFIGMAPS, cm(f"wl-{i}"), namespace)
        since = time.time()
        cache = session.cache(CONFIGMAPS, namespace)
        changes = []
        cache.subscribe(changes.append)
        await cache.wait_synced()
        names = {o["metadata"]["name"] for o in cache.items()}
        assert {f"wl-{i}" for i in range(7)} <= names
        # subscribers got the whole state at once (a reset), never half of it
        assert changes and changes[0].reset and len(changes[0].cache.items()) == len(names)
        await session.client.create(CONFIGMAPS, cm("wl-live"), namespace)
        await wait_until(
            None, lambda: any(o["metadata"]["name"] == "wl-live" for o in cache.items()))
        await asyncio.sleep(0.5)
        events = read_audit_events(audit_log, user="admin", since=since)
        mine = [e for e in events if e.get("objectRef", {}).get("resource") == "configmaps"
                and e.get("objectRef", {}).get("namespace") == namespace
                and e["verb"] in ("list", "watch")]
        assert [e["verb"] for e in mine] == ["watch"], [e["requestURI"] for e in mine]
        assert "sendInitialEvents=true" in mine[0]["requestURI"]
    finally:
        await session.close()


async def test_a_large_collection_switches_to_a_paginated_list(
        kubeconfig: str, audit_log: Path, namespace: str) -> None:
    """Past ``large_collection`` initial WatchList objects the cache drops the stream and
    lists in pages (faster for big collections, see tui/kube/cache.py), then watches; the
    key is remembered, so the next cache of it lists from the start. Nothing is lost: every
    object is there at the sync, live changes follow."""
    import time

    from testkit.controlplane import read_audit_events

    session = await connect(kubeconfig)
    try:
        for i in range(12):
            await session.client.create(CONFIGMAPS, cm(f"big-{i}"), namespace)
        since = time.time()
        cache = session.cache(CONFIGMAPS, namespace)
        cache.large_collection = 5  # before its loop runs: "large" means 6 objects here
        await cache.wait_synced()
        assert cache.sync_mode == "list" and cache.list_count == 1
        assert {f"big-{i}" for i in range(12)} <= {o["metadata"]["name"]
                                                   for o in cache.items()}
        assert cache.key in session.client.large_collections
        await session.client.create(CONFIGMAPS, cm("big-live"), namespace)
        await wait_until(
            None, lambda: any(o["metadata"]["name"] == "big-live" for o in cache.items()))
        await asyncio.sleep(0.5)
        events = read_audit_events(audit_log, user="admin", since=since)
        verbs = list({e["auditID"]: e["verb"] for e in events  # one entry per request
                      if e.get("objectRef", {}).get("resource") == "configmaps"
                      and e.get("objectRef", {}).get("namespace") == namespace
                      and e["verb"] in ("list", "watch")}.values())
        # the dropped WatchList, the list, then the watch from the list's resourceVersion
        assert verbs == ["watch", "list", "watch"], verbs
        await cache.stop()
        again = ResourceCache(session.client, cache.key)
        again.start()
        await again.wait_synced()
        assert again.sync_mode == "list"  # no WatchList try for a key known to be large
        await again.stop()
    finally:
        await session.close()


class _NoWatchCacheControlPlane(ControlPlane):
    """A real apiserver that serves watches straight from etcd (``--watch-cache=false``),
    with WatchList switched off, as on servers before 1.32.

    With the watch cache on, an expired resourceVersion is only answered with 410 after the
    cache has rolled over (minutes of traffic); straight from etcd, a compaction is enough.
    The 410 itself is the real apiserver's answer either way."""

    def _apiserver_argv(self) -> list[str]:
        return [*super()._apiserver_argv(), "--watch-cache=false",
                "--feature-gates=WatchList=false"]


@pytest.fixture(scope="module")
def etcd_watch_cluster(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    cp = _NoWatchCacheControlPlane(tmp_path_factory.mktemp("nowatchcache") / "cp").start()
    yield cp
    cp.stop()


def compact_etcd(control_plane) -> None:  # type: ignore[no-untyped-def]
    """Compact etcd to its current revision through etcd's own JSON gateway, as the
    apiserver does every few minutes: older resourceVersions then get a real 410 Gone."""
    import httpx

    base = f"http://127.0.0.1:{control_plane.etcd_port}"
    rev = httpx.post(f"{base}/v3/kv/range", json={"key": "AA=="}).json()["header"]["revision"]
    httpx.post(f"{base}/v3/kv/compaction", json={"revision": rev, "physical": True})


async def test_watch_with_a_too_old_resource_version_is_410(etcd_watch_cluster) -> None:  # type: ignore[no-untyped-def]
    session = await connect(etcd_watch_cluster.kubeconfig)
    namespace = "default"
    await session.client.create(CONFIGMAPS, cm("bump"), namespace)
    await asyncio.to_thread(compact_etcd, etcd_watch_cluster)
    try:
        with pytest.raises(GoneError):
            async for _ev in session.client.watch(CONFIGMAPS, namespace, resource_version="1",
                                                  timeout_seconds=5):
                pass
    finally:
        await session.close()


async def test_cache_falls_back_to_list_when_watchlist_is_off(etcd_watch_cluster) -> None:  # type: ignore[no-untyped-def]
    """A server with the WatchList gate off answers 422 to ``sendInitialEvents``: the cache
    says nothing to the user, lists + watches, and the client stops asking."""
    session = await connect(etcd_watch_cluster.kubeconfig)
    try:
        assert session.client.watch_list is True  # 1.35 by its version: worth a try
        await session.client.create(CONFIGMAPS, cm("fallback"), "default")
        cache = session.cache(CONFIGMAPS, "default")
        await cache.wait_synced()
        assert any(o["metadata"]["name"] == "fallback" for o in cache.items())
        assert cache.sync_mode == "list" and cache.state == "synced"
        assert session.client.watch_list is False
        await session.client.create(CONFIGMAPS, cm("fallback-live"), "default")
        await wait_until(None, lambda: any(o["metadata"]["name"] == "fallback-live"
                                   for o in cache.items()))
    finally:
        await session.close()


async def test_cache_relists_after_410(etcd_watch_cluster) -> None:  # type: ignore[no-untyped-def]
    """The real server answers 410 for a compacted resourceVersion; the cache re-lists."""
    session = await connect(etcd_watch_cluster.kubeconfig)
    session.client.watch_list = False  # this server has no WatchList (see its fixture)
    namespace = "default"
    await session.client.create(CONFIGMAPS, cm("bump2"), namespace)
    try:
        cache = ResourceCache(session.client, session.caches.get(CONFIGMAPS, namespace).key)
        real_list = cache._list
        calls = 0

        async def list_then_expire() -> None:
            nonlocal calls
            calls += 1
            await real_list()
            if calls == 1:
                # what a long disconnection does: the kept resourceVersion gets compacted
                # (the apiserver watches from RV+1: compact past that)
                await session.client.create(CONFIGMAPS, cm("bump3"), namespace)
                await session.client.create(CONFIGMAPS, cm("bump4"), namespace)
                await asyncio.to_thread(compact_etcd, etcd_watch_cluster)

        cache._list = list_then_expire  # type: ignore[method-assign]
        cache.start()
        await wait_until(None, lambda: cache.list_count >= 2)
        await session.client.create(CONFIGMAPS, cm("after-gone"), namespace)
        await wait_until(
            None, lambda: any(o["metadata"]["name"] == "after-gone" for o in cache.items()))
        await cache.stop()
    finally:
        await session.close()


async def test_cache_survives_apiserver_restart(control_plane, kubeconfig: str,  # type: ignore[no-untyped-def]
                                                namespace: str) -> None:
    session = await connect(kubeconfig)
    try:
        cache = session.cache(CONFIGMAPS, namespace)
        await cache.wait_synced()
        states: list[str] = []
        cache.subscribe(lambda ch: states.append(ch.cache.state))
        await asyncio.to_thread(control_plane.restart_apiserver, 1.0)
        await session.client.create(CONFIGMAPS, cm("after-restart"), namespace)
        await wait_until(None, lambda: any(o["metadata"]["name"] == "after-restart"
                                   for o in cache.items()), timeout=60)
        assert cache.state == "synced"
    finally:
        await session.close()


async def test_forbidden_is_typed_and_cached_as_state(limited_kubeconfig: str,
                                                      namespace: str) -> None:
    session = await connect(limited_kubeconfig)
    try:
        with pytest.raises(ForbiddenError, match=f"cannot create secrets s in {namespace}"):
            await session.client.create(SECRETS, {"apiVersion": "v1", "kind": "Secret",
                                                  "metadata": {"name": "s"}}, namespace)
        cache = session.cache(SECRETS)
        with pytest.raises(ForbiddenError):
            await cache.wait_synced()
        assert cache.state == "forbidden"
        denied = await session.access.can("create", BACKUPS, "velero")
        assert not denied
        assert denied.reason == "forbidden: cannot create backups.velero.io in velero"
        allowed = await session.access.can("list", CONFIGMAPS, namespace)
        assert allowed
        items, _ = await session.client.list(NAMESPACES)
        assert any(n["metadata"]["name"] == namespace for n in items)
    finally:
        await session.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _variant(kubeconfig: str, tmp_path: Path, **cluster_changes: object) -> Path:
    data = yaml.safe_load(Path(kubeconfig).read_text())
    data["clusters"][0]["cluster"].update(cluster_changes)
    out = tmp_path / "variant-kubeconfig"
    out.write_text(yaml.safe_dump(data))
    return out


async def test_unreachable_server(kubeconfig: str, tmp_path: Path) -> None:
    bad = _variant(kubeconfig, tmp_path, server=f"https://127.0.0.1:{_free_port()}")
    with pytest.raises(UnreachableError, match=r"cannot reach the apiserver at https://127\.0\.0\.1"):
        await connect(bad)


async def test_wrong_ca_is_a_tls_error(kubeconfig: str, tmp_path: Path) -> None:
    data = yaml.safe_load(Path(kubeconfig).read_text())
    # the client CA is a different CA from the serving CA: verification must fail
    user = data["users"][0]["user"]
    other_ca = user.get("client-certificate-data")
    bad = _variant(kubeconfig, tmp_path, **{"certificate-authority-data": other_ca})
    with pytest.raises(TLSError, match="TLS error"):
        await connect(bad)


async def test_bad_token_is_unauthorized(kubeconfig: str, tmp_path: Path) -> None:
    data = yaml.safe_load(Path(kubeconfig).read_text())
    data["users"][0]["user"] = {"token": "not-a-valid-token"}
    bad = tmp_path / "token-kubeconfig"
    bad.write_text(yaml.safe_dump(data))
    with pytest.raises(UnauthorizedError, match="unauthorized"):
        await connect(bad)


def test_contexts_of_merged_kubeconfigs(kubeconfig: str, limited_kubeconfig: str,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECONFIG", f"{kubeconfig}:{limited_kubeconfig}")
    names = [c.name for c in list_contexts()]
    assert "devcluster" in names and len(names) >= 2
    with pytest.raises(ConfigError, match="context 'nope' not found"):
        asyncio.run(ClusterSession.connect(ConnectOptions(context="nope")))


class _TokenControlPlane(ControlPlane):
    """A real apiserver that also accepts static bearer tokens, for exec-plugin auth."""

    def _apiserver_argv(self) -> list[str]:
        tokens = self.dir / "tokens.csv"
        tokens.write_text('good-token,exec-user,1001,"system:masters"\n')
        return [*super()._apiserver_argv(), f"--token-auth-file={tokens}"]


@pytest.fixture(scope="module")
def token_cluster(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    cp = _TokenControlPlane(tmp_path_factory.mktemp("tokens") / "cp").start()
    yield cp
    cp.stop()


def _exec_kubeconfig(cp, tmp_path: Path, tokens: list[tuple[str, str]]) -> tuple[Path, Path]:  # type: ignore[no-untyped-def]
    """A kubeconfig whose user is an exec credential plugin (like aws/gke/kubelogin) that
    hands out the given (token, expirationTimestamp) pairs in turn, counting its runs."""
    import sys

    state = tmp_path / "exec-count"
    state.write_text("0")
    plugin = tmp_path / "credential-plugin.py"
    plugin.write_text(
        "import json, pathlib\n"
        f"state = pathlib.Path({str(state)!r})\n"
        "n = int(state.read_text()); state.write_text(str(n + 1))\n"
        f"tokens = {tokens!r}\n"
        "token, expiry = tokens[min(n, len(tokens) - 1)]\n"
        "status = {'token': token}\n"
        "if expiry: status['expirationTimestamp'] = expiry\n"
        "print(json.dumps({'apiVersion': 'client.authentication.k8s.io/v1',\n"
        "                  'kind': 'ExecCredential', 'status': status}))\n")
    data = yaml.safe_load(Path(cp.kubeconfig).read_text())
    data["users"][0]["user"] = {"exec": {
        "apiVersion": "client.authentication.k8s.io/v1", "command": sys.executable,
        "args": [str(plugin)], "interactiveMode": "Never"}}
    out = tmp_path / "exec-kubeconfig"
    out.write_text(yaml.safe_dump(data))
    return out, state


async def test_exec_credential_plugin(token_cluster, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    kc, runs = _exec_kubeconfig(token_cluster, tmp_path, [("good-token", "2099-01-01T00:00:00Z")])
    session = await connect(kc)
    try:
        for _ in range(3):
            items, _ = await session.client.list(NAMESPACES)
            assert items
    finally:
        await session.close()
    assert int(runs.read_text()) == 1  # a valid token is reused, not re-fetched per request


async def test_expired_exec_token_is_refreshed(token_cluster,  # type: ignore[no-untyped-def]
                                               tmp_path: Path) -> None:
    kc, runs = _exec_kubeconfig(token_cluster, tmp_path, [
        ("stale-token", "2000-01-01T00:00:00Z"),   # expired (and unknown to the server)
        ("good-token", "2099-01-01T00:00:00Z")])
    session = await connect(kc)  # the plugin runs again before the first request
    try:
        items, _ = await session.client.list(NAMESPACES)
        assert items
    finally:
        await session.close()
    assert int(runs.read_text()) >= 2


async def test_cache_with_a_field_selector(kubeconfig: str, namespace: str) -> None:
    """TLS Secrets only, filtered by the apiserver (list and watch)."""
    session = await connect(kubeconfig)
    try:
        cache = session.cache(SECRETS, namespace, field_selector="type=kubernetes.io/tls")
        assert session.cache(SECRETS, namespace) is not cache  # another scope, another cache
        await cache.wait_synced()
        for name, typ in (("opaque", "Opaque"), ("tls", "kubernetes.io/tls")):
            await session.client.create(SECRETS, {
                "apiVersion": "v1", "kind": "Secret", "type": typ, "metadata": {"name": name},
                "data": {"tls.crt": "", "tls.key": ""} if typ != "Opaque" else {}}, namespace)
        await wait_until(None, lambda: any(o["metadata"]["name"] == "tls" for o in cache.items()))
        await asyncio.sleep(0.3)
        assert [o["metadata"]["name"] for o in cache.items()] == ["tls"]
    finally:
        await session.close()


async def test_unwatched_cache_is_retired_after_idle_timeout(kubeconfig: str,
                                                             namespace: str) -> None:
    session = await connect(kubeconfig)
    try:
        cache = session.cache(CONFIGMAPS, namespace)
        cache.idle_timeout = 0.2
        unsubscribe = cache.subscribe(lambda _ch: None)
        await cache.wait_synced()
        unsubscribe()
        await wait_until(None, lambda: cache not in session.caches.caches())
        await wait_until(None, lambda: cache._task is None)
        fresh = session.cache(CONFIGMAPS, namespace)  # the next user gets a new one
        assert fresh is not cache
        await fresh.wait_synced()
        # a cache that still has a subscriber is never retired
        fresh.idle_timeout = 0.1
        fresh.subscribe(lambda _ch: None)
        await asyncio.sleep(0.3)
        assert fresh in session.caches.caches()
    finally:
        await session.close()


async def test_cache_keep_filter_stores_only_what_it_keeps(kubeconfig: str,
                                                           namespace: str) -> None:
    """A client-side ``keep`` (what a label selector cannot say) is part of the cache key:
    rejected objects are never stored, and a label change moves an object in or out."""
    def wanted(o: dict) -> bool:
        labels = (o.get("metadata") or {}).get("labels") or {}
        return labels.get("a") == "1" or labels.get("b") == "1"

    def labelled(name: str, **labels: str) -> dict:
        return {**cm(name), "metadata": {"name": name, "labels": labels}}

    session = await connect(kubeconfig)
    try:
        c = session.client
        await c.create(CONFIGMAPS, labelled("by-a", a="1"), namespace)
        await c.create(CONFIGMAPS, labelled("by-b", b="1"), namespace)
        await c.create(CONFIGMAPS, labelled("other", a="2"), namespace)
        for watch_list in (True, False):  # both sync paths filter
            c.watch_list = watch_list
            cache = ResourceCache(c, session.caches.get(CONFIGMAPS, namespace, keep=wanted).key)
            assert cache.key.keep is wanted
            assert session.cache(CONFIGMAPS, namespace) is not session.cache(
                CONFIGMAPS, namespace, keep=wanted)
            cache.start()
            await cache.wait_synced()
            assert cache.sync_mode == ("watch-list" if watch_list else "list")

            def names(cache: ResourceCache = cache) -> set[str]:
                return {o["metadata"]["name"] for o in cache.items()}

            assert names() == {"by-a", "by-b"}
            await c.patch(CONFIGMAPS, "other", {"metadata": {"labels": {"b": "1"}}}, namespace)
            await wait_until(None, lambda: "other" in names())
            await c.patch(CONFIGMAPS, "other", {"metadata": {"labels": {"b": None}}},
                          namespace)
            await wait_until(None, lambda: "other" not in names())
            await cache.stop()
    finally:
        await session.close()


async def test_list_without_watch_permission_still_shows_objects(
        kube_admin, limited_kubeconfig: str, namespace: str) -> None:  # type: ignore[no-untyped-def]
    """Real RBAC granting ``list`` but not ``watch``: the WatchList sync is refused (403),
    the cache lists instead, so the objects show, and the state says the watch is denied."""
    kube_admin.apply({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                      "metadata": {"name": "list-only", "namespace": namespace},
                      "rules": [{"apiGroups": [""], "resources": ["secrets"],
                                 "verbs": ["list"]}]})
    kube_admin.apply({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                      "metadata": {"name": "list-only", "namespace": namespace},
                      "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role",
                                  "name": "list-only"},
                      "subjects": [{"kind": "User", "name": "limited",
                                    "apiGroup": "rbac.authorization.k8s.io"}]})
    kube_admin.apply({"apiVersion": "v1", "kind": "Secret",
                      "metadata": {"name": "visible", "namespace": namespace},
                      "type": "Opaque", "data": {}})
    session = await connect(limited_kubeconfig)
    try:
        assert session.client.watch_list is True
        cache = session.cache(SECRETS, namespace)
        await cache.wait_synced()
        assert cache.sync_mode == "list"
        assert [o["metadata"]["name"] for o in cache.items()] == ["visible"]
        await wait_until(None, lambda: cache.state == "forbidden")  # then the plain watch: 403
        assert "cannot watch" in str(cache.error)
        assert [o["metadata"]["name"] for o in cache.items()] == ["visible"]
    finally:
        await session.close()


async def test_cache_of_a_just_installed_crd_syncs_without_an_error(
        control_plane, kube_admin, audit_log: Path) -> None:  # type: ignore[no-untyped-def]
    """Right after a CRD is installed the apiserver's watch cache for it is still
    initialising and refuses a WatchList (429 "storage is (re)initializing") where a list
    works from etcd: the cache lists instead and never shows an error."""
    import time

    from testkit.controlplane import read_audit_events

    for attempt in range(3):  # the 429 window is short: try a few fresh CRDs
        group = f"w{attempt}{int(time.time() * 1000) % 10**8}.example.com"
        kube_admin.apply({
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": f"widgets.{group}"},
            "spec": {"group": group, "scope": "Cluster",
                     "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
                     "versions": [{"name": "v1", "served": True, "storage": True, "schema": {
                         "openAPIV3Schema": {"type": "object",
                                             "x-kubernetes-preserve-unknown-fields": True}}}]}})
        kube_admin.wait_for("apiextensions.k8s.io/v1", "customresourcedefinitions",
                            f"widgets.{group}", condition="Established", timeout=30)
        since = time.time()
        session = await connect(control_plane.kubeconfig)
        try:
            cache = session.cache(rt(f"{group}/v1", "widgets", "Widget", namespaced=False))
            states: list[str] = []
            cache.subscribe(lambda ch, states=states: states.append(ch.cache.state))
            await cache.wait_synced(timeout=30)
            await session.client.create(
                rt(f"{group}/v1", "widgets", "Widget", namespaced=False),
                {"apiVersion": f"{group}/v1", "kind": "Widget", "metadata": {"name": "w"}})
            await wait_until(None, lambda cache=cache: bool(cache.items()))  # the watch follows
            assert cache.state == "synced" and not {"error", "stale"} & set(states), states
        finally:
            await session.close()
        await asyncio.sleep(0.3)
        refused = [e for e in read_audit_events(audit_log, user="admin", since=since)
                   if group in e["requestURI"]
                   and (e.get("responseStatus") or {}).get("code") == 429]
        if refused:  # the race was hit: the cache recovered by listing
            assert cache.sync_mode == "list"
            return


@pytest.mark.parametrize("config", ["", "watch_list = false\n", "watch_list = true\n"])
async def test_config_chooses_how_the_app_syncs(kubeconfig: str, namespace: str, config: str,
                                              tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The app's caches sync by paginated list + watch unless ``watch_list = true`` in
    config.toml (see ``tui/kube/cache.py`` for the measurement behind the default)."""
    from k8s_essentials_tui.app import EssentialsApp, StartOptions

    cfg = tmp_path / "config.toml"
    cfg.write_text(config)
    monkeypatch.setenv("K8S_ESSENTIALS_TUI_CONFIG", str(cfg))
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig))
    on = "true" in config
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(None, lambda: app.session is not None)
        assert app.session is not None and app.session.client.watch_list is on
        cache = app.session.cache(CONFIGMAPS, namespace)
        await cache.wait_synced()
        assert cache.sync_mode == ("watch-list" if on else "list")
        await pilot.pause()


async def test_a_mid_size_collection_is_read_whole_after_its_first_page(
        kubeconfig: str, namespace: str) -> None:
    """``whole_below``: the first page's ``remainingItemCount`` says the collection is
    small enough, so the rest comes as one unpaginated list (served from the apiserver's
    watch cache) instead of ``continue`` pages; above the bound the pages go on. Counted
    from the requests the client sends to the real apiserver."""
    session = await connect(kubeconfig)
    try:
        c = session.client
        for i in range(5):
            await c.create(CONFIGMAPS, cm(f"page-{i}"), namespace)
        sent: list[dict] = []

        async def counting(request: httpx.Request) -> None:
            sent.append(dict(request.url.params))

        c.http.event_hooks["request"].append(counting)  # what goes on the wire
        items, rv = await c.list(CONFIGMAPS, namespace, limit=2, whole_below=100)
        assert len(items) == 5 and rv
        assert [p.get("limit") for p in sent] == ["2", None]  # one page, then all at once
        assert all(o["kind"] == "ConfigMap" for o in items)
        sent.clear()
        items, _rv = await c.list(CONFIGMAPS, namespace, limit=2, whole_below=5)
        assert len(items) == 5 and len(sent) == 3  # 5 objects are not below 5: pages
        sent.clear()
        items, _rv = await c.list(CONFIGMAPS, namespace, limit=2)
        assert len(items) == 5 and len(sent) == 3
    finally:
        await session.close()


def test_custom_resources_are_told_from_builtin_types() -> None:
    from k8s_essentials_tui.kube.resources import is_builtin

    assert is_builtin(CONFIGMAPS) and is_builtin(rt("apps/v1", "deployments"))
    assert is_builtin(rt("networking.k8s.io/v1", "ingresses"))
    assert not is_builtin(rt("argoproj.io/v1alpha1", "applications"))
    assert not is_builtin(rt("gateway.networking.k8s.io/v1", "httproutes"))
    assert not is_builtin(rt("wgpolicyk8s.io/v1alpha2", "policyreports"))


async def test_kubeconfig_disable_compression_asks_for_plain_answers(
        kubeconfig: str, namespace: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``clusters[].cluster.disable-compression: true`` (kubectl's field) turns the
    apiserver's gzip off; without it a list over 128 KiB comes gzipped (the default, for
    slow links). The other file of a merged $KUBECONFIG does not override the first's
    cluster (kubectl's first-wins merge)."""
    doc = yaml.safe_load(Path(kubeconfig).read_text())
    plain = dict(doc, clusters=[{**c, "cluster": {**c["cluster"], "disable-compression": True}}
                                for c in doc["clusters"]])
    plain_path = tmp_path / "plain.yaml"
    plain_path.write_text(yaml.safe_dump(plain))
    other = tmp_path / "other.yaml"
    other.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "Config", "clusters": [
        {"name": c["name"], "cluster": {"server": "https://192.0.2.1"}}
        for c in doc["clusters"]]}))
    seeding = await connect(kubeconfig)
    try:
        for i in range(6):  # ~240 KiB: over the apiserver's 128 KiB compression threshold
            await seeding.client.create(CONFIGMAPS, cm(f"big-{i}", blob="x" * 40_000), namespace)
    finally:
        await seeding.close()
    import os

    encodings = {}
    for name, path in (("default", kubeconfig), ("disabled", None)):
        # None: the merged $KUBECONFIG list, as kubectl reads it
        monkeypatch.setenv("KUBECONFIG", os.pathsep.join([str(plain_path), str(other)]))
        session = await ClusterSession.connect(ConnectOptions(kubeconfig=path))
        try:
            resp = await session.client.request("GET", CONFIGMAPS.path(namespace))
            encodings[name] = resp.headers.get("content-encoding")
            assert len(resp.json()["items"]) >= 6
            assert session.settings.disable_compression is (name == "disabled")
        finally:
            await session.close()
    assert encodings == {"default": "gzip", "disabled": None}


async def test_a_large_sync_freezes_the_heap_once(kubeconfig: str, namespace: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache that stored a large collection, or a large decoded answer, has the heap frozen
    right after the collector's next full pass (gcpolicy.settle: later full passes do not
    walk it, and the pass just freed the cyclic garbage); a small one does not; young passes
    do not; several large loads before a full pass freeze once. The thresholds are lowered
    here: the apiserver holds a handful of ConfigMaps, not 5,000."""
    import gc

    from k8s_essentials_tui import gcpolicy

    gcpolicy.tune()
    session = await connect(kubeconfig)
    try:
        for i in range(4):
            await session.client.create(CONFIGMAPS, cm(f"freeze-{i}"), namespace)
        frozen: list[int] = []
        monkeypatch.setattr(gc, "freeze", lambda: frozen.append(1))
        monkeypatch.setattr(gcpolicy, "SETTLE_AT", 1_000)
        small = session.cache(CONFIGMAPS, namespace)
        await small.wait_synced()
        gc.collect()
        await asyncio.sleep(0.05)
        assert frozen == []
        monkeypatch.setattr(gcpolicy, "SETTLE_AT", 4)
        first = ResourceCache(session.client, small.key)
        second = ResourceCache(session.client, small.key)
        first._synced_with(dict(small.objects), small.resource_version, "list")
        second._synced_with(dict(small.objects), small.resource_version, "list")
        gc.collect(0)
        await asyncio.sleep(0.05)
        assert frozen == []  # a young pass is not the one
        gc.collect()
        await asyncio.sleep(0.05)
        assert frozen == [1]
        gc.collect()
        await asyncio.sleep(0.05)
        assert frozen == [1]  # once per settle
        # a large answer does it too (the threshold lowered to this list's size)
        monkeypatch.setattr(gcpolicy, "SETTLE_BYTES", 1)
        await session.client.list(CONFIGMAPS, namespace)
        gc.collect()
        await asyncio.sleep(0.05)
        assert frozen == [1, 1]
    finally:
        await session.close()


def _public_part(obj: dict) -> dict:
    """A cache transform for the test: keeps metadata and ``data.v``, drops the rest."""
    data = obj.get("data") or {}
    return {"metadata": obj["metadata"], "data": {"v": data["v"]} if "v" in data else {},
            "transformed": True}


async def test_cache_transform_stores_only_the_projection(kubeconfig: str,
                                                          namespace: str) -> None:
    """A subscriber's ``transform`` is applied before anything is stored: to the listed
    objects (both sync paths), the initial WatchList events and every watch event; ``keep``
    still sees the whole object; a transformed cache is another cache than the plain one."""
    def wanted(o: dict) -> bool:  # reads what the transform drops
        return (o.get("data") or {}).get("secret") != "skip"

    session = await connect(kubeconfig)
    try:
        c = session.client
        await c.create(CONFIGMAPS, cm("listed", v="1", secret="s3cr3t"), namespace)
        await c.create(CONFIGMAPS, cm("skipped", v="1", secret="skip"), namespace)
        plain = session.cache(CONFIGMAPS, namespace)
        assert session.cache(CONFIGMAPS, namespace, transform=_public_part) is not plain
        assert session.cache(CONFIGMAPS, namespace, transform=_public_part) is \
            session.cache(CONFIGMAPS, namespace, transform=_public_part)  # shared
        for watch_list in (True, False):  # both sync paths transform
            c.watch_list = watch_list
            cache = ResourceCache(c, session.caches.get(
                CONFIGMAPS, namespace, keep=wanted, transform=_public_part).key)
            cache.start()
            await cache.wait_synced()
            assert cache.sync_mode == ("watch-list" if watch_list else "list")

            def stored(cache: ResourceCache = cache) -> dict[str, dict]:
                return {o["metadata"]["name"]: o for o in cache.items()}

            assert "listed" in stored() and "skipped" not in stored()
            assert stored()["listed"]["data"] == {"v": "1"}
            assert stored()["listed"]["transformed"]
            name = f"watched-{watch_list}".lower()
            await c.create(CONFIGMAPS, cm(name, v="2", secret="s3cr3t"), namespace)
            await wait_until(None, lambda name=name: name in stored())
            await c.patch(CONFIGMAPS, name, {"data": {"v": "3"}}, namespace)
            await wait_until(None, lambda name=name: stored()[name]["data"] == {"v": "3"})
            assert all("secret" not in o["data"] and o["transformed"]
                       and o["metadata"]["uid"] and o["metadata"]["resourceVersion"]
                       for o in cache.items())
            await cache.stop()
        await plain.wait_synced()
        assert {o["data"].get("secret") for o in plain.items()} >= {"s3cr3t", "skip"}
    finally:
        await session.close()


async def test_a_cache_watches_once_the_clients_lists_are_over(kubeconfig: str,
                                                               namespace: str) -> None:
    """A cache starts its watch (a new connection, a TLS handshake) once no list of its
    client has been in flight for a moment, not while a pane's other lists still arrive;
    and at most ``at_most`` seconds late whatever the lists do. Its objects are synced
    meanwhile, and a change made before the watch starts still arrives."""
    session = await ClusterSession.connect(ConnectOptions(kubeconfig=kubeconfig,
                                                          watch_list=False))
    client = session.client
    try:
        for i in range(40):
            await client.create(CONFIGMAPS, cm(f"c{i}"), namespace)
        await client.list(CONFIGMAPS, namespace)  # a list just ended: wait a quiet time
        started = asyncio.get_running_loop().time()
        await client.lists_quiet(quiet=0.3)
        assert asyncio.get_running_loop().time() - started >= 0.25
        started = asyncio.get_running_loop().time()
        await client.lists_quiet(quiet=0.3)  # quiet already: at once
        assert asyncio.get_running_loop().time() - started < 0.1

        def slow(obj: dict) -> dict:  # a list that stays in flight ~0.8 s (sliced)
            time.sleep(0.02)
            return obj

        watches: list[float] = []
        client.hooks.append(lambda method, _path: method == "WATCH" and watches.append(
            asyncio.get_running_loop().time()))
        long_list = asyncio.ensure_future(client.list(CONFIGMAPS, namespace, transform=slow))
        await asyncio.sleep(0.05)
        started = asyncio.get_running_loop().time()
        await client.lists_quiet(quiet=0.05, at_most=0.2)  # bounded
        assert 0.15 <= asyncio.get_running_loop().time() - started < 0.5
        assert not long_list.done()
        cache = session.cache(SECRETS, namespace)  # its own list is quick
        await cache.wait_synced()
        await client.create(SECRETS, {"apiVersion": "v1", "kind": "Secret",
                                      "metadata": {"name": "late"}}, namespace)
        await long_list
        ended = asyncio.get_running_loop().time()
        await wait_until(None, lambda: watches)
        assert watches[0] >= ended  # not before the other list was over
        await wait_until(None, lambda: any(o["metadata"]["name"] == "late"
                                           for o in cache.items()))
    finally:
        await session.close()
