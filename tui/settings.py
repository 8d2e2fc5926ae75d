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

# key -> (type, default, description). Nested tables are "table.key".
SCHEMA: dict[str, tuple[type | tuple[type, ...], Any, str]] = {
    "theme": (str, "dark", "theme name: dark, light, bastion, or a file name in themes/"),
    "read_only": (bool, False, "disable every mutating action"),
    "namespace": (str, "", "default namespace (else the context's)"),
    "watch_list": (bool, True, "sync caches with one streaming watch where the server has "
                               "WatchList (fewer requests); false = list + watch"),
    "certificates.warning_days": (int, 30, "expiry warning threshold (days)"),
    "certificates.critical_days": (int, 7, "expiry critical threshold (days)"),
    "loki.url": (str, "", "direct Loki URL; empty = discover through the service proxy"),
    "loki.tenant": (str, "", "X-Scope-OrgID header"),
    "loki.bearer_token_file": (str, "", "file holding a bearer token for a direct URL"),
    "loki.username": (str, "", "basic-auth user for a direct URL"),
    "loki.password_file": (str, "", "file holding the basic-auth password"),
    "helm.binary": (str, "helm", "helm executable"),
    "velero.namespace": (str, "", "namespace of Velero's objects (backups, schedules, "
                                  "restores, storage locations); empty = where the board "
                                  "found Velero's server, else velero"),
    "telepresence.binary": (str, "telepresence", "telepresence executable"),
    "telepresence.timeout_seconds": ((int, float), 60, "timeout for one telepresence call"),
    "telepresence.personal_namespaces": (list, [], "namespaces only you use: a global "
                                          "intercept there needs no second confirmation"),
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

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)


def parse_settings(data: dict[str, Any], source: str = "config.toml") -> Settings:
    """Validate a parsed TOML document against :data:`SCHEMA`."""
    settings = Settings()
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
        items = value.items() if isinstance(value, dict) else [(None, value)]
        for sub, v in items:
            key = f"{top}.{sub}" if sub is not None else top
            if key not in SCHEMA:
                raise ConfigError(f"{source}: unknown key {key}")
            typ = SCHEMA[key][0]
            ok = isinstance(v, typ) and not (typ in (int, (int, float)) and isinstance(v, bool))
            if not ok:
                tname = typ.__name__ if isinstance(typ, type) else "number"
                raise ConfigError(f"{source}: {key} must be {_article(tname)} {tname}")
            settings.values[key] = v
    return settings


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def load_settings(path: Path | None = None) -> Settings:
    path = path or config_path()
    if not path.exists():
        return Settings(path=path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
    settings = parse_settings(data, str(path))
    settings.path = path
    return settings
