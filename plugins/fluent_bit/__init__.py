"""Fluent Bit: a log processor and forwarder (fluent/helm-charts), a collector for Loki or
any other backend. Declarative detection: the ``fluent-bit`` DaemonSet and release."""

from __future__ import annotations

from k8s_essentials_tui.api import ChartRef, Plugin

# https://fluent.github.io/helm-charts, chart fluent-bit 0.58.1 (Fluent Bit 5.1, 2026)
CHART = ChartRef(
    repo="https://fluent.github.io/helm-charts",
    chart="fluent-bit",
    version="0.58.1",
    namespace="logging",
    release="fluent-bit",
    values="""\
kind: DaemonSet
config:
  outputs: |
    [OUTPUT]
        Name        loki
        Match       kube.*
        Host        loki-gateway.loki.svc
        Port        80
""",
)

WORKLOAD_NAMES: tuple[str, ...] = ("fluent-bit",)
SELECTORS: tuple[dict[str, str], ...] = ({"app.kubernetes.io/name": "fluent-bit"},)
CHARTS: tuple[str, ...] = ("fluent-bit",)

PLUGIN = Plugin(
    id="fluent-bit",
    title="Fluent Bit",
    category="logging",
    why="Collects and forwards every node's container logs with a small footprint.",
    chart=CHART,
    workload_selectors=SELECTORS,
    chart_names=CHARTS,
)
