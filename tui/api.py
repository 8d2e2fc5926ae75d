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
from .detection.detect import (
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
from .detection.snapshot import ClusterSnapshot
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
from .gateway_api import (
    GATEWAY_RESOURCES,
    add_gateway_health,
    gateway_controller_detect,
    gateway_health,
)
from .gcpolicy import bulk as bulk_load
from .helm.headless import confirm
from .helm.release import LABEL_SELECTOR as HELM_LABEL_SELECTOR
from .helm.release import Release as HelmRelease
from .helm.release import decode_all as decode_helm_releases
from .helm.release import gunzip_bounded
from .helm.release import history as release_history
from .helm.release import latest as latest_releases
from .helm.storage import UnreadableDriverError, helm_storage
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
    ObjectTransform,
    ResourceType,
    obj_key,
    rt,
)
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
    release_guard,
    release_owner,
)
from .preflight import (
    PreflightLine,
    PreflightReport,
    PreflightRequest,
)
from .process import ProcessCancelled, ProcessResult, ProcessTimeout, run_process
from .settings import Settings, private_file, state_dir
from .text import cell, clean, fit, lines, width
from .text import text as display_text
from .threadpolicy import PROMPT_INTERVAL, prompt_threads, sorted_in_pieces
from .timefmt import age, days_left, days_short, human_duration, parse_time

if TYPE_CHECKING:  # the lazy names below, for type checkers and editors
    from .app import EssentialsApp
    from .helm.chart import ChartSpec
    from .helm.diff import diff_manifests, mask_manifest
    from .helm.headless import make_tool as make_helm_tool
    from .helm.operations import HelmOperations, find_plugin_for_release
    from .helm.values import dump_values, mask_values
    from .kube.access import Access, AccessChecker
    from .kube.client import FIELD_MANAGER, KubeClient, decode_json
    from .kube.session import ClusterSession, ConnectOptions
    from .screens.component import ComponentScreen, hold_first_paint
    from .screens.install import InstallScreen
    from .widgets.columns import Columns, current_columns, fill_rows, set_columns
    from .widgets.command_preview import CommandPreview
    from .widgets.helm_diff import DiffView, diff_line_style
    from .widgets.key_footer import KeyFooter, hold_first_keys
    from .widgets.keytable import KeyTable, focus_now
    from .widgets.pane import CacheSubscriber, CacheUpdated, PluginPane
    from .widgets.virtual_table import Styled, TableData, VirtualTable, table_data

#: name -> module (relative to this package) of the names that need Textual (or load more
#: than a plugin's import should pay for)
_LAZY: dict[str, str] = {
    "PluginPane": ".widgets.pane", "CacheSubscriber": ".widgets.pane",
    "CacheUpdated": ".widgets.pane",
    "KeyTable": ".widgets.keytable", "focus_now": ".widgets.keytable",
    "VirtualTable": ".widgets.virtual_table", "Styled": ".widgets.virtual_table",
    "TableData": ".widgets.virtual_table", "table_data": ".widgets.virtual_table",
    "KeyFooter": ".widgets.key_footer", "hold_first_keys": ".widgets.key_footer",
    "Columns": ".widgets.columns", "current_columns": ".widgets.columns",
    "fill_rows": ".widgets.columns", "set_columns": ".widgets.columns",
    "CommandPreview": ".widgets.command_preview",
    "ComponentScreen": ".screens.component", "InstallScreen": ".screens.install",
    "hold_first_paint": ".screens.component",
    "EssentialsApp": ".app",
    "DiffView": ".widgets.helm_diff", "diff_line_style": ".widgets.helm_diff",
    # the kube client layer (httpx, msgspec): loaded when a pane or command connects, not
    # by a plugin's import -- the TUI paints its first frame before any of it is needed
    "Access": ".kube.access", "AccessChecker": ".kube.access", "KubeClient": ".kube.client",
    "FIELD_MANAGER": ".kube.client", "decode_json": ".kube.client",
    "ClusterSession": ".kube.session", "ConnectOptions": ".kube.session",
    # Helm operations and YAML: not needed to import a plugin, loaded on first use
    "ChartSpec": ".helm.chart", "HelmOperations": ".helm.operations",
    "find_plugin_for_release": ".helm.operations", "make_helm_tool": ".helm.headless:make_tool",
    "diff_manifests": ".helm.diff", "mask_manifest": ".helm.diff",
    "dump_values": ".helm.values", "mask_values": ".helm.values",
}


def __getattr__(name: str) -> Any:
    """Import a Textual-dependent name on first use (see the module docstring for why)."""
    where = _LAZY.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, _, attr = where.partition(":")  # "module:attr" when the api renames it
    value = getattr(importlib.import_module(module, __package__), attr or name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [  # noqa: RUF022 (grouped by topic, not sorted)
    # the plugin contract
    "CATEGORIES", "CATEGORY_TITLES", "ChartRef", "Detection", "Installed", "Plugin",
    "PluginAction", "PluginCommand", "Setting", "release_guard", "release_owner",
    # install preflight (Plugin.preflight: checks on a chart's rendered manifests)
    "PreflightLine", "PreflightReport", "PreflightRequest",
    # lifecycle facts and verdicts
    "LatestChart", "Lifecycle", "LifecycleVerdict", "lifecycle_of",
    # detection
    "ClusterSnapshot", "detect_workloads", "find_workloads", "helm_release_for", "image_tag",
    "images", "labels_match", "ready_counts", "release_troubled", "workload_status",
    "GATEWAY_RESOURCES", "add_gateway_health", "gateway_controller_detect", "gateway_health",
    # panes and tables (lazy: Textual)
    "CacheSubscriber", "CacheUpdated", "Columns", "CommandPreview", "ComponentScreen",
    "EssentialsApp", "InstallScreen", "KeyTable", "PluginPane", "current_columns",
    "fill_rows", "focus_now", "set_columns", "VirtualTable", "Styled", "KeyFooter",
    "hold_first_keys", "hold_first_paint",
    "TableData", "table_data",
    # Helm releases (DiffView, ChartSpec, HelmOperations and the YAML helpers are lazy)
    "HELM_LABEL_SELECTOR", "ChartSpec", "DiffView", "diff_line_style", "HelmOperations",
    "HelmRelease",
    "UnreadableDriverError", "decode_helm_releases", "diff_manifests", "dump_values",
    "find_plugin_for_release", "helm_storage", "latest_releases", "make_helm_tool",
    "mask_manifest", "mask_values", "release_history",
    # the mutation path and access checks
    "Access", "AccessChecker", "ActionContext", "Mutation", "Permission", "ReadOnlyError",
    "check_writable", "execute", "refusal", "shell_join",
    # the cluster
    "CONFIGMAPS", "CRDS", "DAEMONSETS", "DEPLOYMENTS", "ENDPOINTS", "EVENTS", "INGRESSES",
    "FIELD_MANAGER", "NAMESPACES", "PODS", "SECRETS", "SERVICES", "STATEFULSETS", "ClusterSession",
    "ConnectOptions", "KubeClient", "ResourceType", "obj_key", "rt", "service_proxy_path",
    "decode_json", "ObjectTransform",
    # memory: a large load with no collector pass (gcpolicy.bulk)
    "bulk_load",
    # latency: a thread reading what the operator waits for gets the GIL sooner
    "prompt_threads", "PROMPT_INTERVAL",
    # a worker thread's big sort that leaves the loop its turns
    "sorted_in_pieces",
    # errors
    "ClusterError", "ConfigError", "ConflictError", "EssentialsError", "ForbiddenError",
    "GoneError", "InvalidError", "NotFoundError", "ToolError", "UnauthorizedError",
    "UnreachableError",
    # untrusted text, typed reads, time
    "Fields", "age", "cell", "clean", "days_left", "days_short", "display_text", "fit",
    "human_duration", "lines", "mapping", "parse_time", "text", "width",
    # local tools, settings, files
    "ProcessCancelled", "ProcessResult", "ProcessTimeout", "Settings", "gunzip_bounded",
    "private_file", "run_process", "state_dir",
    # headless commands
    "EXIT_ERROR", "EXIT_FOUND", "EXIT_OK", "add_global_options", "add_output", "confirm",
    "connect_options", "emit", "fail", "positive_int", "positive_seconds", "print_json",
    "read_only", "run_async", "settings_for", "table", "with_session",
]
