"""Grafana Alloy: Grafana's OpenTelemetry Collector distribution, the successor of Promtail
(EOL March 2026) for shipping logs to Loki. Declarative detection: the ``alloy`` workloads
(a DaemonSet by default) and release. Loki without a collector is a board problem."""

from __future__ import annotations

from k8s_essentials_tui.api import ChartRef, Plugin

# https://grafana.github.io/helm-charts, chart alloy; 1.12.1 released August 2026
CHART = ChartRef(
    repo="https://grafana.github.io/helm-charts",
    chart="alloy",
    version="1.12.1",
    namespace="alloy",
    release="alloy",
    values="""\
controller:
  type: daemonset   # one collector per node reads that node's pod logs
alloy:
  mounts:
    varlog: true
""",
)

WORKLOAD_NAMES: tuple[str, ...] = ("alloy",)
SELECTORS: tuple[dict[str, str], ...] = ({"app.kubernetes.io/name": "alloy"},)
CHARTS: tuple[str, ...] = ("alloy",)

PLUGIN = Plugin(
    id="alloy",
    title="Grafana Alloy",
    category="logging",
    why="Ships every pod's logs to Loki; Loki without a collector stays empty.",
    chart=CHART,
    workload_selectors=SELECTORS,
    chart_names=CHARTS,
)
