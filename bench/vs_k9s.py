"""Benchmark (not a test): this app and k9s side by side on the same real apiserver (#25).

Both run in tmux at 120x40 against one throw-away control plane per scenario, in interleaved
rounds (k9s, ours, k9s, ours, ...) so machine load hits both alike. For each round the
screen is polled (``tmux capture-pane``) every 10 ms and two moments are recorded from the
process spawn:

* ``first frame``: the first non-blank screen (a splash counts: k9s's logo, our start-up
  line from tui/splash.py);
* ``app frame``: the first screen of the app itself (k9s: its header; ours: the board);
* ``data``: the app's own "done" marker -- k9s's table title with the expected count
  (``deployments(all)[2000]``), ours: the board's coverage line, or the certificates
  pane's ``N/N shown`` after ``:certs``.

Peak RSS (VmHWM of the pane's process) is read right after ``data``. Prints min / median /
max per app and measurement, the ratio ours/k9s of the medians, and RSS.

Scenarios (``--scenarios``, comma-separated):
  ``empty``             no objects: k9s on Pods, ours on the board
  ``workloads=N``       N Deployments + N/5 StatefulSets + N/10 DaemonSets (bench/board_bench.py's
                        seed; 2000 -> 2,600 workloads): k9s on Deployments, ours on the board
  ``certs=N``           N Certificates + N TLS Secrets (bench/certs_bench.py's seed): k9s on
                        Certificates, ours in the certificates pane

k9s v0.50.16 is built from the Go module proxy into the tooling cache with ``--build-k9s``
(about 4 min cold on 2 cores); without a k9s binary the script says so and exits 0.

    .venv/bin/python bench/vs_k9s.py [--build-k9s] [--k9s PATH] [--rounds 6]
        [--scenarios empty,workloads=2000,workloads=20000,certs=10000]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from _common import ROOT, bench_cluster

sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

K9S_MODULE = "github.com/derailed/k9s"
K9S_VERSION = "v0.50.16"
K9S_DIR = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / \
    "k8s-essentials-tui" / "tools" / f"k9s-{K9S_VERSION}"
WIDTH, HEIGHT = 120, 40
POLL = 0.01


# -- k9s: find or build -------------------------------------------------------------------

def find_k9s(explicit: str | None, build: bool) -> Path | None:
    if explicit:
        return Path(explicit) if Path(explicit).is_file() else None
    binary = K9S_DIR / "k9s"
    if binary.is_file():
        return binary
    if not build:
        return None
    if shutil.which("go") is None:
        print("vs_k9s: Go is not installed; cannot build k9s", file=sys.stderr)
        return None
    K9S_DIR.mkdir(parents=True, exist_ok=True)
    print(f"vs_k9s: building k9s {K9S_VERSION} into {K9S_DIR} (about 4 min)...", file=sys.stderr)
    env = {**os.environ, "GOBIN": str(K9S_DIR), "CGO_ENABLED": "0",
           "GOFLAGS": "-buildvcs=false", "GOTOOLCHAIN": os.environ.get("GOTOOLCHAIN", "local")}
    proc = subprocess.run(["go", "install", f"{K9S_MODULE}@{K9S_VERSION}"], env=env,
                          check=False)
    return binary if proc.returncode == 0 and binary.is_file() else None


def k9s_config_dir() -> str:
    """A private k9s config: no update check (no network here), no splash delay policy
    change -- k9s's defaults otherwise, as a user would run it."""
    path = Path(tempfile.mkdtemp(prefix="vs-k9s-config-"))
    (path / "config.yaml").write_text(
        "k9s:\n  skipLatestRevCheck: true\n  ui:\n    enableMouse: false\n")
    return str(path)


# -- the apps and their markers ------------------------------------------------------------

@dataclass
class AppRun:
    """How to start one app for a scenario and how to tell it is done."""

    name: str
    argv: list[str]
    env: dict[str, str]
    done: Callable[[str], bool]
    #: tmux key strings sent once after the first frame (ours: open a pane)
    keys_after_frame: list[str] = field(default_factory=list)
    #: the first frame that is the app itself, not its splash (k9s: its header with
    #: "Context:"; ours: anything but tui/splash.py's line)
    app_frame: Callable[[str], bool] = lambda screen: bool(screen.strip())


def _k9s_app(screen: str) -> bool:
    return "Context:" in screen


def _ours_app(screen: str) -> bool:
    return bool(screen.strip()) and "starting..." not in screen


def _title_count(kind: str, count: int) -> Callable[[str], bool]:
    # k9s v0.50 titles its table in lower case: " pods(all)[0] "
    pattern = re.compile(rf"{kind}\((?:all)\)\[{count}\]", re.IGNORECASE)
    return lambda screen: bool(pattern.search(screen))


def apps_for(scenario: str, count: int, kubeconfig: str, k9s: Path,
             state_dir: str) -> list[AppRun]:
    k9s_env = {"K9S_CONFIG_DIR": k9s_config_dir(), "KUBECONFIG": kubeconfig}
    ours_env = {"K8S_ESSENTIALS_TUI_STATE_DIR": state_dir, "KUBECONFIG": kubeconfig}
    ours_cmd = [str(ROOT / ".venv" / "bin" / "k8s-essentials-tui"), "--kubeconfig", kubeconfig]
    board_done = re.compile(r"\d+ of \d+ areas covered")
    if scenario == "empty":
        return [AppRun("k9s", [str(k9s), "-A", "-c", "pods"], k9s_env,
                       _title_count("Pods", 0), app_frame=_k9s_app),
                AppRun("ours", ours_cmd, ours_env, lambda s: bool(board_done.search(s)),
                       app_frame=_ours_app)]
    if scenario == "workloads":
        return [AppRun("k9s", [str(k9s), "-A", "-c", "deployments"], k9s_env,
                       _title_count("Deployments", count), app_frame=_k9s_app),
                AppRun("ours", ours_cmd, ours_env, lambda s: bool(board_done.search(s)),
                       app_frame=_ours_app)]
    if scenario == "certs":
        shown = re.compile(rf"\b{count}/{count} shown")
        return [AppRun("k9s", [str(k9s), "-A", "-c", "certificates"], k9s_env,
                       _title_count("Certificates", count), app_frame=_k9s_app),
                AppRun("ours", [*ours_cmd, "-n", "bench"], ours_env,
                       lambda s: bool(shown.search(s)),
                       keys_after_frame=[":", "certs", "Enter"], app_frame=_ours_app)]
    raise SystemExit(f"unknown scenario {scenario!r}")


# -- one timed run in tmux -----------------------------------------------------------------

def _tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=False).stdout


def _peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        return None
    return None


def run_once(app: AppRun, timeout: float) -> dict[str, float | None]:
    session = f"vsk9s-{os.getpid()}-{app.name}"
    _tmux("kill-session", "-t", session)
    env_args = [f"{k}={v}" for k, v in app.env.items()]
    t0 = time.perf_counter()
    _tmux("new-session", "-d", "-s", session, "-x", str(WIDTH), "-y", str(HEIGHT),
          "env", "TERM=xterm-256color", *env_args, *app.argv)
    pid = int(_tmux("display-message", "-p", "-t", session, "#{pane_pid}").strip() or "0")
    first = app_first = data = None
    sent = False
    try:
        while time.perf_counter() - t0 < timeout:
            screen = _tmux("capture-pane", "-p", "-t", session)
            now = time.perf_counter() - t0
            if first is None and screen.strip():
                first = now
            if app_first is None and app.app_frame(screen):
                app_first = now
            if app_first is not None and app.keys_after_frame and not sent:
                for key in app.keys_after_frame:
                    _tmux("send-keys", "-t", session, *([key] if key == "Enter" else
                                                         ["-l", key]))
                sent = True
            if app.done(screen):
                data = now
                break
            time.sleep(POLL)
        rss = _peak_rss_mb(pid) if pid else None
    finally:
        _tmux("kill-session", "-t", session)
    return {"first_frame": first, "app_frame": app_first, "data": data, "rss_mb": rss}


# -- seeding -------------------------------------------------------------------------------

def seed(kubeconfig: str, scenario: str, count: int) -> None:
    if scenario == "workloads":
        import board_bench

        asyncio.run(board_bench.create_objects(kubeconfig, count, 0))
    elif scenario == "certs":
        import certs_bench

        asyncio.run(certs_bench.create_objects(kubeconfig, count))


def parse_scenario(text: str) -> tuple[str, int]:
    name, _, num = text.partition("=")
    return name, int(num or 0)


def summary(label: str, values: list[float]) -> str:
    if not values:
        return f"{label:12} (no data: the marker never showed)"
    return (f"{label:12} min {min(values):6.2f}  median {statistics.median(values):6.2f}  "
            f"max {max(values):6.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-k9s", action="store_true")
    parser.add_argument("--k9s", metavar="PATH")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--scenarios", default="empty,workloads=2000")
    parser.add_argument("--kubeconfig",
                        help="a cluster already seeded for the (one) scenario, e.g. by "
                             "certs_bench.py --serve: no new control plane, no seeding")
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        print("vs_k9s: tmux is not installed (apt-get install tmux); skipped")
        return 0
    k9s = find_k9s(args.k9s, args.build_k9s)
    if k9s is None:
        print(f"vs_k9s: no k9s binary ({K9S_DIR / 'k9s'}); run with --build-k9s or --k9s PATH."
              " Skipped.")
        return 0
    for text in args.scenarios.split(","):
        scenario, count = parse_scenario(text.strip())
        with contextlib.ExitStack() as stack:
            state = stack.enter_context(tempfile.TemporaryDirectory(prefix="vs-k9s-state-"))
            if args.kubeconfig:
                kubeconfig = args.kubeconfig
                print(f"\n== {text}: on the cluster of {kubeconfig}", flush=True)
            else:
                kubeconfig = stack.enter_context(bench_cluster("vs-k9s-"))
                print(f"\n== {text}: seeding...", flush=True)
                seed(kubeconfig, scenario, count)
            apps = apps_for(scenario, count, kubeconfig, k9s, state)
            results: dict[str, list[dict[str, float | None]]] = {a.name: [] for a in apps}
            for _ in range(args.rounds):
                for app in apps:  # interleaved
                    results[app.name].append(run_once(app, args.timeout))
            medians: dict[str, dict[str, float]] = {}
            for name, runs in results.items():
                print(f"-- {name}")
                for key in ("first_frame", "app_frame", "data"):
                    values = [float(v) for r in runs if (v := r[key]) is not None]
                    print("   " + summary(key, values))
                    if values:
                        medians.setdefault(name, {})[key] = statistics.median(values)
                rss = [float(v) for r in runs if (v := r["rss_mb"]) is not None]
                if rss:
                    print(f"   peak RSS    median {statistics.median(rss):7.0f} MB")
            for key in ("first_frame", "app_frame", "data"):
                k, o = medians.get("k9s", {}).get(key), medians.get("ours", {}).get(key)
                if k and o:
                    print(f"   ratio ours/k9s {key}: {o / k:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
