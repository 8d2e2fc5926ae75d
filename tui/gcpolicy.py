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
50,000 Secrets each took 626-746 ms -- a frozen screen, in the middle of an operator's work.
So a cache that stored a large collection calls :func:`settle`: the objects alive then move
to the collector's permanent generation (``gc.freeze``), which no later pass walks. Nothing
is kept alive by it: the cached objects are freed by reference counting when a watch event
or a re-list replaces them, as before. What it can keep is cyclic garbage that exists at
that moment (a young pass runs first to shrink that to what is older than 50,000
allocations), once per large sync.
"""

from __future__ import annotations

import asyncio
import gc

#: (young, middle, old) thresholds: see the module docstring for the measurement
THRESHOLDS = (50_000, 20, 10)
#: a sync that stores at least this many objects calls :func:`settle`
SETTLE_AT = 5_000
_settling = False


def tune() -> None:
    """Set :data:`THRESHOLDS` (process-wide)."""
    gc.set_threshold(*THRESHOLDS)


def settle() -> None:
    """Freeze what is alive after a large sync (see the module docstring), once per turn of
    the event loop however many caches synced in it; at once outside a loop."""
    global _settling
    if _settling:
        return
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        _freeze()
        return
    _settling = True
    loop.call_soon(_freeze)


def _freeze() -> None:
    global _settling
    _settling = False
    gc.collect(0)  # young cycles (<= 50,000 objects: a few ms) are not frozen
    gc.freeze()
