"""Kustomize: template-free overlays of plain YAML. A client-side tool: nothing runs in the
cluster, so there is no chart and no cluster-side detection.

Availability is a property of the operator's machine: a ``kustomize`` binary, or ``kubectl``
(which embeds it as ``kubectl kustomize`` / ``kubectl apply -k``). ``detect()`` stays pure: it
reads an optional ``client_tools`` mapping on the snapshot (binary name -> version string, ``""``
when found without a version; a missing key means not on PATH). Until the snapshot builder fills
it, detection reports "client-side tool" with unknown health.
"""

from __future__ import annotations

from collections.abc import Mapping

from k8s_essentials_tui.plugin import Detection, Plugin
from k8s_essentials_tui.snapshot import ClusterSnapshot

NOTE = "client-side tool"


def detect(snapshot: ClusterSnapshot) -> Detection:
    tools = getattr(snapshot, "client_tools", None)
    if not isinstance(tools, Mapping):
        return Detection(installed=True, healthy=None, details={"note": NOTE})
    if "kustomize" in tools:
        return Detection(installed=True, healthy=True, version=tools["kustomize"] or None,
                         details={"note": NOTE, "binary": "kustomize"})
    if "kubectl" in tools:
        return Detection(installed=True, healthy=True, version=tools["kubectl"] or None,
                         details={"note": NOTE, "binary": "kubectl kustomize"})
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
