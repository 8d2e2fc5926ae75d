"""PromQL console helpers: durations, range steps, completion words (pure, no I/O).

Why here and not in the pane: the headless ``promql`` command and the console accept the
same ``--range 1h --step 1m`` words, and completion must be testable without Textual.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import timedelta

_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400,
          "y": 365 * 86400}
_DURATION = re.compile(r"(\d+)(ms|s|m|h|d|w|y)")
#: Prometheus refuses a range query with more than 11,000 points per series
MAX_POINTS = 11_000
#: nice steps (seconds) for the automatic choice
_STEPS = (1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400)


def parse_duration(text: str) -> timedelta:
    """Prometheus's duration syntax (``90s``, ``1h30m``, ``2d``); a bare number is seconds."""
    text = text.strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        seconds = float(text)
    else:
        pos, seconds = 0, 0.0
        for m in _DURATION.finditer(text):
            if m.start() != pos:
                break
            seconds += int(m.group(1)) * _UNITS[m.group(2)]
            pos = m.end()
        if pos != len(text) or not text:
            raise ValueError(f"not a duration: {text!r} (e.g. 30s, 5m, 1h30m, 2d)")
    if seconds <= 0:
        raise ValueError(f"duration must be above zero: {text!r}")
    try:
        return timedelta(seconds=seconds)
    except OverflowError:
        raise ValueError(f"duration too long: {text!r}") from None


def format_duration(td: timedelta) -> str:
    """``timedelta(hours=1, minutes=30)`` -> ``1h30m`` (the inverse of parse_duration)."""
    seconds = int(td.total_seconds())
    if seconds <= 0:
        return f"{int(td.total_seconds() * 1000)}ms"
    out = ""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            out += f"{seconds // size}{unit}"
            seconds %= size
    return out


def auto_step(range_: timedelta, width: int = 240) -> float:
    """A step giving about ``width`` points over the range (a plot is at most a few hundred
    cells wide), rounded up to a nice value, never above Prometheus's point limit."""
    total = range_.total_seconds()
    raw = max(total / max(width, 1), total / MAX_POINTS, 1)
    for s in _STEPS:
        if s >= raw:
            return float(s)
    return float(int(raw) + 1)


def check_range(range_: timedelta, step: float) -> None:
    if step <= 0:
        raise ValueError("the step must be above zero")
    points = range_.total_seconds() / step
    if points > MAX_POINTS:
        raise ValueError(f"{points:.0f} points per series: Prometheus allows {MAX_POINTS}; "
                         "use a larger --step")


# -- completion ----------------------------------------------------------------------------------

_WORD = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*$")
_IN_BRACES = re.compile(r"\{([^{}]*)$")
_LABEL_VALUE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"([^"]*)$')

#: PromQL functions and keywords offered beside metric names
FUNCTIONS = (
    "abs", "absent", "avg", "avg_over_time", "ceil", "changes", "clamp_max", "clamp_min",
    "count", "count_over_time", "delta", "deriv", "floor", "histogram_quantile", "increase",
    "irate", "label_replace", "max", "max_over_time", "min", "min_over_time", "predict_linear",
    "quantile", "rate", "resets", "round", "sort", "sort_desc", "sum", "sum_over_time", "topk",
    "bottomk", "by", "without", "on", "ignoring", "group_left", "group_right", "offset",
    "vector", "time")


def completion_context(text: str) -> tuple[str, str, str]:
    """What the cursor (at the end of ``text``) is completing:
    ``("metric", prefix, "")``, ``("label", prefix, "")`` inside braces, or
    ``("value", prefix, label)`` inside a quoted label value."""
    brace = _IN_BRACES.search(text)
    if brace:
        inner = brace.group(1)
        value = _LABEL_VALUE.search(inner)
        if value:
            return "value", value.group(3), value.group(1)
        word = re.search(r"[a-zA-Z_][a-zA-Z0-9_]*$", inner)
        return "label", word.group(0) if word else "", ""
    word = _WORD.search(text)
    return "metric", word.group(0) if word else "", ""


def complete(prefix: str, words: Iterable[str], limit: int = 50) -> list[str]:
    """Words starting with ``prefix`` (case-insensitive), then words containing it."""
    low = prefix.lower()
    starts, contains = [], []
    for w in dict.fromkeys(words):
        lw = w.lower()
        if lw.startswith(low):
            starts.append(w)
        elif low and low in lw:
            contains.append(w)
    return (sorted(starts) + sorted(contains))[:limit]


def apply_completion(text: str, prefix: str, word: str) -> str:
    """Replace the ``prefix`` at the end of ``text`` with ``word``."""
    return (text[: len(text) - len(prefix)] if prefix else text) + word
