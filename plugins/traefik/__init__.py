"""Traefik Proxy: an Ingress and Gateway API controller (traefik/traefik-helm-chart).
Declarative detection: ``app.kubernetes.io/name=traefik``, the ``traefik`` release, the
``traefik.io`` CRDs. It claims the IngressClass ``traefik`` unless its args say otherwise."""

from __future__ import annotations

from k8s_essentials_tui.api import (
    GATEWAY_RESOURCES,
    ChartRef,
    Plugin,
    gateway_controller_detect,
)
from k8s_essentials_tui.plugins import exposure

# https://traefik.github.io/charts; chart 41.5.0 (Traefik Proxy v3.7.13), September 2026
# (traefik/traefik-helm-chart#1997)
CHART = ChartRef(
    repo="https://traefik.github.io/charts",
    chart="traefik",
    version="41.5.0",
    namespace="traefik",
    release="traefik",
    values="""\
deployment:
  replicas: 2
providers:
  kubernetesGateway:
    enabled: true     # serve Gateway API routes (install the Gateway API CRDs first)
  kubernetesIngress:
    enabled: true
""",
)

WORKLOAD_NAMES: tuple[str, ...] = ("traefik",)
SELECTORS: tuple[dict[str, str], ...] = ({"app.kubernetes.io/name": "traefik"},)
CHARTS: tuple[str, ...] = ("traefik",)
API_GROUPS: tuple[str, ...] = ("traefik.io",)
#: the GatewayClass ``spec.controllerName`` this implementation serves
CONTROLLERS: tuple[str, ...] = ("traefik.io/gateway-controller",)


detect = gateway_controller_detect(selectors=SELECTORS, charts=CHARTS,
                                   api_groups=API_GROUPS, controllers=CONTROLLERS)


PLUGIN = Plugin(
    id="traefik",
    pane=exposure.PANE,  # its hosts (HTTPRoutes, GRPCRoutes) in the exposure pane (#19)
    title="Traefik",
    category="ingress",
    why="Ingress and Gateway API routing in one maintained controller.",
    chart=CHART,
    workload_selectors=SELECTORS,
    chart_names=CHARTS,
    api_groups=API_GROUPS,
    detect=detect,
    board_resources=GATEWAY_RESOURCES,
)
