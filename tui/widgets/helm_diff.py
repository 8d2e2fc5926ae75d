"""Shows a per-resource manifest diff (and the values diff) with colours from the theme's
ANSI palette, one section per resource: what an operator reads before confirming."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from ..helm.diff import ResourceDiff, summary
from ..text import clean
from ..text import text as clean_text

_CHANGE_STYLE = {"changed": "bold yellow", "added": "bold green", "removed": "bold red",
                 "unchanged": "dim"}
#: bound the rendered text: a 10k-line CRD diff must not freeze the screen
MAX_LINES = 4000


def diff_renderable(diffs: list[ResourceDiff], values_diff: list[str] | None = None, *,
                    new_install: bool = False, show_unchanged: bool = False) -> Text:
    text = Text(no_wrap=True)
    head = clean(summary(diffs)) + (" — new install, nothing deployed yet" if new_install
                                     else "")
    text.append(head + "\n", style="bold")
    written = 0
    if values_diff:
        text.append("\n▌ values (user-supplied)\n", style="bold cyan")
        for line in values_diff:
            text.append(clean(line) + "\n", style=diff_line_style(line))
    for d in diffs:
        if d.change == "unchanged" and not show_unchanged:
            continue
        text.append(f"\n▌ {clean(d.key)}  ", style="bold")
        text.append(f"{d.change}", style=_CHANGE_STYLE[d.change])
        if d.change == "changed":
            text.append(f"  +{d.added} -{d.removed}", style="dim")
        text.append("\n")
        for line in d.lines:
            if written >= MAX_LINES:
                text.append(f"… diff truncated after {MAX_LINES} lines\n", style="italic")
                return text
            text.append(clean(line) + "\n", style=diff_line_style(line))
            written += 1
    unchanged = [d for d in diffs if d.change == "unchanged"]
    if unchanged and not show_unchanged:
        text.append(f"\n{len(unchanged)} unchanged: "
                    + ", ".join(clean(d.key) for d in unchanged) + "\n", style="dim")
    return text


def diff_line_style(line: str) -> str:
    """The colour of one unified-diff line (hunk header, added, removed); shared by every
    diff the app shows (Helm previews, Kustomize plans)."""
    if line.startswith("@@"):
        return "cyan"
    if line.startswith("+"):
        return "green"
    if line.startswith("-"):
        return "red"
    return ""


class DiffView(VerticalScroll):
    """Scrollable diff; ``show(diffs, values_diff)`` replaces the content."""

    DEFAULT_CSS = """
    DiffView { height: 1fr; border: round $primary; border-title-color: $primary;
               overflow-x: auto; }
    DiffView:focus { border: round $accent; }
    DiffView > Static { width: auto; text-wrap: nowrap; }
    /* a message (helm's error) wraps to the width: never cut at the right edge */
    DiffView > Static.message { width: 1fr; text-wrap: wrap; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="diff-body", markup=False)

    def show(self, diffs: list[ResourceDiff], values_diff: list[str] | None = None, *,
             new_install: bool = False, title: str = "diff") -> None:
        self.border_title = clean(title)
        body = self.query_one("#diff-body", Static)
        body.remove_class("message")
        body.update(
            diff_renderable(diffs, values_diff, new_install=new_install))
        self.scroll_home(animate=False)

    def message(self, text: str, *, error: bool = False) -> None:
        """A status or helm's error (untrusted: through the display-text boundary),
        wrapped to the width and scrollable."""
        body = self.query_one("#diff-body", Static)
        body.add_class("message")
        body.update(clean_text(text, style="bold red" if error else "", multiline=True))
        self.scroll_home(animate=False)
