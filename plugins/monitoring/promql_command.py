"""``promql QUERY``: an instant query, or a range query with ``--range`` (and ``--step``).

Prometheus's own error text (``1:5: parse error: …``) is printed on stderr with exit 2.
Text output: one line per sample, ``series value`` (instant) or ``time series value``
(range); JSON: ``{"resultType", "series": [{"metric", "values": [[t, "v"]]}]}``.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from k8s_essentials_tui.api import (
    EXIT_OK,
    EssentialsError,
    add_output,
    emit,
    fail,
    positive_seconds,
    print_json,
)

from .client import PROMETHEUS
from .headless import with_client
from .model import QueryResult, format_value
from .promql import auto_step, check_range, parse_duration


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("query", metavar="QUERY", help="PromQL, e.g. 'sum by (job) (up)'")
    parser.add_argument("--range", dest="range_", default=None, metavar="DUR",
                        help="a range query over the last DUR (5m, 1h, 24h)")
    parser.add_argument("--step", default=None, metavar="DUR",
                        help="range query resolution (default: about 240 points)")
    parser.add_argument("--prometheus-url", default=None, metavar="URL",
                        help="query this Prometheus directly instead of through the apiserver")
    parser.add_argument("--timeout", type=positive_seconds, default=30.0, metavar="S",
                        help="request timeout in seconds (default: %(default)s)")
    add_output(parser)


async def run(args: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    try:
        if args.step and not args.range_:
            raise ValueError("--step needs --range")
        span = parse_duration(args.range_) if args.range_ else None
        step = (parse_duration(args.step).total_seconds() if args.step
                else auto_step(span) if span else 0.0)
        if span is not None:
            check_range(span, step)
    except ValueError as exc:
        return fail(str(exc))

    async def query(client: Any, _session: Any) -> QueryResult:
        if span is None:
            res: QueryResult = await client.query(args.query, time=now)
        else:
            res = await client.query_range(args.query, start=now - span, end=now, step=step)
        return res

    try:
        result = await with_client(args, PROMETHEUS, args.prometheus_url or "", query)
    except EssentialsError as exc:
        return fail(str(exc))
    if args.output == "json":
        print_json(result.as_json())
        return EXIT_OK
    for warning in result.warnings:
        emit(f"warning: {warning}")
    for s in result.series:
        name = s.name or "{}"
        if result.kind == "string":
            emit(s.metric.get("value", ""))
        elif result.kind == "matrix":
            for t, v in s.points:
                emit(f"{_ts(t)} {name} {format_value(v)}")
        else:
            for _t, v in s.points:
                emit(f"{name} {format_value(v)}")
    return EXIT_OK


def _ts(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
