"""Linkerd: lightweight service mesh. Detection looks for the control-plane Deployments.

Open-source Helm charts are published on the edge channel only (stable builds are vendor
distributions); the ``linkerd-crds`` chart must be installed first and the control plane
needs an identity trust anchor and issuer certificate.
"""

from __future__ import annotations

from k8s_essentials_tui.api import ChartRef, Plugin

from .common import ACTIONS, PANE

CHART = ChartRef(
    repo="https://helm.linkerd.io/edge",
    chart="linkerd-control-plane",
    version="2026.8.4",
    namespace="linkerd",
    release="linkerd-control-plane",
    values="""\
# install the CRDs first (same version):
#   helm install linkerd-crds linkerd-crds --repo https://helm.linkerd.io/edge -n linkerd
# identity certificates are required (cert-manager can issue them):
#   --set-file identityTrustAnchorsPEM=ca.crt
#   --set-file identity.issuer.tls.crtPEM=issuer.crt
#   --set-file identity.issuer.tls.keyPEM=issuer.key
controllerReplicas: 1
enablePodDisruptionBudget: false   # true with controllerReplicas >= 3
""",
)

#: the control-plane Deployments (app.kubernetes.io/name is the bare component name)
WORKLOAD_NAMES: tuple[str, ...] = ("destination", "identity", "proxy-injector")
SELECTORS: tuple[dict[str, str], ...] = tuple(
    {"app.kubernetes.io/name": name, "linkerd.io/control-plane-component": name}
    for name in WORKLOAD_NAMES
)
CHARTS: tuple[str, ...] = ("linkerd-control-plane", "linkerd2")
API_GROUPS: tuple[str, ...] = ("linkerd.io", "policy.linkerd.io")


PLUGIN = Plugin(
    id="linkerd",
    title="Linkerd",
    category="mesh",
    why="Automatic mTLS and golden metrics per service with a tiny proxy and little to tune.",
    chart=CHART,
    api_groups=API_GROUPS,
    chart_names=CHARTS,
    workload_selectors=SELECTORS,
    pane=PANE,
    actions=ACTIONS,
)
