"""Kyverno's CEL ValidatingPolicy and NamespacedValidatingPolicy (policies.kyverno.io, the
official CRDs of Kyverno 1.17.2 in testkit/crds) in the policies table: validationActions as
the mode, Ready from ``status.conditionStatus``, the CEL validations as the rule count, and
their report results (``source: KyvernoValidatingPolicy``) counted -- headless and in the
pane, against the real apiserver."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.cli import main
from k8s_essentials_tui.plugins.policy import model
from testkit import policy_engines as pe
from testkit.kube import KubeAdmin
from tests.conftest import FIXED_NOW
from tests.test_policy_pane import cells, open_pane, summary, until

VPOL_API = "policies.kyverno.io/v1"


def test_validating_policy_rows() -> None:
    pol = pe.kyverno_validating_policy("limits", actions=("Audit", "Warn"), validations=3,
                                       background=False)
    pol["status"] = {"conditionStatus": {"ready": False, "message": "webhook not ready"}}
    pol["spec"]["evaluation"]["admission"] = {"enabled": False}
    row = model.kyverno_validating_policy(pol)
    assert (row.engine, row.kind, row.mode, row.rules) == ("kyverno", "ValidatingPolicy",
                                                           "Audit,Warn", 3)
    assert row.background is False and row.ready is False
    assert row.notes == ["webhook not ready", "failurePolicy Fail",
                         "admission off: reports only"]
    nv = model.kyverno_validating_policy(
        pe.kyverno_validating_policy("ns-limits", namespace="team-a"))
    assert (nv.kind, nv.ref, nv.ready, nv.background) == (
        "NamespacedValidatingPolicy", "team-a/ns-limits", None, True)
    # a report result from a CEL policy names Kyverno's source: the engine is kyverno
    report = {"metadata": {"namespace": "team-a"}, "scope": {"kind": "Deployment",
                                                             "name": "web"},
              "results": [{**pe.result("limits", "", "fail", "too many"),
                           "source": "KyvernoValidatingPolicy"}]}
    assert model.parse_report(report).rows[0].engine == "kyverno"


@pytest.fixture
def vpols(kube_admin: KubeAdmin, namespace: str) -> Iterator[dict[str, str]]:
    suffix = namespace[-6:]
    names = {"cluster": f"replicas-{suffix}", "namespaced": "team-replicas"}
    cluster = pe.kyverno_validating_policy(names["cluster"], actions=("Deny",),
                                           validations=2)
    kube_admin.apply(cluster)
    pe.kyverno_vpol_ready(kube_admin, cluster)
    nspol = pe.kyverno_validating_policy(names["namespaced"], namespace=namespace,
                                         actions=("Audit",))
    kube_admin.apply(nspol)
    pe.kyverno_vpol_ready(kube_admin, nspol, ready=False, message="compiling failed")
    scope = {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web",
             "namespace": namespace, "uid": f"uid-vpol-{suffix}"}
    cel = "KyvernoValidatingPolicy"
    kube_admin.apply(pe.policy_report(namespace, scope, [
        {**pe.result(names["cluster"], "", "fail", "replicas must be at most 5"),
         "source": cel},
        {**pe.result(f"{namespace}/{names['namespaced']}", "", "pass", "ok"), "source": cel},
    ], api_version="openreports.io/v1alpha1", kind="Report"))
    try:
        yield names
    finally:
        kube_admin.delete(VPOL_API, "ValidatingPolicy", names["cluster"])


@pytest.mark.e2e
def test_policy_command_lists_validating_policies(capsys: pytest.CaptureFixture[str],
                                                  kubeconfig: str, namespace: str,
                                                  vpols: dict[str, str]) -> None:
    capsys.readouterr()
    code = main(["--kubeconfig", kubeconfig, "policy", "-n", namespace, "-o", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    pols = {(p["kind"], p["name"]): p for p in json.loads(out)["policies"]}
    vp = pols[("ValidatingPolicy", vpols["cluster"])]
    assert (vp["engine"], vp["mode"], vp["rules"], vp["ready"], vp["fail"]) == (
        "kyverno", "Deny", 2, True, 1)
    nv = pols[("NamespacedValidatingPolicy", vpols["namespaced"])]
    assert (nv["namespace"], nv["mode"], nv["ready"], nv["pass"]) == (namespace, "Audit",
                                                                     False, 1)
    assert "compiling failed" in nv["notes"]


@pytest.mark.e2e
async def test_pane_lists_validating_policies(kubeconfig: str, namespace: str,
                                              vpols: dict[str, str]) -> None:
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=namespace,
                                     now=FIXED_NOW))
    async with app.run_test(size=(160, 40)) as pilot:
        await open_pane(app, pilot)
        await until(pilot, lambda: any(vpols["cluster"] in " ".join(r) for r in cells(app)),
                    "the ValidatingPolicy row")
        rows = {r[2]: r for r in cells(app)}
        assert rows[vpols["cluster"]][:5] == ["kyverno", "VPol", vpols["cluster"], "Deny", "2"]
        assert rows[vpols["cluster"]][6] == "yes"
        # the name column is cut to 30 cells: ns/name of a long test namespace
        nv = next(r for r in cells(app) if r[1] == "NVPol")
        assert nv[2].startswith(namespace[:20]) and nv[3] == "Audit" and nv[6] == "no"
        await pilot.press("slash", *"replicas-", "enter")
        await pilot.pause()
        assert all(r[1] == "VPol" for r in cells(app)) and "/replicas-" in summary(app)
