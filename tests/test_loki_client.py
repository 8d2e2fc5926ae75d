"""The Loki client against the fake Loki over real HTTP/websocket (direct-URL transport),
plus the pure parts: service choice, response parsing, detection."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from k8s_essentials_tui.detection.snapshot import ClusterSnapshot
from k8s_essentials_tui.plugins.loki import PLUGIN, client
from k8s_essentials_tui.plugins.loki.client import (
    LokiAuthError,
    LokiClient,
    LokiError,
    LokiQueryError,
    LokiTimeoutError,
    LokiUnreachableError,
    TailBatch,
)
from k8s_essentials_tui.plugins.loki.logql import to_ns
from testkit.fake_loki import FakeLoki, FakeLokiServer

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SHOP = {"namespace": "shop", "app": "checkout", "pod": "checkout-0"}
PAY = {"namespace": "payments", "app": "ledger", "pod": "ledger-0"}


def ns(seconds_ago: float) -> int:
    return to_ns(NOW) - int(seconds_ago * 1e9)


@pytest.fixture
def fake() -> Iterator[FakeLoki]:
    loki = FakeLoki(clock=lambda: NOW.timestamp())
    loki.add(SHOP, [(ns(i), f"GET /cart {i}" + (" ERROR" if i % 10 == 0 else ""))
                    for i in range(1, 301)])
    loki.add(PAY, [(ns(i * 60), f"booked txn={i}") for i in range(1, 30)])
    yield loki


@pytest.fixture
def server(fake: FakeLoki) -> Iterator[FakeLokiServer]:
    with FakeLokiServer(fake).start() as srv:
        yield srv


async def test_query_range_streams_newest_first(server: FakeLokiServer) -> None:
    c = LokiClient.direct(server.url)
    try:
        r = await c.query_range('{app="checkout"} |= "ERROR"', start=NOW - timedelta(minutes=5),
                                end=NOW, limit=3)
    finally:
        await c.aclose()
    assert r.kind == "streams"
    assert [e.line for e in r.entries] == ["GET /cart 10 ERROR", "GET /cart 20 ERROR",
                                           "GET /cart 30 ERROR"]
    assert r.entries[0].labels == SHOP
    assert r.entries[0].time == NOW - timedelta(seconds=10)
    assert r.as_json()["entries"][0]["line"] == "GET /cart 10 ERROR"


async def test_forward_direction_and_limit(server: FakeLokiServer) -> None:
    c = LokiClient.direct(server.url)
    r = await c.query_range('{namespace=~".+"}', start=NOW - timedelta(seconds=61), end=NOW,
                            limit=3, direction="forward")
    await c.aclose()
    assert r.entries[0].line == "GET /cart 61"
    assert {e.line for e in r.entries[1:]} == {"booked txn=1", "GET /cart 60 ERROR"}
    assert [e.ts for e in r.entries] == sorted(e.ts for e in r.entries)


async def test_metric_query_is_a_matrix(server: FakeLokiServer) -> None:
    c = LokiClient.direct(server.url)
    r = await c.query_range('sum by (namespace) (count_over_time({namespace=~".+"}[1m]))',
                            start=NOW - timedelta(minutes=3), end=NOW, step="60s")
    await c.aclose()
    assert r.kind == "matrix"
    names = {s.metric.get("namespace"): s for s in r.series}
    assert set(names) == {"shop", "payments"}
    assert names["shop"].points[-1] == (NOW.timestamp(), 59.0)  # window (t-1m, t]


async def test_labels_values_and_series_scoped(server: FakeLokiServer) -> None:
    c = LokiClient.direct(server.url)
    start, end = NOW - timedelta(hours=1), NOW
    assert await c.labels(start=start, end=end) == ["app", "namespace", "pod"]
    assert await c.label_values("app", start=start, end=end) == ["checkout", "ledger"]
    assert await c.label_values("app", start=start, end=end,
                                query='{namespace="payments"}') == ["ledger"]
    # the time range scopes the answer: ledger's lines are minutes apart, none in the last 30s
    assert await c.label_values("app", start=NOW - timedelta(seconds=30), end=end) == [
        "checkout"]
    assert await c.series(['{app="ledger"}'], start=start, end=end) == [PAY]
    await c.aclose()


async def test_plain_text_400_keeps_lokis_message(server: FakeLokiServer) -> None:
    c = LokiClient.direct(server.url)
    with pytest.raises(LokiQueryError) as info:
        await c.query_range('{app="checkout"', start=NOW - timedelta(minutes=5), end=NOW)
    assert str(info.value) == ("parse error at line 1, col 16: syntax error: unexpected $end, "
                               "expecting }")
    with pytest.raises(LokiQueryError, match="at least one regexp or equality matcher"):
        await c.query_range("{}", start=NOW - timedelta(minutes=5), end=NOW)
    with pytest.raises(LokiQueryError, match="not supported as an instant query"):
        await c.query('{app="checkout"}', time=NOW)
    await c.aclose()


async def test_5xx_timeout_and_unreachable(server: FakeLokiServer, fake: FakeLoki) -> None:
    c = LokiClient.direct(server.url)
    fake.fail_next(500, "rpc error: code = Unavailable desc = no ingesters")
    with pytest.raises(LokiError, match=r"HTTP 500.*no ingesters"):
        await c.query_range('{app="checkout"}', start=NOW - timedelta(minutes=5), end=NOW)
    fake.fail_next(504, "context deadline exceeded")
    with pytest.raises(LokiTimeoutError, match="deadline"):
        await c.query_range('{app="checkout"}', start=NOW - timedelta(minutes=5), end=NOW)
    await c.aclose()
    slow = LokiClient.direct(server.url, timeout=0.3)
    fake.fail_next(500, "late", delay=2)
    with pytest.raises(LokiTimeoutError, match="did not answer"):
        await slow.query_range('{app="checkout"}', start=NOW - timedelta(minutes=5), end=NOW)
    await slow.aclose()
    gone = LokiClient.direct("http://127.0.0.1:9")
    with pytest.raises(LokiUnreachableError, match="cannot reach Loki"):
        await gone.labels()
    await gone.aclose()


async def test_tenant_header_and_auth(fake: FakeLoki, tmp_path) -> None:  # type: ignore[no-untyped-def]
    fake.tenant = "team-a"
    with FakeLokiServer(fake).start() as srv:
        anon = LokiClient.direct(srv.url)
        with pytest.raises(LokiAuthError, match="no org id"):
            await anon.labels()
        await anon.aclose()
        token = tmp_path / "token"
        token.write_text("s3cret\n")
        from k8s_essentials_tui.settings import parse_settings

        settings = parse_settings({"loki": {"url": srv.url, "tenant": "team-a",
                                            "bearer_token_file": str(token)}})
        c = client.direct_from_settings(settings)
        assert c is not None
        assert await c.labels() == ["app", "namespace", "pod"]
        await c.aclose()
    headers = fake.requests[-1][3]
    assert headers["x-scope-orgid"] == "team-a"
    assert headers["authorization"] == "Bearer s3cret"


async def test_tail_streams_history_new_lines_and_dropped(server: FakeLokiServer,
                                                          fake: FakeLoki) -> None:
    c = LokiClient.direct(server.url)
    batches: list[TailBatch] = []
    got = asyncio.Event()

    def on_batch(b: TailBatch) -> None:
        batches.append(b)
        got.set()

    task = asyncio.create_task(c.tail('{app="checkout"} |= "ERROR"', on_batch,
                                      start=NOW - timedelta(seconds=25)))
    await asyncio.wait_for(got.wait(), 10)
    assert [e.line for e in batches[0].entries] == ["GET /cart 20 ERROR", "GET /cart 10 ERROR"]
    got.clear()
    while fake.tail_count == 0:
        await asyncio.sleep(0.01)
    fake.add(SHOP, [(ns(-1), "POST /pay ERROR"), (ns(-2), "POST /pay ok")])
    await asyncio.wait_for(got.wait(), 10)
    assert [e.line for e in batches[-1].entries] == ["POST /pay ERROR"]
    got.clear()
    fake.report_dropped(SHOP, [ns(-3), ns(-4)])
    await asyncio.wait_for(got.wait(), 10)
    assert batches[-1].dropped == 2 and batches[-1].entries == []
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert c.tail_mode == "websocket"
    await c.aclose()


async def test_tail_refused_with_lokis_message(server: FakeLokiServer) -> None:
    c = LokiClient.direct(server.url)
    with pytest.raises(LokiQueryError, match="col 6"):
        await c.tail('{app=', lambda b: None)
    await c.aclose()


async def test_tail_polling_follows_without_repeats(server: FakeLokiServer,
                                                    fake: FakeLoki) -> None:
    c = LokiClient.direct(server.url)
    seen: list[str] = []
    task = asyncio.create_task(c.tail_polling('{app="ledger"}', lambda b: seen.extend(
        e.line for e in b.entries), start=NOW - timedelta(minutes=3), interval=0.05))
    while len(seen) < 3:
        await asyncio.sleep(0.02)
    fake.clock = lambda: NOW.timestamp() + 10
    fake.add(PAY, [(ns(-5), "booked txn=new")])
    while "booked txn=new" not in seen:
        await asyncio.sleep(0.02)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await c.aclose()
    assert seen == ["booked txn=3", "booked txn=2", "booked txn=1", "booked txn=new"]
    assert len(seen) == len(set(seen))


def test_direct_url_validation() -> None:
    with pytest.raises(LokiError, match="http:// or https://"):
        LokiClient.direct("loki:3100")
    c = LokiClient.direct("https://logs.example/loki-tenant/")
    assert c.endpoint.prefix == "/loki-tenant"
    assert c._url("labels") == "/loki-tenant/loki/api/v1/labels"


def svc(name: str, ns: str = "loki", comp: str = "", ports=None, **spec) -> dict:  # type: ignore[no-untyped-def]
    labels = {"app.kubernetes.io/name": "loki", "app.kubernetes.io/instance": "loki"}
    if comp:
        labels["app.kubernetes.io/component"] = comp
    return {"metadata": {"name": name, "namespace": ns, "labels": labels},
            "spec": {"ports": ports or [{"name": "http-metrics", "port": 3100},
                                        {"name": "grpc", "port": 9095}], **spec}}


def test_pick_service_prefers_gateway_and_namespace() -> None:
    services = [
        svc("loki", comp="single-binary"),
        svc("loki-headless", clusterIP="None"),
        svc("loki-memberlist"),
        svc("loki-gateway", comp="gateway", ports=[{"name": "http-metrics", "port": 80}]),
        svc("loki-chunks-cache", comp="memcached-chunks-cache"),
        svc("loki-read", ns="other", comp="read"),
        {"metadata": {"name": "web", "namespace": "loki"}, "spec": {"ports": [{"port": 80}]}},
    ]
    t = client.pick_service(services)
    assert (t.namespace, t.name, t.port) == ("loki", "loki-gateway", "http-metrics")
    t = client.pick_service(services, ["other"])
    assert (t.namespace, t.name) == ("other", "loki-read")
    t = client.pick_service([svc("loki", comp="single-binary")])
    assert t is not None and t.component == "single-binary"
    assert client.pick_service([svc("loki-headless", clusterIP="None")]) is None
    assert client.pick_service([svc("logs-query-frontend", comp="query-frontend")]).name == \
        "logs-query-frontend"


def test_apiserver_status_errors_are_unwrapped() -> None:
    c = LokiClient.direct("http://x")
    status = '{"kind":"Status","message":"services \\"loki\\" not found","code":404}'
    err = c.error_from(404, "application/json", status, "list labels")
    assert isinstance(err, client.LokiNotFoundError) and "not found" in str(err)
    err = c.error_from(503, "application/json",
                       '{"kind":"Status","message":"no endpoints available"}', "q")
    assert "no endpoints available" in str(err)


def test_detect_by_chart_labels() -> None:
    def wl(kind: str, name: str, ready: int) -> dict:
        return {"kind": kind, "metadata": {"name": name, "namespace": "loki", "labels": {
            "app.kubernetes.io/name": "loki"}},
            "spec": {"replicas": 1, "template": {"spec": {"containers": [
                {"image": "docker.io/grafana/loki:3.5.0"}]}}},
            "status": {"readyReplicas": ready}}

    det = PLUGIN.detect(ClusterSnapshot(workloads=[wl("StatefulSet", "loki", 1),
                                                   wl("Deployment", "loki-gateway", 1)]))
    assert det.installed is True and det.healthy is True and det.version == "3.5.0"
    assert det.details["gateway"] is True
    det = PLUGIN.detect(ClusterSnapshot(workloads=[wl("StatefulSet", "loki", 0)]))
    assert det.healthy is False and "0/1 ready" in det.problems[0]
    assert PLUGIN.detect(ClusterSnapshot()).installed is False
    assert PLUGIN.chart is not None and PLUGIN.chart.version == "6.55.0"
