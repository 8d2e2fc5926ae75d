"""Install preflight: checks plugins offer on a chart's rendered manifests before the install
is confirmed (the policy plugin's server-side dry-run: "would the cluster admit this?").

Why a hook and not a call into one plugin: the install screen is core and must not know any
plugin; a plugin declares ``Plugin.preflight = "package.module:function"`` (imported only
when an install is about to be confirmed, like a pane), and the screen runs every declared
check after helm rendered the chart and before the confirm dialog opens, showing the lines in
that dialog. A denial makes the dialog say so and ask twice (Cancel stays focused), because
helm would otherwise create part of the release and fail on the denied object.

The function: ``async def check(request: PreflightRequest) -> PreflightReport``. It must not
change the cluster (a dry-run is fine). A check that raises becomes an ``error`` line: a
broken plugin must neither block Helm nor be silently skipped. No Textual here.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .errors import EssentialsError

if TYPE_CHECKING:
    from .kube.session import ClusterSession
    from .plugin import Plugin

ADMITTED, WARNING, DENIED, ERROR = "admitted", "warning", "denied", "error"
#: the most lines one report puts into the confirm dialog (the rest is counted)
MAX_LINES = 6


@dataclass(frozen=True)
class PreflightRequest:
    """What a preflight check is given: the manifests helm rendered (a multi-document YAML
    text), the release's namespace (the default for objects without one) and the session."""

    manifest: str
    namespace: str
    release: str
    session: ClusterSession


@dataclass(frozen=True)
class PreflightLine:
    """The verdict on one object (``ref`` like ``Deployment/ns/web``)."""

    ref: str
    verdict: str
    message: str = ""


@dataclass
class PreflightReport:
    """One plugin's answer: a title ("admission dry-run") and a line per object."""

    title: str
    lines: list[PreflightLine] = field(default_factory=list)

    def count(self, verdict: str) -> int:
        return sum(1 for line in self.lines if line.verdict == verdict)

    @property
    def denied(self) -> bool:
        return self.count(DENIED) > 0


PreflightCheck = Callable[[PreflightRequest], Awaitable[PreflightReport]]


def load_check(target: str) -> PreflightCheck:
    """Import ``package.module:function`` (when an install is about to be confirmed)."""
    module, _, name = target.partition(":")
    func = getattr(importlib.import_module(module), name, None)
    if not callable(func):
        raise TypeError(f"preflight {target!r} is not a function")
    check: PreflightCheck = func
    return check


async def run_preflights(plugins: Sequence[Plugin],
                         request: PreflightRequest) -> list[PreflightReport]:
    """Every declared preflight, in registry order; a failing one becomes an error report."""
    reports: list[PreflightReport] = []
    for plugin in plugins:
        if not plugin.preflight:
            continue
        try:
            reports.append(await load_check(plugin.preflight)(request))
        except (EssentialsError, ImportError, TypeError, ValueError, OSError) as exc:
            reports.append(PreflightReport(f"{plugin.title} preflight", [
                PreflightLine("", ERROR, f"the check failed: {exc}")]))
    return reports


def summary(report: PreflightReport) -> str:
    """``admission dry-run: 2 admitted, 1 DENIED`` (counts in a fixed order)."""
    parts = [f"{n} {'DENIED' if v == DENIED else v}"
             for v in (DENIED, ERROR, WARNING, ADMITTED) if (n := report.count(v))]
    return f"{report.title}: {', '.join(parts) or 'nothing to check'}"


def detail_lines(reports: Sequence[PreflightReport]) -> list[str]:
    """The confirm dialog's lines: a summary per report, then the lines that matter
    (denials and errors first, then warnings; admitted objects are only counted)."""
    out: list[str] = []
    order = {DENIED: 0, ERROR: 1, WARNING: 2}
    for report in reports:
        out.append(summary(report))
        shown = sorted((ln for ln in report.lines if ln.verdict in order),
                       key=lambda ln: order[ln.verdict])
        for line in shown[:MAX_LINES]:
            mark = {DENIED: "✖", ERROR: "!", WARNING: "⚠"}[line.verdict]
            what = f"{line.ref}: " if line.ref else ""
            out.append(f"  {mark} {what}{line.message}")
        if len(shown) > MAX_LINES:
            out.append(f"  … and {len(shown) - MAX_LINES} more")
    return out


def denial_warning(reports: Sequence[PreflightReport]) -> str:
    """The plain warning (and the second confirmation's text) when anything is denied;
    ``""`` when nothing is."""
    denied = sum(r.count(DENIED) for r in reports)
    if not denied:
        return ""
    objects = "object" if denied == 1 else "objects"
    return (f"✖ The preflight checks say the cluster would DENY {denied} {objects} of "
            "this chart: helm would fail part-way and leave a failed release. Fix the values "
            "(or the policy) first.")


__all__ = [
    "ADMITTED", "DENIED", "ERROR", "WARNING", "PreflightCheck", "PreflightLine",
    "PreflightReport", "PreflightRequest", "denial_warning", "detail_lines", "load_check",
    "run_preflights", "summary",
]
