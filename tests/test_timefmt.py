"""``tui/timefmt.py``: the one reading of the cluster's timestamps and the one set of age and
duration formats every plugin uses (Helm releases, Velero, cert-manager)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from k8s_essentials_tui import api
from k8s_essentials_tui.helm.release import decode_all
from k8s_essentials_tui.timefmt import age, human_duration, parse_time
from testkit.helm_release import release_secret

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def test_parse_time_reads_rfc3339_as_utc() -> None:
    assert parse_time("2026-05-31T11:22:33Z") == datetime(2026, 5, 31, 11, 22, 33, tzinfo=UTC)
    # Go's nanoseconds, and an offset: the same instant, in UTC
    when = parse_time("2026-05-31T11:22:33.123456789+02:00")
    assert when == datetime(2026, 5, 31, 9, 22, 33, 123456, tzinfo=UTC)
    assert when is not None and when.utcoffset() == timedelta(0)
    # no offset: taken as UTC, never naive (sorting against aware times would raise)
    assert parse_time("2026-05-31T11:22:33") == datetime(2026, 5, 31, 11, 22, 33, tzinfo=UTC)


def test_parse_time_fast_path_reads_like_the_general_one() -> None:
    """The apiserver's 20-character form has a fast path (#25); it must give exactly what
    the general path gives, and leave every other 20-character string to it."""
    for text in ("2026-05-31T11:22:33Z", "2026-02-29T00:00:00Z", "2026-W22-1T00:00:0Z",
                 "2026-05-31 11:22:33Z", "0001-01-01T00:00:00Z", "garbage-garbage-gar\u00e9Z"):
        slow = parse_time(f" {text}")  # a leading space takes the general path
        fast = parse_time(text)
        assert fast == slow and (fast is None or fast.tzinfo == UTC), text
    assert parse_time("2026-05-31T11:22:33Z", keep_offset=True) == datetime(
        2026, 5, 31, 11, 22, 33, tzinfo=UTC)


def test_parse_time_keep_offset_is_the_same_instant() -> None:
    kept = parse_time("2026-05-31T11:22:33.1+02:00", keep_offset=True)
    assert kept is not None and kept.utcoffset() == timedelta(hours=2)
    assert kept == parse_time("2026-05-31T11:22:33.1+02:00")


@pytest.mark.parametrize("junk", [None, "", "  ", "garbage", 12, ["2026-01-01"],
                                  "9999-12-31T23:59:59-23:59", "2026-13-01T00:00:00Z"])
def test_parse_time_junk_is_none(junk: object) -> None:
    assert parse_time(junk) is None


def test_helm_release_times_keep_helms_offset() -> None:
    """``releases -o json`` shows the time helm wrote (its local offset), as before."""
    secret = release_secret("web", "apps", deployed_at="2026-05-31T11:22:33.1+02:00")
    (rel,) = decode_all([secret])
    assert rel.last_deployed is not None
    assert rel.last_deployed.utcoffset() == timedelta(hours=2)


def test_age_is_kubectl_style() -> None:
    assert age(None, NOW) == "-"
    assert age(NOW + timedelta(seconds=5), NOW) == "0s"  # clock skew
    assert age(NOW - timedelta(seconds=42), NOW) == "42s"
    assert age(NOW - timedelta(minutes=5, seconds=59), NOW) == "5m"
    assert age(NOW - timedelta(hours=3, minutes=59), NOW) == "3h"
    assert age(NOW - timedelta(days=12, hours=23), NOW) == "12d"


def test_human_duration_keeps_a_second_unit_while_it_matters() -> None:
    assert human_duration(timedelta(seconds=45)) == "45s"
    assert human_duration(timedelta(minutes=12, seconds=30)) == "12m"
    assert human_duration(timedelta(hours=3, minutes=12)) == "3h12m"
    assert human_duration(timedelta(hours=3)) == "3h"
    assert human_duration(timedelta(days=4, hours=3)) == "4d3h"
    assert human_duration(timedelta(days=120, hours=3)) == "120d"
    assert human_duration(timedelta(minutes=-12)) == "12m"


def test_plugins_get_them_from_the_api() -> None:
    assert api.parse_time is parse_time
    assert api.age is age
    assert api.human_duration is human_duration
