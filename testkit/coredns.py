"""A real CoreDNS on loopback serving zone files a test writes (issue #19's DNS checks).

Why a real server and not a mocked resolver: the exposure model resolves hosts with
dnspython over UDP/TCP, follows CNAME chains, reads TTLs and tells NXDOMAIN from "no
answer"; only a real authoritative server exercises all of that. CoreDNS is built from the Go
module proxy by ``scripts/build-control-plane`` into the control-plane cache directory
(``coredns -conf Corefile -dns.port P``; the ``file`` plugin serves an RFC 1035 zone file).

Use :func:`coredns_binary` to find it (``None`` when it has not been built: tests skip with
:data:`MISSING`), and :class:`CoreDNS` as a context manager::

    with CoreDNS(tmp_path, {"example.test": ZONE}) as dns:
        resolve("app.example.test", nameserver=dns.address)
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

from testkit.controlplane import BinariesMissing, find_binaries, free_ports

MISSING = ("coredns is not built: scripts/build-control-plane builds it into the "
           "control-plane cache directory (CI builds it first)")


def coredns_binary() -> Path | None:
    """The built ``coredns`` next to the control-plane binaries, or None."""
    try:
        directory = find_binaries(build=False)
    except BinariesMissing:
        return None
    path = directory / "coredns"
    return path if os.access(path, os.X_OK) else None


def zone(origin: str, records: str, *, ttl: int = 60, serial: int = 1) -> str:
    """A minimal zone file for ``origin`` (SOA + NS) followed by ``records`` (zone syntax,
    names relative to the origin)."""
    return (f"$ORIGIN {origin.rstrip('.')}.\n$TTL {ttl}\n"
            f"@ IN SOA ns.{origin.rstrip('.')}. admin.{origin.rstrip('.')}. "
            f"{serial} 7200 3600 1209600 {ttl}\n"
            f"@ IN NS ns.{origin.rstrip('.')}.\n"
            f"ns IN A 127.0.0.1\n{records}\n")


class CoreDNS:
    """CoreDNS serving ``zones`` (origin -> zone file text) on a free loopback port.

    Every other name is refused (no forwarding: a test never leaks a query to the
    machine's resolver). :attr:`address` is ``"127.0.0.1:PORT"``; :meth:`write_zone` replaces
    a zone on disk and waits until the server answers with the new serial, for tests that
    move a record.
    """

    def __init__(self, workdir: Path, zones: Mapping[str, str], *,
                 binary: Path | None = None, start_timeout: float = 20.0) -> None:
        self.workdir = workdir
        self.zones = dict(zones)
        self.binary = binary or coredns_binary()
        self.start_timeout = start_timeout
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = workdir / "coredns.log"

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _zone_path(self, origin: str) -> Path:
        return self.workdir / f"db.{origin.rstrip('.')}"

    def _corefile(self) -> str:
        blocks = []
        for origin in self.zones:
            # reload: the file plugin re-reads a zone whose SOA serial went up
            blocks.append(f"{origin.rstrip('.')}:{self.port} {{\n"
                          f"    bind 127.0.0.1\n"
                          f"    file {self._zone_path(origin)} {{\n        reload 1s\n    }}\n"
                          f"    errors\n}}\n")
        return "\n".join(blocks)

    def start(self) -> CoreDNS:
        if self.binary is None:
            raise BinariesMissing(MISSING)
        self.workdir.mkdir(parents=True, exist_ok=True)
        for origin, text in self.zones.items():
            self._zone_path(origin).write_text(text)
        for _attempt in range(3):  # a free port can be taken between probe and bind
            self.port = free_ports(1)[0]
            corefile = self.workdir / "Corefile"
            corefile.write_text(self._corefile())
            with self.log.open("wb") as log:
                self.proc = subprocess.Popen(
                    [str(self.binary), "-conf", str(corefile), "-dns.port", str(self.port)],
                    stdout=log, stderr=subprocess.STDOUT, cwd=self.workdir)
            if self._wait_ready():
                return self
            self.stop()
        raise RuntimeError(f"coredns did not start: {self.log.read_text(errors='replace')[-2000:]}")

    def _wait_ready(self) -> bool:
        """Ready when a TCP connect to the port succeeds (CoreDNS serves UDP and TCP)."""
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                return False
            with contextlib.suppress(OSError), socket.create_connection(
                    ("127.0.0.1", self.port), timeout=0.5):
                return True
            time.sleep(0.05)
        return False

    def write_zone(self, origin: str, text: str, *, serial: int, name: str,
                   timeout: float = 10.0) -> None:
        """Replace ``origin``'s zone (its SOA must carry ``serial``) and wait until the
        server serves it (the SOA of ``name``'s zone answers with that serial)."""
        import dns.message
        import dns.query
        import dns.rdatatype

        self.zones[origin] = text
        self._zone_path(origin).write_text(text)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            query = dns.message.make_query(origin.rstrip(".") + ".", dns.rdatatype.SOA)
            with contextlib.suppress(Exception):
                reply = dns.query.udp(query, "127.0.0.1", port=self.port, timeout=1.0)
                for rrset in reply.answer:
                    for rdata in rrset:
                        if getattr(rdata, "serial", None) == serial:
                            return
            time.sleep(0.2)
        raise RuntimeError(f"coredns did not load serial {serial} of {origin} ({name})")

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc = None

    def __enter__(self) -> CoreDNS:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
