"""Traces as the pane and the headless commands see them (pure: no Textual, no HTTP).

Jaeger v2 answers two JSON shapes and both are read here:

* ``/api/traces`` and ``/api/traces/{id}`` (the query service's "internal" HTTP API, the one
  Jaeger's own UI uses): ``{"data": [{"traceID", "spans": [...], "processes": {...}}], ...}``
  with times in microseconds, parents as ``references`` (``CHILD_OF``/``FOLLOWS_FROM``), the
  service in ``processes[processID]``;
* ``/api/v3/traces`` (the OTLP-shaped API): ``{"result": {"resourceSpans": [...]}}`` with
  times in nanoseconds (strings), ``parentSpanId``, the service as the resource attribute
  ``service.name``, the status as ``status.code`` (2 = error).

Both become :class:`Trace` (spans in tree order, children per span, the critical path);
times are kept in microseconds, Jaeger's native unit. Every string is the server's and is
untrusted: it is stored as sent and cleaned only where it is shown.

Why iterative walks everywhere: a 10,000-span trace may be a 10,000-deep chain, and Python's
recursion limit is 1,000.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

#: one span attribute (tag) as shown: key and value as text
Tag = tuple[str, str]


class TraceFormatError(ValueError):
    """An answer that is not a Jaeger trace (wrong shape or types)."""


@dataclass(slots=True)
class SpanLog:
    """A span event (OTLP) / log (Jaeger): when, and its fields."""

    time: int  # µs since the epoch
    fields: list[Tag]

    @property
    def name(self) -> str:
        for k, v in self.fields:
            if k in ("event", "message"):
                return v
        return ""


@dataclass(slots=True)
class Span:
    """One span. Its attributes and events may still be Jaeger's JSON (``raw_tags``,
    ``raw_logs``): reading them into tuples is most of the cost of opening a 10,000-span
    trace, and only a span's details (or a filter) need them, so :attr:`tags` and
    :attr:`logs` read them on first use. What the waterfall needs (ids, times, service,
    error, kind) is read at once."""

    span_id: str
    parent_id: str
    trace_id: str
    operation: str
    service: str
    start: int  # µs since the epoch
    duration: int  # µs
    #: the attributes once read (None: still ``raw_tags``)
    attrs: list[Tag] | None = None
    #: the events once read (None: still ``raw_logs``)
    events: list[SpanLog] | None = None
    raw_tags: Any = None
    raw_logs: Any = None
    process_tags: list[Tag] = field(default_factory=list)
    #: (reference type, trace id, span id)
    references: list[tuple[str, str, str]] = field(default_factory=list)
    error: bool = False
    kind: str = ""
    status_message: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def tags(self) -> list[Tag]:
        if self.attrs is None:
            self.attrs = _v1_tags(self.raw_tags) if self.raw_tags else []
            self.raw_tags = None
        return self.attrs

    @property
    def logs(self) -> list[SpanLog]:
        if self.events is None:
            self.events = _v1_logs(self.raw_logs, self.warnings) if self.raw_logs else []
            self.raw_logs = None
        return self.events

    @property
    def end(self) -> int:
        return self.start + self.duration

    def tag(self, key: str) -> str | None:
        for k, v in self.tags:
            if k == key:
                return v
        return None

    @property
    def host(self) -> str:
        for k, v in self.process_tags:
            if k in ("host.name", "hostname", "k8s.pod.name"):
                return v
        return ""


@dataclass
class Trace:
    """One trace: spans in depth-first order (children by start time), the tree and the
    critical path. Build with :func:`build_trace`."""

    trace_id: str
    spans: list[Span]
    #: index in ``spans`` -> indexes of its children
    children: list[list[int]]
    depth: list[int]
    roots: list[int]
    start: int
    end: int
    critical: set[int]
    warnings: list[str] = field(default_factory=list)
    _summary: TraceSummary | None = field(default=None, repr=False, compare=False)

    @property
    def duration(self) -> int:
        return self.end - self.start

    @property
    def error_count(self) -> int:
        return sum(1 for s in self.spans if s.error)

    @property
    def services(self) -> list[str]:
        return list(dict.fromkeys(s.service for s in self.spans))

    def index_of(self, span_id: str) -> int | None:
        for i, s in enumerate(self.spans):
            if s.span_id == span_id:
                return i
        return None

    def summary(self) -> TraceSummary:
        """The search row of this trace (kept: the header asks for it on every paint)."""
        if self._summary is None:
            self._summary = self._summarize()
        return self._summary

    def _summarize(self) -> TraceSummary:
        root = self.spans[self.roots[0]] if self.roots else None
        counts: dict[str, int] = {}
        first: dict[str, int] = {}
        for s in self.spans:
            counts[s.service] = counts.get(s.service, 0) + 1
            first[s.service] = min(first.get(s.service, s.start), s.start)
        lead = root.service if root else ""
        # the root's service first, then in the order services joined the request
        counts = {k: counts[k] for k in sorted(counts, key=lambda k: (k != lead, first[k], k))}
        return TraceSummary(self.trace_id, self.start, self.duration, len(self.spans),
                            self.error_count, root.service if root else "",
                            root.operation if root else "", counts)


@dataclass(frozen=True)
class TraceSummary:
    """A search result row: what an operator sorts and picks by."""

    trace_id: str
    start: int  # µs
    duration: int  # µs
    span_count: int
    error_count: int
    root_service: str
    root_operation: str
    #: service -> span count: the root's service first, then by their earliest span
    services: dict[str, int]

    @property
    def time(self) -> datetime:
        return from_us(self.start)

    def as_json(self) -> dict[str, Any]:
        return {"traceID": self.trace_id, "start": self.time.isoformat(),
                "startMicros": self.start, "durationMicros": self.duration,
                "duration": format_duration(self.duration), "spans": self.span_count,
                "errors": self.error_count, "rootService": self.root_service,
                "rootOperation": self.root_operation, "services": self.services}


# -- time and durations ----------------------------------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def from_us(us: int) -> datetime:
    try:
        return _EPOCH + timedelta(microseconds=us)
    except OverflowError:
        return _EPOCH


def to_us(dt: datetime) -> int:
    return (dt - _EPOCH) // timedelta(microseconds=1)


def format_duration(us: int) -> str:
    """Jaeger-style short durations: 850µs, 12.3ms, 1.25s, 2m3s."""
    if us < 1000:
        return f"{max(us, 0)}µs"
    if us < 1_000_000:
        ms = us / 1000
        return f"{ms:.3g}ms" if ms < 100 else f"{ms:.0f}ms"
    if us < 60_000_000:
        return f"{us / 1_000_000:.3g}s"
    minutes, rest = divmod(us // 1_000_000, 60)
    if minutes < 60:
        return f"{minutes}m{rest}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes}m"


_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_UNIT_US = {"ns": 0.001, "us": 1, "µs": 1, "ms": 1000, "s": 1_000_000, "m": 60_000_000,
            "h": 3_600_000_000}


def parse_duration(text: str) -> int:
    """``500ms``, ``1.5s``, ``1h30m`` -> µs (Go's duration units, which Jaeger parses);
    anything else raises ValueError with the reason."""
    value = text.strip()
    pos, total = 0, 0.0
    for m in _DURATION.finditer(value):
        if m.start() != pos:
            break
        total += float(m.group(1)) * _UNIT_US[m.group(2)]
        pos = m.end()
    if not value or pos != len(value):
        raise ValueError(f"invalid duration {text!r} (use e.g. 500ms, 1.5s, 2m, 1h)")
    return int(total)


def go_duration(us: int) -> str:
    """µs as a Go duration string, the form Jaeger's ``minDuration`` parameter takes."""
    return f"{us}us"


def parse_tag_filter(text: str) -> tuple[str, str]:
    """``http.status_code=500`` -> (key, value); ``error`` alone means ``error=true``."""
    key, sep, value = text.partition("=")
    key = key.strip()
    if not key:
        raise ValueError(f"invalid tag filter {text!r} (use key=value)")
    return key, (value.strip() if sep else "true")


# -- parsing: /api/traces (Jaeger's UI JSON) -------------------------------------------------

def _str(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool):
        raise TraceFormatError(f"{what} is not a number")
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise TraceFormatError(f"{what} is not a number") from exc


def _list(value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise TraceFormatError(f"{what} is not a list")
    return value


def _v1_tags(value: Any) -> list[Tag]:
    # strings (the usual case) are taken as they are, anything else goes through _str;
    # read lazily (Span.tags) for spans, at once for processes (shared by many spans)
    out: list[Tag] = []
    for t in value if type(value) is list else ():
        if isinstance(t, dict):
            k, v = t.get("key"), t.get("value")
            out.append((k if type(k) is str else _str(k), v if type(v) is str else _str(v)))
    return out


def _v1_logs(value: Any, warnings: list[str]) -> list[SpanLog]:
    """A span's logs, read on first use: a malformed one is left out with a warning on
    the span (the trace is already on screen; it must not fail now)."""
    out: list[SpanLog] = []
    for lg in value if type(value) is list else ():
        if isinstance(lg, dict):
            try:
                out.append(SpanLog(_int(lg.get("timestamp"), "log timestamp"),
                                   _v1_tags(lg.get("fields"))))
            except TraceFormatError as exc:
                warnings.append(f"a log was left out: {exc}")
    return out


_ERROR_VALUES = ("true", "1")
_NO_PROCESS: tuple[str, list[Tag]] = ("", [])
#: the tag keys the waterfall needs before any detail is opened
_FLAG_KEYS = frozenset(("error", "otel.status_code", "span.kind", "otel.status_description"))


def _flags(raw_tags: list[Any]) -> tuple[bool, str, str]:
    """(error, kind, status message) from a span's JSON tags, without reading the rest."""
    error, kind, status = False, "", ""
    for t in raw_tags:
        if type(t) is not dict:
            continue
        k = t.get("key")
        if k not in _FLAG_KEYS:
            continue
        v = t.get("value")
        v = v if type(v) is str else _str(v)
        if k == "error":
            error = error or v.lower() in _ERROR_VALUES
        elif k == "otel.status_code":
            error = error or v == "ERROR"
        elif k == "span.kind":
            kind = v
        else:
            status = v
    return error, kind, status


def _v1_span(raw: Any, processes: dict[str, tuple[str, list[Tag]]], trace_id: str) -> Span:
    # the hot loop of opening a 10,000-span trace: the usual types are checked with
    # ``type() is`` and taken as they are; anything else goes through _str/_int
    if type(raw) is not dict:
        if not isinstance(raw, dict):
            raise TraceFormatError("a span is not an object")
    get = raw.get
    raw_tags = get("tags")
    if raw_tags and type(raw_tags) is not list:
        raise TraceFormatError("tags is not a list")
    error, kind, status = _flags(raw_tags) if raw_tags else (False, "", "")
    raw_logs = get("logs")
    if raw_logs and type(raw_logs) is not list:
        raise TraceFormatError("logs is not a list")
    pid = get("processID")
    service, proc_tags = processes.get(pid if type(pid) is str else _str(pid), _NO_PROCESS)
    refs: list[tuple[str, str, str]] = []
    parent, child_of = "", False  # the first CHILD_OF in this trace, else the first ref
    raw_refs = get("references")
    if raw_refs:
        for r in _list(raw_refs, "references"):
            if isinstance(r, dict):
                ref = _str(r.get("refType")) or "CHILD_OF"
                tid = _str(r.get("traceID")) or trace_id
                sid = _str(r.get("spanID"))
                refs.append((ref, tid, sid))
                if tid == trace_id and sid and not child_of and (ref == "CHILD_OF"
                                                                 or not parent):
                    parent, child_of = sid, ref == "CHILD_OF"
    start = get("startTime")
    if type(start) is not int:
        start = _int(start, "startTime")
    duration = get("duration") or 0
    if type(duration) is not int:
        duration = _int(duration, "duration")
    span_id, op = get("spanID"), get("operationName")
    warnings = get("warnings")
    return Span(
        span_id if type(span_id) is str else _str(span_id), parent, trace_id,
        op if type(op) is str else _str(op), service, start, max(0, duration),
        raw_tags=raw_tags or None, raw_logs=raw_logs or None, process_tags=proc_tags,
        references=refs, error=error, kind=kind, status_message=status,
        warnings=[_str(w) for w in _list(warnings, "warnings")] if warnings else [])


def parse_v1_trace(raw: Any) -> Trace:
    """One element of ``data`` of ``/api/traces[/{id}]`` -> :class:`Trace`."""
    if not isinstance(raw, dict):
        raise TraceFormatError("a trace is not an object")
    trace_id = _str(raw.get("traceID"))
    processes = raw.get("processes") or {}
    if not isinstance(processes, dict):
        raise TraceFormatError("processes is not an object")
    # a process (service + its resource tags) is shared by many spans: read it once
    procs = {_str(pid): (_str(p.get("serviceName")), _v1_tags(p.get("tags")))
             for pid, p in processes.items() if isinstance(p, dict)}
    spans = [_v1_span(s, procs, trace_id) for s in _list(raw.get("spans"), "spans")]
    if not trace_id and spans:
        trace_id = spans[0].trace_id
    warnings = [_str(w) for w in _list(raw.get("warnings"), "warnings")]
    return build_trace(trace_id, spans, warnings)


def summarize_v1(raw: Any) -> TraceSummary:
    """A search row straight from the JSON, without building the tree: 500 results must be
    ready in about the time it takes to fetch them."""
    if not isinstance(raw, dict):
        raise TraceFormatError("a trace is not an object")
    processes = raw.get("processes") or {}
    if not isinstance(processes, dict):
        raise TraceFormatError("processes is not an object")
    names = {pid: _str(p.get("serviceName")) for pid, p in processes.items()
             if isinstance(p, dict)}
    spans = _list(raw.get("spans"), "spans")
    start, end, errors = None, None, 0
    counts: dict[str, int] = {}
    first: dict[str, int] = {}  # service -> its earliest span start
    root: dict[str, Any] | None = None
    for s in spans:
        if not isinstance(s, dict):
            raise TraceFormatError("a span is not an object")
        st = _int(s.get("startTime"), "startTime")
        en = st + _int(s.get("duration") or 0, "duration")
        start = st if start is None else min(start, st)
        end = en if end is None else max(end, en)
        svc = names.get(_str(s.get("processID")), "")
        counts[svc] = counts.get(svc, 0) + 1
        first[svc] = min(first.get(svc, st), st)
        if not s.get("references") and (root is None or st < _int(root.get("startTime"), "")):
            root = s
        tags = s.get("tags")
        if tags and type(tags) is not list:  # as parse_v1_trace says (was a TypeError)
            raise TraceFormatError("tags is not a list")
        for t in tags or ():
            if isinstance(t, dict) and (
                    (t.get("key") == "error" and _str(t.get("value")).lower() in _ERROR_VALUES)
                    or (t.get("key") == "otel.status_code" and t.get("value") == "ERROR")):
                errors += 1
                break
    if root is None and spans:
        root = min(spans, key=lambda s: _int(s.get("startTime"), "startTime"))
    trace_id = _str(raw.get("traceID")) or (_str(root.get("traceID")) if root else "")
    root_service = names.get(_str(root.get("processID")), "") if root else ""
    counts = {k: counts[k] for k in sorted(counts, key=lambda k: (k != root_service,
                                                                  first[k], k))}
    return TraceSummary(
        trace_id, start or 0, (end or 0) - (start or 0), len(spans), errors, root_service,
        _str(root.get("operationName")) if root else "", counts)


# -- parsing: /api/v3 (OTLP JSON) -----------------------------------------------------------

_KINDS = {1: "internal", 2: "server", 3: "client", 4: "producer", 5: "consumer"}


def _hex_id(value: Any) -> str:
    """OTLP/JSON ids are hex; protobuf JSON (base64) is accepted too."""
    text = _str(value)
    if not text or all(c in "0123456789abcdefABCDEF" for c in text):
        return text.lower()
    try:
        return base64.b64decode(text, validate=True).hex()
    except (binascii.Error, ValueError):
        return text


def _any_value(value: Any) -> str:
    if not isinstance(value, dict):
        return _str(value)
    for key in ("stringValue", "boolValue", "intValue", "doubleValue"):
        if key in value:
            return _str(value[key])
    if "arrayValue" in value:
        items = (value["arrayValue"] or {}).get("values") or []
        return "[" + ", ".join(_any_value(v) for v in items) + "]"
    if "kvlistValue" in value:
        items = (value["kvlistValue"] or {}).get("values") or []
        return "{" + ", ".join(f"{k}={v}" for k, v in _v3_attrs(items)) + "}"
    if "bytesValue" in value:
        return _str(value["bytesValue"])
    return ""


def _v3_attrs(value: Any) -> list[Tag]:
    return [(_str(a.get("key")), _any_value(a.get("value")))
            for a in _list(value, "attributes") if isinstance(a, dict)]


def _enum(value: Any, names: dict[int, str], prefix: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return names.get(value, "")
    text = _str(value)
    return text.removeprefix(prefix).lower() if text.startswith(prefix) else text.lower()


def parse_v3_traces(body: Any) -> list[Trace]:
    """``{"result": {"resourceSpans": [...]}}`` -> traces (grouped by trace id, in order of
    first appearance)."""
    if not isinstance(body, dict):
        raise TraceFormatError("the answer is not an object")
    result = body.get("result") or {}
    if not isinstance(result, dict):
        raise TraceFormatError("result is not an object")
    by_trace: dict[str, list[Span]] = {}
    for rs in _list(result.get("resourceSpans"), "resourceSpans"):
        if not isinstance(rs, dict):
            raise TraceFormatError("resourceSpans holds a non-object")
        res_attrs = _v3_attrs((rs.get("resource") or {}).get("attributes"))
        service = dict(res_attrs).get("service.name", "")
        proc_tags = [(k, v) for k, v in res_attrs if k != "service.name"]
        for ss in _list(rs.get("scopeSpans"), "scopeSpans"):
            if not isinstance(ss, dict):
                continue
            for raw in _list(ss.get("spans"), "spans"):
                span = _v3_span(raw, service, proc_tags)
                by_trace.setdefault(span.trace_id, []).append(span)
    return [build_trace(tid, spans) for tid, spans in by_trace.items()]


def _v3_span(raw: Any, service: str, proc_tags: list[Tag]) -> Span:
    if not isinstance(raw, dict):
        raise TraceFormatError("a span is not an object")
    trace_id = _hex_id(raw.get("traceId"))
    start_ns = _int(raw.get("startTimeUnixNano") or 0, "startTimeUnixNano")
    end_ns = _int(raw.get("endTimeUnixNano") or start_ns, "endTimeUnixNano")
    parent = _hex_id(raw.get("parentSpanId"))
    status = raw.get("status") or {}
    status = status if isinstance(status, dict) else {}
    code = _enum(status.get("code"), {0: "unset", 1: "ok", 2: "error"}, "STATUS_CODE_")
    refs = [("CHILD_OF", trace_id, parent)] if parent else []
    for link in _list(raw.get("links"), "links"):
        if isinstance(link, dict):
            refs.append(("FOLLOWS_FROM", _hex_id(link.get("traceId")),
                         _hex_id(link.get("spanId"))))
    events = [SpanLog(_int(e.get("timeUnixNano") or 0, "timeUnixNano") // 1000,
                      [("event", _str(e.get("name"))), *_v3_attrs(e.get("attributes"))])
              for e in _list(raw.get("events"), "events") if isinstance(e, dict)]
    tags = _v3_attrs(raw.get("attributes"))
    error = code == "error" or dict(tags).get("error", "").lower() in _ERROR_VALUES
    return Span(
        span_id=_hex_id(raw.get("spanId")), parent_id=parent, trace_id=trace_id,
        operation=_str(raw.get("name")), service=service, start=start_ns // 1000,
        duration=max(0, (end_ns - start_ns) // 1000), attrs=tags, events=events,
        process_tags=proc_tags, references=refs, error=error,
        kind=_enum(raw.get("kind"), _KINDS, "SPAN_KIND_"),
        status_message=_str(status.get("message")))


# -- the tree --------------------------------------------------------------------------------

def build_trace(trace_id: str, spans: list[Span], warnings: Iterable[str] = ()) -> Trace:
    """Order spans depth first (children by start), find roots (no parent, or a parent
    that is not in the trace: shown at the top with a warning) and the critical path."""
    notes = list(warnings)
    index = {s.span_id: i for i, s in enumerate(spans)}
    kids: list[list[int]] = [[] for _ in spans]
    roots: list[int] = []
    missing = 0
    for i, s in enumerate(spans):
        p = index.get(s.parent_id) if s.parent_id else None
        if p is None or p == i:
            if s.parent_id:
                missing += 1
            roots.append(i)
        else:
            kids[p].append(i)
    if missing:
        notes.append(f"{missing} span(s) reference a parent that is not in the trace")
    # a reference cycle leaves spans unreachable from any root: adopt them as roots
    order: list[int] = []
    depth_of = [0] * len(spans)
    seen = [False] * len(spans)
    # ties by span id, not by position: servers return spans in varying order
    keys = [(s.start, s.span_id, i) for i, s in enumerate(spans)]
    by_start = keys.__getitem__
    for k in kids:  # each list sorted once, here; most spans are leaves
        if len(k) > 1:
            k.sort(key=by_start)

    def walk(top: list[int]) -> None:
        stack = [(i, 0) for i in sorted(top, key=by_start, reverse=True)]
        pop, push = stack.pop, stack.extend
        while stack:
            i, d = pop()
            if seen[i]:
                continue
            seen[i] = True
            depth_of[i] = d
            order.append(i)
            k = kids[i]
            if k:
                push([(c, d + 1) for c in reversed(k)])

    walk(roots)
    stray = [i for i in range(len(spans)) if not seen[i]]
    if stray:
        notes.append(f"{len(stray)} span(s) are in a reference cycle")
        roots.extend(stray)
        walk(stray)
    # renumber into tree order
    new_of = [0] * len(spans)
    for new, old in enumerate(order):
        new_of[old] = new
    ordered = [spans[i] for i in order]
    children = [[new_of[c] for c in kids[i] if depth_of[c] == depth_of[i] + 1]
                if kids[i] else [] for i in order]
    depth = [depth_of[i] for i in order]
    new_roots = sorted((new_of[r] for r in roots), key=lambda n: (ordered[n].start, n))
    start = min((s.start for s in spans), default=0)
    end = max((s.end for s in spans), default=0)
    trace = Trace(trace_id, ordered, children, depth, new_roots, start, end, set(), notes)
    trace.critical = critical_path(trace)
    return trace


def critical_path(trace: Trace) -> set[int]:
    """The spans the trace waited on, as Jaeger's UI computes it: from the root's end,
    walk back through the child that finished last before the current point, then the
    one finishing before that child started, and so on, recursively into each."""
    if not trace.spans:
        return set()
    root = max(trace.roots, key=lambda r: trace.spans[r].end)
    out: set[int] = set()
    stack = [(root, trace.spans[root].end)]
    while stack:
        i, bound = stack.pop()
        out.add(i)
        span = trace.spans[i]
        t = min(span.end, bound)
        for c in sorted(trace.children[i], key=lambda c: trace.spans[c].end, reverse=True):
            child = trace.spans[c]
            if child.start >= t:
                continue
            stack.append((c, t))
            t = child.start
            if t <= span.start:
                break
    return out


def visible_rows(trace: Trace, collapsed: set[int]) -> list[int]:
    """Span indexes shown when the spans in ``collapsed`` hide their descendants."""
    if not collapsed:
        return list(range(len(trace.spans)))
    rows: list[int] = []
    skip_below: int | None = None
    for i, d in enumerate(trace.depth):
        if skip_below is not None:
            if d > skip_below:
                continue
            skip_below = None
        rows.append(i)
        if i in collapsed and trace.children[i]:
            skip_below = d
    return rows


def self_time(trace: Trace, i: int) -> int:
    """The span's time not covered by its children (what it did itself)."""
    span = trace.spans[i]
    covered, cursor = 0, span.start
    for c in sorted(trace.children[i], key=lambda c: trace.spans[c].start):
        cs, ce = max(trace.spans[c].start, cursor), min(trace.spans[c].end, span.end)
        if ce > cs:
            covered += ce - cs
            cursor = ce
    return max(0, span.duration - covered)


# -- JSON output (headless -o json) ----------------------------------------------------------

def span_json(span: Span, depth: int, critical: bool) -> dict[str, Any]:
    return {"spanID": span.span_id, "parentSpanID": span.parent_id,
            "operation": span.operation, "service": span.service, "kind": span.kind,
            "startMicros": span.start, "durationMicros": span.duration, "depth": depth,
            "error": span.error, "criticalPath": critical,
            "tags": dict(span.tags), "process": dict(span.process_tags),
            "logs": [{"timestampMicros": lg.time, "fields": dict(lg.fields)}
                     for lg in span.logs],
            "references": [{"refType": k, "traceID": t, "spanID": s}
                           for k, t, s in span.references]}


def trace_json(trace: Trace) -> dict[str, Any]:
    return {**trace.summary().as_json(), "warnings": trace.warnings,
            "spans": [span_json(s, trace.depth[i], i in trace.critical)
                      for i, s in enumerate(trace.spans)]}
