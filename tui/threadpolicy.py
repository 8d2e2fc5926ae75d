"""The interpreter's thread switch interval while a thread reads what the operator waits for.

Why: a pane that cannot wait for the event loop (the monitoring pane's first 1 MB of
alerts) reads and decodes its first answer in a thread, while the loop composes, lays out
and paints the pane's screen (20-30 ms of CPU in chunks of 5-10 ms). Both need the GIL.
CPython hands it over when the holder blocks or every ``sys.getswitchinterval()`` seconds
(5 ms by default): each time the reading thread wakes for the next piece of the answer it
waits up to 5 ms for the loop to let go, and the answer arrives that much later than the
same request alone. Measured (``bench/monitoring_bench.py``'s pane round, 2,000 alerts,
three A/B runs of 10 interleaved opens each, load 0.4-0.6, December 2026): a 1 ms interval
while the thread runs painted the rows after 59/67/62 ms (medians) against 67/71/72 ms with
the default; 0.5 ms gave the same as 1 ms.

:func:`prompt_threads` lowers the interval for as long as such a read runs and restores
the previous value when the last one ends. It is process-wide -- that is why it lives in
the core, nestable and thread-safe, and why only a bounded, latency-critical read should
use it: with no other thread wanting the GIL a shorter interval costs nothing; with one,
the loop is interrupted more often (microseconds per switch) for those few tens of ms.
"""

from __future__ import annotations

import contextlib
import heapq
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")

#: the switch interval (seconds) while a prompt read runs (see the module docstring)
PROMPT_INTERVAL = 0.001

_lock = threading.Lock()
_depth = 0
_saved = 0.0


@contextlib.contextmanager
def prompt_threads() -> Iterator[None]:
    """Lower the thread switch interval to :data:`PROMPT_INTERVAL` for the block (never
    raises it: a caller that set a lower one keeps it); the previous value comes back when
    the last block ends."""
    global _depth, _saved
    with _lock:
        if _depth == 0:
            _saved = sys.getswitchinterval()
            if _saved > PROMPT_INTERVAL:
                sys.setswitchinterval(PROMPT_INTERVAL)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                sys.setswitchinterval(_saved)


#: how many items :func:`sorted_in_pieces` sorts in one C call (~2-3 ms for tuple keys here)
SORT_PIECE = 4096


def sorted_in_pieces(items: Iterable[T], key: Callable[[T], Any], piece: int = SORT_PIECE
                     ) -> list[T]:
    """``sorted(items, key=key)``, for a worker thread, without holding the GIL for long.

    Why: ``sorted`` compares in C and the interpreter cannot switch threads inside it, so a
    worker sorting 50,000 certificate rows (4-tuple keys) held the GIL for ~40 ms in one
    piece, and the event loop -- which only needed a millisecond -- stood still that long
    (#25, "no refresh blocks the loop > 50 ms"; found with py-spy's ``--gil`` samples).
    Here pieces of ``piece`` items are sorted in C (a few ms each) and merged by
    ``heapq.merge``, a Python generator between whose items the loop gets its turn. The
    result is the same, equal keys kept in their input order (both steps are stable). It
    costs more CPU in the worker (each key is computed twice; measured in
    docs/certificates.md); on the event loop itself it would only add work -- use it off
    the loop."""
    seq = list(items)
    if len(seq) <= piece:
        return sorted(seq, key=key)
    runs = [sorted(seq[at:at + piece], key=key) for at in range(0, len(seq), piece)]
    return list(heapq.merge(*runs, key=key))


__all__ = ["PROMPT_INTERVAL", "SORT_PIECE", "prompt_threads", "sorted_in_pieces"]
