"""Kyverno: Kubernetes-native policies (validate, mutate, generate) written as YAML.

Each controller Deployment is labelled ``app.kubernetes.io/component: <controller>``,
``app.kubernetes.io/name: kyverno-<controller>`` and ``app.kubernetes.io/part-of: kyverno``.
"""

from __future__ import annotations

from k8s_essentials_tui.api import ChartRef, Plugin

CHART = ChartRef(
    repo="https://kyverno.github.io/kyverno/",
    chart="kyverno",
    version="3.7.0",
    namespace="kyverno",
    release="kyverno",
    values="""\
admissionController:
  replicas: 3          # its webhook sits in every admission; keep it highly available
backgroundController:
  replicas: 1
cleanupController:
  replicas: 1
reportsController:
  replicas: 1
# start policies with validationFailureAction: Audit, switch to Enforce later
""",
)

_COMPONENTS = ("admission-controller", "background-controller", "cleanup-controller",
               "reports-controller")
WORKLOAD_NAMES: tuple[str, ...] = tuple(f"kyverno-{c}" for c in _COMPONENTS)
SELECTORS: tuple[dict[str, str], ...] = tuple(
    {"app.kubernetes.io/name": f"kyverno-{c}", "app.kubernetes.io/component": c,
     "app.kubernetes.io/part-of": "kyverno"}
    for c in _COMPONENTS
)
CHARTS: tuple[str, ...] = ("kyverno",)
API_GROUPS: tuple[str, ...] = ("kyverno.io",)


PLUGIN = Plugin(
    id="kyverno",
    title="Kyverno",
    category="policy",
    why="Policy as plain YAML: block risky pods, add defaults, report violations per namespace.",
    chart=CHART,
    api_groups=API_GROUPS,
    chart_names=CHARTS,
    workload_selectors=SELECTORS,
)
