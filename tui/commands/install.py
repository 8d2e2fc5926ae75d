"""``install COMPONENT``: install or upgrade a component with the real helm (same code path
as the TUI's install screen: dry-run + diff first, then ``helm upgrade --install``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..actions import check_writable, execute
from ..errors import EssentialsError
from ..helm.diff import render_text
from ..helm.headless import add_chart_flags, confirm, make_tool, resolve_spec
from ..helm.operations import HelmOperations, fetch_releases
from ..helm.release import deployed as deployed_of
from ..helm.values import dump_values
from ..kube.session import ClusterSession
from ..plugin import Plugin
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
    add_chart_flags(parser)
    parser.add_argument("--values", metavar="FILE",
                        help="values YAML (default: the deployed values on upgrade, else the "
                             "catalog's recommended values)")
    parser.add_argument("--plain-http", action="store_true",
                        help="the oci:// registry has no TLS (helm --plain-http; config key "
                             "[charts.<id>] plain_http = true)")
    parser.add_argument("--dry-run", action="store_true",
                        help="only preview: print the command and the diff")
    parser.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    parser.add_argument("--show-secrets", action="store_true",
                        help="print Secret values and credential-looking values in the diffs "
                             "(masked by default; needs permission to get Secrets in the "
                             "namespace)")
    add_output(parser)


async def _may_read_secrets(session: ClusterSession, namespace: str) -> None:
    """``--show-secrets`` only for a user who may read the Secrets anyway (SSAR)."""
    from ..kube.resources import SECRETS

    access = await session.access.can("get", SECRETS, namespace)
    if not access:
        raise EssentialsError(f"--show-secrets: not allowed to get Secrets in {namespace}: "
                              f"{access.reason}")


def _out(stream: str, line: str) -> None:
    emit(line, file=sys.stdout if stream == "stdout" else sys.stderr, flush=True)


def _err(_stream: str, line: str) -> None:
    """With ``-o json`` stdout carries one JSON document: helm's lines go to stderr."""
    emit(line, file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    settings = settings_for(args)
    spec = resolve_spec(args.component, load_registry(), settings.charts, repo=args.repo,
                        chart=args.chart, version=args.version,
                        namespace=getattr(args, "namespace", None), release=args.release,
                        plain_http=args.plain_http)
    values_text: str | None = None
    if args.values:
        try:
            values_text = Path(args.values).read_text(encoding="utf-8")
        except OSError as exc:
            return fail(f"cannot read values file {args.values}: {exc.strerror}")
        except UnicodeDecodeError:
            return fail(f"values file {args.values} is not UTF-8 text (is it a binary file?)")
        if "\x00" in values_text:
            return fail(f"values file {args.values} is not YAML text (it holds NUL bytes)")

    as_json = args.output == "json"

    plugin = load_registry().get(args.component)

    async def body(session: ClusterSession) -> int:
        if plugin is not None and (why := await bundled_refusal(session, plugin,
                                                                  settings.charts)):
            return fail(why)
        tool = make_tool(settings, getattr(args, "kubeconfig", None), session.context)
        ops = HelmOperations(tool)
        current = deployed_of(await fetch_releases(session.client, spec.namespace,
                                                   spec.release), spec.namespace, spec.release)
        text = values_text
        if text is None:
            text = dump_values(current.config) if current is not None else spec.values
        verb = "upgrade" if current is not None else "install"
        # the dry-run is a cluster call too: refused in read-only mode (one line), audited
        dry_run = ops.preview_mutation(
            spec, text, current, on_start=lambda: emit(
                f"{verb} {spec.release} in {spec.namespace} from {spec.describe()}",
                file=sys.stderr))
        check_writable(dry_run, session.actions)
        if args.show_secrets:
            await _may_read_secrets(session, spec.namespace)
        await execute(dry_run, session.actions)
        preview = dry_run.preview
        assert preview is not None
        diffs, values_diff = (preview.revealed() if args.show_secrets
                              else (preview.diffs, preview.values_diff))
        mutation = ops.install_mutation(spec, text, deployed=current,
                                        on_line=_err if as_json else _out, preview=preview)
        record: dict[str, Any] = {
            "component": args.component, "action": verb, "release": spec.release,
            "namespace": spec.namespace, "chart": spec.describe(),
            "changes": preview.summary, "diff": list(render_text(diffs)),
            "values_diff": list(values_diff), "command": mutation.command,
            "dry_run": bool(args.dry_run), "result": "", "message": ""}
        if not as_json:
            emit(f"changes: {preview.summary}" + ("" if current else " (new install)"))
            for line in record["diff"]:
                emit(line)
            if values_diff:
                emit("=== values")
                for line in values_diff:
                    emit(line)
            emit(f"$ {mutation.command}")
        if args.dry_run:
            if as_json:
                print_json({**record, "result": "dry-run"})
            return EXIT_OK
        confirm(f"{verb} {spec.release} in {spec.namespace}", args.yes)
        try:
            message = await execute(mutation, session.actions)
        except EssentialsError as exc:  # helm ran and failed: exit 1, not a usage error
            if as_json:
                print_json({**record, "result": "failed", "message": str(exc)})
            emit(f"k8s-essentials-tui: error: {exc}", file=sys.stderr, multiline=True)
            return EXIT_FOUND
        if as_json:
            print_json({**record, "result": "ok", "message": message or ""})
        emit(message, file=sys.stderr, multiline=True)
        return EXIT_OK

    try:
        return run_async(lambda: with_session(args, body))
    except EssentialsError as exc:
        return fail(str(exc))


async def bundled_refusal(session: ClusterSession, plugin: Plugin,
                          charts: Mapping[str, Mapping[str, str | bool]]) -> str | None:
    """Why installing ``plugin`` would make a second copy (it already runs inside another
    release, e.g. Grafana in kube-prometheus-stack), from the same detection the board
    runs, for this one plugin (a few list requests); None when installing is fine."""
    from ..catalog_checks import install_refusal
    from ..detection.evaluate import evaluate
    from ..detection.snapshot_builder import build_snapshot, candidate_namespaces, client_lister
    from ..helm.summary import summarize_releases

    disc = await session.discovery()

    async def groups() -> tuple[set[str], set[tuple[str, str]]]:
        return set(disc.groups), set(disc.resources)

    snap = await build_snapshot([plugin], client_lister(session.client), groups,
                                summarize_releases,
                                candidate_namespaces([plugin], charts, [session.namespace]))
    return install_refusal(plugin, evaluate([plugin], snap).get(plugin.id))
