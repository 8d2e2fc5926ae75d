"""The alerts table's rows as the first answer's thread makes them (``alert_rows`` +
``table_data``, plugins/monitoring/pane.py): the cells a user sees, the summary kept whole
and cut by the table when painted, the narrow columns, the filter."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from textual.app import App, ComposeResult

from k8s_essentials_tui.api import VirtualTable, table_data
from k8s_essentials_tui.plugins.monitoring import model
from k8s_essentials_tui.plugins.monitoring.pane import ALERT_CAPS, TABLES, _caps, alert_rows
from testkit.hostile import assert_screen_clean

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
LONG = "the checkout service answers 5xx to more than five percent of requests " * 3


def _alert(name: str, severity: str, namespace: str, minutes: int, summary: str,
           state: str = "active", silenced: tuple[str, ...] = ()) -> model.Alert:
    return model.Alert({"alertname": name, "severity": severity, "namespace": namespace},
                       {"summary": summary}, NOW - timedelta(minutes=minutes), None,
                       f"{name}{minutes}", ("default",), state, silenced)


GROUPS = model.group_alerts([
    _alert("CheckoutErrors", "critical", "shop", 5, "newer"),
    _alert("CheckoutErrors", "critical", "shop", 90, LONG),  # the oldest: the group's first
    _alert("DiskFilling", "warning", "", 61, "disk", "suppressed", ("s1",)),
    _alert("Quiet", "", "ops", 0, "결제 \x1b]52;c;eA==\x07 warning"),
])


def test_rows_cells_and_the_narrow_columns() -> None:
    wide = TABLES["alerts"].names
    rows = alert_rows(GROUPS, NOW, "", wide)
    assert [key for key, _cells in rows] == ["CheckoutErrors\x00critical\x00shop",
                                             "Quiet\x00\x00ops",
                                             "DiskFilling\x00warning\x00"]
    first = rows[0][1]
    # the status is a Styled (value, style) cell: painted red without a Text per row
    assert (tuple(first[0]), first[1:6]) == (("firing", "bold red"), [
        "critical", "CheckoutErrors", "shop", "2", "1h"])
    assert first[6] == LONG  # whole: the table cuts it when painting (ALERT_CAPS)
    assert rows[2][1][1:6] == ["warning", "DiskFilling", "-", "1", "1h"]
    assert rows[2][1][0] == ("silenced", "dim")
    narrow = TABLES["alerts"].narrow
    assert [len(cells) for _key, cells in alert_rows(GROUPS, NOW, "", narrow)] == [6] * 3
    assert [key for key, _cells in alert_rows(GROUPS, NOW, "DISK", wide)] == [
        "DiskFilling\x00warning\x00"]
    assert [key for key, _c in alert_rows(GROUPS, NOW, "five percent", wide)] == [
        "CheckoutErrors\x00critical\x00shop"]


class _Table(App[None]):
    def compose(self) -> ComposeResult:
        yield VirtualTable(id="alerts")


async def test_rows_made_in_a_thread_paint_cut_and_clean() -> None:
    """As the pane's first answer: rows and table data made in another thread, handed to
    the table on the loop; the summary column is 60 cells wide, the long one ends in "…",
    a hostile summary is cleaned."""
    shown = TABLES["alerts"].names
    made: list[object] = []
    thread = threading.Thread(target=lambda: made.append(table_data(
        shown, alert_rows(GROUPS, NOW, "", shown), max_widths=_caps(shown, ALERT_CAPS))))
    thread.start()
    thread.join()
    app = _Table()
    async with app.run_test(size=(160, 10)) as pilot:
        table = app.query_one(VirtualTable)
        table.set_table_data(made[0])  # type: ignore[arg-type]
        await pilot.pause()
        assert table.row_count == 3 and table.widths[-1] == ALERT_CAPS["SUMMARY"]
        line = table.render_line(1).text
        assert LONG[:40] in line and "…" in line and LONG[:70] not in line
        assert "\x1b" not in table.render_line(2).text
        assert_screen_clean(app)
