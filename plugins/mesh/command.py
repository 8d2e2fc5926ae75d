"""``mesh``: service-mesh coverage, proxy skew and mTLS for cron jobs and CI.

``mesh [-n NS | -A] [-o text|json]`` reads each type once (fetch.py), builds the same report
the pane shows and exits 1 when a meshed namespace has pods without a proxy or proxies more
than one minor version behind their control plane (2 on errors).
"""

from __future__ import annotations

import argparse

from k8s_essentials_tui.api import (
    EXIT_FOUND,
    EXIT_OK,
    ClusterSession,
    EssentialsError,
    add_output,
    emit,
    fail,
    print_json,
    settings_for,
    table,
    with_session,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-A", "--all-namespaces", action="store_true",
                        help="every namespace (the default unless -n is given)")
    add_output(parser)


def root_namespace(args: argparse.Namespace) -> str:
    try:
        return str(settings_for(args).get("mesh.istio_root_namespace") or "istio-system")
    except EssentialsError:
        return "istio-system"


async def run(args: argparse.Namespace) -> int:
    try:
        return await with_session(args, lambda s: _report(s, args))
    except EssentialsError as exc:
        return fail(str(exc))


async def _report(session: ClusterSession, args: argparse.Namespace) -> int:
    from . import fetch, report

    namespace = None if args.all_namespaces else getattr(args, "namespace", None)
    inputs = await fetch.load(session, namespace, root_namespace(args))
    rep = report.build(inputs)
    if args.output == "json":
        print_json(report.to_json(rep))
    else:
        _print_text(rep)
    return EXIT_FOUND if rep.problems else EXIT_OK


def _print_text(rep: object) -> None:
    from . import report

    assert isinstance(rep, report.Report)
    st = rep.state
    emit(st.summary())
    if st.control_planes:
        emit()
        print(table([report.control_plane_cells(c) for c in st.control_planes],
                    ["MESH", "NAMESPACE", "CONTROL PLANE", "REVISION", "VERSION", "TAGS"]))
    else:
        emit("no Istio or Linkerd control plane found")
    if st.namespaces:
        emit()
        print(table([report.namespace_cells(n) for n in st.namespaces],
                    ["NAMESPACE", "MESH", "INJECTION", "COVERAGE", "RESTART", "MTLS",
                     "AUTHZ"]))
    if st.skew:
        emit()
        print(table([report.skew_cells(s) for s in st.skew],
                    ["MESH", "PROXY", "CONTROL PLANE", "SKEW", "PODS"]))
    restart = [p for p in st.pods if p.needs_restart or p.reason]
    if restart:
        emit()
        print(table([report.pod_cells(p) for p in restart],
                    ["NAMESPACE", "POD", "PROXY", "VERSION", "SKEW", "RESTART", "WORKLOAD",
                     "REASON"]))
    sec = rep.security
    emit()
    emit(f"mTLS mesh-wide: {sec.mesh_mode} ({sec.mesh_policy or 'no mesh-wide policy'})")
    if sec.workloads:
        print(table([report.workload_mtls_cells(w) for w in sec.workloads],
                    ["NAMESPACE", "PEERAUTHENTICATION", "SELECTOR", "MODE", "PODS"]))
    for f in rep.findings:
        emit(f"analyze: {f.kind} {f.namespace}/{f.name}: {f.message}")
    for problem in rep.problems:
        emit(f"problem: {problem}")
    for note in rep.notes:
        emit(f"note: {note}")
