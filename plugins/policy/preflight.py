"""The install screen's preflight (``Plugin.preflight``): the chart's rendered manifests
through the same server-side dry-run as ``policy check``, before the install is confirmed.

Why here and not in helm's own dry-run: ``helm --dry-run=server`` renders with lookups but
sends no object through admission, so a chart that a webhook or a ValidatingAdmissionPolicy
rejects previews cleanly and then fails half-installed. The dry-run apply asks the real
admission chain for every object, and persists nothing.
"""

from __future__ import annotations

from k8s_essentials_tui.api import PreflightLine, PreflightReport, PreflightRequest

from .admission import ADMITTED, DENIED, ERROR, CheckResult, check_manifests, load_manifests, reason

TITLE = "admission dry-run"


def line_for(result: CheckResult, namespace: str = "") -> PreflightLine:
    """One object's verdict as a preflight line (the policy's words, who denied). Objects
    in the release's ``namespace`` are named ``Kind/name`` (the dialog is narrow at 80
    columns and the title already names the namespace)."""
    ref = f"{result.kind}/{result.name}" if result.namespace in ("", namespace) \
        else result.ref
    if result.verdict == DENIED:
        who = f" ({result.source})" if result.source else ""
        return PreflightLine(ref, DENIED, reason(result.message) + who)
    if result.verdict == ERROR:
        return PreflightLine(ref, ERROR, result.message)
    if result.warnings:
        return PreflightLine(ref, "warning", "; ".join(result.warnings))
    return PreflightLine(ref, ADMITTED)


async def check(request: PreflightRequest) -> PreflightReport:
    """Dry-run apply each rendered object in the release's namespace."""
    objs, problems = load_manifests(request.manifest, "rendered manifests")
    results = await check_manifests(request.session.client, objs, request.namespace)
    lines = [PreflightLine("", ERROR, p) for p in problems]
    lines += [line_for(r, request.namespace) for r in results]
    return PreflightReport(TITLE, lines)
