"""A real Helm chart repository on loopback: ``index.yaml`` + ``.tgz`` over HTTP.

Why real: the app runs the real ``helm`` binary, which fetches ``index.yaml`` and the chart
archive exactly as it would from a public repository; packaging with ``helm package`` and
indexing with ``helm repo index`` means the tests exercise helm's own formats, not a fake.

    with ChartRepo(helm_binary, versions=("0.1.0", "0.2.0")) as repo:
        repo.url   # http://127.0.0.1:PORT

The demo's chart mirror (:class:`DemoMirror`, ``python -m testkit.chart_repo --demo``) serves
one DEMO chart per catalog component, under the catalog's chart name and version, so ``i``
installs something with no network. Each is the tiny ``essentials-demo`` chart renamed,
with a description and NOTES that say it is a stand-in (never the real component).
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable, Sequence
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


DEMO_NOTICE = ("DEMO chart from k8s-essentials-tui's test tooling standing in for {chart} "
               "{version}: a ConfigMap, a Service and a pause Deployment, NOT the real "
               "component.")


def catalog_charts() -> dict[str, tuple[str, str]]:
    """Component id -> (chart name, version) for every catalog entry with a Helm chart."""
    from k8s_essentials_tui.registry import load_registry

    out: dict[str, tuple[str, str]] = {}
    for plugin in load_registry().ordered():
        if plugin.chart is not None and plugin.chart.chart:
            out[plugin.id] = (plugin.chart.chart, plugin.chart.version)
    return out


def demo_chart(base: Path, out: Path, chart: str, version: str) -> Path:
    """A copy of the demo chart named ``chart``, saying it is a stand-in."""
    dest = out / chart
    shutil.copytree(base, dest)
    # the catalog's recommended values (controller.replicaCount...) must not be rejected
    (dest / "values.schema.json").unlink(missing_ok=True)
    notice = DEMO_NOTICE.format(chart=chart, version=version)
    lines = (dest / "Chart.yaml").read_text().splitlines()
    fixed = [f"name: {chart}" if ln.startswith("name:") else
             f"description: {notice!r}" if ln.startswith("description:") else ln
             for ln in lines]
    (dest / "Chart.yaml").write_text("\n".join(fixed) + "\n")
    (dest / "templates" / "NOTES.txt").write_text(notice + "\n")
    return dest


class DemoMirror(ChartRepo):
    """A chart repository serving a DEMO chart for each catalog component (see module)."""

    def __init__(self, helm: str | Path, charts: dict[str, tuple[str, str]] | None = None,
                 port: int = 0) -> None:
        super().__init__(helm, DEMO_CHART, versions=())
        self.charts = dict(catalog_charts() if charts is None else charts)
        self.port = port

    def start(self) -> DemoMirror:
        self._tmp = tempfile.TemporaryDirectory(prefix="chart-mirror-")
        work = Path(self._tmp.name)
        self.root = work / "repo"
        for chart, version in sorted(set(self.charts.values())):
            src = demo_chart(self.chart_dir, work / "src", chart, version)
            package_chart(self.helm, src, self.root, version, app_version=version)
        handler = functools.partial(_QuietHandler, directory=str(self.root))
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        subprocess.run([self.helm, "repo", "index", str(self.root), "--url", self.url],
                       check=True, capture_output=True, env=helm_env(work))
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name="chart-mirror", daemon=True)
        self._thread.start()
        return self

    def config_toml(self, ids: Iterable[str] | None = None) -> str:
        """``[charts.<id>] repo = mirror`` for the demo's config file."""
        return "".join(f'[charts.{cid}]\nrepo = "{self.url}"\n\n'
                       for cid in sorted(ids if ids is not None else self.charts))


def _main(argv: list[str] | None = None) -> int:
    """``python -m testkit.chart_repo --demo --config-out FILE``: serve the demo mirror
    until killed; the ``[charts.*]`` lines go to FILE (appended) once it serves."""
    parser = argparse.ArgumentParser(prog="chart_repo", description=_main.__doc__)
    parser.add_argument("--demo", action="store_true", required=True)
    parser.add_argument("--config-out", type=Path, required=True)
    parser.add_argument("--ready-file", type=Path, help="touched once serving")
    args = parser.parse_args(argv)
    helm = find_helm_binary()
    if helm is None:
        print("chart_repo: no helm binary (scripts/build-control-plane builds one)",
              file=sys.stderr)
        return 2
    mirror = DemoMirror(helm).start()
    with args.config_out.open("a") as out:
        out.write("# written by testkit.chart_repo: the demo's chart mirror (DEMO charts)\n")
        out.write(mirror.config_toml())
    if args.ready_file:
        args.ready_file.touch()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):  # a timed wait: SIGTERM's handler runs between waits
            pass
    except KeyboardInterrupt:
        pass
    mirror.stop()
    return 0


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


if __name__ == "__main__":
    raise SystemExit(_main())
