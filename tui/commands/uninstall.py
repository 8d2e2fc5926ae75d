"""``uninstall COMPONENT``: ``helm uninstall`` the component's release, after saying what
stays behind (CRDs, PVCs). Refuses without --yes when stdin is not a terminal."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..actions import check_writable, execute
from ..errors import EssentialsError
from ..helm.headless import confirm, make_tool, resolve_spec
from ..helm.operations import LEFT_BEHIND, HelmOperations, fetch_releases
from ..helm.release import deployed as deployed_of
from ..kube.session import ClusterSession
from ..registry import load_registry
from ._common import (
    EXIT_FOUND,
    EXIT_OK,
    add_output,
    emit,
    fail,
    print_json,
    run_async,
    settings_for,
    with_session,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("component", metavar="COMPONENT",
                        help="plugin id, or a release name (with -n NAMESPACE)")
    parser.add_argument("--release", metavar="NAME", help="release name (default: catalog's)")
    parser.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    add_output(parser)


def _err(stream: str, line: str) -> None:
    emit(line, file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    settings = settings_for(args)
    registry = load_registry()
    namespace = getattr(args, "namespace", None)
    if registry.get(args.component) is None:
        # a plain release name: needs the namespace
        name, ns = args.release or args.component, namespace
    else:
        spec = resolve_spec(args.component, registry, settings.charts, namespace=namespace,
                            release=args.release)
        name, ns = spec.release, spec.namespace

    async def body(session: ClusterSession) -> int:
        # a headless session always has a namespace (-n, else the kubeconfig's)
        target_ns = ns or session.namespace or "default"
        rel = deployed_of(await fetch_releases(session.client, target_ns, name), target_ns,
                          name)
        if rel is None:
            return fail(f"no Helm release {name!r} in namespace {target_ns}")
        ops = HelmOperations(make_tool(settings, getattr(args, "kubeconfig", None),
                                       session.context))
        mutation = ops.uninstall_mutation(rel, on_line=_err)
        check_writable(mutation, session.actions)  # read-only: one line, before anything
        record: dict[str, Any] = {
            "release": name, "namespace": target_ns, "chart": rel.chart_ref,
            "revision": rel.revision, "status": rel.status, "warning": mutation.warning,
            "stays_behind": list(LEFT_BEHIND), "command": mutation.command,
            "result": "", "message": ""}
        if args.output != "json":
            emit(f"{mutation.title}: {rel.chart_ref} revision {rel.revision} ({rel.status})")
            emit(mutation.warning, multiline=True)
            emit("Stays behind:")
            for line in LEFT_BEHIND:
                emit(f"  - {line}")
            emit(f"$ {mutation.command}")
        confirm(f"uninstall {name} from {target_ns}", args.yes)
        try:
            message = await execute(mutation, session.actions)
        except EssentialsError as exc:  # helm ran and failed: exit 1, as install does
            if args.output == "json":
                print_json({**record, "result": "failed", "message": str(exc)})
            emit(f"k8s-essentials-tui: error: {exc}", file=sys.stderr, multiline=True)
            return EXIT_FOUND
        if args.output == "json":
            print_json({**record, "result": "ok", "message": message or ""})
        emit(message, file=sys.stderr, multiline=True)
        return EXIT_OK

    try:
        return run_async(lambda: with_session(args, body))
    except EssentialsError as exc:
        return fail(str(exc))
