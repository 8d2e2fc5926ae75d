"""``report``: the essentials board, headless -- for runbooks, cron and CI."""

from __future__ import annotations

import argparse
from typing import Any

from ..errors import ForbiddenError
from ..evaluate import evaluate, health_label, report_json, report_markdown, state_label
from ..kube.session import ClusterSession
from ..registry import load_registry
from ..snapshot_builder import build_snapshot, client_lister
from ._common import add_output, print_json, run_async, table, with_session

NAME = "report"
HELP = "report which essential components are installed and healthy"
DESCRIPTION = ("Detect every week-1 component in the cluster. Exit 0 even when components "
               "are missing; 2 when the cluster cannot be reached.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_output(parser, "text", "json", "markdown")


def run(args: argparse.Namespace) -> int:
    reg = load_registry()
    plugins = reg.ordered()

    async def body(session: ClusterSession) -> tuple[Any, Any]:
        # discovery first, outside the snapshot: it is the reachability check (no
        # /version probe), so an unreachable or refusing cluster exits 2 right here
        try:
            disc = await session.discovery()
            denied: ForbiddenError | None = None
        except ForbiddenError as exc:
            denied = exc

        async def groups() -> tuple[set[str], set[tuple[str, str]]]:
            if denied is not None:
                raise denied
            return set(disc.groups), set(disc.resources)

        from ..helm_summary import summarize_releases as decode_helm_releases

        snap = await build_snapshot(plugins, client_lister(session.client), groups,
                                    decode_helm_releases)
        return snap, evaluate(plugins, snap)

    snapshot, detections = run_async(lambda: with_session(args, body, check=False))
    if args.output == "json":
        print_json(report_json(plugins, detections, snapshot))
    elif args.output == "markdown":
        print(report_markdown(plugins, detections, snapshot), end="")
    else:
        data = report_json(plugins, detections, snapshot)
        rows = []
        for p in plugins:
            det = detections[p.id]
            rows.append([p.category, p.id, state_label(det), det.namespace or "",
                         det.version or "", health_label(det), "; ".join(det.problems)])
        print(f"{data['areas_covered']} of {data['areas_total']} areas covered")
        print(table(rows, ["AREA", "COMPONENT", "STATE", "NAMESPACE", "VERSION", "HEALTH",
                           "PROBLEMS"]))
        for note in data["notes"]:
            print(f"note: {note}")
    return 0
