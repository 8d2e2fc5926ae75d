"""Pilot tests of the Kustomize pane, driven by keys, with the real ``kubectl kustomize``
and the real apiserver: type a directory, see the objects and their dry-run changes, read
the diff (Secret values masked), apply through the confirm dialog (audited), read-only
refusal, a missing tool, hostile text from the rendered objects, and ``?``."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Input, Static

from k8s_essentials_tui import audit
from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.plugins.kustomize.pane import KustomizePane
from k8s_essentials_tui.screens.confirm import ConfirmScreen
from k8s_essentials_tui.screens.help import HelpScreen
from testkit import hostile
from testkit.controlplane import BinariesMissing, find_binaries
from testkit.hostile import painted_text
from testkit.kube import KubeAdmin
from tests.conftest import FIXED_NOW

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parent.parent
OVERLAY = "testkit/kustomize/overlays/demo"
SECRET_VALUE = "kz-hunter2-do-not-show"
SECRET_B64 = "a3otaHVudGVyMi1kby1ub3Qtc2hvdw=="


@pytest.fixture
def kubectl_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """The control plane's kubectl first on PATH (CI has no other), cwd the repository."""
    try:
        bin_dir = find_binaries(build=False)
    except BinariesMissing:
        pytest.skip("kubectl not built: run scripts/build-control-plane (CI builds it first)")
    if not (bin_dir / "kubectl").exists():
        pytest.skip(f"{bin_dir / 'kubectl'} missing: run scripts/build-control-plane")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.chdir(ROOT)


async def until(pilot: Any, predicate: Callable[[], Any], what: str,
                timeout: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)


def cells(app: EssentialsApp) -> list[list[str]]:
    table = app.screen.query_one("#kz-table", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def status(app: EssentialsApp) -> str:
    return str(app.screen.query_one("#kz-status", Static).render())


def diff_body(app: EssentialsApp) -> str:
    return str(app.screen.query_one("#kz-diff-body", Static).render())


def make_app(kubeconfig: str, namespace: str, **kwargs: Any) -> EssentialsApp:
    return EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=namespace,
                                      now=FIXED_NOW, **kwargs))


async def open_pane(app: EssentialsApp, pilot: Any) -> KustomizePane:
    await until(pilot, lambda: app.session is not None, "connection")
    await pilot.press(*":kustomize", "enter")
    await until(pilot, lambda: app.screen.query(KustomizePane), "the pane")
    await pilot.pause(0.1)
    return app.screen.query_one(KustomizePane)


async def preview(app: EssentialsApp, pilot: Any, directory: str, rows: int) -> None:
    """Type the directory into the focused input, as an operator does, and wait."""
    await pilot.press(*directory, "enter")
    await until(pilot, lambda: len(cells(app)) == rows and "…" not in status(app),
                f"{rows} rows")


async def test_preview_diff_apply(kubectl_on_path: None, kubeconfig: str, namespace: str,
                                  kube_admin: KubeAdmin) -> None:
    app = make_app(kubeconfig, namespace)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_pane(app, pilot)
        await preview(app, pilot, OVERLAY, 3)
        assert [r[:4] for r in cells(app)] == [
            ["ConfigMap", namespace, "web-config", "added"],
            ["Secret", namespace, "web-credentials-5h9922dk6t", "added"],
            ["Deployment", namespace, "web", "added"]]
        assert status(app).startswith("3 objects · 0 changed, 3 added, 0 unchanged · "
                                      f"kubectl kustomize {OVERLAY}")

        await pilot.press("d")  # the whole diff
        await until(pilot, lambda: "password: (added)" in diff_body(app), "the diff")
        assert "+  log_level: debug" in diff_body(app)
        screen = "\n".join(painted_text(app))
        assert SECRET_VALUE not in screen and SECRET_B64 not in screen
        await pilot.press("escape")  # back to the objects, still in the pane
        await until(pilot, lambda: app.screen.query_one("#kz-table").display, "the table")
        assert isinstance(app.screen.focused, DataTable)

        await pilot.press("G", "enter")  # one object's diff: the Deployment
        await until(pilot, lambda: "Deployment" in diff_body(app), "the object diff")
        assert "replicas: 2" in diff_body(app) and "ConfigMap" not in diff_body(app)
        await pilot.press("escape")

        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the dialog")
        dialog = "\n".join(painted_text(app))
        assert "kubectl apply --server-side --field-manager=k8s-essentials-tui -k" in dialog
        await pilot.press("y")
        await until(pilot, lambda: "3 unchanged" in status(app), "the fresh preview", 60)
        assert [r[3] for r in cells(app)] == ["unchanged"] * 3
    deploy = kube_admin.get("apps/v1", "deployments", "web", namespace)
    assert deploy["spec"]["replicas"] == 2
    entry = audit.read()[-1]
    assert entry["action"] == "kustomize.apply" and entry["result"] == "ok"
    assert entry["detail"] == "3 created"


async def test_filter_and_help(kubectl_on_path: None, kubeconfig: str,
                               namespace: str) -> None:
    app = make_app(kubeconfig, namespace)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_pane(app, pilot)
        # directory completion: → takes the suggested sub-directory
        await pilot.press(*"testkit/kustomize/ov")
        box = app.screen.query_one("#kz-dir", Input)
        await until(pilot, lambda: box._suggestion == "testkit/kustomize/overlays/",
                    "the suggestion")
        await pilot.press("right")
        assert box.value == "testkit/kustomize/overlays/"
        await preview(app, pilot, "demo", 3)
        await pilot.press("slash", *"secret")
        await until(pilot, lambda: len(cells(app)) == 1, "the filtered row")
        assert cells(app)[0][0] == "Secret"
        await pilot.press("escape", "escape")  # leave the input, then clear the filter
        await until(pilot, lambda: len(cells(app)) == 3, "all rows")
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        described = {d for _k, d, _w in app.screen.rows}
        assert {"Directory", "Diff", "Apply", "Refresh", "Filter"} <= described


async def test_read_only_refuses_apply(kubectl_on_path: None, kubeconfig: str,
                                       namespace: str, kube_admin: KubeAdmin) -> None:
    app = make_app(kubeconfig, namespace, read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_pane(app, pilot)
        await preview(app, pilot, OVERLAY, 3)  # the dry-run is a read: allowed
        await pilot.press("a")
        await pilot.pause(0.3)
        assert not isinstance(app.screen, ConfirmScreen)
        assert any("read-only mode" in str(n.message) for n in app._notifications)
    assert kube_admin.list("apps/v1", "deployments", namespace) == []


async def test_missing_tool_is_one_line(kubeconfig: str, namespace: str, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.chdir(ROOT)
    app = make_app(kubeconfig, namespace)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_pane(app, pilot)
        await pilot.press(*OVERLAY, "enter")
        await until(pilot, lambda: "neither kubectl nor kustomize" in status(app), "error")
        assert cells(app) == []


def _evil_dir(tmp_path: Path, name: str, payload: str) -> Path:
    directory = tmp_path / name
    directory.mkdir()
    (directory / "kustomization.yaml").write_text("resources: [cm.yaml]\n")
    (directory / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: evil\n"
        f"  annotations:\n    note: \"{hostile.MARKUP_STYLE}\"\n"
        f"data:\n  payload: \"{_escape(payload.replace(chr(92), chr(92) * 2))}\"\n")
    return directory


async def test_hostile_rendered_text_is_clean(kubectl_on_path: None, kubeconfig: str,
                                              namespace: str, tmp_path: Path) -> None:
    # control characters: kustomize refuses them, and quotes them in its error
    worst = _evil_dir(tmp_path, "worst", hostile.WORST + hostile.MARKUP_LINK)
    # printable hostile text (markup, links, bidi, wide characters) renders and is diffed
    printable = _evil_dir(tmp_path, "printable", hostile.MARKUP_CLOSE + hostile.MARKUP_LINK
                          + hostile.BIDI + hostile.HANGUL)
    app = make_app(kubeconfig, namespace)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_pane(app, pilot)
        await pilot.press(*str(worst), "enter")
        await until(pilot, lambda: "kubectl kustomize failed" in status(app), "the error")
        await pilot.pause(0.1)
        hostile.assert_screen_clean(app)
        assert not hostile.painted_links(app)
        await pilot.press("e", "ctrl+u")
        await preview(app, pilot, str(printable), 1)
        await pilot.press("d")
        await until(pilot, lambda: "payload" in diff_body(app), "the diff")
        await pilot.pause(0.1)
        assert "[link=file:///etc/passwd]" in diff_body(app)  # shown as text
        hostile.assert_screen_clean(app)
        assert not hostile.painted_links(app)


def _escape(text: str) -> str:
    """A YAML double-quoted scalar body for ``text`` (control characters as \\x escapes)."""
    out = []
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 or ch == "\u202e":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


async def test_a_preview_of_an_older_connection_is_not_applied(
        kubectl_on_path: None, kubeconfig: str, namespace: str,
        kube_admin: KubeAdmin) -> None:
    """After a reconnect (a new session: possibly another cluster) the plan on screen was
    made through the old one: ``a`` refuses and asks for ``r``; ``r`` then ``a`` works."""
    app = make_app(kubeconfig, namespace)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_pane(app, pilot)
        await preview(app, pilot, OVERLAY, 3)
        old = app.session
        app.connect()  # what a reconnect does
        await until(pilot, lambda: app.session is not None and app.session is not old,
                    "the new session")
        await pilot.press("a")
        await pilot.pause(0.3)
        assert not isinstance(app.screen, ConfirmScreen)
        assert any("press r to preview again" in str(n.message) for n in app._notifications)
        await pilot.press("r")
        await until(pilot, lambda: "…" not in status(app) and len(cells(app)) == 3,
                    "the new preview")
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the dialog")
        await pilot.press("n")
    assert kube_admin.list("apps/v1", "deployments", namespace) == []


async def test_configured_directory_previews_on_open(kubectl_on_path: None, kubeconfig: str,
                                                     namespace: str, tmp_path: Path) -> None:
    from k8s_essentials_tui.settings import load_settings

    config = tmp_path / "config.toml"
    config.write_text(f'[kustomize]\ndirectory = "{OVERLAY}"\n')
    app = make_app(kubeconfig, namespace, settings=load_settings(config))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_pane(app, pilot)
        await until(pilot, lambda: len(cells(app)) == 3 and "…" not in status(app), "rows")
        assert isinstance(app.screen.focused, DataTable)
        assert app.screen.query_one("#kz-dir", Input).value == OVERLAY
