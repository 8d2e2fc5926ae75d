"""The certificate table's own rendering over hostile strings (issue #15): every cell is
cleaned (ESC shown as ␛, never sent) and cut by terminal cells, so columns stay aligned
after Hangul and no line is longer than the view."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rich.cells import cell_len
from textual.app import App, ComposeResult

from k8s_essentials_tui.plugins.cert_manager.model import KIND_CERT, CertRow, Thresholds
from k8s_essentials_tui.plugins.cert_manager.table import CertTable
from testkit import hostile

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def row(i: int, name: str, dns: str, issuer: str = "Issuer/ca",
        problems: list[str] | None = None) -> CertRow:
    return CertRow(key=f"k{i}", kind=KIND_CERT, namespace=name[:20], name=name,
                   dns_names=(dns,), not_after=NOW + timedelta(days=40 + i), issuer=issuer,
                   problems=problems or [])


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield CertTable(now=NOW, thresholds=Thresholds())


async def test_render_line_cleans_and_aligns_hostile_cells() -> None:
    rows = [row(0, "plain-name", "plain.example")]
    rows += [row(i + 1, nasty, nasty, issuer=f"Issuer/{nasty}",
                 problems=[f"bad {nasty}"] if i % 2 else None)
             for i, nasty in enumerate(hostile.NASTY)]
    rows.append(row(99, hostile.HANGUL * 3, hostile.HANGUL * 4, issuer=hostile.HANGUL))
    app = TableApp()
    async with app.run_test(size=(140, 30)) as pilot:
        table = app.query_one(CertTable)
        table.set_rows(rows, NOW)
        await pilot.pause()
        width = table.scrollable_content_region.width
        lines = [table.render_line(y) for y in range(len(rows) + 1)]
        texts = [strip.text for strip in lines]
        hostile.assert_clean(texts, " (cert table)")
        assert all(strip.cell_length == width for strip in lines)
        assert all(cell_len(t) == width for t in texts)
        joined = "\n".join(texts)
        assert "␛]0;pwned" in joined and "[/]x" in joined
        # the EXPIRES column starts at the same cell in every row (Hangul takes 2 cells)
        header = texts[0]
        at = cell_len(header[:header.index("EXPIRES")])
        for i, r in enumerate(rows, start=1):
            line = texts[i]
            expires = r.not_after.strftime("%Y-%m-%d") if r.not_after else "-"
            assert cell_len(line[:line.index(expires)]) == at, line
