"""What the Istio and Linkerd catalog entries share: the one mesh pane and its actions."""

from __future__ import annotations

from k8s_essentials_tui.api import PluginAction

PANE = "k8s_essentials_tui.plugins.mesh.pane:MeshPane"

ACTIONS: tuple[PluginAction, ...] = (
    PluginAction("mesh.injection", "Mesh: enable/disable injection in the namespace", "e",
                 "label/annotate the selected namespace for this mesh's proxy injection",
                 mutating=True),
    PluginAction("mesh.restart", "Mesh: restart the selected pod's workload", "r",
                 "kubectl rollout restart of the workload that owns the selected pod",
                 mutating=True),
    PluginAction("mesh.restart_all", "Mesh: restart what needs it in the namespace", "R",
                 "kubectl rollout restart of every workload in the selected namespace whose "
                 "pods need a restart", mutating=True),
)

MESH_HELP = "service mesh coverage, proxy version skew and mTLS (Istio, Linkerd)"
MESH_DESCRIPTION = (
    "Service mesh (Istio sidecar and ambient, Linkerd): injection coverage per namespace and "
    "mesh-wide, pods that need a restart, proxy version skew against the control plane, "
    "mTLS mode from PeerAuthentications, authorization policies and a cheap analyze subset "
    "(VirtualService hosts, DestinationRule subsets, Gateway credentials). Exit 1 when a "
    "meshed namespace has pods without a proxy or proxies more than one minor version "
    "behind.")
