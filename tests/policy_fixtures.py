"""Shared set-up of the policy tests: a namespace under a REAL admission webhook and a CEL
ValidatingAdmissionPolicy (``guarded``), and every engine's objects written the way the
engines write them (``engines``). Cluster-scoped names are made unique per test and deleted
afterwards: the apiserver is shared by the whole session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from testkit import policy_engines as pe
from testkit.admission_webhook import AdmissionWebhook, replica_limit_policy
from testkit.kube import KubeAdmin

VAP_API = "admissionregistration.k8s.io/v1"


def configmap(name: str, data: dict[str, str], team: bool = True) -> dict[str, Any]:
    labels = {"team": "shop"} if team else {}
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "labels": labels}, "data": data}


def deployment(name: str, replicas: int) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "c",
                                                           "image": "pause:3.10"}]}}}}


@pytest.fixture
def guarded(kube_admin: KubeAdmin, namespace: str) -> Iterator[AdmissionWebhook]:
    """The namespace under a real webhook and a CEL policy (both scoped to it by a label:
    the apiserver is shared by the whole session)."""
    labels = {"policy-e2e.k8s-essentials-tui.dev/ns": namespace}
    kube_admin.patch("v1", "Namespace", namespace, {"metadata": {"labels": labels}})
    name = f"deny-{namespace}"[:60]
    with AdmissionWebhook() as hook:
        kube_admin.create(hook.configuration(name, namespace_labels=labels))
        vap, binding = replica_limit_policy(f"replicas-{namespace}"[:60],
                                            namespace_labels=labels)
        kube_admin.create(vap)
        kube_admin.create(binding)
        try:
            yield hook
        finally:
            kube_admin.delete(VAP_API, "ValidatingWebhookConfiguration", name)
            kube_admin.delete(VAP_API, "ValidatingAdmissionPolicyBinding",
                              binding["metadata"]["name"])
            kube_admin.delete(VAP_API, "ValidatingAdmissionPolicy", vap["metadata"]["name"])


@pytest.fixture
def engines(kube_admin: KubeAdmin, namespace: str) -> Iterator[dict[str, str]]:
    """A Kyverno policy with reports (both report APIs), a Gatekeeper constraint whose
    audit lists 20 of 25 violations, and a VAP -- cluster-scoped names made unique."""
    suffix = namespace[-6:]
    kind = f"K8sRequiredTeam{suffix.replace('-', '')}"
    names = {"kyverno": f"require-team-{suffix}", "kind": kind,
             "constraint": f"ns-must-have-team-{suffix}", "vap": f"replicas-{suffix}"}
    pol = pe.kyverno_cluster_policy(names["kyverno"], action="Audit", rules=2)
    kube_admin.apply(pol)
    pe.kyverno_ready(kube_admin, pol)
    scope = {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web",
             "namespace": namespace, "uid": f"uid-web-{suffix}"}
    kube_admin.apply(pe.policy_report(namespace, scope, [
        pe.result(names["kyverno"], "check-team", "fail", "label team is required",
                  severity="high"),
        pe.result(names["kyverno"], "check-owner", "pass", "ok"),
    ]))
    scope2 = {"apiVersion": "v1", "kind": "ConfigMap", "name": "cfg", "namespace": namespace,
              "uid": f"uid-cfg-{suffix}"}
    kube_admin.apply(pe.policy_report(namespace, scope2, [
        pe.result(names["kyverno"], "check-team", "warn", "team label recommended")],
        api_version="openreports.io/v1alpha1", kind="Report"))
    pe.install_template(kube_admin, kind)
    c = pe.constraint(kind, names["constraint"])
    kube_admin.apply(c)
    violations = [{"kind": "Namespace", "name": f"{namespace}-{i}", "message":
                   "you must provide labels: {\"team\"}", "enforcementAction": "deny"}
                  for i in range(25)]
    violations[0]["name"] = namespace
    kube_admin.patch_status("constraints.gatekeeper.sh/v1beta1", kind.lower(), None,
                            names["constraint"], pe.audit_status(violations, total=25))
    kube_admin.apply({"apiVersion": "kyverno.io/v2", "kind": "PolicyException",
                      "metadata": {"name": "allow-legacy", "namespace": namespace},
                      "spec": {"exceptions": [{"policyName": names["kyverno"],
                                               "ruleNames": ["check-team"]}],
                               "match": {"any": [{"resources": {"kinds": ["Deployment"],
                                                                "names": ["legacy"]}}]}}})
    kube_admin.apply({"apiVersion": "config.gatekeeper.sh/v1alpha1", "kind": "Config",
                      "metadata": {"name": "config", "namespace": namespace},
                      "spec": {"match": [{"excludedNamespaces": [f"{namespace}-system"],
                                          "processes": ["audit", "webhook"]}]}})
    vap, binding = replica_limit_policy(names["vap"], namespace_labels={"none": "none"})
    kube_admin.apply(vap)
    kube_admin.apply(binding)
    try:
        yield names
    finally:
        kube_admin.delete(VAP_API, "ValidatingAdmissionPolicyBinding",
                          binding["metadata"]["name"])
        kube_admin.delete(VAP_API, "ValidatingAdmissionPolicy", names["vap"])
        kube_admin.delete("kyverno.io/v1", "ClusterPolicy", names["kyverno"])
        kube_admin.delete("constraints.gatekeeper.sh/v1beta1", kind, names["constraint"])
        kube_admin.delete("templates.gatekeeper.sh/v1", "ConstraintTemplate", kind.lower())
        kube_admin.delete("apiextensions.k8s.io/v1", "CustomResourceDefinition",
                          f"{kind.lower()}.constraints.gatekeeper.sh")


