"""Every result about one resource (``enter`` on a violation): all policies, all outcomes.

Why a screen of its own: the violations table cuts messages to the terminal's width and
shows one result per line among thousands; an operator fixing a Deployment wants every
reason it fails, whole. Messages are cluster text: shown through the text boundary.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from k8s_essentials_tui.api import KeyFooter, clean

from .model import ResultRow, result_order

STYLE = {"fail": "bold red", "error": "bold magenta", "warn": "yellow", "pass": "green"}


def results_text(results: list[ResultRow]) -> Text:
    out = Text()
    for r in sorted(results, key=result_order):
        out.append(f"{r.result:<6}", style=STYLE.get(r.result, ""))
        out.append(clean(f" {r.policy}" + (f" / {r.rule}" if r.rule else "")), style="bold")
        if r.severity:
            out.append(clean(f"  severity {r.severity}"), style="dim")
        out.append(clean(f"  ({r.engine})"), style="dim")
        out.append("\n")
        for line in clean(r.message, multiline=True).split("\n"):
            out.append(f"       {line}\n")
    return out


class ResourceResultsScreen(Screen[None]):
    DEFAULT_CSS = """
    ResourceResultsScreen #results-title { height: 1; padding: 0 1; background: $panel; }
    ResourceResultsScreen #results-body { padding: 0 1; height: auto; }
    """
    BINDINGS = [Binding("escape,q", "back", "Back", id="policy.detail.back")]

    def __init__(self, selected: ResultRow, results: list[ResultRow]) -> None:
        super().__init__()
        self.selected = selected
        self.results = results

    def compose(self) -> ComposeResult:
        status_bar = getattr(self.app, "make_status_bar", None)  # the app's, not Textual's
        if callable(status_bar):
            yield status_bar()
        yield Static(Text(clean(f"{self.selected.resource}: {len(self.results)} result(s)")),
                     id="results-title")
        with VerticalScroll():
            yield Static(results_text(self.results), id="results-body")
        yield KeyFooter()

    def action_back(self) -> None:
        self.app.pop_screen()
