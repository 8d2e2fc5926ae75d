"""Jaeger: distributed tracing (where did this request spend its 3 seconds?).

The ``jaeger`` chart (v4+, Jaeger v2 on the OpenTelemetry Collector) labels its workloads
``app.kubernetes.io/name: jaeger``; the separate ``jaeger-operator`` chart owns the
``jaegertracing.io`` CRDs and runs ``app.kubernetes.io/name: jaeger-operator``.
"""

from __future__ import annotations

from k8s_essentials_tui.api import ChartRef, Plugin

CHART = ChartRef(
    repo="https://jaegertracing.github.io/helm-charts",
    chart="jaeger",
    version="4.1.0",
    namespace="jaeger",
    release="jaeger",
    values="""\
# all-in-one with in-memory storage: good to start tracing, traces are lost on restart;
# configure Elasticsearch/OpenSearch/Cassandra storage before relying on history
jaeger:
  resources:
    requests:
      cpu: 100m
      memory: 256Mi
    limits:
      memory: 1Gi
""",
)

WORKLOAD_NAMES: tuple[str, ...] = ("jaeger", "jaeger-operator")
SELECTORS: tuple[dict[str, str], ...] = tuple(
    {"app.kubernetes.io/name": name} for name in WORKLOAD_NAMES
)
CHARTS: tuple[str, ...] = ("jaeger", "jaeger-operator")
API_GROUPS: tuple[str, ...] = ("jaegertracing.io",)


PLUGIN = Plugin(
    id="jaeger",
    title="Jaeger",
    category="tracing",
    why="Follows one request across services to show which hop is slow or failing.",
    chart=CHART,
    api_groups=API_GROUPS,
    chart_names=CHARTS,
    workload_selectors=SELECTORS,
)
