"""The Loki pane: a LogQL editor with completion, time range, results, live tail, history.

Keys in the results: ``f`` follows (live tail), ``t`` opens the highlighted line's trace.

Layout (top to bottom): a settings line (where Loki is, range, limit, direction, buffer),
the query editor (a ``TextArea`` that grows with soft-wrap, up to 5 rows), the completion
drop-down (an ``OptionList`` shown under the editor), a status/error line, then either the
virtualised :class:`LogView` (streams, tail) or a table with sparklines (metric queries).

All Loki I/O runs in exclusive workers (``loki-query``, ``loki-complete``, ``loki-tail``);
the editor text is never touched by a failure, and every error is shown in the pane.

Keys: ``ctrl+g`` moves between the editor and the results (shown in the footer, so nobody
needs to know shift+tab); escape closes the completion or the search box, leaves the editor
for the results, clears a search, then goes back -- and the typed query is kept for the
next time the pane opens in this app.
"""

from __future__ import annotations

import time
import weakref
from collections import deque
from typing import Any, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.events import Key
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from k8s_essentials_tui.api import KeyTable, PluginPane, focus_now
from k8s_essentials_tui.api import text as display

from . import logql
from .client import LogEntry, LokiClient, LokiError, QueryResult, TailBatch
from .history import QueryHistory
from .logview import LogView

LIMITS = (100, 500, 1000, 5000)
BUFFERS = (1000, 5000, 10_000, 50_000, 100_000)
PRESET_CYCLE = ("5m", "15m", "1h", "6h", "24h", "custom")
SPARK = "▁▂▃▄▅▆▇█"
#: the editor text when the pane closed, per app: escape must not throw a typed query away
_DRAFTS: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()


def sparkline(values: list[float], width: int = 24) -> str:
    if not values:
        return ""
    vals = values[-width:]
    lo, hi = min(vals), max(vals)
    span = (hi - lo) or 1.0
    return "".join(SPARK[int((v - lo) / span * (len(SPARK) - 1))] for v in vals)


class QueryEditor(TextArea):
    """The LogQL editor: enter runs, tab/up/down/escape drive the completion list."""

    DEFAULT_CSS = """
    QueryEditor { height: auto; max-height: 5; min-height: 1; border: tall $accent 40%;
                  padding: 0 1; }
    QueryEditor:focus { border: tall $accent; }
    """

    class Submitted(Message):
        pass

    class CompletionKey(Message):
        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    completion_open = False

    async def _on_key(self, event: Key) -> None:
        if event.key == "enter" and not self.completion_open:
            event.prevent_default()
            event.stop()
            self.post_message(self.Submitted())
            return
        if self.completion_open and event.key in ("up", "down", "enter", "tab", "escape"):
            event.prevent_default()
            event.stop()
            self.post_message(self.CompletionKey(event.key))
            return
        if event.key == "ctrl+space" or (event.key == "tab" and not self.completion_open
                                         and self.text and not self.text.endswith(" ")):
            event.prevent_default()
            event.stop()
            self.post_message(self.CompletionKey("open"))
            return
        await super()._on_key(event)


class DetailScreen(ModalScreen[None]):
    """One log line with all its labels (escape closes)."""

    DEFAULT_CSS = """
    DetailScreen { align: center middle; }
    DetailScreen > VerticalScroll { width: 90%; height: auto; max-height: 90%;
        border: thick $accent; background: $panel; padding: 1 2; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,enter", "dismiss", "Close", id="loki.detail.close"),
        Binding("t", "trace", "Trace", id="loki.detail.trace")]

    def __init__(self, entry: LogEntry) -> None:
        super().__init__()
        self.entry = entry

    def action_trace(self) -> None:
        """Open the trace this line carries in the tracing pane (if it carries one)."""
        from .traceids import trace_id_of

        if trace_id_of(self.entry.line, self.entry.labels) is None:
            self.notify("this line carries no trace id", severity="warning")
            return
        app, entry = self.app, self.entry
        self.dismiss()
        app.call_later(open_trace_of, app, entry)

    def compose(self) -> ComposeResult:
        e = self.entry
        rows = [f"time       {e.time.isoformat()}", f"timestamp  {e.ts}", ""]
        # label names and values and the line are the pod's text: cleaned, cell widths
        rows += [f"{_pad(display.clean(k), 20)} {display.clean(v)}"
                 for k, v in sorted(e.labels.items())]
        with VerticalScroll():
            yield Static("\n".join(rows), markup=False, id="detail-labels")
            yield Static("")
            yield Static(display.text(e.line, multiline=True), id="detail-line")


class PickScreen(ModalScreen[str | None]):
    """Pick a saved (★) or recent query."""

    DEFAULT_CSS = """
    PickScreen { align: center middle; }
    PickScreen > Vertical { width: 90%; height: 70%; border: thick $accent; background: $panel; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss_none", "Close", id="loki.pick.close")]

    def __init__(self, saved: list[str], history: list[str]) -> None:
        super().__init__()
        self.saved = saved
        self.history = [q for q in history if q not in saved]

    def compose(self) -> ComposeResult:
        # Text prompts: a query holds label values (``{app="[/]x"}``), never markup
        opts = [Option(display.text(f"★ {q}"), id=f"s{i}") for i, q in enumerate(self.saved)]
        opts += [Option(display.text(q), id=f"h{i}") for i, q in enumerate(self.history)]
        with Vertical():
            yield Static(" Saved (★) and recent queries — enter to use", markup=False)
            yield OptionList(*opts, id="pick-list")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        oid = event.option.id or ""
        pool = self.saved if oid.startswith("s") else self.history
        self.dismiss(pool[int(oid[1:])])

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class RangeScreen(ModalScreen[tuple[str, str] | None]):
    """Custom absolute range: two inputs (RFC3339, 'YYYY-MM-DD HH:MM' UTC, now-2h)."""

    DEFAULT_CSS = """
    RangeScreen { align: center middle; }
    RangeScreen > Vertical { width: 70; height: auto; border: thick $accent;
        background: $panel; padding: 1 2; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss_none", "Cancel", id="loki.range.cancel")]

    def __init__(self, start: str, end: str) -> None:
        super().__init__()
        self.start, self.end = start, end

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("From (RFC3339, 'YYYY-MM-DD HH:MM' UTC, now-2h):", markup=False)
            yield Input(self.start, id="range-start")
            yield Static("To (empty = now):", markup=False)
            yield Input(self.end, id="range-end")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "range-start":
            self.query_one("#range-end", Input).focus()
            return
        self.dismiss((self.query_one("#range-start", Input).value,
                      self.query_one("#range-end", Input).value))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class LokiPane(PluginPane):
    DEFAULT_CSS = """
    LokiPane #loki-settings { height: 1; color: $text-muted; padding: 0 1; }
    LokiPane #loki-complete { height: auto; max-height: 8; display: none;
        border: round $accent; margin: 0 2; }
    LokiPane #loki-complete.open { display: block; }
    LokiPane #loki-status { height: 1; padding: 0 1; color: $text-muted; }
    LokiPane #loki-error { height: auto; max-height: 6; padding: 0 1; display: none;
        color: $error; border: round $error; }
    LokiPane #loki-error.shown { display: block; }
    LokiPane #loki-metrics { display: none; height: 1fr; }
    LokiPane.metric #loki-metrics { display: block; }
    LokiPane.metric LogView { display: none; }
    LokiPane #loki-search { display: none; }
    LokiPane #loki-search.open { display: block; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "run", "Run", id="loki.run", priority=True),
        Binding("ctrl+g", "results", "Results", id="loki.results", priority=True),
        Binding("f", "tail", "Follow", id="loki.tail"),
        Binding("t", "trace", "Trace", id="loki.trace"),
        # ``T`` was the trace key while ``t`` tailed; kept as an alias for one release
        Binding("T", "trace", "Trace", id="loki.trace_alias", show=False),
        Binding("p,space", "pause", "Pause", id="loki.pause"),
        Binding("slash", "search", "Search", id="loki.search", priority=True),
        Binding("e,i", "edit", "Edit", id="loki.edit"),
        Binding("ctrl+t", "cycle_range", "Range", id="loki.range", priority=True),
        Binding("ctrl+l", "cycle_limit", "Limit", id="loki.limit", priority=True),
        Binding("ctrl+d", "toggle_direction", "Direction", id="loki.direction", priority=True),
        Binding("ctrl+b", "cycle_buffer", "Buffer", id="loki.buffer", priority=True),
        Binding("ctrl+s", "save_query", "Save", id="loki.save", priority=True),
        Binding("ctrl+o", "history", "History", id="loki.history", priority=True),
        Binding("escape", "back", "Back", show=False, id="loki.escape"),
    ]

    def __init__(self, plugin: Any, *, namespace: str | None = None, app_label: str | None = None,
                 query: str | None = None, time_range: tuple[str, str] | None = None,
                 run: bool = False, **kwargs: Any) -> None:
        super().__init__(plugin, **kwargs)
        self._initial_query = query
        #: run the initial query once connected (opened from a span: the logs, not a form)
        self._run_on_connect = run and bool(query)
        self._ctx_namespace = namespace
        self._ctx_app = app_label
        self.client: LokiClient | None = None
        self.preset = "custom" if time_range else "1h"
        self.custom = time_range or ("now-1h", "")
        self.limit = 1000
        self.direction = "backward"
        self.tailing = False
        self.paused = False
        self.dropped = 0
        #: tail batches waiting for the next tick (or for resume), as the client parsed
        #: them (compact rows + their streams); at most a buffer's worth of lines
        self._held: deque[TailBatch] = deque()
        self._held_lines = 0
        self._completion: logql.Completion | None = None
        self._items: list[str] = []
        self._value_cache: dict[tuple[str, str, str], list[str]] = {}
        self.history = QueryHistory.load()
        self.result: QueryResult | None = None
        self.tail_rate = 0.0
        self._tail_count = 0
        self._tail_t0 = 0.0

    # -- composition ----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("", id="loki-settings", markup=False)
        yield QueryEditor("", id="loki-query", soft_wrap=True, show_line_numbers=False,
                          compact=True, tab_behavior="focus")
        yield OptionList(id="loki-complete")
        yield Static("", id="loki-error", markup=False)
        yield Static("connecting to Loki…", id="loki-status", markup=False)
        with Horizontal(id="loki-body"):
            yield LogView(max_lines=BUFFERS[2], id="loki-results")
            yield KeyTable(id="loki-metrics", zebra_stripes=True)
        yield Input(placeholder="search in results (enter: find, escape: close)",
                    id="loki-search")

    def on_mount(self) -> None:
        editor = self.query_one(QueryEditor)
        text = self._initial_query
        if text is None and self._ctx_namespace is None and self._ctx_app is None:
            text = _DRAFTS.get(self.app)  # what the user typed before leaving the pane
        if text is None:
            ns = self._ctx_namespace or (self.session.namespace if self.session else None)
            text = logql.prefill(ns, self._ctx_app)
        editor.text = text
        editor.move_cursor(editor.document.end)
        editor.focus()
        self._render_settings()
        self.watch(self.app, "connection_state", self._connection_changed, init=False)
        self.set_interval(0.1, self._flush_tail)
        super().on_mount()
        if self.session is None and self.app.settings.get("loki.url"):
            self.connect_loki()

    def on_session_ready(self) -> None:
        self.connect_loki()

    def _connection_changed(self, state: str) -> None:
        if state == "connected" and self.client is None:
            self.connect_loki()

    @property
    def editor(self) -> QueryEditor:
        return self.query_one(QueryEditor)

    @property
    def view(self) -> LogView:
        return self.query_one(LogView)

    # -- status ---------------------------------------------------------------------------

    def _range(self) -> logql.TimeRange:
        return logql.resolve_range(self.preset, self.now(), *self.custom)

    def _render_settings(self) -> None:
        where = self.client.description if self.client else "Loki: not connected"
        try:
            rng = self._range().label
        except ValueError as exc:
            rng = f"bad range: {exc}"
        mode = " · TAIL" + (" (paused)" if self.paused else "") if self.tailing else ""
        self.query_one("#loki-settings", Static).update(display.clean(
            f"{where} · {rng} · limit {self.limit} · {self.direction} · "
            f"buffer {self.view.max_lines}{mode}"))

    def set_status(self, text: str) -> None:
        if text != getattr(self, "_status_text", None):
            self._status_text = text
            text = display.clean(text)  # may quote Loki's or the server's words
            # one fixed-height line: no layout pass needed (the tail updates it 10x a second)
            self.query_one("#loki-status", Static).update(text, layout=False)

    def show_error(self, message: str | None) -> None:
        message = message or ""
        if message == getattr(self, "_error_text", None):
            return  # clearing an absent error must not cost a layout pass per query
        self._error_text = message
        err = self.query_one("#loki-error", Static)
        err.update(display.clean(message, multiline=True))  # Loki's response text
        err.set_class(bool(message), "shown")

    # -- connection -----------------------------------------------------------------------

    @work(exclusive=True, group="loki-connect", description="loki-connect")
    async def connect_loki(self) -> None:
        from .client import connect

        settings = getattr(self.app, "settings", None)
        # where the board found Loki first: with cluster-wide Services denied, the
        # fallback then looks there before the session's namespace
        det = (getattr(self.app, "detections", None) or {}).get("loki")
        detected = det.namespace if det is not None and det.installed is True else None
        prefer = [n for n in (detected, self._ctx_namespace,
                              self.session.namespace if self.session else None) if n]
        try:
            self.client = await connect(self.session, settings, prefer_namespaces=prefer)
        except LokiError as exc:
            self.set_status("Loki unavailable")
            self.show_error(str(exc))
            return
        self.show_error(None)
        self.set_status("ready — enter runs the query, tab completes, f follows (live tail)")
        self._render_settings()
        if self._run_on_connect:
            self._run_on_connect = False
            self.action_run()

    @on(events.Unmount)
    async def _close_client(self) -> None:
        """The Loki client goes with the pane (PluginPane's own unmount handler, called
        too, ends the watches)."""
        if self.client is not None:
            await self.client.aclose()

    # -- running queries ------------------------------------------------------------------

    @on(QueryEditor.Submitted)
    def action_run(self) -> None:
        self._close_completion()
        query = self.editor.text.strip()
        if not query:
            self.show_error("type a LogQL query first, e.g. {namespace=\"default\"}")
            return
        self.stop_tail()
        self.history.add(query)
        self.run_query(query)

    @work(exclusive=True, group="loki-query", description="loki-query")
    async def run_query(self, query: str) -> None:
        if self.client is None:
            self.show_error("Loki is not connected yet")
            return
        try:
            rng = self._range()
        except ValueError as exc:
            self.show_error(str(exc))
            return
        self.set_status(f"running… ({rng.label})")
        step = rng.step() if logql.is_metric_query(query) else None
        t0 = time.perf_counter()
        try:
            result = await self.client.query_range(query, start=rng.start, end=rng.end,
                                                   limit=self.limit, direction=self.direction,
                                                   step=step)
        except LokiError as exc:
            self.set_status("query failed — the query text is kept; fix it and press enter")
            self.show_error(str(exc))
            return
        elapsed = time.perf_counter() - t0
        self.show_error(None)
        self.show_result(result, elapsed)
        if result.kind == "streams" and not result.rows:
            await self._explain_empty(rng)

    async def _explain_empty(self, rng: logql.TimeRange) -> None:
        """0 lines: a too narrow query, or a Loki that receives nothing at all -- the usual
        week-1 gap, since neither the Loki chart nor kube-prometheus-stack ships a log
        collector. One ``/labels`` request tells the two apart."""
        if self.client is None:
            return
        try:
            names = await self.client.labels(start=rng.start, end=rng.end)
        except LokiError:
            return  # the hint is optional; the query itself worked
        if not names:
            self.set_status(f"0 lines — Loki holds no logs at all ({rng.label}): is a log "
                            "collector (Grafana Alloy, Promtail, Fluent Bit) shipping to it?")

    def show_result(self, result: QueryResult, elapsed: float | None = None) -> None:
        self.result = result
        took = f" in {elapsed:.2f}s" if elapsed is not None and not self.app.options.now \
            else ""
        if result.kind == "streams":
            self.remove_class("metric")
            self.view.follow = False
            self.view.set_rows(result.rows, result.streams)
            hit_limit = " (limit reached)" if len(result.rows) >= self.limit else ""
            self.set_status(f"{len(result.rows)} lines{hit_limit}{took}")
        else:
            self.add_class("metric")
            table = self.query_one(DataTable)
            table.clear(columns=True)
            table.add_columns("series", "last", "min", "max", "trend")
            for s in result.series:
                vals = [v for _t, v in s.points]
                # a series name is its labels (any tenant's values): a Text, never markup
                table.add_row(display.text(s.name), _num(vals[-1]), _num(min(vals)),
                              _num(max(vals)), sparkline(vals))
            self.set_status(f"{result.kind}: {len(result.series)} series{took}")

    # -- live tail ------------------------------------------------------------------------

    def action_tail(self) -> None:
        if self.tailing:
            self.stop_tail()
            self.set_status(f"tail stopped — {len(self.view.entries)} lines kept")
            return
        query = self.editor.text.strip()
        if not query or self.client is None:
            self.show_error("Loki is not connected yet" if query else "type a query to tail")
            return
        if logql.is_metric_query(query):
            self.show_error("live tail needs a log query (no metric functions)")
            return
        self.history.add(query)
        self.remove_class("metric")
        self.show_error(None)
        self.tailing, self.paused, self.dropped = True, False, 0
        self._held.clear()
        self._held_lines = 0
        self.view.clear()
        self.view.follow = True
        self._tail_count, self._tail_t0 = 0, time.perf_counter()
        self._render_settings()
        self.set_status("tailing… (f stops, p pauses)")
        self.tail_worker(query)

    @work(exclusive=True, group="loki-tail", description="loki-tail")
    async def tail_worker(self, query: str) -> None:
        assert self.client is not None
        start = self.now() - logql.parse_duration("1m")
        try:
            await self.client.tail(query, self._on_batch, start=start, limit=100)
        except LokiError as exc:
            self.show_error(str(exc))
            self.set_status("tail failed — the query text is kept")
        finally:
            self.tailing = False
            if self.is_attached:
                self._render_settings()

    def _on_batch(self, batch: TailBatch) -> None:
        """Called per websocket message: only queue the lines; the view gets them in one
        batch per tick (``_flush_tail``), so a burst costs one repaint, not one per line."""
        self.dropped += batch.dropped
        if not batch.rows:
            return
        self._held.append(batch)
        self._held_lines += len(batch.rows)
        self._tail_count += len(batch.rows)
        cap = self.view.max_lines
        while self._held_lines > cap:  # paused for long: let the oldest waiting lines go
            first, over = self._held[0], self._held_lines - cap
            if len(first.rows) <= over:
                self._held.popleft()
                over = len(first.rows)
            else:
                first.rows = first.rows[over:]
            self._held_lines -= over
            self.view.evicted += over

    def _take_held(self) -> None:
        held = [(b.rows, b.streams) for b in self._held]
        self._held.clear()
        self._held_lines = 0
        self.view.append_batches(held)

    def _flush_tail(self) -> None:
        if not self.tailing:
            return
        if self._held and not self.paused:
            self._take_held()
        self._tail_status()

    def _tail_status(self) -> None:
        v = self.view
        state = "paused" if self.paused else "tailing"
        mode = f" via {self.client.tail_mode}" if self.client and self.client.tail_mode else ""
        dropped = f" · dropped by Loki: {self.dropped}" if self.dropped else ""
        evicted = f" · {v.evicted} older lines let go" if v.evicted else ""
        held = f" · {self._held_lines} waiting" if self._held else ""
        self.set_status(f"{state}{mode}: {len(v.entries)}/{v.max_lines} lines kept"
                        f"{held}{dropped}{evicted}")

    def stop_tail(self) -> None:
        if self.tailing:
            self.workers.cancel_group(self, "loki-tail")
            self.tailing = False
            self.paused = False
            self.view.follow = False
            if self._held:
                self._take_held()
            self._render_settings()

    def action_pause(self) -> None:
        if not self.tailing:
            return
        self.paused = not self.paused
        self.view.follow = not self.paused
        if not self.paused:
            self._flush_tail()
        self._tail_status()
        self._render_settings()

    # -- settings -------------------------------------------------------------------------

    def action_cycle_range(self) -> None:
        i = PRESET_CYCLE.index(self.preset) if self.preset in PRESET_CYCLE else -1
        nxt = PRESET_CYCLE[(i + 1) % len(PRESET_CYCLE)]
        if nxt == "custom":
            self.app.push_screen(RangeScreen(*self.custom), self._custom_chosen)
            return
        self.preset = nxt
        self._value_cache.clear()
        self._render_settings()

    def _custom_chosen(self, value: tuple[str, str] | None) -> None:
        if value is None:
            self.preset = PRESET_CYCLE[0]
        else:
            try:
                logql.resolve_range("custom", self.now(), *value)
            except ValueError as exc:
                self.show_error(str(exc))
                return
            self.preset, self.custom = "custom", value
            self.show_error(None)
        self._value_cache.clear()
        self._render_settings()

    def action_cycle_limit(self) -> None:
        self.limit = LIMITS[(LIMITS.index(self.limit) + 1) % len(LIMITS)] \
            if self.limit in LIMITS else LIMITS[0]
        self._render_settings()

    def action_toggle_direction(self) -> None:
        self.direction = "forward" if self.direction == "backward" else "backward"
        self._render_settings()

    def action_cycle_buffer(self) -> None:
        cur = self.view.max_lines
        nxt = BUFFERS[(BUFFERS.index(cur) + 1) % len(BUFFERS)] if cur in BUFFERS else BUFFERS[0]
        self.view.set_max_lines(nxt)
        self._render_settings()

    # -- history --------------------------------------------------------------------------

    def action_save_query(self) -> None:
        saved = self.history.toggle_saved(self.editor.text)
        self.notify("query saved" if saved else "query removed from saved", timeout=3)

    def action_history(self) -> None:
        def chosen(query: str | None) -> None:
            if query:
                self.editor.text = query
                self.editor.move_cursor(self.editor.document.end)
            self.editor.focus()

        self.app.push_screen(PickScreen(self.history.saved, self.history.history), chosen)

    # -- search / detail / focus ----------------------------------------------------------

    def action_search(self) -> None:
        box = self.query_one("#loki-search", Input)
        box.add_class("open")
        focus_now(box)  # before the next queued key (a pasted "/error" goes in the box)

    def _results(self) -> Any:
        """The widget that shows the results: the log view, or the metric table."""
        return self.query_one(DataTable) if self.has_class("metric") else self.view

    def main_widget(self) -> Any:
        return self._results()

    def action_results(self) -> None:
        """``ctrl+g``: from the editor to the results, and back."""
        self._close_completion()
        if self.editor.has_focus:
            focus_now(self._results())
        else:
            focus_now(self.editor)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # ctrl+b pages up in the results (every table's key); it cycles the buffer only
        # from the editor, where no table is focused
        if action == "cycle_buffer":
            return self.editor.has_focus
        return super().check_action(action, parameters)

    @on(Input.Submitted, "#loki-search")
    def _search(self, event: Input.Submitted) -> None:
        count = self.view.set_search(event.value)
        self.set_status(f"{count} lines match {event.value!r} (n/N: next/previous)"
                        if event.value else "search cleared")
        event.input.remove_class("open")
        self.view.focus()

    @on(LogView.Selected)
    def _detail(self, event: LogView.Selected) -> None:
        self.app.push_screen(DetailScreen(event.entry))

    def action_trace(self) -> None:
        """``t`` on a result line (and in its detail view): open the trace it carries.

        Live tail moved to ``f`` (follow, as ``tail -f``) so ``t`` can mean trace, as the
        issue asks; the status line says so when a line has no id, so a ``t`` pressed from
        habit to tail explains itself."""
        from .traceids import trace_id_of

        view = self.view
        if self.has_class("metric") or not 0 <= view.cursor < len(view.entries):
            self.set_status("select a log line first (f follows, t opens a line's trace)")
            return
        entry = view.entries[view.cursor]
        if trace_id_of(entry.line, entry.labels) is None:
            self.set_status("this line carries no trace id (traceID=…, trace_id=…, "
                            "traceparent) — f follows (live tail)")
        elif not open_trace_of(self.app, entry):
            self.set_status("no tracing plugin (jaeger) is installed")

    def action_edit(self) -> None:
        self.editor.focus()

    async def action_back(self) -> None:
        """Completion, then the search box, then the editor (left for the results), then a
        search highlight, then back. The query text is never cleared."""
        if self._completion is not None:
            self._close_completion()
            return
        box = self.query_one("#loki-search", Input)
        if box.has_class("open"):
            box.remove_class("open")
            focus_now(self.view)
            return
        if self.editor.has_focus:
            focus_now(self._results())
            return
        if self.view.search:
            self.view.set_search("")
            self.set_status("search cleared")
            return
        await self.screen.run_action("back")

    # -- completion -----------------------------------------------------------------------

    @on(TextArea.Changed, "#loki-query")
    def _text_changed(self) -> None:
        _DRAFTS[self.app] = self.editor.text  # kept for the next time the pane opens
        c = self._completion_here()
        if self._completion is not None or (c.kind in ("label_name", "label_value", "stage")
                                            and self.editor.has_focus):
            self.open_completion(c)

    def _completion_here(self) -> logql.Completion:
        ed = self.editor
        row, col = ed.cursor_location
        lines = ed.text.split("\n")
        offset = sum(len(line) + 1 for line in lines[:row]) + col
        return logql.completion_at(ed.text, offset)

    @on(QueryEditor.CompletionKey)
    def _completion_key(self, event: QueryEditor.CompletionKey) -> None:
        ol = self.query_one("#loki-complete", OptionList)
        if event.key == "open":
            self.open_completion(self._completion_here(), force=True)
        elif event.key == "escape":
            self._close_completion()
        elif event.key == "up":
            ol.action_cursor_up()
        elif event.key == "down":
            ol.action_cursor_down()
        elif event.key in ("enter", "tab"):
            idx = ol.highlighted
            if idx is not None and self._completion is not None and idx < len(self._items):
                self.accept(self._items[idx])
            else:
                self._close_completion()

    def open_completion(self, c: logql.Completion, force: bool = False) -> None:
        if c.kind == "none":
            self._close_completion()
            return
        self._completion = c
        if c.kind in ("label_name", "label_value"):
            self.fetch_completion(c)
            return
        self._show_items(c, logql.static_items(c), force)

    def _show_items(self, c: logql.Completion, items: list[str], force: bool = False) -> None:
        if self._completion != c:
            return
        ol = self.query_one("#loki-complete", OptionList)
        self._items = items
        if not items:
            ol.remove_class("open")
            self.editor.completion_open = False
            if force:
                self.set_status(f"no completions for {c.kind.replace('_', ' ')}")
            return
        ol.clear_options()
        ol.add_options([Option(display.text(i)) for i in items])  # label values from Loki
        ol.highlighted = 0
        ol.add_class("open")
        self.editor.completion_open = True

    @work(exclusive=True, group="loki-complete", description="loki-complete")
    async def fetch_completion(self, c: logql.Completion) -> None:
        if self.client is None:
            self._show_items(c, [])
            return
        try:
            rng = self._range()
        except ValueError:
            rng = logql.resolve_range("1h", self.now())
        key = (c.kind, c.label, c.selector)
        pool = self._value_cache.get(key)
        if pool is None:
            try:
                if c.kind == "label_name":
                    pool = await self.client.labels(start=rng.start, end=rng.end,
                                                    query=c.selector)
                else:
                    pool = await self.client.label_values(c.label, start=rng.start, end=rng.end,
                                                          query=c.selector)
            except LokiError as exc:
                self.set_status(f"completion unavailable: {exc}")
                pool = []
            self._value_cache[key] = pool
        self._show_items(c, logql.candidates(c, pool))

    @on(OptionList.OptionSelected, "#loki-complete")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.accept(self._items[event.option_index])

    def accept(self, item: str) -> None:
        c = self._completion
        if c is None:
            return
        text, cursor = logql.apply(self.editor.text, c, item)
        self._close_completion()
        ed = self.editor
        ed.text = text
        ed.move_cursor(_location(text, cursor))
        ed.focus()
        nxt = self._completion_here()
        if nxt.kind in ("operator", "label_value") and c.kind in ("label_name", "operator"):
            self.open_completion(nxt)

    def _close_completion(self) -> None:
        self._completion = None
        self._items = []
        self.query_one("#loki-complete", OptionList).remove_class("open")
        self.editor.completion_open = False


def _pad(text: str, cells: int) -> str:
    """``text`` padded to ``cells`` terminal cells (never cut: a detail shows it all)."""
    return text + " " * max(0, cells - display.width(text))


def _location(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset].split("\n")
    return len(before) - 1, len(before[-1])


def _num(v: float) -> str:
    return str(int(v)) if v == int(v) else f"{v:.3g}"


def open_trace_of(app: Any, entry: LogEntry) -> bool:
    """Open the tracing pane on the trace ``entry`` carries; False when it carries none or
    no tracing plugin is installed."""
    import importlib

    from .traceids import trace_id_of

    tid = trace_id_of(entry.line, entry.labels)
    registry = getattr(app, "registry", None)
    if tid is None or registry is None or registry.get("jaeger") is None:
        return False
    importlib.import_module("k8s_essentials_tui.plugins.jaeger.pane").open_trace(app, tid)
    return True


def open_logs(app: Any, namespace: str | None = None, app_label: str | None = None,
              query: str | None = None, time_range: tuple[str, str] | None = None,
              run: bool = False) -> None:
    """Open the Loki pane prefilled for a namespace/workload (``{namespace="x", app="y"}``),
    or with ``query`` over ``time_range`` (custom start, end), run at once when ``run``."""
    from k8s_essentials_tui.api import ComponentScreen

    plugin = app.registry.get("loki")

    class _Screen(ComponentScreen):
        def compose(self) -> ComposeResult:
            yield self.app.make_status_bar()
            yield Static(f" {plugin.title} — {plugin.why}", id="pane-title", markup=False)
            yield LokiPane(plugin, namespace=namespace, app_label=app_label, query=query,
                           time_range=time_range, run=run)
            from k8s_essentials_tui.api import KeyFooter

            yield KeyFooter()

    app.push_screen(_Screen(plugin))


__all__ = ["LokiPane", "open_logs", "open_trace_of", "sparkline"]
