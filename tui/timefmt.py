"""How time left (or past) reads, in one place: the TUI's tables, its detail pages and the
headless commands all round the same way, so a certificate never says ``2d`` in a pane and
``3.0`` in ``certs`` output.

The rule: whole units toward zero -- 2.9 days left is ``2d`` (never promise more time than
there is), under one day it counts hours, under one hour it says ``<1h``. Something already
past reads ``expired 2d ago``, not ``-2d left``.
"""

from __future__ import annotations

import math

__all__ = ["days_left", "days_short"]


def _whole(days: float) -> tuple[int, str]:
    """(count, unit) of ``abs(days)`` under the rounding rule; count 0 means under an hour."""
    span = abs(days)
    if span >= 1:
        return math.floor(span), "d"
    return math.floor(span * 24), "h"


def days_short(days: float | None) -> str:
    """A table cell: ``5d``, ``7h``, ``<1h``, ``-2d`` (past), ``-`` (unknown)."""
    if days is None:
        return "-"
    count, unit = _whole(days)
    text = f"{count}{unit}" if count else "<1h"
    return f"-{text}" if days < 0 else text


def days_left(days: float | None) -> str:
    """A phrase: ``5d left``, ``7h left``, ``expired 2d ago``, ``no expiry date``."""
    if days is None:
        return "no expiry date"
    count, unit = _whole(days)
    text = f"{count}{unit}" if count else "<1h"
    return f"expired {text} ago" if days <= 0 else f"{text} left"
