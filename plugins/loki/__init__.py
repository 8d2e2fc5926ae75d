"""Loki: Grafana's log store. Catalog entry and detection (no Textual, no HTTP imports).

The pane (``pane.py``) is an Explore-like LogQL console reached through the apiserver's
service proxy; ``client.py`` speaks Loki's HTTP API; ``logql.py`` holds the pure editor logic.
"""

from __future__ import annotations

from k8s_essentials_tui.api import (
    ChartRef,
    ClusterSnapshot,
    Detection,
    Plugin,
    PluginAction,
    PluginCommand,
    Setting,
    detect_workloads,
)

CHART = ChartRef(
    repo="https://grafana.github.io/helm-charts",
    chart="loki",
    version="6.55.0",
    namespace="loki",
    release="loki",
    # Monolithic ("single binary") Loki with filesystem storage: the smallest setup that
    # keeps logs across restarts; switch storage to S3/GCS before relying on it.
    values="""\
deploymentMode: SingleBinary
loki:
  auth_enabled: false
  commonConfig:
    replication_factor: 1
  storage:
    type: filesystem
  schemaConfig:
    configs:
      - from: "2024-04-01"
        store: tsdb
        object_store: filesystem
        schema: v13
        index:
          prefix: loki_index_
          period: 24h
singleBinary:
  replicas: 1
  persistence:
    enabled: true
    size: 10Gi
read:
  replicas: 0
write:
  replicas: 0
backend:
  replicas: 0
chunksCache:
  enabled: false
resultsCache:
  enabled: false
minio:
  enabled: false
""",
)

#: the chart labels every Loki workload; components run as StatefulSets (single-binary,
#: write, backend, read) plus the ``loki-gateway`` Deployment (nginx in front of them)
SELECTORS = [{"app.kubernetes.io/name": "loki"}]
#: Helm charts whose release is Loki's (declared on the Plugin, used by detect)
CHARTS: tuple[str, ...] = ("loki", "loki-distributed")


def detect(snapshot: ClusterSnapshot) -> Detection:
    det = detect_workloads(snapshot, selectors=SELECTORS, charts=CHARTS)
    if det.installed is True:
        names = det.details.get("workloads", [])
        det.details["gateway"] = any(n.endswith("-gateway") and n.startswith("Deployment/")
                                     for n in names)
    return det


PLUGIN = Plugin(
    id="loki",
    title="Loki",
    category="logging",
    why="Keeps every pod's logs after the pod is gone and answers LogQL queries across the "
        "cluster; kubectl logs only sees live containers.",
    chart=CHART,
    detect=detect,
    pane="k8s_essentials_tui.plugins.loki.pane:LokiPane",
    workload_selectors=tuple(SELECTORS),
    chart_names=CHARTS,
    actions=(
        PluginAction("loki.run", "Run query", "ctrl+r", "run the LogQL query"),
        PluginAction("loki.tail", "Live tail", "f", "follow new lines over the websocket"),
        PluginAction("loki.trace", "Open trace", "t", "open the trace a log line carries"),
    ),
    commands=(PluginCommand(
        "loki", "run a LogQL query against Loki and print the result",
        "k8s_essentials_tui.plugins.loki.command",
        "Run a LogQL query. Text output: 'timestamp {labels} line' per entry (metric "
        "queries: one line per sample). Loki is reached through the apiserver's service "
        "proxy unless --loki-url or loki.url is set. Exit 2 with Loki's message on errors."),),
    settings=(
        Setting("url", str, "", "direct Loki URL; empty = discover through the service proxy"),
        Setting("tenant", str, "", "X-Scope-OrgID header"),
        Setting("bearer_token_file", str, "", "file holding a bearer token for a direct URL"),
        Setting("username", str, "", "basic-auth user for a direct URL"),
        Setting("password_file", str, "", "file holding the basic-auth password"),
    ),
)
