"""EssentialsApp: wires screens, themes, bindings, the command palette and the cluster session.

Thin on purpose: cluster I/O lives in ``tui/kube``, panes in ``plugins/``, screens in
``tui/screens``. The first frame is drawn before anything touches the cluster: the kubeconfig
is loaded and the connection checked in a worker, whose result arrives as a message.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.signal import Signal

from . import audit
from .errors import ConfigError, EssentialsError
from .registry import Registry, load_registry
from .settings import Settings, load_settings
from .theming import DEFAULT_THEME, load_theme
from .widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from .actions import Mutation
    from .kube.session import ClusterSession
    from .plugin import Detection, Plugin


@dataclass
class StartOptions:
    kubeconfig: str | None = None
    context: str | None = None
    namespace: str | None = None
    read_only: bool = False
    theme: str | None = None
    config: str | None = None
    #: fixed clock for snapshots/tests; None = real time
    now: datetime | None = None
    #: False in tests that must not try to connect at all
    connect: bool = True
    settings: Settings | None = field(default=None, repr=False)

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> StartOptions:
        return cls(kubeconfig=args.kubeconfig, context=args.context, namespace=args.namespace,
                   read_only=bool(args.read_only), theme=args.theme, config=args.config)


class SessionChanged(Message):
    """Posted to the active screen when the app connected (or failed to)."""

    def __init__(self, session: ClusterSession | None, error: EssentialsError | None) -> None:
        super().__init__()
        self.session = session
        self.error = error


class EssentialsApp(App[int]):
    TITLE = "k8s-essentials-tui"
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("colon", "command_palette", "Commands", id="app.palette"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("C", "contexts", "Contexts", id="app.contexts"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True, id="app.quit"),
    ]

    connection_state: reactive[str] = reactive("starting")

    def __init__(self, options: StartOptions | None = None) -> None:
        self.options = options or StartOptions()
        self.config_error: str = ""
        try:
            self.settings = self.options.settings or load_settings(
                Path(self.options.config) if self.options.config else None)
        except ConfigError as exc:
            self.settings = Settings()
            self.config_error = str(exc)
        super().__init__()
        self.read_only: bool = self.options.read_only or bool(self.settings["read_only"])
        self.registry: Registry = load_registry()
        self.session: ClusterSession | None = None
        self.connection_error: EssentialsError | None = None
        #: published with the new detections whenever the board re-evaluates, so the
        #: component panes showing them stay live without asking the cluster again
        self.detections_changed: Signal[dict[str, Detection]] = Signal(self,
                                                                        "detections-changed")
        self._detections: dict[str, Detection] = {}
        self._theme_short = self.options.theme or self.settings["theme"] or DEFAULT_THEME

    @property
    def detections(self) -> dict[str, Detection]:
        """The latest detection of every component (empty until the board's first read)."""
        return self._detections

    @detections.setter
    def detections(self, value: dict[str, Detection]) -> None:
        self._detections = value
        self.detections_changed.publish(value)

    # -- lifecycle -------------------------------------------------------------------------

    def now(self) -> datetime:
        return self.options.now or datetime.now(UTC)

    def on_mount(self) -> None:
        self._install_themes()
        if self.settings.keys:
            self.set_keymap(self.settings.keys)
        from .screens.main import MainScreen

        self.push_screen(MainScreen())
        banner = os.environ.get("K8S_ESSENTIALS_TUI_BANNER", "")
        if banner:  # scripts/demo: says what is simulated there (first notification)
            self.notify(banner, title="demo", timeout=120)
        if self.config_error:
            self.notify(self.config_error, title="config file ignored", severity="error",
                        timeout=10)
        for _source, message in self.registry.errors:
            self.notify(message, title="plugin skipped", severity="warning", timeout=10)
        if self.options.connect:
            self.connect()
        else:
            self.connection_state = "offline"
        # Everything imported and built so far lives as long as the app: move it out of the
        # collector's view, so full collections (seen as 100+ ms stalls while a Loki tail
        # streams) only walk objects created later.
        self.call_after_refresh(gc.freeze)

    def _install_themes(self) -> None:
        from .theming import BUILTIN_THEMES

        for short in BUILTIN_THEMES:
            try:
                self.register_theme(load_theme(short))
            except ConfigError as exc:
                self.notify(str(exc), title="theme", severity="error")
        try:
            theme = load_theme(self._theme_short)
            if theme.name not in self.available_themes:
                self.register_theme(theme)
            self.theme = theme.name
        except ConfigError as exc:
            self.notify(f"{exc}; using the default theme", title="theme", severity="error")
            self.theme = load_theme(DEFAULT_THEME).name

    def make_status_bar(self) -> StatusBar:
        bar = StatusBar()
        self._sync_status(bar)
        return bar

    def _sync_status(self, bar: StatusBar) -> None:
        s = self.session
        bar.context = s.context if s else (self.options.context or "")
        bar.namespace = s.namespace if s else (self.options.namespace or "")
        bar.server = (s.server_version.get("gitVersion", "") if s else "")
        bar.state = self.connection_state
        bar.read_only = self.read_only

    def watch_connection_state(self, _state: str) -> None:
        for bar in self.query(StatusBar):
            self._sync_status(bar)
        try:
            for screen in self.screen_stack:
                for bar in screen.query(StatusBar):
                    self._sync_status(bar)
        except Exception:
            pass

    def _handle_exception(self, error: Exception) -> None:
        """A failing background worker (a bug in a pane, an unexpected server answer) is
        reported and logged; the app keeps running. Textual's default would exit with a
        traceback, which an operator in the middle of an incident must never get. Errors
        outside workers keep Textual's behaviour. (Private hook: Textual is pinned.)"""
        from textual.worker import WorkerFailed

        if isinstance(error, WorkerFailed):
            cause = error.error
            logging.getLogger(__name__).error("worker failed", exc_info=cause)
            self.notify(f"{type(cause).__name__}: {cause}", title="background task failed",
                        severity="error", timeout=10)
            return
        super()._handle_exception(error)

    # -- connection ------------------------------------------------------------------------

    @work(exclusive=True, group="connect")
    async def connect(self, context: str | None = None) -> None:
        """Load kubeconfig and check the server, off the first frame's path."""
        from .kube.session import ClusterSession, ConnectOptions

        self.connection_state = "connecting"
        old = self.session
        self.session = None
        if old is not None:
            await old.close()
        options = ConnectOptions(
            kubeconfig=self.options.kubeconfig,
            context=context or self.options.context,
            namespace=self.options.namespace or self.settings["namespace"] or None,
            watch_list=bool(self.settings["watch_list"]),
        )
        try:
            try:
                session = await ClusterSession.connect(options)
            except EssentialsError:
                raise
            except Exception as exc:  # e.g. a kubeconfig the loader chokes on
                raise ConfigError(f"cannot connect: {type(exc).__name__}: {exc}") from exc
        except EssentialsError as exc:
            self.connection_error = exc
            self.connection_state = "no kubeconfig" if exc.kind == "no-kubeconfig" \
                else "disconnected"
            self._broadcast(SessionChanged(None, exc))
            return
        self.session = session
        self.connection_error = None
        self.connection_state = "connected"
        self._broadcast(SessionChanged(session, None))

    def _broadcast(self, message: SessionChanged) -> None:
        for screen in self.screen_stack:
            screen.post_message(SessionChanged(message.session, message.error))
        self.watch_connection_state(self.connection_state)

    async def on_unmount(self) -> None:
        if self.session is not None:
            await self.session.close()

    # -- actions ---------------------------------------------------------------------------

    def action_help(self) -> None:
        from .screens.help import HelpScreen, collect_bindings

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(collect_bindings(self)))

    @work(exclusive=True, group="contexts")
    async def action_contexts(self) -> None:
        import asyncio

        from .kube.config import list_contexts
        from .screens.contexts import ContextPickerScreen

        try:
            contexts = await asyncio.to_thread(list_contexts, self.options.kubeconfig)
        except EssentialsError as exc:
            self.notify(str(exc), title="contexts", severity="error")
            return
        chosen = await self.push_screen_wait(ContextPickerScreen(contexts))
        if chosen:
            while len(self.screen_stack) > 2:
                self.pop_screen()
            self.options.context = chosen
            self.connect(chosen)

    def open_plugin(self, plugin_id: str) -> None:
        from .screens.component import ComponentScreen

        plugin = self.registry.get(plugin_id)
        if plugin is None:
            self.notify(f"no plugin {plugin_id!r}", severity="error")
            return
        self.push_screen(ComponentScreen(plugin))

    def open_install(self, plugin: Plugin) -> None:
        """The Helm install/upgrade screen for a component (``i`` on the board and panes)."""
        if self.read_only:
            self.notify("read-only mode: install is disabled", severity="warning")
            return
        if plugin.chart is None:
            self.notify(f"{plugin.title} has no Helm chart to install", severity="warning")
            return
        from .screens.install import InstallScreen

        self.push_screen(InstallScreen(plugin))

    # -- mutations: one path for every change to a cluster --------------------------------

    def start_mutation(self, mutation: Mutation,
                       on_done: Callable[[bool, str | None], None] | None = None) -> None:
        self._run_mutation(mutation, on_done)

    @work(group="mutation")
    async def _run_mutation(self, mutation: Mutation,
                            on_done: Callable[[bool, str | None], None] | None) -> None:
        ok, message = await self.perform(mutation)
        if on_done is not None:
            on_done(ok, message)

    async def perform(self, mutation: Mutation) -> tuple[bool, str | None]:
        """read-only -> RBAC -> confirm (with the command) -> run -> audit. Call from a worker.

        Returns (succeeded, message)."""
        from .actions import execute
        from .screens.confirm import ConfirmScreen

        if self.read_only:
            msg = f"read-only mode: {mutation.title} is disabled"
            self.notify(msg, severity="warning")
            return False, msg
        if self.session is not None:
            for perm in mutation.permissions:
                access = await self.session.access.can(perm.verb, perm.rtype, perm.namespace,
                                                       subresource=perm.subresource)
                if not access:
                    self.notify(access.reason, title=mutation.title, severity="error")
                    return False, access.reason
        confirmed = await self.push_screen_wait(ConfirmScreen(mutation))
        context = self.session.context if self.session else ""
        if not confirmed:
            audit.record(context=context, action=mutation.action, command=mutation.command,
                         result="cancelled")
            return False, "cancelled"
        try:
            message = await execute(mutation, context)
        except Exception as exc:  # audited by execute(); never a traceback on screen
            text = str(exc) if isinstance(exc, EssentialsError) else f"{type(exc).__name__}: {exc}"
            self.notify(text, title=f"{mutation.title} failed", severity="error", timeout=10)
            return False, str(exc)
        self.notify(message or "done", title=mutation.title)
        return True, message

    # -- command palette -------------------------------------------------------------------

    def get_system_commands(self, screen: Any) -> Any:
        from textual.app import SystemCommand

        yield from super().get_system_commands(screen)
        yield SystemCommand("Switch context", "Choose another kubeconfig context",
                            self.action_contexts)
        # the open pane's own actions first: same effect as pressing their key
        pane_plugin = getattr(screen, "plugin", None)
        for act in getattr(pane_plugin, "actions", ()):
            if act.key:
                title = act.title if act.title.startswith(pane_plugin.title) \
                    else f"{pane_plugin.title}: {act.title}"
                yield SystemCommand(
                    title,
                    f"key {act.key}" + (" (changes the cluster)" if act.mutating else ""),
                    lambda k=act.key: self.call_later(self.simulate_key, k))
        for plugin in self.registry.ordered():
            yield SystemCommand(f"Open {plugin.title}", f"{plugin.category}: {plugin.why}",
                                lambda p=plugin.id: self.open_plugin(p))
        for short in ("dark", "light", "bastion"):
            yield SystemCommand(f"Theme: {short}", f"switch to the {short} theme",
                                lambda s=short: self._set_theme(s))

    def _set_theme(self, short: str) -> None:
        try:
            self.theme = load_theme(short).name
        except ConfigError as exc:
            self.notify(str(exc), severity="error")

    def plugin(self, plugin_id: str) -> Plugin | None:
        return self.registry.get(plugin_id)
