"""A real OCI registry on loopback (CNCF distribution), for helm's ``oci://`` charts.

Why real: ``helm push``/``helm pull`` speak the OCI distribution API (manifests, blobs, tag
lists, content negotiation); the binary is ``registry`` built from
``github.com/distribution/distribution/v3`` by ``scripts/build-control-plane`` into the same
cache dir as kube-apiserver and helm. Plain HTTP on 127.0.0.1 and a free port, storage in a
temp dir, anonymous access -- which is why helm needs ``--plain-http`` against it.

    with OciRegistry() as reg:
        reg.push_chart(helm, DEMO_CHART, "0.1.0")   # the real `helm push ... --plain-http`
        reg.url                                     # oci://127.0.0.1:PORT/charts

Same process hygiene as ``testkit.controlplane``: own process group, parent-death signal when
started from the main thread, an ``atexit`` hook, SIGTERM then SIGKILL on stop.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO

import httpx

from testkit.chart_repo import DEMO_CHART, helm_env, package_chart
from testkit.controlplane import (
    _LIBC,
    _SETPRIV,
    BinariesMissing,
    ControlPlaneError,
    ProcRecord,
    _die_with_parent,
    _proc_stat,
    build_command,
    expected_bin_dir,
    free_ports,
    terminate,
)

BINARY = "registry"
#: where charts are pushed below the registry (``oci://HOST/charts/<chart>``)
DEFAULT_NAMESPACE = "charts"

CONFIG_TEMPLATE = """\
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: {root}
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:{port}
  secret: testkit-not-a-secret
"""


class RegistryError(ControlPlaneError):
    """The registry could not be started, or a push failed."""


def find_registry_binary() -> Path:
    """``registry`` from ``KUBEBUILDER_ASSETS`` or the build script's cache dir.

    Never builds (pytest must not start a build); missing is ``BinariesMissing`` naming the
    build command, which tests turn into a failure, not a skip.
    """
    candidates = []
    assets = os.environ.get("KUBEBUILDER_ASSETS")
    if assets:
        candidates.append(Path(assets) / BINARY)
    expected = expected_bin_dir()
    if expected is not None:
        candidates.append(expected / BINARY)
    for cand in candidates:
        if os.access(cand, os.X_OK):
            return cand
    raise BinariesMissing(
        f"the OCI registry binary is not built (looked for {', '.join(map(str, candidates))}). "
        f"Build it with: {build_command()}  (about 2 min the first time, cached after)"
    )


_RUNNING: set[OciRegistry] = set()
_RUNNING_LOCK = threading.Lock()


def stop_all() -> None:
    """Stop every registry of this process (atexit)."""
    with _RUNNING_LOCK:
        regs = list(_RUNNING)
    for reg in regs:
        with contextlib.suppress(Exception):
            reg.stop(timeout=5.0)


atexit.register(stop_all)


class OciRegistry:
    """One ``registry serve`` process on 127.0.0.1 (plain HTTP), storage in a temp dir."""

    def __init__(self, binary: str | os.PathLike[str] | None = None, *,
                 ready_timeout: float = 30.0) -> None:
        self.binary = Path(binary) if binary else None
        self.ready_timeout = ready_timeout
        self.port = 0
        self.dir = Path()
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._proc: tuple[ProcRecord, subprocess.Popen[bytes]] | None = None

    # -- addresses ---------------------------------------------------------------------------

    @property
    def host(self) -> str:
        """``127.0.0.1:PORT`` (what OCI references start with)."""
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """The chart repo URL helm takes: ``oci://127.0.0.1:PORT/charts``."""
        return f"oci://{self.host}/{DEFAULT_NAMESPACE}"

    @property
    def api(self) -> str:
        return f"http://{self.host}"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc[1].poll() is None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> OciRegistry:
        if self.binary is None:
            self.binary = find_registry_binary()
        self._tmp = tempfile.TemporaryDirectory(prefix="oci-registry-")
        self.dir = Path(self._tmp.name)
        (self.dir / "data").mkdir()
        with _RUNNING_LOCK:
            _RUNNING.add(self)
        try:
            last = ""
            for _ in range(3):  # another process may take the free port before we bind it
                self.port = free_ports(1)[0]
                try:
                    self._spawn()
                    self._wait_ready()
                    return self
                except _PortInUse as exc:
                    last = str(exc)
                    self._stop_proc(5.0)
            raise RegistryError(f"registry: could not find a free port: {last}")
        except BaseException:
            self.stop(timeout=5.0)
            raise

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the process (SIGTERM, SIGKILL after ``timeout``) and drop its storage."""
        self._stop_proc(timeout)
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None
        with _RUNNING_LOCK:
            _RUNNING.discard(self)

    def __enter__(self) -> OciRegistry:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join((self.dir / "registry.log").read_text().splitlines()[-lines:])
        except OSError:
            return ""

    # -- content -----------------------------------------------------------------------------

    def push(self, helm: str | os.PathLike[str], chart_tgz: str | os.PathLike[str],
             namespace: str = DEFAULT_NAMESPACE) -> str:
        """The real ``helm push CHART.tgz oci://HOST/NAMESPACE --plain-http``.

        Returns the pushed reference (``oci://HOST/NAMESPACE/<chart>:<version>``)."""
        home = self.dir / "helm-home"
        res = subprocess.run(
            [str(helm), "push", str(chart_tgz), f"oci://{self.host}/{namespace}",
             "--plain-http"],
            capture_output=True, text=True, env=helm_env(home), timeout=60,
        )
        if res.returncode != 0:
            raise RegistryError(f"helm push {chart_tgz} failed: {res.stderr.strip()}")
        for line in (res.stdout + res.stderr).splitlines():
            if line.startswith("Pushed:"):
                return "oci://" + line.split(":", 1)[1].strip()
        return f"oci://{self.host}/{namespace}"

    def push_chart(self, helm: str | os.PathLike[str], version: str, *,
                   chart_dir: Path = DEMO_CHART, app_version: str | None = None,
                   namespace: str = DEFAULT_NAMESPACE) -> str:
        """``helm package`` one version of ``chart_dir`` and push it; returns the reference."""
        tgz = package_chart(helm, chart_dir, self.dir / "packages", version,
                            app_version=app_version)
        return self.push(helm, tgz, namespace)

    def tags(self, repository: str) -> list[str]:
        """Tags of ``repository`` (e.g. ``charts/essentials-demo``) from the registry API."""
        res = httpx.get(f"{self.api}/v2/{repository}/tags/list", timeout=10.0)
        res.raise_for_status()
        return list(res.json().get("tags") or [])

    # -- internals ---------------------------------------------------------------------------

    def _spawn(self) -> None:
        config = self.dir / "config.yml"
        config.write_text(CONFIG_TEMPLATE.format(root=self.dir / "data", port=self.port))
        assert self.binary is not None
        argv = [str(self.binary), "serve", str(config)]
        preexec = None
        if sys.platform.startswith("linux") and \
                threading.current_thread() is threading.main_thread():
            # PDEATHSIG fires when the forking *thread* exits: only safe from the main thread.
            if _SETPRIV:
                argv = [_SETPRIV, "--pdeathsig", "KILL", "--", *argv]
            elif _LIBC is not None:
                preexec = _die_with_parent(os.getpid())
        # OTEL_TRACES_EXPORTER=none: the registry would otherwise export traces to
        # localhost:4318 and log every failed attempt.
        env = {**os.environ, "OTEL_TRACES_EXPORTER": "none", "OTEL_METRICS_EXPORTER": "none"}
        log: IO[bytes] = (self.dir / "registry.log").open("ab")
        try:
            popen = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True, preexec_fn=preexec, close_fds=True, cwd=self.dir,
                env=env,
            )
        finally:
            log.close()
        st = _proc_stat(popen.pid)
        self._proc = (ProcRecord("registry", popen.pid, st[1] if st else 0), popen)

    def _stop_proc(self, timeout: float) -> None:
        if self._proc is None:
            return
        rec, popen = self._proc
        self._proc = None
        terminate(rec, timeout, popen)
        with contextlib.suppress(subprocess.TimeoutExpired):
            popen.wait(1.0)

    def _wait_ready(self) -> None:
        """Poll ``GET /v2/`` (the API version check every client does first) until 200."""
        deadline = time.monotonic() + self.ready_timeout
        with httpx.Client(timeout=1.0) as client:
            while True:
                assert self._proc is not None
                popen = self._proc[1]
                if popen.poll() is not None:
                    tail = self.log_tail()
                    if "address already in use" in tail:
                        raise _PortInUse(tail.splitlines()[-1] if tail else "")
                    raise RegistryError(f"registry exited with {popen.returncode}; log tail:\n"
                                        f"{tail}")
                with contextlib.suppress(httpx.HTTPError):
                    if client.get(f"{self.api}/v2/").status_code == 200:
                        return
                if time.monotonic() > deadline:
                    raise RegistryError(f"registry not ready in {self.ready_timeout}s:\n"
                                        f"{self.log_tail()}")
                time.sleep(0.05)


class _PortInUse(RegistryError):
    pass

