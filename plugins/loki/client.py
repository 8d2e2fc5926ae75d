"""Loki's HTTP API over httpx: query_range, query, labels, label values, series, tail.

Two transports, one client:

* **service proxy** (default): the Loki query service the chart created (``loki-gateway``,
  ``loki-query-frontend``, ``loki-read`` or the single-binary ``loki``) found in the shared
  Services cache, reached at ``/api/v1/namespaces/NS/services/NAME:PORT/proxy/loki/api/v1/...``
  with the kubeconfig's TLS and credentials (``session.client``) -- the websocket tail too.
  A bastion user needs nothing but a kubeconfig.
* **direct URL** from the config file (``loki.url`` + tenant and auth keys) or ``--loki-url``.

Loki answers errors with **plain-text** bodies ("parse error at line 1, col 5: ..."), the
apiserver's proxy with a JSON ``Status``; both become a :class:`LokiError` whose message is
the server's own text, so the operator sees exactly what Loki said.
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from k8s_essentials_tui.api import EssentialsError, service_proxy_path

from .logql import from_ns, to_ns

if TYPE_CHECKING:
    from k8s_essentials_tui.api import ClusterSession, Settings

API = "/loki/api/v1"
#: tail frames can be big (a burst of long lines): allow 16 MiB per websocket message
MAX_WS_MESSAGE = 16 * 1024 * 1024


# -- errors --------------------------------------------------------------------------------

class LokiError(EssentialsError):
    """Loki (or the way to it) refused or failed; ``str()`` carries the server's message."""

    kind = "loki"

    def __init__(self, message: str, *, status: int | None = None, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.status = status


class LokiQueryError(LokiError):
    """400: the LogQL query is wrong (parse error, pipeline error, limits)."""

    kind = "loki-query"


class LokiNotFoundError(LokiError):
    """Loki is not installed / no query service found / the service has no endpoints."""

    kind = "loki-missing"


class LokiUnreachableError(LokiError):
    kind = "loki-unreachable"


class LokiTimeoutError(LokiError):
    kind = "loki-timeout"


class LokiAuthError(LokiError):
    kind = "loki-auth"


# -- results -------------------------------------------------------------------------------

#: one log line as the pane keeps it: ``(unix ns, line, index into the streams list)``.
#: Why tuples: a 5,000-line result or a 100,000-line tail buffer must not cost a Python
#: object with its own labels per line; labels live once per stream.
Row = tuple[int, str, int]
_TS = itemgetter(0)


@dataclass(frozen=True, slots=True)
class LogEntry:
    ts: int  # Unix ns
    line: str
    labels: dict[str, str]

    @property
    def time(self) -> datetime:
        return from_ns(self.ts)


@dataclass
class MetricSeries:
    metric: dict[str, str]
    points: list[tuple[float, float]]

    @property
    def name(self) -> str:
        if not self.metric:
            return "{}"
        return "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(self.metric.items())) + "}"


def entries_of(rows: Iterable[Row], streams: list[dict[str, str]]) -> list[LogEntry]:
    return [LogEntry(ts, line, streams[sid]) for ts, line, sid in rows]


@dataclass
class QueryResult:
    kind: str  # streams | matrix | vector | scalar
    rows: list[Row] = field(default_factory=list)
    streams: list[dict[str, str]] = field(default_factory=list)
    series: list[MetricSeries] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def entries(self) -> list[LogEntry]:
        """The lines as objects, built on first use (the pane works on ``rows``)."""
        return entries_of(self.rows, self.streams)

    def as_json(self) -> dict[str, Any]:
        if self.kind == "streams":
            return {"resultType": "streams", "entries": [
                {"timestamp": str(e.ts), "time": e.time.isoformat(), "labels": e.labels,
                 "line": e.line} for e in self.entries]}
        return {"resultType": self.kind, "series": [
            {"metric": s.metric, "values": [[t, v] for t, v in s.points]} for s in self.series]}


@dataclass
class TailBatch:
    rows: list[Row]
    streams: list[dict[str, str]] = field(default_factory=list)
    dropped: int = 0

    @property
    def entries(self) -> list[LogEntry]:
        return entries_of(self.rows, self.streams)


#: Loki's timestamps are int64 nanoseconds; up to year 2262 (what a datetime can show)
_MAX_NS = 2**63 - 1


def _ts(value: Any) -> int:
    """A Loki timestamp (a string of nanoseconds); out of range or not whole -> ValueError,
    so a hostile answer cannot make every later render of the line raise."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise TypeError("timestamp is not a string")
    ns = int(value)
    if not 0 <= ns <= _MAX_NS:
        raise ValueError("timestamp out of range")
    return ns


def parse_rows(result: Iterable[dict[str, Any]], direction: str = "backward"
               ) -> tuple[list[Row], list[dict[str, str]]]:
    """Flatten Loki's streams into compact rows sorted by time (newest first when backward),
    plus the streams' labels (one dict per stream, shared by its rows)."""
    rows: list[Row] = []
    streams: list[dict[str, str]] = []
    for stream in result:
        sid = len(streams)
        streams.append(_labels(stream.get("stream")))
        rows.extend([(_ts(v[0]), str(v[1]), sid) for v in stream.get("values") or ()])
    # stable; on input that is already in order (one stream) this is a single linear pass
    rows.sort(key=_TS, reverse=direction == "backward")
    return rows, streams


def parse_streams(result: Iterable[dict[str, Any]], direction: str = "backward") -> list[LogEntry]:
    """Flatten Loki's streams into entries sorted by time (newest first when backward)."""
    return entries_of(*parse_rows(result, direction))


#: what a Loki answer of the wrong shape can raise while it is read (a string where a list
#: was, ``"x"`` for a timestamp, a 1-element pair...)
_SHAPE_ERRORS = (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError)


def _shape_error(what: str, exc: BaseException) -> LokiError:
    return LokiError(f"Loki sent {what} of an unexpected shape ({type(exc).__name__}); is "
                     "this a Loki endpoint?")


def parse_query_response(body: Any, direction: str = "backward") -> QueryResult:
    """A query answer -> :class:`QueryResult`; a wrongly shaped one raises
    :class:`LokiError` (so the pane shows an error instead of "running…" forever)."""
    if not isinstance(body, dict) or body.get("status") != "success":
        raise LokiError(f"Loki sent an unexpected answer: {str(body)[:200]}")
    try:
        return _parse_query_data(body.get("data") or {}, direction)
    except _SHAPE_ERRORS as exc:
        raise _shape_error("an answer", exc) from None


def _parse_query_data(data: dict[str, Any], direction: str) -> QueryResult:
    kind = data.get("resultType") or "streams"
    if kind not in ("streams", "matrix", "vector", "scalar"):
        raise ValueError(f"unknown resultType {kind!r}")
    result = data.get("result") or []
    stats = data.get("stats")
    res = QueryResult(kind, stats=stats if isinstance(stats, dict) else {})
    if kind == "streams":
        res.rows, res.streams = parse_rows(result, direction)
    elif kind == "matrix":
        res.series = [MetricSeries(_labels(r.get("metric")),
                                   [(float(t), float(v)) for t, v in r.get("values") or []])
                      for r in result]
    elif kind == "vector":
        res.series = [MetricSeries(_labels(r.get("metric")),
                                   [(float(r["value"][0]), float(r["value"][1]))])
                      for r in result if r.get("value")]
    elif kind == "scalar" and isinstance(result, list) and len(result) == 2:
        res.series = [MetricSeries({}, [(float(result[0]), float(result[1]))])]
    return res


def _labels(value: Any) -> dict[str, str]:
    """A label set; anything but an object raises (the caller turns it into LokiError)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise TypeError("labels are not an object")
    return {str(k): str(v) for k, v in value.items()}


def parse_tail_message(text: str) -> TailBatch:
    try:
        msg = json.loads(text)
    except ValueError as exc:
        raise LokiError("Loki sent an invalid tail message") from exc
    try:
        rows, streams = parse_rows(msg.get("streams") or [], "forward")
        dropped = msg.get("dropped_entries") or []
        return TailBatch(rows, streams, len(dropped))
    except _SHAPE_ERRORS as exc:
        raise _shape_error("a tail message", exc) from None


# -- the endpoint --------------------------------------------------------------------------

@dataclass
class Endpoint:
    """Where Loki is: an httpx client plus the path prefix in front of ``/loki/api/v1``."""

    http: httpx.AsyncClient
    prefix: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    extensions: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    #: True when the client was made for Loki (close it); False for the shared kube client
    owns_http: bool = True
    via_proxy: bool = False


@dataclass(frozen=True)
class ServiceTarget:
    namespace: str
    name: str
    port: str | int
    component: str = ""

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}:{self.port}"


class LokiClient:
    """Typed calls to Loki; every failure raises a :class:`LokiError`."""

    def __init__(self, endpoint: Endpoint, timeout: float = 30.0) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        #: how the last tail() followed: "websocket" or "polling"
        self.tail_mode = ""

    @property
    def description(self) -> str:
        return self.endpoint.description

    async def aclose(self) -> None:
        if self.endpoint.owns_http:
            await self.endpoint.http.aclose()

    # -- construction ---------------------------------------------------------------------

    @classmethod
    def direct(cls, url: str, *, tenant: str = "", bearer_token: str = "", username: str = "",
               password: str = "", timeout: float = 30.0, verify: bool | str = True
               ) -> LokiClient:
        """A client for a Loki URL (``http://loki.example:3100``; a path prefix is kept)."""
        url = url.rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise LokiError(f"Loki URL {url!r} must start with http:// or https://")
        base, prefix = url, ""
        parsed = httpx.URL(url)
        if parsed.path not in ("", "/"):
            prefix = parsed.path.rstrip("/")
            base = str(parsed.copy_with(path="/"))
        headers = {"User-Agent": "k8s-essentials-tui"}
        auth: httpx.Auth | None = None
        if bearer_token:
            headers["Authorization"] = f"Bearer {bearer_token}"
        elif username:
            auth = httpx.BasicAuth(username, password)
        if tenant:
            headers["X-Scope-OrgID"] = tenant
        verify_ctx: ssl.SSLContext | bool = True
        if isinstance(verify, str):
            verify_ctx = ssl.create_default_context(cafile=verify)
        else:
            verify_ctx = verify
        http = httpx.AsyncClient(base_url=base, headers=headers, auth=auth, verify=verify_ctx,
                                 timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
                                 trust_env=True)
        return cls(Endpoint(http, prefix, {}, {}, url, owns_http=True), timeout)

    @classmethod
    def via_service(cls, session: ClusterSession, target: ServiceTarget, *, tenant: str = "",
                    timeout: float = 30.0) -> LokiClient:
        """A client through the apiserver's service proxy, sharing the session's client."""
        kube = session.client
        prefix = service_proxy_path(target.namespace, target.name, target.port).rstrip("/")
        headers = {"X-Scope-OrgID": tenant} if tenant else {}
        ext: dict[str, Any] = {}
        if kube.settings.tls_server_name:
            ext["sni_hostname"] = kube.settings.tls_server_name
        desc = f"service {target} through the apiserver"
        return cls(Endpoint(kube.http, prefix, headers, ext, desc, owns_http=False,
                            via_proxy=True), timeout)

    # -- HTTP -----------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        return f"{self.endpoint.prefix}{API}/{path.lstrip('/')}"

    async def _get(self, path: str, params: dict[str, Any], what: str,
                   method: str = "GET") -> Any:
        clean = {k: v for k, v in params.items() if v is not None and v != ""}
        try:
            if method == "POST":
                resp = await self.endpoint.http.post(
                    self._url(path), data=clean, headers=self.endpoint.headers,
                    timeout=self.timeout, extensions=self.endpoint.extensions or None)
            else:
                resp = await self.endpoint.http.get(
                    self._url(path), params=clean, headers=self.endpoint.headers,
                    timeout=self.timeout, extensions=self.endpoint.extensions or None)
        except httpx.TimeoutException as exc:
            raise LokiTimeoutError(f"Loki did not answer in {self.timeout:g}s ({what})",
                                   status=504) from exc
        except (httpx.TransportError, OSError, ssl.SSLError) as exc:
            first = (str(exc) or type(exc).__name__).splitlines()[0]
            raise LokiUnreachableError(f"cannot reach Loki at {self.description}: {first}") \
                from exc
        if resp.status_code >= 400:
            raise self.error_from(resp.status_code, resp.headers.get("content-type", ""),
                                  resp.text, what)
        try:
            return resp.json()
        except ValueError as exc:
            raise LokiError(f"{what}: Loki sent invalid JSON "
                            f"(is {self.description} really Loki?)") from exc

    def error_from(self, status: int, content_type: str, text: str, what: str) -> LokiError:
        """Plain-text Loki errors keep Loki's message; apiserver Status JSON is unwrapped."""
        message = text.strip()
        from_apiserver = False
        if "json" in content_type:
            try:
                body = json.loads(text)
            except ValueError:
                body = None
            if isinstance(body, dict) and body.get("kind") == "Status":
                message = str(body.get("message") or "").strip()
                from_apiserver = True
            elif isinstance(body, dict) and body.get("error"):
                message = str(body.get("error"))
        message = message.splitlines()[0][:500] if message else f"HTTP {status}"
        if status == 400:
            return LokiQueryError(message, status=status)
        if from_apiserver and status == 404:
            return LokiNotFoundError(f"Loki service not found: {message}", status=status,
                                     hint="is Loki installed? set loki.url to use a direct URL")
        if from_apiserver and status == 503:
            return LokiNotFoundError(f"Loki is not ready ({self.description}): {message}",
                                     status=status)
        if status in (401, 403):
            return LokiAuthError(f"not allowed to {what}: {message}", status=status,
                                 hint="the service proxy needs 'get services/proxy' in the Loki "
                                      "namespace" if self.endpoint.via_proxy else
                                 "check loki.tenant and the token/basic-auth settings")
        if status == 504:
            return LokiTimeoutError(f"Loki timed out ({what}): {message}", status=status)
        if status == 499:
            return LokiError(f"request cancelled ({what})", status=status)
        return LokiError(f"Loki HTTP {status} ({what}): {message}", status=status)

    # -- API ------------------------------------------------------------------------------

    async def query_range(self, query: str, *, start: datetime, end: datetime, limit: int = 100,
                          direction: str = "backward", step: str | None = None) -> QueryResult:
        params = {"query": query, "start": to_ns(start), "end": to_ns(end), "limit": limit,
                  "direction": direction, "step": step}
        # long selectors go as a form body, like Grafana does
        method = "POST" if len(query) > 1500 else "GET"
        body = await self._get("query_range", params, "run the query", method)
        return parse_query_response(body, direction)

    async def query(self, query: str, *, time: datetime | None = None, limit: int = 100,
                    direction: str = "backward") -> QueryResult:
        params = {"query": query, "time": to_ns(time) if time else None, "limit": limit,
                  "direction": direction}
        body = await self._get("query", params, "run the instant query")
        return parse_query_response(body, direction)

    async def labels(self, *, start: datetime | None = None, end: datetime | None = None,
                     query: str = "") -> list[str]:
        body = await self._get("labels", _range(start, end, query), "list labels")
        return _names(body, "labels")

    async def label_values(self, name: str, *, start: datetime | None = None,
                           end: datetime | None = None, query: str = "") -> list[str]:
        from urllib.parse import quote

        body = await self._get(f"label/{quote(name, safe='')}/values",
                               _range(start, end, query), f"list values of label {name}")
        return _names(body, "label values")

    async def series(self, matchers: Iterable[str], *, start: datetime | None = None,
                     end: datetime | None = None) -> list[dict[str, str]]:
        params: dict[str, Any] = _range(start, end, "")
        params["match[]"] = list(matchers)
        body = await self._get("series", params, "list series")
        try:
            return [_labels(x) for x in body.get("data") or []]
        except _SHAPE_ERRORS as exc:
            raise _shape_error("series", exc) from None

    async def ready(self) -> bool:
        try:
            resp = await self.endpoint.http.get(
                f"{self.endpoint.prefix}/ready", headers=self.endpoint.headers,
                timeout=self.timeout, extensions=self.endpoint.extensions or None)
        except httpx.HTTPError:
            return False
        return resp.status_code == 200

    async def tail(self, query: str, on_batch: Callable[[TailBatch], Awaitable[None] | None], *,
                   start: datetime | None = None, limit: int = 100, delay_for: int = 0,
                   poll_interval: float = 1.0) -> None:
        """Follow ``query`` until cancelled: the websocket ``tail`` endpoint, or -- through
        the apiserver -- polling when the proxy cannot carry the websocket's query.

        Why the fallback: the apiserver's service proxy drops the query string of upgraded
        (websocket) requests (kubernetes/kubernetes#77142, fix pending in #139292), so Loki
        receives ``/tail`` without ``query`` and refuses with a 400. Then we follow with
        ``query_range`` in ``forward`` direction from the last timestamp seen.
        """
        self.tail_mode = "websocket"
        try:
            await self.tail_websocket(query, on_batch, start=start, limit=limit,
                                      delay_for=delay_for)
        except LokiQueryError:
            if not self.endpoint.via_proxy:
                raise
            self.tail_mode = "polling"
            await self.tail_polling(query, on_batch, start=start, limit=limit,
                                    interval=poll_interval)

    async def tail_polling(self, query: str,
                           on_batch: Callable[[TailBatch], Awaitable[None] | None], *,
                           start: datetime | None = None, limit: int = 100,
                           interval: float = 1.0) -> None:
        """Follow by repeated forward ``query_range`` calls (no websocket needed)."""
        import asyncio

        last = to_ns(start) if start is not None else None
        seen: set[tuple[int, str, tuple[tuple[str, str], ...]]] = set()
        fresh: list[Row]
        while True:
            params = {"query": query, "limit": limit, "direction": "forward",
                      "start": last if last is not None else None,
                      "since": "1h" if last is None else None}
            body = await self._get("query_range", params, "tail (polling)")
            res = parse_query_response(body, "forward")
            skeys = [tuple(sorted(labels.items())) for labels in res.streams]
            fresh = [r for r in res.rows if (r[0], r[1], skeys[r[2]]) not in seen]
            if fresh:
                newest = fresh[-1][0]
                # keep only keys at the newest timestamp: the next window starts there
                seen = {(ts, line, skeys[sid]) for ts, line, sid in fresh
                        if ts == newest} | {k for k in seen if k[0] == newest}
                last = newest
                result = on_batch(TailBatch(fresh, res.streams))
                if result is not None:
                    await result
            if len(res.rows) < limit or not fresh:
                await asyncio.sleep(interval)

    async def tail_websocket(self, query: str,
                             on_batch: Callable[[TailBatch], Awaitable[None] | None], *,
                             start: datetime | None = None, limit: int = 100,
                             delay_for: int = 0) -> None:
        """Follow ``query`` over the websocket ``tail`` endpoint until cancelled.

        Callback style on purpose: yielding from inside httpx-ws's task group (an async
        generator) would break cancellation. The upgrade is done here rather than with
        ``aconnect_ws`` so a refused upgrade (400 with Loki's parse error) keeps its body."""
        import base64
        import secrets

        from httpx_ws import AsyncWebSocketSession, WebSocketDisconnect, WebSocketNetworkError

        params = {"query": query, "limit": str(limit), "delay_for": str(delay_for)}
        if start is not None:
            params["start"] = str(to_ns(start))
        headers = {**self.endpoint.headers, "Connection": "Upgrade", "Upgrade": "websocket",
                   "Sec-WebSocket-Version": "13",
                   "Sec-WebSocket-Key": base64.b64encode(secrets.token_bytes(16)).decode()}
        failure: BaseException | None = None
        try:
            async with self.endpoint.http.stream(
                    "GET", self._url("tail"), params=params, headers=headers,
                    timeout=httpx.Timeout(self.timeout, read=None),
                    extensions=self.endpoint.extensions or None) as resp:
                if resp.status_code != 101:
                    body = (await resp.aread()).decode("utf-8", "replace")
                    raise self.error_from(resp.status_code,
                                          resp.headers.get("content-type", ""), body, "tail")
                session = AsyncWebSocketSession(
                    resp.extensions["network_stream"], max_message_size_bytes=MAX_WS_MESSAGE,
                    keepalive_ping_interval_seconds=None, response=resp)
                # errors are kept and raised after the session: anything escaping its task
                # group would arrive wrapped in an ExceptionGroup
                async with session as ws:
                    while failure is None:
                        try:
                            text = await ws.receive_text()
                        except WebSocketDisconnect as exc:
                            if exc.code not in (1000, 1001):
                                failure = LokiError(
                                    f"tail closed by Loki: {exc.reason or exc.code}")
                            break
                        except WebSocketNetworkError:
                            failure = LokiUnreachableError(
                                f"tail connection to {self.description} lost")
                            break
                        try:
                            result = on_batch(parse_tail_message(text))
                            if result is not None:
                                await result
                        except Exception as exc:
                            failure = exc
        except httpx.TimeoutException as exc:
            raise LokiTimeoutError(f"tail: Loki did not answer ({self.description})") from exc
        except (httpx.TransportError, OSError) as exc:
            first = (str(exc) or type(exc).__name__).splitlines()[0]
            raise LokiUnreachableError(f"cannot reach Loki at {self.description}: {first}") \
                from exc
        if failure is not None:
            raise failure


def _names(body: Any, what: str) -> list[str]:
    """``{"data": ["a", "b"]}`` -> sorted names; another shape raises :class:`LokiError`."""
    data = body.get("data") if isinstance(body, dict) else None
    if data is None:
        return []
    if not isinstance(data, list):
        raise LokiError(f"Loki sent {what} of an unexpected shape (data is not a list)")
    return sorted(str(x) for x in data)


def _range(start: datetime | None, end: datetime | None, query: str) -> dict[str, Any]:
    return {"start": to_ns(start) if start else None, "end": to_ns(end) if end else None,
            "query": query or None}


# -- discovery -----------------------------------------------------------------------------

#: lower is better: the gateway fronts everything, then the query path, then monolithic Loki
_RANK = {"gateway": 0, "query-frontend": 1, "read": 2, "single-binary": 3}


def service_component(svc: dict[str, Any]) -> str:
    """Which Loki component a Service fronts ("" when it is not a query service)."""
    meta = svc.get("metadata") or {}
    name = str(meta.get("name") or "")
    labels = meta.get("labels") or {}
    spec = svc.get("spec") or {}
    if spec.get("clusterIP") == "None" or name.endswith(("-headless", "-memberlist")):
        return ""
    comp = str(labels.get("app.kubernetes.io/component") or "")
    is_loki = labels.get("app.kubernetes.io/name") == "loki" or name.startswith("loki")
    if not is_loki:
        return ""
    if comp in _RANK:
        return comp
    if name.endswith("-gateway") and "index-gateway" not in name:
        return "gateway"
    if name.endswith("query-frontend"):
        return "query-frontend"
    if name.endswith("-read"):
        return "read"
    if name == "loki" or (labels.get("app.kubernetes.io/name") == "loki" and not comp
                          and name == labels.get("app.kubernetes.io/instance")):
        return "single-binary"
    return ""


def service_port(svc: dict[str, Any]) -> str | int | None:
    ports = (svc.get("spec") or {}).get("ports") or []
    for want in ("http-metrics", "http"):
        for p in ports:
            if p.get("name") == want:
                return want
    for number in (3100, 80, 8080):
        for p in ports:
            if p.get("port") == number:
                return p.get("name") or number
    for p in ports:
        if "grpc" not in str(p.get("name") or ""):
            return p.get("name") or p.get("port")
    return None


def pick_service(services: Iterable[dict[str, Any]],
                 prefer_namespaces: Iterable[str] = ()) -> ServiceTarget | None:
    """The best Loki query service: preferred namespaces first, then by component rank."""
    order = {ns: i for i, ns in enumerate(dict.fromkeys(n for n in prefer_namespaces if n))}
    best: tuple[Any, ...] | None = None
    chosen: ServiceTarget | None = None
    for svc in services:
        comp = service_component(svc)
        port = service_port(svc) if comp else None
        if not comp or port is None:
            continue
        meta = svc.get("metadata") or {}
        ns = str(meta.get("namespace") or "")
        key = (order.get(ns, len(order)), _RANK[comp], ns, str(meta.get("name")))
        if best is None or key < best:
            best = key
            chosen = ServiceTarget(ns, str(meta.get("name")), port, comp)
    return chosen


async def discover_service(session: ClusterSession,
                           prefer_namespaces: Iterable[str] = ()) -> ServiceTarget:
    """Find Loki's query service in the shared Services cache (all namespaces; falls back to
    the preferred namespaces when listing cluster-wide is forbidden)."""
    from k8s_essentials_tui.api import SERVICES, ClusterError

    prefer = [*prefer_namespaces, "loki"]
    scopes: list[str | None] = [None, *dict.fromkeys(n for n in prefer if n)]
    last_error: ClusterError | None = None
    for scope in scopes:
        cache = session.cache(SERVICES, scope)
        cache.start()
        try:
            await cache.wait_synced()
        except ClusterError as exc:
            last_error = exc
            continue
        target = pick_service(cache.items(), prefer)
        if target is not None:
            return target
        if scope is None:
            break
    hint = "install Loki (chart grafana/loki) or set loki.url / --loki-url"
    if last_error is not None:
        raise LokiNotFoundError(f"cannot look for the Loki service: {last_error}", hint=hint)
    raise LokiNotFoundError("no Loki query service found (loki-gateway, loki-query-frontend, "
                            "loki-read or loki)", hint=hint)


def _read_secret_file(path: str, key: str) -> str:
    if not path:
        return ""
    try:
        return Path(path).expanduser().read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise LokiError(f"{key}: cannot read {path}: {exc.strerror}") from exc


def direct_from_settings(settings: Settings | None, url: str = "", timeout: float = 30.0
                         ) -> LokiClient | None:
    """A direct client when ``url`` (``--loki-url``) or ``loki.url`` is set, else None."""
    get = settings.get if settings is not None else (lambda _k, d=None: d)
    url = url or str(get("loki.url", "") or "")
    if not url:
        return None
    return LokiClient.direct(
        url, tenant=str(get("loki.tenant", "") or ""),
        bearer_token=_read_secret_file(str(get("loki.bearer_token_file", "") or ""),
                                       "loki.bearer_token_file"),
        username=str(get("loki.username", "") or ""),
        password=_read_secret_file(str(get("loki.password_file", "") or ""),
                                   "loki.password_file"),
        timeout=timeout)


async def connect(session: ClusterSession | None, settings: Settings | None = None, *,
                  url: str = "", prefer_namespaces: Iterable[str] = (),
                  timeout: float = 30.0) -> LokiClient:
    """The client the pane and the headless command use: direct URL if configured, else the
    discovered service through the apiserver."""
    direct = direct_from_settings(settings, url, timeout)
    if direct is not None:
        return direct
    if session is None:
        raise LokiNotFoundError("not connected to a cluster and no loki.url configured")
    target = await discover_service(session, prefer_namespaces)
    tenant = str(settings.get("loki.tenant", "") or "") if settings is not None else ""
    return LokiClient.via_service(session, target, tenant=tenant, timeout=timeout)
