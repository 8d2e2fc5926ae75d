"""The private event loop in a thread that the monitoring pane's first request runs on
(plugins/monitoring/offloop.py): results, errors and cancellation come across."""

from __future__ import annotations

import asyncio
import threading

import pytest

from k8s_essentials_tui.plugins.monitoring.offloop import run_off_loop


async def test_the_result_comes_back_from_another_thread_and_loop() -> None:
    here = (threading.get_ident(), asyncio.get_running_loop())

    async def job() -> tuple[int, asyncio.AbstractEventLoop]:
        await asyncio.sleep(0)
        return threading.get_ident(), asyncio.get_running_loop()

    there = await run_off_loop(job)
    assert there[0] != here[0] and there[1] is not here[1]


async def test_an_exception_comes_back_as_it_was_raised() -> None:
    class Boom(RuntimeError):
        pass

    async def job() -> None:
        raise Boom("the server said no")

    with pytest.raises(Boom, match="the server said no"):
        await run_off_loop(job)


async def test_cancelling_the_caller_cancels_the_job_on_its_loop() -> None:
    started, cancelled = threading.Event(), threading.Event()

    async def job() -> None:
        started.set()
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    waiter = asyncio.create_task(run_off_loop(job))
    assert await asyncio.to_thread(started.wait, 10)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert await asyncio.to_thread(cancelled.wait, 10)


async def test_the_short_switch_interval_covers_the_thread_from_its_start() -> None:
    """``start_off_loop`` lowers the interpreter's switch interval before the thread starts
    (its first turn -- a loop, a client, the request -- no longer waits up to 5 ms for the
    GIL while the screen is composed), and the interval comes back when the job ends,
    also for a job cancelled before it ran."""
    import sys

    from k8s_essentials_tui.api import PROMPT_INTERVAL
    from k8s_essentials_tui.plugins.monitoring.offloop import start_off_loop

    before = sys.getswitchinterval()
    seen: list[float] = []

    async def job() -> None:
        seen.append(sys.getswitchinterval())

    run = start_off_loop(job)
    assert sys.getswitchinterval() == PROMPT_INTERVAL  # already, before the thread ran
    await run.wait()
    assert seen == [PROMPT_INTERVAL]
    for _ in range(100):  # the thread lets go of it just after handing the result over
        if sys.getswitchinterval() == before:
            break
        await asyncio.sleep(0.01)
    assert sys.getswitchinterval() == before

    run = start_off_loop(job)
    run.cancel()  # perhaps before its thread took its first step
    for _ in range(100):
        if sys.getswitchinterval() == before:
            break
        await asyncio.sleep(0.01)
    assert sys.getswitchinterval() == before
