"""Jaeger: distributed tracing (where did this request spend its 3 seconds?).

Catalog entry and detection here (no Textual, no HTTP imports); ``client.py`` speaks Jaeger's
query API (through the apiserver's service proxy by default), ``model.py`` turns its answers
into span trees, ``waterfall.py`` lays them out, ``pane.py`` is the tracing pane and
``traces_command.py``/``trace_command.py`` are the headless commands.

The ``jaeger`` chart (v4+, Jaeger v2 on the OpenTelemetry Collector) labels its workloads
``app.kubernetes.io/name: jaeger``; the separate ``jaeger-operator`` chart owns the
``jaegertracing.io`` CRDs and runs ``app.kubernetes.io/name: jaeger-operator``.
"""

from __future__ import annotations

from k8s_essentials_tui.api import ChartRef, Plugin, PluginAction, PluginCommand, Setting

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
    pane="k8s_essentials_tui.plugins.jaeger.pane:TracingPane",
    actions=(
        PluginAction("jaeger.search", "Search traces", "ctrl+r", "run the trace search"),
        PluginAction("jaeger.logs", "Logs of this span", "l",
                     "open the Loki pane with this span's service logs in its time window"),
    ),
    commands=(
        PluginCommand(
            "traces", "search Jaeger for traces of a service",
            "k8s_essentials_tui.plugins.jaeger.traces_command",
            "Search traces by service, operation, tags and duration. Text output: one row "
            "per trace (start, id, root, duration, spans, errors, services). Jaeger is "
            "reached through the apiserver's service proxy unless --jaeger-url or "
            "jaeger.url is set. Exit 2 with Jaeger's message on errors; with "
            "--fail-on-errors exit 1 when a found trace has an error span."),
        PluginCommand(
            "trace", "print one trace as a waterfall",
            "k8s_essentials_tui.plugins.jaeger.trace_command",
            "Print a trace: a header and one line per span ('!' error, '*' critical path, "
            "indentation for the tree, a bar scaled to the trace). -o json gives every span "
            "with its tags, logs and process. Exit 2 with Jaeger's message (an unknown id: "
            "'trace not found')."),
    ),
    settings=(
        Setting("url", str, "", "direct Jaeger query URL; empty = discover the query "
                "Service and go through the apiserver's service proxy"),
        Setting("api", str, "auto", "auto, v1 (/api/traces) or v3 (/api/v3/traces)"),
        Setting("bearer_token_file", str, "", "file holding a bearer token for a direct URL"),
        Setting("username", str, "", "basic-auth user for a direct URL"),
        Setting("password_file", str, "", "file holding the basic-auth password"),
        Setting("logs_service_label", str, "service_name",
                "Loki label holding the service name ('l' on a span queries it)"),
        Setting("logs_trace_filter", bool, True,
                "'l' on a span adds the trace id as a line filter (logs carry trace ids)"),
    ),
)
