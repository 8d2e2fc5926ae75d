"""The create-backup and restore forms (modal screens) of the Velero pane.

Both validate before they close: a form never returns options Velero would reject for a
reason we can see here (bad name, TTL, selector, unknown namespace, missing location). The
equivalent ``velero`` command is shown live under the fields.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from k8s_essentials_tui.api import CommandPreview, clean

from . import model


class ListSuggester(Suggester):
    """Completes the last item of a comma-separated list from known names (namespaces)."""

    def __init__(self, names: Callable[[], Sequence[str]]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self._names = names

    async def get_suggestion(self, value: str) -> str | None:
        last = value.rpartition(",")[2]
        stem = last.lstrip()
        if not stem:
            return None
        for name in sorted(self._names()):
            if name.startswith(stem) and name != stem:
                return value + name[len(stem):]
        return None


FORM_CSS = """
{cls} {{ align: center middle; }}
{cls} > #form {{
    width: 96%; max-width: 110; height: auto; max-height: 100%;
    border: thick $primary; background: $panel; padding: 0 1;
}}
{cls} #form-title {{ text-style: bold; }}
{cls} VerticalScroll {{ height: auto; max-height: 50vh; }}
{cls} .field {{ height: 1; margin: 0; }}
{cls} .field > Label {{ width: 20; color: $text-muted; }}
{cls} .field > Input {{ border: none; height: 1; padding: 0 1; width: 1fr;
    background: $surface; }}
{cls} .field > Input:focus {{ background: $boost; }}
{cls} .field > Select {{ width: 1fr; height: 1; }}
{cls} .field > Select > SelectCurrent {{ border: none; height: 1; padding: 0 1; }}
{cls} .checks {{ height: 1; }}
{cls} .checks > Checkbox {{ border: none; height: 1; padding: 0; margin-right: 2;
    background: $panel; }}
{cls} #errors {{ color: $error; height: auto; }}
{cls} #buttons {{ height: 1; align-horizontal: right; }}
{cls} #buttons > #keys {{ width: 1fr; color: $text-muted; }}
{cls} #buttons > Button {{ border: none; height: 1; min-width: 10; margin-left: 1; }}
{cls} #preview {{ height: auto; color: $text-muted; }}
"""


def _field(label: str, widget: Any) -> Horizontal:
    return Horizontal(Label(label), widget, classes="field")


def _keys(verb: str) -> Static:
    """The line that says how to submit without the mouse (left of the buttons)."""
    return Static(f"ctrl+s {verb} · esc cancel", id="keys", markup=False)


class _FormScreen(ModalScreen[Any]):
    """Submit/cancel behaviour shared by the Velero forms: enter or the submit button
    validates (errors listed in ``#errors``) and dismisses with ``options()``."""

    def validate(self) -> list[str]:
        raise NotImplementedError

    def options(self) -> Any:
        raise NotImplementedError

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        self.action_submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "submit":
            self.action_submit()
        else:
            self.action_cancel()

    def action_submit(self) -> None:
        errors = self.validate()
        if errors:
            self.query_one("#errors", Static).update(
                clean("\n".join(f"✗ {e}" for e in errors), multiline=True))
            return
        self.dismiss(self.options())

    def action_cancel(self) -> None:
        self.dismiss(None)


class CreateBackupScreen(_FormScreen):
    """``b``: the form for ``velero backup create``."""

    DEFAULT_CSS = FORM_CSS.format(cls="CreateBackupScreen")
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="velero.form.cancel"),
        Binding("ctrl+s", "submit", "Create", id="velero.form.submit"),
    ]

    def __init__(self, *, namespace: str, now: datetime, namespaces: Sequence[str] | None,
                 locations: Sequence[str], default_location: str = "") -> None:
        super().__init__()
        self.velero_namespace = namespace
        self.now = now
        self.namespaces = list(namespaces) if namespaces is not None else None
        self.locations = list(locations)
        self.default_location = default_location

    def compose(self) -> ComposeResult:
        names = lambda: self.namespaces or []  # noqa: E731
        loc_options = [(loc + (" (default)" if loc == self.default_location else ""), loc)
                       for loc in self.locations]
        with Vertical(id="form"):
            yield Label(f"Create backup in {self.velero_namespace}", id="form-title",
                        markup=False)
            with VerticalScroll():
                yield _field("Name", Input(f"backup-{self.now:%Y%m%d%H%M%S}", id="name"))
                yield _field("Include namespaces", Input(
                    placeholder="* (all) — comma-separated, completes", id="include",
                    suggester=ListSuggester(names)))
                yield _field("Exclude namespaces", Input(
                    placeholder="none", id="exclude", suggester=ListSuggester(names)))
                yield _field("Include resources", Input(placeholder="* (all), e.g. "
                                                        "deployments,configmaps",
                                                        id="resources"))
                yield _field("Label selector", Input(placeholder="e.g. app=web,tier!=cache",
                                                     id="selector"))
                yield _field("TTL", Input("720h", id="ttl"))
                yield _field("Storage location", Select(
                    loc_options, prompt="server default", id="location",
                    value=self.default_location if self.default_location in self.locations
                    else Select.NULL))
                with Horizontal(classes="checks"):
                    yield Checkbox("Snapshot volumes", True, id="snapshots")
                    yield Checkbox("File-system backup of all volumes", False, id="fsbackup")
            yield Static("", id="errors", markup=False)
            yield CommandPreview(clean(self._command()), id="command")
            with Horizontal(id="buttons"):
                yield _keys("create")
                yield Button("Cancel", id="cancel")
                yield Button("Create", id="submit", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    def options(self) -> model.BackupOptions:
        q = self.query_one
        location = q("#location", Select).value
        return model.BackupOptions(
            name=q("#name", Input).value.strip(),
            include_namespaces=model.split_list(q("#include", Input).value) or ["*"],
            exclude_namespaces=model.split_list(q("#exclude", Input).value),
            include_resources=model.split_list(q("#resources", Input).value),
            selector=q("#selector", Input).value.strip(),
            ttl=q("#ttl", Input).value.strip() or None,
            storage_location=location if isinstance(location, str) else "",
            snapshot_volumes=None if q("#snapshots", Checkbox).value else False,
            default_volumes_to_fs_backup=True if q("#fsbackup", Checkbox).value else None,
        )

    def validate(self) -> list[str]:
        return self.options().validate(known_namespaces=self.namespaces,
                                       storage_locations=self.locations or None)

    def _command(self) -> str:
        try:
            opts = self.options()
            if opts.validate():
                return "velero backup create … (fix the fields above)"
            return model.backup_command(opts, self.velero_namespace)
        except Exception:
            return "velero backup create …"

    def _refresh_command(self) -> None:
        preview = self.query_one("#command", CommandPreview)
        preview.command = self._command()
        preview.update(clean(f"$ {preview.command}"))

    def on_input_changed(self, _event: Input.Changed) -> None:
        self.query_one("#errors", Static).update("")
        self._refresh_command()

    def on_select_changed(self, _event: Select.Changed) -> None:
        self._refresh_command()

    def on_checkbox_changed(self, _event: Checkbox.Changed) -> None:
        self._refresh_command()

class RestoreScreen(_FormScreen):
    """``r``: restore from the selected backup, with a preview of what it contains."""

    DEFAULT_CSS = FORM_CSS.format(cls="RestoreScreen")
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="velero.restore.cancel"),
        Binding("ctrl+s", "submit", "Restore", id="velero.restore.submit"),
    ]

    def __init__(self, backup: dict[str, Any], *, namespace: str, now: datetime) -> None:
        super().__init__()
        self.backup = backup
        self.backup_name = (backup.get("metadata") or {}).get("name", "")
        self.velero_namespace = namespace
        self.now = now

    def compose(self) -> ComposeResult:
        included = (self.backup.get("spec") or {}).get("includedNamespaces") or []
        with Vertical(id="form"):
            yield Label(clean(f"Restore from backup {self.backup_name}"), id="form-title",
                        markup=False)
            # the backup's summary and the fields scroll; the command and buttons stay
            # visible at 80x24 (they were cut off below the screen)
            with VerticalScroll():
                # the backup's spec and status, as the cluster has them
                yield Static("\n".join(clean(line) for line in model.backup_preview(self.backup)),
                             id="preview", markup=False)
                yield _field("Restore name", Input(
                    model.default_restore_name(self.backup_name, self.now), id="name"))
                yield _field("Include namespaces", Input(
                    ",".join(clean(n) for n in included if n != "*"),
                    placeholder="* (all in the backup)", id="include"))
                yield _field("Exclude namespaces", Input(placeholder="none", id="exclude"))
                yield _field("Namespace mapping", Input(placeholder="source:target,…",
                                                        id="mapping"))
                with Horizontal(classes="checks"):
                    yield Checkbox("Restore volumes from snapshots", True, id="pvs")
            yield Static("", id="errors", markup=False)
            yield CommandPreview(clean(self._command()), id="command")
            with Horizontal(id="buttons"):
                yield _keys("restore")
                yield Button("Cancel", id="cancel")
                yield Button("Restore", id="submit", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    def options(self) -> model.RestoreOptions:
        q = self.query_one
        return model.RestoreOptions(
            backup=self.backup_name,
            name=q("#name", Input).value.strip(),
            include_namespaces=model.split_list(q("#include", Input).value) or ["*"],
            exclude_namespaces=model.split_list(q("#exclude", Input).value),
            namespace_mapping=model.parse_namespace_mapping(q("#mapping", Input).value),
            restore_pvs=None if q("#pvs", Checkbox).value else False,
        )

    def validate(self) -> list[str]:
        try:
            return self.options().validate()
        except ValueError as exc:
            return [str(exc)]

    def _command(self) -> str:
        try:
            if self.validate():
                return "velero restore create … (fix the fields above)"
            return model.restore_command(self.options(), self.velero_namespace, self.now)
        except Exception:
            return "velero restore create …"

    def on_input_changed(self, _event: Input.Changed) -> None:
        self.query_one("#errors", Static).update("")
        preview = self.query_one("#command", CommandPreview)
        preview.command = self._command()
        preview.update(clean(f"$ {preview.command}"))

