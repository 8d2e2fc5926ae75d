"""``alerts``: what fires, from Alertmanager, grouped as the pane groups it.

Exit codes make it a check for scripts and cron: 1 when a matching alert fires (active: not
silenced, not inhibited), 0 when none does, 2 on errors (one line on stderr).
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from k8s_essentials_tui.api import (
    EXIT_FOUND,
    EXIT_OK,
    EssentialsError,
    add_output,
    emit,
    fail,
    positive_seconds,
    print_json,
    table,
)

from .client import ALERTMANAGER
from .headless import with_client
from .model import Alert, filter_alerts, group_alerts


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--severity", default="", metavar="S",
                        help="only alerts with this severity label (critical, warning, ...)")
    parser.add_argument("--active-only", action="store_true",
                        help="leave out silenced and inhibited alerts")
    parser.add_argument("--alertmanager-url", default=None, metavar="URL",
                        help="query this Alertmanager directly instead of through the apiserver")
    parser.add_argument("--timeout", type=positive_seconds, default=30.0, metavar="S",
                        help="request timeout in seconds (default: %(default)s)")
    add_output(parser)


async def run(args: argparse.Namespace) -> int:
    async def fetch(client: Any, _session: Any) -> list[Alert]:
        alerts: list[Alert] = await client.alerts()
        return alerts

    try:
        alerts = await with_client(args, ALERTMANAGER, args.alertmanager_url or "", fetch)
    except EssentialsError as exc:
        return fail(str(exc))
    chosen = filter_alerts(alerts, severity=args.severity,
                           namespace=getattr(args, "namespace", None) or "",
                           include_suppressed=not args.active_only)
    firing = any(a.status == "firing" for a in chosen)
    if args.output == "json":
        print_json({"firing": firing, "groups": [
            {"alertname": g.name, "severity": g.severity, "namespace": g.namespace,
             "status": g.status, "alerts": [a.as_json() for a in g.alerts]}
            for g in group_alerts(chosen)]})
    elif chosen:
        now = datetime.now(UTC)
        rows = [[g.status.upper(), g.severity or "-", g.name, g.namespace or "-",
                 str(len(g.alerts)), _age(g.since, now),
                 g.alerts[0].summary] for g in group_alerts(chosen)]
        # table() cleans every cell itself: its own newlines separate rows
        emit(table(rows, ["STATUS", "SEVERITY", "ALERTNAME", "NAMESPACE", "COUNT", "SINCE",
                          "SUMMARY"]), multiline=True)
    else:
        emit("no alerts")
    return EXIT_FOUND if firing else EXIT_OK


def _age(since: datetime | None, now: datetime) -> str:
    if since is None:
        return "-"
    seconds = max(0, int((now - since).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
