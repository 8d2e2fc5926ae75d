"""``plugins``: list the registered plugins (built-in and entry points)."""

from __future__ import annotations

import argparse

from ..registry import load_registry
from ._common import add_output, emit, print_json, table

NAME = "plugins"
HELP = "list the registered plugins"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_output(parser)


def run(args: argparse.Namespace) -> int:
    reg = load_registry()
    rows = [
        {"id": p.id, "category": p.category, "title": p.title, "source": p.source}
        for p in reg.ordered()
    ]
    errors = [msg for _src, msg in reg.errors]
    if args.output == "json":
        print_json({"plugins": rows, "errors": errors})
    else:
        print(table([[r["id"], r["category"], r["title"], r["source"]] for r in rows],
                    ["ID", "CATEGORY", "TITLE", "SOURCE"]))
        for msg in errors:
            emit(f"broken plugin skipped: {msg}")
    return 0
