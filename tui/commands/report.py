"""``report``: the essentials board, headless -- for runbooks, cron and CI."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..detection.evaluate import (
    FAIL_CONDITIONS,
    LIFECYCLE_CONDITIONS,
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
from ..lifecycle import LatestChart, LifecycleVerdict, lifecycle_failing, lifecycle_of
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
             "component), retired (an installed component is retired or end of life "
             "upstream), unsupported (its version is outside the published support "
             "window), outdated (a newer chart is out; implies --check-charts); repeat or "
             "comma-separate")
    parser.add_argument(
        "--check-charts", action="store_true", default=False,
        help="look up the newest chart of every installed component in its chart "
             "repository (index.yaml or OCI tags; cached a day in the state dir; an "
             "unreachable repository is 'unknown', never an error). Without it only the "
             "cache is read")


def report_text(plugins: list[Plugin], detections: dict[str, Detection],
                snapshot: ClusterSnapshot,
                lifecycle: dict[str, LifecycleVerdict] | None = None) -> list[str]:
    """``report -o text``: the lines to print, every one cleaned of control characters
    (component problems and notes quote cluster strings), the table aligned by cells."""
    plugins = [p for p in plugins if p.board]  # the views (board=False) have no row
    data = report_json(plugins, detections, snapshot)
    labels = lifecycle_labels(plugins, detections, lifecycle or {})
    rows = []
    for p in plugins:
        det = detections[p.id]
        rows.append([p.category, p.id, state_label(det), det.namespace or "",
                     det.version or "", health_label(det), labels.get(p.id, ""),
                     "; ".join(det.problems)])
    return [clean(f"{data['areas_covered']} of {data['areas_total']} areas covered"),
            *table(rows, ["AREA", "COMPONENT", "STATE", "NAMESPACE", "VERSION", "HEALTH",
                          "LIFECYCLE", "PROBLEMS"]).split("\n"),
            *(clean(f"problem: {problem}") for problem in data["cluster_problems"]),
            *(clean(f"note: {note}") for note in data["notes"])]


def run(args: argparse.Namespace) -> int:
    reg = load_registry()
    plugins = reg.components()  # the views (board=False) are not components

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
    check = args.check_charts or "outdated" in args.fail_on
    latest = run_async(lambda: installed_latest(plugins, detections, args, fetch=check))
    verdicts = {p.id: lifecycle_of(p, detections[p.id], latest.get(p.id)) for p in plugins}
    if args.output == "json":
        data = report_json(plugins, detections, snapshot)
        for component in data["components"]:
            component["lifecycle"] = verdicts[component["id"]].as_json(
                looked_up=component["id"] in latest)
            component["provided_by"] = detections[component["id"]].details.get(
                "provided_by")
        print_json(data)
    elif args.output == "markdown":
        print(report_markdown(plugins, detections, snapshot,
                              lifecycle_labels(plugins, detections, verdicts)), end="")
    else:
        for line in report_text(plugins, detections, snapshot, verdicts):
            print(line)
    asked = dict.fromkeys(args.fail_on)
    found = failing(plugins, detections, asked, snapshot)
    found |= lifecycle_failing(
        verdicts, {p.id: detections[p.id].installed is not False for p in plugins},
        [c for c in asked if c in LIFECYCLE_CONDITIONS])
    for cond, hits in found.items():
        emit(f"k8s-essentials-tui: report: {cond}: {', '.join(hits)}", file=sys.stderr)
    return EXIT_FOUND if found else EXIT_OK


def lifecycle_labels(plugins: list[Plugin], detections: dict[str, Detection],
                     verdicts: dict[str, LifecycleVerdict]) -> dict[str, str]:
    """The LIFECYCLE column: a retired component is named even when missing (so nobody
    installs it); a version verdict only for what is installed."""
    out: dict[str, str] = {}
    for p in plugins:
        v = verdicts.get(p.id)
        if v is None:
            continue
        installed = detections[p.id].installed is not False
        if installed or v.verdict in ("retired", "eol"):
            out[p.id] = v.summary
    return out


async def installed_latest(plugins: list[Plugin], detections: dict[str, Detection],
                           args: argparse.Namespace, *, fetch: bool) -> dict[str, LatestChart]:
    """Newest chart of every installed component with a chart: looked up when ``fetch``
    (``--check-charts``), else only what the day-old cache knows."""
    from ..chart_latest import cached, latest_charts
    from ..helm.chart import ChartSpec

    specs = {p.id: ChartSpec.for_plugin(p, settings_for(args).charts) for p in plugins
             if p.chart is not None and detections[p.id].installed is not False}
    if fetch:
        return await latest_charts(specs)
    return {cid: hit for cid, spec in specs.items() if (hit := cached(spec)) is not None}
