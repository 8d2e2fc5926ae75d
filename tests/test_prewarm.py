"""Pane modules are imported in the background once the board is filled (tui/prewarm.py)."""

from __future__ import annotations

import subprocess
import sys
import threading

from k8s_essentials_tui.plugin import Plugin
from k8s_essentials_tui.prewarm import CORE_MODULES, import_all, pane_modules
from k8s_essentials_tui.registry import load_registry


def test_every_pane_module_once_core_first() -> None:
    plugins = load_registry(third_party=False).ordered()
    modules = pane_modules(plugins)
    assert modules[:len(CORE_MODULES)] == list(CORE_MODULES)
    assert len(modules) == len(set(modules))
    assert "k8s_essentials_tui.plugins.mesh.pane" in modules


def test_a_broken_pane_module_is_skipped_and_the_rest_imported() -> None:
    broken = Plugin(id="broken", title="Broken", category="ingress", why="x",
                    pane="k8s_essentials_tui.plugins.no_such_module:Pane")
    done = threading.Event()
    import_all(pane_modules([broken]), done)
    assert done.is_set()


def test_the_app_imports_the_panes_after_its_first_detections(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """In a fresh interpreter (nothing imported yet): the app with a kubeconfig that points
    nowhere still publishes detections (the board says unreachable), then the panes load."""
    code = """
import asyncio, sys
from k8s_essentials_tui.app import EssentialsApp, StartOptions
async def main():
    app = EssentialsApp(StartOptions(kubeconfig=sys.argv[1]))
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(600):
            if app.panes_imported is not None and app.panes_imported.is_set():
                break
            await pilot.pause(0.05)
        print("mesh pane imported:", "k8s_essentials_tui.plugins.mesh.pane" in sys.modules)
asyncio.run(main())
"""
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: x\nclusters:\n- name: x\n  cluster:\n"
        "    server: https://127.0.0.1:1\ncontexts:\n- name: x\n  context:\n    cluster: x\n"
        "    user: x\nusers:\n- name: x\n  user:\n    token: t\n")
    out = subprocess.run([sys.executable, "-c", code, str(kubeconfig)], capture_output=True,
                         text=True, timeout=120, check=False,
                         env={"K8S_ESSENTIALS_TUI_STATE_DIR": str(tmp_path / "state"),
                              "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert "mesh pane imported: True" in out.stdout, out.stderr[-2000:]


def test_a_pause_holds_the_next_import_until_it_ends() -> None:
    """A component screen opening pauses the import thread between modules (its long C
    calls stretched the screen's mount): no new import starts before the pause ends, and
    all are imported after it."""
    import time

    from k8s_essentials_tui import prewarm

    sys.modules.pop("json.tool", None)
    modules = ["json.tool"]  # a small stdlib module nobody here imported
    done = threading.Event()
    prewarm.pause(0.4)
    started = time.monotonic()
    worker = threading.Thread(target=import_all, args=(modules, done), daemon=True)
    worker.start()
    assert not done.wait(0.2)  # still paused
    assert "json.tool" not in sys.modules
    assert done.wait(10)
    assert time.monotonic() - started >= 0.35 and "json.tool" in sys.modules
