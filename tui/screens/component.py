"""Hosts one plugin's pane full-screen (k9s-style drill-down; escape goes back)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Static, TextArea

from .. import prewarm
from ..plugin import Plugin
from ..text import text
from ..widgets.crash import PaneBoundary
from ..widgets.frame import paint_soon
from ..widgets.key_footer import KeyFooter
from ..widgets.pane import PluginPane
from ..widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from textual import getters

    from ..app import EssentialsApp

#: the longest a component screen's first frame waits for its pane's first data
#: (:func:`hold_first_paint`): below what reads as a delay after a key press
PAINT_HOLD_AT_MOST = 0.1


class ComponentScreen(Screen[None]):
    """A component's own pane, or its overview (workloads, Helm release, webhooks, API
    groups: :class:`~..widgets.summary.ComponentSummary`) when it has none or when asked
    with ``o`` from its own pane -- cert-manager's certificates say nothing about whether
    its webhook has endpoints."""

    if TYPE_CHECKING:  # the app's own attributes, typed (Textual's getter, for checkers)
        app = getters.app(EssentialsApp)

    # key_display: a pane's own escape (leave input / clear filter / back) shadows this
    # one's escape, and the footer would then say "q Back"
    BINDINGS = [Binding("escape,q", "back", "Back", id="component.back", key_display="esc"),
                Binding("o", "overview", "Overview", id="component.overview")]

    def __init__(self, plugin: Plugin, overview: bool = False) -> None:
        super().__init__()
        # the board's background import of the pane modules waits while this opens
        # (prewarm.py: its long C calls stretched the screen's mount)
        prewarm.pause()
        self.plugin = plugin
        self.overview = overview or not plugin.pane
        self._resumed = False
        #: what the first frame waits for (:func:`hold_first_paint`); None: not held
        self._paint_hold: asyncio.Future[Any] | None = None
        #: whether a frame of this screen reached the terminal (a hold after it is refused)
        self._painted = False

    def hold_first_paint(self, until: Awaitable[Any],
                         at_most: float = PAINT_HOLD_AT_MOST) -> None:
        """See :func:`hold_first_paint`."""
        if self._painted or self._paint_hold is not None:
            return
        hold = self._paint_hold = asyncio.ensure_future(until)
        hold.add_done_callback(lambda _done: self._release_paint(hold))
        self.set_timer(at_most, lambda: self._release_paint(hold), name="first-paint-hold")

    def _release_paint(self, hold: asyncio.Future[Any]) -> None:
        if self._paint_hold is not hold:
            return  # released already (the data came, or the time ran out)
        self._paint_hold = None
        if self.is_attached:
            self.refresh()  # the whole screen: nothing of it was painted yet
            paint_soon(self)

    def _compositor_refresh(self) -> None:
        """Textual's "paint what changed" step, skipped while the first frame is held: the
        layout still runs (widgets get their sizes, a pane fills its table for them), only
        the rendering of lines waits. Overrides a private method of the pinned Textual
        (8.2.x); the release repaints the whole screen."""
        if self._paint_hold is not None:
            self._dirty_widgets.clear()  # all of it is painted on release
            return
        if self.is_current:
            self._painted = True
        super()._compositor_refresh()

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        """The first resume of this (new) screen styles nothing again.

        Why: Textual restyles every node of a screen on each resume
        (``ScreenResume.refresh_styles``). On the first one, right after the push, every
        node was styled moments before, as it was mounted, and the pane's own children are
        still being mounted (each styled then) -- a second full pass over the pane's widgets,
        measured at 10-15 ms of an empty pane's 40-50 ms open here (``bench``: the pane
        budgets are "open to painted rows"). Runs before Textual's own handler (a subclass's
        handler comes first in the MRO). Later resumes (back from a dialog, after a theme
        change) restyle as Textual does."""
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False

    def on_session_changed(self, _message: object) -> None:
        """The app connected: a pane mounted before that subscribes now."""
        for pane in self.query(PluginPane):
            pane.session_connected()

    def compose(self) -> ComposeResult:
        yield self.app.make_status_bar()
        yield Static(text(f" {self.plugin.title} — {self.plugin.why}"), id="pane-title",
                     markup=False)
        # the crash boundary: an exception in the pane shows an error here, the app and
        # this screen's keys (escape) keep working (see widgets/crash.py)
        with PaneBoundary(self.plugin.title, id="pane-body"):
            if self.overview:
                from ..widgets.summary import ComponentSummary

                yield ComponentSummary(self.plugin)
            else:
                try:
                    pane_cls = self.plugin.load_pane()
                except Exception as exc:  # a broken pane must not take the app down
                    logging.getLogger(__name__).exception("the pane of %s failed to load",
                                                          self.plugin.id)
                    yield Static(text(f"The pane of {self.plugin.title} failed to load: {exc} "
                                      "(o shows the overview)"), classes="error-text",
                                 markup=False)
                else:
                    if pane_cls is None:  # not reached: overview is set when there is none
                        from ..widgets.summary import ComponentSummary

                        yield ComponentSummary(self.plugin)
                    else:
                        yield pane_cls(self.plugin)
        yield KeyFooter()

    def action_back(self) -> None:
        """Escape (the rule of every core screen): in an input it leaves the input for the
        pane's main widget; with an active filter it clears the filter (a pane opts in
        with ``has_filter()``/``clear_filter()``); only then does it go back. Never into a field."""
        if isinstance(self.focused, (Input, TextArea)):
            main = self._main_widget()
            if main is not None:
                main.focus()
                return
        for pane in self.query(PluginPane):
            if pane.has_filter():
                pane.clear_filter()
                return
        self.app.pop_screen()

    def _main_widget(self) -> Widget | None:
        """The pane's ``main_widget()`` if it names one, else its first focusable widget
        that is not a text field (its table, or the overview's scroll)."""
        for pane in self.query(PluginPane):
            named = pane.main_widget()
            if named is not None:
                return named
            for child in pane.query("*"):
                if child.focusable and not isinstance(child, (Input, TextArea)):
                    return child
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "overview":
            # not when shown already, nor for what has nothing in the cluster to show
            # (the Helm releases pane: no workloads, chart or API groups of its own)
            p = self.plugin
            return not self.overview and bool(p.workload_selectors or p.api_groups or p.chart)
        return True

    def action_overview(self) -> None:
        self.app.push_screen(ComponentScreen(self.plugin, overview=True))


def hold_first_paint(screen: Screen[Any], until: Awaitable[Any],
                     at_most: float = PAINT_HOLD_AT_MOST) -> None:
    """The first frame of ``screen`` (a :class:`ComponentScreen` that painted nothing yet)
    waits until ``until`` is done (its outcome does not matter) or ``at_most`` seconds:
    the pane appears with the data it was opened for, not empty and then filled.

    Why: a pane that reads its first answer in a thread (the monitoring pane's 2,000
    alerts) shares the interpreter with the event loop, and the loop's first layout and
    paint of the empty screen (~10-15 ms of CPU at 120x40) ran right while that answer
    was read and parsed. Held, the loop lays the screen out (so the pane's table has its
    size) and paints once, with the rows. Measured on the monitoring pane
    (``bench/monitoring_bench.py``'s pane round, 2,000 alerts in 2,000 groups, interleaved
    A/B, December 2026): docs/monitoring.md. Call it from the pane's ``on_mount``; a
    screen that painted already, another kind of screen and a second call change
    nothing. Keys work meanwhile (the screen is current and focused); only painting
    waits."""
    if isinstance(screen, ComponentScreen):
        screen.hold_first_paint(until, at_most)


__all__ = ["PAINT_HOLD_AT_MOST", "ComponentScreen", "StatusBar", "hold_first_paint"]
