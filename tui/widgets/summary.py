"""The default pane of a component without its own: what runs, how healthy, what admits.

Twelve of the catalog's components (ingress-nginx, ExternalDNS, Argo CD, Flux, Istio,
Linkerd, Gatekeeper, Kyverno, the Prometheus stack, Grafana, Jaeger, NGINX F5) open this
pane; ``o`` opens it from the others' own panes (cert-manager, Velero, Loki, Telepresence).
It shows what the board's one-line verdict stands on -- the workloads with their ready
counts and images, the Helm release and its status, the admission webhooks with their
failure policy and ready endpoints, the API groups -- so an operator sees *why* a component
is degraded without switching to kubectl.

It costs no request: everything comes from the board's detection of the shared watch caches
(``Detection.details``), and the pane re-renders when the app publishes new detections.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from ..detection.detect import TROUBLED_RELEASE
from ..detection.evaluate import health_label, state_label
from ..lifecycle import LatestChart
from ..plugin import Detection, Plugin
from ..text import clean, text
from .board import HEALTH_STYLES, PROBLEM_STYLE, STATE_STYLES
from .pane import PluginPane

UNREAD_STYLE = "yellow"
HEADING_STYLE = "bold"


def _release_style(status: str) -> str:
    if status == "failed":
        return PROBLEM_STYLE
    return "yellow" if status in TROUBLED_RELEASE else "green" if status == "deployed" else ""


#: cells that must stay whole on 80 columns: short ones ("pending-upgrade" cut into two
#: lines reads as two words) and names (``deploy/ingress-nginx-contr`` + ``oller`` reads as
#: two objects); images and charts give up the room (they fold), a name folds only when it
#: is wider than the whole screen
WHOLE = frozenset({"READY", "REVISION", "STATUS", "TYPE", "POLICY", "NAME", "RELEASE",
                   "WEBHOOK"})


def _table(*columns: str) -> Table:
    table = Table(box=None, pad_edge=False, show_edge=False, header_style=HEADING_STYLE,
                  padding=(0, 2, 0, 0))
    for col in columns:
        table.add_column(col, overflow="fold", no_wrap=col in WHOLE)
    return table


def _lifecycle_line(plugin: Plugin, det: Detection,
                    latest: LatestChart | None) -> Text | None:
    """``retired upstream (…successor…)``, ``unsupported 1.14 (…window…)``, ``update
    3.4.4 → 3.7.0``: the board's lifecycle cell with the note that explains it."""
    from ..lifecycle import CELL_STYLES, lifecycle_of

    verdict = lifecycle_of(plugin, det, latest)
    installed = det.installed is not False
    if not verdict.label or (not installed and verdict.verdict not in ("retired", "eol")):
        return None
    line = verdict.summary
    if verdict.verdict in ("retired", "eol", "unsupported") and verdict.notes:
        note = verdict.notes[0]
        line = (note + line[len(verdict.label):] if note.startswith(verdict.label)
                else f"{line} ({note})")
    style = CELL_STYLES.get("outdated" if verdict.verdict == "outdated" else verdict.verdict, "")
    return text(line, style)


def _facts(plugin: Plugin, det: Detection | None, latest: LatestChart | None = None) -> Table:
    """Chart, state, health, namespace, version: one aligned "key  value" block."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style=HEADING_STYLE, no_wrap=True)
    grid.add_column(overflow="fold")
    chart = plugin.chart
    if chart is not None:
        grid.add_row("Chart", text(f"{chart.chart} {chart.version} from {chart.repo} "
                                   f"(release {chart.release} in {chart.namespace})"))
    elif det is not None and det.details.get("note"):
        binary = det.details.get("binary")
        grid.add_row("Kind", text(str(det.details["note"]) + (f": {binary}" if binary else "")))
    if det is None:
        return grid
    state = state_label(det)
    grid.add_row("State", text(state, STATE_STYLES.get(state, "")))
    health = health_label(det)
    if health:
        grid.add_row("Health", text(health, HEALTH_STYLES.get(health, "")))
    if det.namespace:
        grid.add_row("Namespace", text(det.namespace))
    provided = det.details.get("provided_by")
    if isinstance(provided, dict):
        from ..catalog_checks import provided_text

        # upgrading means changing that release's values, not installing this chart
        grid.add_row("Release", text(provided_text(provided)))
    if det.version:
        source = det.details.get("version_source")
        line = det.version + {"helm": " (Helm chart version)",
                              "image": " (image tag)"}.get(source or "", "")
        if chart and source == "helm" and det.version.lstrip("v") != chart.version.lstrip("v"):
            line += f"; catalog pins {chart.version}: press i to review an upgrade"
        grid.add_row("Version", text(line))
    lifecycle = _lifecycle_line(plugin, det, latest)
    if lifecycle is not None:
        grid.add_row("Lifecycle", lifecycle)
    return grid


#: kubectl's short names: the NAME column reads like ``kubectl get deploy,sts,ds``
SHORT_KINDS = {"Deployment": "deploy", "StatefulSet": "sts", "DaemonSet": "ds"}


def _workloads(rows: list[dict[str, Any]], namespace: str | None) -> Table:
    """One row per workload; the NAMESPACE column only when some live outside the
    component's namespace (it is on the facts block above), so 80 columns suffice."""
    spread = any(w["namespace"] != namespace for w in rows)
    table = _table(*(("NAMESPACE",) if spread else ()), "NAME", "READY", "IMAGES")
    for w in rows:
        ready, desired = w["ready"], w["desired"]
        style = "green" if ready >= desired else "bold red"
        name = f"{SHORT_KINDS.get(w['kind'], w['kind'])}/{w['name']}"
        table.add_row(*((text(w["namespace"]),) if spread else ()), text(name),
                      text(f"{ready}/{desired}", style),
                      Text("\n").join(text(image) for image in w["images"]))
    return table


def _release(rel: dict[str, Any], namespace: str | None) -> Table:
    """The release; its namespace only when it is not the component's (shown above)."""
    elsewhere = rel.get("namespace") != namespace
    table = _table("RELEASE", *(("NAMESPACE",) if elsewhere else ()), "REVISION", "STATUS",
                   "CHART", "APP VERSION")
    status = str(rel.get("status") or "")
    table.add_row(text(rel.get("name") or ""),
                  *((text(rel.get("namespace") or ""),) if elsewhere else ()),
                  text(rel.get("revision") or ""),
                  text(status, _release_style(status)),
                  text(f"{rel.get('chart') or ''} {rel.get('chart_version') or ''}".strip()),
                  text(rel.get("app_version") or ""))
    return table


def _webhooks(hooks: list[dict[str, Any]]) -> Table:
    table = _table("WEBHOOK", "TYPE", "POLICY", "SERVICE", "READY")
    for h in sorted(hooks, key=lambda h: (h["configuration"], h["webhook"])):
        kind = "mutating" if h["kind"].startswith("Mutating") else "validating"
        ready = "?" if h["ready"] is None else str(h["ready"])
        table.add_row(Text("\n└ ").join([text(h["configuration"]), text(h["webhook"])]),
                      text(kind), text(h["failure_policy"]), text(h["service"]),
                      text(ready, PROBLEM_STYLE if h["blocking"] else ""))
    return table


def overview(plugin: Plugin, det: Detection | None, connected: bool = True,
             latest: LatestChart | None = None) -> Group:
    """Everything the pane shows, as one Rich renderable (pure: unit-tested as text).
    ``latest``: the newest chart as the day-old cache knows it (``chart_latest``)."""
    parts: list[RenderableType] = [_facts(plugin, det, latest)]

    def section(title: str, body: RenderableType) -> None:
        parts.extend([Text(""), Text(title, style=HEADING_STYLE), body])

    if det is None:
        parts += [Text(""), Text("reading the cluster…" if connected else
                                 "not connected: the component's state shows once the "
                                 "cluster is reachable (r on the board retries)")]
        return Group(*parts)
    if det.problems:
        section("Problems", Text("\n".join(f"! {clean(p)}" for p in det.problems),
                                 style=PROBLEM_STYLE))
    workloads = det.details.get("workload_status") or []
    if workloads:
        section("Workloads", _workloads(workloads, det.namespace))
    release = det.details.get("release")
    if release:
        section("Helm release", _release(release, det.namespace))
    elif det.installed and plugin.chart and det.details.get("release_unread"):
        section("Helm release", Text("\n".join(clean(m) for m in det.details["release_unread"]),
                                     style=UNREAD_STYLE))
    hooks = det.details.get("webhooks") or []
    unread = det.details.get("webhooks_unread") or []
    if hooks or (unread and det.installed):
        body: list[RenderableType] = [_webhooks(hooks)] if hooks else []
        body += [text(msg, UNREAD_STYLE) for msg in unread]
        section("Admission webhooks", Group(*body))
    groups: dict[str, bool] = det.details.get("api_groups") or {}
    if groups:
        section("API groups", Text("\n".join(
            f"{clean(g)}  {'served' if served else 'not served'}"
            for g, served in groups.items())))
    if plugin.chart and det.installed is not True:
        hint = "Press i to install it (preview and diff first)."
        if det.installed == "partial" and not release and not workloads:
            hint = ("The CRDs are served but nothing runs: left over from an uninstall, or "
                    "installed apart from the chart. " + hint)
        parts += [Text(""), Text(hint)]
    return Group(*parts)


class ComponentSummary(PluginPane):
    """The overview pane; live through ``app.detections_changed``."""

    HELP_GROUP = "Component overview"

    DEFAULT_CSS = """
    ComponentSummary VerticalScroll { height: 1fr; padding: 0 1; }
    """
    BINDINGS = [Binding("i", "install", "Install/upgrade", id="summary.install")]

    #: what was rendered last: (detection, connected); a busy cluster re-evaluates the
    #: board every half second, and most of those leave this component as it was
    _shown: tuple[Detection | None, bool, LatestChart | None] | None = None
    #: the newest chart from the cache (read once, off the event loop, on mount)
    _latest: LatestChart | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="overview-scroll"):
            yield Static(self._overview(), id="overview")

    def on_mount(self) -> None:
        super().on_mount()
        self.app.detections_changed.subscribe(self, self._detections_changed)
        # nothing else here takes focus: the scroll keeps arrows/pgup and the pane's keys
        for scroll in self.query(VerticalScroll):
            scroll.focus()
        if self.plugin.chart is not None:
            self.run_worker(self._read_latest(), exclusive=True, group="overview-latest")

    async def _read_latest(self) -> None:
        """The cached newest chart (``report --check-charts`` fills the cache): a file read
        in a thread, never a request from the pane."""
        import asyncio

        from ..chart_latest import cached
        from ..errors import EssentialsError
        from ..helm.chart import ChartSpec

        settings = getattr(self.app, "settings", None)
        charts = getattr(settings, "charts", None) or {}
        try:
            spec = ChartSpec.for_plugin(self.plugin, charts)
        except EssentialsError:  # a broken [charts] override: the install screen says why
            return
        self._latest = await asyncio.to_thread(cached, spec)
        self._rerender()

    def _state(self) -> tuple[Detection | None, bool, LatestChart | None]:
        det = getattr(self.app, "detections", {}).get(self.plugin.id)
        return det, self.session is not None, self._latest

    def _overview(self) -> Group:
        self._shown = self._state()
        det, connected, latest = self._shown
        return overview(self.plugin, det, connected=connected, latest=latest)

    def _rerender(self) -> None:
        if self.is_mounted and self._state() != self._shown:
            self.query_one("#overview", Static).update(self._overview())

    def _detections_changed(self, _detections: dict[str, Detection]) -> None:
        self._rerender()

    def on_session_ready(self) -> None:
        self._rerender()

    def action_install(self) -> None:
        self.app.open_install(self.plugin)
