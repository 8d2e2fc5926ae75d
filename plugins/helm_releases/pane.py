"""The Helm releases pane: all releases (latest revision each) from the shared cache of
``owner=helm`` Secrets, with history, user values, manifest and notes of the highlighted
one; ``u`` upgrade, ``r`` roll back, ``d`` uninstall, ``/`` filter.

A release owned by GitOps (a plugin's ``release_guard``: Flux's HelmRelease labels, Argo
CD's tracking annotation) is marked in a GITOPS column, shown when any listed release is
owned, and named on the state line when highlighted -- before anyone presses ``u``/``d``.

Values that look like credentials and Secret values in the manifest are shown as
``(hidden)``; ``x`` reveals them for the highlighted release when the user may ``get``
Secrets in its namespace (checked with a SelfSubjectAccessReview), like k9s's decode key.

Corrupt or foreign release Secrets show as ``unreadable`` rows with the reason."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static, TabbedContent, TabPane, TextArea

from k8s_essentials_tui.api import (
    HELM_LABEL_SELECTOR,
    SECRETS,
    CacheUpdated,
    ChartRef,
    ChartSpec,
    Columns,
    HelmOperations,
    KeyTable,
    Plugin,
    PluginPane,
    UnreadableDriverError,
    age,
    cell,
    clean,
    diff_manifests,
    dump_values,
    fill_rows,
    find_plugin_for_release,
    fit,
    focus_now,
    helm_storage,
    mask_manifest,
    mask_values,
    release_owner,
    set_columns,
)
from k8s_essentials_tui.api import HelmRelease as Release
from k8s_essentials_tui.api import decode_helm_releases as decode_all
from k8s_essentials_tui.api import display_text as text
from k8s_essentials_tui.api import latest_releases as latest
from k8s_essentials_tui.api import make_helm_tool as make_tool
from k8s_essentials_tui.api import release_history as history

from .rollback import RollbackPicker

#: first line of the Values/Manifest tab when something is masked (x is not in the footer)
HIDDEN_HINT = "# (hidden) values: press x to show them (needs get secrets in the namespace)\n"
COLUMNS = ("NAMESPACE", "NAME", "REV", "STATUS", "CHART", "APP VERSION", "UPDATED")
RELEASE_COLUMNS = Columns(COLUMNS, ("NAMESPACE", "NAME", "REV", "STATUS", "CHART", "UPDATED"))
#: the GITOPS cell ("Flux HelmRelease flux-system/podinfo" cut; the state line has it all)
OWNER_CELLS = 24
#: the same with the "managed by GitOps" mark, when a listed release is owned
GITOPS_COLUMNS = Columns((*COLUMNS[:4], "GITOPS", *COLUMNS[4:]),
                         ("NAMESPACE", "NAME", "REV", "STATUS", "GITOPS", "CHART", "UPDATED"))
HISTORY_COLUMNS = Columns(("REV", "STATUS", "CHART", "APP VERSION", "UPDATED", "DESCRIPTION"),
                          ("REV", "STATUS", "UPDATED", "DESCRIPTION"))


class ReleasesPane(PluginPane):
    HELP_GROUP = "Releases table"
    DEFAULT_CSS = """
    ReleasesPane #filter { display: none; height: 3; }
    ReleasesPane #filter.shown { display: block; }
    ReleasesPane #state { height: auto; padding: 0 1; color: $foreground-muted; }
    ReleasesPane #state.error { color: $error; }
    ReleasesPane #releases { height: 1fr; }
    ReleasesPane #details { height: 1fr; }
    ReleasesPane #details TextArea { height: 1fr; }
    """
    BINDINGS = [
        Binding("slash", "filter", "Filter", id="helm.filter", priority=True),
        Binding("u", "upgrade", "Upgrade", id="helm.upgrade"),
        Binding("r", "rollback", "Roll back", id="helm.rollback"),
        Binding("d", "uninstall", "Uninstall", id="helm.uninstall"),
        # not in the footer (full at 80 columns): the Values/Manifest tabs name the key
        Binding("x", "reveal", "Show/hide secrets", id="helm.reveal", show=False),
    ]

    def __init__(self, plugin: Any, **kwargs: Any) -> None:
        super().__init__(plugin, **kwargs)
        self.releases: list[Release] = []
        self.all_revisions: list[Release] = []
        self.filter_text = ""
        self._stale = False
        #: why there is nothing to list (HELM_DRIVER=sql/memory); stays on the state line
        self._unreadable = ""
        #: the session's namespace, once listing all namespaces was denied
        self._scope: str | None = None
        #: releases ("namespace/name") whose credentials are shown in clear (after ``x``)
        self.revealed: set[str] = set()
        #: (namespace, name, revision) -> the GitOps owner ("" when none); a revision's
        #: manifest never changes, so each is read once
        self._owners: dict[tuple[str, str, int], str] = {}

    def compose(self) -> ComposeResult:
        yield Input(placeholder="filter by name, namespace, chart or status", id="filter")
        yield Static("connecting…", id="state", markup=False)
        yield KeyTable(id="releases", zebra_stripes=True)
        with TabbedContent(id="details"):
            with TabPane("History", id="tab-history"):
                yield KeyTable(id="history")
            with TabPane("Values", id="tab-values"):
                yield TextArea.code_editor("", language="yaml", theme="css", read_only=True,
                                           id="values-view")
            with TabPane("Manifest", id="tab-manifest"):
                yield TextArea.code_editor("", language="yaml", theme="css", read_only=True,
                                           id="manifest-view")
            with TabPane("Notes", id="tab-notes"):
                yield Static("", id="notes-view", markup=False)

    def on_mount(self) -> None:
        table = self.query_one("#releases", DataTable)
        set_columns(table, RELEASE_COLUMNS.shown(self.app.size.width))
        set_columns(self.query_one("#history", DataTable),
                    HISTORY_COLUMNS.shown(self.app.size.width))
        focus_now(table)
        super().on_mount()
        if self.session is None:
            self.query_one("#state", Static).update(Text("not connected"))

    def on_resize(self) -> None:
        """Narrow or wide columns (see :mod:`.columns`) follow the terminal."""
        self._render_table()
        self._show_details(self.selected())

    def on_session_ready(self) -> None:
        try:
            storage = helm_storage()
        except UnreadableDriverError as exc:
            self._unreadable = str(exc)
            self._update_state()
            return
        self.watch_resource(storage.rtype, None, HELM_LABEL_SELECTOR)

    # -- data ------------------------------------------------------------------------------

    def on_cache_updated(self, message: CacheUpdated) -> None:
        cache = message.cache
        state = self.query_one("#state", Static)
        scoped = self.session.namespace if self.session is not None else None
        if (cache.state == "forbidden" and cache.key.namespace is None and scoped
                and self._scope is None):
            # like `helm list` without -A: a namespace-scoped user sees their namespace
            self._scope = scoped
            self.unwatch_all()  # the denied cache goes idle instead of retrying for us
            self.watch_resource(cache.rtype, scoped, HELM_LABEL_SELECTOR)
            return
        if self._scope is not None and cache.key.namespace != self._scope:
            return  # a last message of the denied all-namespaces cache
        if cache.state in ("forbidden", "error", "missing") and not cache.objects:
            where = f" in {self._scope}" if self._scope else ""
            state.update(text(f"cannot list Helm release {cache.rtype.plural}{where}: "
                              f"{cache.error}"))
            state.set_classes("error")
            return
        self.all_revisions = decode_all(cache.items())
        self.releases = latest(self.all_revisions)
        self._stale = cache.state == "stale"
        self._render_table()
        state.set_classes("")

    def _update_state(self) -> None:
        if self._unreadable:
            state = self.query_one("#state", Static)
            state.update(text(self._unreadable))
            state.set_classes("error")
            return
        shown = len(self._visible())
        stale = " (reconnecting: showing last known state)" if self._stale else ""
        where = (f"in {self._scope} (no permission to list them in all namespaces)"
                 if self._scope else "in all namespaces")
        rel = self.selected()
        owner = self.owner(rel) if rel is not None else ""
        managed = f" · {rel.name}: managed by GitOps ({owner})" if rel and owner else ""
        self.query_one("#state", Static).update(text(
            (f"{_releases(shown)} match {self.filter_text!r}"
             if self.filter_text else f"{_releases(len(self.releases))} {where}")
            + stale + managed))

    def _visible(self) -> list[Release]:
        f = self.filter_text.lower()
        if not f:
            return self.releases
        return [r for r in self.releases
                if f in f"{r.namespace} {r.name} {r.chart_ref} {r.status}".lower()]

    def owner(self, rel: Release) -> str:
        """The GitOps owner of a release ("Flux HelmRelease ns/name"), "" when none."""
        key = (rel.namespace, rel.name, rel.revision)
        if key not in self._owners:
            app: Any = self.app
            self._owners[key] = release_owner(app.registry.ordered(), rel.manifest) \
                if rel.readable else ""
        return self._owners[key]

    def _render_table(self) -> None:
        table = self.query_one("#releases", DataTable)
        selected = self.selected()
        now = self.now()
        visible = self._visible()
        owners = [self.owner(rel) for rel in visible]
        spec = GITOPS_COLUMNS if any(owners) else RELEASE_COLUMNS
        shown = spec.shown(self.app.size.width)
        rows = [(f"{rel.namespace}/{rel.name}", spec.cells(
            (rel.namespace, rel.name, str(rel.revision),
             rel.status if rel.readable else "unreadable",
             *((fit(owner, OWNER_CELLS, pad=False),) if spec is GITOPS_COLUMNS else ()),
             rel.chart_ref or "?", rel.app_version, age(rel.last_deployed, now)), shown))
            for rel, owner in zip(visible, owners, strict=True)]
        with self.app.batch_update():
            set_columns(table, shown)
            # a new revision of one release (GitOps upgrades all day) updates its cells only
            rebuilt = fill_rows(table, rows)
        if rebuilt and selected is not None:
            try:
                table.move_cursor(row=table.get_row_index(f"{selected.namespace}/"
                                                          f"{selected.name}"))
            except Exception:
                pass
        self._show_details(self.selected())
        self._update_state()

    def selected(self) -> Release | None:
        table = self.query_one("#releases", DataTable)
        if table.row_count == 0:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        except Exception:
            return None
        for rel in self.releases:
            if f"{rel.namespace}/{rel.name}" == key:
                return rel
        return None

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "releases":
            self._show_details(self.selected())
            self._update_state()

    def _show_details(self, rel: Release | None) -> None:
        hist = self.query_one("#history", DataTable)
        shown = HISTORY_COLUMNS.shown(self.app.size.width)
        set_columns(hist, shown)
        hist.clear()
        values = self.query_one("#values-view", TextArea)
        manifest = self.query_one("#manifest-view", TextArea)
        notes = self.query_one("#notes-view", Static)
        if rel is None:
            values.load_text("")
            manifest.load_text("")
            notes.update(Text(""))
            return
        for r in reversed(history(self.all_revisions, rel.namespace, rel.name)):
            hist.add_row(*(cell(c) for c in HISTORY_COLUMNS.cells(
                (str(r.revision), r.status if r.readable else "unreadable",
                 r.chart_ref or "?", r.app_version, age(r.last_deployed, self.now()),
                 r.description or r.error), shown)))
        if not rel.readable:
            values.load_text(f"# {clean(rel.error)}\n")
            manifest.load_text(f"# {clean(rel.error)}\n")
            notes.update(text(rel.error))
            return
        clear = f"{rel.namespace}/{rel.name}" in self.revealed
        config = rel.config if clear else mask_values(rel.config)
        hint = "" if clear or config == rel.config else HIDDEN_HINT
        # a TextArea paints its document as it is: clean it like any other display text
        values.load_text(clean(hint + (dump_values(config) or "# no user-supplied values\n"),
                               multiline=True))
        masked = rel.manifest if clear else mask_manifest(rel.manifest)
        manifest.load_text(clean(("" if clear or masked == rel.manifest else HIDDEN_HINT)
                                 + masked, multiline=True))
        notes.update(text(rel.notes or "(no notes)", multiline=True))

    # -- actions ----------------------------------------------------------------------------

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.add_class("shown")
        focus_now(box)  # before the next queued key: "/nginx" typed fast must not upgrade

    def main_widget(self) -> DataTable:
        return self.query_one("#releases", DataTable)

    def has_filter(self) -> bool:
        return bool(self.filter_text)

    def clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.value = ""
        box.remove_class("shown")
        self.filter_text = ""
        self._render_table()
        self.query_one("#releases", DataTable).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "filter":
            self.filter_text = event.value.strip()
            self._render_table()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            if not event.value.strip():
                event.input.remove_class("shown")
            focus_now(self.query_one("#releases", DataTable))

    def _need_selection(self) -> Release | None:
        rel = self.selected()
        if rel is None:
            self.app.notify("no release selected", severity="warning")
            return None
        if not rel.readable:
            self.app.notify(f"{rel.name}: {rel.error}", severity="error")
            return None
        if clean(rel.name) != rel.name or clean(rel.namespace) != rel.namespace:
            # helm takes only DNS-1123 release names: a name with control characters (a
            # hand-made Secret) cannot be acted on, and must not reach a form or a command
            self.app.notify(f"{rel.name}: the name has control characters; helm cannot "
                            "act on this release", severity="error")
            return None
        return rel

    def _ops(self) -> Any:
        app: Any = self.app
        context = self.session.context if self.session is not None else app.options.context
        return HelmOperations(make_tool(app.settings, app.options.kubeconfig, context))

    def action_upgrade(self) -> None:
        rel = self._need_selection()
        if rel is None:
            return
        app: Any = self.app
        plugin = find_plugin_for_release(app.registry.ordered(), rel)
        if plugin is not None:
            spec = ChartSpec.for_plugin(plugin, app.settings.charts)
        else:
            ref = ChartRef(repo="", chart=rel.chart, version=rel.chart_version,
                           namespace=rel.namespace, release=rel.name)
            plugin = Plugin(id="release", title=rel.name, category="packaging", chart=ref)
            spec = ChartSpec.from_ref(ref)
            if not app.read_only:
                app.notify(f"{rel.chart} is not in the catalog: fill in its chart repository",
                           severity="warning")
        spec = spec.with_overrides({"namespace": rel.namespace, "release": rel.name})
        app.open_install(plugin, spec, verb="upgrade")  # refused there in read-only mode

    def action_reveal(self) -> None:
        rel = self._need_selection()
        if rel is None:
            return
        key = f"{rel.namespace}/{rel.name}"
        if key in self.revealed:
            self.revealed.discard(key)
            self._show_details(self.selected())
            return
        self._reveal(rel)

    @work(exclusive=True, group="helm-reveal", description="helm-reveal")
    async def _reveal(self, rel: Release) -> None:
        """Show credentials only to a user who may read the Secrets they came from."""
        if self.session is None:
            return
        access = await self.session.access.can("get", SECRETS, rel.namespace)
        if not access:
            self.app.notify(f"values stay hidden: {access.reason}", severity="error")
            return
        self.revealed.add(f"{rel.namespace}/{rel.name}")
        self._show_details(self.selected())
        self.app.notify(f"credentials of {rel.name} shown (x hides them)")

    def action_rollback(self) -> None:
        rel = self._need_selection()
        if rel is None:
            return
        revisions = history(self.all_revisions, rel.namespace, rel.name)

        def picked(revision: int | None) -> None:
            if revision is None:
                return
            target = next(r for r in revisions if r.revision == revision)
            diffs = diff_manifests(rel.manifest, target.manifest, rel.namespace)
            self.perform(self._guarded(self._ops().rollback_mutation(rel, revision,
                                                                     diffs=diffs),
                                       rel, "roll back"))

        self.app.push_screen(RollbackPicker(rel, revisions), picked)

    def action_uninstall(self) -> None:
        rel = self._need_selection()
        if rel is None:
            return
        self.perform(self._guarded(self._ops().uninstall_mutation(rel), rel, "uninstall"))

    def _guarded(self, mutation: Any, rel: Release, verb: str) -> Any:
        """A release owned by GitOps (a plugin's ``release_guard``) needs a second, explicit
        confirmation naming the owner: the change would be reverted or cause drift."""
        from k8s_essentials_tui.api import release_guard

        app: Any = self.app
        mutation.second_confirmation = release_guard(app.registry.ordered(), rel.manifest,
                                                     verb)
        return mutation


def _releases(n: int) -> str:
    return f"{n} release" + ("" if n == 1 else "s")
