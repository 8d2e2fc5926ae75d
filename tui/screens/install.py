"""Install / upgrade one component with the real helm: form, values editor, preview, run.

Flow (each step keeps what the user typed, also after a failure):

1. the chart form (repo, chart, version -- ``ctrl+l`` lists the repo's versions --,
   namespace, release), pre-filled from the catalog and ``[charts.<id>]`` overrides;
2. the values editor (YAML highlighting; ``ctrl+s`` validates; ``ctrl+o`` opens
   ``$VISUAL``/``$EDITOR`` with the app suspended). An upgrade starts from the deployed
   release's user-supplied values (read from the shared Secret cache);
3. ``ctrl+r`` preview: ``helm upgrade --install --dry-run=server`` and the diff against the
   deployed release, grouped by resource, plus the exact command (``f2`` copies it);
4. ``ctrl+g`` confirm and run through ``app.perform`` (read-only, RBAC, confirm, audit);
   before the dialog, the plugins' preflights (``Plugin.preflight``, e.g. the policy
   plugin's admission dry-run) check the previewed manifests (rendered first with the
   preview's dry-run when nothing was previewed) and their verdicts are shown
   in it -- a denial is said plainly and asks twice; helm's output streams into the
   Output tab with elapsed time; ``escape`` cancels helm;
5. ``ctrl+t`` export the same install as Flux or Argo CD YAML.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import subprocess
import tempfile
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import (
    Input,
    Log,
    Static,
    TabbedContent,
    TabPane,
    Tabs,
    TextArea,
)
from textual.worker import Worker

from .. import audit
from ..actions import Mutation, execute
from ..errors import EssentialsError
from ..helm import export
from ..helm.chart import ChartSpec
from ..helm.headless import make_tool
from ..helm.operations import HelmOperations, Preview
from ..helm.release import LABEL_SELECTOR, PENDING, Release, decode_all, history
from ..helm.release import deployed as deployed_of
from ..helm.storage import readable_storage
from ..helm.values import ValuesError, dump_values, parse_values
from ..plugin import Plugin
from ..preflight import (
    PreflightReport,
    PreflightRequest,
    denial_warning,
    detail_lines,
    run_preflights,
)
from ..text import clean, text
from ..widgets.command_preview import CommandPreview
from ..widgets.helm_dialogs import ExportDialog, VersionPicker
from ..widgets.helm_diff import DiffView
from ..widgets.key_footer import KeyFooter
from ..widgets.pane import CacheSubscriber, CacheUpdated

if TYPE_CHECKING:
    from textual import getters

    from ..app import EssentialsApp

_FIELDS = ("repo", "chart", "version", "namespace", "release")
#: keep the output log bounded (helm --debug can be chatty)
MAX_OUTPUT_LINES = 5000
_SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


def elapsed_text(seconds: float) -> str:
    s = max(0, int(seconds))
    return f"{s // 60}:{s % 60:02d}"


class InstallScreen(CacheSubscriber, Screen[None]):
    if TYPE_CHECKING:  # the app's own attributes, typed (Textual's getter, for checkers)
        app = getters.app(EssentialsApp)

    DEFAULT_CSS = """
    InstallScreen #install-title { height: 1; background: $boost; text-style: bold;
                                   padding: 0 1; }
    InstallScreen #install-sub { height: 1; color: $foreground-muted; padding: 0 1; }
    InstallScreen #install-warning { height: auto; color: $warning; text-style: bold;
                                     padding: 0 1; display: none; }
    InstallScreen .form-row { height: 3; }
    InstallScreen .form-row Input { width: 1fr; border: round $primary-darken-2;
                                    border-title-color: $foreground-muted; }
    InstallScreen .form-row Input:focus { border: round $accent; }
    InstallScreen #repo { width: 2fr; }
    InstallScreen TabbedContent { height: 1fr; }
    InstallScreen TabPane { padding: 0; }
    InstallScreen #values { height: 1fr; }
    InstallScreen #values-status { height: 1; padding: 0 1; }
    InstallScreen #values-status.error { color: $error; text-style: bold; }
    InstallScreen #values-status.ok { color: $success; }
    InstallScreen #progress { height: 1; padding: 0 1; text-style: bold; }
    InstallScreen #progress.failed { color: $error; }
    InstallScreen #progress.done { color: $success; }
    InstallScreen #output { height: 1fr; }
    InstallScreen CommandPreview { max-height: 6; }
    /* a short terminal (80x24): the preview and output tabs take the form's rows; the
       line under the title still names the chart, and the Values tab brings the form back */
    InstallScreen.compact .form-row { display: none; }
    """
    HELP_GROUP = "Install / upgrade"
    #: below this many rows the form hides while the preview or output is shown
    COMPACT_BELOW = 32
    BINDINGS = [
        Binding("ctrl+s", "validate", "Validate", id="install.validate"),
        Binding("ctrl+o", "editor", "$EDITOR", id="install.editor"),
        Binding("ctrl+l", "versions", "Versions", id="install.versions"),
        Binding("ctrl+r", "preview", "Preview", id="install.preview"),
        Binding("ctrl+g", "run", "Install/upgrade", id="install.run"),
        Binding("ctrl+t", "export", "Export", id="install.export"),
        Binding("f2", "copy_command", "Copy cmd", id="install.copy"),
        # not in the footer (it is full at 80 columns): the preview's title names the key
        Binding("f3", "reveal", "Show/hide secrets", id="install.reveal", show=False),
        # priority: the values editor (tab_behavior=indent) would move the focus to the
        # repo field on escape, and the next key would overwrite the repo URL
        Binding("escape", "back", "Back/Cancel", priority=True, id="install.back"),
    ]

    def __init__(self, plugin: Plugin, *, spec: ChartSpec | None = None,
                 values: str | None = None) -> None:
        super().__init__()
        self.plugin = plugin
        self._spec_arg = spec
        self._values_arg = values
        self.spec: ChartSpec | None = None
        self.deployed: Release | None = None
        self.preview: Preview | None = None
        self._values_edited = values is not None
        self._loading_values = False
        self._run_worker: Worker[None] | None = None
        #: the elapsed-time ticker while helm runs
        self._timer: Timer | None = None
        self._started: datetime | None = None
        self._status_text = ""
        self._mutation_command = ""
        self._action_name = "helm.install"
        #: Secret values shown in clear in the preview (only after an access check)
        self.revealed = False
        #: the last install preflight's reports (``Plugin.preflight``), shown when confirming
        self.preflight_reports: list[PreflightReport] = []

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        app: Any = self.app
        error = ""
        try:
            self.spec = self._spec_arg or ChartSpec.for_plugin(self.plugin, app.settings.charts)
        except EssentialsError as exc:
            error = str(exc)
            self.spec = ChartSpec(repo="", chart="", version="", namespace=self.plugin.id,
                                  release=self.plugin.id)
        spec = self.spec
        yield app.make_status_bar()
        yield Static(text(f"Install {self.plugin.title}"), id="install-title", markup=False)
        yield Static(text(error or spec.describe()), id="install-sub", markup=False)
        yield Static("", id="install-warning", markup=False)
        with Horizontal(classes="form-row"):
            yield self._input("repo", spec.repo, "https://…, oci://…, or a directory")
            yield self._input("chart", spec.chart, "chart name or path")
        with Horizontal(classes="form-row"):
            yield self._input("version", spec.version, "latest")
            yield self._input("namespace", spec.namespace, "namespace")
            yield self._input("release", spec.release, "release name")
        with TabbedContent(initial="tab-values", id="tabs"):
            with TabPane("Values", id="tab-values"):
                yield TextArea.code_editor(self._values_arg if self._values_arg is not None
                                           else spec.values, language="yaml", theme="css",
                                           id="values", soft_wrap=False)
                yield Static("", id="values-status", markup=False)
            with TabPane("Preview", id="tab-preview"):
                with Vertical():
                    yield CommandPreview("press ctrl+r to preview", id="command",
                                         title="helm command")
                    yield DiffView(id="diff")
            with TabPane("Output", id="tab-output"):
                yield Static("nothing run yet", id="progress", markup=False)
                yield Log(id="output", max_lines=MAX_OUTPUT_LINES)
        yield KeyFooter()

    def _input(self, name: str, value: str, placeholder: str) -> Input:
        widget = Input(value, placeholder=placeholder, id=name)
        widget.border_title = name
        return widget

    def on_mount(self) -> None:
        self.query_one("#values", TextArea).focus()
        self.query_one(DiffView).message("Nothing previewed yet: ctrl+r runs a server-side "
                                         "dry-run and diffs it against the deployed release.")
        storage = readable_storage()  # sql/memory: the deployed release is unknown
        if self.session is not None and storage is not None:
            self.watch_resource(storage.rtype, None, LABEL_SELECTOR)

    def on_unmount(self) -> None:
        self.unwatch_all()

    # -- the deployed release (from the shared cache) --------------------------------------

    def _releases(self) -> list[Release]:
        session = self.session
        storage = readable_storage()
        if session is None or storage is None:
            return []
        cache = session.cache(storage.rtype, None, LABEL_SELECTOR)
        return decode_all(cache.items()) if cache.state in ("synced", "stale") else []

    def on_cache_updated(self, _message: CacheUpdated) -> None:
        self._refresh_deployed()

    def _refresh_deployed(self) -> None:
        spec = self.current_spec()
        releases = self._releases()
        self.deployed = deployed_of(releases, spec.namespace, spec.release)
        title = self.query_one("#install-title", Static)
        sub = self.query_one("#install-sub", Static)
        warning = self.query_one("#install-warning", Static)
        warning.display = False
        warnings: list[str] = []
        revisions = history(releases, spec.namespace, spec.release)
        newest = revisions[-1] if revisions else None
        if newest is not None and newest.status in PENDING:
            # helm would fail the run with "another operation ... is in progress" (the
            # revision before stays "deployed" while an interrupted upgrade is pending):
            # say it before the operator edits values and previews
            ns = f"--namespace {newest.namespace}"
            fix = (f"roll back first: helm rollback {newest.name} {newest.revision - 1} {ns}"
                   if newest.revision > 1 else  # a first install: nothing to roll back to
                   f"remove it first: helm uninstall {newest.name} {ns}")
            warnings.append(f"⚠ revision {newest.revision} of {newest.name} is "
                            f"{newest.status}: helm refuses an upgrade until that "
                            f"operation ends. If nothing runs it any more, {fix}")
        if self.deployed is not None:
            warnings += self._owner_warning(self.deployed.manifest)
        if warnings:
            warning.update(text("\n".join(warnings), multiline=True))
            warning.display = True
        if self.deployed is not None:
            d = self.deployed
            title.update(text(f"Upgrade {self.plugin.title} ({spec.release} in "
                              f"{spec.namespace})"))
            sub.update(text(f"deployed: {d.chart_ref} revision {d.revision} ({d.status}) → "
                            f"{spec.describe()}"))
            if not self._values_edited:
                self._set_values(dump_values(d.config))
        else:
            title.update(text(f"Install {self.plugin.title}"))
            sub.update(text(spec.describe()))

    def _owner_warning(self, manifest: str) -> list[str]:
        """Name the GitOps owner of the deployed release up front (a plugin's
        ``release_guard``), not only in the second confirmation after Install."""
        from ..plugin import release_owner

        app: Any = self.app
        owner = release_owner(app.registry.ordered(), manifest)
        return [f"⚠ managed by GitOps: {owner} owns this release; a change made here is "
                "reverted or drifts (you will be asked to confirm twice)"] if owner else []

    def _set_values(self, text: str) -> None:
        area = self.query_one("#values", TextArea)
        if area.text != text:
            self._loading_values = True
            area.load_text(text)

    def on_text_area_changed(self, _event: TextArea.Changed) -> None:
        if self._loading_values:
            self._loading_values = False
            return
        self._values_edited = True

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id in ("namespace", "release") and self.is_mounted:
            self._refresh_deployed()

    # -- form --------------------------------------------------------------------------------

    def current_spec(self) -> ChartSpec:
        base = self.spec or ChartSpec("", "", "", "", "")
        values = {f: self.query_one(f"#{f}", Input).value.strip() for f in _FIELDS}
        return base.with_overrides(values)

    def values_text(self) -> str:
        return self.query_one("#values", TextArea).text

    def action_validate(self) -> bool:
        """Validate the values YAML; on error, put the cursor on the line."""
        status = self.query_one("#values-status", Static)
        try:
            values = parse_values(self.values_text())
        except ValuesError as exc:
            status.update(text(f"✖ {exc}"))
            status.set_classes("error")
            if exc.line:
                area = self.query_one("#values", TextArea)
                area.cursor_location = (exc.line - 1, max(0, (exc.column or 1) - 1))
            self.query_one(TabbedContent).active = "tab-values"
            return False
        status.update(Text(f"✔ valid values ({len(values)} top-level keys)"))
        status.set_classes("ok")
        return True

    def _ops(self) -> HelmOperations:
        app: Any = self.app
        context = self.session.context if self.session is not None else app.options.context
        return HelmOperations(make_tool(app.settings, app.options.kubeconfig, context))

    def _form_error(self, spec: ChartSpec) -> str:
        if not spec.chart:
            return "chart is required"
        if not spec.namespace or not spec.release:
            return "namespace and release are required"
        return ""

    # -- $EDITOR -----------------------------------------------------------------------------

    def action_editor(self) -> None:
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        fd, path = tempfile.mkstemp(prefix="values-", suffix=".yaml")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(self.values_text())
            argv = [*shlex.split(editor), path]
            try:
                from textual.app import SuspendNotSupported

                try:
                    with self.app.suspend():
                        code = subprocess.call(argv)
                except SuspendNotSupported:
                    # headless (tests, some Windows terminals): run it without suspending
                    code = subprocess.call(argv, stdin=subprocess.DEVNULL,
                                           stdout=subprocess.DEVNULL)
            except OSError as exc:
                self.notify(f"cannot start editor {editor!r}: {exc.strerror}",
                            severity="error")
                return
            if code != 0:
                self.notify(f"{editor} exited with status {code}; values unchanged",
                            severity="warning")
                return
            text = Path(path).read_text(encoding="utf-8")
        finally:
            with contextlib.suppress(OSError):
                os.unlink(path)
        self.query_one("#values", TextArea).load_text(text)
        self._values_edited = True
        self.action_validate()

    # -- versions ----------------------------------------------------------------------------

    def action_versions(self) -> None:
        self._load_versions()

    @work(exclusive=True, group="helm-versions", description="helm-versions")
    async def _load_versions(self) -> None:
        spec = self.current_spec()
        if spec.source not in ("repo", "oci"):
            self.notify("version lists need a chart repository or an OCI registry; type the "
                        "version", severity="warning")
            return
        self.notify(f"asking {spec.repo or spec.chart} for versions of {spec.chart}…")
        try:
            versions = await self._ops().chart_versions(spec)
        except EssentialsError as exc:
            self.notify(str(exc), title="versions", severity="error", timeout=10)
            return
        if not versions:
            self.notify(f"{spec.chart} not found in {spec.repo}", severity="error")
            return
        picked = await self.app.push_screen_wait(VersionPicker(spec.chart, versions,
                                                               spec.version))
        if picked:
            self.query_one("#version", Input).value = picked

    # -- preview -----------------------------------------------------------------------------

    def action_preview(self) -> None:
        if not self.action_validate():
            return
        spec = self.current_spec()
        problem = self._form_error(spec)
        if problem:
            self.notify(problem, severity="error")
            return
        self._preview(spec, self.values_text())

    @work(exclusive=True, group="helm-preview", description="helm-preview")
    async def _preview(self, spec: ChartSpec, values: str) -> None:
        self.query_one(TabbedContent).active = "tab-preview"
        diff = self.query_one(DiffView)
        diff.message("running helm upgrade --install --dry-run=server …")
        command = self.query_one("#command", CommandPreview)
        command.update("running the preview…")
        self._refresh_deployed()
        app: Any = self.app
        try:
            # a server-side dry-run: through actions.execute (read-only refusal, audit)
            dry_run = self._ops().preview_mutation(spec, values, self.deployed)
            await execute(dry_run, app.action_context())
        except EssentialsError as exc:
            self.preview = None
            # the box must not keep inviting "press ctrl+r" as if nothing had run
            command.update("✖ preview failed (the error is below; arrows scroll it): fix "
                           "the form or the values and press ctrl+r again")
            diff.message(str(exc), error=True)
            diff.focus()
            self.notify(str(exc), title="preview failed", severity="error", timeout=10)
            return
        assert dry_run.preview is not None
        self.show_preview(dry_run.preview)
        self.query_one(DiffView).focus()

    def show_preview(self, preview: Preview, *, revealed: bool = False) -> None:
        """Render a preview (also used by tests to show a fixed one). Secret values and
        credential-looking values are masked unless ``revealed`` (see :meth:`action_reveal`)."""
        self.preview = preview
        self.revealed = revealed
        diffs, values_diff = preview.revealed() if revealed else (preview.diffs,
                                                                   preview.values_diff)
        command = self.query_one("#command", CommandPreview)
        command.command = preview.command
        command.update(f"$ {preview.command}")
        where = f"{preview.spec.release} in {preview.spec.namespace}"
        title = (f"revision {preview.deployed.revision} → new ({where})" if preview.deployed
                 else f"new install ({where})")
        if revealed:
            title += " — secrets shown (f3 hides)"
        elif preview.masks_something():
            title += " — secret values masked (f3 shows)"
        self.query_one(DiffView).show(diffs, values_diff, new_install=not preview.is_upgrade,
                                      title=title)

    def action_reveal(self) -> None:
        """``f3``: show Secret values in the preview, for a user who may ``get`` Secrets in
        the release's namespace (SelfSubjectAccessReview); again hides them."""
        if self.preview is None:
            self.notify("nothing previewed yet: ctrl+r first", severity="warning")
            return
        if self.revealed:
            self.show_preview(self.preview)
            return
        self._reveal(self.preview)

    @work(exclusive=True, group="helm-reveal", description="helm-reveal")
    async def _reveal(self, preview: Preview) -> None:
        from ..kube.resources import SECRETS

        session = self.session
        ns = preview.spec.namespace
        if session is None:
            self.notify("not connected", severity="error")
            return
        access = await session.access.can("get", SECRETS, ns)
        if not access:
            self.notify(f"Secret values stay hidden: {access.reason}", severity="error")
            return
        if self.preview is preview:
            self.show_preview(preview, revealed=True)

    def action_copy_command(self) -> None:
        command = self.query_one("#command", CommandPreview).command
        if self.preview is None:
            spec = self.current_spec()
            command = self._ops().tool.display(["upgrade", "--install", spec.release,
                                                *spec.chart_args(), "--namespace",
                                                spec.namespace])
        self.app.copy_to_clipboard(command)
        self.notify("command copied to the clipboard")

    # -- run ---------------------------------------------------------------------------------

    def action_run(self) -> None:
        if self._run_worker is not None and self._run_worker.is_running:
            self.notify("helm is already running (escape cancels it)", severity="warning")
            return
        if not self.action_validate():
            return
        spec = self.current_spec()
        problem = self._form_error(spec)
        if problem:
            self.notify(problem, severity="error")
            return
        self._refresh_deployed()
        ops = self._ops()
        preview = self.preview if self.preview is not None and self.preview.spec == spec \
            else None
        try:
            mutation = ops.install_mutation(spec, self.values_text(), deployed=self.deployed,
                                            on_line=self._on_line, preview=preview)
        except EssentialsError as exc:
            self.notify(str(exc), severity="error")
            return
        if self.deployed is not None:  # an upgrade of a release GitOps owns: say so twice
            from ..plugin import release_guard

            app: Any = self.app
            mutation.second_confirmation = release_guard(
                app.registry.ordered(), self.deployed.manifest, "upgrade")
        original = mutation.run

        async def run_with_progress() -> str | None:
            self.begin_progress(mutation.title)
            return await original()

        mutation.run = run_with_progress
        self._mutation_command = mutation.command
        self._action_name = mutation.action
        self._run_worker = self._run(mutation, spec, preview)

    async def _preflight(self, mutation: Mutation, spec: ChartSpec,
                         preview: Preview | None) -> None:
        """The plugins' preflights (``Plugin.preflight``) on the rendered manifests, into
        the confirm dialog: a denial is said plainly and needs a second confirmation."""
        app: Any = self.app
        plugins = [p for p in app.registry.ordered() if p.preflight]
        if not plugins or app.action_context().read_only:  # perform() refuses it anyway
            return
        names = ", ".join(p.title for p in plugins)
        if self.session is None:
            mutation.details.append(f"preflight checks ({names}): not run -- not connected")
            return
        if preview is None:
            # nothing previewed (or the form changed since): render it now, as ctrl+r does,
            # so a chart the cluster's policies would deny is caught before the confirmation
            self.notify("rendering the chart for the preflight checks (a server-side "
                        "dry-run)…")
            try:
                dry_run = self._ops().preview_mutation(spec, self.values_text(),
                                                       self.deployed)
                await execute(dry_run, app.action_context())
            except EssentialsError as exc:
                mutation.details.append(f"preflight checks ({names}): not run -- the "
                                        f"chart did not render: {exc}")
                return
            preview = dry_run.preview
            if preview is None:
                return
            self.show_preview(preview)  # what was checked, on the Preview tab
        self.notify("checking the rendered manifests against the cluster's policies…")
        request = PreflightRequest(preview.rendered.manifest, spec.namespace, spec.release,
                                   self.session)
        self.preflight_reports = await run_preflights(plugins, request)
        mutation.details.extend(detail_lines(self.preflight_reports))
        warning = denial_warning(self.preflight_reports)
        if warning:
            mutation.warning = "\n".join(w for w in (warning, mutation.warning) if w)
            verb = mutation.title.split(" ", 1)[0] or "Install"  # Install | Upgrade
            again = f"{verb} anyway, knowing the cluster will deny part of it?"
            mutation.second_confirmation = "\n".join(
                w for w in (mutation.second_confirmation, again) if w)

    @work(exclusive=True, group="helm-run", description="helm-run")
    async def _run(self, mutation: Mutation, spec: ChartSpec,
                   preview: Preview | None = None) -> None:
        app: Any = self.app
        await self._preflight(mutation, spec, preview)
        try:
            ok, message = await app.perform(mutation)
        except asyncio.CancelledError:
            self._stop_timer()
            context = self.session.context if self.session else ""
            audit.record(context=context, action=mutation.action, command=mutation.command,
                         result="cancelled", detail="cancelled while helm was running")
            self.end_progress(False, "cancelled while helm was running; checking the release…")
            self._after_cancel(spec)
            raise
        if self._started is None:  # not confirmed, read-only or no permission
            return
        self.end_progress(ok, message or "")

    @work(group="helm-after-cancel", description="helm-after-cancel")
    async def _after_cancel(self, spec: ChartSpec) -> None:
        state = await self._ops()._state_after_failure(spec.release, spec.namespace)
        self.end_progress(False, f"cancelled. {state}")

    def begin_progress(self, title: str) -> None:
        self._started = self.app.now()
        self._status_text = title
        self.query_one(TabbedContent).active = "tab-output"
        self.query_one("#output", Log).clear()
        progress = self.query_one("#progress", Static)
        progress.set_classes("")
        self._tick()
        self._timer = self.set_interval(1.0, self._tick)

    def _tick(self) -> None:
        if self._started is None:
            return
        secs = (self.app.now() - self._started).total_seconds()
        frame = _SPINNER[int(secs) % len(_SPINNER)]
        self.query_one("#progress", Static).update(
            text(f"{frame} {self._status_text} … {elapsed_text(secs)}  (escape cancels)"))

    def _stop_timer(self) -> None:
        timer = getattr(self, "_timer", None)
        if timer is not None:
            timer.stop()
            self._timer = None

    def end_progress(self, ok: bool, message: str) -> None:
        self._stop_timer()
        secs = ((self.app.now() - self._started).total_seconds()
                if self._started else 0)
        progress = self.query_one("#progress", Static)
        mark = "✔" if ok else "✖"
        progress.update(text(f"{mark} {message} ({elapsed_text(secs)})"))
        progress.set_classes("done" if ok else "failed")
        if ok:
            self.preview = None
            self._values_edited = False
        else:
            self.query_one("#output", Log).write_line(clean(f"✖ {message}"))

    def _on_line(self, _stream: str, line: str) -> None:
        # helm's output quotes the chart and the cluster: a Log paints its lines as they are
        self.query_one("#output", Log).write_line(clean(line))

    # -- export ------------------------------------------------------------------------------

    def action_export(self) -> None:
        if not self.action_validate():
            return
        spec = self.current_spec()

        def write(choice: tuple[str, str] | None) -> None:
            if not choice:
                return
            fmt, path = choice
            try:
                text = export.FORMATS[fmt](spec, parse_values(self.values_text()))
                target = Path(path).expanduser()
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
            except EssentialsError as exc:
                self.notify(str(exc), title="export", severity="error")
                return
            except OSError as exc:
                self.notify(f"cannot write {path}: {exc.strerror}", severity="error")
                return
            self.notify(f"wrote {target}", title="export")

        self.app.push_screen(ExportDialog(spec.release), write)

    # -- leaving -----------------------------------------------------------------------------

    def action_back(self) -> None:
        """Escape: cancel a running helm; else leave a field (focus the tab bar, the text
        stays as typed); else go back. It never focuses or edits a field."""
        if self._run_worker is not None and self._run_worker.is_running:
            self._run_worker.cancel()
            return
        if isinstance(self.focused, (Input, TextArea)):
            self.query_one(TabbedContent).query_one(Tabs).focus()
            return
        self.app.pop_screen()

    # -- layout on short terminals -----------------------------------------------------------

    def _update_compact(self) -> None:
        active = self.query_one(TabbedContent).active
        self.set_class(self.size.height < self.COMPACT_BELOW and active != "tab-values",
                       "compact")

    def on_tabbed_content_tab_activated(self, _event: TabbedContent.TabActivated) -> None:
        self._update_compact()

    def on_resize(self) -> None:
        self._update_compact()


__all__ = ["InstallScreen", "elapsed_text"]
