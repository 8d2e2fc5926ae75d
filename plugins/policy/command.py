"""``policy``: what every policy engine enforces and what fails; ``policy check FILE...``:
would the cluster admit these objects?

``policy [-n NS | -A] [-o text|json] [--fail-on fail,warn]`` prints one line per policy
(Kyverno, Gatekeeper, ValidatingAdmissionPolicy) and the failing results from the reports
and Gatekeeper's constraint status. Exit 0, or 1 when ``--fail-on`` names an outcome that
occurs, 2 on errors.

``policy check FILE...`` dry-runs each object server-side (see ``admission.py``): exit 0
every object admitted, 1 at least one denied, 2 errors (an unreadable file, an unknown
kind, RBAC, a connection failure). ``-`` reads standard input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from k8s_essentials_tui.api import (
    EXIT_FOUND,
    EXIT_OK,
    ClusterSession,
    EssentialsError,
    add_global_options,
    add_output,
    emit,
    fail,
    print_json,
    table,
    with_session,
)

FAIL_ON = ("fail", "warn")


def _fail_on(text: str) -> tuple[str, ...]:
    values = tuple(v.strip() for v in text.split(",") if v.strip())
    bad = [v for v in values if v not in FAIL_ON]
    if bad or not values:
        raise argparse.ArgumentTypeError(
            f"expected a comma-separated list of {', '.join(FAIL_ON)}: {text!r}")
    return values


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-A", "--all-namespaces", action="store_true", default=False,
                        help="all namespaces (the default unless --namespace is given)")
    parser.add_argument("--fail-on", type=_fail_on, default=(), metavar="fail,warn",
                        help="exit 1 when a result of this outcome is found (fail includes "
                             "error)")
    add_output(parser)
    common = argparse.ArgumentParser(add_help=False)
    add_global_options(common, suppress=True)
    sub = parser.add_subparsers(dest="policy_command", metavar="ACTION", required=False)
    check = sub.add_parser(
        "check", parents=[common], help="would these objects be admitted? (server dry-run)",
        description="Send each object of the files as a server-side dry-run apply: the "
                    "apiserver runs its admission webhooks and ValidatingAdmissionPolicies "
                    "and persists nothing. Exit 0 admitted, 1 denied, 2 errors.")
    check.add_argument("files", nargs="+", metavar="FILE",
                       help="YAML or JSON manifests ('-' for standard input)")
    add_output(check)


async def run(args: argparse.Namespace) -> int:
    try:
        if getattr(args, "policy_command", None) == "check":
            return await _check(args)
        return await _summary(args)
    except EssentialsError as exc:
        return fail(str(exc))


# -- policy ---------------------------------------------------------------------------------


async def _summary(args: argparse.Namespace) -> int:
    from . import model
    from .read import read_sources

    if args.all_namespaces and getattr(args, "namespace", None):
        return fail("--namespace and --all-namespaces are mutually exclusive")
    namespace = None if args.all_namespaces else (getattr(args, "namespace", None) or None)

    async def body(session: ClusterSession) -> model.Sources:
        return await read_sources(session, namespace)

    src = await with_session(args, body)
    inv = model.inventory(src, namespace)
    failing = [r for r in inv.results if r.result in ("fail", "error")]
    warning = [r for r in inv.results if r.result == "warn"]
    if args.output == "json":
        print_json({"namespace": namespace, "policies": [p.as_json() for p in inv.policies],
                    "results": [r.as_json() for r in inv.results],
                    "exemptions": [{"engine": e.engine, "source": e.source, "text": e.text}
                                   for e in inv.exemptions],
                    "notes": inv.notes})
    else:
        _print_text(inv)
    for note in inv.notes:
        emit(f"note: {note}", file=sys.stderr)
    found = ("fail" in args.fail_on and failing) or ("warn" in args.fail_on and warning)
    if found:
        emit(f"policy: {len(failing)} failing and {len(warning)} warning result(s)",
             file=sys.stderr)
        return EXIT_FOUND
    return EXIT_OK


def _print_text(inv: object) -> None:
    from . import model

    assert isinstance(inv, model.PolicyInventory)
    if not inv.policies:
        emit("no policies (Kyverno, Gatekeeper or ValidatingAdmissionPolicy) found")
    else:
        print(table([[p.engine, p.kind, p.ref, p.mode, str(p.rules), _yn(p.background),
                      _yn(p.ready), str(p.fail), str(p.warn), p.last_audit or "-",
                      "; ".join(p.notes + p.problems) or "-"] for p in inv.policies],
                    ["ENGINE", "KIND", "NAME", "MODE", "RULES", "BACKGROUND", "READY",
                     "FAIL", "WARN", "LAST AUDIT", "NOTES"]))
    if inv.results:
        emit("")
        print(table([[r.result, r.severity or "-", r.policy, r.rule or "-", r.resource,
                      r.message] for r in inv.results],
                    ["RESULT", "SEVERITY", "POLICY", "RULE", "RESOURCE", "MESSAGE"]))
    for e in inv.exemptions:
        emit(f"exemption ({e.engine}, {e.source}): {e.text}")


def _yn(value: bool | None) -> str:
    return {True: "yes", False: "no", None: "-"}[value]


# -- policy check ---------------------------------------------------------------------------


def _read(name: str) -> str:
    if name == "-":
        return sys.stdin.read()
    return Path(name).read_text(encoding="utf-8")


async def _check(args: argparse.Namespace) -> int:
    from .admission import ADMITTED, DENIED, ERROR, check_manifests, exit_code, load_manifests

    objs = []
    problems: list[str] = []
    for name in args.files:
        try:
            text = _read(name)
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{name}: {exc}")
            continue
        found, bad = load_manifests(text, name)
        objs.extend(found)
        problems.extend(bad)
    if not objs and not problems:
        problems.append("no objects in the given files")

    async def body(session: ClusterSession) -> list:
        return await check_manifests(session.client, objs,
                                     session.namespace or "default")

    results = await with_session(args, body) if objs else []
    code = exit_code(results, problems)
    if args.output == "json":
        print_json({"results": [r.as_json() for r in results], "problems": problems,
                    "admitted": all(r.verdict == ADMITTED for r in results) and not problems})
    else:
        for r in results:
            emit(f"{r.ref}: {r.verdict}" + (f": {r.message}" if r.message else ""))
            for w in r.warnings:
                emit(f"{r.ref}: warning: {w}")
        counts = {v: sum(1 for r in results if r.verdict == v)
                  for v in (ADMITTED, DENIED, ERROR)}
        emit(f"{len(results)} object(s): {counts[ADMITTED]} admitted, {counts[DENIED]} "
             f"denied, {counts[ERROR]} error(s)")
    for p in problems:
        emit(f"k8s-essentials-tui: error: {p}", file=sys.stderr)
    return code
