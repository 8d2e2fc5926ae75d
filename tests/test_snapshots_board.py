"""Snapshots of the board on the demo seed (a real apiserver): 80x24 and 120x40, all three
themes; plus the default component pane (overview) of two components."""

from __future__ import annotations

import pytest

from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.widgets.board import Board
from tests.conftest import FIXED_NOW

SIZES = [(80, 24), (120, 40)]


async def _board_ready(app: EssentialsApp, pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(400):
        try:
            board = app.screen.query_one(Board)
        except Exception:
            board = None
        if board is not None and board.snapshot is not None:
            break
        await pilot.pause(0.05)
    await pilot.pause(0.3)  # let a trailing watch burst settle
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("theme", ["dark", "light", "bastion"])
def test_board(snap_compare, demo_kubeconfig: str, theme: str,  # type: ignore[no-untyped-def]
               size: tuple[int, int]) -> None:
    app = EssentialsApp(StartOptions(kubeconfig=demo_kubeconfig, theme=theme, now=FIXED_NOW))

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _board_ready(app, pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_board_read_only_limited_user(snap_compare, demo_cluster,  # type: ignore[no-untyped-def]
                                      size: tuple[int, int]) -> None:
    app = EssentialsApp(StartOptions(kubeconfig=str(demo_cluster.limited_kubeconfig),
                                     read_only=True, now=FIXED_NOW))

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _board_ready(app, pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("plugin_id", ["kyverno", "istio"])
def test_component_overview_pane(snap_compare, demo_kubeconfig: str,  # type: ignore[no-untyped-def]
                                 plugin_id: str, size: tuple[int, int]) -> None:
    """The overview: Kyverno degraded (a workload not ready, a failed Helm release, a
    ``Fail`` webhook with no endpoint) and Istio with only its CRDs. Kyverno opens the
    policy pane (#21); ``o`` there shows the same overview."""
    app = EssentialsApp(StartOptions(kubeconfig=demo_kubeconfig, now=FIXED_NOW))

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _board_ready(app, pilot)
        app.open_plugin(plugin_id)
        await pilot.pause(0.3)
        # Istio (#24, mesh) and Kyverno (#21, policy) have their own panes: `o` is the overview
        if plugin_id in ("istio", "kyverno"):
            await pilot.press("o")
            await pilot.pause(0.3)
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
