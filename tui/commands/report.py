"""``report``: the essentials board, headless -- for runbooks, cron and CI."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..detection.evaluate import (
    FAIL_CONDITIONS,
    evaluate,
    failing,
    health_label,
    report_json,
    report_markdown,
    state_label,
)
from ..detection.snapshot import ClusterSnapshot
from ..detection.snapshot_builder import build_snapshot, candidate_namespaces, client_lister
from ..errors import ForbiddenError
from ..kube.session import ClusterSession
from ..plugin import Detection, Plugin
from ..registry import load_registry
from ..text import clean
from ._common import (
    EXIT_FOUND,
    EXIT_OK,
    add_output,
    emit,
    print_json,
    run_async,
    settings_for,
    table,
    with_session,
)


def _conditions(value: str) -> list[str]:
    conds = [c.strip() for c in value.split(",") if c.strip()]
    bad = [c for c in conds if c not in FAIL_CONDITIONS]
    if bad or not conds:
        raise argparse.ArgumentTypeError(
            f"unknown condition {', '.join(bad) or value!r} (choose from "
            f"{', '.join(FAIL_CONDITIONS)})")
    return conds


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_output(parser, "text", "json", "markdown")
    parser.add_argument(
        "--fail-on", type=_conditions, action="extend", default=[], metavar="COND[,COND]",
        help="exit 1 when a condition holds, for cron/CI: unhealthy (an installed component "
             "is not healthy, or some other Fail webhook has no endpoint), unknown (its "
             "health cannot be judged, e.g. RBAC), missing (an area has no installed "
             "component); repeat or comma-separate")


def report_text(plugins: list[Plugin], detections: dict[str, Detection],
                snapshot: ClusterSnapshot) -> list[str]:
    """``report -o text``: the lines to print, every one cleaned of control characters
    (component problems and notes quote cluster strings), the table aligned by cells."""
    data = report_json(plugins, detections, snapshot)
    rows = []
    for p in plugins:
        det = detections[p.id]
        rows.append([p.category, p.id, state_label(det), det.namespace or "",
                     det.version or "", health_label(det), "; ".join(det.problems)])
    return [clean(f"{data['areas_covered']} of {data['areas_total']} areas covered"),
            *table(rows, ["AREA", "COMPONENT", "STATE", "NAMESPACE", "VERSION", "HEALTH",
                          "PROBLEMS"]).split("\n"),
            *(clean(f"problem: {problem}") for problem in data["cluster_problems"]),
            *(clean(f"note: {note}") for note in data["notes"])]


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

        from ..helm.summary import summarize_releases as decode_helm_releases

        namespaces = candidate_namespaces(plugins, settings_for(args).charts,
                                          [session.namespace])
        snap = await build_snapshot(plugins, client_lister(session.client), groups,
                                    decode_helm_releases, namespaces)
        return snap, evaluate(plugins, snap)

    snapshot, detections = run_async(lambda: with_session(args, body, check=False))
    if args.output == "json":
        print_json(report_json(plugins, detections, snapshot))
    elif args.output == "markdown":
        print(report_markdown(plugins, detections, snapshot), end="")
    else:
        for line in report_text(plugins, detections, snapshot):
            print(line)
    found = failing(plugins, detections, dict.fromkeys(args.fail_on), snapshot)
    for cond, hits in found.items():
        emit(f"k8s-essentials-tui: report: {cond}: {', '.join(hits)}", file=sys.stderr)
    return EXIT_FOUND if found else EXIT_OK
