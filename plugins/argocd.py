"""Argo CD: GitOps continuous delivery -- the cluster converges to what Git declares.

The argo-cd chart sets ``nameOverride: argocd``, so its workloads are labelled
``app.kubernetes.io/name: argocd-<component>`` and ``app.kubernetes.io/part-of: argocd``;
the application controller is a StatefulSet.
"""

from __future__ import annotations

from k8s_essentials_tui.api import ChartRef, Plugin

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


PLUGIN = Plugin(
    id="argocd",
    title="Argo CD",
    category="delivery",
    why="Deploys from Git with a UI showing drift, sync state and health of every app.",
    chart=CHART,
    api_groups=API_GROUPS,
    chart_names=CHARTS,
    workload_selectors=SELECTORS,
)
