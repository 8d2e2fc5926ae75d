"""What applying a kustomization would change, asked of the apiserver; then the apply.

Why a server-side dry-run and not a client-side comparison: defaulting, admission webhooks
and field ownership decide what an apply really does. Each rendered object is sent as a
server-side apply with ``dryRun=All`` under the app's field manager and the answer is
compared with the live object (both without server-owned metadata and status), the way
``kubectl diff --server-side`` works and the way the Helm install screen shows a diff:
per object, Secret values masked by the api's ``diff_manifests``.

Requests: one discovery (cached by the session), then per object one GET and one dry-run
PATCH, at most ``CONCURRENCY`` objects at a time; nothing per row of a screen.
"""

from __future__ import annotations

import asyncio
import dataclasses
import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from k8s_essentials_tui.api import (
    ClusterSession,
    EssentialsError,
    NotFoundError,
    ResourceType,
    clean,
)

from .model import CHANGE_ORDER, Change, Item, comparable, for_apply, to_yaml

CONCURRENCY = 8


@dataclass
class Entry:
    """One rendered object and what the server says about it."""

    item: Item
    #: the namespace the object lands in ("" for cluster-scoped kinds)
    namespace: str
    rtype: ResourceType | None = None
    change: Change = "unchanged"
    #: diff lines (masked for Secrets): "+..." / "-..." / " ..." / "@@ ..."
    lines: list[str] = field(default_factory=list)
    error: str = ""
    #: the live object's resourceVersion ("" = not there): tells created from configured
    live_version: str = ""
    note: str = ""

    @property
    def label(self) -> str:
        return self.item.label(self.namespace)


@dataclass
class Plan:
    directory: str
    namespace: str
    entries: list[Entry]
    #: take over fields other managers own (``--force-conflicts``); else a conflict is an
    #: error naming the other manager
    force: bool = False

    @property
    def changes(self) -> list[Entry]:
        return [e for e in self.entries if e.change in ("added", "changed")]

    @property
    def errors(self) -> list[Entry]:
        return [e for e in self.entries if e.change == "error"]

    def summary(self) -> str:
        counts = {c: sum(1 for e in self.entries if e.change == c) for c in CHANGE_ORDER}
        return ", ".join(f"{n} {c}" for c, n in
                         ((c, counts[c]) for c in ("changed", "added", "unchanged", "error"))
                         if n or c != "error")


async def _core_types(session: ClusterSession, version: str) -> dict[str, ResourceType]:
    """Kind -> type of the core group (``/api/VERSION``: the session's discovery covers the
    named groups only). One request per plan that has core objects."""
    body = await session.client.get_json(f"/api/{version}", what=f"discover /api/{version}")
    out: dict[str, ResourceType] = {}
    for res in body.get("resources") or []:
        plural, kind = str(res.get("name") or ""), str(res.get("kind") or "")
        if plural and kind and "/" not in plural:
            out.setdefault(kind, ResourceType("", version, plural, kind,
                                              bool(res.get("namespaced"))))
    return out


def _resolve(disc: Any, core: dict[str, ResourceType], item: Item) -> ResourceType | None:
    """The served resource type of the item's kind, at the item's own version."""
    found: ResourceType | None = core.get(item.kind) if item.group == "" \
        else disc.find_kind(item.group, item.kind)
    if found is None:
        return None
    version = item.api_version.rpartition("/")[2]
    return dataclasses.replace(found, version=version)


def _diff(live: dict[str, Any] | None, planned: dict[str, Any]) -> tuple[Change, list[str]]:
    """Change and diff lines of one object. Secrets go through the api's ``diff_manifests``
    (it masks their values); other kinds are compared as text here, without parsing the
    YAML back (``diff_manifests`` would, twice per object)."""
    old = to_yaml(live) if live is not None else None
    new = to_yaml(planned)
    if old == new:
        return "unchanged", []
    if planned.get("kind") == "Secret" or (live or {}).get("kind") == "Secret":
        from k8s_essentials_tui.api import diff_manifests

        diffs = diff_manifests(old, new)
        lines = [ln for d in diffs for ln in d.lines]
        if live is not None and all(d.change == "unchanged" for d in diffs):
            return "unchanged", []
    elif old is None:
        lines = ["+" + ln for ln in new.splitlines()]
    else:
        lines = list(difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="",
                                          n=3))[2:]
    return ("added" if live is None else "changed"), lines


async def build_plan(session: ClusterSession, directory: str, items: Sequence[Item],
                     namespace: str, *, force: bool = False,
                     concurrency: int = CONCURRENCY) -> Plan:
    """Dry-run every item; per-object failures are entries with ``change="error"``."""
    disc = await session.discovery()
    core_versions = {i.api_version for i in items if "/" not in i.api_version}
    core: dict[str, ResourceType] = {}
    for version in sorted(core_versions):
        core.update({k: v for k, v in (await _core_types(session, version)).items()
                     if k not in core})
    created_here = {i.name for i in items if i.kind == "Namespace" and i.group == ""}
    entries: list[Entry] = []
    for item in items:
        rtype = _resolve(disc, core, item)
        ns = (item.namespace or namespace) if rtype is None or rtype.namespaced else ""
        entry = Entry(item, ns, rtype)
        if rtype is None:
            entry.change = "error"
            entry.error = (f"{item.api_version} {item.kind} is not served by this cluster "
                           "(a CRD not installed yet?)")
        entries.append(entry)
    gate = asyncio.Semaphore(concurrency)

    async def one(entry: Entry) -> None:
        async with gate:
            await _dry_run(session, entry, created_here, force)

    await asyncio.gather(*(one(e) for e in entries if e.rtype is not None))
    return Plan(directory, namespace, entries, force)


async def _dry_run(session: ClusterSession, entry: Entry, created_here: set[str],
                   force: bool) -> None:
    rtype = entry.rtype
    assert rtype is not None
    name, ns = entry.item.name, entry.namespace or None
    try:
        try:
            live: dict[str, Any] | None = await session.client.get(rtype, name, ns)
        except NotFoundError:
            live = None
        entry.live_version = str(((live or {}).get("metadata") or {}).get(
            "resourceVersion") or "")
        if live is None and ns and ns in created_here:
            # its namespace is created by this same apply: the server cannot dry-run into it
            entry.change, entry.lines = _diff(None, comparable(for_apply(entry.item, ns)))
            entry.note = f"namespace {ns} is created by this kustomization"
            if await _namespace_missing(session, ns):
                return
        planned = await session.client.patch(rtype, name, for_apply(entry.item, entry.namespace),
                                             ns, patch_type="apply", dry_run=True,
                                             force=force)
        entry.change, entry.lines = _diff(live, planned)
        entry.note = ""
    except EssentialsError as exc:
        entry.change, entry.lines, entry.error = "error", [], clean(str(exc))


async def _namespace_missing(session: ClusterSession, name: str) -> bool:
    from k8s_essentials_tui.api import NAMESPACES

    try:
        await session.client.get(NAMESPACES, name)
    except NotFoundError:
        return True
    return False


@dataclass
class Outcome:
    entry: Entry
    #: "created" / "configured" / "unchanged" / "failed"
    result: str
    error: str = ""


async def apply_plan(session: ClusterSession, plan: Plan,
                     on_result: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Server-side apply every object in rendered order (Namespaces first), under the app's
    field manager, without ``force`` unless the plan says so: a field another manager owns
    is a conflict the operator sees, not something silently taken over. A failure does not
    stop the rest (as ``kubectl apply``)."""
    outcomes: list[Outcome] = []
    for entry in plan.entries:
        if entry.rtype is None:
            outcome = Outcome(entry, "failed", entry.error)
        else:
            try:
                applied = await session.client.patch(
                    entry.rtype, entry.item.name, for_apply(entry.item, entry.namespace),
                    entry.namespace or None, patch_type="apply", force=plan.force)
                version = str((applied.get("metadata") or {}).get("resourceVersion") or "")
                result = ("created" if not entry.live_version
                          else "unchanged" if version == entry.live_version else "configured")
                outcome = Outcome(entry, result)
            except EssentialsError as exc:
                outcome = Outcome(entry, "failed", clean(str(exc)))
        outcomes.append(outcome)
        if on_result is not None:
            on_result(outcome)
    return outcomes


def outcome_summary(outcomes: Sequence[Outcome]) -> str:
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.result] = counts.get(o.result, 0) + 1
    return ", ".join(f"{counts[k]} {k}" for k in ("created", "configured", "unchanged",
                                                  "failed") if counts.get(k))
