"""Pilot-driven tests of the app shell: start-up without a cluster, unreachable clusters,
help, context switching, read-only, the confirm -> run -> audit path and the palette."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import yaml
from textual.widgets import DataTable, Input, Static

from k8s_essentials_tui import audit
from k8s_essentials_tui.actions import Mutation, Permission
from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.kube.resources import rt
from k8s_essentials_tui.screens.confirm import ConfirmScreen
from k8s_essentials_tui.screens.help import HelpScreen
from k8s_essentials_tui.widgets.board import Board
from testkit.wait import wait_until
from tests.conftest import record_cell_updates

CONFIGMAPS = rt("v1", "configmaps", "ConfigMap")


def notice_text(app: EssentialsApp) -> str:
    return str(app.screen.query_one("#notice", Static).render())


async def test_starts_without_kubeconfig_and_explains(tmp_path: Path,
                                                      monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.kube/config
    app = EssentialsApp(StartOptions())
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.connection_error is not None)
        # the board's notice follows the connection's message (a frame later under load)
        await wait_until(pilot, lambda: "no kubeconfig found" in notice_text(app))
        text = notice_text(app)
        assert "no kubeconfig found" in text and "scripts/demo" in text
        assert app.connection_state == "no kubeconfig"
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert app.is_running


async def test_unreachable_cluster_keeps_running_and_retries(kubeconfig: str,
                                                             tmp_path: Path) -> None:
    data = yaml.safe_load(Path(kubeconfig).read_text())
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data["clusters"][0]["cluster"]["server"] = f"https://127.0.0.1:{port}"
    bad = tmp_path / "kubeconfig"
    bad.write_text(yaml.safe_dump(data))
    app = EssentialsApp(StartOptions(kubeconfig=str(bad)))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.connection_error is not None)
        assert "cannot reach the apiserver" in notice_text(app)
        assert app.connection_state == "disconnected"
        # fix the kubeconfig and retry with r: the app connects without a restart
        bad.write_text(Path(kubeconfig).read_text())
        await pilot.press("r")
        await wait_until(pilot, lambda: app.session is not None)
        assert not app.screen.query_one("#notice").display or "shown" not in \
            app.screen.query_one("#notice").classes


async def test_board_reads_the_cluster_and_opens_a_pane(kubeconfig: str) -> None:
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig))
    async with app.run_test(size=(120, 40)) as pilot:
        board = app.screen.query_one(Board)
        await wait_until(pilot, lambda: board.snapshot is not None)
        table = board.query_one(DataTable)
        assert table.row_count == 13
        assert "areas covered" in str(board.query_one("#summary", Static).render())
        await pilot.press("enter")
        assert type(app.screen).__name__ == "ComponentScreen"
        await pilot.press("escape")
        assert app.screen.query_one(Board) is board


async def test_board_refresh_touches_only_changed_cells(kubeconfig: str) -> None:
    """A refresh that changes nothing updates no cell (each update re-measures a column);
    one changed detection updates that row's changed cells and shows the new text."""
    from k8s_essentials_tui.plugin import Detection

    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig))
    async with app.run_test(size=(120, 40)) as pilot:
        board = app.screen.query_one(Board)
        await wait_until(pilot, lambda: board.snapshot is not None)
        # a cache that synced during the first build schedules one more rebuild (which
        # would put the real detections back): wait until none is pending or running
        await wait_until(pilot, lambda: not app.detection.busy)
        table = board.query_one(DataTable)
        updated = record_cell_updates(table)
        board.render_rows()
        assert updated == []
        app.detections = {**app.detections,
                          "velero": Detection(installed=True, namespace="velero",
                                              version="v9.9.9", healthy=False,
                                              problems=["made up"])}
        board.render_rows()
        # checked at once: a rebuild from a watch event (the shared cluster changes under
        # other tests) may put the real detections back during a pause
        assert {r for r, _c, _w in updated} == {"backup"}
        assert {c for _r, c, _w in updated} >= {"state", "version", "problems"}
        assert "v9.9.9" in [str(c) for c in table.get_row("backup")]


async def test_help_lists_bindings_of_the_screen() -> None:
    app = EssentialsApp(StartOptions(connect=False))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        keys = {(k, d) for k, d, _w in help_screen.rows}
        descriptions = {d for _k, d in keys}
        assert {"Help", "Commands", "Contexts", "Refresh", "Install", "Open"} <= descriptions


async def test_context_picker_switches_context(kubeconfig: str, limited_kubeconfig: str,
                                               tmp_path: Path) -> None:
    merged = yaml.safe_load(Path(kubeconfig).read_text())
    limited = yaml.safe_load(Path(limited_kubeconfig).read_text())
    merged["contexts"] += [c for c in limited["contexts"]
                           if c["name"] not in {x["name"] for x in merged["contexts"]}]
    merged["users"] += limited["users"]
    merged["clusters"] += [c for c in limited["clusters"]
                           if c["name"] not in {x["name"] for x in merged["clusters"]}]
    path = tmp_path / "merged"
    path.write_text(yaml.safe_dump(merged))
    other = next(c["name"] for c in merged["contexts"] if c["name"] != merged["current-context"])
    app = EssentialsApp(StartOptions(kubeconfig=str(path)))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        await pilot.press("C")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ContextPickerScreen")
        await pilot.press("j", "enter")
        await wait_until(pilot, lambda: app.session is not None and app.session.context == other)


def _configmap_mutation(session, namespace: str, name: str) -> Mutation:  # type: ignore[no-untyped-def]
    async def run() -> str:
        await session.client.create(CONFIGMAPS, {"apiVersion": "v1", "kind": "ConfigMap",
                                                 "metadata": {"name": name}}, namespace)
        return f"configmap/{name} created"

    return Mutation(action="test.configmap.create", title=f"Create configmap {name}",
                    command=f"kubectl create configmap {name} -n {namespace}", run=run,
                    permissions=[Permission("create", CONFIGMAPS, namespace)])


async def test_mutation_confirm_run_and_audit(kubeconfig: str, namespace: str,
                                              kube_admin) -> None:  # type: ignore[no-untyped-def]
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        results: list[tuple[bool, str | None]] = []
        app.start_mutation(_configmap_mutation(app.session, namespace, "made-by-tui"),
                           lambda ok, msg: results.append((ok, msg)))
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.pause()
        assert f"kubectl create configmap made-by-tui -n {namespace}" in \
            str(app.screen.query_one("#command").render())
        await pilot.press("y")
        await wait_until(pilot, lambda: bool(results))
    assert results == [(True, "configmap/made-by-tui created")]
    assert kube_admin.get("v1", "ConfigMap", "made-by-tui", namespace)
    entry = audit.read()[-1]
    assert entry["result"] == "ok" and entry["command"].startswith("kubectl create configmap")
    assert entry["context"] == "devcluster"


async def test_typed_confirmation_and_cancel(kubeconfig: str, namespace: str) -> None:
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        m = _configmap_mutation(app.session, namespace, "typed")
        m.typed_confirmation = "typed"
        results: list[tuple[bool, str | None]] = []
        app.start_mutation(m, lambda ok, msg: results.append((ok, msg)))
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.pause()
        assert app.screen.query_one("#confirm").disabled
        app.screen.query_one("#typed", Input).value = "typo"
        await pilot.pause()
        assert app.screen.query_one("#confirm").disabled
        await pilot.press("escape")
        await wait_until(pilot, lambda: bool(results))
    assert results == [(False, "cancelled")]
    assert audit.read()[-1]["result"] == "cancelled"


async def test_read_only_refuses_mutations(kubeconfig: str, namespace: str) -> None:
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, read_only=True))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        ok, msg = await app.perform(_configmap_mutation(app.session, namespace, "nope"))
        assert not ok and msg and msg.startswith("read-only mode")
        assert "READ-ONLY" in str(app.screen.query_one("StatusBar").render())


async def test_rbac_denied_mutation_says_why(limited_kubeconfig: str, namespace: str) -> None:
    app = EssentialsApp(StartOptions(kubeconfig=limited_kubeconfig))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        ok, msg = await app.perform(_configmap_mutation(app.session, namespace, "nope"))
        assert not ok and msg == f"forbidden: cannot create configmaps in {namespace}"
        assert not isinstance(app.screen, ConfirmScreen)


async def test_command_palette_opens_with_colon() -> None:
    app = EssentialsApp(StartOptions(connect=False))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("colon")
        await pilot.pause()
        from textual.command import CommandPalette

        assert isinstance(app.screen, CommandPalette)


async def test_bad_config_file_is_reported_not_fatal(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text('thme = "dark"\n')
    app = EssentialsApp(StartOptions(connect=False, config=str(cfg)))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "unknown key thme" in app.config_error
        assert any("unknown key thme" in str(n.message) for n in app._notifications)


async def test_install_key_opens_the_install_screen(kubeconfig: str) -> None:
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig))
    async with app.run_test(size=(120, 40)) as pilot:
        board = app.screen.query_one(Board)
        await wait_until(pilot, lambda: board.snapshot is not None)
        await pilot.press("i")  # first row: ingress
        await wait_until(pilot, lambda: type(app.screen).__name__ == "InstallScreen")
        # a maintained controller, not ingress-nginx (retired upstream, #18)
        assert app.screen.plugin.id == "envoy-gateway"


async def test_install_key_is_disabled_read_only(kubeconfig: str) -> None:
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, read_only=True))
    async with app.run_test(size=(120, 40)) as pilot:
        board = app.screen.query_one(Board)
        await wait_until(pilot, lambda: board.snapshot is not None)
        await pilot.press("i")
        await pilot.pause()
        assert type(app.screen).__name__ == "MainScreen"
        assert any("read-only mode" in str(n.message) for n in app._notifications)


async def test_a_failing_background_task_does_not_kill_the_app() -> None:
    app = EssentialsApp(StartOptions(connect=False))
    async with app.run_test(size=(80, 24)) as pilot:

        async def broken() -> None:
            raise KeyError("status")

        app.screen.run_worker(broken())  # exit_on_error=True, like every @work default
        await pilot.pause(0.2)
        assert app.is_running
        assert any("KeyError" in str(n.message) for n in app._notifications)


async def test_palette_offers_the_open_panes_actions() -> None:
    app = EssentialsApp(StartOptions(connect=False))
    async with app.run_test(size=(120, 40)) as pilot:
        app.open_plugin("velero")
        await pilot.pause(0.2)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Velero: Create backup" in titles and "Velero: Delete backup" in titles
        app.open_plugin("telepresence")
        await pilot.pause(0.2)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Telepresence: connect" in titles
        assert "Open cert-manager" in titles  # the global entries stay


async def test_palette_pane_action_presses_its_key(kubeconfig: str) -> None:
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        app.open_plugin("velero")
        await pilot.pause(0.5)
        cmd = next(c for c in app.get_system_commands(app.screen)
                   if c.title == "Velero: Create backup")
        cmd.callback()
        await wait_until(pilot, lambda: type(app.screen).__name__ == "CreateBackupScreen")


async def test_board_says_reconnecting_while_the_apiserver_restarts(
        control_plane, kubeconfig: str) -> None:  # type: ignore[no-untyped-def]
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig))
    async with app.run_test(size=(120, 40)) as pilot:
        board = app.screen.query_one(Board)
        await wait_until(pilot, lambda: board.snapshot is not None)
        await asyncio.to_thread(control_plane.stop_apiserver)
        try:
            await wait_until(pilot, lambda: app.connection_state == "reconnecting", timeout=60)
            notes = str(board.query_one("#notes", Static).render())
            assert "cannot reach the apiserver" in notes
            assert board.query_one(DataTable).row_count == 13  # last known rows stay
        finally:
            await asyncio.to_thread(control_plane.start_apiserver)
        await wait_until(pilot, lambda: app.connection_state == "connected", timeout=90)
        await wait_until(pilot, lambda: not board.query_one("#notes").display, timeout=30)


async def test_i_in_a_summary_pane_opens_install(kubeconfig: str) -> None:
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        app.open_plugin("external-dns")
        await pilot.pause(0.3)
        await pilot.press("i")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "InstallScreen")
        assert app.screen.plugin.id == "external-dns"


async def test_o_in_a_components_own_pane_shows_its_overview(kubeconfig: str) -> None:
    """cert-manager's pane lists certificates; ``o`` shows what runs it (workloads, release,
    webhooks), escape goes back to the certificates. No ``o`` where the overview is shown."""
    from k8s_essentials_tui.widgets.summary import ComponentSummary

    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        app.open_plugin("cert-manager")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ComponentScreen")
        own = app.screen
        assert not own.query(ComponentSummary)
        await pilot.press("o")
        await wait_until(pilot, lambda: bool(app.screen.query(ComponentSummary)))
        assert app.screen.query_one(ComponentSummary).plugin.id == "cert-manager"
        assert app.screen.check_action("overview", ()) is False
        await pilot.press("escape")
        assert app.screen is own
        app.open_plugin("fluent-bit")  # no pane of its own: the overview, no "o"
        await wait_until(pilot, lambda: bool(app.screen.query(ComponentSummary)))
        assert app.screen.check_action("overview", ()) is False


async def test_config_table_of_no_plugin_is_a_warning_not_a_rejection(tmp_path: Path) -> None:
    """A [table] only a plugin installed elsewhere knows: the file still applies, and the
    operator is told once which table was ignored."""
    config = tmp_path / "config.toml"
    config.write_text('theme = "light"\n[argo-rollouts]\nnamespace = "x"\n')
    app = EssentialsApp(StartOptions(config=str(config), connect=False))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: bool(app._notifications))
        texts = [str(n.message) for n in app._notifications]
        assert any("[argo-rollouts] is not a table of any installed plugin" in t for t in texts)
        assert app.settings["theme"] == "light" and not app.config_error
