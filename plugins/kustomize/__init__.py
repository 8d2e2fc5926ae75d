"""Kustomize: template-free overlays of plain YAML. A client-side tool: nothing runs in the
cluster, so there is no chart and no cluster-side detection.

Availability is a property of the operator's machine: a ``kustomize`` binary, or ``kubectl``
(which embeds it as ``kubectl kustomize`` / ``kubectl apply -k``). ``detect()`` stays pure: it
reads ``snapshot.client_tools`` (binary name -> version, ``""`` when unknown; filled by the
snapshot builder from PATH), so it is unit-testable without touching the machine.

The pane and the ``kustomize diff|apply`` command render a directory with that tool, dry-run
every object with server-side apply and diff it against the live object, then apply under
the app's field manager after confirmation (``render.py``, ``plan.py``; docs/kustomize.md).
"""

from __future__ import annotations

from k8s_essentials_tui.api import (
    ClusterSnapshot,
    Detection,
    Plugin,
    PluginAction,
    PluginCommand,
    Setting,
)

NOTE = "client-side tool"


def detect(snapshot: ClusterSnapshot) -> Detection:
    tools = snapshot.client_tools or {}
    for binary, shown in (("kustomize", "kustomize"), ("kubectl", "kubectl kustomize")):
        if binary in tools:
            return Detection(installed=True, healthy=True, version=tools[binary] or None,
                             details={"note": NOTE, "binary": shown})
    return Detection(installed=False, healthy=None, details={"note": NOTE},
                     problems=["neither kustomize nor kubectl found on PATH"])


PLUGIN = Plugin(
    id="kustomize",
    title="Kustomize",
    category="packaging",
    why="Per-environment overlays of plain YAML, built into kubectl (apply -k), no templates.",
    chart=None,
    detect=detect,
    pane="k8s_essentials_tui.plugins.kustomize.pane:KustomizePane",
    actions=(
        PluginAction("kustomize.diff", "Kustomize: diff", "d",
                     "server-side dry-run of the directory, diffed against live objects"),
        PluginAction("kustomize.apply", "Kustomize: apply", "a",
                     "server-side apply under the app's field manager, after confirmation",
                     mutating=True),
    ),
    aliases=("kustomization", "kz"),
    commands=(PluginCommand(
        "kustomize", "diff or apply a kustomization directory (server-side)",
        "k8s_essentials_tui.plugins.kustomize.command",
        "Render DIR with kubectl kustomize (or the configured kustomize binary), dry-run "
        "every object with server-side apply and diff it against the cluster; apply it "
        "with server-side apply after confirmation."),),
    settings=(
        Setting("kubectl", str, "", "kubectl used for `kubectl kustomize` (default: PATH)"),
        Setting("binary", str, "", "a kustomize binary; when set, `kustomize build` renders "
                                   "instead of kubectl"),
        Setting("timeout", (int, float), 60, "seconds a render may take"),
        Setting("directory", str, "", "the directory the pane opens with"),
    ),
)
