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
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual import events, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.signal import Signal

from . import audit
from .detection.model import DetectionModel
from .errors import ConfigError, EssentialsError
from .registry import Registry, load_registry
from .settings import Settings, load_settings
from .text import clean
from .theming import DEFAULT_THEME, load_theme
from .widgets.status_bar import StatusBar

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from .actions import ActionContext, Mutation
    from .helm.chart import ChartSpec
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


def _alias_provider() -> type[Any]:
    """The ``:`` alias provider, imported when the palette first opens (start-up budget)."""
    from .palette import AliasProvider

    return AliasProvider


def find_binding(screen: Any, default_key: str) -> tuple[Any, Binding] | None:
    """The binding of ``screen``'s chain whose *declared* key is ``default_key`` (a plugin
    names its actions by their default key), as (node, binding) with the user's keymap
    applied. Why not ``simulate_key``: after ``[keys]`` remaps it, the default key does
    nothing, or something else."""
    for node, bindings in screen._binding_chain:
        declared = getattr(type(node), "_merged_bindings", None)
        if declared is None:
            continue
        for binding in declared.key_to_bindings.get(default_key, ()):
            for current in (b for bl in bindings.key_to_bindings.values() for b in bl):
                if current.action == binding.action and current.id == binding.id:
                    return node, current
    return None


class EssentialsApp(App[int]):
    TITLE = "k8s-essentials-tui"
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = [
        # priority: handled before the next queued key is forwarded, so ":backups⏎" typed
        # in one go reaches the palette, not the table underneath (check_action: a ":"
        # typed into an input stays a character)
        Binding("colon", "command_palette", "Commands", priority=True, id="app.palette"),
        # f1 too: ``?`` is a character in an input (a LogQL regex), f1 reaches help from it
        Binding("question_mark,f1", "help", "Help", id="app.help"),
        Binding("ctrl+a", "actions", "All actions", show=False, id="app.actions"),
        Binding("C", "contexts", "Contexts", id="app.contexts"),
        Binding("N", "namespaces", "Namespace", show=False, id="app.namespaces"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True, id="app.quit"),
    ]
    #: the ``:`` palette: exact aliases (``:ns``, ``:certs``) first, then the fuzzy commands
    COMMANDS = App.COMMANDS | {_alias_provider}

    connection_state: reactive[str] = reactive("starting")

    def __init__(self, options: StartOptions | None = None) -> None:
        self.options = options or StartOptions()
        self.config_error: str = ""
        self.registry: Registry = load_registry()
        try:
            self.settings = self.options.settings or load_settings(
                Path(self.options.config) if self.options.config else None, self.registry)
        except ConfigError as exc:
            self.settings = Settings()
            self.config_error = str(exc)
        super().__init__()
        self.read_only: bool = self.options.read_only or bool(self.settings["read_only"])
        self.session: ClusterSession | None = None
        self.connection_error: EssentialsError | None = None
        #: published with the new detections whenever the board re-evaluates, so the
        #: component panes showing them stay live without asking the cluster again
        self.detections_changed: Signal[dict[str, Detection]] = Signal(self,
                                                                        "detections-changed")
        self._detections: dict[str, Detection] = {}
        #: owns the snapshot rebuilds of the session; the board and the overviews render
        #: what it publishes (through :attr:`detections`)
        self.detection = DetectionModel(self.registry.components,
                                        lambda: getattr(self.settings, "charts", None))
        self.detection.subscribe(self._detections_published, self._detection_failed)
        #: set when the pane modules were imported in the background (tui/prewarm.py);
        #: None until the board's first detections started that
        self.panes_imported: threading.Event | None = None
        from .gcpolicy import tune

        tune()  # before any cache decodes a list (an embedding app or a bench gets it too)
        self._theme_short = self.options.theme or self.settings["theme"] or DEFAULT_THEME

    @property
    def detections(self) -> dict[str, Detection]:
        """The latest detection of every component (empty until the board's first read)."""
        return self._detections

    @detections.setter
    def detections(self, value: dict[str, Detection]) -> None:
        self._detections = value
        self.detections_changed.publish(value)

    def _detections_published(self, model: DetectionModel) -> None:
        self.detections = model.detections
        if self.panes_imported is None:  # the board is filled: import the panes meanwhile
            from . import prewarm

            self.panes_imported = prewarm.start(self.registry.ordered())
        state = "reconnecting" if model.stale else "connected"
        if self.connection_state in ("connected", "reconnecting"):
            self.connection_state = state

    def _detection_failed(self, exc: Exception) -> None:
        self.notify(f"board: {type(exc).__name__}: {exc}", severity="error")

    # -- lifecycle -------------------------------------------------------------------------

    def now(self) -> datetime:
        return self.options.now or datetime.now(UTC)

    def on_mount(self) -> None:
        self._install_themes()
        if not self.is_headless:  # a real terminal: leave when it hangs up (tui/hangup.py)
            from . import hangup

            fd = hangup.terminal_fd()
            if fd is not None:
                self.set_interval(hangup.INTERVAL, lambda: hangup.check(fd), name="hangup")
        if self.settings.keys:
            self.set_keymap(self.settings.keys)
        from .screens.main import MainScreen

        self.push_screen(MainScreen())
        banner = os.environ.get("K8S_ESSENTIALS_TUI_BANNER", "")
        if banner:  # scripts/demo: says what is simulated there (first notification)
            self.notify(banner, title="demo", timeout=30)  # read it, then out of the way
        if self.config_error:
            self.notify(self.config_error, title="config file ignored", severity="error",
                        timeout=10)
        for warning in self.settings.warnings:
            self.notify(warning, title="config file", severity="warning", timeout=10)
        for _source, message in self.registry.errors:
            self.notify(message, title="plugin skipped", severity="warning", timeout=10)
        if self.options.connect:
            # after the first frame: connecting imports the kube layer (httpx, msgspec:
            # ~200 ms here), which would otherwise run before anything is painted (#25)
            self.call_after_refresh(self.connect)
        else:
            self.connection_state = "offline"
        # Everything imported and built so far lives as long as the app: move it out of the
        # collector's view, so full collections (seen as 100+ ms stalls while a Loki tail
        # streams) only walk objects created later (the thresholds that keep full passes
        # rare while caches decode large lists are set in the constructor: gcpolicy).
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
        bar.namespace = (s.namespace or "") if s else (self.options.namespace or "")
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
        except Exception:  # a stale status bar must not take the app down; say why in app.log
            log.exception("could not update the status bar of every screen")

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Every notification of the app and its widgets (``Widget.notify`` calls this):
        title and message cleaned of control characters and never parsed as markup.

        Why: messages carry cluster strings (a release name, an apiserver error), and
        Textual parses a notification's message as markup by default -- ``[/]`` in a name
        would raise, ``[link=…]`` would make a hyperlink. No notification here uses markup
        on purpose, so ``markup`` is accepted for the signature and ignored."""
        del markup
        super().notify(clean(message, multiline=True), title=clean(title),
                       severity=severity, timeout=timeout, markup=False)

    #: the one line printed on a fatal error (see :meth:`_fatal`)
    _fatal_message = ""

    def _handle_exception(self, error: Exception) -> None:
        """The app's crash boundary (private hook: Textual is pinned at 8.2.8).

        * inside a pane (a handler, a watch callback, ``render``, a worker of the pane):
          that pane shows an error line and the app keeps running (``widgets/crash.py``);
        * a background worker elsewhere: logged and notified, the app keeps running;
        * anything else exits -- with one line on stderr, never Textual's traceback, whose
          locals once printed a TLS Secret's key. The traceback goes to app.log."""
        from textual.worker import WorkerFailed

        from .widgets.crash import cause_of, contain, describe, log_crash

        if contain(self, error):
            return
        cause = cause_of(error)
        if isinstance(error, WorkerFailed):
            log_crash(cause, "a background task")
            self.notify(describe(cause), title="background task failed",
                        severity="error", timeout=10, markup=False)
            return
        log_crash(cause, "the app")
        self._fatal(cause, error)

    def _fatal_error(self) -> None:
        """Textual's own fatal path (a rich traceback with ``show_locals=True``) is never
        taken: whatever calls it ends like :meth:`_handle_exception`'s fatal case."""
        import sys

        error = sys.exc_info()[1] or RuntimeError("fatal error")
        self._fatal(error, error)

    def _fatal(self, cause: BaseException, error: BaseException) -> None:
        from .widgets.crash import describe, log_path

        self._return_code = 1
        if self._exception is None:  # Pilot re-raises it at the end of a test
            self._exception = error  # type: ignore[assignment]
            self._exception_event.set()
        self.bell()
        self._fatal_message = (f"k8s-essentials-tui: internal error: {describe(cause)} "
                               f"(the traceback is in {log_path()})")
        self._close_messages_no_wait()

    def _print_error_renderables(self) -> None:
        """After a fatal error: the one line, as plain text (a console would wrap it)."""
        if self._fatal_message:
            import sys

            self._exit_renderables.clear()
            print(self._fatal_message, file=sys.stderr)
            return
        super()._print_error_renderables()

    async def _dispatch_action(self, namespace: Any, action_name: str,
                               params: Any) -> bool:
        """Key bindings run their actions in the app's own message loop, which an
        exception would end (Textual exits then): an action of a pane that raises is
        handed to the crash boundary here, so the app and its other screens keep going."""
        from .widgets.crash import contain

        try:
            return await super()._dispatch_action(namespace, action_name, params)
        except Exception as error:
            if contain(self, error):
                return True
            raise

    # -- connection ------------------------------------------------------------------------

    @work(exclusive=True, group="connect", description="connect")
    async def connect(self, context: str | None = None) -> None:
        """Load kubeconfig and check the server, off the first frame's path."""
        from .kube.session import ClusterSession, ConnectOptions

        self.connection_state = "connecting"
        old = self.session
        self.session = None
        self.detection.detach()
        if old is not None:
            await old.close()
        options = ConnectOptions(
            kubeconfig=self.options.kubeconfig,
            context=context or self.options.context,
            namespace=self.options.namespace or self.settings["namespace"] or None,
            watch_list=bool(self.settings["watch_list"]),
            read_only=self.read_only,
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
            self.detection.set_session(None)
            self._broadcast(SessionChanged(None, exc))
            return
        self.session = session
        self.connection_error = None
        self.connection_state = "connected"
        self.detection.set_session(session)
        self._broadcast(SessionChanged(session, None))

    def _broadcast(self, message: SessionChanged) -> None:
        for screen in self.screen_stack:
            screen.post_message(SessionChanged(message.session, message.error))
        self.watch_connection_state(self.connection_state)

    async def on_unmount(self) -> None:
        self.detection.detach()
        if self.session is not None:
            await self.session.close()

    # -- actions ---------------------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        """Keys that reach the ``:`` palette before its input has the focus go into the
        input here, in the app's one ordered key path (see ``Palette.take_early_key``)."""
        if isinstance(event, events.Key):
            from .palette import Palette

            screen = self.screen if self._screen_stack else None
            if isinstance(screen, Palette) and screen.take_early_key(event):
                event.stop()
                return
        await super().on_event(event)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "command_palette":
            from textual.widgets import Input, TextArea

            return not isinstance(self.focused, Input | TextArea)
        return True

    def action_command_palette(self) -> None:
        """``:`` opens the palette that keeps keys typed before it was ready (see
        :class:`~.palette.Palette`): ``:backups⏎`` typed in one go opens the Velero pane."""
        from textual.command import CommandPalette

        from .palette import Palette

        if self.use_command_palette and not CommandPalette.is_open(cast("App[object]", self)):
            self.push_screen(Palette(id="--command-palette"))

    def action_help(self) -> None:
        from .screens.help import HelpScreen, collect_bindings

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(collect_bindings(self)))

    def action_actions(self) -> None:
        """``ctrl+a``: everything the current screen can do, and the ``:`` aliases; enter
        runs the highlighted one (by its action, so remapped keys do not matter)."""
        from .aliases import alias_table
        from .screens.help import HelpScreen, collect_bindings

        if isinstance(self.screen, HelpScreen):
            return
        aliases = sorted({(f":{a.word}", a.title) for a in
                          alias_table(self.registry.ordered()).values()})
        self.push_screen(HelpScreen(collect_bindings(self),
                                    aliases=aliases, runnable=True))

    def run_alias(self, target: str) -> None:
        """Open what a ``:`` alias names: a plugin's pane or a screen of the shell."""
        from . import aliases as al

        if target == al.CONTEXTS:
            self.action_contexts()
        elif target == al.NAMESPACES:
            self.action_namespaces()
        elif target == al.HELP:
            self.action_help()
        elif target == al.ACTIONS:
            self.action_actions()
        elif target == al.QUIT:
            self.exit()
        elif target == al.BOARD:
            while len(self.screen_stack) > 2:
                self.pop_screen()
        elif target == al.WORKLOADS:
            self.notify("This app shows components, not a pod list (k9s or kubectl do that): "
                        "enter on the board shows a component's workloads with their ready "
                        "counts.", title="no pod view", timeout=8)
        else:
            self.open_plugin(target)

    @work(exclusive=True, group="namespaces", description="namespaces")
    async def action_namespaces(self) -> None:
        """``N`` / ``:ns``: pick the session namespace from the apiserver's namespaces."""
        from .kube.resources import NAMESPACES
        from .screens.namespaces import NamespacePickerScreen

        session = self.session
        if session is None:
            self.notify("not connected: no namespaces to list", severity="warning")
            return
        names: list[str] = []
        error = ""
        try:
            items, _rv = await session.client.list(NAMESPACES)
            names = [(o.get("metadata") or {}).get("name") or "" for o in items]
        except EssentialsError as exc:
            error = f"{exc} (type a namespace name)"
        chosen = await self.push_screen_wait(
            NamespacePickerScreen([n for n in names if n], session.namespace, error))
        if chosen is None or session is not self.session:
            return
        self.set_namespace(chosen or None)

    def set_namespace(self, namespace: str | None) -> None:
        """Change the session namespace live: the status bar, the board (it reads the
        session's namespace too) and the open pane (opened again, scoped anew) follow."""
        session = self.session
        if session is None or namespace == session.namespace:
            return
        session.namespace = namespace
        self.options.namespace = namespace  # a reconnect (r, another context) keeps it
        from .screens.component import ComponentScreen

        top = self.screen
        reopen = top.plugin if isinstance(top, ComponentScreen) else None
        overview = isinstance(top, ComponentScreen) and top.overview
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self._broadcast(SessionChanged(session, None))
        if reopen is not None:
            self.push_screen(ComponentScreen(reopen, overview=overview and not reopen.pane))
        self.notify(f"namespace: {namespace or 'all namespaces'}", title="namespace")

    @work(exclusive=True, group="contexts", description="contexts")
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
        self._prefetch(plugin)
        self.push_screen(ComponentScreen(plugin))

    def _prefetch(self, plugin: Plugin) -> None:
        """The pane's caches started before its screen is composed (PluginPane.prefetch).
        A pane that fails to load says so on its screen; a prefetch that fails costs only
        the head start."""
        session = self.session
        if session is None or not plugin.pane:
            return
        try:
            pane_cls = plugin.load_pane()
            if pane_cls is not None:
                pane_cls.prefetch(session, self)
        except Exception:
            logging.getLogger(__name__).exception("prefetch for %s failed", plugin.id)

    def open_install(self, plugin: Plugin, spec: ChartSpec | None = None, *,
                     verb: str = "install") -> None:
        """The Helm install/upgrade screen for a component (``i`` on the board and panes,
        ``u`` in the Helm pane). Not opened at all in read-only mode: even its preview is a
        server-side dry-run, i.e. a cluster call."""
        if self.read_only:
            self.notify(f"read-only mode: {verb} is disabled (its preview is a server-side "
                        "dry-run)", severity="warning")
            return
        if plugin.chart is None:
            self.notify(f"{plugin.title} has no Helm chart to install", severity="warning")
            return
        from .catalog_checks import install_refusal

        # a component inside another release (Grafana in kube-prometheus-stack): a second
        # install would run two of it; upgrading a listed release (spec given) is fine
        if spec is None and (why := install_refusal(plugin, self.detections.get(plugin.id))):
            self.notify(why, severity="warning")
            return
        from .screens.install import InstallScreen

        self.push_screen(InstallScreen(plugin, spec=spec))

    def action_context(self) -> ActionContext:
        """The session's context and read-only flag, for ``actions.execute`` (also before
        connecting: read-only holds without a session too)."""
        from .actions import ActionContext

        session = self.session
        if session is not None:
            return ActionContext(context=session.context,
                                 read_only=session.read_only or self.read_only)
        return ActionContext(context=self.options.context or "", read_only=self.read_only)

    # -- mutations: one path for every change to a cluster --------------------------------

    def start_mutation(self, mutation: Mutation,
                       on_done: Callable[[bool, str | None], None] | None = None) -> None:
        self._run_mutation(mutation, on_done)

    @work(group="mutation", description="mutation")
    async def _run_mutation(self, mutation: Mutation,
                            on_done: Callable[[bool, str | None], None] | None) -> None:
        ok, message = await self.perform(mutation)
        if on_done is not None:
            on_done(ok, message)

    async def perform(self, mutation: Mutation) -> tuple[bool, str | None]:
        """read-only -> RBAC -> confirm (with the command) -> run -> audit. Call from a worker.

        Returns (succeeded, message)."""
        from .actions import ReadOnlyError, check_writable, execute
        from .screens.confirm import ConfirmScreen

        ctx = self.action_context()
        try:  # early, for a clear message before any dialog; execute() checks again
            check_writable(mutation, ctx)
        except ReadOnlyError as exc:
            self.notify(str(exc), severity="warning")
            return False, str(exc)
        if self.session is not None:
            for perm in mutation.permissions:
                access = await self.session.access.can(perm.verb, perm.rtype, perm.namespace,
                                                       subresource=perm.subresource)
                if not access:
                    self.notify(access.reason, title=mutation.title, severity="error")
                    return False, access.reason
        confirmed = await self.push_screen_wait(ConfirmScreen(mutation))
        if not confirmed:
            audit.record(context=ctx.context, action=mutation.action, command=mutation.command,
                         result="cancelled")
            return False, "cancelled"
        try:
            message = await execute(mutation, ctx)
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
        yield SystemCommand("Switch context", "Choose another kubeconfig context (:ctx)",
                            self.action_contexts)
        yield SystemCommand("Switch namespace", "The session's namespace, live (:ns)",
                            self.action_namespaces)
        yield SystemCommand("All actions", "Everything this screen can do (ctrl+a)",
                            self.action_actions)
        # the open pane's own actions first, run by their binding's action (found by the
        # key the plugin declares for them): a key remapped in [keys] does not break them
        pane_plugin = getattr(screen, "plugin", None)
        pane_title: str = getattr(pane_plugin, "title", "")
        for act in getattr(pane_plugin, "actions", ()):
            if not act.key:
                continue
            found = find_binding(screen, act.key)
            if found is None:
                continue
            node, binding = found
            title = act.title if act.title.startswith(pane_title) \
                else f"{pane_title}: {act.title}"
            keys = self.get_key_display(binding)
            yield SystemCommand(
                title, f"key {keys}" + (" (changes the cluster)" if act.mutating else ""),
                lambda n=node, a=binding.action: self.call_later(n.run_action, a))
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
