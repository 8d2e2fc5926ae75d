"""``scripts/devcluster up DIR [--seed demo] [--audit-log PATH]`` / ``down DIR`` / ``status DIR``.

Why a separate command from the pytest fixture (same ``ControlPlane`` code underneath): the
demo, benchmarks and a developer poking at the app with kubectl need a cluster that outlives
the command that started it. ``up`` therefore starts etcd and kube-apiserver *detached* (own
sessions, no parent-death signal), records their pids in ``DIR/pids`` and exits; ``down``
kills exactly those pids (checked against their start time, so a reused pid is never hit) and
deletes nothing else -- the data, certs, logs and kubeconfigs stay in DIR.

Progress goes to stderr; the last stdout line of ``up`` is the kubeconfig path, so scripts can
do ``kubeconfig=$(scripts/devcluster up DIR | tail -n1)``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import signal
import sys
import time
from pathlib import Path
from types import FrameType

from testkit.controlplane import (
    ControlPlane,
    ControlPlaneError,
    is_running,
    read_pids,
    stop_recorded,
)


def _log(msg: str) -> None:
    print(f"devcluster: {msg}", file=sys.stderr, flush=True)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def up(directory: Path, seed: str | None, audit_log: Path | None, now: dt.datetime | None,
       crds: bool = True) -> int:
    # SIGTERM/SIGHUP while starting must still clean up what was started (no orphans).
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupt)
    alive = [r for r in read_pids(directory) if is_running(r)]
    if alive:
        _log(f"{directory} already runs {', '.join(f'{r.name}[{r.pid}]' for r in alive)}; "
             f"stop it first: scripts/devcluster down {directory}")
        return 1
    cp = ControlPlane(directory, audit_log=audit_log, detached=True, build=True)
    try:
        cp.start()
        _log(f"kube-apiserver ready at {cp.url} in {cp.time_to_ready:.1f}s "
             f"(etcd 127.0.0.1:{cp.etcd_port}; logs in {cp.log_dir})")
        if crds:
            t0 = time.monotonic()
            names = cp.install_crds()
            _log(f"{len(names)} CRDs established in {time.monotonic() - t0:.1f}s")
        if seed == "demo":
            from testkit.seed import seed_demo

            result = seed_demo(cp.admin(), now)
            _log(f"seeded demo: {sum(result.counts.values())} objects in {result.seconds:.1f}s")
        cp.admin().close()
    except BaseException as e:
        _log(f"failed, stopping what was started: {e!r}")
        cp.stop(timeout=5.0)
        return 130 if isinstance(e, KeyboardInterrupt) else 1
    _log(f"running; stop with: scripts/devcluster down {directory}")
    print(cp.kubeconfig, flush=True)
    return 0


def down(directory: Path) -> int:
    if not (directory / "pids").exists():
        _log(f"nothing recorded in {directory / 'pids'}; nothing to stop")
        return 0
    stopped = stop_recorded(directory)
    _log(f"stopped {', '.join(stopped) if stopped else 'nothing (already gone)'}")
    return 0


def status(directory: Path) -> int:
    records = read_pids(directory)
    for rec in records:
        print(f"{rec.name}\t{rec.pid}\t{'running' if is_running(rec) else 'gone'}")
    state = directory / "state.json"
    if state.exists():
        print(json.dumps(json.loads(state.read_text()), indent=2))
    return 0 if records and all(is_running(r) for r in records) else 1


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="devcluster", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    pu = sub.add_parser("up", help="start etcd + kube-apiserver in DIR (detached)")
    pu.add_argument("dir", type=Path)
    pu.add_argument("--seed", choices=["demo"], help="create a believable demo cluster")
    pu.add_argument("--audit-log", type=Path, help="write the apiserver audit log (Metadata)")
    pu.add_argument("--now", help="fixed clock for --seed, e.g. 2025-06-01T12:00:00Z")
    pu.add_argument("--no-crds", action="store_true", help="skip installing the CRDs")
    for name, text in (("down", "stop what `up DIR` started"), ("status", "show DIR's state")):
        sub.add_parser(name, help=text).add_argument("dir", type=Path)
    a = p.parse_args(argv)
    directory = a.dir.resolve()
    try:
        if a.cmd == "up":
            if a.no_crds and a.seed:
                p.error("--seed needs the CRDs")
            now = dt.datetime.fromisoformat(a.now.replace("Z", "+00:00")) if a.now else None
            return up(directory, a.seed, a.audit_log, now, crds=not a.no_crds)
        if a.cmd == "down":
            return down(directory)
        return status(directory)
    except ControlPlaneError as e:
        _log(str(e))
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
