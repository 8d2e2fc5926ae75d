"""Headless ``mesh`` and the mesh actions on the real apiserver with the official Istio and
Linkerd CRDs; pods are created as injection leaves them (they stay Pending: no kubelet)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from k8s_essentials_tui import audit
from k8s_essentials_tui.actions import ActionContext, ReadOnlyError, execute
from k8s_essentials_tui.cli import main
from k8s_essentials_tui.kube.session import ClusterSession, ConnectOptions
from k8s_essentials_tui.plugins.mesh import ops
from k8s_essentials_tui.plugins.mesh.model import Workload
from testkit.controlplane import find_binaries
from testkit.kube import KubeAdmin
from tests.mesh_fixtures import (
    CANARY_VERSION,
    ISTIO_VERSION,
    LINKERD_VERSION,
    MeshWorld,
    world_fixture,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def world(kube_admin: KubeAdmin, namespace: str, tmp_path: Path) -> Iterator[MeshWorld]:
    yield from world_fixture(kube_admin, namespace, tmp_path)


def mesh(capsys: pytest.CaptureFixture[str], kubeconfig: str, world: MeshWorld,
         *argv: str) -> tuple[int, str, str]:
    rc = main(["mesh", *argv, "--kubeconfig", kubeconfig, "--config", str(world.config)])
    out, err = capsys.readouterr()
    return rc, out, err


def rows(doc: dict[str, Any], world: MeshWorld) -> dict[str, dict[str, Any]]:
    mine = {v: k for k, v in world.namespaces.items()}
    return {mine[n["name"]]: n for n in doc["namespaces"] if n["name"] in mine}


def test_mesh_json_coverage_skew_mtls_and_analyze(world, kubeconfig, capsys) -> None:
    rc, out, err = mesh(capsys, kubeconfig, world, "-A", "-o", "json")
    assert rc == 1, err  # pods without a proxy, proxies two minors behind
    doc = json.loads(out)
    by = rows(doc, world)
    assert set(by) == {"istio", "linkerd", "canary", "ambient", "clean"}  # "off" is not meshed
    istio = by["istio"]
    assert (istio["mesh"], istio["injection"], istio["pods"], istio["withProxy"],
            istio["optedOut"], istio["needsRestart"], istio["farBehind"]) == \
        ("istio", "istio-injection=enabled", 3, 2, 1, 2, 1)
    assert (istio["mtls"], istio["mtlsSource"], istio["authorizationPolicies"]) == \
        ("PERMISSIVE", "namespace policy ns-wide", 1)
    lk = by["linkerd"]
    assert (lk["mesh"], lk["pods"], lk["withProxy"], lk["needsRestart"], lk["farBehind"],
            lk["mtls"], lk["linkerdServers"], lk["linkerdAuthorizationPolicies"]) == \
        ("linkerd", 2, 2, 1, 1, "linkerd", 1, 1)
    canary = by["canary"]
    assert (canary["revision"], canary["withProxy"], canary["needsRestart"],
            canary["mtls"], canary["mtlsSource"]) == \
        ("canary", 2, 1, "STRICT", f"mesh-wide {world.root}/default")
    amb = by["ambient"]
    assert (amb["mesh"], amb["pods"], amb["withProxy"], amb["optedOut"],
            amb["needsRestart"]) == ("ambient", 2, 1, 1, 0)
    assert by["clean"]["coverage"] == 1.0
    # control planes: both istiod revisions and Linkerd, from the images' tags
    planes = {(c["mesh"], c["revision"], c["version"]) for c in doc["controlPlanes"]
              if c["namespace"] == world.root}
    assert planes == {("istio", "default", ISTIO_VERSION),
                      ("istio", "canary", CANARY_VERSION), ("linkerd", "", LINKERD_VERSION)}
    skew = {(s["mesh"], s["version"], s["controlPlane"], s["level"]): s["pods"]
            for s in doc["skew"]}
    assert skew[("istio", "1.28.2", ISTIO_VERSION, "problem")] == 1
    assert skew[("linkerd", "edge-26.6.1", LINKERD_VERSION, "problem")] == 1
    assert skew[("istio", ISTIO_VERSION, CANARY_VERSION, "behind")] == 1  # moved revision
    pods = {(p["namespace"], p["name"]): p for p in doc["pods"]}
    web2 = pods[(world.ns("istio"), "web-2")]
    assert (web2["proxy"], web2["needsRestart"], web2["workload"]) == \
        (None, True, "deployment/web")
    db = pods[(world.ns("istio"), "db-0")]
    assert (db["proxy"], db["version"], db["skew"], db["workload"]) == \
        ("native", "1.28.2", "problem", "statefulset/db")
    moved = pods[(world.ns("canary"), "moved-1")]
    assert moved["reason"] == "revision default, namespace wants canary"
    assert doc["mtls"]["meshWide"] == "STRICT"
    assert {"namespace": world.ns("istio"), "policy": "web-off", "selector": {"app": "web"},
            "mode": "DISABLE", "pods": 2} in doc["mtls"]["workloads"]
    findings = {(f["kind"], f["name"], f["message"]) for f in doc["findings"]
                if f["namespace"] == world.ns("istio")}
    assert findings == {
        ("VirtualService", "web-routes",
         f"host reviews: no Service reviews in {world.ns('istio')}"),
        ("DestinationRule", "web-subsets", "subset v2 of web: no pod matches app=web,version=v2"),
        ("Gateway", "edge", f"credentialName missing-cert: no Secret missing-cert in "
                            f"{world.ns('istio')}"),
    }
    assert f"{world.ns('istio')}: 1 of 3 pods without a proxy" in doc["problems"]


def test_mesh_text_and_exit_codes_per_namespace(world, kubeconfig, capsys) -> None:
    rc, out, err = mesh(capsys, kubeconfig, world, "-n", world.ns("clean"))
    assert rc == 0, err
    assert out.splitlines()[0] == \
        "100% of pods in meshed namespaces have a proxy (1/1, 1 namespaces); 0 need a restart"
    assert re.search(rf"{world.ns('clean')}\s+linkerd\s+linkerd.io/inject: enabled\s+"
                     r"100% 1/1", out)
    rc, out, err = mesh(capsys, kubeconfig, world, "-n", world.ns("linkerd"))
    assert rc == 1
    assert f"problem: {world.ns('linkerd')}: 1 proxies more than one minor behind" in out
    assert re.search(r"api-2\s+sidecar\s+edge-26.6.1\s+problem\s+yes\s+deployment/api", out)
    rc, out, err = mesh(capsys, kubeconfig, world, "-n", world.ns("off"))
    assert (rc, out.splitlines()[0]) == (0, "no pods in meshed namespaces")


async def test_restart_sends_kubectls_patch(world, kube_admin, kubeconfig, audit_log) -> None:
    session = await ClusterSession.connect(ConnectOptions(kubeconfig=kubeconfig))
    ns = world.ns("istio")
    now = datetime(2026, 12, 6, 14, 30, 5, 123, tzinfo=UTC)
    try:
        mutation = ops.restart_mutation(session.client, ns, [Workload("Deployment", "web")],
                                        now, skipped=["batch"])
        assert mutation.command == f"kubectl rollout restart deployment/web -n {ns}"
        assert mutation.details == ["restart deployment/web",
                                    "not restartable (no controller): pod batch"]
        await execute(mutation, session.actions)
        paused = ops.restart_mutation(session.client, ns, [Workload("Deployment", "paused")],
                                      now)
        with pytest.raises(Exception, match="can't restart paused deployment"):
            await execute(paused, session.actions)
        ro = ActionContext(session.context, read_only=True)
        with pytest.raises(ReadOnlyError):
            await execute(ops.restart_mutation(session.client, ns,
                                               [Workload("Deployment", "web")], now), ro)
    finally:
        await session.close()
    dep = kube_admin.get("apps/v1", "deployments", "web", ns)
    assert dep["spec"]["template"]["metadata"]["annotations"] == {
        "kubectl.kubernetes.io/restartedAt": "2026-12-06T14:30:05Z"}
    entries = [e for e in audit.read() if e["action"] == "mesh.restart"]
    assert [e["result"] for e in entries] == ["ok", "failed", "refused"]


def test_our_restart_patch_is_kubectls(world, kube_admin, kubeconfig) -> None:
    """The real kubectl's request body (-v=8) has the shape of ours."""
    kubectl = find_binaries(build=False) / "kubectl"
    if not kubectl.exists() or not shutil.which(str(kubectl)):
        pytest.skip("kubectl is not in the control-plane cache (scripts/build-control-plane)")
    ns = world.ns("istio")
    proc = subprocess.run([str(kubectl), "--kubeconfig", kubeconfig, "-n", ns, "rollout",
                           "restart", "deployment/web", "-v=8"],
                          capture_output=True, text=True, timeout=60, check=True)
    # klog: "Request Body" body="{\"spec\":...}" (a Go-quoted string)
    body = re.search(r'"Request Body" body="((?:[^"\\]|\\.)*restartedAt(?:[^"\\]|\\.)*)"',
                     proc.stderr)
    assert body, proc.stderr[-2000:]
    sent = json.loads(json.loads(f'"{body.group(1)}"'))
    stamp = sent["spec"]["template"]["metadata"]["annotations"][ops.RESTARTED_AT]
    ours = ops.restart_patch(datetime.fromisoformat(stamp.replace("Z", "+00:00")))
    assert sent == ours
    assert "strategic-merge-patch" in proc.stderr


async def test_injection_toggle_patches_the_namespace(world, kube_admin, kubeconfig) -> None:
    session = await ClusterSession.connect(ConnectOptions(kubeconfig=kubeconfig))
    ns = world.ns("off")
    try:
        on = ops.injection_mutation(session.client, ns, "istio", True)
        assert on.command == f"kubectl label namespace {ns} istio-injection=enabled --overwrite"
        await execute(on, session.actions)
        assert kube_admin.get("v1", "namespaces", ns)["metadata"]["labels"][
            "istio-injection"] == "enabled"
        off = ops.injection_mutation(session.client, ns, "istio", False)
        assert off.command == f"kubectl label namespace {ns} istio-injection- istio.io/rev-"
        await execute(off, session.actions)
        assert "istio-injection" not in kube_admin.get("v1", "namespaces", ns)["metadata"][
            "labels"]
        l5d = ops.injection_mutation(session.client, ns, "linkerd", True)
        assert l5d.command == \
            f"kubectl annotate namespace {ns} linkerd.io/inject=enabled --overwrite"
        await execute(l5d, session.actions)
        assert kube_admin.get("v1", "namespaces", ns)["metadata"]["annotations"][
            "linkerd.io/inject"] == "enabled"
    finally:
        await session.close()


def test_mesh_text_stays_clean_with_hostile_annotations(world, kube_admin, kubeconfig,
                                                        capsys) -> None:
    from testkit import mesh as m
    from testkit.hostile import WORST, assert_clean

    ns = world.ns("clean")
    evil = m.with_linkerd(m.pod("evil", ns), LINKERD_VERSION)
    evil["metadata"]["annotations"]["linkerd.io/proxy-version"] = WORST
    kube_admin.create(evil)
    rc, out, err = mesh(capsys, kubeconfig, world, "-n", ns)
    assert rc == 0, err  # an unreadable version: skew unknown (not a failure), restart due
    assert_clean(out.splitlines(), " (mesh text)")
    assert "evil" in out
    rc, out, _err = mesh(capsys, kubeconfig, world, "-n", ns, "-o", "json")
    assert rc == 0
    assert any(p["name"] == "evil" for p in json.loads(out)["pods"])
