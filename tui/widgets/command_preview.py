"""Shows the exact equivalent kubectl/helm/velero command of an action, copyable."""

from __future__ import annotations

from textual.visual import VisualType
from textual.widgets import Static

from ..text import clean, text


class CommandPreview(Static):
    DEFAULT_CSS = """
    CommandPreview {
        border: round $accent;
        border-title-color: $accent;
        padding: 0 1;
        color: $foreground;
        background: $surface;
        height: auto;
        max-height: 8;
    }
    """

    def __init__(self, command: str, *, title: str = "equivalent command",
                 **kwargs: object) -> None:
        # the command quotes names from the cluster: cleaned (shown) but kept whole in
        # ``self.command`` (copied to the clipboard, run)
        super().__init__(text(f"$ {command}", multiline=True), markup=False,
                         **kwargs)  # type: ignore[arg-type]
        self.command = command
        self.border_title = clean(title)

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        """A new command line (the forms call ``update(f"$ {command}")``): cleaned, never
        markup."""
        if isinstance(content, str):
            content = text(content, multiline=True)
        super().update(content, layout=layout)
