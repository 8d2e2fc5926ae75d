"""The ``:`` palette's alias provider: a word that names a pane or a screen exactly
(``certs``, ``ns``, ``ctx``; see ``tui/aliases.py``) comes first, above every fuzzy match,
so k9s habits land where they should."""

from __future__ import annotations

from functools import partial
from typing import Any

from textual import events, on
from textual.command import CommandInput, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.css.query import NoMatches
from textual.widgets import Input

from .aliases import alias_table, resolve

#: above any fuzzy score (Textual's matcher gives bonuses for word starts, e.g. 6.0 for
#: "ns" in "Screenshot"): the exact alias is always the first hit
EXACT_SCORE = 1e9


class AliasProvider(Provider):
    async def search(self, query: str) -> Hits:
        app: Any = self.app
        table = alias_table(app.registry.ordered())
        word = query.strip().lstrip(":").strip().lower()
        alias = table.get(word)
        if alias is not None:
            yield Hit(EXACT_SCORE, f":{alias.word}  {alias.title}",
                      partial(app.run_alias, alias.target),
                      text=f":{alias.word}", help=f"alias :{alias.word}")
            return
        matcher = self.matcher(word)
        for a in table.values():
            score = matcher.match(a.word)
            if score > 0 and len(word) >= 2:
                yield Hit(score * 0.5, f":{a.word}  {a.title}",
                          partial(app.run_alias, a.target),
                          text=f":{a.word}", help=f"alias :{a.word}")

    async def discover(self) -> Hits:
        app: Any = self.app
        seen: set[str] = set()
        for a in alias_table(app.registry.ordered()).values():
            if a.target in seen:
                continue  # one entry per target when nothing is typed
            seen.add(a.target)
            yield DiscoveryHit(f":{a.word}  {a.title}",
                               partial(app.run_alias, a.target),
                               text=f":{a.word}", help=f"alias :{a.word}")


class Palette(CommandPalette):
    """The ``:`` palette, for keys that arrive together (a fast typist over SSH, a paste).

    Why: Textual pushes the palette and focuses its input only once the screen is mounted;
    keys that arrive before that reach a screen with nothing focused and are dropped, and an
    enter that arrives before the search answered does nothing -- ``:backups⏎`` typed in one
    go opened whatever was left of it, or nothing. Here keys typed before the input had the
    focus go into the input, an enter on an exact alias runs it at once (no search to wait
    for), and any other early enter picks the first hit as soon as the hits arrive."""

    #: the input is focused by :meth:`_flush_early`, after the characters typed early
    #: (None: Textual's own "no preference"; its stub types the base's value as str)
    AUTO_FOCUS = None  # type: ignore[assignment]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        #: characters that arrived before the input existed
        self._early: list[str] = []
        #: an enter arrived before there was anything to choose
        self._enter_pending = False

    def take_early_key(self, event: events.Key) -> bool:
        """Called by the app, in its own key handler, for every key while this palette is
        on top: a key that arrives before the input has the focus goes into the input here,
        synchronously and in order (True: handled). Why not in the screen's ``on_key``: keys
        forwarded to this screen and keys forwarded to the input once it has the focus sit
        in two message queues, and those interleave (``:certs`` became a fuzzy search)."""
        if isinstance(self.focused, CommandInput):
            return False
        if event.key == "enter":
            self._submit_when_ready()
            return True
        if event.is_printable and event.character:
            self._early.append(event.character)
            self._flush_early()
            return True
        return False

    def _flush_early(self) -> None:
        """Move the early characters into the input, then give it the focus (at once:
        later keys are then forwarded to it, after these)."""
        try:
            box = self.query_one(CommandInput)
        except NoMatches:
            return
        if self._early:
            box.insert_text_at_cursor("".join(self._early))
            self._early.clear()
        if box.is_attached and self.is_attached:
            self.set_focus(box)

    def on_mount(self) -> None:
        self._flush_early()

    def _submit_when_ready(self) -> None:
        self._flush_early()
        app: Any = self.app
        try:
            word = self.query_one(CommandInput).value
        except NoMatches:
            word = "".join(self._early)
        alias = resolve(word, app.registry.ordered())
        if alias is not None:
            self._cancel_gather_commands()
            self.dismiss()
            app.call_later(app.run_alias, alias.target)
            return
        if self._list_visible:
            self._select_or_command()
        else:
            self._enter_pending = True

    @on(Input.Submitted)
    def _early_enter(self, event: Input.Submitted) -> None:
        """Enter in the input: an exact alias runs now, whatever the list shows; before any
        hit arrived (Textual's own handler then does nothing) the first hit is chosen when
        they arrive. Why the alias first: in a burst (``:certs⏎``) the characters and the
        enter reach the input in order, but the search for "certs" answers later -- the
        list still showed the hits of an earlier prefix, and Textual's handler ran the
        highlighted one (the context picker)."""
        app: Any = self.app
        alias = resolve(event.value, app.registry.ordered())
        if alias is not None:
            event.prevent_default()  # not Textual's own handler: a stale highlighted hit
            event.stop()
            self._cancel_gather_commands()
            self.dismiss()
            app.call_later(app.run_alias, alias.target)
            return
        if not self._list_visible and self._selected_command is None:
            self._submit_when_ready()

    def _refresh_command_list(self, command_list: Any, commands: Any,
                              clear_current: bool) -> None:
        super()._refresh_command_list(command_list, commands, clear_current)
        if self._enter_pending and self._list_visible:
            self._enter_pending = False
            self.call_after_refresh(self._select_or_command)


__all__ = ["EXACT_SCORE", "AliasProvider", "Palette"]
