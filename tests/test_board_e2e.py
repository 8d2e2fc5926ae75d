"""The essentials board and ``report`` against a real apiserver of their own (so the objects
other tests create cannot change what is detected): detection from real objects, the fixed
request count (read from the apiserver's audit log), RBAC-limited users, live updates and
webhook health."""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable

from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.widgets.board import Board
from testkit.controlplane import ControlPlane, read_audit_events
from testkit.helm_release import release_secret
from testkit.kube import KubeAdmin
from testkit.wait import wait_until
from tests.conftest import rich_plain


def deployment(name: str, ns: str, labels: dict[str, str], *, replicas: int, ready: int,
               image: str) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": ns, "labels": labels},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "main", "image": image}]}}}}


def ns_obj(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


def set_ready(admin: KubeAdmin, name: str, ns: str, replicas: int, ready: int) -> None:
    admin.patch("apps/v1", "deployments", name,
                {"status": {"replicas": replicas, "readyReplicas": ready,
                            "availableReplicas": ready, "updatedReplicas": replicas}},
                ns, subresource="status")


@pytest.fixture(scope="module")
def board_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ControlPlane]:
    """A control plane of its own with: ingress-nginx healthy (Helm release), ExternalDNS not
    ready, Velero only as CRDs, and a failing cert-manager-style webhook."""
    d = tmp_path_factory.mktemp("board")
    cp = ControlPlane(d / "cp", audit_log=d / "audit.log").start()
    try:
        cp.install_crds()
        admin = cp.admin()
        for ns in ("ingress-nginx", "external-dns", "gate"):
            admin.create(ns_obj(ns))
        nginx = {"app.kubernetes.io/name": "ingress-nginx",
                 "app.kubernetes.io/component": "controller",
                 "app.kubernetes.io/instance": "ingress-nginx"}
        admin.create(deployment("ingress-nginx-controller", "ingress-nginx", nginx, replicas=2,
                                ready=2, image="registry.k8s.io/ingress-nginx/controller:v1.13.3"))
        set_ready(admin, "ingress-nginx-controller", "ingress-nginx", 2, 2)
        admin.create(release_secret("ingress-nginx", "ingress-nginx", chart="ingress-nginx",
                                    chart_version="4.13.3", app_version="1.0"))
        dns = {"app.kubernetes.io/name": "external-dns",
               "app.kubernetes.io/instance": "external-dns"}
        admin.create(deployment("external-dns", "external-dns", dns, replicas=1, ready=0,
                                image="registry.k8s.io/external-dns/external-dns:v0.19.0"))
        set_ready(admin, "external-dns", "external-dns", 1, 0)
        # Velero running, but its default storage location is Unavailable
        admin.create(ns_obj("velero"))
        vel = {"app.kubernetes.io/name": "velero", "app.kubernetes.io/instance": "velero"}
        admin.create(deployment("velero", "velero", vel, replicas=1, ready=1,
                                image="velero/velero:v1.17.0"))
        set_ready(admin, "velero", "velero", 1, 1)
        admin.create({"apiVersion": "velero.io/v1", "kind": "BackupStorageLocation",
                      "metadata": {"name": "default", "namespace": "velero"},
                      "spec": {"provider": "aws", "default": True,
                               "objectStorage": {"bucket": "backups"}}})
        admin.patch_status("velero.io/v1", "backupstoragelocations", "velero", "default",
                           {"phase": "Unavailable", "message": "bucket not found"})
        # a webhook with failurePolicy Fail whose service has no endpoints; it only matches
        # a group nobody writes, so it cannot disturb the test
        admin.create({"apiVersion": "admissionregistration.k8s.io/v1",
                      "kind": "ValidatingWebhookConfiguration",
                      "metadata": {"name": "ingress-nginx-admission"},
                      "webhooks": [{"name": "validate.nginx.ingress.kubernetes.io",
                                    "failurePolicy": "Fail", "sideEffects": "None",
                                    "admissionReviewVersions": ["v1"],
                                    "clientConfig": {"service": {
                                        "namespace": "ingress-nginx",
                                        "name": "ingress-nginx-admission"}},
                                    "rules": [{"apiGroups": ["example.invalid"],
                                               "apiVersions": ["v1"], "operations": ["CREATE"],
                                               "resources": ["things"]}]}]})
        yield cp
    finally:
        cp.stop()


def report(kubeconfig: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "k8s_essentials_tui.cli", "report",
                           "--kubeconfig", str(kubeconfig), *extra],
                          capture_output=True, text=True, timeout=120)


def by_id(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in data["components"]}


def test_report_json_from_real_objects(board_cluster: ControlPlane) -> None:
    out = report(board_cluster.kubeconfig, "-o", "json")
    assert out.returncode == 0, out.stderr
    comps = by_id(json.loads(out.stdout))
    nginx = comps["ingress-nginx"]
    assert nginx["installed"] is True and nginx["namespace"] == "ingress-nginx"
    assert nginx["version"] == "4.13.3"  # chart version from the Helm release
    assert nginx["healthy"] is False  # the Fail webhook has no endpoints
    assert any("no ready endpoints" in p for p in nginx["problems"])
    dns = comps["external-dns"]
    assert dns["installed"] is True and dns["healthy"] is False
    assert dns["version"] == "v0.19.0"  # no Helm release: the image tag
    assert any("0/1 ready" in p for p in dns["problems"])
    velero = comps["velero"]
    assert velero["installed"] is True and velero["healthy"] is False
    assert "default backup storage location default is Unavailable: bucket not found" in \
        velero["problems"]
    jaeger = comps["jaeger"]  # its CRD group is served, nothing runs
    assert jaeger["installed"] == "partial" and jaeger["healthy"] is False
    assert comps["grafana"]["installed"] is False and comps["grafana"]["healthy"] is None
    assert set(comps["grafana"]) >= {"id", "category", "installed", "namespace", "version",
                                     "healthy", "problems"}


def test_report_markdown_and_text(board_cluster: ControlPlane) -> None:
    md = report(board_cluster.kubeconfig, "-o", "markdown")
    assert md.returncode == 0
    assert "| Area | Component | Installed |" in md.stdout
    assert "| Ingress | ingress-nginx | yes | ingress-nginx | 4.13.3 | no |" in md.stdout
    text = report(board_cluster.kubeconfig)
    assert "areas covered" in text.stdout.splitlines()[0]


def test_a_blocking_webhook_of_no_component_is_reported(board_cluster: ControlPlane) -> None:
    """A leftover ``Fail`` webhook nobody in the catalog registered, with no endpoints: it
    blocks admissions all the same, so ``report`` says so and ``--fail-on`` fails."""
    admin = board_cluster.admin()
    hook = {"apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "MutatingWebhookConfiguration",
            "metadata": {"name": "vpa-webhook-config"},
            "webhooks": [{"name": "vpa.k8s.io", "failurePolicy": "Fail", "sideEffects": "None",
                          "admissionReviewVersions": ["v1"],
                          "clientConfig": {"service": {"namespace": "kube-system",
                                                       "name": "vpa-webhook"}},
                          "rules": [{"apiGroups": ["example.invalid"], "apiVersions": ["v1"],
                                     "operations": ["CREATE"], "resources": ["things"]}]}]}
    admin.create(hook)
    try:
        data = json.loads(report(board_cluster.kubeconfig, "-o", "json").stdout)
        assert data["cluster_problems"] == [
            "webhook vpa.k8s.io (vpa-webhook-config, failurePolicy Fail) has no ready "
            "endpoints behind kube-system/vpa-webhook: it can block admissions cluster-wide"]
        text = report(board_cluster.kubeconfig, "--fail-on", "unhealthy")
        assert text.returncode == 1
        assert "problem: webhook vpa.k8s.io (vpa-webhook-config" in text.stdout
        assert "webhook/vpa.k8s.io" in text.stderr
    finally:
        admin.delete("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration",
                     "vpa-webhook-config")


def test_report_request_count_does_not_grow_with_plugins(board_cluster: ControlPlane) -> None:
    """Detection of every plugin costs a fixed set of lists (README: 8), whatever the
    number of plugins; counted by the apiserver itself."""
    time.sleep(1.1)  # audit timestamps have microseconds, but be clear of setup traffic
    since = time.time()
    out = report(board_cluster.kubeconfig, "-o", "json")
    assert out.returncode == 0
    time.sleep(0.5)
    assert board_cluster.audit_log is not None
    events = read_audit_events(board_cluster.audit_log, user="admin", since=since)
    board = sorted({e["auditID"]: e["requestURI"] for e in events}.values())
    n_plugins = len(by_id(json.loads(out.stdout)))
    assert n_plugins >= 15
    # every request counts, discovery included (it doubles as the reachability check):
    # 8 fixed, plus one per *installed* component that needs an extra list (here:
    # Velero's BackupStorageLocations)
    assert len(board) <= 8 + 1, board
    assert not any(u.startswith("/version") for u in board)
    # Helm history (superseded revisions: most release Secrets) is not downloaded
    helm = [u for u in board if u.startswith("/api/v1/secrets")]
    assert helm and "status%21%3Dsuperseded" in helm[0], helm


def test_limited_user_sees_no_permission_not_a_crash(board_cluster: ControlPlane) -> None:
    out = report(board_cluster.limited_kubeconfig, "-o", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert "no permission to list secrets (Helm releases)" in data["notes"]
    assert any("validatingwebhookconfigurations" in n for n in data["notes"])
    comps = by_id(data)
    # workloads are readable with `view`: detection still works, version from the image
    assert comps["ingress-nginx"]["installed"] is True
    assert comps["ingress-nginx"]["version"] == "v1.13.3"


def test_unreachable_cluster_exits_2(tmp_path: Path, board_cluster: ControlPlane) -> None:
    import yaml

    data = yaml.safe_load(board_cluster.kubeconfig.read_text())
    data["clusters"][0]["cluster"]["server"] = "https://127.0.0.1:1"
    bad = tmp_path / "kc"
    bad.write_text(yaml.safe_dump(data))
    out = report(bad, "-o", "json")
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.startswith("k8s-essentials-tui: error: cannot reach the apiserver")
    assert len(out.stderr.strip().splitlines()) == 1


def _cell(board: Board, category: str, column: str) -> str:
    return str(board.query_one(DataTable).get_cell(category, column))


async def test_board_is_live(board_cluster: ControlPlane) -> None:
    """A change in the cluster reaches the board through the watch, no key pressed."""
    admin = board_cluster.admin()
    app = EssentialsApp(StartOptions(kubeconfig=str(board_cluster.kubeconfig)))
    async with app.run_test(size=(120, 40)) as pilot:
        board = app.screen.query_one(Board)
        await wait_until(pilot, lambda: board.snapshot is not None)
        assert _cell(board, "dns", "health") == "degraded"
        lists_before = sum(c.list_count for c in app.session.caches.caches())
        await asyncio.to_thread(set_ready, admin, "external-dns", "external-dns", 1, 1)
        await wait_until(pilot, lambda: _cell(board, "dns", "health") == "ok")
        lists_after = sum(c.list_count for c in app.session.caches.caches())
        assert lists_after == lists_before  # from the watch, not a new list
        await asyncio.to_thread(set_ready, admin, "external-dns", "external-dns", 1, 0)
        await wait_until(pilot, lambda: _cell(board, "dns", "health") == "degraded")


def _pane_text(app: EssentialsApp) -> str:
    """What the component pane shows, as plain text (column runs collapsed)."""
    from textual.widgets import Static

    found = app.screen.query("#overview")
    if not found or not isinstance(found.first(), Static):
        return ""  # the pane is not composed yet
    content = found.first(Static).content
    return "\n".join(" ".join(line.split()) for line in rich_plain(content, 118).splitlines())


async def test_component_pane_shows_workloads_release_webhooks_and_is_live(
        board_cluster: ControlPlane) -> None:
    """Enter on a board row opens the overview of what the verdict stands on, from the
    board's caches (no new list); a status change reaches an open pane through the watch."""
    admin = board_cluster.admin()
    app = EssentialsApp(StartOptions(kubeconfig=str(board_cluster.kubeconfig)))
    async with app.run_test(size=(120, 40)) as pilot:
        board = app.screen.query_one(Board)
        await wait_until(pilot, lambda: board.snapshot is not None)
        await pilot.press("enter")  # the first row: Ingress, its own pane (exposure, #19)
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ComponentScreen")
        await pilot.press("o")  # the overview of what the verdict stands on
        await wait_until(pilot, lambda: "deploy/ingress-nginx-controller" in _pane_text(app))
        text = _pane_text(app)
        assert "deploy/ingress-nginx-controller 2/2 " \
               "registry.k8s.io/ingress-nginx/controller:v1.13.3" in text
        assert "ingress-nginx 1 deployed ingress-nginx 4.13.3 1.0" in text
        assert "ingress-nginx-admission validating Fail ingress-nginx/ingress-nginx-admission 0" \
            in text
        assert "└ validate.nginx.ingress.kubernetes.io" in text
        await pilot.press("escape")
        app.open_plugin("external-dns")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ComponentScreen"
                         and not app.screen.query("#overview"))
        await pilot.press("o")
        await wait_until(pilot, lambda: "deploy/external-dns 0/1" in _pane_text(app))
        assert "Health degraded" in _pane_text(app)
        # from here on the overview is live from the shared caches: no new list
        lists_before = sum(c.list_count for c in app.session.caches.caches())
        await asyncio.to_thread(set_ready, admin, "external-dns", "external-dns", 1, 1)
        try:
            await wait_until(pilot, lambda: "deploy/external-dns 1/1" in _pane_text(app))
            assert "Health ok" in _pane_text(app)
        finally:
            await asyncio.to_thread(set_ready, admin, "external-dns", "external-dns", 1, 0)
        await wait_until(pilot, lambda: "deploy/external-dns 0/1" in _pane_text(app))
        assert sum(c.list_count for c in app.session.caches.caches()) == lists_before


async def test_board_limited_user_shows_notes(board_cluster: ControlPlane) -> None:
    app = EssentialsApp(StartOptions(kubeconfig=str(board_cluster.limited_kubeconfig)))
    async with app.run_test(size=(120, 40)) as pilot:
        board = app.screen.query_one(Board)
        await wait_until(pilot, lambda: board.snapshot is not None)
        notes = str(board.query_one("#notes").render())
        assert notes.startswith("no permission to list ")
        assert "secrets (Helm releases)" in notes and "validatingwebhookconfigurations" in notes
        assert _cell(board, "ingress", "state") == "installed"
        # the component overview says which of its sections could not be read
        await pilot.press("enter")  # the exposure pane (#19); "o": the overview
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ComponentScreen")
        await pilot.press("o")
        await wait_until(pilot, lambda: "deploy/ingress-nginx-controller" in _pane_text(app))
        text = _pane_text(app)
        assert "Helm release\nno permission to list secrets (Helm releases)" in text
        assert "Admission webhooks\nno permission to list mutatingwebhookconfigurations\n" \
               "no permission to list validatingwebhookconfigurations" in text


async def test_r_retries_what_rbac_just_allowed(board_cluster: ControlPlane) -> None:
    """A forbidden cache waits a minute (then longer) before it asks again; ``r`` on the
    board asks at once, so RBAC granted while the app runs shows without the wait."""
    from testkit.controlplane import LIMITED_USER

    admin = board_cluster.admin()
    rbac = "rbac.authorization.k8s.io"
    role = {"apiVersion": f"{rbac}/v1", "kind": "ClusterRole",
            "metadata": {"name": "test-read-webhooks"},
            "rules": [{"apiGroups": ["admissionregistration.k8s.io"],
                       "resources": ["validatingwebhookconfigurations",
                                     "mutatingwebhookconfigurations"],
                       "verbs": ["get", "list", "watch"]}]}
    binding = {"apiVersion": f"{rbac}/v1", "kind": "ClusterRoleBinding",
               "metadata": {"name": "test-read-webhooks"},
               "roleRef": {"apiGroup": rbac, "kind": "ClusterRole",
                           "name": "test-read-webhooks"},
               "subjects": [{"apiGroup": rbac, "kind": "User", "name": LIMITED_USER}]}
    app = EssentialsApp(StartOptions(kubeconfig=str(board_cluster.limited_kubeconfig)))
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            board = app.screen.query_one(Board)
            await wait_until(pilot, lambda: board.snapshot is not None)

            def notes() -> str:
                return str(board.query_one("#notes").render())

            assert "validatingwebhookconfigurations" in notes()
            await asyncio.to_thread(admin.create, role)
            await asyncio.to_thread(admin.create, binding)
            async with asyncio.timeout(30):  # well before the 60 s retry
                while "validatingwebhookconfigurations" in notes():
                    await pilot.press("r")  # RBAC reaches the authorizer through a watch
                    await pilot.pause(1.0)
            assert "mutatingwebhookconfigurations" not in notes()
            assert "secrets (Helm releases)" in notes()  # still denied: still said
    finally:
        for obj in (binding, role):
            await asyncio.to_thread(admin.delete, obj["apiVersion"], obj["kind"],
                                    obj["metadata"]["name"])


async def test_board_in_the_app_costs_one_watch_per_list(
        board_cluster: ControlPlane, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In the app the board's lists are shared watch caches; with WatchList on
    (``watch_list = true``) each one is a single streaming request, so the whole board costs
    the same as the headless report (plus the /version probe), counted by the apiserver."""
    cfg = tmp_path / "config.toml"
    cfg.write_text("watch_list = true\n")
    monkeypatch.setenv("K8S_ESSENTIALS_TUI_CONFIG", str(cfg))
    time.sleep(1.1)
    since = time.time()
    app = EssentialsApp(StartOptions(kubeconfig=str(board_cluster.kubeconfig)))
    async with app.run_test(size=(120, 40)) as pilot:
        board = app.screen.query_one(Board)
        await wait_until(pilot, lambda: board.snapshot is not None)
        await pilot.pause(1.0)
        assert all(c.sync_mode == "watch-list" for c in app.session.caches.caches())
        assert board_cluster.audit_log is not None
        events = read_audit_events(board_cluster.audit_log, user="admin", since=since)
        uris = sorted({e["auditID"]: f'{e["verb"]} {e["requestURI"]}' for e in events}.values())
        assert not [u for u in uris if u.startswith("list ")], uris
        assert len(uris) <= 1 + 8 + 1 + 1, uris  # /version, 8 board reads, Velero BSLs


def test_report_fail_on_gates_cron_and_ci(board_cluster: ControlPlane) -> None:
    """--fail-on: exit 1 with one stderr line per condition that holds, and the report
    still printed; exit 0 when the asked conditions do not hold."""
    out = report(board_cluster.kubeconfig, "-o", "json", "--fail-on", "unhealthy,missing")
    assert out.returncode == 1, out.stderr
    assert json.loads(out.stdout)["components"]  # the report is still there
    lines = dict(line.split(": ", 3)[2:] for line in out.stderr.strip().splitlines())
    assert set(lines) == {"unhealthy", "missing"}, out.stderr
    unhealthy = lines["unhealthy"].split(", ")
    assert {"ingress-nginx", "external-dns", "velero", "jaeger"} <= set(unhealthy)
    assert "dashboards" in lines["missing"].split(", ")
    out = report(board_cluster.kubeconfig, "--fail-on", "unknown")
    assert out.returncode == 0 and out.stderr == "", out.stderr
    bad = report(board_cluster.kubeconfig, "--fail-on", "degraded")
    assert bad.returncode == 2 and "unknown condition 'degraded'" in bad.stderr


def _bind_view(admin: KubeAdmin, kind: str, name: str, namespace: str | None = None) -> None:
    from testkit.controlplane import LIMITED_USER

    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    admin.apply({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": meta,
                 "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                             "name": "view"},
                 "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User",
                               "name": LIMITED_USER}]})


def _report_until(kubeconfig: Path, check: Any) -> dict[str, Any]:
    """RBAC changes reach the authorizer through a watch: retry briefly."""
    data: dict[str, Any] = {}
    for _ in range(40):
        out = report(kubeconfig, "-o", "json")
        assert out.returncode == 0, out.stderr
        data = json.loads(out.stdout)
        if check(data):
            return data
        time.sleep(0.25)
    raise AssertionError(f"report never matched: {data}")


SCOPED = ("ingress-nginx", "external-dns")
SCOPED_NOTE = "in all namespaces (read in external-dns, ingress-nginx only)"


@contextlib.contextmanager
def namespace_scoped_limited(board_cluster: ControlPlane) -> Iterator[None]:
    """The limited user with RoleBindings to ``view`` in SCOPED only (no cluster-wide
    list): real RBAC of the real apiserver, restored afterwards."""
    from testkit.controlplane import LIMITED_BINDING

    admin = board_cluster.admin()
    admin.delete("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", LIMITED_BINDING)
    for ns in SCOPED:
        _bind_view(admin, "RoleBinding", "limited-view", ns)
    try:
        _report_until(board_cluster.limited_kubeconfig,
                      lambda d: any(SCOPED_NOTE in n for n in d["notes"]))
        yield
    finally:
        for ns in SCOPED:
            admin.delete("rbac.authorization.k8s.io/v1", "RoleBinding", "limited-view", ns)
        _bind_view(admin, "ClusterRoleBinding", LIMITED_BINDING)
        _report_until(board_cluster.limited_kubeconfig,
                      lambda d: not any("all namespaces" in n for n in d["notes"]))


def test_namespace_scoped_user_still_sees_the_namespaces_it_may_read(
        board_cluster: ControlPlane) -> None:
    """RoleBindings only: the cluster-wide lists are 403, so the components' usual
    namespaces are read one by one -- the components there show, the rest say which
    namespaces could be read, instead of "no permission" for every area."""
    with namespace_scoped_limited(board_cluster):
        out = report(board_cluster.limited_kubeconfig, "-o", "json")
        assert out.returncode == 0, out.stderr
        data = json.loads(out.stdout)
    comps = by_id(data)
    nginx = comps["ingress-nginx"]
    assert nginx["installed"] is True and nginx["namespace"] == "ingress-nginx"
    assert nginx["version"] == "v1.13.3"  # Secrets are not in `view`: the image tag
    assert comps["external-dns"]["installed"] is True
    assert comps["external-dns"]["healthy"] is False
    velero = comps["velero"]  # CRDs served, its namespace not readable: unknown, and why
    assert velero["installed"] == "partial" and velero["healthy"] is None
    assert velero["problems"][0] == "CRDs present; its controller is not visible"
    assert any(SCOPED_NOTE in p for p in velero["problems"]), velero
    assert comps["grafana"]["installed"] is False and comps["grafana"]["healthy"] is None
    assert "no permission to list secrets (Helm releases)" in data["notes"]


async def test_board_for_a_namespace_scoped_user(board_cluster: ControlPlane) -> None:
    """The same in the app: per-namespace watch caches behind the board."""
    with namespace_scoped_limited(board_cluster):
        app = EssentialsApp(StartOptions(kubeconfig=str(board_cluster.limited_kubeconfig)))
        async with app.run_test(size=(120, 40)) as pilot:
            board = app.screen.query_one(Board)
            await wait_until(pilot, lambda: board.snapshot is not None)
            assert _cell(board, "ingress", "state") == "installed"
            assert _cell(board, "dns", "health") == "degraded"
            assert _cell(board, "backup", "health") == "unknown"
            assert _cell(board, "dashboards", "state") == "unknown"  # not "missing": unseen
            assert SCOPED_NOTE in str(board.query_one("#notes").render())


def test_denied_endpointslices_make_webhook_health_unknown_not_blocking(
        board_cluster: ControlPlane, tmp_path: Path) -> None:
    """A user who may read workloads and webhook configurations but not EndpointSlices
    (real RBAC, its own ServiceAccount): the ingress-nginx Fail webhook's endpoints are
    unknown, so it is not "blocking", ingress-nginx (2/2 ready) stays healthy and
    ``--fail-on unhealthy`` does not name it; the note says what could not be read."""
    from testkit.kube import service_account_kubeconfig

    admin = board_cluster.admin()
    rules = [{"apiGroups": ["apps"], "resources": ["deployments", "statefulsets",
                                                   "daemonsets"],
              "verbs": ["get", "list", "watch"]},
             {"apiGroups": ["admissionregistration.k8s.io"],
              "resources": ["validatingwebhookconfigurations",
                            "mutatingwebhookconfigurations"],
              "verbs": ["get", "list", "watch"]}]
    kc = service_account_kubeconfig(admin, board_cluster.kubeconfig, "gate", "no-slices",
                                    tmp_path / "kubeconfig-no-slices", rules)
    try:
        data = _report_until(kc, lambda d: by_id(d)["ingress-nginx"]["installed"] is True)
        assert "no permission to list endpointslices" in data["notes"]
        nginx = by_id(data)["ingress-nginx"]
        assert nginx["healthy"] is True, nginx
        assert not any("no ready endpoints" in p for p in nginx["problems"])
        assert data["cluster_problems"] == []
        out = report(kc, "--fail-on", "unhealthy")
        assert "ingress-nginx" not in out.stderr and "webhook/" not in out.stderr
    finally:
        for kind in ("ClusterRoleBinding", "ClusterRole"):
            admin.delete("rbac.authorization.k8s.io/v1", kind, "gate-no-slices")
