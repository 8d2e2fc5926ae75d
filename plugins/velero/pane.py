"""The Velero pane: backups (newest first, live progress), schedules (next run), restores and
storage locations, from the shared watch caches; actions through Mutations.

Keys: ``b`` create backup, ``n`` backup now from the selected schedule, ``r`` restore from
the selected backup, ``p`` pause/unpause the selected schedule, ``d`` delete the selected
backup (typed name), ``enter`` detail (+ logs), ``f``/``s`` filter backups by
phase/schedule (escape clears them), ``1``-``4`` switch tabs, ``i`` install Velero when it
is missing. Every table takes ``j``/``k``/``g``/``G``/``ctrl+f``/``ctrl+b``
(:class:`KeyTable`); the active tab's table has the focus whenever the pane is shown. An
action the user may not perform is shown disabled, and the reason (from
SelfSubjectAccessReview) is listed under the tabs.

Every cell is a ``Text`` of cleaned cluster text (:mod:`k8s_essentials_tui.text`): names,
storage locations, cron strings, providers, buckets and status messages are written by
whoever may edit Velero's objects. Name columns are cut at :data:`NAME_CELLS` cells (with
``…``): a DataTable column only ever grows, so one 253-character backup name would push every
other column off screen for as long as the pane is open. The detail view has the full name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from k8s_essentials_tui.api import (
    NAMESPACES,
    Access,
    CacheUpdated,
    Columns,
    KeyTable,
    Mutation,
    Permission,
    PluginPane,
    ResourceType,
    clean,
    display_text,
    fill_rows,
    fit,
    focus_now,
    set_columns,
)

from . import model, ops

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

#: action -> (verb, resource type, subresource) it needs in the Velero namespace
NEEDS: dict[str, tuple[str, ResourceType]] = {
    "create_backup": ("create", model.BACKUPS),
    "backup_now": ("create", model.BACKUPS),
    "restore": ("create", model.RESTORES),
    "pause": ("patch", model.SCHEDULES),
    "delete": ("create", model.DELETE_BACKUP_REQUESTS),
}
#: table id -> its columns, and those kept on a narrow terminal (the row's detail has all)
TABLES = {
    "backups": Columns(("NAME", "PHASE", "PROGRESS", "STARTED", "DURATION", "EXPIRES",
                        "LOCATION", "ERR", "WARN", "SCHEDULE"),
                       ("NAME", "PHASE", "PROGRESS", "STARTED")),
    "schedules": Columns(("NAME", "CRON", "NEXT RUN", "PAUSED", "LAST BACKUP", "LAST PHASE"),
                         ("NAME", "CRON", "NEXT RUN", "PAUSED", "LAST PHASE")),
    "restores": Columns(("NAME", "BACKUP", "PHASE", "PROGRESS", "ERR", "WARN", "STARTED"),
                        ("NAME", "BACKUP", "PHASE", "PROGRESS")),
    "locations": Columns(("NAME", "DEFAULT", "PHASE", "LAST VALIDATED", "PROVIDER", "BUCKET",
                          "MESSAGE"), ("NAME", "DEFAULT", "PHASE", "BUCKET", "MESSAGE")),
}
ACTION_TITLES = {"create_backup": "b create backup", "backup_now": "n backup now",
                 "restore": "r restore", "pause": "p pause/unpause",
                 "delete": "d delete backup"}


#: the widest a name cell gets (terminal cells); the detail view shows the whole name
NAME_CELLS = 40
#: per table: the columns that hold object names (cut at NAME_CELLS)
NAME_COLUMNS = {"backups": ("NAME", "SCHEDULE"), "schedules": ("NAME", "LAST BACKUP"),
                "restores": ("NAME", "BACKUP"), "locations": ("NAME",)}


def name_cell(value: object) -> Text:
    """A name as a table cell: cleaned, and cut to :data:`NAME_CELLS` cells with ``…``."""
    return Text(fit(clean(value), NAME_CELLS, pad=False))


def _cell(value: object) -> Text:
    return value if isinstance(value, Text) else display_text(value)


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def velero_namespace_of(app: Any) -> str:
    """Where Velero's objects live: the config's ``velero.namespace``, else where the board
    found Velero's server, else ``velero``.

    Why not the app's ``--namespace``: that scopes what the panes show (certificates of one
    team's namespace); Velero's namespace is a fact of the installation. With
    ``-n shop`` the pane used to look for Velero in ``shop`` and offer to install it there."""
    configured = app.settings.get("velero.namespace") if hasattr(app, "settings") else ""
    det = (getattr(app, "detections", None) or {}).get("velero")
    detected = det.namespace if det is not None and det.installed is True else None
    return str(configured or detected or model.DEFAULT_NAMESPACE)


class VeleroPane(PluginPane):
    DEFAULT_CSS = """
    VeleroPane #velero-status { height: auto; padding: 0 1; }
    VeleroPane #velero-status.problem { color: $warning; }
    VeleroPane #velero-disabled { height: auto; padding: 0 1; color: $text-muted; }
    VeleroPane #backup-filter { height: 1; padding: 0 1; color: $text-muted; }
    VeleroPane TabbedContent { height: 1fr; }
    VeleroPane DataTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("b", "create_backup", "Backup", id="velero.backup"),
        Binding("n", "backup_now", "Backup now", id="velero.backup_now"),
        Binding("r", "restore", "Restore", id="velero.restore"),
        Binding("p", "pause", "Pause", id="velero.pause"),
        Binding("d", "delete", "Delete", id="velero.delete"),
        Binding("enter", "detail", "Detail", id="velero.detail", show=False),
        Binding("f", "phase_filter", "Phase", id="velero.filter_phase"),
        Binding("s", "schedule_filter", "Schedule", id="velero.filter_schedule"),
        Binding("i", "install", "Install", id="velero.install"),
        Binding("1", "show_tab('tab-backups')", "Backups", show=False, id="velero.tab1"),
        Binding("2", "show_tab('tab-schedules')", "Schedules", show=False,
                id="velero.tab2"),
        Binding("3", "show_tab('tab-restores')", "Restores", show=False, id="velero.tab3"),
        Binding("4", "show_tab('tab-locations')", "Locations", show=False,
                id="velero.tab4"),
    ]

    def __init__(self, plugin: Any, **kwargs: Any) -> None:
        super().__init__(plugin, **kwargs)
        self.velero_namespace = model.DEFAULT_NAMESPACE
        self.access: dict[str, Access] = {}
        self.phase_filter = ""
        self.schedule_filter = ""
        self.following = ""
        self._missing = False
        self._list_error = ""

    # -- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("connecting…", id="velero-status", markup=False)
        yield Static("", id="velero-disabled", markup=False)
        with TabbedContent(id="velero-tabs"):
            with TabPane("Backups", id="tab-backups"):
                yield Static("", id="backup-filter", markup=False)
                yield KeyTable(id="backups", zebra_stripes=True)
            with TabPane("Schedules", id="tab-schedules"):
                yield KeyTable(id="schedules")
            with TabPane("Restores", id="tab-restores"):
                yield KeyTable(id="restores")
            with TabPane("Locations", id="tab-locations"):
                yield KeyTable(id="locations")

    def on_mount(self) -> None:
        for table_id, spec in TABLES.items():
            set_columns(self.query_one(f"#{table_id}", DataTable),
                        spec.shown(self.app.size.width))
        self._render_filter()
        # the table, not the tab bar (Textual's first focusable): `down` moves the row
        focus_now(self.query_one("#backups", DataTable))
        super().on_mount()

    def on_session_ready(self) -> None:
        self.velero_namespace = velero_namespace_of(self.app)
        for rtype in (model.BACKUPS, model.SCHEDULES, model.RESTORES, model.BSLS):
            self.watch_resource(rtype, self.velero_namespace)
        self.watch_resource(NAMESPACES)
        self.check_access()

    # -- data -------------------------------------------------------------------------------

    def _items(self, rtype: ResourceType) -> list[dict[str, Any]]:
        session = self.session
        if session is None:
            return []
        ns = None if not rtype.namespaced else self.velero_namespace
        return session.cache(rtype, ns).items()

    def _cache_state(self, rtype: ResourceType) -> tuple[str, str]:
        session = self.session
        if session is None:
            return "pending", ""
        cache = session.cache(rtype, self.velero_namespace)
        return cache.state, str(cache.error or "")

    def on_resize(self) -> None:
        """Narrow or wide columns (see ``widgets.columns``) follow the terminal."""
        if self.session is not None:
            self.render_backups()
            self.render_schedules()
            self.render_restores()
            self.render_locations()

    def on_cache_updated(self, message: CacheUpdated) -> None:
        rtype = message.cache.rtype
        if rtype == model.BACKUPS:
            self.render_backups()
            self.render_schedules()
            self._check_follow()
        elif rtype == model.SCHEDULES:
            self.render_schedules()
        elif rtype == model.RESTORES:
            self.render_restores()
        elif rtype == model.BSLS:
            self.render_locations()
        self.render_status()

    def render_status(self) -> None:
        status = self.query_one("#velero-status", Static)
        state, error = self._cache_state(model.BACKUPS)
        self._missing = state == "missing"
        status.remove_class("problem")
        status.update(clean(self._status_text(state, error), multiline=True))
        self._render_disabled()
        self.refresh_bindings()

    def _status_text(self, state: str, error: str) -> str:
        """The status line (it quotes apiserver errors and BSL messages: cleaned by the
        caller)."""
        status = self.query_one("#velero-status", Static)
        if state == "pending":
            return f"loading Velero objects in {self.velero_namespace}…"
        if state == "missing":
            status.add_class("problem")
            return f"{ops.NOT_INSTALLED}. Press i to install it."
        if state == "forbidden":
            status.add_class("problem")
            return f"no permission to list backups in {self.velero_namespace}: {error}"
        if state in ("error", "stale"):
            status.add_class("problem")
            return f"{'stale: ' if state == 'stale' else ''}{error}"
        problems = model.bsl_problems(self._items(model.BSLS))
        counts = " · ".join(
            _count(len(self._items(rtype)), word) for rtype, word in (
                (model.BACKUPS, "backup"), (model.SCHEDULES, "schedule"),
                (model.RESTORES, "restore")))
        text = f"namespace {self.velero_namespace} · {counts}"
        if problems:
            status.add_class("problem")
            text += " · ⚠ " + "; ".join(problems)
        if self.following:
            text += f" · following {self.following}"
        return text

    def _phase_text(self, phase: str, problems: list[str] | None = None) -> Text:
        """The phase, coloured; ``⚠ unreadable`` after it when fields of the object could
        not be read (the detail view, ``d``, lists them)."""
        theme = self.app.current_theme
        colour = {"ok": theme.success, "warn": theme.warning, "bad": theme.error,
                  "busy": theme.accent}[model.phase_style(phase)]
        text = Text(clean(phase), style=colour or "")
        if problems:
            text.append(" ⚠ unreadable", style=theme.warning or "")
        return text

    def _refill(self, table: DataTable, rows: list[tuple[str, list[Any]]]) -> None:
        """Show these rows (full rows: the columns a narrow terminal hides are dropped
        here): only the changed cells when the rows are the same (see ``fill_rows``), else
        a rebuild that keeps the cursor on the same key."""
        spec = TABLES[str(table.id)]
        shown = spec.shown(self.app.size.width)
        selected = None
        if table.row_count and table.cursor_row < table.row_count:
            selected = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value
        set_columns(table, shown)
        names = [spec.names.index(n) for n in NAME_COLUMNS.get(str(table.id), ())]
        rows = [(key, [name_cell(c) if i in names and not isinstance(c, Text) else _cell(c)
                       for i, c in enumerate(cells)]) for key, cells in rows]
        if not fill_rows(table, [(key, spec.cells(cells, shown)) for key, cells in rows]):
            return  # same rows in the same order: the cursor stays where it is
        if selected is not None:
            for index, (key, _cells) in enumerate(rows):
                if key == selected:
                    table.move_cursor(row=index, animate=False)
                    break

    def render_backups(self) -> None:
        now = self.now()
        rows = model.backup_rows(self._items(model.BACKUPS), phase=self.phase_filter,
                                 schedule=self.schedule_filter)
        self._refill(self.query_one("#backups", DataTable), [
            (r.name, [r.name, self._phase_text(r.phase, r.problems),
                      model.progress_bar(r.done, r.total),
                      model.short_time(r.started), r.duration(now), r.expires_text(now),
                      r.storage_location or "-", str(r.errors), str(r.warnings),
                      r.schedule or "-"]) for r in rows])

    def render_schedules(self) -> None:
        now = self.now()
        rows = model.schedule_rows(self._items(model.SCHEDULES), self._items(model.BACKUPS),
                                   now)
        self._refill(self.query_one("#schedules", DataTable), [
            (r.name, [r.name, r.cron or ("⚠ " + "; ".join(r.problems) if r.problems else ""),
                      r.next_text(now), "yes" if r.paused else "no",
                      (f"{r.last_backup_name or '-'} ({model.short_time(r.last_backup_time)})"
                       if r.last_backup_time else "-"),
                      self._phase_text(r.last_backup_phase) if r.last_backup_phase else "-"])
            for r in rows])

    def render_restores(self) -> None:
        rows = model.restore_rows(self._items(model.RESTORES))
        self._refill(self.query_one("#restores", DataTable), [
            (r.name, [r.name, r.backup, self._phase_text(r.phase, r.problems),
                      model.progress_bar(r.done, r.total), str(r.errors), str(r.warnings),
                      model.short_time(r.started)]) for r in rows])

    def render_locations(self) -> None:
        rows = model.bsl_rows(self._items(model.BSLS))
        self._refill(self.query_one("#locations", DataTable), [
            (r.name, [r.name, "yes" if r.default else "",
                      Text(clean(r.phase), style=self.app.current_theme.success or "")
                      if r.phase == "Available" else Text(clean(r.phase),
                                                          style=self.app.current_theme.error
                                                          or ""),
                      model.short_time(r.last_validated), r.provider, r.bucket or "-",
                      "; ".join([*r.problems, r.message] if r.message else r.problems)])
            for r in rows])

    def _render_filter(self) -> None:
        parts = [f"phase: {self.phase_filter or 'all'} (f)",
                 f"schedule: {self.schedule_filter or 'all'} (s)", "newest first"]
        if self.phase_filter or self.schedule_filter:
            parts.append("esc clears")
        self.query_one("#backup-filter", Static).update(clean(" · ".join(parts)))

    # -- access -----------------------------------------------------------------------------

    @work(exclusive=True, group="velero-access", description="velero-access")
    async def check_access(self) -> None:
        session = self.session
        if session is None:
            return
        for action, (verb, rtype) in NEEDS.items():
            self.access[action] = await session.access.can(verb, rtype, self.velero_namespace)
        self._render_disabled()
        self.refresh_bindings()

    def access_checked(self) -> str:
        """"default" once every access check answered (snapshots wait for it)."""
        return "default" if len(self.access) == len(NEEDS) else ""

    def disabled_reason(self, action: str) -> str:
        if self.read_only and action in NEEDS:
            return "read-only mode"
        if self._missing and action in NEEDS:
            return "Velero is not installed"
        access = self.access.get(action)
        if access is not None and not access.allowed:
            return access.reason
        return ""

    def _render_disabled(self) -> None:
        lines = []
        for action in NEEDS:
            reason = self.disabled_reason(action)
            if reason:
                lines.append(f"disabled: {ACTION_TITLES[action]} — {reason}")
        # reasons quote SelfSubjectAccessReview answers
        self.query_one("#velero-disabled", Static).update(clean("\n".join(lines),
                                                                multiline=True))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "install":
            return True if self._missing else False
        if action in NEEDS and self.disabled_reason(action):
            return None  # shown dimmed in the footer; the reason is listed in the pane
        return True

    def _blocked(self, action: str) -> bool:
        reason = self.disabled_reason(action)
        if reason:
            self.notify(clean(f"{ACTION_TITLES[action]}: {reason}"), severity="warning",
                        markup=False)
        return bool(reason)

    # -- selection helpers ------------------------------------------------------------------

    def _active_tab(self) -> str:
        return self.query_one(TabbedContent).active or "tab-backups"

    def _selected_key(self, table_id: str) -> str | None:
        table = self.query_one(f"#{table_id}", DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value

    def _by_name(self, rtype: ResourceType, name: str | None) -> dict[str, Any] | None:
        for obj in self._items(rtype):
            if (obj.get("metadata") or {}).get("name") == name:
                return obj
        return None

    def _show_restores_when_done(self, ok: bool, _message: str | None) -> None:
        """After a restore was created: its tab, where it can be followed."""
        if ok:
            self._show("tab-restores")

    def _show(self, tab: str) -> None:
        """Switch to ``tab`` with its table focused (before the next queued key), so the
        row the next action targets is the one the user sees highlighted."""
        self.query_one(TabbedContent).active = tab
        focus_now(self.query_one(f"#{tab.removeprefix('tab-')}", DataTable))

    def action_show_tab(self, tab: str) -> None:
        self._show(tab)

    def main_widget(self) -> DataTable:
        return self.query_one(f"#{self._active_tab().removeprefix('tab-')}", DataTable)

    def has_filter(self) -> bool:
        return bool(self.phase_filter or self.schedule_filter)

    def clear_filter(self) -> None:
        self.phase_filter = self.schedule_filter = ""
        self._render_filter()
        self.render_backups()

    def select_backup(self, name: str, show: bool = True) -> None:
        """Put the cursor on backup ``name``; ``show`` also switches to the Backups tab
        (once, when a backup was created -- not on every progress update, which would pull
        the user back from the tab they went to)."""
        if show:
            self._show("tab-backups")
        table = self.query_one("#backups", DataTable)
        try:
            index = table.get_row_index(name)
        except Exception:
            return
        table.move_cursor(row=index, animate=False)

    def _check_follow(self) -> None:
        if not self.following:
            return
        obj = self._by_name(model.BACKUPS, self.following)
        if obj is None:
            return
        self.select_backup(self.following, show=False)
        phase = (obj.get("status") or {}).get("phase") or "New"
        if phase in model.BACKUP_TERMINAL_PHASES:
            row = model.backup_row(obj)
            severity: SeverityLevel = ("information" if phase in model.BACKUP_OK_PHASES
                                       else "error")
            self.notify(clean(f"backup {row.name} finished: {phase} (errors {row.errors}, "
                              f"warnings {row.warnings})"), title="Velero",
                        severity=severity, timeout=10, markup=False)
            self.following = ""

    # -- actions ----------------------------------------------------------------------------

    def action_create_backup(self) -> None:
        if self._blocked("create_backup"):
            return
        from .forms import CreateBackupScreen

        names = None
        session = self.session
        if session is not None:
            ns_cache = session.cache(NAMESPACES)
            if ns_cache.state == "synced":
                names = [(o.get("metadata") or {}).get("name", "") for o in ns_cache.items()]
        bsls = model.bsl_rows(self._items(model.BSLS))
        default = next((b.name for b in bsls if b.default), "")
        self.app.push_screen(
            CreateBackupScreen(namespace=self.velero_namespace, now=self.now(),
                               namespaces=names, locations=[b.name for b in bsls],
                               default_location=default),
            self._create_backup_submitted)

    def _create_backup_submitted(self, opts: model.BackupOptions | None) -> None:
        if opts is None:
            return
        ns = self.velero_namespace
        obj = model.build_backup(opts, ns)
        session = self.session

        async def run() -> str:
            assert session is not None
            created = await ops.create(session.client, model.BACKUPS, obj, ns)
            return f"backup {created['metadata']['name']} created"

        self._perform_create(Mutation(
            action="velero.backup.create", title=f"Create backup {opts.name} in {ns}",
            command=model.backup_command(opts, ns), run=run,
            permissions=[Permission("create", model.BACKUPS, ns)],
            details=[f"namespaces: {', '.join(opts.include_namespaces)}",
                     f"TTL: {model.format_go_duration(model.parse_go_duration(opts.ttl))}"
                     if opts.ttl else "TTL: server default"]), opts.name)

    def _perform_create(self, mutation: Mutation, name: str) -> None:
        def done(ok: bool, _message: str | None) -> None:
            if ok:
                self.following = name
                self._show("tab-backups")
                self.render_status()
                self._check_follow()

        self.perform(mutation, done)

    def action_backup_now(self) -> None:
        if self._blocked("backup_now"):
            return
        if self._active_tab() != "tab-schedules":
            self._show("tab-schedules")
            self.notify("select a schedule, then press n", severity="information")
            return
        schedule = self._by_name(model.SCHEDULES, self._selected_key("schedules"))
        if schedule is None:
            self.notify("no schedule selected", severity="warning")
            return
        ns = self.velero_namespace
        now = self.now()
        obj = model.build_backup_from_schedule(schedule, ns, now)
        sname = schedule["metadata"]["name"]
        name = obj["metadata"]["name"]
        session = self.session

        async def run() -> str:
            assert session is not None
            await ops.create(session.client, model.BACKUPS, obj, ns)
            return f"backup {name} created from schedule {sname}"

        self._perform_create(Mutation(
            action="velero.backup.from-schedule", title=f"Back up now from schedule {sname}",
            command=model.from_schedule_command(sname, ns, name), run=run,
            permissions=[Permission("create", model.BACKUPS, ns)],
            details=[f"backup name: {name}",
                     "spec and labels copied from the schedule's template"]), name)

    def action_restore(self) -> None:
        if self._blocked("restore"):
            return
        if self._active_tab() != "tab-backups":
            self._show("tab-backups")
            self.notify("select a backup, then press r", severity="information")
            return
        backup = self._by_name(model.BACKUPS, self._selected_key("backups"))
        if backup is None:
            self.notify("no backup selected", severity="warning")
            return
        from .forms import RestoreScreen

        self.app.push_screen(RestoreScreen(backup, namespace=self.velero_namespace,
                                           now=self.now()), self._restore_submitted)

    def _restore_submitted(self, opts: model.RestoreOptions | None) -> None:
        if opts is None:
            return
        ns = self.velero_namespace
        now = self.now()
        obj = model.build_restore(opts, ns, now)
        session = self.session

        async def run() -> str:
            assert session is not None
            created = await ops.create(session.client, model.RESTORES, obj, ns)
            return f"restore {created['metadata']['name']} created"

        mapping = ", ".join(f"{k} → {v}" for k, v in opts.namespace_mapping.items())
        self.perform(Mutation(
            action="velero.restore.create", title=f"Restore from backup {opts.backup}",
            command=model.restore_command(opts, ns, now), run=run,
            permissions=[Permission("create", model.RESTORES, ns)],
            warning="Existing objects are left as they are; missing ones are created.",
            details=[f"namespaces: {', '.join(opts.include_namespaces)}"]
            + ([f"mapping: {mapping}"] if mapping else [])),
            self._show_restores_when_done)

    def action_pause(self) -> None:
        if self._blocked("pause"):
            return
        if self._active_tab() != "tab-schedules":
            self._show("tab-schedules")
            self.notify("select a schedule, then press p", severity="information")
            return
        schedule = self._by_name(model.SCHEDULES, self._selected_key("schedules"))
        if schedule is None:
            self.notify("no schedule selected", severity="warning")
            return
        name = schedule["metadata"]["name"]
        paused = not bool((schedule.get("spec") or {}).get("paused"))
        ns = self.velero_namespace
        session = self.session

        async def run() -> str:
            assert session is not None
            await ops.set_paused(session.client, name, paused, ns)
            return f"schedule {name} {'paused' if paused else 'unpaused'}"

        self.perform(Mutation(
            action="velero.schedule." + ("pause" if paused else "unpause"),
            title=f"{'Pause' if paused else 'Unpause'} schedule {name}",
            command=model.pause_command(name, paused, ns), run=run,
            permissions=[Permission("patch", model.SCHEDULES, ns)]))

    def action_delete(self) -> None:
        if self._blocked("delete"):
            return
        if self._active_tab() != "tab-backups":
            self.notify("select a backup on the Backups tab, then press d",
                        severity="information")
            return
        backup = self._by_name(model.BACKUPS, self._selected_key("backups"))
        if backup is None:
            self.notify("no backup selected", severity="warning")
            return
        name = backup["metadata"]["name"]
        ns = self.velero_namespace
        session = self.session

        async def run() -> str:
            assert session is not None
            await ops.request_delete(session.client, backup, ns)
            return f"deletion of backup {name} requested"

        self.perform(Mutation(
            action="velero.backup.delete", title=f"Delete backup {name}",
            command=model.delete_command(name, ns), run=run,
            permissions=[Permission("create", model.DELETE_BACKUP_REQUESTS, ns)],
            typed_confirmation=name,
            warning="Velero deletes the backup's data in object storage and its volume "
                    "snapshots. This cannot be undone."))

    def action_detail(self) -> None:
        tab = self._active_tab()
        if tab == "tab-backups":
            rtype, name = model.BACKUPS, self._selected_key("backups")
        elif tab == "tab-restores":
            rtype, name = model.RESTORES, self._selected_key("restores")
        else:
            return
        if not name:
            return
        from .detail import VeleroDetailScreen

        self.app.push_screen(VeleroDetailScreen(rtype, name, self.velero_namespace))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id in ("backups", "restores"):
            self.action_detail()

    def action_phase_filter(self) -> None:
        filters = model.PHASE_FILTERS
        self.phase_filter = filters[(filters.index(self.phase_filter) + 1) % len(filters)] \
            if self.phase_filter in filters else ""
        self._render_filter()
        self.render_backups()

    def action_schedule_filter(self) -> None:
        names = ["", *sorted({r.schedule for r in model.backup_rows(
            self._items(model.BACKUPS)) if r.schedule})]
        current = names.index(self.schedule_filter) if self.schedule_filter in names else 0
        self.schedule_filter = names[(current + 1) % len(names)]
        self._render_filter()
        self.render_backups()

    def action_install(self) -> None:
        if not self._missing:
            return
        if self.read_only:
            self.notify("read-only mode: install is disabled", severity="warning")
            return
        try:
            from k8s_essentials_tui.api import InstallScreen
        except ImportError:
            chart = self.plugin.chart
            assert chart is not None  # the catalog entry has its chart
            self.notify("the install screen is not available in this build yet; install with: "
                        f"helm install velero vmware-tanzu/velero --version {chart.version} "
                        "-n velero --create-namespace (after helm repo add vmware-tanzu "
                        f"{chart.repo})", severity="warning", timeout=15)
            return
        self.app.push_screen(InstallScreen(self.plugin))
