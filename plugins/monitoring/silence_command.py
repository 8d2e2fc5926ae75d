"""``silence create|expire``: Alertmanager silences, confirmed and audited like the pane's.

``silence create --matcher 'alertname=X' [--matcher ...] --duration 2h --comment C [--author A]
[--yes]`` prints the new silence id; ``silence expire ID [--yes]``. Without ``--yes`` it asks
(and refuses when stdin is not a terminal). The equivalent ``amtool`` command is printed on
stderr and written to the audit log; read-only mode refuses both.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from typing import Any

from k8s_essentials_tui.api import (
    EXIT_OK,
    EssentialsError,
    Mutation,
    add_global_options,
    add_output,
    check_writable,
    clean,
    emit,
    execute,
    fail,
    positive_seconds,
    print_json,
)

from .client import ALERTMANAGER
from .headless import action_context, with_client
from .model import parse_matcher
from .promql import parse_duration
from .silences import create_mutation, expire_mutation, kube_user


def add_arguments(parser: argparse.ArgumentParser) -> None:
    common = argparse.ArgumentParser(add_help=False)
    add_global_options(common, suppress=True)
    sub = parser.add_subparsers(dest="verb", required=True, metavar="create|expire")
    create = sub.add_parser("create", parents=[common], help="create a silence")
    create.add_argument("--matcher", "-m", action="append", required=True, metavar="M",
                        help="name=value, name!=value, name=~regex, name!~regex (repeatable)")
    create.add_argument("--duration", "-d", default="2h", metavar="DUR",
                        help="how long (default: %(default)s)")
    create.add_argument("--comment", "-c", required=True, help="why (shown to everyone)")
    create.add_argument("--author", "-a", default="",
                        help="createdBy (default: the kube user, else $USER)")
    expire = sub.add_parser("expire", parents=[common], help="expire a silence")
    expire.add_argument("silence_id", metavar="ID")
    for p in (create, expire):
        p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
        p.add_argument("--alertmanager-url", default=None, metavar="URL",
                       help="this Alertmanager directly instead of through the apiserver")
        p.add_argument("--timeout", type=positive_seconds, default=30.0, metavar="S",
                       help="request timeout in seconds (default: %(default)s)")
        add_output(p)


async def _confirm(mutation: Mutation, yes: bool) -> None:
    emit(f"equivalent: {mutation.command}", file=sys.stderr)
    for line in mutation.details:
        emit(f"  {line}", file=sys.stderr)
    if yes:
        return
    if not sys.stdin.isatty():
        raise EssentialsError(f"refusing to {mutation.title.lower()} without --yes: stdin is "
                              "not a terminal")
    answer = await asyncio.to_thread(input, f"{clean(mutation.title)}? [y/N] ")
    if answer.strip().lower() not in ("y", "yes"):
        raise EssentialsError("cancelled")


async def run(args: argparse.Namespace) -> int:
    try:
        if args.verb == "create":
            matchers = [parse_matcher(m) for m in args.matcher]
            duration = parse_duration(args.duration)
    except ValueError as exc:
        return fail(str(exc))
    created: list[str] = []

    async def body(client: Any, session: Any) -> str | None:
        ctx = action_context(args, session)
        if args.verb == "create":
            author = args.author or await kube_user(session)
            mutation = create_mutation(client, matchers, duration=duration,
                                       comment=args.comment, author=author,
                                       now=datetime.now(UTC), result=created)
        else:
            mutation = expire_mutation(client, args.silence_id)
        check_writable(mutation, ctx)  # refuse before asking anything
        await _confirm(mutation, args.yes)
        message: str | None = await execute(mutation, ctx)
        return message

    try:
        message = await with_client(args, ALERTMANAGER, args.alertmanager_url or "", body)
    except (EssentialsError, ValueError) as exc:
        return fail(str(exc))
    if args.output == "json":
        print_json({"silenceID": created[0] if created else args.__dict__.get("silence_id"),
                    "message": message})
    elif created:
        emit(created[0])
    else:
        emit(message or "")
    return EXIT_OK
