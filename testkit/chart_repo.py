"""A real Helm chart repository on loopback: ``index.yaml`` + ``.tgz`` over HTTP.

Why real: the app runs the real ``helm`` binary, which fetches ``index.yaml`` and the chart
archive exactly as it would from a public repository; packaging with ``helm package`` and
indexing with ``helm repo index`` means the tests exercise helm's own formats, not a fake.

    with ChartRepo(helm_binary, versions=("0.1.0", "0.2.0")) as repo:
        repo.url   # http://127.0.0.1:PORT
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Sequence
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CHARTS_DIR = Path(__file__).resolve().parent / "charts"
DEMO_CHART = CHARTS_DIR / "essentials-demo"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def helm_env(home: Path) -> dict[str, str]:
    """Environment isolating helm's cache/config/data under ``home`` (no user state used)."""
    return {
        **os.environ,
        "HELM_CACHE_HOME": str(home / "cache"),
        "HELM_CONFIG_HOME": str(home / "config"),
        "HELM_DATA_HOME": str(home / "data"),
    }


def package_chart(helm: str | Path, chart_dir: Path, out_dir: Path, version: str,
                  app_version: str | None = None) -> Path:
    """``helm package`` one version of a chart into ``out_dir``; returns the .tgz path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    argv = [str(helm), "package", str(chart_dir), "--version", version,
            "--destination", str(out_dir)]
    if app_version:
        argv += ["--app-version", app_version]
    subprocess.run(argv, check=True, capture_output=True, env=helm_env(out_dir.parent))
    return out_dir / f"{chart_dir.name}-{version}.tgz"


class ChartRepo:
    """Packages ``chart_dir`` in each version, indexes it, serves it on 127.0.0.1."""

    def __init__(self, helm: str | Path, chart_dir: Path = DEMO_CHART,
                 versions: Sequence[str] = ("0.1.0", "0.2.0")) -> None:
        self.helm = str(helm)
        self.chart_dir = chart_dir
        self.versions = tuple(versions)
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.root = Path()
        self.url = ""

    @property
    def chart(self) -> str:
        return self.chart_dir.name

    def start(self) -> ChartRepo:
        self._tmp = tempfile.TemporaryDirectory(prefix="chart-repo-")
        self.root = Path(self._tmp.name) / "repo"
        for i, version in enumerate(self.versions):
            package_chart(self.helm, self.chart_dir, self.root, version,
                          app_version=f"1.{i}.0")
        handler = functools.partial(_QuietHandler, directory=str(self.root))
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        subprocess.run([self.helm, "repo", "index", str(self.root), "--url", self.url],
                       check=True, capture_output=True, env=helm_env(self.root.parent))
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name="chart-repo", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> ChartRepo:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def find_helm_binary() -> str | None:
    """helm on PATH or built by scripts/build-control-plane (None if neither)."""
    found = shutil.which("helm")
    if found:
        return found
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    for cand in sorted((base / "k8s-essentials-tui" / "control-plane").glob("*/helm"),
                       reverse=True):
        if os.access(cand, os.X_OK):
            return str(cand)
    return None
