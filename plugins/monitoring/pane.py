"""The monitoring pane: alerts, silences, targets, rules, a PromQL console, Grafana facts.

Tabs (``1``-``6``): **Alerts** grouped by alertname/severity/namespace (firing first; enter
shows labels, annotations, receivers, generator URL; ``s`` silences), **Silences** (active,
pending, expired; ``x`` expires), **Targets** (down first with lastError; TSDB/build facts
above), **Rules** (evaluation errors first, firing counts), **PromQL** (instant or range query,
a braille plot of range results over a result table, history on up/down, completion of
metric names, label names and values from the server: → accepts; ``ctrl+s`` saves the query
under a name, ``ctrl+o`` picks a saved one), **Grafana** (where it is
exposed, provisioned datasources: names, types and URLs only, dashboards, how to get the
admin password).

Only the visible tab is composed (lazy tabs); the first alerts request starts when the pane
is created, before its screen is composed. Prometheus and Alertmanager are polled (every
``REFRESH`` s, and on ``r``) in exclusive workers; the Grafana facts come from the shared
watch caches. A failure is shown in the tab it concerns, never as a crash. Silences go
through ``Mutation`` (confirm with the amtool command, read-only refusal, RBAC check on
``services/proxy``, audit).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.suggester import Suggester
from textual.widget import Widget
from textual.widgets import ContentSwitcher, DataTable, Input, Static

from k8s_essentials_tui.api import (
    CONFIGMAPS,
    INGRESSES,
    SECRETS,
    SERVICES,
    CacheUpdated,
    Columns,
    EssentialsError,
    KeyTable,
    PluginPane,
    Styled,
    TableData,
    VirtualTable,
    clean,
    display_text,
    fill_rows,
    fit,
    focus_now,
    hold_first_keys,
    hold_first_paint,
    rt,
    set_columns,
    table_data,
)

from . import model, plot, promql
from .client import (
    AlertmanagerClient,
    PrometheusClient,
    connect_alertmanager,
    connect_alertmanager_now,
    connect_prometheus,
)
from .grafana import DASHBOARD_LABEL, DATASOURCE_LABEL, GrafanaFacts, grafana_facts
from .offloop import OffLoopRun
from .tabstrip import TabStrip

PROMETHEUS_RULES = rt("monitoring.coreos.com/v1", "prometheusrules", "PrometheusRule")
#: seconds between polls of Prometheus and Alertmanager
REFRESH = 15.0
TABS = ("alerts", "silences", "targets", "rules", "promql", "grafana")
TAB_TITLES = {t: "PromQL" if t == "promql" else t.capitalize() for t in TABS}
#: an Alertmanager answer larger than this (bytes) is decoded, parsed and grouped in a thread
#: (2,000 alerts are ~1 MB: ~0.1 s of CPU the event loop spends painting meanwhile)
THREAD_BYTES = 256 * 1024
TABLES: dict[str, Columns] = {
    "alerts": Columns(("STATUS", "SEVERITY", "ALERTNAME", "NAMESPACE", "N", "SINCE",
                       "SUMMARY"),
                      ("STATUS", "SEVERITY", "ALERTNAME", "NAMESPACE", "N", "SINCE")),
    "silences": Columns(("STATE", "ID", "MATCHERS", "ENDS", "CREATED BY", "COMMENT"),
                        ("STATE", "ID", "MATCHERS", "ENDS")),
    "targets": Columns(("HEALTH", "JOB", "INSTANCE", "SCRAPE", "LAST ERROR"),
                       ("HEALTH", "JOB", "INSTANCE", "LAST ERROR")),
    "rules": Columns(("HEALTH", "TYPE", "NAME", "STATE", "FIRING", "GROUP", "ERROR"),
                     ("HEALTH", "NAME", "STATE", "FIRING", "ERROR")),
    "promql-table": Columns(("SERIES", "VALUE"), ("SERIES", "VALUE")),
}
#: the alerts table's widest cells, by column (the table cuts a longer summary with "…" when
#: it paints the row: one long summary cannot make it scroll sideways; enter shows it whole)
ALERT_CAPS = {"SUMMARY": 60}
_STATUS_STYLE = {"firing": "bold red", "silenced": "dim", "inhibited": "dim",
                 "down": "bold red", "up": "green", "err": "bold red", "ok": "green",
                 "active": "yellow", "pending": "cyan", "expired": "dim"}


def _age(since: datetime | None, now: datetime) -> str:
    if since is None:
        return "-"
    seconds = max(0, int((now - since).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _until(when: datetime | None, now: datetime) -> str:
    if when is None:
        return "-"
    if when < now:
        return f"{_age(when, now)} ago"
    return f"in {_age(now, when)}"


def _long(value: str, cells: int = 60) -> str:
    """A free-text cell (summary, error, comment) cut so one row cannot make the table
    scroll sideways; enter shows the whole text."""
    return fit(clean(value), cells, pad=False)


def _line(out: Text, value: str, style: str = "") -> None:
    """One line of server text (cleaned: its own newlines are shown, not obeyed)."""
    out.append_text(display_text(value, style))
    out.append("\n")


def _styled(value: str) -> Text:
    return display_text(value, _STATUS_STYLE.get(value, ""))


#: the alerts table's status cells (a VirtualTable): a ``Styled`` pair is painted without a
#: ``Text`` per row (2,000 rows share a handful of values); an unknown state is cleaned
#: by ``table_data`` as every cell
_STATUS_CELL = {value: Styled(value, style) for value, style in _STATUS_STYLE.items()}


def _caps(shown: tuple[str, ...], caps: dict[str, int] | None) -> list[int] | None:
    """A virtual table's ``max_widths`` for these columns (None: no caps)."""
    return [caps.get(name, 1 << 16) for name in shown] if caps else None


def _matches(needle: str, *cells: str) -> bool:
    """Whether any cell contains ``needle`` (lower case; "" matches everything)."""
    return not needle or any(needle in c.lower() for c in cells)


#: table rows: (key, cells)
_Rows = list[tuple[str, list[Any]]]
#: the first alerts answer, made in its thread: the alerts, their groups, the table's data
_FirstAnswer = tuple[list[model.Alert], list[model.AlertGroup], TableData]


def alert_rows(groups: list[model.AlertGroup], now: datetime, filter_text: str,
               shown: tuple[str, ...]) -> _Rows:
    """The alerts table's rows (one per group, the ``shown`` columns), for the filter.

    A pure function of its arguments: the first answer's rows are made in the thread that
    fetched and grouped it (``MonitoringPane._prefetch``), the event loop only hands them to
    the table. Few calls per row (2,000 rows while the screen paints, in a thread sharing
    the interpreter with it): the summary is kept whole and capped by the table
    (``ALERT_CAPS``), each start time's age is worked out once."""
    needle = filter_text.lower()
    names = TABLES["alerts"].names
    pick = None if shown == names else [names.index(name) for name in shown]
    ages: dict[datetime | None, str] = {}
    rows = []
    for g in groups:
        first = g.alerts[0]
        status = g.status
        name, severity, namespace = g.key
        if needle and not _matches(needle, name, severity, namespace, status, first.summary):
            continue
        since = g.since
        age = ages.get(since)
        if age is None:
            age = ages[since] = _age(since, now)
        cells: list[Any] = [_STATUS_CELL.get(status) or Styled(status, ""), severity or "-", name,
                            namespace or "-", str(len(g.alerts)), age, first.summary]
        rows.append(("\x00".join(g.key), cells if pick is None else [cells[i] for i in pick]))
    return rows


class PromQLSuggester(Suggester):
    """Inline completion from the server: metric names (and PromQL words), label names
    inside ``{``, label values inside quotes. Names are fetched once per pane."""

    def __init__(self, pane: MonitoringPane) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.pane = pane
        self.metrics: list[str] | None = None
        self.labels: list[str] | None = None
        self.values: dict[str, list[str]] = {}

    async def get_suggestion(self, value: str) -> str | None:
        client = self.pane.prometheus
        if client is None or not value:
            return None
        kind, prefix, label = promql.completion_context(value)
        try:
            if kind == "metric":
                if not prefix:
                    return None
                if self.metrics is None:
                    self.metrics = await client.metric_names()
                words: list[str] = [*self.metrics, *promql.FUNCTIONS]
            elif kind == "label":
                if self.labels is None:
                    self.labels = await client.label_names()
                words = self.labels
            else:
                if label not in self.values:
                    self.values[label] = await client.label_values(label)
                words = self.values[label]
        except EssentialsError:
            return None
        hits = [w for w in promql.complete(prefix, words) if w.startswith(prefix) and w != prefix]
        return promql.apply_completion(value, prefix, hits[0]) if hits else None


class MonitoringPane(PluginPane):
    DEFAULT_CSS = """
    MonitoringPane #mon-status { height: 1; padding: 0 1; color: $text-muted; }
    MonitoringPane #mon-status.problem { color: $warning; }
    MonitoringPane #mon-filter { height: 1; border: none; padding: 0 1; display: none; }
    MonitoringPane #mon-filter.shown { display: block; }
    MonitoringPane #mon-tabs { height: 1fr; }
    MonitoringPane #mon-tabs > Vertical { height: 1fr; }
    MonitoringPane DataTable { height: 1fr; }
    MonitoringPane .tab-note { height: auto; max-height: 3; padding: 0 1; color: $text-muted; }
    MonitoringPane .tab-note.problem { color: $warning; }
    MonitoringPane #promql-bar { height: 1; }
    MonitoringPane #promql-input { width: 1fr; height: 1; border: none; padding: 0 1; }
    MonitoringPane #promql-range { width: 12; height: 1; border: none; padding: 0 1; }
    MonitoringPane #promql-plot { height: 1fr; min-height: 6; padding: 0 1; }
    MonitoringPane #promql-plot.hidden { display: none; }
    MonitoringPane #promql-table { height: 1fr; max-height: 8; }
    MonitoringPane #promql-table.alone { max-height: 100%; }
    MonitoringPane #grafana-scroll { height: 1fr; }
    MonitoringPane #grafana-facts { height: auto; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("/", "filter", "Filter", id="monitoring.filter", priority=True),
        Binding("enter", "detail", "Detail", id="monitoring.detail", show=False),
        Binding("s", "silence", "Silence", id="monitoring.silence"),
        Binding("x", "expire", "Expire", id="monitoring.expire"),
        Binding("r", "refresh", "Refresh", id="monitoring.refresh"),
        Binding("ctrl+r", "run_query", "Run", id="monitoring.run"),
        Binding("ctrl+g", "toggle_editor", "Editor", id="monitoring.editor"),
        Binding("ctrl+s", "save_query", "Save", id="monitoring.save_query"),
        Binding("ctrl+o", "saved_queries", "Saved", id="monitoring.saved_queries"),
        Binding("up", "history(-1)", "History", show=False, id="monitoring.history_prev"),
        Binding("down", "history(1)", "History", show=False, id="monitoring.history_next"),
        *[Binding(str(i + 1), f"show_tab('{t}')", t.capitalize(), show=False,
                  id=f"monitoring.tab{i + 1}") for i, t in enumerate(TABS)],
    ]

    def __init__(self, plugin: Any, **kwargs: Any) -> None:
        super().__init__(plugin, **kwargs)
        self.prometheus: PrometheusClient | None = None
        self.alertmanager: AlertmanagerClient | None = None
        self.alerts: list[model.Alert] = []
        self.groups: list[model.AlertGroup] = []
        self.silences: list[model.Silence] = []
        self.targets: list[model.Target] = []
        self.rules: list[model.Rule] = []
        self.status: model.ServerStatus | None = None
        self.result: model.QueryResult | None = None
        self.errors: dict[str, str] = {}
        self.filter_text = ""
        from . import history

        self.history: list[str] = history.load()
        from . import saved

        self.saved: list[saved.SavedQuery] = saved.load()
        self._history_pos = len(self.history)
        self.grafana = GrafanaFacts()
        self._wide: bool | None = None
        #: what the status line shows (``render_status``)
        self._status_line = "connecting…"
        #: tables whose data changed while their tab was hidden (rendered when shown: a
        #: 2,000-row table costs about a second to fill and measure, so only the visible
        #: one is filled on every poll)
        self._dirty: set[str] = set()
        #: tabs whose widgets exist (lazy tabs, see ``compose``)
        self._composed: set[str] = set()
        #: the first alerts request, started here -- before the screen is composed -- so
        #: the request and its parsing overlap the first paint (see ``_prefetch``)
        self._early: asyncio.Task[None] | None = None
        #: its thread, when started in the constructor (``_start_prefetch``)
        self._early_run: OffLoopRun[_FirstAnswer] | None = None
        #: the (filter, columns) the first answer's rows are made for (``_rows_for``)
        self._alert_rows_key: tuple[str, tuple[str, ...]] = ("", ())
        #: rows made with the first answer off the event loop, and for which (filter,
        #: columns) they were made (used once by ``render_alerts``)
        self._alert_rows: tuple[tuple[str, tuple[str, ...]], TableData] | None = None
        self._start_prefetch()

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(self._status_line, id="mon-status", markup=False)
        yield Input(placeholder="filter rows (escape clears)", id="mon-filter")
        initial = self._initial_tab()
        yield TabStrip(TAB_TITLES, initial, id="mon-tabstrip")
        # lazy tabs: only the visible tab's container and widgets are composed now (a
        # tab's first paint is most of a pane's cost), the others when first shown
        # (``_ensure_tab``)
        with ContentSwitcher(id="mon-tabs", initial=f"tab-{initial}"):
            with Vertical(id=f"tab-{initial}"):
                for widget in self._tab_widgets(initial):
                    with widget:
                        yield from self._children(widget.id)
        self._composed.add(initial)

    def _initial_tab(self) -> str:
        return "grafana" if self.plugin.id == "grafana" else "alerts"

    def _tab_widgets(self, tab: str) -> list[Widget]:
        """The widgets of one tab (made when the tab is first shown)."""
        if tab == "alerts":
            # virtualised: 2,000 groups cost what 40 visible rows cost to paint
            return [VirtualTable(id="alerts")]
        if tab == "silences":
            return [KeyTable(id="silences", cursor_type="row")]
        if tab in ("targets", "rules"):
            return [Static("", id=f"{tab}-note", classes="tab-note", markup=False),
                    KeyTable(id=tab, cursor_type="row")]
        if tab == "promql":
            return [Horizontal(id="promql-bar"),
                    Static("", id="promql-note", classes="tab-note", markup=False),
                    Static("", id="promql-plot", classes="hidden"),
                    KeyTable(id="promql-table", cursor_type="row", classes="alone")]
        # in a focusable scroll: with nothing focusable in the tab, focus fell on the hidden
        # filter box and ``o`` (overview) was typed into it
        return [VerticalScroll(id="grafana-scroll")]

    def _children(self, container_id: str | None) -> list[Widget]:
        """What goes inside a tab's container (mounted into it, not passed to its
        constructor, which would register them only when it composes: queried and focused
        at once)."""
        if container_id == "promql-bar":
            return self._promql_bar()
        if container_id == "grafana-scroll":
            return [Static("", id="grafana-facts")]
        return []

    def _promql_bar(self) -> list[Widget]:
        return [Input(placeholder="PromQL, e.g. sum by (job) (up)  (enter runs)",
                      id="promql-input", suggester=PromQLSuggester(self)),
                Input("1h", placeholder="instant", id="promql-range")]

    def _ensure_tab(self, tab: str) -> bool:
        """Mount a tab's widgets the first time it is shown; True when this call did."""
        if tab in self._composed:
            return False
        self._composed.add(tab)
        widgets = self._tab_widgets(tab)
        container = Vertical(id=f"tab-{tab}")
        self.query_one("#mon-tabs", ContentSwitcher).mount(container)
        container.mount(*widgets)
        for widget in widgets:
            children = self._children(widget.id)
            if children:
                widget.mount(*children)
        self._set_columns(tab)
        self._dirty.add(tab)
        return True

    def _set_columns(self, tab: str) -> None:
        width = self.app.size.width
        for table_id, spec in TABLES.items():
            if table_id.split("-")[0] == tab and table_id != "alerts":
                set_columns(self.query_one(f"#{table_id}", DataTable), spec.shown(width))

    def on_mount(self) -> None:
        # the columns are chosen from the app's width from the start: the first Resize (the
        # pane's first layout) must not lay out 2,000 alerts a second time (``on_resize``)
        self._wide = self.app.size.width >= TABLES["alerts"].wide_at
        self._set_columns(self._initial_tab())
        focus_now(self.main_widget())
        if self._early is not None and not self._early.done():
            # the alerts the operator opened the pane for are painted before the footer's
            # first keys (their build held the reading thread back: hold_first_keys)
            hold_first_keys(self.screen, self._early)
            # and the screen appears with them: its empty first frame was painted right
            # while they were read and parsed in the thread (hold_first_paint)
            hold_first_paint(self.screen, self._early)
        if self._early is not None and self._early.done():
            # the first answer came before the pane was mounted: show it now, not after
            # the rest of the first poll
            self.render_status()
            self.render_titles()
            self.render_active()
        super().on_mount()
        if self.session is None:
            # direct URLs need no cluster; without them the status line says what to set
            self.action_refresh()
        self.set_interval(REFRESH, self.action_refresh)

    def on_session_ready(self) -> None:
        for rtype, selector in ((SERVICES, None), (INGRESSES, None),
                                (CONFIGMAPS, DATASOURCE_LABEL), (CONFIGMAPS, DASHBOARD_LABEL),
                                (SECRETS, DATASOURCE_LABEL), (PROMETHEUS_RULES, None)):
            self.watch_resource(rtype, None, label_selector=selector)
        self.action_refresh()

    def _cancel_prefetch(self) -> None:
        early, self._early = self._early, None
        run, self._early_run = self._early_run, None
        if early is not None and not early.done():
            early.cancel()
        if run is not None:
            run.cancel()  # the task may not have begun to wait for it

    @on(events.Unmount)
    async def _close_clients(self) -> None:
        """The HTTP clients go with the pane (PluginPane's own unmount handler, called too,
        ends the watches)."""
        self._cancel_prefetch()
        for client in (self.prometheus, self.alertmanager):
            if client is not None:
                await client.aclose()

    def on_resize(self) -> None:
        """Columns change only when the width crosses a threshold (see ``Columns``)."""
        wide = self.app.size.width >= TABLES["alerts"].wide_at
        if self.query("#mon-status"):
            self.render_status()
        if wide != self._wide:
            self._wide = wide
            self.render_all()

    # -- data ---------------------------------------------------------------------------------

    def _prefer(self) -> list[str]:
        det = (getattr(self.app, "detections", None) or {}).get("kube-prometheus-stack")
        ns = det.namespace if det is not None and det.installed is True else None
        return [n for n in (ns,) if n]

    def _start_prefetch(self) -> None:
        """Start the first Alertmanager request at once when it can be made (connected, or
        a direct URL set). The pane is built inside its screen's compose, before any of its
        widgets exist: the answer travels (and is parsed, in a thread when large) while the
        screen is composed and painted, instead of after it.

        When the server is known without waiting (a direct URL, or its Service in the
        board's synced Services cache) the request's thread starts here, in the
        constructor; a task would first run after the screen's compose and mount (~45 ms
        of the loop), and the answer came that much later (docs/monitoring.md)."""
        if self._initial_tab() != "alerts":
            return
        try:
            app = self.app
            loop = asyncio.get_running_loop()
        except RuntimeError:  # built outside a running app (a unit test): the poll does it
            return
        settings = getattr(app, "settings", None)
        direct = settings is not None and bool(settings.get("monitoring.alertmanager_url", ""))
        if getattr(app, "session", None) is None and not direct:
            return
        run = None
        try:
            self.alertmanager = connect_alertmanager_now(
                self.session, settings, prefer_namespaces=self._prefer())
        except EssentialsError:
            pass  # ``_connect_alertmanager`` meets it again and records it
        if self.alertmanager is not None:
            run = self._early_run = self.alertmanager.start_alert_groups(self._rows_for())
        self._early = loop.create_task(self._prefetch(run))

    def _rows_for(self) -> Callable[[list[model.AlertGroup]], TableData]:
        """What the first answer's thread makes of the groups: the table's rows for what it
        shows first (no filter yet, the columns of the app's width), cleaned and measured;
        recorded for ``render_alerts`` with that (filter, columns) key."""
        key = ("", TABLES["alerts"].shown(self.app.size.width))
        now = self.now()
        self._alert_rows_key = key
        return lambda groups: table_data(key[1], alert_rows(groups, now, *key),
                                         max_widths=_caps(key[1], ALERT_CAPS))

    async def _prefetch(self, run: OffLoopRun[_FirstAnswer] | None) -> None:
        try:
            if run is None:
                am = await self._connect_alertmanager()
                if am is None:
                    return
                got = await am.alert_groups_off_loop(self._rows_for())
            else:
                got = await run.wait()
            self.alerts, self.groups, rows = got
            key = self._alert_rows_key
        except EssentialsError as exc:
            self.errors["alerts"] = str(exc)  # shown in the table, as a row
        else:
            self._alert_rows = (key, rows)
        self._dirty.add("alerts")
        if self.is_mounted:  # else ``on_mount`` shows it
            self.render_status()
            self.render_titles()
            self.render_active()

    async def _connect_alertmanager(self) -> AlertmanagerClient | None:
        if self.alertmanager is None:
            try:
                self.alertmanager = await connect_alertmanager(
                    self.session, getattr(self.app, "settings", None),
                    prefer_namespaces=self._prefer())
            except EssentialsError as exc:
                self.errors["alertmanager"] = str(exc)
        return self.alertmanager

    async def _clients(self) -> tuple[PrometheusClient | None, AlertmanagerClient | None]:
        settings = getattr(self.app, "settings", None)
        if self.prometheus is None:
            try:
                self.prometheus = await connect_prometheus(
                    self.session, settings, prefer_namespaces=self._prefer())
            except EssentialsError as exc:
                self.errors["prometheus"] = str(exc)
        return self.prometheus, await self._connect_alertmanager()

    @work(exclusive=True, group="monitoring-refresh", description="monitoring-refresh")
    async def action_refresh(self) -> None:
        """Poll both servers (one request each per view, concurrently)."""
        early, self._early = self._early, None
        if early is not None:
            await early  # the alerts asked for before the screen was composed
            if self.is_mounted:
                # their rows are painted before the rest of the poll is asked for: its
                # clients, requests and four answers on this loop held that frame back by
                # 20-30 ms (docs/monitoring.md, benchmark)
                await self.wait_for_refresh()
        else:
            self.errors = {}
        prom, am = await self._clients()

        async def get(key: str, call: Any) -> Any:
            try:
                return await call
            except EssentialsError as exc:
                self.errors[key] = str(exc)
                return None

        calls: dict[str, Any] = {}
        if early is None and am is not None:
            # what the visible tab shows first (a big alert list must not queue behind
            # four other requests), the rest concurrently after it
            if self._active() in ("alerts", "silences"):
                got_alerts = await get("alerts", am.alert_groups(thread_bytes=THREAD_BYTES))
                if got_alerts is not None:
                    self.alerts, self.groups = got_alerts
                    self.render_all(("alerts",))
            else:
                calls["alerts"] = am.alert_groups(thread_bytes=THREAD_BYTES)
        if am is not None:
            calls["silences"] = am.silences()
        if prom is not None:
            calls["targets"] = prom.targets()
            calls["rules"] = prom.rules()
            calls["status"] = prom.status()
        results = await asyncio.gather(*(get(k, c) for k, c in calls.items()))
        got = dict(zip(calls, results, strict=True))
        if got.get("alerts") is not None:
            self.alerts, self.groups = got["alerts"]
        if got.get("silences") is not None:
            self.silences = got["silences"]
        if got.get("targets") is not None:
            self.targets = got["targets"]
        if got.get("rules") is not None:
            self.rules = got["rules"]
        if got.get("status") is not None:
            self.status = got["status"]
        fetched = {"status": "targets"}
        self.render_all(tuple({fetched.get(k, k) for k, v in got.items() if v is not None}))

    def on_cache_updated(self, message: CacheUpdated) -> None:
        session = self.session
        if session is None:
            return
        if message.cache.rtype == PROMETHEUS_RULES:
            self._dirty.add("rules")
            self.render_active()
            return
        self.grafana = grafana_facts(
            session.cache(SERVICES, None).items(), session.cache(INGRESSES, None).items(),
            [*session.cache(CONFIGMAPS, None, DATASOURCE_LABEL).items(),
             *session.cache(CONFIGMAPS, None, DASHBOARD_LABEL).items()],
            session.cache(SECRETS, None, DATASOURCE_LABEL).items())
        self._dirty.add("grafana")
        self.render_active()

    # -- rendering ----------------------------------------------------------------------------

    def render_all(self, tabs: tuple[str, ...] = ("alerts", "silences", "targets", "rules",
                                                  "grafana")) -> None:
        """Status, tab titles and the visible tab when it is one of ``tabs`` (the others
        when shown). A poll passes the tabs whose data it fetched: 2,000 alerts are not
        laid out again because the targets came back."""
        if not self.is_attached or not self.query("#mon-status"):
            return  # the pane closed while a poll was under way
        self.render_status()
        self.render_titles()
        self._dirty.update(tabs)
        self.render_active()

    def render_active(self) -> None:
        """Fill the visible tab if its data changed while it was hidden (or never shown)."""
        tab = self._active()
        if tab in self._dirty and tab in self._composed:
            self._dirty.discard(tab)
            {"alerts": self.render_alerts, "silences": self.render_silences,
             "targets": self.render_targets, "rules": self.render_rules,
             "grafana": self.render_grafana}.get(tab, lambda: None)()

    def render_titles(self) -> None:
        self._tab_title("tab-alerts", "Alerts", sum(1 for g in self.groups
                                                    if g.status == "firing"))
        self._tab_title("tab-silences", "Silences",
                        sum(1 for s in self.silences if s.state == "active"))
        self._tab_title("tab-targets", "Targets", sum(1 for t in self.targets
                                                      if t.health == "down"))
        self._tab_title("tab-rules", "Rules", sum(1 for r in self.rules if r.health == "err"))

    def render_status(self) -> None:
        """Errors first, then each server, then how they are reached, fitted by cells
        (``status_line``): a long namespace shortens the line, it never hides an error."""
        from .status_line import Fact, fit_status, server_fact

        errors: list[Fact] = []
        servers: list[Fact] = []
        proxied = False
        for key, client in (("alertmanager", self.alertmanager),
                            ("prometheus", self.prometheus)):
            name = key.capitalize()
            if client is not None:
                svc = client.endpoint.service
                proxied = proxied or svc is not None
                version = self.status.version if key == "prometheus" and self.status else ""
                servers.append(server_fact(
                    name, svc.namespace if svc else "", svc.name if svc else "",
                    str(svc.port) if svc else "", "" if svc else client.endpoint.url,
                    version or ""))
            elif key in self.errors:
                errors.append(Fact((f"{name}: {self.errors[key]}",)))
        facts = [*errors, *servers]
        if proxied:
            facts.append(Fact(("via the apiserver", "via apiserver", "proxied")))
        widget = self.query_one("#mon-status", Static)
        room = widget.content_region.width or self.app.size.width - 2
        line = fit_status(facts, room) if facts else "connecting…"
        if line != self._status_line:
            self._status_line = line
            # one line of a fixed height and the pane's width: a repaint, not the layout of
            # the whole screen that ``update`` asks for by default (it came right before the
            # first alerts were painted)
            widget.update(Text(line, no_wrap=True, overflow="ellipsis"), layout=False)
        widget.set_class(bool(errors), "problem")

    def _matches(self, *cells: str) -> bool:
        return _matches(self.filter_text.lower(), *cells)

    def _fill(self, table_id: str, rows: list[tuple[str, list[Any]]], error_key: str,
              shown_already: tuple[str, ...] | None = None,
              caps: dict[str, int] | None = None) -> None:
        """Fill a table with full rows (one cell per column name), or with rows that
        already hold only the ``shown_already`` columns; ``caps``: the widest cells of a
        virtual table's columns (by name)."""
        table = self.query_one(f"#{table_id}")
        spec = TABLES[table_id]
        shown = shown_already or spec.shown(self.app.size.width)
        if not rows and error_key in self.errors:
            rows = [("error", spec.cells([display_text(self.errors[error_key], "bold red")]
                                         + [""] * (len(spec.names) - 1), shown))]
            shown_already = shown
        if shown_already is None:
            rows = [(key, spec.cells(cells, shown)) for key, cells in rows]
        if isinstance(table, VirtualTable):
            table.set_data(shown, rows, max_widths=_caps(shown, caps))
            return
        assert isinstance(table, DataTable)
        set_columns(table, shown)
        fill_rows(table, rows)

    def render_alerts(self) -> None:
        shown = TABLES["alerts"].shown(self.app.size.width)
        ready, self._alert_rows = self._alert_rows, None
        if ready is not None and ready[0] == (self.filter_text, shown) \
                and (ready[1].rows or "alerts" not in self.errors):
            # made with the answer, cleaned and measured off the event loop (``_prefetch``)
            self.query_one("#alerts", VirtualTable).set_table_data(ready[1])
            return
        rows = alert_rows(self.groups, self.now(), self.filter_text, shown)
        self._fill("alerts", rows, "alerts", shown, ALERT_CAPS)

    def render_silences(self) -> None:
        now = self.now()
        rows = [(s.id, [_styled(s.state), s.id[:8], _long(s.matcher_text, 44),
                        _until(s.ends_at, now),
                        s.created_by, _long(s.comment)])
                for s in self.silences
                if self._matches(s.state, s.id, s.matcher_text, s.created_by, s.comment)]
        self._fill("silences", rows, "silences")

    def render_targets(self) -> None:
        rows = []
        for t in self.targets:
            if not self._matches(t.health, t.job, t.instance, t.last_error):
                continue
            dur = f"{t.last_scrape_duration * 1000:.0f}ms" \
                if t.last_scrape_duration is not None else "-"
            rows.append((f"{t.scrape_pool}\x00{t.scrape_url}",
                         [_styled(t.health), t.job, t.instance, dur,
                          _long(model.short_error(t.last_error))]))
        self._fill("targets", rows, "targets")
        st = self.status
        note = ""
        if st is not None:
            note = f"Prometheus {st.version or '?'}"
            if st.num_series is not None:
                note += f" · head: {st.num_series:,} series, {st.chunk_count or 0:,} chunks"
            if st.top_metrics:
                top = ", ".join(f"{n} {c}" for n, c in st.top_metrics[:3])
                note += f" · most series: {top}"
        self.query_one("#targets-note", Static).update(display_text(note))

    def render_rules(self) -> None:
        rows = [(f"{r.group}\x00{r.name}\x00{i}",
                 [_styled(r.health), r.type, r.name, r.state or "-",
                  str(r.firing) if r.type == "alerting" else "-", r.group, _long(r.last_error)])
                for i, r in enumerate(self.rules)
                if self._matches(r.health, r.name, r.group, r.state, r.last_error)]
        self._fill("rules", rows, "rules")
        note = self.query_one("#rules-note", Static)
        session = self.session
        cache = session.cache(PROMETHEUS_RULES, None) if session is not None else None
        if cache is None or not cache.synced:
            note.update("")
            return
        objs = model.rule_objects(cache.items(), {r.file for r in self.rules})
        text = f"PrometheusRule objects: {objs.objects} ({objs.rules} rules)"
        if objs.not_loaded and self.prometheus is not None:
            text += f"; not loaded by this Prometheus: {', '.join(objs.not_loaded)}"
        note.update(display_text(text, "yellow" if objs.not_loaded else ""))

    def render_grafana(self) -> None:
        if not self.is_attached:
            return
        facts = self.grafana
        out = Text()
        out.append("Exposed\n", style="bold underline")
        for e in facts.exposures:
            _line(out, f"  {e.kind} {e.namespace}/{e.name}  {e.where}")
        if not facts.exposures:
            out.append("  no Grafana Service found (app.kubernetes.io/name=grafana)\n",
                       style="dim")
        out.append("Datasources (provisioned by the sidecar)\n", style="bold underline")
        for d in facts.datasources:
            _line(out, f"  {d.type:<11} {d.name}  {d.url}  ({d.source})")
        for title in facts.missing_types():
            out.append(f"  no {title} datasource provisioned\n", style="yellow")
        out.append("Dashboards\n", style="bold underline")
        out.append(f"  {facts.dashboards} dashboards in {facts.dashboard_configmaps} "
                   f"ConfigMaps labelled {DASHBOARD_LABEL}\n")
        if facts.password_command:
            out.append("Admin password (the command, never the value)\n",
                       style="bold underline")
            _line(out, f"  {facts.password_command}")
        for p in facts.problems:
            _line(out, f"! {p}", "yellow")
        self.query_one("#grafana-facts", Static).update(out)

    def _tab_title(self, tab_id: str, title: str, count: int) -> None:
        self.query_one("#mon-tabstrip", TabStrip).set_title(
            tab_id.removeprefix("tab-"), f"{title} {count}" if count else title)

    # -- tabs, focus, filter ------------------------------------------------------------------

    def _active(self) -> str:
        return (self.query_one("#mon-tabs", ContentSwitcher).current
                or "tab-alerts").removeprefix("tab-")

    def main_widget(self) -> Any:
        tab = self._active()
        self._ensure_tab(tab)
        if tab == "promql":
            return self.query_one("#promql-input", Input)
        if tab == "grafana":
            return self.query_one("#grafana-scroll", VerticalScroll)
        return self.query_one(f"#{tab}")

    def action_show_tab(self, tab: str) -> None:
        """Keys ``1``-``6`` (and a click on the strip): show a tab, made on first show, its
        data filled if it changed while hidden, its main widget focused."""
        self._ensure_tab(tab)
        self.query_one("#mon-tabs", ContentSwitcher).current = f"tab-{tab}"
        self.query_one("#mon-tabstrip", TabStrip).set_current(tab)
        self.render_active()
        widget = self.main_widget()
        if widget.focusable:
            focus_now(widget)

    def on_tab_strip_activated(self, event: TabStrip.Activated) -> None:
        self.action_show_tab(event.tab)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        focused = self.screen.focused
        typing = isinstance(focused, Input)
        if action in ("silence", "expire", "refresh", "show_tab", "detail") and typing:
            return False  # letters are text while an input has the focus
        if action == "history":
            return typing and focused is not None and focused.id == "promql-input"
        if action == "silence":
            return self._active() == "alerts"
        if action == "expire":
            return self._active() == "silences"
        if action in ("run_query", "toggle_editor", "save_query", "saved_queries"):
            return self._active() == "promql"
        return super().check_action(action, parameters)

    def action_filter(self) -> None:
        box = self.query_one("#mon-filter", Input)
        box.add_class("shown")
        focus_now(box)

    @on(Input.Changed, "#mon-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        if event.value.strip() == self.filter_text:
            return
        self.filter_text = event.value.strip()
        self.render_all()

    @on(Input.Submitted, "#mon-filter")
    def _filter_done(self, _event: Input.Submitted) -> None:
        focus_now(self.main_widget())

    def has_filter(self) -> bool:
        return bool(self.filter_text)

    def clear_filter(self) -> None:
        box = self.query_one("#mon-filter", Input)
        box.value = ""
        box.remove_class("shown")
        self.filter_text = ""
        self.render_all()

    async def action_back(self) -> None:
        focused = self.screen.focused
        if isinstance(focused, Input) and focused.id == "mon-filter" and not self.filter_text:
            focused.remove_class("shown")
        if isinstance(focused, Input) and focused.id in ("promql-input", "promql-range"):
            focus_now(self.query_one("#promql-table", DataTable))
            return
        await super().action_back()

    # -- alerts and silences ------------------------------------------------------------------

    def _selected_group(self) -> model.AlertGroup | None:
        key = self.query_one("#alerts", VirtualTable).selected_key()
        return next((g for g in self.groups if "\x00".join(g.key) == key), None)

    def action_detail(self) -> None:
        if self._active() != "alerts":
            return
        group = self._selected_group()
        if group is None:
            return
        from .screens import AlertDetailScreen

        def done(result: str | None) -> None:
            if result == "silence":
                self.silence_alert(group.alerts[0])

        self.app.push_screen(AlertDetailScreen(group.alerts[0], self.now()), done)

    @on(VirtualTable.Selected, "#alerts")
    def _alert_selected(self, _event: VirtualTable.Selected) -> None:
        self.action_detail()  # a click on the cursor row (enter is the pane's own binding)

    def action_silence(self) -> None:
        group = self._selected_group()
        if group is None:
            self.notify("no alert selected", severity="warning")
            return
        self.silence_alert(group.alerts[0])

    @work(exclusive=True, group="monitoring-silence", description="monitoring-silence")
    async def silence_alert(self, alert: model.Alert) -> None:
        if self.alertmanager is None:
            self.notify(self.errors.get("alertmanager", "Alertmanager is not connected"),
                        severity="error", markup=False)
            return
        from .screens import SilenceScreen
        from .silences import create_mutation, kube_user

        author = await kube_user(self.session)
        request = await self.app.push_screen_wait(
            SilenceScreen(model.matchers_for(alert), author))
        if request is None:
            return
        mutation = create_mutation(self.alertmanager, request.matchers,
                                   duration=request.duration, comment=request.comment,
                                   author=author, now=self.now_real())
        self.perform(mutation, self._refresh_if_done)

    def _refresh_if_done(self, ok: bool, _message: str | None) -> None:
        """After a silence is created or expired: read the lists again."""
        if ok:
            self.action_refresh()

    def now_real(self) -> datetime:
        """Silences start now on the server's clock: the app clock may be frozen (tests)."""
        from datetime import UTC

        return datetime.now(UTC)

    def action_expire(self) -> None:
        key = self.query_one("#silences", KeyTable).selected_key()
        silence = next((s for s in self.silences if s.id == key), None)
        if silence is None or self.alertmanager is None:
            self.notify("no silence selected", severity="warning")
            return
        if silence.state == "expired":
            self.notify("this silence has expired already", severity="warning")
            return
        from .silences import expire_mutation

        self.perform(expire_mutation(self.alertmanager, silence.id,
                                     what=silence.matcher_text),
                     self._refresh_if_done)

    # -- the PromQL console -------------------------------------------------------------------

    def action_toggle_editor(self) -> None:
        box = self.query_one("#promql-input", Input)
        focus_now(self.query_one("#promql-table", DataTable) if self.screen.focused is box
                  else box)

    @on(Input.Submitted, "#promql-input")
    @on(Input.Submitted, "#promql-range")
    def _submitted(self, _event: Input.Submitted) -> None:
        self.action_run_query()

    def action_save_query(self) -> None:
        """``ctrl+s``: keep the console's query under a name (with its range)."""
        from . import saved
        from .screens import SaveQueryScreen

        query = self.query_one("#promql-input", Input).value.strip()
        if not query:
            self.notify("type a query first, then ctrl+s saves it", severity="warning")
            return
        span = self.query_one("#promql-range", Input).value.strip()

        def done(name: str | None) -> None:
            if name:
                saved.save(self.saved, saved.SavedQuery(name, query, span))
                self.notify(f"saved as {clean(name)!r} (ctrl+o lists saved queries)",
                            markup=False)

        self.app.push_screen(SaveQueryScreen(query, saved.default_name(query)), done)

    def action_saved_queries(self) -> None:
        """``ctrl+o``: pick a saved query; it is put in the console and run."""
        from . import saved
        from .screens import SavedQueriesScreen

        if not self.saved:
            self.notify("no saved queries yet: ctrl+s in the console saves one",
                        severity="warning")
            return

        def done(picked: saved.SavedQuery | None) -> None:
            if picked is None:
                return
            box = self.query_one("#promql-input", Input)
            # the file may have been edited by hand: an input shows its value as it is
            box.value = clean(picked.query)
            box.cursor_position = len(box.value)
            self.query_one("#promql-range", Input).value = clean(picked.range)
            focus_now(box)
            self.action_run_query()

        self.app.push_screen(
            SavedQueriesScreen(self.saved, lambda name: saved.delete(self.saved, name)), done)

    def action_history(self, delta: int) -> None:
        if not self.history:
            return
        box = self.query_one("#promql-input", Input)
        current = box.value
        # skip entries equal to what is in the box (the query just run is the newest)
        while True:
            self._history_pos = max(0, min(len(self.history), self._history_pos + delta))
            value = self.history[self._history_pos] if self._history_pos < len(
                self.history) else ""
            at_end = self._history_pos in (0, len(self.history))
            if value != current or at_end:
                break
        box.value = clean(value)  # the history file may have been edited by hand
        box.cursor_position = len(box.value)

    def action_run_query(self) -> None:
        query = self.query_one("#promql-input", Input).value.strip()
        span_text = self.query_one("#promql-range", Input).value.strip()
        note = self.query_one("#promql-note", Static)
        if not query:
            note.update(Text("type a PromQL query, then enter"))
            return
        try:
            span = promql.parse_duration(span_text) if span_text else None
            step = promql.auto_step(span) if span else 0.0
        except ValueError as exc:
            note.update(display_text(str(exc), "bold red"))
            return
        from . import history

        history.add(self.history, query)
        self._history_pos = len(self.history)
        note.update(Text("running…", style="dim"))
        self.run_query(query, span, step)

    @work(exclusive=True, group="monitoring-query", description="monitoring-query")
    async def run_query(self, query: str, span: timedelta | None, step: float) -> None:
        note = self.query_one("#promql-note", Static)
        prom = self.prometheus
        if prom is None:
            await self._clients()
            prom = self.prometheus
        if prom is None:
            note.update(display_text(self.errors.get("prometheus", "Prometheus not found"),
                                     "bold red"))
            return
        end = self.now()
        try:
            if span is None:
                result = await prom.query(query, time=end)
            else:
                result = await prom.query_range(query, start=end - span, end=end, step=step)
        except EssentialsError as exc:
            note.update(display_text(str(exc), "bold red"))
            return
        self.result = result
        what = (f"range {promql.format_duration(span)}, step {step:g}s" if span
                else "instant")
        points = sum(len(s.points) for s in result.series)
        note.update(display_text(f"{result.kind}: {len(result.series)} series, {points} "
                                 f"samples ({what})" + "".join(
                                     f" · warning: {w}" for w in result.warnings)))
        self.render_result()

    def render_result(self) -> None:
        result = self.result
        if result is None:
            return
        plot_widget = self.query_one("#promql-plot", Static)
        table = self.query_one("#promql-table", DataTable)
        is_range = result.kind == "matrix"
        plot_widget.set_class(not is_range, "hidden")
        table.set_class(not is_range, "alone")
        rows = []
        for i, s in enumerate(result.series):
            last = s.points[-1][1] if s.points else float("nan")
            value = s.metric.get("value", "") if result.kind == "string" \
                else model.format_value(last)
            name = Text("━━ ", style=plot.COLOURS[i % len(plot.COLOURS)]) \
                if is_range and i < plot.MAX_SERIES else Text()
            name.append_text(display_text(s.name or "{}"))
            rows.append((str(i), [name, value]))
        self._fill("promql-table", rows, "promql")
        if is_range:
            self.call_after_refresh(self._draw_plot)

    def _draw_plot(self) -> None:
        result = self.result
        widget = self.query_one("#promql-plot", Static)
        if result is None or widget.has_class("hidden"):
            return
        size = widget.content_region.size
        # the table below lists the series: the plot keeps its rows for dots
        widget.update(plot.render(result.series, max(20, size.width), max(4, size.height),
                                  legend=False))

