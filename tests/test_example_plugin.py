"""The example plugin of docs/plugins.md (tests/example_plugin/), loaded the way a third-party
plugin is: a distribution on ``sys.path`` whose ``entry_points.txt`` registers it under
``k8s_essentials_tui.plugins``. Checks what the document promises: declarative detection on
the board, the pane's live table opened by keys, the mutation confirmed and audited, and
that ``k8s_essentials_tui.api`` alone imports no Textual."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandPalette

from k8s_essentials_tui import audit
from k8s_essentials_tui.api import ClusterSnapshot
from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.registry import load_registry
from testkit.hostile import painted_text
from testkit.kube import KubeAdmin
from testkit.wait import wait_until

EXAMPLE = Path(__file__).parent / "example_plugin"
NOTE_LABEL = "notes.example.com/note"


@pytest.fixture
def example_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(EXAMPLE))  # also invalidates the import caches


def screen_text(app: Any) -> str:
    return "\n".join(painted_text(app))


def notes_server(ns: str) -> dict[str, Any]:
    labels = {"app.kubernetes.io/name": "notes-server"}
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "notes-server", "namespace": ns, "labels": labels},
            "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "main",
                                                           "image": "example/notes:v0.3.1"}]}}}}


def note(name: str, ns: str, text: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": ns, "labels": {NOTE_LABEL: "true"}},
            "data": {"text": text}}


def test_api_imports_no_textual() -> None:
    """A detection-only plugin's one import stays light (the pane names are lazy)."""
    code = ("import sys, k8s_essentials_tui.api as api; "
            "assert 'textual' not in sys.modules, 'textual imported'; "
            "api.PluginPane; assert 'textual' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_example_registers_through_its_entry_point(example_on_path: None) -> None:
    reg = load_registry()
    plugin = reg.get("notes")
    assert plugin is not None and not reg.errors
    assert plugin.source == "essentials-notes"
    # declarative detection: no detect() in the plugin, the standard rule with its selectors
    wl = notes_server("team")
    wl["status"] = {"readyReplicas": 1}
    det = plugin.detect(ClusterSnapshot(workloads=[wl]))
    assert (det.installed, det.namespace, det.version, det.healthy) == (
        True, "team", "v0.3.1", True)
    assert plugin.detect(ClusterSnapshot()).installed is False


async def test_example_pane_lists_live_and_deletes_with_confirm_and_audit(
        example_on_path: None, kubeconfig: str, namespace: str, kube_admin: KubeAdmin,
) -> None:
    kube_admin.create(notes_server(namespace))
    kube_admin.create(note("shopping", namespace, "milk [/]x"))
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=namespace))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: "notes" in app.detections)
        assert app.detections["notes"].installed is True  # a Deployment, no status: unready
        assert app.registry.get("notes").source == "essentials-notes"

        await pilot.press("colon")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"note")
        await wait_until(pilot, lambda: "Notes" in screen_text(app))
        await pilot.press("enter")
        await wait_until(pilot, lambda: "milk [/]x" in screen_text(app))  # text, not markup

        # live: a note created now shows without a key
        kube_admin.create(note("todo", namespace, "write docs"))
        await wait_until(pilot, lambda: "write docs" in screen_text(app))

        await pilot.press("g", "d")  # the first row ("shopping"), then delete
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen")
        assert "Delete note shopping" in screen_text(app)
        await pilot.press("y")
        await wait_until(pilot, lambda: "milk" not in screen_text(app))
        assert "write docs" in screen_text(app)
    entries = [e for e in audit.read() if e["action"] == "notes.delete"]
    assert [(e["result"], e["command"]) for e in entries] == [
        ("ok", f"kubectl delete configmap shopping -n {namespace}")]


# -- its headless command and settings table (the CLI finds both through the entry point) -------

def example_cli(*args: str, config: Path | None = None,
                ) -> subprocess.CompletedProcess[str]:
    """The real console entry point with the example distribution on ``sys.path``."""
    import os

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(EXAMPLE), os.environ.get("PYTHONPATH", "")])}
    if config is not None:
        env["K8S_ESSENTIALS_TUI_CONFIG"] = str(config)
    return subprocess.run([sys.executable, "-m", "k8s_essentials_tui.cli", *args],
                          capture_output=True, text=True, env=env, timeout=120)


def test_example_command_is_listed_in_help_without_importing_it() -> None:
    out = example_cli("--help")
    assert out.returncode == 0, out.stderr
    assert "notes" in out.stdout and "list the notes" in out.stdout
    # declared by name and help: running another command never imports the module
    code = ("import sys; from k8s_essentials_tui import cli; cli.build_parser(['plugins']); "
            "assert 'essentials_notes.command' not in sys.modules; "
            "cli.build_parser(['notes']); assert 'essentials_notes.command' in sys.modules")
    import os

    env = {**os.environ, "PYTHONPATH": str(EXAMPLE)}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=60)


def test_example_command_lists_notes_cut_to_its_setting(
        kubeconfig: str, namespace: str, kube_admin: KubeAdmin, tmp_path: Path) -> None:
    kube_admin.create(note("shopping", namespace, "milk, eggs, 김치 and \x1b]0;owned\x07 bread"))
    config = tmp_path / "config.toml"
    config.write_text("[notes]\nmax_length = 12\n")
    out = example_cli("notes", "--kubeconfig", kubeconfig, "-n", namespace, config=config)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[0].split() == ["NAMESPACE", "NAME", "TEXT"]
    assert f"{namespace}  shopping  milk, eggs,…" in out.stdout
    out = example_cli("notes", "--kubeconfig", kubeconfig, "-n", namespace, "-o", "json")
    assert json.loads(out.stdout)["notes"][0]["text"].startswith("milk, eggs, 김치 and ␛]0;")
    assert "\x1b" not in out.stdout


def test_example_settings_are_validated_by_the_config_loader(
        kubeconfig: str, namespace: str, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[notes]\nmax_length = "short"\n')
    out = example_cli("notes", "--kubeconfig", kubeconfig, "-n", namespace, config=config)
    assert out.returncode == 2
    assert out.stderr.strip().endswith("notes.max_length must be an integer")
    config.write_text("[notes]\ncolour = 1\n")
    out = example_cli("notes", "--kubeconfig", kubeconfig, "-n", namespace, config=config)
    assert out.returncode == 2 and "unknown key notes.colour" in out.stderr
    # a table no plugin owns (the plugin is not installed here): a warning, not a rejection
    config.write_text("[nobody]\nx = 1\n[notes]\nmax_length = 5\n")
    out = example_cli("notes", "--kubeconfig", kubeconfig, "-n", namespace, config=config)
    assert out.returncode == 0, out.stderr
    assert "warning: " in out.stderr and "[nobody] is not a table of any installed plugin" \
        in out.stderr
    out = example_cli("plugins", "--settings", config=config)
    assert "notes.max_length" in out.stdout and "an integer" in out.stdout
