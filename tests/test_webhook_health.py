"""Webhook health when the EndpointSlices cannot be read: unknown, never "0 ready".

A ``failurePolicy: Fail`` webhook with no ready endpoint blocks admissions, so the board and
``report --fail-on unhealthy`` flag it. An EndpointSlice list that failed (5xx, network) or
is not served (404: no ``discovery.k8s.io/v1``) says nothing about the endpoints; reading it
as "0 ready" flagged every Fail webhook. The denied (403) case runs on the real apiserver in
``test_board_e2e.py``; a 404 or a 500 for one list is what no local apiserver serves, hence
a stand-in :class:`Lister` (the snapshot builder's own seam, not the Kubernetes API).
"""

from __future__ import annotations

from typing import Any

import pytest

from k8s_essentials_tui.detection.evaluate import cluster_problems, evaluate, failing, report_json
from k8s_essentials_tui.detection.snapshot import ClusterSnapshot
from k8s_essentials_tui.detection.snapshot_builder import (
    ENDPOINTS_NOT_SERVED,
    ListResult,
    build_snapshot,
    webhook_rows,
)
from k8s_essentials_tui.errors import ClusterError, NotFoundError
from k8s_essentials_tui.kube.resources import ResourceType
from k8s_essentials_tui.registry import load_registry

HOOK = {"apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "MutatingWebhookConfiguration", "metadata": {"name": "vpa-webhook-config"},
        "webhooks": [{"name": "vpa.k8s.io", "failurePolicy": "Fail",
                      "clientConfig": {"service": {"namespace": "kube-system",
                                                   "name": "vpa-webhook"}}}]}


async def _snapshot(slices: ListResult) -> ClusterSnapshot:
    async def lister(rtype: ResourceType, selector: str | None, keep: Any,
                     namespace: str | None = None) -> ListResult:
        if rtype.plural == "mutatingwebhookconfigurations":
            return ListResult([HOOK])
        if rtype.plural == "endpointslices":
            return slices
        return ListResult([])

    async def groups() -> tuple[set[str], set[tuple[str, str]]]:
        return set(), set()

    return await build_snapshot([], lister, groups, lambda items: [])


@pytest.mark.parametrize("slices, note", [
    (ListResult([], NotFoundError("the server could not find the requested resource",
                                  status=404)), ENDPOINTS_NOT_SERVED),
    (ListResult([], ClusterError("500 Internal Server Error: etcdserver: leader changed")),
     "500 Internal Server Error: etcdserver: leader changed"),
], ids=["not-served", "failed"])
async def test_an_unreadable_endpointslice_list_means_unknown_not_blocking(
        slices: ListResult, note: str) -> None:
    snap = await _snapshot(slices)
    [row] = webhook_rows(snap)
    assert row["ready"] is None and row["blocking"] is False
    plugins = load_registry(third_party=False).ordered()
    dets = evaluate(plugins, snap)
    assert cluster_problems(plugins, dets, snap) == []
    assert failing(plugins, dets, ["unhealthy"], snap) == {}
    assert note in report_json(plugins, dets, snap)["notes"]  # and says why


async def test_a_read_endpointslice_list_still_flags_a_blocking_webhook() -> None:
    snap = await _snapshot(ListResult([]))  # read, and no slice for the service: 0 ready
    [row] = webhook_rows(snap)
    assert row["ready"] == 0 and row["blocking"] is True
    plugins = load_registry(third_party=False).ordered()
    dets = evaluate(plugins, snap)
    assert failing(plugins, dets, ["unhealthy"], snap) == {"unhealthy": ["webhook/vpa.k8s.io"]}
