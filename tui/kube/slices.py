"""Long loops on the event loop, cut into slices of a few milliseconds.

Why: reading a list body, decoding and projecting its objects, keying a synced collection --
each is tens of milliseconds for 10,000+ objects, and done in one go it freezes the screen
and holds back the next page's request (#25: 20-70 ms steps). Cut into 4 ms slices with a
yield to the loop between them, frames and keys go on meanwhile. Why not a thread: the
loop then waited for the GIL at every chunk of the next page (see ``KubeClient.list``).
"""

from __future__ import annotations

import asyncio

#: seconds of work between two yields to the loop
SLICE = 0.004


class Slices:
    """``if slices.due(): await slices.pause()`` inside a loop: a yield once a slice has run.
    ``due()`` is a plain call (no coroutine per item: 50,000 items pay for 50,000 clock
    reads, not 50,000 awaits)."""

    __slots__ = ("_loop", "_seconds", "_started")

    def __init__(self, seconds: float = SLICE) -> None:
        self._loop = asyncio.get_running_loop()
        self._seconds = seconds
        self._started = self._loop.time()

    def due(self) -> bool:
        return self._loop.time() - self._started >= self._seconds

    async def pause(self) -> None:
        await asyncio.sleep(0)
        self._started = self._loop.time()


__all__ = ["SLICE", "Slices"]
