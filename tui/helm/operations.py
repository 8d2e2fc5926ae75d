"""The one code path from "the user chose this install" to helm running, for TUI and CLI.

Both the install screen and ``k8s-essentials-tui install`` call :meth:`HelmOperations.preview`
(server-side dry-run + per-resource diff against the deployed release) and run the
:class:`~k8s_essentials_tui.actions.Mutation` built here, so the command shown, the command
run and the command audited are the same string. Failures come back as one ``ToolError``
line that also says what state the release was left in (nothing installed, ``failed``,
``pending-*``), so nothing half-done goes unmentioned.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..actions import Mutation, Permission
from ..errors import ToolError
from ..settings import state_dir
from .chart import ChartSpec, rollback_args, uninstall_args, upgrade_install_args
from .diff import ResourceDiff, diff_manifests, diff_text, split_manifest, summary
from .oci import explain_error, list_versions
from .release import LABEL_SELECTOR, PENDING, Release, decode_all, release_from_json
from .storage import helm_storage, readable_storage
from .tool import HelmResult, HelmTool, LineCallback
from .values import dump_values, mask_values_pair, parse_values

#: what ``helm uninstall`` never deletes; shown in the uninstall confirmation
LEFT_BEHIND = [
    "CustomResourceDefinitions installed from the chart's crds/ folder (and every custom "
    "resource of them) stay: delete them by hand only when nothing else uses them.",
    "PersistentVolumeClaims created from StatefulSet volumeClaimTemplates stay, with their "
    "data.",
    "Objects annotated helm.sh/resource-policy: keep stay; the namespace itself stays.",
]


@dataclass
class Preview:
    """What ``helm upgrade --install --dry-run=server`` would do.

    ``diffs`` and ``values_diff`` have Secret values and credential-looking values masked;
    :meth:`revealed` gives them in clear (for a user who may read Secrets: callers check)."""

    spec: ChartSpec
    command: str
    dry_run_command: str
    rendered: Release
    deployed: Release | None
    diffs: list[ResourceDiff]
    values_diff: list[str] = field(default_factory=list)
    #: the user-supplied values before (deployed) and after, unmasked (for :meth:`revealed`)
    old_values: dict[str, Any] = field(default_factory=dict, repr=False)
    new_values: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def is_upgrade(self) -> bool:
        return self.deployed is not None

    @property
    def summary(self) -> str:
        return summary(self.diffs)

    def masks_something(self) -> bool:
        """Whether the masked diffs hide anything (a Secret, a credential-looking value)."""
        return any(d.key.kind == "Secret" for d in self.diffs) or \
            mask_values_pair(self.old_values, self.new_values) != (self.old_values,
                                                                   self.new_values)

    def revealed(self) -> tuple[list[ResourceDiff], list[str]]:
        """The manifest diffs and values diff with Secret values in clear."""
        diffs = diff_manifests(self.deployed.manifest if self.deployed else None,
                               self.rendered.manifest, self.spec.namespace, show_secrets=True)
        return diffs, diff_text(dump_values(self.old_values), dump_values(self.new_values))


def values_diff(old: dict[str, Any], new: dict[str, Any], *,
                show_secrets: bool = False) -> list[str]:
    """Unified diff of user-supplied values; credential-looking values masked by default."""
    if not show_secrets:
        old, new = mask_values_pair(old, new)
    return diff_text(dump_values(old), dump_values(new))


@dataclass
class PreviewMutation(Mutation):
    """The server-side dry-run as a mutation: it is a cluster call with server-side effects
    (admission webhooks run), so it goes through ``actions.execute`` -- refused in
    read-only mode and audited as ``dry-run``. ``preview`` is set once it ran."""

    preview: Preview | None = None


def values_path(spec: ChartSpec, base: Path | None = None) -> Path:
    """Where the values of one release are written (stable, so the shown command is
    copyable and re-runnable). Mode 0600: values may hold passwords."""
    root = base or state_dir() / "helm" / "values"
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{spec.namespace}.{spec.release}")
    return root / f"{safe}.yaml"


class HelmOperations:
    def __init__(self, tool: HelmTool, *, values_dir: Path | None = None) -> None:
        self.tool = tool
        self.values_dir = values_dir

    # -- values ----------------------------------------------------------------------------

    def values_file(self, spec: ChartSpec, text: str) -> str | None:
        """Where :meth:`write_values` puts the values (None: no values), without writing."""
        return str(values_path(spec, self.values_dir)) if parse_values(text) else None

    def write_values(self, spec: ChartSpec, text: str) -> str | None:
        """Validate and write the values; None when there are none (no --values flag)."""
        values = parse_values(text)
        if not values:
            return None
        path = values_path(spec, self.values_dir)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.touch(mode=0o600, exist_ok=True)
        path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        return str(path)

    def install_args(self, spec: ChartSpec, values_file: str | None, *,
                     dry_run: bool = False) -> list[str]:
        return upgrade_install_args(spec, values_file, dry_run=dry_run, output_json=dry_run)

    def install_command(self, spec: ChartSpec, values_file: str | None) -> str:
        return self.tool.display(self.install_args(spec, values_file))

    # -- preview ---------------------------------------------------------------------------

    async def preview(self, spec: ChartSpec, values_text: str, deployed: Release | None,
                      on_line: LineCallback | None = None) -> Preview:
        """Server-side dry-run and the per-resource diff against ``deployed``."""
        values_file = self.write_values(spec, values_text)
        args = self.install_args(spec, values_file, dry_run=True)
        result = await self.tool.run(args, on_line=_stderr_only(on_line))
        if not result.ok:
            raise ToolError(f"dry-run failed: {explain_error(spec, result.error_message())}")
        doc = result.json()
        if not isinstance(doc, dict):
            raise ToolError("helm dry-run printed an unexpected document")
        rendered = release_from_json(doc)
        diffs = diff_manifests(deployed.manifest if deployed else None, rendered.manifest,
                               spec.namespace)
        old_values = dict(deployed.config or {}) if deployed else {}
        new_values = parse_values(values_text)
        return Preview(spec=spec, command=self.install_command(spec, values_file),
                       dry_run_command=self.tool.display(args), rendered=rendered,
                       deployed=deployed, diffs=diffs,
                       values_diff=values_diff(old_values, new_values),
                       old_values=old_values, new_values=new_values)

    def preview_mutation(self, spec: ChartSpec, values_text: str, deployed: Release | None,
                         on_line: LineCallback | None = None,
                         on_start: Callable[[], None] | None = None) -> PreviewMutation:
        """:meth:`preview` wrapped for ``actions.execute`` (read-only check and audit).
        ``on_start`` runs once it is allowed (headless prints its progress line there)."""
        parse_values(values_text)  # a typo fails here, before anything is audited
        verb = "Upgrade" if deployed else "Install"
        args = self.install_args(spec, self.values_file(spec, values_text), dry_run=True)
        mutation = PreviewMutation(
            action=f"helm.{verb.lower()}",
            title=f"{verb} {spec.release} in {spec.namespace}",
            command=self.tool.display(args),
            run=_none, dry_run=True,
            why_write="even its preview is a server-side dry-run")

        async def run() -> str:
            if on_start is not None:
                on_start()
            mutation.preview = await self.preview(spec, values_text, deployed, on_line)
            return f"dry-run: {mutation.preview.summary}"

        mutation.run = run
        return mutation

    # -- mutations ---------------------------------------------------------------------------

    def install_mutation(self, spec: ChartSpec, values_text: str, *,
                         deployed: Release | None = None,
                         on_line: LineCallback | None = None,
                         preview: Preview | None = None) -> Mutation:
        values_file = self.write_values(spec, values_text)
        args = self.install_args(spec, values_file)
        verb = "Upgrade" if deployed else "Install"

        async def run() -> str:
            result = await self.tool.run(args, on_line=on_line)
            if not result.ok:
                raise ToolError(f"{verb.lower()} failed: "
                                f"{explain_error(spec, result.error_message())}. "
                                + await self._state_after_failure(spec.release, spec.namespace))
            rev = _revision(result)
            done = "upgraded" if deployed else "installed"
            return f"{spec.release} {done} in {spec.namespace}" + \
                (f" (revision {rev})" if rev else "")

        details = [f"chart: {spec.describe()}"]
        if deployed is not None:
            details.append(f"deployed: {deployed.chart_ref} revision {deployed.revision} "
                           f"({deployed.status})")
        if preview is not None:
            details.append(f"changes: {preview.summary}")
        return Mutation(
            action=f"helm.{verb.lower()}",
            title=f"{verb} {spec.release} in {spec.namespace}",
            command=self.tool.display(args),
            run=run,
            permissions=_storage_permissions("create", spec.namespace),
            details=details,
        )

    def rollback_mutation(self, release: Release, revision: int, *,
                          on_line: LineCallback | None = None,
                          diffs: list[ResourceDiff] | None = None) -> Mutation:
        args = rollback_args(release.name, release.namespace, revision)

        async def run() -> str:
            result = await self.tool.run(args, on_line=on_line)
            if not result.ok:
                raise ToolError(f"rollback failed: {result.error_message()}. " + await
                                self._state_after_failure(release.name, release.namespace))
            return f"{release.name} rolled back to revision {revision}"

        details = [f"current: revision {release.revision} ({release.status}), "
                   f"{release.chart_ref}"]
        if diffs is not None:
            details.append(f"changes: {summary(diffs)}")
        return Mutation(
            action="helm.rollback",
            title=f"Roll back {release.name} in {release.namespace} to revision {revision}",
            command=self.tool.display(args), run=run,
            permissions=_storage_permissions("create", release.namespace),
            details=details,
        )

    def uninstall_mutation(self, release: Release, *,
                           on_line: LineCallback | None = None) -> Mutation:
        args = uninstall_args(release.name, release.namespace)

        async def run() -> str:
            result = await self.tool.run(args, on_line=on_line)
            if not result.ok:
                raise ToolError(f"uninstall failed: {result.error_message()}. " + await
                                self._state_after_failure(release.name, release.namespace))
            return f"{release.name} uninstalled from {release.namespace}"

        count = len(split_manifest(release.manifest, release.namespace))
        return Mutation(
            action="helm.uninstall",
            title=f"Uninstall {release.name} from {release.namespace}",
            command=self.tool.display(args), run=run,
            permissions=_storage_permissions("delete", release.namespace),
            typed_confirmation=release.name,
            warning=f"Deletes the {count} objects of the release and its history.",
            details=["Stays behind:", *(f"  • {line}" for line in LEFT_BEHIND)],
        )

    # -- helpers ----------------------------------------------------------------------------

    async def _state_after_failure(self, release: str, namespace: str) -> str:
        """One sentence about the release after a failed operation (never raises)."""
        try:
            res = await self.tool.run(["status", release, "--namespace", namespace,
                                       "--output", "json"])
        except ToolError:
            return "The release state is unknown."
        if not res.ok:
            return "Nothing was installed."
        try:
            rel = release_from_json(res.json())
        except (ToolError, ValueError, TypeError):
            return "The release state is unknown."
        text = f"Release {release} is now {rel.status} at revision {rel.revision}"
        if rel.status == "failed" and rel.revision > 1:
            text += (f"; roll back with: helm rollback {release} {rel.revision - 1} "
                     f"--namespace {namespace}")
        elif rel.status in PENDING:
            text += ("; helm refuses new operations until it is rolled back or uninstalled")
        elif rel.status == "failed":
            text += f"; remove it with: helm uninstall {release} --namespace {namespace}"
        return text + "."

    async def chart_versions(self, spec: ChartSpec, repo_config: Path | None = None,
                             limit: int = 50) -> list[str]:
        """Versions offered by the chart's repo, newest first.

        HTTP(S) repositories: ``helm search repo --versions`` with a private
        repositories.yaml in the app's state dir, so the user's helm repos are never touched.
        OCI registries: the registry's tag list (helm has no search for OCI). Local charts
        return []."""
        if spec.source == "oci":
            return (await list_versions(spec))[:limit]
        if spec.source != "repo":
            return []
        root = repo_config or state_dir() / "helm"
        flags = ["--repository-config", str(root / "repositories.yaml"),
                 "--repository-cache", str(root / "cache")]
        name = "k8s-essentials-" + re.sub(r"[^a-z0-9-]", "-", (spec.plugin_id or spec.chart)
                                           .lower())
        add = await self.tool.run(["repo", "add", name, spec.repo, "--force-update", *flags])
        if not add.ok:
            raise ToolError(f"chart repository {spec.repo} unreachable: "
                            f"{add.error_message()}")
        res = await self.tool.run(["search", "repo", f"{name}/{spec.chart}", "--versions",
                                   "--output", "json", *flags], check=True)
        rows = res.json() or []
        versions = [str(r.get("version")) for r in rows
                    if isinstance(r, dict) and r.get("name") == f"{name}/{spec.chart}"]
        return versions[:limit]


async def _none() -> None:
    return None


def _stderr_only(on_line: LineCallback | None) -> LineCallback | None:
    """During a dry-run stdout is the JSON release: only stderr is progress worth showing."""
    if on_line is None:
        return None

    def cb(stream: str, line: str) -> None:
        if stream == "stderr":
            on_line(stream, line)

    return cb


def _revision(result: HelmResult) -> int | None:
    m = re.search(r"^REVISION:\s*(\d+)", result.stdout, re.MULTILINE)
    return int(m[1]) if m else None


async def fetch_releases(client: Any, namespace: str | None = None,
                         name: str | None = None) -> list[Release]:
    """All revisions (one LIST of Secrets) for headless commands without a watch cache."""
    selector = LABEL_SELECTOR + (f",name={name}" if name else "")
    items, _rv = await client.list(helm_storage().rtype, namespace, label_selector=selector)
    return decode_all(items)


def _storage_permissions(verb: str, namespace: str) -> list[Permission]:
    """What helm needs on its release records, where ``HELM_DRIVER`` keeps them (nothing
    to check in the cluster for sql/memory: helm itself reports what fails)."""
    storage = readable_storage()
    return [] if storage is None else [Permission(verb, storage.rtype, namespace)]


def find_plugin_for_release(plugins: list[Any], release: Release) -> Any | None:
    """The catalog plugin whose chart is this release's chart (for upgrades from a list)."""
    for plugin in plugins:
        if plugin.chart is not None and plugin.chart.chart.rsplit("/", 1)[-1] == release.chart:
            return plugin
    return None


Callback = Callable[[str, str], None]
