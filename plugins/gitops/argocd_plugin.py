"""Argo CD's catalog entry: chart, detection (workloads + what it delivers), pane, keys,
the ``gitops`` command and the ``[gitops]`` settings.

The argo-cd chart sets ``nameOverride: argocd``, so its workloads are labelled
``app.kubernetes.io/name: argocd-<component>`` and ``app.kubernetes.io/part-of: argocd``;
the application controller is a StatefulSet. No Textual here.
"""

from __future__ import annotations

from functools import partial

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

from . import argo, owner
from .health import count, delivered, extra, names
from .kinds import APPLICATIONS, APPLICATIONSETS, APPPROJECTS

PANE = "k8s_essentials_tui.plugins.gitops.pane:GitOpsPane"

CHART = ChartRef(
    repo="https://argoproj.github.io/argo-helm",
    chart="argo-cd",
    version="9.4.17",
    namespace="argocd",
    release="argocd",
    values="""\
global:
  domain: argocd.example.com
configs:
  params:
    server.insecure: true   # TLS terminates at the ingress
dex:
  enabled: false            # local admin until SSO is wired
notifications:
  enabled: true
redis-ha:
  enabled: false            # single redis is fine for week 1
""",
)

#: every controller the chart runs by default: with redis or the ApplicationSet controller
#: down, Argo CD is degraded even when the server answers (dex and notifications count
#: only where they run)
WORKLOAD_NAMES: tuple[str, ...] = (
    "argocd-server", "argocd-repo-server", "argocd-application-controller", "argocd-redis",
    "argocd-applicationset-controller", "argocd-notifications-controller", "argocd-dex-server",
)
SELECTORS: tuple[dict[str, str], ...] = tuple(
    {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "argocd"}
    for name in WORKLOAD_NAMES
)
CHARTS: tuple[str, ...] = ("argo-cd",)
API_GROUPS: tuple[str, ...] = ("argoproj.io",)


def detect(snapshot: ClusterSnapshot) -> Detection:
    det = detect_workloads(snapshot, selectors=SELECTORS, charts=CHARTS,
                           api_groups=API_GROUPS)
    if det.installed is not True:
        return det
    items, unread = extra(snapshot, APPLICATIONS)
    problems: list[str] = []
    if items is not None:
        rows = argo.app_rows(items)
        degraded, out_of_sync = argo.summary(rows)
        det.details["applications"] = len(rows)
        if degraded:
            problems.append(f"{len(degraded)} of {count(len(rows), 'application')} "
                            f"degraded: {names(degraded)}")
        if out_of_sync:
            det.details["out_of_sync"] = len(out_of_sync)
    return delivered(det, problems, [unread] if unread else [])


GITOPS_HELP = "status of Argo CD Applications and Flux objects; sync and reconcile them"
COMMAND = PluginCommand(
    "gitops", GITOPS_HELP, "k8s_essentials_tui.plugins.gitops.command",
    GITOPS_HELP + ". `status` exits 1 when an Application is not Synced+Healthy or a Flux "
    "object is not Ready (suspended ones are reported, not failed).")

PLUGIN = Plugin(
    id="argocd",
    title="Argo CD",
    category="delivery",
    why="Deploys from Git with a UI showing drift, sync state and health of every app.",
    chart=CHART,
    detect=detect,
    pane=PANE,
    release_guard=partial(owner.guard, "Argo CD"),
    actions=(
        PluginAction("gitops.argocd.sync", "Argo CD: sync application", "s", mutating=True),
        PluginAction("gitops.argocd.refresh", "Argo CD: refresh application", "r",
                     mutating=True),
        PluginAction("gitops.argocd.hard-refresh", "Argo CD: hard refresh", "H",
                     mutating=True),
        PluginAction("gitops.argocd.terminate", "Argo CD: terminate operation", "T",
                     mutating=True),
        PluginAction("gitops.argocd.autosync", "Argo CD: toggle auto-sync", "a",
                     mutating=True),
    ),
    api_groups=API_GROUPS,
    chart_names=CHARTS,
    workload_selectors=SELECTORS,
    watches=(APPLICATIONS, APPLICATIONSETS, APPPROJECTS),
    board_resources=(APPLICATIONS,),
    aliases=("apps", "applications", "gitops"),
    commands=(COMMAND,),
    settings=(Setting("username", str, "", "who Argo CD records as initiating a sync "
                                           "(operation.initiatedBy); empty = the kubeconfig "
                                           "user"),),
    settings_table="gitops",
)
