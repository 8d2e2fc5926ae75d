"""Run an external CLI without blocking the event loop: streamed lines, timeout, cancel.

The one subprocess runner and result type: the helm wrapper (helm/tool.py) and the
telepresence plugin (through the api) use it. The child runs in its own process group, so
a timeout or a cancel kills it *and* whatever it spawned (a hung daemon must not keep the
pipes open); a cancelled awaiting task gets SIGTERM to the group, then SIGKILL after a grace
period.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: (stream name "stdout"|"stderr", line without the newline)
StreamCallback = Callable[[str, str], None]


@dataclass
class ProcessResult:
    argv: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


class ProcessTimeout(Exception):
    """The process did not finish within the time limit (it has been killed)."""


class ProcessCancelled(Exception):
    """The ``cancel`` event was set (the process has been killed)."""


async def run_process(argv: Sequence[str], *, env: Mapping[str, str] | None = None,
                      on_line: StreamCallback | None = None, timeout: float | None = None,
                      cancel: asyncio.Event | None = None,
                      grace: float = 5.0) -> ProcessResult:
    """Run ``argv``; OSError (missing or not executable) propagates for the caller to word."""
    proc = await asyncio.create_subprocess_exec(
        *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, env=dict(env) if env is not None else None,
        start_new_session=True)
    out: list[str] = []
    err: list[str] = []

    async def pump(stream: asyncio.StreamReader | None, name: str, sink: list[str]) -> None:
        if stream is None:
            return
        while raw := await stream.readline():
            line = raw.decode("utf-8", "replace")
            sink.append(line)
            if on_line is not None:
                on_line(name, line.rstrip("\n"))

    work = asyncio.ensure_future(asyncio.gather(
        pump(proc.stdout, "stdout", out), pump(proc.stderr, "stderr", err), proc.wait()))
    waiters: set[asyncio.Future[Any]] = {work}
    cancel_wait = asyncio.ensure_future(cancel.wait()) if cancel is not None else None
    if cancel_wait is not None:
        waiters.add(cancel_wait)
    try:
        done, _ = await asyncio.wait(waiters, timeout=timeout,
                                     return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        await _stop_group(proc, work, grace)
        raise
    finally:
        if cancel_wait is not None and not cancel_wait.done():
            cancel_wait.cancel()
    if work not in done:
        await _stop_group(proc, work, 0.0)
        if cancel_wait is not None and cancel_wait in done:
            raise ProcessCancelled
        raise ProcessTimeout
    work.result()
    return ProcessResult(list(argv), proc.returncode or 0, "".join(out), "".join(err))


async def _stop_group(proc: asyncio.subprocess.Process, work: asyncio.Future[Any],
                      grace: float) -> None:
    """SIGTERM the group and wait ``grace`` seconds (0: straight to SIGKILL)."""
    if proc.returncode is None and grace > 0:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(asyncio.shield(proc.wait()), grace)
    if proc.returncode is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    work.cancel()
    with contextlib.suppress(BaseException):
        await asyncio.wait_for(proc.wait(), timeout=5)
    with contextlib.suppress(BaseException):
        await work
