"""The board's GitOps health helpers: what a delivery tool's extra list says.

Why: "installed ok" said nothing while Applications were Degraded; each tool's ``detect``
adds what it delivers, read from the board's one extra list per delivered kind
(``Plugin.board_resources``), never one request per object.
"""

from __future__ import annotations

from typing import Any

from k8s_essentials_tui.api import ClusterSnapshot, Detection, ResourceType

#: how many names a board problem line lists before "…"
NAMES_SHOWN = 3


def names(rows: list[Any]) -> str:
    """``ns/name`` of the first few rows, ``…`` for the rest (a board cell is short)."""
    shown = [f"{r.namespace}/{r.name}" for r in rows[:NAMES_SHOWN]]
    return ", ".join(shown) + (", …" if len(rows) > NAMES_SHOWN else "")


def extra(snapshot: ClusterSnapshot, rtype: ResourceType) -> tuple[list[Any] | None, str]:
    """The board's list of ``rtype`` (None when not read) and why it could not be read."""
    key = f"extra:{rtype.qualified}"
    unread = snapshot.forbidden.get(key) or snapshot.errors.get(key) or ""
    if unread or rtype.qualified not in snapshot.extra:
        return None, unread
    return list(snapshot.extra[rtype.qualified]), ""


def count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def delivered(det: Detection, problems: list[str], unread: list[str]) -> Detection:
    """Add what the tool delivers to its detection: problems make it degraded; a list that
    could not be read makes an "ok" unknown."""
    if problems:
        det.problems.extend(problems)
        det.healthy = False
    if unread:
        # the controllers run, but what they deliver is unknown: not "ok" unchecked
        det.problems.extend(unread)
        if det.healthy is True:
            det.healthy = None
    return det
