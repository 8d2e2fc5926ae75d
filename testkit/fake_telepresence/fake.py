"""A FAKE ``telepresence`` v2 CLI for tests and the demo (stdlib only, run by ./telepresence).

It is not Telepresence: there are no daemons and no network. It keeps a small state file in
``$FAKE_TELEPRESENCE_STATE`` and answers ``version``, ``status``, ``connect``, ``quit``,
``list``, ``intercept`` (and ``intercept --help``) and ``leave`` with the flags and the
``--output json`` shapes of the real CLI (see /work/shared/COMPONENT-APIS.md): the
``{"cmd","stdout","stderr","err"}`` wrapper, the bare ``status`` object, WorkloadInfo with
``intercept_infos`` (< v2.21) or ``intercept_info`` (newer) and integer dispositions.

``config.json`` beside the state tunes it (see testkit/fake_telepresence/__init__.py):
``version``, ``http_header`` (whether ``--http-header`` exists), ``autoconnect`` (the real
CLI connects on demand; default off so "not connected" can be tested), ``manager_installed``,
``fail`` {cmd: {exit, err, stderr}}, ``hang`` {cmd: seconds}, ``delay`` {cmd: seconds}.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

DEFAULT_VERSION = "2.20.2"


def state_dir() -> Path:
    env = os.environ.get("FAKE_TELEPRESENCE_STATE")
    if env:
        return Path(env)
    return Path(tempfile.gettempdir()) / f"fake-telepresence-{os.getuid()}"


def demo_state() -> dict[str, Any]:
    """Workloads the demo and tests start from: two namespaces, one foreign intercept."""
    def wl(name: str, ns: str, kind: str = "Deployment", ports: list[tuple[str, int]] | None = None,
           reason: str = "", agent: bool = False) -> dict[str, Any]:
        return {"name": name, "namespace": ns, "kind": kind,
                "ports": [{"name": n, "port": p} for n, p in (ports or [("http", 80)])],
                "not_interceptable_reason": reason, "agent": agent}

    return {
        "user_daemon": False, "root_daemon": False, "connected": False,
        "context": "demo", "server": "https://127.0.0.1:6443",
        "namespace": "", "manager_namespace": "ambassador",
        "client": os.environ.get("FAKE_TELEPRESENCE_CLIENT", "developer@workstation"),
        "workloads": [
            wl("echo-server", "shop", ports=[("http", 80)]),
            wl("web-frontend", "shop", ports=[("http", 80), ("metrics", 9090)]),
            wl("payments-api", "shop", ports=[("grpc", 8443)], agent=True),
            wl("orders-db", "shop", kind="StatefulSet", ports=[("pg", 5432)]),
            wl("legacy-batch", "shop", reason="no service selects this workload's pods"),
            wl("hello", "default", ports=[("http", 80)]),
        ],
        "intercepts": [
            {"name": "payments-api", "client": "alice@laptop", "namespace": "shop",
             "workload": "payments-api", "kind": "Deployment", "mechanism": "tcp",
             "mechanism_args": [], "local_port": 8443, "service_port": 8443,
             "port_identifier": "grpc", "service_name": "payments-api"},
        ],
    }


class Fake:
    def __init__(self) -> None:
        self.dir = state_dir()
        self.dir.mkdir(parents=True, exist_ok=True)
        self.state_file = self.dir / "state.json"
        self.config_file = self.dir / "config.json"
        self.config: dict[str, Any] = self._load(self.config_file) or {}
        self.state: dict[str, Any] = self._load(self.state_file) or demo_state()
        self.version = str(self.config.get("version") or DEFAULT_VERSION).lstrip("v")

    @staticmethod
    def _load(path: Path) -> dict[str, Any] | None:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def save(self) -> None:
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.state, indent=1, sort_keys=True), encoding="utf-8")
        tmp.replace(self.state_file)
        with (self.dir / "calls.log").open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(sys.argv[1:]) + "\n")

    @property
    def minor(self) -> tuple[int, int]:
        parts = [*self.version.split("."), "0", "0"][:2]
        try:
            return int(parts[0]), int(parts[1])
        except ValueError:
            return 2, 20


class Failure(Exception):
    pass


def emit(cmd: str, json_mode: bool, stdout: Any = None, err: str = "",
         stderr: str = "") -> int:
    """Print like output.Execute: the wrapper; nothing when there is nothing to say."""
    if json_mode:
        doc: dict[str, Any] = {"cmd": cmd}
        if stdout not in (None, ""):
            doc["stdout"] = stdout
        if stderr:
            doc["stderr"] = stderr
        if err:
            doc["err"] = err
        if len(doc) > 1:
            print(json.dumps(doc))
    else:
        if stdout not in (None, ""):
            print(stdout if isinstance(stdout, str) else json.dumps(stdout, indent=2))
        if err:
            print(f"telepresence {cmd}: error: {err}", file=sys.stderr)
    return 1 if err else 0


def progress(line: str, delay: float) -> None:
    print(line, file=sys.stderr, flush=True)
    if delay:
        time.sleep(delay)


# -- commands ---------------------------------------------------------------------------------


def cmd_version(fake: Fake, _args: argparse.Namespace) -> Any:
    s = fake.state
    v = f"v{fake.version}"
    lines = [("OSS Client", v),
             ("OSS Root Daemon", v if s["root_daemon"] else "not running")]
    if s["user_daemon"]:
        lines.append(("OSS User Daemon", v))
        if s["connected"]:
            lines.append(("OSS Traffic Manager", v))
            lines.append(("Traffic Agent", f"ghcr.io/telepresenceio/tel2:{fake.version}"))
        else:
            lines.append(("Traffic Manager", "not connected"))
    else:
        lines.append(("User Daemon", "not running"))
    width = max(len(k) for k, _ in lines)
    return "\n".join(f"{k:<{width}}: {val}" for k, val in lines)


def status_object(fake: Fake) -> dict[str, Any]:
    s = fake.state
    v = f"v{fake.version}"
    ud: dict[str, Any] = {"name": "OSS User Daemon"}
    rd: dict[str, Any] = {"name": "OSS Root Daemon"}
    tm: dict[str, Any] = {}
    if s["user_daemon"]:
        ud.update(running=True, version=v,
                  status="Connected" if s["connected"] else "Not connected")
    if s["root_daemon"]:
        rd.update(running=True, version=v)
    if s["connected"]:
        ud.update(kubernetes_server=s["server"], kubernetes_context=s["context"],
                  namespace=s["namespace"], manager_namespace=s["manager_namespace"],
                  mapped_namespaces=s.get("mapped_namespaces") or [])
        mine = [{"name": i["name"], "client": i["client"]}
                for i in s["intercepts"] if i["client"] == s["client"]]
        if mine:
            ud["intercepts"] = mine
        rd.update(subnets=["10.96.0.0/12"])
        tm = {"name": "OSS Traffic Manager", "version": v,
              "traffic_agent": f"ghcr.io/telepresenceio/tel2:{fake.version}"}
    obj: dict[str, Any] = {"user_daemon": ud, "root_daemon": rd}
    if tm:
        obj["traffic_manager"] = tm
    return obj


def cmd_connect(fake: Fake, args: argparse.Namespace) -> Any:
    s = fake.state
    delay = float((fake.config.get("delay") or {}).get("connect", 0))
    if not s["root_daemon"]:
        progress("Launching Telepresence Root Daemon", delay)
        s["root_daemon"] = True
    if not s["user_daemon"]:
        progress("Launching Telepresence User Daemon", delay)
        s["user_daemon"] = True
    if args.context:
        s["context"] = args.context
    if args.manager_namespace:
        s["manager_namespace"] = args.manager_namespace
    progress("Connecting to traffic manager...", delay)
    if not fake.config.get("manager_installed", True):
        fake.save()
        raise Failure(
            "connector.Connect: traffic manager not found, if it is not installed, please run "
            "'telepresence helm install'. If it is installed, try connecting with a "
            "--manager-namespace to point telepresence to the namespace it's installed in.")
    namespaces = {w["namespace"] for w in s["workloads"]} | {"default"}
    ns = args.namespace or s.get("namespace") or "default"
    if ns not in namespaces:
        fake.save()
        raise Failure(f'namespace "{ns}" not found or not accessible')
    s["namespace"] = ns
    s["connected"] = True
    s["mapped_namespaces"] = list(args.mapped_namespaces or [])
    fake.save()
    progress(f"Connected to context {s['context']}, namespace {ns} ({s['server']})", 0)
    return None


def cmd_quit(fake: Fake, args: argparse.Namespace) -> Any:
    s = fake.state
    s["intercepts"] = [i for i in s["intercepts"] if i["client"] != s["client"]]
    s["connected"] = False
    if args.stop_daemons:
        s["user_daemon"] = s["root_daemon"] = False
    fake.save()
    return None


def require_connection(fake: Fake) -> None:
    s = fake.state
    if s["connected"]:
        return
    if fake.config.get("autoconnect"):
        ns = argparse.Namespace(namespace="", manager_namespace="", context="",
                                mapped_namespaces=None)
        cmd_connect(fake, ns)
        return
    if not s["user_daemon"]:
        raise Failure("telepresence user daemon is not running")
    raise Failure("Not connected")


def intercept_info(fake: Fake, ic: dict[str, Any], wl: dict[str, Any]) -> dict[str, Any]:
    spec = {
        "name": ic["name"], "client": ic["client"], "agent": ic["workload"],
        "workload_kind": wl.get("kind", "Deployment"), "namespace": ic["namespace"],
        "mechanism": ic["mechanism"], "target_host": "127.0.0.1",
        "target_port": ic["local_port"], "port_identifier": ic.get("port_identifier", ""),
        "service_name": ic.get("service_name", ""), "service_port": ic.get("service_port", 0),
        "container_name": ic["workload"], "container_port": ic.get("service_port", 0),
    }
    if ic.get("mechanism_args"):
        spec["mechanism_args"] = ic["mechanism_args"]
    info: dict[str, Any] = {
        "spec": spec, "id": f"{wl['namespace']}-{wl['name']}-uid:{ic['name']}",
        "client_session": {"session_id": f"session-{ic['client']}"},
        "disposition": 1, "pod_ip": "10.244.0.17", "pod_name": f"{wl['name']}-7d4b9c-abcde",
        "modified_at": {"seconds": 1780315200},
    }
    if ic.get("mount"):
        info["mount_point"] = "/tmp/telfs-fake"
    return info


def workload_info(fake: Fake, wl: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": wl["name"], "namespace": wl["namespace"],
        "workload_resource_type": wl.get("kind", "Deployment"),
        "uid": f"{wl['namespace']}-{wl['name']}-uid",
    }
    if wl.get("ports"):
        out["services"] = [{"name": wl["name"], "namespace": wl["namespace"],
                            "uid": f"svc-{wl['name']}-uid", "ports": wl["ports"]}]
    if wl.get("not_interceptable_reason"):
        out["not_interceptable_reason"] = wl["not_interceptable_reason"]
    if wl.get("agent"):
        out["sidecar"] = {"agentName": wl["name"], "namespace": wl["namespace"],
                          "workloadKind": wl.get("kind", "Deployment")}
    infos = [intercept_info(fake, ic, wl) for ic in fake.state["intercepts"]
             if ic["workload"] == wl["name"] and ic["namespace"] == wl["namespace"]]
    if infos:
        key = "intercept_infos" if fake.minor < (2, 21) else "intercept_info"
        out[key] = infos
    return out


def cmd_list(fake: Fake, args: argparse.Namespace) -> Any:
    require_connection(fake)
    ns = args.namespace or fake.state["namespace"]
    rows = []
    for wl in fake.state["workloads"]:
        if wl["namespace"] != ns:
            continue
        info = workload_info(fake, wl)
        if args.intercepts and not (info.get("intercept_infos") or info.get("intercept_info")):
            continue
        if args.agents and not wl.get("agent"):
            continue
        rows.append(info)
    return rows


def cmd_intercept(fake: Fake, args: argparse.Namespace) -> Any:
    s = fake.state
    require_connection(fake)
    ns = args.namespace or s["namespace"]
    target = args.workload or args.name
    wl = next((w for w in s["workloads"] if w["name"] == target and w["namespace"] == ns
               and not w.get("not_interceptable_reason")), None)
    if wl is None:
        raise Failure(f"No interceptable deployment, replicaset, or statefulset matching "
                      f"{target} found")
    if any(i["name"] == args.name and i["namespace"] == ns for i in s["intercepts"]):
        raise Failure(f'Intercept with name "{args.name}" already exists')
    mine = [i for i in s["intercepts"] if i["client"] == s["client"]]
    if any(i["namespace"] != ns for i in mine):
        other = next(i["namespace"] for i in mine if i["namespace"] != ns)
        raise Failure("A workstation cannot have simultaneous intercepts in different "
                      f'namespaces. Leave all intercepts in "{other}" before creting new ones '
                      f'in "{ns}"')
    port_spec = (args.port or ["8080"])[0]
    local, _, ident = port_spec.partition(":")
    try:
        local_port = int(local)
    except ValueError:
        raise Failure(f"invalid port {port_spec!r}") from None
    for other in mine:
        if other["local_port"] == local_port:
            raise Failure(f"Port 127.0.0.1:{local_port} is already in use by intercept "
                          f"{other['name']}")
    ports = wl.get("ports") or []
    port = ports[0] if ports else {"name": "", "port": 80}
    if ident:
        match = [p for p in ports if p["name"] == ident or str(p["port"]) == ident]
        if not match:
            raise Failure(f"unable to find a service port that matches {ident}")
        port = match[0]
    headers = list(getattr(args, "http_header", None) or [])
    global_intercept = not headers
    if global_intercept and any(i["workload"] == wl["name"] and i["namespace"] == ns
                                for i in s["intercepts"]):
        holder = next(i for i in s["intercepts"] if i["workload"] == wl["name"])
        raise Failure(f"Failed to establish intercept: workload {wl['name']} is already "
                      f"globally intercepted by {holder['client']}")
    delay = float((fake.config.get("delay") or {}).get("intercept", 0))
    if not wl.get("agent"):
        progress(f"Installing traffic-agent in {wl['kind']} {wl['name']}.{ns}", delay)
        wl["agent"] = True
    progress(f"Waiting for intercept {args.name} to become ACTIVE", delay)
    ic = {"name": args.name, "client": s["client"], "namespace": ns, "workload": wl["name"],
          "kind": wl.get("kind", "Deployment"), "mechanism": "tcp" if global_intercept else "http",
          "mechanism_args": [f"--http-header={h}" for h in headers], "local_port": local_port,
          "service_port": port["port"], "port_identifier": port["name"] or str(port["port"]),
          "service_name": wl["name"], "mount": (args.mount or "true") not in ("false", ""),
          "env_file": args.env_file or ""}
    s["intercepts"].append(ic)
    env = {"TELEPRESENCE_ROOT": "/tmp/telfs-fake", "KUBERNETES_SERVICE_HOST": "10.96.0.1",
           f"{wl['name'].upper().replace('-', '_')}_SERVICE_PORT": str(port["port"])}
    if args.env_file:
        Path(args.env_file).write_text("".join(f"{k}={v}\n" for k, v in sorted(env.items())),
                                       encoding="utf-8")
    fake.save()
    result: dict[str, Any] = {
        "id": f"{ns}-{wl['name']}-uid:{args.name}", "name": args.name,
        "disposition": "ACTIVE", "workload_kind": wl.get("kind", "Deployment"),
        "target_host": "127.0.0.1", "target_port": local_port,
        "port_id": ic["port_identifier"], "container_port": port["port"],
        "environment": env, "pod_ip": "10.244.0.17", "global": global_intercept,
    }
    if headers:
        result["http_filter"] = ic["mechanism_args"]
    if ic["mount"]:
        local_dir = args.mount if args.mount not in (None, "true") else "/tmp/telfs-fake"
        result["mount"] = {"local_dir": local_dir, "remote_dir": "/", "pod_ip": "10.244.0.17",
                           "port": 8089}
    return result


def cmd_leave(fake: Fake, args: argparse.Namespace) -> Any:
    s = fake.state
    require_connection(fake)
    for i, ic in enumerate(s["intercepts"]):
        if ic["name"] == args.name and ic["client"] == s["client"]:
            del s["intercepts"][i]
            fake.save()
            return None
    raise Failure(f'Intercept named "{args.name}" not found')


INTERCEPT_HELP = """Intercept a service

Usage:
  telepresence intercept [flags] <intercept_base_name> [-- <command with arguments...>]

Flags:
      --address string          Local address to forward to
      --container string        Name of container that provides the environment and mounts
      --detailed-output         Provide very detailed info about the intercept
  -e, --env-file string         Also emit the remote environment to an env file
  -j, --env-json string         Also emit the remote environment to a file as a JSON blob
  -h, --help                    help for intercept
{header}      --mechanism string        Which extension mechanism to use (default "tcp")
      --mount string            Where volumes are mounted: true, false or a path (default "true")
  -p, --port strings            Local ports to forward to
      --service string          Optional name of service to intercept
  -w, --workload string         Name of workload to intercept, if different from <name>
"""


def build_parser(fake: Fake) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="telepresence", add_help=False)
    sub = parser.add_subparsers(dest="cmd")

    def add(name: str, **kwargs: Any) -> argparse.ArgumentParser:
        p = sub.add_parser(name, add_help=False, **kwargs)
        p.add_argument("--output", default="default")
        p.add_argument("-h", "--help", action="store_true")
        return p

    add("version")
    add("status")
    p = add("connect")
    p.add_argument("-n", "--namespace", default="")
    p.add_argument("--manager-namespace", default="")
    p.add_argument("--context", default="")
    p.add_argument("--mapped-namespaces", action="append")
    p = add("quit")
    p.add_argument("-s", "--stop-daemons", action="store_true")
    p = add("list")
    p.add_argument("-n", "--namespace", default="")
    p.add_argument("-i", "--intercepts", action="store_true")
    p.add_argument("-a", "--agents", action="store_true")
    p.add_argument("-o", "--only-interceptable", default="true")
    p = add("intercept")
    p.add_argument("name", nargs="?")
    p.add_argument("-w", "--workload", default="")
    p.add_argument("-p", "--port", action="append")
    p.add_argument("-n", "--namespace", default="")
    p.add_argument("-e", "--env-file", default="")
    p.add_argument("--mount", default=None)
    p.add_argument("--service", default="")
    p.add_argument("--mechanism", default="tcp")
    if fake.config.get("http_header"):
        p.add_argument("--http-header", action="append")
    p = add("leave")
    p.add_argument("name", nargs="?")
    return parser


COMMANDS = {"version": cmd_version, "status": None, "connect": cmd_connect, "quit": cmd_quit,
            "list": cmd_list, "intercept": cmd_intercept, "leave": cmd_leave}


def main(argv: list[str]) -> int:
    fake = Fake()
    cmd = argv[0] if argv and not argv[0].startswith("-") else ""
    if cmd not in COMMANDS:
        print(f'telepresence: error: unknown command "{cmd}" for "telepresence"'
              if cmd else "FAKE telepresence (test tooling): a command is required",
              file=sys.stderr)
        return 1
    hang = float((fake.config.get("hang") or {}).get(cmd, 0))
    if hang:
        print(f"(fake) {cmd}: hanging for {hang:g}s", file=sys.stderr, flush=True)
        end = time.monotonic() + hang
        while time.monotonic() < end:
            time.sleep(0.05)
    parser = build_parser(fake)
    try:
        args, unknown = parser.parse_known_args(argv)
    except SystemExit:
        return 1
    if unknown:
        print(f"telepresence {cmd}: error: unknown flag: {unknown[0].split('=')[0]}",
              file=sys.stderr)
        return 1
    json_mode = args.output == "json"
    if args.help:
        if cmd == "intercept":
            header = ("      --http-header strings     HTTP header filters (key=value)\n"
                      if fake.config.get("http_header") else "")
            print(INTERCEPT_HELP.format(header=header))
        else:
            print(f"Usage:\n  telepresence {cmd} [flags]")
        return 0
    failure = (fake.config.get("fail") or {}).get(cmd)
    if failure:
        if not failure.get("err"):
            return _raw_fail(failure)
        rc = emit(cmd, json_mode, err=failure["err"], stderr=failure.get("stderr", ""))
        return int(failure.get("exit", rc))
    if cmd in ("intercept", "leave") and not args.name:
        return emit(cmd, json_mode, err=f"{cmd} expects exactly one argument")
    try:
        if cmd == "status":
            obj = status_object(fake)
            if json_mode:
                print(json.dumps(obj))
            else:
                print(json.dumps(obj, indent=2))
            return 0
        result = COMMANDS[cmd](fake, args)  # type: ignore[misc]
    except Failure as exc:
        return emit(cmd, json_mode, err=str(exc))
    return emit(cmd, json_mode, stdout=result)


def _raw_fail(failure: dict[str, Any]) -> int:
    """A failure that is not a formatted error: text on stderr and an exit code."""
    if failure.get("stderr"):
        print(failure["stderr"], file=sys.stderr)
    return int(failure.get("exit", 1))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
