"""The detection model: owns the cluster snapshot's rebuilds and publishes the detections.

Why a model: the board used to build the snapshot, evaluate the plugins and set the app's
state itself (a widget acting as controller). Now this Textual-free class does that work,
once per session for the whole app, and the widgets only render what it publishes: the
board (its rows, notes and summary), the component overviews (through the app's
``detections``) and the status bar (``stale``: a watch lost the apiserver).

How it stays live without polling: the snapshot's lists are read from the session's shared
watch caches, which the model subscribes to; a change schedules a rebuild, at most every
:data:`REBUILD_INTERVAL` seconds (on a busy cluster the workload caches change all the
time). A rebuild that starts cancels the one still running (the newest state wins).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import ClusterError
from ..helm.summary import summarize_releases
from ..kube.resources import ResourceType
from ..plugin import Detection, Plugin
from .evaluate import evaluate
from .snapshot import ClusterSnapshot
from .snapshot_builder import ListResult, build_snapshot, candidate_namespaces

if TYPE_CHECKING:
    from ..kube.cache import CacheChange, ResourceCache
    from ..kube.session import ClusterSession

log = logging.getLogger(__name__)

#: seconds between two rebuilds caused by cache changes
REBUILD_INTERVAL = 0.5
#: how long the first read of one list may take before it counts as an error
SYNC_TIMEOUT = 30.0

Listener = Callable[["DetectionModel"], None]
ErrorListener = Callable[[Exception], None]


class DetectionModel:
    """The app's one source of detections (see the module docstring).

    ``plugins`` and ``charts`` are called at each rebuild: the registry's plugins in board
    order, and the config's ``[charts.<id>]`` tables (their namespaces are where a user
    without cluster-wide list rights is looked for)."""

    def __init__(self, plugins: Callable[[], Sequence[Plugin]],
                 charts: Callable[[], Mapping[str, Mapping[str, Any]] | None] = lambda: None,
                 *, interval: float = REBUILD_INTERVAL) -> None:
        self._plugins = plugins
        self._charts = charts
        self.interval = interval
        self.session: ClusterSession | None = None
        #: the last snapshot (None until the first read of this session ends)
        self.snapshot: ClusterSnapshot | None = None
        #: the latest detection of every plugin, by plugin id
        self.detections: dict[str, Detection] = {}
        #: a watch the snapshot reads from lost the apiserver (its objects are the last known)
        self.stale = False
        self._listeners: list[Listener] = []
        self._error_listeners: list[ErrorListener] = []
        self._subscriptions: dict[int, tuple[ResourceCache, Callable[[], None]]] = {}
        self._task: asyncio.Task[None] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._last_rebuild = 0.0
        self._changed_during_build = False

    # -- listeners -------------------------------------------------------------------------

    def subscribe(self, listener: Listener,
                  on_error: ErrorListener | None = None) -> Callable[[], None]:
        """Call ``listener(model)`` after each publication (and ``on_error(exc)`` when a
        rebuild failed); returns the unsubscribe function."""
        self._listeners.append(listener)
        if on_error is not None:
            self._error_listeners.append(on_error)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)
            if on_error is not None and on_error in self._error_listeners:
                self._error_listeners.remove(on_error)

        return unsubscribe

    def _publish(self) -> None:
        for listener in list(self._listeners):
            listener(self)

    # -- the session -----------------------------------------------------------------------

    def set_session(self, session: ClusterSession | None) -> None:
        """A new connection (or none): forget the old state, publish that, read anew."""
        self.detach()
        self.session = session
        self.snapshot = None
        self.detections = {}
        self.stale = False
        self._changed_during_build = False
        self._publish()
        if session is not None:
            self.rebuild()

    def detach(self) -> None:
        """Stop reading (before the session closes): no rebuild runs or is due, no cache is
        subscribed. Publishes nothing."""
        self._cancel_timer()
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = None
        for _cache, unsubscribe in self._subscriptions.values():
            unsubscribe()
        self._subscriptions.clear()
        self.session = None

    def refresh(self) -> None:
        """``r``: re-read discovery, and retry at once every cache that is waiting after a
        403 or an error (RBAC just granted, a CRD just installed)."""
        if self.session is not None:
            self.session.retry_now()  # caches and permission answers
            self.rebuild(refresh_discovery=True)

    @property
    def busy(self) -> bool:
        """A rebuild is running or due (tests wait for quiet before they compare)."""
        return self._timer is not None or (self._task is not None and not self._task.done())

    # -- rebuilds --------------------------------------------------------------------------

    def _on_change(self, _change: CacheChange) -> None:
        if self.snapshot is None:
            # the first build reads the caches one after another: a change to one it has
            # read already must not wait for the next change to show
            self._changed_during_build = True
            return
        if self._timer is not None:
            return  # one is due
        self._schedule()

    def _schedule(self) -> None:
        wait = self._last_rebuild + self.interval - time.monotonic()
        if wait > 0:
            self._timer = asyncio.get_running_loop().call_later(wait, self._timed_rebuild)
        else:
            self.rebuild()

    def _timed_rebuild(self) -> None:
        self._timer = None
        self.rebuild()

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def rebuild(self, refresh_discovery: bool = False) -> None:
        """Start a rebuild now (cancelling one still running: the newest state wins)."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = asyncio.get_running_loop().create_task(
            self._guarded(refresh_discovery), name="detection-rebuild")

    async def _guarded(self, refresh_discovery: bool) -> None:
        try:
            await self.run_rebuild(refresh_discovery)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug here must not take the app down
            log.exception("detection rebuild failed")
            for on_error in list(self._error_listeners):
                on_error(exc)

    async def run_rebuild(self, refresh_discovery: bool = False) -> None:
        """Read the snapshot from the caches, evaluate every plugin, publish (awaited
        directly by the benchmark; the app goes through :meth:`rebuild`)."""
        session = self.session
        if session is None:
            return
        await asyncio.sleep(0)  # let a burst of cache changes collapse into this run
        self._last_rebuild = time.monotonic()
        plugins = list(self._plugins())

        async def groups() -> tuple[set[str], set[tuple[str, str]]]:
            disc = await session.discovery(refresh=refresh_discovery)
            return set(disc.groups), set(disc.resources)

        first = self.snapshot is None
        namespaces = candidate_namespaces(plugins, self._charts(), [session.namespace])
        snapshot = await build_snapshot(plugins, self._list, groups, summarize_releases,
                                        namespaces)
        if session is not self.session:
            return
        self.snapshot = snapshot
        if first and self._changed_during_build and self._timer is None:
            self._changed_during_build = False
            self._schedule()
        self.detections = evaluate(plugins, snapshot)
        # a watch that lost the apiserver keeps its last objects ("stale"): say so up top
        self.stale = any(c.state in ("stale", "error") for c in session.caches.caches())
        self._publish()

    async def _list(self, rtype: ResourceType, selector: str | None,
                    keep: Callable[[dict[str, Any]], bool] | None = None,
                    namespace: str | None = None) -> ListResult:
        """The snapshot builder's lister: a shared cache, subscribed to (once) so that its
        changes schedule a rebuild."""
        session = self.session
        if session is None:
            return ListResult([], ClusterError("not connected"))
        cache = session.cache(rtype, namespace, selector, None, keep)
        if id(cache) not in self._subscriptions:
            self._subscriptions[id(cache)] = (cache, cache.subscribe(self._on_change))
        try:
            await cache.wait_synced(timeout=SYNC_TIMEOUT)
        except ClusterError as exc:
            return ListResult(cache.items(), exc)
        except TimeoutError:
            return ListResult(cache.items(), ClusterError(f"timed out listing {rtype.plural}"))
        error = cache.error if cache.state != "synced" else None
        return ListResult(cache.items(), error)
