"""The crash boundary: an exception in a pane shows an error there; the app keeps running.

Why: Textual's answer to any unhandled exception is to exit and print a rich traceback
*with locals* -- that is how a malformed Certificate once printed its TLS Secret's
``tls.key`` to the operator's terminal. Here the app's ``_handle_exception`` asks
:func:`contain` first: the failing widget is found from the traceback's frames (a handler,
a watch callback, a worker or a ``render`` all run with the widget as ``self``), and the
:class:`PaneBoundary` around it replaces its content with one line ("… failed: details in
app.log"). The traceback goes to ``app.log`` without locals (:func:`log_crash`). Anything
outside a boundary is fatal, but ends with one line on stderr, never Textual's traceback
(see ``EssentialsApp._handle_exception``).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.widgets import Static

from ..text import clean, fit

if TYPE_CHECKING:
    from textual.app import App

log = logging.getLogger("k8s_essentials_tui.crash")


def log_crash(error: BaseException, what: str) -> None:
    """The traceback into app.log: frames and source lines, never locals (the standard
    formatter prints none); control characters from data in the message made visible."""
    text = "".join(traceback.format_exception(error))
    log.error("%s failed:\n%s", what, clean(text, multiline=True))


def log_path() -> str:
    """Where ``app.log`` is, for the one line that points at it."""
    try:
        from ..settings import state_dir

        return str(state_dir() / "app.log")
    except Exception:  # a message must not fail to be built
        return "app.log"


def describe(error: BaseException) -> str:
    """``ValueError: message`` cut to one short line (the message may quote cluster data,
    so it is cleaned; it never holds locals)."""
    message = str(error).splitlines()[0] if str(error) else ""
    return fit(clean(f"{type(error).__name__}: {message}" if message
                     else type(error).__name__), 100, pad=False)


def cause_of(error: BaseException) -> BaseException:
    """The exception a Textual wrapper (``WorkerFailed``) carries."""
    from textual.worker import WorkerFailed

    return error.error if isinstance(error, WorkerFailed) else error


class PaneBoundary(Vertical):
    """Holds one pane. :meth:`fail` swaps its content for an error line, once."""

    DEFAULT_CSS = """
    PaneBoundary { height: 1fr; }
    PaneBoundary > .crash-message { padding: 1 2; color: $error; }
    """

    def __init__(self, title: str, *, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.title = title
        self.failed = False

    def fail(self, error: BaseException) -> None:
        """Log the traceback and show the error state (later errors only logged briefly:
        the pane's hidden widgets may still run a timer or two before they are gone)."""
        if self.failed:
            log.info("%s: further error after the crash: %s", self.title, describe(error))
            return
        self.failed = True
        log_crash(error, f"the {self.title} pane")
        for node in self.walk_children(with_self=False):
            unwatch = getattr(node, "unwatch_all", None)
            if callable(unwatch):
                try:
                    unwatch()
                except Exception:  # best effort while tearing down
                    pass
        for child in list(self.children):
            child.display = False
        line = (f"The {self.title} pane failed ({describe(error)}) and was stopped; "
                f"details in {log_path()}. The rest of the app works: escape goes back.")
        self.mount(Static(Text(line), classes="crash-message", id="pane-crash"))
        # after the failing handler has returned (its widget's message loop then ends)
        self.set_timer(0.05, self._reap)

    def _reap(self) -> None:
        """Tear down what the crash left. A widget whose message loop ended with the
        exception (or never started: ``on_mount`` raised) would take messages it never
        processes; it is marked closed so nothing waits on it, its children are closed, and
        the live rest is removed. (Private Textual attributes: Textual is pinned.)"""
        for node in list(self.walk_children(with_self=False)):
            if node.id == "pane-crash" or node._closed:
                continue
            if not node.is_running:
                node._closing = node._closed = True
                for child in node.children:
                    if child.is_running:
                        child._close_messages_no_wait()
        live = [c for c in self.children if c.id != "pane-crash" and not c._closed]
        if live:
            self.remove_children(live)


def _widgets_in(error: BaseException) -> Iterator[DOMNode]:
    """The DOM nodes that were ``self`` in the traceback's frames, innermost first."""
    frames = [frame for frame, _line in traceback.walk_tb(error.__traceback__)]
    for frame in reversed(frames):
        node = frame.f_locals.get("self")
        if isinstance(node, DOMNode):
            yield node


def boundary_for(app: App[Any], error: BaseException) -> PaneBoundary | None:
    """The :class:`PaneBoundary` the failing code ran in, if any."""
    from textual._context import active_message_pump

    candidates = list(_widgets_in(error))
    try:
        candidates.append(active_message_pump.get())  # type: ignore[arg-type]
    except LookupError:
        pass
    for node in candidates:
        if not isinstance(node, DOMNode):
            continue
        for ancestor in node.ancestors_with_self:
            if isinstance(ancestor, PaneBoundary) and ancestor.app is app:
                return ancestor
    return None


def contain(app: App[Any], error: BaseException) -> bool:
    """True when the error happened inside a pane and is now shown there."""
    cause = cause_of(error)
    try:
        boundary = boundary_for(app, cause)
        if boundary is None:
            return False
        boundary.fail(cause)
    except Exception:  # the boundary must never raise itself
        log.exception("the crash boundary failed")
        return False
    return True


__all__ = ["PaneBoundary", "boundary_for", "cause_of", "contain", "describe", "log_crash",
           "log_path"]
