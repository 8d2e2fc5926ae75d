"""The demo's chart mirror (``testkit.chart_repo.DemoMirror``): the real helm binary can pull
a chart for every catalog component under the catalog's chart name and version, each says it
is a DEMO chart, and the ``[charts.<id>]`` lines scripts/demo writes point the install
screen's chart at the mirror (so ``i`` works with no network)."""

from __future__ import annotations

import subprocess
import tarfile
from pathlib import Path

import pytest

from k8s_essentials_tui.helm.chart import ChartSpec
from k8s_essentials_tui.registry import load_registry
from k8s_essentials_tui.settings import parse_settings
from testkit.chart_repo import DemoMirror, catalog_charts, helm_env


@pytest.fixture(scope="module")
def mirror(helm_bin: str):  # type: ignore[no-untyped-def]
    with DemoMirror(helm_bin) as m:
        yield m


def test_catalog_has_charts_to_mirror() -> None:
    charts = catalog_charts()
    assert {"cert-manager", "velero", "loki", "telepresence"} <= set(charts)
    assert all(name and version for name, version in charts.values())


def test_helm_pulls_every_catalog_chart_from_the_mirror(mirror: DemoMirror, helm_bin: str,
                                                       tmp_path: Path) -> None:
    for cid, (chart, version) in sorted(catalog_charts().items()):
        dest = tmp_path / cid
        dest.mkdir()
        run = subprocess.run([helm_bin, "pull", chart, "--repo", mirror.url, "--version",
                              version, "--destination", str(dest)], capture_output=True,
                             text=True, env=helm_env(tmp_path / "helm"))
        assert run.returncode == 0, f"{cid}: {run.stderr}"
        archive = dest / f"{chart}-{version}.tgz"
        with tarfile.open(archive) as tar:
            meta = tar.extractfile(f"{chart}/Chart.yaml")
            assert meta is not None
            text = meta.read().decode()
        assert f"name: {chart}" in text and f"version: {version}" in text
        assert "DEMO chart" in text, f"{cid}: not marked as a demo chart"


def test_demo_config_points_the_install_at_the_mirror(mirror: DemoMirror) -> None:
    import tomllib

    settings = parse_settings(tomllib.loads(mirror.config_toml()))
    registry = load_registry()
    for cid, (chart, version) in catalog_charts().items():
        spec = ChartSpec.for_plugin(registry.get(cid), settings.charts)
        assert (spec.repo, spec.chart, spec.version) == (mirror.url, chart, version)
        assert spec.source != "oci"  # OCI entries (telepresence-oss) come from the mirror too
