"""Deprecated/removed API versions in Helm release manifests: the table, the scan (pure) and
the ``deprecations`` command against the real apiserver with release Secrets written by the
test tooling (their manifests use APIs removed long ago)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from k8s_essentials_tui.cli import main
from k8s_essentials_tui.deprecations import (
    TABLE,
    failing,
    lookup,
    manifest_objects,
    minor,
    scan,
    served_deprecated,
)
from testkit.helm_release import release_secret
from testkit.kube import KubeAdmin

OLD_MANIFEST = """\
---
# Source: legacy/templates/ingress.yaml
apiVersion: extensions/v1beta1
kind: Ingress
metadata:
  name: web
---
# Source: legacy/templates/pdb.yaml
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata:
  name: web
  namespace: elsewhere
---
apiVersion: flowcontrol.apiserver.k8s.io/v1beta3
kind: FlowSchema
metadata: {name: "fs\\u001b[2Jx"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
---
: not yaml [
---
just a string
"""


def rel(manifest: str, name: str = "legacy", ns: str = "apps") -> SimpleNamespace:
    return SimpleNamespace(name=name, namespace=ns, chart_ref="legacy-1.0.0",
                           manifest=manifest)


def test_table_covers_the_guide_and_every_row_is_well_formed() -> None:
    removed = {d.removed_in for d in TABLE}
    assert {"1.16", "1.22", "1.25", "1.26", "1.27", "1.29", "1.32"} <= removed
    for d in TABLE:
        assert minor(d.removed_in) and "/" in d.api_version and d.kind[0].isupper()
    assert lookup("extensions/v1beta1", "Ingress").replacement == "networking.k8s.io/v1"
    assert lookup("apps/v1", "Deployment") is None


def test_manifest_objects_skip_what_does_not_parse() -> None:
    objs = manifest_objects(OLD_MANIFEST)
    assert [(o.api_version, o.kind) for o in objs] == [
        ("extensions/v1beta1", "Ingress"), ("policy/v1beta1", "PodDisruptionBudget"),
        ("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema"), ("apps/v1", "Deployment")]
    assert manifest_objects("") == []


def test_scan_statuses_against_cluster_and_target() -> None:
    found = scan([rel(OLD_MANIFEST)], target=(1, 36), cluster=(1, 24),
                 served={"extensions": [], "policy": ["v1", "v1beta1"],
                         "flowcontrol.apiserver.k8s.io": ["v1", "v1beta3"]})
    by_kind = {f.kind: f for f in found}
    assert by_kind["Ingress"].status == "removed" and by_kind["Ingress"].served is False
    assert by_kind["PodDisruptionBudget"].status == "removed at target"
    assert by_kind["PodDisruptionBudget"].namespace == "elsewhere"
    assert by_kind["FlowSchema"].served is True
    assert [f.status for f in found] == ["removed", "removed at target", "removed at target"]
    assert failing(found)
    # target 1.24 on a 1.21 cluster: only the 1.22 removal is at the target
    early = scan([rel(OLD_MANIFEST)], target=(1, 24), cluster=(1, 21))
    assert {f.kind: f.status for f in early} == {
        "Ingress": "removed at target", "PodDisruptionBudget": "deprecated",
        "FlowSchema": "deprecated"}
    assert not failing(f for f in early if f.status == "deprecated")
    assert served_deprecated({"policy": ["v1beta1"]}, (1, 36))[0].removed_in == "1.25"


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.e2e
def test_deprecations_command_on_release_records(capsys: pytest.CaptureFixture[str],
                                                 kubeconfig: str, namespace: str,
                                                 kube_admin: KubeAdmin) -> None:
    # revision 1 superseded, revision 2 current: only the current manifest counts
    kube_admin.create(release_secret("legacy", namespace, revision=1, status="superseded",
                                     chart="legacy", manifest=OLD_MANIFEST.replace(
                                         "PodDisruptionBudget", "RuntimeClass").replace(
                                         "policy/", "node.k8s.io/")))
    kube_admin.create(release_secret("legacy", namespace, revision=2, chart="legacy",
                                     manifest=OLD_MANIFEST))
    kube_admin.create(release_secret("modern", namespace, chart="modern",
                                     manifest="apiVersion: apps/v1\nkind: Deployment\n"
                                              "metadata: {name: m}\n"))
    code, out, err = cli(capsys, "deprecations", "--kubeconfig", kubeconfig,
                         "-n", namespace, "-o", "json")
    assert code == 1, err
    data = json.loads(out)
    assert data["cluster_version"].startswith("v1.") and data["target_version"]
    kinds = {(f["release"], f["kind"], f["status"], f["served"]) for f in data["findings"]}
    # a v1.35 apiserver serves none of these any more: all already removed
    assert kinds == {("legacy", "Ingress", "removed", False),
                     ("legacy", "PodDisruptionBudget", "removed", False),
                     ("legacy", "FlowSchema", "removed", False)}
    assert data["served_deprecated"] == []

    code, out, err = cli(capsys, "deprecations", "--kubeconfig", kubeconfig,
                         "-n", namespace, "--target-version", "1.36")
    assert code == 1
    assert "3 removed, 0 deprecated" in out
    (line,) = [ln for ln in out.splitlines() if "FlowSchema/" in ln]
    assert "\x1b" not in out and "fs␛[2Jx" in line  # the name through the text boundary
    assert "flowcontrol.apiserver.k8s.io/v1" in line and "mapkubeapis" in err

    # only the modern release: nothing to report, exit 0
    kube_admin.delete("v1", "secrets", "sh.helm.release.v1.legacy.v2", namespace)
    kube_admin.delete("v1", "secrets", "sh.helm.release.v1.legacy.v1", namespace)
    code, out, _ = cli(capsys, "deprecations", "--kubeconfig", kubeconfig, "-n", namespace)
    assert code == 0 and "0 removed, 0 deprecated" in out
    with pytest.raises(SystemExit) as usage:
        main(["deprecations", "--target-version", "banana"])
    assert usage.value.code == 2


def test_a_components_release_with_removed_apis_is_a_board_problem() -> None:
    """The board's Helm summary carries the removed APIs of each current manifest, and the
    component whose release it is gets a problem (helm cannot upgrade it)."""
    from k8s_essentials_tui.detection.evaluate import evaluate
    from k8s_essentials_tui.detection.snapshot import ClusterSnapshot
    from k8s_essentials_tui.helm.summary import summarize_releases
    from k8s_essentials_tui.registry import load_registry

    secret = release_secret("edge", "ingress-nginx", chart="ingress-nginx",
                            chart_version="4.13.3", manifest=OLD_MANIFEST)
    modern = release_secret("web", "apps", chart="web",
                            manifest="apiVersion: apps/v1\nkind: Deployment\n")
    rels = {r["name"]: r for r in summarize_releases([secret, modern])}
    assert rels["web"]["removed_apis"] == []
    assert [(r["kind"], r["removed_in"]) for r in rels["edge"]["removed_apis"]] == [
        ("Ingress", "1.22"), ("PodDisruptionBudget", "1.25"), ("FlowSchema", "1.32")]
    labels = {"app.kubernetes.io/name": "ingress-nginx",
              "app.kubernetes.io/component": "controller"}
    snap = ClusterSnapshot(helm_releases=list(rels.values()), workloads=[{
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "c", "namespace": "ingress-nginx", "labels": labels},
        "spec": {"replicas": 1}, "status": {"readyReplicas": 1}}])
    det = evaluate(load_registry(third_party=False).ordered(), snap)["ingress-nginx"]
    (problem,) = [p for p in det.problems if "removed APIs" in p]
    assert problem.startswith("Helm release ingress-nginx/edge uses removed APIs: "
                              "Ingress/web extensions/v1beta1 (removed in 1.22, use "
                              "networking.k8s.io/v1)")


def test_the_line_scanner_reads_helm_manifests_like_yaml() -> None:
    """Block metadata with nested labels (a deeper ``name:`` is not the object's), quoted
    values and comments; flow style falls back to YAML. Same answer as a YAML parser."""
    manifest = """\
---
# Source: x/templates/a.yaml
apiVersion: "networking.k8s.io/v1beta1"
kind: Ingress
metadata:
  labels:
    app.kubernetes.io/name: not-this
  name: 'web'   # the object's
  namespace: apps
spec:
  rules: []
---
apiVersion: batch/v1beta1
kind: CronJob
metadata: {name: nightly, namespace: jobs}
---
kind: ConfigMap
apiVersion: v1
metadata:

  name: cm
"""
    got = [(o.api_version, o.kind, o.name, o.namespace) for o in manifest_objects(manifest)]
    assert got == [("networking.k8s.io/v1beta1", "Ingress", "web", "apps"),
                   ("batch/v1beta1", "CronJob", "nightly", "jobs"),
                   ("v1", "ConfigMap", "cm", "")]
