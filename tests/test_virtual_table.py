"""The shared virtualised table (api ``VirtualTable``): keys, messages, cursor by key, and
hostile cells, driven through a Pilot."""

from __future__ import annotations

from textual.app import App, ComposeResult

from k8s_essentials_tui.api import VirtualTable
from testkit.hostile import NASTY, assert_screen_clean, painted_links


class TableApp(App[None]):
    def __init__(self, *, select_on_enter: bool) -> None:
        super().__init__()
        self.select_on_enter = select_on_enter
        self.highlighted: list[str | None] = []
        self.selected: list[str | None] = []
        self.pane_enter = 0

    BINDINGS = [("enter", "pane_enter", "pane")]

    def compose(self) -> ComposeResult:
        yield VirtualTable(select_on_enter=self.select_on_enter, id="t")

    def action_pane_enter(self) -> None:
        self.pane_enter += 1

    def on_virtual_table_highlighted(self, event: VirtualTable.Highlighted) -> None:
        if not isinstance(event, VirtualTable.Selected):
            self.highlighted.append(event.key)

    def on_virtual_table_selected(self, event: VirtualTable.Selected) -> None:
        self.selected.append(event.key)


def rows(n: int) -> list[tuple[str, list[object]]]:
    return [(f"k{i}", [f"name-{i}", i]) for i in range(n)]


async def test_keys_move_the_cursor_and_post_messages() -> None:
    app = TableApp(select_on_enter=True)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(VirtualTable)
        table.set_data(("NAME", "N"), rows(5000))
        table.focus()
        await pilot.press("j", "j", "k")
        assert table.cursor_row == 1
        await pilot.press("G")
        assert table.selected_key() == "k4999"
        await pilot.press("g", "ctrl+f")
        assert table.cursor_row == 23  # one page: 24 lines less the header
        await pilot.press("enter")
        await pilot.pause()
        assert app.selected == ["k23"] and app.pane_enter == 0
        assert app.highlighted[:3] == ["k1", "k2", "k1"]


async def test_enter_goes_to_the_pane_unless_asked_for() -> None:
    app = TableApp(select_on_enter=False)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(VirtualTable)
        table.set_data(("NAME", "N"), rows(3))
        table.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert app.pane_enter == 1 and app.selected == []


async def test_cursor_follows_its_key_across_new_data() -> None:
    app = TableApp(select_on_enter=False)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(VirtualTable)
        table.set_data(("NAME", "N"), rows(10))
        table.focus()
        await pilot.press("j", "j", "j")
        assert table.selected_key() == "k3"
        table.set_data(("NAME", "N"), [r for r in rows(10) if r[0] != "k1"])  # a deletion
        assert table.selected_key() == "k3" and table.cursor_row == 2


async def test_hostile_cells_are_painted_clean() -> None:
    app = TableApp(select_on_enter=False)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(VirtualTable)
        table.set_data(("NAME", "NOTE"), [(f"k{i}", [s, s]) for i, s in enumerate(NASTY)])
        await pilot.pause()
        assert_screen_clean(app)
        assert painted_links(app) == []


async def test_styled_cells_are_cleaned_capped_and_painted_late() -> None:
    """``Styled(value, style)`` keeps a value and its style until the row is painted; a
    hostile value is cleaned on the way in, and ``max_widths`` cuts a column by cells
    with an ellipsis (a Hangul name counts two cells per syllable)."""
    from k8s_essentials_tui.api import Styled

    app = TableApp(select_on_enter=False)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(VirtualTable)
        table.set_data(("NAME", "STATE"), [
            ("a", [Styled("결제-서비스-운영-환경-이름", "red"), Styled(NASTY[0], "bold")]),
            ("b", ["plain", "ok"])], max_widths=(10, 40))
        await pilot.pause()
        assert table.widths[0] == 10
        name, state = table.get_row_at(0)
        assert str(name.style) == "red" and str(state.style) == "bold"
        assert "\x1b" not in state.plain
        line = table.render_line(1).text
        assert "결제-서비" in line and "…" in line and "운영" not in line
        assert_screen_clean(app)


async def test_a_cells_own_style_is_painted_over_the_rows() -> None:
    """A ``Styled`` cell's style and a ``Text`` cell's base style reach the terminal,
    laid over the row's (cursor) style. Rich's ``Text.render`` leaves a span-less
    ``Text``'s base style out: before this test, ``Text("firing", style="bold red")``
    and every ``Styled`` cell were painted in the plain row colour. Plain and styled
    cells are cut and padded exactly as a ``Text`` cell is (same line text)."""
    from rich.style import Style
    from rich.text import Text
    from textual.strip import Strip

    from k8s_essentials_tui.api import Styled

    def styles(strip: Strip, word: str) -> list[Style]:
        return [seg.style or Style() for seg in strip if word in seg.text]

    app = TableApp(select_on_enter=False)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(VirtualTable)
        long = "결제-서비스-운영-환경-이름-아주-긴-값"
        table.set_data(("STATE", "NAME", "NOTE"), [
            ("a", [Text("firing", style="bold red"), Styled(long, "green"), "plain-a"]),
            ("b", [Text.assemble(("warn", "yellow")), Styled("x", "dim"), "plain-b"]),
            ("c", [Text("ok"), long, Text(long)])], max_widths=(10, 12, 12))
        await pilot.pause()
        table.focus()
        await pilot.pause()
        cursor = table.render_line(1)  # the cursor row: its background under the cell style
        (firing,) = styles(cursor, "firing")
        assert firing.color is not None and firing.color.name == "red" and firing.bold
        assert firing.bgcolor is not None  # the cursor's background is kept
        (green,) = styles(cursor, "결제")
        assert green.color is not None and green.color.name == "green"
        (plain,) = styles(cursor, "plain-a")
        assert plain.color is None or plain.color.name != "red"
        (warn,) = styles(table.render_line(2), "warn")
        assert warn.color is not None and warn.color.name == "yellow"
        # a plain cell and a Text cell of the same value are cut alike (by cells, with …)
        line = table.render_line(3).text
        assert line.count("결제-서비스…") == 2
        assert_screen_clean(app)


async def test_table_data_made_elsewhere_paints_as_set_data() -> None:
    """``table_data`` (pure: a pane runs it in its fetching thread) + ``set_table_data``
    paint what ``set_data`` paints, hostile cells cleaned and caps applied; the cursor
    stays on its key across the new data."""
    from k8s_essentials_tui.api import Styled, table_data

    data = [(f"k{i}", [s, Styled(s, "red"), i]) for i, s in enumerate(NASTY)]
    app = TableApp(select_on_enter=False)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(VirtualTable)
        table.set_data(("A", "B", "N"), data, max_widths=(12, 30, 5))
        await pilot.pause()
        painted = [table.render_line(y).text for y in range(len(data) + 1)]
        widths = list(table.widths)
        table.move_cursor(3)
        table.set_table_data(table_data(("A", "B", "N"), data[2:], max_widths=(12, 30, 5)))
        await pilot.pause()
        assert table.selected_key() == "k3" and table.cursor_row == 1
        table.set_table_data(table_data(("A", "B", "N"), data, max_widths=(12, 30, 5)))
        await pilot.pause()
        assert table.widths == widths and table.widths[0] == 12
        assert [table.render_line(y).text for y in range(len(data) + 1)] == painted
        assert_screen_clean(app)


async def test_new_rows_are_painted_on_the_next_loop_turn_not_the_next_tick() -> None:
    """``set_data`` paints on the loop's next turn (widgets/frame.py): with the screen's
    update timer held, the rows still reach the compositor within two turns."""
    import asyncio

    app = TableApp(select_on_enter=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.query_one(VirtualTable)
        painted: list[int] = []
        real = table.render_line

        def render_line(y: int) -> object:
            painted.append(table.row_count)
            return real(y)

        table.render_line = render_line  # type: ignore[method-assign]
        screen = app.screen
        screen._update_timer.pause()
        hold = screen._update_timer.resume
        screen._update_timer.resume = lambda: None  # type: ignore[method-assign]
        try:
            table.set_data(("NAME", "N"), rows(3))
            for _ in range(2):
                await asyncio.sleep(0)
            assert 3 in painted
        finally:
            screen._update_timer.resume = hold  # type: ignore[method-assign]


async def test_paint_soon_off_screen_or_off_loop_does_nothing() -> None:
    from k8s_essentials_tui.widgets.frame import paint_soon

    paint_soon(VirtualTable())  # not mounted, no loop: no error
    app = TableApp(select_on_enter=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        paint_soon(VirtualTable())  # not mounted: no error
        await pilot.pause()


async def test_a_hostile_column_name_is_painted_clean() -> None:
    """The header goes through the same boundary as the cells (a column named after a
    label key is cluster text)."""
    app = TableApp(select_on_enter=False)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(VirtualTable)
        table.set_data((NASTY[0], "이름"), [("a", ["x", "y"])])
        await pilot.pause()
        assert "\x1b" not in "".join(table.columns)
        assert table.widths[1] == 4  # two Hangul syllables: four cells
        assert_screen_clean(app)
