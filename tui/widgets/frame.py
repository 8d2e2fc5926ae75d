"""Paint the frame that shows data which just arrived on the loop's next turn, not on the
screen's next 60 Hz tick.

Why: Textual paints a screen from an interval timer (``1 / TEXTUAL_FPS``) that it resumes
when a widget asks for a refresh; the timer fires on its next multiple of the period, so a
refresh waits 0-17 ms (more on a busy loop) before anything reaches the terminal. For a key
press that is invisible. For the rows a pane has been waiting for -- a 2,000-alert table,
the hosts of 2,000 Ingresses -- it is the last step between "the data is here" and "the
operator sees it", and measured as such: the monitoring pane's alerts sat in the table
8-23 ms before the frame that painted them (``bench/monitoring_bench.py``, December 2026).

:func:`paint_soon` runs what the timer would run (layout if needed, then the compositor's
update of the dirty widgets) on the loop's next turn -- after the message that set the
data has finished, so a handler that changes several widgets is painted as one frame.
It is for the moment data lands, not for every refresh: the timer's pacing is what keeps
a burst of refreshes (scrolling, a live tail) at one frame per tick.

Relies on ``Screen._on_timer_update``, the update timer's callback in the pinned Textual
(8.2.x); when it is not there the timer paints, as before.
"""

from __future__ import annotations

import asyncio
from typing import Any

from textual.widget import Widget


def paint_soon(widget: Widget) -> None:
    """Paint ``widget``'s screen on the loop's next turn (see the module docstring). Call
    after ``widget.refresh()``; does nothing off the loop or when the widget is not on the
    current screen (a hidden screen paints when it is shown)."""
    try:
        loop = asyncio.get_running_loop()
        screen = widget.screen
    except Exception:  # no loop, or not mounted (NoScreen): the timer paints later
        return
    if not widget.is_attached:
        return
    loop.call_soon(_paint, widget, screen)


def _paint(widget: Widget, screen: Any) -> None:
    update = getattr(screen, "_on_timer_update", None)
    dirty = getattr(screen, "_dirty_widgets", None)
    if update is None or dirty is None or not widget.is_attached \
            or not screen.is_attached or not screen.is_current:
        return
    if getattr(screen.app, "_batch_count", 0):
        return  # inside ``batch_update``: the timer paints when the batch ends
    # what the widget's idle handler and the screen's Update handler would do a few turns
    # later (mark it dirty), then what the timer would do on its tick (paint the dirty
    # widgets, after a layout when one is pending); the refresh already requested still
    # arrives and repaints the same lines once more, cheaply
    dirty.add(widget)
    update()


__all__ = ["paint_soon"]
