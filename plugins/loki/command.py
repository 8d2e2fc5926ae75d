"""``loki QUERY``: run a LogQL query headless and print the lines (or the metric series).

Reaches Loki like the pane does: ``--loki-url``/``loki.url`` directly, else the discovered
Loki query service through the apiserver's service proxy. Loki's own error text (e.g. a
LogQL parse error) is printed on stderr with exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any

from k8s_essentials_tui.api import (
    EXIT_OK,
    ConfigError,
    add_output,
    clean,
    fail,
    positive_int,
    positive_seconds,
    print_json,
    settings_for,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("query", metavar="QUERY",
                        help='LogQL, e.g. \'{namespace="shop"} |= "error"\'')
    parser.add_argument("--since", default=None, metavar="DUR",
                        help="relative range ending now: 5m, 1h, 24h (default: 1h)")
    parser.add_argument("--from", dest="start", default=None, metavar="T",
                        help="absolute start: RFC3339, 'YYYY-MM-DD HH:MM' (UTC), Unix s or now-2h")
    parser.add_argument("--to", dest="end", default=None, metavar="T",
                        help="absolute end (default: now)")
    parser.add_argument("--limit", type=positive_int, default=100, metavar="N",
                        help="maximum lines (default: %(default)s)")
    parser.add_argument("--direction", choices=("backward", "forward"), default="backward",
                        help="newest first (backward, default) or oldest first")
    parser.add_argument("--loki-url", default=None, metavar="URL",
                        help="query this Loki URL directly instead of through the apiserver")
    parser.add_argument("--timeout", type=positive_seconds, default=30.0, metavar="S",
                        help="request timeout in seconds (default: %(default)s)")
    add_output(parser)


def _range(args: argparse.Namespace, now: datetime) -> tuple[datetime, datetime]:
    from .logql import parse_duration, parse_time

    if args.since and (args.start or args.end):
        raise ConfigError("use either --since or --from/--to, not both")
    try:
        if args.start or args.end:
            if not args.start:
                raise ValueError("--to needs --from")
            start = parse_time(args.start, now)
            end = parse_time(args.end, now) if args.end else now
        else:
            start, end = now - parse_duration(args.since or "1h"), now
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    except OverflowError:  # a valid duration reaching back before year 1
        raise ConfigError(f"--since {args.since}: reaches back before year 1") from None
    if start >= end:
        raise ConfigError("the start of the range must be before its end")
    return start, end


async def run(args: argparse.Namespace) -> int:
    from k8s_essentials_tui.api import EssentialsError

    if args.limit <= 0:
        return fail("--limit must be positive")
    try:
        start, end = _range(args, datetime.now(UTC))
        settings = settings_for(args)
        result = await _query(args, settings, start, end)
    except EssentialsError as exc:
        return fail(str(exc))
    if args.output == "json":
        print_json(result.as_json())
        return EXIT_OK
    out = sys.stdout
    # one output line per entry: a log line's own newline or ESC is shown, not obeyed
    if result.kind == "streams":
        for e in result.entries:
            out.write(clean(f"{_ts(e.time)} {_labels(e.labels)} {e.line}") + "\n")
    else:
        for s in result.series:
            for t, v in s.points:
                out.write(clean(f"{_ts(datetime.fromtimestamp(t, UTC))} {s.name} {_num(v)}")
                          + "\n")
    return EXIT_OK


async def _query(args: argparse.Namespace, settings: Any, start: datetime,
                 end: datetime) -> Any:
    from .client import connect, direct_from_settings
    from .logql import TimeRange, is_metric_query

    step = TimeRange(start, end).step() if is_metric_query(args.query) else None
    direct = direct_from_settings(settings, args.loki_url or "", args.timeout)
    if direct is not None:
        try:
            return await direct.query_range(args.query, start=start, end=end, limit=args.limit,
                                            direction=args.direction, step=step)
        finally:
            await direct.aclose()
    from k8s_essentials_tui.api import with_session

    async def body(session: Any) -> Any:
        prefer = [n for n in (getattr(args, "namespace", None), session.namespace) if n]
        client = await connect(session, settings, prefer_namespaces=prefer,
                               timeout=args.timeout)
        try:
            return await client.query_range(args.query, start=start, end=end,
                                            limit=args.limit, direction=args.direction,
                                            step=step)
        finally:
            await client.aclose()

    return await with_session(args, body)


def _ts(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _labels(labels: dict[str, str]) -> str:
    return "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"


def _num(v: float) -> str:
    return str(int(v)) if v == int(v) else f"{v:g}"
