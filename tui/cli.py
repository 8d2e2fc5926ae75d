"""The ``k8s-essentials-tui`` command: the TUI by default, headless subcommands for scripts.

Subcommands are declared, not imported: the core's in ``tui/commands/__init__.py`` and each
plugin's in ``Plugin.commands`` (found through the registry, like the panes). A command's
module (``add_arguments(parser)`` and a sync or ``async`` ``run(args) -> int``) is imported
and its arguments built only when argv names it, so ``--help`` lists everything while the TUI
and every other command start without importing it. Global options are accepted before or
after the subcommand, like kubectl's. Errors print one line on stderr and exit 2; nothing
prints a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from . import __version__
from .errors import EssentialsError

if TYPE_CHECKING:
    from .plugin import PluginCommand

PROG = "k8s-essentials-tui"


def add_global_options(parser: argparse.ArgumentParser, suppress: bool) -> None:
    """--kubeconfig, --context, ... ; with suppress=True for nested subparsers, so options
    given before the subcommand are not overwritten by defaults."""
    d = argparse.SUPPRESS if suppress else None
    parser.add_argument("--kubeconfig", metavar="PATH", default=d,
                        help="kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)")
    parser.add_argument("--context", metavar="NAME", default=d,
                        help="kubeconfig context (default: the current context)")
    parser.add_argument("-n", "--namespace", metavar="NS", default=d,
                        help="namespace (default: the context's)")
    parser.add_argument("--read-only", action="store_true",
                        default=argparse.SUPPRESS if suppress else False,
                        help="disable every action that changes the cluster")
    parser.add_argument("--theme", metavar="NAME", default=d,
                        help="dark, light, bastion (16 colours, for SSH), or a theme file")
    parser.add_argument("--config", metavar="PATH", default=d,
                        help="config file (default: the platform config dir's config.toml)")


def command_table() -> dict[str, PluginCommand]:
    """Every headless command by name: the core's, then each plugin's (a plugin cannot take
    a name already used; the registry's order decides between plugins)."""
    from .commands import CORE_COMMANDS
    from .registry import load_registry

    table: dict[str, PluginCommand] = {c.name: c for c in CORE_COMMANDS}
    for plugin in load_registry().ordered():
        for command in plugin.commands:
            table.setdefault(command.name, command)
    return dict(sorted(table.items()))


#: global options that take a value (their value is never a command name)
_VALUE_OPTIONS = {"--kubeconfig", "--context", "-n", "--namespace", "--theme", "--config"}


def named_command(argv: Sequence[str], names: Sequence[str]) -> str | None:
    """The command argv names: its first positional token (skipping global options' values),
    when that is a command."""
    skip = False
    for token in argv:
        if skip:
            skip = False
        elif token == "--":
            return None
        elif token in _VALUE_OPTIONS:
            skip = True
        elif not token.startswith("-"):
            return token if token in names else None
    return None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; with ``argv``, only the command it names gets its arguments (and its
    module imported) -- the others are listed in ``--help`` by name and help alone."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Terminal UI for a Kubernetes cluster's week-1 essential components. "
                    "Without a subcommand it starts the TUI.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    add_global_options(parser, suppress=False)
    common = argparse.ArgumentParser(add_help=False)
    add_global_options(common, suppress=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands = command_table()
    wanted = None if argv is None else named_command(argv, list(commands))
    for name, command in commands.items():
        p = sub.add_parser(name, help=command.help,
                           description=command.description or command.help, parents=[common])
        if argv is None or name == wanted:
            module = command.load()
            module.add_arguments(p)
            p.set_defaults(_run=module.run)
    return parser


#: the exit status under ``| head``: what kubectl (a Go binary killed by SIGPIPE) and grep
#: give, 128 + SIGPIPE, so ``set -o pipefail`` scripts see the reader stopped early
EXIT_BROKEN_PIPE = 141
#: set to 1 to get the Python traceback of an unexpected error on stderr (bug reports)
TRACEBACK_ENV = "K8S_ESSENTIALS_TRACEBACK"


def starts_tui(argv: Sequence[str]) -> bool:
    """Whether ``argv`` starts the TUI (no command, no ``--help``/``--version``): decided
    before the parser is built, so the splash shows before the plugins are imported."""
    skip = False
    for token in argv:
        if skip:
            skip = False
        elif token in _VALUE_OPTIONS:
            skip = True
        elif token in ("-h", "--help", "--version", "--") or not token.startswith("-"):
            return False
    return True


def main(argv: Sequence[str] | None = None) -> int:
    from .gcpolicy import tune

    tune()  # before any cache or list is decoded (see gcpolicy for why)
    args_list = list(sys.argv[1:] if argv is None else argv)
    splash = False
    if starts_tui(args_list):
        from .splash import show_splash

        splash = show_splash(sys.stdout, __version__)  # before plugins and Textual load
    try:
        parser = build_parser(args_list)
        args = parser.parse_args(args_list)
    except BaseException:  # a usage error (SystemExit 2) prints on the normal screen
        _hide_splash(splash)
        raise
    try:
        if getattr(args, "_run", None) is None:
            return _run_tui(args, splash)
        code = int(_call(args._run, args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
        return code
    except EssentialsError as exc:
        _error_line(str(exc))
        return 2
    except KeyboardInterrupt:
        _error_line("interrupted", prefix="")
        return 130
    except BrokenPipeError:
        return _broken_pipe()
    except Exception as exc:  # the crash boundary of headless commands
        return _unexpected(exc)


def _call(run: Any, args: argparse.Namespace) -> Any:
    """A command's ``run``: awaited in a fresh event loop when it is ``async``."""
    if inspect.iscoroutinefunction(run):
        return asyncio.run(run(args))
    return run(args)


def _error_line(message: str, prefix: str = "error: ") -> None:
    """One line on stderr, its text made safe (an error can quote cluster data)."""
    from .text import clean

    try:
        print(f"{PROG}: {prefix}{clean(message)}", file=sys.stderr)
    except (BrokenPipeError, OSError):
        pass


def _broken_pipe() -> int:
    """The reader went away (``| head``): stop quietly. stdout is pointed at /dev/null so
    the interpreter's final flush of the unwritten buffer does not print "Exception ignored
    ... BrokenPipeError" on the way out."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout already closed or not a real file
        pass
    return EXIT_BROKEN_PIPE


def _unexpected(exc: BaseException) -> int:
    """A bug (or data no model expected): one line and exit 2, never a traceback with
    data in it; ``K8S_ESSENTIALS_TRACEBACK=1`` prints the traceback for a bug report."""
    if os.environ.get(TRACEBACK_ENV):
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    detail = str(exc).splitlines()[0][:200] if str(exc) else ""
    _error_line(f"internal error: {type(exc).__name__}" + (f": {detail}" if detail else "")
                + f" (a bug; {TRACEBACK_ENV}=1 shows the traceback)")
    return 2


def _setup_log_file() -> None:
    """The TUI owns the terminal, so diagnostics go to ``<state dir>/app.log`` (request
    lines and payloads are never logged: httpx is kept at WARNING)."""
    import logging

    from .settings import private_file, state_dir

    try:
        path = private_file(state_dir() / "app.log")  # 0600 in a 0700 dir
        logging.basicConfig(filename=path, level=logging.INFO,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    except OSError:
        logging.basicConfig(handlers=[logging.NullHandler()])
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


def _hide_splash(shown: bool) -> None:
    if shown:
        from .splash import hide_splash

        hide_splash(sys.stdout)


def _run_tui(args: argparse.Namespace, splash: bool = False) -> int:
    try:
        from .app import EssentialsApp, StartOptions

        _setup_log_file()

        options = StartOptions.from_args(args)
        app = EssentialsApp(options)
    except BaseException:
        _hide_splash(splash)  # the error line must land on the normal screen
        raise
    app.run()
    return int(app.return_code or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
