"""The trace model and the plain waterfall on JSON shaped like Jaeger v2's answers
(``/api/traces`` UI JSON and ``/api/v3`` OTLP JSON), the Loki trace-id finder and the
span -> logs query. Pure: no server."""

from __future__ import annotations

from typing import Any

import pytest

from k8s_essentials_tui.plugins.jaeger.client import JaegerClient, pick_service
from k8s_essentials_tui.plugins.jaeger.model import (
    TraceFormatError,
    build_trace,
    format_duration,
    parse_duration,
    parse_tag_filter,
    parse_v1_trace,
    parse_v3_traces,
    self_time,
    summarize_v1,
    trace_json,
    visible_rows,
)
from k8s_essentials_tui.plugins.jaeger.pane import logs_query
from k8s_essentials_tui.plugins.jaeger.waterfall import bar_span, text_lines
from k8s_essentials_tui.plugins.loki.traceids import trace_id_of

TID = "5b8aa5a2d2c872e8321cf37308d69df2"
T0 = 1_780_000_000_000_000  # µs


def v1_span(sid: str, op: str, pid: str, start: int, dur: int, parent: str = "",
            tags: list[dict[str, Any]] | None = None, logs: list[Any] | None = None
            ) -> dict[str, Any]:
    return {"traceID": TID, "spanID": sid, "operationName": op, "flags": 1,
            "references": [{"refType": "CHILD_OF", "traceID": TID, "spanID": parent}]
            if parent else [],
            "startTime": T0 + start, "duration": dur, "tags": tags or [],
            "logs": logs or [], "processID": pid, "warnings": None}


def shop_v1() -> dict[str, Any]:
    """The same shape testkit.jaeger.send_shop_trace produces in Jaeger (times in ms)."""
    ms = 1000
    err = [{"key": "otel.status_code", "type": "string", "value": "ERROR"},
           {"key": "error", "type": "bool", "value": True},
           {"key": "http.status_code", "type": "int64", "value": 500}]
    return {"traceID": TID, "warnings": None, "processes": {
        "p1": {"serviceName": "frontend", "tags": [{"key": "host.name", "type": "string",
                                                   "value": "web-1"}]},
        "p2": {"serviceName": "checkout", "tags": []},
        "p3": {"serviceName": "cart", "tags": []},
        "p4": {"serviceName": "payments", "tags": []}},
        "spans": [
            # Jaeger does not promise an order: children before parents here
            v1_span("0000000000000004", "payments.charge", "p4", 35 * ms, 75 * ms,
                    "0000000000000002", err,
                    [{"timestamp": T0 + 105 * ms, "fields": [
                        {"key": "event", "type": "string", "value": "exception"},
                        {"key": "exception.message", "type": "string",
                         "value": "card declined"}]}]),
            v1_span("0000000000000001", "GET /checkout", "p1", 0, 120 * ms,
                    tags=[{"key": "span.kind", "type": "string", "value": "server"}]),
            v1_span("0000000000000002", "checkout.place_order", "p2", 5 * ms, 110 * ms,
                    "0000000000000001"),
            v1_span("0000000000000003", "cart.get", "p3", 10 * ms, 20 * ms,
                    "0000000000000002"),
            v1_span("0000000000000005", "SELECT cards", "p4", 40 * ms, 60 * ms,
                    "0000000000000004"),
            v1_span("0000000000000006", "render", "p2", 111 * ms, 3 * ms,
                    "0000000000000002"),
        ]}


def test_v1_trace_tree_order_errors_and_critical_path() -> None:
    trace = parse_v1_trace(shop_v1())
    ops = [s.operation for s in trace.spans]
    assert ops == ["GET /checkout", "checkout.place_order", "cart.get", "payments.charge",
                   "SELECT cards", "render"]
    assert trace.depth == [0, 1, 2, 2, 3, 2]
    assert trace.duration == 120_000
    assert trace.services == ["frontend", "checkout", "cart", "payments"]
    assert [s.operation for s in trace.spans if s.error] == ["payments.charge"]
    # the root waited on place_order, which waited on render, then payments (and its db
    # query), then cart -- each finishing before the next one started
    crit = {trace.spans[i].operation for i in trace.critical}
    assert crit == {"GET /checkout", "checkout.place_order", "render", "payments.charge",
                    "SELECT cards", "cart.get"}
    pay = trace.spans[3]
    assert pay.logs[0].name == "exception" and ("exception.message", "card declined") in \
        pay.logs[0].fields
    assert trace.spans[0].host == "web-1" and trace.spans[0].kind == "server"
    assert self_time(trace, 3) == 15_000  # 75ms minus the 60ms query
    s = trace.summary()
    assert (s.span_count, s.error_count, s.root_service, s.root_operation) == \
        (6, 1, "frontend", "GET /checkout")
    assert summarize_v1(shop_v1()) == s  # the fast search path agrees with the full parse


def test_critical_path_skips_a_child_that_overlaps_a_later_one() -> None:
    ms = 1000
    raw = {"traceID": TID, "processes": {"p": {"serviceName": "a"}}, "spans": [
        v1_span("1", "root", "p", 0, 100 * ms),
        v1_span("2", "early-long", "p", 0, 80 * ms, "1"),
        v1_span("3", "late", "p", 50 * ms, 50 * ms, "1")]}
    trace = parse_v1_trace(raw)
    # "late" ends last; "early-long" still runs before late's start (50ms): both count
    assert {trace.spans[i].operation for i in trace.critical} == {"root", "late",
                                                                   "early-long"}


def test_orphans_cycles_and_a_deep_chain_do_not_break_the_tree() -> None:
    raw = {"traceID": TID, "processes": {"p": {"serviceName": "a"}}, "spans": [
        v1_span("1", "orphan", "p", 10, 5, parent="ffff"),
        v1_span("2", "x", "p", 0, 5, parent="3"), v1_span("3", "y", "p", 1, 5, parent="2")]}
    trace = parse_v1_trace(raw)
    assert len(trace.spans) == 3
    assert any("not in the trace" in w for w in trace.warnings)
    assert any("cycle" in w for w in trace.warnings)
    # 5,000 spans in one chain: no recursion error
    chain = [v1_span(str(i + 1), f"op{i}", "p", i, 10_000 - i, str(i) if i else "")
             for i in range(5000)]
    deep = parse_v1_trace({"traceID": TID, "processes": {"p": {"serviceName": "a"}},
                           "spans": chain})
    assert deep.depth[-1] == 4999 and len(deep.critical) == 5000


def test_v3_otlp_json_becomes_the_same_trace() -> None:
    def attr(k: str, v: Any) -> dict[str, Any]:
        key = "intValue" if isinstance(v, int) else "stringValue"
        return {"key": k, "value": {key: str(v) if key == "intValue" else v}}

    def span(sid: str, parent: str, name: str, start_ms: int, end_ms: int,
             **extra: Any) -> dict[str, Any]:
        return {"traceId": TID, "spanId": sid, "parentSpanId": parent, "name": name,
                "kind": 2, "startTimeUnixNano": str((T0 + start_ms * 1000) * 1000),
                "endTimeUnixNano": str((T0 + end_ms * 1000) * 1000), **extra}

    body = {"result": {"resourceSpans": [
        {"resource": {"attributes": [attr("service.name", "frontend"),
                                     attr("host.name", "web-1")]},
         "scopeSpans": [{"scope": {"name": "x"}, "spans": [
             span("00000000000000a1", "", "GET /checkout", 0, 120)]}]},
        {"resource": {"attributes": [attr("service.name", "payments")]},
         "scopeSpans": [{"spans": [span(
             "00000000000000a2", "00000000000000a1", "payments.charge", 35, 110,
             status={"code": 2, "message": "card declined"},
             attributes=[attr("http.status_code", 500)],
             events=[{"timeUnixNano": str((T0 + 105_000) * 1000), "name": "exception",
                      "attributes": [attr("exception.message", "card declined")]}])]}]}]}}
    [trace] = parse_v3_traces(body)
    assert trace.trace_id == TID
    assert [s.operation for s in trace.spans] == ["GET /checkout", "payments.charge"]
    pay = trace.spans[1]
    assert pay.error and pay.status_message == "card declined" and pay.kind == "server"
    assert pay.tag("http.status_code") == "500" and pay.duration == 75_000
    assert pay.logs[0].name == "exception"
    assert trace.spans[0].host == "web-1"
    # protobuf-JSON style enums and base64 ids are read too
    body["result"]["resourceSpans"][1]["scopeSpans"][0]["spans"][0]["status"]["code"] = \
        "STATUS_CODE_ERROR"
    assert parse_v3_traces(body)[0].spans[1].error


def test_waterfall_text_bars_scale_to_the_trace() -> None:
    trace = parse_v1_trace(shop_v1())
    lines = text_lines(trace, 100)
    assert lines[0].startswith(f"trace {TID}") and "6 spans  1 errors" in lines[0]
    assert lines[1].endswith("Z  services: frontend (1), checkout (2), cart (1), payments (2)")
    rows = lines[2:]
    assert len(rows) == 6 and all(len(r) == len(rows[0]) for r in rows)
    assert rows[0].startswith(" *▾ frontend: GET /checkout")
    assert rows[3].startswith("!*") and "payments: payments.charge" in rows[3]
    root_bar = rows[0].split("|")[1]
    assert set(root_bar) == {"█"}  # the root spans the whole trace
    x0, x1 = bar_span(trace.spans[3], trace, 40)
    assert (x0, x1) == (11, 37)  # 35ms..110ms of 120ms on 40 cells
    assert rows[0].endswith("120ms") and rows[5].endswith("3ms")


def test_collapse_and_json() -> None:
    trace = parse_v1_trace(shop_v1())
    assert visible_rows(trace, {1}) == [0, 1]
    assert visible_rows(trace, {3}) == [0, 1, 2, 3, 5]
    doc = trace_json(trace)
    assert doc["spans"][3]["error"] and doc["spans"][3]["tags"]["http.status_code"] == "500"
    assert doc["errors"] == 1 and doc["services"]["payments"] == 2


def test_durations_and_tags() -> None:
    assert parse_duration("500ms") == 500_000
    assert parse_duration("1.5s") == 1_500_000
    assert parse_duration("1h30m") == 5_400_000_000
    for bad in ("", "5", "ms", "5 ms", "-1s"):
        with pytest.raises(ValueError):
            parse_duration(bad)
    assert [format_duration(u) for u in (850, 12_340, 1_250_000, 123_000_000)] == \
        ["850µs", "12.3ms", "1.25s", "2m3s"]
    assert parse_tag_filter("http.status_code=500") == ("http.status_code", "500")
    assert parse_tag_filter("error") == ("error", "true")


@pytest.mark.parametrize(("line", "labels", "expected"), [
    (f"level=info msg=ok traceID={TID} spanID=1", {}, TID),
    (f'{{"msg":"x","trace_id":"{TID.upper()}"}}', {}, TID),
    (f"GET / traceparent=00-{TID}-00f067aa0ba902b7-01", {}, TID),
    ("GET / trace_id=0000000000000000", {}, None),
    ("no trace here id=abc", {"trace_id": TID}, TID),
    ("x", {"traceId": "1234567890abcdef"}, "1234567890abcdef"),
    (f"mytrace_id={TID}", {}, None),  # a longer key is not a trace id key
    ("traceID=1234", {}, None),
])
def test_trace_id_of_a_log_line(line: str, labels: dict[str, str],
                                expected: str | None) -> None:
    assert trace_id_of(line, labels) == expected


def test_logs_query_for_a_span() -> None:
    trace = parse_v1_trace(shop_v1())
    query, start, end = logs_query(trace.spans[3], TID)
    assert query == f'{{service_name="payments"}} |= "{TID}"'
    assert start.endswith("Z") and start < end
    q2, _s, _e = logs_query(build_trace("t", [trace.spans[3]]).spans[0], "", "app", False)
    assert q2 == '{app="payments"}'


def test_error_envelopes_give_jaegers_message() -> None:
    import httpx

    client = JaegerClient(httpx.AsyncClient(), description="x")
    v1 = client.error_from(404, '{"data":null,"total":0,"limit":0,"offset":0,'
                                '"errors":[{"code":404,"msg":"trace not found"}]}', "get")
    assert str(v1) == "trace not found" and v1.kind == "jaeger-trace-not-found"
    v3 = client.error_from(400, '{"error":{"httpCode":400,"message":"malformed parameter '
                                'query.start_time_min: bad"}}', "search")
    assert str(v3) == "malformed parameter query.start_time_min: bad"
    api = client.error_from(503, '{"kind":"Status","message":"no endpoints available for '
                                 'service \\"jaeger-query\\""}', "search")
    assert "no endpoints available" in str(api) and api.kind == "jaeger-missing"


def test_pick_service_prefers_the_query_service() -> None:
    def svc(ns: str, name: str, ports: list[dict[str, Any]], **labels: str) -> dict[str, Any]:
        return {"metadata": {"namespace": ns, "name": name, "labels": labels},
                "spec": {"ports": ports}}

    services = [
        svc("jaeger", "jaeger-collector", [{"name": "otlp-http", "port": 4318}]),
        svc("jaeger", "jaeger", [{"name": "http-query", "port": 16686}]),
        svc("obs", "jaeger-query", [{"name": "query", "port": 80, "targetPort": 16686}]),
        svc("web", "frontend", [{"name": "http", "port": 16686}]),
    ]
    target = pick_service(services)
    assert target is not None and str(target) == "obs/jaeger-query:query"
    assert str(pick_service(services, ["jaeger"])) == "jaeger/jaeger:http-query"


# -- hostile input (property-based) ----------------------------------------------------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from testkit import hostile  # noqa: E402


@given(hostile.json_values())
def test_any_json_is_a_trace_or_a_format_error(value: object) -> None:
    for parse in (parse_v1_trace, summarize_v1, parse_v3_traces):
        try:
            parse(value)
        except TraceFormatError:
            pass


@given(st.lists(st.tuples(hostile.nasty_text(30), hostile.nasty_text(30),
                          hostile.nasty_text(20)), min_size=1, max_size=5))
def test_hostile_names_and_tags_never_reach_the_text_waterfall(
        spans: list[tuple[str, str, str]]) -> None:
    raw = {"traceID": TID, "processes": {f"p{i}": {"serviceName": svc, "tags": [
        {"key": val, "value": val}]} for i, (svc, _op, val) in enumerate(spans)},
        "spans": [v1_span(f"{i + 1:016x}", op, f"p{i}", i * 10, 100 - i,
                          f"{i:016x}" if i else "", [{"key": "error", "value": val}])
                  for i, (_svc, op, val) in enumerate(spans)]}
    trace = parse_v1_trace(raw)
    hostile.assert_clean(text_lines(trace, 80), " (trace text)")
    q, _s, _e = logs_query(trace.spans[0], TID)
    assert "\n" not in q  # the LogQL string escapes what it quotes


def test_v1_tags_and_logs_are_read_when_first_used() -> None:
    """Opening a 10,000-span trace reads only what the waterfall needs; a span's
    attributes and events stay Jaeger's JSON until its details (or a filter) ask."""
    raw = shop_v1()
    trace = parse_v1_trace(raw)
    pay = trace.spans[3]
    assert pay.error and pay.attrs is None and pay.events is None  # flags read, rest not
    assert ("http.status_code", "500") in pay.tags and ("error", "true") in pay.tags
    assert pay.attrs is not None and pay.raw_tags is None
    assert pay.logs[0].name == "exception" and pay.raw_logs is None
    assert trace.spans[0].kind == "server" and trace.spans[0].tag("span.kind") == "server"
    # a malformed log, first read in the detail view, is left out with a warning
    raw["spans"][0]["logs"].append({"timestamp": "soon", "fields": []})
    late = parse_v1_trace(raw).spans[3]
    assert len(late.logs) == 1 and late.warnings == [
        "a log was left out: log timestamp is not a number"]
    # a wrong shape where the waterfall reads it still fails the parse at once
    raw["spans"][0]["tags"] = {"error": True}
    with pytest.raises(TraceFormatError, match="tags is not a list"):
        parse_v1_trace(raw)
