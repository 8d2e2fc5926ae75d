"""The footer every screen shows: Textual's ``Footer``, without its redundant rebuilds.

Why: Textual's Footer rebuilds itself (removes and mounts one widget per key) on every
``bindings_updated`` signal of its screen, and a screen sends several while it opens and on
every focus change, most with the same keys. Each new key widget then toggled its
``-compact`` class twice on mount (its own default, then the footer's value through a data
binding), a full style update each. The helpers measuring the pane budgets found the footer
to be about half of an empty pane's first paint, and 0.77 s of a trace search under load
(moving the focus to the results table). This subclass

* rebuilds only when the keys it would show differ from the ones it shows, and
* gives each new key widget the footer's ``compact`` value before it is mounted, so the
  data binding finds nothing to change.

What it draws is exactly Textual's (the snapshots did not change).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

if TYPE_CHECKING:
    from textual.screen import Screen


class KeyFooter(Footer):
    """A ``Footer`` that rebuilds only when its keys change (see the module docstring)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        #: what the last compose drew (None: nothing yet)
        self._drawn: tuple[Any, ...] | None = None

    def _keys(self) -> tuple[Any, ...]:
        """What :meth:`compose` would draw now: every shown binding with its display and
        state, and the command palette's."""
        app = self.app
        keys = [(binding.key, app.get_key_display(binding), binding.description,
                 binding.action, enabled, tooltip, binding.group)
                for (_node, binding, enabled, tooltip) in self.screen.active_bindings.values()
                if binding.show or binding.key == app.COMMAND_PALETTE_BINDING]
        return (*keys, self.show_command_palette, self.compact)

    def compose(self) -> ComposeResult:
        self._drawn = self._keys() if self._bindings_ready else None
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.set_reactive(FooterKey.compact, self.compact)
            yield widget

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if (self._drawn is not None and self.is_attached and screen is self.screen
                and screen.app.app_focus and self._keys() == self._drawn):
            return  # the same keys: nothing to rebuild
        super().bindings_changed(screen)


__all__ = ["KeyFooter"]
