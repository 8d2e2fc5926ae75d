"""The plugin contract: what every component (built-in or third-party) declares.

Kept free of Textual and of the HTTP stack so catalog entries and detection rules import fast
and are unit-testable without an app or a cluster. Panes are named by an import path and
loaded only when the operator opens them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, Literal

from .kube.resources import ResourceType
from .lifecycle import Lifecycle

if TYPE_CHECKING:
    from .detection.snapshot import ClusterSnapshot

#: the seed article's areas, in board order
CATEGORIES: tuple[str, ...] = (
    "ingress", "dns", "certificates", "delivery", "mesh", "backup", "policy", "monitoring",
    "logging", "dashboards", "tracing", "local-dev", "packaging",
)
CATEGORY_TITLES: dict[str, str] = {
    "ingress": "Ingress", "dns": "DNS", "certificates": "Certificates",
    "delivery": "GitOps delivery", "mesh": "Service mesh", "backup": "Backup",
    "policy": "Policy", "monitoring": "Monitoring", "logging": "Logging",
    "dashboards": "Dashboards", "tracing": "Tracing", "local-dev": "Local development",
    "packaging": "Packaging",
}

Installed = Literal[True, False, "partial"]


@dataclass(frozen=True)
class ChartRef:
    """The official Helm chart a component installs from (overridable in the config file)."""

    repo: str
    chart: str
    version: str
    namespace: str
    release: str
    #: recommended values (YAML text) shown first in the install editor
    values: str = ""

    @property
    def is_oci(self) -> bool:
        return self.repo.startswith("oci://")


@dataclass
class Detection:
    """What detection found for one component; ``detect()`` returns this."""

    installed: Installed = False
    namespace: str | None = None
    version: str | None = None
    healthy: bool | None = None
    problems: list[str] = field(default_factory=list)
    #: free-form extra facts for the pane (e.g. workload names)
    details: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"installed": self.installed, "namespace": self.namespace,
                "version": self.version, "healthy": self.healthy,
                "problems": list(self.problems)}


@dataclass(frozen=True)
class PluginCommand:
    """A headless subcommand a plugin adds to ``k8s-essentials-tui`` (``backup``, ``loki``).

    Why a name and a target instead of the functions: the CLI lists every plugin's commands
    in ``--help`` from these declarations alone and imports ``target`` only when argv names
    the command, so one plugin's heavy imports never slow another command or the TUI's start.

    ``target`` is ``"package.module"``; the module defines ``add_arguments(parser)`` and
    ``run(args) -> int`` -- preferably ``async def run`` (the CLI runs it in a fresh event
    loop) -- returning the exit code (0 fine, 1 found, 2 error by convention). Global options
    (``--kubeconfig``, ``--context``, ``-n``, ``--read-only``, ``--config``) are already on
    the parser; errors raised as ``EssentialsError`` print one line and exit 2.
    """

    name: str
    help: str
    target: str
    #: the long text of ``k8s-essentials-tui NAME --help`` (default: ``help``)
    description: str = ""

    def __post_init__(self) -> None:
        if not self.name or not self.name.replace("-", "").isalnum() or self.name[0] == "-":
            raise ValueError(f"command name {self.name!r} must be alphanumeric with -")
        if not self.target or ":" in self.target:
            raise ValueError(f"command {self.name!r}: target must be 'package.module'")

    def load(self) -> Any:
        """Import the command's module (when argv names it)."""
        module = importlib.import_module(self.target)
        for attr in ("add_arguments", "run"):
            if not callable(getattr(module, attr, None)):
                raise TypeError(f"command {self.name!r}: {self.target} has no {attr}()")
        return module


#: what a setting's value may be: TOML's scalar types and arrays
SettingType = type | tuple[type, ...]


@dataclass(frozen=True)
class Setting:
    """One key of a plugin's settings table (``[loki] tenant = "team-a"`` in config.toml).

    The config loader checks the type (``config.toml: loki.tenant must be a string``) and
    fills in the default; the plugin reads ``settings.get("<table>.<key>")``. ``help``
    appears in the README's configuration table and in ``plugins --settings``.
    """

    key: str
    type: SettingType
    default: Any
    help: str

    def __post_init__(self) -> None:
        if not self.key or "." in self.key:
            raise ValueError(f"setting key {self.key!r} must be non-empty without dots")


@dataclass(frozen=True)
class PluginAction:
    """A user action offered in the command palette and as a key binding in the pane."""

    id: str
    title: str
    key: str | None = None
    description: str = ""
    #: mutating actions are disabled in --read-only and need confirmation + audit
    mutating: bool = False


def _not_detectable(_snapshot: ClusterSnapshot) -> Detection:
    return Detection(installed=False, problems=["no detection rule"])


def _declarative(_snapshot: ClusterSnapshot) -> Detection:
    """The ``detect`` default, a marker: ``__post_init__`` replaces it (never called)."""
    raise AssertionError("Plugin.__post_init__ replaces the declarative marker")


def _standard_detect(snapshot: ClusterSnapshot, *, selectors: Sequence[Mapping[str, str]],
                     charts: Sequence[str], api_groups: Sequence[str]) -> Detection:
    """The declarative rule (``detect_workloads``) with a plugin's own selectors, chart
    names and API groups. Imported here, not at the top: ``detect`` imports this module."""
    from .detection.detect import detect_workloads

    return detect_workloads(snapshot, selectors=selectors, charts=charts,
                            api_groups=api_groups)


@dataclass(frozen=True)
class Plugin:
    id: str
    title: str
    category: str
    why: str = ""
    chart: ChartRef | None = None
    #: how the board decides installed/healthy; left out, the standard rule
    #: (``detect_workloads`` with ``workload_selectors``, ``chart_names`` and
    #: ``api_groups``) when any of them is declared, else "no detection rule". Excluded
    #: from comparison and hashing (a function or a ``partial``).
    detect: Callable[[ClusterSnapshot], Detection] = field(default=_declarative,
                                                           compare=False)
    #: "package.module:ClassName" of a Textual widget, imported when the pane opens
    pane: str | None = None
    actions: tuple[PluginAction, ...] = ()
    #: API groups whose presence (CRDs) indicates the component
    api_groups: tuple[str, ...] = ()
    #: label selectors (each a dict of equalities, any may match) of the Deployments,
    #: StatefulSets and DaemonSets the official chart creates; the snapshot builder lists
    #: workloads by their ``app.kubernetes.io/name`` values, and ``detect()`` sees only the
    #: workloads some plugin declares here. Excluded from hashing (dicts).
    workload_selectors: tuple[dict[str, str], ...] = field(default=(), hash=False)
    #: Helm chart names (``chart`` in the release, e.g. ``"cert-manager"``) whose release
    #: is the component's: its chart version and status feed the standard ``detect()``
    chart_names: tuple[str, ...] = ()
    #: resource types the pane watches (shared caches)
    watches: tuple[ResourceType, ...] = ()
    #: extra lists detection needs, fetched only when the type is served (so they cost
    #: requests only for installed components); detect() reads snapshot.extra[qualified]
    board_resources: tuple[ResourceType, ...] = ()
    #: "built-in" or the entry point's distribution name
    source: str = "built-in"
    #: words that open the pane from the ``:`` palette (k9s habit: ``:certs``), besides
    #: the id; see ``tui/aliases.py`` for the built-ins'
    aliases: tuple[str, ...] = ()
    #: headless subcommands (``k8s-essentials-tui NAME``), discovered by the CLI
    commands: tuple[PluginCommand, ...] = ()
    #: the plugin's table in config.toml, validated by the config loader
    settings: tuple[Setting, ...] = ()
    #: the table's name (default: the plugin id), e.g. ``"certificates"``
    settings_table: str = ""
    #: ``(manifest, verb) -> warning``: a non-empty warning when a Helm release (its stored
    #: manifest) is owned by this component -- a GitOps tool that would revert a hand-made
    #: ``verb`` ("upgrade", "roll back", "uninstall"). The Helm screens then ask a second,
    #: explicit confirmation with this text (:func:`release_guard`). With verb ``""`` it
    #: returns the owner alone, e.g. "Flux HelmRelease ns/name" (:func:`release_owner`:
    #: the "managed by GitOps" mark of the releases list). Pure and quick.
    release_guard: Callable[[str, str], str] | None = field(default=None, compare=False)
    #: dated upstream lifecycle facts (retired, supported minors; see ``tui/lifecycle.py``).
    #: Left out, a built-in plugin gets the core table's (``tui/lifecycle_data.py``)
    lifecycle: Lifecycle | None = None
    #: False: a view, not a component (nothing to install, e.g. the exposure view that
    #: follows hosts across the ingress, DNS and certificate areas). It gets no board row
    #: and no detection, and the board, ``report`` and the catalog counts skip it (see
    #: :func:`components`); ``plugins``, the ``:`` words, the palette, its commands and its
    #: settings treat it as any plugin.
    board: bool = True
    #: ``"package.module:function"``: an install preflight run on a chart's rendered
    #: manifests after helm renders them and before the install is confirmed (see
    #: ``tui/preflight.py``; the policy plugin's server-side dry-run). Imported only then.
    preflight: str | None = None

    @property
    def table(self) -> str:
        """The config table holding :attr:`settings`."""
        return self.settings_table or self.id

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise ValueError(f"plugin {self.id!r}: unknown category {self.category!r}")
        if not self.id or not self.id.replace("-", "").replace("_", "").isalnum():
            raise ValueError(f"plugin id {self.id!r} must be alphanumeric with - or _")
        if self.detect is _declarative:
            declared = self.workload_selectors or self.chart_names or self.api_groups
            # frozen: the one place the field is filled in after construction
            object.__setattr__(self, "detect", partial(
                _standard_detect, selectors=self.workload_selectors,
                charts=self.chart_names, api_groups=self.api_groups)
                if declared else _not_detectable)

    def load_pane(self) -> type[Any] | None:
        """Import the pane class (lazily: keeps start-up fast)."""
        if not self.pane:
            return None
        module, _, name = self.pane.partition(":")
        return getattr(importlib.import_module(module), name)


def components(plugins: Iterable[Plugin]) -> list[Plugin]:
    """The plugins that are catalog components (board rows, detection, ``report``): every
    one but the views (``board=False``)."""
    return [p for p in plugins if p.board]


def release_guard(plugins: Sequence[Plugin], manifest: str, verb: str) -> str:
    """The first warning a plugin's ``release_guard`` gives for changing a Helm release
    (its manifest) by hand with ``verb``; ``""`` when no plugin claims it. A guard that
    fails is ignored (a broken plugin must not block Helm)."""
    for plugin in plugins:
        if plugin.release_guard is None:
            continue
        try:
            warning = plugin.release_guard(manifest, verb)
        except Exception:
            continue
        if warning:
            return warning
    return ""


def release_owner(plugins: Sequence[Plugin], manifest: str) -> str:
    """Who owns a Helm release (its manifest), e.g. "Flux HelmRelease ns/name"; ``""``
    when no plugin claims it. The plugins' ``release_guard`` asked with no verb."""
    return release_guard(plugins, manifest, "")
