"""What the benchmarks share: a throw-away control plane, measurements in child processes
(each figure gets its own peak RSS) and reading that RSS."""

from __future__ import annotations

import contextlib
import json
import resource
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def rss_mb() -> float:
    """Peak resident memory of this process, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_child(script: str, mode: str, *args: str) -> dict[str, Any]:
    """Run ``script --child MODE ARGS`` and return the JSON it prints last."""
    proc = subprocess.run([sys.executable, script, "--child", mode, *args],
                          capture_output=True, text=True, check=False, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"{mode} measurement failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


@contextlib.contextmanager
def bench_cluster(prefix: str) -> Iterator[str]:
    """A real kube-apiserver + etcd with the test CRDs, for the length of a run; yields
    its kubeconfig path."""
    sys.path.insert(0, str(ROOT))
    from testkit.controlplane import ControlPlane

    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        cp = ControlPlane(tmp, build=False)
        cp.start()
        try:
            cp.install_crds()
            yield str(cp.kubeconfig)
        finally:
            cp.stop()


async def raw_paged_count(http: Any, path: str, selector: str | None = None) -> int:
    """The baseline every benchmark compares against: a paginated GET (limit=500) of one
    collection with ``json.loads`` of each page; returns how many objects came back."""
    total = 0
    cont = None
    while True:
        params: dict[str, Any] = {"limit": 500}
        if selector:
            params["labelSelector"] = selector
        if cont:
            params["continue"] = cont
        body = json.loads((await http.get(path, params=params)).content)
        total += len(body["items"])
        cont = body["metadata"].get("continue")
        if not cont:
            return total
