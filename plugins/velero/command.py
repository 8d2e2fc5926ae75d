"""``backup``: create Velero backups and list them through the Kubernetes API (no velero
binary needed), for cron jobs and CI.

``backup create NAME [...] [--wait]`` sends the same Backup object ``velero backup create``
would; with ``--wait`` it follows the backup with a watch and exits 0 on Completed, 1 on a
failed phase (PartiallyFailed, Failed, FailedValidation) and 2 on errors -- and on
``--timeout`` (default 10m): a Velero whose server is down never answers, and a cron job
must not hang forever. After 30 s without the server picking the backup up, a note on
stderr says so.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import Any

from k8s_essentials_tui.api import (
    EXIT_ERROR,
    EXIT_FOUND,
    EXIT_OK,
    ClusterSession,
    EssentialsError,
    ForbiddenError,
    Mutation,
    NotFoundError,
    add_global_options,
    add_output,
    check_writable,
    emit,
    execute,
    fail,
    print_json,
    settings_for,
    table,
    with_session,
)

#: seconds after which ``--wait`` notes that no Velero server picked the backup up
NOT_PICKED_UP_AFTER = 30.0
DEFAULT_TIMEOUT = "10m"

def add_arguments(parser: argparse.ArgumentParser) -> None:
    common = argparse.ArgumentParser(add_help=False)
    add_global_options(common, suppress=True)
    sub = parser.add_subparsers(dest="backup_command", metavar="ACTION", required=True)
    create = sub.add_parser("create", parents=[common], help="create a backup",
                            description="Create a backup like `velero backup create`.")
    create.add_argument("name", nargs="?", metavar="NAME",
                        help="backup name (optional with --from-schedule)")
    create.add_argument("--include-namespaces", metavar="NS,..", default="",
                        help="namespaces to include (default: all)")
    create.add_argument("--exclude-namespaces", metavar="NS,..", default="")
    create.add_argument("--include-resources", metavar="RES,..", default="")
    create.add_argument("--exclude-resources", metavar="RES,..", default="")
    create.add_argument("-l", "--selector", metavar="SELECTOR", default="",
                        help="only back up resources matching this label selector")
    create.add_argument("--ttl", metavar="DURATION", default=None,
                        help="how long to keep the backup, a Go duration (720h)")
    create.add_argument("--storage-location", metavar="NAME", default="",
                        help="BackupStorageLocation (default: the server's default)")
    create.add_argument("--snapshot-volumes", choices=("true", "false"), default=None)
    create.add_argument("--default-volumes-to-fs-backup", choices=("true", "false"),
                        default=None)
    create.add_argument("--from-schedule", metavar="SCHEDULE", default="",
                        help="copy the spec and labels of this schedule's template")
    create.add_argument("-w", "--wait", action="store_true",
                        help="follow the backup until it finishes (exit 0 Completed, "
                             "1 failed phase, 2 error or timeout)")
    create.add_argument("--timeout", metavar="DURATION", default=DEFAULT_TIMEOUT,
                        help="with --wait: give up after this long, a Go duration "
                             f"(default {DEFAULT_TIMEOUT})")
    add_output(create)
    lst = sub.add_parser("list", parents=[common], help="list backups, newest first")
    add_output(lst)


def velero_namespace(args: argparse.Namespace) -> str:
    ns = getattr(args, "namespace", None)
    if ns:
        return ns
    try:
        return str(settings_for(args).get("velero.namespace") or "velero")
    except EssentialsError:
        return "velero"


async def run(args: argparse.Namespace) -> int:
    try:
        if args.backup_command == "list":
            return await with_session(args, lambda s: _list(s, args))
        return await with_session(args, lambda s: _create(s, args))
    except EssentialsError as exc:
        return fail(str(exc))


def _bool(value: str | None) -> bool | None:
    return None if value is None else value == "true"


def _summary(obj: dict[str, Any]) -> dict[str, Any]:
    from . import model

    row = model.backup_row(obj)
    return {"name": row.name, "namespace": (obj.get("metadata") or {}).get("namespace"),
            "phase": row.phase, "itemsBackedUp": row.done, "totalItems": row.total,
            "errors": row.errors, "warnings": row.warnings,
            "storageLocation": row.storage_location, "schedule": row.schedule,
            "started": row.started.isoformat() if row.started else None,
            "completed": row.completed.isoformat() if row.completed else None,
            "expiration": row.expires.isoformat() if row.expires else None,
            "failureReason": model.Fields(obj).text("status.failureReason"),
            "validationErrors": model.Fields(obj).texts("status.validationErrors"),
            "problems": row.problems}


async def _list(session: ClusterSession, args: argparse.Namespace) -> int:
    from . import model
    from .ops import NOT_INSTALLED

    ns = velero_namespace(args)
    try:
        items, _ = await session.client.list(model.BACKUPS, ns)
    except NotFoundError as exc:
        raise NotFoundError(NOT_INSTALLED, status=404) from exc
    now = datetime.now(UTC)
    rows = model.backup_rows(items)
    if args.output == "json":
        by_name = {(o.get("metadata") or {}).get("name"): o for o in items}
        print_json({"namespace": ns, "backups": [_summary(by_name[r.name]) for r in rows]})
        return EXIT_OK
    if not rows:
        emit(f"no backups in {ns}")
        return EXIT_OK
    print(table([[r.name, r.phase, f"{r.done}/{r.total}", str(r.errors), str(r.warnings),
                  model.short_time(r.started), r.duration(now), r.expires_text(now),
                  r.storage_location or "-", r.schedule or "-"] for r in rows],
                ["NAME", "STATUS", "ITEMS", "ERRORS", "WARNINGS", "STARTED", "DURATION",
                 "EXPIRES", "LOCATION", "SCHEDULE"]))
    for r in rows:  # malformed objects: the row is shown, and what could not be read
        for problem in r.problems:
            print(f"backup {r.name}: {problem}")
    return EXIT_OK


async def _validate(session: ClusterSession, opts: Any, ns: str) -> list[str]:
    """The CLI's checks plus an unknown-namespace check when namespaces can be listed."""
    from k8s_essentials_tui.api import NAMESPACES

    from . import model

    known: list[str] | None = None
    try:
        items, _ = await session.client.list(NAMESPACES)
        known = [(o.get("metadata") or {}).get("name", "") for o in items]
    except ForbiddenError:
        known = None  # cannot check: let Velero decide
    errors = opts.validate(known_namespaces=known)
    if opts.storage_location and not errors:
        try:
            await session.client.get(model.BSLS, opts.storage_location, ns)
        except NotFoundError:
            errors.append(f"backup storage location {opts.storage_location!r} not found "
                          f"in {ns}")
    return errors


async def _nothing() -> None:
    return None


async def _create(session: ClusterSession, args: argparse.Namespace) -> int:
    from . import model, ops

    ns = velero_namespace(args)
    # read-only: refused (and audited) before validating or printing anything
    check_writable(Mutation(action="velero.backup.create", title="backup create",
                            command=f"velero backup create {args.name or ''} --namespace {ns}",
                            run=_nothing), session.actions)
    now = datetime.now(UTC)
    json_out = args.output == "json"
    progress = sys.stderr if json_out else sys.stdout
    try:
        timeout = model.parse_go_duration(args.timeout) / 1e9
    except ValueError as exc:
        return fail(f"--timeout: {exc}")
    if timeout <= 0:
        return fail("--timeout must be positive")
    if args.from_schedule:
        if args.name and (msg := model.validate_name(args.name)):
            return fail(msg)
        command = model.from_schedule_command(args.from_schedule, ns, args.name)
        print("Creating backup from schedule, all other filters are ignored.", file=progress)

        def create() -> Awaitable[dict[str, Any]]:
            return ops.backup_from_schedule(session.client, args.from_schedule, ns, now,
                                            args.name)
    else:
        if not args.name:
            return fail("a backup name is required, unless you use --from-schedule")
        opts = model.BackupOptions(
            name=args.name,
            include_namespaces=model.split_list(args.include_namespaces) or ["*"],
            exclude_namespaces=model.split_list(args.exclude_namespaces),
            include_resources=model.split_list(args.include_resources),
            exclude_resources=model.split_list(args.exclude_resources),
            selector=args.selector, ttl=args.ttl, storage_location=args.storage_location,
            snapshot_volumes=_bool(args.snapshot_volumes),
            default_volumes_to_fs_backup=_bool(args.default_volumes_to_fs_backup))
        errors = await _validate(session, opts, ns)
        if errors:
            return fail("; ".join(errors))
        command = model.backup_command(opts, ns)
        body = model.build_backup(opts, ns)

        def create() -> Awaitable[dict[str, Any]]:
            return ops.create(session.client, model.BACKUPS, body, ns)

    created: dict[str, Any] = {}

    async def run() -> str:
        created.update(await create())
        return f"backup {created['metadata']['name']} created in {ns}"

    await execute(Mutation(action="velero.backup.create", title="Create backup",
                           command=command, run=run), session.actions)
    name = created["metadata"]["name"]
    emit(f'Backup request "{name}" submitted successfully.', file=progress)
    if not args.wait:
        if json_out:
            print_json(_summary(created))
        else:
            emit(f"Run `velero backup describe {name}` or "
                  f"`k8s-essentials-tui backup list` for more details.")
        return EXIT_OK
    last = ""
    final: dict[str, Any] = created

    async def follow() -> None:
        nonlocal last, final
        async for obj in ops.follow(session.client, model.BACKUPS, name, ns):
            final = obj
            row = model.backup_row(obj)
            line = f"backup {name}: {row.phase} {row.done}/{row.total} items"
            if line != last:
                emit(line, file=progress, flush=True)
                last = line

    async def note_if_not_picked_up() -> None:
        await asyncio.sleep(NOT_PICKED_UP_AFTER)
        if not (final.get("status") or {}).get("phase"):
            print(f"note: after {NOT_PICKED_UP_AFTER:.0f}s the Velero server has not "
                  f"picked up backup {name} (no phase yet): is Velero's server running in "
                  f"{ns}? (kubectl -n {ns} get deploy velero); giving up after "
                  f"{args.timeout}", file=sys.stderr, flush=True)

    note = asyncio.create_task(note_if_not_picked_up())
    try:
        await asyncio.wait_for(follow(), timeout)
    except TimeoutError:
        phase = (final.get("status") or {}).get("phase") or "not picked up"
        return fail(f"timed out after {args.timeout} waiting for backup {name} ({phase}); "
                    "it stays in the cluster")
    finally:
        note.cancel()
    row = model.backup_row(final)
    if json_out:
        print_json(_summary(final))
    else:
        emit(f"Backup completed with status: {row.phase} (errors {row.errors}, warnings "
              f"{row.warnings}).")
    if row.phase in model.BACKUP_OK_PHASES:
        return EXIT_OK
    return EXIT_FOUND if row.phase in model.BACKUP_FAILED_PHASES else EXIT_ERROR

