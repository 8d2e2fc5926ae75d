"""The Notes pane: a live table of note ConfigMaps and one audited mutation (``d``).

Everything comes from ``k8s_essentials_tui.api``: the pane base and its cache subscription,
the table with the vi keys, the mutation path and the display-text boundary.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType

from k8s_essentials_tui.api import (
    CONFIGMAPS,
    CacheUpdated,
    KeyTable,
    Mutation,
    Permission,
    PluginPane,
    clean,
    display_text,
    fit,
)

from . import NOTE_LABEL


class NotesPane(PluginPane):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "delete", "Delete note", id="notes.delete"),
    ]

    def compose(self) -> ComposeResult:
        table = KeyTable(id="notes-table")
        table.add_columns("NAME", "NAMESPACE", "TEXT")
        yield table

    def on_session_ready(self) -> None:
        # one shared cache (list + watch) for every widget showing these objects
        self.watch_resource(CONFIGMAPS, self.session.namespace if self.session else None,
                            label_selector=NOTE_LABEL)

    def on_cache_updated(self, event: CacheUpdated) -> None:
        table = self.query_one(KeyTable)
        table.clear()
        # the plugin's own setting ([notes] max_length), validated by the config loader
        max_length = int(self.app.settings.get("notes.max_length", 60))
        for obj in sorted(event.cache.items(), key=_key):
            meta = obj.get("metadata") or {}
            note = (obj.get("data") or {}).get("text", "")
            # cluster strings are untrusted: Text objects through the text boundary
            table.add_row(display_text(meta.get("name", "")),
                          display_text(meta.get("namespace", "")),
                          display_text(fit(clean(str(note)), max_length, pad=False)),
                          key=_key(obj))

    def action_delete(self) -> None:
        key = self.query_one(KeyTable).selected_key()
        session = self.session
        if key is None or session is None:
            return
        namespace, _, name = key.partition("/")

        async def run() -> str | None:
            await session.client.delete(CONFIGMAPS, name, namespace)
            return f"deleted note {name}"

        # confirmation, --read-only, the RBAC check and the audit log happen in the app
        self.perform(Mutation(
            action="notes.delete", title=f"Delete note {name} in {namespace}",
            command=f"kubectl delete configmap {name} -n {namespace}", run=run,
            permissions=(Permission("delete", CONFIGMAPS, namespace),)))


def _key(obj: dict[str, Any]) -> str:
    meta = obj.get("metadata") or {}
    return f"{meta.get('namespace', '')}/{meta.get('name', '')}"
