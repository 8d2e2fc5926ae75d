"""FAKE Loki for tests and the demo -- not Loki, and not for production use.

Loki cannot run here (no package, AGPL), so this small server implements the *documented*
shapes of Loki's HTTP API (see /work/shared/COMPONENT-APIS.md) well enough for the app not to
know the difference:

* ``GET|POST /loki/api/v1/query_range`` and ``/query`` with a tiny LogQL subset: stream
  selectors (``= != =~ !~``), line filters (``|= != |~ !~``), parser stages accepted and
  ignored (``| json``, ``| logfmt`` ...), and ``count_over_time``/``rate``/``bytes_over_time``
  optionally wrapped in ``sum [by (labels)]`` -> matrix/vector results;
* ``/labels``, ``/label/<name>/values``, ``/series``, ``/push`` (JSON), ``/ready``,
  ``/status/buildinfo``;
* the websocket ``/loki/api/v1/tail`` streaming pushed lines, with ``dropped_entries``;
* errors as **plain text**: 400 ``parse error at line 1, col N: syntax error: ...``, the
  empty-matcher message, the instant-log-query message; optional tenant enforcement
  (``X-Scope-OrgID``), and injectable failures (``fail_next``) for 5xx/timeouts.

Tests feed it with :meth:`FakeLoki.add`; the standalone mode serves demo logs:
``python -m testkit.fake_loki --demo --host 127.0.0.1 --port 3100``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import re
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

SERVER_NAME = "fake-loki (testkit)"
API = "/loki/api/v1"


# -- a tiny LogQL subset ---------------------------------------------------------------------

class LogQLParseError(ValueError):
    pass


@dataclass
class Matcher:
    name: str
    op: str
    value: str

    def match(self, labels: dict[str, str]) -> bool:
        v = labels.get(self.name, "")
        if self.op == "=":
            return v == self.value
        if self.op == "!=":
            return v != self.value
        ok = re.fullmatch(self.value, v) is not None
        return ok if self.op == "=~" else not ok


@dataclass
class LogQuery:
    matchers: list[Matcher]
    filters: list[tuple[str, str]] = field(default_factory=list)

    def labels_match(self, labels: dict[str, str]) -> bool:
        return all(m.match(labels) for m in self.matchers)

    def line_match(self, line: str) -> bool:
        for op, arg in self.filters:
            if op == "|=" and arg not in line:
                return False
            if op == "!=" and arg in line:
                return False
            if op == "|~" and not re.search(arg, line):
                return False
            if op == "!~" and re.search(arg, line):
                return False
        return True


@dataclass
class MetricQuery:
    func: str
    log: LogQuery
    range_s: float
    agg: str = ""
    by: list[str] | None = None


RANGE_FUNCS = ("count_over_time", "rate", "bytes_over_time", "bytes_rate")
AGGS = ("sum", "count", "max", "min", "avg")


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def error(self, what: str) -> LogQLParseError:
        col = self.pos + 1
        rest = self.text[self.pos:self.pos + 10] or "$end"
        tok = rest.split()[0] if rest.strip() else "$end"
        return LogQLParseError(f"parse error at line 1, col {col}: syntax error: unexpected "
                               f"{tok}, expecting {what}")

    def ws(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek(self, s: str) -> bool:
        self.ws()
        return self.text.startswith(s, self.pos)

    def expect(self, s: str) -> None:
        if not self.peek(s):
            raise self.error(s)
        self.pos += len(s)

    def ident(self) -> str:
        self.ws()
        m = re.compile(r"[A-Za-z_][A-Za-z0-9_]*").match(self.text, self.pos)
        if not m:
            raise self.error("IDENTIFIER")
        self.pos = m.end()
        return m.group(0)

    def string(self) -> str:
        self.ws()
        if self.peek("`"):
            end = self.text.find("`", self.pos + 1)
            if end == -1:
                raise self.error("STRING")
            s = self.text[self.pos + 1:end]
            self.pos = end + 1
            return s
        m = re.compile(r'"((?:[^"\\]|\\.)*)"').match(self.text, self.pos)
        if not m:
            raise self.error("STRING")
        self.pos = m.end()
        return json.loads(m.group(0))

    def query(self) -> LogQuery | MetricQuery:
        self.ws()
        if self.peek("{"):
            q: LogQuery | MetricQuery = self.log_query()
        else:
            q = self.metric()
        self.ws()
        if self.pos != len(self.text):
            raise self.error("end of query")
        return q

    def metric(self) -> MetricQuery:
        name = self.ident()
        if name in AGGS:
            by: list[str] | None = None
            if self.peek("by"):
                self.expect("by")
                by = self.label_list()
            self.expect("(")
            inner = self.metric()
            self.expect(")")
            if self.peek("by") and by is None:
                self.expect("by")
                by = self.label_list()
            inner.agg, inner.by = name, by
            return inner
        if name not in RANGE_FUNCS:
            self.pos -= len(name)
            raise self.error("{ or a range aggregation")
        self.expect("(")
        log = self.log_query()
        self.expect("[")
        self.ws()
        m = re.compile(r"(\d+)(ms|s|m|h|d)").match(self.text, self.pos)
        if not m:
            raise self.error("DURATION")
        self.pos = m.end()
        self.expect("]")
        self.expect(")")
        mult = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]
        return MetricQuery(name, log, int(m.group(1)) * mult)

    def label_list(self) -> list[str]:
        self.expect("(")
        out = [self.ident()]
        while self.peek(","):
            self.expect(",")
            out.append(self.ident())
        self.expect(")")
        return out

    def log_query(self) -> LogQuery:
        self.expect("{")
        matchers: list[Matcher] = []
        if not self.peek("}"):
            while True:
                name = self.ident()
                self.ws()
                for op in ("=~", "!~", "!=", "="):
                    if self.text.startswith(op, self.pos):
                        self.pos += len(op)
                        break
                else:
                    raise self.error("= or != or =~ or !~")
                value = self.string()
                if op in ("=~", "!~"):
                    try:
                        re.compile(value)
                    except re.error as exc:
                        raise LogQLParseError(f"parse error : error parsing regexp: {exc}")\
                            from None
                matchers.append(Matcher(name, op, value))
                if self.peek(","):
                    self.expect(",")
                    continue
                break
        self.expect("}")
        if not any(m.op in ("=", "=~") and not re.fullmatch(
                m.value if m.op == "=~" else re.escape(m.value), "") for m in matchers):
            raise LogQLParseError(
                "parse error : queries require at least one regexp or equality matcher that "
                "does not have an empty-compatible value. For instance, app=~\".*\" does not "
                "meet this requirement, but app=~\".+\" will")
        q = LogQuery(matchers)
        while True:
            self.ws()
            op = next((o for o in ("|=", "!=", "|~", "!~") if self.text.startswith(o, self.pos)),
                      None)
            if op:
                self.pos += 2
                q.filters.append((op, self.string()))
                continue
            if self.peek("|"):
                self.expect("|")
                self.ident()
                # arguments of a stage (line_format "...", label filters ...) are skipped
                while self.pos < len(self.text) and self.text[self.pos] not in "|[)":
                    if self.text[self.pos] in "\"`":
                        self.string()
                    else:
                        self.pos += 1
                continue
            return q


def parse_logql(text: str) -> LogQuery | MetricQuery:
    if not text.strip():
        raise LogQLParseError("parse error : syntax error: unexpected $end")
    return _Parser(text).query()


# -- the store ---------------------------------------------------------------------------------

@dataclass
class Stream:
    labels: dict[str, str]
    entries: list[tuple[int, str]] = field(default_factory=list)


class HTTPFailure(Exception):
    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status = status
        self.text = text


class FakeLoki:
    """In-memory log store + request handlers (transport-free, so tests can call it too)."""

    def __init__(self, *, tenant: str | None = None, clock: Any = time.time) -> None:
        #: when set, requests must carry ``X-Scope-OrgID: tenant`` (else 401 "no org id")
        self.tenant = tenant
        self.clock = clock
        self.streams: dict[tuple[tuple[str, str], ...], Stream] = {}
        self.requests: list[tuple[str, str, dict[str, list[str]], dict[str, str]]] = []
        self._lock = threading.Lock()
        self._tails: list[_Tailer] = []
        self._failures: list[tuple[int, str, float]] = []
        self._answers: list[Any] = []

    # -- feeding --------------------------------------------------------------------------

    def add(self, labels: dict[str, str], lines: Iterable[tuple[int, str]]) -> None:
        """Store lines (``(unix_ns, text)``) under a stream and send them to live tails."""
        key = tuple(sorted(labels.items()))
        new = list(lines)
        with self._lock:
            stream = self.streams.setdefault(key, Stream(dict(labels)))
            stream.entries.extend(new)
            stream.entries.sort()
            tails = list(self._tails)
        for t in tails:
            t.offer(dict(labels), new)

    def report_dropped(self, labels: dict[str, str], timestamps: Iterable[int]) -> None:
        """Make every live tail report ``dropped_entries`` (as Loki does when it fell behind)."""
        dropped = [{"labels": dict(labels), "timestamp": str(ts)} for ts in timestamps]
        with self._lock:
            tails = list(self._tails)
        for t in tails:
            t.send({"streams": [], "dropped_entries": dropped})

    def answer_next(self, body: Any) -> None:
        """The next query-type request answers 200 with this JSON ``body`` as is (an answer
        of the wrong shape: what a proxy or a non-Loki server behind ``loki.url`` sends)."""
        self._answers.append(body)

    def fail_next(self, status: int, text: str = "", delay: float = 0.0) -> None:
        """The next query-type request answers ``status`` with a plain-text ``text`` (after
        ``delay`` seconds -- use it to provoke client timeouts)."""
        self._failures.append((status, text, delay))

    @property
    def tail_count(self) -> int:
        with self._lock:
            return len(self._tails)

    # -- queries --------------------------------------------------------------------------

    def _select(self, q: LogQuery, start: int, end: int) -> list[tuple[dict[str, str], list[
            tuple[int, str]]]]:
        out = []
        with self._lock:
            streams = list(self.streams.values())
        for s in streams:
            if not q.labels_match(s.labels):
                continue
            hits = [(ts, line) for ts, line in s.entries
                    if start <= ts < end and q.line_match(line)]
            if hits:
                out.append((s.labels, hits))
        return out

    def query_range(self, params: dict[str, str], instant: bool = False) -> dict[str, Any]:
        query = params.get("query", "")
        try:
            q = parse_logql(query)
        except LogQLParseError as exc:
            raise HTTPFailure(400, str(exc)) from None
        now_ns = int(self.clock() * 1e9)
        limit = int(params.get("limit") or 100)
        direction = params.get("direction") or "backward"
        if direction not in ("forward", "backward"):
            raise HTTPFailure(400, f"invalid direction: {direction}")
        if instant:
            if isinstance(q, LogQuery):
                raise HTTPFailure(400, "log queries are not supported as an instant query "
                                       "type, please change your query to a range query type")
            t = _ts(params.get("time"), now_ns)
            return self._metric(q, t, t, 0, vector=True)
        end = _ts(params.get("end"), now_ns)
        if params.get("since"):
            start = end - int(_duration_s(params["since"]) * 1e9)
        else:
            start = _ts(params.get("start"), end - 3600 * 10**9)
        if start > end:
            raise HTTPFailure(400, "end timestamp must not be before or equal to start time")
        if isinstance(q, MetricQuery):
            step = _duration_s(params.get("step") or "") if params.get("step") else max(
                1.0, (end - start) / 1e9 / 250)
            return self._metric(q, start, end, step)
        if limit > 5000:
            raise HTTPFailure(400, f"max entries limit per query exceeded, limit > "
                                   f"max_entries_limit ({limit} > 5000)")
        flat = [(ts, line, labels) for labels, hits in self._select(q, start, end)
                for ts, line in hits]
        flat.sort(key=lambda x: x[0], reverse=direction == "backward")
        flat = flat[:limit]
        grouped: dict[tuple[tuple[str, str], ...], dict[str, Any]] = {}
        for ts, line, labels in flat:
            key = tuple(sorted(labels.items()))
            grouped.setdefault(key, {"stream": labels, "values": []})["values"].append(
                [str(ts), line])
        return _success("streams", list(grouped.values()), len(flat))

    def _metric(self, q: MetricQuery, start: int, end: int, step: float,
                vector: bool = False) -> dict[str, Any]:
        rng = int(q.range_s * 1e9)
        streams = self._select(q.log, start - rng, end + 1)
        step_ns = max(1, int(step * 1e9))
        times = [end] if vector else list(range(start, end + 1, step_ns))
        series: dict[tuple[tuple[str, str], ...], dict[int, float]] = {}
        for labels, hits in streams:
            if q.agg:
                key = tuple(sorted((k, v) for k, v in labels.items() if q.by and k in q.by))
            else:
                key = tuple(sorted(labels.items()))
            acc = series.setdefault(key, {})
            for t in times:
                window = [(ts, ln) for ts, ln in hits if t - rng < ts <= t]
                if not window:
                    continue
                if q.func.startswith("bytes"):
                    v = float(sum(len(ln.encode()) for _, ln in window))
                else:
                    v = float(len(window))
                if q.func in ("rate", "bytes_rate"):
                    v /= q.range_s
                acc[t] = acc.get(t, 0.0) + v if q.agg in ("", "sum") else max(acc.get(t, 0), v)
        result = []
        for key, points in sorted(series.items()):
            if not points:
                continue
            metric = dict(key)
            if vector:
                t, v = next(iter(points.items()))
                result.append({"metric": metric, "value": [t / 1e9, _fmt(v)]})
            else:
                result.append({"metric": metric, "values": [[t / 1e9, _fmt(v)] for t, v in
                                                             sorted(points.items())]})
        return _success("vector" if vector else "matrix", result, 0)

    def labels(self, params: dict[str, str], name: str | None = None) -> dict[str, Any]:
        now_ns = int(self.clock() * 1e9)
        end = _ts(params.get("end"), now_ns)
        start = _ts(params.get("start"), end - 6 * 3600 * 10**9)
        sel: LogQuery | None = None
        if params.get("query"):
            try:
                parsed = parse_logql(params["query"])
            except LogQLParseError as exc:
                raise HTTPFailure(400, str(exc)) from None
            sel = parsed if isinstance(parsed, LogQuery) else parsed.log
        values: set[str] = set()
        with self._lock:
            streams = list(self.streams.values())
        for s in streams:
            if sel is not None and not sel.labels_match(s.labels):
                continue
            if not any(start <= ts < end for ts, _ in s.entries):
                continue
            if name is None:
                values.update(s.labels)
            elif name in s.labels:
                values.add(s.labels[name])
        return {"status": "success", "data": sorted(values)}

    def series(self, params: dict[str, list[str]]) -> dict[str, Any]:
        matches = params.get("match[]") or []
        if not matches:
            raise HTTPFailure(400, "at least one match[] argument is required")
        now_ns = int(self.clock() * 1e9)
        end = _ts(_one(params, "end"), now_ns)
        start = _ts(_one(params, "start"), end - 3600 * 10**9)
        out: list[dict[str, str]] = []
        for m in matches:
            try:
                q = parse_logql(m)
            except LogQLParseError as exc:
                raise HTTPFailure(400, str(exc)) from None
            if not isinstance(q, LogQuery):
                raise HTTPFailure(400, "parse error : only stream selectors are allowed")
            for labels, _hits in self._select(LogQuery(q.matchers), start, end):
                if labels not in out:
                    out.append(labels)
        return {"status": "success", "data": out}

    def push(self, body: bytes) -> None:
        try:
            doc = json.loads(body or b"{}")
        except ValueError:
            raise HTTPFailure(400, "loghttp.PushRequest: invalid JSON") from None
        for stream in doc.get("streams") or []:
            self.add({str(k): str(v) for k, v in (stream.get("stream") or {}).items()},
                     [(int(v[0]), str(v[1])) for v in stream.get("values") or []])

    # -- tail -------------------------------------------------------------------------------

    def _register(self, t: _Tailer) -> None:
        with self._lock:
            self._tails.append(t)

    def _unregister(self, t: _Tailer) -> None:
        with self._lock, contextlib.suppress(ValueError):
            self._tails.remove(t)


def _success(kind: str, result: Any, lines: int) -> dict[str, Any]:
    return {"status": "success", "data": {
        "resultType": kind, "result": result,
        "stats": {"summary": {"totalLinesProcessed": lines, "execTime": 0.001}}}}


def _fmt(v: float) -> str:
    return str(int(v)) if v == int(v) else f"{v:g}"


def _one(params: dict[str, list[str]], key: str) -> str | None:
    v = params.get(key)
    return v[0] if v else None


def _ts(value: str | None, default: int) -> int:
    if not value:
        return default
    if re.fullmatch(r"\d+", value):
        n = int(value)
        return n if n > 10**12 else n * 10**9
    if re.fullmatch(r"\d+\.\d*", value):
        return int(float(value) * 1e9)
    from datetime import datetime

    try:
        return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1e9)
    except ValueError:
        raise HTTPFailure(400, f'cannot parse "{value}" to a valid timestamp') from None


def _duration_s(value: str) -> float:
    total, pos = 0.0, 0
    for m in re.finditer(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)", value):
        if m.start() != pos:
            break
        total += float(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}[
            m.group(2)]
        pos = m.end()
    if pos != len(value) or not value:
        try:
            return float(value)
        except ValueError:
            raise HTTPFailure(400, f'cannot parse "{value}" to a valid duration') from None
    return total


class _Tailer:
    """One websocket tail: filters pushed lines and queues frames for its connection."""

    def __init__(self, loop: asyncio.AbstractEventLoop, q: LogQuery) -> None:
        self.loop = loop
        self.q = q
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    def offer(self, labels: dict[str, str], lines: list[tuple[int, str]]) -> None:
        if not self.q.labels_match(labels):
            return
        values = [[str(ts), ln] for ts, ln in lines if self.q.line_match(ln)]
        if values:
            self.send({"streams": [{"stream": labels, "values": values}]})

    def send(self, msg: dict[str, Any]) -> None:
        self.loop.call_soon_threadsafe(self.queue.put_nowait, msg)


# -- HTTP/1.1 + websocket server -------------------------------------------------------------

class FakeLokiServer:
    """Serves a :class:`FakeLoki` over HTTP on an asyncio loop in a background thread."""

    def __init__(self, loki: FakeLoki | None = None) -> None:
        self.loki = loki or FakeLoki()
        self.loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None
        self.host = ""
        self.port = 0

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self, host: str = "127.0.0.1", port: int = 0,
              sock: socket.socket | None = None) -> FakeLokiServer:
        """Start serving (on ``sock`` if given, e.g. one bound inside a network namespace)."""
        ready = threading.Event()
        errors: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self.loop = loop
            try:
                if sock is not None:
                    coro = asyncio.start_server(self._handle, sock=sock)
                else:
                    coro = asyncio.start_server(self._handle, host, port)
                self._server = loop.run_until_complete(coro)
                addr = self._server.sockets[0].getsockname()
                self.host, self.port = addr[0], addr[1]
            except BaseException as exc:
                errors.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.close()

        self._thread = threading.Thread(target=run, name="fake-loki", daemon=True)
        self._thread.start()
        ready.wait(10)
        if errors:
            raise errors[0]
        return self

    def stop(self) -> None:
        loop = self.loop
        if loop is None:
            return

        async def shutdown() -> None:
            if self._server is not None:
                self._server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(shutdown(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(5)
        self.loop = None

    def __enter__(self) -> FakeLokiServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def serve_forever(self, host: str, port: int) -> None:
        server = await asyncio.start_server(self._handle, host, port)
        self.host, self.port = host, port
        async with server:
            await server.serve_forever()

    # -- connection handling ------------------------------------------------------------

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                        ConnectionError):
                    return
                method, target, headers = _parse_head(head)
                length = int(headers.get("content-length") or 0)
                body = await reader.readexactly(length) if length else b""
                if headers.get("upgrade", "").lower() == "websocket":
                    await self._websocket(head, target, headers, reader, writer)
                    return
                status, ctype, payload = await self._route(method, target, headers, body)
                keep = headers.get("connection", "").lower() != "close"
                writer.write(
                    f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}\r\n"
                    f"Content-Type: {ctype}\r\nContent-Length: {len(payload)}\r\n"
                    f"Server: {SERVER_NAME}\r\n"
                    f"Connection: {'keep-alive' if keep else 'close'}\r\n\r\n".encode()
                    + payload)
                await writer.drain()
                if not keep:
                    return
        except (ConnectionError, asyncio.CancelledError):
            return
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    def _check_tenant(self, headers: dict[str, str]) -> None:
        if self.loki.tenant is not None and headers.get("x-scope-orgid") != self.loki.tenant:
            raise HTTPFailure(401, "no org id")

    async def _route(self, method: str, target: str, headers: dict[str, str],
                     body: bytes) -> tuple[int, str, bytes]:
        url = urlsplit(target)
        path = url.path
        multi = parse_qs(url.query, keep_blank_values=True)
        if method == "POST" and "x-www-form-urlencoded" in headers.get("content-type", ""):
            for k, v in parse_qs(body.decode(), keep_blank_values=True).items():
                multi.setdefault(k, []).extend(v)
        params = {k: v[-1] for k, v in multi.items()}
        self.loki.requests.append((method, path, multi, dict(headers)))
        try:
            if path == "/ready":
                return 200, "text/plain; charset=utf-8", b"ready\n"
            if path == f"{API}/status/buildinfo":
                return _json({"version": "3.5.0-fake", "revision": "fake",
                              "branch": "testkit"})
            if not path.startswith(API + "/"):
                return 404, "text/plain; charset=utf-8", b"404 page not found\n"
            self._check_tenant(headers)
            sub = path[len(API) + 1:]
            if sub in ("query_range", "query") and self.loki._answers:
                return _json(self.loki._answers.pop(0))
            if sub in ("query_range", "query") and self.loki._failures:
                status, text, delay = self.loki._failures.pop(0)
                if delay:
                    await asyncio.sleep(delay)
                raise HTTPFailure(status, text or _REASONS.get(status, "error"))
            if sub == "query_range" and method in ("GET", "POST"):
                return _json(self.loki.query_range(params))
            if sub == "query" and method in ("GET", "POST"):
                return _json(self.loki.query_range(params, instant=True))
            if sub == "labels":
                return _json(self.loki.labels(params))
            m = re.fullmatch(r"label/([^/]+)/values", sub)
            if m:
                return _json(self.loki.labels(params, unquote(m.group(1))))
            if sub == "series":
                return _json(self.loki.series(multi))
            if sub == "push" and method == "POST":
                self.loki.push(body)
                return 204, "text/plain", b""
            return 404, "text/plain; charset=utf-8", b"404 page not found\n"
        except HTTPFailure as exc:
            return exc.status, "text/plain; charset=utf-8", (exc.text + "\n").encode()

    async def _websocket(self, head: bytes, target: str, headers: dict[str, str],
                         reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        from wsproto import ConnectionType, WSConnection
        from wsproto.events import AcceptConnection, CloseConnection, Ping, TextMessage

        url = urlsplit(target)
        params = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}

        async def refuse(status: int, text: str) -> None:
            payload = (text + "\n").encode()
            writer.write(f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}\r\n"
                         f"Content-Type: text/plain; charset=utf-8\r\n"
                         f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n"
                         .encode() + payload)
            await writer.drain()

        if url.path != f"{API}/tail":
            await refuse(404, "404 page not found")
            return
        try:
            self._check_tenant(headers)
            q = parse_logql(params.get("query", ""))
            if not isinstance(q, LogQuery):
                raise HTTPFailure(400, "parse error : tail queries must be log queries")
        except LogQLParseError as exc:
            await refuse(400, str(exc))
            return
        except HTTPFailure as exc:
            await refuse(exc.status, exc.text)
            return
        ws = WSConnection(ConnectionType.SERVER)
        ws.receive_data(head)
        for _event in ws.events():
            pass
        writer.write(ws.send(AcceptConnection()))
        await writer.drain()
        loop = asyncio.get_running_loop()
        tailer = _Tailer(loop, q)
        now_ns = int(self.loki.clock() * 1e9)
        start = _ts(params.get("start"), now_ns - 3600 * 10**9)
        limit = int(params.get("limit") or 100)
        self.loki._register(tailer)
        history = [(ts, ln, labels) for labels, hits in self.loki._select(q, start, 2**63 - 1)
                   for ts, ln in hits]
        history.sort(key=lambda x: x[0])
        history = history[-limit:]
        if history:
            grouped: dict[tuple[tuple[str, str], ...], dict[str, Any]] = {}
            for ts, ln, labels in history:
                grouped.setdefault(tuple(sorted(labels.items())),
                                   {"stream": labels, "values": []})["values"].append(
                    [str(ts), ln])
            tailer.send({"streams": list(grouped.values())})

        async def pump_in() -> None:
            while True:
                data = await reader.read(65536)
                if not data:
                    return
                ws.receive_data(data)
                for event in ws.events():
                    if isinstance(event, CloseConnection):
                        writer.write(ws.send(event.response()))
                        await writer.drain()
                        return
                    if isinstance(event, Ping):
                        writer.write(ws.send(event.response()))
                        await writer.drain()

        async def pump_out() -> None:
            while True:
                msg = await tailer.queue.get()
                writer.write(ws.send(TextMessage(data=json.dumps(msg))))
                await writer.drain()

        tasks = [asyncio.ensure_future(pump_in()), asyncio.ensure_future(pump_out())]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for t in tasks:
                t.cancel()
            self.loki._unregister(tailer)


_REASONS = {200: "OK", 204: "No Content", 400: "Bad Request", 401: "Unauthorized",
            404: "Not Found", 499: "Client Closed Request", 500: "Internal Server Error",
            502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}


def _json(doc: Any) -> tuple[int, str, bytes]:
    return 200, "application/json; charset=utf-8", json.dumps(doc).encode()


def _parse_head(head: bytes) -> tuple[str, str, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    method, target, _version = [*lines[0].split(" ", 2), "", ""][:3]
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    return method, target, headers


# -- demo data ---------------------------------------------------------------------------------

DEMO_APPS = [
    ("shop", "checkout", ["POST /api/checkout 200 {ms}ms", "payment authorised order={n}",
                          "WARN slow payment provider latency={ms}ms",
                          "ERROR card declined order={n} code=51"]),
    ("shop", "frontend", ["GET / 200 {ms}ms", "GET /static/app.js 304 1ms",
                          "GET /api/cart 200 {ms}ms", "WARN upstream retry attempt=2"]),
    ("payments", "ledger", ['level=info msg="booked" txn={n} amount={ms}.00',
                            'level=error msg="db timeout" txn={n}',
                            'level=info msg="reconciled" batch={n}']),
    ("kube-system", "coredns", ["[INFO] 10.0.0.{ms}:53 - A IN shop.svc. NOERROR",
                                "[ERROR] plugin/errors: 2 upstream timeout"]),
]


def demo_line(rng: random.Random, templates: list[str]) -> str:
    t = rng.choice(templates)
    return t.format(ms=rng.randint(2, 900), n=rng.randint(1000, 9999))


def seed_demo(loki: FakeLoki, now_s: float, minutes: int = 60, seed: int = 7) -> None:
    """An hour of deterministic logs for four apps (two pods each)."""
    rng = random.Random(seed)
    end = int(now_s * 1e9)
    for ns, app, templates in DEMO_APPS:
        for pod_i in range(2):
            labels = {"namespace": ns, "app": app, "pod": f"{app}-7d9f{pod_i}",
                      "container": app, "job": f"{ns}/{app}"}
            lines = []
            t = end - minutes * 60 * 10**9
            while t < end:
                lines.append((t, demo_line(rng, templates)))
                t += int(rng.uniform(2, 20) * 1e9)
            loki.add(labels, lines)


def seed_hostile(loki: FakeLoki, now_ns: int) -> dict[str, str]:
    """Streams whose lines AND label values are what a tenant's pod can log: escape
    sequences (title, OSC 52, clear screen, an unterminated OSC), markup (``[/]crash``),
    Hangul lines wider than a terminal, C1 and bidi controls (``testkit.hostile``).
    Returns the labels of the main hostile stream (``app="hostile"``)."""
    from testkit import hostile  # lazy: the standalone demo server needs no hypothesis

    labels = {"namespace": "shop", "app": "hostile", "pod": f"p{hostile.OSC_TITLE}",
              "team": hostile.MARKUP_CLOSE}
    lines = [*hostile.NASTY, hostile.WORST, f"ERROR {hostile.OSC52} after",
             (hostile.HANGUL + " ") * 12 + "끝", f"cut {hostile.UNTERMINATED_OSC}"]
    loki.add(labels, [(now_ns - (i + 1) * 10**9, line) for i, line in enumerate(lines)])
    loki.add({"namespace": "shop", "app": "[/]crash", "pod": hostile.HANGUL},
             [(now_ns - 2 * 10**9, f"metric {hostile.CLEAR}")])
    return labels


async def _demo_generator(loki: FakeLoki, rate: float) -> None:
    rng = random.Random()
    while True:
        await asyncio.sleep(1 / rate)
        ns, app, templates = rng.choice(DEMO_APPS)
        labels = {"namespace": ns, "app": app, "pod": f"{app}-7d9f{rng.randint(0, 1)}",
                  "container": app, "job": f"{ns}/{app}"}
        loki.add(labels, [(time.time_ns(), demo_line(rng, templates))])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m testkit.fake_loki",
                                description="FAKE Loki (test tooling): Loki's HTTP API shapes "
                                            "over an in-memory store")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=3100)
    p.add_argument("--demo", action="store_true", help="serve an hour of demo logs and keep "
                                                        "adding lines (for the live tail)")
    p.add_argument("--rate", type=float, default=2.0, help="demo lines per second")
    p.add_argument("--tenant", default=None, help="require this X-Scope-OrgID")
    args = p.parse_args(argv)
    loki = FakeLoki(tenant=args.tenant)
    if args.demo:
        seed_demo(loki, time.time())
    server = FakeLokiServer(loki)

    async def run() -> None:
        tasks = [asyncio.ensure_future(server.serve_forever(args.host, args.port))]
        if args.demo and args.rate > 0:
            tasks.append(asyncio.ensure_future(_demo_generator(loki, args.rate)))
        print(f"fake Loki (test tooling) listening on http://{args.host}:{args.port}",
              flush=True)
        await asyncio.gather(*tasks)

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())
    return 0


__all__ = ["FakeLoki", "FakeLokiServer", "LogQLParseError", "main", "parse_logql",
           "seed_demo"]

if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
