"""Detail of one Application (resources with sync and health, conditions, history), one
ApplicationSet (generators, owned Applications, conditions), one AppProject (repos,
destinations, cluster resources, each sync window and whether it is active) or one Flux
object (conditions, revisions, dependencies, a Kustomization's inventory): ``enter``
in the GitOps pane, ``escape`` back. Every value is cluster text, shown through the text
boundary (a ``Text`` built with ``append``, never markup).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from k8s_essentials_tui.api import Fields, KeyFooter, clean

from . import appsets, argo, fluxmodel, projects


def _line(text: Text, label: str, value: object, style: str = "") -> None:
    text.append(f"{label}: ", style="bold")
    text.append(clean(value), style=style)
    text.append("\n")


def app_detail(obj: Mapping[str, Any]) -> Text:
    row = argo.app_row(obj)
    text = Text()
    _line(text, "Application", f"{row.namespace}/{row.name} (project {row.project})")
    _line(text, "Source", f"{row.repo} {row.path} @ {row.target_revision}")
    _line(text, "Sync", f"{row.sync} at {row.revision or '-'}")
    _line(text, "Health", row.health + (f" — {row.health_message}"
                                        if row.health_message else ""))
    _line(text, "Auto-sync", row.auto_text)
    _line(text, "Last operation", f"{row.op_phase or '-'} {row.op_message}".strip())
    if row.operation_pending:
        _line(text, "Operation", "set (in progress or waiting for the controller)")
    text.append(f"\nResources ({len(row.resources)}, {row.out_of_sync} out of sync, "
                f"{row.degraded} degraded)\n", style="bold")
    for r in row.resources:
        text.append(f"  {clean(r.kind)} {clean(r.namespace)}/{clean(r.name)}  "
                    f"{clean(r.sync) or '-'}  {clean(r.health) or '-'}")
        if r.message:
            text.append(f"  {clean(r.message)}")
        text.append("\n")
    if row.conditions:
        text.append("\nConditions\n", style="bold")
        for ctype, message in row.conditions:
            text.append(f"  {clean(ctype)}: {clean(message)}\n")
    if row.history:
        text.append("\nHistory (newest first)\n", style="bold")
        for hid, rev, when in row.history:
            text.append(f"  {clean(hid)}  {clean(rev)}  {clean(when)}\n")
    for problem in row.problems:
        text.append(f"⚠ {clean(problem)}\n")
    return text


def appset_detail(obj: Mapping[str, Any], owned: int) -> Text:
    row = appsets.appset_row(obj)
    text = Text()
    _line(text, "ApplicationSet", f"{row.namespace}/{row.name}")
    _line(text, "Status", row.status, "bold" if row.error else "")
    _line(text, "Generators", row.generators_text)
    _line(text, "Applications owned", owned)
    text.append("\nConditions\n", style="bold")
    for kind in appsets.CONDITIONS:
        status, reason, message = row.condition(kind)
        text.append(f"  {kind}={clean(status) or '-'} {clean(reason)}: {clean(message)}\n")
    if row.reported:
        text.append(f"\nApplications reported by the controller ({len(row.reported)})\n",
                    style="bold")
        for name in row.reported:
            text.append(f"  {clean(name)}\n")
    for problem in row.problems:
        text.append(f"⚠ {clean(problem)}\n")
    return text


def project_detail(obj: Mapping[str, Any], now: datetime) -> Text:
    row = projects.project_row(obj, now)
    text = Text()
    _line(text, "AppProject", f"{row.namespace}/{row.name}")
    if row.description:
        _line(text, "Description", row.description)
    _line(text, "Source repos", projects.repos_text(row))
    _line(text, "Destinations", projects.destinations_text(row))
    _line(text, "Cluster resources", row.cluster_text)
    _line(text, "Syncs now", "DENIED by a sync window" if row.denying else "allowed")
    text.append(f"\nSync windows ({len(row.windows)})\n", style="bold")
    for window in row.windows:
        text.append(f"  {clean(window.text)}\n")
    for problem in row.problems:
        text.append(f"⚠ {clean(problem)}\n")
    return text


def flux_detail(obj: Mapping[str, Any],
                sources: Mapping[tuple[str, str, str], fluxmodel.FluxRow],
                same_kind: Mapping[tuple[str, str], fluxmodel.FluxRow]) -> Text:
    row = fluxmodel.flux_row(obj)
    text = Text()
    _line(text, row.kind, f"{row.namespace}/{row.name}")
    _line(text, "Status", f"{row.status} (Ready={row.ready})"
          + (" · suspended" if row.suspended else ""))
    _line(text, "Message", row.message or "-")
    _line(text, "Applied revision", row.applied or "-")
    if row.attempted and row.attempted != row.applied:
        _line(text, "Last attempted", row.attempted)
    if row.source is not None:
        skind, sns, sname = row.source
        _line(text, "Source", f"{skind} {sns}/{sname} at "
              f"{fluxmodel.source_revision(row, sources) or '-'}")
    _line(text, "Last handled reconcile", row.last_handled or "-")
    if row.depends_on:
        blocked = fluxmodel.blocking_dependency(row, same_kind)
        _line(text, "Depends on", ", ".join(f"{ns}/{n}" for ns, n in row.depends_on))
        if blocked:
            _line(text, "Blocked by", blocked)
    f = Fields(obj)
    conditions = f.array("status.conditions")
    if conditions:
        text.append("\nConditions\n", style="bold")
        for item in conditions:
            c = Fields(item)
            text.append(f"  {clean(c.text('type'))}={clean(c.text('status'))} "
                        f"{clean(c.text('reason'))}: {clean(c.text('message'))}\n")
    if row.kind == "Kustomization":
        text.append(f"\nInventory ({len(row.inventory)})\n", style="bold")
        for kind, ns, name, gv in row.inventory:
            text.append(f"  {clean(kind)} {clean(ns) + '/' if ns else ''}{clean(name)}"
                        f"  {clean(gv)}\n")
    for problem in row.problems:
        text.append(f"⚠ {clean(problem)}\n")
    return text


class GitOpsDetailScreen(Screen[None]):
    DEFAULT_CSS = """
    GitOpsDetailScreen #gitops-detail { height: auto; padding: 0 1; }
    """
    BINDINGS = [Binding("escape,q", "back", "Back", id="gitops.detail.back")]

    def __init__(self, obj: Mapping[str, Any], *,
                 sources: Mapping[tuple[str, str, str], fluxmodel.FluxRow] | None = None,
                 same_kind: Mapping[tuple[str, str], fluxmodel.FluxRow] | None = None,
                 owned: int = 0, now: datetime | None = None) -> None:
        super().__init__()
        kind = Fields(obj).text("kind")
        if kind == "Application":
            self.detail = app_detail(obj)
        elif kind == "ApplicationSet":
            self.detail = appset_detail(obj, owned)
        elif kind == "AppProject" and now is not None:
            self.detail = project_detail(obj, now)
        else:
            self.detail = flux_detail(obj, sources or {}, same_kind or {})

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(self.detail, id="gitops-detail")
        yield KeyFooter()

    def action_back(self) -> None:
        self.app.pop_screen()
