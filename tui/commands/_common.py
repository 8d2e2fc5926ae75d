"""Shared plumbing for headless subcommands: connecting, output formats, exit codes."""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

from ..errors import EssentialsError
from ..settings import Settings, load_settings
from ..text import clean, fit
from ..text import width as cell_width

if TYPE_CHECKING:  # the kube layer (httpx, msgspec) loads when a command connects
    from ..kube.session import ClusterSession, ConnectOptions

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
    """The config file of ``--config`` (else the default one), loaded once per command run;
    its warnings (a table no plugin owns) go to stderr once, as ``warning: ...`` lines."""
    cached = getattr(args, "_settings", None)
    if isinstance(cached, Settings):
        return cached
    path = getattr(args, "config", None)
    settings = load_settings(Path(path) if path else None)
    for warning in settings.warnings:
        print(f"warning: {clean(warning)}", file=sys.stderr)
    args._settings = settings
    return settings


def read_only(args: argparse.Namespace) -> bool:
    """``--read-only`` or ``read_only = true`` in the config file: both count headless."""
    return bool(getattr(args, "read_only", False)) or bool(settings_for(args)["read_only"])


def connect_options(args: argparse.Namespace) -> ConnectOptions:
    from ..kube.session import ConnectOptions

    return ConnectOptions(kubeconfig=getattr(args, "kubeconfig", None),
                          context=getattr(args, "context", None),
                          namespace=getattr(args, "namespace", None),
                          read_only=read_only(args))


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
    from ..kube.session import ClusterSession

    session = await ClusterSession.connect(connect_options(args), check=check)
    try:
        return await body(session)
    finally:
        await session.close()


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, sort_keys=False, default=str)
    sys.stdout.write("\n")


def fail(message: str) -> int:
    # an error message quotes the server (an object name, an apiserver message)
    emit(f"k8s-essentials-tui: error: {message}", file=sys.stderr)
    return EXIT_ERROR


def emit(line: object = "", *, file: TextIO | None = None, flush: bool = False,
         multiline: bool = False) -> None:
    """Print one line of headless text output, cleaned of control characters.

    Why: text output goes to a terminal as often as to a pipe, and its lines quote the
    cluster (names, status messages, log lines): an ESC in one would reach the operator's
    terminal. Every text line of a headless command goes through here (or :func:`table`);
    JSON output needs none of it (``json.dumps`` escapes control characters). A newline
    inside ``line`` is shown as ``␤`` unless ``multiline`` (a block of our own making)."""
    print(clean(line, multiline=multiline), file=file or sys.stdout, flush=flush)


def table(rows: list[list[str]], headers: list[str]) -> str:
    """A plain, aligned text table (no colours: it goes to pipes and cron mail).

    Cells are cleaned (no control character, a newline shown as ``␤``) and aligned by
    terminal cells, not code points: a Hangul name takes two columns per character."""
    head = [clean(h) for h in headers]
    body = [[clean(c) for c in row] for row in rows]
    widths = [cell_width(h) for h in head]
    for row in body:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], cell_width(value))

    def line(cells: list[str]) -> str:
        return "  ".join(fit(c, widths[i]) for i, c in enumerate(cells)).rstrip()

    return "\n".join([line(head), *(line(row) for row in body)])


__all__ = ["EXIT_ERROR", "EXIT_FOUND", "EXIT_OK", "EssentialsError", "add_output",
           "connect_options", "emit", "fail", "positive_int", "positive_seconds", "print_json",
           "read_only", "run_async", "settings_for", "table", "with_session"]
