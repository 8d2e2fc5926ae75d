"""Directory completion for the pane's path input (a shell's tab completion, directories
only). Touches the file system, so the pane calls it in a thread; bounded so a huge
directory cannot stall it."""

from __future__ import annotations

import os

#: entries read from one directory at most
MAX_ENTRIES = 2000


def complete_directory(value: str) -> str | None:
    """The first sub-directory (sorted) whose name starts with what follows the last
    ``/`` of ``value``, as ``value`` completed with a trailing ``/``; None when there is
    none. Hidden directories only when the typed part starts with a dot."""
    if not value:
        return None
    head, tail = os.path.split(os.path.expanduser(value))
    shown_head = value[: len(value) - len(tail)]
    base = head or "."
    names: list[str] = []
    try:
        with os.scandir(base) as entries:
            for i, entry in enumerate(entries):
                if i >= MAX_ENTRIES:
                    break
                if not entry.name.startswith(tail):
                    continue
                if entry.name.startswith(".") and not tail.startswith("."):
                    continue
                try:
                    if entry.is_dir():
                        names.append(entry.name)
                except OSError:
                    continue
    except (OSError, ValueError):  # ValueError: a NUL in the typed path
        return None
    if not names:
        return None
    return f"{shown_head}{sorted(names)[0]}/"
