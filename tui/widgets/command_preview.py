"""Shows the exact equivalent kubectl/helm/velero command of an action, copyable."""

from __future__ import annotations

from textual.widgets import Static


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
        super().__init__(f"$ {command}", markup=False, **kwargs)  # type: ignore[arg-type]
        self.command = command
        self.border_title = title
