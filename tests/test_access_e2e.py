"""Permission answers (SelfSubjectAccessReview) against the real apiserver's RBAC: kept a
few minutes (ACCESS_TTL), not for the session, and dropped by ``r`` on the board -- so a
role granted while the app runs shows without a restart."""

from __future__ import annotations

import asyncio

import pytest

from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.kube.access import ACCESS_TTL, AccessChecker
from k8s_essentials_tui.kube.resources import CONFIGMAPS
from k8s_essentials_tui.kube.session import ClusterSession, ConnectOptions
from testkit.controlplane import LIMITED_USER
from testkit.kube import KubeAdmin, grant_in_namespace

pytestmark = pytest.mark.e2e

CREATE_CONFIGMAPS = [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["create"]}]


async def test_a_permission_answer_expires(limited_kubeconfig: str, kube_admin: KubeAdmin,
                                           namespace: str) -> None:
    """Denied, then granted on the server: the answer is kept until ACCESS_TTL has passed
    on the checker's clock (injected here), then asked again and allowed."""
    session = await ClusterSession.connect(ConnectOptions(kubeconfig=limited_kubeconfig))
    now = [1000.0]
    checker = AccessChecker(session.client, clock=lambda: now[0])
    try:
        assert not await checker.can("create", CONFIGMAPS, namespace)
        await asyncio.to_thread(grant_in_namespace, kube_admin, LIMITED_USER, namespace,
                                "create-cm", CREATE_CONFIGMAPS)
        # RBAC reaches the authorizer through its informer: the server says yes soon
        async with asyncio.timeout(30):
            while not await session.access.can("create", CONFIGMAPS, namespace):
                session.access.clear()
                await asyncio.sleep(0.2)
        now[0] += ACCESS_TTL - 1
        assert not await checker.can("create", CONFIGMAPS, namespace)  # still the old answer
        now[0] += 2
        assert await checker.can("create", CONFIGMAPS, namespace)  # expired: asked again
    finally:
        await session.close()


async def test_r_on_the_board_forgets_permission_answers(
        limited_kubeconfig: str, kube_admin: KubeAdmin, namespace: str) -> None:
    app = EssentialsApp(StartOptions(kubeconfig=limited_kubeconfig))
    async with app.run_test(size=(120, 40)) as pilot:
        async with asyncio.timeout(30):
            while app.session is None:
                await pilot.pause(0.05)
        session = app.session
        assert not await session.access.can("create", CONFIGMAPS, namespace)
        await asyncio.to_thread(grant_in_namespace, kube_admin, LIMITED_USER, namespace,
                                "create-cm", CREATE_CONFIGMAPS)
        # without `r` the denial stays for ACCESS_TTL (minutes); with it, the next check
        # asks the server (retried: RBAC reaches the authorizer through a watch)
        async with asyncio.timeout(30):
            while not await session.access.can("create", CONFIGMAPS, namespace):
                await pilot.press("r")
                await pilot.pause(0.2)
