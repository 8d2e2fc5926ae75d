"""Small modal dialogs of the Helm install flow: pick a chart version, export as GitOps YAML.
(The rollback picker belongs to the Helm releases plugin.)"""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Select

from ..text import text

_DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 90%; max-width: 110; height: auto; max-height: 90%;
    border: thick $primary; background: $panel; padding: 0 1;
}}
{name} .title {{ text-style: bold; margin-bottom: 1; }}
{name} .buttons {{ height: auto; align-horizontal: right; margin-top: 1; }}
{name} Button {{ margin-left: 1; }}
"""


class VersionPicker(ModalScreen[str | None]):
    """Versions from ``helm search repo --versions``; enter picks, escape keeps the current."""

    DEFAULT_CSS = _DIALOG_CSS.format(name="VersionPicker") + \
        "VersionPicker OptionList { height: auto; max-height: 16; }"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="helm.versions.cancel")]

    def __init__(self, chart: str, versions: list[str], current: str) -> None:
        super().__init__()
        self.chart = chart
        self.versions = versions
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(text(f"Versions of {self.chart}"), classes="title", markup=False)
            # a registry's tags are data: options get Text, never markup strings
            yield OptionList(*[text(v + ("  (pinned)" if v == self.current else ""))
                               for v in self.versions], id="versions")

    def on_mount(self) -> None:
        opts = self.query_one(OptionList)
        if self.current in self.versions:
            opts.highlighted = self.versions.index(self.current)
        opts.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.versions[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)


class ExportDialog(ModalScreen[tuple[str, str] | None]):
    """Choose Flux or Argo CD and a file path; returns (format, path)."""

    DEFAULT_CSS = _DIALOG_CSS.format(name="ExportDialog")
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="helm.export.cancel")]

    def __init__(self, release: str, directory: Path | None = None) -> None:
        super().__init__()
        self.release = release
        self.directory = directory or Path.cwd()

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Export this install for GitOps", classes="title")
            yield Select([("Flux HelmRelease + HelmRepository", "flux"),
                          ("Argo CD Application", "argocd")], value="flux", allow_blank=False,
                         id="format")
            yield Label("File:")
            yield Input(str(self.directory / f"{self.release}-flux.yaml"), id="path")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Write", id="write", variant="primary")

    def on_select_changed(self, event: Select.Changed) -> None:
        path = self.query_one("#path", Input)
        path.value = str(self.directory / f"{self.release}-{event.value}.yaml")

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        self._write()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "write":
            self._write()
        else:
            self.dismiss(None)

    def _write(self) -> None:
        fmt = str(self.query_one("#format", Select).value)
        self.dismiss((fmt, self.query_one("#path", Input).value.strip()))

    def action_cancel(self) -> None:
        self.dismiss(None)
