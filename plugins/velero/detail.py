"""Detail of one backup or restore (``enter`` in the pane): spec, status, validation errors,
and logs fetched through a DownloadRequest like ``velero backup logs`` (``l``).

Live: it reads the same shared cache as the pane, so a running backup's progress moves here
too. Values, error messages and log lines are cluster text: shown through
:mod:`k8s_essentials_tui.text` (control characters made visible).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Log, Static

from k8s_essentials_tui.api import (
    CacheSubscriber,
    CacheUpdated,
    KeyFooter,
    Mutation,
    Permission,
    ResourceType,
    clean,
)

from . import model, ops

if TYPE_CHECKING:
    from textual import getters

    from k8s_essentials_tui.api import EssentialsApp


class VeleroDetailScreen(CacheSubscriber, Screen[None]):
    if TYPE_CHECKING:  # the app's own attributes, typed (Textual's getter, for checkers)
        app = getters.app(EssentialsApp)

    DEFAULT_CSS = """
    VeleroDetailScreen #detail-scroll { height: 2fr; }
    VeleroDetailScreen #detail { height: auto; padding: 0 1; }
    VeleroDetailScreen #log-state { height: auto; color: $text-muted; padding: 0 1; }
    VeleroDetailScreen #log-state.problem { color: $warning; }
    VeleroDetailScreen Log { height: 1fr; min-height: 4; border-top: solid $primary; }
    """
    BINDINGS = [
        Binding("escape,q", "back", "Back", id="velero.detail.back"),
        Binding("l", "logs", "Logs", id="velero.detail.logs"),
    ]

    def __init__(self, rtype: ResourceType, name: str, namespace: str) -> None:
        super().__init__()
        self.rtype = rtype
        self.object_name = name
        self.velero_namespace = namespace
        self.kind = "Backup" if rtype == model.BACKUPS else "Restore"
        self.detail_text = ""

    def compose(self) -> ComposeResult:
        yield self.app.make_status_bar()
        yield Static(clean(f" {self.kind} {self.object_name}"), id="detail-title",
                     markup=False)
        with VerticalScroll(id="detail-scroll"):
            yield Static("", id="detail")
        yield Static(f"Press l to fetch the {self.kind.lower()} log through a "
                     "DownloadRequest.", id="log-state", markup=False)
        yield Log(max_lines=20000, highlight=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        cache = self.watch_resource(self.rtype, self.velero_namespace)
        if cache is not None and cache.synced:
            self.render_detail()

    def on_unmount(self) -> None:
        self.unwatch_all()

    def on_cache_updated(self, _message: CacheUpdated) -> None:
        self.render_detail()

    def _object(self) -> dict[str, Any] | None:
        session = self.session
        if session is None:
            return None
        cache = session.cache(self.rtype, self.velero_namespace)
        for obj in cache.items():
            if (obj.get("metadata") or {}).get("name") == self.object_name:
                return obj
        return None

    def render_detail(self) -> None:
        obj = self._object()
        widget = self.query_one("#detail", Static)
        if obj is None:
            widget.update(Text(f"{self.kind} {self.object_name} no longer exists "
                               f"in {self.velero_namespace}."))
            return
        now = self.now()
        pairs = model.backup_detail(obj, now) if self.kind == "Backup" \
            else model.restore_detail(obj, now)
        #: the same facts as plain text (for copy and for tests)
        self.detail_text = "\n".join(f"{label}: {value}" for label, value in pairs)
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for label, value in pairs:
            style = "bold red" if label in ("Validation error", "Failure reason") else ""
            table.add_row(label, Text(clean(value), style=style))
        widget.update(table)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_logs(self) -> None:
        """Fetch the log: a DownloadRequest is CREATED (that is how Velero serves logs), so
        this is a mutation: confirmed, audited, refused in read-only mode."""
        session = self.session
        if session is None:
            self.query_one("#log-state", Static).update("not connected")
            return
        ns, kind = self.velero_namespace, self.kind.lower()
        result: list[ops.LogResult] = []
        state = self.query_one("#log-state", Static)

        def on_state(text: str) -> None:
            state.update(clean(text, multiline=True))

        async def run() -> str:
            res = await ops.fetch_logs(session.client, f"{self.kind}Log", self.object_name,
                                       ns, self.now(), on_state=on_state)
            result.append(res)
            return f"DownloadRequest {res.state}" + (f": {res.message}" if res.message
                                                     else f": {len(res.lines)} log lines")

        mutation = Mutation(
            action=f"velero.{kind}.logs",
            title=f"Fetch the log of {kind} {self.object_name}",
            command=f"velero {kind} logs {self.object_name} --namespace {ns}",
            run=run,
            permissions=[Permission("create", model.DOWNLOAD_REQUESTS, ns)],
            warning=f"Creates a DownloadRequest object in {ns}: Velero answers it with a "
                    "pre-signed URL of the log in object storage.",
            why_write="Velero serves logs only through a DownloadRequest, an object this "
                      "would create")
        self._fetch_logs(mutation, result)

    @work(exclusive=True, group="velero-logs", description="velero-logs")
    async def _fetch_logs(self, mutation: Mutation, result: list[ops.LogResult]) -> None:
        state = self.query_one("#log-state", Static)
        state.remove_class("problem")
        log = self.query_one(Log)
        log.clear()
        app: Any = self.app
        ok, message = await app.perform(mutation)
        if not ok or not result:
            state.add_class("problem")
            state.update(clean(f"cannot request the log: {message}", multiline=True)
                         if message != "cancelled" else "log request cancelled")
            return
        res = result[0]
        if res.message:
            state.add_class("problem")
            state.update(clean(f"DownloadRequest {res.state}: {res.message}",
                               multiline=True))
            return
        state.update(f"DownloadRequest {res.state}: {len(res.lines)} log lines")
        log.write_lines([clean(line) for line in res.lines])
