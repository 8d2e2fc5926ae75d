"""``releases``: list Helm releases of every namespace (or -n NS), decoded natively from the
release Secrets -- no helm binary needed. ``-o json`` prints ``helm list -o json``'s fields."""

from __future__ import annotations

import argparse

from ..errors import EssentialsError
from ..helm.operations import fetch_releases
from ..helm.release import latest
from ..kube.session import ClusterSession
from ._common import add_output, emit, fail, print_json, run_async, table, with_session


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-A", "--all-namespaces", action="store_true", default=False,
                        help="all namespaces, as `helm list -A` (the default unless "
                             "--namespace is given)")
    add_output(parser)


def run(args: argparse.Namespace) -> int:
    if args.all_namespaces and getattr(args, "namespace", None):
        return fail("--namespace and --all-namespaces are mutually exclusive")
    namespace = None if args.all_namespaces else (getattr(args, "namespace", None) or None)

    async def body(session: ClusterSession) -> int:
        rows = [r.list_row() for r in latest(await fetch_releases(session.client, namespace))]
        if args.output == "json":
            print_json(rows)
        else:
            print(table([[r["namespace"], r["name"], r["revision"], r["status"], r["chart"],
                          r["app_version"], str(r["updated"])[:19].replace("T", " ")]
                         for r in rows],
                        ["NAMESPACE", "NAME", "REVISION", "STATUS", "CHART", "APP VERSION",
                         "UPDATED"]))
            for r in rows:
                if r.get("error"):
                    emit(f"{r['namespace']}/{r['name']}: {r['error']}")
        return 0

    try:
        return run_async(lambda: with_session(args, body))
    except EssentialsError as exc:
        return fail(str(exc))
