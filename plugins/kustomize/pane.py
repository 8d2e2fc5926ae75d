"""The Kustomize pane: type a directory, see what applying it would change, apply it.

Flow: the directory input (with directory completion) -> ``enter`` renders it with the
configured tool and dry-runs every object on the server (one worker, exclusive: a new
directory cancels the previous preview) -> the objects table (kind, namespace, name,
change) -> ``d`` the whole diff, ``enter`` one object's diff, ``a`` apply after the confirm
dialog (the app's mutation path: read-only, RBAC, audit), then a fresh preview.

Nothing here is watched: a preview is a snapshot the operator asks for (``r`` again), as
``kubectl diff`` is. Every string from kubectl or the cluster reaches the screen through the
text boundary (``display_text``/``clean``); Secret values are masked by the plan.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.suggester import Suggester
from textual.widgets import DataTable, Input, Static

from k8s_essentials_tui.api import (
    EssentialsError,
    KeyTable,
    Mutation,
    Permission,
    PluginPane,
    clean,
    diff_line_style,
    display_text,
    focus_now,
)

from .model import CHANGE_ORDER, ManifestError, apply_command, parse_objects
from .paths import complete_directory
from .plan import Entry, Plan, apply_plan, build_plan, outcome_summary
from .render import find_renderer, render, timeout_of

COLUMNS = ("KIND", "NAMESPACE", "NAME", "CHANGE", "MESSAGE")
_CHANGE_STYLE = {"changed": "bold yellow", "added": "bold green", "unchanged": "dim",
                 "error": "bold red"}
#: bound the diff text: a kustomization of big CRDs must not freeze the screen
MAX_DIFF_LINES = 4000


class DirectorySuggester(Suggester):
    """Completes the typed path to a sub-directory (in a thread: it lists a directory)."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        return await asyncio.to_thread(complete_directory, value)


def diff_text(plan: Plan, only: Entry | None = None) -> Text:
    """The plan's diff (or one entry's) as a ``Text``: a header per object, then its lines;
    everything cleaned (cluster and kubectl text is untrusted)."""
    out = Text(no_wrap=True)
    out.append(clean(plan.summary()) + "\n", style="bold")
    written = 0
    for entry in [only] if only is not None else plan.entries:
        if only is None and entry.change == "unchanged":
            continue
        out.append(f"\n▌ {clean(entry.label)}  ", style="bold")
        out.append(entry.change, style=_CHANGE_STYLE.get(entry.change, ""))
        out.append("\n")
        for extra in (entry.error, entry.note):
            if extra:
                out.append(clean(extra) + "\n", style="italic")
        if entry.change == "unchanged":
            out.append("no change\n", style="dim")
        for line in entry.lines:
            if written >= MAX_DIFF_LINES:
                out.append(f"… diff cut after {MAX_DIFF_LINES} lines\n", style="italic")
                return out
            out.append(clean(line) + "\n", style=diff_line_style(line))
            written += 1
    return out


class KustomizePane(PluginPane):
    DEFAULT_CSS = """
    KustomizePane #kz-dir { height: 3; }
    KustomizePane #kz-status { height: 1; padding: 0 1; background: $panel; }
    KustomizePane #kz-table { height: 1fr; }
    KustomizePane #kz-filter { display: none; height: 3; }
    KustomizePane #kz-filter.visible { display: block; }
    KustomizePane #kz-diff { display: none; height: 1fr; border: round $primary; }
    KustomizePane #kz-diff:focus { border: round $accent; }
    KustomizePane #kz-diff.visible { display: block; }
    KustomizePane #kz-diff > Static { width: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "open_dir", "Directory", id="kustomize.open"),
        Binding("d", "diff", "Diff", id="kustomize.diff"),
        Binding("a", "apply", "Apply", id="kustomize.apply"),
        Binding("r", "refresh", "Refresh", id="kustomize.refresh"),
        Binding("slash", "filter", "Filter", id="kustomize.filter", priority=True),
    ]
    FOCUS_ACTIONS = frozenset({"filter", "open_dir"})

    def __init__(self, plugin: Any, **kwargs: Any) -> None:
        super().__init__(plugin, **kwargs)
        self.plan: Plan | None = None
        #: the session the plan was made with: applying it through another one (the
        #: operator switched context since) would apply a preview of a different cluster
        self.plan_session: object | None = None
        self.directory = ""
        self.needle = ""
        self.busy = False

    def compose(self) -> ComposeResult:
        yield Input(placeholder="kustomization directory (enter: preview, tab/→: complete)",
                    id="kz-dir", suggester=DirectorySuggester())
        yield Static("type a directory and press enter", id="kz-status", markup=False)
        yield Input(placeholder="filter (kind, namespace, name, change)", id="kz-filter")
        table = KeyTable(id="kz-table")
        table.add_columns(*COLUMNS)
        yield table
        with VerticalScroll(id="kz-diff"):
            yield Static("", id="kz-diff-body", markup=False)

    @property
    def table(self) -> KeyTable:
        return self.query_one("#kz-table", KeyTable)

    def main_widget(self) -> KeyTable:
        return self.table

    def on_session_ready(self) -> None:
        start = str(self.app.settings.get("kustomize.directory") or "")
        box = self.query_one("#kz-dir", Input)
        if start:
            box.value = start
            self.directory = start
            self.focus_table()
            self.preview(start)
        else:
            focus_now(box)

    def focus_table(self) -> None:
        focus_now(self.table)

    # -- preview ---------------------------------------------------------------------------
    def _status(self, text: str, style: str = "") -> None:
        self.query_one("#kz-status", Static).update(display_text(text, style))

    def _namespace(self) -> str:
        session = self.session
        return (session.namespace if session is not None else None) or "default"

    @work(exclusive=True, group="kustomize-preview", description="kustomize-preview")
    async def preview(self, directory: str) -> None:
        """Render and dry-run ``directory``; the table shows the result or the error."""
        session = self.session
        if session is None:
            return
        self.busy = True
        settings = self.app.settings
        try:
            renderer = find_renderer(settings)
            self._status(f"{renderer.shown} {directory} …")
            stream = await render(renderer, directory, timeout=timeout_of(settings))
            items = parse_objects(stream)
            self._status(f"server-side dry-run of {len(items)} objects …")
            plan = await build_plan(session, directory, items, self._namespace())
        except (EssentialsError, ManifestError) as exc:
            self.plan = None
            self._fill()
            self._status(str(exc), "bold red")
            return
        finally:
            self.busy = False
        self.plan, self.plan_session = plan, session
        self._fill()
        # the counts first: at 80 columns the end of the line is cut
        self._status(f"{len(plan.entries)} objects · {plan.summary()} · "
                     f"{renderer.shown} {directory}")

    def _rows(self) -> list[Entry]:
        if self.plan is None:
            return []
        needle = self.needle.lower()
        return [e for e in self.plan.entries
                if not needle or needle in " ".join(
                    (e.item.kind, e.namespace, e.item.name, e.change)).lower()]

    def _fill(self) -> None:
        table = self.table
        table.clear()
        for i, entry in enumerate(self._rows()):
            table.add_row(display_text(entry.item.kind), display_text(entry.namespace or "-"),
                          display_text(entry.item.name),
                          Text(entry.change, style=_CHANGE_STYLE.get(entry.change, "")),
                          display_text(entry.error or entry.note), key=str(i))
        if table.row_count:
            table.move_cursor(row=0, animate=False)

    def _selected(self) -> Entry | None:
        key = self.table.selected_key()
        rows = self._rows()
        if key is None or not key.isdigit() or int(key) >= len(rows):
            return None
        return rows[int(key)]

    # -- events ----------------------------------------------------------------------------
    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "kz-dir":
            directory = event.value.strip()
            if directory:
                self.directory = directory
                self.focus_table()
                self.preview(directory)
        elif event.input.id == "kz-filter":
            self.focus_table()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "kz-filter":
            event.stop()
            self.needle = event.value.strip()
            self._fill()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        entry = self._selected()
        if entry is not None and self.plan is not None:
            self._show_diff(diff_text(self.plan, entry), entry.label)

    # -- actions ---------------------------------------------------------------------------
    def action_open_dir(self) -> None:
        focus_now(self.query_one("#kz-dir", Input))

    def action_filter(self) -> None:
        box = self.query_one("#kz-filter", Input)
        box.add_class("visible")
        focus_now(box)

    def action_refresh(self) -> None:
        if self.directory:
            self.preview(self.directory)

    def action_diff(self) -> None:
        if self.plan is None:
            self.app.notify("nothing previewed yet: type a directory and press enter",
                            severity="warning")
            return
        self._show_diff(diff_text(self.plan), f"diff {self.plan.directory}")

    def _show_diff(self, body: Text, title: str) -> None:
        box = self.query_one("#kz-diff", VerticalScroll)
        box.border_title = clean(title)
        self.query_one("#kz-diff-body", Static).update(body)
        box.add_class("visible")
        self.table.display = False
        box.scroll_home(animate=False)
        focus_now(box)

    def _diff_shown(self) -> bool:
        return self.query_one("#kz-diff", VerticalScroll).has_class("visible")

    def has_filter(self) -> bool:
        return self._diff_shown() or bool(self.needle)

    def clear_filter(self) -> None:
        """Escape: the diff first (back to the objects), then the text filter."""
        if self._diff_shown():
            self.query_one("#kz-diff", VerticalScroll).remove_class("visible")
            self.table.display = True
            self.focus_table()
            return
        box = self.query_one("#kz-filter", Input)
        box.value = ""
        box.remove_class("visible")
        self.needle = ""
        self._fill()

    def action_apply(self) -> None:
        plan, session = self.plan, self.session
        if plan is None or session is None:
            self.app.notify("nothing previewed yet: type a directory and press enter",
                            severity="warning")
            return
        if self.busy:
            self.app.notify("a preview is running", severity="warning")
            return
        if session is not self.plan_session:
            self.app.notify("the connection changed since this preview: press r to preview "
                            "again before applying", severity="warning")
            return
        if plan.errors:
            first = plan.errors[0]
            self.app.notify(f"not applying: {len(plan.errors)} object(s) refused by the "
                            f"dry-run; first: {first.label}: {first.error}",
                            severity="error", timeout=10, markup=False)
            return
        if not plan.changes:
            self.app.notify("no changes: nothing to apply")
            return

        async def run() -> str | None:
            outcomes = await apply_plan(session, plan)
            failed = [o for o in outcomes if o.result == "failed"]
            if failed:
                raise EssentialsError(
                    f"{len(failed)} of {len(outcomes)} failed ({outcome_summary(outcomes)}); "
                    f"first: {failed[0].entry.label}: {failed[0].error}")
            return outcome_summary(outcomes)

        seen: set[tuple[Any, str]] = set()
        permissions: list[Permission] = []
        for entry in plan.entries:
            if entry.rtype is not None and (entry.rtype, entry.namespace) not in seen:
                seen.add((entry.rtype, entry.namespace))
                permissions.append(Permission("patch", entry.rtype, entry.namespace or None))
        details = [plan.summary()] + [
            f"{e.change}: {e.label}" for e in sorted(
                plan.changes, key=lambda e: CHANGE_ORDER[e.change])[:8]]
        if len(plan.changes) > 8:
            details.append(f"… and {len(plan.changes) - 8} more")
        self.perform(Mutation(
            action="kustomize.apply",
            title=f"Apply kustomization {plan.directory}",
            command=apply_command(plan.directory, plan.namespace),
            run=run, permissions=tuple(permissions), details=details),
            on_done=self._applied)

    def _applied(self, ok: bool, message: str | None) -> None:
        if ok:
            self.app.notify(f"applied: {message or ''}", markup=False)
            self.action_refresh()
