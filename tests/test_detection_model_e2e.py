"""The detection model (``tui/detection/model.py``) against the real apiserver: it owns the
snapshot rebuilds of a session and publishes the detections; a change in the cluster
reaches them through the shared watch caches with no refresh asked; a new session (or none)
starts over; a failing listener is reported, not fatal."""

from __future__ import annotations

import pytest

from k8s_essentials_tui.detection.model import DetectionModel
from k8s_essentials_tui.kube.session import ClusterSession, ConnectOptions
from k8s_essentials_tui.registry import load_registry
from testkit.kube import KubeAdmin
from testkit.wait import wait_until
from tests.test_board_e2e import deployment

pytestmark = pytest.mark.e2e


def model() -> DetectionModel:
    return DetectionModel(load_registry().ordered, interval=0.05)


async def test_publishes_detections_and_follows_the_cluster(kubeconfig: str, namespace: str,
                                                            kube_admin: KubeAdmin) -> None:
    session = await ClusterSession.connect(ConnectOptions(kubeconfig=kubeconfig))
    m = model()
    seen: list[tuple[bool, int]] = []
    m.subscribe(lambda mod: seen.append((mod.snapshot is not None, len(mod.detections))))
    try:
        m.set_session(session)
        assert seen == [(False, 0)]  # the new session's empty state, published at once
        await wait_until(None, lambda: m.snapshot is not None, what="the first snapshot")
        assert seen[-1] == (True, len(load_registry().components()))  # views have no row
        assert set(m.detections) == {p.id for p in load_registry().components()}

        def ours() -> bool:
            return any(w.get("metadata", {}).get("namespace") == namespace
                       for w in (m.snapshot.workloads if m.snapshot else []))

        assert not ours()
        published = len(seen)
        kube_admin.create(deployment("external-dns", namespace,
                                     {"app.kubernetes.io/name": "external-dns"},
                                     replicas=1, ready=0, image="registry.k8s.io/pause:3.10"))
        # no refresh asked: the watch brings it
        await wait_until(None, ours, what="the new Deployment in the snapshot")
        assert len(seen) > published
        assert m.detections["external-dns"].installed is not False
    finally:
        m.detach()
        await session.close()
    assert not m.busy


async def test_a_new_session_starts_over_and_none_stops(kubeconfig: str) -> None:
    session = await ClusterSession.connect(ConnectOptions(kubeconfig=kubeconfig))
    m = model()
    try:
        m.set_session(session)
        await wait_until(None, lambda: m.snapshot is not None and not m.busy)
        m.set_session(None)
        assert (m.snapshot, m.detections, m.busy) == (None, {}, False)
        m.refresh()  # no session: nothing to read
        assert not m.busy
    finally:
        await session.close()


async def test_a_failing_listener_is_reported_and_the_model_goes_on(kubeconfig: str) -> None:
    session = await ClusterSession.connect(ConnectOptions(kubeconfig=kubeconfig))
    m = model()
    errors: list[Exception] = []

    def broken(mod: DetectionModel) -> None:
        if mod.snapshot is not None:
            raise RuntimeError("render failed")

    m.subscribe(broken, errors.append)
    try:
        m.set_session(session)
        await wait_until(None, lambda: errors, what="the error report")
        assert str(errors[0]) == "render failed"
        m.refresh()  # r still works
        await wait_until(None, lambda: len(errors) >= 2 and not m.busy)
    finally:
        m.detach()
        await session.close()
