"""One line at the top: context, namespace, server version, connection state, read-only."""

from __future__ import annotations

from textual.reactive import reactive
from textual.widgets import Static

APP = "k8s-essentials"


def status_line(context: str, namespace: str, server: str, state: str, read_only: bool,
                width: int = 0) -> str:
    """The bar's text, fitted to ``width`` (0: no limit). The connection state and
    READ-ONLY must always show, so on a narrow terminal the context -- often a long EKS ARN or
    GKE name, whose end is the cluster -- is cut from the front first, then the app name and
    the server version go."""
    ctx, ns = context or "-", namespace or "-"
    flags = [state] + (["READ-ONLY"] if read_only else [])

    def line(head: list[str], ctx_text: str, version: list[str]) -> str:
        return " | ".join([*head, f"ctx: {ctx_text}", f"ns: {ns}", *version, *flags])

    version = [server] if server else []
    text = line([APP], ctx, version)
    if not width or len(text) <= width:
        return text
    for head, ver in (([APP], version), ([], version), ([], [])):
        over = len(line(head, ctx, ver)) - width
        if over <= 0:
            return line(head, ctx, ver)
        keep = len(ctx) - over - 1
        if keep >= 8:
            return line(head, "…" + ctx[-keep:], ver)
    text = line([], "…" + ctx[-7:], [])
    return text if len(text) <= width else "…" + text[-(width - 1):]


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
        return status_line(self.context, self.namespace, self.server, self.state,
                           self.read_only, self.content_size.width)

    def on_resize(self) -> None:
        self.refresh()
