"""Gateway API health on an implementation's row: GatewayClasses (Accepted), Gateways
(Accepted, Programmed) and HTTPRoutes (per parent, Accepted, ResolvedRefs) of that controller
only. Unit tests over hand-made lists, and ``report`` against the real apiserver with the
standard-channel CRDs (testkit/crds/gateway-api.yaml) and Gateways in both conditions."""

from __future__ import annotations

import json
from typing import Any

import pytest

from k8s_essentials_tui.cli import main
from k8s_essentials_tui.detection.evaluate import evaluate
from k8s_essentials_tui.detection.snapshot import ClusterSnapshot
from k8s_essentials_tui.gateway_api import GATEWAYCLASSES, GATEWAYS, HTTPROUTES, gateway_health
from k8s_essentials_tui.registry import load_registry
from testkit.hostile import NASTY
from testkit.kube import KubeAdmin

ENVOY = "gateway.envoyproxy.io/gatewayclass-controller"
CONTROLLER_LABELS = {"control-plane": "envoy-gateway",
                     "app.kubernetes.io/name": "gateway-helm"}


def cond(kind: str, status: str, reason: str = "", message: str = "") -> dict[str, str]:
    return {"type": kind, "status": status, "reason": reason or kind, "message": message,
            "lastTransitionTime": "2026-12-06T10:00:00Z"}


def gclass(name: str, controller: str, accepted: str = "True") -> dict[str, Any]:
    return {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass",
            "metadata": {"name": name}, "spec": {"controllerName": controller},
            "status": {"conditions": [cond("Accepted", accepted)]}}


def gateway(name: str, ns: str, cls: str, programmed: str, message: str = "") -> dict[str, Any]:
    return {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
            "metadata": {"name": name, "namespace": ns},
            "spec": {"gatewayClassName": cls,
                     "listeners": [{"name": "http", "port": 80, "protocol": "HTTP"}]},
            "status": {"conditions": [cond("Accepted", "True"),
                                      cond("Programmed", programmed,
                                           "AddressNotAssigned" if programmed != "True"
                                           else "Programmed", message)]}}


def route(name: str, ns: str, controller: str, resolved: str) -> dict[str, Any]:
    return {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
            "metadata": {"name": name, "namespace": ns},
            "spec": {"parentRefs": [{"name": "web"}]},
            "status": {"parents": [{"parentRef": {"name": "web"}, "controllerName": controller,
                                    "conditions": [cond("Accepted", "True"),
                                                   cond("ResolvedRefs", resolved,
                                                        "BackendNotFound")]}]}}


def snapshot(**extra: list[dict[str, Any]]) -> ClusterSnapshot:
    return ClusterSnapshot(extra={
        GATEWAYCLASSES.qualified: extra.get("classes", []),
        GATEWAYS.qualified: extra.get("gateways", []),
        HTTPROUTES.qualified: extra.get("routes", [])})


def test_only_this_controllers_objects_count() -> None:
    snap = snapshot(
        classes=[gclass("eg", ENVOY), gclass("other", "example.com/ctrl", accepted="False")],
        gateways=[gateway("web", "apps", "eg", "True"),
                  gateway("down", "apps", "eg", "False", "no address yet"),
                  gateway("theirs", "apps", "other", "False")],
        routes=[route("r1", "apps", ENVOY, "False"), route("r2", "apps", "x.io/y", "False")])
    health = gateway_health(snap, [ENVOY])
    assert (health["classes"], health["gateways"], health["routes"]) == (1, 2, 1)
    assert health["problems"] == [
        "Gateway apps/down not programmed (AddressNotAssigned: no address yet)",
        "HTTPRoute apps/r1 not resolvedrefs (BackendNotFound)"]
    assert gateway_health(snapshot(), [ENVOY])["problems"] == []


def test_hostile_condition_text_reaches_problems_as_data() -> None:
    """A condition message is the controller's (or an attacker's) text: it reaches the
    problem string verbatim here; the board and report print it through the text
    boundary (``clean``), which the hostile suite checks for every problem."""
    from k8s_essentials_tui.text import clean

    for bad in NASTY:
        snap = snapshot(classes=[gclass("eg", ENVOY)],
                        gateways=[gateway("g", "apps", "eg", "False", bad)])
        (problem,) = gateway_health(snap, [ENVOY])["problems"]
        assert "\x1b" not in clean(problem)


def test_an_unprogrammed_gateway_makes_the_implementation_unhealthy() -> None:
    plugins = load_registry(third_party=False).ordered()
    snap = snapshot(classes=[gclass("eg", ENVOY)],
                    gateways=[gateway("down", "apps", "eg", "False")])
    snap.workloads = [{"apiVersion": "apps/v1", "kind": "Deployment",
                       "metadata": {"name": "envoy-gateway", "namespace": "envoy-gateway-system",
                                    "labels": CONTROLLER_LABELS},
                       "spec": {"replicas": 1}, "status": {"readyReplicas": 1}}]
    det = evaluate(plugins, snap)["envoy-gateway"]
    assert det.installed is True and det.healthy is False
    assert det.problems == ["Gateway apps/down not programmed (AddressNotAssigned)"]
    assert det.details["gateway_api"] == {"classes": 1, "gateways": 1, "routes": 0}
    # Traefik sees none of Envoy's objects
    assert evaluate(plugins, snap)["traefik"].problems == []


@pytest.mark.e2e
def test_report_with_gateways_in_both_conditions(capsys: pytest.CaptureFixture[str],
                                                 kubeconfig: str, namespace: str,
                                                 kube_admin: KubeAdmin) -> None:
    served = {r.plural for r in kube_admin.discover()
              if r.group_version == "gateway.networking.k8s.io/v1"}
    if "gateways" not in served:
        pytest.skip("the Gateway API CRDs are not installed (testkit/crds/gateway-api.yaml)")
    labels = {**CONTROLLER_LABELS, "app.kubernetes.io/instance": namespace}
    kube_admin.create({"apiVersion": "apps/v1", "kind": "Deployment",
                       "metadata": {"name": "envoy-gateway", "namespace": namespace,
                                    "labels": labels},
                       "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                                "template": {"metadata": {"labels": labels},
                                             "spec": {"containers": [{
                                                 "name": "envoy-gateway",
                                                 "image": "envoyproxy/gateway:v1.9.1"}]}}}})
    kube_admin.patch("apps/v1", "deployments", "envoy-gateway",
                     {"status": {"replicas": 1, "readyReplicas": 1, "availableReplicas": 1,
                                 "updatedReplicas": 1}}, namespace, subresource="status")
    cls = f"eg-{namespace}"[:63]
    objects = [gclass(cls, ENVOY), gateway("ready", namespace, cls, "True"),
               gateway("pending", namespace, cls, "False", "no address yet")]
    try:
        for obj in objects:
            status = obj.pop("status")
            kube_admin.create(obj)
            kube_admin.apply_status({**obj, "status": status})
        capsys.readouterr()
        code = main(["report", "--kubeconfig", kubeconfig, "-o", "json"])
        out, err = capsys.readouterr()
        assert code == 0, err
        (row,) = [c for c in json.loads(out)["components"] if c["id"] == "envoy-gateway"]
        assert row["installed"] is True and row["healthy"] is False
        mine = [p for p in row["problems"] if namespace in p]
        assert mine == [f"Gateway {namespace}/pending not programmed "
                        "(AddressNotAssigned: no address yet)"]
    finally:
        kube_admin.delete("gateway.networking.k8s.io/v1", "GatewayClass", cls)
