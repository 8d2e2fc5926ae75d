"""Helm releases: every release of every namespace, read natively from the release Secrets.

Helm itself is a client-side tool, so there is nothing to install; the "component" is the
set of releases. Detection reports failed or stuck (pending-*) releases as problems, from
the snapshot's decoded releases (no extra requests).
"""

from __future__ import annotations

from k8s_essentials_tui.api import (
    CONFIGMAPS,
    SECRETS,
    ClusterSnapshot,
    Detection,
    Plugin,
    PluginAction,
    release_troubled,
)


def detect(snapshot: ClusterSnapshot) -> Detection:
    releases = [r for r in snapshot.helm_releases if r.get("status") != "uninstalled"]
    det = Detection(installed=bool(releases))
    det.details["releases"] = len(releases)
    # the snapshot builder's part for release Secrets: denied, or HELM_DRIVER=sql/memory
    unread = snapshot.forbidden.get("helm") or snapshot.errors.get("helm:driver")
    if unread:
        det.problems.append(unread)
        det.healthy = None
        return det
    if not releases:
        return det
    det.healthy = True
    for rel in releases:
        if release_troubled(rel):
            det.healthy = False
            det.problems.append(f"release {rel.get('namespace')}/{rel.get('name')}: "
                                f"{rel.get('status')}")
    return det


PLUGIN = Plugin(
    id="helm",
    title="Helm releases",
    category="packaging",
    why="Most week-1 components arrive as Helm charts: see every release, its history and "
        "values, and upgrade, roll back or uninstall with the real helm.",
    detect=detect,
    pane="k8s_essentials_tui.plugins.helm_releases.pane:ReleasesPane",
    actions=(
        PluginAction("upgrade", "Upgrade release", "u", "same flow as install, from the "
                     "deployed values", mutating=True),
        PluginAction("rollback", "Roll back release", "r", "to a chosen revision, with a diff",
                     mutating=True),
        PluginAction("uninstall", "Uninstall release", "d", "typed-name confirmation",
                     mutating=True),
    ),
    watches=(SECRETS, CONFIGMAPS),  # as HELM_DRIVER says (secret by default)
)
