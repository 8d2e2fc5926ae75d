"""The switch interval while a prompt read runs (tui/threadpolicy.py): lowered for the block,
nestable across threads, restored by the last one out, never raised."""

from __future__ import annotations

import sys
import threading

from k8s_essentials_tui.api import prompt_threads
from k8s_essentials_tui.threadpolicy import PROMPT_INTERVAL


def test_lowered_inside_and_restored_after() -> None:
    before = sys.getswitchinterval()
    with prompt_threads():
        assert sys.getswitchinterval() == PROMPT_INTERVAL
    assert sys.getswitchinterval() == before


def test_nested_in_threads_the_last_one_out_restores() -> None:
    before = sys.getswitchinterval()
    inside, leave = threading.Event(), threading.Event()

    def other() -> None:
        with prompt_threads():
            inside.set()
            leave.wait(5)

    thread = threading.Thread(target=other)
    thread.start()
    assert inside.wait(5)
    with prompt_threads():
        pass
    assert sys.getswitchinterval() == PROMPT_INTERVAL  # the thread's block still runs
    leave.set()
    thread.join(5)
    assert sys.getswitchinterval() == before


def test_a_lower_interval_set_by_the_caller_is_kept() -> None:
    before = sys.getswitchinterval()
    sys.setswitchinterval(PROMPT_INTERVAL / 2)
    try:
        with prompt_threads():
            assert sys.getswitchinterval() == PROMPT_INTERVAL / 2
        assert sys.getswitchinterval() == PROMPT_INTERVAL / 2
    finally:
        sys.setswitchinterval(before)


def test_restored_when_the_block_raises() -> None:
    before = sys.getswitchinterval()
    try:
        with prompt_threads():
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert sys.getswitchinterval() == before


def test_sorted_in_pieces_is_sorted_stable_and_the_same_as_sorted() -> None:
    """The worker's sort in pieces (the loop gets its turns between the merge's items)
    gives exactly what ``sorted`` gives, equal keys in their input order."""
    import random

    from k8s_essentials_tui.api import sorted_in_pieces

    rng = random.Random(7)
    items = [(rng.randrange(50), rng.choice("abc"), i) for i in range(10_000)]

    def key(item: tuple[int, str, int]) -> tuple[int, str]:
        return item[0], item[1]  # the third field shows the order of equal keys

    assert sorted_in_pieces(items, key=key, piece=512) == sorted(items, key=key)
    assert sorted_in_pieces(items[:100], key=key) == sorted(items[:100], key=key)
    assert sorted_in_pieces([], key=key) == []
    assert sorted_in_pieces(iter(items), key=key, piece=1) == sorted(items, key=key)
