"""``install COMPONENT``: install or upgrade a component with the real helm (same code path
as the TUI's install screen: dry-run + diff first, then ``helm upgrade --install``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .. import audit
from ..actions import execute
from ..errors import EssentialsError
from ..helm.diff import render_text
from ..helm.headless import add_chart_flags, confirm, make_tool, resolve_spec
from ..helm.operations import HelmOperations, fetch_releases
from ..helm.release import deployed as deployed_of
from ..helm.values import dump_values
from ..kube.session import ClusterSession
from ..registry import load_registry
from ._common import fail, run_async, settings_for, with_session

NAME = "install"
HELP = "install or upgrade a component's Helm chart (preview, confirm, run)"
DESCRIPTION = (
    "Install or upgrade COMPONENT with `helm upgrade --install`. A server-side dry-run runs "
    "first and the per-resource diff against the deployed release is printed. Without --yes "
    "it asks for confirmation, and refuses when stdin is not a terminal. The namespace is "
    "the global -n/--namespace (default: the catalog's)."
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


def _out(stream: str, line: str) -> None:
    print(line, file=sys.stdout if stream == "stdout" else sys.stderr, flush=True)


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

    async def body(session: ClusterSession) -> int:
        tool = make_tool(settings, getattr(args, "kubeconfig", None), session.context)
        ops = HelmOperations(tool)
        current = deployed_of(await fetch_releases(session.client, spec.namespace,
                                                   spec.release), spec.namespace, spec.release)
        text = values_text
        if text is None:
            text = dump_values(current.config) if current is not None else spec.values
        verb = "upgrade" if current is not None else "install"
        print(f"{verb} {spec.release} in {spec.namespace} from {spec.describe()}",
              file=sys.stderr)
        preview = await ops.preview(spec, text, current)
        print(f"changes: {preview.summary}" + ("" if current else " (new install)"))
        for line in render_text(preview.diffs):
            print(line)
        if preview.values_diff:
            print("=== values")
            print("\n".join(preview.values_diff))
        mutation = ops.install_mutation(spec, text, deployed=current, on_line=_out,
                                        preview=preview)
        print(f"$ {mutation.command}")
        if args.dry_run:
            audit.record(context=session.context, action=mutation.action,
                         command=preview.dry_run_command, result="dry-run")
            return 0
        confirm(f"{verb} {spec.release} in {spec.namespace}", args.yes)
        message = await execute(mutation, session.context)
        print(message, file=sys.stderr)
        return 0

    try:
        return run_async(lambda: with_session(args, body))
    except EssentialsError as exc:
        return fail(str(exc))
