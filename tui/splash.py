"""A splash line on the terminal before Textual is imported, like k9s's logo screen.

Why: a Python TUI pays interpreter start-up and ~150-500 ms of imports (Textual, Rich) before
its first frame, more on a loaded bastion; k9s, a Go binary, paints its splash within
~0.2 s. An operator who starts the app over SSH should see at once that it is starting, not
a blank terminal. This writes three escape sequences and one line of our own text (no
cluster data) straight to the terminal; Textual's driver then takes the same alternate
screen over and paints the board on it. ``bench/vs_k9s.py`` counts this as the first frame,
as it counts k9s's splash, and reports the first board frame separately.

Shown only when stdout is a terminal (never into a pipe or a test) and not disabled with
``K8S_ESSENTIALS_TUI_NO_SPLASH=1``.
"""

from __future__ import annotations

import os
import shutil
from typing import TextIO

#: set to anything non-empty to start without the splash
NO_SPLASH_ENV = "K8S_ESSENTIALS_TUI_NO_SPLASH"

ALT_SCREEN_ON = "\x1b[?1049h"
ALT_SCREEN_OFF = "\x1b[?1049l"
HIDE_CURSOR = "\x1b[?25l"
SHOW_CURSOR = "\x1b[?25h"


def splash_text(version: str, columns: int, rows: int) -> str:
    """The escape sequences and the centred line for a terminal of this size."""
    line = f"k8s-essentials-tui {version} - starting..."
    line = line[:max(columns, 1)]
    row = max(rows // 2, 1)
    col = max((columns - len(line)) // 2 + 1, 1)
    return f"{ALT_SCREEN_ON}{HIDE_CURSOR}\x1b[2J\x1b[{row};{col}H{line}"


def show_splash(stream: TextIO, version: str) -> bool:
    """Paint the splash on ``stream`` when it is a terminal; True when it was painted (the
    caller must then :func:`hide_splash` if the app fails before Textual takes over)."""
    if os.environ.get(NO_SPLASH_ENV) or os.environ.get("TERM") == "dumb":
        return False
    try:
        if not stream.isatty():
            return False
        size = shutil.get_terminal_size()
        stream.write(splash_text(version, size.columns, size.lines))
        stream.flush()
    except (OSError, ValueError):
        return False
    return True


def hide_splash(stream: TextIO) -> None:
    """Give the terminal back as it was (the app did not start: an error line follows)."""
    try:
        stream.write(f"{SHOW_CURSOR}{ALT_SCREEN_OFF}")
        stream.flush()
    except (OSError, ValueError):
        pass
