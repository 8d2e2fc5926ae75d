"""The essentials board: one row per area with the chosen component, state, version, health
and problems. It renders what the app's detection model publishes (``tui/detection/model.py``
keeps the snapshot live from the shared watch caches, no polling); it builds nothing."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Input, Static

from ..detection.evaluate import (
    BoardRow,
    board_rows,
    cluster_problems,
    health_label,
    state_label,
)
from ..detection.snapshot import ClusterSnapshot
from ..lifecycle import LatestChart, lifecycle_cell
from ..plugin import Detection
from ..text import clean, fit, text
from ..text import width as cell_width
from .columns import same_cell
from .keytable import KeyTable

if TYPE_CHECKING:
    from textual import getters

    from ..app import EssentialsApp
    from ..detection.model import DetectionModel
    from ..kube.session import ClusterSession

STATE_STYLES = {"installed": "bold green", "partial": "bold yellow", "missing": "dim",
                "unknown": "yellow"}
HEALTH_STYLES = {"ok": "green", "degraded": "bold red", "unknown": "yellow"}
#: a problem of no component (a blocking webhook) on the notes line, above the notes
PROBLEM_STYLE = "bold red"
WIDE = 110
MIN_PROBLEM = 14
MIN_COMPONENT = 12
NARROW_COLUMNS = ("area", "component", "state", "health", "problems")
WIDE_COLUMNS = ("area", "component", "state", "namespace", "version", "lifecycle", "health",
                "problems")
#: how old the board's copy of the newest-chart cache may get before it is read again
LATEST_REREAD_SECONDS = 60.0


#: room for every label of the column once it shows any, so a state turning from
#: "missing" to "installed" does not lay the table out again
MIN_WIDTHS = {"state": max(map(len, STATE_STYLES)), "health": max(map(len, HEALTH_STYLES))}


def _min_width(col: str, rows: list[dict[str, Text | str]]) -> int:
    """MIN_WIDTHS[col] while the column shows something (not connected: nothing)."""
    return MIN_WIDTHS.get(col, 0) if any(str(r[col]) for r in rows) else 0


def _alternative_lines(row: BoardRow, detections: dict[str, Detection],
                       said: Collection[str | None] = ()) -> list[str]:
    """What the row's one component hides about the others of its area: one that is also
    installed (Argo CD beside Flux), or one whose state could not be read (Helm releases
    when Secrets are denied, while Kustomize fills the Packaging row). Problems in ``said``
    (already on the notes line) are left out."""
    lines = []
    for alt in row.alternatives:
        det = detections.get(alt.id)
        if det is None:
            continue
        if det.installed is not False:
            state = f"also {state_label(det)}"
            health = health_label(det)
            lines.append(f"- {alt.title}: {state}" + (f", {health}" if health else "")
                         + "".join(f"; {p}" for p in det.problems))
        elif det.healthy is None and (news := [p for p in det.problems if p not in said]):
            lines.append(f"- {alt.title}: {'; '.join(news)}")
    return lines


def _problem_summary(problems: list[str]) -> str:
    """The first problem, and how many more: the full list is on the detail line."""
    if not problems:
        return ""
    return problems[0] + (f" (+{len(problems) - 1} more)" if len(problems) > 1 else "")


def _plain(value: Text | str) -> str:
    return value.plain if isinstance(value, Text) else str(value)


def _cut(value: Text | str, cells: int) -> Text | str:
    """``value`` cut to ``cells`` terminal cells with an ellipsis (Hangul takes two)."""
    plain = _plain(value)
    if cell_width(plain) <= cells:
        return value
    cut = fit(plain, cells, pad=False)
    cut = cut[:-1].rstrip() + "…"
    return Text(cut, style=value.style) if isinstance(value, Text) else cut


def _fit_problems(rows: list[dict[str, Text | str]], columns: tuple[str, ...],
                  width: int, scrollbar: bool = False) -> None:
    """Cut the problems cell to the width the other columns leave, with an ellipsis, so the
    board never needs a horizontal scrollbar (the detail line shows the whole text). On a
    narrow terminal the component name gives up a few characters first, so a problem keeps
    at least :data:`MIN_PROBLEM` readable characters."""
    if "problems" not in columns or width <= 0:
        return

    def widest(col: str) -> int:
        return max([cell_width(col), _min_width(col, rows),
                    *(cell_width(_plain(r[col])) for r in rows)])

    used = sum(widest(c) + 2 for c in columns if c != "problems")  # + cell padding
    budget = width - used - 2 - (1 if scrollbar else 0)
    if budget < MIN_PROBLEM and "component" in columns:
        cap = max(widest("component") - (MIN_PROBLEM - budget), MIN_COMPONENT)
        budget += widest("component") - cap
        for r in rows:
            r["component"] = _cut(r["component"], cap)
    budget = max(budget, 4)
    for r in rows:
        r["problems"] = _cut(r["problems"], budget)


def board_cells(row: BoardRow, *, connected: bool, wide: bool,
                latest: LatestChart | None = None) -> dict[str, Text]:
    """One board row's cells, every one a ``Text`` of cleaned data (a component's
    namespace, version and problems come from the cluster: never markup, never ESC).

    The lifecycle cell (``retired upstream``, ``unsupported 1.17``, ``update 4.13.3 →
    4.14.1``: ``tui/lifecycle.py``) is its own column when the board is wide and follows
    the problems in their cell when it is narrow (80 columns)."""
    det = row.detection
    component = row.plugin.title if row.plugin else "-"
    if row.alternatives and (det is None or det.installed is False):
        if wide:
            component += " / " + " / ".join(p.title for p in row.alternatives)
        else:
            component += f" +{len(row.alternatives)}"
    state = state_label(det)
    health = health_label(det)
    life_text, life_style = (lifecycle_cell(row.plugin, det, latest)
                             if row.plugin is not None and connected else ("", ""))
    lifecycle = text(life_text, life_style)
    problems = text(_problem_summary(det.problems) if det else "")
    if not wide and life_text:  # a problem first: it is what needs acting on now
        problems = Text.assemble(problems, "; ", lifecycle) if problems.plain else lifecycle
    return {
        "area": text(row.title),
        "component": text(component),
        "state": text(state, STATE_STYLES.get(state, ""))
        if connected and row.plugin is not None else Text(""),
        "namespace": text(det.namespace if det else ""),
        "version": text(det.version if det else ""),
        "lifecycle": lifecycle,
        "health": text(health, HEALTH_STYLES.get(health, "")),
        "problems": problems,
    }


def detail_text(row: BoardRow | None, detections: dict[str, Detection],
                said: Collection[str | None] = ()) -> Text:
    """The selected area in full (what the table truncates, and why it matters), cleaned
    line by line: problems quote cluster strings."""
    if row is None or row.plugin is None:
        return Text("")
    det = row.detection
    lines = [f"{row.plugin.title}: {row.plugin.why}"]
    if det is not None:
        lines += [f"- {p}" for p in det.problems]
    life, _style = lifecycle_cell(row.plugin, det)
    if life:  # the narrow board cuts it off behind the problems
        lines.append(f"- lifecycle: {life}")
    lines += _alternative_lines(row, detections, said)
    return Text("\n".join(clean(line) for line in lines))


def _column_widths(columns: tuple[str, ...],
                   rows: list[dict[str, Text | str]]) -> dict[str, int]:
    """Each column's width in cells: its widest cell, its header, its minimum."""
    def plain(cell: Text | str) -> str:
        return cell.plain if isinstance(cell, Text) else cell

    return {c: max([cell_len(c), _min_width(c, rows), *(cell_len(plain(r[c])) for r in rows)])
            for c in columns}


def row_matches(row: BoardRow, cells: dict[str, Text | str], needle: str) -> bool:
    """``/`` filter: the typed text anywhere in the row (area, components -- also the
    alternatives --, state, namespace, version, health, problems), case-insensitive."""
    if not needle:
        return True
    hay = [row.title, *(p.title for p in row.alternatives), *(p.id for p in row.alternatives)]
    if row.plugin is not None:
        hay += [row.plugin.title, row.plugin.id]
    if row.detection is not None:
        hay += row.detection.problems
    hay += [c.plain if isinstance(c, Text) else str(c) for c in cells.values()]
    return any(needle in h.lower() for h in hay)


class Board(Vertical):
    if TYPE_CHECKING:  # the app's own attributes, typed (Textual's getter, for checkers only)
        app = getters.app(EssentialsApp)

    HELP_GROUP = "Board table"
    DEFAULT_CSS = """
    Board { height: 1fr; }
    Board #board-filter { height: 1; border: none; padding: 0 1; display: none; }
    Board #board-filter.shown { display: block; }
    Board #summary { height: 1; padding: 0 1; color: $foreground; text-style: bold; }
    Board #notes { height: auto; max-height: 4; padding: 0 1; color: $warning; }
    Board DataTable { height: 1fr; }
    Board #detail {
        height: auto; max-height: 5; padding: 0 1; background: $surface; color: $foreground;
    }
    """
    BINDINGS = [
        Binding("enter", "open", "Open", id="board.open"),
        Binding("i", "install", "Install", id="board.install"),
        Binding("slash", "filter", "Filter", id="board.filter"),
        Binding("escape", "escape", "Leave filter / clear it", show=False,
                id="board.escape"),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rows: list[BoardRow] = []
        #: the snapshot the model published last (None until its first read)
        self.snapshot: ClusterSnapshot | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._columns: tuple[str, ...] = ()
        #: the cells last put in the table, per row key (see render_rows)
        self._shown: dict[str, dict[str, Text | str]] = {}
        #: the width the columns were laid out for (a resize lays them out again)
        self._laid_out_at = -1
        #: the ``/`` filter, lower-cased ("" = every row)
        self.filter_text = ""
        #: plugin id -> the newest chart as the day-old cache knows it (read in a thread)
        self._latest: dict[str, LatestChart] = {}
        self._latest_read_at: float | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="summary", markup=False)
        yield Static("", id="notes", markup=False)
        yield Input(placeholder="filter: area, component, state, problem… (enter keeps it, "
                                "escape leaves)", id="board-filter", compact=True)
        yield KeyTable(id="board-table")  # j/k/g/G/ctrl+f/ctrl+b like every table
        yield Static("", id="detail", markup=False)

    def on_mount(self) -> None:
        model = self.app.detection
        self._unsubscribe = model.subscribe(self._published)
        self.snapshot = model.snapshot
        self.render_rows()
        self._read_latest_soon()
        self.query_one(DataTable).focus()

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    # -- what the model publishes -----------------------------------------------------------

    def _published(self, model: DetectionModel) -> None:
        """A new snapshot and detections (or a new session): render them."""
        self.snapshot = model.snapshot
        self.render_rows()
        self._read_latest_soon()

    def _read_latest_soon(self) -> None:
        """Refresh the copy of the newest-chart cache (``report --check-charts`` and the
        overview fill it) at most once a minute: a small file read, in a thread, never a
        request to a chart repository from the board."""
        now = time.monotonic()
        if self._latest_read_at is not None and now - self._latest_read_at < \
                LATEST_REREAD_SECONDS:
            return
        self._latest_read_at = now
        self.run_worker(self._read_latest(), exclusive=True, group="board-latest")

    async def _read_latest(self) -> None:
        import asyncio

        from ..chart_latest import cached
        from ..errors import EssentialsError
        from ..helm.chart import ChartSpec

        charts = getattr(getattr(self.app, "settings", None), "charts", None) or {}

        def read() -> dict[str, LatestChart]:
            found: dict[str, LatestChart] = {}
            for plugin in self.app.registry.ordered():
                if plugin.chart is None:
                    continue
                try:
                    latest = cached(ChartSpec.for_plugin(plugin, charts))
                except (EssentialsError, OSError, ValueError):
                    continue  # a broken [charts] override: the install screen says why
                if latest is not None:
                    found[plugin.id] = latest
            return found

        latest = await asyncio.to_thread(read)
        if latest != self._latest:
            self._latest = latest
            self.render_rows()

    @property
    def session(self) -> ClusterSession | None:
        return self.app.session

    # -- rendering -------------------------------------------------------------------------

    def _wanted_columns(self) -> tuple[str, ...]:
        return WIDE_COLUMNS if self.size.width >= WIDE else NARROW_COLUMNS

    def _table_width(self, table: DataTable[Any]) -> int:
        """The width the table will have: during a resize the board already has its new
        size while the table still reports the old one (it fills the board's width)."""
        return self.size.width or table.size.width

    def on_resize(self) -> None:
        self.render_rows()  # columns, and the room left for problems (13 rows: cheap)

    def _cells(self, row: BoardRow) -> dict[str, Text | str]:
        """A row's cells, as the layout helpers take them (they cut some cells to ``str``)."""
        latest = self._latest.get(row.plugin.id) if row.plugin is not None else None
        return {**board_cells(row, connected=self.session is not None,
                              wide=self.size.width >= WIDE, latest=latest)}

    def render_rows(self) -> None:
        tables = self.query(DataTable)
        if not tables:  # not composed yet, or being torn down while a rebuild finished
            return
        table = tables.first()
        plugins = self.app.registry.ordered()
        self.rows = board_rows(plugins, getattr(self.app, "detections", {}))
        wanted = self._wanted_columns()
        cursor = table.cursor_row
        pairs = [(row, self._cells(row)) for row in self.rows]
        pairs = [(r, c) for r, c in pairs if row_matches(r, c, self.filter_text)]
        all_cells = [c for _r, c in pairs]
        width = self._table_width(table)
        _fit_problems(all_cells, wanted, width,
                      scrollbar=len(all_cells) + 1 > table.size.height > 0)
        widths = _column_widths(wanted, all_cells)
        current = {str(key.value): col.width for key, col in table.columns.items()}
        if (wanted != self._columns or tuple(current) != wanted or width != self._laid_out_at
                or any(widths[c] > current[c] for c in wanted)):
            # a new layout (first rows, a resize either way, a cell that grew): columns of
            # the exact width. Why not auto-width columns: the table measures them only
            # on idle, after it may already have cached rows drawn at the header's width,
            # and keeps drawing those ("Ingr ingress-n insta" after a resize)
            table.clear(columns=True)
            for col in wanted:
                table.add_column(col, key=col, width=widths[col])
            self._columns = wanted
            self._laid_out_at = width
            self._shown.clear()
        if [rk.value for rk in table.rows] != [r.category for r, _c in pairs]:
            # the filter changed which rows show: 13 rows at most, so start over
            table.clear()
            self._shown.clear()
        existing = {rk.value for rk in table.rows}
        for (row, _c), cells in zip(pairs, all_cells, strict=True):
            if row.category in existing:
                # only what changed: most refreshes (a watch event on a busy cluster)
                # change nothing on the board
                shown = self._shown.get(row.category, {})
                for col in wanted:
                    if not same_cell(shown.get(col), cells[col]):
                        table.update_cell(row.category, col, cells[col])
            else:
                table.add_row(*(cells[c] for c in wanted), key=row.category)
            self._shown[row.category] = cells
        if table.row_count and 0 <= cursor < table.row_count:
            table.move_cursor(row=cursor)
        covered = sum(1 for r in self.rows if r.covered)
        summary = self.query_one("#summary", Static)
        if self.session is None:
            head = "not connected"
        elif self.snapshot is None:
            head = "reading the cluster…"
        else:
            head = f"{covered} of {len(self.rows)} areas covered"
        if self.filter_text:
            head += f" — filter /{self.filter_text}: {table.row_count} shown (escape clears)"
        summary.update(text(head))
        problems = (cluster_problems(plugins, getattr(self.app, "detections", {}),
                                     self.snapshot) if self.snapshot is not None else [])
        notes = [text(p, PROBLEM_STYLE) for p in problems] + [text(n) for n in self._notes()]
        notes_widget = self.query_one("#notes", Static)
        notes_widget.update(Text("\n").join(notes))
        notes_widget.display = bool(notes)
        self._show_detail()

    def _notes(self) -> list[str]:
        """One line for everything forbidden (it can be long on a locked-down cluster),
        then one per other error."""
        if self.snapshot is None:
            return []
        prefix = "no permission to list "
        denied = sorted({m.removeprefix(prefix) for m in self.snapshot.forbidden.values()
                         if m.startswith(prefix)})
        other = sorted({m for m in self.snapshot.forbidden.values() if not m.startswith(prefix)})
        notes = [f"{prefix}{', '.join(denied)}"] if denied else []
        return notes + other + sorted(set(self.snapshot.errors.values()))

    def _show_detail(self) -> None:
        """The selected area in full: what the table truncates (problems) and why it matters."""
        row = self._selected()
        # the notes line already says the workloads could not all be read
        said = {self.snapshot.forbidden.get("workloads")} if self.snapshot else set()
        self.query_one("#detail", Static).update(
            detail_text(row, getattr(self.app, "detections", {}), said))

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    # -- actions ---------------------------------------------------------------------------

    def _selected(self) -> BoardRow | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((r for r in self.rows if r.category == key), None)

    def action_open(self) -> None:
        row = self._selected()
        if row is not None and row.plugin is not None:
            self.app.open_plugin(row.plugin.id)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_install(self) -> None:
        row = self._selected()
        if row is not None and row.plugin is not None:
            self.app.open_install(row.plugin)

    # -- the / filter (k9s: escape leaves the prompt, then clears the filter) ---------------

    def action_filter(self) -> None:
        box = self.query_one("#board-filter", Input)
        box.add_class("shown")
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "board-filter":
            event.stop()
            self.filter_text = event.value.strip().lower()
            self.render_rows()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "board-filter":
            event.stop()
            self._leave_filter_box()

    def _leave_filter_box(self) -> None:
        box = self.query_one("#board-filter", Input)
        if not box.value.strip():
            box.remove_class("shown")
        self.query_one(DataTable).focus()

    def clear_filter(self) -> bool:
        """Drop an active filter; False when there was none (escape then goes on)."""
        box = self.query_one("#board-filter", Input)
        if not self.filter_text and not box.has_class("shown"):
            return False
        box.value = ""
        box.remove_class("shown")
        self.filter_text = ""
        self.render_rows()
        self.query_one(DataTable).focus()
        return True

    def action_escape(self) -> None:
        if self.query_one("#board-filter", Input).has_focus:
            self._leave_filter_box()
        else:
            self.clear_filter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "escape":  # only listed (and taken) while there is a filter to leave
            box = self.query(Input)
            return bool(self.filter_text) or bool(box and box.first().has_focus)
        return True

    def action_cursor_down(self) -> None:
        self.query_one(DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(DataTable).action_cursor_up()
