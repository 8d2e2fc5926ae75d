"""The controller view (``c`` in the exposure pane): the NGINX controllers and Gateways the
hosts depend on, live from the shared caches (the pane's, plus the controllers' ConfigMaps
and the validating webhook configurations)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from k8s_essentials_tui.api import (
    CONFIGMAPS,
    CacheSubscriber,
    CacheUpdated,
    KeyFooter,
    display_text,
    rt,
)

from . import CONTROLLER_SELECTOR
from .fleet import controllers, gateways, lines
from .model import Index

if TYPE_CHECKING:
    from textual import getters

    from k8s_essentials_tui.api import EssentialsApp

    from .pane import ExposurePane

VALIDATING_WEBHOOKS = rt("admissionregistration.k8s.io/v1", "validatingwebhookconfigurations",
                         "ValidatingWebhookConfiguration", namespaced=False)


class ControllersScreen(CacheSubscriber, Screen[None]):
    if TYPE_CHECKING:  # the app's own attributes, typed (Textual's getter, for checkers)
        app = getters.app(EssentialsApp)

    DEFAULT_CSS = """
    ControllersScreen #controllers { height: auto; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "back", "Back", id="exposure.controllers.back"),
    ]

    def __init__(self, pane: ExposurePane) -> None:
        super().__init__()
        self.pane = pane
        self.caches: dict[str, Any] = {}
        self.text = ""

    def compose(self) -> ComposeResult:
        yield getattr(self.app, "make_status_bar")()  # noqa: B009 (the app's, untyped here)
        yield Static(" Controllers", id="controllers-title", markup=False)
        with VerticalScroll():
            yield Static("Loading…", id="controllers", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        for rtype, selector in ((CONFIGMAPS, CONTROLLER_SELECTOR), (VALIDATING_WEBHOOKS, None)):
            cache = self.watch_resource(rtype, None, label_selector=selector)
            if cache is not None:
                self.caches[rtype.plural] = cache
        self.render_view()

    def on_unmount(self) -> None:
        self.unwatch_all()

    def on_cache_updated(self, message: CacheUpdated) -> None:
        message.stop()
        self.render_view()

    def _items(self, plural: str) -> list[dict[str, Any]]:
        cache = self.caches.get(plural) or self.pane.caches.get(plural)
        return cache.items() if cache is not None and cache.synced else []

    def render_view(self) -> None:
        inputs = self.pane._inputs()
        index = Index(inputs)
        ctls = controllers(inputs.deployments, inputs.ingress_classes,
                           self._items("configmaps"), self._items(VALIDATING_WEBHOOKS.plural),
                           index.ready)
        out = lines(ctls, gateways(inputs.gateways))
        self.text = "\n".join(out)
        self.query_one("#controllers", Static).update(
            Text("\n").join(display_text(line) for line in out))

    def action_back(self) -> None:
        self.app.pop_screen()
