"""Import the panes' modules in a background thread once the board is filled.

Why: a pane's module pulls in its widgets, models and clients (Textual widgets, httpx,
cryptography, dnspython...). Measured on the 2-core machine, importing one pane module cost
0.15-0.4 s idle and 0.9-1.9 s under load -- paid the first time the operator opens that pane,
the moment they are waiting for it. The board is what they look at first; while they read
it, a daemon thread imports every pane module (and the component screen), so ``enter`` on a
row only composes. A module that fails to import is skipped here (logged): opening that pane
shows the failure as before, through the crash boundary.

The thread only imports; it never touches the app. The event loop keeps the GIL every few
milliseconds (Python's switch interval), so keys stay live meanwhile.
"""

from __future__ import annotations

import importlib
import logging
import sys
import threading
from collections.abc import Sequence

from .plugin import Plugin

log = logging.getLogger(__name__)

#: core modules every pane needs, imported first
CORE_MODULES = (
    "k8s_essentials_tui.screens.component",
    "k8s_essentials_tui.widgets.summary",
    "k8s_essentials_tui.widgets.virtual_table",
)


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
            try:
                importlib.import_module(name)
            except Exception:  # a broken pane shows its error when opened, not here
                log.info("pre-import of %s failed", name, exc_info=True)
    finally:
        done.set()


def start(plugins: Sequence[Plugin]) -> threading.Event:
    """Start the import thread; the returned event is set when it finished."""
    done = threading.Event()
    thread = threading.Thread(target=import_all, args=(pane_modules(plugins), done),
                              name="pre-import panes", daemon=True)
    thread.start()
    return done
