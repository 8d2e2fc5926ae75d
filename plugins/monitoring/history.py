"""The PromQL console's history, kept across restarts in the state dir (like a shell's).

Bounded, oldest first (the console walks it with up/down), a repeated query moves to the
end; the file is 0600 in the 0700 state dir (queries name namespaces and services) and is
written atomically. A broken or unreadable file means an empty history, never an error.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

MAX_HISTORY = 100


def default_path() -> Path:
    from k8s_essentials_tui.api import state_dir

    return state_dir() / "promql-history.json"


def load(path: Path | None = None) -> list[str]:
    try:
        doc = json.loads((path or default_path()).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    items = doc.get("history") if isinstance(doc, dict) else None
    return [q for q in items or [] if isinstance(q, str)][-MAX_HISTORY:]


def add(history: list[str], query: str, path: Path | None = None) -> None:
    """Append ``query`` (moved to the end when already there) and save."""
    from k8s_essentials_tui.api import private_file

    query = query.strip()
    if not query:
        return
    if query in history:
        history.remove(query)
    history.append(query)
    del history[:-MAX_HISTORY]
    target = path or default_path()
    try:
        tmp = private_file(target.with_suffix(".tmp"))
        tmp.write_text(json.dumps({"history": history}, indent=1), encoding="utf-8")
        os.replace(tmp, target)
    except OSError:
        pass  # a convenience: never fail a query because of it
