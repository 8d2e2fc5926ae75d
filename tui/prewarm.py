"""Import the panes' modules in a background thread once the board is filled.

Why: a pane's module pulls in its widgets, models and clients (Textual widgets, httpx,
cryptography, dnspython...). Measured on the 2-core machine, importing one pane module cost
0.15-0.4 s idle and 0.9-1.9 s under load -- paid the first time the operator opens that pane,
the moment they are waiting for it. The board is what they look at first; while they read
it, a daemon thread imports every pane module (and the component screen), so ``enter`` on a
row only composes. A module that fails to import is skipped here (logged): opening that pane
shows the failure as before, through the crash boundary.

The thread only imports; it never touches the app. The event loop keeps the GIL every few
milliseconds (Python's switch interval), so keys stay live meanwhile -- but a module import
is partly long C calls (unmarshalling code, building classes) that hold the GIL, and a pane
opened while the thread still imports (the operator fast, or a script) had its screen's
mount stretched: the certificates pane's longest loop stall at opening was 37-62 ms with
the thread running, 24-39 ms after it (50,000 Certificates, ``bench/certs_bench.py``). So a
component screen that opens calls :func:`pause`: the thread finishes the module it is in and
waits :data:`OPENING_PAUSE` seconds before the next one.
"""

from __future__ import annotations

import importlib
import logging
import sys
import threading
import time
from collections.abc import Sequence

from .plugin import Plugin

log = logging.getLogger(__name__)

#: core modules every pane needs, imported first
CORE_MODULES = (
    "k8s_essentials_tui.screens.component",
    "k8s_essentials_tui.widgets.summary",
    "k8s_essentials_tui.widgets.virtual_table",
)


#: how long the import thread waits when a screen opens: its compose, mount, first paint and
#: first lists -- 1.5-1.7 s for 10,000 certificates; with a 0.5 s pause the thread came back
#: in the middle of that load (its worst loop stall then, and 1.41x against 1.32x raw + bare
#: with the imports done before the open, ``bench/certs_bench.py --pin``). A pane opened
#: within this time of another whose module is not imported yet imports it itself
#: (0.15-0.4 s), as before this thread existed.
OPENING_PAUSE = 2.0
#: ``time.monotonic()`` before which the import thread starts no new module
_resume_at = 0.0


def pause(seconds: float = OPENING_PAUSE) -> None:
    """No new module import for ``seconds`` from now (called on the event loop when a
    component screen opens; a no-op once the thread is done)."""
    global _resume_at
    _resume_at = max(_resume_at, time.monotonic() + seconds)


def _wait_turn() -> None:
    while (left := _resume_at - time.monotonic()) > 0:
        time.sleep(min(left, 0.05))


def pane_modules(plugins: Sequence[Plugin]) -> list[str]:
    """The modules to import, core first, each once, in the registry's order."""
    names = list(CORE_MODULES)
    for plugin in plugins:
        module = (plugin.pane or "").partition(":")[0]
        if module and module not in names:
            names.append(module)
    return names


def import_all(modules: Sequence[str], done: threading.Event) -> None:
    try:
        for name in modules:
            if name in sys.modules:
                continue
            _wait_turn()  # a screen is opening: after it
            if name in sys.modules:  # imported meanwhile (the pane that opened)
                continue
            try:
                importlib.import_module(name)
            except Exception:  # a broken pane shows its error when opened, not here
                log.info("pre-import of %s failed", name, exc_info=True)
    finally:
        done.set()


#: how long after the board is filled the first import waits: the operator reads the board
#: first, and a pane opened at once (a script, `:certs` typed ahead) found the thread in the
#: middle of a module -- a pause cannot stop an import under way -- and its opening stalled
#: 40-50 ms (10,000 certificates, ``bench/certs_bench.py``)
START_DELAY = 1.0


def start(plugins: Sequence[Plugin]) -> threading.Event:
    """Start the import thread (its first import after :data:`START_DELAY`); the returned
    event is set when it finished."""
    pause(START_DELAY)
    done = threading.Event()
    thread = threading.Thread(target=import_all, args=(pane_modules(plugins), done),
                              name="pre-import panes", daemon=True)
    thread.start()
    return done
