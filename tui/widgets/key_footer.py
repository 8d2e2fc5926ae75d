"""The footer every screen shows: Textual's ``Footer``, updated in place instead of rebuilt.

Why: Textual's Footer rebuilds itself -- removes every key widget and mounts new ones -- on
every ``bindings_updated`` signal of its screen, and a screen sends several while it opens
and on every focus change. Mounting a key widget means styling it from the CSS and laying
the screen out again. The pane budgets found that rebuild to be about half of an empty
pane's first paint, and half of a trace search (moving the focus from the search form to
the results table: two rebuilds, ~190 ms of 373 ms, while the search request waited for the
event loop). This subclass

* keeps the key widgets it has and, when the keys to show change, rewrites each one's key,
  label, action, tooltip and disabled state in place; a key widget is mounted only when
  more keys are shown than ever before on this screen, and the ones not needed are hidden
  (``display: none``) for the next time, not removed;
* asks for a new layout only when a key's width changed (otherwise a repaint), and
  coalesces the signals of a focus change into one update, queued on the footer's own
  message queue so that it lands in the same layout and frame as the focus change
  (Textual waits for the next refresh, then rebuilds: a second layout and frame);
* gives each new key widget the footer's ``compact`` value before it is mounted, so the
  data binding finds nothing to change (a second style pass per key otherwise).

What it draws is exactly Textual's: the shown key widgets are the ones Textual's compose
would make, in its order, with the same classes (the snapshots did not change). Binding
groups (``Binding.Group``, several keys under one label) are not flat key lists; a footer
showing one falls back to Textual's rebuild.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import defaultdict
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any, NamedTuple

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

if TYPE_CHECKING:
    from textual.screen import Screen

PALETTE = "-command-palette"
#: the longest a screen's first keys wait for its pane's first data (:func:`hold_first_keys`)
HOLD_AT_MOST = 0.25
#: screen -> what its first keys wait for
_HOLDS: weakref.WeakKeyDictionary[Any, asyncio.Future[Any]] = weakref.WeakKeyDictionary()


def hold_first_keys(screen: Screen[Any], until: Awaitable[Any]) -> None:
    """The footer of ``screen`` draws its first keys once ``until`` is done (its outcome does
    not matter), or after :data:`HOLD_AT_MOST` seconds: the data the operator opened the pane
    for is painted first, the key hints a moment later.

    Why: building the first keys (12-14 key widgets mounted, styled, laid out and painted)
    costs the event loop ~5 ms and the whole screen a layout, right while a pane's first
    answer is read in a thread that needs the same interpreter. Measured on the monitoring
    pane (2,000 alerts, ``bench/monitoring_bench.py``, 10 interleaved opens, load 1.3): the
    rows were painted 11 ms sooner with no footer at all (54 against 65 ms). Call it from
    the pane's ``on_mount``, before the screen's first bindings signal; later calls, and a
    footer that has drawn its keys, change nothing."""
    if screen not in _HOLDS:
        _HOLDS[screen] = asyncio.ensure_future(until)


class KeySpec(NamedTuple):
    """One key widget as Textual's ``Footer.compose`` would make it."""

    key: str
    display: str
    description: str
    action: str
    disabled: bool
    tooltip: str
    palette: bool = False

    def cells(self) -> int:
        return cell_len(self.display) + cell_len(self.description)


class KeyFooter(Footer):
    """A ``Footer`` that updates its key widgets in place (see the module docstring)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        #: the keys shown now (None: nothing drawn yet, or drawn by Textual's compose with
        #: binding groups -- the next change rebuilds)
        self._drawn: tuple[KeySpec, ...] | None = None
        #: an update is queued (several signals, one update)
        self._pending = False

    def _plan(self) -> tuple[KeySpec, ...] | None:
        """The key widgets Textual's compose would make now, in its order, or None when a
        binding group would be drawn (not a flat list: Textual's rebuild draws it)."""
        app = self.app
        active = self.screen.active_bindings
        by_action: defaultdict[str, list[tuple[Any, bool, str]]] = defaultdict(list)
        for _node, binding, enabled, tooltip in active.values():
            if binding.show:
                by_action[binding.action].append((binding, enabled, tooltip))
        groups: defaultdict[object, int] = defaultdict(int)
        for multi in by_action.values():
            group = multi[0][0].group
            if group is not None:
                groups[id(group)] += 1
        if any(n > 1 for n in groups.values()):
            return None  # Textual groups consecutive keys of a group: not flat
        keys = [KeySpec(binding.key, app.get_key_display(binding), binding.description,
                        binding.action, not enabled, tooltip)
                for binding, enabled, tooltip in (multi[0] for multi in by_action.values())]
        if self.show_command_palette and app.ENABLE_COMMAND_PALETTE:
            found = active.get(app.COMMAND_PALETTE_BINDING)
            if found is not None:
                _node, binding, enabled, _tooltip = found
                keys.append(KeySpec(binding.key, app.get_key_display(binding),
                                    binding.description, binding.action, not enabled,
                                    binding.tooltip or binding.description, palette=True))
        return tuple(keys)

    def compose(self) -> ComposeResult:
        """Textual's compose (the first build, and the fallback for binding groups)."""
        self._drawn = self._plan() if self._bindings_ready else None
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.set_reactive(FooterKey.compact, self.compact)
            yield widget

    def bindings_changed(self, screen: Screen[Any]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._pending:
            self._pending = True
            self.call_later(self._update_keys)

    async def _update_keys(self) -> None:
        self._pending = False
        if not self.is_attached:
            return
        if self._drawn is None:
            hold = _HOLDS.get(self.screen)
            if hold is not None and not hold.done():
                # the pane's first data first (hold_first_keys); ``wait`` never raises for
                # the awaited task's own failure or cancellation
                await asyncio.wait({hold}, timeout=HOLD_AT_MOST)
                if not self.is_attached:
                    return
        plan = self._plan()
        if plan is not None and plan == self._drawn:
            return  # the same keys: nothing to do
        widgets = list(self.children)
        if plan is None or self._drawn is None or not all(
                isinstance(w, FooterKey) for w in widgets):
            await self.recompose()  # first build, or binding groups: Textual's way
            return
        self._drawn = plan
        self._apply(plan, [w for w in widgets if isinstance(w, FooterKey)])

    def _apply(self, plan: tuple[KeySpec, ...], widgets: list[FooterKey]) -> None:
        """Rewrite the existing key widgets to show ``plan``; mount the missing ones and
        hide the ones left over."""
        keys = [w for w in widgets if not w.has_class(PALETTE)]
        palettes = [w for w in widgets if w.has_class(PALETTE)]
        wanted = [k for k in plan if not k.palette]
        fresh: list[FooterKey] = []
        for index, spec in enumerate(wanted):
            if index < len(keys):
                _rewrite(keys[index], spec)
            else:
                fresh.append(self._new_key(spec))
        for widget in keys[len(wanted):]:
            widget.display = False
        palette = next((k for k in plan if k.palette), None)
        if palette is not None and palettes:
            _rewrite(palettes[0], palette)
        elif palette is not None:
            fresh.append(self._new_key(palette))
        for widget in palettes[1 if palette is not None else 0:]:
            widget.display = False
        if fresh:
            anchor = keys[-1] if keys else None
            if anchor is not None:
                self.mount_all(fresh, after=anchor)
            else:
                self.mount_all(fresh)

    def _new_key(self, spec: KeySpec) -> FooterKey:
        widget = FooterKey(spec.key, spec.display, spec.description, spec.action,
                           disabled=spec.disabled, tooltip=spec.tooltip,
                           classes=PALETTE if spec.palette else "")
        widget.set_reactive(FooterKey.compact, self.compact)
        return widget

    def watch_compact(self, compact: bool) -> None:
        """What the data binding of Textual's compose does, for the keys mounted here too
        (the palette key is not bound there either)."""
        for widget in self.query_children(FooterKey):
            if not widget.has_class(PALETTE):
                widget.compact = compact


def _shown(widget: FooterKey) -> KeySpec:
    tooltip = widget.tooltip
    return KeySpec(widget.key, widget.key_display, widget.description, widget.action,
                   widget.has_class("-disabled"), tooltip if isinstance(tooltip, str) else "",
                   widget.has_class(PALETTE))


def _rewrite(widget: FooterKey, spec: KeySpec) -> None:
    """One key widget shows ``spec``: a repaint, or a layout when its width changed."""
    was = _shown(widget)
    if was == spec and widget.display:
        return
    widget.key, widget.key_display = spec.key, spec.display
    widget.description, widget.action = spec.description, spec.action
    if was.tooltip != spec.tooltip:
        widget.tooltip = spec.tooltip or None
    if was.disabled != spec.disabled:
        widget._disabled = spec.disabled  # what its click reads
        widget.set_class(spec.disabled, "-disabled")
    layout = not widget.display or was.cells() != spec.cells()
    widget.display = True
    widget.refresh(layout=layout)


__all__ = ["HOLD_AT_MOST", "KeyFooter", "KeySpec", "hold_first_keys"]
