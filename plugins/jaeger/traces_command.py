"""``traces --service S``: search Jaeger and print one row per trace.

Exit 0 with results (or none), 2 with Jaeger's error, 1 with ``--fail-on-errors`` when a
found trace holds an error span (a cron job or CI step can watch a service that way).
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta

from k8s_essentials_tui.api import (
    EXIT_FOUND,
    EXIT_OK,
    EssentialsError,
    add_output,
    emit,
    fail,
    positive_int,
    print_json,
    table,
)

from .headless import add_access_arguments, with_jaeger
from .model import format_duration, parse_duration, parse_tag_filter


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--service", required=True, metavar="S", help="service to search")
    parser.add_argument("--operation", default="", metavar="O", help="operation name")
    parser.add_argument("--tag", action="append", default=[], metavar="K=V",
                        help="span tag filter, repeatable (http.status_code=500, error=true)")
    parser.add_argument("--min-duration", default=None, metavar="DUR",
                        help="only traces at least this long: 500ms, 1.5s")
    parser.add_argument("--max-duration", default=None, metavar="DUR",
                        help="only traces at most this long")
    parser.add_argument("--since", default="1h", metavar="DUR",
                        help="how far back to look (default: %(default)s)")
    parser.add_argument("--limit", type=positive_int, default=20, metavar="N",
                        help="maximum traces (default: %(default)s)")
    parser.add_argument("--sort", choices=("start", "duration"), default="start",
                        help="newest first (start, default) or longest first")
    parser.add_argument("--fail-on-errors", action="store_true",
                        help="exit 1 when a found trace has an error span")
    add_access_arguments(parser)
    add_output(parser)


async def run(args: argparse.Namespace) -> int:
    from .client import SearchQuery

    try:
        since = timedelta(microseconds=parse_duration(args.since))
        tags = dict(parse_tag_filter(t) for t in args.tag)
        min_d = parse_duration(args.min_duration) if args.min_duration else None
        max_d = parse_duration(args.max_duration) if args.max_duration else None
    except ValueError as exc:
        return fail(str(exc))
    now = datetime.now(UTC)
    query = SearchQuery(args.service, args.operation, tags, min_d, max_d, now - since, now,
                        args.limit)
    try:
        result = await with_jaeger(args, lambda client: client.search(query))
    except EssentialsError as exc:
        return fail(str(exc))
    rows = sorted(result.summaries, key=lambda s: s.duration if args.sort == "duration"
                  else s.start, reverse=True)
    if args.output == "json":
        print_json({"traces": [s.as_json() for s in rows]})
    elif rows:
        emit(table([[s.time.strftime("%Y-%m-%d %H:%M:%S"), s.trace_id,
                     f"{s.root_service}: {s.root_operation}", format_duration(s.duration),
                     str(s.span_count), str(s.error_count), ", ".join(s.services)]
                    for s in rows],
                   ["START (UTC)", "TRACE ID", "ROOT", "DURATION", "SPANS", "ERRORS",
                    "SERVICES"]), multiline=True)
    else:
        emit(f"no traces of {query.describe()} in the last {args.since}")
    if args.fail_on_errors and any(s.error_count for s in rows):
        return EXIT_FOUND
    return EXIT_OK
