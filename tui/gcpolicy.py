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
"""

from __future__ import annotations

import gc

#: (young, middle, old) thresholds: see the module docstring for the measurement
THRESHOLDS = (50_000, 20, 10)


def tune() -> None:
    """Set :data:`THRESHOLDS` (process-wide)."""
    gc.set_threshold(*THRESHOLDS)
