"""Telepresence: route a workload's cluster traffic to a developer's laptop (telepresenceio).

Catalog entry and detection only (no Textual): the traffic-manager Deployment the OSS chart
installs (labels ``app=traffic-manager``, ``telepresence=manager``) or its Helm release. The
pane (pane.py) drives the local ``telepresence`` CLI through cli.py.
"""

from __future__ import annotations

from k8s_essentials_tui.api import ChartRef, Plugin, PluginAction, Setting

#: the OSS chart, published as an OCI artifact (same version as the CLI it serves)
CHART = ChartRef(
    repo="oci://ghcr.io/telepresenceio",
    chart="telepresence-oss",
    version="2.20.2",
    namespace="ambassador",
    release="traffic-manager",
    values="""\
# Limit the traffic-manager to the namespaces developers may intercept in:
# managerRbac:
#   create: true
#   namespaced: true
#   namespaces: [dev-team-a]
logLevel: info
""",
)

SELECTORS = [
    {"app": "traffic-manager", "telepresence": "manager"},
    {"app.kubernetes.io/name": "traffic-manager"},
]


PLUGIN = Plugin(
    id="telepresence",
    title="Telepresence",
    category="local-dev",
    why="Runs one service on your laptop against the real cluster; intercepts on a shared "
        "namespace must be visible and easy to stop.",
    chart=CHART,
    workload_selectors=tuple(SELECTORS),
    chart_names=("telepresence-oss", "telepresence"),
    pane="k8s_essentials_tui.plugins.telepresence.pane:TelepresencePane",
    actions=(
        PluginAction("telepresence.connect", "Telepresence: connect", "c",
                     "connect this laptop to the cluster network", mutating=True),
        PluginAction("telepresence.intercept", "Telepresence: start intercept", "I",
                     "route a workload's traffic to a local port", mutating=True),
        PluginAction("telepresence.leave", "Telepresence: leave intercept", "l",
                     "stop the selected intercept", mutating=True),
        PluginAction("telepresence.leave_all", "Telepresence: leave all of mine", "L",
                     "stop every intercept started from this laptop", mutating=True),
        PluginAction("telepresence.quit", "Telepresence: disconnect", "X",
                     "telepresence quit", mutating=True),
    ),
    settings=(
        Setting("binary", str, "telepresence", "telepresence executable"),
        Setting("timeout_seconds", (int, float), 60, "timeout for one telepresence call"),
        Setting("personal_namespaces", list, [], "namespaces only you use: a global "
                "intercept there needs no second confirmation"),
    ),
)
