"""``testkit.wait.wait_until``: the tests' one bounded wait."""

from __future__ import annotations

import pytest

from testkit.wait import WaitTimeout, wait_until


async def test_returns_once_the_condition_holds() -> None:
    calls = []

    def ready() -> bool:
        calls.append(1)
        return len(calls) >= 3

    await wait_until(None, ready, interval=0)
    assert len(calls) == 3


async def test_a_raising_predicate_means_not_yet() -> None:
    calls = []

    def mounted() -> bool:
        calls.append(1)
        if len(calls) < 2:
            raise LookupError("no widget yet")
        return True

    await wait_until(None, mounted, interval=0)


async def test_gives_up_naming_what_and_the_last_error() -> None:
    def never() -> bool:
        raise LookupError("no #releases")

    with pytest.raises(WaitTimeout, match=r"the table .*LookupError: no #releases"):
        await wait_until(None, never, timeout=0.05, interval=0.01, what="the table")
    with pytest.raises(AssertionError):  # a test failure, not an error
        await wait_until(None, lambda: False, timeout=0.01, interval=0.01)
