"""Kustomize: template-free overlays of plain YAML. A client-side tool: nothing runs in the
cluster, so there is no chart and no cluster-side detection.

Availability is a property of the operator's machine: a ``kustomize`` binary, or ``kubectl``
(which embeds it as ``kubectl kustomize`` / ``kubectl apply -k``). ``detect()`` stays pure: it
reads ``snapshot.client_tools`` (binary name -> version, ``""`` when unknown; filled by the
snapshot builder from PATH), so it is unit-testable without touching the machine.
"""

from __future__ import annotations

from k8s_essentials_tui.api import ClusterSnapshot, Detection, Plugin

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
)
