"""Envoy Gateway: a Gateway API implementation on Envoy (envoyproxy/gateway), one of the
maintained successors of ingress-nginx. Detection is declarative: the controller Deployment
(``control-plane: envoy-gateway``, set by the chart and by the install YAML alike), the
``gateway-helm`` release and the ``gateway.envoyproxy.io`` CRDs."""

from __future__ import annotations

from k8s_essentials_tui.api import (
    GATEWAY_RESOURCES,
    ChartRef,
    Plugin,
    gateway_controller_detect,
)
from k8s_essentials_tui.plugins import exposure

# the official chart is an OCI artifact on Docker Hub (docs: gateway.envoyproxy.io, install
# with Helm); v1.9.1 released September 2026
CHART = ChartRef(
    repo="oci://docker.io/envoyproxy",
    chart="gateway-helm",
    version="v1.9.1",
    namespace="envoy-gateway-system",
    release="eg",
    values="""\
deployment:
  replicas: 2
config:
  envoyGateway:
    logging:
      level:
        default: info
""",
)

WORKLOAD_NAMES: tuple[str, ...] = ()
SELECTORS: tuple[dict[str, str], ...] = ({"control-plane": "envoy-gateway"},)
CHARTS: tuple[str, ...] = ("gateway-helm",)
API_GROUPS: tuple[str, ...] = ("gateway.envoyproxy.io",)
#: the GatewayClass ``spec.controllerName`` this implementation serves
CONTROLLERS: tuple[str, ...] = ("gateway.envoyproxy.io/gatewayclass-controller",)


detect = gateway_controller_detect(selectors=SELECTORS, charts=CHARTS,
                                   api_groups=API_GROUPS, controllers=CONTROLLERS)


PLUGIN = Plugin(
    id="envoy-gateway",
    pane=exposure.PANE,  # its hosts (HTTPRoutes, GRPCRoutes) in the exposure pane (#19)
    title="Envoy Gateway",
    category="ingress",
    why="Gateway API routing on Envoy: a maintained successor to ingress-nginx.",
    chart=CHART,
    workload_selectors=SELECTORS,
    chart_names=CHARTS,
    api_groups=API_GROUPS,
    detect=detect,
    board_resources=GATEWAY_RESOURCES,
    aliases=("eg",),
)
