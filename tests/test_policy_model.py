"""Unit tests of the policy model, the dry-run helpers and the escape-hatch patches (pure:
no cluster), plus hostile input through every parser."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from k8s_essentials_tui.plugins.policy import admission, model, webhooks
from testkit import hostile
from testkit import policy_engines as pe


def test_kyverno_mode_per_rule_with_the_deprecated_default() -> None:
    pol = pe.kyverno_cluster_policy("p", action="Enforce", rules=2)
    pol["spec"]["rules"][1]["validate"].pop("failureAction")
    pol["spec"]["validationFailureAction"] = "audit"  # lower case is accepted by Kyverno
    row = model.kyverno_policy(pol)
    assert row.mode == "Audit/Enforce" and row.rules == 2 and row.background is True
    assert row.ready is None  # no status yet
    mutate_only = {"kind": "ClusterPolicy", "metadata": {"name": "m"},
                   "spec": {"rules": [{"name": "r", "mutate": {}}]}}
    assert model.kyverno_policy(mutate_only).mode == "-"


def test_gatekeeper_total_beyond_the_listed_violations_is_said() -> None:
    c = pe.constraint("K8sRequiredLabels", "owner", action="warn")
    c["status"] = pe.audit_status([{"kind": "Namespace", "name": f"n{i}", "message": "m"}
                                   for i in range(30)], total=30)
    row = model.gatekeeper_constraint(c)
    assert row.mode == "warn" and row.warn == 30 and row.fail == 0
    assert row.notes == [model.capped_note(30, 20)]
    assert "30 violations, 20 listed" in row.notes[0]
    results = model.constraint_results(c)
    assert len(results) == 20 and {r.result for r in results} == {"warn"}


def test_report_results_use_resources_else_the_scope_and_count_everything() -> None:
    scope = {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "namespace": "a"}
    rep = pe.policy_report("a", scope, [pe.result("p", "r1", "fail", "bad"),
                                        pe.result("p", "r2", "pass", "ok"),
                                        pe.result("q", "r", "warn", "meh")])
    rep["results"][2]["resources"] = [{"kind": "Pod", "name": "x", "namespace": "a"}]
    tally = model.Tally()
    rows = model.report_results(rep, tally)
    assert [(r.policy, r.result, r.resource) for r in rows] == [
        ("p", "fail", "Deployment/a/web"), ("q", "warn", "Pod/a/x")]
    assert tally.counts == {"p": {"fail": 1, "pass": 1}, "q": {"warn": 1}}


def test_inventory_counts_scopes_and_groups() -> None:
    scope = {"kind": "Deployment", "name": "web", "namespace": "a"}
    other = {"kind": "Deployment", "name": "api", "namespace": "b"}
    src = model.Sources(
        kyverno=[pe.kyverno_cluster_policy("p")],
        reports=[pe.policy_report("a", scope, [pe.result("p", "r", "fail", "x")]),
                 pe.policy_report("b", other, [pe.result("p", "r", "fail", "y"),
                                               pe.result("p", "s", "warn", "z")])])
    inv = model.inventory(src)
    assert (inv.policies[0].fail, inv.policies[0].warn) == (2, 1)
    assert [g for g, _ in model.grouped(inv.results, "namespace")] == ["b", "a"]
    scoped = model.inventory(src, "a")
    assert (scoped.policies[0].fail, scoped.policies[0].warn) == (1, 0)
    assert [r.name for r in scoped.results] == ["web"]


def test_vap_without_binding_is_not_enforced() -> None:
    vap = {"metadata": {"name": "v"}, "spec": {"validations": [{"expression": "true"}]}}
    row = model.vap_policy(vap, [])
    assert row.mode == "-" and "no binding: the policy is not enforced" in row.notes
    bound = model.vap_policy(vap, [{"spec": {"policyName": "v",
                                             "validationActions": ["Warn", "Audit"]}}])
    assert bound.mode == "Warn,Audit"


def test_exemptions_listed() -> None:
    exc = {"metadata": {"name": "e", "namespace": "kyverno"},
           "spec": {"exceptions": [{"policyName": "p", "ruleNames": ["a", "b"]}]}}
    cfg = {"metadata": {"name": "config", "namespace": "gatekeeper-system"},
           "spec": {"match": [{"excludedNamespaces": ["kube-system"],
                               "processes": ["audit", "webhook"]}]}}
    texts = [e.text for e in model.kyverno_exemptions(exc) + model.gatekeeper_exemptions(cfg)]
    assert texts == ["p: a, b", "namespace kube-system excluded from audit, webhook"]


def test_load_manifests_flattens_lists_and_reports_bad_documents() -> None:
    text = ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n"
            "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Secret, "
            "metadata: {name: b}}\n---\n- not an object\n---\nkind: Pod\n")
    objs, problems = admission.load_manifests(text, "f.yaml")
    assert [o["metadata"]["name"] for o in objs] == ["a", "b"]
    assert len(problems) == 2 and all(p.startswith("f.yaml: document") for p in problems)
    assert admission.load_manifests("a: [", "x")[1][0].startswith("x: not valid YAML")


def test_warning_headers_and_denial_wording() -> None:
    assert admission._warnings(['299 - "a \\"quoted\\" warning"', "plain"]) == [
        'a "quoted" warning', "plain"]
    web = ('admission webhook "v.example.com" denied the request: no passwords')
    vap = ("deployments.apps \"x\" is forbidden: ValidatingAdmissionPolicy 'limit' with "
           "binding 'limit-binding' denied request: replicas must be at most 5")
    assert admission.denial_source(web) == "webhook v.example.com"
    assert admission.denial_source(vap) == "ValidatingAdmissionPolicy limit"
    assert admission.reason(web) == "no passwords"
    assert admission.reason(vap) == "replicas must be at most 5"
    assert admission.exit_code([], []) == 0
    assert admission.exit_code([admission.CheckResult("K", "n", "", "denied")], []) == 1
    assert admission.exit_code([admission.CheckResult("K", "n", "", "denied")], ["x"]) == 2


def _cfg(annotations: dict[str, str] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": "kyverno-resource-validating-webhook-cfg"}
    if annotations is not None:
        meta["annotations"] = annotations
    return {"kind": "ValidatingWebhookConfiguration", "metadata": meta, "webhooks": [
        {"name": "a.kyverno.svc", "failurePolicy": "Ignore",
         "clientConfig": {"service": {"name": "kyverno-svc", "namespace": "kyverno"}}},
        {"name": "b.kyverno.svc", "failurePolicy": "Fail",
         "clientConfig": {"service": {"name": "kyverno-svc", "namespace": "kyverno"}}}]}


def test_blocking_rows_and_the_patches() -> None:
    cfg = _cfg()
    rows = webhooks.webhook_rows([cfg], {}, {"kyverno"})
    assert [(r.webhook, r.blocking, r.ready) for r in rows] == [
        ("b.kyverno.svc", True, 0), ("a.kyverno.svc", False, 0)]
    assert webhooks.webhook_rows([cfg], None)[0].ready is None  # unknown, never "blocking"
    row = rows[0]
    patch = webhooks.ignore_patch(cfg, row)
    assert patch == [
        {"op": "test", "path": "/webhooks/1/name", "value": "b.kyverno.svc"},
        {"op": "replace", "path": "/webhooks/1/failurePolicy", "value": "Ignore"},
        {"op": "add", "path": "/metadata/annotations",
         "value": {webhooks.IGNORED_ANNOTATION: "b.kyverno.svc"}}]
    cmd = webhooks.kubectl_command(row, patch)
    assert cmd.startswith("kubectl patch validatingwebhookconfiguration "
                          "kyverno-resource-validating-webhook-cfg --type=json -p '[")
    assert json.loads(cmd.split(" -p ", 1)[1].strip("'")) == patch
    patched = _cfg({webhooks.IGNORED_ANNOTATION: "b.kyverno.svc", "other": "x"})
    patched["webhooks"][1]["failurePolicy"] = "Ignore"
    after = webhooks.webhook_rows([patched], {"kyverno/kyverno-svc": 2})
    mine = next(r for r in after if r.webhook == "b.kyverno.svc")
    assert mine.ignored_by_us and not mine.blocking
    assert webhooks.revert_patch(patched, mine)[-1] == {
        "op": "remove",
        "path": "/metadata/annotations/k8s-essentials-tui.dev~1failure-policy-ignored"}


def test_ready_endpoints_from_slices() -> None:
    slices = [{"metadata": {"namespace": "k", "labels": {"kubernetes.io/service-name": "s"}},
               "endpoints": [{"addresses": ["10.0.0.1"], "conditions": {"ready": True}},
                             {"addresses": ["10.0.0.2"], "conditions": {"ready": False}},
                             {"addresses": ["10.0.0.3"]}]}]
    assert webhooks.ready_endpoints(slices) == {"k/s": 2}


@given(hostile.json_values())
def test_hostile_objects_never_crash_the_parsers(value: object) -> None:
    for fn in (model.kyverno_policy, model.gatekeeper_constraint, model.constraint_results,
               model.report_results, model.kyverno_exemptions, model.gatekeeper_exemptions,
               model.gatekeeper_template_kind):
        fn(value)
    model.vap_policy(value, [value])
    model.gatekeeper_template(value, False)
    webhooks.webhook_rows([value], {}, set())
    webhooks.ready_endpoints([value])


@given(st.text(max_size=200))
def test_any_text_loads_or_reports(text: str) -> None:
    objs, problems = admission.load_manifests(text)
    assert isinstance(objs, list) and isinstance(problems, list)
