"""The essentials board: one row per area with the installed component, state and health."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from ..plugin import CATEGORIES, CATEGORY_TITLES, Detection, Plugin
from .pane import CacheSubscriber, CacheUpdated


def state_text(det: Detection | None) -> str:
    if det is None:
        return "…"
    return {True: "installed", False: "missing", "partial": "partial"}[det.installed]


class Board(CacheSubscriber, Vertical):
    DEFAULT_CSS = """
    Board { height: 1fr; }
    Board #summary { height: 1; padding: 0 1; color: $foreground; }
    Board DataTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("enter", "open", "Open", id="board.open"),
        Binding("j", "cursor_down", "Down", show=False, id="board.down"),
        Binding("k", "cursor_up", "Up", show=False, id="board.up"),
    ]

    def compose(self) -> ComposeResult:
        yield Static("", id="summary")
        table: DataTable[str] = DataTable(cursor_type="row", zebra_stripes=False, id="board-table")
        yield table

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("area", "component", "state", "version", "health", "problems")
        self.render_rows()
        table.focus()

    def rows(self) -> list[tuple[str, Plugin | None]]:
        reg = self.app.registry  # type: ignore[attr-defined]
        out: list[tuple[str, Plugin | None]] = []
        for cat in CATEGORIES:
            plugins = reg.by_category()[cat]
            out.append((cat, plugins[0] if plugins else None))
        return out

    def render_rows(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        dets = getattr(self.app, "detections", {})
        covered = 0
        for cat, plugin in self.rows():
            det = dets.get(plugin.id) if plugin else None
            if det is not None and det.installed is True:
                covered += 1
            table.add_row(
                CATEGORY_TITLES[cat], plugin.title if plugin else "-", state_text(det),
                (det.version or "") if det else "",
                "" if det is None else {True: "ok", False: "degraded", None: "unknown"}[
                    det.healthy],
                "; ".join(det.problems) if det else "",
                key=cat,
            )
        self.query_one("#summary", Static).update(f"{covered} of {len(CATEGORIES)} areas covered")

    def session_changed(self) -> None:
        self.render_rows()

    def refresh_now(self) -> None:
        self.render_rows()

    def on_cache_updated(self, _message: CacheUpdated) -> None:
        self.render_rows()

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        plugin = dict(self.rows()).get(str(key))
        if plugin is not None:
            self.app.open_plugin(plugin.id)  # type: ignore[attr-defined]

    def on_data_table_row_selected(self, _event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_cursor_down(self) -> None:
        self.query_one(DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(DataTable).action_cursor_up()
