"""The keyboard model of the core screens, driven by keys at 80x24 and 120x40 (issue #17):
escape never edits or focuses a field, the board re-lays out on resize both ways, help
scrolls and speaks the screen's words, ``:`` aliases, the namespace picker, ``/`` on the
board, ``ctrl+a``, palette entries that survive a remapped key."""

from __future__ import annotations

import re

import pytest
from textual.command import CommandPalette
from textual.widgets import DataTable, Input, Static, TextArea

from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.screens.help import HelpScreen
from k8s_essentials_tui.settings import Settings
from k8s_essentials_tui.widgets.board import Board
from testkit.hostile import painted_text
from testkit.wait import wait_until

SIZES = [(80, 24), (120, 40)]


def offline() -> EssentialsApp:
    return EssentialsApp(StartOptions(connect=False))


async def palette(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    """``:`` then ``text``, wait for the hits, enter: as an operator types it."""
    app = pilot.app
    await pilot.press("colon")
    await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
    await pilot.press(*text)
    await pilot.pause(0.5)  # the providers answer in the background
    await pilot.press("enter")
    await pilot.pause(0.2)


# -- 2. escape never edits or focuses a field ----------------------------------------------

@pytest.mark.parametrize("size", SIZES)
async def test_escape_on_install_screen_leaves_the_field_then_goes_back(size) -> None:  # type: ignore[no-untyped-def]
    app = offline()
    async with app.run_test(size=size) as pilot:
        await pilot.press("i")  # first row: ingress
        await wait_until(pilot, lambda: type(app.screen).__name__ == "InstallScreen")
        screen = app.screen
        repo = screen.query_one("#repo", Input).value
        assert repo and isinstance(app.focused, TextArea)
        await pilot.press("escape")
        assert app.screen is screen
        assert not isinstance(app.focused, (Input, TextArea))
        await pilot.press("x")  # must not land in (and overwrite) the repo URL
        assert screen.query_one("#repo", Input).value == repo
        await pilot.press("escape")
        assert app.screen is not screen and isinstance(app.screen.query_one(Board), Board)


@pytest.mark.parametrize("size", SIZES)
async def test_escape_on_the_board_leaves_the_filter_then_clears_it(size) -> None:  # type: ignore[no-untyped-def]
    app = offline()
    async with app.run_test(size=size) as pilot:
        board = app.screen.query_one(Board)
        table = board.query_one(DataTable)
        assert table.row_count == 13
        await pilot.press("slash", *"cert")
        await pilot.pause()
        assert table.row_count == 1  # / filters the board
        assert "Certificates" in str(table.get_row_at(0)[0])
        await pilot.press("escape")  # leaves the box, keeps the filter
        assert app.focused is table and table.row_count == 1
        await pilot.press("escape")  # clears the filter
        assert table.row_count == 13
        assert not board.query_one("#board-filter", Input).value


@pytest.mark.parametrize("size", SIZES)
async def test_escape_in_a_pane_filter_leaves_clears_then_goes_back(size) -> None:  # type: ignore[no-untyped-def]
    app = offline()
    async with app.run_test(size=size) as pilot:
        await palette(pilot, "helm")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ComponentScreen")
        pane_screen = app.screen
        await pilot.press("slash", *"web")
        box = pane_screen.query_one("#filter", Input)
        assert box.has_focus and box.value == "web"
        await pilot.press("escape")
        assert app.screen is pane_screen and not box.has_focus and box.value == "web"
        await pilot.press("escape")
        assert app.screen is pane_screen and box.value == ""
        await pilot.press("escape")
        assert app.screen is not pane_screen
        assert app.screen.query_one(Board)


# -- 3. resize -------------------------------------------------------------------------------

def _board_lines(app: EssentialsApp) -> str:
    return "\n".join(painted_text(app))


async def test_board_relayouts_on_resize_both_ways() -> None:
    from k8s_essentials_tui.plugin import Detection

    app = offline()
    async with app.run_test(size=(80, 24)) as pilot:
        board = app.screen.query_one(Board)
        table = board.query_one(DataTable)
        # what a connected board shows (set up directly: no cluster needed for layout)
        app.detections = {p.id: Detection(installed=True, namespace=f"{p.id}-system",
                                          version="v1.2.3", healthy=True,
                                          problems=["a problem long enough to be cut"])
                          for p in app.registry.ordered()}
        board.render_rows()
        await pilot.pause()
        for size in ((120, 40), (80, 24), (120, 40)):
            await pilot.resize_terminal(*size)
            await pilot.pause(0.3)
            text = _board_lines(app)
            wide = size[0] >= 110
            assert ("namespace" in [str(c.label) for c in table.columns.values()]) is wide
            # every component "installed": the area's row shows its first catalog entry
            for cell in ("Ingress ", "Envoy Gateway ", "Local development ", "a problem"):
                assert cell in text, (size, cell)
            if wide:
                assert "cert-manager-system " in text and "v1.2.3 " in text
            assert table.virtual_size.width <= table.size.width  # no horizontal scrollbar


# -- 4. help ---------------------------------------------------------------------------------

@pytest.mark.parametrize("size", SIZES)
async def test_help_groups_by_human_names_and_lists_each_key_once(size) -> None:  # type: ignore[no-untyped-def]
    app = offline()
    async with app.run_test(size=size) as pilot:
        await pilot.press("question_mark")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        groups = {r.group for r in help_screen.rows}
        assert {"Board table", "Board", "Everywhere"} <= groups
        for group in groups:  # no class names (CertTable, VeleroPane, DataTable)
            assert not re.fullmatch(r"(?:[A-Z][a-z]+){2,}", group), group
        keys = [k for r in help_screen.rows for k in r.key.split()]
        assert keys.count("^c") == 1 and len(keys) == len(set(keys))
        assert not {"tab", "shift+tab"} & set(keys)  # Textual's own focus keys
        descriptions = {r.description for r in help_screen.rows}
        assert {"Help", "Filter", "Install", "Open", "Namespace"} <= descriptions
        assert not {"Cursor up", "Cursor down", "Select"} & descriptions  # DataTable's own


async def test_help_opens_from_the_values_editor_with_f1() -> None:
    app = offline()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("i")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "InstallScreen")
        assert isinstance(app.focused, TextArea)
        await pilot.press("f1")  # from inside the editor
        assert isinstance(app.screen, HelpScreen)
        assert "Install / upgrade" in {r.group for r in app.screen.rows}


async def test_help_scrolls_at_80x24() -> None:
    app = offline()
    async with app.run_test(size=(80, 24)) as pilot:
        await palette(pilot, "certs")  # a pane with many keys
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ComponentScreen")
        await pilot.pause(0.3)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count > table.size.height  # more than fits: it must scroll
        await pilot.press("G")
        await pilot.pause()
        assert table.scroll_y > 0
        assert table.cursor_row == table.row_count - 1
        await pilot.press("g")
        await pilot.pause()
        assert table.scroll_y == 0


@pytest.mark.parametrize("size", SIZES)
async def test_f1_opens_help_from_an_input_and_question_mark_types(size) -> None:  # type: ignore[no-untyped-def]
    app = offline()
    async with app.run_test(size=size) as pilot:
        await pilot.press("slash", "a", "question_mark")
        box = app.screen.query_one("#board-filter", Input)
        assert box.value == "a?"  # a query may contain ?: it stays a character
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert box.value == "a?"


async def test_ctrl_a_lists_what_the_screen_can_do_and_runs_it() -> None:
    app = offline()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+a")
        screen = app.screen
        assert isinstance(screen, HelpScreen) and screen.runnable
        table = screen.query_one(DataTable)
        words = {str(table.get_row_at(i)[0]).strip() for i in range(table.row_count)}
        assert {":certs", ":backups", ":logs", ":ns", ":ctx", ":helm"} <= words
        keys = [str(rk.value) for rk in table.rows]
        target = next(k for k, r in zip(keys, (table.get_row_at(i) for i in
                                                range(table.row_count)), strict=True)
                      if str(r[1]) == "Filter")
        for _ in range(keys.index(target)):
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert app.screen.query_one("#board-filter", Input).has_focus


# -- 9. aliases, namespace picker, palette by binding id ---------------------------------------

@pytest.mark.parametrize(("word", "plugin_id"), [("certs", "cert-manager"),
                                                 ("backups", "velero"), ("velero", "velero"),
                                                 ("logs", "loki"), ("helm", "helm"),
                                                 ("releases", "helm")])
async def test_colon_alias_opens_the_pane(word: str, plugin_id: str) -> None:
    app = offline()
    async with app.run_test(size=(80, 24)) as pilot:
        await palette(pilot, word)
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ComponentScreen")
        assert app.screen.plugin.id == plugin_id


async def test_colon_pods_says_where_workloads_are() -> None:
    app = offline()
    async with app.run_test(size=(80, 24)) as pilot:
        await palette(pilot, "pods")
        assert any("no pod view" in (n.title or "") for n in app._notifications)


async def test_colon_ns_opens_the_namespace_picker_and_switches_live(
        kubeconfig: str, namespace: str) -> None:
    from k8s_essentials_tui.screens.namespaces import NamespacePickerScreen
    from k8s_essentials_tui.widgets.status_bar import StatusBar

    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        await palette(pilot, "ns")
        await wait_until(pilot, lambda: isinstance(app.screen, NamespacePickerScreen))
        picker = app.screen
        assert namespace in picker.namespaces and "kube-system" in picker.namespaces
        await pilot.press(*namespace)  # typing filters
        await pilot.pause()
        await pilot.press("enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, NamespacePickerScreen))
        assert app.session is not None and app.session.namespace == namespace
        bar = app.screen.query_one(StatusBar)
        await wait_until(pilot, lambda: bar.namespace == namespace)
        # and the key: N opens it too; escape keeps the namespace
        await pilot.press("N")
        await wait_until(pilot, lambda: isinstance(app.screen, NamespacePickerScreen))
        await pilot.press("escape")
        assert app.session.namespace == namespace


async def test_namespace_switch_reopens_the_open_pane(kubeconfig: str, namespace: str) -> None:
    from k8s_essentials_tui.screens.namespaces import NamespacePickerScreen

    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        await palette(pilot, "releases")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ComponentScreen")
        before = app.screen
        await pilot.press("N")
        await wait_until(pilot, lambda: isinstance(app.screen, NamespacePickerScreen))
        await pilot.press(*namespace, "enter")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ComponentScreen"
                     and app.screen is not before)
        assert app.screen.plugin.id == "helm"
        assert len(app.screen_stack) == 3  # board, pane: nothing left behind


async def test_palette_pane_action_survives_a_remapped_key(kubeconfig: str) -> None:
    settings = Settings()
    settings.keys = {"velero.backup": "B"}
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, settings=settings))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        await palette(pilot, "velero")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ComponentScreen")
        await pilot.pause(0.3)
        await palette(pilot, "Create backup")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "CreateBackupScreen")


# -- 6. install screen text ----------------------------------------------------------------

@pytest.mark.parametrize("size", SIZES)
async def test_failed_preview_shows_the_whole_error_and_says_so(size, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings()
    missing = tmp_path / ("a-very-long-directory-name-" * 3) / "helm"
    settings.values["helm.binary"] = str(missing)
    app = EssentialsApp(StartOptions(connect=False, settings=settings))
    async with app.run_test(size=size) as pilot:
        await pilot.press("i")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "InstallScreen")
        await pilot.press("ctrl+r")
        screen = app.screen
        command = screen.query_one("#command", Static)
        await wait_until(pilot, lambda: "failed" in str(command.render()))
        assert "press ctrl+r to preview" not in str(command.render())
        await pilot.pause()
        painted = re.sub(r"[\s│]", "", "".join(painted_text(app)))
        error = str(list(app._notifications)[-1].message)
        assert "helm.binary" in error
        assert re.sub(r"\s", "", error) in painted  # all of it: wrapped, not cut


async def test_preview_diff_area_is_usable_at_80x24() -> None:
    from k8s_essentials_tui.widgets.helm_diff import DiffView

    app = offline()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("i")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "InstallScreen")
        await pilot.press("escape", "right")  # leave the editor, then to the Preview tab
        await pilot.pause()
        diff = app.screen.query_one(DiffView)
        assert diff.size.height >= 10
        await pilot.press("left")  # back to Values: the form is back
        await pilot.pause()
        assert app.screen.query_one("#repo", Input).region.height > 0


async def test_tables_built_with_columns_py_relayout_on_resize() -> None:
    """The pane tables (Helm releases, Velero, Telepresence) use ``set_columns`` +
    ``fill_rows`` on resize: their rows must not stay drawn at the header's width."""
    from textual import events
    from textual.app import App, ComposeResult
    from textual.containers import Vertical

    from k8s_essentials_tui.widgets.columns import Columns, fill_rows, set_columns

    spec = Columns(("namespace", "name", "status", "chart"), ("name", "status"), wide_at=100)
    rows = [("a", ("team-payments", "payments-gateway", "deployed", "gateway-1.2.3")),
            ("b", ("team-search", "search-indexer-blue", "failed", "indexer-0.9.0"))]

    class Pane(Vertical):
        def compose(self) -> ComposeResult:
            yield DataTable()

        def on_resize(self, event: events.Resize) -> None:
            table = self.query_one(DataTable)
            shown = spec.shown(event.size.width)
            set_columns(table, shown)
            fill_rows(table, [(k, spec.cells(cells, shown)) for k, cells in rows])

    class Tables(App[None]):
        def compose(self) -> ComposeResult:
            yield Pane()

    app = Tables()
    async with app.run_test(size=(80, 24)) as pilot:
        for size in ((120, 40), (80, 24), (120, 40)):
            await pilot.resize_terminal(*size)
            await pilot.pause(0.3)
            text = "\n".join(painted_text(app))
            assert "payments-gateway " in text and "search-indexer-blue " in text, size
            if size[0] >= 100:
                assert "team-payments " in text and "gateway-1.2.3" in text


@pytest.mark.parametrize(("typed", "plugin_id"), [(":backups\r", "velero"),
                                                  (":certs\r", "cert-manager")])
async def test_colon_alias_typed_as_one_burst_opens_the_pane(typed: str, plugin_id: str) -> None:
    """k9s habit: ``:backups⏎`` typed fast (or over SSH, where keys arrive together). The
    palette opens asynchronously: keys that arrived before its input had the focus were
    dropped, and the enter chose whatever fuzzy hit was first (the context picker); keys
    taken by the palette screen and keys taken by its input could also interleave."""
    from textual import events

    app = offline()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: type(app.screen).__name__ == "MainScreen")
        driver = app._driver
        assert driver is not None
        for ch in typed:  # all queued at once, as a terminal delivers them
            key = {":": "colon", "\r": "enter"}.get(ch, ch)
            event = events.Key(key, ch)
            event.set_sender(app)
            driver.send_message(event)
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ComponentScreen")
        assert app.screen.plugin.id == plugin_id


async def test_colon_in_an_input_is_a_character_not_the_palette() -> None:
    """``:`` is a priority binding (for bursts) that steps aside in text fields: YAML values
    and LogQL need the character."""
    app = offline()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_plugin("loki")
        await wait_until(pilot, lambda: isinstance(app.focused, TextArea))
        await pilot.press("a", "colon", "b")
        assert not isinstance(app.screen, CommandPalette)
        assert "a:b" in app.focused.text


async def test_board_table_takes_g_and_G_like_every_table() -> None:
    """``g``/``G`` (first/last row) on the board, as in every pane's table (issue #17)."""
    app = offline()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.screen.query_one(Board).query_one(DataTable).row_count)
        table = app.screen.query_one(Board).query_one(DataTable)
        await pilot.press("G")
        assert table.cursor_row == table.row_count - 1
        await pilot.press("g")
        assert table.cursor_row == 0
