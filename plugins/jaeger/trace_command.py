"""``trace ID``: one trace as a plain-text waterfall (or JSON with every span).

Text: a header (id, start, duration, spans, errors, services) and one line per span:
``!`` an error span, ``*`` a span on the critical path, indentation for the tree, a bar
scaled to the trace and the duration. Exit 2 with Jaeger's message ("trace not found").
"""

from __future__ import annotations

import argparse

from k8s_essentials_tui.api import EXIT_OK, EssentialsError, add_output, emit, fail, print_json

from .headless import add_access_arguments, with_jaeger


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("trace_id", metavar="ID", help="trace id (hex, as Jaeger shows it)")
    parser.add_argument("--width", type=int, default=100, metavar="N",
                        help="text width of the waterfall (default: %(default)s)")
    add_access_arguments(parser)
    add_output(parser)


async def run(args: argparse.Namespace) -> int:
    from .model import trace_json
    from .waterfall import text_lines

    tid = args.trace_id.strip()
    if not tid:
        return fail("the trace id is empty")
    try:
        trace = await with_jaeger(args, lambda client: client.trace(tid))
    except EssentialsError as exc:
        return fail(str(exc))
    if args.output == "json":
        print_json(trace_json(trace))
        return EXIT_OK
    for line in text_lines(trace, max(args.width, 40)):
        emit(line)
    return EXIT_OK
