"""The cyclic garbage collector's thresholds for a process that holds large decoded lists.

Why: the shared caches keep tens of thousands of objects decoded from JSON (plain dicts and
lists, acyclic: reference counting frees them), and syncing a collection allocates
hundreds of thousands more at once. With CPython's default thresholds (700, 10, 10) each
large sync triggers generation-2 passes that walk the whole heap: four of them while the
exposure pane opened over 2,000 Ingresses + Services + EndpointSlices, 440 ms for one pass
over the certificates pane's 10,000 + 10,000 objects. Measured here (December 2026,
``bench/exposure_bench.py`` pane child, three pairs): default 0.61-0.81 s to the painted
table, with (50,000, 20, 10) 0.43-0.58 s and no full pass in the window.

Cyclic garbage (a closed screen's widgets, which point at their parents) is still
collected: a young pass every 50,000 net allocations, a full one every 200 young passes
(10 million allocations; Textual's frames allocate that in seconds to minutes of use).
Headless commands and the TUI both call :func:`tune` (the CLI's ``main`` and the app);
calling it again changes nothing.

A full pass still comes, later, and its cost grows with the heap: on 50,000 Certificates +
50,000 Secrets each took 626-746 ms -- a frozen screen, in the middle of an operator's work --
and after the policy pane's 5 MB list of reports one came 0.2-0.4 s later (46-105 ms). So
after a large sync or a large decoded answer (:func:`settle`), the collector's next full
pass is followed by ``gc.freeze()``: everything alive then moves to the permanent
generation, which no later pass walks. That pass walks the new data once (it would anyway)
and has just freed the cyclic garbage, so nothing but live objects is frozen; and nothing
is kept alive by the freeze: the cached objects are freed by reference counting when a
watch event or a re-list replaces them, as before. Why not a pass of our own: a deliberate
``gc.collect()`` half a second after the load landed in the next pane's opening in half of
an A/B's rounds (policy pane 171 -> 225 ms median); the natural pass costs nothing extra.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import threading
from collections.abc import Iterator

#: (young, middle, old) thresholds: see the module docstring for the measurement
THRESHOLDS = (50_000, 20, 10)
#: a sync that stores at least this many objects calls :func:`settle`
SETTLE_AT = 5_000
#: so does decoding an answer of at least this many bytes (KubeClient.get_json)
SETTLE_BYTES = 1 << 20
#: the loop to freeze on after the next full pass (None: nothing pending)
_pending: asyncio.AbstractEventLoop | None = None
#: bulk loads in progress (see :func:`bulk`), and whether the collector ran before the first
_bulk_lock = threading.Lock()
_bulk_depth = 0
_bulk_was_enabled = True


def tune() -> None:
    """Set :data:`THRESHOLDS` (process-wide) and watch for full passes (:func:`settle`)."""
    gc.set_threshold(*THRESHOLDS)
    if _after_pass not in gc.callbacks:
        gc.callbacks.append(_after_pass)


def settle() -> None:
    """Freeze the heap after the collector's next full pass (see the module docstring).
    Outside an event loop (a headless command, short-lived) it does nothing."""
    global _pending
    try:
        _pending = asyncio.get_running_loop()
    except RuntimeError:
        return


def _after_pass(phase: str, info: dict[str, int]) -> None:
    """The collector's callback (any thread, any time): a full pass ended while a settle is
    pending -> freeze on the loop's next turn (not inside the collector)."""
    global _pending
    loop = _pending
    if loop is None or phase != "stop" or info.get("generation") != 2:
        return
    _pending = None
    if not loop.is_closed():
        loop.call_soon_threadsafe(gc.freeze)


@contextlib.contextmanager
def bulk() -> Iterator[None]:
    """No collector pass while a large collection is loaded; what survived it goes straight
    to the oldest generation at the end.

    Why (#25): while 10,000 TLS Secrets were listed, young passes of 10-31 ms each (the
    young threshold is 50,000 objects, and each pass walks all of them) were most of the
    event-loop stalls over 10 ms, and a young pass could land on a step that already did
    20 ms of work (the screen's mount, a page's projection); every object they walked
    survives as the cache's own, so they found next to nothing to free (tens of objects).
    A lower young threshold moves the cost to the middle generation, which then holds
    the survivors (48-66 ms passes, measured in session 6).

    So during the load the collector is off (``gc.disable``; reference counting still
    frees every acyclic object at once, and the load's whole objects are acyclic), and at
    the end ``gc.freeze()`` + ``gc.unfreeze()`` moves every tracked object into the oldest
    generation without walking it: no young or middle pass walks the survivors again.
    Nothing leaks: cyclic garbage made meanwhile (anywhere in the process: a closed
    screen's widgets) is in the oldest generation too and is freed by the next full pass,
    as any long-lived object's would be. The price: objects frozen earlier (the start-up
    heap, an earlier large cache, see :func:`settle`) are unfrozen, so that next full pass
    walks them once more; the end of a bulk load calls :func:`settle`, so after that pass
    everything is frozen again.

    Nestable and thread-safe: the collector comes back when the last bulk load ends. A
    caller that left the collector disabled (a test, a bench) keeps it disabled."""
    global _bulk_depth, _bulk_was_enabled
    with _bulk_lock:
        if _bulk_depth == 0:
            _bulk_was_enabled = gc.isenabled()
            gc.disable()
        _bulk_depth += 1
    try:
        yield
    finally:
        with _bulk_lock:
            _bulk_depth -= 1
            if _bulk_depth == 0:
                gc.freeze()
                gc.unfreeze()
                if _bulk_was_enabled:
                    gc.enable()
        settle()  # the unfrozen heap is frozen again after the next full pass
