"""The Telepresence pane, driven with Pilot against the FAKE telepresence executable.

The cluster is irrelevant here (the pane talks to the local CLI only), so the app starts with
``connect=False``. Every action goes through the real confirm dialog and audit log."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Log, Static

from k8s_essentials_tui import audit
from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.detection.detect import find_workloads
from k8s_essentials_tui.detection.snapshot import ClusterSnapshot
from k8s_essentials_tui.plugins.telepresence import PLUGIN
from k8s_essentials_tui.plugins.telepresence.forms import InterceptForm, parse_header
from k8s_essentials_tui.plugins.telepresence.pane import TelepresencePane
from k8s_essentials_tui.screens.confirm import ConfirmScreen
from k8s_essentials_tui.settings import Settings
from testkit.fake_telepresence import CLIENT, FakeTelepresence
from testkit.wait import wait_until
from tests.conftest import FIXED_NOW


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeTelepresence:
    f = FakeTelepresence(tmp_path / "tp")
    f.install(monkeypatch)
    return f


def make_app(*, read_only: bool = False, timeout: float = 20,
             binary: str = "telepresence", personal: list[str] | None = None) -> EssentialsApp:
    settings = Settings()
    settings.values["telepresence.timeout_seconds"] = timeout
    settings.values["telepresence.binary"] = binary
    settings.values["telepresence.personal_namespaces"] = personal or []
    return EssentialsApp(StartOptions(connect=False, now=FIXED_NOW, read_only=read_only,
                                      settings=settings))


async def open_pane(pilot: Pilot) -> TelepresencePane:
    app = pilot.app
    assert isinstance(app, EssentialsApp)
    app.open_plugin("telepresence")
    await wait_until(pilot, lambda: bool(app.screen.query(TelepresencePane)),
                     what=lambda: "pane mounted: " + _debug(pilot))
    pane = app.screen.query_one(TelepresencePane)
    await wait_until(pilot, lambda: pane.probed, what=lambda: "first poll: " + _debug(pilot))
    return pane


def notice(pane: TelepresencePane) -> str:
    return str(pane.query_one("#tp-notice", Static).render())


def status_text(pane: TelepresencePane) -> str:
    return str(pane.query_one("#tp-status", Static).render())


def cells(pane: TelepresencePane) -> dict[str, list[str]]:
    table = pane.query_one("#tp-workloads", DataTable)
    return {str(row[0]): [str(c) for c in row]
            for row in (table.get_row_at(i) for i in range(table.row_count))}


def log_text(pane: TelepresencePane) -> str:
    return "\n".join(pane.query_one("#tp-output", Log).lines)


async def select_row(pilot: Pilot, pane: TelepresencePane, name: str) -> None:
    table = pane.query_one("#tp-workloads", DataTable)
    names = list(cells(pane))
    table.move_cursor(row=names.index(name))
    table.focus()
    await pilot.pause()


async def confirm(pilot: Pilot, times: int = 1) -> ConfirmScreen:
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen),
                     what=lambda: "confirm dialog: " + _debug(pilot))
    screen = pilot.app.screen
    assert isinstance(screen, ConfirmScreen)
    for _ in range(times):
        await pilot.press("y")
        await pilot.pause()
    return screen


async def connect(pilot: Pilot, pane: TelepresencePane, namespace: str = "shop") -> None:
    await pilot.press("c")
    await wait_until(pilot, lambda: bool(pilot.app.screen.query("#namespace")),
                     what=lambda: "connect form: " + _debug(pilot))
    pilot.app.screen.query_one("#namespace", Input).value = namespace
    await pilot.press("enter")
    screen = await confirm(pilot)
    assert screen.mutation.command == \
        f"telepresence connect --namespace {namespace} --manager-namespace ambassador"
    await wait_until(pilot, lambda: bool(pane.status and pane.status.connected),
                     what=lambda: "connected: " + _debug(pilot))


async def start_intercept(pilot: Pilot, pane: TelepresencePane, workload: str, *,
                          local: str = "8080", header: str = "") -> InterceptForm:
    await select_row(pilot, pane, workload)
    await pilot.press("I")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, InterceptForm),
                     what=lambda: "intercept form: " + _debug(pilot))
    form = pilot.app.screen
    assert isinstance(form, InterceptForm)
    form.query_one("#local", Input).value = local
    if header:
        form.query_one("#header", Input).value = header
    await pilot.pause()
    form.query_one("#local", Input).focus()
    await pilot.press("enter")
    return form


# -- catalog / detection (pure) ---------------------------------------------------------------


def test_catalog_and_detection() -> None:
    assert PLUGIN.category == "local-dev" and PLUGIN.chart is not None
    assert (PLUGIN.chart.chart, PLUGIN.chart.namespace, PLUGIN.chart.release) == (
        "telepresence-oss", "ambassador", "traffic-manager")
    assert PLUGIN.chart.is_oci
    manager = {"kind": "Deployment", "metadata": {
        "name": "traffic-manager", "namespace": "ambassador",
        "labels": {"app": "traffic-manager", "telepresence": "manager"}},
        "spec": {"replicas": 1, "template": {"spec": {"containers": [
            {"image": "ghcr.io/telepresenceio/tel2:2.20.2"}]}}},
        "status": {"readyReplicas": 1}}
    snap = ClusterSnapshot(workloads=[manager])
    assert find_workloads(snap, [{"app": "traffic-manager"}])
    det = PLUGIN.detect(snap)
    assert (det.installed, det.namespace, det.version, det.healthy) == (
        True, "ambassador", "2.20.2", True)
    assert PLUGIN.detect(ClusterSnapshot()).installed is False


def test_parse_header() -> None:
    assert parse_header("x-dev: me") == "x-dev=me"
    assert parse_header("x-dev=me") == "x-dev=me"
    assert parse_header("nonsense") is None


# -- the full flow ----------------------------------------------------------------------------


async def test_connect_intercept_leave_quit(fake: FakeTelepresence) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_pane(pilot)
        assert "Not connected" in notice(pane)
        assert "not running" in status_text(pane)
        await connect(pilot, pane)
        await wait_until(pilot, lambda: "echo-server" in cells(pane),
                         what=lambda: "workloads listed: " + _debug(pilot))
        assert "Connected" in status_text(pane) and "shop" in status_text(pane)
        row = cells(pane)["payments-api"]
        assert row[2] == "alice@laptop" and row[4] == "GLOBAL"
        assert "not interceptable" in cells(pane)["legacy-batch"][1]
        assert "Connected to context" in log_text(pane)

        # a global intercept in a shared namespace: two confirmations naming who is affected
        await start_intercept(pilot, pane, "echo-server")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen),
                         what=lambda: "confirm: " + _debug(pilot))
        dialog = app.screen
        assert isinstance(dialog, ConfirmScreen)
        m = dialog.mutation
        assert m.command == ("telepresence intercept echo-server --port 8080:http "
                             "--namespace shop --mount=false")
        assert "GLOBAL" in m.title and "every request to echo-server" in m.warning
        assert "shared namespace" in m.second_confirmation
        assert "alice@laptop intercepts payments-api globally" in m.second_confirmation
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen), "second confirmation still asked"
        await pilot.press("y")
        await wait_until(pilot, lambda: bool(fake.intercepts()),
                         what=lambda: "intercept created: " + _debug(pilot))
        await wait_until(pilot, lambda: cells(pane)["echo-server"][2] == "you",
                         what=lambda: "row shows my intercept: " + _debug(pilot))
        row = cells(pane)["echo-server"]
        assert row[1] == "intercepted" and row[3] == "http → 127.0.0.1:8080"
        assert CLIENT in row[6]
        assert "Installing traffic-agent" in log_text(pane)

        # leave it (l on the row)
        await select_row(pilot, pane, "echo-server")
        await pilot.press("l")
        screen = await confirm(pilot)
        assert screen.mutation.command == "telepresence leave echo-server"
        await wait_until(pilot, lambda: not fake.intercepts(),
                         what=lambda: "intercept left: " + _debug(pilot))
        await wait_until(pilot, lambda: cells(pane)["echo-server"][1:3] == ["ready", ""],
                         what=lambda: "row back to ready: " + _debug(pilot))

        # someone else's intercept cannot be left from here
        await select_row(pilot, pane, "payments-api")
        await pilot.press("l")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)

        # quit
        await pilot.press("X")
        screen = await confirm(pilot)
        assert screen.mutation.command == "telepresence quit"
        await wait_until(pilot, lambda: bool(pane.status and not pane.status.connected),
                         what=lambda: "quit: " + _debug(pilot))
        assert not fake.state()["connected"]

    entries = [(e["action"], e["result"], e["command"]) for e in audit.read()]
    assert ("telepresence.connect", "ok",
            "telepresence connect --namespace shop --manager-namespace ambassador") in entries
    assert ("telepresence.intercept", "ok", "telepresence intercept echo-server --port 8080:http "
            "--namespace shop --mount=false") in entries
    assert ("telepresence.leave", "ok", "telepresence leave echo-server") in entries
    assert ("telepresence.quit", "ok", "telepresence quit") in entries


async def test_header_intercept_and_leave_all(fake: FakeTelepresence) -> None:
    fake.configure(version="2.23.0", http_header=True)
    fake.connect_now()
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_pane(pilot)
        assert pane.header_supported and "supported" in status_text(pane)
        await wait_until(pilot, lambda: "web-frontend" in cells(pane),
                         what=lambda: "listed: " + _debug(pilot))
        await start_intercept(pilot, pane, "web-frontend", local="8081", header="x-dev: me")
        screen = await confirm(pilot)   # personal: ONE confirmation is enough
        assert "personal" in screen.mutation.title and not screen.mutation.second_confirmation
        assert "--http-header x-dev=me" in screen.mutation.command
        await wait_until(pilot, lambda: bool(fake.intercepts()),
                         what=lambda: "personal intercept created: " + _debug(pilot))
        await wait_until(pilot, lambda: cells(pane)["web-frontend"][4] == "header x-dev=me",
                         what=lambda: "header shown: " + _debug(pilot))
        # a second (global) one in a namespace declared personal: no second confirmation
        await start_intercept(pilot, pane, "echo-server", local="8082")
        screen = await confirm(pilot)
        assert screen.mutation.second_confirmation  # shop is not declared personal here
        await pilot.press("y")
        await wait_until(pilot, lambda: len(fake.intercepts()) == 2,
                         what=lambda: "two intercepts: " + _debug(pilot))
        await wait_until(pilot, lambda: pane.status is not None and
                    len(pane.status.my_intercepts) == 2,
                         what=lambda: "status shows both: " + _debug(pilot))
        await pilot.press("L")
        screen = await confirm(pilot)
        assert screen.mutation.command == ("telepresence leave web-frontend && "
                                           "telepresence leave echo-server")
        await wait_until(pilot, lambda: not fake.intercepts(),
                         what=lambda: "all mine left: " + _debug(pilot))
        assert fake.intercepts(client="alice@laptop"), "someone else's intercept untouched"


async def test_personal_namespace_skips_second_confirmation(fake: FakeTelepresence) -> None:
    fake.connect_now()
    app = make_app(personal=["shop"])
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_pane(pilot)
        await wait_until(pilot, lambda: "echo-server" in cells(pane),
                         what=lambda: "listed: " + _debug(pilot))
        await start_intercept(pilot, pane, "echo-server")
        screen = await confirm(pilot)
        assert not screen.mutation.second_confirmation
        await wait_until(pilot, lambda: bool(fake.intercepts()),
                         what=lambda: "created with one confirmation: " + _debug(pilot))


# -- failures leave the pane usable -----------------------------------------------------------


async def test_not_connected_and_workload_gone(fake: FakeTelepresence) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_pane(pilot)
        await pilot.press("I")
        await pilot.pause()
        assert not isinstance(app.screen, InterceptForm), "no form while not connected"
        assert "press c to connect" in notice(pane)
        await connect(pilot, pane)
        await wait_until(pilot, lambda: "echo-server" in cells(pane),
                         what=lambda: "listed: " + _debug(pilot))
        # the workload disappears between listing and intercepting
        state = fake.state()
        state["workloads"] = [w for w in state["workloads"] if w["name"] != "echo-server"]
        fake.write_state(state)
        await start_intercept(pilot, pane, "echo-server")
        await confirm(pilot, times=2)
        await wait_until(pilot, lambda: "matching echo-server found" in notice(pane),
                         what=lambda: "error shown: " + _debug(pilot))
        assert "check the workload name" in notice(pane)
        assert "✗ telepresence intercept" in log_text(pane)
        await wait_until(pilot, lambda: "echo-server" not in cells(pane),
                         what=lambda: "list refreshed: " + _debug(pilot))
        assert pane.busy == ""


async def test_port_conflict_message(fake: FakeTelepresence) -> None:
    fake.connect_now()
    state = fake.state()
    state["intercepts"].append({
        "name": "hello-mine", "client": CLIENT, "namespace": "shop", "workload": "orders-db",
        "kind": "StatefulSet", "mechanism": "tcp", "mechanism_args": [], "local_port": 8080,
        "service_port": 5432, "port_identifier": "pg", "service_name": "orders-db"})
    fake.write_state(state)
    app = make_app(personal=["shop"])
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_pane(pilot)
        await wait_until(pilot, lambda: "echo-server" in cells(pane),
                         what=lambda: "listed: " + _debug(pilot))
        assert cells(pane)["orders-db"][2] == "you"
        await start_intercept(pilot, pane, "echo-server", local="8080")
        await confirm(pilot)
        await wait_until(pilot, lambda: "already in use by intercept hello-mine" in notice(pane),
                         what=lambda: "port conflict shown: " + _debug(pilot))
        assert "choose another local port" in notice(pane)
        assert [i["name"] for i in fake.intercepts()] == ["hello-mine"]
    failed = [e for e in audit.read() if e["result"] == "failed"]
    assert failed and "already in use" in failed[-1]["detail"]


async def test_binary_missing_explains_install(fake: FakeTelepresence) -> None:
    app = make_app(binary="telepresence-not-installed")
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_pane(pilot)
        text = notice(pane)
        assert "not found on PATH" in text and "v2.20 or newer" in text
        assert "telepresence.io/docs/install" in text
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen.query_one(TelepresencePane), TelepresencePane)
        await pilot.press("escape")
        await pilot.pause()
        assert not app.screen.query(TelepresencePane), "escape still goes back"


async def test_incompatible_version_says_which(fake: FakeTelepresence) -> None:
    fake.configure(version="2.14.1")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_pane(pilot)
        assert "v2.14.1 is too old" in notice(pane) and "v2.20.0" in notice(pane)


async def test_daemon_hang_times_out_then_recovers(fake: FakeTelepresence) -> None:
    fake.connect_now()
    fake.hang("status", 3600)
    app = make_app(timeout=1)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_pane(pilot)
        await wait_until(pilot, lambda: "did not answer within 1s" in notice(pane),
                         what=lambda: "timeout shown: " + _debug(pilot))
        assert "quit -s" in notice(pane)
        fake.clear_faults()
        await pilot.press("r")
        await wait_until(pilot, lambda: "echo-server" in cells(pane),
                         what=lambda: "recovered after r: " + _debug(pilot))
        assert notice(pane) == ""


async def test_cancel_a_hung_connect(fake: FakeTelepresence) -> None:
    fake.hang("connect", 3600)
    app = make_app(timeout=600)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_pane(pilot)
        await pilot.press("c")
        await wait_until(pilot, lambda: bool(app.screen.query("#namespace")),
                         what=lambda: "form: " + _debug(pilot))
        await pilot.press("enter")
        await confirm(pilot)
        await wait_until(pilot, lambda: pane.busy == "connect",
                         what=lambda: "running: " + _debug(pilot))
        assert "running: telepresence connect" in status_text(pane)
        await pilot.press("ctrl+x")
        await wait_until(pilot, lambda: pane.busy == "",
                         what=lambda: "cancelled: " + _debug(pilot))
        assert "cancelled" in notice(pane)
    assert audit.read()[-1]["result"] == "failed"


async def test_read_only_disables_actions(fake: FakeTelepresence) -> None:
    fake.connect_now()
    app = make_app(read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_pane(pilot)
        assert "READ-ONLY" in status_text(pane)
        await pilot.press("X")
        await pilot.pause()
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert fake.state()["connected"], "quit did not run"


def _debug(pilot: Pilot) -> str:
    """What the pane shows, for a failed wait's message."""
    panes = pilot.app.screen.query(TelepresencePane) or pilot.app.query(TelepresencePane)
    screen = type(pilot.app.screen).__name__
    if not panes:
        return f"screen={screen}"
    pane = panes.first()
    return f"screen={screen} notice={notice(pane)!r} log={log_text(pane)!r}"


async def test_narrow_terminal_shows_hidden_columns_of_the_selected_row(
        fake: FakeTelepresence) -> None:
    """At 80 columns Kind and Note leave the table; the selected row's show below it, so
    why a workload cannot be intercepted is still there."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_pane(pilot)
        await connect(pilot, pane)
        await wait_until(pilot, lambda: "legacy-batch" in cells(pane),
                         what=lambda: "listed: " + _debug(pilot))
        table = pane.query_one("#tp-workloads", DataTable)
        assert "Note" not in [str(c.label) for c in table.columns.values()]
        await select_row(pilot, pane, "legacy-batch")
        detail = str(pane.query_one("#tp-detail", Static).render())
        assert detail.startswith("Kind: ") and "Note: " in detail
        assert pane.query_one("#tp-detail").has_class("shown")
        await pilot.resize_terminal(120, 40)
        await wait_until(pilot, lambda: "Note" in [str(c.label) for c in table.columns.values()],
                         what=lambda: "wide columns: " + _debug(pilot))
        assert not pane.query_one("#tp-detail").has_class("shown")
