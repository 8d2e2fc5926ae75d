"""The pane's dialogs: an alert's detail, the silence form, saving and picking a saved
PromQL query (Textual).

Both get only ``Text`` built through the text boundary: labels, annotations and URLs are
server strings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from k8s_essentials_tui.api import clean, display_text

from .model import Alert, Matcher, parse_matcher
from .promql import parse_duration
from .saved import SavedQuery


def _kv(out: Text, key: str, value: str, style: str = "") -> None:
    out.append(f"{key:<14} ", style="bold")
    out.append_text(display_text(value, style, multiline=True))
    out.append("\n")


def alert_text(alert: Alert, now: datetime) -> Text:
    out = Text()
    _kv(out, "alertname", alert.name, "bold")
    _kv(out, "status", alert.status)
    if alert.starts_at:
        _kv(out, "since", f"{alert.starts_at.isoformat()} ({_age(now - alert.starts_at)} ago)")
    _kv(out, "receivers", ", ".join(alert.receivers) or "-")
    if alert.silenced_by:
        _kv(out, "silenced by", ", ".join(alert.silenced_by))
    if alert.inhibited_by:
        _kv(out, "inhibited by", ", ".join(alert.inhibited_by))
    if alert.generator_url:
        _kv(out, "generator", alert.generator_url)
    out.append("\nlabels\n", style="bold underline")
    for k, v in sorted(alert.labels.items()):
        _kv(out, f"  {clean(k)}", v)
    if alert.annotations:
        out.append("\nannotations\n", style="bold underline")
        for key in ("summary", "description", "runbook_url"):
            if key in alert.annotations:
                _kv(out, f"  {key}", alert.annotations[key])
        for k, v in sorted(alert.annotations.items()):
            if k not in ("summary", "description", "runbook_url"):
                _kv(out, f"  {clean(k)}", v)
    return out


def _age(td: timedelta) -> str:
    seconds = max(0, int(td.total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


class AlertDetailScreen(ModalScreen[str | None]):
    """Everything about one alert; ``s`` silences it from here too."""

    DEFAULT_CSS = """
    AlertDetailScreen { align: center middle; }
    AlertDetailScreen > VerticalScroll { width: 94%; height: auto; max-height: 94%;
        border: thick $accent; background: $panel; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,enter", "dismiss(None)", "Close", id="monitoring.detail.close"),
        Binding("s", "dismiss('silence')", "Silence", id="monitoring.detail.silence"),
    ]

    def __init__(self, alert: Alert, now: datetime) -> None:
        super().__init__()
        self.alert = alert
        self.now = now

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(alert_text(self.alert, self.now), id="alert-detail")


@dataclass(frozen=True)
class SilenceRequest:
    matchers: tuple[Matcher, ...]
    duration: timedelta
    comment: str


def parse_matchers(text: str) -> tuple[Matcher, ...]:
    """``a=b, c=~"x|y"`` -> matchers (commas inside quotes are kept)."""
    parts, buf, quoted = [], "", False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch == "," and not quoted:
            parts.append(buf)
            buf = ""
        else:
            buf += ch
    parts.append(buf)
    matchers = tuple(parse_matcher(p) for p in parts if p.strip())
    if not matchers:
        raise ValueError("a silence needs at least one matcher")
    return matchers


class SilenceScreen(ModalScreen[SilenceRequest | None]):
    """Matchers (editable, from the alert's labels), duration and comment; the author is
    the kube user. Enter in the last field (or ctrl+s) submits; the pane then asks for
    confirmation with the equivalent amtool command."""

    DEFAULT_CSS = """
    SilenceScreen { align: center middle; }
    SilenceScreen > Vertical { width: 94%; height: auto; border: thick $accent;
        background: $panel; padding: 0 1; }
    SilenceScreen Input { margin: 0 0 0 0; }
    SilenceScreen #silence-error { color: $error; height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="monitoring.silence.cancel"),
        Binding("ctrl+s", "submit", "Silence", id="monitoring.silence.submit"),
    ]

    def __init__(self, matchers: list[Matcher], author: str, duration: str = "2h") -> None:
        super().__init__()
        self.matchers = matchers
        self.author = author
        self.duration = duration

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("New silence (ctrl+s or enter in Comment to continue)")
            yield Label("Matchers (comma-separated; =, !=, =~, !~)")
            yield Input(", ".join(str(m) for m in self.matchers), id="silence-matchers")
            yield Label("Duration")
            yield Input(self.duration, id="silence-duration")
            yield Label("Comment")
            yield Input("", id="silence-comment", placeholder="why (everyone sees it)")
            yield Static(display_text(f"author: {self.author}"), id="silence-author")
            yield Static("", id="silence-error")

    def on_mount(self) -> None:
        self.query_one("#silence-comment", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "silence-comment":
            self.action_submit()
        else:
            self.focus_next()

    def action_submit(self) -> None:
        error = self.query_one("#silence-error", Static)
        try:
            matchers = parse_matchers(self.query_one("#silence-matchers", Input).value)
            duration = parse_duration(self.query_one("#silence-duration", Input).value)
        except ValueError as exc:
            error.update(display_text(str(exc)))
            return
        comment = self.query_one("#silence-comment", Input).value.strip()
        if not comment:
            error.update(Text("a comment is required (why it is silenced)"))
            self.query_one("#silence-comment", Input).focus()
            return
        self.dismiss(SilenceRequest(matchers, duration, comment))


class SaveQueryScreen(ModalScreen[str | None]):
    """Name a PromQL query to keep (``ctrl+s`` in the console). Enter saves, escape
    cancels; the same name again replaces the saved query."""

    DEFAULT_CSS = """
    SaveQueryScreen { align: center middle; }
    SaveQueryScreen > Vertical { width: 94%; height: auto; border: thick $accent;
        background: $panel; padding: 0 1; }
    SaveQueryScreen #save-query-text { color: $text-muted; height: auto; max-height: 3; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="monitoring.save.cancel"),
    ]

    def __init__(self, query: str, name: str) -> None:
        super().__init__()
        self.query_text = query
        self.default_name = name

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Save the query as (enter saves, escape cancels)")
            yield Input(self.default_name, id="save-query-name")
            yield Static(display_text(self.query_text), id="save-query-text")

    def on_mount(self) -> None:
        self.query_one("#save-query-name", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        name = " ".join(event.value.split())
        if name:
            self.dismiss(name)


class SavedQueriesScreen(ModalScreen[SavedQuery | None]):
    """The saved queries (``ctrl+o`` in the console): enter puts one in the console, ``d``
    forgets it, escape closes."""

    DEFAULT_CSS = """
    SavedQueriesScreen { align: center middle; }
    SavedQueriesScreen > Vertical { width: 94%; height: auto; max-height: 90%;
        border: thick $accent; background: $panel; padding: 0 1; }
    SavedQueriesScreen OptionList { height: auto; max-height: 20; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss(None)", "Close", id="monitoring.saved.close"),
        Binding("d", "forget", "Forget", id="monitoring.saved.forget"),
        Binding("j", "move(1)", "Down", show=False, id="monitoring.saved.down"),
        Binding("k", "move(-1)", "Up", show=False, id="monitoring.saved.up"),
    ]

    def __init__(self, saved: list[SavedQuery], forget: Callable[[str], None]) -> None:
        super().__init__()
        self.saved = saved
        self.forget = forget

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Saved queries (enter runs it, d forgets it)")
            yield OptionList(*self._options(), id="saved-queries")

    def _options(self) -> list[Option]:
        out = []
        for index in reversed(range(len(self.saved))):  # the newest first
            s = self.saved[index]
            prompt = display_text(s.name, "bold")
            prompt.append(f"  [{clean(s.range) or 'instant'}]", style="dim")
            prompt.append("\n  ")
            prompt.append_text(display_text(s.query, "dim"))
            out.append(Option(prompt, id=str(index)))  # names are data: not option ids
        return out

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.focus()
        if self.saved:
            options.highlighted = 0

    def action_move(self, delta: int) -> None:
        options = self.query_one(OptionList)
        options.action_cursor_down() if delta > 0 else options.action_cursor_up()

    def _current(self) -> SavedQuery | None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return None
        index = int(options.get_option_at_index(options.highlighted).id or -1)
        return self.saved[index] if 0 <= index < len(self.saved) else None

    def on_option_list_option_selected(self, _event: OptionList.OptionSelected) -> None:
        self.dismiss(self._current())

    def action_forget(self) -> None:
        current = self._current()
        if current is None:
            return
        self.forget(current.name)
        options = self.query_one(OptionList)
        at = options.highlighted or 0
        options.clear_options()
        options.add_options(self._options())
        if self.saved:
            options.highlighted = min(at, len(self.saved) - 1)
