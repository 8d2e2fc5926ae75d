"""GitOps delivery: Argo CD and Flux -- detection, board health, one pane, ``gitops``.

Two catalog entries (the board has a row per tool) share one package: the pane shows
whichever tool runs (Applications; Kustomizations, HelmReleases and sources), the headless
``gitops`` command covers both, and the board's health of each tool includes what it
delivers ("1 of 2 applications degraded"), read from one extra list per delivered kind
(``board_resources``), never one request per Application. No Textual here.
"""

from __future__ import annotations

from typing import Any

from k8s_essentials_tui.api import (
    ClusterSnapshot,
    Detection,
    Plugin,
    PluginAction,
    PluginCommand,
    ResourceType,
    Setting,
    detect_workloads,
)

from . import argo, fluxmodel
from .catalog import (
    ARGOCD_API_GROUPS,
    ARGOCD_CHART,
    ARGOCD_CHARTS,
    ARGOCD_SELECTORS,
    FLUX_API_GROUPS,
    FLUX_CHART,
    FLUX_CHARTS,
    FLUX_SELECTORS,
)
from .kinds import APPLICATIONS, HELMRELEASES, KUSTOMIZATIONS, SOURCES

PANE = "k8s_essentials_tui.plugins.gitops.pane:GitOpsPane"
#: how many names a board problem line lists before "…"
NAMES_SHOWN = 3


def _names(rows: list[Any]) -> str:
    names = [f"{r.namespace}/{r.name}" for r in rows[:NAMES_SHOWN]]
    return ", ".join(names) + (", …" if len(rows) > NAMES_SHOWN else "")


def _extra(snapshot: ClusterSnapshot, rtype: ResourceType) -> tuple[list[Any] | None, str]:
    """The board's list of ``rtype`` (None when not read) and why it could not be read."""
    key = f"extra:{rtype.qualified}"
    unread = snapshot.forbidden.get(key) or snapshot.errors.get(key) or ""
    if unread or rtype.qualified not in snapshot.extra:
        return None, unread
    return list(snapshot.extra[rtype.qualified]), ""


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _delivered(det: Detection, problems: list[str], unread: list[str]) -> Detection:
    if problems:
        det.problems.extend(problems)
        det.healthy = False
    if unread:
        # the controllers run, but what they deliver is unknown: not "ok" unchecked
        det.problems.extend(unread)
        if det.healthy is True:
            det.healthy = None
    return det


def detect_argocd(snapshot: ClusterSnapshot) -> Detection:
    det = detect_workloads(snapshot, selectors=ARGOCD_SELECTORS, charts=ARGOCD_CHARTS,
                           api_groups=ARGOCD_API_GROUPS)
    if det.installed is not True:
        return det
    items, unread = _extra(snapshot, APPLICATIONS)
    problems: list[str] = []
    if items is not None:
        rows = argo.app_rows(items)
        degraded, out_of_sync = argo.summary(rows)
        det.details["applications"] = len(rows)
        if degraded:
            problems.append(f"{len(degraded)} of {_count(len(rows), 'application')} "
                            f"degraded: {_names(degraded)}")
        if out_of_sync:
            det.details["out_of_sync"] = len(out_of_sync)
    return _delivered(det, problems, [unread] if unread else [])


def detect_flux(snapshot: ClusterSnapshot) -> Detection:
    det = detect_workloads(snapshot, selectors=FLUX_SELECTORS, charts=FLUX_CHARTS,
                           api_groups=FLUX_API_GROUPS)
    if det.installed is not True:
        return det
    problems: list[str] = []
    unread: list[str] = []
    for rtype, word in ((KUSTOMIZATIONS, "kustomization"), (HELMRELEASES, "helmrelease")):
        items, why = _extra(snapshot, rtype)
        if why:
            unread.append(why)
        if items is None:
            continue
        rows = fluxmodel.flux_rows(items)
        det.details[rtype.plural] = len(rows)
        bad = fluxmodel.not_ready(rows)
        if bad:
            problems.append(f"{len(bad)} of {_count(len(rows), word)} not ready: "
                            f"{_names(bad)}")
    return _delivered(det, problems, unread)


GITOPS_HELP = "status of Argo CD Applications and Flux objects; sync and reconcile them"
COMMAND = PluginCommand(
    "gitops", GITOPS_HELP, "k8s_essentials_tui.plugins.gitops.command",
    GITOPS_HELP + ". `status` exits 1 when an Application is not Synced+Healthy or a Flux "
    "object is not Ready (suspended ones are reported, not failed).")

ARGOCD = Plugin(
    id="argocd",
    title="Argo CD",
    category="delivery",
    why="Deploys from Git with a UI showing drift, sync state and health of every app.",
    chart=ARGOCD_CHART,
    detect=detect_argocd,
    pane=PANE,
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
    api_groups=ARGOCD_API_GROUPS,
    chart_names=ARGOCD_CHARTS,
    workload_selectors=ARGOCD_SELECTORS,
    watches=(APPLICATIONS,),
    board_resources=(APPLICATIONS,),
    aliases=("apps", "applications", "gitops"),
    commands=(COMMAND,),
    settings=(Setting("username", str, "", "who Argo CD records as initiating a sync "
                                           "(operation.initiatedBy); empty = the kubeconfig "
                                           "user"),),
    settings_table="gitops",
)

FLUX = Plugin(
    id="flux",
    title="Flux",
    category="delivery",
    why="Pull-based GitOps: the cluster reconciles itself from Git, no CI credentials inside.",
    chart=FLUX_CHART,
    detect=detect_flux,
    pane=PANE,
    actions=(
        PluginAction("gitops.flux.reconcile", "Flux: reconcile", "R", mutating=True),
        PluginAction("gitops.flux.reconcile-source", "Flux: reconcile with source", "W",
                     mutating=True),
        PluginAction("gitops.flux.suspend", "Flux: suspend/resume", "S", mutating=True),
    ),
    api_groups=FLUX_API_GROUPS,
    chart_names=FLUX_CHARTS,
    workload_selectors=FLUX_SELECTORS,
    watches=(KUSTOMIZATIONS, HELMRELEASES, *SOURCES),
    board_resources=(KUSTOMIZATIONS, HELMRELEASES),
    aliases=("ks", "kustomizations", "helmreleases"),
)

PLUGINS = [ARGOCD, FLUX]

__all__ = ["ARGOCD", "FLUX", "PLUGINS", "detect_argocd", "detect_flux"]
