"""Which chart a component installs from, and the helm argv for every operation.

The catalog (``Plugin.chart``) pins the official repo, chart, version, namespace and release;
the config file (``[charts.<id>]``) overrides any of them, which is how air-gapped bastions
point at a mirror, an OCI registry or a local chart directory. Three chart sources:

* an HTTP(S) chart repository: ``helm ... CHART --repo URL --version V`` (no ``helm repo
  add``: the user's repositories.yaml is never touched);
* an OCI registry (``oci://host/path``): ``helm ... oci://host/path/CHART --version V``
  (plus ``--plain-http`` when ``plain_http`` is set: a registry without TLS, e.g. a bastion's
  mirror on loopback -- explicit, because helm 4 no longer falls back to HTTP by itself);
* a local chart directory or .tgz (repo empty, a path, or ``file://``): ``helm ... PATH``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from ..plugin import ChartRef, Plugin

SourceKind = Literal["repo", "oci", "local"]


@dataclass(frozen=True)
class ChartSpec:
    """A fully resolved install target (catalog entry + config overrides + user edits)."""

    repo: str
    chart: str
    version: str
    namespace: str
    release: str
    #: recommended values (YAML) from the catalog
    values: str = ""
    plugin_id: str = ""
    #: OCI registry without TLS: helm gets ``--plain-http`` (ignored for other sources)
    plain_http: bool = False

    @classmethod
    def from_ref(cls, ref: ChartRef, plugin_id: str = "",
                 overrides: Mapping[str, str | bool] | None = None) -> ChartSpec:
        spec = cls(repo=ref.repo, chart=ref.chart, version=ref.version,
                   namespace=ref.namespace, release=ref.release, values=ref.values,
                   plugin_id=plugin_id)
        return spec.with_overrides(overrides or {})

    @classmethod
    def for_plugin(cls, plugin: Plugin,
                   charts_config: Mapping[str, Mapping[str, str | bool]] | None = None
                   ) -> ChartSpec:
        """The plugin's chart with ``[charts.<id>]`` overrides applied."""
        overrides = (charts_config or {}).get(plugin.id, {})
        if plugin.chart is None:
            if not overrides.get("chart"):
                from ..errors import ConfigError

                raise ConfigError(f"{plugin.title} has no Helm chart",
                                  hint=f"set [charts.{plugin.id}] repo/chart in the config file")
            ref = ChartRef(repo="", chart="", version="", namespace=plugin.id,
                           release=plugin.id)
            return cls.from_ref(ref, plugin.id, overrides)
        return cls.from_ref(plugin.chart, plugin.id, overrides)

    def with_overrides(self, overrides: Mapping[str, str | bool | None]) -> ChartSpec:
        """Config keys / flags / form fields over this spec; ``None`` means "not given"."""
        allowed = {"repo", "chart", "version", "namespace", "release"}
        changes: dict[str, str | bool] = {
            k: str(v) for k, v in overrides.items() if k in allowed and v is not None}
        plain_http = overrides.get("plain_http")
        if plain_http is not None:
            changes["plain_http"] = bool(plain_http)
        return replace(self, **changes) if changes else self  # type: ignore[arg-type]

    # -- chart source ------------------------------------------------------------------------

    @property
    def source(self) -> SourceKind:
        if self.repo.startswith("oci://") or self.chart.startswith("oci://"):
            return "oci"
        if _is_path(self.repo) or (not self.repo and _is_path(self.chart)) or not self.repo:
            return "local"
        return "repo"

    @property
    def local_path(self) -> str:
        """Filesystem path of a local chart (dir or .tgz)."""
        repo = self.repo.removeprefix("file://")
        chart = self.chart.removeprefix("file://")
        if not repo or os.path.isabs(os.path.expanduser(chart)):
            return os.path.expanduser(chart)
        return str(Path(os.path.expanduser(repo)) / chart)

    @property
    def oci_ref(self) -> str:
        """``oci://host/path/chart`` (no version) of an OCI chart."""
        if self.chart.startswith("oci://"):
            return self.chart
        return f"{self.repo.rstrip('/')}/{self.chart}"

    def chart_args(self) -> list[str]:
        """The CHART positional (and --repo/--version) for install/upgrade/template/show."""
        if self.source == "local":
            return [self.local_path]
        if self.source == "oci":
            return [self.oci_ref, *(["--version", self.version] if self.version else []),
                    *(["--plain-http"] if self.plain_http else [])]
        return [self.chart, "--repo", self.repo,
                *(["--version", self.version] if self.version else [])]

    def describe(self) -> str:
        """One line: where the chart comes from (for headers and the CLI)."""
        if self.source == "local":
            return f"local chart {self.local_path}"
        where = self.oci_ref if self.source == "oci" else f"{self.repo} {self.chart}"
        plain = " (plain HTTP)" if self.source == "oci" and self.plain_http else ""
        return f"{where} {self.version or '(latest)'}{plain}"


def _is_path(value: str) -> bool:
    return value.startswith(("/", "./", "../", "~", "file://"))


# -- argv builders (without the program name and the kube flags; HelmTool adds them) ---------


def upgrade_install_args(spec: ChartSpec, values_file: str | None, *, dry_run: bool = False,
                         output_json: bool = False, create_namespace: bool = True,
                         extra: list[str] | None = None) -> list[str]:
    """``helm upgrade --install``: one command for first install and upgrade (idempotent)."""
    args = ["upgrade", "--install", spec.release, *spec.chart_args(),
            "--namespace", spec.namespace]
    if create_namespace:
        args.append("--create-namespace")
    if values_file:
        args += ["--values", values_file]
    if dry_run:
        args.append("--dry-run=server")
    if output_json:
        args += ["--output", "json"]
    return args + list(extra or [])


def rollback_args(release: str, namespace: str, revision: int) -> list[str]:
    return ["rollback", release, str(revision), "--namespace", namespace]


def uninstall_args(release: str, namespace: str) -> list[str]:
    return ["uninstall", release, "--namespace", namespace]


def search_versions_args(repo_name: str, chart: str) -> list[str]:
    return ["search", "repo", f"{repo_name}/{chart}", "--versions", "--output", "json"]
