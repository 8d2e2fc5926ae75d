"""Checks across components (pure, hand-made snapshots): a component inside another release
is "provided by" it and not offered for install; a second Flux/Argo CD, two controllers on
one IngressClass and Loki without a collector are problems; today's alternatives
(Gateway API implementations, collectors, OpenTelemetry) are detected declaratively."""

from __future__ import annotations

from typing import Any

import pytest

from k8s_essentials_tui.catalog_checks import install_refusal
from k8s_essentials_tui.detection.evaluate import evaluate
from k8s_essentials_tui.detection.snapshot import ClusterSnapshot
from k8s_essentials_tui.lifecycle import lifecycle_cell
from k8s_essentials_tui.registry import load_registry
from k8s_essentials_tui.widgets.summary import overview
from tests.conftest import rich_plain

REG = load_registry(third_party=False)
PLUGINS = REG.ordered()


def workload(name: str, ns: str, labels: dict[str, str], *, kind: str = "Deployment",
             args: list[str] | None = None, ready: int = 1) -> dict[str, Any]:
    container: dict[str, Any] = {"name": "main", "image": f"example/{name}:1.0.0"}
    if args:
        container["args"] = args
    status = ({"numberReady": ready, "desiredNumberScheduled": 1} if kind == "DaemonSet"
              else {"readyReplicas": ready})
    return {"apiVersion": "apps/v1", "kind": kind,
            "metadata": {"name": name, "namespace": ns, "labels": labels},
            "spec": {"replicas": 1, "template": {"spec": {"containers": [container]}}},
            "status": status}


def release(name: str, ns: str, chart: str, version: str = "1.0.0") -> dict[str, Any]:
    return {"name": name, "namespace": ns, "chart": chart, "chart_version": version,
            "app_version": version, "status": "deployed", "revision": 1}


KPS = [
    workload("kps-operator", "monitoring",
             {"app": "kube-prometheus-stack-operator", "release": "kps",
              "app.kubernetes.io/instance": "kps"}),
    workload("prometheus-kps", "monitoring",
             {"app.kubernetes.io/name": "prometheus",
              "app.kubernetes.io/managed-by": "prometheus-operator"}, kind="StatefulSet"),
    workload("alertmanager-kps", "monitoring",
             {"app.kubernetes.io/name": "alertmanager",
              "app.kubernetes.io/managed-by": "prometheus-operator"}, kind="StatefulSet"),
    workload("kps-grafana", "monitoring", {"app.kubernetes.io/name": "grafana",
                                           "app.kubernetes.io/instance": "kps"}),
]


def test_grafana_inside_kube_prometheus_stack_is_provided_not_offered() -> None:
    snap = ClusterSnapshot(workloads=KPS,
                           helm_releases=[release("kps", "monitoring",
                                                  "kube-prometheus-stack", "93.3.1")])
    dets = evaluate(PLUGINS, snap)
    grafana = dets["grafana"]
    assert grafana.installed is True
    assert grafana.details["provided_by"] == {"release": "kps", "namespace": "monitoring",
                                              "chart": "kube-prometheus-stack"}
    # the overview says where it comes from
    text = " ".join(rich_plain(overview(REG.get("grafana"), grafana), 140).split())
    assert "Release provided by release monitoring/kps (chart kube-prometheus-stack)" in text
    why = install_refusal(REG.get("grafana"), grafana)
    assert why is not None and "provided by release monitoring/kps" in why
    # the stack itself runs from its own chart: nothing to refuse
    assert "provided_by" not in dets["kube-prometheus-stack"].details
    assert install_refusal(REG.get("kube-prometheus-stack"),
                           dets["kube-prometheus-stack"]) is None


def test_grafana_from_its_own_chart_is_its_own() -> None:
    snap = ClusterSnapshot(
        workloads=[workload("grafana", "monitoring", {"app.kubernetes.io/name": "grafana",
                                                      "app.kubernetes.io/instance": "graf"})],
        helm_releases=[release("graf", "monitoring", "grafana", "12.10.3")])
    det = evaluate(PLUGINS, snap)["grafana"]
    assert "provided_by" not in det.details and install_refusal(REG.get("grafana"), det) is None


def argocd(ns: str) -> list[dict[str, Any]]:
    def labels(name: str, comp: str) -> dict[str, str]:
        return {"app.kubernetes.io/name": name, "app.kubernetes.io/component": comp,
                "app.kubernetes.io/part-of": "argocd"}
    return [workload("argocd-server", ns, labels("argocd-server", "server")),
            workload("argocd-repo-server", ns, labels("argocd-repo-server", "repo-server")),
            workload("argocd-application-controller", ns,
                     labels("argocd-application-controller", "application-controller"),
                     kind="StatefulSet")]


def test_a_second_argo_cd_is_a_problem() -> None:
    one = evaluate(PLUGINS, ClusterSnapshot(workloads=argocd("argocd")))["argocd"]
    assert not [p for p in one.problems if "installations" in p]
    two = evaluate(PLUGINS, ClusterSnapshot(workloads=argocd("argocd") + argocd("team-b")))
    assert "2 Argo CD installations (argocd, team-b)" in "; ".join(two["argocd"].problems)


NGINX = {"app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller"}
F5 = {"app.kubernetes.io/name": "nginx-ingress"}


@pytest.mark.parametrize(("f5_args", "clash"), [
    (None, True),                                   # both default to the class "nginx"
    (["-ingress-class=nginx"], True),
    (["-ingress-class=internal"], False),
])
def test_two_controllers_claiming_one_ingress_class(f5_args: list[str] | None,
                                                    clash: bool) -> None:
    snap = ClusterSnapshot(workloads=[
        workload("ingress-nginx-controller", "ingress-nginx", NGINX),
        workload("nginx-ingress-controller", "nginx-ingress", F5, args=f5_args)])
    dets = evaluate(PLUGINS, snap)
    for pid in ("ingress-nginx", "nginx-ingress"):
        found = [p for p in dets[pid].problems if p.startswith("IngressClass nginx")]
        assert bool(found) is clash, pid
    if clash:
        assert "ingress-nginx in ingress-nginx, nginx-ingress in nginx-ingress" in found[0]


LOKI = workload("loki", "loki", {"app.kubernetes.io/name": "loki",
                                 "app.kubernetes.io/component": "single-binary"},
                kind="StatefulSet")


def test_loki_without_a_collector_is_a_problem() -> None:
    alone = evaluate(PLUGINS, ClusterSnapshot(workloads=[LOKI]))
    if alone["loki"].installed is not True:
        pytest.skip("the Loki plugin's selectors changed; see plugins/loki")
    assert any(p.startswith("Loki installed, no collector") for p in alone["loki"].problems)
    alloy = workload("alloy", "alloy", {"app.kubernetes.io/name": "alloy"}, kind="DaemonSet")
    fed = evaluate(PLUGINS, ClusterSnapshot(workloads=[LOKI, alloy]))
    assert fed["alloy"].installed is True
    assert not any("no collector" in p for p in fed["loki"].problems)


@pytest.mark.parametrize(("pid", "labels", "kind"), [
    ("envoy-gateway", {"control-plane": "envoy-gateway",
                       "app.kubernetes.io/name": "gateway-helm"}, "Deployment"),
    ("nginx-gateway-fabric", {"app.kubernetes.io/name": "nginx-gateway-fabric"}, "Deployment"),
    ("traefik", {"app.kubernetes.io/name": "traefik"}, "Deployment"),
    ("alloy", {"app.kubernetes.io/name": "alloy"}, "DaemonSet"),
    ("fluent-bit", {"app.kubernetes.io/name": "fluent-bit"}, "DaemonSet"),
    ("promtail", {"app.kubernetes.io/name": "promtail"}, "DaemonSet"),
    ("opentelemetry-collector", {"app.kubernetes.io/name": "opentelemetry-collector"},
     "Deployment"),
])
def test_todays_alternatives_are_detected(pid: str, labels: dict[str, str], kind: str) -> None:
    snap = ClusterSnapshot(workloads=[workload(pid, pid, labels, kind=kind)])
    det = evaluate(PLUGINS, snap)[pid]
    assert det.installed is True and det.healthy is True and det.namespace == pid
    # absent: missing, not an error
    assert evaluate(PLUGINS, ClusterSnapshot())[pid].installed is False


def test_promtail_is_end_of_life_and_not_installable() -> None:
    promtail = REG.get("promtail")
    assert promtail is not None and promtail.chart is None
    snap = ClusterSnapshot(workloads=[workload("promtail", "loki",
                                               {"app.kubernetes.io/name": "promtail"},
                                               kind="DaemonSet")])
    text, style = lifecycle_cell(promtail, evaluate(PLUGINS, snap)["promtail"])
    assert text == "end of life" and "orange" in style


def test_hostile_chart_and_object_names_stay_data() -> None:
    """A release record's chart name and a manifest's object names are the cluster's text:
    through the overview and ``report -o text`` they arrive cleaned (no ESC, no markup)."""
    from k8s_essentials_tui.commands.report import report_text
    from testkit.hostile import WORST

    snap = ClusterSnapshot(workloads=KPS, helm_releases=[
        release("kps", "monitoring", WORST),
        {**release("stack", "monitoring", "kube-prometheus-stack"), "removed_apis": [
            {"kind": "Ingress", "name": WORST, "api_version": "extensions/v1beta1",
             "replacement": "networking.k8s.io/v1", "removed_in": "1.22"}]}])
    dets = evaluate(PLUGINS, snap)
    grafana = dets["grafana"]
    assert grafana.details["provided_by"]["chart"] == WORST
    shown = rich_plain(overview(REG.get("grafana"), grafana), 200)
    assert "\x1b" not in shown and "[/]x" in shown  # markup shown, not parsed
    lines = report_text(PLUGINS, dets, snap)
    assert lines and not any("\x1b" in line for line in lines)
    assert any("uses removed APIs" in line for line in lines)


@pytest.mark.parametrize("bad", [5, {"a": 1}, ["x", 3], None, "--ingress-class=x"])
def test_malformed_args_and_labels_do_not_break_the_checks(bad: object) -> None:
    w = workload("ingress-nginx-controller", "ingress-nginx", NGINX)
    w["spec"]["template"]["spec"]["containers"][0]["args"] = bad
    w["metadata"]["labels"] = {**NGINX, "app.kubernetes.io/instance": bad}
    snap = ClusterSnapshot(workloads=[w], helm_releases=[
        release("x", "ingress-nginx", "other-chart"), {"name": bad, "namespace": 3}])
    det = evaluate(PLUGINS, snap)["ingress-nginx"]
    assert det.installed is True
    assert not any(p.startswith("detection failed") for p in det.problems)
