"""Pure parsing of the policy engines' objects into one table of policies and one of results.

Why one model for three engines: an operator asks "what is enforced here, and what fails?"
without caring whether Kyverno, Gatekeeper or the apiserver's own ValidatingAdmissionPolicy
answers. The pane and the ``policy`` command both read these rows; nothing here does I/O or
imports Textual. Every field is read through :class:`Fields`, so a malformed object becomes a
row with a problem, never a crash.

Wire formats (see docs/policy.md for the sources):

- Kyverno ``ClusterPolicy``/``Policy`` (kyverno.io/v1): ``spec.rules[]`` with
  ``validate.failureAction`` (1.13+, per rule) falling back to the deprecated
  ``spec.validationFailureAction``; ``spec.background`` (default true); Ready from
  ``status.conditions`` (else the older ``status.ready``).
- Kyverno ``ValidatingPolicy`` (cluster) and ``NamespacedValidatingPolicy``
  (policies.kyverno.io: v1alpha1 in 1.15, v1beta1 and the namespaced kind from 1.16, v1 from
  1.17; read in the version discovery prefers): CEL ``spec.validations[]``,
  ``spec.validationActions`` (Deny/Warn/Audit), ``spec.failurePolicy``,
  ``spec.evaluation.{admission,background}.enabled`` (default true); Ready from
  ``status.conditionStatus.ready``. Their report results carry ``source:
  KyvernoValidatingPolicy``.
- Gatekeeper ``ConstraintTemplate`` (templates.gatekeeper.sh/v1): the constraint kind at
  ``spec.crd.spec.names.kind``; constraints (constraints.gatekeeper.sh, one CRD per template):
  ``spec.enforcementAction`` deny|dryrun|warn|scoped (default deny), ``status.totalViolations``,
  ``status.auditTimestamp``, ``status.violations[]`` -- capped by the audit's
  ``--constraint-violations-limit`` (default 20): the total can exceed what is listed.
- ``ValidatingAdmissionPolicy`` and its bindings (admissionregistration.k8s.io/v1): the
  policy's ``validations[]`` and ``failurePolicy``; a binding's ``policyName`` and
  ``validationActions`` (Deny/Warn/Audit).
- Reports: ``PolicyReport``/``ClusterPolicyReport`` (wgpolicyk8s.io/v1alpha2) and
  ``Report``/``ClusterReport`` (openreports.io/v1alpha1): ``results[]`` and ``summary`` at the
  TOP level; a result's resource is ``results[].resources[0]``, else the report's ``scope``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from k8s_essentials_tui.api import Fields, rt

# -- resource types ---------------------------------------------------------------------

KYVERNO_CLUSTER_POLICIES = rt("kyverno.io/v1", "clusterpolicies", "ClusterPolicy",
                              namespaced=False)
KYVERNO_POLICIES = rt("kyverno.io/v1", "policies", "Policy")
KYVERNO_VPOLS = rt("policies.kyverno.io/v1", "validatingpolicies", "ValidatingPolicy",
                   namespaced=False)
KYVERNO_NVPOLS = rt("policies.kyverno.io/v1", "namespacedvalidatingpolicies",
                    "NamespacedValidatingPolicy")
KYVERNO_EXCEPTIONS = rt("kyverno.io/v2", "policyexceptions", "PolicyException")
GK_TEMPLATES = rt("templates.gatekeeper.sh/v1", "constrainttemplates", "ConstraintTemplate",
                  namespaced=False)
GK_CONFIGS = rt("config.gatekeeper.sh/v1alpha1", "configs", "Config")
GK_CONSTRAINT_GROUP = "constraints.gatekeeper.sh"
VAPS = rt("admissionregistration.k8s.io/v1", "validatingadmissionpolicies",
          "ValidatingAdmissionPolicy", namespaced=False)
VAP_BINDINGS = rt("admissionregistration.k8s.io/v1", "validatingadmissionpolicybindings",
                  "ValidatingAdmissionPolicyBinding", namespaced=False)
POLICY_REPORTS = rt("wgpolicyk8s.io/v1alpha2", "policyreports", "PolicyReport")
CLUSTER_POLICY_REPORTS = rt("wgpolicyk8s.io/v1alpha2", "clusterpolicyreports",
                            "ClusterPolicyReport", namespaced=False)
OPEN_REPORTS = rt("openreports.io/v1alpha1", "reports", "Report")
OPEN_CLUSTER_REPORTS = rt("openreports.io/v1alpha1", "clusterreports", "ClusterReport",
                          namespaced=False)

#: the report types, namespaced first (they are read together)
REPORT_TYPES = (POLICY_REPORTS, CLUSTER_POLICY_REPORTS, OPEN_REPORTS, OPEN_CLUSTER_REPORTS)
#: Gatekeeper's default for ``--constraint-violations-limit`` (how many it lists)
GK_VIOLATIONS_LIMIT = 20

ENGINE_KYVERNO, ENGINE_GATEKEEPER, ENGINE_VAP = "kyverno", "gatekeeper", "vap"
RESULTS_SHOWN = ("fail", "warn", "error")
SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4, "": 5}


def constraint_type(kind: str, version: str = "v1beta1") -> Any:
    """The resource type Gatekeeper creates for a template's constraint kind (the plural
    is the lower-cased kind, the CRD is cluster-scoped)."""
    return rt(f"{GK_CONSTRAINT_GROUP}/{version}", kind.lower(), kind, namespaced=False)


def _meta(f: Fields) -> tuple[str, str]:
    return f.text("metadata.name"), f.text("metadata.namespace")


# -- policies ---------------------------------------------------------------------------


@dataclass
class PolicyRow:
    """One line of the policies table, whatever the engine."""

    engine: str
    kind: str
    name: str
    namespace: str = ""
    #: Enforce/Audit (Kyverno), deny/dryrun/warn (Gatekeeper), Deny,Warn (VAP bindings)
    mode: str = ""
    rules: int = 0
    background: bool | None = None
    ready: bool | None = None
    #: results counted from reports (Kyverno, VAP) or the constraint's total (Gatekeeper)
    fail: int = 0
    warn: int = 0
    passed: int = 0
    last_audit: str = ""
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.engine}/{self.kind}/{self.namespace}/{self.name}"

    @property
    def ref(self) -> str:
        """How reports name the policy: ``ns/name`` for a namespaced Kyverno Policy."""
        return f"{self.namespace}/{self.name}" if self.namespace else self.name

    def as_json(self) -> dict[str, Any]:
        return {"engine": self.engine, "kind": self.kind, "name": self.name,
                "namespace": self.namespace or None, "mode": self.mode, "rules": self.rules,
                "background": self.background, "ready": self.ready, "fail": self.fail,
                "warn": self.warn, "pass": self.passed, "lastAudit": self.last_audit or None,
                "notes": self.notes, "problems": self.problems}


def _ready(f: Fields) -> bool | None:
    for cond in f.array("status.conditions"):
        c = Fields(cond, f.problems)
        if c.text("type") == "Ready":
            return {"True": True, "False": False}.get(c.text("status"))
    raw = f.raw("status.ready")
    return raw if isinstance(raw, bool) else None


def kyverno_policy(obj: Any) -> PolicyRow:
    f = Fields(obj)
    name, ns = _meta(f)
    kind = f.text("kind") or ("Policy" if ns else "ClusterPolicy")
    default = f.text("spec.validationFailureAction") or "Audit"
    actions: list[str] = []
    rules = f.array("spec.rules")
    for rule in rules:
        r = Fields(rule, f.problems)
        if not r.obj("validate"):
            continue
        action = r.text("validate.failureAction") or default
        # Kyverno accepts the lower-case spellings too (enforce/audit)
        action = action[:1].upper() + action[1:].lower() if action else action
        if action not in actions:
            actions.append(action)
    mode = "/".join(sorted(actions)) if actions else "-"
    return PolicyRow(engine=ENGINE_KYVERNO, kind=kind, name=name, namespace=ns, mode=mode,
                     rules=len(rules), background=f.flag("spec.background", True),
                     ready=_ready(f), problems=f.problems)


def kyverno_validating_policy(obj: Any) -> PolicyRow:
    """A CEL ValidatingPolicy (or its namespaced kind): its validationActions are the mode,
    its validations the rules."""
    f = Fields(obj)
    name, ns = _meta(f)
    kind = f.text("kind") or ("NamespacedValidatingPolicy" if ns else "ValidatingPolicy")
    actions = f.texts("spec.validationActions")
    row = PolicyRow(engine=ENGINE_KYVERNO, kind=kind, name=name, namespace=ns,
                    mode=",".join(actions) if actions else "-",
                    rules=len(f.array("spec.validations")),
                    background=f.flag("spec.evaluation.background.enabled", True),
                    problems=f.problems)
    ready = f.raw("status.conditionStatus.ready")
    row.ready = ready if isinstance(ready, bool) else None
    message = f.text("status.conditionStatus.message")
    if row.ready is False and message:
        row.notes.append(message)
    row.notes.append(f"failurePolicy {f.text('spec.failurePolicy') or 'Fail'}")
    if not f.flag("spec.evaluation.admission.enabled", True):
        row.notes.append("admission off: reports only")
    if not actions:
        row.notes.append("no validationActions: the apiserver rejects such a policy")
    return row


def gatekeeper_template_kind(obj: Any) -> str:
    """The constraint kind a ConstraintTemplate defines ("" when unreadable)."""
    return Fields(obj).text("spec.crd.spec.names.kind")


def gatekeeper_constraint(obj: Any) -> PolicyRow:
    f = Fields(obj)
    name, _ = _meta(f)
    action = f.text("spec.enforcementAction") or "deny"
    total = f.number("status.totalViolations")
    listed = len(f.array("status.violations"))
    row = PolicyRow(engine=ENGINE_GATEKEEPER, kind=f.text("kind") or "Constraint", name=name,
                    mode=action, rules=1, fail=total if action == "deny" else 0,
                    warn=total if action != "deny" else 0,
                    last_audit=f.text("status.auditTimestamp"), problems=f.problems)
    by_pod = f.array("status.byPod")
    if by_pod:
        row.ready = all(Fields(p, f.problems).flag("enforced") for p in by_pod)
    if total > listed:
        row.notes.append(capped_note(total, listed))
    return row


def capped_note(total: int, listed: int) -> str:
    """Gatekeeper lists at most --constraint-violations-limit violations per constraint."""
    return (f"{total} violations, {listed} listed: Gatekeeper's audit lists at most "
            f"--constraint-violations-limit (default {GK_VIOLATIONS_LIMIT}) per constraint")


def gatekeeper_template(obj: Any, has_constraints: bool) -> PolicyRow:
    """A template without constraints enforces nothing: it is listed so that is visible."""
    f = Fields(obj)
    name, _ = _meta(f)
    row = PolicyRow(engine=ENGINE_GATEKEEPER, kind="ConstraintTemplate", name=name,
                    mode="-", rules=len(f.array("spec.targets")),
                    ready=f.flag("status.created") if f.raw("status.created") is not None
                    else None, problems=f.problems)
    if not has_constraints:
        row.notes.append("no constraint uses this template: it enforces nothing")
    return row


def vap_policy(obj: Any, bindings: Iterable[Any]) -> PolicyRow:
    f = Fields(obj)
    name, _ = _meta(f)
    actions: list[str] = []
    bound = 0
    for b in bindings:
        bf = Fields(b)
        if bf.text("spec.policyName") != name:
            continue
        bound += 1
        for a in bf.texts("spec.validationActions"):
            if a not in actions:
                actions.append(a)
    row = PolicyRow(engine=ENGINE_VAP, kind="ValidatingAdmissionPolicy", name=name,
                    mode=",".join(actions) if actions else "-",
                    rules=len(f.array("spec.validations")), problems=f.problems)
    warnings = f.array("status.typeChecking.expressionWarnings")
    if warnings:
        row.notes.append(f"{len(warnings)} CEL type-checking warning(s)")
        row.ready = False
    else:
        row.ready = True if f.obj("status") else None
    fp = f.text("spec.failurePolicy") or "Fail"
    row.notes.append(f"failurePolicy {fp}")
    if not bound:
        row.notes.append("no binding: the policy is not enforced")
    return row


# -- exemptions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Exemption:
    engine: str
    source: str
    text: str


def kyverno_exemptions(obj: Any) -> list[Exemption]:
    """One line per exception entry: which policy/rules it exempts."""
    f = Fields(obj)
    name, ns = _meta(f)
    out = []
    for ex in f.array("spec.exceptions"):
        e = Fields(ex, f.problems)
        rules = ", ".join(e.texts("ruleNames")) or "all rules"
        out.append(Exemption(ENGINE_KYVERNO, f"PolicyException {ns}/{name}",
                             f"{e.text('policyName')}: {rules}"))
    return out


def gatekeeper_exemptions(obj: Any) -> list[Exemption]:
    """Gatekeeper's Config: namespaces excluded from some or all of its processes."""
    f = Fields(obj)
    name, ns = _meta(f)
    out = []
    for m in f.array("spec.match"):
        mf = Fields(m, f.problems)
        procs = ", ".join(mf.texts("processes")) or "no process"
        for excluded in mf.texts("excludedNamespaces"):
            out.append(Exemption(ENGINE_GATEKEEPER, f"Config {ns}/{name}",
                                 f"namespace {excluded} excluded from {procs}"))
    return out


# -- results ------------------------------------------------------------------------------


@dataclass(slots=True)
class ResultRow:
    """One failing (or warning/error) result about one resource."""

    engine: str
    policy: str
    rule: str
    result: str
    severity: str
    message: str
    kind: str
    name: str
    namespace: str
    source: str = ""

    @property
    def resource(self) -> str:
        where = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind}/{where}{self.name}" if self.kind else f"{where}{self.name}"

    def as_json(self) -> dict[str, Any]:
        return {"engine": self.engine, "policy": self.policy, "rule": self.rule,
                "result": self.result, "severity": self.severity or None,
                "message": self.message, "resource": {"kind": self.kind, "name": self.name,
                                                      "namespace": self.namespace or None},
                "source": self.source or None}


@dataclass
class Tally:
    """pass/fail/warn/error/skip per policy, counted from every report's results."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, policy: str, result: str) -> None:
        per = self.counts.setdefault(policy, {})
        per[result] = per.get(result, 0) + 1


def _str(d: Mapping[str, Any], key: str) -> str:
    value = d.get(key)
    return value if type(value) is str else ""


#: report ``source`` -> engine (Kyverno's CEL policies say ``KyvernoValidatingPolicy``...)
_ENGINES = {"": ENGINE_KYVERNO, "kyverno": ENGINE_KYVERNO,
            "ValidatingAdmissionPolicy": ENGINE_VAP}


@dataclass
class ParsedReport:
    """One report read once: its listed results and its counts per policy and outcome."""

    namespace: str
    rows: list[ResultRow]
    counts: dict[str, dict[str, int]]


def parse_report(report: Any) -> ParsedReport:
    """Why plain dict reads here: a report holds hundreds of results and a cluster
    thousands of reports, so this is the hot path of the pane (see bench/policy_bench.py);
    a field of the wrong type reads as empty, as with :class:`Fields`. ``type(x) is str``
    and ``dict`` checks (decoded JSON has no other mappings) instead of ABC checks: this loop
    runs 20,000 times in the benchmark."""
    obj = report if isinstance(report, dict) else {}
    meta = obj.get("metadata")
    report_ns = _str(meta, "namespace") if isinstance(meta, dict) else ""
    scope = obj.get("scope")
    scope = scope if isinstance(scope, dict) else {}
    raw_results = obj.get("results")
    out: list[ResultRow] = []
    counts: dict[str, dict[str, int]] = {}
    for raw in raw_results if isinstance(raw_results, list) else ():
        if type(raw) is not dict:
            continue
        policy, result = raw.get("policy"), raw.get("result")
        policy = policy if type(policy) is str else ""
        result = result if type(result) is str else ""
        per = counts.get(policy)
        if per is None:
            per = counts[policy] = {}
        per[result] = per.get(result, 0) + 1
        if result not in RESULTS_SHOWN:
            continue
        listed = raw.get("resources")
        resources = [x for x in listed if type(x) is dict] if type(listed) is list else []
        source = _str(raw, "source")
        engine = _ENGINES.get(source) or (ENGINE_KYVERNO if source.startswith("Kyverno")
                                          else source)
        rule, severity, message = _str(raw, "rule"), _str(raw, "severity"), \
            _str(raw, "message")
        for res in resources or [scope]:
            out.append(ResultRow(engine, policy, rule, result, severity, message,
                                 _str(res, "kind"), _str(res, "name"),
                                 _str(res, "namespace") or report_ns, source))
    return ParsedReport(report_ns, out, counts)


def report_results(report: Any, tally: Tally | None = None,
                   keep: tuple[str, ...] = RESULTS_SHOWN) -> list[ResultRow]:
    """The results of a PolicyReport/ClusterPolicyReport/Report whose outcome is in
    ``keep``; every result (passes too) is counted in ``tally``."""
    parsed = parse_report(report)
    if tally is not None:
        for policy, per in parsed.counts.items():
            for result, n in per.items():
                for _ in range(n):
                    tally.add(policy, result)
    return [r for r in parsed.rows if r.result in keep]


class ReportCache:
    """Parsed reports by uid + resourceVersion: a watch event on one report re-reads that
    report only, not the 20,000 results of the others."""

    def __init__(self) -> None:
        self._parsed: dict[str, tuple[str, ParsedReport]] = {}

    def get(self, report: Any) -> ParsedReport:
        meta = report.get("metadata") if isinstance(report, Mapping) else None
        meta = meta if isinstance(meta, Mapping) else {}
        key = _str(meta, "uid") or f"{_str(meta, 'namespace')}/{_str(meta, 'name')}"
        rv = _str(meta, "resourceVersion")
        hit = self._parsed.get(key)
        if hit is not None and rv and hit[0] == rv:
            return hit[1]
        parsed = parse_report(report)
        self._parsed[key] = (rv, parsed)
        return parsed

    def retain(self, reports: list[Any]) -> None:
        """Forget reports that are gone (bounded by what the caches hold)."""
        keep = set()
        for r in reports:
            meta = r.get("metadata") if isinstance(r, Mapping) else None
            meta = meta if isinstance(meta, Mapping) else {}
            keep.add(_str(meta, "uid") or f"{_str(meta, 'namespace')}/{_str(meta, 'name')}")
        for key in list(self._parsed):
            if key not in keep:
                del self._parsed[key]


def constraint_results(obj: Any) -> list[ResultRow]:
    """The violations a Gatekeeper constraint lists (capped: see :func:`capped_note`)."""
    f = Fields(obj)
    name, _ = _meta(f)
    kind = f.text("kind")
    default = f.text("spec.enforcementAction") or "deny"
    out = []
    for v in f.array("status.violations"):
        vf = Fields(v)
        action = vf.text("enforcementAction") or default
        out.append(ResultRow(
            engine=ENGINE_GATEKEEPER, policy=f"{kind}/{name}" if kind else name, rule="",
            result="fail" if action == "deny" else "warn", severity="", source="gatekeeper",
            message=vf.text("message"), kind=vf.text("kind"), name=vf.text("name"),
            namespace=vf.text("namespace")))
    return out


# -- the whole picture --------------------------------------------------------------------


@dataclass
class PolicyInventory:
    """Everything the pane and the ``policy`` command show, built from lists of objects."""

    policies: list[PolicyRow] = field(default_factory=list)
    results: list[ResultRow] = field(default_factory=list)
    exemptions: list[Exemption] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Sources:
    """The objects read from the cluster, by type (missing = the engine is not installed)."""

    kyverno: list[Any] = field(default_factory=list)
    kyverno_vpols: list[Any] = field(default_factory=list)
    kyverno_exceptions: list[Any] = field(default_factory=list)
    templates: list[Any] = field(default_factory=list)
    constraints: list[Any] = field(default_factory=list)
    gatekeeper_configs: list[Any] = field(default_factory=list)
    vaps: list[Any] = field(default_factory=list)
    vap_bindings: list[Any] = field(default_factory=list)
    reports: list[Any] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def inventory(src: Sources, namespace: str | None = None,
              reports: ReportCache | None = None) -> PolicyInventory:
    """Policies with their counts, the failing results and the exemptions.

    ``namespace`` narrows results to that namespace (cluster-scoped resources are dropped);
    namespaced Kyverno Policies of other namespaces are dropped too."""
    inv = PolicyInventory(notes=list(src.notes))
    cache = reports or ReportCache()
    counts: dict[str, dict[str, int]] = {}
    for report in src.reports:
        parsed = cache.get(report)
        inv.results.extend(parsed.rows)
        # counts from the reports in scope (a cluster report's results are about
        # cluster-scoped objects: not counted in a namespace's view)
        if namespace is None or parsed.namespace == namespace:
            for policy, per in parsed.counts.items():
                mine = counts.setdefault(policy, {})
                for result, n in per.items():
                    mine[result] = mine.get(result, 0) + n
    if reports is not None:
        reports.retain(src.reports)
    for c in src.constraints:
        inv.results.extend(constraint_results(c))
    if namespace is not None:
        inv.results = [r for r in inv.results if in_namespace(r, namespace)]
    for obj in src.kyverno:
        row = kyverno_policy(obj)
        if namespace is not None and row.namespace and row.namespace != namespace:
            continue
        _count(row, counts.get(row.ref) or {})
        inv.policies.append(row)
    for obj in src.kyverno_vpols:
        row = kyverno_validating_policy(obj)
        if namespace is not None and row.namespace and row.namespace != namespace:
            continue
        _count(row, counts.get(row.ref) or {})
        inv.policies.append(row)
    used_kinds = {Fields(c).text("kind") for c in src.constraints}
    for t in src.templates:
        inv.policies.append(gatekeeper_template(t, gatekeeper_template_kind(t) in used_kinds))
    for c in src.constraints:
        row = gatekeeper_constraint(c)
        if namespace is not None:  # the total is cluster-wide: count what is listed here
            here = [r for r in constraint_results(c) if in_namespace(r, namespace)]
            row.fail = sum(1 for r in here if r.result == "fail")
            row.warn = sum(1 for r in here if r.result == "warn")
        inv.policies.append(row)
    for v in src.vaps:
        row = vap_policy(v, src.vap_bindings)
        _count(row, counts.get(row.name) or {})
        inv.policies.append(row)
    for e in src.kyverno_exceptions:
        inv.exemptions.extend(kyverno_exemptions(e))
    for c in src.gatekeeper_configs:
        inv.exemptions.extend(gatekeeper_exemptions(c))
    inv.policies.sort(key=lambda p: (-p.fail, -p.warn, p.engine, p.namespace, p.name))
    inv.results.sort(key=result_order)
    return inv


def in_namespace(r: ResultRow, namespace: str) -> bool:
    """A result belongs to a namespace's view when its resource lives there -- or is that
    Namespace object itself (Gatekeeper's "namespaces must have labels" constraints)."""
    return r.namespace == namespace or (r.kind == "Namespace" and r.name == namespace)


def _count(row: PolicyRow, per: Mapping[str, int]) -> None:
    row.fail = per.get("fail", 0) + per.get("error", 0)
    row.warn = per.get("warn", 0)
    row.passed = per.get("pass", 0)


def result_order(r: ResultRow) -> tuple[Any, ...]:
    return (r.result != "fail", SEVERITY_RANK.get(r.severity, 5), r.policy, r.namespace,
            r.kind, r.name, r.rule)


# -- grouping -----------------------------------------------------------------------------

GROUPINGS = ("policy", "namespace", "resource")


def group_key(r: ResultRow, by: str) -> str:
    if by == "namespace":
        return r.namespace or "(cluster)"
    if by == "resource":
        return r.resource
    return r.policy


def grouped(results: Iterable[ResultRow], by: str) -> list[tuple[str, list[ResultRow]]]:
    """Results grouped (largest group first, then by name); the order inside a group kept."""
    groups: dict[str, list[ResultRow]] = {}
    for r in results:
        groups.setdefault(group_key(r, by), []).append(r)
    return sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))


def matches(r: ResultRow, needle: str) -> bool:
    """The filter: a case-insensitive substring of any shown field."""
    n = needle.lower()
    return any(n in s.lower() for s in (r.policy, r.rule, r.result, r.severity, r.message,
                                        r.resource))


def policy_matches(p: PolicyRow, needle: str) -> bool:
    n = needle.lower()
    return any(n in s.lower() for s in (p.engine, p.kind, p.name, p.namespace, p.mode,
                                        *p.notes))


def results_for_resource(results: Iterable[ResultRow], kind: str, name: str,
                         namespace: str) -> list[ResultRow]:
    return [r for r in results if (r.kind, r.name, r.namespace) == (kind, name, namespace)]


def results_for_policy(results: Iterable[ResultRow], row: PolicyRow) -> list[ResultRow]:
    if row.engine == ENGINE_GATEKEEPER:
        return [r for r in results if r.policy == f"{row.kind}/{row.name}"]
    return [r for r in results if r.policy == row.ref]
