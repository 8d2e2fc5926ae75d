"""Istio: service mesh (mTLS, traffic policy, telemetry). Detection looks for istiod.

Its pane is the shared mesh pane (pane.py) and it owns the ``mesh`` command.

The istiod Deployment is labelled ``app: istiod`` and ``istio: pilot`` in every chart version;
only recent charts add ``app.kubernetes.io/name: istiod``, so the version-stable pair is used.
The ``base`` chart (CRDs) must be installed before ``istiod``.
"""

from __future__ import annotations

from k8s_essentials_tui.api import ChartRef, Plugin, PluginCommand, Setting

from .common import ACTIONS, MESH_DESCRIPTION, MESH_HELP, PANE

CHART = ChartRef(
    repo="https://istio-release.storage.googleapis.com/charts",
    chart="istiod",
    version="1.30.3",
    namespace="istio-system",
    release="istiod",
    values="""\
# install the CRDs first, same version:
#   helm install istio-base base --repo https://istio-release.storage.googleapis.com/charts \\
#     --version 1.30.3 -n istio-system --create-namespace
pilot:
  autoscaleMin: 2
  resources:
    requests:
      cpu: 200m
      memory: 512Mi
meshConfig:
  accessLogFile: /dev/stdout
""",
)

#: recent charts only; older istiod Deployments have no app.kubernetes.io/name
WORKLOAD_NAMES: tuple[str, ...] = ("istiod",)
SELECTORS: tuple[dict[str, str], ...] = ({"app": "istiod", "istio": "pilot"},)
CHARTS: tuple[str, ...] = ("istiod",)
API_GROUPS: tuple[str, ...] = ("networking.istio.io", "security.istio.io")


PLUGIN = Plugin(
    id="istio",
    title="Istio",
    category="mesh",
    why="Mutual TLS, retries and traffic shifting between services without touching app code.",
    chart=CHART,
    api_groups=API_GROUPS,
    chart_names=CHARTS,
    workload_selectors=SELECTORS,
    pane=PANE,
    actions=ACTIONS,
    aliases=("mesh",),
    commands=(PluginCommand("mesh", MESH_HELP, "k8s_essentials_tui.plugins.mesh.command",
                            MESH_DESCRIPTION),),
    settings=(Setting("istio_root_namespace", str, "istio-system",
                      "Istio's root namespace: its PeerAuthentication without a selector is "
                      "the mesh-wide mTLS mode"),),
    settings_table="mesh",
)
