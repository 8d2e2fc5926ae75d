"""Start-up benchmark: process start to the first frame of the TUI, over several runs.

Baseline measured in the same run: a minimal Textual app (Header, a 30-row DataTable,
Footer) started the same way. The child prints a line when Textual reports the app ready
(after the first screen was composed and rendered); the parent times spawn -> that line.
Target: <= 0.6 s on a 2-core machine. Not a test: machines here are noisy.

When k9s is built (``bench/vs_k9s.py --build-k9s``) and tmux is installed, a last row
starts both apps in tmux at 120x40 (interleaved, as vs_k9s.py does) against the same
kubeconfig and compares their first frames (a splash counts, k9s's logo as our start-up
line) and their first own frames (k9s's header, our board).

    .venv/bin/python bench/startup.py [--runs 7] [--kubeconfig PATH]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

APP = """
import sys
from k8s_essentials_tui.app import EssentialsApp, StartOptions
kc = sys.argv[1] or None
app = EssentialsApp(StartOptions(kubeconfig=kc))
async def pilot(p):
    print("FRAME", flush=True)
    app.exit()
app.run(headless=True, size=(120, 40), auto_pilot=pilot)
"""

BASELINE = """
from textual.app import App
from textual.widgets import DataTable, Footer, Header
class Minimal(App):
    def compose(self):
        yield Header()
        t = DataTable()
        yield t
        yield Footer()
    def on_mount(self):
        t = self.query_one(DataTable)
        t.add_columns("a", "b", "c")
        for i in range(30):
            t.add_row(str(i), "x", "y")
async def pilot(p):
    print("FRAME", flush=True)
    p.app.exit()
Minimal().run(headless=True, size=(120, 40), auto_pilot=pilot)
"""


def time_to_frame(code: str, *args: str) -> float:
    env = dict(os.environ, TEXTUAL_ANIMATIONS="none")
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("FRAME"):
            elapsed = time.perf_counter() - t0
            break
    else:
        raise SystemExit("the app exited without drawing a frame")
    proc.wait(timeout=30)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--kubeconfig", default="/nonexistent/kubeconfig",
                        help="cluster to start against (first frame never waits for it)")
    args = parser.parse_args()
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from _common import precompile

    precompile()  # .pyc files, as an installed app has them
    time_to_frame(APP, args.kubeconfig)  # warm the file cache
    time_to_frame(BASELINE)
    app = [time_to_frame(APP, args.kubeconfig) for _ in range(args.runs)]
    base = [time_to_frame(BASELINE) for _ in range(args.runs)]
    med_app, med_base = statistics.median(app), statistics.median(base)
    print(f"k8s-essentials-tui first frame: median {med_app:.3f}s  min {min(app):.3f}s  "
          f"max {max(app):.3f}s  ({args.runs} runs)")
    print(f"minimal Textual app baseline:   median {med_base:.3f}s  min {min(base):.3f}s")
    print(f"ratio app/baseline: {med_app / med_base:.2f}x   target <= 0.6s: "
          f"{'met' if med_app <= 0.6 else 'NOT met'}")
    against_k9s(args.kubeconfig, args.runs)


def against_k9s(kubeconfig: str, runs: int) -> None:
    """The k9s row (see the module docstring); says why when it cannot run."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import tempfile

    import vs_k9s

    k9s = vs_k9s.find_k9s(None, build=False)
    if k9s is None or shutil.which("tmux") is None:
        print("k9s row skipped: no k9s binary (bench/vs_k9s.py --build-k9s) or no tmux")
        return
    with tempfile.TemporaryDirectory(prefix="startup-state-") as state:
        apps = vs_k9s.apps_for("empty", 0, kubeconfig, k9s, state)
        results: dict[str, dict[str, list[float]]] = {a.name: {} for a in apps}
        for _ in range(runs):
            for app in apps:  # interleaved
                run = vs_k9s.run_once(app, 30.0)
                for key in ("first_frame", "app_frame"):
                    if run[key] is not None:
                        results[app.name].setdefault(key, []).append(float(run[key] or 0))
    for key in ("first_frame", "app_frame"):
        k, o = results["k9s"].get(key), results["ours"].get(key)
        if k and o:
            km, om = statistics.median(k), statistics.median(o)
            print(f"in tmux vs k9s, {key}: k9s median {km:.3f}s, ours {om:.3f}s -> "
                  f"{om / km:.2f}x (goal <= 1x for the first frame)")
        else:
            print(f"in tmux vs k9s, {key}: no frame from {'k9s' if not k else 'ours'} "
                  "(k9s exits without a reachable cluster: pass --kubeconfig)")


if __name__ == "__main__":
    main()
