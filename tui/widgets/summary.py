"""The default pane of a component without its own: catalog entry and detection result."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from ..plugin import Detection, Plugin
from .pane import PluginPane


def summary_lines(plugin: Plugin, det: Detection | None) -> list[str]:
    """What an operator needs before deciding to install or upgrade: the pinned chart,
    what is running, and how the two compare."""
    lines = [f"{plugin.title}  ({plugin.category})", "", plugin.why, ""]
    chart = plugin.chart
    if chart:
        lines += [f"Helm chart: {chart.chart} {chart.version} from {chart.repo}",
                  f"Installs into namespace {chart.namespace} as release {chart.release}."]
    if det is None:
        return lines
    state = {True: "installed", False: "not installed", "partial": "partial"}[det.installed]
    lines += ["", f"State: {state}"]
    if det.namespace:
        lines.append(f"Namespace: {det.namespace}")
    if det.version:
        note = ""
        from_helm = det.details.get("version_source") == "helm"
        if chart and from_helm and det.version.lstrip("v") != chart.version.lstrip("v"):
            note = f"  (catalog pins {chart.version}: press i to review an upgrade)"
        lines.append(f"Version: {det.version}{note}")
    lines += [f"Problem: {x}" for x in det.problems]
    if chart and det.installed is not True:
        lines += ["", "Press i to install it (preview and diff first)."]
    return lines


class ComponentSummary(PluginPane, can_focus=True):
    BINDINGS = [Binding("i", "install", "Install/upgrade", id="summary.install")]

    def on_mount(self) -> None:
        super().on_mount()
        self.focus()  # nothing else here takes focus: keep the pane's keys live

    def compose(self) -> ComposeResult:
        det = getattr(self.app, "detections", {}).get(self.plugin.id)
        yield Static("\n".join(summary_lines(self.plugin, det)), markup=False, id="summary")

    def action_install(self) -> None:
        self.app.open_install(self.plugin)  # type: ignore[attr-defined]
