"""One shared list+watch cache per resource type and scope, for every pane.

Why: panes never poll. The first subscriber of (type, namespace, selector) starts one
list+watch loop; later subscribers share it. The loop

* syncs by a paginated list (limit 500), then watches from the list's ``resourceVersion``
  with bookmarks -- the default (``watch_list = false``). A custom resource's collection
  that the first page says is below ``LARGE_COLLECTION`` is read whole after that page
  (``KubeClient.list``'s ``whole_below``: the apiserver serves ``continue`` pages of custom
  resources from etcd, 3-5x slower than its watch cache here). Why not WatchList
  (``sendInitialEvents``, on by default in the apiserver since Kubernetes 1.32, one request
  that streams the existing objects as events and goes on with live changes): the apiserver
  flushes every event as its own HTTP chunk, and each chunk costs a pass through h11,
  httpcore and httpx. Measured on the 2-core machine (December 2026, 2,000 Ingresses +
  2,000 Services + 2,000 EndpointSlices, and 2,000 Argo CD Applications + 2,000 Flux
  Kustomizations, alternating runs): WatchList took twice the client CPU of 500-object
  pages (0.33-0.49 s against 0.16-0.21 s for the 6,000 built-in objects) and 1.2-2x the
  wall time, for built-in types and custom resources alike; in the app that CPU is taken
  from the screen. WatchList remains a setting (``watch_list = true``: half the requests,
  no list body held by the apiserver), and then the cache
* syncs with ONE streaming watch where the server has WatchList: the existing objects
  arrive as events, a bookmark marks the end of them, and the same request goes on with
  live changes. When the server refuses that sync (see ``_watch_list``: 429, 422, 403) it
  falls back to the paginated list + watch,
* and switches to that paginated list for a LARGE collection: once the initial events
  pass ``LARGE_COLLECTION`` objects (500 for pods) the stream is dropped and the
  collection listed in pages,
  and the cache's key is remembered on the client, so the next cache of that key (after an
  idle retire, a 410, a reconnect) lists from the start (bench/mesh_bench.py, 5,000 pods:
  WatchList 1.5-2.5x the raw paginated list in the app, pages 1.1-1.4x);
* after a paginated list, starts its watch once no list of the client has been in flight
  for a quarter of a second (2 s at most; ``KubeClient.lists_quiet``): a pane opening lists
  every type it shows at once, and a watch's new connection and TLS handshake no longer
  compete with the other lists and the rows being built (the exposure pane: ~10% of the
  CPU from open to the painted rows). The watch resumes from the list's resourceVersion,
  so nothing that changed meanwhile is missed;
* re-syncs on 410 Gone (and on an ERROR event carrying 410); waits out a 429 on a watch
  (the apiserver's watch cache for the type is still initialising) without going stale;
* reconnects with exponential backoff (0.5 s .. 30 s) on network errors, keeping the last
  known objects visible and marking itself ``stale``;
* on 403 marks itself ``forbidden`` with the message, so a pane can say "no permission"
  instead of failing, and retries rarely: after 1 min, then 2, 4, 8 and every 10 min
  (a namespace-scoped user's board keeps ~70 such caches; every retry is a 403 in the
  apiserver's audit log). :meth:`ResourceCache.retry_now` (the board's ``r``) retries at
  once, e.g. right after RBAC was granted;
* stops watching (and frees the objects) ``idle_timeout`` seconds after its last subscriber
  left, so closing a pane over 10k objects gives the memory back;
* coalesces bursts of events and notifies subscribers at most every ``flush_interval``
  seconds with what changed, so a table can update rows by key instead of rebuilding;
* stores each object as its key's ``transform`` projects it, when it has one: applied to
  every listed object page by page (after ``keep``; in slices of a few ms while the next
  page is fetched, see ``KubeClient.list``), to every WatchList initial event and to every
  watch event, before anything is stored (client-go's informer ``SetTransform``). Why: a
  cache keeps every object of its scope for as long as a pane shows them, and most of an
  object is often what no pane reads -- 10,000 TLS Secrets are ~60 MB decoded, mostly the
  base64 ``data``, and their private keys need not be in this process at all (#25: the
  certificates pane stores each Secret's checked facts and identity, no ``data``). Part of
  the key, like ``keep``: a projected cache is never handed to a subscriber that wants whole
  objects (two panes that read different parts get two caches).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .. import gcpolicy
from ..errors import ClusterError, ForbiddenError, GoneError, InvalidError, NotFoundError
from .client import KubeClient
from .resources import ObjectTransform, ResourceType, is_builtin, obj_key
from .slices import Slices

log = logging.getLogger(__name__)

#: retries of a forbidden cache: the first wait, and the cap it doubles up to
FORBIDDEN_FIRST_RETRY = 60.0
FORBIDDEN_MAX_RETRY = 600.0
#: a type that is not served (its CRD missing) is looked for again this often
MISSING_RETRY = 30.0


def forbidden_delay(denials: int) -> float:
    """Seconds to wait after the ``denials``-th 403 in a row (1-based)."""
    return min(FORBIDDEN_FIRST_RETRY * 2 ** max(denials - 1, 0), FORBIDDEN_MAX_RETRY)


#: the annotation on the bookmark that closes a WatchList's initial events
INITIAL_EVENTS_END = "k8s.io/initial-events-end"

#: initial WatchList events after which a collection counts as large and is listed in
#: pages instead. Measured both ways on this machine: 20,000 pods synced in the app 3x
#: faster by pages (bench/mesh_bench.py), while 2,000 Argo CD Applications + 2,000 Flux
#: Kustomizations were 2x faster by WatchList (bench/gitops_bench.py, A/B on one cluster) and
#: the board's 26,000 workloads too. Pods are the collection that grows with the cluster and
#: whose objects are big, so they switch after one page's worth; any other type only past
#: LARGE_COLLECTION objects.
LARGE_COLLECTION = 5000
LARGE_COLLECTION_BY_TYPE: dict[str, int] = {"pods": 500}


class _LargeCollection(Exception):
    """Raised inside a WatchList sync that passed LARGE_COLLECTION initial objects."""


@dataclass(frozen=True)
class CacheKey:
    rtype: ResourceType
    namespace: str | None = None  # None = all namespaces / cluster scope
    label_selector: str | None = None
    #: server-side field selector, e.g. "type=kubernetes.io/tls" for TLS Secrets only
    field_selector: str | None = None
    #: client-side filter for what selectors cannot say (labels OR-ed across keys): objects
    #: it rejects are never stored. Part of the key: a filtered cache is never handed to a
    #: pane that wants everything. Must compare equal when it filters the same way.
    keep: Callable[[dict[str, Any]], bool] | None = None
    #: what is stored of each object (see the module doc and ``ObjectTransform``); part of
    #: the key for the same reason as ``keep``: pass a module-level function, not a lambda
    #: made per call, or every subscriber gets a cache of its own
    transform: ObjectTransform | None = None


@dataclass
class CacheChange:
    """What changed since the last notification (keys are object UIDs)."""

    cache: ResourceCache
    upserted: set[str] = field(default_factory=set)
    deleted: set[str] = field(default_factory=set)
    #: True after a (re)list or a state change: subscribers should re-read everything
    reset: bool = False


Subscriber = Callable[[CacheChange], None]


class ResourceCache:
    """Objects of one type/scope kept current by a list+watch loop."""

    #: states: pending -> synced | forbidden | missing | error; "stale" while reconnecting
    def __init__(self, client: KubeClient, key: CacheKey, *, flush_interval: float = 0.1,
                 watch_timeout: int = 300) -> None:
        self.client = client
        self.key = key
        self.objects: dict[str, dict[str, Any]] = {}
        self.resource_version = ""
        self.state = "pending"
        self.error: ClusterError | None = None
        self.flush_interval = flush_interval
        self.watch_timeout = watch_timeout
        #: full syncs done (a list, or the initial events of a WatchList)
        self.list_count = 0
        #: how the last sync was done: "watch-list" or "list"
        self.sync_mode = ""
        #: sync by listing even where the server has WatchList (RBAC: list, not watch; a
        #: server that never ends its initial events)
        self._list_only = False
        #: seconds without an event before a WatchList's initial events count as stuck
        self.initial_events_timeout = 10.0
        #: initial WatchList objects after which this cache lists instead (see module doc)
        self.large_collection = LARGE_COLLECTION_BY_TYPE.get(key.rtype.qualified,
                                                             LARGE_COLLECTION)
        self._subscribers: list[Subscriber] = []
        self._pending = CacheChange(self)
        self._flush_handle: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[None] | None = None
        self._synced = asyncio.Event()
        #: called (by the registry) when the last subscriber has been gone idle_timeout s
        self.on_idle: Callable[[ResourceCache], None] | None = None
        self.idle_timeout = 300.0
        #: set by retry_now: cuts the wait before the next attempt short
        self._wake = asyncio.Event()
        self._idle_handle: asyncio.TimerHandle | None = None

    # -- public ---------------------------------------------------------------------------

    @property
    def rtype(self) -> ResourceType:
        return self.key.rtype

    @property
    def synced(self) -> bool:
        return self._synced.is_set()

    def items(self) -> list[dict[str, Any]]:
        return list(self.objects.values())

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        self._subscribers.append(callback)
        if self._idle_handle is not None:
            self._idle_handle.cancel()
            self._idle_handle = None

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._subscribers.remove(callback)
            if not self._subscribers and self.on_idle is not None:
                # nobody shows these objects any more: keep them warm for a while (going
                # back to a pane is instant), then stop watching and free the memory
                loop = asyncio.get_running_loop()
                self._idle_handle = loop.call_later(self.idle_timeout, self.on_idle, self)

        return unsubscribe

    def retry_now(self) -> None:
        """Retry at once if the loop is waiting after a failure (403, missing type, network
        error); a synced cache is unaffected. Why: RBAC that was just granted, or a CRD
        just installed, should show on ``r`` rather than after the next scheduled retry."""
        self._wake.set()

    async def _pause(self, seconds: float) -> None:
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name=f"watch {self.key.rtype.qualified}"
            )

    async def stop(self) -> None:
        if self._idle_handle is not None:
            self._idle_handle.cancel()
            self._idle_handle = None
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None  # else a restarted cache would never flush again

    async def wait_synced(self, timeout: float = 30.0) -> None:
        """Wait until the first list finished (or failed: then raise its error)."""
        await asyncio.wait_for(self._synced.wait(), timeout)
        if self.state in ("forbidden", "error", "missing") and self.error is not None:
            raise self.error

    # -- loop -----------------------------------------------------------------------------

    async def _run(self) -> None:
        backoff = 0.5
        denials = 0
        while True:
            try:
                if self.key in self.client.large_collections:
                    self._list_only = True  # another cache of this key found it large
                if not (self.client.watch_list and not self._list_only
                        and await self._watch_list()):  # syncs, then follows to the timeout
                    await self._list()
                    await self.client.lists_quiet()  # the watch's handshake after them
                backoff = 0.5
                denials = 0
                await self._follow()
            except asyncio.CancelledError:
                raise
            except GoneError:
                log.debug("410 Gone for %s: re-listing", self.key)
                continue
            except ForbiddenError as exc:
                self._set_state("forbidden", exc)
                denials += 1
                await self._pause(forbidden_delay(denials))
            except NotFoundError as exc:
                # the type is not served (CRD missing): say so, look again later
                self.objects.clear()
                self._set_state("missing", exc)
                await self._pause(MISSING_RETRY)
            except ClusterError as exc:
                self._set_state("stale" if self.objects or self.list_count else "error", exc)
                await self._pause(backoff)
                backoff = min(backoff * 2, 30.0)
            except Exception as exc:  # never let a bug kill the loop silently
                log.exception("watch loop for %s failed", self.key)
                self._set_state("error", ClusterError(f"internal error: {exc}"))
                await self._pause(backoff)
                backoff = min(backoff * 2, 30.0)

    async def _list(self) -> None:
        rtype = self.key.rtype
        items, rv = await self.client.list(
            rtype, self.key.namespace, label_selector=self.key.label_selector,
            field_selector=self.key.field_selector, keep=self.key.keep,
            whole_below=0 if is_builtin(rtype) else self.large_collection,
            transform=self._stored,  # page by page: a page's whole objects go at once
        )
        self._synced_with(await _keyed(items), rv, "list")

    def _synced_with(self, objects: dict[str, dict[str, Any]], rv: str, mode: str) -> None:
        if len(objects) >= gcpolicy.SETTLE_AT:
            gcpolicy.settle()  # no later full collection walks them (see gcpolicy)
        self.list_count += 1
        self.sync_mode = mode
        self.objects = objects
        self.resource_version = rv
        self.state = "synced"
        self.error = None
        self._pending.reset = True
        self._synced.set()
        self._flush_now()

    async def _watch_list(self) -> bool:
        """Sync and follow with one request; False when the sync itself failed, and the
        caller lists instead (as client-go's reflector does). The initial objects are
        collected aside and swapped in at the end bookmark, so subscribers never see half
        a state. Errors after the sync are the watch's own: they propagate.

        Why fall back rather than retry: the server refuses a WatchList where a list
        works -- 429 "storage is (re)initializing" while its watch cache for a type warms
        up (a CRD just installed, an apiserver just restarted; a list is then served from
        etcd), 422 where the feature gate is off (remembered: no more tries), 403 where RBAC
        grants list but not watch (remembered for this cache)."""
        initial: dict[str, dict[str, Any]] | None = {}
        loop = asyncio.get_running_loop()
        #: when the quiet deadline was last pushed back: once a second, not per event (a
        #: timer per event is measurable on 10k-object syncs)
        pushed = loop.time()
        seen = 0
        try:
            # a server that ignores sendInitialEvents (an old or aggregated one) streams
            # the objects but never the end bookmark: a quiet stream means "list instead"
            async with asyncio.timeout_at(loop.time() + self.initial_events_timeout) as quiet, \
                    contextlib.aclosing(self.client.watch(
                        self.key.rtype, self.key.namespace, resource_version="",
                        label_selector=self.key.label_selector,
                        field_selector=self.key.field_selector,
                        timeout_seconds=self.watch_timeout, send_initial_events=True,
                    )) as events:
                async for event in events:
                    if initial is None:
                        self._apply(event)
                        continue
                    now = loop.time()
                    if now - pushed >= min(1.0, self.initial_events_timeout / 10):
                        quiet.reschedule(now + self.initial_events_timeout)
                        pushed = now
                    obj = event.get("object") or {}
                    meta = obj.get("metadata") or {}
                    if event.get("type") == "BOOKMARK":
                        if (meta.get("annotations") or {}).get(INITIAL_EVENTS_END) == "true":
                            self._synced_with(initial, meta.get("resourceVersion") or "",
                                              "watch-list")
                            initial = None
                            quiet.reschedule(None)
                        continue
                    if event.get("type") == "DELETED" or not self._keeps(obj):
                        initial.pop(obj_key(obj), None)
                    else:
                        initial[obj_key(obj)] = self._stored(obj)
                    seen += 1
                    if seen > self.large_collection:
                        raise _LargeCollection
        except _LargeCollection:
            log.debug("%s has more than %d objects: paginated list + watch from now on",
                      self.key, self.large_collection)
            self._list_only = True
            self.client.large_collections.add(self.key)
            return False
        except TimeoutError:
            log.info("no end of initial events for %s after %.0f s of quiet: listing",
                     self.key, self.initial_events_timeout)
            self._list_only = True
            return False
        except ClusterError as exc:
            if initial is None:
                raise
            if isinstance(exc, InvalidError) and "sendInitialEvents" in str(exc):
                log.info("server refuses WatchList (%s): list + watch from now on", exc)
                self.client.watch_list = False
            elif isinstance(exc, ForbiddenError):
                self._list_only = True
            else:
                log.debug("WatchList sync of %s failed (%s): listing", self.key, exc)
            return False
        if initial is not None:
            log.debug("WatchList of %s ended before its initial objects: listing", self.key)
            return False
        return True

    async def _follow(self) -> None:
        """Watch from the synced resourceVersion, again and again (a watch ends at its
        server-side timeout). A 429 -- the apiserver's watch cache for the type is still
        initialising, it says so instead of waiting -- is waited out a few times without
        turning the objects stale or listing them again."""
        throttled = 0
        while True:
            try:
                await self._watch()
                throttled = 0
            except ClusterError as exc:
                if exc.status != 429 or throttled >= 5:
                    raise
                throttled += 1
                await asyncio.sleep(1.0)

    async def _watch(self) -> None:
        async for event in self.client.watch(
            self.key.rtype, self.key.namespace, resource_version=self.resource_version,
            label_selector=self.key.label_selector, field_selector=self.key.field_selector,
            timeout_seconds=self.watch_timeout,
        ):
            self._apply(event)

    def _keeps(self, obj: dict[str, Any]) -> bool:
        return self.key.keep is None or self.key.keep(obj)

    def _stored(self, obj: dict[str, Any]) -> dict[str, Any]:
        """What the cache keeps of a decoded object: slimmed, then the key's transform."""
        transform = self.key.transform
        return _slim(obj) if transform is None else transform(_slim(obj))

    def _apply(self, event: dict[str, Any]) -> None:
        etype = event.get("type")
        obj = event.get("object") or {}
        rv = (obj.get("metadata") or {}).get("resourceVersion")
        if rv:
            self.resource_version = rv
        if etype == "BOOKMARK":
            return
        k = obj_key(obj)
        if etype == "DELETED" or not self._keeps(obj):
            if self.objects.pop(k, None) is None and etype != "DELETED":
                return  # an object the filter never let in: nothing changed for us
            self._pending.deleted.add(k)
            self._pending.upserted.discard(k)
        else:
            self.objects[k] = self._stored(obj)
            self._pending.upserted.add(k)
            self._pending.deleted.discard(k)
        self._schedule_flush()

    # -- notification -----------------------------------------------------------------------

    def _set_state(self, state: str, error: ClusterError | None) -> None:
        self.state = state
        self.error = error
        self._pending.reset = True
        self._synced.set()
        self._flush_now()

    def _schedule_flush(self) -> None:
        if self._flush_handle is None:
            loop = asyncio.get_running_loop()
            self._flush_handle = loop.call_later(self.flush_interval, self._flush_now)

    def _flush_now(self) -> None:
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        change, self._pending = self._pending, CacheChange(self)
        for callback in list(self._subscribers):
            try:
                callback(change)
            except Exception:
                log.exception("cache subscriber failed")


async def _keyed(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """``items`` by :func:`obj_key`, in slices of the loop (``slices.py``). Why: 50,000
    listed Certificates were keyed in one 40-70 ms step of the loop, the last step of the
    sync (#25); the cache's objects are swapped in whole afterwards, so subscribers never
    see half of them."""
    slices = Slices()
    keyed: dict[str, dict[str, Any]] = {}
    for i, obj in enumerate(items):
        keyed[obj_key(obj)] = obj
        if i % 256 == 255 and slices.due():
            await slices.pause()
    return keyed


def _slim(obj: dict[str, Any]) -> dict[str, Any]:
    """Drop ``metadata.managedFields``: server-side-apply bookkeeping no pane shows, often
    the largest part of an object; on 10k-object caches it is most of the memory."""
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        meta.pop("managedFields", None)
    return obj


class CacheRegistry:
    """Hands out the one :class:`ResourceCache` per key; owned by the cluster session."""

    def __init__(self, client: KubeClient, **cache_options: Any) -> None:
        self.client = client
        self._caches: dict[CacheKey, ResourceCache] = {}
        self._options = cache_options
        #: stops of retired caches still running: the loop keeps only weak references to
        #: tasks (one could be collected mid-stop), and ``stop()`` must wait for them
        self._retiring: set[asyncio.Task[None]] = set()

    def get(self, rtype: ResourceType, namespace: str | None = None,
            label_selector: str | None = None,
            field_selector: str | None = None,
            keep: Callable[[dict[str, Any]], bool] | None = None,
            transform: ObjectTransform | None = None) -> ResourceCache:
        key = CacheKey(rtype, namespace if rtype.namespaced else None, label_selector,
                       field_selector, keep, transform)
        cache = self._caches.get(key)
        if cache is None:
            cache = ResourceCache(self.client, key, **self._options)
            cache.on_idle = self._retire
            self._caches[key] = cache
            cache.start()
        return cache

    def _retire(self, cache: ResourceCache) -> None:
        """Stop an unwatched cache; the next ``get`` starts a fresh one."""
        if self._caches.get(cache.key) is cache and not cache._subscribers:
            del self._caches[cache.key]
            task = asyncio.get_running_loop().create_task(
                cache.stop(), name=f"retire {cache.key.rtype.qualified}")
            self._retiring.add(task)
            task.add_done_callback(self._retiring.discard)

    def caches(self) -> list[ResourceCache]:
        return list(self._caches.values())

    def retry_now(self) -> None:
        """Every cache waiting after a failure tries again now (see ResourceCache)."""
        for cache in self._caches.values():
            if cache.state != "synced":
                cache.retry_now()

    async def stop(self) -> None:
        """Stop every cache, including retired ones still stopping."""
        await asyncio.gather(*(c.stop() for c in self._caches.values()), *self._retiring)
        self._caches.clear()
