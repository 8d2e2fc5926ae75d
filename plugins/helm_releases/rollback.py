"""The rollback dialog of the Helm releases pane: the release's revision history, with the
highlighted revision's diff against the current one."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

from k8s_essentials_tui.api import DiffView, KeyTable, diff_manifests, display_text
from k8s_essentials_tui.api import HelmRelease as Release

#: the same frame as the install flow's dialogs
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
            yield Label(display_text(f"Roll back {self.current.name} in {self.current.namespace} "
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
            table.add_row(*(display_text(c) for c in (rel.revision, rel.status, rel.chart_ref,
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
