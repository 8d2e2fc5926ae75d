"""Monitoring end to end: the REAL Prometheus and Alertmanager (built by
scripts/build-control-plane), reached through the REAL apiserver's service proxy (and
directly), by the ``alerts``, ``promql`` and ``silence`` commands and the client.

What the servers run is in testkit/prometheus.py: alerts that fire at once (AlwaysFiring
critical/shop, DiskFilling warning/payments, InfoNoise info/shop inhibited by the critical
one), a pending one, a self-scrape and a dead target, a recording rule that fails.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest

from k8s_essentials_tui import audit
from k8s_essentials_tui.cli import main
from k8s_essentials_tui.kube.session import ClusterSession, ConnectOptions
from k8s_essentials_tui.plugins.monitoring.client import (
    PROMETHEUS,
    connect_alertmanager,
    connect_prometheus,
    discover,
)
from testkit.netns import VethNamespace
from testkit.prometheus import MonitoringStack
from tests.monitoring_fixtures import AM_SVC, PROM_SVC, expose, start_stack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[VethNamespace, MonitoringStack]]:
    yield from start_stack(0)


@pytest.fixture
def stack(servers: tuple[VethNamespace, MonitoringStack]) -> MonitoringStack:
    return servers[1]


@pytest.fixture
def mon_ns(kube_admin: Any, namespace: str,
           servers: tuple[VethNamespace, MonitoringStack]) -> str:
    expose(kube_admin, namespace, *servers)
    return namespace


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


# -- promql ----------------------------------------------------------------------------------

def test_promql_instant_through_the_service_proxy(mon_ns: str, kubeconfig: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = _cli(capsys, "promql", "up", "--kubeconfig", kubeconfig, "-n", mon_ns,
                        "-o", "json")
    assert rc == 0, err
    doc = json.loads(out)
    assert doc["resultType"] == "vector"
    by_job = {s["metric"]["job"]: s["values"][0][1] for s in doc["series"]}
    assert by_job == {"prometheus": "1", "dead": "0"}
    rc, out, err = _cli(capsys, "promql", 'up{job="dead"}', "--kubeconfig", kubeconfig,
                        "-n", mon_ns)
    assert rc == 0, err
    assert out == 'up{instance="127.0.0.1:1", job="dead"} 0\n'


def test_promql_error_is_prometheus_message_exit_2(mon_ns: str, kubeconfig: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = _cli(capsys, "promql", "sum(", "--kubeconfig", kubeconfig, "-n", mon_ns)
    assert rc == 2 and out == ""
    assert err.strip() == ('k8s-essentials-tui: error: invalid parameter "query": 1:5: parse '
                           "error: unclosed left parenthesis")
    rc, _out, err = _cli(capsys, "promql", "up", "--range", "1h", "--step", "100ms",
                         "--kubeconfig", kubeconfig, "-n", mon_ns)
    assert rc == 2 and "11000" in err and "Traceback" not in err


def test_promql_range_with_a_direct_url(stack: MonitoringStack,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = _cli(capsys, "promql", "vector(7)", "--range", "5m", "--step", "1m",
                        "--prometheus-url", stack.prometheus_url, "-o", "json")
    assert rc == 0, err
    doc = json.loads(out)
    assert doc["resultType"] == "matrix"
    values = doc["series"][0]["values"]
    assert len(values) in (5, 6) and {v for _t, v in values} == {"7"}
    assert values[1][0] - values[0][0] == 60
    rc, out, _err = _cli(capsys, "promql", "vector(7)", "--range", "2m", "--step", "1m",
                         "--prometheus-url", stack.prometheus_url)
    assert rc == 0 and out.splitlines()[0].endswith("Z {} 7")


# -- alerts ----------------------------------------------------------------------------------

def test_alerts_grouped_with_states_exit_1_when_firing(mon_ns: str, kubeconfig: str,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    rc, out, err = _cli(capsys, "alerts", "--kubeconfig", kubeconfig, "-o", "json")
    assert rc == 1, err
    doc = json.loads(out)
    groups = {g["alertname"]: g for g in doc["groups"]}
    assert doc["firing"] is True
    assert groups["AlwaysFiring"]["status"] == "firing"
    assert groups["AlwaysFiring"]["severity"] == "critical"
    assert groups["InfoNoise"]["status"] == "inhibited"  # by AlwaysFiring in shop
    first = groups["AlwaysFiring"]["alerts"][0]
    assert first["annotations"]["runbook_url"] == "https://runbooks.example.com/always-firing"
    assert first["receivers"] == ["pager"]
    assert "/graph?g0.expr=vector%281%29" in first["generatorURL"]
    assert "SlowBurn" not in groups  # pending: Prometheus does not send it
    # only an inhibited alert matches: nothing fires, exit 0
    rc, out, err = _cli(capsys, "alerts", "--severity", "info", "--kubeconfig", kubeconfig)
    assert rc == 0, err
    assert out.splitlines()[0].split() == ["STATUS", "SEVERITY", "ALERTNAME", "NAMESPACE",
                                           "COUNT", "SINCE", "SUMMARY"]
    assert out.splitlines()[1].split()[:4] == ["INHIBITED", "info", "InfoNoise", "shop"]
    # -n filters on the alert's namespace label
    rc, out, err = _cli(capsys, "alerts", "-n", "payments", "--kubeconfig", kubeconfig,
                        "-o", "json")
    assert rc == 1, err
    assert [g["alertname"] for g in json.loads(out)["groups"]] == ["DiskFilling"]


def test_alerts_direct_url_and_unreachable_server(stack: MonitoringStack,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _err = _cli(capsys, "alerts", "--alertmanager-url", stack.alertmanager_url,
                         "--severity", "critical", "--active-only")
    assert rc == 1 and "AlwaysFiring" in out
    rc, out, err = _cli(capsys, "alerts", "--alertmanager-url", "http://127.0.0.1:1")
    assert rc == 2 and out == ""
    assert err.startswith("k8s-essentials-tui: error: cannot reach Alertmanager at "
                          "http://127.0.0.1:1")


# -- silences --------------------------------------------------------------------------------

def test_silence_create_then_expire_audited_with_amtool(mon_ns: str, kubeconfig: str,
                                                        stack: MonitoringStack,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    rc, out, err = _cli(capsys, "silence", "create", "--matcher", "alertname=DiskFilling",
                        "--matcher", "namespace=~pay.*", "--duration", "1h",
                        "--comment", "disk swap tonight", "--yes",
                        "--kubeconfig", kubeconfig, "-n", mon_ns)
    assert rc == 0, err
    sid = out.strip()
    assert len(sid) == 36
    assert ("amtool silence add --alertmanager.url=http://127.0.0.1:9093 --author=admin "
            "--duration=1h '--comment=disk swap tonight' alertname=DiskFilling "
            "'namespace=~pay.*'") in err
    assert f"kubectl port-forward -n {mon_ns} svc/{AM_SVC} 9093:http-web" in err
    # Alertmanager now reports the alert silenced by it
    rc, out, _err = _cli(capsys, "alerts", "--alertmanager-url", stack.alertmanager_url,
                         "-o", "json")
    disk = next(g for g in json.loads(out)["groups"] if g["alertname"] == "DiskFilling")
    assert disk["status"] == "silenced" and disk["alerts"][0]["silencedBy"] == [sid]
    rc, out, err = _cli(capsys, "silence", "expire", sid, "--yes", "--kubeconfig", kubeconfig,
                        "-n", mon_ns, "-o", "json")
    assert rc == 0, err
    assert json.loads(out) == {"silenceID": sid, "message": f"silence {sid} expired"}

    async def states() -> dict[str, str]:
        client = await connect_alertmanager(None, url=stack.alertmanager_url)
        try:
            return {s.id: s.state for s in await client.silences()}
        finally:
            await client.aclose()

    assert asyncio.run(states())[sid] == "expired"
    entries = audit.read()
    assert [(e["action"], e["result"]) for e in entries] == [
        ("monitoring.silence.create", "ok"), ("monitoring.silence.expire", "ok")]
    assert entries[1]["command"].startswith("amtool silence expire")


def test_silence_refused_in_read_only_mode_and_without_yes(
        stack: MonitoringStack, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = _cli(capsys, "--read-only", "silence", "create", "-m", "alertname=X",
                        "-c", "x", "--yes", "--alertmanager-url", stack.alertmanager_url)
    assert rc == 2 and out == ""
    assert "read-only mode: silence alertname=x for 2h is disabled" in err.lower()
    rc, _out, err = _cli(capsys, "silence", "expire", "nope", "--alertmanager-url",
                         stack.alertmanager_url)
    assert rc == 2 and "without --yes" in err
    rc, _out, err = _cli(capsys, "silence", "create", "-m", "bad matcher", "-c", "x", "--yes",
                         "--alertmanager-url", stack.alertmanager_url)
    assert rc == 2 and "not a matcher" in err


# -- the client against the real servers -----------------------------------------------------

def test_targets_rules_status_and_completion_words(mon_ns: str, kubeconfig: str) -> None:
    async def body() -> None:
        session = await ClusterSession.connect(ConnectOptions(kubeconfig=kubeconfig,
                                                              namespace=mon_ns))
        try:
            target = await discover(session, PROMETHEUS, [mon_ns])
            assert (target.namespace, target.name, target.port) == (mon_ns, PROM_SVC,
                                                                   "http-web")
            prom = await connect_prometheus(session, prefer_namespaces=[mon_ns])
            targets = await prom.targets()
            assert [t.job for t in targets] == ["dead", "prometheus"]  # down first
            assert targets[0].health == "down"
            assert "connection refused" in targets[0].last_error
            assert targets[1].last_scrape_duration is not None
            rules = {r.name: r for r in await prom.rules()}
            assert rules["essentials:broken"].health == "err"
            assert "many-to-many" in rules["essentials:broken"].last_error
            assert rules["AlwaysFiring"].firing == 1
            assert rules["SlowBurn"].state == "pending" and rules["SlowBurn"].pending == 1
            assert rules["NeverFires"].state == "inactive"
            status = await prom.status()
            assert status.version.startswith("3.") and (status.num_series or 0) > 10
            assert "up" in await prom.metric_names()
            assert "job" in await prom.label_names()
            assert await prom.label_values("job") == ["dead", "prometheus"]
        finally:
            await session.close()

    asyncio.run(body())


def test_alerts_fetched_off_the_event_loop_match_the_loops_own(
        mon_ns: str, kubeconfig: str, stack: MonitoringStack) -> None:
    """The pane's first request runs on a private loop in a thread with a client of its
    own (the kubeconfig's TLS and credentials through the proxy, the URL's directly): the
    same alerts and groups as on the app's loop, ``then`` run in that thread, the loop's
    own client still usable afterwards, and a failure reported as the loop's would be."""
    import threading

    from k8s_essentials_tui.plugins.monitoring.client import (
        ALERTMANAGER,
        ServerUnreachableError,
    )

    async def body() -> None:
        session = await ClusterSession.connect(ConnectOptions(kubeconfig=kubeconfig,
                                                              namespace=mon_ns))
        try:
            proxied = await connect_alertmanager(session, prefer_namespaces=[mon_ns])
            direct = await connect_alertmanager(None, url=stack.alertmanager_url)
            for client in (proxied, direct):
                threads: list[int] = []

                def then(groups: Any, seen: list[int] = threads) -> int:
                    seen.append(threading.get_ident())
                    return len(groups)

                alerts, groups, count = await client.alert_groups_off_loop(then)
                assert threads and threads[0] != threading.get_ident()
                here_alerts, here_groups = await client.alert_groups()
                assert {a.fingerprint for a in alerts} == {a.fingerprint for a in here_alerts}
                assert [g.key for g in groups] == [g.key for g in here_groups]
                assert count == len(groups) and {g.name for g in groups} >= {
                    "AlwaysFiring", "DiskFilling", "InfoNoise"}
            assert proxied.endpoint.service is not None and proxied.server == ALERTMANAGER
            await direct.aclose()
            dead = await connect_alertmanager(None, url="http://127.0.0.1:1")
            with pytest.raises(ServerUnreachableError, match="cannot reach Alertmanager"):
                await dead.alert_groups_off_loop(len)
            await dead.aclose()
        finally:
            await session.close()

    asyncio.run(body())


# -- faults, RBAC, hostile text --------------------------------------------------------------

def test_without_services_proxy_rbac_the_answer_says_what_is_missing(
        mon_ns: str, limited_kubeconfig: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The ``view`` role lists Services but grants no ``services/proxy``."""
    rc, out, err = _cli(capsys, "promql", "up", "--kubeconfig", limited_kubeconfig,
                        "-n", mon_ns)
    assert rc == 2 and out == ""
    assert err.startswith("k8s-essentials-tui: error: not allowed to run the query: ")
    assert '"services/proxy"' in err
    assert err.rstrip().endswith("(the service proxy needs services/proxy in that namespace)")


def test_no_prometheus_service_says_how_to_point_at_one(
        kubeconfig: str, namespace: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from k8s_essentials_tui.plugins.monitoring import client as mon_client

    monkeypatch.setattr(mon_client, "pick_service", lambda *_a, **_k: None)
    rc, out, err = _cli(capsys, "promql", "up", "--kubeconfig", kubeconfig, "-n", namespace)
    assert rc == 2 and out == ""
    assert err.strip() == (
        "k8s-essentials-tui: error: no Prometheus service found (install "
        "kube-prometheus-stack or set monitoring.prometheus_url / --prometheus-url)")


def test_hostile_alert_labels_are_clean_in_headless_text(
        stack: MonitoringStack, capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import UTC, datetime, timedelta

    from testkit.hostile import WORST, assert_clean

    now = datetime.now(UTC)
    stack.post_alerts([{"labels": {"alertname": "HostileHeadless", "severity": WORST,
                                   "namespace": WORST},
                        "annotations": {"summary": WORST + "\nsecond line"},
                        "startsAt": now.isoformat(),
                        "endsAt": (now + timedelta(minutes=30)).isoformat()}])
    rc, out, _err = _cli(capsys, "alerts", "--alertmanager-url", stack.alertmanager_url)
    assert rc == 1
    line = next(x for x in out.splitlines() if "HostileHeadless" in x)
    assert_clean(out.splitlines(), " (alerts text output)")
    assert "결제" in line and "␤second line" in line


def test_alertmanager_found_without_waiting_once_the_services_are_synced(
        mon_ns: str, kubeconfig: str, stack: MonitoringStack) -> None:
    """What lets the pane start its first request in its constructor: the direct URL at
    once; through the proxy, the same Service ``connect_alertmanager`` finds -- but only
    from a Services cache synced already (None before: nothing may be awaited there)."""
    from k8s_essentials_tui.api import SERVICES
    from k8s_essentials_tui.plugins.monitoring.client import connect_alertmanager_now
    from k8s_essentials_tui.settings import Settings

    async def body() -> None:
        settings = Settings()
        assert connect_alertmanager_now(None, settings) is None  # nothing to go by
        settings.values["monitoring.alertmanager_url"] = stack.alertmanager_url
        direct = connect_alertmanager_now(None, settings)
        assert direct is not None and direct.endpoint.url == stack.alertmanager_url
        assert len(await direct.alerts()) >= 3
        await direct.aclose()
        session = await ClusterSession.connect(ConnectOptions(kubeconfig=kubeconfig,
                                                              namespace=mon_ns))
        try:
            assert connect_alertmanager_now(session, prefer_namespaces=[mon_ns]) is None
            cache = session.cache(SERVICES, None)
            cache.start()
            await cache.wait_synced()
            now = connect_alertmanager_now(session, prefer_namespaces=[mon_ns])
            waited = await connect_alertmanager(session, prefer_namespaces=[mon_ns])
            assert now is not None and waited.endpoint.service is not None
            assert now.endpoint.service == waited.endpoint.service
            assert {a.name for a in await now.alerts()} >= {"AlwaysFiring", "DiskFilling"}
        finally:
            await session.close()

    asyncio.run(body())
