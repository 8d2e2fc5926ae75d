"""NGINX Gateway Fabric: F5's Gateway API implementation on NGINX (nginx/nginx-gateway-fabric),
the NGINX path away from the retired ingress-nginx. Declarative detection: the control plane
Deployment, the ``nginx-gateway-fabric`` release, the ``gateway.nginx.org`` CRDs."""

from __future__ import annotations

from k8s_essentials_tui.api import (
    GATEWAY_RESOURCES,
    ChartRef,
    Plugin,
    gateway_controller_detect,
)
from k8s_essentials_tui.plugins import exposure

# docs.nginx.com/nginx-gateway-fabric/install/helm: oci://ghcr.io/nginx/charts; 2.7.2 is
# the release of September 2026 (nginx/nginx-gateway-fabric#5925)
CHART = ChartRef(
    repo="oci://ghcr.io/nginx/charts",
    chart="nginx-gateway-fabric",
    version="2.7.2",
    namespace="nginx-gateway",
    release="ngf",
    values="""\
nginxGateway:
  replicas: 2
""",
)

#: the chart names its workloads after the chart; older charts used ``nginx-gateway``
WORKLOAD_NAMES: tuple[str, ...] = ("nginx-gateway-fabric", "nginx-gateway")
SELECTORS: tuple[dict[str, str], ...] = tuple(
    {"app.kubernetes.io/name": n} for n in WORKLOAD_NAMES)
CHARTS: tuple[str, ...] = ("nginx-gateway-fabric",)
API_GROUPS: tuple[str, ...] = ("gateway.nginx.org",)
#: the GatewayClass ``spec.controllerName`` this implementation serves
CONTROLLERS: tuple[str, ...] = ("gateway.nginx.org/nginx-gateway-controller",)


detect = gateway_controller_detect(selectors=SELECTORS, charts=CHARTS,
                                   api_groups=API_GROUPS, controllers=CONTROLLERS)


PLUGIN = Plugin(
    id="nginx-gateway-fabric",
    pane=exposure.PANE,  # its hosts (HTTPRoutes, GRPCRoutes) in the exposure pane (#19)
    title="NGINX Gateway Fabric",
    category="ingress",
    why="Gateway API routing on NGINX: the NGINX successor to ingress-nginx.",
    chart=CHART,
    workload_selectors=SELECTORS,
    chart_names=CHARTS,
    api_groups=API_GROUPS,
    detect=detect,
    board_resources=GATEWAY_RESOURCES,
    aliases=("ngf",),
)
