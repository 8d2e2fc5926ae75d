"""Policy objects written the way Kyverno and Gatekeeper write them (no engine runs here).

Why: the engines' controllers cannot run on this machine, but their output is plain API
objects. The harness plays their part, following their formats exactly: Kyverno's reports
controller writes one PolicyReport per resource (``scope`` = the resource, ``results`` and
``summary`` at the top level, no status subresource); Gatekeeper creates one CRD per
ConstraintTemplate in ``constraints.gatekeeper.sh`` (kind from the template, plural the
lower-cased kind, cluster-scoped, with a status subresource) and its audit writes
``status.totalViolations``, ``auditTimestamp`` and a ``violations`` list capped at
``--constraint-violations-limit`` (20 by default).
"""

from __future__ import annotations

from typing import Any

from testkit.kube import KubeAdmin

JSON = dict[str, Any]


def kyverno_cluster_policy(name: str, *, action: str = "Enforce", rules: int = 1,
                           background: bool = True) -> JSON:
    return {
        "apiVersion": "kyverno.io/v1", "kind": "ClusterPolicy",
        "metadata": {"name": name},
        "spec": {"background": background,
                 "rules": [{"name": f"{name}-rule-{i}",
                            "match": {"any": [{"resources": {"kinds": ["Pod"]}}]},
                            "validate": {"failureAction": action,
                                         "message": f"{name} rule {i}",
                                         "pattern": {"metadata": {"labels": {"team": "?*"}}}}}
                           for i in range(rules)]},
    }


def kyverno_ready(admin: KubeAdmin, policy: JSON) -> None:
    admin.patch_status("kyverno.io/v1", "clusterpolicies", None, policy["metadata"]["name"],
                       {"ready": True, "conditions": [{
                           "type": "Ready", "status": "True", "reason": "Succeeded",
                           "message": "Ready", "lastTransitionTime": "2026-12-01T10:00:00Z"}]})


def kyverno_validating_policy(name: str, *, namespace: str | None = None,
                              actions: tuple[str, ...] = ("Deny",), validations: int = 1,
                              background: bool = True) -> JSON:
    """A CEL ValidatingPolicy (or, with ``namespace``, a NamespacedValidatingPolicy) in
    policies.kyverno.io/v1, the shape of Kyverno 1.17's docs (the official CRD is in
    testkit/crds/kyverno-validatingpolicies.yaml)."""
    meta: JSON = {"name": name, **({"namespace": namespace} if namespace else {})}
    return {
        "apiVersion": "policies.kyverno.io/v1",
        "kind": "NamespacedValidatingPolicy" if namespace else "ValidatingPolicy",
        "metadata": meta,
        "spec": {
            "validationActions": list(actions),
            "evaluation": {"background": {"enabled": background}},
            "matchConstraints": {"resourceRules": [{
                "apiGroups": ["apps"], "apiVersions": ["v1"],
                "operations": ["CREATE", "UPDATE"], "resources": ["deployments"]}]},
            "validations": [{"expression": f"object.spec.replicas <= {5 + i}",
                             "message": f"replicas must be at most {5 + i}"}
                            for i in range(validations)],
        },
    }


def kyverno_vpol_ready(admin: KubeAdmin, policy: JSON, ready: bool = True,
                       message: str = "") -> None:
    """The status Kyverno's controller writes (``status.conditionStatus``)."""
    ns = policy["metadata"].get("namespace")
    plural = "namespacedvalidatingpolicies" if ns else "validatingpolicies"
    admin.patch_status("policies.kyverno.io/v1", plural, ns, policy["metadata"]["name"],
                       {"conditionStatus": {"ready": ready, "message": message,
                                            "conditions": [{
                                                "type": "WebhookConfigured",
                                                "status": "True" if ready else "False",
                                                "reason": "Succeeded" if ready else "Failed",
                                                "message": message or "Webhook configured.",
                                                "lastTransitionTime":
                                                    "2026-12-01T10:00:00Z"}]}})


def policy_report(namespace: str, resource: JSON, results: list[JSON],
                  api_version: str = "wgpolicyk8s.io/v1alpha2",
                  kind: str = "PolicyReport") -> JSON:
    """A per-resource report as Kyverno 1.11+ writes it (name = the resource's uid)."""
    counts = {k: 0 for k in ("pass", "fail", "warn", "error", "skip")}
    for r in results:
        counts[r["result"]] += 1
    return {
        "apiVersion": api_version, "kind": kind,
        "metadata": {"name": resource.get("uid") or f"{resource['kind'].lower()}-"
                     f"{resource['name']}", "namespace": namespace,
                     "labels": {"app.kubernetes.io/managed-by": "kyverno"}},
        "scope": resource, "summary": counts, "results": results,
    }


def result(policy: str, rule: str, outcome: str, message: str, *,
           severity: str = "medium") -> JSON:
    return {"policy": policy, "rule": rule, "result": outcome, "message": message,
            "scored": True, "severity": severity, "category": "Best Practices",
            "source": "kyverno", "timestamp": {"seconds": 1796000000, "nanos": 0}}


def constraint_template(kind: str) -> JSON:
    return {
        "apiVersion": "templates.gatekeeper.sh/v1", "kind": "ConstraintTemplate",
        "metadata": {"name": kind.lower()},
        "spec": {"crd": {"spec": {"names": {"kind": kind}}},
                 "targets": [{"target": "admission.k8s.gatekeeper.sh",
                              "rego": "package x\nviolation[{\"msg\": \"x\"}] { false }"}]},
    }


def constraint_crd(kind: str) -> JSON:
    """The CRD Gatekeeper generates for a template's constraint kind."""
    plural = kind.lower()
    version = {"name": "v1beta1", "served": True, "storage": True,
               "subresources": {"status": {}},
               "schema": {"openAPIV3Schema": {"type": "object",
                                              "x-kubernetes-preserve-unknown-fields": True}}}
    return {
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.constraints.gatekeeper.sh",
                     "labels": {"gatekeeper.sh/constraint": "yes"}},
        "spec": {"group": "constraints.gatekeeper.sh", "scope": "Cluster",
                 "names": {"kind": kind, "listKind": f"{kind}List", "plural": plural,
                           "singular": plural, "categories": ["constraint", "constraints"]},
                 "versions": [version,
                              {**version, "name": "v1", "storage": False},
                              {**version, "name": "v1alpha1", "storage": False}]},
    }


def install_template(admin: KubeAdmin, kind: str) -> None:
    """The template and its constraint CRD (established), as Gatekeeper's controller does."""
    admin.apply(constraint_template(kind))
    crd = constraint_crd(kind)
    admin.apply(crd)
    admin.wait_for("apiextensions.k8s.io/v1", "CustomResourceDefinition",
                   crd["metadata"]["name"])
    admin.patch_status("templates.gatekeeper.sh/v1", "constrainttemplates", None, kind.lower(),
                       {"created": True})


def constraint(kind: str, name: str, *, action: str = "deny") -> JSON:
    return {"apiVersion": "constraints.gatekeeper.sh/v1beta1", "kind": kind,
            "metadata": {"name": name},
            "spec": {"enforcementAction": action,
                     "match": {"kinds": [{"apiGroups": [""], "kinds": ["Namespace"]}]}}}


def audit_status(violations: list[JSON], total: int | None = None, *,
                 limit: int = 20, when: str = "2026-12-06T12:00:00Z") -> JSON:
    """Gatekeeper audit's status: the total, and at most ``limit`` violations listed."""
    return {"auditTimestamp": when, "totalViolations": len(violations) if total is None
            else total, "violations": violations[:limit],
            "byPod": [{"id": "gatekeeper-audit", "enforced": True, "observedGeneration": 1}]}
