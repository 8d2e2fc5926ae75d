"""SVG snapshots of the Telepresence pane (status + workloads, intercept form, the second
confirmation of a global intercept) at 80x24 and 120x40, against the FAKE telepresence.

Deterministic: fixed clock, fixed client name in the fake, polling slowed down so nothing
refreshes while the picture is taken, no real times, ports or random names."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.plugins.telepresence.forms import InterceptForm
from k8s_essentials_tui.plugins.telepresence.pane import TelepresencePane
from k8s_essentials_tui.screens.confirm import ConfirmScreen
from testkit.fake_telepresence import CLIENT, FakeTelepresence
from testkit.wait import wait_until
from tests.conftest import FIXED_NOW

SIZES = [(80, 24), (120, 40)]


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeTelepresence:
    f = FakeTelepresence(tmp_path / "tp")
    f.install(monkeypatch)
    f.connect_now("shop")
    state = f.state()
    state["intercepts"].append({
        "name": "echo-server", "client": CLIENT, "namespace": "shop", "workload": "echo-server",
        "kind": "Deployment", "mechanism": "tcp", "mechanism_args": [], "local_port": 8080,
        "service_port": 80, "port_identifier": "http", "service_name": "echo-server"})
    for w in state["workloads"]:
        if w["name"] == "echo-server":
            w["agent"] = True
    f.write_state(state)
    monkeypatch.setattr(TelepresencePane, "POLL_SECONDS", 3600.0)
    return f


async def _pane_ready(pilot: Pilot) -> TelepresencePane:
    app = pilot.app
    assert isinstance(app, EssentialsApp)
    app.open_plugin("telepresence")
    await wait_until(pilot, lambda: bool(app.screen.query(TelepresencePane)))
    pane = app.screen.query_one(TelepresencePane)

    def listed() -> bool:
        table = pane.query_one("#tp-workloads", DataTable)
        if table.row_count < 5:
            return False
        return any(str(table.get_row_at(i)[2]) == "you"
                   for i in range(table.row_count))

    await wait_until(pilot, listed)
    await pilot.pause()
    return pane


async def _open_form(pilot: Pilot) -> None:
    pane = await _pane_ready(pilot)
    table = pane.query_one("#tp-workloads", DataTable)
    table.move_cursor(row=[str(table.get_row_at(i)[0]) for i in range(table.row_count)]
                      .index("web-frontend"))
    await pilot.press("I")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, InterceptForm))
    form = pilot.app.screen
    expected = "$ telepresence intercept web-frontend --port 8080:http"

    def settled() -> bool:
        preview = str(form.query_one("#preview").render())
        return expected in preview and form.focused is form.query_one("#local")

    await wait_until(pilot, settled)
    for inp in form.query(Input):
        inp.cursor_blink = False
    await pilot.pause()
    await pilot.pause()


def _app() -> EssentialsApp:
    return EssentialsApp(StartOptions(connect=False, now=FIXED_NOW))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_status_and_workloads(snap_compare, fake: FakeTelepresence,  # type: ignore[no-untyped-def]
                              size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot) -> None:
        await _pane_ready(pilot)

    assert snap_compare(_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_intercept_form(snap_compare, fake: FakeTelepresence,  # type: ignore[no-untyped-def]
                        size: tuple[int, int]) -> None:
    assert snap_compare(_app(), terminal_size=size, run_before=_open_form)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_confirm_global_dialog(snap_compare, fake: FakeTelepresence,  # type: ignore[no-untyped-def]
                               size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot) -> None:
        await _open_form(pilot)
        await pilot.press("enter")   # submit the form (focus is on the local port)
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))
        await pilot.press("y")       # first confirmation -> the explicit second one
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(_app(), terminal_size=size, run_before=run_before)
