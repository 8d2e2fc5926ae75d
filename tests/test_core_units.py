"""Unit tests of the app core's pure parts: errors, resources, discovery parsing, settings,
themes, registry, audit, snapshot building and evaluation."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from k8s_essentials_tui import audit
from k8s_essentials_tui.detection.evaluate import (
    board_rows,
    evaluate,
    report_json,
    report_markdown,
    state_label,
)
from k8s_essentials_tui.detection.snapshot import ClusterSnapshot
from k8s_essentials_tui.detection.snapshot_builder import (
    endpoint_selector,
    ready_endpoints,
    webhook_rows,
    webhook_services,
    workload_selector,
)
from k8s_essentials_tui.errors import (
    ConfigError,
    ForbiddenError,
    GoneError,
    InvalidError,
    NotFoundError,
    status_error,
)
from k8s_essentials_tui.kube.discovery import parse_discovery
from k8s_essentials_tui.kube.proxy import service_proxy_path
from k8s_essentials_tui.kube.resources import DEPLOYMENTS, NAMESPACES, rt
from k8s_essentials_tui.plugin import Detection, Plugin
from k8s_essentials_tui.registry import Registry, load_registry
from k8s_essentials_tui.settings import parse_settings
from k8s_essentials_tui.theming import BUILTIN_THEMES, load_theme, theme_name


def test_status_errors_read_like_kubectl() -> None:
    err = status_error(403, {"message": "secrets is forbidden: ...", "reason": "Forbidden"},
                       "create secrets in velero")
    assert isinstance(err, ForbiddenError)
    assert str(err) == "forbidden: cannot create secrets in velero"
    assert isinstance(status_error(404, {"message": "x"}, "get a"), NotFoundError)
    assert isinstance(status_error(410, {}, "watch"), GoneError)
    invalid = status_error(422, {"message": "spec.ttl: Invalid value"}, "create backups")
    assert isinstance(invalid, InvalidError) and "spec.ttl" in str(invalid)
    assert "HTTP 500" in str(status_error(500, "boom\nstack", "get x"))


def test_resource_paths() -> None:
    backups = rt("velero.io/v1", "backups", "Backup")
    assert backups.path("velero", "b1", "status") == \
        "/apis/velero.io/v1/namespaces/velero/backups/b1/status"
    assert backups.path(None) == "/apis/velero.io/v1/backups"
    assert DEPLOYMENTS.qualified == "deployments.apps"
    assert NAMESPACES.path("ignored", "x") == "/api/v1/namespaces/x"
    assert service_proxy_path("loki", "loki-gateway", 80, "/loki/api/v1/labels") == \
        "/api/v1/namespaces/loki/services/loki-gateway:80/proxy/loki/api/v1/labels"


def test_parse_aggregated_discovery() -> None:
    apis = {"kind": "APIGroupDiscoveryList", "items": [
        {"metadata": {"name": "velero.io"}, "versions": [
            {"version": "v1", "resources": [
                {"resource": "backups", "responseKind": {"kind": "Backup"},
                 "scope": "Namespaced"}]}]},
        {"metadata": {"name": "apiextensions.k8s.io"}, "versions": [
            {"version": "v1", "resources": [
                {"resource": "customresourcedefinitions",
                 "responseKind": {"kind": "CustomResourceDefinition"}, "scope": "Cluster"}]}]},
    ]}
    disc = parse_discovery({"kind": "APIVersions", "versions": ["v1"]}, apis)
    assert disc.has_group("velero.io") and disc.has_group("")
    backups = disc.find("velero.io", "backups")
    assert backups is not None and backups.kind == "Backup" and backups.namespaced
    crd = disc.find_kind("apiextensions.k8s.io", "CustomResourceDefinition")
    assert crd is not None and not crd.namespaced


def test_parse_legacy_discovery_knows_groups() -> None:
    disc = parse_discovery({"kind": "APIVersions", "versions": ["v1"]}, {
        "kind": "APIGroupList",
        "groups": [{"name": "apps", "preferredVersion": {"version": "v1"},
                    "versions": [{"version": "v1"}]}]})
    assert disc.has_group("apps") and not disc.complete


def test_settings_defaults_and_errors() -> None:
    s = parse_settings({})
    assert s["theme"] == "dark" and s["certificates.warning_days"] == 30
    s = parse_settings({"theme": "bastion", "certificates": {"critical_days": 3},
                        "charts": {"velero": {"version": "1.2.3"}}, "keys": {"app.help": "f1"}})
    assert s["theme"] == "bastion" and s["certificates.critical_days"] == 3
    assert s.charts["velero"]["version"] == "1.2.3" and s.keys["app.help"] == "f1"
    with pytest.raises(ConfigError, match="unknown key colour"):
        parse_settings({"colour": "red"})
    with pytest.raises(ConfigError, match=r"certificates\.warning_days must be an int"):
        parse_settings({"certificates": {"warning_days": "soon"}})
    with pytest.raises(ConfigError, match="read_only must be a bool"):
        parse_settings({"read_only": 1})
    with pytest.raises(ConfigError, match=r"unknown key charts.velero.url"):
        parse_settings({"charts": {"velero": {"url": "x"}}})


def test_plugin_settings_tables_are_validated_by_their_plugins_schema() -> None:
    """[loki], [certificates], [velero], [telepresence] are declared by their plugins
    (Plugin.settings); the loader checks them with the user's words for TOML types."""
    with pytest.raises(ConfigError) as err:
        parse_settings({"loki": {"tenant": 7}})
    assert str(err.value) == "config.toml: loki.tenant must be a string"
    with pytest.raises(ConfigError, match=r"^config.toml: telepresence.timeout_seconds must "
                                          r"be a number$"):
        parse_settings({"telepresence": {"timeout_seconds": "1m"}})
    with pytest.raises(ConfigError, match=r"^config.toml: velero.namespace must be a string$"):
        parse_settings({"velero": {"namespace": ["a"]}})
    with pytest.raises(ConfigError, match=r"unknown key loki\.tenantt"):
        parse_settings({"loki": {"tenantt": "a"}})
    s = parse_settings({"loki": {"tenant": "team-a"}, "velero": {"namespace": "backups"}})
    assert s["loki.tenant"] == "team-a" and s["velero.namespace"] == "backups"
    assert s["telepresence.timeout_seconds"] == 60 and not s.warnings  # plugin defaults
    # a table no plugin owns (a plugin installed elsewhere): loads, with a warning
    s = parse_settings({"argo-rollouts": {"x": 1}, "theme": "light"})
    assert s["theme"] == "light"
    assert s.warnings == ["config.toml: [argo-rollouts] is not a table of any installed "
                          "plugin (ignored)"]


def test_bad_config_file_names_the_file(tmp_path: Path) -> None:
    from k8s_essentials_tui.settings import load_settings

    bad = tmp_path / "config.toml"
    bad.write_text("theme = [unclosed\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(bad)
    assert load_settings(tmp_path / "missing.toml")["theme"] == "dark"


def test_all_builtin_themes_load() -> None:
    for short in BUILTIN_THEMES:
        theme = load_theme(short)
        assert theme.name == theme_name(short)
    assert load_theme("bastion").ansi  # the 16-colour theme uses the terminal's palette


def test_bad_theme_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown theme"):
        load_theme("neon")
    broken = tmp_path / "mine.toml"
    broken.write_text('name = "mine"\nprimary = "not-a-colour"\n')
    with pytest.raises(ConfigError, match="is not a colour"):
        load_theme(str(broken))


def test_registry_finds_builtins_and_reports_broken(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import k8s_essentials_tui.plugins as pkg

    (tmp_path / "zz_broken.py").write_text("raise RuntimeError('boom at import')\n")
    monkeypatch.setattr(pkg, "__path__", [*pkg.__path__, str(tmp_path)])
    reg = load_registry(third_party=False)
    assert "ingress-nginx" in reg.plugins
    assert any("boom at import" in msg for _src, msg in reg.errors)


def test_registry_rejects_duplicates_and_non_plugins() -> None:
    reg = Registry()
    p = Plugin(id="x", title="X", category="dns")
    reg.add(p, "built-in")
    reg.add(p, "built-in")
    reg.add("nope", "dist-a")
    assert list(reg.plugins) == ["x"] and len(reg.errors) == 2
    with pytest.raises(ValueError, match="unknown category"):
        Plugin(id="y", title="Y", category="nonsense")


def test_entry_point_plugins(tmp_path: Path) -> None:
    """A third-party distribution registers through the entry-point group; a broken one is
    reported and the CLI still lists the rest."""
    site = tmp_path / "site"
    (site / "extplug").mkdir(parents=True)
    (site / "extplug" / "__init__.py").write_text(textwrap.dedent("""
        from k8s_essentials_tui.plugin import Plugin
        PLUGIN = Plugin(id="ext-dns", title="Ext DNS", category="dns")
        def broken():
            raise ImportError("missing dependency foo")
    """))
    dist = site / "extplug-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: extplug\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[k8s_essentials_tui.plugins]\next = extplug:PLUGIN\nbad = extplug:broken\n")
    out = subprocess.run(
        [sys.executable, "-m", "k8s_essentials_tui.cli", "plugins", "--output", "json"],
        capture_output=True, text=True, env={"PYTHONPATH": str(site), "PATH": "/usr/bin"},
        check=True)
    data = json.loads(out.stdout)
    ext = [p for p in data["plugins"] if p["id"] == "ext-dns"]
    assert ext and ext[0]["source"] == "extplug"
    assert any("missing dependency foo" in e for e in data["errors"])


def test_audit_log_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    audit.record(context="dev", action="velero.backup.create", command="velero backup create b",
                 result="ok", path=path)
    audit.record(context="dev", action="x", command="kubectl delete x", result="failed",
                 detail="forbidden: cannot delete\nsecond line", path=path)
    entries = audit.read(path)
    assert [e["result"] for e in entries] == ["ok", "failed"]
    assert entries[1]["detail"] == "forbidden: cannot delete"
    assert set(entries[0]) >= {"time", "context", "action", "command", "result"}


def _deploy(name: str, ns: str, labels: dict[str, str], ready: int, replicas: int = 1,
            image: str = "registry.k8s.io/x:v1.2.3") -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": ns, "labels": labels},
            "spec": {"replicas": replicas,
                     "template": {"spec": {"containers": [{"name": "c", "image": image}]}}},
            "status": {"readyReplicas": ready}}


def test_workload_selector_is_one_set_based_selector() -> None:
    plugins = [Plugin(id="a", title="A", category="dns"),
               Plugin(id="b", title="B", category="ingress")]
    object.__setattr__(plugins[0], "workload_selectors", ({"app.kubernetes.io/name": "x"},))
    object.__setattr__(plugins[1], "workload_selectors", ({"app.kubernetes.io/name": "w"},))
    assert workload_selector(plugins) == "app.kubernetes.io/name in (w,x)"
    object.__setattr__(plugins[1], "workload_selectors", ({"app": "w"},))
    assert workload_selector(plugins) is None  # falls back to listing everything


def test_fail_on_conditions_name_what_makes_them_hold() -> None:
    from k8s_essentials_tui.detection.evaluate import failing

    plugins = [Plugin(id="sick", title="S", category="dns"),
               Plugin(id="blind", title="B", category="ingress"),
               Plugin(id="half", title="H", category="backup"),
               Plugin(id="gone", title="G", category="tracing")]
    dets = {"sick": Detection(installed=True, healthy=False),
            "blind": Detection(installed=True, healthy=None),
            "half": Detection(installed="partial", healthy=False),
            "gone": Detection(installed=False, healthy=False)}
    found = failing(plugins, dets, ["unhealthy", "unknown", "missing"])
    assert found["unhealthy"] == ["sick", "half"]  # a missing component is not unhealthy
    assert found["unknown"] == ["blind"]
    assert "tracing" in found["missing"] and "backup" in found["missing"]
    assert "dns" not in found["missing"]
    assert failing(plugins, {"sick": Detection(installed=True, healthy=True)},
                   ["unhealthy", "unknown"]) == {}


def test_candidate_namespaces_come_from_charts_config_and_session() -> None:
    from k8s_essentials_tui.detection.snapshot_builder import candidate_namespaces
    from k8s_essentials_tui.plugin import ChartRef

    chart = ChartRef(repo="r", chart="c", version="1.0.0", namespace="monitoring",
                     release="c")
    plugins = [Plugin(id="a", title="A", category="dns", chart=chart),
               Plugin(id="b", title="B", category="ingress")]
    assert candidate_namespaces(plugins, {"a": {"namespace": "obs", "repo": "x"}},
                                ["team-a", None, ""]) == ("monitoring", "obs", "team-a")


async def test_scoped_listing_falls_back_to_namespaces_only_on_403() -> None:
    """The fallback's bookkeeping; the real 403s are in test_board_e2e."""
    from k8s_essentials_tui.detection.snapshot_builder import ListResult, _list_scoped
    from k8s_essentials_tui.errors import ForbiddenError

    calls: list[str | None] = []

    async def lister(rtype, selector, keep, namespace=None):  # type: ignore[no-untyped-def]
        calls.append(namespace)
        if namespace in (None, "denied"):
            return ListResult([], ForbiddenError("forbidden"))
        return ListResult([{"metadata": {"namespace": namespace}}])

    res, read = await _list_scoped(lister, DEPLOYMENTS, None, None, ["a", "denied", "b"])
    assert read == ["a", "b"] and len(res.items) == 2
    assert isinstance(res.error, ForbiddenError)  # still reported as not cluster-wide
    assert calls[0] is None and sorted(calls[1:]) == ["a", "b", "denied"]
    calls.clear()
    res, read = await _list_scoped(lister, NAMESPACES, None, None, ["a"])  # cluster-scoped
    assert read == [] and calls == [None]

    async def watch_denied(rtype, selector, keep, namespace=None):  # type: ignore[no-untyped-def]
        calls.append(namespace)
        return ListResult([{"metadata": {}}], ForbiddenError(
            'deployments.apps is forbidden: User "u" cannot watch resource "deployments"'))

    calls.clear()
    res, read = await _list_scoped(watch_denied, DEPLOYMENTS, None, None, ["a"])
    assert read == [] and calls == [None] and len(res.items) == 1  # listed everything


def test_blocking_webhooks_and_evaluation() -> None:
    webhooks = [{"kind": "ValidatingWebhookConfiguration",
                 "metadata": {"name": "ingress-nginx-admission"},
                 "webhooks": [{"name": "validate.nginx.ingress.kubernetes.io",
                               "failurePolicy": "Fail",
                               "clientConfig": {"service": {"namespace": "ingress-nginx",
                                                            "name": "admission"}}},
                              {"name": "ignored", "failurePolicy": "Ignore",
                               "clientConfig": {"service": {"namespace": "x", "name": "y"}}}]}]
    services = webhook_services(webhooks)
    assert services == {("ingress-nginx", "admission"), ("x", "y")}
    assert endpoint_selector(services) == "kubernetes.io/service-name in (admission,y)"
    slices = [{"metadata": {"namespace": "x", "labels": {"kubernetes.io/service-name": "y"}},
               "endpoints": [{"conditions": {"ready": True}}, {"conditions": {"ready": False}}]}]
    ready = ready_endpoints(slices)
    assert ready == {"x/y": 1}
    snap = ClusterSnapshot(
        workloads=[_deploy("ingress-nginx-controller", "ingress-nginx",
                           {"app.kubernetes.io/name": "ingress-nginx",
                            "app.kubernetes.io/component": "controller"}, ready=1)],
        webhooks=webhooks,
        service_ready_endpoints={"ingress-nginx/admission": 0, **ready},
    )
    assert [h["webhook"] for h in webhook_rows(snap) if h["blocking"]] == [
        "validate.nginx.ingress.kubernetes.io"]
    reg = load_registry(third_party=False)
    dets = evaluate(reg.ordered(), snap)
    nginx = dets["ingress-nginx"]
    assert nginx.installed is True and nginx.version == "v1.2.3"
    assert nginx.healthy is False and "no ready endpoints" in nginx.problems[0]


def test_evaluate_survives_a_broken_detect_rule() -> None:
    def boom(_s: ClusterSnapshot) -> Detection:
        raise KeyError("status")

    p = Plugin(id="bad", title="Bad", category="dns", detect=boom)
    dets = evaluate([p], ClusterSnapshot())
    assert dets["bad"].problems == [
        "detection failed (KeyError: 'status'): the state is unknown"]
    assert state_label(dets["bad"]) == "unknown"  # never "missing": it was not seen
    rows = board_rows([p], dets)
    assert rows[1].plugin is p and not rows[1].covered


def test_report_formats() -> None:
    p = Plugin(id="x", title="X|pipe", category="dns",
               detect=lambda s: Detection(installed="partial", problems=["a|b"]))
    snap = ClusterSnapshot(forbidden={"helm": "no permission to list secrets (Helm releases)"})
    dets = evaluate([p], snap)
    data = report_json([p], dets, snap)
    assert data["components"][0]["installed"] == "partial"
    assert data["notes"] == ["no permission to list secrets (Helm releases)"]
    md = report_markdown([p], dets, snap)
    assert "| DNS | X\\|pipe | partial |" in md and "a\\|b" in md


def test_a_blocking_webhook_of_no_component_is_a_cluster_problem() -> None:
    """A ``Fail`` webhook with no endpoint blocks admissions whoever registered it: the
    board's notes, ``report`` and ``--fail-on unhealthy`` say so; a non-blocking one, or
    one of a catalog component (reported on its row), is not repeated here."""
    from k8s_essentials_tui.detection.evaluate import cluster_problems, failing

    def cfg(name: str, hook: str, policy: str, svc: str) -> dict:
        ns, svc_name = svc.split("/")
        return {"kind": "MutatingWebhookConfiguration", "metadata": {"name": name},
                "webhooks": [{"name": hook, "failurePolicy": policy, "clientConfig": {
                    "service": {"namespace": ns, "name": svc_name}}}]}

    snap = ClusterSnapshot(
        webhooks=[cfg("vpa-webhook-config", "vpa.k8s.io", "Fail", "kube-system/vpa-webhook"),
                  cfg("soft", "soft.example.com", "Ignore", "kube-system/soft"),
                  cfg("cert-manager-webhook", "webhook.cert-manager.io", "Fail",
                      "cert-manager/cert-manager-webhook")],
        service_ready_endpoints={"kube-system/vpa-webhook": 0, "kube-system/soft": 0,
                                 "cert-manager/cert-manager-webhook": 0})
    plugins = load_registry(third_party=False).ordered()
    dets = evaluate(plugins, snap)
    problems = cluster_problems(plugins, dets, snap)
    assert problems == ["webhook vpa.k8s.io (vpa-webhook-config, failurePolicy Fail) has no "
                        "ready endpoints behind kube-system/vpa-webhook: it can block "
                        "admissions cluster-wide"]
    assert report_json(plugins, dets, snap)["cluster_problems"] == problems
    assert "> **problem:** webhook vpa.k8s.io" in report_markdown(plugins, dets, snap)
    assert failing(plugins, dets, ["unhealthy"], snap)["unhealthy"] == ["webhook/vpa.k8s.io"]
    assert failing(plugins, dets, ["unhealthy"]) == {}  # without the snapshot: components


async def test_watchlist_without_end_bookmark_falls_back_to_a_list() -> None:
    """A server that ignores ``sendInitialEvents`` (older than 1.27, or an aggregated API
    server behind kube-apiserver) streams the objects but never the end bookmark. No real
    apiserver here behaves so, hence this stand-in client: the cache must not hang."""
    import asyncio

    from k8s_essentials_tui.kube.cache import CacheKey, ResourceCache
    from k8s_essentials_tui.kube.resources import rt

    cm = rt("v1", "configmaps", "ConfigMap")
    objs = [{"metadata": {"name": f"c{i}", "uid": f"u{i}", "resourceVersion": "7"}}
            for i in range(3)]

    class IgnoresSendInitialEvents:
        watch_list = True
        lists = 0
        large_collections: set[object] = set()

        async def watch(self, *args, send_initial_events: bool = False, **kw):  # type: ignore[no-untyped-def]
            if send_initial_events:  # what an old server does: "most recent" + ADDED
                for o in objs:
                    yield {"type": "ADDED", "object": o}
            await asyncio.sleep(3600)

        async def list(self, *args, **kw):  # type: ignore[no-untyped-def]
            self.lists += 1
            return objs, "7"

        async def lists_quiet(self) -> None:  # no other list in flight here
            return None

    client = IgnoresSendInitialEvents()
    cache = ResourceCache(client, CacheKey(cm))  # type: ignore[arg-type]
    cache.initial_events_timeout = 0.2
    cache.start()
    try:
        await cache.wait_synced(timeout=5)
        assert cache.sync_mode == "list" and client.lists == 1
        assert sorted(o["metadata"]["name"] for o in cache.items()) == ["c0", "c1", "c2"]
    finally:
        await cache.stop()


def test_status_line_keeps_the_state_visible_on_narrow_terminals() -> None:
    from k8s_essentials_tui.widgets.status_bar import status_line

    arn = "arn:aws:eks:eu-west-1:123456789012:cluster/prod-payments"
    full = status_line(arn, "payments", "v1.35.4", "reconnecting", True)
    assert full == (f"k8s-essentials | ctx: {arn} | ns: payments | v1.35.4 | reconnecting"
                    " | READ-ONLY")
    assert status_line(arn, "payments", "v1.35.4", "reconnecting", True, 200) == full
    for width in (100, 78, 60, 30):
        text = status_line(arn, "payments", "v1.35.4", "reconnecting", True, width)
        assert len(text) <= width, (width, text)
        assert text.endswith("reconnecting | READ-ONLY"), text
        if width >= 78:
            assert "prod-payments" in text and "v1.35.4" in text
    assert status_line("kind-dev", "default", "v1.35.4", "connected", False, 78) == \
        "k8s-essentials | ctx: kind-dev | ns: default | v1.35.4 | connected"


def test_columns_keep_the_essential_ones_on_a_narrow_terminal() -> None:
    from k8s_essentials_tui.widgets.columns import Columns

    spec = Columns(("NAME", "PHASE", "ERR", "NOTE"), ("NAME", "PHASE"), wide_at=100)
    assert spec.shown(120) == spec.names and spec.shown(0) == spec.names
    assert spec.shown(80) == ("NAME", "PHASE")
    assert spec.cells(["a", "Completed", "0", "n"], ("NAME", "PHASE")) == ["a", "Completed"]
    assert spec.cells(["a", "Completed", "0", "n"], spec.names) == ["a", "Completed", "0", "n"]


async def test_watch_stream_lines_split_across_chunks_and_garbage_skipped() -> None:
    """The apiserver flushes one event per chunk, but a proxy may cut or merge them: the
    line splitter must carry a partial line over and skip what is not a JSON object."""
    import httpx

    from k8s_essentials_tui.kube.client import _events

    lines = [json.dumps({"type": "ADDED", "object": {"metadata": {"name": f"o{i}"}}})
             for i in range(3)]
    raw = (lines[0] + "\n" + lines[1] + "\n\nnot json\n[1]\n" + lines[2]).encode()
    chunks = [raw[:10], raw[10:len(lines[0]) + 5], raw[len(lines[0]) + 5:-7], raw[-7:]]

    async def body():  # type: ignore[no-untyped-def]
        for c in chunks:
            yield c

    resp = httpx.Response(200, content=body())
    names = [e["object"]["metadata"]["name"] async for e in _events(resp)]
    assert names == ["o0", "o1", "o2"]


async def test_fill_rows_updates_changed_cells_and_rebuilds_on_new_order() -> None:
    """Same keys in the same order: only differing cells (a Text's colour counts) are
    updated, so a busy watch does not rebuild thousands of rows; otherwise a rebuild."""
    from rich.text import Text
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    from k8s_essentials_tui.widgets.columns import fill_rows
    from tests.conftest import record_cell_updates

    class One(App[None]):
        def compose(self) -> ComposeResult:
            yield DataTable()

    app = One()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(DataTable)
        table.add_columns("NAME", "PHASE", "PROGRESS")
        rows = [(f"b{i}", [f"b{i}", Text("Completed", style="green"), "9/9"])
                for i in range(3)]
        assert fill_rows(table, rows) is True
        updates = record_cell_updates(table)
        assert fill_rows(table, rows) is False and updates == []
        rows[1] = ("b1", ["b1", Text("Completed", style="red"), "10/10"])
        assert fill_rows(table, rows) is False
        # colour only; then a wider cell
        assert [(r, w) for r, _c, w in updates] == [("b1", False), ("b1", True)]
        assert table.get_row("b1")[2].plain == "10/10"  # every cell a Text (never markup)
        assert fill_rows(table, [rows[2], rows[0], rows[1]]) is True
        assert [rk.value for rk in table.rows] == ["b2", "b0", "b1"]
        await pilot.pause()


async def test_denied_workload_kinds_make_one_note_naming_them_all() -> None:
    from k8s_essentials_tui.detection.snapshot_builder import ListResult, build_snapshot
    from k8s_essentials_tui.errors import ForbiddenError

    async def lister(rtype, selector, keep, namespace=None):  # type: ignore[no-untyped-def]
        if rtype.plural in ("deployments", "statefulsets") and namespace is None:
            return ListResult([], ForbiddenError(f"{rtype.plural} is forbidden"))
        if namespace == "denied":
            return ListResult([], ForbiddenError("forbidden"))
        return ListResult([])

    async def groups():  # type: ignore[no-untyped-def]
        return set(), set()

    snap = await build_snapshot([], lister, groups, lambda items: [], ["ok-ns", "denied"])
    assert snap.forbidden["workloads"] == (
        "no permission to list deployments, statefulsets in all namespaces "
        "(read in ok-ns only)")


def test_a_forbidden_cache_asks_less_and_less_often() -> None:
    from k8s_essentials_tui.kube.cache import forbidden_delay

    assert [forbidden_delay(n) for n in (1, 2, 3, 4, 5, 9)] == [60, 120, 240, 480, 600, 600]


async def test_retry_now_cuts_a_wait_short() -> None:
    import asyncio
    import time

    from k8s_essentials_tui.kube.cache import CacheKey, ResourceCache

    cache = ResourceCache(None, CacheKey(DEPLOYMENTS, None, None, None, None))  # type: ignore[arg-type]
    start = time.monotonic()
    waiting = asyncio.get_running_loop().create_task(cache._pause(60))
    await asyncio.sleep(0.05)
    cache.retry_now()
    await asyncio.wait_for(waiting, 5)
    assert time.monotonic() - start < 5


def test_json_decoder_keeps_what_json_kept() -> None:
    """The fast decoder of lists and watch events (msgspec) must not change what an object
    decodes to: big integers stay exact, what only Python's json accepts still decodes,
    garbage is a ValueError (the client turns it into "the server sent invalid JSON")."""
    import math

    from k8s_essentials_tui.kube.client import _event, decode_json

    assert decode_json(b'{"n": 123456789012345678901234567890}') == {
        "n": 123456789012345678901234567890}
    assert math.isnan(decode_json(b'{"a": NaN}')["a"])
    assert decode_json(b'"\\ud800"') == "\ud800"  # a lone surrogate: the text boundary shows it
    with pytest.raises(ValueError):
        decode_json(b'{"a": ')
    assert _event(b'{"type":"ADDED","object":{"kind":"Pod"}}') == {
        "type": "ADDED", "object": {"kind": "Pod"}}
    assert _event(b"[1]") is None and _event(b"{oops") is None and _event(b"  ") is None


def test_list_pages_decode_item_by_item_as_json_would() -> None:
    """List pages are decoded envelope first, each item later, one at a time (#25: a whole
    page was one 11-36 ms block of the loop). Every item must decode to what json.loads
    gives; a page msgspec refuses anywhere (NaN, a field of an unexpected type) is decoded
    whole the careful way; garbage is a ValueError."""
    import json
    import math

    import msgspec

    from k8s_essentials_tui.kube.client import decode_item, decode_page

    body = json.dumps({"kind": "SecretList", "apiVersion": "v1",
                       "metadata": {"resourceVersion": "7", "continue": "c"},
                       "items": [{"metadata": {"name": f"s{i}"}, "n": 2 ** 70,
                                  "s": "\u2603 \\ \""} for i in range(3)]}).encode()
    kind, meta, items = decode_page(body)
    assert kind == "SecretList" and meta == {"resourceVersion": "7", "continue": "c"}
    assert all(isinstance(i, msgspec.Raw) for i in items)
    assert [decode_item(i) for i in items] == json.loads(body)["items"]
    # what msgspec refuses (NaN) or a field of another type: the whole page, decoded by json
    kind, meta, items = decode_page(b'{"kind":"L","metadata":{},"items":[{"a":NaN},{"b":1}]}')
    assert kind == "L" and math.isnan(decode_item(items[0])["a"]) and items[1] == {"b": 1}
    assert decode_page(b'{"kind":7,"metadata":null,"items":null}') == ("", {}, [])
    assert decode_page(b'{"items":[]}') == ("", {}, [])
    for garbage in (b'{"items": [', b"[1, 2]"):
        with pytest.raises(ValueError):
            decode_page(garbage)


def test_a_bulk_load_runs_no_collector_pass_and_leaks_no_cycle() -> None:
    """gcpolicy.bulk (#25): no collector pass during a large load, even nested or from
    another thread; at the end the collector is back on, every survivor is in the oldest
    generation (no young pass walks it again), nothing stays frozen, and cyclic garbage
    made during the load is still freed by a full pass."""
    import gc
    import threading
    import weakref

    from k8s_essentials_tui import gcpolicy

    class Node:
        other: object = None

    passes: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            passes.append(info["generation"])

    assert gc.isenabled()
    gc.callbacks.append(count)
    try:
        with gcpolicy.bulk():
            with gcpolicy.bulk():  # nested: a second cache syncing at the same time
                worker = threading.Thread(target=lambda: [[i] for i in range(200_000)])
                worker.start()
                worker.join()
                kept = [{"n": [i]} for i in range(200_000)]  # past any young threshold
                a, b = Node(), Node()
                a.other, b.other = b, a  # a cycle, garbage once `a` and `b` are dropped
                cycle = weakref.ref(a)
                del a, b
            assert not gc.isenabled()
        assert passes == []
        assert gc.isenabled() and gc.get_freeze_count() == 0
        assert len(gc.get_objects(generation=0)) < 100  # the survivors skipped the young
        assert cycle() is not None  # waits for a full pass, as any old object
        gc.collect()
        assert cycle() is None and len(kept) == 200_000
        gc.disable()  # a caller that keeps the collector off keeps it off
        with gcpolicy.bulk():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
        gc.callbacks.remove(count)


def test_the_collector_is_tuned_for_large_caches() -> None:
    """The CLI and the app set the collector's thresholds (gcpolicy: full passes over the
    caches' heap were most of a large sync's stalls); cyclic garbage is still collected."""
    import gc

    from k8s_essentials_tui import cli
    from k8s_essentials_tui.app import EssentialsApp, StartOptions
    from k8s_essentials_tui.gcpolicy import THRESHOLDS

    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        EssentialsApp(StartOptions(connect=False))
        assert gc.get_threshold() == THRESHOLDS
        gc.set_threshold(700, 10, 10)
        try:
            cli.main(["--version"])
        except SystemExit:
            pass
        assert gc.get_threshold() == THRESHOLDS

        class Cycle:
            me: object = None

        c = Cycle()
        c.me = c
        del c
        assert gc.collect() >= 1  # a cycle is still found
    finally:
        gc.set_threshold(*before)
