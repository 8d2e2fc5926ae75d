"""One line at the top: context, namespace, server version, connection state, read-only."""

from __future__ import annotations

from textual.reactive import reactive
from textual.widgets import Static


class StatusBar(Static):
    DEFAULT_CSS = """
    StatusBar {
        height: 1; background: $panel; color: $foreground; padding: 0 1;
    }
    """
    context: reactive[str] = reactive("")
    namespace: reactive[str] = reactive("")
    server: reactive[str] = reactive("")
    state: reactive[str] = reactive("starting")
    read_only: reactive[bool] = reactive(False)

    def render(self) -> str:
        parts = ["k8s-essentials"]
        parts.append(f"ctx: {self.context or '-'}")
        parts.append(f"ns: {self.namespace or '-'}")
        if self.server:
            parts.append(self.server)
        parts.append(self.state)
        if self.read_only:
            parts.append("READ-ONLY")
        return " | ".join(parts)
