"""ingress-nginx: the community NGINX ingress controller (kubernetes/ingress-nginx)."""

from __future__ import annotations

from k8s_essentials_tui.api import ChartRef, Plugin
from k8s_essentials_tui.plugins import exposure

CHART = ChartRef(
    repo="https://kubernetes.github.io/ingress-nginx",
    chart="ingress-nginx",
    version="4.13.3",
    namespace="ingress-nginx",
    release="ingress-nginx",
    values="""\
controller:
  replicaCount: 2
  metrics:
    enabled: true
  admissionWebhooks:
    enabled: true
""",
)


#: shared with the exposure view, which judges "controller runs" by the same selectors
SELECTORS: tuple[dict[str, str], ...] = exposure.CONTROLLER_SELECTORS["ingress-nginx"]


PLUGIN = Plugin(
    id="ingress-nginx",
    title="ingress-nginx",
    category="ingress",
    why="Routes outside HTTP(S) traffic to Services; without it nothing is reachable by name.",
    chart=CHART,
    workload_selectors=SELECTORS,
    pane=exposure.PANE,  # the exposure pane, opened at this area's column
    chart_names=("ingress-nginx",),
)
