"""The live TLS probe (``p``, ``--probe``): a handshake with SNI to the published address,
returning the served leaf certificate.

Verification is off on purpose: the point is to see *which* certificate the controller
serves for the host (an expired or self-signed one included) and compare it with the
Secret's, not to trust it. Nothing is sent after the handshake. Bounded: a timeout per
probe and a concurrency limit, so a black-holed address never hangs the pane or the command.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Iterable

from .model import HostRow, ProbeResult
from .tlsinfo import from_der


def _context() -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


async def probe(host: str, address: str, port: int, *, timeout: float = 3.0) -> ProbeResult:
    """Connect to ``address:port`` and hand ``host`` as SNI; the served leaf or the error."""
    writer = None
    try:
        async with asyncio.timeout(timeout):
            _reader, writer = await asyncio.open_connection(
                address, port, ssl=_context(), server_hostname=host,
                ssl_handshake_timeout=timeout)
            sslobj = writer.get_extra_info("ssl_object")
            der = sslobj.getpeercert(binary_form=True) if sslobj is not None else None
    except TimeoutError:
        return ProbeResult(error=f"timeout after {timeout:g}s ({address}:{port})")
    except ssl.SSLError as exc:
        return ProbeResult(error=f"TLS error: {exc.reason or exc}")
    except OSError as exc:
        return ProbeResult(error=f"{exc.strerror or exc} ({address}:{port})")
    finally:
        if writer is not None:
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 1.0)
    if not der:
        return ProbeResult(error="no certificate")
    try:
        return ProbeResult(leaf=from_der(der))
    except ValueError as exc:
        return ProbeResult(error=f"served certificate does not parse: {str(exc)[:60]}")


async def probe_rows(targets: Iterable[tuple[HostRow, str, int]], *, timeout: float = 3.0,
                     concurrency: int = 8) -> dict[str, ProbeResult]:
    """Probe each (row, address, port) once, at most ``concurrency`` at a time; keyed by
    :attr:`HostRow.key`."""
    limit = asyncio.Semaphore(concurrency)

    async def one(row: HostRow, address: str, port: int) -> tuple[str, ProbeResult]:
        async with limit:
            return row.key, await probe(row.host, address, port, timeout=timeout)

    results = await asyncio.gather(*(one(*t) for t in targets))
    return dict(results)
