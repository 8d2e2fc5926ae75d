"""One line at the top: context, namespace, server version, connection state, read-only."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from ..text import clean
from ..text import width as cells

APP = "k8s-essentials"


def status_line(context: str, namespace: str, server: str, state: str, read_only: bool,
                width: int = 0) -> str:
    """The bar's text, fitted to ``width`` (0: no limit). The connection state and
    READ-ONLY must always show, so on a narrow terminal the context -- often a long EKS ARN or
    GKE name, whose end is the cluster -- is cut from the front first, then the app name and
    the server version go."""
    ctx, ns = clean(context) or "-", clean(namespace) or "-"
    server = clean(server)
    flags = [state] + (["READ-ONLY"] if read_only else [])

    def line(head: list[str], ctx_text: str, version: list[str]) -> str:
        return " | ".join([*head, f"ctx: {ctx_text}", f"ns: {ns}", *version, *flags])

    version = [server] if server else []
    text = line([APP], ctx, version)
    if not width or cells(text) <= width:
        return text
    for head, ver in (([APP], version), ([], version), ([], [])):
        over = cells(line(head, ctx, ver)) - width
        if over <= 0:
            return line(head, ctx, ver)
        keep = cells(ctx) - over - 1
        if keep >= 8:
            return line(head, "…" + _tail(ctx, keep), ver)
    text = line([], "…" + _tail(ctx, 7), [])
    return text if cells(text) <= width else "…" + _tail(text, width - 1)


def _tail(value: str, keep: int) -> str:
    """The end of ``value`` in at most ``keep`` terminal cells (a context or namespace can
    be Korean: two cells per character)."""
    out = ""
    for ch in reversed(value):
        if cells(ch + out) > keep:
            break
        out = ch + out
    return out


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

    def render(self) -> Text:
        # a Text: a context or namespace name with ``[`` must not be parsed as markup
        return Text(status_line(self.context, self.namespace, self.server, self.state,
                                self.read_only, self.content_size.width))

    def on_resize(self) -> None:
        self.refresh()
