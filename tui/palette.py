"""The ``:`` palette's alias provider: a word that names a pane or a screen exactly
(``certs``, ``ns``, ``ctx``; see ``tui/aliases.py``) comes first, above every fuzzy match,
so k9s habits land where they should."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from .aliases import alias_table

#: above any fuzzy score (Textual's matcher gives bonuses for word starts, e.g. 6.0 for
#: "ns" in "Screenshot"): the exact alias is always the first hit
EXACT_SCORE = 1e9


class AliasProvider(Provider):
    async def search(self, query: str) -> Hits:
        app = self.app
        table = alias_table(app.registry.ordered())  # type: ignore[attr-defined]
        word = query.strip().lstrip(":").strip().lower()
        alias = table.get(word)
        if alias is not None:
            yield Hit(EXACT_SCORE, f":{alias.word}  {alias.title}",
                      partial(app.run_alias, alias.target),  # type: ignore[attr-defined]
                      text=f":{alias.word}", help=f"alias :{alias.word}")
            return
        matcher = self.matcher(word)
        for a in table.values():
            score = matcher.match(a.word)
            if score > 0 and len(word) >= 2:
                yield Hit(score * 0.5, f":{a.word}  {a.title}",
                          partial(app.run_alias, a.target),  # type: ignore[attr-defined]
                          text=f":{a.word}", help=f"alias :{a.word}")

    async def discover(self) -> Hits:
        app = self.app
        seen: set[str] = set()
        for a in alias_table(app.registry.ordered()).values():  # type: ignore[attr-defined]
            if a.target in seen:
                continue  # one entry per target when nothing is typed
            seen.add(a.target)
            yield DiscoveryHit(f":{a.word}  {a.title}",
                               partial(app.run_alias, a.target),  # type: ignore[attr-defined]
                               text=f":{a.word}", help=f"alias :{a.word}")


__all__ = ["EXACT_SCORE", "AliasProvider"]
