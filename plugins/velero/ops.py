"""Velero operations through the Kubernetes API alone (no velero binary), shared by the pane
and the headless ``backup`` command.

Each function sends the object the velero CLI would send (built in :mod:`.model`) and turns
API errors into messages an operator can act on (a 409 names the clash, a 404 on a velero.io
type says Velero's CRDs are missing). No Textual here.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from k8s_essentials_tui.api import (
    ClusterError,
    ConflictError,
    Fields,
    GoneError,
    KubeClient,
    NotFoundError,
    ResourceType,
    mapping,
)

from .model import (
    BACKUP_TERMINAL_PHASES,
    BACKUPS,
    DELETE_BACKUP_REQUESTS,
    DOWNLOAD_REQUESTS,
    RESTORE_TERMINAL_PHASES,
    RESTORES,
    SCHEDULES,
    build_backup_from_schedule,
    build_delete_request,
    build_download_request,
)

NOT_INSTALLED = ("Velero is not installed in this cluster: the velero.io CRDs are missing "
                 "(install Velero, e.g. with the chart vmware-tanzu/velero)")


def _explain(exc: ClusterError, kind: str, name: str, namespace: str) -> ClusterError:
    if isinstance(exc, ConflictError):
        return ConflictError(f"a {kind} named {name!r} already exists in {namespace}; "
                             "choose another name", status=409)
    if isinstance(exc, NotFoundError):
        if "namespaces" in str(exc):
            return NotFoundError(f"namespace {namespace!r} does not exist", status=404)
        # a 404 on a collection POST: the type is not served, i.e. the CRD is missing
        return NotFoundError(NOT_INSTALLED, status=404)
    return exc


async def create(client: KubeClient, rtype: ResourceType, obj: dict[str, Any],
                 namespace: str) -> dict[str, Any]:
    kind = (rtype.kind or rtype.plural).lower()
    name = obj["metadata"].get("name", "")
    try:
        return await client.create(rtype, obj, namespace)
    except ClusterError as exc:
        raise _explain(exc, kind, name, namespace) from exc


async def get_schedule(client: KubeClient, name: str, namespace: str) -> dict[str, Any]:
    try:
        return await client.get(SCHEDULES, name, namespace)
    except NotFoundError as exc:
        raise NotFoundError(f"schedule {name!r} not found in {namespace}", status=404) from exc


async def backup_from_schedule(client: KubeClient, schedule: str, namespace: str,
                               now: datetime, name: str | None = None) -> dict[str, Any]:
    sched = await get_schedule(client, schedule, namespace)
    obj = build_backup_from_schedule(sched, namespace, now, name)
    return await create(client, BACKUPS, obj, namespace)


async def set_paused(client: KubeClient, schedule: str, paused: bool,
                     namespace: str) -> dict[str, Any]:
    """``velero schedule pause|unpause``: set ``spec.paused``."""
    return await client.patch(SCHEDULES, schedule, {"spec": {"paused": paused}}, namespace)


async def request_delete(client: KubeClient, backup: dict[str, Any],
                         namespace: str) -> dict[str, Any]:
    """``velero backup delete``: a DeleteBackupRequest; the Velero server deletes the data
    in object storage, the snapshots and then the Backup object."""
    return await create(client, DELETE_BACKUP_REQUESTS, build_delete_request(backup, namespace),
                        namespace)


def is_terminal(rtype: ResourceType, obj: dict[str, Any]) -> bool:
    phase = Fields(obj).text("status.phase")
    terminal = RESTORE_TERMINAL_PHASES if rtype == RESTORES else BACKUP_TERMINAL_PHASES
    return phase in terminal


#: seconds between attempts when the watch fails (403: RBAC allows list, not watch; a
#: network error): 1, 2, 4... up to this, never a tight poll against the apiserver
FOLLOW_BACKOFF_MAX = 30.0


async def follow(client: KubeClient, rtype: ResourceType, name: str, namespace: str, *,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 ) -> AsyncIterator[dict[str, Any]]:
    """Yield the object each time it changes until its phase is final (watch, not poll);
    re-lists after a 410 or a dropped watch. Raises NotFoundError if it is deleted.

    The list and the watch carry a ``metadata.name`` field selector: only this object
    streams (not every backup of the namespace), and RBAC limited to the object's name
    (``resourceNames``) allows the watch. When the watch fails it backs off (1, 2, 4... s
    up to :data:`FOLLOW_BACKOFF_MAX`; ``sleep`` is injectable for tests) before it lists
    again; a working watch resets the wait."""
    by_name = f"metadata.name={name}"
    delay = 1.0
    while True:
        items, rv = await client.list(rtype, namespace, field_selector=by_name)
        if not items:
            raise NotFoundError(f"{rtype.kind.lower()} {name!r} not found in {namespace}",
                                status=404)
        obj = items[0]
        yield obj
        if is_terminal(rtype, obj):
            return
        try:
            async for event in client.watch(rtype, namespace, resource_version=rv,
                                            field_selector=by_name, timeout_seconds=120):
                delay = 1.0  # the watch works
                etype, obj = event.get("type"), dict(mapping(event.get("object")))
                if etype == "BOOKMARK" or mapping(obj.get("metadata")).get("name") != name:
                    continue
                if etype == "DELETED":
                    raise NotFoundError(f"{rtype.kind.lower()} {name!r} was deleted",
                                        status=404)
                yield obj
                if is_terminal(rtype, obj):
                    return
        except NotFoundError:
            raise
        except GoneError:
            continue  # 410: our resourceVersion is too old, list again at once
        except ClusterError:
            await sleep(delay)  # 403 on watch, or a dropped stream: back off, list again
            delay = min(delay * 2, FOLLOW_BACKOFF_MAX)


@dataclass
class LogResult:
    """What fetching logs through a DownloadRequest gave: the request's state at the end,
    the lines when the URL could be read, else a message saying why not."""

    state: str
    lines: list[str] = field(default_factory=list)
    message: str = ""
    url: str = ""


#: the most a log download may transfer (compressed, as sent by the object store)
MAX_LOG_DOWNLOAD = 64 * 1024 * 1024


async def fetch_logs(client: KubeClient, kind: str, name: str, namespace: str, now: datetime,
                     *, timeout: float = 30.0, on_state: Callable[[str], None] | None = None,
                     max_lines: int = 20000, max_bytes: int = MAX_LOG_DOWNLOAD) -> LogResult:
    """``velero backup logs`` over the API: create a DownloadRequest (``BackupLog`` /
    ``RestoreLog``), wait for ``status.phase: Processed`` and a ``downloadURL``, then GET
    the pre-signed URL and gunzip. The URL points at object storage, which a bastion often
    cannot reach: that case ends with a clear message, not an error. The download stops
    after ``max_bytes`` (the URL is the object store's; a huge or endless body must not take
    the app's memory), and the gunzip is bounded the same way."""
    import httpx

    req = build_download_request(kind, name, namespace, now)
    try:
        created = await client.create(DOWNLOAD_REQUESTS, req, namespace)
    except ConflictError:
        created = await client.get(DOWNLOAD_REQUESTS, req["metadata"]["name"], namespace)
    dr_name = created["metadata"]["name"]
    state = "New"
    if on_state:
        on_state(f"DownloadRequest {dr_name}: {state}")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    url = ""
    while True:
        obj = await client.get(DOWNLOAD_REQUESTS, dr_name, namespace)
        f = Fields(obj)
        new_state = f.text("status.phase") or "New"
        if new_state != state:
            state = new_state
            if on_state:
                on_state(f"DownloadRequest {dr_name}: {state}")
        url = f.text("status.downloadURL")
        if state == "Processed" and url:
            break
        if loop.time() >= deadline:
            return LogResult(state, message=(
                f"DownloadRequest {dr_name} is still {state} after {int(timeout)}s: the "
                "Velero server did not answer (is it running, and is the storage location "
                "available?)"))
        await asyncio.sleep(0.5)
    too_big = False
    try:
        async with httpx.AsyncClient(timeout=httpx.Timeout(20.0, connect=5.0),
                                     trust_env=True) as http, http.stream("GET", url) as resp:
            resp.raise_for_status()
            buf = bytearray()
            async for chunk in resp.aiter_raw():  # the bytes as sent: gzip is ours to bound
                buf += chunk
                if len(buf) > max_bytes:
                    too_big = True
                    break
            data = bytes(buf)
    except Exception as exc:
        first = (str(exc) or type(exc).__name__).splitlines()[0]
        return LogResult(state, url=url, message=(
            f"the download URL cannot be fetched from here ({first}); the pre-signed URL "
            "points at the object store, which may not be reachable from this machine. Run "
            f"`velero {kind.removesuffix('Log').lower()} logs {name}` where it is."))
    if too_big:
        return LogResult(state, url=url, message=(
            f"the log is larger than {max_bytes // (1024 * 1024) or max_bytes} "
            f"{'MiB' if max_bytes >= 1024 * 1024 else 'bytes'} to download: run `velero "
            f"{kind.removesuffix('Log').lower()} logs {name}` where it is."))
    # the raw body: a .gz object, gzipped once more when the store sends it with
    # Content-Encoding: gzip -- each layer inflated with a bound
    for _layer in range(2):
        if data[:2] != b"\x1f\x8b":
            break
        from k8s_essentials_tui.api import gunzip_bounded

        try:  # bounded: a log that inflates to gigabytes must not take the app's memory
            data = gunzip_bounded(data, what="the log")
        except ValueError as exc:
            return LogResult(state, url=url, message=f"the log cannot be read: {exc}")
    lines = data.decode("utf-8", "replace").splitlines()
    return LogResult(state, lines=lines[-max_lines:], url=url)
