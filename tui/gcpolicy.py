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
after a large sync or a large decoded answer (:func:`settle`) one deliberate full pass runs
half a second later -- it walks only what is not frozen yet, i.e. mostly what that load
allocated, and frees the cyclic garbage (a closed screen's widgets); skipped when the
collector ran a full pass of its own meanwhile -- and then everything
alive moves to the collector's permanent generation (``gc.freeze``), which no later pass
walks. Nothing is kept alive by it: the cached objects are freed by reference counting when
a watch event or a re-list replaces them, as before; the pass before the freeze means no
cyclic garbage is frozen with them.
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
#: seconds from the (last) large load to the pass: after the pane's first paint
SETTLE_DELAY = 0.5
_settling = False


def tune() -> None:
    """Set :data:`THRESHOLDS` (process-wide)."""
    gc.set_threshold(*THRESHOLDS)


def settle() -> None:
    """After a large load: one full pass and a freeze, :data:`SETTLE_DELAY` later (see the
    module docstring); loads in the meantime share it. At once outside an event loop."""
    global _settling
    if _settling:
        return
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        _freeze()
        return
    _settling = True
    loop.call_later(SETTLE_DELAY, _freeze, _full_passes())


def _full_passes() -> int:
    return int(gc.get_stats()[2]["collections"])


def _freeze(passes_before: int | None = None) -> None:
    """The pass (unless the collector ran one of its own since the load: the heap it would
    walk is the same, it found the garbage already), then the freeze."""
    global _settling
    _settling = False
    if passes_before is None or _full_passes() == passes_before:
        gc.collect()  # walks what is not frozen yet; frees cycles before they would be frozen
    gc.freeze()
