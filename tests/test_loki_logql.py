"""Pure LogQL editor logic: completion context at the cursor, apply, prefill, time ranges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from k8s_essentials_tui.plugins.loki import logql
from k8s_essentials_tui.plugins.loki.logql import apply, completion_at, static_items

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("text", "kind", "prefix"), [
    ("", "function", ""),
    ("co", "function", "co"),
    ("{", "label_name", ""),
    ("{na", "label_name", "na"),
    ('{namespace="shop", ', "label_name", ""),
    ('{namespace="shop", ap', "label_name", "ap"),
    ("{app", "label_name", "app"),
    ("{app!", "operator", "!"),
    ("{app =", "operator", "="),
    ('{app="', "label_value", ""),
    ('{app=~"che', "label_value", "che"),
    ('{app="checkout"} |', "stage", ""),
    ('{app="checkout"} | js', "stage", "js"),
    ('{app="checkout"} ', "line_filter", ""),
    ('{app="checkout"} |=', "line_filter", "|="),
    ('{app="checkout"} |= "err', "none", ""),
    ('rate({app="x"}[5m]) ', "none", ""),
])
def test_completion_kind(text: str, kind: str, prefix: str) -> None:
    c = completion_at(text)
    assert (c.kind, c.prefix) == (kind, prefix)


def test_label_value_knows_its_label_and_the_selector_so_far() -> None:
    c = completion_at('{namespace="shop", app="ch')
    assert c.kind == "label_value"
    assert c.label == "app"
    assert c.selector == '{namespace="shop"}'


def test_completion_in_the_middle_of_the_text() -> None:
    text = '{app="checkout"} |= "x"'
    c = completion_at(text, 3)
    assert (c.kind, c.prefix, c.start, c.end) == ("label_name", "ap", 1, 4)


def test_apply_label_name_value_and_operator() -> None:
    text, cur = apply("{na", completion_at("{na"), "namespace")
    assert (text, cur) == ("{namespace=", 11)
    text, cur = apply('{namespace="', completion_at('{namespace="'), 'sh"op')
    assert text == '{namespace="sh\\"op"'
    assert cur == len(text)
    text, cur = apply('{namespace="sh"}', completion_at('{namespace="sh"}', 13), "shop")
    assert text == '{namespace="shop"}'
    text, _ = apply("{app!", completion_at("{app!"), "!~")
    assert text == '{app!~"'


def test_apply_stage_line_filter_and_function() -> None:
    q = '{app="x"} | '
    text, _ = apply(q, completion_at(q), "logfmt")
    assert text == '{app="x"} | logfmt '
    q = '{app="x"} '
    text, cur = apply(q, completion_at(q), "|=")
    assert text == '{app="x"} |= ""' and text[cur] == '"'
    text, cur = apply("ra", completion_at("ra"), "rate")
    assert (text, cur) == ("rate(", 5)


def test_static_items_filter_by_prefix() -> None:
    assert static_items(completion_at('{a="b"} | j')) == ["json"]
    assert static_items(completion_at("{a!")) == ["!=", "!~"]
    assert "{" in static_items(completion_at(""))
    assert static_items(completion_at('{a="')) == []


def test_candidates_prefix_first_then_substring() -> None:
    c = completion_at("{name")
    assert logql.candidates(c, ["pod", "namespace", "container_name", "name"]) == [
        "namespace", "name", "container_name"]


def test_prefill_and_selector_escape() -> None:
    assert logql.prefill("shop", "web") == '{namespace="shop", app="web"}'
    assert logql.prefill("shop") == '{namespace="shop"}'
    assert logql.prefill() == ""
    assert logql.selector({"a": 'x"y'}) == '{a="x\\"y"}'


def test_metric_detection() -> None:
    assert logql.is_metric_query('sum by (app) (rate({a="b"}[1m]))')
    assert logql.is_metric_query('count_over_time({a="b"}[5m])')
    assert not logql.is_metric_query('{a="b"} |= "rate("')


def test_durations_and_times() -> None:
    assert logql.parse_duration("1h30m") == timedelta(minutes=90)
    assert logql.parse_duration("7d") == timedelta(days=7)
    with pytest.raises(ValueError):
        logql.parse_duration("5 minutes")
    assert logql.parse_time("now-2h", NOW) == NOW - timedelta(hours=2)
    assert logql.parse_time("2026-06-01T10:00:00Z", NOW) == NOW - timedelta(hours=2)
    assert logql.parse_time("2026-06-01 10:00", NOW) == NOW - timedelta(hours=2)
    assert logql.parse_time(str(int(NOW.timestamp())), NOW) == NOW
    assert logql.parse_time(str(logql.to_ns(NOW)), NOW) == NOW
    with pytest.raises(ValueError):
        logql.parse_time("yesterday", NOW)


def test_ranges() -> None:
    r = logql.resolve_range("15m", NOW)
    assert r.end == NOW and r.seconds == 900 and r.label == "last 15m"
    r = logql.resolve_range("custom", NOW, "2026-06-01 11:00", "2026-06-01 11:30")
    assert r.seconds == 1800
    assert r.step(60) == "30s"
    with pytest.raises(ValueError):
        logql.resolve_range("custom", NOW, "now-1h", "now-2h")


def test_ns_round_trip() -> None:
    dt = datetime(2026, 6, 1, 12, 0, 1, 123456, tzinfo=UTC)
    assert logql.from_ns(logql.to_ns(dt)) == dt


def test_a_label_value_with_control_characters_is_inserted_as_escapes() -> None:
    """Completion inserts Go string escapes, not a raw ESC, into the editor: the query
    still matches the real value, and the editor shows no control character."""
    c = completion_at('{app="', 6)
    text, _cursor = apply('{app="', c, 'x\x1b]0;t\x07"\u202e\x9b')
    assert text == '{app="x\\x1b]0;t\\x07\\"\\u202e\\u009b"'
    assert text.isprintable()
