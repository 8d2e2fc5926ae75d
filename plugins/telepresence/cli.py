"""Drives the real ``telepresence`` v2 binary (``--output json``) without blocking the loop.

Why a wrapper: the pane and any headless caller need one place that knows the CLI's flags,
its two JSON shapes (the ``{"cmd","stdout","stderr","err"}`` wrapper most commands print and
the bare object ``status`` prints on success), its version quirks (``intercept_infos`` in
v2.20 vs ``intercept_info`` later; ``--http-header`` only in some builds) and how to fail
clearly: a missing binary, an incompatible version, a hung daemon (timeout) and a user's
cancel all become one-line :class:`~k8s_essentials_tui.errors.ToolError` messages.

Every call is an asyncio subprocess with a timeout; long commands (connect, intercept) stream
their output lines to a callback; a cancel event or task cancellation kills the process.
No Textual import here.
"""

from __future__ import annotations

import asyncio
import builtins
import json
import os
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from k8s_essentials_tui.api import (
    ProcessCancelled,
    ProcessResult,
    ProcessTimeout,
    ToolError,
    run_process,
    shell_join,
)

#: oldest version whose JSON output this module was written against (COMPONENT-APIS.md)
MIN_VERSION: tuple[int, int, int] = (2, 20, 0)
MIN_VERSION_TEXT = "v2.20.0"
INSTALL_HINT = (
    "install Telepresence OSS v2 (v2.20 or newer) from https://telepresence.io/docs/install/client"
    " (e.g. `brew install telepresenceio/telepresence/telepresence-oss`, or the release binary"
    " on PATH), or set telepresence.binary in the config file"
)

#: InterceptInfo.disposition integer codes (manager.InterceptDispositionType)
DISPOSITIONS: dict[int, str] = {
    0: "UNSPECIFIED", 1: "ACTIVE", 2: "WAITING", 3: "NO_CLIENT", 4: "NO_AGENT",
    5: "NO_MECHANISM", 6: "NO_PORTS", 7: "AGENT_ERROR", 8: "BAD_ARGS", 9: "REMOVED",
}

LineCallback = Callable[[str], None]


# -- data -------------------------------------------------------------------------------------


@dataclass
class VersionInfo:
    client: str = ""
    root_daemon: str = ""
    user_daemon: str = ""
    traffic_manager: str = ""
    traffic_agent: str = ""
    #: every "key: value" line as printed
    raw: dict[str, str] = field(default_factory=dict)

    @property
    def client_tuple(self) -> tuple[int, int, int] | None:
        return parse_semver(self.client)


@dataclass
class DaemonStatus:
    running: bool = False
    version: str = ""
    status: str = ""


@dataclass
class Status:
    """``telepresence status --output json``, with missing fields meaning "not running"."""

    user_daemon: DaemonStatus = field(default_factory=DaemonStatus)
    root_daemon: DaemonStatus = field(default_factory=DaemonStatus)
    traffic_manager_name: str = ""
    traffic_manager_version: str = ""
    traffic_agent: str = ""
    context: str = ""
    kubernetes_server: str = ""
    namespace: str = ""
    manager_namespace: str = ""
    mapped_namespaces: list[str] = field(default_factory=list)
    #: my intercepts: (name, client)
    intercepts: list[tuple[str, str]] = field(default_factory=list)

    @property
    def connected(self) -> bool:
        return self.user_daemon.running and self.user_daemon.status == "Connected"

    @property
    def my_intercepts(self) -> list[str]:
        return [name for name, _client in self.intercepts]

    @property
    def my_client(self) -> str:
        return self.intercepts[0][1] if self.intercepts else ""


@dataclass
class Intercept:
    name: str
    client: str = ""
    namespace: str = ""
    workload: str = ""
    workload_kind: str = ""
    disposition: str = ""
    message: str = ""
    mechanism: str = "tcp"
    mechanism_args: list[str] = field(default_factory=list)
    target_host: str = ""
    target_port: int = 0
    service_name: str = ""
    service_port: int = 0
    port_identifier: str = ""
    pod_name: str = ""
    pod_ip: str = ""
    mount_point: str = ""
    id: str = ""

    @property
    def is_global(self) -> bool:
        return self.mechanism == "tcp"

    @property
    def local_target(self) -> str:
        if not self.target_port:
            return self.target_host
        return f"{self.target_host or '127.0.0.1'}:{self.target_port}"


@dataclass
class ServicePort:
    name: str = ""
    port: int = 0

    @property
    def identifier(self) -> str:
        return self.name or (str(self.port) if self.port else "")


@dataclass
class Workload:
    name: str
    namespace: str = ""
    kind: str = ""
    uid: str = ""
    not_interceptable_reason: str = ""
    has_agent: bool = False
    service_ports: list[ServicePort] = field(default_factory=list)
    intercepts: list[Intercept] = field(default_factory=list)

    @property
    def interceptable(self) -> bool:
        return not self.not_interceptable_reason

    @property
    def state(self) -> str:
        if self.intercepts:
            active = [i for i in self.intercepts if i.disposition == "ACTIVE"]
            return "intercepted" if active else self.intercepts[0].disposition.lower()
        if not self.interceptable:
            return "not interceptable"
        return "ready (agent installed)" if self.has_agent else "ready"


@dataclass
class InterceptRequest:
    """What the intercept form collects; :meth:`argv` is the CLI command it stands for."""

    name: str
    workload: str = ""
    namespace: str = ""
    local_port: int = 8080
    service_port: str = ""
    http_headers: list[str] = field(default_factory=list)
    env_file: str = ""
    mount: str = ""

    @property
    def is_global(self) -> bool:
        return not self.http_headers

    def argv(self) -> list[str]:
        args = ["intercept", self.name]
        if self.workload and self.workload != self.name:
            args += ["--workload", self.workload]
        port = str(self.local_port)
        if self.service_port:
            port += f":{self.service_port}"
        args += ["--port", port]
        if self.namespace:
            args += ["--namespace", self.namespace]
        for header in self.http_headers:
            args += ["--http-header", header]
        if self.env_file:
            args += ["--env-file", self.env_file]
        if self.mount:
            args += [f"--mount={self.mount}"]
        return args


@dataclass
class InterceptResult:
    name: str
    disposition: str = ""
    message: str = ""
    target: str = ""
    mount_dir: str = ""
    mount_error: str = ""
    environment_keys: int = 0


# -- parsing (pure, unit-tested) --------------------------------------------------------------


def parse_semver(text: str) -> tuple[int, int, int] | None:
    m = re.search(r"v?(\d+)\.(\d+)(?:\.(\d+))?", text or "")
    if not m:
        return None
    return int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)


def check_compatible(version: str) -> None:
    """Raise ToolError naming the version when this module cannot drive it."""
    parsed = parse_semver(version)
    if parsed is None:
        raise ToolError(f"cannot tell the telepresence version from {version!r}",
                        hint=f"this pane needs Telepresence {MIN_VERSION_TEXT} or newer (v2)")
    if parsed[0] != 2:
        raise ToolError(f"telepresence {version} is not supported: this pane drives "
                        f"Telepresence v2 ({MIN_VERSION_TEXT} or newer)", hint=INSTALL_HINT)
    if parsed < MIN_VERSION:
        raise ToolError(f"telepresence {version} is too old: this pane needs "
                        f"{MIN_VERSION_TEXT} or newer (its JSON output differs)",
                        hint=INSTALL_HINT)


def decode_output(text: str, cmd: str) -> tuple[Any, str]:
    """Split one ``--output json`` document into (stdout payload, error text).

    Most commands print the wrapper ``{"cmd": .., "stdout": .., "stderr": .., "err": ..}``;
    ``status`` prints a bare object on success. Success with nothing to say prints nothing."""
    text = text.strip()
    if not text:
        return None, ""
    # json-stream or a stray progress line before the document: take the last JSON line
    try:
        doc = json.loads(text)
    except ValueError:
        doc = None
        for line in reversed(text.splitlines()):
            line = line.strip()
            if line.startswith("{"):
                try:
                    doc = json.loads(line)
                    break
                except ValueError:
                    continue
        if doc is None:
            return text, ""
    if isinstance(doc, dict) and "cmd" in doc and set(doc) <= {"cmd", "stdout", "stderr", "err"}:
        return doc.get("stdout"), str(doc.get("err") or "")
    return doc, ""


def parse_version(payload: Any) -> VersionInfo:
    """``version`` prints key/value text (inside the wrapper's stdout with --output json)."""
    info = VersionInfo()
    text = payload if isinstance(payload, str) else ""
    if isinstance(payload, dict):
        text = "\n".join(f"{k}: {v}" for k, v in payload.items())
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if not sep:
            continue
        key, value = key.strip(), value.strip()
        info.raw[key] = value
        low = key.lower()
        if "root daemon" in low:
            info.root_daemon = value
        elif "user daemon" in low:
            info.user_daemon = value
        elif "traffic manager" in low:
            info.traffic_manager = value
        elif "traffic agent" in low:
            info.traffic_agent = value
        elif "client" in low and not info.client:
            info.client = value.split()[0] if value else ""
    return info


def _daemon(obj: Any) -> DaemonStatus:
    obj = obj if isinstance(obj, dict) else {}
    return DaemonStatus(running=bool(obj.get("running")), version=str(obj.get("version") or ""),
                        status=str(obj.get("status") or ""))


def parse_status(obj: Any) -> Status:
    obj = obj if isinstance(obj, dict) else {}
    ud = obj.get("user_daemon") or {}
    tm = obj.get("traffic_manager") or {}
    st = Status(user_daemon=_daemon(ud), root_daemon=_daemon(obj.get("root_daemon")))
    if st.user_daemon.running and not st.user_daemon.status:
        st.user_daemon.status = "Not connected"
    st.context = str(ud.get("kubernetes_context") or "")
    st.kubernetes_server = str(ud.get("kubernetes_server") or "")
    st.namespace = str(ud.get("namespace") or "")
    st.manager_namespace = str(ud.get("manager_namespace") or "")
    st.mapped_namespaces = [str(n) for n in ud.get("mapped_namespaces") or []]
    st.intercepts = [(str(i.get("name") or ""), str(i.get("client") or ""))
                     for i in ud.get("intercepts") or [] if isinstance(i, dict)]
    st.traffic_manager_name = str(tm.get("name") or "")
    st.traffic_manager_version = str(tm.get("version") or "")
    st.traffic_agent = str(tm.get("traffic_agent") or "")
    return st


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def parse_disposition(value: Any) -> str:
    """An integer code in ``list`` output, already a string in ``intercept`` output."""
    if isinstance(value, int) and not isinstance(value, bool):
        return DISPOSITIONS.get(value, f"UNKNOWN({value})")
    if isinstance(value, str) and value.isdigit():
        return DISPOSITIONS.get(int(value), f"UNKNOWN({value})")
    return str(value or "")


def parse_intercept_info(obj: dict[str, Any]) -> Intercept:
    spec = obj.get("spec") or {}
    return Intercept(
        name=str(spec.get("name") or ""),
        client=str(spec.get("client") or ""),
        namespace=str(spec.get("namespace") or ""),
        workload=str(spec.get("agent") or ""),
        workload_kind=str(spec.get("workload_kind") or ""),
        disposition=parse_disposition(obj.get("disposition")),
        message=str(obj.get("message") or ""),
        mechanism=str(spec.get("mechanism") or "tcp"),
        mechanism_args=[str(a) for a in spec.get("mechanism_args") or []],
        target_host=str(spec.get("target_host") or ""),
        target_port=_int(spec.get("target_port")),
        service_name=str(spec.get("service_name") or ""),
        service_port=_int(spec.get("service_port")),
        port_identifier=str(spec.get("port_identifier") or ""),
        pod_name=str(obj.get("pod_name") or ""),
        pod_ip=str(obj.get("pod_ip") or ""),
        mount_point=str(obj.get("mount_point") or ""),
        id=str(obj.get("id") or ""),
    )


def parse_workloads(payload: Any) -> list[Workload]:
    """``list --output json``: an array of WorkloadInfo (``[]`` when none)."""
    if not isinstance(payload, list):
        return []
    out = []
    for w in payload:
        if not isinstance(w, dict):
            continue
        infos = w.get("intercept_infos")
        if infos is None:
            infos = w.get("intercept_info")
        ports: list[ServicePort] = []
        for svc in w.get("services") or []:
            if not isinstance(svc, dict):
                continue
            for p in svc.get("ports") or []:
                if isinstance(p, dict):
                    ports.append(ServicePort(str(p.get("name") or ""), _int(p.get("port"))))
        out.append(Workload(
            name=str(w.get("name") or ""),
            namespace=str(w.get("namespace") or ""),
            kind=str(w.get("workload_resource_type") or ""),
            uid=str(w.get("uid") or ""),
            not_interceptable_reason=str(w.get("not_interceptable_reason") or ""),
            has_agent=bool(w.get("sidecar")),
            service_ports=ports,
            intercepts=[parse_intercept_info(i) for i in infos or [] if isinstance(i, dict)],
        ))
    return sorted(out, key=lambda x: (x.namespace, x.name))


def parse_intercept_result(payload: Any, name: str) -> InterceptResult:
    obj = payload if isinstance(payload, dict) else {}
    mount = obj.get("mount") or {}
    host, port = obj.get("target_host") or "", _int(obj.get("target_port"))
    return InterceptResult(
        name=str(obj.get("name") or name),
        disposition=parse_disposition(obj.get("disposition")),
        message=str(obj.get("message") or ""),
        target=f"{host or '127.0.0.1'}:{port}" if port else str(host),
        mount_dir=str(mount.get("local_dir") or "") if isinstance(mount, dict) else "",
        mount_error=str(mount.get("error") or "") if isinstance(mount, dict) else "",
        environment_keys=len(obj.get("environment") or {}),
    )


def friendly_error(cmd: str, err: str) -> ToolError:
    """One line with a next step for the errors operators meet most."""
    first = (err.strip().splitlines() or [""])[0].strip()
    first = re.sub(r"^telepresence( \w+)?: error: ", "", first)
    low = first.lower()
    hint = ""
    if "user daemon is not running" in low or low.startswith("not connected"):
        hint = "not connected: press c to connect (telepresence connect)"
    elif "already in use by intercept" in low:
        hint = "choose another local port, or leave that intercept first"
    elif "no interceptable" in low:
        hint = "check the workload name and namespace (telepresence list)"
    elif "not found" in low and cmd == "leave":
        hint = "it may have ended already; the list refreshes by itself"
    elif "traffic-manager" in low or "traffic manager" in low:
        hint = "is the traffic-manager installed? (telepresence helm install)"
    return ToolError(f"telepresence {cmd}: {first or 'failed'}", hint=hint)


# -- the runner -------------------------------------------------------------------------------


class TelepresenceCLI:
    """Async wrapper around one ``telepresence`` executable.

    ``timeout`` bounds every call (config key ``telepresence.timeout_seconds``); ``env``
    replaces the environment of the child (tests put a fake first on PATH)."""

    def __init__(self, binary: str = "telepresence", *, timeout: float = 60.0,
                 env: dict[str, str] | None = None) -> None:
        self.binary = binary
        self.timeout = float(timeout)
        self.env = env
        self._http_header: bool | None = None
        self._version: VersionInfo | None = None

    # -- locating ----------------------------------------------------------------------------

    def resolve(self) -> str:
        """The executable's path, or ToolError explaining how to install it."""
        path_env = (self.env or os.environ).get("PATH")
        found = shutil.which(self.binary, path=path_env)
        if not found:
            raise ToolError(f"telepresence executable {self.binary!r} not found on PATH",
                            hint=INSTALL_HINT)
        return found

    @staticmethod
    def display(args: Sequence[str]) -> str:
        """The command a user would type (without our ``--output json``)."""
        return shell_join(["telepresence", *args])

    # -- running -----------------------------------------------------------------------------

    async def run(self, args: Sequence[str], *, json_output: bool = True,
                  timeout: float | None = None, on_line: LineCallback | None = None,
                  cancel: asyncio.Event | None = None) -> ProcessResult:
        """Run once; kill the process on timeout, cancel or task cancellation."""
        exe = self.resolve()
        argv = [exe, *args] + (["--output", "json"] if json_output else [])
        limit = self.timeout if timeout is None else timeout
        cmd = args[0] if args else "telepresence"
        def progress(_stream: str, line: str) -> None:
            # JSON documents are the result, not progress worth showing
            if on_line is not None and line.strip() and not line.lstrip().startswith("{"):
                on_line(line)

        try:
            done = await run_process(argv, env=self.env, on_line=progress, timeout=limit,
                                     cancel=cancel, grace=0.0)
        except OSError as exc:
            raise ToolError(f"cannot run {exe}: {exc.strerror or exc}", hint=INSTALL_HINT) from exc
        except ProcessCancelled as exc:
            raise ToolError(f"telepresence {cmd} cancelled",
                            hint="the process was stopped") from exc
        except ProcessTimeout as exc:
            raise ToolError(
                f"telepresence {cmd} did not answer within {limit:g}s",
                hint="the daemon may be hung: try `telepresence quit -s`, then connect again"
            ) from exc
        return done

    async def run_json(self, args: Sequence[str], **kwargs: Any) -> Any:
        """Run with ``--output json``; the payload, or ToolError with the CLI's own words."""
        cmd = args[0] if args else "telepresence"
        res = await self.run(args, **kwargs)
        payload, error = decode_output(res.stdout, cmd)
        if res.returncode != 0 or error:
            text = error or res.stderr.strip() or (payload if isinstance(payload, str) else "") \
                or f"exit code {res.returncode}"
            raise friendly_error(cmd, text)
        return payload

    # -- commands ----------------------------------------------------------------------------

    async def version(self, *, check: bool = True) -> VersionInfo:
        payload = await self.run_json(["version"])
        info = parse_version(payload)
        if check:
            check_compatible(info.client)
        self._version = info
        return info

    async def status(self) -> Status:
        return parse_status(await self.run_json(["status"]))

    async def list(self, namespace: str = "", *, only_intercepts: bool = False) -> list[Workload]:
        args = ["list"]
        if namespace:
            args += ["--namespace", namespace]
        if only_intercepts:
            args.append("--intercepts")
        return parse_workloads(await self.run_json(args))

    async def supports_http_header(self) -> bool:
        """Header-matched (personal) intercepts exist only in some builds: ask the binary."""
        if self._http_header is None:
            res = await self.run(["intercept", "--help"], json_output=False)
            self._http_header = "--http-header" in (res.stdout + res.stderr)
        return self._http_header

    async def intercept(self, req: InterceptRequest, *, on_line: LineCallback | None = None,
                        cancel: asyncio.Event | None = None) -> InterceptResult:
        if req.http_headers and not await self.supports_http_header():
            raise ToolError("this telepresence build has no --http-header flag",
                            hint="header-matched (personal) intercepts need a build that "
                                 "supports them; leave the header empty for a global intercept")
        payload = await self.run_json(req.argv(), on_line=on_line, cancel=cancel)
        return parse_intercept_result(payload, req.name)

    async def leave(self, name: str) -> None:
        await self.run_json(["leave", name])

    @staticmethod
    def connect_args(namespace: str = "", manager_namespace: str = "",
                     context: str = "") -> builtins.list[str]:
        args = ["connect"]
        if context:
            args += ["--context", context]
        if namespace:
            args += ["--namespace", namespace]
        if manager_namespace:
            args += ["--manager-namespace", manager_namespace]
        return args

    async def connect(self, namespace: str = "", manager_namespace: str = "",
                      context: str = "", *, on_line: LineCallback | None = None,
                      cancel: asyncio.Event | None = None) -> None:
        await self.run_json(self.connect_args(namespace, manager_namespace, context),
                            on_line=on_line, cancel=cancel)

    async def quit(self, *, stop_daemons: bool = False) -> None:
        await self.run_json(["quit", "--stop-daemons"] if stop_daemons else ["quit"])


def from_settings(settings: Any, env: dict[str, str] | None = None) -> TelepresenceCLI:
    """The CLI configured by ``telepresence.binary`` and ``telepresence.timeout_seconds``."""
    return TelepresenceCLI(str(settings.get("telepresence.binary", "telepresence")),
                           timeout=float(settings.get("telepresence.timeout_seconds", 60)),
                           env=env)
