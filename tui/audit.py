"""The local audit log: one JSON line per mutating action, in the platform state dir.

Why: operators must be able to answer "what did I change, where, with what command" after
the fact. Written before (``started``) is not needed: one line with the outcome is enough and
never contains Secret data -- callers pass the user-visible command only.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .settings import private_file, state_dir


def audit_path() -> Path:
    return state_dir() / "audit.jsonl"


def record(*, context: str, action: str, command: str, result: str, detail: str = "",
           now: datetime | None = None, path: Path | None = None, **extra: Any) -> dict[str, Any]:
    """Append one entry; returns it. ``result`` is "ok", "failed", "cancelled" or "dry-run"."""
    entry = {
        "time": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
        "context": context,
        "user": os.environ.get("USER", ""),
        "action": action,
        "command": command,
        "result": result,
    }
    if detail:
        entry["detail"] = detail.splitlines()[0][:500] if detail else ""
    entry.update(extra)
    target = private_file(path or audit_path())  # 0600 in a 0700 dir
    with target.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, sort_keys=True) + "\n")
    return entry


def read(path: Path | None = None) -> list[dict[str, Any]]:
    target = path or audit_path()
    if not target.exists():
        return []
    out = []
    for line in target.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out
