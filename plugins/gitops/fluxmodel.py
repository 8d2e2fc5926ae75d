"""Flux objects as rows: Ready / Reconciling / Stalled, revisions, suspension, dependencies.

Pure parsing (no Textual, no I/O) of Kustomizations (kustomize.toolkit.fluxcd.io/v1),
HelmReleases (helm.toolkit.fluxcd.io/v2) and sources (source.toolkit.fluxcd.io/v1), shared
by the pane, the board and ``gitops status``. The status word follows the kstatus rules Flux
uses (``flux get``): Stalled wins over Reconciling, which wins over Ready; a suspended object
says so. Strings are raw: callers pass them through the text boundary.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from k8s_essentials_tui.api import Fields, mapping

#: Flux's reconcile request annotation (fluxcd/pkg/apis/meta ReconcileRequestAnnotation)
RECONCILE_ANNOTATION = "reconcile.fluxcd.io/requestedAt"


@dataclass
class FluxRow:
    kind: str
    namespace: str
    name: str
    #: the Ready condition's status: "True", "False" or "Unknown"
    ready: str
    #: Ready / Failed / Reconciling / Stalled / Unknown (see :func:`status_word`)
    status: str
    message: str
    suspended: bool
    #: what the controller applied (Kustomization: lastAppliedRevision; HelmRelease: the
    #: chart version of the last release; a source: its artifact's revision)
    applied: str
    #: what was last attempted (lastAttemptedRevision)
    attempted: str
    #: (kind, namespace, name) of the source this object reads from, if any
    source: tuple[str, str, str] | None
    last_handled: str
    depends_on: list[tuple[str, str]] = field(default_factory=list)
    #: inventory of a Kustomization: (kind, namespace, name, group/version)
    inventory: list[tuple[str, str, str, str]] = field(default_factory=list)
    url: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.kind}/{self.namespace}/{self.name}"

    @property
    def ok(self) -> bool:
        return self.ready == "True" and self.status == "Ready"


def _condition(f: Fields, kind: str) -> Mapping[str, Any]:
    for item in f.array("status.conditions"):
        if mapping(item).get("type") == kind:
            return mapping(item)
    return {}


def status_word(f: Fields) -> tuple[str, str, str]:
    """(Ready status, status word, message) from the conditions."""
    ready = _condition(f, "Ready")
    stalled = _condition(f, "Stalled")
    reconciling = _condition(f, "Reconciling")
    ready_status = str(ready.get("status") or "Unknown")
    message = str(ready.get("message") or "")
    if stalled.get("status") == "True":
        return ready_status, "Stalled", str(stalled.get("message") or message)
    if reconciling.get("status") == "True":
        return ready_status, "Reconciling", str(reconciling.get("message") or message)
    word = {"True": "Ready", "False": "Failed"}.get(ready_status, "Unknown")
    return ready_status, word, message


def parse_inventory_id(entry_id: str) -> tuple[str, str, str, str] | None:
    """``<namespace>_<name>_<group>_<kind>`` (fluxcd/cli-utils ``ObjMetadata.String``) as
    (kind, namespace, name, group); None when it is not in that form. Parsed as cli-utils
    does: namespace up to the first ``_``, kind and group from the end, the rest is the name,
    where ``__`` stands for ``:`` (RBAC names like ``system:controller``)."""
    namespace, sep, rest = entry_id.partition("_")
    rest, sep2, kind = rest.rpartition("_")
    name, sep3, group = rest.rpartition("_")
    if not (sep and sep2 and sep3) or not kind or not name:
        return None
    return kind, namespace, name.replace("__", ":"), group


def flux_row(obj: Any) -> FluxRow:
    f = Fields(obj)
    kind = f.text("kind")
    ready, status, message = status_word(f)
    source: tuple[str, str, str] | None = None
    namespace = f.text("metadata.namespace")
    if kind == "Kustomization":
        ref = f.obj("spec.sourceRef")
        applied, attempted = (f.text("status.lastAppliedRevision"),
                              f.text("status.lastAttemptedRevision"))
    elif kind == "HelmRelease":
        ref = f.obj("spec.chart.spec.sourceRef") or f.obj("spec.chartRef")
        history = f.array("status.history")
        latest = Fields(history[0] if history else {}, f.problems)
        applied = latest.text("chartVersion")
        attempted = f.text("status.lastAttemptedRevision")
        chart = f.text("status.helmChart")  # "namespace/name" of the generated HelmChart
        if chart and "/" in chart and not f.obj("spec.chartRef"):
            cns, _, cname = chart.partition("/")
            source = ("HelmChart", cns, cname)
    else:  # a source
        ref = {}
        applied = attempted = f.text("status.artifact.revision")
    if ref and source is None:
        rf = Fields(ref, f.problems)
        source = (rf.text("kind"), rf.text("namespace") or namespace, rf.text("name"))
    depends = []
    for item in f.array("spec.dependsOn"):
        d = Fields(item, f.problems)
        depends.append((d.text("namespace") or namespace, d.text("name")))
    inventory = []
    for item in f.array("status.inventory.entries"):
        e = Fields(item, f.problems)
        parsed = parse_inventory_id(e.text("id"))
        if parsed is not None:
            ikind, ins, iname, igroup = parsed
            version = e.text("v")
            inventory.append((ikind, ins, iname, f"{igroup}/{version}" if igroup else version))
    return FluxRow(
        kind=kind, namespace=namespace, name=f.text("metadata.name"), ready=ready,
        status=status, message=message, suspended=f.flag("spec.suspend"), applied=applied,
        attempted=attempted, source=source,
        last_handled=f.text("status.lastHandledReconcileAt"), depends_on=depends,
        inventory=inventory, url=f.text("spec.url"), problems=f.problems)


def flux_rows(items: Iterable[Any]) -> list[FluxRow]:
    return sorted((flux_row(o) for o in items), key=lambda r: (r.namespace, r.name))


def source_revision(row: FluxRow, sources: Mapping[tuple[str, str, str], FluxRow]) -> str:
    """The artifact revision of the row's source ("" when unknown or not listed)."""
    if row.source is None:
        return ""
    src = sources.get(row.source)
    return src.applied if src is not None else ""


def behind(row: FluxRow, sources: Mapping[tuple[str, str, str], FluxRow]) -> bool:
    """The source has an artifact newer than what was applied (the next reconcile applies
    it; a failing one keeps the cluster on the old revision)."""
    src = source_revision(row, sources)
    return bool(src and row.applied and src != row.applied
                and row.kind == "Kustomization")


def blocking_dependency(row: FluxRow, same_kind: Mapping[tuple[str, str], FluxRow]
                        ) -> str:
    """The first ``dependsOn`` entry that is missing or not Ready ("" when none blocks):
    Flux does not reconcile an object until every dependency is Ready."""
    for ns, name in row.depends_on:
        dep = same_kind.get((ns, name))
        if dep is None:
            return f"{ns}/{name} (not found)"
        if dep.ready != "True":
            return f"{ns}/{name} ({dep.status})"
    return ""


def index(rows: Iterable[FluxRow]) -> dict[tuple[str, str, str], FluxRow]:
    return {(r.kind, r.namespace, r.name): r for r in rows}


def not_ready(rows: Iterable[FluxRow]) -> list[FluxRow]:
    """Objects that count against health: not Ready and not suspended."""
    return [r for r in rows if not r.suspended and not r.ok]
