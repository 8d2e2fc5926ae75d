"""Grafana: dashboards over Prometheus, Loki and Jaeger.

Since 2026 the chart is maintained in grafana-community/helm-charts (the grafana.github.io
repository no longer receives it). The Grafana bundled by kube-prometheus-stack carries the
same ``app.kubernetes.io/name: grafana`` label and counts as installed.
"""

from __future__ import annotations

from k8s_essentials_tui.api import ChartRef, Plugin

CHART = ChartRef(
    repo="https://grafana-community.github.io/helm-charts",
    chart="grafana",
    version="12.10.3",
    namespace="monitoring",
    release="grafana",
    values="""\
persistence:
  enabled: true
  size: 10Gi
sidecar:
  dashboards:
    enabled: true          # load dashboards from labelled ConfigMaps
    searchNamespace: ALL
  datasources:
    enabled: true
datasources:
  datasources.yaml:
    apiVersion: 1
    datasources:
      - name: Prometheus
        type: prometheus
        url: http://kube-prometheus-stack-prometheus.monitoring.svc:9090
        isDefault: true
""",
)

WORKLOAD_NAMES: tuple[str, ...] = ("grafana",)
SELECTORS: tuple[dict[str, str], ...] = ({"app.kubernetes.io/name": "grafana"},)
CHARTS: tuple[str, ...] = ("grafana",)
#: no CRDs (the separate grafana-operator is not this chart)
API_GROUPS: tuple[str, ...] = ()


PLUGIN = Plugin(
    id="grafana",
    title="Grafana",
    category="dashboards",
    why="One place to look during an incident: metrics, logs and traces side by side.",
    chart=CHART,
    api_groups=API_GROUPS,
    chart_names=CHARTS,
    workload_selectors=SELECTORS,
)
