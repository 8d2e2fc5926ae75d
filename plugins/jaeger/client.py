"""Jaeger's query HTTP API over httpx, through the apiserver's service proxy or a direct URL.

Two APIs, one client (checked against the Jaeger v1.75.0 / v2.12.0 sources, see
docs/tracing.md):

* ``/api/...`` -- the query service's JSON API the Jaeger UI uses: ``/api/services``,
  ``/api/services/{s}/operations``, ``/api/traces?service=&operation=&tags=&minDuration=
  &maxDuration=&start=&end=&limit=`` (µs), ``/api/traces/{id}``. Envelope ``{"data": ...,
  "errors": [{"code", "msg"}]}``; errors come with that JSON body (even when the content
  type says text/plain).
* ``/api/v3/...`` -- the OTLP-shaped API: ``/api/v3/services``, ``/api/v3/operations
  ?service=``, ``/api/v3/traces?query.service_name=&query.start_time_min=(RFC3339)...``,
  ``/api/v3/traces/{id}``. Errors are ``{"error": {"httpCode", "message"}}``; it has no
  tag filter and no result limit (``query.num_traces`` is the search depth), and an empty
  search is a 404 "No traces found".

``api="auto"`` (the default) uses ``/api``, and ``/api/v3`` when a server answers
``/api/services`` with a 404 that is not Jaeger's (a gateway exposing only v3). On v3 the
tag filter and the limit are applied here, after the answer.

Every failure is a :class:`JaegerError` carrying Jaeger's own message ("trace not found").
"""

from __future__ import annotations

import asyncio
import json
import ssl
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

import httpx
import msgspec

from k8s_essentials_tui.api import EssentialsError, KubeClient, decode_json, service_proxy_path

from .model import (
    Trace,
    TraceFormatError,
    TraceSummary,
    go_duration,
    parse_v1_trace,
    parse_v3_traces,
    summarize_v1,
    to_us,
)
from .search_rows import read_v1_search

if TYPE_CHECKING:
    from k8s_essentials_tui.api import ClusterSession, Settings

API_CHOICES = ("auto", "v1", "v3")
#: answers larger than this are decoded in a thread (bytes)
BIG_BODY = 1 << 20


class JaegerError(EssentialsError):
    """Jaeger (or the way to it) refused or failed; ``str()`` is the server's message."""

    kind = "jaeger"

    def __init__(self, message: str, *, status: int | None = None, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.status = status


class JaegerNotFoundError(JaegerError):
    """No Jaeger query service, or it has no endpoints."""

    kind = "jaeger-missing"


class TraceNotFoundError(JaegerError):
    kind = "jaeger-trace-not-found"


class JaegerUnreachableError(JaegerError):
    kind = "jaeger-unreachable"


class JaegerAuthError(JaegerError):
    kind = "jaeger-auth"


@dataclass
class SearchQuery:
    service: str
    operation: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    min_duration: int | None = None  # µs
    max_duration: int | None = None  # µs
    start: datetime | None = None
    end: datetime | None = None
    limit: int = 20

    def describe(self) -> str:
        parts = [self.service]
        if self.operation:
            parts.append(self.operation)
        parts += [f"{k}={v}" for k, v in self.tags.items()]
        return " ".join(parts)


@dataclass
class SearchResult:
    """Search rows plus the raw traces (opening one needs no second request)."""

    summaries: list[TraceSummary]
    raw: dict[str, Any] = field(default_factory=dict)
    api: str = "v1"

    def trace(self, trace_id: str) -> Trace | None:
        raw = self.raw.get(trace_id)
        if raw is None:
            return None
        if isinstance(raw, Trace):
            return raw
        if isinstance(raw, msgspec.Raw):  # its JSON, kept by the search (search_rows)
            raw = decode_json(bytes(raw))
        return parse_v1_trace(raw)


@dataclass(frozen=True)
class ServiceTarget:
    namespace: str
    name: str
    port: str | int

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}:{self.port}"


T = TypeVar("T")
_TLS: list[ssl.SSLContext] = []


def _tls_context() -> ssl.SSLContext:
    """httpx's own default TLS context (same CA bundle, same SSL_CERT_* variables), made
    once for every direct client: httpx would load the bundle again for each (tens of ms,
    paid twice when a trace is opened: the pane's client and the twin of
    :meth:`JaegerClient.trace_off_loop`)."""
    if not _TLS:
        _TLS.append(httpx.create_ssl_context(trust_env=True))
    return _TLS[0]


class JaegerClient:
    """Typed calls to Jaeger's query service; every failure raises :class:`JaegerError`."""

    def __init__(self, http: httpx.AsyncClient, prefix: str = "", *, description: str = "",
                 owns_http: bool = True, via_proxy: bool = False, api: str = "auto",
                 extensions: dict[str, Any] | None = None, timeout: float = 30.0) -> None:
        if api not in API_CHOICES:
            raise JaegerError(f"jaeger.api must be one of {', '.join(API_CHOICES)}, not {api!r}")
        self.http = http
        self.prefix = prefix.rstrip("/")
        self.description = description
        self.owns_http = owns_http
        self.via_proxy = via_proxy
        self.api = api
        self.extensions = extensions or {}
        self.timeout = timeout
        self._services_body: Any = None
        #: makes an equivalent client on its own connection, for :meth:`trace_off_loop`
        self.twin: Callable[[], JaegerClient] | None = None

    async def aclose(self) -> None:
        if self.owns_http:
            await self.http.aclose()

    # -- construction ---------------------------------------------------------------------

    @classmethod
    def direct(cls, url: str, *, bearer_token: str = "", username: str = "",
               password: str = "", api: str = "auto", timeout: float = 30.0) -> JaegerClient:
        """A client for ``http://jaeger.example:16686`` (a path prefix such as ``/jaeger``,
        Jaeger's ``base_path``, is kept)."""
        url = url.rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise JaegerError(f"Jaeger URL {url!r} must start with http:// or https://")
        parsed = httpx.URL(url)
        prefix = parsed.path.rstrip("/") if parsed.path not in ("", "/") else ""
        headers = {"User-Agent": "k8s-essentials-tui"}
        auth: httpx.Auth | None = None
        if bearer_token:
            headers["Authorization"] = f"Bearer {bearer_token}"
        elif username:
            auth = httpx.BasicAuth(username, password)
        http = httpx.AsyncClient(base_url=str(parsed.copy_with(path="/")), headers=headers,
                                 auth=auth, timeout=httpx.Timeout(timeout,
                                                                  connect=min(timeout, 10.0)),
                                 verify=_tls_context(), trust_env=True)
        client = cls(http, prefix, description=url, api=api, timeout=timeout)
        client.twin = lambda: cls.direct(url, bearer_token=bearer_token, username=username,
                                         password=password, api=api, timeout=timeout)
        return client

    @classmethod
    def via_service(cls, session: ClusterSession, target: ServiceTarget, *, api: str = "auto",
                    timeout: float = 30.0) -> JaegerClient:
        kube = session.client
        prefix = service_proxy_path(target.namespace, target.name, target.port)
        ext: dict[str, Any] = {}
        if kube.settings.tls_server_name:
            ext["sni_hostname"] = kube.settings.tls_server_name
        description = f"service {target} through the apiserver"
        client = cls(kube.http, prefix, description=description, owns_http=False,
                     via_proxy=True, api=api, extensions=ext, timeout=timeout)
        # the twin opens its own connection to the apiserver, with the same credentials
        client.twin = lambda: cls(KubeClient(kube.settings).http, prefix,
                                  description=description, via_proxy=True, api=api,
                                  extensions=ext, timeout=timeout)
        return client

    # -- HTTP -----------------------------------------------------------------------------

    async def _get(self, path: str, params: dict[str, Any] | list[tuple[str, str]],
                   what: str) -> Any:
        content = await self._fetch(path, params, what)
        try:
            if len(content) > BIG_BODY:  # a 10,000-span trace is ~4 MB: not on the loop
                return await asyncio.to_thread(decode_json, content)
            return decode_json(content)
        except ValueError as exc:
            raise self._invalid_json(what) from exc

    def _invalid_json(self, what: str) -> JaegerError:
        return JaegerError(f"{what}: Jaeger sent invalid JSON "
                           f"(is {self.description} really Jaeger's query service?)")

    async def _fetch(self, path: str, params: dict[str, Any] | list[tuple[str, str]],
                     what: str) -> bytes:
        """The body of a successful answer; every failure as a :class:`JaegerError`."""
        items = params.items() if isinstance(params, dict) else params
        pairs: list[tuple[str, str | int | float | bool | None]] = [
            (k, str(v)) for k, v in items if v is not None and v != ""]
        try:
            resp = await self.http.get(f"{self.prefix}{path}", params=pairs,
                                       timeout=self.timeout,
                                       extensions=self.extensions or None)
        except httpx.TimeoutException as exc:
            raise JaegerError(f"Jaeger did not answer in {self.timeout:g}s ({what})",
                              status=504) from exc
        except (httpx.TransportError, OSError, ssl.SSLError) as exc:
            first = (str(exc) or type(exc).__name__).splitlines()[0]
            raise JaegerUnreachableError(
                f"cannot reach Jaeger at {self.description}: {first}") from exc
        if resp.status_code >= 400:
            raise self.error_from(resp.status_code, resp.text, what)
        return resp.content

    def error_from(self, status: int, text: str, what: str) -> JaegerError:
        """Jaeger's own message from either envelope; the apiserver's Status unwrapped."""
        message, source = text.strip(), "text"
        try:
            body = json.loads(text)
        except ValueError:
            body = None
        if isinstance(body, dict):
            errors = body.get("errors")
            err = body.get("error")
            if isinstance(errors, list) and errors and isinstance(errors[0], dict):
                message, source = str(errors[0].get("msg") or ""), "jaeger"
            elif isinstance(err, dict):
                message, source = str(err.get("message") or ""), "jaeger"
            elif body.get("kind") == "Status":
                message, source = str(body.get("message") or ""), "apiserver"
        message = message.splitlines()[0][:500] if message else f"HTTP {status}"
        if source == "jaeger" and status == 404:
            return TraceNotFoundError(message, status=status)
        if source == "apiserver" and status in (404, 503):
            return JaegerNotFoundError(f"Jaeger query service unavailable: {message}",
                                       status=status,
                                       hint="is Jaeger installed? set jaeger.url to use a "
                                            "direct URL")
        if status in (401, 403):
            return JaegerAuthError(
                f"not allowed to {what}: {message}", status=status,
                hint="the service proxy needs 'get services/proxy' in Jaeger's namespace"
                if self.via_proxy else "check jaeger.bearer_token_file / username")
        if source == "jaeger":
            return JaegerError(message, status=status)
        return JaegerError(f"Jaeger HTTP {status} ({what}): {message}", status=status)

    async def _which_api(self) -> str:
        """``v1`` or ``v3`` (see the module docstring for when v3 is used)."""
        if self.api != "auto":
            return self.api
        try:
            self._services_body = await self._get("/api/services", {}, "list services")
            self.api = "v1"
        except JaegerError as exc:
            if exc.status != 404 or isinstance(exc, TraceNotFoundError | JaegerNotFoundError):
                raise
            await self._get("/api/v3/services", {}, "list services")
            self.api = "v3"
        return self.api

    # -- API ------------------------------------------------------------------------------

    async def services(self) -> list[str]:
        if await self._which_api() == "v3":
            body = await self._get("/api/v3/services", {}, "list services")
            data = body.get("services") if isinstance(body, dict) else None
        else:
            # the API probe just fetched them: no second request at start-up
            body, self._services_body = self._services_body, None
            if body is None:
                body = await self._get("/api/services", {}, "list services")
            data = body.get("data") if isinstance(body, dict) else None
        return sorted(str(s) for s in data or [])

    async def operations(self, service: str) -> list[str]:
        if await self._which_api() == "v3":
            body = await self._get("/api/v3/operations", {"service": service},
                                   f"list operations of {service}")
            ops = body.get("operations") if isinstance(body, dict) else None
            names = [str(o.get("name")) for o in ops or [] if isinstance(o, dict)]
        else:
            body = await self._get(f"/api/services/{quote(service, safe='')}/operations", {},
                                   f"list operations of {service}")
            data = body.get("data") if isinstance(body, dict) else None
            names = [str(o) for o in data or []]
        return sorted(set(names))

    async def search(self, q: SearchQuery) -> SearchResult:
        if not q.service:
            raise JaegerError("choose a service to search")
        if await self._which_api() == "v3":
            return await self._search_v3(q)
        result = await self._search_v1(q)
        wanted = q.tags.get("error", "").lower()
        if result.summaries or wanted not in ("true", "false"):
            return result
        # Jaeger v2's memory store reads the ``error`` tag of a search as a bool attribute
        # and the UI API sends it as a string, so ``error=true`` never matches there
        # (internal/storage/v2/memory/tenant.go, v1.75.0): search without it, then keep the
        # traces whose error spans say the same (the limit applies before this filter)
        rest = {k: v for k, v in q.tags.items() if k != "error"}
        broad = await self._search_v1(SearchQuery(q.service, q.operation, rest, q.min_duration,
                                                  q.max_duration, q.start, q.end, q.limit))
        keep = [s for s in broad.summaries if (s.error_count > 0) == (wanted == "true")]
        return SearchResult(keep, {s.trace_id: broad.raw[s.trace_id] for s in keep}, "v1")

    async def _search_v1(self, q: SearchQuery) -> SearchResult:
        params: list[tuple[str, str]] = [("service", q.service), ("limit", str(q.limit))]
        if q.operation:
            params.append(("operation", q.operation))
        if q.tags:
            params.append(("tags", json.dumps(q.tags, separators=(",", ":"))))
        if q.min_duration is not None:
            params.append(("minDuration", go_duration(q.min_duration)))
        if q.max_duration is not None:
            params.append(("maxDuration", go_duration(q.max_duration)))
        if q.start is not None:
            params.append(("start", str(to_us(q.start))))
        if q.end is not None:
            params.append(("end", str(to_us(q.end))))
        content = await self._fetch("/api/traces", params, "search traces")
        try:
            # read on the loop (500 traces in ~4 ms, :mod:`.search_rows`): a trip to a
            # thread cost about as much in waiting for the thread and then for the loop
            # (a frame often went first); a large answer still goes to a thread
            if len(content) <= BIG_BODY:
                return _decode_v1_search(content)
            return await asyncio.to_thread(_decode_v1_search, content)
        except ValueError as exc:
            if isinstance(exc, TraceFormatError):
                raise JaegerError(f"Jaeger sent a trace of an unexpected shape: {exc}") from None
            if isinstance(exc, _ShapeError):
                raise JaegerError("Jaeger sent search results of an unexpected shape") from None
            raise self._invalid_json("search traces") from exc

    async def _search_v3(self, q: SearchQuery) -> SearchResult:
        if q.start is None or q.end is None:
            raise JaegerError("a v3 search needs a time range")
        params: dict[str, Any] = {
            "query.service_name": q.service, "query.operation_name": q.operation or None,
            "query.start_time_min": q.start.isoformat().replace("+00:00", "Z"),
            "query.start_time_max": q.end.isoformat().replace("+00:00", "Z"),
            "query.num_traces": q.limit,
            "query.duration_min": go_duration(q.min_duration) if q.min_duration else None,
            "query.duration_max": go_duration(q.max_duration) if q.max_duration else None}
        try:
            body = await self._get("/api/v3/traces", params, "search traces")
        except TraceNotFoundError:
            return SearchResult([], {}, "v3")  # v3 answers an empty search with 404
        traces = self._parse_v3(body)
        if q.tags:
            traces = [t for t in traces if any(all(s.tag(k) == v for k, v in q.tags.items())
                                               for s in t.spans)]
        traces.sort(key=lambda t: t.start, reverse=True)
        traces = traces[:q.limit]
        return SearchResult([t.summary() for t in traces], {t.trace_id: t for t in traces},
                            "v3")

    def _parse_v3(self, body: Any) -> list[Trace]:
        try:
            return parse_v3_traces(body)
        except TraceFormatError as exc:
            raise JaegerError(f"Jaeger sent a trace of an unexpected shape: {exc}") from None

    async def trace(self, trace_id: str) -> Trace:
        tid = trace_id.strip().lower()
        if self.api == "auto":
            # no probe first: opening a trace from a log line is one request to Jaeger
            try:
                trace = await self._trace_v1(tid)
            except JaegerError as exc:
                if isinstance(exc, TraceNotFoundError):
                    self.api = "v1"
                if exc.status != 404 or isinstance(exc, TraceNotFoundError |
                                                   JaegerNotFoundError):
                    raise
                self.api = "v3"
            else:
                self.api = "v1"
                return trace
        if self.api == "v3":
            traces = self._parse_v3(await self._get(f"/api/v3/traces/{quote(tid, safe='')}",
                                                    {}, f"get trace {tid}"))
            if not traces:
                raise TraceNotFoundError("trace not found", status=404)
            return traces[0]
        return await self._trace_v1(tid)

    async def trace_off_loop(self, trace_id: str) -> Trace:
        """:meth:`trace`, with the request, the decode and the read all in a thread that
        runs its own event loop on its own connection (see :meth:`off_loop`).

        Why: a 10,000-span answer is ~4 MB; read on the app's loop it arrives in 64 KB
        pieces between the UI's callbacks (composing and painting the pane, the footer's
        re-layout) and took about twice as long as the same request with nothing else
        running. In a thread the socket is read while the UI works."""
        return await self.off_loop(lambda twin: twin.trace(trace_id))

    async def off_loop(self, call: Callable[[JaegerClient], Awaitable[T]]) -> T:
        """``call`` on a twin of this client (:attr:`twin`: the same URL or Service and
        credentials, its own connection) in a thread with its own event loop; without a
        twin, here. The API the twin settles on (v1/v3) is kept."""
        make = self.twin
        if make is None:
            return await call(self)
        api = self.api

        def run() -> tuple[T, str]:
            async def go() -> tuple[T, str]:
                twin = make()
                twin.api = api
                try:
                    return await call(twin), twin.api
                finally:
                    await twin.aclose()

            return asyncio.run(go())

        result, found = await asyncio.to_thread(run)
        if self.api == "auto":
            self.api = found
        return result

    async def _trace_v1(self, tid: str) -> Trace:
        what = f"get trace {tid}"
        content = await self._fetch(f"/api/traces/{quote(tid, safe='')}", {}, what)
        # decode and read in one trip off the event loop: the pane keeps answering keys
        # (and painting its screen) while 10,000 spans are read
        try:
            trace = await asyncio.to_thread(_decode_v1_trace, content)
        except ValueError as exc:
            if isinstance(exc, TraceFormatError):
                raise JaegerError(f"Jaeger sent a trace of an unexpected shape: {exc}") from None
            raise self._invalid_json(what) from exc
        if trace is None:
            raise TraceNotFoundError("trace not found", status=404)
        return trace


class _ShapeError(ValueError):
    """``data`` of a search answer is not a list."""


def _decode_v1_search(content: bytes) -> SearchResult:
    """``/api/traces?...`` bytes -> search rows (no trees built) and the raw traces: read
    straight into rows (:mod:`.search_rows`, about half the time), or -- an answer of
    another shape -- decoded by the app's JSON decoder and summarised from the dicts."""
    fast = read_v1_search(content)
    if fast is not None:
        summaries, raws = fast
        return SearchResult(summaries, {s.trace_id: t for s, t in zip(summaries, raws,
                                                                      strict=True)}, "v1")
    body = decode_json(content)
    data = body.get("data") if isinstance(body, dict) else None
    if data is not None and not isinstance(data, list):
        raise _ShapeError
    summaries = [summarize_v1(t) for t in data or []]
    raw = {s.trace_id: t for s, t in zip(summaries, data or [], strict=True)}
    return SearchResult(summaries, raw, "v1")


def _decode_v1_trace(content: bytes) -> Trace | None:
    """``/api/traces/{id}`` bytes -> the trace (None: Jaeger listed none), its summary
    computed too (the header needs it; here it costs the event loop nothing)."""
    body = decode_json(content)
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list) or not data:
        return None
    trace = parse_v1_trace(data[0])
    trace.summary()
    return trace


# -- discovery -------------------------------------------------------------------------------

QUERY_PORT = 16686
_PORT_NAMES = ("http-query", "query-http", "query", "http-ui", "ui", "frontend")


def _is_jaeger(svc: dict[str, Any]) -> bool:
    meta = svc.get("metadata") or {}
    labels = meta.get("labels") or {}
    name = str(meta.get("name") or "")
    return "jaeger" in name or any("jaeger" in str(labels.get(k) or "") for k in
                                   ("app.kubernetes.io/name", "app.kubernetes.io/instance",
                                    "app", "app.kubernetes.io/part-of"))


def service_port(svc: dict[str, Any]) -> str | int | None:
    """The query port of a Service (by number 16686, else by a query-like name)."""
    ports = [p for p in (svc.get("spec") or {}).get("ports") or [] if isinstance(p, dict)]
    for p in ports:
        if QUERY_PORT in (p.get("port"), p.get("targetPort")):
            return p.get("name") or p.get("port")
    for want in _PORT_NAMES:
        for p in ports:
            if p.get("name") == want:
                return want
    return None


def pick_service(services: Iterable[dict[str, Any]],
                 prefer_namespaces: Iterable[str] = ()) -> ServiceTarget | None:
    """The best Jaeger query Service: preferred namespaces first, a ``*-query`` Service
    before an all-in-one one, a ClusterIP before a headless Service."""
    order = {ns: i for i, ns in enumerate(dict.fromkeys(n for n in prefer_namespaces if n))}
    best: tuple[Any, ...] | None = None
    chosen: ServiceTarget | None = None
    for svc in services:
        if not _is_jaeger(svc):
            continue
        port = service_port(svc)
        if port is None:
            continue
        meta = svc.get("metadata") or {}
        ns, name = str(meta.get("namespace") or ""), str(meta.get("name") or "")
        headless = (svc.get("spec") or {}).get("clusterIP") == "None"
        key = (order.get(ns, len(order)), not name.endswith("-query"), headless, ns, name)
        if best is None or key < best:
            best, chosen = key, ServiceTarget(ns, name, port)
    return chosen


async def discover_service(session: ClusterSession,
                           prefer_namespaces: Iterable[str] = ()) -> ServiceTarget:
    """Find the query Service in the shared Services cache (cluster-wide, then the
    preferred namespaces when listing everywhere is forbidden)."""
    from k8s_essentials_tui.api import SERVICES, ClusterError

    prefer = [*prefer_namespaces, "jaeger", "observability", "tracing"]
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
    hint = "install Jaeger (chart jaegertracing/jaeger) or set jaeger.url / --jaeger-url"
    if last_error is not None:
        raise JaegerNotFoundError(f"cannot look for the Jaeger service: {last_error}",
                                  hint=hint)
    raise JaegerNotFoundError("no Jaeger query service found (a Service with port 16686)",
                              hint=hint)


def _read_secret_file(path: str, key: str) -> str:
    if not path:
        return ""
    try:
        return Path(path).expanduser().read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise JaegerError(f"{key}: cannot read {path}: {exc.strerror}") from exc


def _get(settings: Settings | None, key: str) -> str:
    return str(settings.get(key, "") or "") if settings is not None else ""


def direct_from_settings(settings: Settings | None, url: str = "", timeout: float = 30.0
                         ) -> JaegerClient | None:
    """A direct client when ``url`` (``--jaeger-url``) or ``jaeger.url`` is set."""
    url = url or _get(settings, "jaeger.url")
    if not url:
        return None
    return JaegerClient.direct(
        url, bearer_token=_read_secret_file(_get(settings, "jaeger.bearer_token_file"),
                                            "jaeger.bearer_token_file"),
        username=_get(settings, "jaeger.username"),
        password=_read_secret_file(_get(settings, "jaeger.password_file"),
                                   "jaeger.password_file"),
        api=_get(settings, "jaeger.api") or "auto", timeout=timeout)


async def connect(session: ClusterSession | None, settings: Settings | None = None, *,
                  url: str = "", prefer_namespaces: Iterable[str] = (),
                  timeout: float = 30.0) -> JaegerClient:
    """Direct URL if configured, else the discovered query Service through the apiserver."""
    direct = direct_from_settings(settings, url, timeout)
    if direct is not None:
        return direct
    if session is None:
        raise JaegerNotFoundError("not connected to a cluster and no jaeger.url configured")
    target = await discover_service(session, prefer_namespaces)
    return JaegerClient.via_service(session, target, api=_get(settings, "jaeger.api") or "auto",
                                    timeout=timeout)
