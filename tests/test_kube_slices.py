"""Loops cut into slices of the event loop (tui/kube/slices.py)."""

from __future__ import annotations

import asyncio
import time

from k8s_essentials_tui.kube.slices import Slices


async def test_due_once_a_slice_has_run_and_pause_lets_the_loop_turn() -> None:
    slices = Slices(0.002)
    assert not slices.due()
    ran: list[str] = []
    asyncio.get_running_loop().call_soon(ran.append, "other")
    time.sleep(0.003)  # a slice of work
    assert slices.due()
    await slices.pause()
    assert ran == ["other"]  # the loop ran what waited
    assert not slices.due()  # a new slice starts
