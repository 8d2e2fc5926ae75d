"""kube-prometheus-stack: Prometheus Operator, Prometheus and Alertmanager (metrics + alerts).

Three things must run: the operator Deployment the chart creates (``app:
kube-prometheus-stack-operator``) and the Prometheus and Alertmanager StatefulSets the
operator creates (``app.kubernetes.io/name: prometheus|alertmanager``,
``app.kubernetes.io/managed-by: prometheus-operator``). A stack without Alertmanager collects
metrics but never notifies anyone, so that is reported as a problem.

The stack's subcharts, node-exporter (a DaemonSet: the usual casualty of a tainted node
pool) and kube-state-metrics, count for health too, but only beside an operator of the
same Helm release (same namespace and ``app.kubernetes.io/instance``): both charts are
often installed on their own, and alone they must not make "Prometheus installed".
"""

from __future__ import annotations

from typing import Any

from k8s_essentials_tui.api import (
    ChartRef,
    ClusterSnapshot,
    Detection,
    Plugin,
    PluginAction,
    PluginCommand,
    Setting,
    detect_workloads,
    find_workloads,
    ready_counts,
    workload_status,
)

CHART = ChartRef(
    repo="https://prometheus-community.github.io/helm-charts",
    chart="kube-prometheus-stack",
    version="93.3.1",
    namespace="monitoring",
    release="kube-prometheus-stack",
    values="""\
grafana:
  enabled: false   # Grafana is its own entry (dashboards)
alertmanager:
  enabled: true
prometheus:
  prometheusSpec:
    retention: 15d
    # pick up ServiceMonitors/PodMonitors/rules from every release, not only this one
    serviceMonitorSelectorNilUsesHelmValues: false
    podMonitorSelectorNilUsesHelmValues: false
    ruleSelectorNilUsesHelmValues: false
""",
)

OPERATOR: dict[str, str] = {"app": "kube-prometheus-stack-operator"}
PROMETHEUS: dict[str, str] = {"app.kubernetes.io/name": "prometheus",
                              "app.kubernetes.io/managed-by": "prometheus-operator"}
ALERTMANAGER: dict[str, str] = {"app.kubernetes.io/name": "alertmanager",
                                "app.kubernetes.io/managed-by": "prometheus-operator"}
#: subcharts of the same release (see the module docstring)
MEMBERS: tuple[dict[str, str], ...] = (
    {"app.kubernetes.io/name": "prometheus-node-exporter"},
    {"app.kubernetes.io/name": "kube-state-metrics"},
)
#: the operator Deployment of current charts is also named
#: ``kube-prometheus-stack-prometheus-operator``; older charts only set ``app``
WORKLOAD_NAMES: tuple[str, ...] = (
    "kube-prometheus-stack-prometheus-operator", "prometheus", "alertmanager",
    "prometheus-node-exporter", "kube-state-metrics",
)
SELECTORS: tuple[dict[str, str], ...] = (OPERATOR, PROMETHEUS, ALERTMANAGER)
INSTANCE = "app.kubernetes.io/instance"
CHARTS: tuple[str, ...] = ("kube-prometheus-stack",)
API_GROUPS: tuple[str, ...] = ("monitoring.coreos.com",)


def detect(snapshot: ClusterSnapshot) -> Detection:
    det = detect_workloads(snapshot, selectors=SELECTORS, charts=CHARTS, api_groups=API_GROUPS)
    if det.installed is not True:
        return det
    for what, selector in (("Prometheus Operator", OPERATOR), ("Prometheus", PROMETHEUS),
                           ("Alertmanager", ALERTMANAGER)):
        if not find_workloads(snapshot, [selector]):
            det.problems.append(f"no {what} running")
            det.healthy = False
    _count_members(snapshot, det)
    return det


def _release_of(workload: dict[str, Any]) -> tuple[str, str] | None:
    meta = workload.get("metadata") or {}
    labels = meta.get("labels") or {}
    instance = labels.get(INSTANCE) or labels.get("release")
    return (meta.get("namespace") or "", instance) if instance else None


def _count_members(snapshot: ClusterSnapshot, det: Detection) -> None:
    releases = {_release_of(w) for w in find_workloads(snapshot, [OPERATOR])} - {None}
    for w in find_workloads(snapshot, MEMBERS):
        if _release_of(w) not in releases:
            continue
        kind, name = w.get("kind"), w["metadata"].get("name")
        det.details.setdefault("workloads", []).append(f"{kind}/{name}")
        det.details.setdefault("workload_status", []).append(workload_status(w))
        ready, desired = ready_counts(w)
        if ready < desired:
            det.healthy = False
            det.problems.append(f"{kind} {name}: {ready}/{desired} ready")


PLUGIN = Plugin(
    id="kube-prometheus-stack",
    title="Prometheus + Alertmanager",
    category="monitoring",
    why="Metrics for every node and pod plus alert rules that page you before users notice.",
    chart=CHART,
    detect=detect,
    api_groups=API_GROUPS,
    workload_selectors=SELECTORS + MEMBERS,
    chart_names=CHARTS,
    pane="k8s_essentials_tui.plugins.monitoring.pane:MonitoringPane",
    actions=(
        PluginAction("monitoring.silence", "Silence the selected alert", "s",
                     "create an Alertmanager silence from the alert's labels", mutating=True),
        PluginAction("monitoring.expire", "Expire the selected silence", "x",
                     "expire an Alertmanager silence", mutating=True),
        PluginAction("monitoring.run", "Run PromQL query", "ctrl+r",
                     "run the PromQL console's query"),
    ),
    commands=(
        PluginCommand(
            "alerts", "list the alerts Alertmanager holds (exit 1 when a matching one fires)",
            "k8s_essentials_tui.plugins.monitoring.alerts_command",
            "List Alertmanager's alerts grouped by alertname/severity/namespace. Exit 1 when "
            "a matching alert fires (not silenced, not inhibited), 0 when none does, 2 on "
            "errors. Alertmanager is reached through the apiserver's service proxy unless "
            "--alertmanager-url or monitoring.alertmanager_url is set."),
        PluginCommand(
            "promql", "run a PromQL query (instant, or --range) and print the result",
            "k8s_essentials_tui.plugins.monitoring.promql_command",
            "Run a PromQL query against Prometheus: instant by default, a range query with "
            "--range DUR [--step DUR]. Exit 2 with Prometheus's own error message. Reached "
            "through the service proxy unless --prometheus-url or "
            "monitoring.prometheus_url is set."),
        PluginCommand(
            "silence", "create or expire an Alertmanager silence (audited, like amtool)",
            "k8s_essentials_tui.plugins.monitoring.silence_command",
            "silence create --matcher 'alertname=X' --duration 2h --comment C [--yes]; "
            "silence expire ID [--yes]. Each is confirmed (or --yes), refused in read-only "
            "mode and written to the audit log with the equivalent amtool command."),
    ),
    aliases=("alerts", "monitoring", "promql", "silences", "targets"),
    settings_table="monitoring",
    settings=(
        Setting("prometheus_url", str, "",
                "direct Prometheus (or Thanos/Mimir) URL; empty = service proxy"),
        Setting("alertmanager_url", str, "",
                "direct Alertmanager URL; empty = service proxy"),
        Setting("tenant", str, "", "X-Scope-OrgID header (Mimir/Cortex/Thanos tenants)"),
        Setting("bearer_token_file", str, "", "file holding a bearer token for direct URLs"),
        Setting("username", str, "", "basic-auth user for direct URLs"),
        Setting("password_file", str, "", "file holding the basic-auth password"),
    ),
)
