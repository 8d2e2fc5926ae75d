"""OpenTelemetry Collector: receives, processes and exports traces (and metrics and logs),
beside Jaeger v2 (itself built on the Collector). Declarative detection: the
``opentelemetry-collector`` workloads and release."""

from __future__ import annotations

from k8s_essentials_tui.api import ChartRef, Plugin

# https://open-telemetry.github.io/opentelemetry-helm-charts, chart 0.173.1 (2026); the
# chart requires ``mode`` and ``image.repository``
CHART = ChartRef(
    repo="https://open-telemetry.github.io/opentelemetry-helm-charts",
    chart="opentelemetry-collector",
    version="0.173.1",
    namespace="opentelemetry",
    release="otel-collector",
    values="""\
mode: deployment
image:
  repository: otel/opentelemetry-collector-k8s
replicaCount: 2
""",
)

WORKLOAD_NAMES: tuple[str, ...] = ("opentelemetry-collector",)
SELECTORS: tuple[dict[str, str], ...] = (
    {"app.kubernetes.io/name": "opentelemetry-collector"},)
CHARTS: tuple[str, ...] = ("opentelemetry-collector",)

PLUGIN = Plugin(
    id="opentelemetry-collector",
    title="OpenTelemetry Collector",
    category="tracing",
    why="One OTLP endpoint for every app: receives traces and routes them to Jaeger.",
    chart=CHART,
    workload_selectors=SELECTORS,
    chart_names=CHARTS,
    aliases=("otel", "otelcol"),
)
