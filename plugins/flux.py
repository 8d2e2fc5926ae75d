"""Flux: GitOps toolkit controllers reconciling Git/OCI/Helm sources into the cluster.

Neither the community ``flux2`` chart nor ``flux install`` sets ``app.kubernetes.io/name`` on
the controller Deployments; both set ``app.kubernetes.io/part-of: flux`` and
``control-plane: controller``, which is what detection matches.
"""

from __future__ import annotations

from k8s_essentials_tui.api import ChartRef, Plugin

CHART = ChartRef(
    repo="https://fluxcd-community.github.io/helm-charts",
    chart="flux2",
    version="2.17.0",
    namespace="flux-system",
    release="flux2",
    values="""\
# source, kustomize, helm and notification controllers stay on;
# enable image automation only when you update image tags from Git
imageautomationcontroller:
  create: false
imagereflectorcontroller:
  create: false
prometheus:
  podMonitor:
    create: false   # true once kube-prometheus-stack runs
""",
)

#: the controllers carry no app.kubernetes.io/name label
WORKLOAD_NAMES: tuple[str, ...] = ()
SELECTORS: tuple[dict[str, str], ...] = (
    {"app.kubernetes.io/part-of": "flux", "control-plane": "controller"},
)
CHARTS: tuple[str, ...] = ("flux2", "flux-operator")
API_GROUPS: tuple[str, ...] = (
    "source.toolkit.fluxcd.io", "kustomize.toolkit.fluxcd.io", "helm.toolkit.fluxcd.io",
)


PLUGIN = Plugin(
    id="flux",
    title="Flux",
    category="delivery",
    why="Pull-based GitOps: the cluster reconciles itself from Git, no CI credentials inside.",
    chart=CHART,
    api_groups=API_GROUPS,
    chart_names=CHARTS,
    workload_selectors=SELECTORS,
)
