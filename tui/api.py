"""The public plugin API: the one module a plugin (built-in or third-party) imports from.

Why it exists: everything else under ``k8s_essentials_tui`` is internal and may be renamed,
split or moved between releases. What is re-exported here is the supported surface (the
contract types, detection helpers, the pane base and cache subscription, the mutation path,
resource types, errors, the display-text boundary, typed reads, time helpers and the headless
helpers a command needs); it changes only with a deprecation. The built-in plugins import the
core only through this module (an import-linter contract in pyproject.toml checks it), so they
double as its examples. See docs/plugins.md.

Textual-dependent names (panes, tables, screens) are resolved lazily by a module
``__getattr__``: a detection-only plugin's ``import k8s_essentials_tui.api`` must not import
Textual (the catalog, ``plugins``/``report`` commands and detection tests stay fast).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import text
from .actions import (
    ActionContext,
    Mutation,
    Permission,
    ReadOnlyError,
    check_writable,
    execute,
    refusal,
    shell_join,
)
from .cli import add_global_options
from .commands._common import (
    EXIT_ERROR,
    EXIT_FOUND,
    EXIT_OK,
    add_output,
    connect_options,
    emit,
    fail,
    positive_int,
    positive_seconds,
    print_json,
    read_only,
    run_async,
    settings_for,
    table,
    with_session,
)
from .detect import (
    detect_workloads,
    find_workloads,
    helm_release_for,
    image_tag,
    images,
    labels_match,
    ready_counts,
    release_troubled,
    workload_status,
)
from .errors import (
    ClusterError,
    ConfigError,
    ConflictError,
    EssentialsError,
    ForbiddenError,
    GoneError,
    InvalidError,
    NotFoundError,
    ToolError,
    UnauthorizedError,
    UnreachableError,
)
from .fields import Fields, mapping
from .gateway_api import GATEWAY_RESOURCES, add_gateway_health, gateway_health
from .helm.release import gunzip_bounded
from .kube.access import Access, AccessChecker
from .kube.client import KubeClient
from .kube.proxy import service_proxy_path
from .kube.resources import (
    CONFIGMAPS,
    CRDS,
    DAEMONSETS,
    DEPLOYMENTS,
    ENDPOINTS,
    EVENTS,
    INGRESSES,
    NAMESPACES,
    PODS,
    SECRETS,
    SERVICES,
    STATEFULSETS,
    ResourceType,
    obj_key,
    rt,
)
from .kube.session import ClusterSession, ConnectOptions
from .lifecycle import LatestChart, Lifecycle, LifecycleVerdict, lifecycle_of
from .plugin import (
    CATEGORIES,
    CATEGORY_TITLES,
    ChartRef,
    Detection,
    Installed,
    Plugin,
    PluginAction,
    PluginCommand,
    Setting,
)
from .settings import Settings, private_file, state_dir
from .snapshot import ClusterSnapshot
from .text import clean, fit, lines, width
from .text import text as display_text
from .timefmt import days_left, days_short
from .tools.process import ProcessCancelled, ProcessResult, ProcessTimeout, run_process

if TYPE_CHECKING:  # the lazy names below, for type checkers and editors
    from .screens.component import ComponentScreen
    from .screens.install import InstallScreen
    from .widgets.columns import Columns, current_columns, fill_rows, set_columns
    from .widgets.command_preview import CommandPreview
    from .widgets.keytable import KeyTable, focus_now
    from .widgets.pane import CacheSubscriber, CacheUpdated, PluginPane

#: name -> module (relative to this package) of the names that need Textual
_LAZY: dict[str, str] = {
    "PluginPane": ".widgets.pane", "CacheSubscriber": ".widgets.pane",
    "CacheUpdated": ".widgets.pane",
    "KeyTable": ".widgets.keytable", "focus_now": ".widgets.keytable",
    "Columns": ".widgets.columns", "current_columns": ".widgets.columns",
    "fill_rows": ".widgets.columns", "set_columns": ".widgets.columns",
    "CommandPreview": ".widgets.command_preview",
    "ComponentScreen": ".screens.component", "InstallScreen": ".screens.install",
}


def __getattr__(name: str) -> Any:
    """Import a Textual-dependent name on first use (see the module docstring for why)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __package__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [  # noqa: RUF022 (grouped by topic, not sorted)
    # the plugin contract
    "CATEGORIES", "CATEGORY_TITLES", "ChartRef", "Detection", "Installed", "Plugin",
    "PluginAction", "PluginCommand", "Setting",
    # lifecycle facts and verdicts
    "LatestChart", "Lifecycle", "LifecycleVerdict", "lifecycle_of",
    # detection
    "ClusterSnapshot", "detect_workloads", "find_workloads", "helm_release_for", "image_tag",
    "images", "labels_match", "ready_counts", "release_troubled", "workload_status",
    "GATEWAY_RESOURCES", "add_gateway_health", "gateway_health",
    # panes and tables (lazy: Textual)
    "CacheSubscriber", "CacheUpdated", "Columns", "CommandPreview", "ComponentScreen",
    "InstallScreen", "KeyTable", "PluginPane", "current_columns", "fill_rows", "focus_now",
    "set_columns",
    # the mutation path and access checks
    "Access", "AccessChecker", "ActionContext", "Mutation", "Permission", "ReadOnlyError",
    "check_writable", "execute", "refusal", "shell_join",
    # the cluster
    "CONFIGMAPS", "CRDS", "DAEMONSETS", "DEPLOYMENTS", "ENDPOINTS", "EVENTS", "INGRESSES",
    "NAMESPACES", "PODS", "SECRETS", "SERVICES", "STATEFULSETS", "ClusterSession",
    "ConnectOptions", "KubeClient", "ResourceType", "obj_key", "rt", "service_proxy_path",
    # errors
    "ClusterError", "ConfigError", "ConflictError", "EssentialsError", "ForbiddenError",
    "GoneError", "InvalidError", "NotFoundError", "ToolError", "UnauthorizedError",
    "UnreachableError",
    # untrusted text, typed reads, time
    "Fields", "clean", "days_left", "days_short", "display_text", "fit", "lines", "mapping",
    "text", "width",
    # local tools, settings, files
    "ProcessCancelled", "ProcessResult", "ProcessTimeout", "Settings", "gunzip_bounded",
    "private_file", "run_process", "state_dir",
    # headless commands
    "EXIT_ERROR", "EXIT_FOUND", "EXIT_OK", "add_global_options", "add_output",
    "connect_options", "emit", "fail", "positive_int", "positive_seconds", "print_json",
    "read_only", "run_async", "settings_for", "table", "with_session",
]
