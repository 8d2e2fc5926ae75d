"""The default pane of a component without its own: catalog entry and detection result."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from .pane import PluginPane


class ComponentSummary(PluginPane):
    def compose(self) -> ComposeResult:
        p = self.plugin
        lines = [f"{p.title}  ({p.category})", "", p.why, ""]
        if p.chart:
            c = p.chart
            lines += [f"Helm chart: {c.chart} {c.version} from {c.repo}",
                      f"Installs into namespace {c.namespace} as release {c.release}."]
        yield Static("\n".join(lines), markup=False, id="summary")
        det = getattr(self.app, "detections", {}).get(p.id)
        if det is not None:
            state = {True: "installed", False: "not installed", "partial": "partial"}[
                det.installed]
            text = [f"State: {state}"]
            if det.namespace:
                text.append(f"Namespace: {det.namespace}")
            if det.version:
                text.append(f"Version: {det.version}")
            text += [f"Problem: {x}" for x in det.problems]
            yield Static("\n".join(text), markup=False, id="detection")
