"""``k8s-essentials-tui notes``: the example plugin's headless command.

Imported only when argv names it. It connects with the global options the CLI already parsed
(``--kubeconfig``, ``--context``, ``-n``), lists the note ConfigMaps once and prints them
through the text boundary (``table``/``print_json``), cut to the ``[notes] max_length``
setting. Exit 0 when it listed, 2 (one line on stderr) when the cluster said no.
"""

from __future__ import annotations

import argparse
from typing import Any

from k8s_essentials_tui.api import (
    CONFIGMAPS,
    EXIT_OK,
    ClusterSession,
    EssentialsError,
    add_output,
    clean,
    fail,
    fit,
    print_json,
    settings_for,
    table,
    with_session,
)

from . import NOTE_LABEL


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-A", "--all-namespaces", action="store_true",
                        help="notes of every namespace (default: the context's namespace)")
    add_output(parser)


async def run(args: argparse.Namespace) -> int:
    max_length = int(settings_for(args).get("notes.max_length", 60))

    async def body(session: ClusterSession) -> list[dict[str, Any]]:
        namespace = None if args.all_namespaces else session.namespace
        items, _rv = await session.client.list(CONFIGMAPS, namespace,
                                               label_selector=NOTE_LABEL)
        return items

    try:
        items = await with_session(args, body)
    except EssentialsError as exc:
        return fail(str(exc))
    rows = [{"namespace": (o.get("metadata") or {}).get("namespace", ""),
             "name": (o.get("metadata") or {}).get("name", ""),
             "text": fit(clean(str((o.get("data") or {}).get("text", ""))), max_length,
                         pad=False)}
            for o in items]
    if args.output == "json":
        print_json({"notes": rows})
    else:
        print(table([[r["namespace"], r["name"], r["text"]] for r in rows],
                    ["NAMESPACE", "NAME", "TEXT"]))
    return EXIT_OK
