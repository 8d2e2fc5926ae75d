"""GitOps actions through the Kubernetes API alone (no argocd/flux binary), shared by the
pane and the headless ``gitops`` command. Each sends the patch of :mod:`.patches`; errors
become messages an operator can act on. No Textual.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from k8s_essentials_tui.api import (
    ClusterError,
    ConflictError,
    EssentialsError,
    Fields,
    GoneError,
    KubeClient,
    NotFoundError,
    ResourceType,
    mapping,
    rt,
)

from . import patches
from .argo import app_row
from .fluxmodel import flux_row
from .kinds import APPLICATIONS

#: attempts on a 409 (the controller wrote the object between our read and our patch)
CONFLICT_RETRIES = 5


SELF_SUBJECT_REVIEWS = rt("authentication.k8s.io/v1", "selfsubjectreviews", "SelfSubjectReview",
                          namespaced=False)
#: who a sync is recorded as initiated by when the apiserver cannot tell
FALLBACK_USER = "k8s-essentials-tui"


async def whoami(client: KubeClient) -> str:
    """The Kubernetes user name (SelfSubjectReview), for ``operation.initiatedBy``: Argo CD
    records its own session user there; ours is the kubeconfig's identity."""
    try:
        review = await client.create(SELF_SUBJECT_REVIEWS,
                                     {"apiVersion": "authentication.k8s.io/v1",
                                      "kind": "SelfSubjectReview"})
    except ClusterError:
        return FALLBACK_USER
    return Fields(review).text("status.userInfo.username") or FALLBACK_USER


class OperationRunning(EssentialsError):
    """``argocd app sync`` refuses while another operation is in progress; so do we."""

    kind = "operation-running"


async def get_app(client: KubeClient, name: str, namespace: str) -> dict[str, Any]:
    try:
        return await client.get(APPLICATIONS, name, namespace)
    except NotFoundError as exc:
        raise NotFoundError(f"application {name!r} not found in {namespace}",
                            status=404) from exc


async def sync(client: KubeClient, name: str, namespace: str, username: str
               ) -> dict[str, Any]:
    """Set the sync ``operation`` (refused while one is in progress); returns the patch sent
    (the audit line and the tests quote it)."""
    for _attempt in range(CONFLICT_RETRIES):
        app = await get_app(client, name, namespace)
        row = app_row(app)
        if row.running:
            raise OperationRunning(
                f"another operation is already in progress on {namespace}/{name} "
                f"({row.op_phase or 'pending'}); terminate it first")
        patch = patches.sync_patch(app, username)
        try:
            await client.patch(APPLICATIONS, name, patch, namespace)
        except ConflictError:
            continue
        return patch
    raise ConflictError(f"application {namespace}/{name} kept changing; try again", status=409)


async def refresh(client: KubeClient, name: str, namespace: str, hard: bool,
                  now: datetime) -> dict[str, Any]:
    patch = patches.refresh_patch(hard, now)
    await client.patch(APPLICATIONS, name, patch, namespace)
    return patch


async def terminate(client: KubeClient, name: str, namespace: str) -> dict[str, Any]:
    app = await get_app(client, name, namespace)
    if not app.get("operation") or not Fields(app).obj("status.operationState"):
        raise EssentialsError(f"no operation is in progress on {namespace}/{name}")
    patch = patches.terminate_patch()
    await client.patch(APPLICATIONS, name, patch, namespace)
    return patch


async def set_autosync(client: KubeClient, name: str, namespace: str, enable: bool
                       ) -> dict[str, Any]:
    app = await get_app(client, name, namespace)
    patch = patches.autosync_patch(app, enable)
    await client.patch(APPLICATIONS, name, patch, namespace)
    return patch


# -- Flux -----------------------------------------------------------------------------------

async def request_reconcile(client: KubeClient, rtype: ResourceType, name: str,
                            namespace: str, now: datetime) -> tuple[str, dict[str, Any]]:
    """Annotate like ``flux reconcile``; returns (requestedAt, the object before). Refused
    for a suspended object, as flux does ("resource is suspended")."""
    try:
        obj = await client.get(rtype, name, namespace)
    except NotFoundError as exc:
        raise NotFoundError(f"{rtype.kind} {name!r} not found in {namespace}",
                            status=404) from exc
    if flux_row(obj).suspended:
        raise EssentialsError(f"{rtype.kind} {namespace}/{name} is suspended: resume it "
                              "first")
    requested = patches.go_rfc3339nano(now)
    await client.patch(rtype, name, patches.reconcile_patch(requested), namespace)
    return requested, obj


async def set_suspended(client: KubeClient, rtype: ResourceType, name: str, namespace: str,
                        suspend: bool) -> dict[str, Any]:
    patch = patches.suspend_patch(suspend)
    await client.patch(rtype, name, patch, namespace)
    return patch


@dataclass
class ReconcileResult:
    ready: str
    message: str
    revision: str

    @property
    def ok(self) -> bool:
        return self.ready == "True"


def handled(obj: dict[str, Any], requested: str) -> bool:
    """The controller handled our request and finished: ``lastHandledReconcileAt`` equals
    the ``requestedAt`` we wrote, and neither Reconciling nor an outdated
    ``observedGeneration`` remains (flux waits for kstatus "Current" the same way)."""
    row = flux_row(obj)
    if row.last_handled != requested or row.status == "Reconciling":
        return False
    f = Fields(obj)
    return f.number("status.observedGeneration", -1) >= f.number("metadata.generation", 0)


async def _follow(client: KubeClient, rtype: ResourceType, name: str, namespace: str,
                  sleep: Callable[[float], Any]) -> AsyncIterator[dict[str, Any]]:
    """The object each time it changes (list + watch by name; relist after 410 or a
    dropped watch, with a short back-off)."""
    by_name = f"metadata.name={name}"
    while True:
        items, rv = await client.list(rtype, namespace, field_selector=by_name)
        if not items:
            raise NotFoundError(f"{rtype.kind} {name!r} not found in {namespace}", status=404)
        yield items[0]
        try:
            async for event in client.watch(rtype, namespace, resource_version=rv,
                                            field_selector=by_name, timeout_seconds=60):
                obj = mapping(event.get("object"))
                if event.get("type") in ("ADDED", "MODIFIED"):
                    yield dict(obj)
                elif event.get("type") == "DELETED":
                    raise NotFoundError(f"{rtype.kind} {name!r} was deleted", status=404)
        except GoneError:
            continue
        except NotFoundError:
            raise
        except ClusterError:
            await sleep(1.0)


async def wait_reconciled(client: KubeClient, rtype: ResourceType, name: str, namespace: str,
                          requested: str, timeout: float,
                          sleep: Callable[[float], Any] = asyncio.sleep) -> ReconcileResult:
    """Wait (watch, bounded by ``timeout``) until the controller handled the request, then
    report Ready as ``flux reconcile`` does. Raises ``TimeoutError``."""

    async def watch() -> ReconcileResult:
        async for obj in _follow(client, rtype, name, namespace, sleep):
            if handled(obj, requested):
                row = flux_row(obj)
                return ReconcileResult(row.ready, row.message, row.applied)
        raise EssentialsError("the watch ended")  # pragma: no cover (_follow never ends)

    return await asyncio.wait_for(watch(), timeout)
