"""Catalog facts of the two GitOps delivery tools: charts, detection selectors, API groups.

Argo CD: the argo-cd chart sets ``nameOverride: argocd``, so its workloads are labelled
``app.kubernetes.io/name: argocd-<component>`` and ``app.kubernetes.io/part-of: argocd``;
the application controller is a StatefulSet.

Flux: neither the community ``flux2`` chart nor ``flux install`` sets
``app.kubernetes.io/name`` on the controller Deployments; both set
``app.kubernetes.io/part-of: flux`` and ``control-plane: controller``, which is what
detection matches.
"""

from __future__ import annotations

from k8s_essentials_tui.api import ChartRef

ARGOCD_CHART = ChartRef(
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
ARGOCD_WORKLOAD_NAMES: tuple[str, ...] = (
    "argocd-server", "argocd-repo-server", "argocd-application-controller", "argocd-redis",
    "argocd-applicationset-controller", "argocd-notifications-controller", "argocd-dex-server",
)
ARGOCD_SELECTORS: tuple[dict[str, str], ...] = tuple(
    {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "argocd"}
    for name in ARGOCD_WORKLOAD_NAMES
)
ARGOCD_CHARTS: tuple[str, ...] = ("argo-cd",)
ARGOCD_API_GROUPS: tuple[str, ...] = ("argoproj.io",)


FLUX_CHART = ChartRef(
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
FLUX_WORKLOAD_NAMES: tuple[str, ...] = ()
FLUX_SELECTORS: tuple[dict[str, str], ...] = (
    {"app.kubernetes.io/part-of": "flux", "control-plane": "controller"},
)
FLUX_CHARTS: tuple[str, ...] = ("flux2", "flux-operator")
FLUX_API_GROUPS: tuple[str, ...] = (
    "source.toolkit.fluxcd.io", "kustomize.toolkit.fluxcd.io", "helm.toolkit.fluxcd.io",
)
