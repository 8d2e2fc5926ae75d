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
