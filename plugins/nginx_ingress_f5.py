"""NGINX Ingress Controller by F5 (nginx/kubernetes-ingress) -- not the community ingress-nginx.

Catalog entry and detection only. The official chart is published to an OCI registry; its
controller Deployment (or DaemonSet) carries ``app.kubernetes.io/name: nginx-ingress``.
"""

from __future__ import annotations

from k8s_essentials_tui.api import ChartRef, Plugin
from k8s_essentials_tui.plugins import exposure

CHART = ChartRef(
    repo="oci://ghcr.io/nginx/charts",
    chart="nginx-ingress",
    version="2.5.1",
    namespace="nginx-ingress",
    release="nginx-ingress",
    values="""\
controller:
  replicaCount: 2
  ingressClass:
    # pick another name if the community ingress-nginx also runs here
    name: nginx
    create: true
  enableCustomResources: true   # VirtualServer / Policy / TransportServer
  enableSnippets: false         # snippets can inject arbitrary NGINX config
prometheus:
  create: true
""",
)

#: app.kubernetes.io/name values of the chart's workloads (for the snapshot's list selector)
WORKLOAD_NAMES: tuple[str, ...] = ("nginx-ingress",)
#: shared with the exposure view, which judges "controller runs" by the same selectors
SELECTORS: tuple[dict[str, str], ...] = exposure.CONTROLLER_SELECTORS["nginx-ingress"]
CHARTS: tuple[str, ...] = ("nginx-ingress",)
API_GROUPS: tuple[str, ...] = ("k8s.nginx.org",)


PLUGIN = Plugin(
    id="nginx-ingress",
    title="NGINX Ingress Controller (F5)",
    category="ingress",
    why="F5's supported NGINX ingress with VirtualServer CRDs and an NGINX Plus upgrade path.",
    chart=CHART,
    api_groups=API_GROUPS,
    chart_names=CHARTS,
    workload_selectors=SELECTORS,
    pane=exposure.PANE,  # the exposure pane, opened at this area's column
)
