"""The console script: help, version, plugins, one-line errors with exit 2, packaging."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

from k8s_essentials_tui import __version__

ROOT = Path(__file__).resolve().parent.parent


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "k8s_essentials_tui.cli", *args],
                          capture_output=True, text=True, env=env, timeout=120)


def test_help_and_version() -> None:
    out = cli("--help")
    assert out.returncode == 0
    for opt in ("--kubeconfig", "--context", "--namespace", "--read-only", "--theme",
                "--version", "plugins", "report"):
        assert opt in out.stdout
    out = cli("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"k8s-essentials-tui {__version__}"


def test_plugins_json_lists_builtins() -> None:
    out = cli("plugins", "--output", "json")
    data = json.loads(out.stdout)
    ids = {p["id"] for p in data["plugins"]}
    assert "ingress-nginx" in ids
    assert all(p["source"] == "built-in" for p in data["plugins"])
    text = cli("plugins")
    assert text.stdout.splitlines()[0].split() == ["ID", "CATEGORY", "TITLE", "SOURCE"]


def test_global_options_after_the_subcommand(tmp_path: Path) -> None:
    out = cli("report", "--kubeconfig", str(tmp_path / "missing"), "-o", "json")
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        f"k8s-essentials-tui: error: kubeconfig {tmp_path / 'missing'} does not exist"]
    assert "Traceback" not in out.stderr


def test_usage_error_exits_2() -> None:
    out = cli("report", "--output", "yaml")
    assert out.returncode == 2 and "invalid choice" in out.stderr


def test_every_package_dir_is_listed_in_pyproject() -> None:
    """A subpackage missing from pyproject's explicit list would vanish from a wheel."""
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(cfg["packages"])
    mapping = {v: k for k, v in cfg["package-dir"].items()}
    found = set()
    for top, name in mapping.items():
        for init in (ROOT / top).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / top)
            if "__pycache__" in rel.parts:
                continue
            found.add(".".join([name, *rel.parts]) if rel.parts else name)
    assert found - listed == set()
