"""A real TLS server on loopback serving one known certificate (issue #19's ``p`` probe).

Why real: the probe's job is to see which certificate a controller serves for a host (SNI),
so the test needs a handshake with a real TLS stack, not a stubbed socket. Each server
serves one certificate; a test that needs "the controller serves something else" starts a
second one with another certificate. The server completes handshakes and closes; it reads
nothing. It records the SNI names it was asked for (:attr:`server_names`).
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import tempfile
import threading
from pathlib import Path
from types import TracebackType

from testkit.pki import KeyPair


class TLSServer:
    def __init__(self, pair: KeyPair, *, chain: bytes = b"") -> None:
        self.pair = pair
        self.chain = chain
        self.server_names: list[str | None] = []
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.port = 0

    @property
    def address(self) -> str:
        return "127.0.0.1"

    def start(self) -> TLSServer:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        with tempfile.TemporaryDirectory() as tmp:
            cert, key = Path(tmp) / "tls.crt", Path(tmp) / "tls.key"
            cert.write_bytes(self.pair.cert_pem + self.chain)
            key.write_bytes(self.pair.key_pem)
            key.chmod(0o600)
            ctx.load_cert_chain(cert, key)

        def sni(_sslobj: ssl.SSLObject | ssl.SSLSocket, name: str | None,
                _ctx: ssl.SSLContext) -> None:
            self.server_names.append(name)

        ctx.sni_callback = sni  # type: ignore[assignment]
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        sock.settimeout(0.2)
        self._sock = sock
        self.port = sock.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, args=(ctx,), daemon=True,
                                        name=f"tls-server-{self.port}")
        self._thread.start()
        return self

    def _serve(self, ctx: ssl.SSLContext) -> None:
        assert self._sock is not None
        while not self._stop.is_set():
            try:
                conn, _addr = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(5)
            with contextlib.suppress(OSError, ssl.SSLError), \
                    ctx.wrap_socket(conn, server_side=True) as tls:
                with contextlib.suppress(OSError, ssl.SSLError):
                    tls.recv(1)  # wait for the client to close (or time out)
            conn.close()

    def stop(self) -> None:
        self._stop.set()
        if self._sock is not None:
            self._sock.close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> TLSServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
