"""Policy: Kyverno, OPA Gatekeeper and Kubernetes' own ValidatingAdmissionPolicy in one pane.

Catalog entries and detection only (no Textual): both engines open the same policy pane
(``pane.py``, loaded lazily), because an operator asks "what is enforced and what fails?"
whatever engine answers -- and ValidatingAdmissionPolicies need no engine at all. The
``policy`` headless command (``command.py``) shares the pane's model.

Kyverno's controller Deployments are labelled ``app.kubernetes.io/component: <controller>``,
``app.kubernetes.io/name: kyverno-<controller>`` and ``app.kubernetes.io/part-of: kyverno``.
Gatekeeper's chart labels its Deployments ``control-plane`` + ``gatekeeper.sh/operation``
(and ``app: gatekeeper``) but sets no ``app.kubernetes.io/name`` on them.
"""

from __future__ import annotations

from k8s_essentials_tui.api import ChartRef, Plugin, PluginAction, PluginCommand

PANE = "k8s_essentials_tui.plugins.policy.pane:PolicyPane"

KYVERNO_CHART = ChartRef(
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
KYVERNO_WORKLOADS: tuple[str, ...] = tuple(f"kyverno-{c}" for c in _COMPONENTS)
KYVERNO_SELECTORS: tuple[dict[str, str], ...] = tuple(
    {"app.kubernetes.io/name": f"kyverno-{c}", "app.kubernetes.io/component": c,
     "app.kubernetes.io/part-of": "kyverno"}
    for c in _COMPONENTS
)

GATEKEEPER_CHART = ChartRef(
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
GATEKEEPER_SELECTORS: tuple[dict[str, str], ...] = (
    {"control-plane": "controller-manager", "gatekeeper.sh/operation": "webhook"},
    {"control-plane": "audit-controller", "gatekeeper.sh/operation": "audit"},
)

ACTIONS = (
    PluginAction("policy.view.policies", "Policy: policies", "1",
                 "every policy of every engine, with its mode and failing count"),
    PluginAction("policy.view.results", "Policy: violations", "2",
                 "failing results from the reports and Gatekeeper's constraint status"),
    PluginAction("policy.view.webhooks", "Policy: admission webhooks", "3",
                 "webhooks, their failurePolicy and ready endpoints (the escape hatch)"),
    PluginAction("policy.view.exemptions", "Policy: exemptions", "4",
                 "Kyverno PolicyExceptions and the namespaces Gatekeeper's Config excludes"),
    PluginAction("policy.check", "Policy: would this be admitted?", "c",
                 "server-side dry-run of a manifest file"),
    PluginAction("policy.webhook.ignore", "Policy: set webhook failurePolicy Ignore", "I",
                 "the escape hatch for a Fail webhook without endpoints", mutating=True),
    PluginAction("policy.webhook.revert", "Policy: revert webhook failurePolicy to Fail",
                 "R", "undo the escape hatch", mutating=True),
)

POLICY_HELP = "policies of every engine and their failing results; 'policy check FILE'"

GATEKEEPER = Plugin(
    id="gatekeeper",
    title="Gatekeeper",
    category="policy",
    why="Rejects non-compliant objects at admission and audits what already runs.",
    chart=GATEKEEPER_CHART,
    api_groups=("templates.gatekeeper.sh", "constraints.gatekeeper.sh",
                "config.gatekeeper.sh"),
    chart_names=("gatekeeper",),
    workload_selectors=GATEKEEPER_SELECTORS,
    pane=PANE,
    actions=ACTIONS,
)

KYVERNO = Plugin(
    id="kyverno",
    title="Kyverno",
    category="policy",
    why="Policy as plain YAML: block risky pods, add defaults, report violations per namespace.",
    chart=KYVERNO_CHART,
    api_groups=("kyverno.io",),
    chart_names=("kyverno",),
    workload_selectors=KYVERNO_SELECTORS,
    pane=PANE,
    actions=ACTIONS,
    aliases=("policy", "policies", "pol"),
    # the install screen's "would this chart be admitted?" (any engine, or none: VAPs)
    preflight="k8s_essentials_tui.plugins.policy.preflight:check",
    commands=(PluginCommand(
        "policy", POLICY_HELP, "k8s_essentials_tui.plugins.policy.command",
        "Policies of Kyverno, Gatekeeper and ValidatingAdmissionPolicy with their failing "
        "results (exit 1 with --fail-on when found); 'policy check FILE...' asks the "
        "apiserver by server-side dry-run whether each object would be admitted (exit 0 "
        "admitted, 1 denied, 2 errors)."),),
)

#: the workloads each plugin's selectors name (Gatekeeper's carry no app.kubernetes.io/name)
WORKLOAD_NAMES_BY_ID: dict[str, tuple[str, ...]] = {"kyverno": KYVERNO_WORKLOADS,
                                                    "gatekeeper": ()}

#: gatekeeper first: the order the catalog listed them in before they shared a package
PLUGINS = (GATEKEEPER, KYVERNO)
