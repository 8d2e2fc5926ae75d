"""Loki end to end: the fake Loki reached through the REAL apiserver's service proxy.

The apiserver refuses to proxy to loopback, so the fake listens inside a network namespace
on its own veth address (testkit/netns.py) and a selector-less Service + Endpoints +
EndpointSlice (with a placeholder Pod carrying the IP) point at it. Where network namespaces
cannot be created this FAILS -- it must not silently skip in CI.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from k8s_essentials_tui.cli import main
from k8s_essentials_tui.kube.session import ClusterSession, ConnectOptions
from k8s_essentials_tui.plugins.loki.client import (
    LokiAuthError,
    LokiNotFoundError,
    LokiQueryError,
    TailBatch,
    connect,
)
from testkit.fake_loki import FakeLoki, FakeLokiServer
from testkit.netns import NetnsUnavailable, VethNamespace, expose_in_cluster

pytestmark = pytest.mark.e2e
SHOP = {"namespace": "shop", "app": "checkout", "pod": "checkout-0"}
GATEWAY_LABELS = {"app.kubernetes.io/name": "loki", "app.kubernetes.io/component": "gateway",
                  "app.kubernetes.io/instance": "loki"}


@pytest.fixture(scope="module")
def veth() -> Iterator[VethNamespace]:
    ns = VethNamespace()
    try:
        ns.create()
    except NetnsUnavailable as exc:
        pytest.fail(f"the service-proxy e2e needs a network namespace: {exc}", pytrace=False)
    yield ns
    ns.remove()


@pytest.fixture(scope="module")
def proxied(veth: VethNamespace) -> Iterator[FakeLokiServer]:
    with FakeLokiServer(FakeLoki()).start(sock=veth.listen(3100)) as srv:
        yield srv


@pytest.fixture
def fake(proxied: FakeLokiServer) -> FakeLoki:
    loki = proxied.loki
    loki.streams.clear()
    loki.requests.clear()
    loki.tenant = None
    now = time.time_ns()
    loki.add(SHOP, [(now - i * 10**9, f"GET /cart {i}" + (" ERROR" if i % 10 == 0 else ""))
                    for i in range(1, 121)])
    loki.add({"namespace": "payments", "app": "ledger"}, [(now - 5 * 10**9, "booked txn=1")])
    return loki


@pytest.fixture
def loki_ns(kube_admin, namespace: str, veth: VethNamespace, proxied: FakeLokiServer) -> str:  # type: ignore[no-untyped-def]
    expose_in_cluster(kube_admin, namespace, "loki-gateway", veth.inner_ip, proxied.port,
                      service_port=80, port_name="http-metrics", labels=GATEWAY_LABELS)
    return namespace


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_headless_query_through_the_service_proxy(fake: FakeLoki, loki_ns: str, kubeconfig: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = _cli(capsys, "loki", '{app="checkout"} |= "ERROR"', "--since", "1h",
                        "--limit", "3", "--kubeconfig", kubeconfig, "-n", loki_ns,
                        "-o", "json")
    assert rc == 0, err
    doc = json.loads(out)
    assert [e["line"] for e in doc["entries"]] == ["GET /cart 10 ERROR", "GET /cart 20 ERROR",
                                                   "GET /cart 30 ERROR"]
    assert doc["entries"][0]["labels"] == SHOP
    # it really went through the apiserver: the fake saw the proxied request
    assert any(p == "/loki/api/v1/query_range" for _m, p, _q, _h in fake.requests)
    rc, out, err = _cli(capsys, "loki", '{app="checkout"}', "--limit", "2",
                        "--kubeconfig", kubeconfig, "-n", loki_ns)
    assert rc == 0, err
    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[0].endswith('{app="checkout", namespace="shop", pod="checkout-0"} GET /cart 1')


def test_headless_error_is_lokis_message_exit_2(fake: FakeLoki, loki_ns: str, kubeconfig: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = _cli(capsys, "loki", '{app="checkout"', "--kubeconfig", kubeconfig,
                        "-n", loki_ns)
    assert rc == 2 and out == ""
    assert err.strip() == ("k8s-essentials-tui: error: parse error at line 1, col 16: syntax "
                           "error: unexpected $end, expecting }")
    assert "Traceback" not in err


def test_headless_direct_url_and_metric_query(capsys: pytest.CaptureFixture[str]) -> None:
    loki = FakeLoki()
    now = time.time_ns()
    loki.add(SHOP, [(now - i * 10**9, "x") for i in range(1, 30)])
    with FakeLokiServer(loki).start() as srv:
        rc, out, err = _cli(capsys, "loki", 'sum(count_over_time({app="checkout"}[1m]))',
                            "--since", "5m", "--loki-url", srv.url, "-o", "json")
    assert rc == 0, err
    doc = json.loads(out)
    assert doc["resultType"] == "matrix"
    assert max(float(v) for _t, v in doc["series"][0]["values"]) == 29


async def test_completion_data_and_tail_through_the_proxy(fake: FakeLoki, loki_ns: str,
                                                          kubeconfig: str) -> None:
    session = await ClusterSession.connect(ConnectOptions(kubeconfig=kubeconfig,
                                                          namespace=loki_ns))
    try:
        client = await connect(session, None, prefer_namespaces=[loki_ns])
        assert client.endpoint.via_proxy
        assert f"{loki_ns}/loki-gateway:http-metrics" in client.description
        now = datetime.now(UTC)
        start = now - timedelta(hours=1)
        assert await client.labels(start=start, end=now) == ["app", "namespace", "pod"]
        assert await client.label_values("app", start=start, end=now,
                                         query='{namespace="payments"}') == ["ledger"]
        batches: list[TailBatch] = []
        task = asyncio.create_task(client.tail('{app="ledger"}', batches.append,
                                               start=now - timedelta(minutes=1),
                                               poll_interval=0.1))
        while not batches:
            await asyncio.sleep(0.05)
        fake.add({"namespace": "payments", "app": "ledger"}, [(time.time_ns(), "booked txn=2")])
        while not any(e.line == "booked txn=2" for b in batches for e in b.entries):
            await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # the apiserver strips the websocket's query string (kubernetes#77142): polling took over
        assert client.tail_mode == "polling"
        assert [e.line for b in batches for e in b.entries] == ["booked txn=1", "booked txn=2"]
        with pytest.raises(LokiQueryError, match="col 6"):
            await client.query_range("{app=", start=start, end=now)
    finally:
        await session.close()


async def test_service_without_endpoints_and_forbidden_proxy(kube_admin, namespace: str,  # type: ignore[no-untyped-def]
                                                             kubeconfig: str,
                                                             limited_kubeconfig: str,
                                                             fake: FakeLoki,
                                                             veth: VethNamespace,
                                                             proxied: FakeLokiServer) -> None:
    kube_admin.create({"apiVersion": "v1", "kind": "Service", "metadata": {
        "name": "loki", "namespace": namespace, "labels": {"app.kubernetes.io/name": "loki"}},
        "spec": {"ports": [{"name": "http-metrics", "port": 3100}]}})
    session = await ClusterSession.connect(ConnectOptions(kubeconfig=kubeconfig,
                                                          namespace=namespace))
    try:
        client = await connect(session, None, prefer_namespaces=[namespace])
        assert client.description.startswith(f"service {namespace}/loki:")
        # no Endpoints object at all: the apiserver says the service is not found
        with pytest.raises(LokiNotFoundError, match='services "loki" not found'):
            await client.labels()
        kube_admin.create({"apiVersion": "v1", "kind": "Endpoints",
                           "metadata": {"name": "loki", "namespace": namespace}})
        with pytest.raises(LokiNotFoundError, match="no endpoints available"):
            await client.labels()
    finally:
        await session.close()
    expose_in_cluster(kube_admin, namespace, "loki-gateway", veth.inner_ip, proxied.port,
                      port_name="http", labels=GATEWAY_LABELS)
    limited = await ClusterSession.connect(ConnectOptions(kubeconfig=limited_kubeconfig,
                                                          namespace=namespace))
    try:
        client = await connect(limited, None, prefer_namespaces=[namespace])
        with pytest.raises(LokiAuthError, match="services/proxy"):
            await client.labels()
    finally:
        await limited.close()


async def test_pane_looks_first_where_the_board_found_loki(
        kubeconfig: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The board's detection leads the namespaces the Service lookup prefers (and falls back
    to when listing Services cluster-wide is denied); then the session's namespace."""
    from k8s_essentials_tui.app import EssentialsApp, StartOptions
    from k8s_essentials_tui.plugin import Detection
    from k8s_essentials_tui.plugins.loki import client as loki_client
    from k8s_essentials_tui.widgets.board import Board

    seen: list[list[str]] = []

    async def fake_connect(session, settings, prefer_namespaces=()):  # type: ignore[no-untyped-def]
        seen.append(list(prefer_namespaces))
        raise loki_client.LokiNotFoundError("stop here")

    monkeypatch.setattr(loki_client, "connect", fake_connect)
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace="team-a"))
    async with app.run_test(size=(120, 40)) as pilot:
        board = app.screen.query_one(Board)
        for _ in range(400):
            if board.snapshot is not None:
                break
            await pilot.pause(0.05)
        app.detections = {**app.detections,
                          "loki": Detection(installed=True, namespace="observability")}
        app.open_plugin("loki")
        for _ in range(200):
            if seen:
                break
            await pilot.pause(0.05)
    assert seen and seen[0][:1] == ["observability"] and "team-a" in seen[0], seen


async def test_pane_over_hostile_logs_through_the_proxy(fake: FakeLoki, loki_ns: str,
                                                        kubeconfig: str) -> None:
    """Issue #15 end to end: hostile lines and label values reach the pane through the real
    apiserver's service proxy and are shown with control characters made visible."""
    from k8s_essentials_tui.app import EssentialsApp, StartOptions
    from k8s_essentials_tui.plugins.loki.pane import LokiPane
    from testkit import hostile
    from testkit.fake_loki import seed_hostile

    seed_hostile(fake, time.time_ns())
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=loki_ns))
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(400):
            if app.session is not None:
                break
            await pilot.pause(0.05)
        app.open_plugin("loki")
        await pilot.pause()
        pane = app.screen.query_one(LokiPane)
        for _ in range(400):
            if pane.client is not None:
                break
            await pilot.pause(0.05)
        assert pane.client is not None
        pane.editor.text = '{app="hostile"}'
        pane.editor.focus()
        await pilot.press("enter")
        for _ in range(400):
            if pane.result is not None:
                break
            await pilot.pause(0.05)
        assert pane.result is not None and len(pane.result.rows) > 10
        pane.view.focus()
        await pilot.pause()
        hostile.assert_screen_clean(app)
        assert "␛]0;pwned" in "\n".join(hostile.painted_text(app))
        await pilot.press("w", "enter")
        await pilot.pause()
        hostile.assert_screen_clean(app)
        assert app.return_code is None
