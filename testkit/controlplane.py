"""A real local Kubernetes control plane (etcd + kube-apiserver) on loopback.

Why a real apiserver: everything the app does is talk to one, so its tests must meet real
admission, RBAC, validation, watch and discovery behaviour -- the standard controller-runtime's
envtest set for Go operators. The binaries are built from source by
``scripts/build-control-plane`` (no Docker, no downloads here) and cached outside the repo.

What ``ControlPlane.start()`` does, in order:

1. find the binaries (``KUBEBUILDER_ASSETS``, the build script's cache dir, or build);
2. generate a PKI with ``cryptography``: serving CA + serving cert (localhost, 127.0.0.1),
   client CA + client certs (``admin`` and ``testkit`` in ``system:masters``, ``limited``),
   service-account key pair;
3. start etcd and kube-apiserver on free loopback ports, each in its own process group, with
   pids recorded in ``DIR/pids`` so ``down`` (another process) kills exactly these;
4. wait for ``/readyz`` (100 ms polls, 60 s budget), write ``DIR/kubeconfig`` (context
   ``devcluster``, user ``admin``) and ``DIR/kubeconfig-limited`` (user ``limited``, bound to
   the built-in ``view`` ClusterRole).

No orphans: non-detached processes get ``PR_SET_PDEATHSIG`` (SIGKILL when the starting thread's
process dies, even by SIGKILL), an ``atexit`` hook stops them, and the pytest plugin adds
SIGTERM/SIGHUP handlers. ``detached=True`` (devcluster up) skips all three on purpose.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import ctypes
import datetime as dt
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx
import yaml

from testkit import pki
from testkit.kube import KubeAdmin, KubeError, iter_yaml_documents

REPO_ROOT = Path(__file__).resolve().parent.parent
BUILD_SCRIPT = REPO_ROOT / "scripts" / "build-control-plane"
CRD_DIR = Path(__file__).resolve().parent / "crds"
SERVER_BINARIES = ("kube-apiserver", "etcd")
CONTEXT = "devcluster"
LIMITED_USER = "limited"
LIMITED_BINDING = "testkit:limited-view"
# The app's kubeconfig user is "admin"; test setup (KubeAdmin) uses "testkit" so that audit
# queries can tell the app's requests from the harness's.
ADMIN_USER = "admin"
SETUP_USER = "testkit"

AUDIT_POLICY = """\
apiVersion: audit.k8s.io/v1
kind: Policy
# One event per request (ResponseComplete; long watches also log ResponseStarted).
omitStages: ["RequestReceived"]
rules:
  # The apiserver's own loopback traffic (controllers inside it) is noise for request counts.
  - level: None
    users: ["system:apiserver"]
  # Patches of GitOps objects keep their body: tests assert the exact patch the argocd and
  # flux CLIs would send (tests/test_gitops_e2e.py).
  - level: Request
    verbs: ["patch"]
    resources:
      - group: argoproj.io
      - group: kustomize.toolkit.fluxcd.io
      - group: helm.toolkit.fluxcd.io
      - group: source.toolkit.fluxcd.io
  - level: Metadata
"""


class ControlPlaneError(RuntimeError):
    """The control plane could not be started or stopped."""


class BinariesMissing(ControlPlaneError):
    """kube-apiserver/etcd are not built; the message carries the build command."""


# --------------------------------------------------------------------------------------------
# binaries


def expected_bin_dir() -> Path | None:
    """The build script's output dir, computed from its pinned versions without running it.

    Why: running the script when binaries are missing starts a 10-20 minute build; callers that
    must not build (pytest) need to know whether the binaries are there first.
    """
    try:
        text = BUILD_SCRIPT.read_text()
    except OSError:
        return None
    assigns = dict(re.findall(r"^([A-Z][A-Z0-9_]*)=\"?([^\"\n]*)\"?$", text, re.MULTILINE))
    template = assigns.get("CP_VERSION")
    if not template:
        return None
    version = re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: assigns.get(m[1] or m[2], ""), template)
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "k8s-essentials-tui" / "control-plane" / version


def _has_servers(directory: Path) -> bool:
    return all(os.access(directory / b, os.X_OK) for b in SERVER_BINARIES)


def build_command() -> str:
    return str(BUILD_SCRIPT)


def find_binaries(*, build: bool = True) -> Path:
    """Directory holding kube-apiserver and etcd (and kubectl, helm when built here).

    Order: ``KUBEBUILDER_ASSETS`` (envtest compatibility), the build script's cache dir, then --
    only with ``build=True`` -- run the build script (it prints progress on stderr; its last
    stdout line is the directory).
    """
    assets = os.environ.get("KUBEBUILDER_ASSETS")
    if assets and _has_servers(Path(assets)):
        return Path(assets)
    expected = expected_bin_dir()
    if expected and _has_servers(expected):
        return expected
    if not build:
        raise BinariesMissing(
            "kube-apiserver/etcd are not built (looked in "
            f"{'KUBEBUILDER_ASSETS=' + assets + ', ' if assets else ''}{expected}). "
            f"Build them once with: {build_command()}  (10-20 min the first time, cached after)"
        )
    try:
        out = subprocess.run(
            [str(BUILD_SCRIPT)], check=True, stdout=subprocess.PIPE, text=True
        ).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        raise BinariesMissing(f"{build_command()} failed: {e}") from e
    lines = [line for line in out.splitlines() if line.strip()]
    directory = Path(lines[-1]) if lines else Path()
    if not _has_servers(directory):
        raise BinariesMissing(f"{build_command()} printed {directory}, which lacks binaries")
    return directory


# --------------------------------------------------------------------------------------------
# process bookkeeping


@dataclass(frozen=True)
class ProcRecord:
    """One started process: name, pid and kernel start time (guards against pid reuse)."""

    name: str
    pid: int
    start_time: int

    def line(self) -> str:
        return f"{self.name} {self.pid} {self.start_time}\n"


def _proc_stat(pid: int) -> tuple[str, int] | None:
    """(state, starttime) of a live process from /proc, or None."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    return fields[0], int(fields[19])


def is_running(rec: ProcRecord) -> bool:
    """True if the recorded process still runs (same pid *and* start time, not a zombie)."""
    st = _proc_stat(rec.pid)
    return st is not None and st[1] == rec.start_time and st[0] not in ("Z", "X")


def read_pids(directory: str | os.PathLike[str]) -> list[ProcRecord]:
    path = Path(directory) / "pids"
    if not path.exists():
        return []
    out = []
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) == 3:
            out.append(ProcRecord(parts[0], int(parts[1]), int(parts[2])))
    return out


def _signal_group(rec: ProcRecord, sig: int) -> None:
    # Each server runs in its own session/process group (pgid == pid); signal the group so
    # anything it forked goes too -- but only while the pid is still the process we started.
    if not is_running(rec):
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(rec.pid, sig)


def terminate(rec: ProcRecord, timeout: float = 10.0, popen: subprocess.Popen[bytes] | None = None
              ) -> None:
    """SIGTERM the process group, SIGKILL after ``timeout``; wait until it is gone."""
    _signal_group(rec, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    killed = False
    while True:
        if popen is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                popen.wait(0.05)
        else:
            time.sleep(0.05)
        if not is_running(rec):
            return
        if time.monotonic() > deadline and not killed:
            _signal_group(rec, signal.SIGKILL)
            killed = True
            deadline = time.monotonic() + 5.0
        elif killed and time.monotonic() > deadline:
            raise ControlPlaneError(f"{rec.name} (pid {rec.pid}) survived SIGKILL")


def stop_recorded(directory: str | os.PathLike[str], timeout: float = 10.0) -> list[str]:
    """Stop the processes listed in ``DIR/pids`` (apiserver first) and drop the file.

    Used by ``devcluster down`` from a process other than the one that started them.
    Returns the names of processes that were still running.
    """
    records = read_pids(directory)
    stopped = []
    for rec in sorted(records, key=lambda r: r.name != "kube-apiserver"):
        if is_running(rec):
            terminate(rec, timeout)
            stopped.append(rec.name)
    with contextlib.suppress(FileNotFoundError):
        (Path(directory) / "pids").unlink()
    return stopped


_PR_SET_PDEATHSIG = 1
try:
    _LIBC: Any = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None
except OSError:  # pragma: no cover - exotic libc
    _LIBC = None


_SETPRIV = shutil.which("setpriv")  # util-linux


def _die_with_parent(parent_pid: int) -> Any:
    """preexec_fn: have the kernel SIGKILL the child when the starting thread/process dies."""

    def _preexec() -> None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        if os.getppid() != parent_pid:  # parent died between fork and prctl
            os.kill(os.getpid(), signal.SIGKILL)

    return _preexec


def free_ports(n: int) -> list[int]:
    """``n`` distinct free loopback ports (held open together so they differ)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


# --------------------------------------------------------------------------------------------
# audit


def _parse_ts(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def read_audit_events(
    path: str | os.PathLike[str],
    user: str | None = None,
    since: dt.datetime | float | None = None,
    *,
    stage: str | None = None,
    include_system: bool = False,
) -> list[dict[str, Any]]:
    """Parsed audit events (JSON lines) of the apiserver's audit log.

    ``user``: only events whose ``user.username`` equals it (the app uses ``admin``; harness
    setup uses ``testkit``). ``since``: only requests received at/after that moment (aware
    datetime or epoch seconds). ``stage``: e.g. ``ResponseComplete``; watches also log
    ``ResponseStarted``. Unless ``include_system``, the apiserver's own ``system:`` loopback
    traffic is dropped when no ``user`` is given.
    """
    if isinstance(since, (int, float)):
        since = dt.datetime.fromtimestamp(since, dt.UTC)
    events = []
    try:
        fh = Path(path).open()
    except FileNotFoundError:
        return []
    with fh:
        for line in fh:
            if not line.strip():
                continue
            try:
                ev = json.loads(line)
            except ValueError:
                continue  # a line being written right now
            name = ev.get("user", {}).get("username", "")
            if user is not None and name != user:
                continue
            if user is None and not include_system and name.startswith("system:"):
                continue
            if stage is not None and ev.get("stage") != stage:
                continue
            if since is not None and _parse_ts(ev["requestReceivedTimestamp"]) < since:
                continue
            events.append(ev)
    return events


def count_requests(
    path: str | os.PathLike[str], user: str | None = None, since: dt.datetime | float | None = None
) -> int:
    """Distinct requests (audit IDs) matching ``read_audit_events``' filters."""
    return len({ev["auditID"] for ev in read_audit_events(path, user, since)})


# --------------------------------------------------------------------------------------------
# the control plane

_RUNNING: set[ControlPlane] = set()
_RUNNING_LOCK = threading.Lock()


def stop_all() -> None:
    """Stop every non-detached control plane of this process (atexit and signal handlers)."""
    with _RUNNING_LOCK:
        planes = list(_RUNNING)
    for cp in planes:
        with contextlib.suppress(Exception):
            cp.stop(timeout=5.0)


atexit.register(stop_all)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def kubeconfig_dict(
    server: str, ca_pem: bytes, cert_pem: bytes, key_pem: bytes, user: str, context: str
) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "preferences": {},
        "clusters": [
            {"name": CONTEXT,
             "cluster": {"server": server, "certificate-authority-data": _b64(ca_pem)}}
        ],
        "users": [
            {"name": user, "user": {"client-certificate-data": _b64(cert_pem),
                                    "client-key-data": _b64(key_pem)}}
        ],
        "contexts": [{"name": context, "context": {"cluster": CONTEXT, "user": user}}],
        "current-context": context,
    }


class ControlPlane:
    """etcd + kube-apiserver for one directory (``DIR``).

    Layout of ``DIR``: ``pki/`` (keys and certs), ``etcd/`` (data), ``logs/``, ``pids``,
    ``kubeconfig``, ``kubeconfig-limited``, ``audit-policy.yaml``, ``state.json``.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        bin_dir: str | os.PathLike[str] | None = None,
        audit_log: str | os.PathLike[str] | None = None,
        detached: bool = False,
        build: bool = True,
        ready_timeout: float = 60.0,
    ) -> None:
        self.dir = Path(directory).resolve()
        self.bin_dir: Path | None = Path(bin_dir) if bin_dir else None
        self.audit_log: Path | None = Path(audit_log).resolve() if audit_log else None
        self.detached = detached
        self.ready_timeout = ready_timeout
        self._build = build
        self.pki_dir = self.dir / "pki"
        self.log_dir = self.dir / "logs"
        self.kubeconfig = self.dir / "kubeconfig"
        self.limited_kubeconfig = self.dir / "kubeconfig-limited"
        self.port = 0
        self.etcd_port = 0
        self.etcd_peer_port = 0
        self.time_to_ready: float | None = None
        self._procs: dict[str, tuple[ProcRecord, subprocess.Popen[bytes]]] = {}
        self._admin: KubeAdmin | None = None

    # -- public API ----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def ca_file(self) -> Path:
        return self.pki_dir / "serving-ca.crt"

    @property
    def running(self) -> bool:
        return any(is_running(rec) for rec, _ in self._procs.values())

    def binary(self, name: str) -> Path:
        """Path of a built tool (``kubectl``, ``helm``, ...)."""
        assert self.bin_dir is not None, "start() first"
        return self.bin_dir / name

    def start(self) -> ControlPlane:
        """Start etcd and kube-apiserver, wait for readiness, write kubeconfigs and RBAC."""
        t0 = time.monotonic()
        alive = [r for r in read_pids(self.dir) if is_running(r)]
        if alive:
            raise ControlPlaneError(
                f"{self.dir} already runs {', '.join(f'{r.name}[{r.pid}]' for r in alive)}; "
                "stop it first (scripts/devcluster down DIR)"
            )
        if self.bin_dir is None:
            self.bin_dir = find_binaries(build=self._build)
        for d in (self.dir, self.pki_dir, self.log_dir):
            d.mkdir(parents=True, exist_ok=True)
        (self.dir / "pids").unlink(missing_ok=True)
        if not self.detached:
            with _RUNNING_LOCK:
                _RUNNING.add(self)
        try:
            self._write_pki()
            if self.audit_log:
                (self.dir / "audit-policy.yaml").write_text(AUDIT_POLICY)
                self.audit_log.parent.mkdir(parents=True, exist_ok=True)
            self._start_with_retries()
            self._write_kubeconfigs()
            self._setup_rbac()
        except BaseException:
            self.stop(timeout=5.0)
            raise
        self.time_to_ready = time.monotonic() - t0
        self._write_state()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop what this object started (apiserver first). Idempotent.

        Touches ``DIR/pids`` only for processes this object started: a failed ``start()`` on a
        directory another process runs must not forget that process's pids.
        """
        for name in ("kube-apiserver", "etcd"):
            self._stop_proc(name, timeout)
        if self._admin is not None:
            self._admin.close()
            self._admin = None
        with _RUNNING_LOCK:
            _RUNNING.discard(self)

    def __enter__(self) -> ControlPlane:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop_apiserver(self, timeout: float = 10.0) -> None:
        """Stop only kube-apiserver (etcd keeps the data) -- for outage/fault tests."""
        self._stop_proc("kube-apiserver", timeout)

    def start_apiserver(self) -> float:
        """(Re)start kube-apiserver on the same port and etcd; returns seconds to ready."""
        t0 = time.monotonic()
        if "kube-apiserver" in self._procs and is_running(self._procs["kube-apiserver"][0]):
            raise ControlPlaneError("kube-apiserver is already running")
        self._spawn("kube-apiserver", self._apiserver_argv())
        self._wait_ready()
        return time.monotonic() - t0

    def restart_apiserver(self, down_for: float = 0.0) -> float:
        """Stop kube-apiserver, optionally stay down ``down_for`` seconds, start it again.

        Same port, same etcd, same certificates: clients see a connection drop and their
        watches end, exactly like an apiserver rollout. Returns seconds until ready again.
        """
        self.stop_apiserver()
        if down_for:
            time.sleep(down_for)
        return self.start_apiserver()

    def admin(self) -> KubeAdmin:
        """A ``KubeAdmin`` as user ``testkit`` (system:masters), shared by this object."""
        if self._admin is None:
            self._admin = KubeAdmin.from_files(
                self.url, self.ca_file, self.pki_dir / "testkit.crt", self.pki_dir / "testkit.key"
            )
        return self._admin

    def install_crds(self, crd_dir: str | os.PathLike[str] | None = None,
                     timeout: float = 60.0) -> list[str]:
        """Apply every CRD in ``testkit/crds`` (or ``crd_dir``); wait for Established.

        Also waits until discovery serves them, so clients that discover right after this
        returns (the app, ``KubeAdmin``) see the kinds.
        """
        admin = self.admin()
        docs = [
            doc for f in sorted(Path(crd_dir or CRD_DIR).glob("*.yaml"))
            for doc in iter_yaml_documents(f)
        ]
        admin.apply_all(docs, field_manager="testkit-crds")
        names = [d["metadata"]["name"] for d in docs]
        deadline = time.monotonic() + timeout
        for name in names:
            admin.wait_for("apiextensions.k8s.io/v1", "customresourcedefinitions", name,
                           condition="Established",
                           timeout=max(0.1, deadline - time.monotonic()))
        wanted = {
            (f"{d['spec']['group']}/{v['name']}", d["spec"]["names"]["plural"])
            for d in docs for v in d["spec"]["versions"] if v.get("served", True)
        }
        while True:
            served = {(r.group_version, r.plural) for r in admin.discover()}
            if wanted <= served:
                return names
            if time.monotonic() > deadline:
                raise ControlPlaneError(f"CRDs not in discovery: {sorted(wanted - served)}")
            time.sleep(0.1)

    def kubectl(self, *args: str, kubeconfig: str | os.PathLike[str] | None = None,
                check: bool = True, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
        """Run the built kubectl against this control plane (admin kubeconfig by default)."""
        return subprocess.run(
            [str(self.binary("kubectl")), "--kubeconfig", str(kubeconfig or self.kubeconfig),
             *args],
            check=check, capture_output=True, text=True, timeout=timeout,
        )

    def log_tail(self, name: str, lines: int = 30) -> str:
        try:
            return "\n".join((self.log_dir / f"{name}.log").read_text().splitlines()[-lines:])
        except OSError:
            return ""

    # -- internals -----------------------------------------------------------------------------

    def _write_pki(self) -> None:
        """All keys and certs; reused when present so a restarted DIR keeps its identities."""
        p = self.pki_dir
        if all((p / f).exists() for f in ("serving-ca.crt", "client-ca.crt", "sa.key",
                                          "admin.crt", "testkit.crt", "limited.crt")):
            return
        serving_ca = pki.make_ca("devcluster-serving-ca", days=3650)
        serving_ca.write(p / "serving-ca.crt", p / "serving-ca.key")
        pki.make_cert(
            serving_ca, "kube-apiserver", server=True,
            dns_names=["localhost", "kubernetes", "kubernetes.default",
                       "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"],
            ip_addresses=["127.0.0.1", "10.0.0.1"], days=3650,
        ).write(p / "serving.crt", p / "serving.key")
        client_ca = pki.make_ca("devcluster-client-ca", days=3650)
        client_ca.write(p / "client-ca.crt", p / "client-ca.key")
        for user, groups in ((ADMIN_USER, ["system:masters"]), (SETUP_USER, ["system:masters"]),
                             (LIMITED_USER, [])):
            pki.make_cert(client_ca, user, organizations=groups, client=True, days=3650).write(
                p / f"{user}.crt", p / f"{user}.key"
            )
        pki.write_ec_keypair(p / "sa.key", p / "sa.pub")

    def _etcd_argv(self) -> list[str]:
        client = f"http://127.0.0.1:{self.etcd_port}"
        peer = f"http://127.0.0.1:{self.etcd_peer_port}"
        return [
            str(self.binary("etcd")),
            "--name=default",
            f"--data-dir={self.dir / 'etcd'}",
            f"--listen-client-urls={client}",
            f"--advertise-client-urls={client}",
            f"--listen-peer-urls={peer}",
            f"--initial-advertise-peer-urls={peer}",
            f"--initial-cluster=default={peer}",
            "--unsafe-no-fsync=true",
            "--log-level=warn",
        ]

    def _apiserver_argv(self) -> list[str]:
        p = self.pki_dir
        argv = [
            str(self.binary("kube-apiserver")),
            f"--etcd-servers=http://127.0.0.1:{self.etcd_port}",
            "--bind-address=127.0.0.1",
            "--advertise-address=127.0.0.1",
            f"--secure-port={self.port}",
            f"--cert-dir={p}",
            f"--tls-cert-file={p / 'serving.crt'}",
            f"--tls-private-key-file={p / 'serving.key'}",
            f"--client-ca-file={p / 'client-ca.crt'}",
            "--service-cluster-ip-range=10.0.0.0/24",
            f"--service-account-issuer=https://127.0.0.1:{self.port}/",
            f"--service-account-key-file={p / 'sa.pub'}",
            f"--service-account-signing-key-file={p / 'sa.key'}",
            "--authorization-mode=RBAC",
            "--disable-admission-plugins=ServiceAccount",
            "--allow-privileged=true",
        ]
        if self.audit_log:
            argv += [
                f"--audit-policy-file={self.dir / 'audit-policy.yaml'}",
                f"--audit-log-path={self.audit_log}",
                "--audit-log-format=json",
                "--audit-log-mode=blocking",
            ]
        return argv

    def _start_with_retries(self) -> None:
        """Start both servers; new ports if one lost a port race (bind: address in use)."""
        last = ""
        for _ in range(3):
            self.port, self.etcd_port, self.etcd_peer_port = free_ports(3)
            try:
                self._spawn("etcd", self._etcd_argv())
                self._wait_etcd()
                self._spawn("kube-apiserver", self._apiserver_argv())
                self._wait_ready()
                return
            except _PortInUse as e:
                last = str(e)
                self._stop_proc("kube-apiserver", 5.0)
                self._stop_proc("etcd", 5.0)
        raise ControlPlaneError(f"could not find free ports: {last}")

    def _spawn(self, name: str, argv: Sequence[str]) -> None:
        log: IO[bytes] = (self.log_dir / f"{name}.log").open("ab")
        preexec = None
        argv = list(argv)
        if (not self.detached and sys.platform.startswith("linux")
                and threading.current_thread() is threading.main_thread()):
            # PDEATHSIG fires when the *thread* that forked exits: only safe from main thread.
            # setpriv sets it and execs (no Python between fork and exec, which is the
            # thread-safe way); a preexec_fn doing the same prctl is the fallback.
            if _SETPRIV:
                argv = [_SETPRIV, "--pdeathsig", "KILL", "--", *argv]
            elif _LIBC is not None:
                preexec = _die_with_parent(os.getpid())
        try:
            popen = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True, preexec_fn=preexec, close_fds=True, cwd=self.dir,
            )
        finally:
            log.close()
        st = _proc_stat(popen.pid)
        rec = ProcRecord(name, popen.pid, st[1] if st else 0)
        self._procs[name] = (rec, popen)
        self._write_pids()

    def _write_pids(self) -> None:
        tmp = self.dir / "pids.tmp"
        tmp.write_text("".join(rec.line() for rec, _ in self._procs.values()))
        tmp.replace(self.dir / "pids")

    def _stop_proc(self, name: str, timeout: float) -> None:
        entry = self._procs.pop(name, None)
        if entry is None:
            return
        rec, popen = entry
        terminate(rec, timeout, popen)
        with contextlib.suppress(subprocess.TimeoutExpired):
            popen.wait(1.0)
        if self._procs:
            self._write_pids()
        else:
            (self.dir / "pids").unlink(missing_ok=True)

    def _check_alive(self, name: str) -> None:
        _rec, popen = self._procs[name]
        if popen.poll() is None:
            return
        tail = self.log_tail(name)
        if "address already in use" in tail:
            raise _PortInUse(f"{name}: {tail.splitlines()[-1] if tail else ''}")
        raise ControlPlaneError(f"{name} exited with {popen.returncode}; log tail:\n{tail}")

    def _wait_etcd(self) -> None:
        deadline = time.monotonic() + self.ready_timeout
        url = f"http://127.0.0.1:{self.etcd_port}/health"
        with httpx.Client(timeout=1.0) as c:
            while True:
                self._check_alive("etcd")
                with contextlib.suppress(httpx.HTTPError, ValueError):
                    if c.get(url).json().get("health") == "true":
                        return
                if time.monotonic() > deadline:
                    raise ControlPlaneError(f"etcd not healthy in {self.ready_timeout}s:\n"
                                            f"{self.log_tail('etcd')}")
                time.sleep(0.05)

    def _wait_ready(self) -> None:
        """Poll /readyz every 100 ms (envtest's cadence) until it says ok."""
        ctx = ssl.create_default_context(cafile=str(self.ca_file))
        ctx.load_cert_chain(self.pki_dir / "testkit.crt", self.pki_dir / "testkit.key")
        deadline = time.monotonic() + self.ready_timeout
        last = ""
        with httpx.Client(verify=ctx, timeout=2.0) as c:
            while True:
                self._check_alive("kube-apiserver")
                try:
                    r = c.get(f"{self.url}/readyz")
                    if r.status_code == 200 and r.text.strip() == "ok":
                        return
                    last = f"{r.status_code} {r.text[-300:]}"
                except httpx.HTTPError as e:
                    last = repr(e)
                if time.monotonic() > deadline:
                    raise ControlPlaneError(
                        f"kube-apiserver not ready in {self.ready_timeout}s ({last}); log tail:\n"
                        f"{self.log_tail('kube-apiserver')}"
                    )
                time.sleep(0.1)

    def _write_kubeconfigs(self) -> None:
        p = self.pki_dir
        ca = self.ca_file.read_bytes()
        for path, user, context in ((self.kubeconfig, ADMIN_USER, CONTEXT),
                                    (self.limited_kubeconfig, LIMITED_USER, f"{CONTEXT}-limited")):
            cfg = kubeconfig_dict(self.url, ca, (p / f"{user}.crt").read_bytes(),
                                  (p / f"{user}.key").read_bytes(), user, context)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(yaml.safe_dump(cfg, sort_keys=False))
            tmp.chmod(0o600)
            tmp.replace(path)

    def _setup_rbac(self) -> None:
        """Bind ``limited`` to ``view``, after filling the aggregated roles' rules.

        Why the aggregation: ``view``/``edit``/``admin`` get their rules from the
        clusterrole-aggregation controller in kube-controller-manager, which is not running;
        without this, ``view`` would grant nothing and the limited user would see 403 on
        everything instead of only on secrets and writes.
        """
        admin = self.admin()
        aggregate_cluster_roles(admin)
        admin.apply(
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "ClusterRoleBinding",
                "metadata": {"name": LIMITED_BINDING},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                            "name": "view"},
                "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User",
                              "name": LIMITED_USER}],
            },
            field_manager="testkit",
        )

    def _write_state(self) -> None:
        state = {
            "url": self.url, "port": self.port, "etcd_port": self.etcd_port,
            "bin_dir": str(self.bin_dir), "audit_log": str(self.audit_log or ""),
            "kubeconfig": str(self.kubeconfig),
            "limited_kubeconfig": str(self.limited_kubeconfig),
            "time_to_ready_seconds": round(self.time_to_ready or 0.0, 3),
        }
        (self.dir / "state.json").write_text(json.dumps(state, indent=2) + "\n")


class _PortInUse(ControlPlaneError):
    pass


def _selector_matches(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr["key"], expr["operator"], expr.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and labels.get(key) in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def aggregate_cluster_roles(admin: KubeAdmin) -> None:
    """Do the clusterrole-aggregation controller's job once (see ``_setup_rbac``).

    Call again after creating ClusterRoles labelled ``aggregate-to-*`` if a test needs them.
    """
    for _ in range(3):  # aggregated roles can aggregate each other (admin <- edit <- view)
        roles = admin.list("rbac.authorization.k8s.io/v1", "clusterroles")
        changed = False
        for role in roles:
            rule = role.get("aggregationRule")
            if not rule:
                continue
            rules: list[dict[str, Any]] = []
            for other in roles:
                if other["metadata"]["name"] == role["metadata"]["name"]:
                    continue
                labels = other["metadata"].get("labels") or {}
                if any(_selector_matches(sel, labels)
                       for sel in rule.get("clusterRoleSelectors", [])):
                    for r in other.get("rules") or []:
                        if r not in rules:
                            rules.append(r)
            if rules and rules != role.get("rules"):
                with contextlib.suppress(KubeError):
                    admin.patch("rbac.authorization.k8s.io/v1", "clusterroles",
                                role["metadata"]["name"], {"rules": rules})
                    changed = True
        if not changed:
            return


def iter_crd_names(crd_dir: Path = CRD_DIR) -> Iterator[str]:
    """Names (``<plural>.<group>``) of the CRDs the harness installs."""
    for f in sorted(crd_dir.glob("*.yaml")):
        for doc in iter_yaml_documents(f):
            yield doc["metadata"]["name"]
