"""Monitoring models over recorded wire formats (Alertmanager v2, Prometheus v1), the
PromQL helpers, the braille plot, Service discovery and the Grafana facts. The same code runs
against the real servers in tests/test_monitoring_e2e.py."""

from __future__ import annotations

import base64
import json
import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from rich.console import Console

from k8s_essentials_tui.plugins.monitoring import PLUGINS, plot, promql
from k8s_essentials_tui.plugins.monitoring import model as m
from k8s_essentials_tui.plugins.monitoring.client import (
    ALERTMANAGER,
    PROMETHEUS,
    AlertmanagerClient,
    MonitoringError,
    QueryError,
    ServerNotFoundError,
    direct_endpoint,
    pick_service,
)
from k8s_essentials_tui.plugins.monitoring.grafana import grafana_facts

ALERTS = [
    {"labels": {"alertname": "AlwaysFiring", "severity": "critical", "namespace": "shop"},
     "annotations": {"summary": "Checkout is down", "runbook_url": "https://rb/x"},
     "startsAt": "2026-12-06T10:00:00.123456789Z", "endsAt": "2026-12-06T10:05:00Z",
     "fingerprint": "a1", "receivers": [{"name": "pager"}], "updatedAt": "x",
     "status": {"state": "active", "silencedBy": [], "inhibitedBy": []},
     "generatorURL": "http://prom/graph?g0.expr=vector%281%29"},
    {"labels": {"alertname": "InfoNoise", "severity": "info", "namespace": "shop"},
     "annotations": {}, "startsAt": "2026-12-06T10:00:00Z", "fingerprint": "b2",
     "receivers": [{"name": "default"}],
     "status": {"state": "suppressed", "silencedBy": [], "inhibitedBy": ["a1"]}},
    {"labels": {"alertname": "DiskFilling", "severity": "warning", "namespace": "payments"},
     "annotations": {"summary": "Disk"}, "startsAt": "2026-12-06T09:00:00Z",
     "fingerprint": "c3", "receivers": [{"name": "default"}],
     "status": {"state": "suppressed", "silencedBy": ["s1"], "inhibitedBy": []}},
    {"labels": {"alertname": "DiskFilling", "severity": "warning", "namespace": "payments",
                "instance": "b"},
     "annotations": {}, "startsAt": "2026-12-06T09:30:00Z", "fingerprint": "c4",
     "receivers": [{"name": "default"}],
     "status": {"state": "active", "silencedBy": [], "inhibitedBy": []}},
]


def test_alerts_parse_status_and_group_firing_first_by_severity() -> None:
    alerts = m.parse_alerts(ALERTS)
    assert [a.status for a in alerts] == ["firing", "inhibited", "silenced", "firing"]
    assert alerts[0].starts_at == datetime(2026, 12, 6, 10, 0, 0, 123456, UTC)
    assert alerts[0].receivers == ("pager",)
    groups = m.group_alerts(alerts)
    assert [(g.name, g.status, len(g.alerts)) for g in groups] == [
        ("AlwaysFiring", "firing", 1), ("DiskFilling", "firing", 2), ("InfoNoise", "inhibited", 1)]
    # inside a group the firing alert comes first; the group's since is the earliest
    assert groups[1].alerts[0].fingerprint == "c4"
    assert groups[1].since == datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
    assert [a.name for a in m.filter_alerts(alerts, severity="WARNING")] == ["DiskFilling"] * 2
    assert [a.fingerprint for a in m.filter_alerts(alerts, include_suppressed=False)] == [
        "a1", "c4"]


@pytest.mark.parametrize("bad", [{"x": 1}, [1], [{"labels": "x"}], [{"receivers": {}}],
                                 [{"status": {"silencedBy": "s"}}]])
def test_wrongly_shaped_alerts_raise_shape_error(bad: object) -> None:
    with pytest.raises(m.ShapeError):
        m.parse_alerts(bad)


def test_typed_alert_decode_reads_what_the_checking_parser_reads() -> None:
    """The fast path (one typed msgspec decode) gives the same alerts as json.loads + the
    checking parser, and declines (None) every shape it was not made for, so the checking
    parser still says what is wrong."""
    assert m.parse_alerts_json(json.dumps(ALERTS).encode()) == m.parse_alerts(ALERTS)
    for bad in ({"x": 1}, [1], [{"labels": "x"}], [{"receivers": {}}],
                [{"status": {"silencedBy": "s"}}], [{"labels": {"a": 1}}]):
        assert m.parse_alerts_json(json.dumps(bad).encode()) is None
    assert m.parse_alerts_json(b"not json") is None
    zero, naive = m.parse_alerts_json(json.dumps([
        {"startsAt": "0001-01-01T00:00:00Z"},
        {"startsAt": "2026-12-06T10:00:00"}]).encode()) or []
    assert zero.starts_at is None  # Go's zero time: not set
    assert naive.starts_at == datetime(2026, 12, 6, 10, tzinfo=UTC)


def test_typed_range_decode_reads_what_the_checking_parser_reads() -> None:
    body = {"status": "success", "warnings": ["w"], "data": {"resultType": "matrix", "result": [
        {"metric": {"__name__": "up", "job": "a"},
         "values": [[1.5, "1"], [2.5, "NaN"], [3.5, "-Inf"], [4.5, "1e3"]]},
        {"metric": {}, "values": []}]}}
    fast = m.parse_range_json(json.dumps(body).encode())
    assert fast is not None and fast.as_json() == m.parse_query(body).as_json()
    assert fast.warnings == ["w"] and math.isnan(fast.series[0].points[1][1])
    vector = {"status": "success", "data": {"resultType": "vector", "result": [
        {"metric": {}, "value": [1, "2"]}]}}
    for declined in (vector, {"data": {"resultType": "matrix", "result": [
            {"values": [[1, "+Inf"]]}]}}, {"status": "error"}, [1]):
        assert m.parse_range_json(json.dumps(declined).encode()) is None
    assert m.parse_range_json(b"{") is None


def test_matchers_round_trip_amtool_syntax() -> None:
    assert str(m.parse_matcher("alertname=X")) == "alertname=X"
    mm = m.parse_matcher('namespace=~"shop|pay"')
    assert (mm.name, mm.value, mm.is_regex, mm.is_equal) == ("namespace", "shop|pay", True, True)
    assert m.parse_matcher("severity != info").op == "!="
    assert m.parse_matcher("a!~b.*").matches({"a": "c"})
    assert not m.parse_matcher("a!~b.*").matches({"a": "bz"})
    for bad in ("=x", "no op", "a=~(("):
        with pytest.raises(ValueError):
            m.parse_matcher(bad)
    alert = m.parse_alerts(ALERTS)[:1][0]
    assert [str(x) for x in m.matchers_for(alert)] == [
        "alertname=AlwaysFiring", "namespace=shop", "severity=critical"]


def test_silences_active_then_pending_then_expired() -> None:
    raw = [
        {"id": "e", "status": {"state": "expired"}, "matchers": [
            {"name": "a", "value": "1", "isRegex": False}], "startsAt": "2026-12-01T00:00:00Z",
         "endsAt": "2026-12-02T00:00:00Z", "createdBy": "bob", "comment": "old"},
        {"id": "p", "status": {"state": "pending"}, "matchers": [], "createdBy": "x",
         "comment": "later", "startsAt": "2026-12-07T00:00:00Z",
         "endsAt": "2026-12-08T00:00:00Z"},
        {"id": "a", "status": {"state": "active"}, "matchers": [
            {"name": "alertname", "value": "X.*", "isRegex": True, "isEqual": False}],
         "startsAt": "2026-12-06T00:00:00Z", "endsAt": "2026-12-06T02:00:00Z",
         "createdBy": "ann", "comment": "maintenance"},
    ]
    sil = m.parse_silences(raw)
    assert [s.id for s in sil] == ["a", "p", "e"]
    assert sil[0].matcher_text == "alertname!~X.*"
    assert sil[2].matchers[0].is_equal is True  # isEqual missing (older servers): equal


def test_targets_down_first_with_last_error_and_duration() -> None:
    body = {"status": "success", "data": {"activeTargets": [
        {"labels": {"job": "prometheus", "instance": "127.0.0.1:9090"}, "scrapePool": "prometheus",
         "scrapeUrl": "http://127.0.0.1:9090/metrics", "health": "up", "lastError": "",
         "lastScrape": "2026-12-06T10:00:00.5Z", "lastScrapeDuration": 0.0123},
        {"labels": {"job": "dead", "instance": "127.0.0.1:1"}, "scrapePool": "dead",
         "scrapeUrl": "http://127.0.0.1:1/metrics", "health": "down",
         "lastError": "connection refused", "lastScrape": "2026-12-06T10:00:00Z",
         "lastScrapeDuration": 0.0004}], "droppedTargets": []}}
    targets = m.parse_targets(body)
    assert [(t.job, t.health, t.last_error) for t in targets] == [
        ("dead", "down", "connection refused"), ("prometheus", "up", "")]
    assert targets[1].last_scrape_duration == pytest.approx(0.0123)


def test_rules_errors_first_then_firing_with_counts() -> None:
    body = {"status": "success", "data": {"groups": [{"name": "g", "file": "r.yml", "rules": [
        {"name": "ok:rec", "type": "recording", "health": "ok", "query": "sum(up)"},
        {"name": "Fire", "type": "alerting", "health": "ok", "state": "firing",
         "query": "vector(1)",
         "alerts": [{"state": "firing"}, {"state": "firing"}, {"state": "pending"}]},
        {"name": "broken", "type": "recording", "health": "err",
         "lastError": "many-to-many matching not allowed", "query": "up * on() up"},
    ]}]}}
    rules = m.parse_rules(body)
    assert [r.name for r in rules] == ["broken", "Fire", "ok:rec"]
    assert (rules[1].firing, rules[1].pending) == (2, 1)


def test_query_results_vector_matrix_scalar_and_special_values() -> None:
    vec = m.parse_query({"status": "success", "data": {"resultType": "vector", "result": [
        {"metric": {"__name__": "up", "job": "x"}, "value": [1700000000.5, "1"]}]}})
    assert vec.series[0].name == 'up{job="x"}'
    mat = m.parse_query({"status": "success", "data": {"resultType": "matrix", "result": [
        {"metric": {}, "values": [[1, "NaN"], [2, "+Inf"], [3, "2.5"]]}]}})
    assert [m.format_value(v) for _t, v in mat.series[0].points] == ["NaN", "+Inf", "2.5"]
    assert mat.series[0].name == "{}"
    sc = m.parse_query({"status": "success", "data": {"resultType": "scalar",
                                                      "result": [1, "42"]}})
    assert sc.as_json()["series"][0]["values"] == [[1.0, "42"]]
    with pytest.raises(m.ShapeError):
        m.parse_query({"status": "success", "data": {"resultType": "vector",
                                                     "result": [{"value": [1]}]}})


def test_status_buildinfo_and_tsdb() -> None:
    st = m.parse_status(
        {"status": "success", "data": {"version": "3.9.1", "revision": "abc",
                                       "goVersion": "go1.26"}},
        {"status": "success", "data": {"headStats": {"numSeries": 508, "chunkCount": 937,
                                                     "minTime": 1700000000000, "maxTime": 1},
                                       "seriesCountByMetricName": [{"name": "up", "value": 2}]}})
    assert (st.version, st.num_series, st.top_metrics) == ("3.9.1", 508, (("up", 2),))
    assert st.min_time == datetime.fromtimestamp(1700000000, UTC)


def test_prometheus_error_body_keeps_the_servers_message() -> None:
    client = AlertmanagerClient(direct_endpoint("http://127.0.0.1:9"))
    body = json.dumps({"status": "error", "errorType": "bad_data",
                       "error": 'invalid parameter "query": 1:4: parse error: unexpected '
                                'end of input'})
    err = client.error_from(400, "application/json", body, "run the query")
    assert isinstance(err, QueryError) and err.error_type == "bad_data"
    assert str(err).startswith('invalid parameter "query": 1:4: parse error')
    status = json.dumps({"kind": "Status", "message": 'services "x" not found', "code": 404})
    assert isinstance(client.error_from(404, "application/json", status, "x"),
                      ServerNotFoundError)
    assert str(client.error_from(404, "text/plain", '"silence not found"\n', "x")).endswith(
        "silence not found")


def _svc(ns: str, name: str, ports: list[dict[str, object]], labels: dict[str, str] | None = None,
         headless: bool = False) -> dict[str, object]:
    return {"metadata": {"namespace": ns, "name": name, "labels": labels or {}},
            "spec": {"ports": ports, **({"clusterIP": "None"} if headless else {})}}


def test_discovery_prefers_the_stack_services_over_operated_and_exporters() -> None:
    services = [
        _svc("monitoring", "prometheus-operated", [{"name": "web", "port": 9090}], headless=True),
        _svc("monitoring", "kube-prometheus-stack-prometheus", [
            {"name": "http-web", "port": 9090}, {"name": "reloader-web", "port": 8080}]),
        _svc("monitoring", "kube-prometheus-stack-prometheus-node-exporter",
             [{"name": "http-metrics", "port": 9100}]),
        _svc("monitoring", "kube-prometheus-stack-operator", [{"name": "https", "port": 443}]),
        _svc("monitoring", "kube-prometheus-stack-alertmanager", [
            {"name": "http-web", "port": 9093}]),
        _svc("monitoring", "alertmanager-operated", [{"name": "web", "port": 9093}],
             headless=True),
        _svc("other", "prometheus-server", [{"name": "http", "port": 80}],
             {"app.kubernetes.io/name": "prometheus"}),
    ]
    p = pick_service(PROMETHEUS, services)
    assert (p and str(p)) == "monitoring/kube-prometheus-stack-prometheus:http-web"
    a = pick_service(ALERTMANAGER, services)
    assert (a and str(a)) == "monitoring/kube-prometheus-stack-alertmanager:http-web"
    # a preferred namespace wins over the rank
    p2 = pick_service(PROMETHEUS, services, ["other"])
    assert (p2 and str(p2)) == "other/prometheus-server:http"


def test_durations_steps_and_range_limits() -> None:
    assert promql.parse_duration("1h30m") == timedelta(minutes=90)
    assert promql.parse_duration("90") == timedelta(seconds=90)
    assert promql.format_duration(timedelta(hours=2)) == "2h"
    for bad in ("", "1x", "h", "0s", "5m3"):
        with pytest.raises(ValueError):
            promql.parse_duration(bad)
    assert promql.auto_step(timedelta(hours=1)) == 15
    assert promql.auto_step(timedelta(hours=24)) == 600
    promql.check_range(timedelta(hours=24), 60)  # 1,440 points: fine
    with pytest.raises(ValueError, match="11000"):
        promql.check_range(timedelta(days=30), 60)


def test_completion_context_metric_label_and_value() -> None:
    assert promql.completion_context("sum(rate(http_req") == ("metric", "http_req", "")
    assert promql.completion_context('up{jo') == ("label", "jo", "")
    assert promql.completion_context('up{job="pro') == ("value", "pro", "job")
    assert promql.complete("up", ["scrape_up", "up", "upper"]) == ["up", "upper", "scrape_up"]
    assert promql.apply_completion('up{job="pro', "pro", "prometheus") == 'up{job="prometheus'


def _plain(text: object, width: int = 80) -> str:
    console = Console(width=width, color_system=None, record=True)
    console.print(text)
    return console.export_text()


def test_plot_draws_each_series_with_axes_and_legend_at_80_columns() -> None:
    series = [m.Series({"__name__": "up", "job": "a"},
                       [(1_700_000_000 + 60 * i, math.sin(i / 40)) for i in range(1440)]),
              m.Series({"job": "b\x1b[31m"}, [(1_700_000_000 + 60 * i, float("nan"))
                                              for i in range(3)])]
    out = plot.render(series, 78, 12)
    text = _plain(out)
    lines = text.rstrip("\n").split("\n")
    assert len(lines) <= 12 and all(len(line) <= 78 for line in lines)
    assert any(0x2800 < ord(ch) <= 0x28FF for ch in text)  # braille dots
    assert "up{job=\"a\"}" in text and "\x1b" not in text
    assert "11-14 22:13" in text  # a 24 h range shows dates on the x axis
    assert plot.render([], 78, 12).plain == "no samples to plot"


def test_grafana_facts_read_names_types_urls_only() -> None:
    secret_file = ("apiVersion: 1\ndatasources:\n- name: Loki\n  type: loki\n"
                   "  url: http://loki-gateway.loki\n  secureJsonData:\n"
                   "    password: hunter2-SECRET\n")
    facts = grafana_facts(
        services=[_svc("monitoring", "kps-grafana", [{"port": 80, "protocol": "TCP"}],
                       {"app.kubernetes.io/name": "grafana"})],
        ingresses=[{"metadata": {"namespace": "monitoring", "name": "grafana"},
                    "spec": {"tls": [{"hosts": ["grafana.example.com"]}], "rules": [
                        {"host": "grafana.example.com", "http": {"paths": [
                            {"backend": {"service": {"name": "kps-grafana"}}}]}}]}}],
        configmaps=[
            {"metadata": {"namespace": "monitoring", "name": "kps-grafana-datasource",
                          "labels": {"grafana_datasource": "1"}},
             "data": {"datasource.yaml": "apiVersion: 1\ndatasources:\n- name: Prometheus\n"
                                         "  type: prometheus\n  url: http://kps-prometheus:9090/"}},
            {"metadata": {"namespace": "monitoring", "name": "dash",
                          "labels": {"grafana_dashboard": "1"}},
             "data": {"a.json": "{}", "b.json": "{}", "README": "x"}}],
        secrets=[{"metadata": {"namespace": "monitoring", "name": "ds-loki",
                               "labels": {"grafana_datasource": "1"}},
                  "data": {"loki.yaml": base64.b64encode(secret_file.encode()).decode()}}])
    assert [(d.name, d.type, d.url) for d in facts.datasources] == [
        ("Loki", "loki", "http://loki-gateway.loki"),
        ("Prometheus", "prometheus", "http://kps-prometheus:9090/")]
    assert facts.missing_types() == ["Jaeger"]
    assert facts.dashboards == 2 and facts.dashboard_configmaps == 1
    assert [e.where for e in facts.exposures] == ["ClusterIP 80/TCP",
                                                  "https://grafana.example.com"]
    assert "admin-password" in facts.password_command
    assert "hunter2" not in json.dumps(facts.as_json())


def test_one_monitoring_package_holds_both_catalog_entries() -> None:
    assert [p.id for p in PLUGINS] == ["kube-prometheus-stack", "grafana"]
    stack = PLUGINS[0]
    assert [c.name for c in stack.commands] == ["alerts", "promql", "silence"]
    assert stack.table == "monitoring"
    assert {s.key for s in stack.settings} >= {"prometheus_url", "alertmanager_url", "tenant"}
    for c in stack.commands:
        c.load()


def test_prometheus_rule_objects_loaded_or_not() -> None:
    objs = [{"metadata": {"namespace": "shop", "name": "checkout"},
             "spec": {"groups": [{"rules": [{"alert": "A"}, {"record": "b"}]}]}},
            {"metadata": {"namespace": "shop", "name": "cart"}, "spec": {"groups": "bad"}}]
    loaded = ["/etc/prometheus/rules/prometheus-kps-rulefiles-0/shop-checkout-1f2e.yaml"]
    facts = m.rule_objects(objs, loaded)
    assert (facts.objects, facts.rules, facts.not_loaded) == (2, 2, ("shop/cart",))


def test_direct_urls_carry_tenant_bearer_or_basic_auth(tmp_path: Any) -> None:
    import httpx

    from k8s_essentials_tui.plugins.monitoring.client import direct_from_settings
    from k8s_essentials_tui.settings import Settings

    token = tmp_path / "token"
    token.write_text("s3cret\n")
    settings = Settings()
    settings.values.update({"monitoring.prometheus_url": "https://mimir.example/prometheus/",
                            "monitoring.tenant": "team-a",
                            "monitoring.bearer_token_file": str(token)})
    ep = direct_from_settings(settings, PROMETHEUS)
    assert ep is not None
    assert (ep.prefix, ep.headers) == ("/prometheus", {"X-Scope-OrgID": "team-a"})
    assert ep.http.headers["Authorization"] == "Bearer s3cret"
    assert str(ep.http.base_url) == "https://mimir.example/"
    # the --alertmanager-url flag wins over the setting; basic auth from a password file
    pw = tmp_path / "pw"
    pw.write_text("hunter2")
    settings.values.update({"monitoring.bearer_token_file": "", "monitoring.username": "ops",
                            "monitoring.password_file": str(pw)})
    ep = direct_from_settings(settings, ALERTMANAGER, url="http://am.example:9093")
    assert ep is not None and ep.url == "http://am.example:9093"
    assert isinstance(ep.http.auth, httpx.BasicAuth)
    settings.values["monitoring.password_file"] = str(tmp_path / "missing")
    with pytest.raises(MonitoringError, match=r"monitoring\.password_file: cannot read"):
        direct_from_settings(settings, ALERTMANAGER, url="http://am.example:9093")
    assert direct_from_settings(Settings(), PROMETHEUS) is None


# -- hostile and wrongly shaped answers (property-based) -------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from testkit.hostile import json_values, nasty_text  # noqa: E402

PARSERS = (m.parse_alerts, m.parse_silences, m.parse_targets, m.parse_rules, m.parse_query,
           m.parse_names, lambda body: m.parse_status(body, body))


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(PARSERS), st.one_of(
    json_values(),
    st.lists(st.fixed_dictionaries({"labels": st.dictionaries(nasty_text(10), json_values(3)),
                                    "status": json_values(3), "receivers": json_values(3),
                                    "startsAt": json_values(1)})),
    st.fixed_dictionaries({"status": st.just("success"), "data": st.fixed_dictionaries({
        "resultType": st.sampled_from(["vector", "matrix", "scalar", "string", "x"]),
        "result": json_values(), "activeTargets": json_values(), "groups": json_values()})})))
def test_any_answer_parses_or_raises_shape_error(parse: Any, body: Any) -> None:
    try:
        parse(body)
    except m.ShapeError:
        pass


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.floats(allow_nan=True, allow_infinity=True, width=32),
                          st.floats(allow_nan=True, allow_infinity=True)), max_size=50),
       st.dictionaries(nasty_text(10), nasty_text(20), max_size=3),
       st.integers(min_value=0, max_value=200), st.integers(min_value=0, max_value=60))
def test_the_plot_never_fails_and_stays_in_its_box(points: list[tuple[float, float]],
                                                   labels: dict[str, str], width: int,
                                                   height: int) -> None:
    from testkit.hostile import control_chars

    pts = [(t, v) for t, v in points if math.isfinite(t)]
    out = plot.render([m.Series(labels, pts)], width, height)
    rows = out.plain.split("\n")
    assert not control_chars(out.plain.replace("\n", ""))
    if len(rows) > 1:
        from rich.cells import cell_len

        assert len(rows) <= max(height, 4)
        assert all(cell_len(r) <= max(width, 20) for r in rows)


ALERT_SHAPED = st.lists(st.fixed_dictionaries(
    {"labels": st.one_of(st.dictionaries(nasty_text(8), nasty_text(8), max_size=3),
                         json_values(2)),
     "status": st.one_of(st.fixed_dictionaries({
         "state": st.sampled_from(["active", "suppressed", "unprocessed", ""]),
         "silencedBy": st.lists(nasty_text(4), max_size=2),
         "inhibitedBy": st.one_of(st.lists(nasty_text(4), max_size=2), json_values(1))}),
         json_values(1)),
     "receivers": st.one_of(st.lists(st.fixed_dictionaries({"name": nasty_text(6)}),
                                     max_size=2), json_values(1)),
     "startsAt": st.one_of(st.sampled_from(["2026-12-06T10:00:00.123456789Z",
                                            "2026-12-06T10:00:00+02:00",
                                            "0001-01-01T00:00:00Z", "2026-12-06"]),
                           json_values(1)),
     "fingerprint": st.one_of(nasty_text(8), json_values(1))}), max_size=4)


@settings(max_examples=200, deadline=None)
@given(ALERT_SHAPED)
def test_the_typed_alert_decode_agrees_or_declines(body: Any) -> None:
    """Whatever the answer, the fast path either gives exactly what the checking parser
    gives or declines (and the checking parser reads it)."""
    fast = m.parse_alerts_json(json.dumps(body).encode())
    if fast is not None:
        assert fast == m.parse_alerts(body)


SAMPLE = st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr),
                   st.sampled_from(["NaN", "+Inf", "-Inf", "1e3", " 1", "", "0x1"]),
                   json_values(1))


@settings(max_examples=200, deadline=None)
@given(st.fixed_dictionaries({
    "status": st.sampled_from(["success", "error"]),
    "data": st.fixed_dictionaries({
        "resultType": st.sampled_from(["matrix", "vector"]),
        "result": st.lists(st.fixed_dictionaries({
            "metric": st.one_of(st.dictionaries(nasty_text(6), nasty_text(6), max_size=2),
                                json_values(1)),
            "values": st.lists(st.tuples(st.one_of(st.floats(-1e12, 1e12), json_values(1)),
                                         SAMPLE), max_size=5)}), max_size=3)})}))
def test_the_typed_range_decode_agrees_or_declines(body: Any) -> None:
    fast = m.parse_range_json(json.dumps(body).encode())
    if fast is not None:
        assert fast.as_json() == m.parse_query(body).as_json()
