"""Shared plumbing of the ``install``, ``uninstall`` and ``releases`` subcommands.

Why here and not in ``tui/commands/_common.py``: it is Helm-specific (which chart a
COMPONENT argument means, how helm gets the session's kubeconfig/context, the non-interactive
refusal) and both the CLI and the TUI use :func:`make_tool`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from typing import Any

from ..errors import ConfigError, EssentialsError
from ..text import clean
from .chart import ChartSpec
from .tool import HelmTool

#: kubeconfig "context" names that are not real contexts (no --kube-context for helm)
_SYNTHETIC_CONTEXTS = {"in-cluster", ""}


def make_tool(settings: Any, kubeconfig: str | None, context: str | None) -> HelmTool:
    """A HelmTool bound to the session's kubeconfig and context (config key helm.binary)."""
    configured = None
    if settings is not None:
        configured = settings.get("helm.binary") if hasattr(settings, "get") else None
    ctx = None if (context or "") in _SYNTHETIC_CONTEXTS else context
    return HelmTool(kubeconfig=kubeconfig, context=ctx, configured=configured or None)


def resolve_spec(component: str, registry: Any,
                 charts_config: Mapping[str, Mapping[str, str | bool]],
                 *, repo: str | None = None, chart: str | None = None,
                 version: str | None = None, namespace: str | None = None,
                 release: str | None = None, plain_http: bool = False) -> ChartSpec:
    """COMPONENT -> ChartSpec: a plugin id (catalog + config), a local chart directory, or
    (with ``--repo``) a chart name in that repository. Flags override everything
    (``plain_http=False`` means "flag not given": the config's ``plain_http`` stays)."""
    plugin = registry.get(component) if registry is not None else None
    flags: dict[str, str | bool | None] = {
        "repo": repo, "chart": chart, "version": version, "namespace": namespace,
        "release": release, "plain_http": True if plain_http else None}
    if plugin is not None:
        return ChartSpec.for_plugin(plugin, charts_config).with_overrides(flags)
    if os.path.isdir(component) or (component.endswith(".tgz") and os.path.isfile(component)):
        name = os.path.basename(os.path.normpath(component)).removesuffix(".tgz")
        base = ChartSpec(repo="", chart=os.path.abspath(component), version="",
                         namespace=namespace or name, release=release or name)
        return base.with_overrides({"version": version})
    if repo:
        base = ChartSpec(repo=repo, chart=chart or component, version=version or "",
                         namespace=namespace or component, release=release or component,
                         plain_http=plain_http)
        return base
    raise ConfigError(f"unknown component {component!r}",
                      hint="see `k8s-essentials-tui plugins`, pass a chart directory, "
                           "or give --repo URL")


def confirm(question: str, yes: bool) -> None:
    """Proceed only with --yes or an interactive 'y'. Refuses when stdin is not a TTY."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise EssentialsError(f"refusing to {question} without --yes: stdin is not a terminal")
    try:
        answer = input(f"{clean(question)}? [y/N] ").strip().lower()
    except EOFError:
        answer = ""
    if answer not in ("y", "yes"):
        raise EssentialsError("cancelled")


def add_chart_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("component", metavar="COMPONENT",
                        help="plugin id (see `plugins`), a local chart directory, or a chart "
                             "name with --repo")
    parser.add_argument("--repo", metavar="URL",
                        help="chart repository URL, oci://registry/path, or a local directory")
    parser.add_argument("--chart", metavar="NAME", help="chart name (default: the catalog's)")
    parser.add_argument("--version", metavar="V", help="chart version (default: pinned)")
    parser.add_argument("--release", metavar="NAME", help="release name (default: catalog's)")
