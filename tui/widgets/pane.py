"""Base class for plugin panes: subscription to shared caches, session access, mutations.

A pane never talks to the apiserver in a loop: it calls :meth:`watch_resource` for the types
it shows and gets a :class:`CacheUpdated` message (coalesced, with the changed keys) whenever
the shared cache changes. Subscriptions end when the pane unmounts. Mutations go through
``app.perform`` so confirmation, read-only, RBAC and the audit log are handled in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, TextArea

from ..kube.resources import ObjectTransform, ResourceType

if TYPE_CHECKING:
    from textual import getters

    from ..actions import Mutation
    from ..app import EssentialsApp
    from ..kube.cache import CacheChange, ResourceCache
    from ..kube.session import ClusterSession
    from ..plugin import Plugin


class CacheUpdated(Message):
    """A shared cache this widget subscribed to changed."""

    def __init__(self, change: CacheChange) -> None:
        super().__init__()
        self.change = change

    @property
    def cache(self) -> ResourceCache:
        return self.change.cache


@dataclass
class _Subscription:
    cache: ResourceCache
    unsubscribe: Callable[[], None]


class CacheSubscriber:
    """Mixin for any widget (or screen) that shows shared-cache data (panes, install)."""

    _subscriptions: list[_Subscription]
    if TYPE_CHECKING:  # what the widget it is mixed into provides, typed for checkers
        @property
        def app(self) -> EssentialsApp: ...

        def post_message(self, message: Message) -> bool: ...

    def watch_resource(self, rtype: ResourceType, namespace: str | None = None,
                       label_selector: str | None = None,
                       field_selector: str | None = None,
                       keep: Callable[[dict[str, Any]], bool] | None = None,
                       transform: ObjectTransform | None = None,
                       ) -> ResourceCache | None:
        """Subscribe to the shared cache; returns it (None while not connected).
        ``transform``: what the cache keeps of each object (``ObjectTransform``, the same
        function for the same cache: a cache with another transform is another cache).

        The first CacheUpdated arrives after the initial list (or at once if the cache is
        already synced)."""
        session = self.session
        if session is None:
            return None
        if not hasattr(self, "_subscriptions"):
            self._subscriptions = []
        cache = session.cache(rtype, namespace, label_selector, field_selector, keep,
                              transform)
        for sub in self._subscriptions:
            if sub.cache is cache:
                return cache
        post: Callable[[Message], Any] = self.post_message
        unsubscribe = cache.subscribe(lambda change: post(CacheUpdated(change)))
        self._subscriptions.append(_Subscription(cache, unsubscribe))
        if cache.synced:
            from ..kube.cache import CacheChange

            post(CacheUpdated(CacheChange(cache, reset=True)))
        return cache

    def unwatch_all(self) -> None:
        for sub in getattr(self, "_subscriptions", []):
            sub.unsubscribe()
        self._subscriptions = []

    @property
    def session(self) -> ClusterSession | None:
        return self.app.session

    def now(self) -> datetime:
        return self.app.now()


class PluginPane(CacheSubscriber, Vertical):
    """Subclass per component. Override :meth:`on_session_ready` to subscribe and
    ``on_cache_updated`` to render. ``self.plugin`` is the catalog entry."""

    if TYPE_CHECKING:  # the app's own attributes (settings, session, options...), typed
        app = getters.app(EssentialsApp)

    DEFAULT_CSS = """
    PluginPane { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        # hidden: the host screen's "esc Back" stays the one the footer shows
        Binding("escape", "back", "Back", show=False, id="pane.escape"),
    ]

    def __init__(self, plugin: Plugin, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.plugin = plugin
        #: the session :meth:`on_session_ready` ran for (see :meth:`session_connected`)
        self._ready_for: object | None = None

    def on_mount(self) -> None:
        """Why the guard (in :meth:`session_connected`): Textual calls the ``on_mount`` of
        every class in the MRO, and a pane's own ``on_mount`` calling ``super().on_mount()``
        (as most do) made this run twice -- every pane subscribed and started its workers
        twice per open."""
        if self.session is not None:
            self.session_connected()

    def session_connected(self) -> None:
        """Run :meth:`on_session_ready` once: at mount when already connected, else when
        the host screen hears that the app connected (``SessionChanged``). Why: a pane
        opened during start-up (``:certs`` typed at once) subscribed to nothing and
        stayed "loading" for good."""
        session = self.session
        if session is None or self._ready_for is not None:
            return
        self._ready_for = session
        self.on_session_ready()

    def on_unmount(self) -> None:
        self.unwatch_all()

    def on_session_ready(self) -> None:
        """Called once connected (or at mount if already connected). Subscribe here."""

    @staticmethod
    def chosen_namespace(app: Any) -> str | None:
        """``-n`` (or the config's ``namespace``), else None (every namespace): the scope
        of a pane that reads across namespaces. The kubeconfig context's namespace does not
        count: a component's objects live in the namespaces it chose, not in the user's
        default one."""
        options = getattr(app, "options", None)
        settings = getattr(app, "settings", None)
        return (getattr(options, "namespace", None)
                or (settings.get("namespace") if settings is not None else None) or None)

    @classmethod
    def prefetch(cls, session: ClusterSession, app: EssentialsApp) -> None:
        """Optional: start the shared caches this pane will subscribe to, before its screen
        is composed (``session.prefetch(rtype, namespace)``, no awaiting). Called by the
        app when the pane is opened while connected; the pane subscribes as usual in
        :meth:`on_session_ready` and finds them in flight. Why: composing and mounting a
        screen holds the event loop for 30-50 ms, and lists started after it leave that
        much later. Must not raise (a failure is logged and ignored)."""

    @property
    def read_only(self) -> bool:
        return bool(getattr(self.app, "read_only", False))

    # -- keyboard: one escape rule for every pane -------------------------------------------

    #: actions that move the focus into an input ("/"): bound with ``priority=True`` so the
    #: app runs them before it forwards the next queued key -- a non-priority binding is
    #: only found after the key went through the focused widget's queue, and by then the
    #: rest of a pasted "/c1234" was already delivered to the table (issue #25)
    FOCUS_ACTIONS: ClassVar[frozenset[str]] = frozenset({"search", "filter"})

    def typing(self) -> bool:
        """True while an input of this screen has the focus (keys are text then)."""
        return isinstance(self.screen.focused, Input | TextArea)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # a priority "/" must still type "/" into the search box or the query editor
        if action in self.FOCUS_ACTIONS and self.typing():
            return False
        return True

    def main_widget(self) -> Widget | None:
        """The table (or view) that holds the rows this pane's actions target; focused when
        an input is left. Override in panes whose main table is not the first one."""
        from textual.widgets import DataTable

        tables = self.query(DataTable)
        return tables.first() if tables else None

    def on_descendant_blur(self, _event: object) -> None:
        """A pane never leaves the keyboard with nothing focused: when the focused widget
        disappears (its tab was switched away, its row removed), focus goes back to the
        main table once the layout settled -- else keys reach no pane binding at all."""
        self.call_after_refresh(self._keep_focus)

    def _keep_focus(self) -> None:
        if not self.is_attached or self.screen.focused is not None:
            return
        main = self.main_widget()
        if main is not None and main.focusable:
            self.screen.set_focus(main)

    def has_filter(self) -> bool:
        """True while a filter narrows the rows (escape then clears it before going back)."""
        return False

    def clear_filter(self) -> None:
        """Drop every filter this pane has (see :meth:`has_filter`)."""

    async def action_back(self) -> None:
        """Escape never edits or focuses a field: it leaves an input (the filter stays),
        then clears an active filter (as k9s does), then goes back."""
        focused = self.screen.focused
        main = self.main_widget()
        if isinstance(focused, Input) and main is not None and focused is not main:
            self.screen.set_focus(main)
            return
        if self.has_filter():
            self.clear_filter()
            return
        await self.screen.run_action("back")

    def perform(self, mutation: Mutation,
                on_done: Callable[[bool, str | None], None] | None = None) -> None:
        """Confirm and run a mutation through the app (read-only, RBAC, audit)."""
        self.app.start_mutation(mutation, on_done)
