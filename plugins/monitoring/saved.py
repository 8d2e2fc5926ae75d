"""Saved PromQL queries: named, kept across restarts next to the console's history.

Why apart from the history: the history is what was run (bounded, oldest dropped); a saved
query is what the operator chose to keep ("checkout 5xx rate") with the range it was read
over. The file is ``promql-saved.json`` in the state dir, 0600 (queries name namespaces and
services), written atomically; a broken or unreadable file means no saved queries, never an
error. Saving under an existing name replaces that entry (and moves it to the end).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

#: more than an operator scrolls through; the oldest go first
MAX_SAVED = 200


@dataclass(frozen=True)
class SavedQuery:
    name: str
    query: str
    #: the range field when it was saved ("" = an instant query)
    range: str = ""


def default_path() -> Path:
    from k8s_essentials_tui.api import state_dir

    return state_dir() / "promql-saved.json"


def load(path: Path | None = None) -> list[SavedQuery]:
    try:
        doc = json.loads((path or default_path()).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    items = doc.get("saved") if isinstance(doc, dict) else None
    out: list[SavedQuery] = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("name"), str) \
                and isinstance(item.get("query"), str):
            rng = item.get("range")
            entry = SavedQuery(item["name"], item["query"], rng if isinstance(rng, str) else "")
            # one entry per name (a hand-edited file may repeat one): the last one wins
            out = [s for s in out if s.name != entry.name] + [entry]
    return out[-MAX_SAVED:]


def _write(saved: list[SavedQuery], path: Path | None) -> None:
    from k8s_essentials_tui.api import private_file

    target = path or default_path()
    try:
        tmp = private_file(target.with_suffix(".tmp"))
        tmp.write_text(json.dumps({"saved": [
            {"name": s.name, "query": s.query, "range": s.range} for s in saved]}, indent=1),
            encoding="utf-8")
        os.replace(tmp, target)
    except OSError:
        pass  # a convenience: the query still runs


def save(saved: list[SavedQuery], entry: SavedQuery, path: Path | None = None) -> None:
    """Add ``entry`` (replacing one of the same name) and write the file."""
    saved[:] = [s for s in saved if s.name != entry.name]
    saved.append(entry)
    del saved[:-MAX_SAVED]
    _write(saved, path)


def delete(saved: list[SavedQuery], name: str, path: Path | None = None) -> None:
    saved[:] = [s for s in saved if s.name != name]
    _write(saved, path)


def default_name(query: str, cells: int = 40) -> str:
    """A name to start from: the query itself, cut (the operator usually edits it)."""
    from k8s_essentials_tui.api import clean, fit

    return fit(clean(" ".join(query.split())), cells, pad=False)
