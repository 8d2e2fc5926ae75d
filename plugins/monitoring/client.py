"""Prometheus (HTTP API v1) and Alertmanager (API v2) over httpx: one transport, two clients.

Two ways to reach a server, as for Loki:

* **service proxy** (default): the Service that kube-prometheus-stack (or the standalone
  charts, or the operator's ``*-operated`` Services) created, found in the shared Services
  cache and reached at ``/api/v1/namespaces/NS/services/NAME:PORT/proxy/...`` with the
  kubeconfig's TLS and credentials. A bastion user needs nothing but a kubeconfig (and
  ``get``/``create``/``delete`` on ``services/proxy`` in that namespace).
* **direct URL** from the ``[monitoring]`` settings (``prometheus_url``, ``alertmanager_url``)
  or ``--prometheus-url``/``--alertmanager-url``, with a bearer token or basic auth and a
  tenant header (``X-Scope-OrgID``) for Mimir/Thanos/Cortex-compatible endpoints.

Errors become a :class:`MonitoringError` whose message is the server's own text (a PromQL
parse error reads exactly as Prometheus wrote it), the apiserver's ``Status`` unwrapped.
"""

from __future__ import annotations

import asyncio
import functools
import json
import ssl
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

import httpx

from k8s_essentials_tui.api import EssentialsError, service_proxy_path

from . import model

if TYPE_CHECKING:
    from k8s_essentials_tui.api import ClusterSession, Settings

    from .offloop import OffLoopRun

PROMETHEUS, ALERTMANAGER = "Prometheus", "Alertmanager"
T = TypeVar("T")
SETTINGS = "monitoring"


# -- errors ----------------------------------------------------------------------------------

class MonitoringError(EssentialsError):
    """Prometheus/Alertmanager (or the way to it) refused or failed; ``str()`` is the
    server's message."""

    kind = "monitoring"

    def __init__(self, message: str, *, status: int | None = None, hint: str = "",
                 error_type: str = "") -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.error_type = error_type


class QueryError(MonitoringError):
    """400/422: the request (a PromQL query, a silence) is wrong; the server said why."""

    kind = "monitoring-query"


class ServerNotFoundError(MonitoringError):
    kind = "monitoring-missing"


class ServerUnreachableError(MonitoringError):
    kind = "monitoring-unreachable"


class ServerTimeoutError(MonitoringError):
    kind = "monitoring-timeout"


class ServerAuthError(MonitoringError):
    kind = "monitoring-auth"


# -- where a server is -------------------------------------------------------------------------

@dataclass(frozen=True)
class ServiceTarget:
    namespace: str
    name: str
    port: str | int

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}:{self.port}"


@dataclass
class Endpoint:
    """An httpx client plus the path prefix in front of the server's API."""

    http: httpx.AsyncClient
    prefix: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    extensions: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    owns_http: bool = True
    #: the Service behind the apiserver's proxy (None for a direct URL)
    service: ServiceTarget | None = None
    #: the direct URL ("" through the proxy)
    url: str = ""
    #: builds another client like ``http`` for another event loop (``http`` belongs to the
    #: app's loop; see offloop.py)
    fresh: Callable[[], httpx.AsyncClient] | None = None


def _read_secret_file(path: str, key: str) -> str:
    if not path:
        return ""
    try:
        return Path(path).expanduser().read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise MonitoringError(f"{SETTINGS}.{key}: cannot read {path}: {exc.strerror}") from exc


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context for every direct client: building one loads the system CA
    bundle (0.2-0.5 s here), and the pane makes two clients per connection."""
    return ssl.create_default_context()


def direct_endpoint(url: str, *, tenant: str = "", bearer_token: str = "", username: str = "",
                    password: str = "", timeout: float = 30.0) -> Endpoint:
    """An endpoint for a URL (``http://prom.example:9090``; a path prefix such as Mimir's
    ``/prometheus`` is kept)."""
    url = url.rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise MonitoringError(f"URL {url!r} must start with http:// or https://")
    parsed = httpx.URL(url)
    prefix = parsed.path.rstrip("/") if parsed.path not in ("", "/") else ""
    base = str(parsed.copy_with(path="/", query=None))
    headers = {"User-Agent": "k8s-essentials-tui"}
    auth: httpx.Auth | None = None
    if bearer_token:
        headers["Authorization"] = f"Bearer {bearer_token}"
    elif username:
        auth = httpx.BasicAuth(username, password)
    extra = {"X-Scope-OrgID": tenant} if tenant else {}

    def make() -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=base, headers=headers, auth=auth, trust_env=True,
                                 verify=_tls_context(),
                                 timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)))

    return Endpoint(make(), prefix, extra, {}, url, owns_http=True, url=url, fresh=make)


def proxy_endpoint(session: ClusterSession, target: ServiceTarget, *, tenant: str = ""
                   ) -> Endpoint:
    """An endpoint through the apiserver's service proxy, sharing the session's client."""
    kube = session.client
    prefix = service_proxy_path(target.namespace, target.name, target.port).rstrip("/")
    ext: dict[str, Any] = {}
    if kube.settings.tls_server_name:
        ext["sni_hostname"] = kube.settings.tls_server_name

    def make() -> httpx.AsyncClient:
        from k8s_essentials_tui.api import KubeClient

        return KubeClient(kube.settings).http  # the kubeconfig's TLS and credentials

    return Endpoint(kube.http, prefix, {"X-Scope-OrgID": tenant} if tenant else {}, ext,
                    f"service {target} through the apiserver", owns_http=False,
                    service=target, fresh=make)


# -- the transport -----------------------------------------------------------------------------

class _Client:
    server = ""

    def __init__(self, endpoint: Endpoint, timeout: float = 30.0) -> None:
        self.endpoint = endpoint
        self.timeout = timeout

    @property
    def description(self) -> str:
        return self.endpoint.description

    async def aclose(self) -> None:
        if self.endpoint.owns_http:
            await self.endpoint.http.aclose()

    async def send(self, method: str, path: str, what: str, *,
                   params: dict[str, Any] | None = None, form: dict[str, Any] | None = None,
                   json_body: Any = None) -> httpx.Response:
        """One call; the successful response (not decoded), or a :class:`MonitoringError`."""
        ep = self.endpoint
        kwargs: dict[str, Any] = {"headers": ep.headers, "timeout": self.timeout,
                                  "extensions": ep.extensions or None}
        if params:
            kwargs["params"] = {k: v for k, v in params.items() if v not in (None, "")}
        if form is not None:
            kwargs["data"] = {k: v for k, v in form.items() if v not in (None, "")}
        if json_body is not None:
            kwargs["json"] = json_body
        try:
            resp = await ep.http.request(method, f"{ep.prefix}{path}", **kwargs)
        except httpx.TimeoutException as exc:
            raise ServerTimeoutError(f"{self.server} did not answer in {self.timeout:g}s "
                                     f"({what})", status=504) from exc
        except (httpx.TransportError, OSError, ssl.SSLError) as exc:
            first = (str(exc) or type(exc).__name__).splitlines()[0]
            raise ServerUnreachableError(
                f"cannot reach {self.server} at {self.description}: {first}") from exc
        if resp.status_code >= 400:
            raise self.error_from(resp.status_code, resp.headers.get("content-type", ""),
                                  resp.text, what)
        return resp

    def decode(self, content: bytes, what: str) -> Any:
        """The JSON of an answer (None for an empty one)."""
        if not content:
            return None
        try:
            return json.loads(content)
        except ValueError as exc:
            raise MonitoringError(f"{what}: {self.server} sent invalid JSON (is "
                                  f"{self.description} really {self.server}?)") from exc

    async def request(self, method: str, path: str, what: str, *,
                      params: dict[str, Any] | None = None, form: dict[str, Any] | None = None,
                      json_body: Any = None) -> Any:
        """One call; the decoded JSON answer, or a :class:`MonitoringError`."""
        resp = await self.send(method, path, what, params=params, form=form,
                               json_body=json_body)
        return self.decode(resp.content, what)

    def error_from(self, status: int, content_type: str, text: str, what: str
                   ) -> MonitoringError:
        """The server's own message: Prometheus's ``error``, Alertmanager's ``message`` or
        plain text, or the apiserver's ``Status.message``."""
        message, error_type, from_apiserver = text.strip(), "", False
        try:
            body = json.loads(text) if text.strip()[:1] in ("{", '"', "[") else None
        except ValueError:
            body = None
        if isinstance(body, dict):
            if body.get("kind") == "Status":
                message, from_apiserver = str(body.get("message") or "").strip(), True
            elif body.get("error"):
                message, error_type = str(body["error"]), str(body.get("errorType") or "")
            elif body.get("message"):
                message = str(body["message"])
        elif isinstance(body, str):
            message = body
        message = message.splitlines()[0][:500] if message else f"HTTP {status}"
        via_proxy = self.endpoint.service is not None
        if from_apiserver and status in (404, 503):
            return ServerNotFoundError(
                f"{self.server} at {self.description} is not there: {message}", status=status,
                hint=f"is {self.server} running? set {SETTINGS}.{self.server.lower()}_url "
                     "to use a direct URL")
        if status in (401, 403):
            return ServerAuthError(
                f"not allowed to {what}: {message}", status=status,
                hint="the service proxy needs services/proxy in that namespace" if via_proxy
                else f"check the {SETTINGS} token/basic-auth/tenant settings")
        if status in (400, 422):
            return QueryError(message, status=status, error_type=error_type)
        if status in (503, 504) and error_type == "timeout":
            return ServerTimeoutError(message, status=status, error_type=error_type)
        return MonitoringError(f"{self.server} HTTP {status} ({what}): {message}",
                               status=status, error_type=error_type)


# -- Prometheus ----------------------------------------------------------------------------------

class PrometheusClient(_Client):
    server = PROMETHEUS

    async def query(self, query: str, *, time: datetime | None = None) -> model.QueryResult:
        form = {"query": query, "time": _ts(time) if time else None}
        # POST form like Grafana: long queries do not hit URL length limits
        body = await self.request("POST", "/api/v1/query", "run the query", form=form)
        return _parsed(model.parse_query, body, self.server)

    async def query_range(self, query: str, *, start: datetime, end: datetime,
                          step: float) -> model.QueryResult:
        form = {"query": query, "start": _ts(start), "end": _ts(end), "step": f"{step:g}"}
        what = "run the range query"
        content = (await self.send("POST", "/api/v1/query_range", what, form=form)).content
        fast = model.parse_range_json(content)
        if fast is not None:
            return fast
        return _parsed(model.parse_query, self.decode(content, what), self.server)

    async def targets(self) -> list[model.Target]:
        body = await self.request("GET", "/api/v1/targets", "list targets",
                                  params={"state": "active"})
        return _parsed(model.parse_targets, body, self.server)

    async def rules(self) -> list[model.Rule]:
        body = await self.request("GET", "/api/v1/rules", "list rules")
        return _parsed(model.parse_rules, body, self.server)

    async def status(self) -> model.ServerStatus:
        build = await self.request("GET", "/api/v1/status/buildinfo", "read the build info")
        try:
            tsdb = await self.request("GET", "/api/v1/status/tsdb", "read the TSDB status")
        except QueryError:
            tsdb = None  # Thanos/Mimir do not serve it
        return _parsed(lambda _b: model.parse_status(build, tsdb), None, self.server)

    async def metric_names(self) -> list[str]:
        return await self.label_values("__name__")

    async def label_names(self, match: str = "") -> list[str]:
        body = await self.request("GET", "/api/v1/labels", "list label names",
                                  params={"match[]": match or None})
        return _parsed(model.parse_names, body, self.server)

    async def label_values(self, name: str, match: str = "") -> list[str]:
        body = await self.request("GET", f"/api/v1/label/{quote(name, safe='')}/values",
                                  f"list values of {name}", params={"match[]": match or None})
        return _parsed(model.parse_names, body, self.server)


# -- Alertmanager ---------------------------------------------------------------------------------

class AlertmanagerClient(_Client):
    server = ALERTMANAGER

    async def alerts(self, *, active: bool = True, silenced: bool = True,
                     inhibited: bool = True, filters: Iterable[str] = ()) -> list[model.Alert]:
        resp = await self.send("GET", "/api/v2/alerts", "list alerts",
                               params=_alert_params(active, silenced, inhibited, filters))
        return self._alerts_of(resp.content)

    async def alert_groups(self, *, thread_bytes: int = 0
                           ) -> tuple[list[model.Alert], list[model.AlertGroup]]:
        """All alerts and their groups. An answer larger than ``thread_bytes`` (when > 0) is
        decoded, parsed and grouped in a worker thread: a TUI's event loop keeps painting
        while 2,000 alerts (~1 MB of JSON) turn into objects."""
        content = await self._alerts_content()
        if thread_bytes and len(content) > thread_bytes:
            return await asyncio.to_thread(self._alert_groups_of, content)
        return self._alert_groups_of(content)

    async def alert_groups_off_loop(
            self, then: Callable[[list[model.AlertGroup]], T]
    ) -> tuple[list[model.Alert], list[model.AlertGroup], T]:
        """:meth:`alert_groups` with the request, the reads of the answer, its decoding,
        parsing and grouping -- and ``then(groups)``, what the caller makes of them (the
        pane's table rows) -- on a private event loop in a thread, over a new connection
        (``Endpoint.fresh``). Why: while the pane's screen is composed and painted, 1 MB
        read on the app's loop arrives 5-8x later than alone (offloop.py)."""
        run = self.start_alert_groups(then)
        if run is None:
            alerts, groups = await self.alert_groups(thread_bytes=1)
            return alerts, groups, then(groups)
        return await run.wait()

    def start_alert_groups(self, then: Callable[[list[model.AlertGroup]], T]
                           ) -> OffLoopRun[tuple[list[model.Alert], list[model.AlertGroup], T]] \
            | None:
        """:meth:`alert_groups_off_loop` started now, before the caller's next ``await``
        (``await run.wait()`` for its result); None when the endpoint cannot make a client
        for another loop (then use :meth:`alert_groups_off_loop`)."""
        fresh = self.endpoint.fresh
        if fresh is None:
            return None
        from .offloop import start_off_loop

        async def job() -> tuple[list[model.Alert], list[model.AlertGroup], T]:
            own = AlertmanagerClient(replace(self.endpoint, http=fresh(), owns_http=True),
                                     self.timeout)
            try:
                alerts, groups = own._alert_groups_of(await own._alerts_content())
            finally:
                await own.aclose()
            return alerts, groups, then(groups)

        return start_off_loop(job, "monitoring-alerts")

    async def _alerts_content(self) -> bytes:
        resp = await self.send("GET", "/api/v2/alerts", "list alerts",
                               params=_alert_params(True, True, True, ()))
        return resp.content

    def _alerts_of(self, content: bytes) -> list[model.Alert]:
        alerts = model.parse_alerts_json(content)
        if alerts is None:  # not the spec's exact shape: the checking parser says what
            alerts = _parsed(model.parse_alerts, self.decode(content, "list alerts"),
                             self.server)
        return alerts

    def _alert_groups_of(self, content: bytes
                         ) -> tuple[list[model.Alert], list[model.AlertGroup]]:
        alerts = self._alerts_of(content)
        return alerts, model.group_alerts(alerts)

    async def silences(self) -> list[model.Silence]:
        body = await self.request("GET", "/api/v2/silences", "list silences")
        return _parsed(model.parse_silences, body, self.server)

    async def create_silence(self, matchers: Iterable[model.Matcher], *, starts_at: datetime,
                             ends_at: datetime, created_by: str, comment: str) -> str:
        body = await self.request("POST", "/api/v2/silences", "create the silence", json_body={
            "matchers": [m.as_json() for m in matchers],
            "startsAt": model.format_time(starts_at), "endsAt": model.format_time(ends_at),
            "createdBy": created_by, "comment": comment})
        if not isinstance(body, dict) or not body.get("silenceID"):
            raise MonitoringError(f"{self.server} did not return a silence id: "
                                  f"{str(body)[:200]}")
        return str(body["silenceID"])

    async def expire_silence(self, silence_id: str) -> None:
        await self.request("DELETE", f"/api/v2/silence/{quote(silence_id, safe='')}",
                           f"expire silence {silence_id}")


def _alert_params(active: bool, silenced: bool, inhibited: bool, filters: Iterable[str]
                  ) -> dict[str, Any]:
    params: dict[str, Any] = {"active": _b(active), "silenced": _b(silenced),
                              "inhibited": _b(inhibited)}
    flist = list(filters)
    if flist:
        params["filter"] = flist
    return params


def _b(value: bool) -> str:
    return "true" if value else "false"


def _ts(dt: datetime) -> str:
    return f"{dt.timestamp():.3f}"


def _parsed(parse: Any, body: Any, server: str) -> Any:
    try:
        return parse(body)
    except (model.ShapeError, TypeError, ValueError, KeyError) as exc:
        raise MonitoringError(f"{server} sent an answer of an unexpected shape ({exc}); is "
                              f"this a {server} endpoint?") from None


# -- discovery ----------------------------------------------------------------------------------

#: what is not the server although its name says "prometheus"/"alertmanager"
_NOT_SERVER = ("operator", "node-exporter", "kube-state-metrics", "pushgateway", "adapter",
               "blackbox", "grafana", "kubelet", "coredns", "kube-proxy", "etcd", "thanos-sidecar",
               "config-reloader")
_PORTS = {PROMETHEUS: ("http-web", "web", "http"), ALERTMANAGER: ("http-web", "web", "http")}
_PORT_NUMBERS = {PROMETHEUS: (9090, 80), ALERTMANAGER: (9093, 80)}


def service_rank(server: str, svc: dict[str, Any]) -> int | None:
    """How well a Service fits ``server`` (lower is better; None: not it)."""
    meta = svc.get("metadata") or {}
    name = str(meta.get("name") or "")
    labels = meta.get("labels") or {}
    word = server.lower()
    app = f"{labels.get('app.kubernetes.io/name', '')} {labels.get('app', '')}"
    if word not in name and word not in app:
        return None
    if any(n in name for n in _NOT_SERVER):
        return None
    if server == PROMETHEUS and "alertmanager" in name:
        return None
    headless = (svc.get("spec") or {}).get("clusterIP") == "None"
    if name.endswith(f"-{word}"):  # kube-prometheus-stack-prometheus
        rank = 0
    elif name == f"{word}-server" or name.endswith(f"{word}-server"):  # standalone chart
        rank = 1
    elif name == word:
        rank = 2
    elif name == f"{word}-operated":
        rank = 4
    else:
        rank = 3
    return rank + (5 if headless else 0)


def service_port(server: str, svc: dict[str, Any]) -> str | int | None:
    ports = (svc.get("spec") or {}).get("ports") or []
    for want in _PORTS[server]:
        for p in ports:
            if p.get("name") == want:
                return str(want)
    for number in _PORT_NUMBERS[server]:
        for p in ports:
            if p.get("port") == number:
                return p.get("name") or number
    return None


def pick_service(server: str, services: Iterable[dict[str, Any]],
                 prefer_namespaces: Iterable[str] = ()) -> ServiceTarget | None:
    order = {ns: i for i, ns in enumerate(dict.fromkeys(n for n in prefer_namespaces if n))}
    best: tuple[Any, ...] | None = None
    chosen: ServiceTarget | None = None
    for svc in services:
        rank = service_rank(server, svc)
        port = service_port(server, svc) if rank is not None else None
        if rank is None or port is None:
            continue
        meta = svc.get("metadata") or {}
        ns, name = str(meta.get("namespace") or ""), str(meta.get("name") or "")
        key = (order.get(ns, len(order)), rank, ns, name)
        if best is None or key < best:
            best, chosen = key, ServiceTarget(ns, name, port)
    return chosen


async def discover(session: ClusterSession, server: str,
                   prefer_namespaces: Iterable[str] = ()) -> ServiceTarget:
    """Find ``server``'s Service in the shared Services cache (cluster-wide; the preferred
    namespaces when listing cluster-wide is forbidden)."""
    from k8s_essentials_tui.api import SERVICES, ClusterError

    prefer = [*prefer_namespaces, "monitoring"]
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
        target = pick_service(server, cache.items(), prefer)
        if target is not None:
            return target
        if scope is None:
            break
    flag = f"--{server.lower()}-url"
    hint = f"install kube-prometheus-stack or set {SETTINGS}.{server.lower()}_url / {flag}"
    if last_error is not None:
        raise ServerNotFoundError(f"cannot look for the {server} service: {last_error}",
                                  hint=hint)
    raise ServerNotFoundError(f"no {server} service found", hint=hint)


def _setting(settings: Settings | None, key: str) -> str:
    if settings is None:
        return ""
    return str(settings.get(f"{SETTINGS}.{key}", "") or "")


def direct_from_settings(settings: Settings | None, server: str, url: str = "",
                         timeout: float = 30.0) -> Endpoint | None:
    """A direct endpoint when ``url`` (the ``--…-url`` flag) or the setting is set."""
    url = url or _setting(settings, f"{server.lower()}_url")
    if not url:
        return None
    return direct_endpoint(
        url, tenant=_setting(settings, "tenant"),
        bearer_token=_read_secret_file(_setting(settings, "bearer_token_file"),
                                       "bearer_token_file"),
        username=_setting(settings, "username"),
        password=_read_secret_file(_setting(settings, "password_file"), "password_file"),
        timeout=timeout)


def endpoint_now(server: str, session: ClusterSession | None,
                 settings: Settings | None = None, *, prefer_namespaces: Iterable[str] = (),
                 timeout: float = 30.0) -> Endpoint | None:
    """:func:`endpoint_for` when it needs no wait: the direct URL of the settings, or the
    Service found in a Services cache synced already (the board's); None when finding the
    server would wait (or fail: :func:`endpoint_for` then says why). Why: the monitoring
    pane starts its first request while its screen is still being composed, where nothing
    can be awaited."""
    direct = direct_from_settings(settings, server, "", timeout)
    if direct is not None:
        return direct
    if session is None:
        return None
    from k8s_essentials_tui.api import SERVICES

    cache = session.cache(SERVICES, None)
    if not cache.synced:
        return None
    target = pick_service(server, cache.items(), [*prefer_namespaces, "monitoring"])
    if target is None:
        return None
    return proxy_endpoint(session, target, tenant=_setting(settings, "tenant"))


async def endpoint_for(server: str, session: ClusterSession | None,
                       settings: Settings | None = None, *, url: str = "",
                       prefer_namespaces: Iterable[str] = (), timeout: float = 30.0
                       ) -> Endpoint:
    direct = direct_from_settings(settings, server, url, timeout)
    if direct is not None:
        return direct
    if session is None:
        raise ServerNotFoundError(f"not connected to a cluster and no {server} URL set")
    target = await discover(session, server, prefer_namespaces)
    return proxy_endpoint(session, target, tenant=_setting(settings, "tenant"))


async def connect_prometheus(session: ClusterSession | None, settings: Settings | None = None,
                             *, url: str = "", prefer_namespaces: Iterable[str] = (),
                             timeout: float = 30.0) -> PrometheusClient:
    ep = await endpoint_for(PROMETHEUS, session, settings, url=url,
                            prefer_namespaces=prefer_namespaces, timeout=timeout)
    return PrometheusClient(ep, timeout)


def connect_alertmanager_now(session: ClusterSession | None, settings: Settings | None = None,
                             *, prefer_namespaces: Iterable[str] = (), timeout: float = 30.0
                             ) -> AlertmanagerClient | None:
    """:func:`connect_alertmanager` without waiting (see :func:`endpoint_now`), else None."""
    ep = endpoint_now(ALERTMANAGER, session, settings, prefer_namespaces=prefer_namespaces,
                      timeout=timeout)
    return AlertmanagerClient(ep, timeout) if ep is not None else None


async def connect_alertmanager(session: ClusterSession | None, settings: Settings | None = None,
                               *, url: str = "", prefer_namespaces: Iterable[str] = (),
                               timeout: float = 30.0) -> AlertmanagerClient:
    ep = await endpoint_for(ALERTMANAGER, session, settings, url=url,
                            prefer_namespaces=prefer_namespaces, timeout=timeout)
    return AlertmanagerClient(ep, timeout)
