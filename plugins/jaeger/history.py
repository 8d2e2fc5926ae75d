"""Recent trace searches, persisted as JSON in the state dir (like the Loki pane's history).

A search is the form's fields as a dict of strings; newest first, duplicates moved to the
top, at most :data:`MAX_HISTORY`. A history file that cannot be read or written is ignored:
history is a convenience and never fails a search.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

MAX_HISTORY = 50
FIELDS = ("service", "operation", "tags", "min", "max", "since", "limit")


def default_path() -> Path:
    from k8s_essentials_tui.api import state_dir

    return state_dir() / "jaeger-history.json"


@dataclass
class SearchHistory:
    path: Path
    searches: list[dict[str, str]] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path | None = None) -> SearchHistory:
        path = path or default_path()
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            doc = {}
        items = doc.get("searches") if isinstance(doc, dict) else None
        searches = [{k: str(v) for k, v in s.items() if k in FIELDS}
                    for s in items or [] if isinstance(s, dict)]
        return cls(path, [s for s in searches if s.get("service")][:MAX_HISTORY])

    def add(self, search: dict[str, str]) -> None:
        entry = {k: search.get(k, "") for k in FIELDS}
        if not entry["service"]:
            return
        if entry in self.searches:
            self.searches.remove(entry)
        self.searches.insert(0, entry)
        del self.searches[MAX_HISTORY:]
        self.save()

    def save(self) -> None:
        from k8s_essentials_tui.api import private_file

        try:
            tmp = private_file(self.path.with_suffix(".tmp"))
            tmp.write_text(json.dumps({"searches": self.searches}, indent=1), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            pass


def describe(search: dict[str, str]) -> str:
    """One line: ``checkout GET /cart http.status_code=500 >500ms since 1h limit 20``."""
    parts = [search.get("service", ""), search.get("operation", ""), search.get("tags", "")]
    if search.get("min"):
        parts.append(f">{search['min']}")
    if search.get("max"):
        parts.append(f"<{search['max']}")
    parts.append(f"since {search.get('since') or '1h'}")
    parts.append(f"limit {search.get('limit') or '20'}")
    return " ".join(p for p in parts if p)
