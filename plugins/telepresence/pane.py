"""The Telepresence pane: daemon/traffic-manager status, workloads with live intercept state,
connect/quit, start an intercept (``I``), leave one (``l``) or all of mine (``L``).

Why it polls: intercept state lives in the local daemons, not in the apiserver, so a worker
runs ``telepresence status`` and ``telepresence list`` every few seconds while the pane is open
(a local CLI call; the apiserver is never polled). Every change goes through ``app.perform``
(confirm with the exact command, read-only, audit log); long commands stream their output
into the pane's log and can be cancelled with ctrl+x. A global intercept in a shared
namespace needs a second, explicit confirmation naming who else is affected.

The CLI's output (streamed lines, errors, workload and intercept names, messages, versions)
is untrusted text: it reaches the screen only through :mod:`k8s_essentials_tui.text`
(control characters made visible, Text cells, never markup).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.coordinate import Coordinate
from textual.css.query import NoMatches
from textual.widgets import DataTable, Log, Static

from k8s_essentials_tui.api import (
    Columns,
    EssentialsError,
    KeyTable,
    Mutation,
    Plugin,
    PluginPane,
    ToolError,
    clean,
    current_columns,
    display_text,
    fit,
    focus_now,
    set_columns,
)

from .cli import (
    InterceptRequest,
    Status,
    TelepresenceCLI,
    VersionInfo,
    Workload,
    from_settings,
)
from .forms import ConnectForm, InterceptForm

#: most useful first, so an 80-column terminal shows who intercepts what
COLUMNS = Columns(("Workload", "State", "By", "Port → local", "Type", "Kind", "Note"),
                  ("Workload", "State", "By", "Port → local", "Type"))


def describe_others(workloads: list[Workload], me: str, workload: str) -> list[str]:
    """Other developers' intercepts in the namespace (who a global intercept would affect)."""
    out = []
    for w in workloads:
        for ic in w.intercepts:
            if ic.client and ic.client != me:
                what = "globally" if ic.is_global else "by header"
                same = " (same workload!)" if w.name == workload else ""
                out.append(f"{ic.client} intercepts {w.name} {what}{same}")
    return out


class TelepresencePane(PluginPane):
    DEFAULT_CSS = """
    TelepresencePane #tp-status { height: auto; padding: 0 1; background: $boost; }
    TelepresencePane #tp-notice { height: auto; padding: 0 1; color: $warning; display: none; }
    TelepresencePane #tp-notice.shown { display: block; }
    TelepresencePane #tp-notice.error { color: $error; }
    TelepresencePane #tp-workloads { height: 1fr; }
    TelepresencePane #tp-detail { height: auto; max-height: 2; padding: 0 1; display: none; }
    TelepresencePane #tp-detail.shown { display: block; }
    TelepresencePane #tp-output {
        height: 6; border: round $panel-lighten-2; border-title-color: $foreground-muted;
        overflow-x: hidden; overflow-y: auto; scrollbar-size-vertical: 1;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "connect", "Connect", id="telepresence.connect"),
        Binding("I", "intercept", "Intercept", id="telepresence.intercept"),
        Binding("l", "leave", "Leave", id="telepresence.leave"),
        Binding("L", "leave_all", "Leave mine", id="telepresence.leave_all"),
        Binding("X", "disconnect", "Disconnect", id="telepresence.quit"),
        Binding("r", "refresh", "Refresh", id="telepresence.refresh"),
        Binding("ctrl+x", "cancel_command", "Cancel cmd", id="telepresence.cancel"),
    ]
    #: how often intercept state is re-read while the pane is open (a local CLI call)
    POLL_SECONDS: ClassVar[float] = 3.0

    def __init__(self, plugin: Plugin, **kwargs: Any) -> None:
        super().__init__(plugin, **kwargs)
        self.cli: TelepresenceCLI | None = None
        self.version: VersionInfo | None = None
        self.status: Status | None = None
        self.workloads: list[Workload] = []
        self.header_supported = False
        self.unavailable = ""
        self.last_error = ""
        #: the last failed action (kept until the next action; polls do not clear it)
        self.action_error = ""
        self.busy = ""
        #: True once the first status read (or the version check) has finished
        self.probed = False
        self._cancel: asyncio.Event | None = None
        self._poll_lock = asyncio.Lock()
        self._rows: list[tuple[str, ...]] = []

    # -- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("checking telepresence…", id="tp-status", markup=False)
        yield Static("", id="tp-notice", markup=False)
        table = KeyTable(id="tp-workloads", zebra_stripes=True)
        table.add_columns(*COLUMNS.shown(self.app.size.width))
        yield table
        # on a narrow terminal: the selected row's columns the table leaves out
        yield Static("", id="tp-detail", markup=False)
        log = Log(id="tp-output", max_lines=500, highlight=False)
        log.border_title = "telepresence output"
        yield log

    def on_mount(self) -> None:
        super().on_mount()
        settings = getattr(self.app, "settings", None)
        self.cli = from_settings(settings) if settings is not None else TelepresenceCLI()
        focus_now(self.query_one("#tp-workloads", DataTable))
        self._probe()
        self.set_interval(self.POLL_SECONDS, self._tick, name="telepresence-poll")

    # -- reading state -----------------------------------------------------------------------

    @work(group="telepresence-probe", exclusive=True, description="telepresence-probe")
    async def _probe(self) -> None:
        """Find the binary and check its version once; then read state."""
        assert self.cli is not None
        try:
            self.version = await self.cli.version()
            self.header_supported = await self.cli.supports_http_header()
            self.unavailable = ""
        except ToolError as exc:
            self.unavailable = str(exc)
            self._render_all()
            return
        await self._poll_once()

    def _tick(self) -> None:
        if not self._poll_lock.locked() and not self.unavailable and self.version is not None:
            self._poll()

    @work(group="telepresence-poll", description="telepresence-poll")
    async def _poll(self) -> None:
        await self._poll_once()

    async def _poll_once(self, *, wait: bool = False) -> None:
        """Read status (and the list when connected). ``wait``: after an in-flight poll."""
        if self.cli is None or (self._poll_lock.locked() and not wait):
            return
        async with self._poll_lock:
            try:
                status = await self.cli.status()
                workloads: list[Workload] = []
                if status.connected:
                    workloads = await self.cli.list(status.namespace)
                self.status, self.workloads, self.last_error = status, workloads, ""
            except ToolError as exc:
                self.last_error = str(exc)
        self._render_all()

    # -- rendering ---------------------------------------------------------------------------

    def _render_all(self) -> None:
        self.probed = True
        if not self.is_mounted or not self.is_attached:
            return
        try:
            self._render_widgets()
        except NoMatches:  # the pane is being torn down while a command finished
            return

    def _render_widgets(self) -> None:
        self.query_one("#tp-status", Static).update(self._status_text())
        notice = self.query_one("#tp-notice", Static)
        message, is_error = self._notice()
        notice.update(clean(message, multiline=True))
        notice.set_class(bool(message), "shown")
        notice.set_class(is_error, "error")
        self._render_table()

    def _status_text(self) -> Text:
        st, v = self.status, self.version
        rows: list[tuple[str, str, str, str]] = []
        if st is None:
            ud = rd = "unknown"
            tm = "unknown"
        else:
            ud = (f"{st.user_daemon.status or 'Running'} · {st.user_daemon.version}"
                  if st.user_daemon.running else "not running")
            rd = (f"Running · {st.root_daemon.version}" if st.root_daemon.running
                  else "not running")
            tm = (f"{st.traffic_manager_version} in {st.manager_namespace or '?'}"
                  if st.traffic_manager_version else "not connected")
        context = st.context if st and st.context else "-"
        namespace = st.namespace if st and st.namespace else "-"
        client = v.client if v else "-"
        header = "supported" if self.header_supported else "not supported (global only)"
        rows.append(("User daemon", ud, "Context", context))
        rows.append(("Root daemon", rd, "Namespace", namespace))
        rows.append(("Traffic mgr", tm, "Client", client))
        text = Text()
        for i, (k1, v1, k2, v2) in enumerate(rows):
            if i:
                text.append("\n")
            text.append(f"{k1:<13}", style="bold")
            text.append(fit(clean(v1), 30))  # versions and names: the CLI's words
            text.append(f"{k2:<10}", style="bold")
            text.append(clean(v2))
        text.append("\n")
        text.append(f"{'Header match':<13}", style="bold")
        text.append(f"{header:<30}")
        mismatch = self.context_mismatch()
        if mismatch:
            text.append("\n")
            text.append(mismatch, style=f"bold {self.app.current_theme.warning or 'yellow'}")
            text.append("\n")
        if self.busy:
            text.append(f"running: telepresence {self.busy} (ctrl+x cancels)", style="bold")
        elif self.read_only:
            text.append("READ-ONLY: actions disabled", style="bold")
        return text

    def context_mismatch(self) -> str:
        """Say so when the daemon is connected to another kubeconfig context than the app:
        intercepts then act on the daemon's cluster, not the one the other panes show."""
        st = self.status
        mine = self.session.context if self.session is not None else ""
        if st is None or not st.connected or not st.context or not mine or st.context == mine:
            return ""
        return (f"⚠ telepresence is connected to context {st.context}, not this app's "
                f"context {mine}: intercepts act on {st.context}")

    def _notice(self) -> tuple[str, bool]:
        if self.unavailable:
            return f"Telepresence unavailable: {self.unavailable}", True
        if self.last_error:
            return f"{self.last_error}  (press r to retry)", True
        if self.action_error:
            return f"Last action failed: {self.action_error}", True
        if self.status is not None and not self.status.connected:
            return ("Not connected: press c to connect this laptop to the cluster "
                    "(telepresence connect), then I to intercept a workload."), False
        return "", False

    def _row(self, w: Workload) -> tuple[str, ...]:
        me = self.status.my_intercepts if self.status else []
        if not w.intercepts:
            ports = ", ".join(p.identifier for p in w.service_ports) or "-"
            if not w.interceptable:
                return (w.name, "not interceptable", "", ports, "", w.kind,
                        w.not_interceptable_reason)
            note = "traffic-agent installed" if w.has_agent else ""
            return (w.name, "ready", "", ports, "", w.kind, note)
        ic = w.intercepts[0]
        my_client = self.status.my_client if self.status else ""
        who = "you" if ic.name in me or (my_client and ic.client == my_client) else ic.client
        more = f" +{len(w.intercepts) - 1}" if len(w.intercepts) > 1 else ""
        port = ic.port_identifier or str(ic.service_port or "")
        state = ic.disposition.lower() if ic.disposition != "ACTIVE" else "intercepted"
        kind = "GLOBAL" if ic.is_global else "header " + ",".join(
            a.removeprefix("--http-header=") for a in ic.mechanism_args)
        note = ic.message or (f"{ic.client}, pod {ic.pod_name}" if ic.pod_name else ic.client)
        return (w.name, state + more, who, f"{port} → {ic.local_target}", kind, w.kind, note)

    def _render_table(self) -> None:
        table = self.query_one("#tp-workloads", DataTable)
        rows = [self._row(w) for w in self.workloads]
        shown = COLUMNS.shown(self.app.size.width)
        if rows == self._rows and current_columns(table) == shown:
            return
        self._rows = rows
        selected = self.selected_workload()
        with self.app.batch_update():
            set_columns(table, shown)
            table.clear()
            for row in rows:
                table.add_row(*(display_text(c) for c in COLUMNS.cells(row, shown)),
                              key=row[0])
        if selected is not None:
            names = [r[0] for r in rows]
            if selected.name in names:
                table.move_cursor(row=names.index(selected.name), animate=False)
        self._render_detail()

    def _render_detail(self) -> None:
        detail = self.query_one("#tp-detail", Static)
        shown = COLUMNS.shown(self.app.size.width)
        wl = self.selected_workload()
        row = self._row(wl) if wl is not None else None
        hidden = [(n, row[i]) for i, n in enumerate(COLUMNS.names)
                  if row is not None and n not in shown and row[i]]
        detail.update(clean(" · ".join(f"{n}: {v}" for n, v in hidden)))
        detail.set_class(bool(hidden), "shown")

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._render_detail()

    def on_resize(self) -> None:
        """Narrow or wide columns (see ``widgets.columns``) follow the terminal."""
        self._render_table()

    def selected_workload(self) -> Workload | None:
        table = self.query_one("#tp-workloads", DataTable)
        if not table.row_count or table.cursor_row < 0:
            return None
        try:
            key = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value
        except Exception:
            return None
        return next((w for w in self.workloads if w.name == key), None)

    def log_line(self, line: str) -> None:
        try:
            # streamed CLI output and error text: an ESC in it must not reach the terminal
            self.query_one("#tp-output", Log).write_line(clean(line))
        except NoMatches:
            pass

    # -- running commands (inside app.perform) ----------------------------------------------

    def _command(self, name: str, display: str,
                 body: Callable[[asyncio.Event], Awaitable[str | None]]
                 ) -> Callable[[], Awaitable[str | None]]:
        """Wrap a CLI call: show it in the log, stream output, allow cancel, re-read state."""

        async def run() -> str | None:
            if self.busy:
                raise ToolError(f"telepresence {self.busy} is still running",
                                hint="wait for it, or press ctrl+x to cancel it")
            self.busy = name
            self.action_error = ""
            self._cancel = asyncio.Event()
            self.log_line(f"$ {display}")
            self._render_all()
            try:
                message = await body(self._cancel)
            except EssentialsError as exc:
                self.log_line(f"✗ {exc}")
                raise
            finally:
                self.busy = ""
                self._cancel = None
                self._render_all()
            self.log_line(f"✓ {message}" if message else "✓ done")
            await self._poll_once(wait=True)
            return message

        return run

    def _guard(self) -> bool:
        if self.unavailable:
            self.notify(clean(self.unavailable), title="telepresence", severity="error",
                        timeout=10, markup=False)
            return False
        if self.busy:
            self.notify(f"telepresence {self.busy} is still running (ctrl+x cancels it)",
                        severity="warning")
            return False
        return True

    def _connected(self) -> bool:
        if self.status is None or not self.status.connected:
            self.notify("not connected: press c to connect first", title="telepresence",
                        severity="warning")
            return False
        return True

    def _after(self, ok: bool, message: str | None) -> None:
        if not ok and message and message != "cancelled" and not self.read_only:
            self.action_error = message
            self._render_all()

    # -- actions -----------------------------------------------------------------------------

    def action_refresh(self) -> None:
        if self.unavailable or self.version is None:
            self._probe()
        else:
            self._poll()

    def action_cancel_command(self) -> None:
        if self._cancel is not None:
            self._cancel.set()
            self.log_line("… cancelling")
        else:
            self.notify("no telepresence command is running")

    def _default_namespace(self) -> str:
        if self.status and self.status.namespace:
            return self.status.namespace
        session = self.session
        return (session.namespace if session is not None else "") or "default"

    def _manager_namespace(self) -> str:
        detections = getattr(self.app, "detections", {}) or {}
        det = detections.get(self.plugin.id)
        if det is not None and det.namespace:
            return str(det.namespace)
        return self.plugin.chart.namespace if self.plugin.chart else "ambassador"

    def action_connect(self) -> None:
        if not self._guard():
            return
        context = self.session.context if self.session is not None else ""
        self.app.push_screen(ConnectForm(self._default_namespace(), self._manager_namespace(),
                                         context), self._connect_chosen)

    def _connect_chosen(self, result: tuple[str, str] | None) -> None:
        if result is None or self.cli is None:
            return
        namespace, manager = result
        context = self.session.context if self.session is not None else ""
        cli = self.cli
        display = cli.display(cli.connect_args(namespace, manager, context))

        async def body(cancel: asyncio.Event) -> str:
            await cli.connect(namespace, manager, context, on_line=self.log_line, cancel=cancel)
            return f"connected to namespace {namespace}"

        self.perform(Mutation(
            action="telepresence.connect",
            title=f"Connect Telepresence to namespace {namespace}",
            command=display, run=self._command("connect", display, body),
            details=["Starts the local daemons (the root daemon may ask for sudo) and joins "
                     f"this laptop to the cluster network; traffic-manager in {manager}."],
        ), self._after)

    def action_disconnect(self) -> None:
        if not self._guard() or self.cli is None:
            return
        cli = self.cli
        mine = self.status.my_intercepts if self.status else []
        display = cli.display(["quit"])

        async def body(_cancel: asyncio.Event) -> str:
            await cli.quit()
            return "disconnected"

        details = [f"Your intercepts end too: {', '.join(mine)}."] if mine else []
        self.perform(Mutation(action="telepresence.quit", title="Disconnect Telepresence",
                              command=display, run=self._command("quit", display, body),
                              details=details), self._after)

    def action_intercept(self) -> None:
        if not self._guard() or not self._connected():
            return
        candidates = [w for w in self.workloads if w.interceptable]
        if not candidates:
            self.notify("no interceptable workloads in this namespace", severity="warning")
            return
        selected = self.selected_workload()
        assert self.status is not None
        self.app.push_screen(
            InterceptForm(self.workloads, self.status.namespace,
                          selected=selected.name if selected else "",
                          header_supported=self.header_supported,
                          client_version=self.version.client if self.version else ""),
            self._intercept_chosen)

    def intercept_mutation(self, req: InterceptRequest) -> Mutation:
        """The confirm-dialog contents for an intercept: warnings and who else is affected."""
        assert self.cli is not None
        cli = self.cli
        ns = req.namespace
        display = cli.display(req.argv())
        wl = next((w for w in self.workloads if w.name == req.workload), None)
        port = req.service_port or (wl.service_ports[0].identifier if wl and wl.service_ports
                                    else "its port")
        me = self.status.my_client if self.status and self.status.my_client else "this laptop"
        details = [f"Service port {port} of {req.workload} → localhost:{req.local_port}"]
        if req.env_file:
            details.append(f"Remote environment written to {req.env_file}")
        details.append("Remote volumes: " + ({"false": "not mounted", "true": "mounted in a "
                                              "temp dir", "": "CLI default (mounted)"}
                                             .get(req.mount, f"mounted at {req.mount}")))
        second = ""
        if req.is_global:
            kind = "GLOBAL"
            warning = (f"GLOBAL intercept: every request to {req.workload} ({port}) from "
                       f"anywhere in the cluster goes to this laptop until you leave it (l).")
            personal = set(getattr(self.app, "settings", {}).get(
                "telepresence.personal_namespaces", []) or [])
            if ns not in personal:
                others = describe_others(self.workloads, me, req.workload)
                who = "; ".join(others) if others else "no other intercepts right now"
                second = (f"{ns} is a shared namespace. Affected: every caller of "
                          f"{req.workload} (other services, teammates, test traffic); "
                          f"{who}. Press 'Yes, really' to take ALL its traffic.")
        else:
            kind = "personal"
            warning = (f"Only requests with header {', '.join(req.http_headers)} go to this "
                       f"laptop; everyone else keeps using the cluster's {req.workload}.")

        async def body(cancel: asyncio.Event) -> str:
            result = await cli.intercept(req, on_line=self.log_line, cancel=cancel)
            msg = f"intercept {result.name} {result.disposition or 'started'}"
            if result.target:
                msg += f" → {result.target}"
            if result.mount_error:
                msg += f" (mount failed: {result.mount_error})"
            return clean(msg)  # the CLI's words, shown in the result notification

        return Mutation(action="telepresence.intercept",
                        title=f"Start {kind} intercept of {req.workload} in {ns}",
                        command=display, run=self._command("intercept", display, body),
                        warning=warning, second_confirmation=second, details=details)

    def _intercept_chosen(self, req: InterceptRequest | None) -> None:
        if req is None or self.cli is None:
            return
        self.perform(self.intercept_mutation(req), self._after)

    def action_leave(self) -> None:
        if not self._guard() or not self._connected() or self.cli is None:
            return
        w = self.selected_workload()
        if w is None or not w.intercepts:
            self.notify("the selected workload is not intercepted", severity="warning")
            return
        mine = set(self.status.my_intercepts) if self.status else set()
        ours = [ic for ic in w.intercepts if ic.name in mine]
        if not ours:
            owner = w.intercepts[0].client or "another client"
            self.notify(clean(f"{w.name} is intercepted by {owner}: only they can leave it "
                              "(telepresence leave runs on their machine)"),
                        severity="warning", timeout=8, markup=False)
            return
        self._leave([ic.name for ic in ours], f"Leave intercept {ours[0].name}"
                    if len(ours) == 1 else f"Leave {len(ours)} intercepts of {w.name}")

    def action_leave_all(self) -> None:
        if not self._guard() or not self._connected():
            return
        mine = self.status.my_intercepts if self.status else []
        if not mine:
            self.notify("you have no intercepts", severity="information")
            return
        self._leave(mine, f"Leave all {len(mine)} of my intercepts")

    def _leave(self, names: list[str], title: str) -> None:
        assert self.cli is not None
        cli = self.cli
        display = " && ".join(cli.display(["leave", n]) for n in names)

        async def body(_cancel: asyncio.Event) -> str:
            for name in names:
                await cli.leave(name)
                self.log_line(f"left {name}")
            return f"left {', '.join(names)}"

        self.perform(Mutation(
            action="telepresence.leave", title=title, command=display,
            run=self._command("leave", display, body),
            details=[f"Traffic to {', '.join(names)} goes back to the cluster's pods."],
        ), self._after)
