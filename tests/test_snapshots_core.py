"""SVG snapshots of the app shell's screens, at 80x24 and 120x40, in all three themes where
colours matter. Deterministic: fixed clock, sizes, no animation, no cluster-specific text."""

from __future__ import annotations

from pathlib import Path

import pytest

from k8s_essentials_tui.actions import Mutation
from k8s_essentials_tui.app import EssentialsApp, StartOptions
from tests.conftest import FIXED_NOW

SIZES = [(80, 24), (120, 40)]
THEMES = ["dark", "light", "bastion"]


async def _noop() -> str:
    return "ok"


@pytest.fixture
def no_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("theme", THEMES)
def test_no_kubeconfig_screen(snap_compare, no_home, theme: str,  # type: ignore[no-untyped-def]
                              size: tuple[int, int]) -> None:
    app = EssentialsApp(StartOptions(theme=theme, now=FIXED_NOW))

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        for _ in range(100):
            if app.connection_error is not None:
                break
            await pilot.pause(0.05)
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help_screen(snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app = EssentialsApp(StartOptions(connect=False, now=FIXED_NOW))
    assert snap_compare(app, terminal_size=size, press=["question_mark"])


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("theme", THEMES)
def test_confirm_dialog(snap_compare, theme: str,  # type: ignore[no-untyped-def]
                        size: tuple[int, int]) -> None:
    app = EssentialsApp(StartOptions(connect=False, theme=theme, now=FIXED_NOW))
    mutation = Mutation(
        action="helm.uninstall", title="Uninstall velero from namespace velero",
        command="helm uninstall velero --namespace velero --kube-context devcluster",
        run=_noop, typed_confirmation="velero",
        details=["Stays behind: the velero.io CRDs and their objects (backups, schedules)."],
        warning="Backups stop being taken until Velero is installed again.")

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        from textual.widgets import Input

        app.start_mutation(mutation)
        await pilot.pause(0.2)
        # the typed-confirmation box's cursor blinks every 0.5 s: under load the picture
        # was taken in either phase ("v" drawn as the cursor or not) -- hold it visible
        for box in app.screen.query(Input):
            box.cursor_blink = False
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
