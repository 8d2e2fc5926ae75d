"""Snapshots of the component overview's lifecycle facts on the demo seed (a real apiserver):
ingress-nginx ``retired upstream`` with its successor, and the Grafana that
kube-prometheus-stack bundles (``provided by``), at 80x24 and 120x40; opened by keys."""

from __future__ import annotations

import pytest

from k8s_essentials_tui.app import EssentialsApp, StartOptions
from tests.conftest import FIXED_NOW
from tests.test_snapshots_board import _board_ready

SIZES = [(80, 24), (120, 40)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("plugin_id", ["ingress-nginx", "grafana"])
def test_overview_lifecycle(snap_compare, demo_kubeconfig: str,  # type: ignore[no-untyped-def]
                            plugin_id: str, size: tuple[int, int]) -> None:
    app = EssentialsApp(StartOptions(kubeconfig=demo_kubeconfig, now=FIXED_NOW))

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _board_ready(app, pilot)
        for key in (":", *plugin_id, "enter"):
            await pilot.press(key)
        for _ in range(100):
            if type(app.screen).__name__ == "ComponentScreen":
                break
            await pilot.pause(0.05)
        await pilot.pause(0.3)
        # both have their own pane now (exposure #19, monitoring #22): "o", the overview
        # (from the monitoring pane's Grafana tab too, since its facts take the focus)
        await pilot.press("o")
        for _ in range(100):
            if app.screen.query("ComponentSummary"):
                break
            await pilot.pause(0.05)
        await pilot.pause(0.3)
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
