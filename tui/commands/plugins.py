"""``plugins``: list the registered plugins (built-in and entry points)."""

from __future__ import annotations

import argparse
from typing import Any

from ..registry import Registry, load_registry
from ..settings import type_phrase
from ._common import add_output, emit, print_json, table


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--settings", action="store_true",
                        help="list every plugin's config.toml keys (type, default, help) "
                             "instead of the plugins")
    add_output(parser)


def run(args: argparse.Namespace) -> int:
    reg = load_registry()
    if args.settings:
        return _settings(reg) if args.output == "text" else _settings_json(reg)
    rows: list[dict[str, Any]] = [
        {"id": p.id, "category": p.category, "title": p.title, "source": p.source,
         "commands": [c.name for c in p.commands],
         "settings_table": p.table if p.settings else None,
         # False: a view with no board row (not counted by the board and ``report``)
         "board": p.board}
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


def _setting_rows(reg: Registry) -> list[dict[str, Any]]:
    return [{"plugin": p.id, "key": f"{p.table}.{s.key}", "type": type_phrase(s.type),
             "default": s.default, "help": s.help}
            for p in reg.ordered() for s in p.settings]


def _settings(reg: Registry) -> int:
    print(table([[r["key"], r["type"], repr(r["default"]), r["help"]]
                 for r in _setting_rows(reg)], ["KEY", "TYPE", "DEFAULT", "HELP"]))
    return 0


def _settings_json(reg: Registry) -> int:
    print_json({"settings": _setting_rows(reg)})
    return 0
