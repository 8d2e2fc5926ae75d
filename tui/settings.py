"""The app's config file (TOML in the platform config dir) with documented, validated keys.

A missing file means defaults. A bad file raises ``ConfigError`` naming the key, e.g.
``config.toml: certificates.warning_days must be an integer``. Environment:
``K8S_ESSENTIALS_TUI_CONFIG`` points at another file; ``K8S_ESSENTIALS_TUI_STATE_DIR`` moves
the state dir (audit log, history).
"""

from __future__ import annotations

import os
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError

APP_NAME = "k8s-essentials-tui"

# key -> (type, default, description). Nested tables are "table.key". The core's own keys;
# each plugin declares its table with ``Plugin.settings`` (``[loki]``, ``[certificates]``,
# ``[velero]``, ``[telepresence]``) and the loader validates it with that schema.
SchemaEntry = tuple[type | tuple[type, ...], Any, str]
SCHEMA: dict[str, SchemaEntry] = {
    "theme": (str, "dark", "theme name: dark, light, bastion, or a file name in themes/"),
    "read_only": (bool, False, "disable every mutating action"),
    "namespace": (str, "", "default namespace (else the context's)"),
    "watch_list": (bool, False, "sync caches with one streaming watch where the server has "
                                "WatchList (fewer requests, twice the client CPU); "
                                "false = paginated list + watch"),
    "helm.binary": (str, "helm", "helm executable"),
}
#: tables whose keys are free-form and validated by their owners
FREE_TABLES = {
    "charts": "per-component chart overrides: [charts.<id>] repo, chart, version, namespace, "
              "release (strings), plain_http (boolean: an oci:// registry without TLS)",
    "keys": "key remapping: <binding id> = \"key\"",
}
CHART_KEYS = {"repo", "chart", "version", "namespace", "release", "plain_http"}
#: chart keys that are booleans (the others are strings)
CHART_BOOL_KEYS = {"plain_http"}


def config_dir() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME))


def state_dir() -> Path:
    env = os.environ.get("K8S_ESSENTIALS_TUI_STATE_DIR")
    if env:
        return Path(env)
    from platformdirs import user_state_dir

    return Path(user_state_dir(APP_NAME))


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) and make it 0700, also when it already existed.

    Why: the state dir holds the audit log (commands with namespaces and release names),
    the Loki query history and ``app.log``; other local users must not read them."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if stat.S_IMODE(path.stat().st_mode) != 0o700:
        os.chmod(path, 0o700)
    return path


def private_file(path: Path) -> Path:
    """Make sure ``path`` exists with mode 0600 in a 0700 directory (tightening an existing
    file or directory created by an older version), and return it. The one helper for every
    file the app keeps in its state dir (audit log, query history, app log)."""
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        if stat.S_IMODE(os.fstat(fd).st_mode) != 0o600:
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)
    return path


def config_path() -> Path:
    env = os.environ.get("K8S_ESSENTIALS_TUI_CONFIG")
    return Path(env) if env else config_dir() / "config.toml"


@dataclass
class Settings:
    values: dict[str, Any] = field(default_factory=lambda: {k: v[1] for k, v in SCHEMA.items()})
    charts: dict[str, dict[str, str | bool]] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    #: problems that do not reject the file (a table no installed plugin owns), one line
    #: each; the TUI shows them as a notification, headless commands on stderr
    warnings: list[str] = field(default_factory=list)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)


def plugin_schema(registry: Any = None) -> dict[str, SchemaEntry]:
    """``"table.key" -> (type, default, help)`` of every plugin's settings table.

    ``registry`` defaults to a freshly loaded one (built-ins and entry points), so a
    third-party plugin's table is validated like a built-in's."""
    if registry is None:
        from .registry import load_registry

        registry = load_registry()
    schema: dict[str, SchemaEntry] = {}
    for plugin in registry.ordered():
        for setting in plugin.settings:
            schema[f"{plugin.table}.{setting.key}"] = (setting.type, setting.default,
                                                       setting.help)
    return schema


def parse_settings(data: dict[str, Any], source: str = "config.toml",
                   registry: Any = None) -> Settings:
    """Validate a parsed TOML document against :data:`SCHEMA` and the plugins' tables.

    An unknown key of a known table, or a value of the wrong type, rejects the file
    (``ConfigError`` naming the key); a whole table that no plugin owns is only a warning,
    so a config shared between machines with different plugins still loads."""
    schema = {**SCHEMA, **plugin_schema(registry)}
    tables = {key.partition(".")[0] for key in schema if "." in key}
    settings = Settings(values={k: v[1] for k, v in schema.items()})
    for top, value in data.items():
        if top in FREE_TABLES:
            if not isinstance(value, dict):
                raise ConfigError(f"{source}: {top} must be a table")
            if top == "charts":
                for cid, chart in value.items():
                    if not isinstance(chart, dict):
                        raise ConfigError(f"{source}: charts.{cid} must be a table")
                    for k, v in chart.items():
                        if k not in CHART_KEYS:
                            raise ConfigError(f"{source}: unknown key charts.{cid}.{k}",
                                              hint="allowed: " + ", ".join(sorted(CHART_KEYS)))
                        if k in CHART_BOOL_KEYS:
                            if not isinstance(v, bool):
                                raise ConfigError(
                                    f"{source}: charts.{cid}.{k} must be a boolean")
                        elif not isinstance(v, str):
                            raise ConfigError(f"{source}: charts.{cid}.{k} must be a string")
                    settings.charts[cid] = dict(chart)
            else:
                for k, v in value.items():
                    if not isinstance(v, str):
                        raise ConfigError(f"{source}: keys.{k} must be a string")
                    settings.keys[k] = v
            continue
        if isinstance(value, dict) and top not in tables:
            settings.warnings.append(f"{source}: [{top}] is not a table of any installed "
                                     "plugin (ignored)")
            continue
        items = value.items() if isinstance(value, dict) else [(None, value)]
        for sub, v in items:
            key = f"{top}.{sub}" if sub is not None else top
            if key not in schema:
                raise ConfigError(f"{source}: unknown key {key}")
            typ = schema[key][0]
            ok = isinstance(v, typ) and not (typ in (int, (int, float)) and isinstance(v, bool))
            if not ok:
                raise ConfigError(f"{source}: {key} must be {type_phrase(typ)}")
            settings.values[key] = v
    return settings


_TYPE_WORDS = {str: "a string", bool: "a boolean", int: "an integer", float: "a number",
               list: "a list", dict: "a table"}


def type_phrase(typ: type | tuple[type, ...]) -> str:
    """``str`` -> "a string", ``(int, float)`` -> "a number": the words of a TOML user."""
    if isinstance(typ, tuple):
        return "a number" if set(typ) <= {int, float} else " or ".join(
            type_phrase(t) for t in typ)
    return _TYPE_WORDS.get(typ, f"a {typ.__name__}")


def load_settings(path: Path | None = None, registry: Any = None) -> Settings:
    """The config file at ``path`` (default :func:`config_path`), validated; ``registry``
    supplies the plugins' tables (default: load it)."""
    path = path or config_path()
    if not path.exists():
        settings = parse_settings({}, str(path), registry)
        settings.path = path
        return settings
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
    settings = parse_settings(data, str(path), registry)
    settings.path = path
    return settings
