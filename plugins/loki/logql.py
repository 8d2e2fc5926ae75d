"""LogQL helpers for the editor: completion context at the cursor, prefill, time ranges.

Pure functions (no I/O, no Textual) so the completion rules are unit-testable. The pane asks
:func:`completion_at` *what* to complete; it fetches label names/values from Loki itself and
hands them back through :func:`candidates`.

The scanner is deliberately small: LogQL's grammar is large, but completion only needs to know
whether the cursor sits on a label name, a matcher operator, a quoted label value, a pipeline
stage or the start of a query.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

Kind = Literal["label_name", "operator", "label_value", "stage", "line_filter", "function",
               "none"]

LABEL_OPERATORS: tuple[str, ...] = ("=", "!=", "=~", "!~")
LINE_FILTERS: tuple[str, ...] = ("|=", "!=", "|~", "!~")
#: common pipeline stages after ``|`` (parsers, formatters, label filters helpers)
STAGES: tuple[str, ...] = (
    "json", "logfmt", "pattern", "regexp", "unpack", "line_format", "label_format",
    "decolorize", "drop", "keep", "unwrap",
)
#: range-vector functions and aggregations offered at the start of a query
FUNCTIONS: tuple[str, ...] = (
    "count_over_time", "rate", "bytes_over_time", "bytes_rate", "sum_over_time",
    "avg_over_time", "max_over_time", "min_over_time", "quantile_over_time", "absent_over_time",
    "sum", "avg", "count", "max", "min", "topk", "bottomk", "sort", "sort_desc",
)

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Completion:
    """What the cursor is on. ``start``..``end`` is the span a chosen item replaces."""

    kind: Kind
    prefix: str = ""
    start: int = 0
    end: int = 0
    #: the label whose values are wanted (kind == "label_value")
    label: str = ""
    #: the selector typed so far, e.g. ``{namespace="shop"}`` to scope value look-ups
    selector: str = ""


@dataclass
class _Scan:
    depth: int = 0
    quote: str = ""
    quote_start: int = -1
    selector_start: int = -1
    last_sep: int = -1
    last_close: int = -1
    matchers: list[str] = field(default_factory=list)


def _scan(text: str) -> _Scan:
    s = _Scan()
    i = 0
    while i < len(text):
        ch = text[i]
        if s.quote:
            if ch == "\\" and s.quote == '"':
                i += 2
                continue
            if ch == s.quote:
                s.quote = ""
        elif ch in "\"`":
            s.quote, s.quote_start = ch, i
        elif ch == "{":
            s.depth += 1
            s.selector_start = s.last_sep = i
        elif ch == "}":
            s.depth = max(0, s.depth - 1)
            s.last_close = i
        elif ch == "," and s.depth:
            s.last_sep = i
        i += 1
    return s


def completion_at(text: str, cursor: int | None = None) -> Completion:
    """Classify the cursor position in ``text`` for completion."""
    cursor = len(text) if cursor is None else max(0, min(cursor, len(text)))
    before = text[:cursor]
    s = _scan(before)
    end = _word_end(text, cursor)
    if s.quote:
        if s.depth:
            head = before[:s.quote_start]
            m = re.search(r"([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*$", head)
            if m:
                close = text.find(s.quote, cursor)
                value_end = close if close != -1 else len(text)
                return Completion("label_value", before[s.quote_start + 1:], s.quote_start + 1,
                                  value_end, label=m.group(1),
                                  selector=_selector_before(before, s))
        return Completion("none")
    if s.depth:
        seg = before[s.last_sep + 1:]
        m = re.fullmatch(r"\s*([A-Za-z_][A-Za-z0-9_]*)?", seg)
        if m:
            prefix = m.group(1) or ""
            return Completion("label_name", prefix, cursor - len(prefix), end,
                              selector=_selector_before(before, s))
        m = re.fullmatch(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*([=!~]{0,2})", seg)
        if m:
            op = m.group(2)
            return Completion("operator", op, cursor - len(op), cursor)
        return Completion("none")
    if s.last_close == -1 and s.selector_start == -1:
        m = re.search(r"([A-Za-z_]*)$", before)
        prefix = m.group(1) if m else ""
        if before[: cursor - len(prefix)].strip() == "" or before.rstrip().endswith("("):
            return Completion("function", prefix, cursor - len(prefix), end)
        return Completion("none")
    tail = before[s.last_close + 1:] if s.last_close != -1 else ""
    if re.search(r"[\[\]()]", tail):
        return Completion("none")  # past the log part of a range aggregation
    m = re.search(r"(?:^|\s|\))\|\s*([A-Za-z_]*)$", tail)
    if m and not re.search(r"\|[=~]\s*$", tail):
        prefix = m.group(1)
        return Completion("stage", prefix, cursor - len(prefix), end)
    m = re.search(r"(?:^|\s)([|!][=~]?)$", tail)
    if m:
        op = m.group(1)
        return Completion("line_filter", op, cursor - len(op), cursor)
    if tail.endswith(" ") or tail == "":
        return Completion("line_filter", "", cursor, cursor)
    return Completion("none")


def _selector_before(before: str, s: _Scan) -> str:
    """The complete matchers typed before the one at the cursor, as a selector."""
    inner = before[s.selector_start + 1:s.last_sep] if s.last_sep > s.selector_start else ""
    parts = [p.strip() for p in _split_matchers(inner) if p.strip()]
    complete = [p for p in parts if re.fullmatch(r'[A-Za-z_]\w*\s*(=~|!~|!=|=)\s*"(?:[^"\\]|\\.)*"',
                                                 p)]
    return "{" + ", ".join(complete) + "}" if complete else ""


def _split_matchers(inner: str) -> list[str]:
    out, cur, quote = [], [], False
    i = 0
    while i < len(inner):
        ch = inner[i]
        if ch == "\\" and quote:
            cur.append(inner[i:i + 2])
            i += 2
            continue
        if ch == '"':
            quote = not quote
        if ch == "," and not quote:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    out.append("".join(cur))
    return out


def _word_end(text: str, cursor: int) -> int:
    m = _IDENT.match(text, cursor)
    return m.end() if m else cursor


def static_items(c: Completion) -> list[str]:
    """Candidates that need no API call (operators, stages, functions)."""
    pool: Iterable[str]
    if c.kind == "operator":
        pool = LABEL_OPERATORS
    elif c.kind == "line_filter":
        pool = LINE_FILTERS
    elif c.kind == "stage":
        pool = STAGES
    elif c.kind == "function":
        pool = ("{", *FUNCTIONS)
    else:
        return []
    return candidates(c, pool)


def candidates(c: Completion, pool: Iterable[str], limit: int = 50) -> list[str]:
    """Filter ``pool`` by the prefix: prefix matches first, then substring matches."""
    prefix = c.prefix.lower()
    items = list(dict.fromkeys(pool))
    if c.kind in ("operator", "line_filter"):
        head = [i for i in items if i.startswith(c.prefix)]
        return head[:limit]
    head = [i for i in items if i.lower().startswith(prefix)]
    rest = [i for i in items if prefix and prefix in i.lower() and i not in head]
    return (head + rest)[:limit]


def apply(text: str, c: Completion, item: str) -> tuple[str, int]:
    """Insert ``item`` for completion ``c``; returns (new text, new cursor)."""
    if c.kind == "label_value":
        value = escape_value(item)
        after = text[c.end:]
        closing = "" if after.startswith('"') else '"'
        new = text[:c.start] + value + closing + after
        return new, c.start + len(value) + 1
    if c.kind == "label_name":
        ins = item + "="
        after = text[c.end:]
        return text[:c.start] + ins + after, c.start + len(ins)
    if c.kind == "line_filter":
        ins = f'{item} ""'
        pad = "" if c.start == 0 or text[c.start - 1:c.start] == " " else " "
        new = text[:c.start] + pad + ins + text[c.end:]
        return new, c.start + len(pad) + len(ins) - 1
    if c.kind == "operator":
        ins = item + '"'
        new = text[:c.start] + ins + text[c.end:]
        return new, c.start + len(ins)
    if c.kind == "function" and item == "{":
        new = text[:c.start] + "{" + text[c.end:]
        return new, c.start + 1
    if c.kind == "function":
        ins = item + "("
        return text[:c.start] + ins + text[c.end:], c.start + len(ins)
    ins = item + " "
    return text[:c.start] + ins + text[c.end:], c.start + len(ins)


def escape_value(value: str) -> str:
    """``value`` inside a LogQL double-quoted string (Go string syntax). Control and
    invisible characters become ``\\xNN``/``\\uNNNN`` escapes: the query still matches the
    real label value, and no raw ESC from a label value lands in the editor."""
    out = value.replace("\\", "\\\\").replace('"', '\\"')
    if out.isprintable():
        return out
    return "".join(c if c.isprintable() else
                   f"\\x{ord(c):02x}" if ord(c) < 0x80 else f"\\u{ord(c):04x}" for c in out)


def selector(labels: dict[str, str]) -> str:
    """``{k="v", ...}`` in the given order (empty values are skipped)."""
    parts = [f'{k}="{escape_value(v)}"' for k, v in labels.items() if v]
    return "{" + ", ".join(parts) + "}" if parts else ""


def prefill(namespace: str | None = None, app: str | None = None,
            extra: dict[str, str] | None = None) -> str:
    """The query a pane opens with: ``{namespace="x", app="y"}`` from the context."""
    labels: dict[str, str] = {}
    if namespace:
        labels["namespace"] = namespace
    if app:
        labels["app"] = app
    labels.update(extra or {})
    return selector(labels)


def is_metric_query(query: str) -> bool:
    """True when the query starts with a function or aggregation (result is a matrix)."""
    m = re.match(r"\s*([A-Za-z_]+)\s*(\(|by\b|without\b)", query)
    return bool(m and m.group(1) in FUNCTIONS)


# -- time ----------------------------------------------------------------------------------

PRESETS: dict[str, int] = {"5m": 300, "15m": 900, "1h": 3600, "6h": 21600, "24h": 86400}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")
_UNIT_S = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> timedelta:
    """``90s``, ``15m``, ``1h30m``, ``7d`` -> timedelta; ValueError otherwise."""
    t = text.strip()
    pos, total = 0, 0.0
    for m in _DURATION.finditer(t):
        if m.start() != pos:
            break
        total += float(m.group(1)) * _UNIT_S[m.group(2)]
        pos = m.end()
    if not t or pos != len(t):
        raise ValueError(f"not a duration: {text!r} (use e.g. 15m, 1h, 7d)")
    try:
        return timedelta(seconds=total)
    except OverflowError:  # 99999999999h: more days than a timedelta holds
        raise ValueError(f"duration too long: {text!r}") from None


def parse_time(text: str, now: datetime) -> datetime:
    """RFC3339, ``YYYY-MM-DD HH:MM[:SS]`` (UTC), Unix seconds/ns, ``now`` or ``now-1h``."""
    t = text.strip()
    if t == "now":
        return now
    try:
        if t.startswith("now-"):
            return now - parse_duration(t[4:])
        if re.fullmatch(r"\d{16,}", t):
            return datetime.fromtimestamp(int(t) / 1e9, UTC)
        if re.fullmatch(r"\d+(\.\d+)?", t):
            return datetime.fromtimestamp(float(t), UTC)
    except (OverflowError, OSError):  # before year 1 or after 9999
        raise ValueError(f"time out of range: {text!r}") from None
    try:
        dt = datetime.fromisoformat(t.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"not a time: {text!r} (use RFC3339, 'YYYY-MM-DD HH:MM' or now-1h)")\
            from None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


@dataclass(frozen=True)
class TimeRange:
    start: datetime
    end: datetime
    label: str = ""

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()

    def step(self, points: int = 60) -> str:
        """A query step giving about ``points`` samples (at least 1 s)."""
        return f"{max(1, int(self.seconds // points))}s"


def resolve_range(preset: str, now: datetime, start: str = "", end: str = "") -> TimeRange:
    """A preset name ("5m".."24h", any duration) or "custom" with absolute start/end."""
    if preset == "custom":
        s = parse_time(start, now)
        e = parse_time(end, now) if end.strip() else now
        if s >= e:
            raise ValueError("the start of the range must be before its end")
        return TimeRange(s, e, f"{_short(s)} → {_short(e)}")
    seconds = PRESETS.get(preset)
    delta = timedelta(seconds=seconds) if seconds else parse_duration(preset)
    return TimeRange(now - delta, now, f"last {preset}")


def _short(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def to_ns(dt: datetime) -> int:
    return int(dt.timestamp()) * 1_000_000_000 + dt.microsecond * 1000


def from_ns(ns: int) -> datetime:
    return datetime.fromtimestamp(ns // 1_000_000_000, UTC).replace(
        microsecond=(ns % 1_000_000_000) // 1000)
