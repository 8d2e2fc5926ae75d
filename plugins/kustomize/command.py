"""``kustomize diff DIR`` and ``kustomize apply DIR --yes``: the pane's preview and apply,
for CI and scripts.

Exit codes (``kubectl diff`` convention for ``diff``):

- ``diff``: 0 nothing would change, 1 something would change, 2 error (the tool is missing,
  the kustomization is bad, the cluster refused a dry-run of some object).
- ``apply``: 0 applied (or nothing to change), 1 an object failed to apply, 2 error (as
  above; nothing is applied when the preview has errors).

``apply`` asks for confirmation like ``install``: ``--yes`` when stdin is not a terminal;
``--read-only`` refuses it before anything is rendered. The apply is one ``Mutation``
(audited, equivalent command ``kubectl apply --server-side --field-manager=... -k DIR``).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from k8s_essentials_tui.api import (
    EXIT_ERROR,
    EXIT_FOUND,
    EXIT_OK,
    ClusterSession,
    EssentialsError,
    Mutation,
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

from .model import ManifestError, apply_command, parse_objects
from .plan import Outcome, Plan, apply_plan, build_plan, outcome_summary
from .render import find_renderer, render, timeout_of


class ApplyFailed(EssentialsError):
    """Some objects were refused by the server while applying (exit 1)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    common = argparse.ArgumentParser(add_help=False)
    add_global_options(common, suppress=True)
    sub = parser.add_subparsers(dest="kustomize_command", metavar="ACTION", required=True)
    diff = sub.add_parser(
        "diff", parents=[common], help="server-side dry-run and diff against live objects",
        description="Render DIR, dry-run every object with server-side apply and show what "
                    "would change (Secret values masked). Exit 0 no change, 1 changes, "
                    "2 errors.")
    diff.add_argument("directory", metavar="DIR", help="a kustomization directory")
    _force_flag(diff)
    add_output(diff)
    apply = sub.add_parser(
        "apply", parents=[common], help="server-side apply after a preview and confirmation",
        description="Render DIR, preview the changes, then apply every object with "
                    "server-side apply under the app's field manager. Exit 0 applied or "
                    "no change, 1 an object failed, 2 errors.")
    apply.add_argument("directory", metavar="DIR", help="a kustomization directory")
    _force_flag(apply)
    apply.add_argument("-y", "--yes", action="store_true",
                       help="do not ask (needed when stdin is not a terminal)")
    add_output(apply)


def _force_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--force-conflicts", action="store_true",
                        help="take over fields another field manager owns (server-side "
                             "apply's force); without it such a field is a conflict error")


async def run(args: argparse.Namespace) -> int:
    try:
        settings = settings_for(args)
        if args.kustomize_command == "apply":
            # read-only: refused (and audited) before rendering or connecting
            check_writable(_mutation(args, None, None)[0], _context(args))
        renderer = find_renderer(settings)
        stream = await render(renderer, args.directory, timeout=timeout_of(settings))
        items = parse_objects(stream)
        if args.kustomize_command == "apply":
            return await with_session(args, lambda s: _apply(s, args, items))
        return await with_session(args, lambda s: _diff(s, args, items))
    except ApplyFailed as exc:
        emit(f"k8s-essentials-tui: {exc}", file=sys.stderr)
        return EXIT_FOUND
    except (EssentialsError, ManifestError) as exc:
        return fail(str(exc))


def _context(args: argparse.Namespace) -> Any:
    from k8s_essentials_tui.api import ActionContext, read_only

    return ActionContext(context=getattr(args, "context", None) or "", read_only=read_only(args))


def _namespace(session: ClusterSession) -> str:
    return session.namespace or "default"


async def _diff(session: ClusterSession, args: argparse.Namespace, items: list[Any]) -> int:
    plan = await build_plan(session, args.directory, items, _namespace(session),
                            force=args.force_conflicts)
    if args.output == "json":
        print_json(_plan_json(plan))
    else:
        _print_plan(plan, with_lines=True)
    if plan.errors:
        return EXIT_ERROR
    return EXIT_FOUND if plan.changes else EXIT_OK


def _mutation(args: argparse.Namespace, session: ClusterSession | None,
              plan: Plan | None) -> tuple[Mutation, list[Outcome]]:
    """The apply as one Mutation, and the list its run fills with per-object outcomes."""
    outcomes: list[Outcome] = []
    text = getattr(args, "output", "text") != "json"

    async def run_apply() -> str | None:
        if session is None or plan is None:
            return None
        results = await apply_plan(session, plan, on_result=(
            (lambda o: emit(_outcome_line(o))) if text else None))
        outcomes.extend(results)
        failed = [o for o in results if o.result == "failed"]
        summary = outcome_summary(results)
        if failed:
            raise ApplyFailed(f"{len(failed)} of {len(results)} objects failed to apply "
                              f"({summary}); first: {failed[0].entry.label}: "
                              f"{failed[0].error}")
        return summary

    mutation = Mutation(
        action="kustomize.apply", title=f"Apply kustomization {args.directory}",
        command=apply_command(args.directory, getattr(args, "namespace", None),
                              force=getattr(args, "force_conflicts", False)),
        run=run_apply, details=[plan.summary()] if plan is not None else [])
    return mutation, outcomes


async def _apply(session: ClusterSession, args: argparse.Namespace, items: list[Any]) -> int:
    plan = await build_plan(session, args.directory, items, _namespace(session),
                            force=args.force_conflicts)
    json_out = args.output == "json"
    if not json_out:
        _print_plan(plan, with_lines=False)
    if plan.errors:
        if json_out:
            print_json(_plan_json(plan))
        raise EssentialsError(f"not applying: the server refused a dry-run of "
                              f"{len(plan.errors)} object(s); first: "
                              f"{plan.errors[0].label}: {plan.errors[0].error}")
    if not plan.changes:
        if json_out:
            print_json({**_plan_json(plan), "applied": False})
        else:
            emit("no changes: nothing to apply")
        return EXIT_OK
    mutation, outcomes = _mutation(args, session, plan)
    confirm(f"apply {len(plan.entries)} objects of {args.directory} ({plan.summary()})",
            args.yes)
    try:
        message = await execute(mutation, session.actions)
    finally:
        if json_out and outcomes:
            print_json({**_plan_json(plan), "applied": True, "results": [
                {"kind": o.entry.item.kind, "namespace": o.entry.namespace,
                 "name": o.entry.item.name, "result": o.result, "error": o.error}
                for o in outcomes]})
    if not json_out:
        emit(f"applied: {message}")
    return EXIT_OK


def _outcome_line(o: Outcome) -> str:
    if o.result == "failed":
        return f"{o.entry.label}: failed: {o.error}"
    return f"{o.entry.label} {o.result}"


def _print_plan(plan: Plan, *, with_lines: bool) -> None:
    print(table([[e.item.kind, e.namespace or "-", e.item.name, e.change,
                  e.error or e.note] for e in plan.entries],
                ["KIND", "NAMESPACE", "NAME", "CHANGE", "MESSAGE"]))
    if with_lines:
        for e in plan.entries:
            if e.change in ("added", "changed"):
                emit(f"=== {e.label} ({e.change})")
                for line in e.lines:
                    emit(line)
    emit(plan.summary())


def _plan_json(plan: Plan) -> dict[str, Any]:
    return {"directory": plan.directory, "namespace": plan.namespace,
            "summary": plan.summary(),
            "objects": [{"apiVersion": e.item.api_version, "kind": e.item.kind,
                         "namespace": e.namespace, "name": e.item.name, "change": e.change,
                         "error": e.error, "note": e.note, "diff": e.lines}
                        for e in plan.entries]}
