"""``exposure``: one row per exposed host, headless -- for CI and for "why is this 503".

``exposure [-n NS | -A] [--resolve [--nameserver HOST[:PORT]]] [--probe] [-o text|json]``.
Exit 0 when every host is fine, 1 when a host has a problem, 2 when something could not be
read (what could be read is still printed). DNS lookups and TLS probes are bounded by
timeouts and concurrency limits, so the command never hangs on a black-holed address.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from k8s_essentials_tui.api import (
    EXIT_ERROR,
    EXIT_FOUND,
    EXIT_OK,
    ClusterSession,
    EssentialsError,
    add_output,
    emit,
    fail,
    positive_seconds,
    print_json,
    settings_for,
    table,
    with_session,
)

from .model import COLUMNS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-A", "--all-namespaces", action="store_true", default=False,
                        help="all namespaces (the default unless --namespace is given)")
    parser.add_argument("--resolve", action="store_true",
                        help="resolve each host and compare with the load balancer address")
    parser.add_argument("--nameserver", metavar="HOST[:PORT]", default=None,
                        help="DNS server for --resolve (default: [exposure] nameserver, "
                             "else the system's resolver)")
    parser.add_argument("--probe", action="store_true",
                        help="TLS handshake with SNI to each TLS host's address; compare the "
                             "served certificate with the Secret's")
    parser.add_argument("--timeout", type=positive_seconds, default=None, metavar="SECONDS",
                        help="per DNS lookup and per probe (default: the [exposure] "
                             "dns_timeout / probe_timeout settings)")
    add_output(parser)


def _setting(args: argparse.Namespace, key: str, default: object) -> object:
    try:
        return settings_for(args).get(f"exposure.{key}", default)
    except EssentialsError:
        return default


def _seconds(args: argparse.Namespace, key: str, default: float) -> float:
    """``--timeout``, else the setting (validated as a number by the config loader)."""
    if args.timeout:
        return float(args.timeout)
    value = _setting(args, key, default)
    return float(value) if isinstance(value, int | float) and value > 0 else default


async def run(args: argparse.Namespace) -> int:
    if args.all_namespaces and getattr(args, "namespace", None):
        return fail("--namespace and --all-namespaces are mutually exclusive")
    if args.nameserver is not None and not args.resolve:
        return fail("--nameserver needs --resolve")
    try:
        return await with_session(args, lambda s: _run(s, args))
    except EssentialsError as exc:
        return fail(str(exc))


async def _run(session: ClusterSession, args: argparse.Namespace) -> int:
    from . import model
    from .collect import collect

    namespace = None if args.all_namespaces else getattr(args, "namespace", None)
    inputs, errors = await collect(session, namespace)
    rows = model.build(inputs)
    nameserver = ""
    if args.resolve:
        from .resolve import Resolver

        nameserver = args.nameserver if args.nameserver is not None else \
            str(_setting(args, "nameserver", "") or "")
        dns_timeout = _seconds(args, "dns_timeout", 2.0)
        try:
            resolver = Resolver(nameserver, timeout=dns_timeout)
        except ValueError as exc:
            return fail(str(exc))
        answers = await resolver.lookup_all(r.host for r in rows)
        rows = model.with_dns(rows, answers)
    if args.probe:
        from .probe import probe_rows

        probe_timeout = _seconds(args, "probe_timeout", 3.0)
        results = await probe_rows(model.probe_targets(rows), timeout=probe_timeout)
        rows = model.with_probe(rows, results)
    now = datetime.now(UTC)
    if args.output == "json":
        print_json({"namespace": namespace,
                    "nameserver": (nameserver or "system") if args.resolve else None,
                    "hosts": [r.as_json(now) for r in rows], "errors": errors})
    else:
        if rows:
            print(table([[r.cells(now)[c] for c in COLUMNS] for r in rows], list(COLUMNS)))
        else:
            emit("no exposed hosts" + (f" in {namespace}" if namespace else ""))
        for r in rows:
            for problem in r.problems:
                emit(f"{r.host}: {problem}")
    for error in errors:  # also with -o json: stdout stays one JSON document
        emit(f"k8s-essentials-tui: error: {error}", file=sys.stderr)
    if errors:
        return EXIT_ERROR
    return EXIT_FOUND if any(r.problems for r in rows) else EXIT_OK
