"""``?`` / ``f1``: the keys that work here, grouped by the screen's own words ("Backups
table", "Query editor"), collected from the live binding chain so the help is never out of
date. ``ctrl+a`` shows the same list plus the ``:`` aliases, and enter runs the highlighted
one.

What is left out, on purpose: keys of Textual's generic widgets (a DataTable's own cursor
bindings, an Input's editing keys) -- they are not this app's vocabulary --, disabled
actions, and a second binding of a key that an earlier one already takes (only the one that
fires is listed).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Label

from ..text import text

EVERYWHERE = "Everywhere"


@dataclass(frozen=True)
class HelpEntry:
    key: str
    description: str
    group: str
    #: where the action runs (ctrl+a runs it), and the action string
    node: Any = field(default=None, compare=False, repr=False)
    action: str = ""

    def __iter__(self) -> Any:  # (key, description, group), as the first version's rows
        return iter((self.key, self.description, self.group))


def _humanize(class_name: str) -> str:
    """``VeleroPane`` -> ``Velero pane``: a last resort for a widget without HELP_GROUP."""
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+", class_name) or [class_name]
    text = " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in words)
    return text[:1].upper() + text[1:]


def group_name(node: Any, app: Any) -> str | None:
    """The human name of where a binding lives; None for Textual's generic widgets."""
    if node is app:
        return EVERYWHERE
    name = getattr(node, "HELP_GROUP", None)
    if isinstance(name, str) and name:
        return name
    if type(node).__module__.startswith("textual."):
        return None
    plugin = getattr(node, "plugin", None)
    title = getattr(plugin, "title", None)
    if isinstance(title, str) and title:
        return title if isinstance(node, Screen) else f"{title} pane"
    return _humanize(type(node).__name__)


def _declared_by_textual(node: Any, binding: Binding) -> bool:
    """True for a binding Textual's own classes declare (focus next/previous, copy text,
    its second quit key): they work everywhere and are not this app's vocabulary."""
    for cls in type(node).__mro__:
        for declared in cls.__dict__.get("BINDINGS", ()):
            if isinstance(declared, Binding) and declared.action == binding.action \
                    and declared.id == binding.id:
                return cls.__module__.startswith("textual.")
    return False


def _ours_further_out(app: Any, chain: list[tuple[Any, Any]], after: Any,
                      key: str) -> tuple[Any, Binding, bool, str] | None:
    """The first binding of ``key`` outside ``after`` that is the app's own."""
    seen = False
    for node, bindings in chain:
        if node is after:
            seen = True
            continue
        if not seen:
            continue
        group = group_name(node, app)
        if group is None:
            continue
        for binding in bindings.key_to_bindings.get(key, ()):
            if _declared_by_textual(node, binding):
                continue
            state = app._check_action_state(binding.action, node)
            if state is False:
                continue
            return node, binding, bool(state), group
    return None


def collect_bindings(app: Any) -> list[HelpEntry]:
    """Every key that does something on the active screen, one entry per binding (its
    keys joined with a space), grouped from the focused widget outwards, the app's last."""
    screen = app.screen
    chain = screen._modal_binding_chain  # (node, bindings) from the focused widget out
    merged: dict[tuple[int, str, str], list[str]] = {}
    meta: dict[tuple[int, str, str], tuple[Any, Binding, str]] = {}
    order = {id(node): i for i, (node, _b) in enumerate(chain)}
    for key, ab in screen.active_bindings.items():
        node, binding, enabled = ab.node, ab.binding, ab.enabled
        group = group_name(node, app)
        if group is None or _declared_by_textual(node, binding):
            # a generic widget takes the key first (a DataTable's enter selects the row,
            # which the board turns into "Open"): list what the app binds to it further out
            found = _ours_further_out(app, chain, node, key)
            if found is None:
                continue
            node, binding, enabled, group = found
        if not enabled or not binding.description:
            continue
        ident = (id(node), binding.action, binding.description)
        display = app.get_key_display(Binding(key, binding.action, binding.description))
        merged.setdefault(ident, [])
        if display not in merged[ident]:
            merged[ident].append(display)
        meta[ident] = (node, binding, group)
    entries = []
    for ident, displays in merged.items():
        node, binding, group = meta[ident]
        entries.append((order.get(id(node), 99), group, HelpEntry(
            " ".join(displays), binding.description, group, node, binding.action)))
    entries.sort(key=lambda e: (e[0], e[1]))  # stable: declaration order inside a group
    return [e for _o, _g, e in entries]


class HelpScreen(ModalScreen[None]):
    HELP_GROUP = "Help"
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical {
        width: 90%; max-width: 90; height: 90%; border: thick $primary; background: $panel;
    }
    HelpScreen #help-title { text-style: bold; padding: 0 1; }
    HelpScreen DataTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close", id="help.close"),
        Binding("j", "move(1)", "Down", show=False, id="help.down"),
        Binding("k", "move(-1)", "Up", show=False, id="help.up"),
        Binding("g", "jump(0)", "Top", show=False, id="help.top"),
        Binding("G", "jump(-1)", "Bottom", show=False, id="help.bottom"),
    ]

    def __init__(self, rows: Iterable[HelpEntry | tuple[str, str, str]],
                 aliases: Iterable[tuple[str, str]] = (), runnable: bool = False) -> None:
        super().__init__()
        self.rows = [r if isinstance(r, HelpEntry) else HelpEntry(*r) for r in rows]
        self.aliases = list(aliases)
        self.runnable = runnable
        #: table row key -> what enter runs (ctrl+a)
        self._targets: dict[str, HelpEntry | str] = {}

    def compose(self) -> ComposeResult:
        # descriptions come from plugins (and a key display may be "["): never markup
        title = ("Everything this screen can do — enter runs it, escape closes"
                 if self.runnable else "Keys — escape closes, f1 opens this from any input")
        with Vertical():
            yield Label(title, id="help-title")
            table: DataTable[Text] = DataTable(cursor_type="row", zebra_stripes=True,
                                               id="help-table")
            table.add_column("key", key="key")
            table.add_column("action", key="action")
            group = None
            for i, row in enumerate(self.rows):
                if row.group != group:
                    group = row.group
                    table.add_row(text(group, "bold underline"), Text(""),
                                  key=f"group-{i}")
                table.add_row(text(f"  {row.key}"), text(row.description), key=f"row-{i}")
                self._targets[f"row-{i}"] = row
            if self.aliases:
                table.add_row(Text("Commands (:)", style="bold underline"), Text(""),
                              key="group-aliases")
                for i, (word, what) in enumerate(self.aliases):
                    table.add_row(text(f"  {word}"), text(what), key=f"alias-{i}")
                    self._targets[f"alias-{i}"] = word
            yield table

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()

    def action_move(self, step: int) -> None:
        table = self.query_one(DataTable)
        if step > 0:
            table.action_cursor_down()
        else:
            table.action_cursor_up()

    def action_jump(self, row: int) -> None:
        table = self.query_one(DataTable)
        table.move_cursor(row=row if row >= 0 else table.row_count - 1)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if not self.runnable:
            return
        target = self._targets.get(str(event.row_key.value))
        if target is None:
            return
        self.dismiss(None)
        app: Any = self.app
        if isinstance(target, str):
            from ..aliases import resolve

            alias = resolve(target, app.registry.ordered())
            if alias is not None:
                app.call_later(app.run_alias, alias.target)
        elif target.node is not None:
            app.call_later(target.node.run_action, target.action)

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)


__all__ = ["EVERYWHERE", "HelpEntry", "HelpScreen", "collect_bindings", "group_name"]
