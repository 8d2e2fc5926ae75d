"""ApplicationSets, AppProjects and the Flux OCIRepository/HelmChart/Bucket sources on the
real apiserver with the OFFICIAL CRDs (testkit/crds/argocd-official.yaml and
flux-sources-official.yaml): the objects must pass the real schemas, ``gitops status``
lists ApplicationSets in error (exit 1), and the models read what the apiserver returns."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from k8s_essentials_tui.cli import main
from k8s_essentials_tui.plugins.gitops import appsets, fluxmodel, projects
from testkit.gitops import ARGO, SRC, GitOpsControllers

pytestmark = pytest.mark.e2e

LIST_GEN = {"list": {"elements": [{"name": "eu"}, {"name": "us"}]}}
GIT_GEN = {"git": {"repoURL": "https://github.com/example/platform-gitops.git",
                   "revision": "main", "directories": [{"path": "apps/*"}]}}


@pytest.fixture
def ctl(kube_admin, namespace) -> GitOpsControllers:
    return GitOpsControllers(kube_admin, namespace)


def test_status_lists_an_applicationset_in_error_and_exits_1(ctl, kubeconfig, namespace,
                                                              capsys) -> None:
    ctl.add_applicationset("regions", [LIST_GEN], apps=["eu", "us"])
    ctl.add_applicationset("broken", [{"matrix": {"generators": [GIT_GEN, LIST_GEN]}}],
                           error='failed to get params for first generator in matrix '
                                 'generator: repository not found')
    rc = main(["gitops", "status", "-n", namespace, "-o", "json", "--kubeconfig", kubeconfig])
    data = json.loads(capsys.readouterr().out)
    assert rc == 1
    sets = [r for r in data["items"] if r["kind"] == "ApplicationSet"]
    assert [s["name"] for s in sets] == ["broken"]  # the healthy set is not a row
    assert sets[0]["sync"] == "Error"
    assert sets[0]["generators"] == ["matrix(git dirs+list(2))"]
    assert "repository not found" in sets[0]["message"]
    assert sets[0]["conditions"]["ErrorOccurred"]["status"] == "True"
    # the two generated Applications are Synced+Healthy: the set alone fails the status
    assert data["failing"] == 1


def test_status_with_healthy_sets_exits_0(ctl, kubeconfig, namespace, capsys) -> None:
    ctl.add_applicationset("regions", [LIST_GEN], apps=["eu"])
    rc = main(["gitops", "status", "-n", namespace, "--kubeconfig", kubeconfig])
    out = capsys.readouterr().out
    assert rc == 0
    assert "ApplicationSet" not in out and "eu" in out


def test_owned_applications_are_counted_from_owner_references(ctl, kube_admin,
                                                              namespace) -> None:
    ctl.add_applicationset("regions", [LIST_GEN], apps=["eu", "us"])
    ctl.add_applicationset("other", [GIT_GEN])
    ctl.add_application("standalone")
    sets = kube_admin.list(ARGO, "applicationsets", namespace)
    apps = kube_admin.list(ARGO, "applications", namespace)
    rows = {r.name: r for r in appsets.appset_rows(sets, apps)}
    assert rows["regions"].owned == 2 and rows["other"].owned == 0
    assert rows["regions"].status == "UpToDate"
    assert rows["regions"].generators == ["list(2)"]
    assert rows["other"].generators == ["git dirs"]


def test_appproject_windows_read_from_the_real_object(ctl, kube_admin, namespace) -> None:
    ctl.add_appproject(
        "payments", repos=["https://github.com/example/payments.git"],
        destinations=[("https://kubernetes.default.svc", "payments-*")],
        cluster_resources=[("", "Namespace"), ("rbac.authorization.k8s.io", "ClusterRole")],
        windows=[{"kind": "deny", "schedule": "0 22 * * *", "duration": "8h",
                  "applications": ["*"], "manualSync": True},
                 {"kind": "allow", "schedule": "0 9 * * 1-5", "duration": "8h",
                  "namespaces": ["payments-*"], "timeZone": "Europe/Berlin"}])
    items = kube_admin.list(ARGO, "appprojects", namespace)
    night = datetime(2026, 12, 7, 23, 30, tzinfo=UTC)  # a Monday, inside the deny window
    (row,) = projects.project_rows(items, night)
    assert row.cluster_text == "core/Namespace, rbac.authorization.k8s.io/ClusterRole"
    assert projects.destinations_text(row) == "https://kubernetes.default.svc/payments-*"
    assert [w.active for w in row.windows] == [True, False]
    assert row.denying
    # Monday 10:30 in Berlin (09:30 UTC): the allow window is open, the deny one is not
    (day,) = projects.project_rows(items, datetime(2026, 12, 7, 9, 30, tzinfo=UTC))
    assert [w.active for w in day.windows] == [False, True] and not day.denying


def test_official_source_crds_accept_oci_chart_and_bucket(ctl, kube_admin,
                                                          namespace) -> None:
    ctl.add_source("OCIRepository", "podinfo-oci",
                   {"url": "oci://ghcr.io/stefanprodan/manifests/podinfo",
                    "ref": {"tag": "latest"}}, "latest@sha256:" + "a" * 64)
    ctl.add_source("HelmChart", "flux-system-podinfo",
                   {"chart": "podinfo", "version": "6.x",
                    "sourceRef": {"kind": "HelmRepository", "name": "podinfo"}}, "6.9.1")
    ctl.add_source("Bucket", "configs", {"bucketName": "configs",
                                         "endpoint": "minio.example:9000"},
                   "", ready="False", message="bucket 'configs' does not exist")
    rows = {}
    for plural in ("ocirepositories", "helmcharts", "buckets"):
        for row in fluxmodel.flux_rows(kube_admin.list(SRC, plural, namespace)):
            rows[row.kind] = row
    assert rows["OCIRepository"].applied.startswith("latest@sha256:")
    assert rows["HelmChart"].applied == "6.9.1" and rows["HelmChart"].ok
    assert rows["Bucket"].status == "Failed"
    assert rows["Bucket"].message == "bucket 'configs' does not exist"
