"""``VeleroServer``: plays the Velero server in tests, on the real apiserver.

Why: no Velero controller runs in the test control plane, yet the pane and ``backup create
--wait`` must be seen following real objects through real watches. This helper does what the
server would do to the objects -- move a Backup/Restore through its phases with progress,
timestamps and expiration, mark storage locations Available/Unavailable, answer
DownloadRequests and DeleteBackupRequests -- and nothing else. It writes ``status`` the way
Velero does: through the status subresource where the CRD has one (Schedule, BSL,
DeleteBackupRequest) and with the object itself where it has none (Backup, Restore,
DownloadRequest) -- ``KubeAdmin.patch_status`` picks the right one.

All times come from the injected ``now`` so snapshots stay deterministic.

For the demo it also runs as a process (``python -m testkit.velero_server --kubeconfig K``):
:meth:`VeleroServer.serve` picks up every new Backup and Restore and moves it through its
phases with a delay per step, and answers DeleteBackupRequests, so a user sees what a real
Velero would do. It polls the apiserver every half second: a test tool, not an example.
"""

from __future__ import annotations

import argparse
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from testkit.kube import KubeAdmin, KubeError

V1 = "velero.io/v1"
FIXED_NOW = datetime(2026, 6, 1, 12, 0, 0, tzinfo=UTC)


def ts(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _ttl_seconds(text: str | None) -> float:
    """Hours/minutes/seconds of a Go duration (enough for TTLs); 0/empty -> 720h."""
    if not text or text in ("0", "0s"):
        return 720 * 3600.0
    total, num = 0.0, ""
    for ch in text:
        if ch.isdigit() or ch == ".":
            num += ch
        else:
            total += float(num or 0) * {"h": 3600, "m": 60, "s": 1}.get(ch, 0)
            num = ""
    return total or 720 * 3600.0


class VeleroServer:
    def __init__(self, admin: KubeAdmin, namespace: str = "velero",
                 now: datetime = FIXED_NOW) -> None:
        self.admin = admin
        self.namespace = namespace
        self.now = now

    # -- seeding ----------------------------------------------------------------------------

    def add_bsl(self, name: str = "default", *, phase: str = "Available", default: bool = True,
                message: str = "", provider: str = "aws", bucket: str = "backups") -> None:
        self.admin.create({"apiVersion": V1, "kind": "BackupStorageLocation",
                           "metadata": {"name": name, "namespace": self.namespace},
                           "spec": {"provider": provider, "default": default,
                                    "objectStorage": {"bucket": bucket}}}, exist_ok=True)
        status: dict[str, Any] = {"phase": phase,
                                  "lastValidationTime": ts(self.now - timedelta(seconds=30))}
        if message:
            status["message"] = message
        self.admin.patch_status(V1, "backupstoragelocations", self.namespace, name, status)

    def add_schedule(self, name: str, cron: str, template: dict[str, Any], *,
                     labels: dict[str, str] | None = None, paused: bool = False,
                     last_backup: datetime | None = None) -> dict[str, Any]:
        meta: dict[str, Any] = {"name": name, "namespace": self.namespace}
        if labels:
            meta["labels"] = labels
        obj = self.admin.create({"apiVersion": V1, "kind": "Schedule", "metadata": meta,
                                 "spec": {"schedule": cron, "template": template,
                                          "paused": paused}})
        status: dict[str, Any] = {"phase": "Enabled"}
        if last_backup:
            status["lastBackup"] = ts(last_backup)
        self.admin.patch_status(V1, "schedules", self.namespace, name, status)
        return obj

    def add_backup(self, name: str, *, phase: str = "Completed", started: datetime | None = None,
                   duration: timedelta = timedelta(minutes=2), total: int = 120,
                   done: int | None = None, errors: int = 0, warnings: int = 0,
                   schedule: str = "", namespaces: Sequence[str] = ("*",),
                   ttl: str = "720h0m0s", location: str = "default",
                   extra_status: dict[str, Any] | None = None) -> dict[str, Any]:
        """A backup as if Velero had already run it (for lists and snapshots)."""
        labels = {"velero.io/storage-location": location}
        if schedule:
            labels["velero.io/schedule-name"] = schedule
        self.admin.create({"apiVersion": V1, "kind": "Backup",
                           "metadata": {"name": name, "namespace": self.namespace,
                                        "labels": labels},
                           "spec": {"includedNamespaces": list(namespaces), "ttl": ttl,
                                    "storageLocation": location}})
        start = started or self.now - timedelta(hours=1)
        status: dict[str, Any] = {
            "phase": phase, "startTimestamp": ts(start),
            "expiration": ts(start + timedelta(seconds=_ttl_seconds(ttl))),
            "progress": {"totalItems": total,
                         "itemsBackedUp": total if done is None else done},
            "formatVersion": "1.1.0", "version": 1,
        }
        if phase not in ("New", "InProgress"):
            status["completionTimestamp"] = ts(start + duration)
        if errors:
            status["errors"] = errors
        if warnings:
            status["warnings"] = warnings
        status.update(extra_status or {})
        return self.admin.patch_status(V1, "backups", self.namespace, name, status)

    # -- playing the controller ------------------------------------------------------------

    def wait_for(self, plural: str, name: str, timeout: float = 30.0) -> dict[str, Any]:
        """Wait until the object exists (the server noticing a new request)."""
        deadline = time.monotonic() + timeout
        while True:
            obj = self.admin.get_or_none(V1, plural, name, self.namespace)
            if obj is not None:
                return obj
            if time.monotonic() > deadline:
                raise TimeoutError(f"{plural} {name} did not appear in {timeout}s")
            time.sleep(0.05)

    def set_status(self, plural: str, name: str, **status: Any) -> dict[str, Any]:
        return self.admin.patch_status(V1, plural, self.namespace, name, status)

    def run_backup(self, name: str, *, total: int = 10, final: str = "Completed",
                   errors: int = 0, warnings: int = 0, step_delay: float = 0.0,
                   failure_reason: str = "", validation_errors: Sequence[str] = ()) -> None:
        """New -> InProgress 0/N -> InProgress N/2 -> ``final`` N/N, like the server."""
        obj = self.wait_for("backups", name)
        start = self.now
        if final == "FailedValidation":
            self.set_status("backups", name, phase="FailedValidation",
                            validationErrors=list(validation_errors) or ["invalid spec"])
            return
        ttl = (obj.get("spec") or {}).get("ttl")
        steps: list[dict[str, Any]] = [
            {"phase": "InProgress", "startTimestamp": ts(start),
             "expiration": ts(start + timedelta(seconds=_ttl_seconds(ttl))),
             "progress": {"totalItems": total, "itemsBackedUp": 0}},
            {"progress": {"totalItems": total, "itemsBackedUp": total // 2}},
        ]
        last: dict[str, Any] = {"phase": final, "completionTimestamp":
                                ts(start + timedelta(seconds=95)),
                                "progress": {"totalItems": total, "itemsBackedUp": total}}
        if errors:
            last["errors"] = errors
        if warnings:
            last["warnings"] = warnings
        if failure_reason:
            last["failureReason"] = failure_reason
        steps.append(last)
        for step in steps:
            self.set_status("backups", name, **step)
            if step_delay:
                time.sleep(step_delay)

    def serve_backup(self, name: str, **kwargs: Any) -> threading.Thread:
        """``run_backup`` in a thread (for a CLI or app waiting in another thread/process)."""
        errors: list[BaseException] = []

        def target() -> None:
            try:
                self.run_backup(name, **kwargs)
            except BaseException as exc:  # surfaced by join_checked
                errors.append(exc)

        thread = threading.Thread(target=target, name=f"velero-server {name}", daemon=True)
        thread.errors = errors  # type: ignore[attr-defined]
        thread.start()
        return thread

    def run_restore(self, name: str, *, total: int = 6, final: str = "Completed",
                    errors: int = 0, warnings: int = 0, step_delay: float = 0.0) -> None:
        self.wait_for("restores", name)
        self.set_status("restores", name, phase="InProgress", startTimestamp=ts(self.now),
                        progress={"totalItems": total, "itemsRestored": 0})
        if step_delay:
            time.sleep(step_delay)
        last: dict[str, Any] = {"phase": final,
                                "completionTimestamp": ts(self.now + timedelta(seconds=20)),
                                "progress": {"totalItems": total, "itemsRestored": total}}
        if errors:
            last["errors"] = errors
        if warnings:
            last["warnings"] = warnings
        self.set_status("restores", name, **last)

    def answer_download_requests(self, url: str, timeout: float = 30.0) -> str:
        """Wait for a DownloadRequest and mark it Processed with ``url``; returns its name."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                requests = self.admin.list(V1, "downloadrequests", self.namespace)
            except KubeError as exc:  # 429 while a CRD's storage (re)initializes: retry
                if exc.status != 429:
                    raise
                time.sleep(0.2)
                continue
            for req in requests:
                if (req.get("status") or {}).get("phase") != "Processed":
                    name = req["metadata"]["name"]
                    self.set_status("downloadrequests", name, phase="Processed",
                                    downloadURL=url, expiration=ts(self.now
                                                                   + timedelta(minutes=10)))
                    return name
            time.sleep(0.05)
        raise TimeoutError("no DownloadRequest appeared")

    def process_delete_requests(self, timeout: float = 30.0) -> list[str]:
        """Answer DeleteBackupRequests: mark Processed and delete the Backup; returns the
        deleted backups' names."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = []
            for req in self.admin.list(V1, "deletebackuprequests", self.namespace):
                if (req.get("status") or {}).get("phase") == "Processed":
                    continue
                backup = (req.get("spec") or {}).get("backupName", "")
                self.set_status("deletebackuprequests", req["metadata"]["name"],
                                phase="Processed")
                try:
                    self.admin.delete(V1, "backups", backup, self.namespace)
                except KubeError:
                    pass
                done.append(backup)
            if done:
                return done
            time.sleep(0.05)
        raise TimeoutError("no DeleteBackupRequest appeared")


    # -- the demo's long-running server -------------------------------------------------------

    def serve(self, stop: threading.Event, *, step_delay: float = 2.0, poll: float = 0.5,
              clock: Callable[[], datetime] | None = None) -> None:
        """Until ``stop`` is set: run every Backup/Restore that has no phase yet (each in
        its own thread, ``step_delay`` seconds per phase) and process DeleteBackupRequests.
        ``clock`` (the real time in the demo) refreshes ``now`` before each new object."""
        started: set[tuple[str, str]] = set()

        def spawn(kind: str, name: str, run: Callable[[], None]) -> None:
            started.add((kind, name))
            threading.Thread(target=self._quietly, args=(run,), daemon=True,
                             name=f"velero-server {kind} {name}").start()

        while not stop.is_set():
            try:
                for plural, runner in (("backups", self.run_backup),
                                       ("restores", self.run_restore)):
                    for obj in self.admin.list(V1, plural, self.namespace):
                        name = obj["metadata"]["name"]
                        if (obj.get("status") or {}).get("phase") or (plural, name) in started:
                            continue
                        if clock is not None:
                            self.now = clock()
                        spawn(plural, name, lambda r=runner, n=name: r(  # type: ignore[misc]
                            n, total=12, step_delay=step_delay))
                for req in self.admin.list(V1, "deletebackuprequests", self.namespace):
                    if (req.get("status") or {}).get("phase") != "Processed":
                        self.process_delete_requests(timeout=poll)
                        break
            except (KubeError, TimeoutError, OSError):
                pass  # the apiserver restarting or the CRDs missing: try again next round
            stop.wait(poll)

    @staticmethod
    def _quietly(run: Callable[[], None]) -> None:
        try:
            run()
        except (KubeError, TimeoutError, OSError):
            pass  # deleted while running, or the apiserver went away


def main(argv: list[str] | None = None) -> int:
    """``python -m testkit.velero_server --kubeconfig K [--namespace velero]``: play the
    Velero server for the demo until interrupted."""
    parser = argparse.ArgumentParser(prog="velero_server", description=main.__doc__)
    parser.add_argument("--kubeconfig", required=True)
    parser.add_argument("--namespace", default="velero")
    parser.add_argument("--step-delay", type=float, default=2.0,
                        help="seconds per phase of a backup or restore")
    args = parser.parse_args(argv)
    server = VeleroServer(KubeAdmin.from_kubeconfig(args.kubeconfig), args.namespace,
                          now=datetime.now(UTC))
    stop = threading.Event()
    try:
        server.serve(stop, step_delay=args.step_delay, clock=lambda: datetime.now(UTC))
    except KeyboardInterrupt:
        stop.set()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
