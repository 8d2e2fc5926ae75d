"""Shared test set-up: the real control plane fixtures, snapshot location, determinism."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import pytest_textual_snapshot
from hypothesis import settings as hypothesis_settings

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
os.environ.setdefault("TEXTUAL", "")

ROOT = Path(__file__).resolve().parent.parent

# The hostile-input suite (hypothesis): random examples on a developer's machine, where a new
# find is worth a look; the same examples every run in CI, so a merge never fails on an
# example nobody has seen before (a find there is fixed and added as an explicit example).
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
hypothesis_settings.register_profile("dev", print_blob=True)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")

# the real control plane fixtures (control_plane, kubeconfig, namespace, kube_admin, ...)
pytest_plugins = ["testkit.pytest_plugin"] if (ROOT / "testkit" / "pytest_plugin.py").exists() \
    else []
SNAPSHOT_ROOT = ROOT / "snapshots"

#: the fixed clock every snapshot uses ("expires in 12d" is computed from this)
FIXED_NOW = datetime(2026, 6, 1, 12, 0, 0, tzinfo=UTC)


class _SnapshotsDirExtension(pytest_textual_snapshot.SVGImageExtension):
    """Store SVG snapshots in the top-level ``snapshots/<test module>/`` folder (the design
    card's location) instead of syrupy's ``tests/__snapshots__``."""

    @classmethod
    def dirname(cls, *, test_location):  # type: ignore[override]
        return str(SNAPSHOT_ROOT / Path(test_location.filepath).stem)


# snap_compare looks the extension class up in its module at call time
pytest_textual_snapshot.SVGImageExtension = _SnapshotsDirExtension  # type: ignore[misc]


def record_cell_updates(table: Any) -> list[tuple[Any, Any, bool]]:
    """Wrap ``table.update_cell`` (a DataTable) and return the list it appends
    (row key, column key, update_width) to: tests of "only what changed is updated"."""
    calls: list[tuple[Any, Any, bool]] = []
    real = table.update_cell

    def recording(row_key, column_key, value, *, update_width=False):  # type: ignore[no-untyped-def]
        calls.append((row_key, column_key, update_width))
        real(row_key, column_key, value, update_width=update_width)

    table.update_cell = recording
    return calls


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets its own state dir (audit log, history) and an empty config."""
    state = tmp_path / "state"
    monkeypatch.setenv("K8S_ESSENTIALS_TUI_STATE_DIR", str(state))
    monkeypatch.setenv("K8S_ESSENTIALS_TUI_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    return state


@pytest.fixture
def fixed_now() -> datetime:
    return FIXED_NOW


@pytest.fixture(scope="session")
def demo_cluster(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A second real control plane seeded with the demo data at ``FIXED_NOW``, for
    snapshots of screens that show a believable cluster. Read-only by convention: tests
    that change objects use ``control_plane`` and a ``namespace``."""
    from testkit.controlplane import ControlPlane
    from testkit.seed import seed_demo

    cp = ControlPlane(tmp_path_factory.mktemp("demo") / "cp").start()
    try:
        cp.install_crds()
        seed_demo(cp.admin(), FIXED_NOW)
        yield cp
    finally:
        cp.stop()


@pytest.fixture(scope="session")
def demo_kubeconfig(demo_cluster) -> str:  # type: ignore[no-untyped-def]
    return str(demo_cluster.kubeconfig)


@pytest.fixture(scope="session")
def helm_bin() -> str:
    """The real helm built by scripts/build-control-plane; missing is a failure, not a skip."""
    from testkit.chart_repo import find_helm_binary

    binary = find_helm_binary()
    if binary is None:
        pytest.fail("helm is not built: run scripts/build-control-plane")
    return binary


@pytest.fixture(scope="session")
def chart_repo(helm_bin: str):  # type: ignore[no-untyped-def]
    """A real Helm chart repository (index.yaml + .tgz) on loopback with the test chart."""
    from testkit.chart_repo import ChartRepo

    with ChartRepo(helm_bin, versions=("0.1.0", "0.2.0")) as repo:
        yield repo


@pytest.fixture
def helm_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """helm's cache/config/data in the test's tmp dir (never the user's)."""
    home = tmp_path / "helm-home"
    for sub in ("cache", "config", "data"):
        monkeypatch.setenv(f"HELM_{sub.upper()}_HOME", str(home / sub))
    return home


def rich_plain(renderable: Any, width: int = 120) -> str:
    """A Rich renderable as the plain text a terminal of ``width`` columns shows."""
    from rich.console import Console

    console = Console(width=width, record=True, color_system=None, file=open(os.devnull, "w"))
    console.print(renderable)
    return console.export_text()
