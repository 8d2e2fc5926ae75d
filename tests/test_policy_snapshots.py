"""SVG snapshots of the policy pane (policies, violations by policy, a resource's results,
the admission webhooks) at 80x24 and 120x40, on the real apiserver with fixed names; reports
and constraint status are written as Kyverno and Gatekeeper write them
(testkit.policy_engines). The webhooks view lists every configuration of the (shared)
cluster, so its snapshot filters to this test's own, named with ``HOOK_PREFIX``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from k8s_essentials_tui.api import VirtualTable
from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.plugins.policy import webhooks
from k8s_essentials_tui.plugins.policy.detail import ResourceResultsScreen
from k8s_essentials_tui.plugins.policy.pane import PolicyPane
from testkit import policy_engines as pe
from testkit.admission_webhook import replica_limit_policy
from testkit.kube import KubeAdmin
from tests.conftest import FIXED_NOW

pytestmark = pytest.mark.e2e
SIZES = [(80, 24), (120, 40)]
NS = "policy-snapshots"  # fixed: names are shown on screen
KIND = "K8sRequiredLabels"
VAP_API = "admissionregistration.k8s.io/v1"
HOOK_PREFIX = "snap-hook-"
#: rules no real request matches: a Fail webhook of this test never blocks another test
NO_MATCH = [{"apiGroups": ["snapshots.example.com"], "apiVersions": ["v1"],
             "operations": ["CREATE"], "resources": ["widgets"]}]


def _deploy(name: str) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "name": name, "namespace": NS,
            "uid": f"00000000-0000-0000-0000-{name.encode().hex()[:12]:0>12}"}


@pytest.fixture
def seeded(kube_admin: KubeAdmin) -> Iterator[None]:
    kube_admin.delete_namespace(NS)
    kube_admin.create_namespace(NS)
    pols = [pe.kyverno_cluster_policy("require-team-label", action="Audit", rules=2),
            pe.kyverno_cluster_policy("disallow-privileged", action="Enforce"),
            pe.kyverno_cluster_policy("require-probes", action="Audit", background=False)]
    for p in pols:
        kube_admin.apply(p)
        pe.kyverno_ready(kube_admin, p)
    reports = {
        "storefront": [pe.result("require-team-label", "check-team", "fail",
                                 "validation error: label 'team' is required. rule "
                                 "check-team failed at path /metadata/labels/team/",
                                 severity="high"),
                       pe.result("disallow-privileged", "privileged", "pass", "ok"),
                       pe.result("require-probes", "readiness", "warn",
                                 "container web has no readinessProbe", severity="low")],
        "payments-api": [pe.result("require-team-label", "check-team", "fail",
                                   "validation error: label 'team' is required.",
                                   severity="high"),
                         pe.result("disallow-privileged", "privileged", "fail",
                                   "privileged containers are not allowed: sidecar",
                                   severity="critical")],
        "checkout": [pe.result("require-team-label", "check-team", "pass", "ok"),
                     pe.result("require-probes", "readiness", "pass", "ok")],
    }
    for name, results in reports.items():
        kube_admin.apply(pe.policy_report(NS, _deploy(name), results))
    pe.install_template(kube_admin, KIND)
    kube_admin.apply(pe.constraint(KIND, "ns-must-have-owner", action="dryrun"))
    violations = [{"kind": "Namespace", "name": f"team-{i:02d}", "message":
                   'you must provide labels: {"owner"}', "enforcementAction": "dryrun"}
                  for i in range(20)]
    violations[0]["name"] = NS
    kube_admin.patch_status("constraints.gatekeeper.sh/v1beta1", KIND.lower(), None,
                            "ns-must-have-owner", pe.audit_status(violations, total=37))
    vap, binding = replica_limit_policy("replica-limit", namespace_labels={"none": "none"})
    kube_admin.apply(vap)
    kube_admin.apply(binding)
    yield
    kube_admin.delete(VAP_API, "ValidatingAdmissionPolicyBinding", binding["metadata"]["name"])
    kube_admin.delete(VAP_API, "ValidatingAdmissionPolicy", "replica-limit")
    for p in pols:
        kube_admin.delete("kyverno.io/v1", "ClusterPolicy", p["metadata"]["name"])
    kube_admin.delete("constraints.gatekeeper.sh/v1beta1", KIND, "ns-must-have-owner")
    kube_admin.delete("templates.gatekeeper.sh/v1", "ConstraintTemplate", KIND.lower())
    kube_admin.delete("apiextensions.k8s.io/v1", "CustomResourceDefinition",
                      f"{KIND.lower()}.constraints.gatekeeper.sh")
    kube_admin.delete_namespace(NS)


def _app(kubeconfig: str) -> EssentialsApp:
    return EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=NS, now=FIXED_NOW))


async def _until(pilot: Any, predicate: Any) -> None:
    for _ in range(600):
        if predicate():
            return
        await pilot.pause(0.05)
    raise AssertionError("the screen did not reach the expected state")


async def _open(app: EssentialsApp, pilot: Any) -> PolicyPane:
    await _until(pilot, lambda: app.session is not None)
    app.open_plugin("kyverno")
    await _until(pilot, lambda: bool(app.screen.query(PolicyPane)))
    pane = app.screen.query_one(PolicyPane)
    # 3 Kyverno policies, the template, the constraint and the VAP
    await _until(pilot, lambda: pane._discovered and len(pane.inventory.policies) == 6
                 and len(pane.inventory.results) == 5)
    await pilot.pause(0.3)
    return pane


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_policies(snap_compare, seeded, kubeconfig, size) -> None:  # type: ignore[no-untyped-def]
    app = _app(kubeconfig)

    async def run_before(pilot: Any) -> None:
        await _open(app, pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_violations(snap_compare, seeded, kubeconfig, size) -> None:  # type: ignore[no-untyped-def]
    app = _app(kubeconfig)

    async def run_before(pilot: Any) -> None:
        await _open(app, pilot)
        await pilot.press("2")
        await pilot.pause(0.3)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_resource_results(snap_compare, seeded, kubeconfig, size) -> None:  # type: ignore[no-untyped-def]
    app = _app(kubeconfig)

    async def run_before(pilot: Any) -> None:
        await _open(app, pilot)
        await pilot.press("2", "b", "b")  # by resource
        table = app.screen.query_one("#policy-table", VirtualTable)
        await pilot.press("j")  # the first result under the first resource
        assert table.cursor_row == 1
        await pilot.press("enter")
        await _until(pilot, lambda: isinstance(app.screen, ResourceResultsScreen))
        await pilot.pause(0.3)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def _hook(name: str, failure: str, client: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "clientConfig": client, "rules": NO_MATCH,
            "failurePolicy": failure, "sideEffects": "None",
            "admissionReviewVersions": ["v1"]}


@pytest.fixture
def hooks(kube_admin: KubeAdmin) -> Iterator[None]:
    """A Kyverno-like Fail webhook whose service has no endpoint (BLOCKING), a Gatekeeper-
    like one this app switched to Ignore (one ready endpoint), and a URL webhook (endpoints
    unknown); in their own namespace, matching nothing."""
    kube_admin.delete_namespace(NS)
    kube_admin.create_namespace(NS)
    configs = [
        {"apiVersion": VAP_API, "kind": "ValidatingWebhookConfiguration",
         "metadata": {"name": f"{HOOK_PREFIX}kyverno-resource"},
         "webhooks": [_hook("validate.kyverno.svc-fail", "Fail",
                            {"service": {"namespace": NS, "name": "kyverno-svc"}})]},
        {"apiVersion": VAP_API, "kind": "ValidatingWebhookConfiguration",
         "metadata": {"name": f"{HOOK_PREFIX}gatekeeper",
                      "annotations": {webhooks.IGNORED_ANNOTATION:
                                      "validation.gatekeeper.sh"}},
         "webhooks": [_hook("validation.gatekeeper.sh", "Ignore",
                            {"service": {"namespace": NS,
                                         "name": "gatekeeper-webhook-service"}})]},
        {"apiVersion": VAP_API, "kind": "MutatingWebhookConfiguration",
         "metadata": {"name": f"{HOOK_PREFIX}sidecar-injector"},
         "webhooks": [_hook("inject.example.dev", "Fail",
                            {"url": "https://127.0.0.1:9/mutate"})]},
    ]
    for c in configs:
        kube_admin.apply(c)
    kube_admin.apply({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                      "metadata": {"name": "gatekeeper-webhook-service-1", "namespace": NS,
                                   "labels": {"kubernetes.io/service-name":
                                              "gatekeeper-webhook-service"}},
                      "addressType": "IPv4",
                      "endpoints": [{"addresses": ["10.0.0.9"],
                                     "conditions": {"ready": True}}]})
    yield
    for c in configs:
        kube_admin.delete(VAP_API, c["kind"], c["metadata"]["name"])
    kube_admin.delete_namespace(NS)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_webhooks(snap_compare, hooks, kubeconfig, size) -> None:  # type: ignore[no-untyped-def]
    app = _app(kubeconfig)

    def rows() -> list[str]:
        table = app.screen.query_one("#policy-table", VirtualTable)
        return [" ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]

    async def run_before(pilot: Any) -> None:
        await _until(pilot, lambda: app.session is not None)
        app.open_plugin("kyverno")
        await _until(pilot, lambda: bool(app.screen.query(PolicyPane)))
        await pilot.press("3", "slash", *HOOK_PREFIX, "enter")
        # the three, with the endpoints of their namespace read
        await _until(pilot, lambda: len(rows()) == 3 and "BLOCKING" in " ".join(rows())
                     and any(" 1 " in r for r in rows()))
        await pilot.press("j")  # the cursor off the first row, its detail below
        await pilot.pause(0.3)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
