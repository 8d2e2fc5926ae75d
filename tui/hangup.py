"""Leave when the terminal is gone (an SSH session dropped, ``tmux kill-server``).

Why: when the terminal hangs up, SIGHUP goes to the session leader. Run from a script
(``scripts/demo``, a wrapper, a ``tmux new-session "cmd"``) the app is not that leader and
may never get the signal; then Textual's input thread reads end-of-file from the dead
terminal in a busy loop -- one core at 90% for as long as nobody notices (found in this
session: a demo left behind ran 20 minutes). A hung-up terminal answers every terminal
ioctl with EIO, so a check each second tells, and the process ends as SIGHUP's default
action would: at once, with the conventional status 129. Nothing is lost by not unwinding:
every audited action was written when it ran, and there is no terminal left to restore.
"""

from __future__ import annotations

import logging
import os
import sys

#: seconds between two checks
INTERVAL = 1.0
#: the exit status of a process ended by SIGHUP's default action (128 + 1)
STATUS = 129


def terminal_fd() -> int | None:
    """The file descriptor of the terminal the app reads keys from, or None (not a
    terminal: a pipe, a test, Windows)."""
    stream = sys.__stdin__
    if stream is None or sys.platform == "win32":
        return None
    try:
        fd = stream.fileno()
    except (OSError, ValueError):
        return None
    return fd if os.isatty(fd) else None


def hung_up(fd: int) -> bool:
    """True when the terminal behind ``fd`` is gone (every ioctl then fails with EIO)."""
    import termios

    try:
        termios.tcgetattr(fd)
    except (termios.error, OSError):
        return True
    return False


def check(fd: int) -> None:
    """Called every :data:`INTERVAL` seconds by the app: end the process if ``fd`` hung up."""
    if hung_up(fd):
        logging.getLogger(__name__).warning("the terminal hung up: exiting")
        os._exit(STATUS)
