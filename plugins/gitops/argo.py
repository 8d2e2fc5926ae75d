"""Argo CD Applications as rows: sync, health, revisions, auto-sync, last operation.

Pure parsing of ``argoproj.io/v1alpha1`` Application objects (no Textual, no I/O), shared by
the pane, the board's GitOps health and ``gitops status``. Field names follow Argo CD's
``ApplicationStatus`` / ``SyncPolicy`` types (pkg/apis/application/v1alpha1/types.go). Every
read goes through :class:`Fields`: a malformed object becomes a row with ``problems``, never
a crash. Strings are returned raw; callers pass them through the text boundary.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from k8s_essentials_tui.api import Fields, mapping

#: operation phases that mean "an operation is in progress" (Argo CD's synccommon phases)
RUNNING_PHASES = frozenset({"Running", "Terminating"})
#: health statuses counted as degraded on the board
DEGRADED_HEALTH = frozenset({"Degraded", "Missing"})


@dataclass
class ResourceRow:
    """One entry of ``status.resources``: what the Application manages."""

    group: str
    kind: str
    namespace: str
    name: str
    sync: str
    health: str
    message: str = ""


@dataclass
class AppRow:
    namespace: str
    name: str
    project: str
    sync: str
    health: str
    health_message: str
    #: the revision last compared/synced (a commit SHA or chart version)
    revision: str
    target_revision: str
    repo: str
    #: ``path`` of a Git source, ``chart`` of a Helm source ("chart@version" shown)
    path: str
    auto_sync: bool
    prune: bool
    self_heal: bool
    #: last (or current) operation: phase and message
    op_phase: str
    op_message: str
    #: ``operation`` is set: Argo CD refuses another sync until the controller clears it
    operation_pending: bool
    resources: list[ResourceRow] = field(default_factory=list)
    conditions: list[tuple[str, str]] = field(default_factory=list)
    #: deploy history, newest first: (id, revision, deployedAt)
    history: list[tuple[str, str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"

    @property
    def out_of_sync(self) -> int:
        return sum(1 for r in self.resources if r.sync == "OutOfSync")

    @property
    def degraded(self) -> int:
        return sum(1 for r in self.resources if r.health in DEGRADED_HEALTH)

    @property
    def running(self) -> bool:
        """An operation is in progress: a sync is refused (as ``argocd app sync`` does)."""
        return self.operation_pending or self.op_phase in RUNNING_PHASES

    @property
    def ok(self) -> bool:
        return self.sync == "Synced" and self.health == "Healthy"

    @property
    def auto_text(self) -> str:
        if not self.auto_sync:
            return "off"
        extras = [w for w, on in (("prune", self.prune), ("self-heal", self.self_heal)) if on]
        return "on" + (f" ({', '.join(extras)})" if extras else "")

    @property
    def auto_short(self) -> str:
        """For a table cell: ``on``/``off`` (prune and self-heal are in the detail)."""
        return "on" if self.auto_sync else "off"


def short_revision(revision: str) -> str:
    """A Git SHA cut to 7 characters (as Argo CD's UI shows it); anything else as is."""
    if len(revision) == 40 and all(c in "0123456789abcdef" for c in revision):
        return revision[:7]
    return revision


def _source(f: Fields) -> Mapping[str, Any]:
    """The single source, or the first of ``spec.sources`` (multi-source apps)."""
    source = f.obj("spec.source")
    if source:
        return source
    sources = f.array("spec.sources")
    return mapping(sources[0]) if sources else {}


def auto_sync_enabled(obj: Mapping[str, Any]) -> bool:
    """``spec.syncPolicy.automated`` present and not ``enabled: false`` (Argo CD 3.1+)."""
    automated = Fields(obj).raw("spec.syncPolicy.automated")
    if not isinstance(automated, Mapping):
        return False
    return automated.get("enabled") is not False


class _Odd(Exception):
    """A field of an unexpected type: the checked parser takes over and names it."""


def _at(node: Any, *keys: str) -> Any:
    for key in keys:
        if node is None:
            return None
        if type(node) is not dict:
            raise _Odd
        node = node.get(key)
    return node


def _str(value: Any, default: str = "") -> str:
    if value is None:
        return default
    if type(value) is not str:
        raise _Odd
    return value


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    if type(value) is not list:
        raise _Odd
    return value


def _fast_app_row(obj: Any) -> AppRow:
    """:func:`checked_app_row` for a well-formed object (plain dicts, every field of its
    type), with direct reads: 2,000 Applications are parsed when the pane opens, and the
    path walks of :class:`Fields` were most of that time. Raises :class:`_Odd` at the first
    unexpected type (the checked parser then records the problem); a test holds the two
    equal on any object this one accepts."""
    if type(obj) is not dict:
        raise _Odd
    spec = _at(obj, "spec")
    source = _at(spec, "source")
    if source is not None and type(source) is not dict:
        raise _Odd  # e.g. ``source: false``: the checked reader names it
    if not source:
        sources = _list(_at(spec, "sources"))
        source = sources[0] if sources else {}
        if type(source) is not dict:
            raise _Odd
    chart = _str(source.get("chart"))
    status = _at(obj, "status")
    resources = []
    for item in _list(_at(status, "resources")):
        if type(item) is not dict:
            raise _Odd
        resources.append(ResourceRow(
            group=_str(item.get("group")), kind=_str(item.get("kind")),
            namespace=_str(item.get("namespace")), name=_str(item.get("name")),
            sync=_str(item.get("status")), health=_str(_at(item, "health", "status")),
            message=_str(_at(item, "health", "message"))))
    conditions = []
    for item in _list(_at(status, "conditions")):
        if type(item) is not dict:
            raise _Odd
        conditions.append((_str(item.get("type")), _str(item.get("message"))))
    history = []
    for item in reversed(_list(_at(status, "history"))):
        if type(item) is not dict:
            raise _Odd
        rid = item.get("id")
        history.append((str(rid) if isinstance(rid, int) else "", _str(item.get("revision")),
                        _str(item.get("deployedAt"))))
    automated = _at(spec, "syncPolicy", "automated")
    prune = _at(automated, "prune")
    self_heal = _at(automated, "selfHeal")
    if not (prune is None or type(prune) is bool) or \
            not (self_heal is None or type(self_heal) is bool):
        raise _Odd
    operation = obj.get("operation")
    return AppRow(
        namespace=_str(_at(obj, "metadata", "namespace")),
        name=_str(_at(obj, "metadata", "name")),
        project=_str(_at(spec, "project"), "default"),
        sync=_str(_at(status, "sync", "status"), "Unknown"),
        health=_str(_at(status, "health", "status"), "Unknown"),
        health_message=_str(_at(status, "health", "message")),
        revision=_str(_at(status, "sync", "revision")),
        target_revision=_str(source.get("targetRevision"), "HEAD"),
        repo=_str(source.get("repoURL")), path=chart or _str(source.get("path")),
        auto_sync=auto_sync_enabled(obj), prune=bool(prune), self_heal=bool(self_heal),
        op_phase=_str(_at(status, "operationState", "phase")),
        op_message=_str(_at(status, "operationState", "message")),
        operation_pending=isinstance(operation, Mapping) and bool(operation),
        resources=resources, conditions=conditions, history=history, problems=[])


def app_row(obj: Any) -> AppRow:
    """One Application as a row: the fast reader, or the checked one for an odd object."""
    try:
        return _fast_app_row(obj)
    except _Odd:
        return checked_app_row(obj)


def checked_app_row(obj: Any) -> AppRow:
    """Every read through :class:`Fields`: a field of the wrong type becomes a problem."""
    f = Fields(obj)
    source = _source(f)
    sf = Fields(source, f.problems)
    chart = sf.text("chart")
    path = f"{chart}" if chart else sf.text("path")
    resources = []
    for item in f.array("status.resources"):
        r = Fields(item, f.problems)
        resources.append(ResourceRow(
            group=r.text("group"), kind=r.text("kind"), namespace=r.text("namespace"),
            name=r.text("name"), sync=r.text("status"), health=r.text("health.status"),
            message=r.text("health.message")))
    conditions = []
    for item in f.array("status.conditions"):
        c = Fields(item, f.problems)
        conditions.append((c.text("type"), c.text("message")))
    history = []
    for item in reversed(f.array("status.history")):
        h = Fields(item, f.problems)
        rid = h.raw("id")
        history.append((str(rid) if isinstance(rid, int) else "", h.text("revision"),
                        h.text("deployedAt")))
    operation = f.raw("operation")
    return AppRow(
        namespace=f.text("metadata.namespace"), name=f.text("metadata.name"),
        project=f.text("spec.project", "default"),
        sync=f.text("status.sync.status", "Unknown"),
        health=f.text("status.health.status", "Unknown"),
        health_message=f.text("status.health.message"),
        revision=f.text("status.sync.revision"),
        target_revision=sf.text("targetRevision", "HEAD"),
        repo=sf.text("repoURL"), path=path,
        auto_sync=auto_sync_enabled(mapping(obj)),
        prune=f.flag("spec.syncPolicy.automated.prune"),
        self_heal=f.flag("spec.syncPolicy.automated.selfHeal"),
        op_phase=f.text("status.operationState.phase"),
        op_message=f.text("status.operationState.message"),
        operation_pending=isinstance(operation, Mapping) and bool(operation),
        resources=resources, conditions=conditions, history=history, problems=f.problems)


def app_rows(items: Iterable[Any]) -> list[AppRow]:
    """Rows sorted by namespace and name."""
    return sorted((app_row(o) for o in items), key=lambda r: (r.namespace, r.name))


def summary(rows: list[AppRow]) -> tuple[list[AppRow], list[AppRow]]:
    """(degraded, out of sync) applications: what the board's GitOps health reports."""
    degraded = [r for r in rows if r.health in DEGRADED_HEALTH]
    out_of_sync = [r for r in rows if r.sync == "OutOfSync"]
    return degraded, out_of_sync
