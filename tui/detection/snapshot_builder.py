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
headless ``report`` lists once. A list that is forbidden becomes a "no permission" note; for
a namespaced type the components' usual namespaces are then read one by one (a user with
RoleBindings only), which is the one case where the count grows.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import ClusterError, ForbiddenError, NotFoundError
from ..fields import mapping
from ..helm.release import CURRENT_SELECTOR
from ..helm.storage import HelmStorage, UnreadableDriverError, helm_storage
from ..kube.resources import (
    DAEMONSETS,
    DEPLOYMENTS,
    MUTATING_WEBHOOKS,
    STATEFULSETS,
    VALIDATING_WEBHOOKS,
    ResourceType,
    rt,
)
from ..plugin import Plugin
from .detect import labels_match
from .snapshot import ClusterSnapshot

if TYPE_CHECKING:  # httpx and msgspec load at connect time, not before the first frame
    from ..kube.client import KubeClient

ENDPOINT_SLICES = rt("discovery.k8s.io/v1", "endpointslices", "EndpointSlice")
NAME_LABEL = "app.kubernetes.io/name"
WORKLOAD_TYPES = (DEPLOYMENTS, STATEFULSETS, DAEMONSETS)
HELM_SELECTOR = CURRENT_SELECTOR
#: the note when the server has no EndpointSlice API (404): webhook readiness is unknown
ENDPOINTS_NOT_SERVED = ("endpointslices (discovery.k8s.io/v1) are not served: "
                        "webhook endpoints unknown")
CLIENT_TOOLS = ("kubectl", "kustomize", "helm")


@dataclass
class ListResult:
    items: list[dict[str, Any]]
    error: ClusterError | None = None


class Lister(Protocol):
    """(resource type, label selector, client-side filter or None[, namespace]) -> objects
    or the error; a lister may apply the filter early (page by page, or as its cache's
    ``keep``). ``namespace`` None means all namespaces (or cluster scope)."""

    def __call__(self, rtype: ResourceType, selector: str | None,
                 keep: Callable[[dict[str, Any]], bool] | None,
                 namespace: str | None = None) -> Awaitable[ListResult]: ...


def candidate_namespaces(plugins: Iterable[Plugin],
                         charts_config: Mapping[str, Mapping[str, Any]] | None = None,
                         extra: Iterable[str | None] = ()) -> tuple[str, ...]:
    """Where the components usually live: each chart's default namespace, the config's
    ``[charts.<id>] namespace`` overrides, and ``extra`` (the session's namespace).

    Why: a user whose RBAC allows listing workloads only in some namespaces gets a 403 on
    the cluster-wide lists; the board then reads these namespaces one by one instead of
    showing "no permission" for every area. Sorted, so caches and requests are stable."""
    out = {p.chart.namespace for p in plugins if p.chart is not None and p.chart.namespace}
    for values in (charts_config or {}).values():
        ns = values.get("namespace")
        if isinstance(ns, str) and ns:
            out.add(ns)
    out.update(ns for ns in extra if ns)
    return tuple(sorted(out))


async def _list_scoped(lister: Lister, rtype: ResourceType, selector: str | None,
                       keep: Callable[[dict[str, Any]], bool] | None,
                       namespaces: Iterable[str]) -> tuple[ListResult, list[str]]:
    """List across namespaces; when that is forbidden, list each of ``namespaces`` instead
    (concurrently; the ones RBAC also denies are skipped). Returns the result -- its error
    stays the cluster-wide 403, so the part is still reported -- and the namespaces read."""
    res = await lister(rtype, selector, keep)
    namespaces = list(namespaces)
    denied_list = isinstance(res.error, ForbiddenError) and "cannot watch" not in str(res.error)
    if not denied_list or not rtype.namespaced or not namespaces:
        return res, []  # (a denied watch still listed everything)
    parts = await asyncio.gather(*(lister(rtype, selector, keep, ns) for ns in namespaces))
    read = [ns for ns, part in zip(namespaces, parts, strict=True) if part.error is None]
    items = [obj for part in parts if part.error is None for obj in part.items]
    return ListResult(items, res.error), read


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
        labels = mapping(mapping(mapping(obj).get("metadata")).get("labels"))
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
                     keep: Callable[[dict[str, Any]], bool] | None,
                     namespace: str | None = None) -> ListResult:
        try:
            items, _rv = await client.list(rtype, namespace, label_selector=selector,
                                           keep=keep)
        except ClusterError as exc:
            return ListResult([], exc)
        return ListResult(items)

    return lister


def webhook_services(webhooks: Iterable[dict[str, Any]]) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for cfg in webhooks:
        hooks = mapping(cfg).get("webhooks")
        for hook in hooks if isinstance(hooks, list) else []:
            svc = mapping(mapping(mapping(hook).get("clientConfig")).get("service"))
            if isinstance(svc.get("name"), str) and svc["name"]:
                out.add((str(svc.get("namespace") or "default"), svc["name"]))
    return out


def endpoint_selector(services: Iterable[tuple[str, str]]) -> str | None:
    names = sorted({name for _ns, name in services})
    return f"kubernetes.io/service-name in ({','.join(names)})" if names else None


def ready_endpoints(slices: Iterable[dict[str, Any]]) -> dict[str, int]:
    """"ns/service" -> number of ready endpoints, from EndpointSlices."""
    out: dict[str, int] = {}
    for s in slices:
        meta = mapping(mapping(s).get("metadata"))
        svc = mapping(meta.get("labels")).get("kubernetes.io/service-name")
        if not svc:
            continue
        key = f"{meta.get('namespace', '')}/{svc}"
        endpoints = mapping(s).get("endpoints")
        ready = sum(1 for ep in (endpoints if isinstance(endpoints, list) else [])
                    if mapping(mapping(ep).get("conditions")).get("ready", True) is not False)
        out[key] = out.get(key, 0) + ready
    return out


def _note(snapshot: ClusterSnapshot, part: str, what: str, err: ClusterError | None,
          read: list[str] | None = None) -> None:
    if err is None:
        return
    if isinstance(err, ForbiddenError):
        # RBAC may allow the list but not the watch the app's caches keep open
        verb = "watch" if "cannot watch" in str(err) else "list"
        if read:
            snapshot.forbidden[part] = (f"no permission to {verb} {what} in all namespaces "
                                        f"(read in {', '.join(read)} only)")
        else:
            snapshot.forbidden[part] = f"no permission to {verb} {what}"
    elif not isinstance(err, NotFoundError):
        snapshot.errors[part] = str(err)


async def build_snapshot(
    plugins: Iterable[Plugin],
    lister: Lister,
    groups: Callable[[], Awaitable[tuple[set[str], set[tuple[str, str]]]]],
    decode_releases: Callable[[list[dict[str, Any]]], list[dict[str, Any]]],
    namespaces: Iterable[str] = (),
) -> ClusterSnapshot:
    """Collect everything detection needs. ``groups`` returns (served groups, resources).
    ``namespaces`` (see :func:`candidate_namespaces`) are read one by one where a
    cluster-wide list of workloads or Helm storage is forbidden; the EndpointSlices fall
    back to the webhook services' own namespaces."""
    namespaces = tuple(namespaces)
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
    denied: list[tuple[str, ClusterError]] = []
    read_any: set[str] = set()
    try:
        storage: HelmStorage | None = helm_storage()
    except UnreadableDriverError as exc:  # sql/memory: nothing to read in the cluster
        snap.errors["helm:driver"] = str(exc)
        storage = None
    # the reads that do not depend on each other run at once (each is one shared cache's
    # first list, or one request headless): the board's first data waited for them one
    # after another (six round trips on an empty cluster)
    workload_reads = [_list_scoped(lister, rtype, selector, keep, namespaces)
                      for rtype in WORKLOAD_TYPES]
    helm_read = [] if storage is None else [
        _list_scoped(lister, storage.rtype, HELM_SELECTOR, None, namespaces)]
    webhook_reads = [_list_scoped(lister, rtype, None, None, ())
                     for rtype in (VALIDATING_WEBHOOKS, MUTATING_WEBHOOKS)]
    results = await asyncio.gather(*workload_reads, *helm_read, *webhook_reads)
    workload_results = results[:len(WORKLOAD_TYPES)]
    helm_results = results[len(WORKLOAD_TYPES):len(WORKLOAD_TYPES) + len(helm_read)]
    webhook_results = results[len(WORKLOAD_TYPES) + len(helm_read):]
    for rtype, (res, read) in zip(WORKLOAD_TYPES, workload_results, strict=True):
        snap.workloads.extend(w for w in res.items if keep(w))
        if isinstance(res.error, ForbiddenError):
            denied.append((rtype.plural, res.error))
            read_any.update(read)
        else:
            _note(snap, "workloads", rtype.plural, res.error)
    if denied:  # one note naming every denied kind (one part: the last would hide the rest)
        _note(snap, "workloads", ", ".join(kind for kind, _e in denied), denied[0][1],
              sorted(read_any))
    if storage is not None:
        (res, read), = helm_results
        _note(snap, "helm", storage.noun, res.error, read)
        snap.helm_releases = decode_releases(res.items)
    for rtype, (res, _read) in zip((VALIDATING_WEBHOOKS, MUTATING_WEBHOOKS), webhook_results,
                                   strict=True):
        snap.webhooks.extend(res.items)
        _note(snap, f"webhooks:{rtype.plural}", rtype.plural, res.error)
    # only for plugins whose controllers run (one list per installed component): the
    # test cluster, like many real ones, serves CRDs of tools that are not installed, and
    # the Gateway API CRDs are often installed alone
    for rtype in sorted({r for p in plugins if _running(p, snap) for r in p.board_resources}):
        if (rtype.group, rtype.plural) not in snap.resources:
            continue
        res = await lister(rtype, None, None)
        snap.extra[rtype.qualified] = res.items
        _note(snap, f"extra:{rtype.qualified}", rtype.qualified, res.error)
    services = webhook_services(snap.webhooks)
    sel = endpoint_selector(services)
    if sel:
        needed = sorted({ns for ns, _name in services})
        res, read = await _list_scoped(lister, ENDPOINT_SLICES, sel, None, needed)
        if read == needed:  # every webhook service's namespace was read: nothing missing
            res.error = None
        if isinstance(res.error, NotFoundError):  # (_note keeps quiet about a 404)
            snap.errors["endpoints"] = ENDPOINTS_NOT_SERVED
        _note(snap, "endpoints", "endpointslices", res.error, read)
        snap.service_ready_endpoints = ready_endpoints(res.items)
        # a service counts as "0 ready" only where its namespace's slices were read: an
        # unreadable list (403, 404, 5xx) means unknown, never "no endpoints" -- which
        # would flag every Fail webhook as blocking and fail `report --fail-on unhealthy`
        readable = set(needed) if res.error is None else set(read)
        for ns, name in services:
            if ns in readable:
                snap.service_ready_endpoints.setdefault(f"{ns}/{name}", 0)
    return snap


def _running(plugin: Plugin, snap: ClusterSnapshot) -> bool:
    """Whether a plugin's extra board lists are worth a request: some workload it declares
    runs (or it declares none). CRDs alone are not enough -- the test clusters and many real
    ones serve Argo CD's or Flux's types without the controllers, and a list per served
    type would make the board's cost grow with installed CRDs, not components."""
    if not plugin.workload_selectors:
        return True
    return any(labels_match(w, sel) for w in snap.workloads
               for sel in plugin.workload_selectors)


def webhook_rows(snapshot: ClusterSnapshot) -> list[dict[str, Any]]:
    """Every admission webhook of the snapshot, one dict each: ``configuration``, ``kind``,
    ``webhook``, ``failure_policy``, ``service`` ("ns/name", or the URL of a URL webhook),
    ``ready`` (ready endpoints behind the service; None when unknown: a URL webhook, or
    EndpointSlices not readable: denied, not served or failed) and ``blocking`` (``Fail``
    with no ready endpoint: it can block every admission it matches, cluster-wide; never
    said on an unknown count)."""
    endpoints_known = ("endpoints" not in snapshot.forbidden
                       and "endpoints" not in snapshot.errors)
    out = []
    for raw in snapshot.webhooks:
        cfg = mapping(raw)
        meta = mapping(cfg.get("metadata"))
        hooks = cfg.get("webhooks")
        for raw_hook in hooks if isinstance(hooks, list) else []:
            hook = mapping(raw_hook)
            client = mapping(hook.get("clientConfig"))
            svc = mapping(client.get("service"))
            policy = str(hook.get("failurePolicy") or "Fail")  # the API's default
            ready: int | None = None
            if svc.get("name"):
                target = f"{svc.get('namespace') or 'default'}/{svc['name']}"
                if endpoints_known:
                    ready = snapshot.service_ready_endpoints.get(target)  # None: unread
            else:
                target = str(client.get("url") or "")
            out.append({"configuration": str(meta.get("name") or ""),
                        "kind": str(cfg.get("kind") or ""),
                        "webhook": str(hook.get("name") or ""), "failure_policy": policy,
                        "service": target, "ready": ready,
                        "blocking": policy == "Fail" and ready == 0})
    return out
