"""``certs``: every certificate of the cluster by expiry, headless -- for cron and CI.

Certificates (cert-manager.io/v1) and Secrets of type ``kubernetes.io/tls`` (listed with a
server-side field selector), deduplicated: a Secret managed by a Certificate is reported with
its Certificate. Exit 0 when none expires within ``--within`` days, 1 when some do, 2 when
anything could not be read (what could be read is still printed).
"""

from __future__ import annotations

import argparse
import math
import sys
from datetime import UTC, datetime
from typing import Any

from k8s_essentials_tui.api import (
    EXIT_ERROR,
    EXIT_FOUND,
    EXIT_OK,
    INGRESSES,
    SECRETS,
    ClusterError,
    ClusterSession,
    ForbiddenError,
    NotFoundError,
    add_output,
    days_short,
    emit,
    fail,
    print_json,
    table,
    with_session,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--within", type=within_days, default=30.0, metavar="DAYS",
                        help="report certificates expiring within DAYS (default: 30)")
    parser.add_argument("-A", "--all-namespaces", action="store_true", default=False,
                        help="all namespaces (the default unless --namespace is given)")
    add_output(parser)


async def collect(session: ClusterSession, namespace: str | None
                  ) -> tuple[list[dict[str, Any]], list[dict[str, Any]],
                             list[dict[str, Any]], list[str]]:
    """(certificates, tls secrets, ingresses, errors); a missing CRD is not an error."""
    certs, secrets, ingresses, errors, _unreadable = await collect_all(session, namespace)
    return certs, secrets, ingresses, errors


async def collect_all(session: ClusterSession, namespace: str | None
                      ) -> tuple[list[dict[str, Any]], list[dict[str, Any]],
                                 list[dict[str, Any]], list[str], str | None]:
    """:func:`collect` plus why the TLS Secrets could not be listed ("no permission"), or
    None: a forbidden list must not read as "the Secret does not exist"."""
    from . import CERTIFICATES

    errors: list[str] = []
    failed: dict[str, ClusterError] = {}

    async def lst(rtype: Any, field_selector: str | None = None) -> list[dict[str, Any]]:
        try:
            items, _rv = await session.client.list(rtype, namespace,
                                                   field_selector=field_selector)
            return items
        except NotFoundError:
            return []  # CRD not served: cert-manager not installed
        except ClusterError as exc:
            errors.append(str(exc))
            failed[rtype.qualified] = exc
            return []

    certs = await lst(CERTIFICATES)
    secrets = await lst(SECRETS, "type=kubernetes.io/tls")
    ingresses = await lst(INGRESSES)
    secret_error = failed.get(SECRETS.qualified)
    unreadable = None if secret_error is None else (
        "no permission" if isinstance(secret_error, ForbiddenError) else "list failed")
    return certs, secrets, ingresses, errors, unreadable


def within_days(text: str) -> float:
    """``--within``: a finite number of days, zero or more (``nan`` compared false with
    everything and let an expired certificate pass with exit 0)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of days: {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be a finite number of days, zero or more: "
                                         f"{text!r}")
    return value


async def run(args: argparse.Namespace) -> int:
    if args.within < 0:
        return fail("--within must be zero or more days")
    if args.all_namespaces and getattr(args, "namespace", None):
        return fail("--namespace and --all-namespaces are mutually exclusive")
    namespace = None if args.all_namespaces else (getattr(args, "namespace", None) or None)

    async def body(session: ClusterSession) -> Any:
        return await collect_all(session, namespace)

    certs, secrets, ingresses, errors, unreadable = await with_session(args, body)
    from .model import build_rows, row_json

    now = datetime.now(UTC)
    rows = build_rows(certs, secrets, ingresses, secrets_unreadable=unreadable)
    records = [row_json(r, now) for r in rows]
    expiring = [r for r in records
                if r["days_left"] is not None and r["days_left"] <= args.within]
    if args.output == "json":
        print_json({"within_days": args.within,
                    "now": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "expiring": len(expiring), "errors": errors, "items": records})
    else:
        print(table([_text_row(r, row.days_left(now)) for r, row in zip(records, rows,
                                                                        strict=True)],
                    ["NAMESPACE", "NAME", "KIND", "NOT AFTER", "DAYS", "READY", "ISSUER",
                     "DNS NAMES", "PROBLEMS"]))
        emit(f"{len(expiring)} of {len(records)} expire within {args.within:g} days")
    for message in errors:
        emit(f"k8s-essentials-tui: error: {message}", file=sys.stderr)
    if errors:
        return EXIT_ERROR
    return EXIT_FOUND if expiring else EXIT_OK


def _text_row(r: dict[str, Any], days_left: float | None) -> list[str]:
    days = days_short(days_left)  # the TUI's rounding (from the exact value): 2.97 is 2d
    ready = {True: "True", False: "False", None: "-"}[r["ready"]]
    return [r["namespace"], r["name"], r["kind"], r["not_after"] or "-", days, ready,
            r["issuer"] or "-", ",".join(r["dns_names"]) or "-", "; ".join(r["problems"])]
