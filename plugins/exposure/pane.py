"""The exposure pane: one row per exposed host, followed through the whole chain.

Opened from the Ingress and DNS areas (their catalog entries name it) and from the
certificates pane (``x``); each opens it with its own column next to the host. Data comes
from the shared watch caches only (Ingresses, IngressClasses, Services, EndpointSlices,
Gateway API kinds, TLS Secrets, the controller Deployments): opening the pane costs one
list+watch per type, never a request per host. Rows are rebuilt from the caches, debounced,
in a thread, and handed to the shared ``VirtualTable`` as one list (it paints only the
visible lines: 2,000 hosts cost no more to show than 40).

DNS lookups run in a worker through the ``[exposure] nameserver`` (cached for their TTL);
``p`` probes the selected host's TLS; ``c`` opens the controller view; ``enter`` the detail.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from k8s_essentials_tui.api import (
    CacheUpdated,
    KeyFooter,
    PluginPane,
    ResourceType,
    Styled,
    VirtualTable,
    clean,
    display_text,
    focus_now,
)

from . import SOURCES
from .collect import FIELD_OF
from .model import (
    AREA_COLUMN,
    CELL_GETTERS,
    COLUMNS,
    DnsAnswer,
    FactsMemo,
    HostRow,
    Inputs,
    ProbeResult,
    build,
    prepare_facts,
    probe_targets,
    running_from_detections,
    with_dns,
    with_probe,
)

#: terminal widths: below WIDE_AT the host, the area's column, the backend and the problem
#: count; from WIDE_AT the chain's main columns; from FULL_AT every column (the detail,
#: ``enter``, always has every field)
WIDE_AT = 120
FULL_AT = 180
CELL_MAX = {"HOST": 30, "SOURCE": 30, "PATHS": 16}
CELL_DEFAULT = 22
REBUILD_DELAY = 0.1
GATEWAY_PLURALS = frozenset({"gatewayclasses", "gateways", "httproutes", "grpcroutes"})


def column_order(category: str) -> tuple[str, ...]:
    """HOST, then the column of the area the pane was opened from, then the rest."""
    first = AREA_COLUMN.get(category, "CLASS")
    return ("HOST", first, *[c for c in COLUMNS if c not in ("HOST", first)], "!")


def shown_columns(category: str, width: int) -> tuple[str, ...]:
    """The columns for a terminal ``width`` (see :data:`WIDE_AT`)."""
    if width >= FULL_AT:
        return column_order(category)
    first = AREA_COLUMN.get(category, "CLASS")
    rest = [c for c in ("BACKEND", "DNS", "TLS", "CLASS") if c != first]
    return ("HOST", first, *rest[:3 if width >= WIDE_AT else 1], "!")


#: the column of the area the pane was opened from gets room for its whole story
AREA_CELL_MAX = 34


def _bad_dns(value: str, _row: HostRow) -> bool:
    return not value.startswith(("ok", "not checked", "resolving"))


def _bad_backend(_value: str, row: HostRow) -> bool:
    return any(b.state != "ok" for b in row.backends)


def _bad_class(_value: str, row: HostRow) -> bool:
    return row.controller_state == "no controller"


def _bad_tls(value: str, _row: HostRow) -> bool:
    return ("missing" in value or "serves a" in value or "serves the" in value
            or "expired" in value)


#: whether a cell shows a broken link of the chain (painted red), by column; looked up
#: once per render, not per cell (2,000 rows x 6 cells)
BAD: dict[str, Callable[[str, HostRow], bool]] = {
    "DNS": _bad_dns, "BACKEND": _bad_backend, "CLASS": _bad_class, "TLS": _bad_tls}


class ExposurePane(PluginPane):
    DEFAULT_CSS = """
    ExposurePane #exposure-summary { height: 1; padding: 0 1; background: $panel; }
    ExposurePane #exposure-filter { display: none; height: 3; }
    ExposurePane #exposure-filter.visible { display: block; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="exposure.filter", priority=True),
        Binding("enter", "detail", "Detail", id="exposure.detail", show=False),
        Binding("p", "probe", "Probe TLS", id="exposure.probe"),
        Binding("P", "probe_all", "Probe all", id="exposure.probe_all"),
        Binding("r", "resolve", "Re-resolve", id="exposure.resolve"),
        Binding("e", "problems_only", "Problems", id="exposure.problems"),
        Binding("c", "controllers", "Controllers", id="exposure.controllers"),
        # the area's component, as from its overview (the app refuses it read-only)
        Binding("i", "install", "Install", id="exposure.install", show=False),
    ]

    def __init__(self, plugin: Any, *, area: str | None = None, **kwargs: Any) -> None:
        super().__init__(plugin, **kwargs)
        self.area = area or plugin.category
        #: plural -> the shared cache (ResourceCache) this pane subscribed to
        self.caches: dict[str, Any] = {}
        self.rows: list[HostRow] = []
        self.view: list[HostRow] = []
        #: every row with DNS answers and probe verdicts folded in (the last render's)
        self.decorated: list[HostRow] = []
        self.dns: dict[str, DnsAnswer] = {}
        self.probes: dict[str, ProbeResult] = {}
        self.search = ""
        self.problems_only = False
        self.resolver: Any = None
        self.resolve_error = ""
        self._rebuild_pending = False
        self._rebuild_timer: Timer | None = None
        #: each Ingress's own facts by resourceVersion, kept between rebuilds
        self._facts: FactsMemo = {}
        #: the board's "controller runs" verdict the rows were last built with
        self._running_used: dict[str, bool] | None = None
        #: the caches whose objects the rows were last built with (an empty one that
        #: answers later changes nothing)
        self._nonempty_used: set[str] = set()
        #: a build runs in its thread / the caches changed meanwhile (build again after)
        self._building = False
        self._dirty = False
        #: held by a build and by _prepare: one of them at a time writes the memo
        self._facts_lock = threading.Lock()
        self._resolved_hosts: frozenset[str] = frozenset()
        self._probing = 0
        #: (columns, [(key, cell values)]) of the last fill: skip identical renders
        self._rendered: tuple[tuple[str, ...], list[tuple[str, tuple[str, ...]]]] = ((), [])

    def _scope(self) -> str | None:
        return PluginPane.chosen_namespace(self.app)

    @classmethod
    def prefetch(cls, session: Any, app: Any) -> None:
        """Every list on the wire before the screen is composed (PluginPane.prefetch): the
        first list of 2,000 Ingresses then overlaps the screen's first paint instead of
        following it. The same caches :meth:`on_session_ready` subscribes to."""
        for rtype, options in _watched(cls.chosen_namespace(app)):
            session.prefetch(rtype, **options)

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("Loading hosts…", id="exposure-summary", markup=False)
        yield VirtualTable(id="exposure-table")
        yield Input(placeholder="filter hosts, sources, problems (enter: keep, esc: leave)",
                    id="exposure-filter")

    @property
    def table(self) -> VirtualTable:
        return self.query_one("#exposure-table", VirtualTable)

    def main_widget(self) -> VirtualTable:
        return self.table

    def on_mount(self) -> None:
        focus_now(self.table)
        super().on_mount()
        # "controller runs" comes from the board's detection: rebuild when it is published
        signal = getattr(self.app, "detections_changed", None)
        if signal is not None:
            signal.subscribe(self, self._detections_changed)

    def _detections_changed(self, detections: dict[str, Any]) -> None:
        # the board republishes on every change of any component; the rows read only
        # whether each controller runs: rebuilding 2,000 rows for nothing else cost a
        # second model + render right while the pane was opening (measured)
        if running_from_detections(detections or {}) == self._running_used:
            return
        if not self.rows and not self._building:
            return  # the first build reads the latest verdict itself
        if not self._rebuild_pending and self.caches:
            self._rebuild_pending = True
            self._rebuild_timer = self.set_timer(REBUILD_DELAY, self.rebuild)

    def _setting(self, key: str, default: Any) -> Any:
        settings = getattr(self.app, "settings", None)
        return settings.get(f"exposure.{key}", default) if settings is not None else default

    def on_session_ready(self) -> None:
        for rtype, options in _watched(self._scope()):
            cache = self.watch_resource(rtype, **options)
            if cache is not None:
                self.caches[rtype.plural] = cache
        if self._setting("resolve", True):
            from .resolve import Resolver

            try:
                self.resolver = Resolver(str(self._setting("nameserver", "") or ""),
                                         timeout=float(self._setting("dns_timeout", 2.0)))
            except ValueError as exc:
                self.resolve_error = f"DNS not checked: {exc}"

    # -- data ------------------------------------------------------------------------------

    def on_cache_updated(self, message: CacheUpdated) -> None:
        plural = message.cache.rtype.plural
        if plural not in FIELD_OF:
            return
        message.stop()
        if plural in GATEWAY_PLURALS and plural not in self._nonempty_used \
                and not message.cache.items() and (self.rows or self._building):
            # an empty Gateway API list (no CRD, or no routes) answered after the rows
            # were built without it: the rows are the same -- a second model of 2,000
            # Ingresses right while the pane opened, for nothing (measured)
            self._summary()
            return
        if plural == "ingresses" and not self.rows and not self._building \
                and message.cache.synced and self.blocking():
            self._prepare(message.cache.items())
        if not self.rows and not self._building and not self.blocking():
            # the last list the rows need just arrived: the first fill is not debounced
            if self._rebuild_timer is not None:
                self._rebuild_timer.stop()
            self.rebuild()
        elif not self._rebuild_pending:
            self._rebuild_pending = True
            self._rebuild_timer = self.set_timer(REBUILD_DELAY, self.rebuild)

    @work(thread=True, group="exposure-facts", description="exposure-facts")
    def _prepare(self, ingresses: list[dict[str, Any]]) -> None:
        """Each Ingress's own facts parsed while the lists it is joined with (Services,
        EndpointSlices, Secrets) still arrive: the first build then only does the lookups.
        Why: the three lists of 2,000 end 10-60 ms apart here, the Ingresses often first,
        and their parse was 25 ms of the build that runs after the last one."""
        with self._facts_lock:
            prepare_facts(ingresses, self._facts)

    def _inputs(self) -> Inputs:
        inputs = Inputs()
        self._nonempty_used = set()
        for plural, cache in self.caches.items():
            items = cache.items() if cache.synced else []
            setattr(inputs, FIELD_OF[plural], items)
            if items:
                self._nonempty_used.add(plural)
        secrets = self.caches.get("secrets")
        if secrets is not None and secrets.state == "forbidden":
            inputs.secrets_unreadable = "not readable (no permission)"
        # the board's verdict when it has one (None before its first read: the selectors)
        inputs.controllers_running = self._running_used = running_from_detections(
            getattr(self.app, "detections", None) or {})
        return inputs

    def loading_kinds(self) -> list[str]:
        """The lists not read yet (first list still running)."""
        return sorted(p for p, c in self.caches.items() if c.state == "pending")

    def blocking(self) -> list[str]:
        """The lists rows cannot be built without: all but the Gateway API kinds (routes
        appear when their lists arrive; a TLS Secret list still loading must not make a
        host "missing its secret")."""
        return [p for p in self.loading_kinds() if p not in GATEWAY_PLURALS]

    def rebuild(self) -> None:
        """Recompute every row from the caches, then render. Not before every list but the
        Gateway API kinds has been read once: a host whose TLS Secret list is still loading
        is not "missing its secret". The model runs in a thread: 2,000 Ingresses take a
        few hundred milliseconds that the keyboard must not wait for."""
        self._rebuild_pending = False
        self._rebuild_timer = None
        if self.blocking():
            self._summary()
            return
        if self._building:  # one build at a time; the newest state follows this one
            self._dirty = True
            return
        self._building = True
        self._build(self._inputs())

    @work(thread=True, group="exposure-build", description="exposure-build")
    def _build(self, inputs: Inputs) -> None:
        with self._facts_lock:  # after a _prepare still parsing: its facts are ours
            rows = build(inputs, self._facts)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._built, rows)

    def _built(self, rows: list[HostRow]) -> None:
        self._building = False
        self.rows = rows
        hosts = frozenset(r.host.lower() for r in self.rows)
        if self.resolver is not None and hosts != self._resolved_hosts:
            self._resolved_hosts = hosts
            self.resolve_hosts(sorted(hosts))
        self.render_rows()
        if self._dirty:  # the caches changed while this one was built: the newest next
            self._dirty = False
            self.rebuild()

    def _decorated(self) -> list[HostRow]:
        rows = self.rows
        if self.resolver is not None:
            pending = {r.host.lower() for r in rows} - set(self.dns)
            rows = [replace(r, dns="resolving…")
                    if r.host.lower() in pending and r.host != "*" else r
                    for r in with_dns(rows, self.dns)]
        return with_probe(rows, self.probes)

    def render_rows(self) -> None:
        if not self.is_attached:
            return
        rows = self.decorated = self._decorated()
        if self.search:
            rows = [r for r in rows if self.search in _search_text(r)]
        if self.problems_only:
            rows = [r for r in rows if r.problems]
        self.view = rows
        width = self.app.size.width
        shown = shown_columns(self.area, width)
        now = self.now()
        # only the shown columns' text (the detail computes the rest when asked)
        getters = [CELL_GETTERS[name] for name in shown]
        plain = [(row, tuple(get(row, now) for get in getters)) for row in rows]
        signature = (shown, [(row.key, values) for row, values in plain])
        if signature != self._rendered:  # a watch event that changed no visible cell
            self._rendered = signature
            caps = [AREA_CELL_MAX if i == 1 else CELL_MAX.get(name, CELL_DEFAULT)
                    for i, name in enumerate(shown)]
            tests = [BAD.get(name) for name in shown]
            last = len(shown) - 1 if shown and shown[-1] == "!" else -1
            data = []
            for row, values in plain:
                cells: list[object] = list(values)
                for i, test in enumerate(tests):
                    if test is not None and test(values[i], row):
                        cells[i] = Styled(values[i], "red")
                if last >= 0:
                    cells[last] = Styled(values[last], "bold red" if row.problems else "green")
                data.append((row.key, cells))
            # one list for the virtual table: it paints only the visible lines, cleaned
            # and cut to the caps then (a Text per cell up front cost ~0.2 s at 2,000)
            self.table.set_data(shown, data, max_widths=caps)
        self._summary()
        for screen in self.app.screen_stack:
            if isinstance(screen, HostDetailScreen) and screen.pane is self:
                screen.refresh_detail()

    def _summary(self) -> None:
        total = len(self.rows)
        bad = sum(1 for r in self.decorated if r.problems)
        parts = [f"{total} host{'s' if total != 1 else ''}", f"{bad} with problems"]
        waiting = self.loading_kinds()
        if waiting:
            parts.append("loading " + ", ".join(sorted(waiting)))
        denied = sorted(p for p, c in self.caches.items() if c.state == "forbidden")
        if denied:
            parts.append("no permission: " + ", ".join(denied))
        if self.resolver is not None:
            parts.append("DNS checked")  # through which server: the detail says
        elif self.resolve_error:
            parts.append(self.resolve_error)
        if self._probing:
            parts.append(f"probing {self._probing}…")
        if self.search:
            parts.append(f"/{self.search}")
        if self.problems_only:
            parts.append("problems only")
        # one line of fixed height and the screen's width: a new text needs no layout
        # pass (each cost the screen 2-5 ms while the lists arrived, once per list)
        self.query_one("#exposure-summary", Static).update(display_text(" · ".join(parts)),
                                                           layout=False)

    def on_resize(self, _event: Any) -> None:
        if self.rows:
            self.render_rows()

    # -- DNS and probes (workers: never block the event loop) -------------------------------

    @work(group="exposure-dns", exclusive=True, description="exposure-dns")
    async def resolve_hosts(self, hosts: list[str]) -> None:
        if self.resolver is None:
            return
        answers = await self.resolver.lookup_all(hosts)
        self.dns.update(answers)
        self.render_rows()

    def action_resolve(self) -> None:
        if self.resolver is None:
            self.app.notify(self.resolve_error or "DNS checks are off ([exposure] resolve)",
                            title="exposure")
            return
        self.resolver.clear()
        self.dns.clear()
        self.resolve_hosts(sorted({r.host.lower() for r in self.rows}))
        self.render_rows()

    def _selected(self) -> HostRow | None:
        key = self.table.selected_key()
        return next((r for r in self.view if r.key == key), None)

    def action_probe(self) -> None:
        row = self._selected()
        if row is None:
            return
        targets = probe_targets([row])
        if not targets:
            why = "no TLS secret" if not row.tls_secret else "no published address"
            self.app.notify(clean(f"{row.host}: nothing to probe ({why})"), title="probe")
            return
        self.run_probes(targets)

    def action_probe_all(self) -> None:
        targets = probe_targets(self.rows)
        if targets:
            self.run_probes(targets)

    @work(group="exposure-probe", description="exposure-probe")
    async def run_probes(self, targets: list[tuple[HostRow, str, int]]) -> None:
        from .probe import probe_rows

        self._probing += len(targets)
        self._summary()
        try:
            results = await probe_rows(targets, timeout=float(
                self._setting("probe_timeout", 3.0)))
        finally:
            self._probing -= len(targets)
        self.probes.update(results)
        self.render_rows()

    # -- keys ------------------------------------------------------------------------------

    def action_filter(self) -> None:
        box = self.query_one("#exposure-filter", Input)
        box.add_class("visible")
        focus_now(box)

    def has_filter(self) -> bool:
        return bool(self.search or self.problems_only)

    def clear_filter(self) -> None:
        box = self.query_one("#exposure-filter", Input)
        box.value = ""
        box.remove_class("visible")
        self.search = ""
        self.problems_only = False
        self.render_rows()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "exposure-filter":
            event.stop()
            self.search = event.value.strip().lower()
            self.render_rows()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "exposure-filter":
            event.stop()
            if not event.value.strip():
                event.input.remove_class("visible")
            focus_now(self.table)

    def action_problems_only(self) -> None:
        self.problems_only = not self.problems_only
        self.render_rows()

    def action_detail(self) -> None:
        row = self._selected()
        if row is not None:
            self.app.push_screen(HostDetailScreen(self, row.key))

    @property
    def nameserver(self) -> str:
        return self.resolver.nameserver if self.resolver is not None else ""

    def action_install(self) -> None:
        if self.plugin.chart is None:  # opened from the certificates pane: no component
            return
        getattr(self.app, "open_install")(self.plugin)  # noqa: B009 (the app's, untyped here)

    def action_controllers(self) -> None:
        from .controllers import ControllersScreen

        self.app.push_screen(ControllersScreen(self))


def _watched(scope: str | None) -> list[tuple[ResourceType, dict[str, Any]]]:
    """Every shared cache the pane reads, as ``watch_resource``/``session.prefetch`` take
    them: one list for both, so the prefetched caches are the very ones it subscribes to.
    Controllers and Gateways are read across namespaces (they live elsewhere)."""
    return [(rtype, {"namespace": None if rtype.plural in ("deployments", "gateways")
                     else scope, "label_selector": labels, "field_selector": fields})
            for rtype, labels, fields in SOURCES]


def _search_text(row: HostRow) -> str:
    return " ".join([row.host, row.source, row.klass, *row.problems,
                     *(b.service for b in row.backends)]).lower()


def detail_lines(row: HostRow, now: datetime, nameserver: str = "") -> list[str]:
    """Every field of one host, for the detail screen (plain strings; cleaned when shown)."""
    lines = [f"Host:        {row.host}", f"Source:      {row.source}",
             f"Paths:       {', '.join(row.paths) or '-'}",
             f"Class:       {row.class_text()}",
             f"Controller:  {row.controller or '-'}"]
    for b in row.backends:
        lines.append(f"Backend:     service {b.service} port {b.port or '-'}: {b.state}"
                     f" ({b.ready} ready endpoint{'s' if b.ready != 1 else ''})")
    lines.append(f"Address:     {row.address_text()}")
    lines.append(f"DNS:         {row.dns}"
                 + (f" (via {nameserver})" if nameserver and row.dns != "not checked" else ""))
    if row.dns_chain:
        lines.append(f"  CNAMEs:    {' -> '.join(row.dns_chain)}")
    if row.dns_addresses:
        lines.append(f"  answers:   {', '.join(row.dns_addresses)}")
    lines.append(f"ExternalDNS: {row.externaldns or '-'}")
    if row.tls_secret:
        lines.append(f"TLS secret:  {row.tls_secret} ({row.tls_state})")
        if row.tls_leaf is not None:
            leaf = row.tls_leaf
            lines.append(f"  names:     {', '.join(leaf.dns_names) or leaf.common_name}")
            lines.append(f"  not after: {leaf.not_after:%Y-%m-%d %H:%M} UTC "
                         f"({row.tls_text(now).split(' ', 1)[-1].split(';')[0]})")
            lines.append(f"  issuer:    {leaf.issuer_cn or '-'}")
            lines.append(f"  sha256:    {leaf.fingerprint[:32]}…")
        lines.append(f"  probe:     {row.probe or 'not probed (p)'}"
                     f" on port {row.tls_port}")
    else:
        lines.append(f"TLS:         {row.tls_state or 'none'}")
    lines.append("")
    lines.append(f"Problems ({len(row.problems)}):" if row.problems else "No problems.")
    lines.extend(f"  • {p}" for p in row.problems)
    return lines


class HostDetailScreen(Screen[None]):
    """One host in full; live (re-rendered from the pane's rows); ``p`` probes it."""

    DEFAULT_CSS = """
    HostDetailScreen #host-detail { height: auto; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "back", "Back", id="exposure.detail.back"),
        Binding("p", "probe", "Probe TLS", id="exposure.detail.probe"),
    ]

    def __init__(self, pane: ExposurePane, key: str) -> None:
        super().__init__()
        self.pane = pane
        self.key = key

    def compose(self) -> ComposeResult:
        yield getattr(self.app, "make_status_bar")()  # noqa: B009 (the app's, untyped here)
        with VerticalScroll():
            yield Static("", id="host-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.refresh_detail()  # and again whenever the pane renders (live)

    def refresh_detail(self) -> None:
        if not self.query("#host-detail"):
            return  # not composed yet: on_mount renders it
        row = next((r for r in self.pane.decorated if r.key == self.key), None)
        lines = detail_lines(row, self.pane.now(), self.pane.nameserver) if row \
            else ["This host is gone."]
        self.query_one("#host-detail", Static).update(
            Text("\n").join(display_text(line) for line in lines))

    def action_probe(self) -> None:
        row = next((r for r in self.pane.rows if r.key == self.key), None)
        if row is not None and probe_targets([row]):
            self.pane.run_probes(probe_targets([row]))

    def action_back(self) -> None:
        self.app.pop_screen()
