"""A throw-away network namespace with a veth pair, for serving a fake inside "the cluster".

Why: the apiserver's service proxy refuses endpoints on loopback (Endpoints validation rejects
127.0.0.0/8), so a fake Loki on 127.0.0.1 cannot be reached through
``/api/v1/namespaces/NS/services/NAME/proxy``. We create a namespace ``k8set-<pid>`` joined to
the host by a veth pair with a private /30 (10.250.X.1 host side, 10.250.X.2 inside), bind the
fake's listening socket *inside* the namespace, and point a selector-less Service + Endpoints
at 10.250.X.2. Addresses exist only on this machine and are removed on exit.

Needs root (CAP_NET_ADMIN) and the ``ip`` tool (Debian package ``iproute2``). When either is
missing :class:`NetnsUnavailable` says why; tests must fail on it, not skip.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import socket
import subprocess
import threading
from dataclasses import dataclass
from typing import Any

CLONE_NEWNET = 0x40000000


class NetnsUnavailable(RuntimeError):
    """Network namespaces cannot be used here (no root, no ``ip``, kernel refuses)."""


def _ip(*args: str, netns: str | None = None) -> None:
    cmd = ["ip", *args] if netns is None else ["ip", "netns", "exec", netns, "ip", *args]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    if res.returncode != 0:
        raise NetnsUnavailable(f"`{' '.join(cmd)}` failed: {res.stderr.strip()}")


@dataclass
class VethNamespace:
    """``with VethNamespace() as ns: sock = ns.listen(port)``; ``ns.inner_ip`` is routable
    from the host (and so from the apiserver)."""

    name: str = ""
    subnet: int = 0

    def __post_init__(self) -> None:
        pid = os.getpid()
        self.name = self.name or f"k8set-{pid}"
        # a /30 in 10.250.0.0/16 chosen from the pid so concurrent runs rarely collide
        self.subnet = self.subnet or (pid % 16000) + 1
        base = self.subnet * 4
        self.host_ip = f"10.250.{base // 256}.{base % 256 + 1}"
        self.inner_ip = f"10.250.{base // 256}.{base % 256 + 2}"
        suffix = f"{pid % 100000}"
        self.host_if = f"k8sh{suffix}"[:15]
        self.inner_if = f"k8si{suffix}"[:15]
        self._created = False

    def create(self) -> VethNamespace:
        if os.geteuid() != 0:
            raise NetnsUnavailable("network namespaces need root (CAP_NET_ADMIN)")
        if shutil.which("ip") is None:
            raise NetnsUnavailable("the `ip` tool is missing (apt-get install iproute2)")
        self.remove()  # leftovers of a killed run with the same pid
        _ip("netns", "add", self.name)
        self._created = True
        try:
            _ip("link", "add", self.host_if, "type", "veth", "peer", "name", self.inner_if)
            _ip("link", "set", self.inner_if, "netns", self.name)
            _ip("addr", "add", f"{self.host_ip}/30", "dev", self.host_if)
            _ip("link", "set", self.host_if, "up")
            _ip("addr", "add", f"{self.inner_ip}/30", "dev", self.inner_if, netns=self.name)
            _ip("link", "set", self.inner_if, "up", netns=self.name)
            _ip("link", "set", "lo", "up", netns=self.name)
        except NetnsUnavailable:
            self.remove()
            raise
        return self

    def remove(self) -> None:
        for cmd in (["ip", "link", "del", self.host_if], ["ip", "netns", "del", self.name]):
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                subprocess.run(cmd, capture_output=True, timeout=30)
        self._created = False

    def listen(self, port: int = 0) -> socket.socket:
        """A listening TCP socket on ``inner_ip`` created inside the namespace.

        A socket belongs to the namespace it was created in, so a short-lived thread enters
        the namespace (``setns`` affects only the calling thread), creates and binds it, and
        exits; the socket is then served from any thread of this process."""
        result: list[socket.socket] = []
        errors: list[BaseException] = []

        def enter_and_bind() -> None:
            try:
                libc = ctypes.CDLL(None, use_errno=True)
                fd = os.open(f"/run/netns/{self.name}", os.O_RDONLY)
                try:
                    if libc.setns(fd, CLONE_NEWNET) != 0:
                        err = ctypes.get_errno()
                        raise NetnsUnavailable(f"setns failed: {os.strerror(err)}")
                finally:
                    os.close(fd)
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.bind((self.inner_ip, port))
                sock.listen(128)
                sock.setblocking(False)
                result.append(sock)
            except BaseException as exc:
                errors.append(exc)

        t = threading.Thread(target=enter_and_bind, name="netns-bind")
        t.start()
        t.join(10)
        if errors:
            raise errors[0] if isinstance(errors[0], NetnsUnavailable) else NetnsUnavailable(
                f"cannot bind inside {self.name}: {errors[0]}")
        return result[0]

    def __enter__(self) -> VethNamespace:
        return self.create()

    def __exit__(self, *exc: object) -> None:
        self.remove()


def expose_in_cluster(admin: Any, namespace: str, name: str, ip: str, port: int, *,
                      service_port: int | None = None, port_name: str = "http",
                      labels: dict[str, str] | None = None,
                      wait_path: str | None = None) -> None:
    """Make ``ip:port`` reachable as Service ``namespace/name`` through the service proxy.

    A selector-less Service + Endpoints (+ EndpointSlice) pointing at ``ip``. The apiserver's
    service proxy only dials an endpoint address whose ``targetRef`` Pod reports that IP in
    ``status.podIPs``, so a placeholder Pod (never scheduled: no kubelet here) carries it.
    ``admin`` is a :class:`testkit.kube.KubeAdmin`.

    ``wait_path``: return only once the proxy carries a GET of that path to the server
    (:func:`wait_proxied`): tests that read the server once (polling slowed for a snapshot)
    must not start before the apiserver's endpoint informers saw the new objects.
    """
    pod = f"{name}-0"
    admin.create({"apiVersion": "v1", "kind": "Pod",
                  "metadata": {"name": pod, "namespace": namespace, "labels": dict(labels or {})},
                  "spec": {"containers": [{"name": "placeholder", "image": "fake-loki:test"}]}},
                 exist_ok=True)
    admin.patch_status("v1", "pods", namespace, pod, {
        "phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}],
        "conditions": [{"type": "Ready", "status": "True"}]})
    admin.create({"apiVersion": "v1", "kind": "Service",
                  "metadata": {"name": name, "namespace": namespace, "labels": dict(labels or {})},
                  "spec": {"ports": [{"name": port_name, "port": service_port or port,
                                      "targetPort": port, "protocol": "TCP"}]}}, exist_ok=True)
    target = {"kind": "Pod", "namespace": namespace, "name": pod}
    admin.create({"apiVersion": "v1", "kind": "Endpoints",
                  "metadata": {"name": name, "namespace": namespace},
                  "subsets": [{"addresses": [{"ip": ip, "targetRef": target}],
                               "ports": [{"name": port_name, "port": port,
                                          "protocol": "TCP"}]}]}, exist_ok=True)
    admin.create({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                  "metadata": {"name": f"{name}-fake", "namespace": namespace,
                               "labels": {"kubernetes.io/service-name": name}},
                  "addressType": "IPv4",
                  "endpoints": [{"addresses": [ip], "conditions": {"ready": True},
                                 "targetRef": target}],
                  "ports": [{"name": port_name, "port": port, "protocol": "TCP"}]},
                 exist_ok=True)
    if wait_path is not None:
        wait_proxied(admin, namespace, name, port_name, wait_path)


def wait_proxied(admin: Any, namespace: str, name: str, port_name: str, path: str,
                 timeout: float = 30.0) -> None:
    """Until ``GET .../services/NAME:PORT/proxy/PATH`` reaches the server: any answer but
    the apiserver's own 503 (no endpoints yet) or 502 (cannot dial yet). Why: the proxy
    resolves a Service from the apiserver's informers, which see objects created a moment
    ago a little later -- under a loaded CI run, long enough for a pane's single read to
    fail (tests/test_monitoring_tab_snapshots.py once did)."""
    import time

    from testkit.kube import KubeError

    proxy = f"/api/v1/namespaces/{namespace}/services/{name}:{port_name}/proxy{path}"
    deadline = time.monotonic() + timeout
    last: object = None
    while True:
        try:
            admin.request("GET", proxy)
            return
        except KubeError as exc:
            if exc.status not in (502, 503):
                return  # the server itself answered (e.g. 404 for that path)
            last = exc
        if time.monotonic() > deadline:
            raise RuntimeError(f"service proxy to {namespace}/{name} not ready after "
                               f"{timeout:g}s: {last}")
        time.sleep(0.1)
