"""``backup create --wait`` follows one backup (``ops.follow``) on the real apiserver, as a
user whose RBAC decides what the watch may do: the watch asks for that backup only
(``metadata.name`` field selector, so ``resourceNames`` RBAC allows it), and a watch the
server refuses backs off 1, 2, 4... s instead of listing again every half second."""

from __future__ import annotations

import asyncio

import pytest

from k8s_essentials_tui.errors import ForbiddenError
from k8s_essentials_tui.kube.session import ClusterSession, ConnectOptions
from k8s_essentials_tui.plugins.velero import model, ops
from testkit.controlplane import LIMITED_USER
from testkit.kube import KubeAdmin, grant_in_namespace
from testkit.velero_server import VeleroServer

pytestmark = pytest.mark.e2e


async def _follow(kubeconfig: str, velero: VeleroServer, *,
                  complete_at_wait: int | None = None) -> tuple[list[str], list[float]]:
    """Follow backup b1 as the user of ``kubeconfig``: the phases seen and the back-off
    waits asked for (recorded, not slept: the test decides when the world moves). b1
    completes right after the first list, or at the ``complete_at_wait``-th wait."""
    waits: list[float] = []
    phases: list[str] = []

    def complete() -> None:
        velero.set_status("backups", "b1", phase="Completed")

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == complete_at_wait:
            await asyncio.to_thread(complete)

    session = await ClusterSession.connect(ConnectOptions(kubeconfig=kubeconfig))
    try:
        async with asyncio.timeout(30):  # RBAC reaches the authorizer through a watch
            while True:
                try:
                    await session.client.list(model.BACKUPS, velero.namespace,
                                              field_selector="metadata.name=b1")
                    break
                except ForbiddenError:
                    await asyncio.sleep(0.1)
        async with asyncio.timeout(60):
            async for obj in ops.follow(session.client, model.BACKUPS, "b1",
                                        velero.namespace, sleep=sleep):
                phases.append((obj.get("status") or {}).get("phase", ""))
                if len(phases) == 1 and complete_at_wait is None:
                    await asyncio.to_thread(complete)
    finally:
        await session.close()
    return phases, waits


@pytest.fixture
def velero(kube_admin: KubeAdmin, namespace: str) -> VeleroServer:
    srv = VeleroServer(kube_admin, namespace)
    srv.add_backup("b1", phase="InProgress", done=3)
    srv.add_backup("other", phase="InProgress", done=1)
    return srv


async def test_the_watch_asks_for_the_one_backup(limited_kubeconfig: str,
                                                 kube_admin: KubeAdmin,
                                                 velero: VeleroServer) -> None:
    """RBAC for this backup only (``resourceNames: [b1]``): a watch of every backup in the
    namespace is refused; the one with the field selector is allowed and brings
    Completed without a single back-off."""
    grant_in_namespace(kube_admin, LIMITED_USER, velero.namespace, "one-backup", [
        {"apiGroups": ["velero.io"], "resources": ["backups"], "resourceNames": ["b1"],
         "verbs": ["get", "list", "watch"]}])
    phases, waits = await _follow(limited_kubeconfig, velero)
    assert phases == ["InProgress", "Completed"]
    assert waits == []  # followed by the watch, not by listing again


async def test_a_refused_watch_backs_off(limited_kubeconfig: str, kube_admin: KubeAdmin,
                                         velero: VeleroServer) -> None:
    """RBAC allows list, not watch: after each list a longer wait (1, 2, 4, 8, 16, then
    FOLLOW_BACKOFF_MAX), never a 0.5 s poll. b1 completes at the seventh wait; the next
    list sees it."""
    grant_in_namespace(kube_admin, LIMITED_USER, velero.namespace, "list-backups", [
        {"apiGroups": ["velero.io"], "resources": ["backups"], "verbs": ["get", "list"]}])
    phases, waits = await _follow(limited_kubeconfig, velero, complete_at_wait=7)
    assert waits == [1, 2, 4, 8, 16, ops.FOLLOW_BACKOFF_MAX, ops.FOLLOW_BACKOFF_MAX]
    assert phases == ["InProgress"] * 7 + ["Completed"]
