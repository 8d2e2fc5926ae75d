"""``gitops``: what Argo CD and Flux deliver, and their actions, without argocd/flux binaries.

``gitops status [-n NS | -A] [-o text|json]``: one row per Application, Kustomization and
HelmRelease, plus every ApplicationSet in error (all namespaces unless ``-n``: GitOps objects
live in the tools' namespaces, not the kubeconfig's); exit 1 when any is not Synced+Healthy /
Ready or an ApplicationSet reports an error -- suspended Flux objects are reported, not
failed. ``gitops sync NAME [-n NS]`` sets an Argo CD sync operation (the
namespace defaults to ``argocd``). ``gitops reconcile KIND/NAME [-n NS] [--with-source]
[--wait]`` annotates like ``flux reconcile`` (namespace default ``flux-system``). ``gitops
suspend|resume KIND/NAME`` toggles ``spec.suspend``. Every mutation is confirmed (``--yes``
when stdin is not a terminal), refused by ``--read-only`` and audited.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from k8s_essentials_tui.api import (
    EXIT_ERROR,
    EXIT_FOUND,
    EXIT_OK,
    ClusterSession,
    EssentialsError,
    Mutation,
    NotFoundError,
    ResourceType,
    add_global_options,
    add_output,
    check_writable,
    confirm,
    emit,
    execute,
    fail,
    print_json,
    settings_for,
    table,
    with_session,
)

from . import appsets, argo, fluxmodel, ops, patches
from .kinds import (
    APPLICATIONS,
    APPLICATIONSETS,
    HELMRELEASES,
    KUSTOMIZATIONS,
    SOURCES,
    flux_type,
)

ARGO_NAMESPACE = "argocd"
FLUX_NAMESPACE = "flux-system"
DEFAULT_TIMEOUT = 300.0
HEADERS = ["KIND", "NAMESPACE", "NAME", "SYNC", "HEALTH/READY", "REVISION", "MESSAGE"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    common = argparse.ArgumentParser(add_help=False)
    add_global_options(common, suppress=True)
    sub = parser.add_subparsers(dest="gitops_command", metavar="ACTION", required=True)
    status = sub.add_parser("status", parents=[common], help="one row per delivered object",
                            description="Applications, Kustomizations and HelmReleases with "
                                        "sync, health/ready, revision and message, and "
                                        "ApplicationSets in error. Exit 1 when any is not "
                                        "Synced+Healthy or Ready, or an ApplicationSet "
                                        "reports an error.")
    status.add_argument("-A", "--all-namespaces", action="store_true",
                        help="every namespace (the default unless -n is given)")
    add_output(status)
    sync = sub.add_parser("sync", parents=[common], help="sync an Argo CD Application",
                          description="Like `argocd app sync NAME`: sets the Application's "
                                      "sync operation (refused while one runs).")
    sync.add_argument("name", metavar="NAME")
    sync.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    add_output(sync)
    rec = sub.add_parser("reconcile", parents=[common], help="reconcile a Flux object",
                         description="Like `flux reconcile`: annotates "
                                     "reconcile.fluxcd.io/requestedAt.")
    rec.add_argument("target", metavar="KIND/NAME",
                     help="kustomization/NAME, helmrelease/NAME, gitrepository/NAME, ...")
    rec.add_argument("--with-source", action="store_true",
                     help="reconcile the object's source first")
    rec.add_argument("--wait", action="store_true",
                     help="wait until the controller handled the request; exit 1 when the "
                          "object is not Ready afterwards")
    rec.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                     help=f"with --wait: give up after this long (default {DEFAULT_TIMEOUT:.0f})")
    rec.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    add_output(rec)
    for verb in ("suspend", "resume"):
        p = sub.add_parser(verb, parents=[common], help=f"{verb} a Flux object",
                           description=f"Like `flux {verb}`: sets spec.suspend.")
        p.add_argument("target", metavar="KIND/NAME")
        p.add_argument("--yes", "-y", action="store_true")
        add_output(p)


async def run(args: argparse.Namespace) -> int:
    try:
        action = args.gitops_command
        if action == "status":
            return await with_session(args, lambda s: _status(s, args))
        if action == "sync":
            return await with_session(args, lambda s: _sync(s, args))
        if action == "reconcile":
            return await with_session(args, lambda s: _reconcile(s, args))
        return await with_session(args, lambda s: _suspend(s, args, action == "suspend"))
    except EssentialsError as exc:
        return fail(str(exc))


# -- status ---------------------------------------------------------------------------------

async def _list(session: ClusterSession, rtype: ResourceType, namespace: str | None
                ) -> list[dict[str, Any]] | None:
    """Objects of ``rtype``; None when the type is not served (the tool is not installed)."""
    try:
        items, _ = await session.client.list(rtype, namespace)
    except NotFoundError:
        return None
    return items


def app_record(row: argo.AppRow) -> dict[str, Any]:
    message = row.op_message if row.op_phase not in ("", "Succeeded") else ""
    return {"kind": "Application", "namespace": row.namespace, "name": row.name,
            "sync": row.sync, "health": row.health, "revision": row.revision,
            "targetRevision": row.target_revision, "autoSync": row.auto_sync,
            "operation": row.op_phase, "ok": row.ok, "suspended": False,
            "message": message or row.health_message}


def appset_record(row: appsets.AppSetRow) -> dict[str, Any]:
    """An ApplicationSet in the status list (only those in error are listed)."""
    return {"kind": "ApplicationSet", "namespace": row.namespace, "name": row.name,
            "sync": row.status, "health": row.status, "revision": "",
            "generators": row.generators, "applications": row.owned,
            "conditions": {k: {"status": s, "reason": r, "message": m}
                           for k, (s, r, m) in row.conditions.items()},
            "ok": not row.error, "suspended": False, "message": row.message}


def flux_record(row: fluxmodel.FluxRow, sources: dict[tuple[str, str, str],
                                                      fluxmodel.FluxRow]) -> dict[str, Any]:
    return {"kind": row.kind, "namespace": row.namespace, "name": row.name,
            "sync": "Suspended" if row.suspended else row.status, "ready": row.ready,
            "revision": row.applied, "sourceRevision": fluxmodel.source_revision(row, sources),
            "suspended": row.suspended, "ok": row.ok, "message": row.message}


async def _status(session: ClusterSession, args: argparse.Namespace) -> int:
    if args.all_namespaces and args.namespace:
        return fail("-A/--all-namespaces and -n/--namespace are mutually exclusive")
    namespace = None if args.all_namespaces else (args.namespace or None)
    records: list[dict[str, Any]] = []
    served = False
    apps = await _list(session, APPLICATIONS, namespace)
    if apps is not None:
        served = True
        records += [app_record(r) for r in argo.app_rows(apps)]
        sets = await _list(session, APPLICATIONSETS, namespace)
        # only sets in error: a healthy set's Applications are already rows of their own
        records += [appset_record(r) for r in appsets.appset_rows(sets or [], apps)
                    if r.error]
    source_rows: list[fluxmodel.FluxRow] = []
    for rtype in SOURCES:
        items = await _list(session, rtype, namespace)
        source_rows += fluxmodel.flux_rows(items or [])
    sources = fluxmodel.index(source_rows)
    for rtype in (KUSTOMIZATIONS, HELMRELEASES):
        items = await _list(session, rtype, namespace)
        if items is None:
            continue
        served = True
        records += [flux_record(r, sources) for r in fluxmodel.flux_rows(items)]
    failing = [r for r in records if not r["ok"] and not r["suspended"]]
    if args.output == "json":
        print_json({"items": records, "failing": len(failing)})
    elif not served:
        emit("neither Argo CD nor Flux is installed (no Application, Kustomization or "
             "HelmRelease type is served)")
    elif not records:
        emit("no Applications, Kustomizations or HelmReleases"
             + (f" in {namespace}" if namespace else ""))
    else:
        print(table([[r["kind"], r["namespace"], r["name"], r["sync"],
                      r.get("health") or r.get("ready") or "",
                      argo.short_revision(r["revision"]) or "-", r["message"]]
                     for r in records], HEADERS))
    return EXIT_FOUND if failing else EXIT_OK


# -- actions --------------------------------------------------------------------------------

async def username(session: ClusterSession, args: argparse.Namespace) -> str:
    """``gitops.username`` from the config, else the apiserver's name for us."""
    try:
        configured = str(settings_for(args).get("gitops.username") or "")
    except EssentialsError:
        configured = ""
    return configured or await ops.whoami(session.client)


async def _nothing() -> None:
    return None


def _done(args: argparse.Namespace, data: dict[str, Any], line: str) -> None:
    if args.output == "json":
        print_json(data)
    else:
        emit(line)


async def _sync(session: ClusterSession, args: argparse.Namespace) -> int:
    ns = args.namespace or ARGO_NAMESPACE
    command = patches.sync_command(args.name, ns)
    check_writable(Mutation(action="gitops.argocd.sync", title=f"sync {args.name}",
                            command=command, run=_nothing), session.actions)
    row = argo.app_row(await ops.get_app(session.client, args.name, ns))
    if row.running:  # refuse before asking, as the server would after
        return fail(f"another operation is already in progress on {ns}/{args.name} "
                    f"({row.op_phase or 'pending'})")
    confirm(f"sync application {ns}/{args.name} to {row.target_revision}", args.yes)
    sent: dict[str, Any] = {}
    user = await username(session, args)

    async def run() -> str:
        sent.update(await ops.sync(session.client, args.name, ns, user))
        return f"sync of {ns}/{args.name} requested"

    message = await execute(Mutation(action="gitops.argocd.sync",
                                     title=f"Sync application {ns}/{args.name}",
                                     command=command, run=run), session.actions)
    _done(args, {"application": f"{ns}/{args.name}", "patch": sent}, message or "")
    return EXIT_OK


def _target(text: str) -> tuple[ResourceType, str]:
    kind, sep, name = text.partition("/")
    rtype = flux_type(kind) if sep else None
    if rtype is None or not name:
        raise EssentialsError(f"{text!r}: expected KIND/NAME with KIND one of kustomization, "
                              "helmrelease, gitrepository, ocirepository, helmrepository, "
                              "helmchart, bucket")
    return rtype, name


async def _reconcile_one(session: ClusterSession, rtype: ResourceType, name: str, ns: str,
                         with_source: bool) -> str:
    """Annotate through an audited Mutation (confirmed by the caller); returns requestedAt."""
    requested: list[str] = []

    async def run() -> str:
        stamp, _obj = await ops.request_reconcile(session.client, rtype, name, ns,
                                                  datetime.now(UTC))
        requested.append(stamp)
        return f"reconcile of {rtype.kind} {ns}/{name} requested at {stamp}"

    await execute(Mutation(
        action="gitops.flux.reconcile", title=f"Reconcile {rtype.kind} {ns}/{name}",
        command=patches.reconcile_command(rtype.kind, name, ns, with_source), run=run),
        session.actions)
    return requested[0]


async def _reconcile(session: ClusterSession, args: argparse.Namespace) -> int:
    rtype, name = _target(args.target)
    ns = args.namespace or FLUX_NAMESPACE
    command = patches.reconcile_command(rtype.kind, name, ns, args.with_source)
    check_writable(Mutation(action="gitops.flux.reconcile", title=f"reconcile {name}",
                            command=command, run=_nothing), session.actions)
    try:
        obj = await session.client.get(rtype, name, ns)
    except NotFoundError:
        return fail(f"{rtype.kind} {name!r} not found in {ns}")
    row = fluxmodel.flux_row(obj)
    if row.suspended:
        return fail(f"{rtype.kind} {ns}/{name} is suspended: resume it first")
    confirm(f"reconcile {rtype.kind} {ns}/{name}"
            + (" and its source" if args.with_source else ""), args.yes)
    steps: list[tuple[ResourceType, str, str]] = []
    if args.with_source and row.source is not None:
        skind, sns, sname = row.source
        stype = flux_type(skind)
        if stype is None:
            return fail(f"cannot reconcile a source of kind {skind!r}")
        steps.append((stype, sname, sns))
    steps.append((rtype, name, ns))
    results: list[dict[str, Any]] = []
    for stype, sname, sns in steps:
        stamp = await _reconcile_one(session, stype, sname, sns,
                                     args.with_source and stype is rtype)
        if args.output != "json":
            emit(f"► annotated {stype.kind} {sns}/{sname} ({stamp})")
        record: dict[str, Any] = {"kind": stype.kind, "namespace": sns, "name": sname,
                                  "requestedAt": stamp}
        if args.wait or stype is not rtype:  # flux waits for the source before the object
            if args.output != "json":
                emit(f"◎ waiting for {stype.kind} reconciliation")
            try:
                result = await ops.wait_reconciled(session.client, stype, sname, sns, stamp,
                                                   args.timeout)
            except TimeoutError:
                return fail(f"timed out after {args.timeout:.0f}s waiting for {stype.kind} "
                            f"{sns}/{sname} to handle the request")
            record.update(ready=result.ready, message=result.message,
                          revision=result.revision)
            if args.output != "json":
                emit(f"{'✔' if result.ok else '✗'} {stype.kind} {sns}/{sname}: "
                     f"{result.message or result.ready}")
            if not result.ok:
                results.append(record)
                if args.output == "json":
                    print_json({"steps": results})
                return EXIT_FOUND
        results.append(record)
    if args.output == "json":
        print_json({"steps": results})
    return EXIT_OK


async def _suspend(session: ClusterSession, args: argparse.Namespace, suspend: bool) -> int:
    rtype, name = _target(args.target)
    ns = args.namespace or FLUX_NAMESPACE
    verb = "suspend" if suspend else "resume"
    command = patches.suspend_command(rtype.kind, name, ns, suspend)
    check_writable(Mutation(action=f"gitops.flux.{verb}", title=f"{verb} {name}",
                            command=command, run=_nothing), session.actions)
    confirm(f"{verb} {rtype.kind} {ns}/{name}", args.yes)

    async def run() -> str:
        await ops.set_suspended(session.client, rtype, name, ns, suspend)
        return f"{rtype.kind} {ns}/{name} {verb}d"

    try:
        message = await execute(Mutation(action=f"gitops.flux.{verb}",
                                         title=f"{verb.title()} {rtype.kind} {ns}/{name}",
                                         command=command, run=run), session.actions)
    except NotFoundError:
        return fail(f"{rtype.kind} {name!r} not found in {ns}")
    _done(args, {"kind": rtype.kind, "namespace": ns, "name": name, "suspended": suspend},
          message or "")
    return EXIT_OK


__all__ = ["EXIT_ERROR", "add_arguments", "run"]
