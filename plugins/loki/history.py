"""Query history and saved queries, persisted as JSON in the state dir.

Why a file of our own: the history must survive restarts and be per-user, like a shell's.
Bounded (newest first, duplicates moved to the top) so it never grows without limit.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

MAX_HISTORY = 200


def default_path() -> Path:
    from k8s_essentials_tui.api import state_dir

    return state_dir() / "loki-history.json"


@dataclass
class QueryHistory:
    path: Path
    history: list[str] = field(default_factory=list)
    saved: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path | None = None) -> QueryHistory:
        from k8s_essentials_tui.api import private_file

        path = path or default_path()
        try:
            if path.exists():
                private_file(path)  # tighten a file written 0644 by an older version
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            doc = {}
        hist = [q for q in doc.get("history") or [] if isinstance(q, str)][:MAX_HISTORY]
        saved = [q for q in doc.get("saved") or [] if isinstance(q, str)]
        return cls(path, hist, saved)

    def add(self, query: str) -> None:
        query = query.strip()
        if not query:
            return
        if query in self.history:
            self.history.remove(query)
        self.history.insert(0, query)
        del self.history[MAX_HISTORY:]
        self.save()

    def toggle_saved(self, query: str) -> bool:
        """Save ``query`` (or un-save it); returns True when it is now saved."""
        query = query.strip()
        if not query:
            return False
        if query in self.saved:
            self.saved.remove(query)
            self.save()
            return False
        self.saved.insert(0, query)
        self.save()
        return True

    def save(self) -> None:
        """Write atomically (rename), so a crash never leaves half a file."""
        from k8s_essentials_tui.api import private_file

        try:
            # queries name namespaces and apps: 0600 in a 0700 dir, like the audit log
            tmp = private_file(self.path.with_suffix(".tmp"))
            tmp.write_text(json.dumps({"history": self.history, "saved": self.saved}, indent=1),
                           encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            pass  # history is a convenience: never fail a query because of it
