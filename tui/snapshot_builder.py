"""Builds the :class:`ClusterSnapshot` from a fixed set of lists, shared by board and report.

The requests do not grow with the number of plugins:

1. ``/apis`` (aggregated discovery: every served group, so CRD presence),
2-4. Deployments, StatefulSets, DaemonSets across namespaces, filtered with ONE set-based
   selector ``app.kubernetes.io/name in (...)`` built from all plugins' selectors,
5. Helm release Secrets that can be a release's newest revision
   (``owner=helm,status!=superseded``: the history stays on the server); ConfigMaps
   instead when ``HELM_DRIVER=configmap`` (see :mod:`.helm.storage`),
6-7. Validating and Mutating webhook configurations,
8. EndpointSlices of the webhooks' services (``kubernetes.io/service-name in (...)``), to
   flag ``failurePolicy: Fail`` webhooks with no ready endpoint.

In the app these come from the shared watch caches (later refreshes cost no request); the
headless ``report`` lists once. A list that is forbidden becomes a "no permission" note.
"""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .errors import ClusterError, ForbiddenError, NotFoundError
from .helm.release import CURRENT_SELECTOR
from .helm.storage import UnreadableDriverError, helm_storage
from .kube.client import KubeClient
from .kube.resources import (
    DAEMONSETS,
    DEPLOYMENTS,
    MUTATING_WEBHOOKS,
    STATEFULSETS,
    VALIDATING_WEBHOOKS,
    ResourceType,
    rt,
)
from .plugin import Plugin
from .snapshot import ClusterSnapshot

ENDPOINT_SLICES = rt("discovery.k8s.io/v1", "endpointslices", "EndpointSlice")
NAME_LABEL = "app.kubernetes.io/name"
WORKLOAD_TYPES = (DEPLOYMENTS, STATEFULSETS, DAEMONSETS)
HELM_SELECTOR = CURRENT_SELECTOR
CLIENT_TOOLS = ("kubectl", "kustomize", "helm")


@dataclass
class ListResult:
    items: list[dict[str, Any]]
    error: ClusterError | None = None


#: (resource type, label selector, client-side filter or None) -> objects or the error;
#: a lister may apply the filter early (page by page, or as its cache's ``keep``)
Lister = Callable[[ResourceType, str | None, Callable[[dict[str, Any]], bool] | None],
                  Awaitable[ListResult]]


def workload_selector(plugins: Iterable[Plugin]) -> str | None:
    """One ``app.kubernetes.io/name in (...)`` selector for every plugin, or None (list all)
    when some plugin identifies its workloads by other labels only."""
    names: set[str] = set()
    for p in plugins:
        for sel in getattr(p, "workload_selectors", ()) or ():
            value = sel.get(NAME_LABEL)
            if value is None:
                return None
            names.add(value)
    if not names:
        return None
    return f"{NAME_LABEL} in ({','.join(sorted(names))})"


class WorkloadFilter:
    """Keeps the workloads some plugin's ``workload_selectors`` match; the rest of a big
    cluster's workloads never reach ``detect()`` -- nor, in the app, the memory of the
    board's caches (it is the caches' ``keep``).

    Why: the lists are unfiltered when a chart has no ``app.kubernetes.io/name`` label (a
    label selector cannot OR across keys), and every plugin scanning 20,000 workloads took
    most of a second of the event loop per board refresh. One (label, value) index makes it
    a few dict lookups per workload. Filters over the same selectors compare equal, so the
    board finds its caches again on every refresh."""

    def __init__(self, plugins: Iterable[Plugin]) -> None:
        sels = {tuple(sorted(sel.items()))
                for p in plugins for sel in (getattr(p, "workload_selectors", ()) or ())
                if sel}
        self._selectors = frozenset(sels)
        self._index: dict[tuple[str, str], list[tuple[tuple[str, str], ...]]] = {}
        for sel in sorted(sels):
            self._index.setdefault(sel[0], []).append(sel)
        self._keys = sorted({k for k, _v in self._index})

    def __call__(self, obj: dict[str, Any]) -> bool:
        labels = (obj.get("metadata") or {}).get("labels") or {}
        for k in self._keys:
            v = labels.get(k)
            if v is None:
                continue
            for sel in self._index.get((k, v), ()):
                if all(labels.get(a) == b for a, b in sel):
                    return True
        return False

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WorkloadFilter) and other._selectors == self._selectors

    def __hash__(self) -> int:
        return hash(self._selectors)


def client_lister(client: KubeClient) -> Lister:
    """A :data:`Lister` that lists once, straight from the apiserver (headless ``report``;
    the app's board reads the shared caches instead). Pages are filtered as they come."""

    async def lister(rtype: ResourceType, selector: str | None,
                     keep: Callable[[dict[str, Any]], bool] | None) -> ListResult:
        try:
            items, _rv = await client.list(rtype, None, label_selector=selector, keep=keep)
        except ClusterError as exc:
            return ListResult([], exc)
        return ListResult(items)

    return lister


def webhook_services(webhooks: Iterable[dict[str, Any]]) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for cfg in webhooks:
        for hook in cfg.get("webhooks") or []:
            svc = (hook.get("clientConfig") or {}).get("service")
            if svc and svc.get("name"):
                out.add((svc.get("namespace") or "default", svc["name"]))
    return out


def endpoint_selector(services: Iterable[tuple[str, str]]) -> str | None:
    names = sorted({name for _ns, name in services})
    return f"kubernetes.io/service-name in ({','.join(names)})" if names else None


def ready_endpoints(slices: Iterable[dict[str, Any]]) -> dict[str, int]:
    """"ns/service" -> number of ready endpoints, from EndpointSlices."""
    out: dict[str, int] = {}
    for s in slices:
        meta = s.get("metadata") or {}
        svc = (meta.get("labels") or {}).get("kubernetes.io/service-name")
        if not svc:
            continue
        key = f"{meta.get('namespace', '')}/{svc}"
        ready = sum(1 for ep in s.get("endpoints") or []
                    if (ep.get("conditions") or {}).get("ready", True) is not False)
        out[key] = out.get(key, 0) + ready
    return out


def _note(snapshot: ClusterSnapshot, part: str, what: str, err: ClusterError | None) -> None:
    if err is None:
        return
    if isinstance(err, ForbiddenError):
        # RBAC may allow the list but not the watch the app's caches keep open
        verb = "watch" if "cannot watch" in str(err) else "list"
        snapshot.forbidden[part] = f"no permission to {verb} {what}"
    elif not isinstance(err, NotFoundError):
        snapshot.errors[part] = str(err)


async def build_snapshot(
    plugins: Iterable[Plugin],
    lister: Lister,
    groups: Callable[[], Awaitable[tuple[set[str], set[tuple[str, str]]]]],
    decode_releases: Callable[[list[dict[str, Any]]], list[dict[str, Any]]],
) -> ClusterSnapshot:
    """Collect everything detection needs. ``groups`` returns (served groups, resources)."""
    snap = ClusterSnapshot()
    snap.client_tools = {t: "" for t in CLIENT_TOOLS if shutil.which(t)}
    try:
        snap.api_groups, snap.resources = await groups()
    except ForbiddenError:
        snap.forbidden["discovery"] = "no permission to discover API groups"
    except ClusterError as exc:
        snap.errors["discovery"] = str(exc)
    plugins = list(plugins)
    selector = workload_selector(plugins)
    keep = WorkloadFilter(plugins)
    for rtype in WORKLOAD_TYPES:
        res = await lister(rtype, selector, keep)
        snap.workloads.extend(w for w in res.items if keep(w))
        _note(snap, "workloads", rtype.plural, res.error)
    try:
        storage = helm_storage()
    except UnreadableDriverError as exc:  # sql/memory: nothing to read in the cluster
        snap.errors["helm:driver"] = str(exc)
    else:
        res = await lister(storage.rtype, HELM_SELECTOR, None)
        _note(snap, "helm", storage.noun, res.error)
        snap.helm_releases = decode_releases(res.items)
    for rtype in (VALIDATING_WEBHOOKS, MUTATING_WEBHOOKS):
        res = await lister(rtype, None, None)
        snap.webhooks.extend(res.items)
        _note(snap, f"webhooks:{rtype.plural}", rtype.plural, res.error)
    for rtype in sorted({r for p in plugins for r in p.board_resources}):
        if (rtype.group, rtype.plural) not in snap.resources:
            continue
        res = await lister(rtype, None, None)
        snap.extra[rtype.qualified] = res.items
        _note(snap, f"extra:{rtype.qualified}", rtype.qualified, res.error)
    services = webhook_services(snap.webhooks)
    sel = endpoint_selector(services)
    if sel:
        res = await lister(ENDPOINT_SLICES, sel, None)
        _note(snap, "endpoints", "endpointslices", res.error)
        snap.service_ready_endpoints = ready_endpoints(res.items)
        for ns, name in services:
            snap.service_ready_endpoints.setdefault(f"{ns}/{name}", 0)
    return snap


def blocking_webhooks(snapshot: ClusterSnapshot) -> list[dict[str, str]]:
    """Webhooks with ``failurePolicy: Fail`` whose service has no ready endpoint: they can
    block every admission they match, cluster-wide."""
    if "endpoints" in snapshot.forbidden:
        return []
    out = []
    for cfg in snapshot.webhooks:
        meta = cfg.get("metadata") or {}
        for hook in cfg.get("webhooks") or []:
            svc = (hook.get("clientConfig") or {}).get("service")
            if not svc or (hook.get("failurePolicy") or "Fail") != "Fail":
                continue
            key = f"{svc.get('namespace') or 'default'}/{svc.get('name')}"
            if snapshot.service_ready_endpoints.get(key, 0) == 0:
                out.append({"configuration": meta.get("name", ""), "kind": cfg.get("kind", ""),
                            "webhook": hook.get("name", ""), "service": key})
    return out
