"""The tracing pane: search Jaeger, pick a trace, read it as a waterfall, jump to its logs.

Layout (top to bottom): where Jaeger is; the search form (service, operation, tags,
min/max duration, since, limit -- service and operation complete from the server); a
status/error line; then either the results table or the trace view (a header, the time
axis, the virtualised :class:`Waterfall`).

All Jaeger I/O runs in exclusive workers (``jaeger-connect``, ``jaeger-search``,
``jaeger-trace``, ``jaeger-operations``) -- except the trace :func:`open_trace` asks for
before the pane exists, which the pane's connect worker then takes over; a failure shows
Jaeger's own message in the pane and keeps the form as typed.

Keys: ``ctrl+r`` (or enter in the form) searches, ``e`` edits the search, ``ctrl+o`` picks
a recent search, ``s`` sorts the results (start/duration), ``enter`` opens a trace or a
span's details, ``space`` folds a subtree, ``c``/``x`` jump to the next critical-path /
error span, ``l`` opens the span's service logs in the Loki pane, ``/`` filters,
``escape`` leaves the form, clears the filter, closes the trace, then goes back.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult, ScreenStackError
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import ContentSwitcher, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from k8s_essentials_tui.api import PluginPane, VirtualTable, clean, display_text, fit

from .client import JaegerClient, JaegerError, SearchQuery, SearchResult
from .history import SearchHistory, describe
from .model import (
    Span,
    Trace,
    TraceSummary,
    format_duration,
    from_us,
    parse_duration,
    parse_tag_filter,
    self_time,
)
from .waterfall import header_lines, layout
from .waterfall_view import Waterfall

FORM = ("service", "operation", "tags", "min", "max", "since", "limit")
COLUMNS = ("START", "ROOT", "DURATION", "SPANS", "ERR", "SERVICES", "TRACE ID")


class SpanScreen(ModalScreen[str | None]):
    """A span's attributes, events/logs, process and references (escape closes; ``l``
    closes and opens the span's logs)."""

    DEFAULT_CSS = """
    SpanScreen { align: center middle; }
    SpanScreen > VerticalScroll { width: 94%; height: 90%; border: thick $accent;
        background: $panel; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,enter", "dismiss_none", "Close", id="jaeger.span.close"),
        Binding("l", "logs", "Logs", id="jaeger.span.logs"),
    ]

    def __init__(self, trace: Trace, index: int) -> None:
        super().__init__()
        self.trace = trace
        self.index = index

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(span_detail(self.trace, self.index), id="span-detail")

    def action_dismiss_none(self) -> None:
        self.dismiss(None)

    def action_logs(self) -> None:
        self.dismiss("logs")


def span_detail(trace: Trace, index: int) -> Text:
    """The detail text; every value from Jaeger goes through the text boundary."""
    span = trace.spans[index]
    out = Text()

    def head(title: str) -> None:
        out.append(f"\n{title}\n", style="bold underline")

    def row(key: str, value: str) -> None:
        out.append(fit(clean(key), 24), style="bold")
        out.append(" ")
        out.append_text(display_text(value, multiline=True))
        out.append("\n")

    out.append_text(display_text(f"{span.service}: {span.operation}", "bold"))
    out.append("\n")
    row("span id", span.span_id)
    row("parent", span.parent_id or "(root)")
    row("start", f"+{format_duration(span.start - trace.start)}  "
                 f"({from_us(span.start).isoformat()})")
    own = format_duration(self_time(trace, index))
    row("duration", f"{format_duration(span.duration)} (self {own})")
    if span.kind:
        row("kind", span.kind)
    row("status", ("ERROR" if span.error else "ok")
        + (f": {span.status_message}" if span.status_message else ""))
    row("critical path", "yes" if index in trace.critical else "no")
    head(f"Attributes ({len(span.tags)})")
    for k, v in span.tags:
        row(k, v)
    head(f"Events / logs ({len(span.logs)})")
    for lg in span.logs:
        out.append(f"+{format_duration(lg.time - trace.start)}\n", style="bold")
        for k, v in lg.fields:
            row(f"  {k}", v)
    head("Process")
    row("service", span.service)
    if span.host:
        row("host", span.host)
    for k, v in span.process_tags:
        row(k, v)
    head(f"References ({len(span.references)})")
    for kind, tid, sid in span.references:
        row(kind, f"{tid}/{sid}")
    for w in span.warnings:
        row("warning", w)
    return out


class HistoryScreen(ModalScreen[dict[str, str] | None]):
    DEFAULT_CSS = """
    HistoryScreen { align: center middle; }
    HistoryScreen > Vertical { width: 90%; height: 70%; border: thick $accent; background: $panel; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss_none", "Close", id="jaeger.history.close")]

    def __init__(self, searches: list[dict[str, str]]) -> None:
        super().__init__()
        self.searches = searches

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(" Recent searches (enter: use, escape: close)", markup=False)
            yield OptionList(*[Option(display_text(describe(s)), id=str(i))
                               for i, s in enumerate(self.searches)], id="jaeger-history")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.searches[int(event.option_id or 0)])

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class TracingPane(PluginPane):
    DEFAULT_CSS = """
    TracingPane #jaeger-where { height: 1; color: $text-muted; }
    TracingPane .form-row { height: 1; }
    TracingPane .form-row Label { width: auto; padding: 0 1 0 0; color: $text-muted; }
    TracingPane .form-row Input { width: 1fr; margin: 0 1 0 0; }
    TracingPane #jaeger-service { width: 2fr; }
    TracingPane #jaeger-operation { width: 3fr; }
    TracingPane #jaeger-tags { width: 3fr; }
    TracingPane #jaeger-min, TracingPane #jaeger-max, TracingPane #jaeger-since,
    TracingPane #jaeger-limit { width: 1fr; }
    TracingPane #jaeger-error { height: auto; max-height: 3; color: $error; display: none; }
    TracingPane #jaeger-error.shown { display: block; }
    TracingPane #jaeger-status { height: 1; }
    TracingPane #jaeger-trace-head { height: auto; }
    TracingPane #jaeger-axis { height: 1; color: $text-muted; }
    TracingPane #jaeger-filter { display: none; }
    TracingPane #jaeger-filter.open { display: block; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "search", "Search", id="jaeger.search", priority=True),
        Binding("e", "edit", "Edit", id="jaeger.edit"),
        Binding("ctrl+o", "history", "History", id="jaeger.history", priority=True),
        Binding("s", "sort", "Sort", id="jaeger.sort"),
        Binding("l", "logs", "Logs", id="jaeger.logs"),
        Binding("slash", "filter", "Filter", id="jaeger.filter", priority=True),
        Binding("escape", "back", "Back", show=False, id="jaeger.escape"),
    ]

    def __init__(self, plugin: Any, *, trace_id: str | None = None, service: str | None = None,
                 prefetch: asyncio.Future[Prefetched] | None = None, **kwargs: Any) -> None:
        super().__init__(plugin, **kwargs)
        #: the trace request :func:`open_trace` started before this pane was composed
        self._prefetch = prefetch
        self.client: JaegerClient | None = None
        self.result: SearchResult | None = None
        self.trace: Trace | None = None
        self.sort = "start"
        self.filter_text = ""
        self.history = SearchHistory.load()
        self._initial_trace = trace_id
        self._initial_service = service
        self._services: list[str] = []
        self._error_text = ""
        #: the form field a search was started from (its focus comes back on failure)
        self._search_from: Input | None = None
        #: the search request in flight (started by :meth:`action_search`)
        self._request: asyncio.Future[SearchResult] | None = None
        #: ends the frames a search holds (:meth:`_hold_frames`)
        self._release: Callable[[], None] | None = None
        #: seconds the last search took (shown nowhere: snapshots must not change)
        self.elapsed = 0.0

    # -- composition ----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("", id="jaeger-where", markup=False)
        with Horizontal(classes="form-row"):
            yield Label("svc")
            yield Input(id="jaeger-service", compact=True, placeholder="service")
            yield Label("op")
            yield Input(id="jaeger-operation", compact=True, placeholder="any operation")
        with Horizontal(classes="form-row"):
            yield Label("tags")
            yield Input(id="jaeger-tags", compact=True, placeholder="error=true k=v")
            yield Label("min")
            yield Input(id="jaeger-min", compact=True, placeholder="500ms")
            yield Label("max")
            yield Input(id="jaeger-max", compact=True, placeholder="")
            yield Label("since")
            yield Input("1h", id="jaeger-since", compact=True)
            yield Label("lim")
            yield Input("20", id="jaeger-limit", compact=True)
        yield Static("", id="jaeger-error", markup=False)
        yield Static("connecting to Jaeger…", id="jaeger-status", markup=False)
        # opened on a trace: its view is the one composed visible (and focused at mount),
        # so the trace arrives into a laid-out screen and the focus does not move again
        first = "jaeger-trace" if self._initial_trace else "jaeger-results"
        with ContentSwitcher(initial=first, id="jaeger-body"):
            yield VirtualTable(id="jaeger-results", select_on_enter=True)
            with Vertical(id="jaeger-trace"):
                yield Static("", id="jaeger-trace-head")
                yield Static("", id="jaeger-axis")
                yield Waterfall(id="jaeger-waterfall")
        yield Input(placeholder="filter (enter: apply, escape: close)", id="jaeger-filter")

    def on_mount(self) -> None:
        table = self.table
        table.set_data(COLUMNS, [])
        # the results' scrollbar is made (hidden) and styled with the pane, not when the
        # first search fills the table (Textual makes it on first use)
        table.vertical_scrollbar.display = False
        if self._initial_service:
            self._input("service").value = self._initial_service
        if self._initial_trace:
            self.waterfall.focus()
            self.set_status(f"loading trace {self._initial_trace}…")
        else:
            self._input("service").focus()
        super().on_mount()
        settings = getattr(self.app, "settings", None)
        if self.session is None and settings is not None and settings.get("jaeger.url"):
            self.connect_jaeger()

    def on_session_ready(self) -> None:
        self.connect_jaeger()

    def _input(self, name: str) -> Input:
        return self.query_one(f"#jaeger-{name}", Input)

    @property
    def waterfall(self) -> Waterfall:
        return self.query_one(Waterfall)

    @property
    def table(self) -> VirtualTable:
        return self.query_one("#jaeger-results", VirtualTable)

    def showing_trace(self) -> bool:
        return self.query_one(ContentSwitcher).current == "jaeger-trace"

    def main_widget(self) -> Any:
        return self.waterfall if self.showing_trace() else self.table

    # -- status ---------------------------------------------------------------------------

    def set_status(self, text: str) -> None:
        # one line high whatever it says: a repaint, not a layout of the whole screen
        self.query_one("#jaeger-status", Static).update(clean(text), layout=False)

    def show_error(self, message: str | None) -> None:
        if (message or "") == self._error_text:
            return  # clearing an absent error must not cost a style pass per search
        self._error_text = message or ""
        err = self.query_one("#jaeger-error", Static)
        err.update(clean(message or "", multiline=True))
        err.set_class(bool(message), "shown")

    def _render_where(self) -> None:
        where = self.client.description if self.client else "Jaeger: not connected"
        api = f" · API {self.client.api}" if self.client and self.client.api != "auto" else ""
        self.query_one("#jaeger-where", Static).update(clean(f"{where}{api}"), layout=False)

    # -- connection -----------------------------------------------------------------------

    @work(exclusive=True, group="jaeger-connect", description="jaeger-connect")
    async def connect_jaeger(self) -> None:
        try:
            if self._prefetch is not None:  # the trace was asked for before the screen
                # shielded: a restarted connect must not cancel the request it waits on
                client, got = await asyncio.shield(self._prefetch)
                self.client, self._prefetch = client, None
                self.show_error(None)  # before the trace's own error, which must stay
                tid, self._initial_trace = self._initial_trace or "", None
                self._got_trace(tid, got)
            else:
                client = self.client = await open_client(self.app)
                self.show_error(None)
            if self._initial_trace:  # opened on a trace: fetch it first, services meanwhile
                tid, self._initial_trace = self._initial_trace, None
                self.load_trace(tid)
            self._services = await client.services()
        except JaegerError as exc:
            self.set_status("Jaeger unavailable")
            self.show_error(str(exc))
            self._render_where()
            return
        self._render_where()
        self._input("service").suggester = SuggestFromList(self._services,
                                                           case_sensitive=False)
        if self.trace is None:  # a trace being shown keeps its own status line
            self.set_status(f"{len(self._services)} services — type one, enter searches"
                            if self._services else "Jaeger has no traces yet (no services)")
        if self._initial_service:
            self.action_search()

    @on(events.Unmount)
    async def _close_client(self) -> None:
        """The Jaeger client goes with the pane (PluginPane's own unmount handler, called
        too, ends the watches), and so does a trace request the pane never took; frames a
        search still holds come back."""
        if self._release is not None:
            self._release()
        fetch, self._prefetch = self._prefetch, None
        if fetch is not None:
            if not fetch.done():
                fetch.cancel()
            elif not fetch.cancelled() and fetch.exception() is None:
                await fetch.result()[0].aclose()
        if self.client is not None:
            await self.client.aclose()

    # -- search ---------------------------------------------------------------------------

    def form(self) -> dict[str, str]:
        return {k: self._input(k).value.strip() for k in FORM}

    def _query(self, form: dict[str, str]) -> SearchQuery:
        if not form["service"]:
            raise ValueError("type a service first (tab completes from Jaeger's list)")
        tags = dict(parse_tag_filter(t) for t in form["tags"].split())
        text = form["limit"] or "20"
        if not text.isdigit() or not 0 < int(text) <= 1500:
            raise ValueError("limit must be a number between 1 and 1500")
        limit = int(text)
        now = self.now()
        since = timedelta(microseconds=parse_duration(form["since"] or "1h"))
        return SearchQuery(
            form["service"], form["operation"], tags,
            parse_duration(form["min"]) if form["min"] else None,
            parse_duration(form["max"]) if form["max"] else None, now - since, now, limit)

    @on(Input.Submitted, "#jaeger-service, #jaeger-operation, #jaeger-tags, #jaeger-min, "
                         "#jaeger-max, #jaeger-since, #jaeger-limit")
    def _submitted(self) -> None:
        self.action_search()

    def action_search(self) -> None:
        form = self.form()
        try:
            query = self._query(form)
        except ValueError as exc:
            self.show_error(str(exc))
            return
        if self.client is None:
            self.show_error("Jaeger is not connected yet")
            return
        # the request is started before anything else, and the screen paints nothing
        # until the rows are shown (or 0.1 s have passed: see :meth:`_hold_frames`)
        if self._request is not None:
            self._request.cancel()  # a newer search replaces the one in flight
        release = self._hold_frames()
        self._request = request = asyncio.ensure_future(self.client.search(query))
        # the table takes the focus now (keys typed next go to it), a failed search gives
        # the form field its focus back
        self._search_from = self.screen.focused if isinstance(self.screen.focused,
                                                              Input) else None
        self.query_one(ContentSwitcher).current = "jaeger-results"
        self.trace = None
        self.table.focus()
        self.run_search(query, request, form, release)

    def _hold_frames(self, limit: float = 0.1) -> Callable[[], None]:
        """Hold the app's layouts and frames (``App.batch_update``) until the returned
        function is called, or ``limit`` seconds at most; returns that function. Keys are
        still handled meanwhile; only painting waits.

        Why: the focus move of a search (the form's restyle, the table's, the footer's
        keys: a layout and two or three frames, 15-25 ms of the loop) was painted while
        the request was on its way, then the rows in a frame of their own. It delayed the
        request too: httpx reaches the socket only after about ten turns of the loop
        (Jaeger closes every connection, so each search connects again) and the screen
        laid out and painted in those turns; and on this busy 2-core machine it took CPU
        from Jaeger while it searched. Held, the request goes out at once and one frame
        shows the focus move with the rows when Jaeger answers within ``limit`` (an
        operator sees one change instead of two); a slower answer gets the focus move
        painted at ``limit`` and the rows when they come, as before."""
        app = self.app
        hold = app.batch_update()
        hold.__enter__()
        done = False

        def release() -> None:
            nonlocal done
            if done:
                return
            done = True
            timer.stop()
            hold.__exit__(None, None, None)
            try:
                screen = app.screen
            except ScreenStackError:  # the app is closing
                return
            # the screen's update timer paused while held: an idle prompt resumes it
            screen.check_idle()

        # the app's timer, not the pane's: a pane removed meanwhile must not keep the
        # whole app from painting (its unmount releases too)
        timer = app.set_timer(limit, release, name="jaeger-search-hold")
        self._release = release
        return release

    @work(exclusive=True, group="jaeger-search", description="jaeger-search")
    async def run_search(self, query: SearchQuery, request: asyncio.Future[SearchResult],
                         form: dict[str, str] | None = None,
                         release: Callable[[], None] | None = None) -> None:
        try:
            await self._search(query, request)
        finally:
            if release is not None:
                release()  # the next frame shows the rows or the error
        if form is not None:
            # a disk write: after that frame (written while the request was on its way,
            # it took turns of the loop the request needed)
            self.call_after_refresh(self.history.add, form)

    async def _search(self, query: SearchQuery, request: asyncio.Future[SearchResult]
                      ) -> None:
        t0 = time.perf_counter()
        try:
            self.set_status(f"searching {query.describe()}…")
            result = await request
        except JaegerError as exc:
            self.set_status("search failed — the form is kept; fix it and press enter")
            self.show_error(str(exc))
            back = self._search_from
            if back is not None and back.is_attached:
                back.focus()
            return
        finally:
            request.cancel()  # a newer search replaced this one: its request goes too
        self.show_error(None)
        self.result = result
        self.show_results()
        self.elapsed = time.perf_counter() - t0
        self.set_status(f"{len(result.summaries)} traces of {query.describe()} "
                        "— enter opens, s sorts")

    def _sorted(self) -> list[TraceSummary]:
        rows = list(self.result.summaries) if self.result else []
        key = (lambda s: s.duration) if self.sort == "duration" else (lambda s: s.start)
        rows.sort(key=key, reverse=True)
        f = self.filter_text.lower()
        if f:
            rows = [s for s in rows if f in s.root_operation.lower()
                    or f in s.root_service.lower() or f in s.trace_id
                    or any(f in k.lower() for k in s.services)]
        return rows

    def show_results(self) -> None:
        """All rows at once into the virtualised table (it paints only the visible ones;
        a DataTable measured and styled all 500 and made the search 6x its fetch)."""
        summaries = self._sorted()
        durations = [format_duration(s.duration) for s in summaries]
        # numbers right-aligned under their heading (the table pads cells on the right)
        dw = max([len(COLUMNS[2]), *map(len, durations)])
        cw = max([len(COLUMNS[3]), *(len(str(s.span_count)) for s in summaries)])
        ew = max([len(COLUMNS[4]), *(len(str(s.error_count)) for s in summaries)])
        # plain strings: the table cleans them (the text boundary) and makes a Text of a
        # row only when it is painted; only an error count carries a style
        rows = [(s.trace_id, (
            s.time.strftime("%H:%M:%S"),
            f"{s.root_service}: {s.root_operation}",
            d.rjust(dw),
            str(s.span_count).rjust(cw),
            Text(str(s.error_count).rjust(ew), style="bold red") if s.error_count
            else str(s.error_count).rjust(ew),
            ", ".join(s.services),
            s.trace_id)) for s, d in zip(summaries, durations, strict=True)]
        table = self.table
        # whether the rows need the scrollbar is known now: shown before the layout that
        # places the rows, Textual's own check after it finds nothing to change (else it
        # turns the scrollbar on then, and the screen is laid out a second time)
        height = table.container_size.height
        if height and table.styles.overflow_y == "auto":
            table.show_vertical_scrollbar = len(rows) + 1 > height
        table.set_data(COLUMNS, rows)
        table.move_cursor(0)

    def action_sort(self) -> None:
        if self.showing_trace() or self.result is None:
            return
        self.sort = "duration" if self.sort == "start" else "start"
        self.show_results()
        self.set_status("sorted by duration (longest first)" if self.sort == "duration"
                        else "sorted by start (newest first)")

    @on(VirtualTable.Selected, "#jaeger-results")
    def _open_row(self, event: VirtualTable.Selected) -> None:
        tid = str(event.key)
        trace = self.result.trace(tid) if self.result else None
        if trace is not None:
            self.show_trace(trace)
        else:
            self.load_trace(tid)

    @work(exclusive=True, group="jaeger-trace", description="jaeger-trace")
    async def load_trace(self, trace_id: str) -> None:
        if self.client is None:
            self.show_error("Jaeger is not connected yet")
            return
        self.set_status(f"loading trace {trace_id}…")
        try:
            got: Trace | JaegerError = await self.client.trace_off_loop(trace_id)
        except JaegerError as exc:
            got = exc
        self._got_trace(trace_id, got)

    def _got_trace(self, trace_id: str, got: Trace | JaegerError) -> None:
        if isinstance(got, JaegerError):
            self.set_status(f"trace {trace_id}")
            self.show_error(str(got))
            return
        self.show_error(None)
        self.show_trace(got)

    # -- the trace ------------------------------------------------------------------------

    def show_trace(self, trace: Trace) -> None:
        self.trace = trace
        self.filter_text = ""
        lines = header_lines(trace)
        self.query_one("#jaeger-trace-head", Static).update(Text("\n".join(lines)))
        self.query_one(ContentSwitcher).current = "jaeger-trace"
        view = self.waterfall
        view.set_trace(trace)
        self._render_axis()
        self.set_status("enter: span · space: fold · c: critical path · x: next error · "
                        "l: logs · esc: results")
        view.focus()

    def _render_axis(self) -> None:
        trace = self.trace
        width = self.waterfall.scrollable_content_region.width or self.size.width
        if trace is None or width <= 0:
            return
        name_cells, bar_cells = layout(width - 2)
        ticks = [format_duration(trace.duration * k // 4) for k in range(5)]
        axis = [" "] * bar_cells
        for k, label in enumerate(ticks):
            pos = min(max(0, bar_cells * k // 4 - (len(label) if k == 4 else 0)),
                      max(0, bar_cells - len(label)))
            if k and pos < len(axis) and axis[pos - 1] != " ":
                continue
            for j, ch in enumerate(label):
                if pos + j < bar_cells:
                    axis[pos + j] = ch
        self.query_one("#jaeger-axis", Static).update(
            Text(" " * (name_cells + 3) + "".join(axis)))

    def on_resize(self) -> None:
        self.call_after_refresh(self._render_axis)

    @on(Waterfall.Selected)
    def _span_detail(self, event: Waterfall.Selected) -> None:
        trace = self.trace
        if trace is None:
            return

        def closed(result: str | None) -> None:
            if result == "logs":
                self.open_span_logs(event.index)

        self.app.push_screen(SpanScreen(trace, event.index), closed)

    def action_logs(self) -> None:
        index = self.waterfall.current if self.showing_trace() else None
        if index is None:
            self.set_status("open a trace and put the cursor on a span first")
            return
        self.open_span_logs(index)

    def open_span_logs(self, index: int) -> None:
        """The Loki pane with this span's service logs in its time window (and the trace id
        as a line filter when ``jaeger.logs_trace_filter`` is on)."""
        trace = self.trace
        if trace is None:
            return
        settings = getattr(self.app, "settings", None)
        span = trace.spans[index]
        label = str(settings.get("jaeger.logs_service_label", "") or "") if settings else ""
        with_id = bool(settings.get("jaeger.logs_trace_filter", True)) if settings else True
        query, start, end = logs_query(span, trace.trace_id, label or "service_name", with_id)
        try:
            loki = importlib.import_module("k8s_essentials_tui.plugins.loki.pane")
            registry = getattr(self.app, "registry", None)
            if registry is None or registry.get("loki") is None:
                raise LookupError
        except (ImportError, LookupError):
            self.show_error("the Loki plugin is not available")
            return
        loki.open_logs(self.app, query=query, time_range=(start, end), run=True)

    # -- filter, history, escape ---------------------------------------------------------

    def action_filter(self) -> None:
        box = self._input("filter")
        box.value = self.filter_text
        box.add_class("open")
        box.focus()

    @on(Input.Submitted, "#jaeger-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        self.apply_filter(event.value)
        event.input.remove_class("open")
        self.main_widget().focus()

    def apply_filter(self, text: str) -> None:
        self.filter_text = text.strip()
        if self.showing_trace():
            n = self.waterfall.set_filter(self.filter_text)
            self.set_status(f"{n} spans match {self.filter_text!r}" if self.filter_text
                            else "filter cleared")
        else:
            self.show_results()
            self.set_status(f"{self.table.row_count} traces match {self.filter_text!r}"
                            if self.filter_text else "filter cleared")

    def has_filter(self) -> bool:
        return bool(self.filter_text)

    def clear_filter(self) -> None:
        self.apply_filter("")

    def action_edit(self) -> None:
        self._input("service").focus()

    def action_history(self) -> None:
        if not self.history.searches:
            self.set_status("no recent searches yet")
            return

        def chosen(search: dict[str, str] | None) -> None:
            if search:
                for k in FORM:
                    self._input(k).value = search.get(k, "")
                self.action_search()

        self.app.push_screen(HistoryScreen(self.history.searches), chosen)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("sort", "logs", "edit") and self.typing():
            return False
        return super().check_action(action, parameters)

    async def action_back(self) -> None:
        """The filter box, then a form field (left for the table), then the filter, then
        the trace (back to the results), then back."""
        focused = self.screen.focused
        box = self._input("filter")
        if focused is box:
            box.remove_class("open")
            self.main_widget().focus()
            return
        if isinstance(focused, Input):
            self.main_widget().focus()
            return
        if self.has_filter():
            self.clear_filter()
            return
        if self.showing_trace() and self.result is not None:
            self.query_one(ContentSwitcher).current = "jaeger-results"
            self.trace = None
            self.table.focus()
            self.set_status(f"{len(self.result.summaries)} traces")
            return
        await self.screen.run_action("back")


def logs_query(span: Span, trace_id: str, label: str = "service_name",
               with_trace_id: bool = True) -> tuple[str, str, str]:
    """(LogQL, start, end) for a span's service logs in its window (1 s margin each side,
    RFC3339 for the Loki pane's custom range)."""
    value = json.dumps(span.service, ensure_ascii=False)[1:-1]  # a LogQL "..." string
    query = f'{{{label}="{value}"}}'
    if with_trace_id and trace_id:
        query += f' |= "{trace_id}"'
    start = from_us(span.start - 1_000_000).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    end = from_us(span.end + 1_000_000).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return query, start, end


#: what :func:`open_trace` fetched ahead: the client and the trace (or Jaeger's error)
Prefetched = tuple[JaegerClient, Trace | JaegerError]


async def open_client(app: Any) -> JaegerClient:
    """A client for the Jaeger this app reaches: ``jaeger.url``, else the query Service
    (where the board found Jaeger first, then the session's namespace)."""
    from .client import connect

    session = getattr(app, "session", None)
    det = (getattr(app, "detections", None) or {}).get("jaeger")
    detected = det.namespace if det is not None and det.installed is True else None
    prefer = [n for n in (detected, session.namespace if session else None) if n]
    return await connect(session, getattr(app, "settings", None), prefer_namespaces=prefer)


async def prefetch_trace(app: Any, trace_id: str) -> Prefetched:
    """Connect and fetch one trace; a failed connect raises, a failed fetch is returned
    (the pane shows Jaeger's message and keeps the client for its search form)."""
    client = await open_client(app)
    try:
        return client, await client.trace_off_loop(trace_id)
    except JaegerError as exc:
        return client, exc
    except BaseException:  # cancelled: the pane went away before the answer
        await client.aclose()
        raise


def open_trace(app: Any, trace_id: str) -> None:
    """Open the tracing pane on one trace (the Loki pane's ``t`` on a line with a trace id).

    The trace request goes out first, then the screen is composed: on a 10,000-span trace
    the fetch, decode and read (off the loop) overlap the screen's compose and first paint
    instead of following them."""
    from k8s_essentials_tui.api import ComponentScreen, KeyFooter

    plugin = app.registry.get("jaeger")
    settings = getattr(app, "settings", None)
    ready = getattr(app, "session", None) is not None or bool(
        settings is not None and settings.get("jaeger.url"))
    prefetch = asyncio.ensure_future(prefetch_trace(app, trace_id)) if ready else None

    class _Screen(ComponentScreen):
        def compose(self) -> ComposeResult:
            status_bar = getattr(self.app, "make_status_bar", None)
            if status_bar is not None:
                yield status_bar()
            yield Static(f" {plugin.title} — {plugin.why}", id="pane-title", markup=False)
            yield TracingPane(plugin, trace_id=trace_id, prefetch=prefetch)
            yield KeyFooter()

    app.push_screen(_Screen(plugin))


__all__ = ["SpanScreen", "TracingPane", "logs_query", "open_client", "open_trace",
           "prefetch_trace", "span_detail"]
