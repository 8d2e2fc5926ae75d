"""Shared plumbing for headless subcommands: connecting, output formats, exit codes."""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from ..errors import EssentialsError
from ..kube.session import ClusterSession, ConnectOptions
from ..settings import Settings, load_settings

T = TypeVar("T")
EXIT_OK, EXIT_FOUND, EXIT_ERROR = 0, 1, 2


def add_output(parser: argparse.ArgumentParser, *choices: str) -> None:
    opts = choices or ("text", "json")
    parser.add_argument("-o", "--output", choices=opts, default=opts[0],
                        help="output format (default: %(default)s)")


def positive_seconds(text: str) -> float:
    """argparse type for a timeout: a finite number of seconds above zero (``-1``, ``0``,
    ``nan`` and ``inf`` are usage errors, exit 2, instead of a request that never ends or
    fails at once)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a number of seconds above zero: {text!r}")
    return value


def positive_int(text: str) -> int:
    """argparse type for a count (``--limit``): a whole number above zero."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be above zero: {text!r}")
    return value


def settings_for(args: argparse.Namespace) -> Settings:
    path = getattr(args, "config", None)
    return load_settings(Path(path) if path else None)


def connect_options(args: argparse.Namespace) -> ConnectOptions:
    return ConnectOptions(kubeconfig=getattr(args, "kubeconfig", None),
                          context=getattr(args, "context", None),
                          namespace=getattr(args, "namespace", None))


def run_async(factory: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to completion (headless commands have no app loop)."""
    return asyncio.run(_guard(factory))


async def _guard(factory: Callable[[], Awaitable[T]]) -> T:
    return await factory()


async def with_session(args: argparse.Namespace,
                       body: Callable[[ClusterSession], Awaitable[T]], *,
                       check: bool = True) -> T:
    """Connect, run ``body``, close. ``check=False`` skips the ``/version`` probe for a
    command whose own first request fails just as clearly when the cluster is away."""
    session = await ClusterSession.connect(connect_options(args), check=check)
    try:
        return await body(session)
    finally:
        await session.close()


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, sort_keys=False, default=str)
    sys.stdout.write("\n")


def fail(message: str) -> int:
    print(f"k8s-essentials-tui: error: {message}", file=sys.stderr)
    return EXIT_ERROR


def table(rows: list[list[str]], headers: list[str]) -> str:
    """A plain, aligned text table (no colours: it goes to pipes and cron mail)."""
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    lines = ["  ".join(h.ljust(widths[i]) for i, h in enumerate(headers)).rstrip()]
    for row in rows:
        lines.append("  ".join(c.ljust(widths[i]) for i, c in enumerate(row)).rstrip())
    return "\n".join(lines)


__all__ = ["EXIT_ERROR", "EXIT_FOUND", "EXIT_OK", "EssentialsError", "add_output",
           "connect_options", "fail", "positive_int", "positive_seconds", "print_json",
           "run_async", "settings_for", "table", "with_session"]
