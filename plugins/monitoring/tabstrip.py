"""The monitoring pane's tab strip: one line of titles, the shown one highlighted.

Why not Textual's ``TabbedContent``: its tab bar is a widget per tab plus an animated
underline and a pane widget per tab, and composing and styling them was the largest part
of the pane's own first paint -- pushed on a bare app at 120x40, a screen with a six-tab
``TabbedContent`` cost ~95 ms of CPU against ~29 ms with a line and one container (~51 ms
with six containers) (docs/monitoring.md, benchmark). The strip is one ``Static``; the
pane's tab containers sit in a ``ContentSwitcher`` and are made when first shown. Keys
``1``-``6`` switch (the pane's bindings); a click on a title does too.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widgets import Static

from k8s_essentials_tui.api import clean

#: between two titles
GAP = " "


class TabStrip(Static):
    """Titles by tab id (a title may carry a count: "Alerts 12"); the ``current`` one is
    shown reversed."""

    DEFAULT_CSS = """
    TabStrip { height: 1; padding: 0 1; color: $text-muted; }
    """

    class Activated(Message):
        """A title was clicked."""

        def __init__(self, tab: str) -> None:
            super().__init__()
            self.tab = tab

    def __init__(self, titles: dict[str, str], current: str, *, id: str | None = None
                 ) -> None:
        super().__init__("", markup=False, id=id)
        self.titles = dict(titles)
        self.current = current
        self._spans: list[tuple[int, int, str]] = []
        self._draw()

    def set_title(self, tab: str, title: str) -> None:
        if self.titles.get(tab) != title:
            self.titles[tab] = title
            self._draw()

    def set_current(self, tab: str) -> None:
        if tab != self.current:
            self.current = tab
            self._draw()

    def _draw(self) -> None:
        out = Text(no_wrap=True, overflow="ellipsis")
        spans = []
        for i, (tab, title) in enumerate(self.titles.items()):
            if i:
                out.append(GAP)
            start = out.cell_len
            shown = f" {i + 1} {clean(title)} "
            out.append(shown, style="bold reverse" if tab == self.current else "")
            spans.append((start, out.cell_len, tab))
        self._spans = spans
        # height 1, the pane's width: a repaint, not a layout of the whole screen
        self.update(out, layout=False)

    def tab_at(self, x: int) -> str | None:
        """The tab whose title is at cell ``x`` of the content (None between titles)."""
        return next((tab for start, end, tab in self._spans if start <= x < end), None)

    def on_click(self, event: events.Click) -> None:
        tab = self.tab_at(event.x - self.styles.padding.left)
        if tab is not None:
            self.post_message(self.Activated(tab))
