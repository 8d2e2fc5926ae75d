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
import gc

#: (young, middle, old) thresholds: see the module docstring for the measurement
THRESHOLDS = (50_000, 20, 10)
#: a sync that stores at least this many objects calls :func:`settle`
SETTLE_AT = 5_000
#: so does decoding an answer of at least this many bytes (KubeClient.get_json)
SETTLE_BYTES = 1 << 20
#: the loop to freeze on after the next full pass (None: nothing pending)
_pending: asyncio.AbstractEventLoop | None = None


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
