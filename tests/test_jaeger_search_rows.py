"""The search answer read straight into rows (plugins/jaeger/search_rows.py) gives exactly
what the generic path (decode, then ``summarize_v1`` over the dicts) gives -- rows, raw
traces, and the errors of an answer of another shape -- on hand-made and random answers."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from k8s_essentials_tui.api import decode_json
from k8s_essentials_tui.plugins.jaeger.client import SearchResult, _decode_v1_search, _ShapeError
from k8s_essentials_tui.plugins.jaeger.model import TraceFormatError, summarize_v1
from k8s_essentials_tui.plugins.jaeger.search_rows import read_v1_search
from testkit import hostile
from tests.test_jaeger_model import T0, TID, shop_v1, v1_span


def generic(content: bytes) -> SearchResult:
    """The answer read the generic way (the only way before search_rows)."""
    body = decode_json(content)
    data = body.get("data") if isinstance(body, dict) else None
    if data is not None and not isinstance(data, list):
        raise _ShapeError
    summaries = [summarize_v1(t) for t in data or []]
    return SearchResult(summaries, dict(zip((s.trace_id for s in summaries), data or [],
                                            strict=True)))


def outcome(read: Any, content: bytes) -> tuple[str, Any]:
    try:
        result = read(content)
    except (ValueError, TraceFormatError) as exc:
        return "error", (type(exc), str(exc))
    raws = {tid: decode_json(bytes(t)) if isinstance(t, msgspec.Raw) else t
            for tid, t in result.raw.items()}
    return "rows", (result.summaries, raws)


def assert_same(body: object) -> None:
    content = json.dumps(body).encode()
    assert outcome(_decode_v1_search, content) == outcome(generic, content)


def variants() -> list[dict[str, Any]]:
    """Well-formed traces that take every branch of a row: errors as bool, string and
    status, no root span (all have parents), a missing process, a null duration, a
    trace id only on the spans, services ordered by their first span."""
    shop = shop_v1()
    orphan = shop_v1()
    for s in orphan["spans"]:
        s["references"] = s["references"] or [{"refType": "CHILD_OF", "traceID": TID,
                                               "spanID": "ffffffffffffffff"}]
    bare = {"spans": [v1_span("01", "op", "p9", 5, 1), v1_span("02", "x", "p1", 1, 2, "01")],
            "processes": {"p1": {"serviceName": "a"}}}
    bare["spans"][0]["duration"] = None
    bare["spans"][1]["processID"] = 7
    tags = [{"key": "error", "value": "1"}, {"key": "error", "value": "false"},
            {"key": "otel.status_code", "value": "OK"}, {"key": "error", "value": "TRUE"}]
    tagged = {"traceID": "t2", "processes": {"p1": {"serviceName": "b"}},
              "spans": [v1_span(f"{i:02x}", "op", "p1", i, 3, "00" if i else "", [t])
                        for i, t in enumerate(tags)]}
    # two roots starting together: the first listed is the row's root
    twins = {"traceID": "t3", "processes": {"p1": {"serviceName": "a"}, "p2": {"serviceName": "b"}},
              "spans": [v1_span("01", "first", "p2", 0, 5),
                       v1_span("02", "second", "p1", 0, 9)]}
    return [shop, orphan, bare, tagged, twins,
            {"traceID": "empty", "spans": [], "processes": {}},
            {"traceID": "nulls", "spans": None, "processes": None}]


def test_rows_and_raw_traces_are_the_generic_ones() -> None:
    assert_same({"data": variants(), "total": 0, "limit": 0, "offset": 0, "errors": None})
    content = json.dumps({"data": variants()}).encode()
    fast = read_v1_search(content)
    assert fast is not None  # well-formed: read by search_rows, not the generic path
    rows, raws = fast
    assert (rows[0].root_service, rows[0].error_count, rows[0].span_count) == ("frontend", 1, 6)
    assert rows[0].services == {"frontend": 1, "checkout": 2, "cart": 1, "payments": 2}
    assert rows[3].error_count == 2 and rows[2].trace_id == TID
    assert (rows[4].root_operation, list(rows[4].services)) == ("first", ["b", "a"])
    assert decode_json(bytes(raws[0])) == shop_v1()
    # opening a trace from the results reads its kept JSON
    result = _decode_v1_search(json.dumps({"data": [shop_v1()]}).encode())
    assert isinstance(result.raw[TID], msgspec.Raw)
    trace = result.trace(TID)
    assert trace is not None and trace.summary().root_operation == "GET /checkout"
    assert result.trace("missing") is None


@pytest.mark.parametrize("body", [
    {"data": None}, {}, [], {"data": []}, "text",
    {"data": {"not": "a list"}},
    {"data": [1]},
    {"data": [{"spans": [{"startTime": 1.5}]}]},
    {"data": [{"spans": [{"startTime": "12"}]}]},
    {"data": [{"spans": [{"startTime": True}]}]},
    {"data": [{"spans": [{"duration": 3}]}]},
    {"data": [{"spans": [{"startTime": T0, "duration": False}]}]},
    {"data": [{"spans": [{"startTime": T0, "references": ""}]}]},
    {"data": [{"spans": [{"startTime": T0, "tags": [1, {"key": "error", "value": True}]}]}]},
    {"data": [{"spans": 0}]},
    # found by the random test below: tags that are not a list made summarize_v1 raise a
    # TypeError (the search worker crashed); now the full parse's error, or no tags
    {"data": [{"spans": [{"startTime": T0, "tags": 1}]}]},
    {"data": [{"spans": [{"startTime": T0, "tags": {"key": "error"}}]}]},
    {"data": [{"spans": [{"startTime": T0, "tags": 0}, {"startTime": T0, "tags": ""}]}]},
    {"data": [{"spans": [], "processes": 0}]},
    {"data": [{"spans": [], "processes": {"p1": 1}}]},
    {"data": [{"spans": [], "processes": []}]},
])
def test_other_shapes_take_the_generic_path(body: object) -> None:
    assert_same(body)


def test_tags_that_are_not_a_list_are_a_format_error() -> None:
    """The search reports what the full parse reports (not a TypeError that crashed the
    search's worker); falsy ones are no tags, as there."""
    for tags in (1, "error", {"key": "error"}):
        body = {"data": [{"spans": [{"startTime": T0, "tags": tags}]}]}
        with pytest.raises(TraceFormatError, match="tags is not a list"):
            _decode_v1_search(json.dumps(body).encode())
        with pytest.raises(TraceFormatError, match="tags is not a list"):
            summarize_v1(body["data"][0])
    rows = _decode_v1_search(json.dumps({"data": [{"spans": [
        {"startTime": T0, "tags": 0}]}]}).encode()).summaries
    assert [(r.span_count, r.error_count) for r in rows] == [(1, 0)]


def test_json_msgspec_refuses_is_still_read() -> None:
    content = b'{"data": [{"traceID": "nan", "spans": [{"startTime": NaN}]}]}'
    assert read_v1_search(content) is None
    with pytest.raises(TraceFormatError):
        _decode_v1_search(content)
    assert read_v1_search(b"{") is None
    with pytest.raises(ValueError):
        _decode_v1_search(b"{")


def _either(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly ``valid``, now and then any JSON: most answers are well-formed (read by
    search_rows), the rest take the generic path somewhere."""
    return st.one_of(st.integers(0, 19), st.just(0)).flatmap(
        lambda n: hostile.json_values(4) if n == 19 else valid)


@st.composite
def answers(draw: st.DrawFn) -> object:
    """Search answers close to Jaeger's: each field valid or, now and then, any JSON."""
    pids = st.sampled_from(["p1", "p2", "p3"])
    tag = _either(st.fixed_dictionaries({
        "key": _either(st.sampled_from(["error", "otel.status_code", "span.kind"])),
        "value": _either(st.sampled_from([True, False, "true", "1", "ERROR", "OK", 1, None]))}))
    ref = _either(st.fixed_dictionaries({"refType": st.just("CHILD_OF"), "spanID": pids}))
    span = _either(st.fixed_dictionaries({
        "startTime": _either(st.integers(0, 10**16)),
        "duration": _either(st.one_of(st.none(), st.integers(-5, 10**6))),
        "processID": _either(pids), "operationName": _either(hostile.nasty_text(10)),
        "references": _either(st.one_of(st.none(), st.lists(ref, max_size=2))),
        "tags": _either(st.lists(tag, max_size=3)), "traceID": _either(st.just(TID))}))
    process = _either(st.fixed_dictionaries({"serviceName": _either(hostile.nasty_text(10))}))
    trace = _either(st.fixed_dictionaries({
        "traceID": _either(st.text("0123456789abcdef", max_size=4)),
        "spans": _either(st.lists(span, max_size=4)),
        "processes": _either(st.dictionaries(pids, process, max_size=3))}))
    return draw(_either(st.fixed_dictionaries({"data": _either(st.lists(trace, max_size=3))})))


@given(answers())
def test_random_answers_read_the_same_either_way(body: object) -> None:
    assert_same(body)
