"""Themes are TOML data files in ``themes/`` turned into ``textual.theme.Theme``.

Short names map to files: ``dark`` -> ``themes/dark.toml`` (theme ``essentials-dark``). A
user may also pass a path to their own TOML file. A broken theme is a ``ConfigError`` naming
the file and field; the app then falls back to the default and says so.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfigError

if TYPE_CHECKING:
    from textual.theme import Theme

BUILTIN_THEMES = ("dark", "light", "bastion")
DEFAULT_THEME = "dark"
THEME_FIELDS = {"name", "dark", "ansi", "primary", "secondary", "accent", "foreground",
                "background", "surface", "panel", "boost", "success", "warning", "error",
                "variables", "luminosity_spread", "text_alpha"}


def _theme_text(name: str) -> tuple[str, str]:
    path = Path(name).expanduser()
    if path.suffix == ".toml" and path.exists():
        return path.read_text(encoding="utf-8"), str(path)
    try:
        res = resources.files("k8s_essentials_tui.themes").joinpath(f"{name}.toml")
        return res.read_text(encoding="utf-8"), f"themes/{name}.toml"
    except (FileNotFoundError, OSError) as exc:
        raise ConfigError(f"unknown theme {name!r}",
                          hint="choose one of: " + ", ".join(BUILTIN_THEMES)) from exc


def theme_data(name: str) -> tuple[dict[str, Any], str]:
    text, source = _theme_text(name)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from exc
    unknown = set(data) - THEME_FIELDS
    if unknown:
        raise ConfigError(f"{source}: unknown theme field {sorted(unknown)[0]}")
    for required in ("name", "primary"):
        if required not in data:
            raise ConfigError(f"{source}: missing theme field {required}")
    return data, source


def load_theme(name: str) -> Theme:
    from textual.color import Color, ColorParseError
    from textual.theme import Theme

    data, source = theme_data(name)
    for key, value in data.items():
        if key in {"name", "dark", "ansi", "variables", "luminosity_spread", "text_alpha"}:
            continue
        try:
            Color.parse(value)
        except ColorParseError as exc:
            raise ConfigError(f"{source}: {key} = {value!r} is not a colour") from exc
    return Theme(**data)


def theme_name(name: str) -> str:
    """The Textual theme name registered for a short name (``dark`` -> ``essentials-dark``)."""
    return theme_data(name)[0]["name"]
