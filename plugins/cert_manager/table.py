"""A virtualised expiry table: renders only the visible lines, so 10,000+ rows stay cheap.

Why not ``DataTable``: filtering and re-sorting a DataTable means removing and re-adding rows
(each add_row measures and styles its cells), and its first paint of 10k rows costs about a
second; ``bench/certs_bench.py --widgets`` measures both on this machine. Here the view is a
plain sorted list of :class:`~.model.CertRow`; a watch event, a filter or a search replaces
that list (a Python sort of 10k keys takes milliseconds) and only the ~40 visible lines are
rendered again, in ``render_line``. Line 0 is a fixed header that does not scroll.

Every cell is cluster text (names, DNS names, issuers, problems quoting status messages):
it passes :func:`k8s_essentials_tui.text.clean` before it becomes a ``Segment`` (an ESC
would otherwise reach the terminal) and is cut by terminal cells (:func:`~k8s_essentials_tui.
text.fit`), so the columns after a Hangul name stay aligned.
"""

from __future__ import annotations

from datetime import datetime

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from k8s_essentials_tui.api import clean, days_short, fit

from .model import KIND_BACKUP, KIND_CERT, CertRow, Thresholds

KIND_LABEL = {KIND_CERT: "cert", "Secret": "tls", KIND_BACKUP: "bkp"}


def days_text(days: float | None) -> str:
    """``5d``, ``-2d``, ``7h`` (under a day), ``-`` (unknown): the app's one rounding rule
    (:func:`k8s_essentials_tui.timefmt.days_short`), shared with the ``certs`` command."""
    return days_short(days)


def column_widths(width: int) -> list[tuple[str, int]]:
    """Header/width pairs for the current width (issuer only when there is room)."""
    fixed = [("STATE", 8), ("DAYS", 6), ("KIND", 4), ("EXPIRES", 10)]
    show_issuer = width >= 110
    n_cols = 8 if show_issuer else 7
    avail = max(0, width - sum(w for _, w in fixed) - (n_cols - 1))
    issuer = 18 if show_issuer else 0
    avail -= issuer
    ns = max(8, min(16, int(avail * 0.25)))
    name = max(10, min(32, int(avail * 0.38)))
    rest = max(0, avail - ns - name)
    cols = [("STATE", 8), ("DAYS", 6), ("NAMESPACE", ns), ("NAME", name), ("KIND", 4)]
    if show_issuer:
        cols.append(("ISSUER", issuer))
    cols += [("EXPIRES", 10), ("DNS NAMES / PROBLEMS", rest)]
    return cols


def row_cells(row: CertRow, now: datetime, thresholds: Thresholds) -> dict[str, str]:
    """The row's cells as display text: cleaned (control characters made visible, a line
    break shown as ␤), not yet cut to a width."""
    days = row.days_left(now)
    last = ("! " + row.problems[0]) if row.problems else ", ".join(row.dns_names)
    return {
        "STATE": row.state(now, thresholds),
        "DAYS": days_text(days),
        "NAMESPACE": clean(row.namespace),
        "NAME": clean(row.name),
        "KIND": KIND_LABEL.get(row.kind) or clean(row.kind[:4].lower()),
        "ISSUER": clean(row.issuer) or "-",
        "EXPIRES": row.not_after.strftime("%Y-%m-%d") if row.not_after else "-",
        "DNS NAMES / PROBLEMS": clean(last),
    }


class CertTable(ScrollView, can_focus=True):
    """Rows are :class:`CertRow`; ``set_rows`` replaces the (already filtered, sorted) view."""

    HELP_GROUP = "Certificates table"

    DEFAULT_CSS = """
    CertTable { height: 1fr; background: $surface; }
    CertTable > .certtable--header { text-style: bold; color: $text-muted; }
    CertTable > .certtable--cursor { background: $accent 40%; }
    CertTable > .certtable--expired { color: $error; text-style: bold; }
    CertTable > .certtable--critical { color: $error; }
    CertTable > .certtable--warning { color: $warning; }
    CertTable > .certtable--expiring { color: $warning; }
    CertTable > .certtable--ok { color: $success; }
    CertTable > .certtable--unknown { color: $text-muted; }
    CertTable > .certtable--problem { color: $warning; }
    """
    COMPONENT_CLASSES = {
        "certtable--header", "certtable--cursor", "certtable--expired", "certtable--critical",
        "certtable--warning", "certtable--expiring", "certtable--ok", "certtable--unknown",
        "certtable--problem",
    }
    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False, id="certs.up"),
        Binding("down,j", "cursor(1)", "Down", show=False, id="certs.down"),
        Binding("pageup,ctrl+b", "page(-1)", "Page up", show=False, id="certs.pageup"),
        Binding("pagedown,ctrl+f", "page(1)", "Page down", show=False, id="certs.pagedown"),
        Binding("home,g", "jump(0)", "Top", show=False, id="certs.top"),
        Binding("end,G", "jump(-1)", "Bottom", show=False, id="certs.bottom"),
        Binding("enter", "select", "Details", id="certs.details"),
    ]

    class Selected(Message):
        def __init__(self, row: CertRow) -> None:
            super().__init__()
            self.row = row

    def __init__(self, *, now: datetime, thresholds: Thresholds, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.rows: list[CertRow] = []
        self.cursor = 0
        self.now = now
        self.thresholds = thresholds

    # -- data ------------------------------------------------------------------------------

    def set_rows(self, rows: list[CertRow], now: datetime | None = None) -> None:
        """Replace the view; keep the cursor on the same object when it is still listed."""
        current = self.current_row
        self.rows = rows
        if now is not None:
            self.now = now
        if current is not None:
            for i, r in enumerate(rows):
                if r.key == current.key:
                    self.cursor = i
                    break
            else:
                self.cursor = min(self.cursor, max(0, len(rows) - 1))
        else:
            self.cursor = 0
        self.virtual_size = Size(self.size.width, len(rows) + 1)
        self.refresh()

    @property
    def current_row(self) -> CertRow | None:
        if 0 <= self.cursor < len(self.rows):
            return self.rows[self.cursor]
        return None

    # -- movement --------------------------------------------------------------------------

    def _visible_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _move_to(self, index: int) -> None:
        if not self.rows:
            return
        self.cursor = max(0, min(len(self.rows) - 1, index))
        top = round(self.scroll_offset.y)
        visible = self._visible_rows()
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False)
        self.refresh()

    def action_cursor(self, delta: int) -> None:
        self._move_to(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._move_to(self.cursor + direction * self._visible_rows())

    def action_jump(self, where: int) -> None:
        self._move_to(0 if where == 0 else len(self.rows) - 1)

    def action_select(self) -> None:
        row = self.current_row
        if row is not None:
            self.post_message(self.Selected(row))

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.rows) + 1)

    def on_click(self, event: object) -> None:
        y = getattr(event, "y", 0)
        if y >= 1:
            self._move_to(round(self.scroll_offset.y) + y - 1)

    # -- rendering -------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        cols = column_widths(width)
        if y == 0:
            style = base + self.get_component_rich_style("certtable--header")
            text = " ".join(fit(name, w) for name, w in cols)
            return Strip([Segment(fit(text, width), style)], width)
        index = round(self.scroll_offset.y) + y - 1
        if index >= len(self.rows):
            return Strip.blank(width, base)
        row = self.rows[index]
        cells = row_cells(row, self.now, self.thresholds)
        state_style = self.get_component_rich_style(f"certtable--{cells['STATE']}")
        line_style = base
        if index == self.cursor and self.has_focus:
            line_style = base + self.get_component_rich_style("certtable--cursor")
        elif index == self.cursor:
            line_style = base + Style(reverse=False, underline=True)
        segments: list[Segment] = []
        used = 0
        for i, (name, w) in enumerate(cols):
            if i:
                segments.append(Segment(" ", line_style))
                used += 1
            style = line_style
            if name in ("STATE", "DAYS"):
                style = line_style + state_style
            elif name == "DNS NAMES / PROBLEMS" and row.problems:
                style = line_style + self.get_component_rich_style("certtable--problem")
            text = fit(cells[name], w)
            segments.append(Segment(text, style))
            used += w if w > 0 else 0
        if used < width:
            segments.append(Segment(" " * (width - used), line_style))
        return Strip(segments, width).crop(0, width)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
