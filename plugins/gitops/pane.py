"""The GitOps delivery pane: Argo CD Applications and Flux Kustomizations, HelmReleases and
sources, from the shared watch caches (one watch per type, all namespaces); actions through
Mutations (confirmed, audited, refused read-only, with the equivalent argocd/flux command).

Keys: ``1``-``6`` tabs (Applications, Kustomizations, HelmReleases, sources,
ApplicationSets, AppProjects); Applications: ``s`` sync, ``r`` refresh, ``H`` hard refresh, ``T``
terminate the running operation, ``a`` auto-sync on/off; Flux tabs: ``R`` reconcile, ``W``
reconcile with its source, ``S`` suspend/resume; ``enter`` detail, ``/`` filter by name
(escape leaves the box, then clears the filter). After a reconcile the pane watches for the
controller's ``lastHandledReconcileAt`` to match the request and notifies the result.

Every cell is cluster text through the text boundary; names are cut at :data:`NAME_CELLS`.

Only the visible tab is filled: a cache update marks the tabs it feeds stale, the visible
one is redrawn at once and the others when they are shown -- 2,000 Kustomizations are not
laid out while the operator looks at Applications.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static, TabbedContent, TabPane

from k8s_essentials_tui.api import (
    CacheUpdated,
    Columns,
    Mutation,
    Permission,
    PluginPane,
    ResourceType,
    VirtualTable,
    clean,
    display_text,
    fit,
    focus_now,
    mapping,
)

from . import appsets, argo, fluxmodel, ops, patches, projects
from .kinds import (
    APPLICATIONS,
    APPLICATIONSETS,
    APPPROJECTS,
    HELMRELEASES,
    KUSTOMIZATIONS,
    SOURCES,
    flux_type,
)

NAME_CELLS = 32
MESSAGE_CELLS = 60
LIST_CELLS = 30
#: distinct repeated cell values kept (see ``GitOpsPane._same``)
SAME_CELLS = 5_000
TABLES: dict[str, Columns] = {
    "apps": Columns(("NAME", "NAMESPACE", "SYNC", "HEALTH", "REVISION", "TARGET", "PATH",
                     "AUTO", "LAST OP", "OOS", "DEG"),
                    ("NAME", "SYNC", "HEALTH", "REVISION", "LAST OP")),
    "kustomizations": Columns(("NAME", "NAMESPACE", "STATUS", "APPLIED", "SOURCE",
                               "BLOCKED BY", "MESSAGE"),
                              ("NAME", "STATUS", "APPLIED", "MESSAGE")),
    "helmreleases": Columns(("NAME", "NAMESPACE", "STATUS", "CHART", "MESSAGE"),
                            ("NAME", "STATUS", "CHART", "MESSAGE")),
    "sources": Columns(("KIND", "NAME", "NAMESPACE", "STATUS", "REVISION", "URL",
                        "MESSAGE"), ("KIND", "NAME", "STATUS", "REVISION")),
    "appsets": Columns(("NAME", "NAMESPACE", "STATUS", "APPS", "GENERATORS", "MESSAGE"),
                       ("NAME", "STATUS", "APPS", "MESSAGE")),
    "projects": Columns(("NAME", "NAMESPACE", "WINDOWS", "CLUSTER RESOURCES",
                         "DESTINATIONS", "REPOS"), ("NAME", "WINDOWS", "REPOS")),
}
TAB_TYPES: dict[str, tuple[ResourceType, ...]] = {
    "apps": (APPLICATIONS,), "kustomizations": (KUSTOMIZATIONS,),
    "helmreleases": (HELMRELEASES,), "sources": SOURCES,
    "appsets": (APPLICATIONSETS,), "projects": (APPPROJECTS,),
}
#: the tabs each type feeds (Applications: their sets' owned counts; sources: the
#: Kustomizations' SOURCE column)
FEEDS: dict[ResourceType, tuple[str, ...]] = {
    APPLICATIONS: ("apps", "appsets"), APPLICATIONSETS: ("appsets",),
    APPPROJECTS: ("projects",), KUSTOMIZATIONS: ("kustomizations",),
    HELMRELEASES: ("helmreleases",), **{t: ("sources", "kustomizations") for t in SOURCES},
}
#: every type the pane shows (one shared cache each)
WATCHED: tuple[ResourceType, ...] = (APPLICATIONS, KUSTOMIZATIONS, HELMRELEASES, *SOURCES,
                                     APPLICATIONSETS, APPPROJECTS)
#: the tabs whose keys are Flux's
FLUX_TABS = frozenset({"kustomizations", "helmreleases", "sources"})
#: the tab each catalog entry opens on
FIRST_TAB = {"argocd": "apps", "flux": "kustomizations"}
ARGO_ACTIONS = ("sync", "refresh", "hard_refresh", "terminate", "autosync")
FLUX_ACTIONS = ("reconcile", "reconcile_source", "suspend")


def _short(value: str) -> str:
    """A revision for a cell: ``main@sha1:<40 hex>`` and bare SHAs cut to 7 hex."""
    branch, sep, digest = value.rpartition(":")
    if sep and len(digest) >= 40:
        return f"{branch}:{digest[:7]}"
    return argo.short_revision(value)


def scoped(spec: Columns) -> Columns:
    """The columns without NAMESPACE: every row of a one-namespace pane has the same one
    (it is in the status bar), and the terminal's width goes to the message instead."""
    return Columns(tuple(n for n in spec.names if n != "NAMESPACE"),
                   tuple(n for n in spec.narrow if n != "NAMESPACE"), spec.wide_at)


def _name(value: str) -> Text:
    return Text(fit(clean(value), NAME_CELLS, pad=False))


def _list(value: str) -> Text:
    """A project's list cell (repos, destinations, kinds): the detail has them all."""
    return Text(fit(clean(value), LIST_CELLS, pad=False))


def _msg(value: str) -> Text:
    return Text(fit(clean(value), MESSAGE_CELLS, pad=False))


class GitOpsPane(PluginPane):
    DEFAULT_CSS = """
    GitOpsPane #gitops-status { height: auto; padding: 0 1; }
    GitOpsPane #gitops-status.problem { color: $warning; }
    GitOpsPane #gitops-filter { display: none; height: 3; }
    GitOpsPane #gitops-filter.visible { display: block; }
    GitOpsPane TabbedContent { height: 1fr; }
    GitOpsPane VirtualTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("slash", "filter", "Filter", id="gitops.filter", priority=True),
        Binding("enter", "detail", "Detail", id="gitops.detail", show=False),
        Binding("s", "sync", "Sync", id="gitops.argocd.sync"),
        Binding("r", "refresh", "Refresh", id="gitops.argocd.refresh"),
        Binding("H", "hard_refresh", "Hard refresh", id="gitops.argocd.hard-refresh"),
        Binding("T", "terminate", "Terminate", id="gitops.argocd.terminate"),
        Binding("a", "autosync", "Auto-sync", id="gitops.argocd.autosync"),
        Binding("R", "reconcile", "Reconcile", id="gitops.flux.reconcile"),
        Binding("W", "reconcile_source", "With source", id="gitops.flux.reconcile-source"),
        Binding("S", "suspend", "Suspend/resume", id="gitops.flux.suspend"),
        Binding("1", "show_tab('apps')", "Applications", show=False, id="gitops.tab1"),
        Binding("2", "show_tab('kustomizations')", "Kustomizations", show=False,
                id="gitops.tab2"),
        Binding("3", "show_tab('helmreleases')", "HelmReleases", show=False,
                id="gitops.tab3"),
        Binding("4", "show_tab('sources')", "Sources", show=False, id="gitops.tab4"),
        Binding("5", "show_tab('appsets')", "ApplicationSets", show=False, id="gitops.tab5"),
        Binding("6", "show_tab('projects')", "AppProjects", show=False, id="gitops.tab6"),
    ]

    def __init__(self, plugin: Any, **kwargs: Any) -> None:
        super().__init__(plugin, **kwargs)
        self.filter_text = ""
        #: object key -> requestedAt of a reconcile the pane waits for
        self.pending: dict[str, str] = {}
        self.scope: str | None = None
        self._dirty: set[str] = set()
        #: tabs whose table is older than their data (drawn when shown)
        self._stale: set[str] = set(TABLES)
        #: parsed rows per type: (uid, resourceVersion) -> row, and the sorted list
        self._rows: dict[ResourceType, dict[tuple[str, str], Any]] = {}
        self._lists: dict[ResourceType, tuple[str, list[Any]]] = {}
        self._render_scheduled = False
        self._palette_key: str | None = None
        self._palette_styles: dict[str, str] = {}
        self._words: dict[tuple[str, bool], Text] = {}
        self._texts: dict[str, Text] = {}
        try:  # made inside the running app (the usual case): start the lists now
            self.scope = self._scope()
            self._prefetch()
        except RuntimeError:  # Textual's NoActiveAppError: made outside an app
            pass

    def _scope(self) -> str | None:
        """--namespace (or the config's namespace), else all namespaces: GitOps objects
        live in the tools' namespaces, not the kubeconfig's default."""
        return PluginPane.chosen_namespace(self.app)

    def _prefetch(self) -> None:
        """Start the shared caches' lists now, before the pane is composed and mounted:
        the lists are the long part of opening the pane, and the screen's first paint
        need not wait for them (``watch_resource`` at mount subscribes to these caches)."""
        session = self.session
        if session is not None:
            for rtype in WATCHED:
                session.cache(rtype, self.scope)

    # -- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("connecting…", id="gitops-status", markup=False)
        yield Input(placeholder="filter by name (enter: keep, esc: leave)", id="gitops-filter")
        with TabbedContent(id="gitops-tabs",
                           initial=f"tab-{FIRST_TAB.get(self.plugin.id, 'apps')}"):
            with TabPane("Applications", id="tab-apps"):
                yield VirtualTable(id="apps")
            with TabPane("Kustomizations", id="tab-kustomizations"):
                yield VirtualTable(id="kustomizations")
            with TabPane("HelmReleases", id="tab-helmreleases"):
                yield VirtualTable(id="helmreleases")
            with TabPane("Sources", id="tab-sources"):
                yield VirtualTable(id="sources")
            with TabPane("AppSets", id="tab-appsets"):
                yield VirtualTable(id="appsets")
            with TabPane("Projects", id="tab-projects"):
                yield VirtualTable(id="projects")

    def spec(self, table_id: str) -> Columns:
        return scoped(TABLES[table_id]) if self.scope else TABLES[table_id]

    def on_mount(self) -> None:
        self.scope = self._scope()
        for table_id in TABLES:
            self.query_one(f"#{table_id}", VirtualTable).set_data(
                self.spec(table_id).shown(self.app.size.width), [])
        focus_now(self.main_widget())
        super().on_mount()

    def on_session_ready(self) -> None:
        for rtype in WATCHED:
            self.watch_resource(rtype, self.scope)

    # -- data -------------------------------------------------------------------------------

    def _items(self, rtype: ResourceType) -> list[dict[str, Any]]:
        session = self.session
        return session.cache(rtype, self.scope).items() if session is not None else []

    def _state(self, rtype: ResourceType) -> tuple[str, str]:
        session = self.session
        if session is None:
            return "pending", ""
        cache = session.cache(rtype, self.scope)
        return cache.state, str(cache.error or "")

    def _keep(self, name: str) -> bool:
        return not self.filter_text or self.filter_text in name.lower()

    def _parsed(self, rtype: ResourceType, parse: Callable[[Any], Any]) -> list[Any]:
        """Every object of ``rtype`` parsed into a row, sorted by namespace and name.

        Why memoised: a watch event changes one object, and 2,000 Applications must not be
        parsed again for it -- rows are kept per (uid, resourceVersion), and the sorted
        list per cache resourceVersion (several renders between two events reuse it)."""
        session = self.session
        if session is None:
            return []
        cache = session.cache(rtype, self.scope)
        stamp = f"{cache.state}:{cache.resource_version}:{len(cache.objects)}"
        kept = self._lists.get(rtype)
        if kept is not None and kept[0] == stamp:
            return kept[1]
        memo = self._rows.setdefault(rtype, {})
        fresh: dict[tuple[str, str], Any] = {}
        for obj in cache.items():
            meta = mapping(obj.get("metadata"))
            key = (str(meta.get("uid") or meta.get("name") or ""),
                   str(meta.get("resourceVersion") or ""))
            row = memo.get(key)
            fresh[key] = row if row is not None else parse(obj)
        self._rows[rtype] = fresh
        rows = sorted(fresh.values(), key=lambda r: (r.namespace, r.name))
        self._lists[rtype] = (stamp, rows)
        return rows

    def all_apps(self) -> list[argo.AppRow]:
        return self._parsed(APPLICATIONS, argo.app_row)

    def all_flux(self, rtype: ResourceType) -> list[fluxmodel.FluxRow]:
        return self._parsed(rtype, fluxmodel.flux_row)

    def app_rows(self) -> list[argo.AppRow]:
        return [r for r in self.all_apps() if self._keep(r.name)]

    def flux_rows(self, rtype: ResourceType) -> list[fluxmodel.FluxRow]:
        return [r for r in self.all_flux(rtype) if self._keep(r.name)]

    def source_rows(self) -> list[fluxmodel.FluxRow]:
        rows: list[fluxmodel.FluxRow] = []
        for rtype in SOURCES:
            rows += self.all_flux(rtype)
        return rows

    def on_cache_updated(self, message: CacheUpdated) -> None:
        """Mark what the changed type shows and render once the queued updates are in:
        at start seven caches fill at once, and 2,000 Applications should be laid out
        once, not once per cache."""
        self._dirty.update(FEEDS.get(message.cache.rtype, ()))
        if not self._render_scheduled:
            self._render_scheduled = True
            self.call_later(self._flush)

    def _flush(self) -> None:
        self._render_scheduled = False
        dirty, self._dirty = self._dirty, set()
        if not self.is_attached:
            return
        self._stale |= dirty
        self._fill_visible()
        if dirty & FLUX_TABS:
            self._check_pending()
        self.render_status()

    def _fill_visible(self) -> None:
        """Draw the visible tab when its data changed since it was last drawn -- once its
        own lists are in: a cache notifies during its first sync too, and laying out 700,
        then 1,400, then 2,000 Applications cost more than the wait (the status line says
        "loading…" meanwhile)."""
        tab = self._active()
        if any(self._state(rtype)[0] == "pending" for rtype in TAB_TYPES[tab]):
            return
        if tab in self._stale:
            self._stale.discard(tab)
            self.render_tab(tab)

    def render_tab(self, tab: str) -> None:
        self._refresh_palette()
        {"apps": self.render_apps, "kustomizations": self.render_kustomizations,
         "helmreleases": self.render_helmreleases, "sources": self.render_sources,
         "appsets": self.render_appsets, "projects": self.render_projects}[tab]()

    def on_resize(self) -> None:
        if self.session is not None:
            self.render_all()

    def render_all(self) -> None:
        """Every tab is out of date (filter, width): draw the visible one now."""
        self._stale = set(TABLES)
        self._fill_visible()
        self.render_status()

    def _palette(self) -> dict[str, str]:
        return self._palette_styles or self._refresh_palette()

    def _refresh_palette(self) -> dict[str, str]:
        """The status colours of the current theme, read once per render: looking the
        theme up for each of 2,000 rows was a visible part of filling a tab."""
        theme = self.app.current_theme
        key = theme.name
        if self._palette_key != key:
            self._palette_key = key
            self._palette_styles = {"success": theme.success or "",
                                    "error": theme.error or "",
                                    "warning": theme.warning or ""}
            self._words.clear()
        return self._palette_styles

    def _warning(self) -> str:
        return self._palette()["warning"]

    def _status_style(self, word: str) -> str:
        palette = self._palette()
        if word in ("Synced", "Healthy", "Ready", "Succeeded", "True", "UpToDate"):
            return palette["success"]
        if word in ("Degraded", "Missing", "Failed", "Stalled", "Error", "False"):
            return palette["error"]
        if word in ("OutOfSync", "Progressing", "Reconciling", "Running", "Suspended",
                    "Terminating"):
            return palette["warning"]
        return ""

    def _same(self, value: str) -> Text:
        """A cell whose value repeats across rows (namespace, target revision, on/off,
        counts): one shared ``Text`` through the text boundary per distinct value, not one
        per row (the table copies a cell before cutting it)."""
        text = self._texts.get(value)
        if text is None:
            if len(self._texts) > SAME_CELLS:
                self._texts.clear()
            text = self._texts[value] = display_text(value)
        return text

    def _same_msg(self, value: str) -> Text:
        """A message cell (cut at :data:`MESSAGE_CELLS`), shared like :meth:`_same`:
        2,000 Kustomizations mostly say the same "Applied revision: …"."""
        key = "\0msg\0" + value
        text = self._texts.get(key)
        if text is None:
            if len(self._texts) > SAME_CELLS:
                self._texts.clear()
            text = self._texts[key] = _msg(value)
        return text

    def _word(self, word: str, problems: Sequence[str] = ()) -> Text:
        """A status cell; one shared ``Text`` per (word, ⚠) -- the table copies a cell
        before cutting it, and the pane never changes one it got from here."""
        key = (word, bool(problems))
        text = self._words.get(key)
        if text is None:
            text = Text(clean(word or "-"), style=self._status_style(word))
            if problems:
                text.append(" ⚠", style=self._warning())
            self._words[key] = text
        return text

    def _refill(self, table_id: str, rows: list[tuple[str, list[Any]]]) -> None:
        """Show these full rows (one cell per column of TABLES) with the columns that fit
        the terminal; the cursor stays on the same object."""
        table = self.query_one(f"#{table_id}", VirtualTable)
        full = TABLES[table_id]
        shown = self.spec(table_id).shown(self.app.size.width)
        table.set_data(shown, [(key, full.cells(cells, shown)) for key, cells in rows])

    def render_apps(self) -> None:
        self._refill("apps", [
            (r.key, [_name(r.name), self._same(r.namespace),
                     self._word(r.sync, r.problems), self._word(r.health),
                     _short(r.revision) or "-", self._same(r.target_revision),
                     r.path or "-", self._same(r.auto_short),
                     self._word(r.op_phase) if r.op_phase else self._same("-"),
                     self._same(str(r.out_of_sync)), self._same(str(r.degraded))])
            for r in self.app_rows()])

    def render_kustomizations(self) -> None:
        sources = fluxmodel.index(self.source_rows())
        ks_all = self.all_flux(KUSTOMIZATIONS)
        by_name = {(r.namespace, r.name): r for r in ks_all}
        self._refill("kustomizations", [
            (r.key, [_name(r.name), self._same(r.namespace), self._flux_word(r),
                     self._same(_short(r.applied) or "-"), self._source_cell(r, sources),
                     self._blocked_cell(r, by_name), self._same_msg(r.message)])
            for r in self.flux_rows(KUSTOMIZATIONS)])

    def render_helmreleases(self) -> None:
        self._refill("helmreleases", [
            (r.key, [_name(r.name), self._same(r.namespace), self._flux_word(r),
                     self._same(r.applied or "-"), self._same_msg(r.message)])
            for r in self.flux_rows(HELMRELEASES)])

    def render_sources(self) -> None:
        self._refill("sources", [
            (r.key, [self._same(r.kind), _name(r.name), self._same(r.namespace),
                     self._flux_word(r), self._same(_short(r.applied) or "-"),
                     self._same_msg(r.url or "-"), self._same_msg(r.message)])
            for r in sorted(self.source_rows(), key=lambda r: (r.kind, r.namespace, r.name))
            if self._keep(r.name)])

    def all_appsets(self) -> list[appsets.AppSetRow]:
        """ApplicationSets with the number of Applications each owns (ownerReferences of
        the watched Applications: no request per set)."""
        rows: list[appsets.AppSetRow] = self._parsed(APPLICATIONSETS, appsets.appset_row)
        if rows:
            counts = appsets.owners(self._items(APPLICATIONS))
            for row in rows:
                row.owned = counts.get(row.uid, 0)
        return rows

    def all_projects(self) -> list[projects.ProjectRow]:
        """Parsed at the pane's clock each time: whether a window is active changes with
        time, not with the object."""
        return projects.project_rows(self._items(APPPROJECTS), self.now())

    def render_appsets(self) -> None:
        self._refill("appsets", [
            (r.key, [_name(r.name), r.namespace, self._word(r.status, r.problems),
                     str(r.owned), _msg(r.generators_text), _msg(r.message or "-")])
            for r in self.all_appsets() if self._keep(r.name)])

    def render_projects(self) -> None:
        warning = self._warning()
        self._refill("projects", [
            (r.key, [_name(r.name), r.namespace,
                     Text(r.windows_text, style=warning if r.denying else ""),
                     _list(r.cluster_text), _list(projects.destinations_text(r)),
                     _list(projects.repos_text(r))])
            for r in self.all_projects() if self._keep(r.name)])

    def _source_cell(self, row: fluxmodel.FluxRow,
                     sources: dict[tuple[str, str, str], fluxmodel.FluxRow]) -> Text:
        """``same`` when the applied revision is the source's artifact, else the source's
        revision in the warning colour (the next successful reconcile applies it)."""
        revision = fluxmodel.source_revision(row, sources)
        if not revision:
            return self._same("-")
        if revision == row.applied:
            return self._same("same")
        return Text(clean(_short(revision)), style=self._warning())

    def _blocked_cell(self, row: fluxmodel.FluxRow,
                      same_kind: dict[tuple[str, str], fluxmodel.FluxRow]) -> Text:
        blocked = self._blocked(row, same_kind)
        return _name(blocked) if blocked else self._same("-")

    def _blocked(self, row: fluxmodel.FluxRow,
                 same_kind: dict[tuple[str, str], fluxmodel.FluxRow]) -> str:
        """The blocking dependency, without the namespace when it is the row's own."""
        text = fluxmodel.blocking_dependency(row, same_kind)
        return text.removeprefix(f"{row.namespace}/")

    def _flux_word(self, row: fluxmodel.FluxRow) -> Text:
        text = self._word(row.status, row.problems)
        if row.suspended:
            text = text.copy()  # the shared cell stays as it is
            text.append(" (suspended)", style=self._warning())
        return text

    def render_status(self) -> None:
        status = self.query_one("#gitops-status", Static)
        parts: list[str] = []
        problem = False
        state, error = self._state(APPLICATIONS)
        if state == "synced":
            rows = self.all_apps()
            degraded, oos = argo.summary(rows)
            parts.append(f"Argo CD: {len(rows)} apps, {len(degraded)} degraded, "
                         f"{len(oos)} OutOfSync")
            problem = problem or bool(degraded)
            failing = [r for r in self.all_appsets() if r.error]
            if failing:
                parts.append(f"{len(failing)} appset{'s' if len(failing) > 1 else ''} "
                             "in error")
                problem = True
        elif state == "missing":
            parts.append("Argo CD: not installed")
        elif state == "pending":
            parts.append("Argo CD: loading…")
        else:
            parts.append(f"Argo CD: {error or state}")
            problem = True
        fstate, ferror = self._state(KUSTOMIZATIONS)
        if fstate == "synced":
            ks = self.all_flux(KUSTOMIZATIONS)
            hr = self.all_flux(HELMRELEASES)
            bad = fluxmodel.not_ready(ks) + fluxmodel.not_ready(hr)
            parts.append(f"Flux: {len(ks)} ks + {len(hr)} hr, {len(bad)} not ready")
            problem = problem or bool(bad)
        elif fstate == "missing":
            parts.append("Flux: not installed")
        elif fstate == "pending":
            parts.append("Flux: loading…")
        else:
            parts.append(f"Flux: {ferror or fstate}")
            problem = True
        if self.filter_text:
            parts.append(f"filter: {self.filter_text} (esc clears)")
        if self.read_only:
            parts.append("read-only")
        status.set_class(problem, "problem")
        status.update(clean(" · ".join(parts)))

    # -- selection --------------------------------------------------------------------------

    def _active(self) -> str:
        return (self.query_one(TabbedContent).active or "tab-apps").removeprefix("tab-")

    def main_widget(self) -> VirtualTable:
        return self.query_one(f"#{self._active()}", VirtualTable)

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = f"tab-{tab}"
        focus_now(self.query_one(f"#{tab}", VirtualTable))

    def on_tabbed_content_tab_activated(self, _event: TabbedContent.TabActivated) -> None:
        """The footer follows the tab (Argo CD keys on Applications, Flux keys on Flux
        tabs); a tab whose data changed while hidden is drawn now."""
        if self.session is not None:
            self._fill_visible()
        self.refresh_bindings()

    def _selected(self) -> str | None:
        return self.main_widget().selected_key()

    def _find(self, rtype: ResourceType, namespace: str, name: str) -> dict[str, Any] | None:
        """The cached object (by namespace and name: no parsing on a key press)."""
        for obj in self._items(rtype):
            meta = mapping(obj.get("metadata"))
            if meta.get("name") == name and (meta.get("namespace") or "") == namespace:
                return obj
        return None

    def selected_app(self) -> dict[str, Any] | None:
        key = self._selected() if self._active() == "apps" else None
        if key is None:
            return None
        namespace, _, name = key.partition("/")
        return self._find(APPLICATIONS, namespace, name)

    def selected_flux(self) -> tuple[ResourceType, dict[str, Any]] | None:
        key = self._selected() if self._active() in FLUX_TABS else None
        if key is None:
            return None
        kind, namespace, name = [*key.split("/", 2), "", ""][:3]
        rtype = flux_type(kind)
        if rtype is None:
            return None
        obj = self._find(rtype, namespace, name)
        return (rtype, obj) if obj is not None else None

    # -- filter -----------------------------------------------------------------------------

    def action_filter(self) -> None:
        box = self.query_one("#gitops-filter", Input)
        box.add_class("visible")
        focus_now(box)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "gitops-filter":
            self.filter_text = event.value.strip().lower()
            self.render_all()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "gitops-filter":
            if not event.value.strip():
                event.input.remove_class("visible")
            focus_now(self.main_widget())

    def has_filter(self) -> bool:
        return bool(self.filter_text)

    def clear_filter(self) -> None:
        box = self.query_one("#gitops-filter", Input)
        box.value = ""
        box.remove_class("visible")
        self.filter_text = ""
        self.render_all()

    # -- actions ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        result = super().check_action(action, parameters)
        if not result:
            return result
        tab = self._active() if self.is_mounted else "apps"
        # the other tool's keys are hidden (not dimmed): the footer shows what works here
        if action in ARGO_ACTIONS:
            return tab == "apps"
        if action in FLUX_ACTIONS:
            return tab in FLUX_TABS
        return True

    def _need(self, what: str) -> None:
        self.notify(f"select {what} first", severity="warning")

    def _app_mutation(self, action: str, title: str, command: str,
                      run: Callable[[], Any], ns: str, **extra: Any) -> Mutation:
        return Mutation(action=action, title=title, command=command, run=run,
                        permissions=(Permission("patch", APPLICATIONS, ns),), **extra)

    def action_sync(self) -> None:
        obj = self.selected_app()
        if obj is None:
            self._need("an application")
            return
        row = argo.app_row(obj)
        if row.running:
            self.notify(clean(f"{row.name}: another operation is already in progress "
                              f"({row.op_phase or 'pending'}); T terminates it"),
                        severity="warning", markup=False)
            return
        session = self.session

        async def run() -> str:
            assert session is not None
            user = str(self.app.settings.get("gitops.username") or "") \
                if hasattr(self.app, "settings") else ""
            await ops.sync(session.client, row.name, row.namespace,
                           user or await ops.whoami(session.client))
            return f"sync of {row.namespace}/{row.name} requested"

        self.perform(self._app_mutation(
            "gitops.argocd.sync", f"Sync application {row.namespace}/{row.name}",
            patches.sync_command(row.name, row.namespace), run, row.namespace,
            details=[f"to {row.target_revision} ({_short(row.revision) or 'unresolved'})",
                     f"source {row.repo} {row.path}"]))

    def _refresh(self, hard: bool) -> None:
        obj = self.selected_app()
        if obj is None:
            self._need("an application")
            return
        row = argo.app_row(obj)
        session = self.session
        now = self.now()

        async def run() -> str:
            assert session is not None
            await ops.refresh(session.client, row.name, row.namespace, hard, now)
            return f"{'hard ' if hard else ''}refresh of {row.namespace}/{row.name} requested"

        self.perform(self._app_mutation(
            "gitops.argocd." + ("hard-refresh" if hard else "refresh"),
            f"{'Hard refresh' if hard else 'Refresh'} application {row.namespace}/{row.name}",
            patches.refresh_command(row.name, row.namespace, hard), run, row.namespace,
            details=["hard: the repo server regenerates manifests (no cache)"] if hard
            else []))

    def action_refresh(self) -> None:
        self._refresh(False)

    def action_hard_refresh(self) -> None:
        self._refresh(True)

    def action_terminate(self) -> None:
        obj = self.selected_app()
        if obj is None:
            self._need("an application")
            return
        row = argo.app_row(obj)
        if not row.running:
            self.notify(clean(f"{row.name}: no operation is in progress"),
                        severity="warning", markup=False)
            return
        session = self.session

        async def run() -> str:
            assert session is not None
            await ops.terminate(session.client, row.name, row.namespace)
            return f"termination of {row.namespace}/{row.name}'s operation requested"

        self.perform(self._app_mutation(
            "gitops.argocd.terminate", f"Terminate the operation of {row.namespace}/{row.name}",
            patches.terminate_command(row.name, row.namespace), run, row.namespace,
            warning="A sync stopped midway can leave resources partly applied."))

    def action_autosync(self) -> None:
        obj = self.selected_app()
        if obj is None:
            self._need("an application")
            return
        row = argo.app_row(obj)
        enable = not row.auto_sync
        session = self.session

        async def run() -> str:
            assert session is not None
            await ops.set_autosync(session.client, row.name, row.namespace, enable)
            return f"auto-sync of {row.namespace}/{row.name} {'on' if enable else 'off'}"

        self.perform(self._app_mutation(
            "gitops.argocd.autosync",
            f"{'Enable' if enable else 'Disable'} auto-sync of {row.namespace}/{row.name}",
            patches.autosync_command(row.name, row.namespace, enable), run, row.namespace,
            warning="" if enable else "Drift from Git stays until someone syncs by hand."))

    def _reconcile(self, with_source: bool) -> None:
        picked = self.selected_flux()
        if picked is None:
            self._need("a Flux object")
            return
        rtype, obj = picked
        row = fluxmodel.flux_row(obj)
        if row.suspended:
            self.notify(clean(f"{row.kind} {row.name} is suspended: S resumes it"),
                        severity="warning", markup=False)
            return
        steps: list[tuple[ResourceType, str, str]] = []
        if with_source and row.source is not None:
            stype = flux_type(row.source[0])
            if stype is not None:
                steps.append((stype, row.source[1], row.source[2]))
        steps.append((rtype, row.namespace, row.name))
        session = self.session
        now = self.now

        async def run() -> str:
            assert session is not None
            for stype, sns, sname in steps:
                stamp, _ = await ops.request_reconcile(session.client, stype, sname, sns,
                                                       now())
                self.pending[f"{stype.kind}/{sns}/{sname}"] = stamp
            return f"reconcile of {row.kind} {row.namespace}/{row.name} requested"

        self.perform(Mutation(
            action="gitops.flux.reconcile",
            title=f"Reconcile {row.kind} {row.namespace}/{row.name}"
                  + (" with its source" if len(steps) > 1 else ""),
            command=patches.reconcile_command(row.kind, row.name, row.namespace,
                                              with_source),
            run=run, permissions=tuple(Permission("patch", t, ns) for t, ns, _n in steps)),
            self._after_reconcile)

    def _after_reconcile(self, ok: bool, _message: str | None) -> None:
        """The controller may have answered before the dialog closed: check at once."""
        if ok:
            self._check_pending()

    def action_reconcile(self) -> None:
        self._reconcile(False)

    def action_reconcile_source(self) -> None:
        self._reconcile(True)

    def action_suspend(self) -> None:
        picked = self.selected_flux()
        if picked is None:
            self._need("a Flux object")
            return
        rtype, obj = picked
        row = fluxmodel.flux_row(obj)
        suspend = not row.suspended
        session = self.session

        async def run() -> str:
            assert session is not None
            await ops.set_suspended(session.client, rtype, row.name, row.namespace, suspend)
            return f"{row.kind} {row.namespace}/{row.name} {'suspended' if suspend else 'resumed'}"

        self.perform(Mutation(
            action="gitops.flux." + ("suspend" if suspend else "resume"),
            title=f"{'Suspend' if suspend else 'Resume'} {row.kind} {row.namespace}/{row.name}",
            command=patches.suspend_command(row.kind, row.name, row.namespace, suspend),
            run=run, permissions=(Permission("patch", rtype, row.namespace),),
            warning="Flux stops applying changes from Git until it is resumed." if suspend
            else ""))

    def _check_pending(self) -> None:
        """Notify each reconcile whose request the controller handled (its
        ``lastHandledReconcileAt`` equals our ``requestedAt``)."""
        for key, stamp in list(self.pending.items()):
            kind, namespace, name = [*key.split("/", 2), "", ""][:3]
            rtype = flux_type(kind)
            obj = self._find(rtype, namespace, name) if rtype is not None else None
            if obj is None or not ops.handled(obj, stamp):
                continue
            del self.pending[key]
            row = fluxmodel.flux_row(obj)
            ok = row.ready == "True"
            self.notify(clean(f"{row.kind} {row.namespace}/{row.name}: "
                              f"{row.message or row.status}"),
                        title="reconciled" if ok else "reconcile failed",
                        severity="information" if ok else "error", timeout=10,
                        markup=False)

    # -- detail -----------------------------------------------------------------------------

    def action_detail(self) -> None:
        from .detail import GitOpsDetailScreen

        app_obj = self.selected_app()
        if app_obj is not None:
            self.app.push_screen(GitOpsDetailScreen(app_obj))
            return
        tab = self._active()
        if tab in ("appsets", "projects"):
            key = self._selected()
            _kind, namespace, name = [*(key or "").split("/", 2), "", ""][:3]
            rtype = APPLICATIONSETS if tab == "appsets" else APPPROJECTS
            obj = self._find(rtype, namespace, name) if key else None
            if obj is not None:
                uid = str(mapping(obj.get("metadata")).get("uid") or "")
                owned = appsets.owners(self._items(APPLICATIONS)).get(uid, 0)
                self.app.push_screen(GitOpsDetailScreen(obj, owned=owned, now=self.now()))
            return
        picked = self.selected_flux()
        if picked is not None:
            rtype, obj = picked
            same = self.all_flux(rtype)
            self.app.push_screen(GitOpsDetailScreen(
                obj, sources=fluxmodel.index(self.source_rows()),
                same_kind={(r.namespace, r.name): r for r in same}))


__all__ = ["GitOpsPane"]
