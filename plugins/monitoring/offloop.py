"""Run one coroutine on a private event loop in a daemon thread, awaited from the app's loop.

Why: while a screen is composed and first painted, the app's event loop turns once per chunk
of Textual work (30-80 ms each here). An HTTP answer is read in pieces -- 64 KB per read, one
16 KB TLS record per read through the apiserver -- and each piece waits for the next turn:
1 MB of alerts took 0.5-0.8 s to arrive in the pane against 0.1 s for the same GET alone.
On its own loop in a thread, each read waits at most the interpreter's thread switch
interval (5 ms; lowered to 1 ms while the job runs, ``api.prompt_threads``), so the answer
arrives (and is parsed) while the screen paints.

The thread is a daemon (a hung server never delays the app's exit) and a cancelled caller
cancels the coroutine on its loop. The coroutine must not touch objects bound to the app's
loop: it builds its own HTTP client (see ``Endpoint.fresh`` in client.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Coroutine
from typing import Any, Generic, TypeVar

from k8s_essentials_tui.api import prompt_threads

T = TypeVar("T")


class _OffLoop(Generic[T]):
    """One run: the thread's loop and task, guarded for a cancel from the caller's side."""

    def __init__(self, make: Callable[[], Coroutine[Any, Any, T]],
                 caller: asyncio.AbstractEventLoop) -> None:
        self.make = make
        #: the short thread switch interval, held from before the thread starts until it
        #: ends (see :func:`start_off_loop`)
        self.prompt = contextlib.ExitStack()
        self.caller = caller
        self.done: asyncio.Future[T] = caller.create_future()
        self.lock = threading.Lock()
        self.cancelled = False
        self.loop: asyncio.AbstractEventLoop | None = None
        self.task: asyncio.Task[T] | None = None

    def _result(self, result: T) -> None:
        if not self.done.done():
            self.done.set_result(result)

    def _error(self, error: BaseException) -> None:
        if not self.done.done():
            self.done.set_exception(error)

    def _reply(self, callback: Callable[[Any], None], value: Any) -> None:
        try:
            self.caller.call_soon_threadsafe(callback, value)
        except RuntimeError:  # the app's loop is gone: nobody waits for this any more
            pass

    def main(self) -> None:
        # the loop is painting the screen meanwhile: this thread gets the GIL within 1 ms,
        # not 5, to start and each time the next piece of the answer arrives
        with self.prompt:
            loop = asyncio.new_event_loop()
            try:
                with self.lock:
                    if self.cancelled:
                        return
                    task = loop.create_task(self.make())
                    self.loop, self.task = loop, task
                try:
                    result = loop.run_until_complete(task)
                except BaseException as exc:  # handed to the caller as it is
                    self._reply(self._error, exc)
                else:
                    self._reply(self._result, result)
            finally:
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()

    def cancel(self) -> None:
        """Cancel the job on its loop (from the caller's loop); nobody waits for it then."""
        with self.lock:
            self.cancelled = True
            loop, task = self.loop, self.task
        self.done.cancel()  # an error that comes later is not "never retrieved"
        if loop is not None and task is not None:
            try:
                loop.call_soon_threadsafe(task.cancel)
            except RuntimeError:  # its loop closed meanwhile: nothing left to cancel
                pass

    async def wait(self) -> T:
        """The job's result or exception; cancelling the waiter cancels the job."""
        try:
            return await self.done
        except asyncio.CancelledError:
            self.cancel()
            raise


#: what :func:`start_off_loop` returns: ``await run.wait()`` for the result, ``run.cancel()``
OffLoopRun = _OffLoop


def start_off_loop(make: Callable[[], Coroutine[Any, Any, T]], name: str = "off-loop"
                   ) -> OffLoopRun[T]:
    """Start ``make()`` on a new event loop in a new daemon thread *now*, before the caller's
    next ``await``. Why not a task that calls :func:`run_off_loop`: a task first runs when
    the loop next turns, and while a screen is composed and mounted that is 40-60 ms later
    (the monitoring pane's first request started ~60 ms after ``open``). Called from
    the caller's event loop."""
    run: OffLoopRun[T] = _OffLoop(make, asyncio.get_running_loop())
    # lowered before the thread starts: its first turn (a new loop, the client, the
    # request on the wire) came up to 5 ms late while the loop composed the screen, and
    # the request left ~9 ms after ``open``; held by the thread until it ends
    run.prompt.enter_context(prompt_threads())
    try:
        threading.Thread(target=run.main, name=name, daemon=True).start()
    except BaseException:
        run.prompt.close()
        raise
    return run


async def run_off_loop(make: Callable[[], Coroutine[Any, Any, T]], name: str = "off-loop") -> T:
    """``await make()`` on a new event loop in a new daemon thread; its result or exception
    comes back here, and cancelling this cancels it there."""
    return await start_off_loop(make, name).wait()
