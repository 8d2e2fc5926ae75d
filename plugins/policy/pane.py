"""The policy pane: every engine's policies, their violations, the admission webhooks (with
the ``failurePolicy`` escape hatch) and "would this be admitted?" -- one table, four views.

Data: shared watch caches (never a request per row). Which types to watch comes from one
discovery call: Kyverno policies and PolicyExceptions, Gatekeeper templates, Config and every
constraint kind (one CRD per template), ValidatingAdmissionPolicies and bindings, both report
APIs, and the webhook configurations with the EndpointSlices of the services they call.
A change marks the model dirty; it is rebuilt at most every ``REBUILD_DELAY`` seconds, so
a burst of 500 report events costs one rebuild -- and the first build waits until every
watched type has synced (or ``FIRST_BUILD_WAIT`` passed), so the initial stream of reports
is parsed once, not once per flush. The model is built in a thread (``asyncio.to_thread``):
parsing 20,000 results never freezes the keys. One build runs at a time (the report cache
is not shared between threads); changes during a build start the next one.

The table is the shared ``VirtualTable`` (``table.py``): only the visible lines are
painted, and the violations view makes a row's cells only when it is painted, so every
failing result is listed (no cap).

Scope: ``--namespace`` (or the config's ``namespace``) narrows reports and namespaced
policies; cluster-scoped policies are always shown.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static

from k8s_essentials_tui.api import (
    CacheUpdated,
    Columns,
    EssentialsError,
    Mutation,
    Permission,
    PluginPane,
    ResourceType,
    VirtualTable,
    clean,
    display_text,
    fit,
    focus_now,
    width,
)

from . import model, webhooks
from .admission import (
    ADMITTED,
    DENIED,
    CheckResult,
    check_manifests,
    load_manifests,
    reason,
)
from .read import served_types
from .table import PolicyTable

REBUILD_DELAY = 0.1
#: seconds after discovery the first build waits for every watched type to sync
FIRST_BUILD_WAIT = 3.0
SHORT_KINDS = {"ValidatingAdmissionPolicy": "VAP", "ConstraintTemplate": "Template",
               "ValidatingPolicy": "VPol", "NamespacedValidatingPolicy": "NVPol"}
VIEWS = ("policies", "results", "webhooks", "exemptions", "check")
VIEW_TITLES = {"policies": "Policies", "results": "Violations", "webhooks": "Webhooks",
               "exemptions": "Exemptions", "check": "Would this be admitted?"}
#: exemptions live in the engines' namespaces (kyverno, gatekeeper-system) whatever the
#: pane's scope: always read cluster-wide
CLUSTER_WIDE_ROLES = frozenset({"kyverno_exceptions", "gatekeeper_configs"})
RESULT_STYLE = {"fail": "bold red", "error": "bold magenta", "warn": "yellow",
                DENIED: "bold red", ADMITTED: "green"}

POLICY_COLS = Columns(("ENGINE", "KIND", "NAME", "MODE", "RULES", "BG", "READY", "FAIL",
                       "WARN", "LAST AUDIT", "NOTES"),
                      narrow=("ENGINE", "NAME", "MODE", "FAIL", "WARN", "NOTES"))
RESULT_COLS = Columns(("RESULT", "SEVERITY", "POLICY", "RULE", "RESOURCE", "MESSAGE"),
                      narrow=("RESULT", "POLICY", "RESOURCE", "MESSAGE"))
WEBHOOK_COLS = Columns(("CONFIGURATION", "WEBHOOK", "FAILURE", "READY", "STATE", "SERVICE"),
                       narrow=("WEBHOOK", "FAILURE", "READY", "STATE"))
CHECK_COLS = Columns(("VERDICT", "OBJECT", "BY", "MESSAGE"), narrow=("VERDICT", "OBJECT",
                                                                     "MESSAGE"))
EXEMPTION_COLS = Columns(("ENGINE", "SOURCE", "EXEMPTS"), narrow=("ENGINE", "SOURCE",
                                                                 "EXEMPTS"))
COLUMNS = {"policies": POLICY_COLS, "results": RESULT_COLS, "webhooks": WEBHOOK_COLS,
           "exemptions": EXEMPTION_COLS, "check": CHECK_COLS}


def _read_text(path: str) -> str:
    return Path(path).expanduser().read_text(encoding="utf-8")


def _short_source(source: str) -> str:
    return source.replace("ValidatingAdmissionPolicy ", "VAP ", 1) or "-"


def _short_time(stamp: str) -> str:
    """``2026-12-06T12:00:00Z`` as ``12-06 12:00`` (UTC): the audit's date at a glance."""
    if len(stamp) >= 16 and stamp[4] == "-" and stamp[10] == "T":
        return f"{stamp[5:10]} {stamp[11:16]}"
    return stamp or "-"


def _yn(value: bool | None) -> Text:
    if value is None:
        return Text("-", style="dim")
    return Text("yes", style="green") if value else Text("no", style="bold red")


def _count(n: int, style: str) -> Text:
    return Text(str(n), style=style if n else "dim")


class PolicyPane(PluginPane):
    DEFAULT_CSS = """
    PolicyPane #policy-summary { height: 1; padding: 0 1; background: $panel; }
    PolicyPane #policy-table { height: 1fr; }
    PolicyPane #policy-detail { height: auto; max-height: 4; padding: 0 1;
                                color: $text-muted; }
    PolicyPane Input { display: none; height: 3; }
    PolicyPane Input.visible { display: block; }
    """
    BINDINGS = [
        Binding("slash", "filter", "Filter", id="policy.filter", priority=True),
        Binding("1", "view('policies')", "Policies", id="policy.view.policies"),
        Binding("2", "view('results')", "Violations", id="policy.view.results"),
        Binding("3", "view('webhooks')", "Webhooks", id="policy.view.webhooks"),
        Binding("4", "view('exemptions')", "Exemptions", id="policy.view.exemptions"),
        Binding("b", "group", "Group by", id="policy.group"),
        Binding("c", "check", "Check file", id="policy.check"),
        Binding("I", "ignore", "Ignore webhook", id="policy.webhook.ignore"),
        Binding("R", "revert", "Revert webhook", id="policy.webhook.revert"),
    ]
    FOCUS_ACTIONS = frozenset({"filter", "check"})

    def __init__(self, plugin: Any, **kwargs: Any) -> None:
        super().__init__(plugin, **kwargs)
        self.view = "policies"
        self.group_by = "policy"
        self.needle = ""
        self.policy_filter: model.PolicyRow | None = None
        self.scope: str | None = None
        self.inventory = model.PolicyInventory()
        self.webhook_rows: list[webhooks.WebhookRow] = []
        self.check_results: list[CheckResult] = []
        self.check_problems: list[str] = []
        self.check_file = ""
        self._roles: dict[str, str] = {}  # rtype.qualified -> Sources field
        self._caches: dict[str, Any] = {}
        self._dirty = False
        self._discovered = False
        self._endpoint_namespaces: set[str] = set()
        self._row_objects: dict[str, Any] = {}
        self._result_index: dict[str, model.ResultRow] = {}
        self._reports = model.ReportCache()
        self._building = False
        self._first_build = True
        self._built = False
        self._wait_until: float | None = None

    # -- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("Loading policies…", id="policy-summary", markup=False)
        yield PolicyTable(id="policy-table")
        yield Input(placeholder="filter (enter: keep, esc: leave)", id="policy-filter")
        yield Input(placeholder="manifest file to dry-run (enter: check, esc: cancel)",
                    id="policy-file")
        yield Static("", id="policy-detail", markup=False)

    @property
    def table(self) -> PolicyTable:
        return self.query_one("#policy-table", PolicyTable)

    def on_mount(self) -> None:
        self.table.focus()
        super().on_mount()

    def on_session_ready(self) -> None:
        self.scope = self.chosen_namespace(self.app)
        self._discover()

    @classmethod
    def prefetch(cls, session: Any, app: Any) -> None:
        """The lists on the wire before the screen is composed (see PluginPane.prefetch):
        what :meth:`_discover` will watch, when this session's discovery is known."""
        disc = session.discovered
        if disc is None:
            return
        scope = cls.chosen_namespace(app)
        for rtype, role in _watch_plan(disc):
            session.prefetch(rtype, _namespace(rtype, role, scope))

    @work(group="policy-discovery", exclusive=True, description="policy-discovery")
    async def _discover(self) -> None:
        """One discovery call decides what to watch (an absent engine costs nothing)."""
        if self.session is None:
            return
        try:
            disc = await self.session.discovery()
        except EssentialsError as exc:
            self.inventory.notes.append(f"discovery failed: {exc}")
            self._discovered = True
            self._built = True
            self._show()
            return
        for rtype, role in _watch_plan(disc):
            self._watch(rtype, role)
        self._discovered = True
        self._schedule()

    def _watch(self, rtype: ResourceType, role: str) -> None:
        self._roles[rtype.qualified] = role
        cache = self.watch_resource(rtype, _namespace(rtype, role, self.scope))
        if cache is not None:
            self._caches[rtype.qualified] = cache

    # -- data ----------------------------------------------------------------------------------

    def on_cache_updated(self, message: CacheUpdated) -> None:
        if message.cache.rtype.qualified not in self._roles and \
                message.cache.rtype != webhooks.ENDPOINT_SLICES:
            return
        message.stop()
        self._schedule()

    def _schedule(self) -> None:
        if self._first_build and self._discovered and not self._building and self._synced():
            # the last list the first build waited for: build now, not after the debounce
            # (REBUILD_DELAY is for bursts of watch events, not for the pane's opening)
            self._start_rebuild()
            return
        if not self._dirty:
            self._dirty = True
            self.set_timer(REBUILD_DELAY, self._start_rebuild)

    def _synced(self) -> bool:
        """Every watched policy type has its first answer (synced, or forbidden/failed)."""
        return all(getattr(cache, "state", "") != "pending"
                   for qualified, cache in self._caches.items() if qualified in self._roles)

    def _start_rebuild(self) -> None:
        if self._building:  # the build in flight starts the next one when it ends
            return
        if not self._synced() and self._first_build:
            loop = asyncio.get_running_loop()
            if self._wait_until is None:
                self._wait_until = loop.time() + FIRST_BUILD_WAIT
            left = self._wait_until - loop.time()
            if left > 0:
                # a cache's sync posts CacheUpdated (which schedules again); the timer
                # bounds the wait for a type that never answers
                self._dirty = False
                self.set_timer(min(left, 0.5), self._schedule)
                return
        self._dirty = False
        self._building = True
        self._rebuild()

    def _items(self, role: str) -> list[Any]:
        out: list[Any] = []
        for qualified, r in self._roles.items():
            if r == role and qualified in self._caches:
                out.extend(self._caches[qualified].items())
        return out

    def _sources(self) -> model.Sources:
        src = model.Sources(
            kyverno=self._items("kyverno"), kyverno_vpols=self._items("kyverno_vpols"),
            kyverno_exceptions=self._items("kyverno_exceptions"),
            templates=self._items("templates"), constraints=self._items("constraints"),
            gatekeeper_configs=self._items("gatekeeper_configs"), vaps=self._items("vaps"),
            vap_bindings=self._items("vap_bindings"), reports=self._items("reports"))
        for qualified, cache in self._caches.items():
            state = getattr(cache, "state", "")
            if state == "forbidden":
                src.notes.append(f"not allowed to list {qualified}: not shown")
            elif state == "error":
                src.notes.append(f"{qualified}: list failed")
        return src

    @work(group="policy-model", description="policy-model")
    async def _rebuild(self) -> None:
        """The model in a thread (pure; the watch caches' item lists are snapshots)."""
        try:
            inv = await asyncio.to_thread(model.inventory, self._sources(), self.scope,
                                          self._reports)
        finally:
            self._building = False
        self._first_build = False
        self.inventory = inv
        configs = self._items("webhooks")
        self._watch_endpoints(configs)
        slices: list[Any] = []
        for ns in self._endpoint_namespaces:
            key = f"{webhooks.ENDPOINT_SLICES.qualified}@{ns}"
            if key in self._caches:
                slices.extend(self._caches[key].items())
        synced = {ns for ns in self._endpoint_namespaces
                  if getattr(self._caches.get(f"{webhooks.ENDPOINT_SLICES.qualified}@{ns}"),
                             "synced", False)}
        self.webhook_rows = webhooks.webhook_rows(configs, webhooks.ready_endpoints(slices),
                                                  synced)
        self._row_objects = {f"{c.get('kind')}/{(c.get('metadata') or {}).get('name')}": c
                             for c in configs}
        self._built = True
        self._show()
        if self._dirty:  # changes arrived during the build
            self._dirty = False
            self._schedule()

    def _watch_endpoints(self, configs: list[Any]) -> None:
        """EndpointSlices only of the namespaces webhook services live in."""
        for ns, _name in sorted(webhooks.services(configs)):
            if ns in self._endpoint_namespaces:
                continue
            self._endpoint_namespaces.add(ns)
            cache = self.watch_resource(webhooks.ENDPOINT_SLICES, ns)
            if cache is not None:
                self._caches[f"{webhooks.ENDPOINT_SLICES.qualified}@{ns}"] = cache

    # -- rendering ------------------------------------------------------------------------------

    def _width(self) -> int:
        return self.size.width or self.app.size.width

    def _show(self) -> None:
        """Fill the table with the current view only (the others are made when shown)."""
        if not self.is_mounted:
            return
        shown = COLUMNS[self.view].shown(self._width())
        if self.view == "results":
            count = self._show_results(shown)
        else:
            rows = getattr(self, f"_rows_{self.view}")(shown)
            self.table.set_data(shown, [(k, COLUMNS[self.view].cells(cells, shown))
                                        for k, cells in rows])
            count = len(rows)
        self._summary(count)
        self._detail()

    def _summary(self, count: int) -> None:
        inv = self.inventory
        fails = sum(1 for r in inv.results if r.result in ("fail", "error"))
        warns = sum(1 for r in inv.results if r.result == "warn")
        blocking = sum(1 for w in self.webhook_rows if w.blocking)
        label = "c" if self.view == "check" else str(VIEWS.index(self.view) + 1)
        parts = [f"[{label}] {VIEW_TITLES[self.view]}",
                 f"{len(inv.policies)} policies", f"{fails} fail", f"{warns} warn"]
        if blocking:
            parts.append(f"{blocking} BLOCKING webhook(s)")
        if self.view == "results":
            parts.append(f"by {self.group_by}")
        if self.policy_filter is not None:
            parts.append(f"policy {self.policy_filter.ref}")
        if self.needle:
            parts.append(f"/{self.needle}")
        if not self._built:
            parts.append("loading…")
        line = " · ".join(parts)
        if self.view in ("policies", "results", "exemptions") and not count \
                and self._built:
            line += " · nothing to show"
        self.query_one("#policy-summary", Static).update(display_text(line))

    def _rows_policies(self, shown: tuple[str, ...]) -> list[tuple[str, list[Any]]]:
        rows = []
        for p in self.inventory.policies:
            if self.needle and not model.policy_matches(p, self.needle):
                continue
            notes = "; ".join(p.notes + p.problems) or "-"
            rows.append((p.key, [p.engine, SHORT_KINDS.get(p.kind, p.kind),
                                 fit(clean(p.ref), 30, pad=False), p.mode,
                                 str(p.rules), _yn(p.background), _yn(p.ready),
                                 _count(p.fail, "bold red"), _count(p.warn, "yellow"),
                                 _short_time(p.last_audit), clean(notes)]))
        return rows

    def _visible_results(self) -> list[model.ResultRow]:
        results = self.inventory.results
        if self.policy_filter is not None:
            results = model.results_for_policy(results, self.policy_filter)
        if self.needle:
            results = [r for r in results if model.matches(r, self.needle)]
        return results

    def _show_results(self, shown: tuple[str, ...]) -> int:
        """Group headers, then their results, as lazy rows: the keys and the column widths
        now (widths measured on the distinct values), a row's cells when it is painted.
        The grouped-by field is blank in the result rows (the header says it), which leaves
        the message more room. Returns how many results are listed."""
        cap = max(20, min(32, self._width() // 4))
        res_cap = max(20, min(40, self._width() // 4))
        entries: list[tuple[str, str, int, model.ResultRow | None]] = []
        self._result_index = {}
        results = self._visible_results()
        for group, items in model.grouped(results, self.group_by):
            entries.append((f"group:{group}", group, len(items), None))
            for i, r in enumerate(items):
                key = f"r:{group}:{i}"
                self._result_index[key] = r
                entries.append((key, group, 0, r))

        def head(group: str, count: int) -> str:
            n = f" ({count})"
            return f"▸ {fit(clean(group), cap - len(n) - 2, pad=False)}{n}"

        def policy_cell(r: model.ResultRow) -> str:
            return "" if self.group_by == "policy" else fit(clean(r.policy), cap, pad=False)

        def resource_cell(r: model.ResultRow) -> str:
            return "" if self.group_by == "resource" else fit(clean(self._local(r.resource)),
                                                              res_cap, pad=False)

        def widest(values: set[str]) -> int:
            return max((width(v) for v in values), default=0)

        heads = {head(g, n) for _k, g, n, r in entries if r is None}
        widths = {
            "RESULT": widest({r.result for r in results}),
            "SEVERITY": widest({r.severity or "-" for r in results}),
            "POLICY": widest({policy_cell(r) for r in results} | heads),
            "RULE": widest({clean(r.rule) or "-" for r in results}),
            "RESOURCE": widest({resource_cell(r) for r in results}),
            # the last column is cut to the screen by the table: an upper bound will do
            "MESSAGE": max((len(r.message) for r in results), default=0),
        }
        all_cols = RESULT_COLS.names

        def make(index: int) -> list[Any]:
            _key, group, count, r = entries[index]
            if r is None:
                cells: list[Any] = [Text(""), "", Text(head(group, count), style="bold"),
                                    "", "", ""]
            else:
                cells = [Text(r.result, style=RESULT_STYLE.get(r.result, "")),
                         r.severity or "-", policy_cell(r), clean(r.rule) or "-",
                         resource_cell(r), clean(r.message)]
            return [cells[all_cols.index(c)] for c in shown]

        self.table.set_lazy(shown, [e[0] for e in entries], [widths[c] for c in shown], make)
        return len(results)

    def _local(self, resource: str) -> str:
        """``Kind/ns/name`` without the namespace when the pane is scoped to it."""
        if self.scope and f"/{self.scope}/" in resource:
            return resource.replace(f"/{self.scope}/", "/", 1)
        return resource

    def _rows_webhooks(self, shown: tuple[str, ...]) -> list[tuple[str, list[Any]]]:
        rows = []
        for w in self.webhook_rows:
            if self.needle and self.needle.lower() not in (
                    f"{w.configuration} {w.webhook} {w.service}".lower()):
                continue
            if w.blocking:
                state = Text("BLOCKING", style="bold red")
            elif w.ignored_by_us:
                state = Text("Ignore (R: revert)", style="yellow")
            elif w.ready is None:
                state = Text("unknown", style="dim")
            else:
                state = Text("ok", style="green")
            rows.append((w.key, [fit(clean(w.configuration), 34, pad=False),
                                 fit(clean(w.webhook), 36, pad=False),
                                 Text(w.failure_policy, style="bold" if
                                      w.failure_policy == "Fail" else "dim"),
                                 "-" if w.ready is None else str(w.ready), state,
                                 clean(w.service)]))
        return rows

    def _rows_exemptions(self, shown: tuple[str, ...]) -> list[tuple[str, list[Any]]]:
        rows: list[tuple[str, list[Any]]] = []
        for i, e in enumerate(self.inventory.exemptions):
            if self.needle and self.needle.lower() not in f"{e.source} {e.text}".lower():
                continue
            rows.append((f"exemption:{i}", [e.engine, fit(clean(e.source), 48, pad=False),
                                            clean(e.text)]))
        return rows

    def _rows_check(self, shown: tuple[str, ...]) -> list[tuple[str, list[Any]]]:
        rows: list[tuple[str, list[Any]]] = []
        for i, r in enumerate(self.check_results):
            message = reason(r.message) or ("; ".join(f"warning: {w}" for w in r.warnings) or "-")
            verdict = r.verdict + (" (warn)" if r.warnings and r.verdict == ADMITTED else "")
            rows.append((f"check:{i}", [Text(verdict, style=RESULT_STYLE.get(r.verdict, "")),
                                        fit(clean(f"{r.kind}/{r.name}"), 36, pad=False),
                                        fit(clean(_short_source(r.source)), 30,
                                            pad=False),
                                        clean(message)]))
        for i, p in enumerate(self.check_problems):
            rows.append((f"problem:{i}", [Text("error", style="bold magenta"), "-", "-",
                                          clean(p)]))
        return rows

    def _detail(self) -> None:
        """The whole text of the highlighted row (cells are cut to the screen)."""
        key = self.table.selected_key() or ""
        text = ""
        if self.view == "policies":
            row = next((p for p in self.inventory.policies if p.key == key), None)
            if row is not None:
                text = (f"{row.kind} {row.ref}: mode {row.mode}, {row.rules} rule(s), "
                        f"{row.fail} fail, {row.warn} warn, {row.passed} pass"
                        + "".join(f"\n{n}" for n in row.notes + row.problems)
                        + "\nenter: its violations")
        elif self.view == "results":
            r = self._result_index.get(key)
            if r is not None:
                text = (f"{r.result} {r.policy}/{r.rule or '-'} on {r.resource}: {r.message}"
                        "\nenter: every result of this resource")
        elif self.view == "webhooks":
            w = next((w for w in self.webhook_rows if w.key == key), None)
            if w is not None:
                text = (f"{w.kind} {w.configuration}, webhook {w.webhook} → {w.service}"
                        + (": failurePolicy Fail and no ready endpoint, it rejects every "
                           "admission it matches" if w.blocking else ""))
                if w.failure_policy == "Fail":
                    text += "\nI: set failurePolicy Ignore (escape hatch for an outage)"
                if w.ignored_by_us:
                    text += "\nR: put failurePolicy Fail back"
        elif self.view == "exemptions" and key.startswith("exemption:"):
            e = self.inventory.exemptions[int(key.split(":")[1])]
            text = f"{e.source}: {e.text}"
        elif self.view == "check":
            if key.startswith("check:"):
                checked = self.check_results[int(key.split(":")[1])]
                text = (f"{checked.ref}: {checked.verdict}"
                        + (f" by {checked.source}" if checked.source else "")
                        + (f": {checked.message}" if checked.message else "")
                        + "".join(f"\nwarning: {w}" for w in checked.warnings))
            elif self.check_file:
                text = f"dry-run of {self.check_file}"
        self.query_one("#policy-detail", Static).update(display_text(text, multiline=True))

    def on_virtual_table_highlighted(self, event: VirtualTable.Highlighted) -> None:
        event.stop()
        self._detail()

    def on_resize(self) -> None:
        self._show()

    # -- keys -----------------------------------------------------------------------------------

    def action_view(self, view: str) -> None:
        if view == self.view:
            return
        self.view = view
        self.policy_filter = None if view != "results" else self.policy_filter
        self._show()
        self.table.move_cursor(row=0, animate=False)
        self.table.focus()

    def action_group(self) -> None:
        if self.view != "results":
            self.action_view("results")
            return
        i = model.GROUPINGS.index(self.group_by)
        self.group_by = model.GROUPINGS[(i + 1) % len(model.GROUPINGS)]
        self._show()

    def action_filter(self) -> None:
        box = self.query_one("#policy-filter", Input)
        box.add_class("visible")
        focus_now(box)

    def action_check(self) -> None:
        box = self.query_one("#policy-file", Input)
        box.add_class("visible")
        focus_now(box)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "policy-filter":
            event.stop()
            self.needle = event.value.strip()
            self._show()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "policy-file":
            event.input.remove_class("visible")
            if event.value.strip():
                self._run_check(event.value.strip())
        elif not event.value.strip():
            event.input.remove_class("visible")
        self.table.focus()

    def main_widget(self) -> PolicyTable:
        return self.table

    def has_filter(self) -> bool:
        return bool(self.needle) or self.policy_filter is not None or self.view != "policies"

    def clear_filter(self) -> None:
        """Escape: the text filter first, then the policy the violations were narrowed to,
        then back to the policies view; only then does escape leave the pane."""
        file_box = self.query_one("#policy-file", Input)
        file_box.remove_class("visible")
        if self.needle:
            box = self.query_one("#policy-filter", Input)
            box.value = ""
            box.remove_class("visible")
            self.needle = ""
        elif self.policy_filter is not None:
            self.policy_filter = None
            self.view = "policies"
        else:
            self.view = "policies"
        self._show()

    async def action_back(self) -> None:
        focused = self.screen.focused
        if isinstance(focused, Input) and focused.id == "policy-file":
            focused.remove_class("visible")
            self.table.focus()
            return
        if isinstance(focused, Input) and not focused.value:
            focused.remove_class("visible")
        await super().action_back()

    def on_virtual_table_selected(self, event: VirtualTable.Selected) -> None:
        event.stop()
        key = event.key or ""
        if self.view == "policies":
            row = next((p for p in self.inventory.policies if p.key == key), None)
            if row is not None:
                self.policy_filter = row
                self.view = "results"
                self._show()
                self.table.move_cursor(row=0, animate=False)
        elif self.view == "results":
            r = self._result_index.get(key)
            if r is not None:
                from .detail import ResourceResultsScreen

                self.app.push_screen(ResourceResultsScreen(
                    r, model.results_for_resource(self.inventory.results, r.kind, r.name,
                                                  r.namespace)))

    # -- would this be admitted? ------------------------------------------------------------------

    @work(group="policy-check", exclusive=True, description="policy-check")
    async def _run_check(self, path: str) -> None:
        self.check_file = path
        self.check_results, self.check_problems = [], []
        self.view = "check"
        try:
            text = await asyncio.to_thread(_read_text, path)
        except (OSError, UnicodeDecodeError) as exc:
            self.check_problems = [f"{path}: {exc}"]
            self._show()
            return
        objs, problems = load_manifests(text, path)
        self.check_problems = problems
        self._show()
        if self.session is None or not objs:
            if not objs and not problems:
                self.check_problems = [f"{path}: no objects"]
            self._show()
            return
        self.query_one("#policy-summary", Static).update(
            display_text(f"dry-run of {len(objs)} object(s) from {path}…"))
        self.check_results = await check_manifests(
            self.session.client, objs, self.scope or self.session.namespace or "default")
        self._show()
        denied = sum(1 for r in self.check_results if r.verdict == DENIED)
        self.app.notify(clean(f"{path}: {len(self.check_results) - denied} admitted, "
                              f"{denied} denied"),
                        severity="warning" if denied else "information")

    # -- the escape hatch -----------------------------------------------------------------------

    def _selected_webhook(self) -> webhooks.WebhookRow | None:
        if self.view != "webhooks":
            self.app.notify("I/R act on a webhook: press 3 for the webhooks", severity="warning")
            return None
        key = self.table.selected_key()
        return next((w for w in self.webhook_rows if w.key == key), None)

    def _rtype(self, row: webhooks.WebhookRow) -> ResourceType:
        return webhooks.VALIDATING if row.kind.startswith("Validating") else webhooks.MUTATING

    def action_ignore(self) -> None:
        row = self._selected_webhook()
        if row is None:
            return
        if row.failure_policy != "Fail":
            self.app.notify(clean(f"webhook {row.webhook} already has failurePolicy "
                                  f"{row.failure_policy}"), severity="warning")
            return
        cfg = self._row_objects.get(f"{row.kind}/{row.configuration}") or {}
        patch = webhooks.ignore_patch(cfg, row)
        self.perform(self._patch_mutation(
            row, patch, "policy.webhook.ignore",
            f"Set failurePolicy Ignore on webhook {row.webhook} ({row.configuration})",
            warning=("While Ignore, objects this webhook would reject are ADMITTED when it "
                     "cannot be reached. " + webhooks.GITOPS_WARNING
                     + " Revert with R once the webhook's endpoints are ready."),
            typed=row.webhook, build=webhooks.ignore_patch))

    def action_revert(self) -> None:
        row = self._selected_webhook()
        if row is None:
            return
        if not row.ignored_by_us:
            self.app.notify(clean(f"webhook {row.webhook} was not set to Ignore by this app: "
                                  "its original failurePolicy is unknown"), severity="warning")
            return
        cfg = self._row_objects.get(f"{row.kind}/{row.configuration}") or {}
        patch = webhooks.revert_patch(cfg, row)
        self.perform(self._patch_mutation(
            row, patch, "policy.webhook.revert",
            f"Put failurePolicy Fail back on webhook {row.webhook} ({row.configuration})",
            warning=("With Fail, admissions this webhook matches are rejected while it has "
                     "no ready endpoint." if row.ready == 0 else ""),
            typed=None, build=webhooks.revert_patch))

    def _patch_mutation(self, row: webhooks.WebhookRow, patch: list[dict[str, Any]],
                        action: str, title: str, *, warning: str, typed: str | None,
                        build: Any) -> Mutation:
        rtype = self._rtype(row)
        session = self.session

        async def run() -> str:
            assert session is not None
            # built again from the stored object: the test op guards the index
            current = await session.client.get(rtype, row.configuration)
            await session.client.patch(rtype, row.configuration, build(current, row),
                                       patch_type="json")
            return f"{row.configuration}/{row.webhook}: {title.split(' on ')[0]}"

        return Mutation(action=action, title=title,
                        command=webhooks.kubectl_command(row, patch), run=run,
                        permissions=(Permission("patch", rtype),), typed_confirmation=typed,
                        warning=warning)


def _watch_plan(disc: Any) -> list[tuple[ResourceType, str]]:
    """Every type the pane watches, with its role, given discovery: the reports first
    (the largest list, so the first on the wire), then the engines' types, the
    ValidatingAdmissionPolicies and the webhook configurations."""
    wanted = served_types(disc.resources)
    wanted["vaps"], wanted["vap_bindings"] = [model.VAPS], [model.VAP_BINDINGS]
    plan = [(rtype, "reports") for rtype in wanted.pop("reports")]
    plan += [(rtype, role) for role, types in wanted.items() for rtype in types]
    return [*plan, (webhooks.VALIDATING, "webhooks"), (webhooks.MUTATING, "webhooks")]


def _namespace(rtype: ResourceType, role: str, scope: str | None) -> str | None:
    return scope if rtype.namespaced and role not in CLUSTER_WIDE_ROLES else None
