"""End-to-end tests of the test harness itself: the real control plane, devcluster and seed.

Why test the harness: every other e2e test trusts it. If the limited user could write secrets,
if the audit log missed requests, or if a teardown leaked an apiserver, other tests would pass
or fail for the wrong reasons -- so each of those properties is checked here, against the real
binaries.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography import x509

from testkit.controlplane import (
    CONTEXT,
    BinariesMissing,
    ControlPlane,
    count_requests,
    find_binaries,
    is_running,
    iter_crd_names,
    read_audit_events,
    read_pids,
)
from testkit.kube import KubeAdmin, KubeError

REPO = Path(__file__).resolve().parent.parent
DEVCLUSTER = REPO / "scripts" / "devcluster"
NOW = dt.datetime(2025, 6, 1, 12, 0, 0, tzinfo=dt.UTC)


def _procs_mentioning(path: Path) -> list[str]:
    """Live (non-zombie) processes whose command line mentions ``path``."""
    needle = str(path).encode()
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes()
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if needle in cmdline and state not in ("Z", "X"):
            text = cmdline.replace(b"\0", b" ").decode(errors="replace")
            found.append(f"{proc.name}: {text[:200]}")
    return found


def _wait_gone(path: Path, timeout: float = 15.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while (left := _procs_mentioning(path)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def _require_binaries() -> Path:
    try:
        return find_binaries(build=False)
    except BinariesMissing as e:
        pytest.fail(str(e), pytrace=False)


# --------------------------------------------------------------------------------------------
# the session control plane


def test_readyz_ok_and_versions_match(control_plane: ControlPlane, kubeconfig: str) -> None:
    assert control_plane.kubectl("get", "--raw", "/readyz").stdout.strip() == "ok"
    with KubeAdmin.from_kubeconfig(kubeconfig) as app:
        assert app.request("GET", "/readyz") == "ok"
    versions = json.loads(control_plane.kubectl("version", "-o", "json").stdout)
    assert versions["serverVersion"]["gitVersion"] == "v1.35.4"
    assert versions["clientVersion"]["gitVersion"] == "v1.35.4"
    print(f"time to ready: {control_plane.time_to_ready:.2f}s")
    assert control_plane.time_to_ready is not None and control_plane.time_to_ready < 60


def test_kubeconfigs(control_plane: ControlPlane, kubeconfig: str,
                     limited_kubeconfig: str) -> None:
    cfg = yaml.safe_load(Path(kubeconfig).read_text())
    assert cfg["current-context"] == CONTEXT
    assert cfg["clusters"][0]["name"] == CONTEXT
    assert cfg["clusters"][0]["cluster"]["server"] == control_plane.url
    assert cfg["users"][0]["name"] == "admin"
    assert "client-certificate-data" in cfg["users"][0]["user"]
    limited = yaml.safe_load(Path(limited_kubeconfig).read_text())
    assert limited["users"][0]["name"] == "limited"
    who = json.loads(control_plane.kubectl("auth", "whoami", "-o", "json").stdout)
    assert who["status"]["userInfo"]["username"] == "admin"
    assert "system:masters" in who["status"]["userInfo"]["groups"]


def test_kubectl_lists_the_crds_established(control_plane: ControlPlane) -> None:
    out = json.loads(control_plane.kubectl("get", "crd", "-o", "json").stdout)
    crds = {c["metadata"]["name"]: c for c in out["items"]}
    expected = set(iter_crd_names())
    # the official CRDs the panes need (#19-#24; 2 of them Kyverno's CEL ValidatingPolicies)
    assert len(expected) == 52  # Argo CD and Flux are official too (#20)
    assert expected <= set(crds)
    for name in expected:
        conds = {c["type"]: c["status"] for c in crds[name]["status"]["conditions"]}
        assert conds.get("Established") == "True", name
    # fidelity points clients depend on
    assert crds["certificates.cert-manager.io"]["spec"]["versions"][0]["subresources"] == {
        "status": {}}
    assert "subresources" not in crds["backups.velero.io"]["spec"]["versions"][0]
    assert crds["clusterissuers.cert-manager.io"]["spec"]["scope"] == "Cluster"
    assert "results" in (crds["policyreports.wgpolicyk8s.io"]["spec"]["versions"][0]["schema"]
                         ["openAPIV3Schema"]["properties"])
    served = {v["name"] for v in crds["validatingpolicies.policies.kyverno.io"]["spec"]
              ["versions"] if v["served"]}
    assert served == {"v1", "v1beta1", "v1alpha1"}  # Kyverno 1.17
    names = control_plane.kubectl("get", "crd", "-o", "name").stdout
    assert "customresourcedefinition.apiextensions.k8s.io/applications.argoproj.io" in names


def test_limited_user_is_view_only(control_plane: ControlPlane, limited_kubeconfig: str,
                                   namespace: str, kube_admin: KubeAdmin) -> None:
    r = control_plane.kubectl("create", "secret", "generic", "nope", "-n", namespace,
                              "--from-literal=a=b", kubeconfig=limited_kubeconfig, check=False)
    assert r.returncode != 0
    assert 'forbidden: User "limited" cannot create resource "secrets"' in r.stderr
    can_i = control_plane.kubectl("auth", "can-i", "create", "secrets", "-n", namespace,
                                  kubeconfig=limited_kubeconfig, check=False)
    assert can_i.stdout.strip() == "no"
    kube_admin.create({"apiVersion": "v1", "kind": "ConfigMap",
                       "metadata": {"name": "visible", "namespace": namespace}})
    with KubeAdmin.from_kubeconfig(limited_kubeconfig) as limited:
        with pytest.raises(KubeError) as e:
            limited.request("POST", f"/api/v1/namespaces/{namespace}/secrets",
                            body={"metadata": {"name": "x"}})
        assert e.value.status == 403
        with pytest.raises(KubeError) as e:
            limited.request("GET", f"/api/v1/namespaces/{namespace}/secrets")
        assert e.value.status == 403
        cms = limited.request("GET", f"/api/v1/namespaces/{namespace}/configmaps")
        assert [c["metadata"]["name"] for c in cms["items"]] == ["visible"]
        # Custom resources are only in `view` once a chart's aggregate-to-view ClusterRole
        # exists (the demo seed installs cert-manager's); the bare harness has none.
        with pytest.raises(KubeError) as e:
            limited.request("GET", "/apis/cert-manager.io/v1/certificates")
        assert e.value.status == 403


def test_audit_log_counts_the_apps_requests(kubeconfig: str, audit_log: Path,
                                            namespace: str) -> None:
    since = dt.datetime.now(dt.UTC)
    with KubeAdmin.from_kubeconfig(kubeconfig) as app:  # user "admin", like the app
        for _ in range(3):
            app.request("GET", f"/api/v1/namespaces/{namespace}/configmaps")
        app.request("GET", "/version")
    events = read_audit_events(audit_log, user="admin", since=since)
    lists = [e for e in events if e.get("objectRef", {}).get("namespace") == namespace]
    assert len(lists) == 3 and all(e["verb"] == "list" for e in lists)
    assert count_requests(audit_log, user="admin", since=since) == 4
    # setup traffic is someone else: the namespace fixture ran as "testkit"
    assert not any(e["verb"] == "create" for e in events)
    assert read_audit_events(audit_log, user="testkit")


def test_kube_admin_helpers(kube_admin: KubeAdmin, namespace: str) -> None:
    cm = kube_admin.create({"apiVersion": "v1", "kind": "ConfigMap",
                            "metadata": {"name": "c", "namespace": namespace},
                            "data": {"a": "1"}})
    assert cm["metadata"]["uid"]
    assert kube_admin.create(cm | {"metadata": {"name": "c", "namespace": namespace}},
                             exist_ok=True)["data"] == {"a": "1"}
    kube_admin.patch("v1", "ConfigMap", "c", {"data": {"b": "2"}}, namespace)
    assert kube_admin.get("v1", "configmaps", "c", namespace)["data"] == {"a": "1", "b": "2"}
    # status through the subresource (Certificate) ...
    kube_admin.create({"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
                       "metadata": {"name": "web", "namespace": namespace},
                       "spec": {"secretName": "web-tls", "dnsNames": ["a.example.com"],
                                "issuerRef": {"name": "x", "kind": "ClusterIssuer"}},
                       "status": {"ignored": True}})
    got = kube_admin.get("cert-manager.io/v1", "Certificate", "web", namespace)
    assert "status" not in got  # main resource ignores status, as on a real cluster
    kube_admin.patch_status("cert-manager.io/v1", "certificates", namespace, "web",
                            {"conditions": [{"type": "Ready", "status": "True"}]})
    got = kube_admin.get("cert-manager.io/v1", "Certificate", "web", namespace)
    assert got["status"]["conditions"][0]["status"] == "True"
    # ... and with the object where the real CRD has no status subresource (Velero Backup)
    kube_admin.create({"apiVersion": "velero.io/v1", "kind": "Backup",
                       "metadata": {"name": "b1", "namespace": namespace}, "spec": {}})
    kube_admin.apply_status({"apiVersion": "velero.io/v1", "kind": "Backup",
                             "metadata": {"name": "b1", "namespace": namespace},
                             "status": {"phase": "Completed"}})
    assert kube_admin.get("velero.io/v1", "backups", "b1", namespace)["status"] == {
        "phase": "Completed"}
    names = [o["metadata"]["name"] for o in kube_admin.list("v1", "ConfigMap", namespace)]
    assert "c" in names
    kube_admin.delete("v1", "ConfigMap", "c", namespace)
    assert kube_admin.get_or_none("v1", "ConfigMap", "c", namespace) is None
    assert kube_admin.delete("v1", "ConfigMap", "c", namespace) is None  # missing_ok


def test_namespace_deletion_without_controller_manager(kube_admin: KubeAdmin) -> None:
    ns = "t-ns-cleanup"
    kube_admin.create_namespace(ns)
    kube_admin.create({"apiVersion": "v1", "kind": "ConfigMap",
                       "metadata": {"name": "stuck", "namespace": ns,
                                    "finalizers": ["example.com/never"]}})
    kube_admin.create({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                       "metadata": {"name": "data", "namespace": ns},
                       "spec": {"accessModes": ["ReadWriteOnce"],
                                "resources": {"requests": {"storage": "1Gi"}}}})
    kube_admin.create({"apiVersion": "velero.io/v1", "kind": "Schedule",
                       "metadata": {"name": "s", "namespace": ns}, "spec": {}})
    t0 = time.monotonic()
    kube_admin.delete_namespace(ns)
    print(f"namespace deletion: {time.monotonic() - t0:.2f}s")
    assert kube_admin.get_or_none("v1", "Namespace", ns) is None
    for api, kind in (("v1", "configmaps"), ("v1", "persistentvolumeclaims"),
                      ("velero.io/v1", "schedules")):
        left = kube_admin.list(api, kind, field_selector=f"metadata.namespace={ns}")
        assert left == [], kind


def test_restart_apiserver_keeps_port_and_data(control_plane: ControlPlane,
                                               kube_admin: KubeAdmin, namespace: str) -> None:
    kube_admin.create({"apiVersion": "v1", "kind": "ConfigMap",
                       "metadata": {"name": "survivor", "namespace": namespace}})
    port = control_plane.port
    before = {r.name: r.pid for r in read_pids(control_plane.dir)}
    seconds = control_plane.restart_apiserver()
    print(f"apiserver restart: {seconds:.2f}s")
    after = {r.name: r.pid for r in read_pids(control_plane.dir)}
    assert control_plane.port == port
    assert after["etcd"] == before["etcd"]
    assert after["kube-apiserver"] != before["kube-apiserver"]
    assert all(is_running(r) for r in read_pids(control_plane.dir))
    assert control_plane.kubectl("get", "--raw", "/readyz").stdout.strip() == "ok"
    assert kube_admin.get("v1", "ConfigMap", "survivor", namespace)


def test_missing_binaries_fail_with_the_build_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("KUBEBUILDER_ASSETS", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    with pytest.raises(BinariesMissing, match="scripts/build-control-plane"):
        find_binaries(build=False)


def test_kubebuilder_assets_is_honoured(monkeypatch: pytest.MonkeyPatch,
                                        control_plane: ControlPlane, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # the cache dir would not match
    monkeypatch.setenv("KUBEBUILDER_ASSETS", str(control_plane.bin_dir))
    assert find_binaries(build=False) == control_plane.bin_dir


def test_servers_die_with_a_sigkilled_owner(tmp_path: Path) -> None:
    """No orphans even when the owning process gets no chance to clean up (parent-death sig)."""
    _require_binaries()
    script = ("import sys, time\n"
              "from testkit.controlplane import ControlPlane\n"
              "ControlPlane(sys.argv[1]).start()\n"
              "print('up', flush=True)\n"
              "time.sleep(600)\n")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    owner = subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], env=env,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert owner.stdout is not None
        assert owner.stdout.readline().strip() == "up"
        records = read_pids(tmp_path)
        assert {r.name for r in records} == {"etcd", "kube-apiserver"}
        assert all(is_running(r) for r in records)
        owner.send_signal(signal.SIGKILL)
        owner.wait(10)
        assert _wait_gone(tmp_path) == []
        # a process being killed loses its cmdline before it turns zombie: give it a moment
        deadline = time.monotonic() + 10
        while any(is_running(r) for r in records) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(is_running(r) for r in records)
    finally:
        if owner.poll() is None:
            owner.kill()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_pytest_run_leaves_no_process(tmp_path: Path, sig: signal.Signals) -> None:
    """Ctrl-C or SIGTERM in the middle of a test: the session fixture still stops the servers."""
    _require_binaries()
    (tmp_path / "test_sleepy.py").write_text(
        "import time\n"
        "def test_sleepy(control_plane):\n"
        "    print('READY', flush=True)\n"
        "    time.sleep(300)\n"
    )
    basetemp = tmp_path / "bt"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    run = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "testkit.pytest_plugin",
         "-p", "no:cacheprovider", f"--basetemp={basetemp}", "test_sleepy.py"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        # a background job may inherit SIGINT ignored; give pytest the default disposition
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert run.stdout is not None
        for line in run.stdout:
            if "READY" in line:
                break
        assert _procs_mentioning(basetemp), "control plane did not start"
        run.send_signal(sig)
        output = run.stdout.read()
        assert run.wait(60) != 0
        assert "KeyboardInterrupt" in output
        assert _wait_gone(basetemp, timeout=5) == []
    finally:
        if run.poll() is None:
            run.kill()


# --------------------------------------------------------------------------------------------
# devcluster up --seed demo / down (a second, detached control plane)


@pytest.fixture(scope="module")
def demo_cluster(tmp_path_factory: pytest.TempPathFactory
                 ) -> Iterator[tuple[Path, subprocess.CompletedProcess[str]]]:
    _require_binaries()
    d = tmp_path_factory.mktemp("devcluster")
    up = subprocess.run(
        [str(DEVCLUSTER), "up", str(d), "--seed", "demo", "--now", NOW.isoformat(),
         "--audit-log", str(d / "audit.log")],
        capture_output=True, text=True, timeout=240,
    )
    try:
        assert up.returncode == 0, up.stderr
        yield d, up
    finally:
        subprocess.run([str(DEVCLUSTER), "down", str(d)], capture_output=True, timeout=60)


def test_devcluster_up_is_detached_and_prints_kubeconfig_last(
    demo_cluster: tuple[Path, subprocess.CompletedProcess[str]]
) -> None:
    d, up = demo_cluster
    assert up.stdout.strip().splitlines()[-1] == str(d / "kubeconfig")
    print(up.stderr)
    records = read_pids(d)
    assert {r.name for r in records} == {"etcd", "kube-apiserver"}
    assert all(is_running(r) for r in records)  # outlived `up`
    state = json.loads((d / "state.json").read_text())
    print(f"devcluster time to ready: {state['time_to_ready_seconds']}s")
    with KubeAdmin.from_kubeconfig(d / "kubeconfig") as c:
        assert c.request("GET", "/readyz") == "ok"


def _secret_cert(c: KubeAdmin, ns: str, name: str) -> tuple[dict[str, Any], x509.Certificate]:
    secret = c.get("v1", "Secret", name, ns)
    pem = base64.b64decode(secret["data"]["tls.crt"])
    return secret, x509.load_pem_x509_certificates(pem)[0]


def test_seed_demo_objects(demo_cluster: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    d, _ = demo_cluster
    with KubeAdmin.from_kubeconfig(d / "kubeconfig") as c:
        namespaces = {n["metadata"]["name"] for n in c.list("v1", "Namespace")}
        assert {"ingress-nginx", "cert-manager", "velero", "argocd", "monitoring", "loki",
                "kyverno", "external-dns", "ambassador", "shop", "payments"} <= namespaces

        # workloads: chart labels, statuses, exactly one not ready
        ctrl = c.get("apps/v1", "Deployment", "ingress-nginx-controller", "ingress-nginx")
        labels = ctrl["metadata"]["labels"]
        assert labels["app.kubernetes.io/name"] == "ingress-nginx"
        assert labels["app.kubernetes.io/component"] == "controller"
        assert labels["helm.sh/chart"].startswith("ingress-nginx-")
        assert ctrl["status"]["readyReplicas"] == 2
        assert ctrl["status"]["observedGeneration"] == ctrl["metadata"]["generation"]
        assert ":v1.12.1" in ctrl["spec"]["template"]["spec"]["containers"][0]["image"]
        deployments = c.list("apps/v1", "Deployment")
        not_ready = [f"{x['metadata']['namespace']}/{x['metadata']['name']}"
                     for x in deployments
                     if x["status"].get("readyReplicas", 0) < x["spec"]["replicas"]]
        assert not_ready == ["kyverno/kyverno-admission-controller"]
        cm = {x["metadata"]["labels"].get("app.kubernetes.io/name")
              for x in c.list("apps/v1", "Deployment", "cert-manager")}
        assert cm == {"cert-manager", "cainjector", "webhook"}
        argo = c.get("apps/v1", "Deployment", "argocd-server", "argocd")["metadata"]["labels"]
        assert argo["app.kubernetes.io/name"] == "argocd-server"
        assert argo["app.kubernetes.io/part-of"] == "argocd"
        assert c.get("apps/v1", "Deployment", "traffic-manager", "ambassador")
        assert c.get("apps/v1", "StatefulSet", "prometheus-kube-prometheus-stack-prometheus",
                     "monitoring")["status"]["readyReplicas"] == 1
        assert c.get("apps/v1", "DaemonSet", "node-agent", "velero")["status"]["numberReady"] == 3
        pods = c.list("v1", "Pod", "kyverno")
        bad = [p for p in pods if not p["status"]["containerStatuses"][0]["ready"]]
        assert len(bad) == 1
        assert bad[0]["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] == (
            "CrashLoopBackOff")

        # certificates: real x509 in the secrets, dates from the fixed clock
        expected_days = {("monitoring", "grafana-tls"): 3, ("argocd", "argocd-server-tls"): 20,
                         ("payments", "payments-legacy-tls"): -2, ("shop", "storefront-tls"): 74}
        for (ns, name), days in expected_days.items():
            secret, cert = _secret_cert(c, ns, name)
            assert secret["type"] == "kubernetes.io/tls"
            assert cert.not_valid_after_utc == NOW + dt.timedelta(days=days), name
            ann = secret["metadata"]["annotations"]
            assert ann["cert-manager.io/certificate-name"] == name
            assert ann["cert-manager.io/issuer-kind"] == "ClusterIssuer"
            crt = c.get("cert-manager.io/v1", "Certificate", name, ns)
            assert crt["status"]["notAfter"] == (NOW + dt.timedelta(days=days)).strftime(
                "%Y-%m-%dT%H:%M:%SZ")
        in_60_80 = [crt for crt in c.list("cert-manager.io/v1", "Certificate")
                    if 60 <= (dt.datetime.fromisoformat(crt["status"]["notAfter"]) - NOW).days
                    <= 80]
        assert len(in_60_80) >= 4
        legacy = c.get("cert-manager.io/v1", "Certificate", "payments-legacy-tls", "payments")
        ready = next(x for x in legacy["status"]["conditions"] if x["type"] == "Ready")
        assert (ready["status"], ready["reason"]) == ("False", "Expired")
        unmanaged, _ = _secret_cert(c, "shop", "legacy-wildcard-tls")
        assert "cert-manager.io/certificate-name" not in (
            unmanaged["metadata"].get("annotations") or {})
        with KubeAdmin.from_kubeconfig(d / "kubeconfig-limited") as limited:
            # cert-manager's chart aggregates its view role into `view`, as the seed does
            assert len(limited.list("cert-manager.io/v1", "Certificate", "shop")) == 3
            with pytest.raises(KubeError):
                limited.list("v1", "Secret", "shop")
        for issuer in c.list("cert-manager.io/v1", "ClusterIssuer"):
            assert issuer["status"]["conditions"][0]["type"] == "Ready"
        ing = c.get("networking.k8s.io/v1", "Ingress", "storefront", "shop")
        assert ing["spec"]["tls"][0]["secretName"] == "storefront-tls"

        # Velero
        bsl = c.get("velero.io/v1", "BackupStorageLocation", "default", "velero")
        assert bsl["spec"]["default"] is True and bsl["status"]["phase"] == "Available"
        phases = {b["status"]["phase"] for b in c.list("velero.io/v1", "Backup", "velero")}
        assert {"Completed", "InProgress", "PartiallyFailed", "Failed"} <= phases
        running = [b for b in c.list("velero.io/v1", "Backup", "velero")
                   if b["status"]["phase"] == "InProgress"]
        assert running[0]["status"]["progress"]["itemsBackedUp"] == 173
        assert c.get_or_none("velero.io/v1", "Backup", "daily-full-20250601020000", "velero")
        schedules = {s["metadata"]["name"]: s for s in c.list("velero.io/v1", "Schedule",
                                                              "velero")}
        assert schedules["daily-full"]["spec"]["schedule"] == "0 2 * * *"

        # webhooks with Fail policy; kyverno's service has no ready endpoints
        vwc = c.get("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration",
                    "kyverno-policy-validating-webhook-cfg")
        assert vwc["webhooks"][0]["failurePolicy"] == "Fail"
        assert vwc["webhooks"][0]["clientConfig"]["service"]["name"] == "kyverno-svc"
        assert c.get("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration",
                     "cert-manager-webhook")
        slices = c.list("discovery.k8s.io/v1", "EndpointSlice", "kyverno",
                        label_selector="kubernetes.io/service-name=kyverno-svc")
        assert slices and not any(e["conditions"]["ready"] for s in slices
                                  for e in s["endpoints"])
        cm_slices = c.list("discovery.k8s.io/v1", "EndpointSlice", "cert-manager",
                           label_selector="kubernetes.io/service-name=cert-manager-webhook")
        assert all(e["conditions"]["ready"] for s in cm_slices for e in s["endpoints"])


def test_seed_helm_releases_readable_by_helm(
    demo_cluster: tuple[Path, subprocess.CompletedProcess[str]]
) -> None:
    d, _ = demo_cluster
    helm = _require_binaries() / "helm"
    if not helm.exists():  # KUBEBUILDER_ASSETS dirs carry no helm
        pytest.fail(f"helm not found next to kube-apiserver in {helm.parent}")
    out = subprocess.run([str(helm), "--kubeconfig", str(d / "kubeconfig"), "list", "-A", "-a",
                          "-o", "json"], capture_output=True, text=True, check=True, timeout=60)
    releases = {r["name"]: r for r in json.loads(out.stdout)}
    assert releases["ingress-nginx"]["revision"] == "2"
    assert releases["ingress-nginx"]["status"] == "deployed"
    assert releases["ingress-nginx"]["chart"] == "ingress-nginx-4.12.1"
    assert releases["cert-manager"]["app_version"] == "v1.17.2"
    assert releases["kyverno"]["status"] == "failed"
    manifest = subprocess.run([str(helm), "--kubeconfig", str(d / "kubeconfig"), "get",
                               "manifest", "cert-manager", "-n", "cert-manager"],
                              capture_output=True, text=True, check=True, timeout=60).stdout
    assert "name: cert-manager-webhook" in manifest


def test_devcluster_up_refuses_a_running_dir(
    demo_cluster: tuple[Path, subprocess.CompletedProcess[str]]
) -> None:
    d, _ = demo_cluster
    again = subprocess.run([str(DEVCLUSTER), "up", str(d)], capture_output=True, text=True,
                           timeout=60)
    assert again.returncode == 1
    assert "already runs" in again.stderr
    assert all(is_running(r) for r in read_pids(d))


def test_devcluster_down_leaves_no_process(
    demo_cluster: tuple[Path, subprocess.CompletedProcess[str]]
) -> None:
    d, _ = demo_cluster
    records = read_pids(d)
    assert _procs_mentioning(d)
    down = subprocess.run([str(DEVCLUSTER), "down", str(d)], capture_output=True, text=True,
                          timeout=60)
    assert down.returncode == 0, down.stderr
    assert _wait_gone(d) == []
    assert not any(is_running(r) for r in records)  # `down` waited for them to exit
    assert not (d / "pids").exists()
    assert (d / "kubeconfig").exists() and (d / "etcd").is_dir()  # nothing else removed
