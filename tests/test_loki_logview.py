"""The virtualised log view on its own: compact rows, bounded buffer, stream interning,
incremental wrap index, and the fast cropping path against Textual's own ``crop_extend``."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from rich.segment import Segment
from rich.style import Style
from textual.app import App, ComposeResult
from textual.strip import Strip

from k8s_essentials_tui.plugins.loki.client import parse_rows
from k8s_essentials_tui.plugins.loki.logql import from_ns, to_ns
from k8s_essentials_tui.plugins.loki.logview import LogView, clock_text, crop_pad

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
A = {"app": "a", "pod": "a-0"}
B = {"app": "b", "pod": "b-0"}


def cells(strip: Strip) -> list[tuple[str, Style | None]]:
    return [(ch, seg.style) for seg in strip for ch in seg.text]


def test_clock_text_matches_datetime() -> None:
    for ts in (to_ns(NOW), to_ns(NOW) + 999_999_999, 1, 86_399 * 10**9 + 5 * 10**6,
               1_780_000_000_123_456_789):
        t = from_ns(ts)
        assert clock_text(ts) == t.strftime("%H:%M:%S.") + f"{t.microsecond // 1000:03d} "


def test_crop_pad_is_crop_extend_for_single_cell_text() -> None:
    rnd = random.Random(7)
    styles = [Style(color="red"), Style(bold=True), None, Style(bgcolor="blue")]
    pad = Style(bgcolor="black")
    for _ in range(300):
        segs = [Segment("".join(rnd.choice("abc xyz") for _ in range(rnd.randint(0, 12))),
                        rnd.choice(styles)) for _ in range(rnd.randint(0, 6))]
        start, width = rnd.randint(0, 40), rnd.randint(1, 30)
        want = Strip(segs).crop_extend(start, start + width, pad)
        got = Strip(crop_pad(segs, start, width, pad), width)
        assert cells(got) == cells(want)
        assert got.cell_length == width


def test_parse_rows_shares_labels_and_orders_by_time() -> None:
    result = [{"stream": A, "values": [["30", "a3"], ["10", "a1"]]},
              {"stream": B, "values": [["20", "b2", {"trace": "x"}]]}]
    rows, streams = parse_rows(result, "backward")
    assert [(ts, line, streams[sid]) for ts, line, sid in rows] == [
        (30, "a3", A), (20, "b2", B), (10, "a1", A)]
    rows, _ = parse_rows(result, "forward")
    assert [line for _ts, line, _sid in rows] == ["a1", "b2", "a3"]


class ViewApp(App[None]):
    def __init__(self, max_lines: int) -> None:
        super().__init__()
        self.max_lines = max_lines

    def compose(self) -> ComposeResult:
        yield LogView(max_lines=self.max_lines)


async def test_bounded_buffer_interning_and_eviction() -> None:
    app = ViewApp(max_lines=5)
    async with app.run_test(size=(60, 10)) as pilot:
        view = app.query_one(LogView)
        view.set_rows([(1, "r1", 0)], [A])
        view.cursor = 0
        # batch-local stream ids: 0 is B here, 1 is A
        view.append_batches([([(2, "b2", 0), (3, "a3", 1)], [B, A]),
                             ([(4, "a4", 0), (5, "a5", 0), (6, "a6", 0)], [dict(A)])])
        await pilot.pause()
        assert [(e.line, e.labels) for e in view.entries] == [
            ("b2", B), ("a3", A), ("a4", A), ("a5", A), ("a6", A)]
        assert view.evicted == 1 and view.cursor == 0
        assert len(view._streams) == 2  # the copy of A's labels was interned to A
        view.set_max_lines(3)
        assert [e.line for e in view.entries] == ["a4", "a5", "a6"]
        assert view.entries[-1].time == from_ns(6)


async def test_churning_streams_are_compacted() -> None:
    app = ViewApp(max_lines=10)
    async with app.run_test(size=(60, 10)):
        view = app.query_one(LogView)
        for i in range(5000):
            view.append_batches([([(i, f"line {i}", 0)], [{"pod": f"p-{i}"}])])
        assert len(view._streams) <= 4097
        assert [e.labels["pod"] for e in view.entries] == [f"p-{i}" for i in range(4990, 5000)]


async def test_wrap_index_follows_appends_and_eviction() -> None:
    app = ViewApp(max_lines=50)
    async with app.run_test(size=(40, 10)) as pilot:
        view = app.query_one(LogView)
        view.show_labels = False
        view.set_rows([], [])
        view.wrap = True
        rnd = random.Random(3)
        for k in range(12):
            batch = [(k * 100 + j, "x" * rnd.randint(0, 90), 0) for j in range(9)]
            view.append_batches([(batch, [A])])
            await pilot.pause()
            width = view._wwidth
            want = sum(max(1, -(-(13 + len(e.line)) // width)) for e in view.entries)
            assert view.virtual_size.height == want
            assert view.row_of(len(view.entries) - 1) == want - max(
                1, -(-(13 + len(view.entries[-1].line)) // width))
        # the last painted row is the end of the newest line
        view.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        assert view.evicted == 12 * 9 - 50


async def test_wide_characters_take_the_exact_path() -> None:
    app = ViewApp(max_lines=5)
    async with app.run_test(size=(40, 5)) as pilot:
        view = app.query_one(LogView)
        view.set_rows([(to_ns(NOW), "日本語 ok", 0), (to_ns(NOW), "plain", 0)], [{}])
        await pilot.pause()
        width = view.scrollable_content_region.width
        wide = view.render_line(0)
        plain = view.render_line(1)
        assert wide.cell_length == plain.cell_length == width
        assert wide.text.startswith("12:00:00.000 日本語 ok")
        assert plain.text.startswith("12:00:00.000 plain")


# -- untrusted text (issue #15: escapes, wide characters) ---------------------------------

HANGUL_LINE = "결제 서비스 오류: 주문 처리 실패 " * 3 + "끝END"


def painted(view: LogView, rows: int) -> list[str]:
    return [view.render_line(y).text for y in range(rows)]


async def test_hangul_line_keeps_its_end_when_scrolled_right() -> None:
    """Widths are cells: the view is wide enough to scroll to a Korean line's last cell."""
    app = ViewApp(max_lines=5)
    async with app.run_test(size=(40, 5)) as pilot:
        view = app.query_one(LogView)
        view.set_rows([(to_ns(NOW), HANGUL_LINE, 0)], [{"app": "결제"}])
        await pilot.pause()
        view.scroll_to(x=view.max_scroll_x, animate=False, immediate=True)
        await pilot.pause()
        assert view.render_line(0).text.rstrip().endswith("끝END")


async def test_wrap_shows_every_visual_row_of_a_hangul_line() -> None:
    app = ViewApp(max_lines=5)
    async with app.run_test(size=(30, 12)) as pilot:
        view = app.query_one(LogView)
        view.set_rows([(to_ns(NOW), HANGUL_LINE, 0), (to_ns(NOW), "next", 0)], [{}])
        view.focus()
        await pilot.press("w")
        await pilot.pause()
        width = view.scrollable_content_region.width
        rows = painted(view, 12)
        assert all(len(r) <= width for r in rows)
        first = "".join(r.rstrip() if i else r for i, r in enumerate(rows[:-1]))
        # every character of the line is painted, in order, across the visual rows
        joined = "".join(r.strip() for r in rows)
        assert HANGUL_LINE.replace(" ", "") in joined.replace(" ", "")
        assert any(r.startswith("12:00:00.000 next") for r in rows), first
        assert rows.index(next(r for r in rows if "next" in r)) == view.row_of(1)


async def test_escape_sequences_are_shown_not_sent() -> None:
    from testkit.hostile import CLEAR, OSC52, OSC_TITLE, UNTERMINATED_OSC, control_chars

    app = ViewApp(max_lines=10)
    async with app.run_test(size=(120, 8)) as pilot:
        view = app.query_one(LogView)
        view.set_rows([(to_ns(NOW), f"a{OSC_TITLE}b{OSC52}", 0),
                       (to_ns(NOW), f"cut {UNTERMINATED_OSC}", 0),
                       (to_ns(NOW), f"after{CLEAR}\tend", 1)],
                      [{"app": f"x{OSC_TITLE}"}, {}])
        await pilot.pause()
        for wrap in (False, True):
            view.wrap = wrap
            view._update_size()
            view._strips.clear()
            rows = painted(view, 6)
            assert not [c for r in rows for c in control_chars(r)], rows
            text = "\n".join(rows)
            assert "a␛]0;pwned␛\\b␛]52;c;" in text
            assert "cut ␛]0;" in text
            assert "after␛[2J␛[H" in text and "end" in text
            assert 'app="x␛]0;pwned␛\\"' in text
        view.set_search("pwned")
        assert "pwned" in view.render_line(0).text


async def test_wrapped_rows_paint_every_cell_of_random_hostile_lines() -> None:
    """Random mixes of hostile pieces, Hangul and ASCII: in wrap mode each line's visual
    rows are exactly the view's width and, together, paint the whole cleaned row."""
    from k8s_essentials_tui.text import clean
    from testkit.hostile import NASTY, control_chars

    rnd = random.Random(15)
    pieces = [*NASTY, "한글", "日本語", "ascii text ", "x" * 37, "\t", "e\u0301"]
    lines = ["".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 8))) for _ in range(60)]
    labels = [{"app": "결제"}, {"app": "plain"}, {}]
    app = ViewApp(max_lines=100)
    async with app.run_test(size=(37, 10)) as pilot:
        view = app.query_one(LogView)
        view.set_rows([(to_ns(NOW), line, i % 3) for i, line in enumerate(lines)], labels)
        view.wrap = True
        view._update_size()
        await pilot.pause()
        width = view.scrollable_content_region.width
        total = view.virtual_size.height
        for i, line in enumerate(lines):
            first = view.row_of(i)
            last = view.row_of(i + 1) if i + 1 < len(lines) else total
            rows = []
            for r in range(first, last):
                view.scroll_to(y=r, animate=False, immediate=True)  # clamped near the end
                strip = view.render_line(r - view.scroll_offset.y)
                assert strip.cell_length == width
                rows.append(strip.text)
            assert not [c for r in rows for c in control_chars(r)]
            lab = labels[i % 3]
            prefix = "{" + ", ".join(f'{k}="{v}"' for k, v in lab.items()) + "} " if lab else ""
            want = f"12:00:00.000 {prefix}{clean(line)}"
            assert "".join(rows).replace(" ", "") == want.replace(" ", ""), (line, rows)
