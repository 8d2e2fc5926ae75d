"""OPA Gatekeeper: admission policies written in Rego (ConstraintTemplates + Constraints).

The chart labels its Deployments ``control-plane`` + ``gatekeeper.sh/operation`` (and
``app: gatekeeper``) but sets no ``app.kubernetes.io/name`` on them.
"""

from __future__ import annotations

from k8s_essentials_tui.api import ChartRef, Plugin

CHART = ChartRef(
    repo="https://open-policy-agent.github.io/gatekeeper/charts",
    chart="gatekeeper",
    version="3.22.2",
    namespace="gatekeeper-system",
    release="gatekeeper",
    values="""\
replicas: 3                              # the webhook sits in every admission
validatingWebhookFailurePolicy: Ignore   # a down webhook must not block the cluster
auditInterval: 60
constraintViolationsLimit: 20
logDenies: true
# roll constraints out with enforcementAction: dryrun, then warn, then deny
""",
)

#: the Deployments carry no app.kubernetes.io/name label
WORKLOAD_NAMES: tuple[str, ...] = ()
SELECTORS: tuple[dict[str, str], ...] = (
    {"control-plane": "controller-manager", "gatekeeper.sh/operation": "webhook"},
    {"control-plane": "audit-controller", "gatekeeper.sh/operation": "audit"},
)
CHARTS: tuple[str, ...] = ("gatekeeper",)
API_GROUPS: tuple[str, ...] = (
    "templates.gatekeeper.sh", "constraints.gatekeeper.sh", "config.gatekeeper.sh",
)


PLUGIN = Plugin(
    id="gatekeeper",
    title="Gatekeeper",
    category="policy",
    why="Rejects non-compliant objects at admission and audits what already runs.",
    chart=CHART,
    api_groups=API_GROUPS,
    chart_names=CHARTS,
    workload_selectors=SELECTORS,
)
