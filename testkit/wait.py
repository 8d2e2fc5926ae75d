"""The one bounded "wait until" of the tests (it replaced ten local copies).

Why it polls: a Pilot test waits for what a user would see (a connection, a row, a screen),
which arrives through workers, watches and messages at no predictable moment; the app must
process messages between tries, so a Pilot test passes its ``pilot`` (tries are separated by
``pilot.pause``); a test without an app passes ``None`` (``asyncio.sleep``).

Bounded, never a timed assertion: the limit is generous and only says how long to wait
before failing with ``what`` in the message. A predicate that raises (a widget not mounted
yet) counts as "not yet"; the last exception is in the failure message.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

__all__ = ["WaitTimeout", "wait_until"]


class WaitTimeout(AssertionError):
    """The condition was not reached within the limit."""


async def wait_until(pilot: Any | None, predicate: Callable[[], object], *,
                     timeout: float = 30.0, interval: float = 0.05,
                     what: str | Callable[[], str] = "condition") -> None:
    """Return once ``predicate()`` is truthy; :class:`WaitTimeout` after ``timeout`` s.
    ``what`` names the condition in the failure; a callable is asked then (the screen's
    state at the moment the wait gave up)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    last_error: Exception | None = None
    while True:
        try:
            if predicate():
                return
            last_error = None
        except Exception as exc:
            last_error = exc
        if loop.time() >= deadline:
            because = f" (last error: {type(last_error).__name__}: {last_error})" \
                if last_error is not None else ""
            name = what() if callable(what) else what
            raise WaitTimeout(f"timed out after {timeout:g}s waiting for {name}{because}")
        if pilot is not None:
            await pilot.pause(interval)
        else:
            await asyncio.sleep(interval)
