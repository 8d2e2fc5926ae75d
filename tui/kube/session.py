"""A connection to one cluster context: client, discovery, shared caches, access checks.

The app holds one ``ClusterSession`` at a time (switching context replaces it); headless
commands create one for their single run. Every pane reaches the cluster through it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .access import AccessChecker
from .cache import CacheRegistry, ResourceCache
from .client import KubeClient
from .config import ConnectionSettings, load_settings
from .discovery import Discovery, discover
from .resources import ObjectTransform, ResourceType

if TYPE_CHECKING:
    from ..actions import ActionContext


@dataclass
class ConnectOptions:
    kubeconfig: str | None = None
    context: str | None = None
    namespace: str | None = None
    timeout: float = 30.0
    #: False: never try WatchList, list + watch (the app passes config ``watch_list``,
    #: default false: see ``cache.py`` for why); True: WatchList where the server has it
    watch_list: bool = True
    #: ``--read-only`` or ``read_only = true``: every mutation through this session is refused
    read_only: bool = False


class ClusterSession:
    def __init__(self, settings: ConnectionSettings, client: KubeClient,
                 namespace: str | None = None, *, read_only: bool = False) -> None:
        self.settings = settings
        #: read-only is a property of the session: ``actions.execute`` refuses every
        #: mutation run with :attr:`actions` when it is set
        self.read_only = read_only
        self.client = client
        #: None after the user chose "all namespaces" (see EssentialsApp.set_namespace)
        self.namespace: str | None = namespace or settings.namespace
        self.caches = CacheRegistry(client)
        self.access = AccessChecker(client)
        self.server_version: dict[str, Any] = {}
        self._discovery: Discovery | None = None
        self._discovery_lock = asyncio.Lock()

    @property
    def context(self) -> str:
        return self.settings.context

    @property
    def actions(self) -> ActionContext:
        """What ``actions.execute`` needs: the context (audit) and the read-only flag."""
        from ..actions import ActionContext

        return ActionContext(context=self.context, read_only=self.read_only)

    @classmethod
    async def connect(cls, options: ConnectOptions, *, check: bool = True) -> ClusterSession:
        """Load the kubeconfig (in a thread: exec plugins may block) and check /version."""
        settings = await asyncio.to_thread(load_settings, options.kubeconfig, options.context)
        client = KubeClient(settings, timeout=options.timeout)
        if not options.watch_list:
            client.watch_list = False
        session = cls(settings, client, options.namespace, read_only=options.read_only)
        if check:
            try:
                session.server_version = await client.version()
            except Exception:
                await client.aclose()
                raise
        return session

    async def discovery(self, refresh: bool = False) -> Discovery:
        """Served groups/resources; fetched once per session (one request, ``/apis``)."""
        async with self._discovery_lock:
            if self._discovery is None or refresh:
                self._discovery = await discover(self.client)
            return self._discovery

    @property
    def discovered(self) -> Discovery | None:
        """The discovery already read this session, if any (no request): for code that
        must decide without awaiting, such as :meth:`PluginPane.prefetch`."""
        return self._discovery

    def prefetch(self, rtype: ResourceType, namespace: str | None = None,
                 label_selector: str | None = None, field_selector: str | None = None,
                 keep: Callable[[dict[str, Any]], bool] | None = None,
                 transform: ObjectTransform | None = None) -> ResourceCache:
        """Start a shared cache ahead of its subscriber; the same cache :meth:`cache`
        returns. Why: a pane subscribes once its screen is composed and mounted, which
        holds the event loop for 30-50 ms, so its lists left that much later (measured:
        the policy pane's 500-report list sent at +45-79 ms after ``open``); started here,
        before the screen is pushed, the requests are on the wire first. A cache nobody
        subscribes to then is retired after the idle timeout, as any unwatched cache."""
        cache = self.cache(rtype, namespace, label_selector, field_selector, keep, transform)
        cache.subscribe(_ignore)()  # arms the idle timer unless someone subscribes
        return cache

    def cache(self, rtype: ResourceType, namespace: str | None = None,
              label_selector: str | None = None,
              field_selector: str | None = None,
              keep: Callable[[dict[str, Any]], bool] | None = None,
              transform: ObjectTransform | None = None) -> ResourceCache:
        return self.caches.get(rtype, namespace, label_selector, field_selector, keep,
                               transform)

    def retry_now(self) -> None:
        """``r``: every cache waiting after a failure retries at once, and every permission
        answer is forgotten -- so RBAC granted while the app runs shows without a restart."""
        self.caches.retry_now()
        self.access.clear()

    async def close(self) -> None:
        await self.caches.stop()
        await self.client.aclose()


def _ignore(_change: object) -> None:
    """The subscriber :meth:`ClusterSession.prefetch` adds and removes at once."""
