"""Headless ``gitops`` on the real apiserver with the Argo CD and Flux CRDs; the controllers
are played by ``testkit.gitops`` (status written as they write it). The apiserver's audit
log keeps the body of every patch of a GitOps object, so these tests assert the exact patch
each action sends -- the one the argocd and flux CLIs send (see plugins/gitops/patches.py).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from k8s_essentials_tui import audit
from k8s_essentials_tui.cli import main
from k8s_essentials_tui.plugins.gitops import patches
from testkit.controlplane import read_audit_events
from testkit.gitops import KS, SRC, GitOpsControllers

pytestmark = pytest.mark.e2e


@pytest.fixture
def ctl(kube_admin, namespace) -> GitOpsControllers:
    return GitOpsControllers(kube_admin, namespace)


def gitops(capsys: pytest.CaptureFixture[str], kubeconfig: str, *argv: str
           ) -> tuple[int, str, str]:
    rc = main(["gitops", *argv, "--kubeconfig", kubeconfig])
    out, err = capsys.readouterr()
    return rc, out, err


def sent_patches(audit_log: Path, since: datetime, plural: str, name: str
                 ) -> list[dict[str, Any]]:
    """The bodies of the app's (user ``admin``) patches of one object, in order."""
    out = []
    for ev in read_audit_events(audit_log, user="admin", since=since,
                                stage="ResponseComplete"):
        ref = ev.get("objectRef") or {}
        if ev.get("verb") == "patch" and ref.get("resource") == plural \
                and ref.get("name") == name and not ref.get("subresource"):
            out.append(ev["requestObject"])
    return out


def seed_mixed(ctl: GitOpsControllers) -> None:
    ctl.add_application("shop", resources=[("Deployment", "shop", "web", "Synced",
                                            "Healthy")])
    ctl.add_application("payments", sync="OutOfSync", health="Degraded", op_phase="Failed",
                        op_message='Ingress "payments-admin" references a missing secret',
                        resources=[("Deployment", "payments", "api", "OutOfSync",
                                    "Degraded")])
    rev = ctl.add_gitrepository("fleet")
    ctl.add_kustomization("apps", applied=rev)
    ctl.add_kustomization("infra-controllers", ready="False", reason="HealthCheckFailed",
                          message="health check failed after 5m0s", attempted=rev)
    ctl.add_kustomization("paused", ready="False", message="suspended long ago",
                          suspend=True)
    ctl.add_helmrelease("podinfo")


def test_status_lists_every_object_and_exits_1_on_trouble(ctl, kubeconfig, namespace,
                                                          capsys) -> None:
    seed_mixed(ctl)
    rc, out, err = gitops(capsys, kubeconfig, "status", "-n", namespace)
    assert rc == 1, err
    lines = out.splitlines()
    assert lines[0].split() == ["KIND", "NAMESPACE", "NAME", "SYNC", "HEALTH/READY",
                                "REVISION", "MESSAGE"]
    rows = {(ln.split()[0], ln.split()[2]): ln.split() for ln in lines[1:]}
    assert set(rows) == {("Application", "payments"), ("Application", "shop"),
                         ("Kustomization", "apps"), ("Kustomization", "infra-controllers"),
                         ("Kustomization", "paused"), ("HelmRelease", "podinfo")}
    assert rows[("Application", "payments")][3:6] == ["OutOfSync", "Degraded",
                                                      patches_sha("payments-rev")[:7]]
    assert 'Ingress "payments-admin" references a missing secret' in out
    assert rows[("Kustomization", "infra-controllers")][3:5] == ["Failed", "False"]
    assert rows[("Kustomization", "paused")][3] == "Suspended"
    assert rows[("HelmRelease", "podinfo")][3:6] == ["Ready", "True", "6.9.1"]

    rc, out, _err = gitops(capsys, kubeconfig, "status", "-n", namespace, "-o", "json")
    data = json.loads(out)
    assert rc == 1 and data["failing"] == 2  # payments and infra-controllers; not "paused"
    apps = {i["name"]: i for i in data["items"] if i["kind"] == "Application"}
    assert apps["shop"]["ok"] and apps["shop"]["autoSync"] is True
    ks = {i["name"]: i for i in data["items"] if i["kind"] == "Kustomization"}
    assert ks["apps"]["revision"] == ks["apps"]["sourceRevision"]
    assert ks["paused"]["suspended"] and not ks["paused"]["ok"]


def patches_sha(seed: str) -> str:
    """The harness's deterministic "commit" for ``seed``."""
    from testkit.gitops import sha

    return sha(seed)


def test_status_all_good_exits_0(ctl, kubeconfig, namespace, capsys) -> None:
    ctl.add_application("shop")
    ctl.add_kustomization("paused", ready="False", suspend=True)  # reported, not failed
    rc, out, err = gitops(capsys, kubeconfig, "status", "-n", namespace)
    assert rc == 0, err + out
    assert "Suspended" in out


def test_sync_sends_the_operation_argocd_sets(ctl, kube_admin, kubeconfig, namespace,
                                               audit_log, capsys) -> None:
    ctl.add_application("payments", sync="OutOfSync", health="Degraded", op_phase="Failed")
    before = ctl.get_application("payments")
    since = datetime.now(UTC)
    rc, out, err = gitops(capsys, kubeconfig, "sync", "payments", "-n", namespace, "--yes")
    assert rc == 0, err
    assert f"sync of {namespace}/payments requested" in out
    expected = {
        "metadata": {"resourceVersion": before["metadata"]["resourceVersion"]},
        "operation": {
            "sync": {"revision": patches_sha("payments-rev"),
                     "source": before["spec"]["source"],
                     "syncOptions": ["CreateNamespace=true"]},
            "initiatedBy": {"username": "admin"}, "retry": {}},
        "status": {"operationState": None}}
    assert expected == patches.sync_patch(before, "admin")
    assert sent_patches(audit_log, since, "applications", "payments") == [expected]
    stored = ctl.get_application("payments")
    assert stored["operation"] == expected["operation"]
    assert "operationState" not in stored["status"]
    entry = audit.read()[-1]
    assert entry["action"] == "gitops.argocd.sync" and entry["result"] == "ok"
    assert entry["command"] == f"argocd app sync payments --app-namespace {namespace}"
    # the controller runs it; the operation is cleared and recorded
    ctl.run_operation("payments")
    assert ctl.get_application("payments")["status"]["operationState"]["phase"] == \
        "Succeeded"


def test_sync_refused_while_an_operation_runs(ctl, kubeconfig, namespace, audit_log,
                                              capsys) -> None:
    ctl.add_application("shop", op_phase="Running",
                        operation={"sync": {"revision": "main"},
                                   "initiatedBy": {"username": "someone"}})
    since = datetime.now(UTC)
    rc, _out, err = gitops(capsys, kubeconfig, "sync", "shop", "-n", namespace, "--yes")
    assert rc == 2
    assert "another operation is already in progress" in err
    assert sent_patches(audit_log, since, "applications", "shop") == []


def test_mutations_need_yes_without_a_terminal_and_refuse_read_only(
        ctl, kubeconfig, namespace, audit_log, capsys) -> None:
    ctl.add_application("shop")
    ctl.add_gitrepository("fleet")
    ctl.add_kustomization("apps")
    since = datetime.now(UTC)
    rc, _out, err = gitops(capsys, kubeconfig, "sync", "shop", "-n", namespace)
    assert rc == 2 and "without --yes: stdin is not a terminal" in err
    rc, _out, err = gitops(capsys, kubeconfig, "reconcile", "ks/apps", "-n", namespace,
                           "--yes", "--read-only")
    assert rc == 2 and "read-only mode" in err
    assert audit.read()[-1]["result"] == "refused"
    assert audit.read()[-1]["command"] == f"flux reconcile kustomization apps -n {namespace}"
    assert sent_patches(audit_log, since, "applications", "shop") == []
    assert sent_patches(audit_log, since, "kustomizations", "apps") == []


def test_reconcile_with_source_and_wait(ctl, kubeconfig, namespace, audit_log,
                                        capsys) -> None:
    ctl.add_gitrepository("fleet")
    ctl.add_kustomization("apps", applied="main@sha1:old", source="fleet")
    new = f"main@sha1:{patches_sha('new')}"
    src = ctl.serve_reconcile(SRC, "gitrepositories", "fleet", applied=new)
    ks = ctl.serve_reconcile(KS, "kustomizations", "apps", applied=new)
    since = datetime.now(UTC)
    rc, out, err = gitops(capsys, kubeconfig, "reconcile", "kustomization/apps", "-n",
                          namespace, "--with-source", "--wait", "--yes", "--timeout", "20")
    src.join(20)
    ks.join(20)
    assert not src.errors and not ks.errors
    assert rc == 0, err
    assert f"✔ Kustomization {namespace}/apps: Applied revision: {new}" in out
    # exactly flux's patch: one annotation, the request time in RFC3339Nano
    for plural, name in (("gitrepositories", "fleet"), ("kustomizations", "apps")):
        sent = sent_patches(audit_log, since, plural, name)
        assert len(sent) == 1
        stamp = sent[0]["metadata"]["annotations"]["reconcile.fluxcd.io/requestedAt"]
        assert sent == [patches.reconcile_patch(stamp)]
        assert datetime.fromisoformat(stamp.replace("Z", "+00:00")) >= since
    entries = [e for e in audit.read() if e["action"] == "gitops.flux.reconcile"]
    assert [e["command"] for e in entries] == [
        f"flux reconcile source git fleet -n {namespace}",
        f"flux reconcile kustomization apps -n {namespace} --with-source"]


def test_reconcile_wait_reports_failure(ctl, kubeconfig, namespace, capsys) -> None:
    ctl.add_gitrepository("fleet")
    ctl.add_kustomization("infra", source="fleet")
    thread = ctl.serve_reconcile(KS, "kustomizations", "infra", ready="False",
                                 message="kustomize build failed: missing resource")
    rc, out, err = gitops(capsys, kubeconfig, "reconcile", "ks/infra", "-n", namespace,
                          "--wait", "--yes", "--timeout", "20", "-o", "json")
    thread.join(20)
    assert rc == 1, err
    data = json.loads(out)
    assert data["steps"][-1]["ready"] == "False"
    assert data["steps"][-1]["message"] == "kustomize build failed: missing resource"


def test_reconcile_refuses_suspended(ctl, kubeconfig, namespace, capsys) -> None:
    ctl.add_kustomization("paused", suspend=True)
    rc, _out, err = gitops(capsys, kubeconfig, "reconcile", "ks/paused", "-n", namespace,
                           "--yes")
    assert rc == 2 and "is suspended" in err


def test_suspend_and_resume_send_flux_patches(ctl, kube_admin, kubeconfig, namespace,
                                              audit_log, capsys) -> None:
    ctl.add_helmrelease("podinfo")
    since = datetime.now(UTC)
    rc, _out, err = gitops(capsys, kubeconfig, "suspend", "helmrelease/podinfo", "-n",
                           namespace, "--yes")
    assert rc == 0, err
    assert kube_admin.get("helm.toolkit.fluxcd.io/v2", "helmreleases", "podinfo",
                          namespace)["spec"]["suspend"] is True
    rc, _out, err = gitops(capsys, kubeconfig, "resume", "hr/podinfo", "-n", namespace,
                           "--yes")
    assert rc == 0, err
    assert "suspend" not in kube_admin.get("helm.toolkit.fluxcd.io/v2", "helmreleases",
                                           "podinfo", namespace)["spec"]
    assert sent_patches(audit_log, since, "helmreleases", "podinfo") == [
        {"spec": {"suspend": True}}, {"spec": {"suspend": None}}]
    assert [e["command"] for e in audit.read()[-2:]] == [
        f"flux suspend helmrelease podinfo -n {namespace}",
        f"flux resume helmrelease podinfo -n {namespace}"]


def test_application_not_found(kubeconfig, namespace, capsys) -> None:
    rc, _out, err = gitops(capsys, kubeconfig, "sync", "nope", "-n", namespace, "--yes")
    assert rc == 2 and "application 'nope' not found" in err
