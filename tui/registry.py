"""Finds plugins: built-ins in the plugins package and third-party ones via entry points.

A plugin that fails to import or declares itself wrongly is reported (``Registry.errors``) and
skipped: one broken plugin must never stop the app from starting.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any

from .plugin import CATEGORIES, Plugin

ENTRY_POINT_GROUP = "k8s_essentials_tui.plugins"
BUILTIN_PACKAGE = "k8s_essentials_tui.plugins"


@dataclass
class Registry:
    plugins: dict[str, Plugin] = field(default_factory=dict)
    #: (source, one-line message) for every plugin that could not be loaded
    errors: list[tuple[str, str]] = field(default_factory=list)

    def add(self, plugin: Any, source: str) -> None:
        if not isinstance(plugin, Plugin):
            self.errors.append((source, f"{source}: not a Plugin ({type(plugin).__name__})"))
            return
        if plugin.id in self.plugins:
            self.errors.append((source, f"{source}: duplicate plugin id {plugin.id!r} ignored"))
            return
        if source != "built-in" and plugin.source == "built-in":
            plugin = Plugin(**{**plugin.__dict__, "source": source})
        self.plugins[plugin.id] = plugin

    def by_category(self) -> dict[str, list[Plugin]]:
        out: dict[str, list[Plugin]] = {c: [] for c in CATEGORIES}
        for p in self.plugins.values():
            out[p.category].append(p)
        return out

    def ordered(self) -> list[Plugin]:
        return [p for plugins in self.by_category().values() for p in plugins]

    def components(self) -> list[Plugin]:
        """:meth:`ordered` without the views (``Plugin.board`` False): what the board,
        detection and ``report`` cover."""
        return [p for p in self.ordered() if p.board]

    def get(self, plugin_id: str) -> Plugin | None:
        return self.plugins.get(plugin_id)


def _plugins_of(module: Any) -> list[Any]:
    if hasattr(module, "PLUGINS"):
        return list(module.PLUGINS)
    if hasattr(module, "PLUGIN"):
        return [module.PLUGIN]
    return []


def load_registry(*, builtins: bool = True, third_party: bool = True) -> Registry:
    reg = Registry()
    if builtins:
        pkg = importlib.import_module(BUILTIN_PACKAGE)
        for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
            if info.name.startswith("_"):
                continue
            name = f"{BUILTIN_PACKAGE}.{info.name}"
            try:
                module = importlib.import_module(name)
                for plugin in _plugins_of(module):
                    reg.add(plugin, "built-in")
            except Exception as exc:
                reg.errors.append((name, f"{name}: {type(exc).__name__}: {exc}"))
    if third_party:
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            dist = getattr(getattr(ep, "dist", None), "name", None) or ep.value
            try:
                obj = ep.load()
                if callable(obj) and not isinstance(obj, Plugin):
                    obj = obj()
                for plugin in obj if isinstance(obj, list | tuple) else [obj]:
                    reg.add(plugin, dist)
            except Exception as exc:
                reg.errors.append((dist, f"plugin {ep.name} ({dist}): {type(exc).__name__}: {exc}"))
    return reg
