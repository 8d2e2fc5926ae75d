"""The shared watch caches' lifecycle on the real apiserver: a retired cache's stop is a
task the registry keeps (and ``stop()`` waits for), and a stopped cache leaves no flush
pending, so starting it again notifies its subscribers as before."""

from __future__ import annotations

import asyncio

import pytest

from k8s_essentials_tui.kube.resources import CONFIGMAPS
from k8s_essentials_tui.kube.session import ClusterSession, ConnectOptions
from testkit.kube import KubeAdmin

pytestmark = pytest.mark.e2e


def _cm(name: str, namespace: str) -> dict[str, object]:
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": namespace}, "data": {"k": "v"}}


async def test_registry_stop_waits_for_a_retired_cache(kubeconfig: str,
                                                       namespace: str) -> None:
    """The loop holds tasks weakly: an unreferenced retire task can vanish mid-stop, and
    the session's close() returned while a retired watch was still running."""
    session = await ClusterSession.connect(ConnectOptions(kubeconfig=kubeconfig))
    try:
        cache = session.cache(CONFIGMAPS, namespace)
        cache.idle_timeout = 0.0
        unsubscribe = cache.subscribe(lambda change: None)
        await cache.wait_synced()
        unsubscribe()  # idle at once: the registry retires it on the next loop turn
        async with asyncio.timeout(10):
            while cache in session.caches.caches():
                await asyncio.sleep(0)
        await session.caches.stop()
        assert cache._task is None  # its watch ended before stop() returned
    finally:
        await session.close()


async def test_a_restarted_cache_still_notifies(kubeconfig: str, kube_admin: KubeAdmin,
                                                namespace: str) -> None:
    session = await ClusterSession.connect(ConnectOptions(kubeconfig=kubeconfig))
    try:
        cache = session.cache(CONFIGMAPS, namespace)
        seen: list[set[str]] = []  # the names a subscriber saw at each notification
        cache.subscribe(lambda change: seen.append(
            {o["metadata"]["name"] for o in change.cache.items()}))
        await cache.wait_synced()
        cache.flush_interval = 3600.0  # an event now leaves a flush pending
        await asyncio.to_thread(kube_admin.create, _cm("a", namespace))
        async with asyncio.timeout(10):
            while not any(o["metadata"]["name"] == "a" for o in cache.items()):
                await asyncio.sleep(0.05)
        await cache.stop()
        assert cache._flush_handle is None
        cache.flush_interval = 0.05
        cache.start()
        await asyncio.to_thread(kube_admin.create, _cm("b", namespace))
        async with asyncio.timeout(10):  # the subscriber hears of b (re-sync or event)
            while not any("b" in names for names in seen):
                await asyncio.sleep(0.05)
    finally:
        await session.close()
