"""``k8s_essentials_tui.api``, the public plugin surface: every exported name resolves, and
the import contract that keeps plugins on it names every core module (a new core module
left out of the list would be importable by plugins unnoticed)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import k8s_essentials_tui.api as api

ROOT = Path(__file__).resolve().parents[1]


def test_every_exported_name_resolves() -> None:
    missing = [name for name in api.__all__ if getattr(api, name, None) is None]
    assert missing == []
    assert len(set(api.__all__)) == len(api.__all__)
    assert set(dir(api)) == set(api.__all__)


def test_plugin_contract_forbids_every_core_module_but_api() -> None:
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"][
        "contracts"]
    plugins = ["k8s_essentials_tui.plugins"]
    (contract,) = [c for c in contracts if c.get("source_modules") == plugins]
    forbidden = {m.removeprefix("k8s_essentials_tui.") for m in contract["forbidden_modules"]}
    core = {p.stem if p.suffix == ".py" else p.name for p in (ROOT / "tui").iterdir()
            if (p.suffix == ".py" or (p / "__init__.py").exists()) and p.name != "__init__.py"}
    assert core - {"api"} <= forbidden, "add the new core module to the contract"
    assert "api" not in forbidden


def test_declarative_detection_default() -> None:
    """No ``detect``: the standard rule when selectors, charts or API groups are declared,
    else "no detection rule"; a plugin's own ``detect`` wins."""
    bare = api.Plugin(id="bare", title="Bare", category="dns")
    assert bare.detect(api.ClusterSnapshot()).problems == ["no detection rule"]
    by_crd = api.Plugin(id="crd", title="CRD", category="dns", api_groups=("x.example.com",))
    det = by_crd.detect(api.ClusterSnapshot(api_groups={"x.example.com"}))
    assert det.installed == "partial"
    own = api.Plugin(id="own", title="Own", category="dns", api_groups=("x.example.com",),
                     detect=lambda _s: api.Detection(installed=True))
    assert own.detect(api.ClusterSnapshot()).installed is True


def test_the_tui_paints_before_the_kube_layer_is_imported() -> None:
    """The app, the registry and every built-in plugin import without httpx or msgspec: the
    kube client layer loads at connect time, after the first frame (#25: ~200 ms of imports
    moved off the first frame). A plugin that imports ``KubeClient`` from the api at module
    level would undo it."""
    import subprocess
    import sys

    code = ("import sys, k8s_essentials_tui.app, k8s_essentials_tui.registry as r; "
            "r.load_registry(); "
            "print(sorted(m for m in ('httpx', 'msgspec', 'httpcore') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


def test_every_worker_names_itself() -> None:
    """Without ``description=``, Textual's ``@work`` builds the worker's description from
    the ``repr`` of every argument on the event loop: 94 ms for the exposure pane's model
    inputs of 2,000 Ingresses (measured), and a Secret's data in a debug string when an
    argument carries one. Every ``@work`` in the core and the plugins names itself."""
    import re

    unnamed = []
    for path in [*(ROOT / "tui").rglob("*.py"), *(ROOT / "plugins").rglob("*.py")]:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            match = re.search(r"@work\((.*)\)", line)
            if match and "description=" not in match.group(1):
                unnamed.append(f"{path.relative_to(ROOT)}:{number}")
    assert unnamed == []
