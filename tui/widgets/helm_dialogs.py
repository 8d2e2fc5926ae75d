"""Small modal dialogs of the Helm flows: pick a chart version, pick a rollback revision
(with the diff of that revision against the current one), export as GitOps YAML."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Label, OptionList, Select, Static

from ..helm.diff import diff_manifests
from ..helm.release import Release
from ..text import text
from .helm_diff import DiffView
from .keytable import KeyTable

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


class RollbackPicker(ModalScreen[int | None]):
    """Revision history; the highlighted revision's diff against the current one is shown."""

    DEFAULT_CSS = _DIALOG_CSS.format(name="RollbackPicker") + """
    RollbackPicker > Vertical { height: 90%; }
    RollbackPicker DataTable { height: auto; max-height: 8; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="helm.rollback.cancel"),
        Binding("enter", "pick", "Roll back to this revision", id="helm.rollback.pick",
                priority=True),
    ]

    def __init__(self, current: Release, revisions: list[Release]) -> None:
        super().__init__()
        self.current = current
        self.revisions = [r for r in revisions if r.revision != current.revision and r.readable]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(text(f"Roll back {self.current.name} in {self.current.namespace} "
                             f"(now revision {self.current.revision})"), classes="title",
                        markup=False)
            yield KeyTable(id="revisions")
            yield DiffView(id="rollback-diff")
            yield Static("enter: roll back to the highlighted revision · escape: cancel",
                         classes="hint")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("REVISION", "STATUS", "CHART", "APP VERSION", "DESCRIPTION")
        for rel in reversed(self.revisions):
            table.add_row(*(text(c) for c in (rel.revision, rel.status, rel.chart_ref,
                                              rel.app_version, rel.description)),
                          key=str(rel.revision))
        if not self.revisions:
            self.query_one(DiffView).message("No earlier readable revision to roll back to.")
        table.focus()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        rev = self._revision(event.row_key.value)
        if rev is not None:
            diffs = diff_manifests(self.current.manifest, rev.manifest, self.current.namespace)
            self.query_one(DiffView).show(diffs, title=f"revision {self.current.revision} → "
                                                       f"{rev.revision}")

    def _revision(self, key: Any) -> Release | None:
        for rel in self.revisions:
            if str(rel.revision) == key:
                return rel
        return None

    def action_pick(self) -> None:
        table = self.query_one(DataTable)
        if not self.revisions:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        rev = self._revision(key)
        self.dismiss(rev.revision if rev else None)

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
