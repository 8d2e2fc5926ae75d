"""Start-up benchmark: process start to the first frame of the TUI, over several runs.

Baseline measured in the same run: a minimal Textual app (Header, a 30-row DataTable,
Footer) started the same way. The child prints a line when Textual reports the app ready
(after the first screen was composed and rendered); the parent times spawn -> that line.
Target: <= 0.6 s on a 2-core machine. Not a test: machines here are noisy.

    .venv/bin/python bench/startup.py [--runs 7] [--kubeconfig PATH]
"""

from __future__ import annotations

import argparse
import os
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
    time_to_frame(APP, args.kubeconfig)  # warm the file cache and .pyc files
    time_to_frame(BASELINE)
    app = [time_to_frame(APP, args.kubeconfig) for _ in range(args.runs)]
    base = [time_to_frame(BASELINE) for _ in range(args.runs)]
    med_app, med_base = statistics.median(app), statistics.median(base)
    print(f"k8s-essentials-tui first frame: median {med_app:.3f}s  min {min(app):.3f}s  "
          f"max {max(app):.3f}s  ({args.runs} runs)")
    print(f"minimal Textual app baseline:   median {med_base:.3f}s  min {min(base):.3f}s")
    print(f"ratio app/baseline: {med_app / med_base:.2f}x   target <= 0.6s: "
          f"{'met' if med_app <= 0.6 else 'NOT met'}")


if __name__ == "__main__":
    main()
