"""Flux's catalog entry: chart, detection (controllers + what they deliver), pane, keys.

Neither the community ``flux2`` chart nor ``flux install`` sets ``app.kubernetes.io/name`` on
the controller Deployments; both set ``app.kubernetes.io/part-of: flux`` and
``control-plane: controller``, which is what detection matches. No Textual here.
"""

from __future__ import annotations

from functools import partial

from k8s_essentials_tui.api import (
    ChartRef,
    ClusterSnapshot,
    Detection,
    Plugin,
    PluginAction,
    detect_workloads,
)

from . import fluxmodel, owner
from .argocd_plugin import PANE
from .health import count, delivered, extra, names
from .kinds import HELMRELEASES, KUSTOMIZATIONS, SOURCES

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


def detect(snapshot: ClusterSnapshot) -> Detection:
    det = detect_workloads(snapshot, selectors=SELECTORS, charts=CHARTS,
                           api_groups=API_GROUPS)
    if det.installed is not True:
        return det
    problems: list[str] = []
    unread: list[str] = []
    for rtype, word in ((KUSTOMIZATIONS, "kustomization"), (HELMRELEASES, "helmrelease")):
        items, why = extra(snapshot, rtype)
        if why:
            unread.append(why)
        if items is None:
            continue
        rows = fluxmodel.flux_rows(items)
        det.details[rtype.plural] = len(rows)
        bad = fluxmodel.not_ready(rows)
        if bad:
            problems.append(f"{len(bad)} of {count(len(rows), word)} not ready: "
                            f"{names(bad)}")
    return delivered(det, problems, unread)


PLUGIN = Plugin(
    id="flux",
    title="Flux",
    category="delivery",
    why="Pull-based GitOps: the cluster reconciles itself from Git, no CI credentials inside.",
    chart=CHART,
    detect=detect,
    pane=PANE,
    release_guard=partial(owner.guard, "Flux"),
    actions=(
        PluginAction("gitops.flux.reconcile", "Flux: reconcile", "R", mutating=True),
        PluginAction("gitops.flux.reconcile-source", "Flux: reconcile with source", "W",
                     mutating=True),
        PluginAction("gitops.flux.suspend", "Flux: suspend/resume", "S", mutating=True),
    ),
    api_groups=API_GROUPS,
    chart_names=CHARTS,
    workload_selectors=SELECTORS,
    watches=(KUSTOMIZATIONS, HELMRELEASES, *SOURCES),
    board_resources=(KUSTOMIZATIONS, HELMRELEASES),
    aliases=("ks", "kustomizations", "helmreleases"),
)
