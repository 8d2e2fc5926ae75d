"""Validate user-supplied values YAML before anything runs (and before saving).

Why here and not only in helm: a typo found on save (with line and column) is cheaper than a
failed dry-run, and helm's own message for a non-mapping document is obscure. Chart schemas
(``values.schema.json``) are still enforced by helm itself during the dry-run.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from ..errors import EssentialsError


class ValuesError(EssentialsError):
    kind = "values"

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.line = line
        self.column = column


def parse_values(text: str) -> dict[str, Any]:
    """YAML text -> mapping; empty text is ``{}``. Raises ``ValuesError`` with a position."""
    if not text.strip():
        return {}
    try:
        docs = list(yaml.safe_load_all(text))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if mark is not None:
            raise ValuesError(f"invalid YAML at line {mark.line + 1}, column "
                              f"{mark.column + 1}: {problem}", line=mark.line + 1,
                              column=mark.column + 1) from exc
        raise ValuesError(f"invalid YAML: {problem}") from exc
    docs = [d for d in docs if d is not None]
    if not docs:
        return {}
    if len(docs) > 1:
        raise ValuesError("values must be ONE YAML document (found several '---')")
    if not isinstance(docs[0], dict):
        raise ValuesError(f"values must be a mapping (key: value), not {type(docs[0]).__name__}")
    return docs[0]


def dump_values(values: dict[str, Any]) -> str:
    """Mapping -> YAML text as a human would write it (block style, keys in order)."""
    if not values:
        return ""
    return yaml.safe_dump(values, sort_keys=False, default_flow_style=False, allow_unicode=True)


#: keys whose values are treated as credentials in the Helm pane and in values diffs
#: (matched anywhere in the key, case-insensitive: ``adminPassword``, ``apiToken``,
#: ``existingSecret``, ``tls.key``, ``credentials``). Over-masking a harmless key costs a
#: keypress; under-masking prints a password.
CREDENTIAL_KEY = re.compile(r"pass(word|wd|phrase)?|secret|token|key|credential|private",
                            re.IGNORECASE)
HIDDEN = "(hidden)"
_MISSING = object()


def is_credential_key(key: object) -> bool:
    return isinstance(key, str) and CREDENTIAL_KEY.search(key) is not None


def mask_values(values: Any) -> Any:
    """A copy of ``values`` where everything under a credential-looking key is ``(hidden)``
    (structure kept: a hidden mapping keeps its keys, a hidden list its length)."""
    return _mask(values, hide=False)


def _mask(value: Any, hide: bool) -> Any:
    if isinstance(value, dict):
        return {k: _mask(v, hide or is_credential_key(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v, hide) for v in value]
    return HIDDEN if hide and value is not None else value


def mask_values_pair(old: Any, new: Any) -> tuple[Any, Any]:
    """Both sides of a values change with credential values replaced by ``(unchanged)``,
    ``(changed)`` (old side: ``(changed, old value)``), ``(added)`` or ``(removed)``, so a
    values diff says which credential changes without showing it."""
    return _pair(old, new, False)


def _pair(old: Any, new: Any, hide: bool) -> tuple[Any, Any]:
    if isinstance(old, dict) and isinstance(new, dict):
        o_out: dict[Any, Any] = {}
        n_out: dict[Any, Any] = {}
        for k in list(old) + [k for k in new if k not in old]:
            h = hide or is_credential_key(k)
            ov, nv = _pair(old.get(k, _MISSING), new.get(k, _MISSING), h)
            if k in old:
                o_out[k] = ov
            if k in new:
                n_out[k] = nv
        return o_out, n_out
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        pairs = [_pair(a, b, hide) for a, b in zip(old, new, strict=True)]
        return [p[0] for p in pairs], [p[1] for p in pairs]
    if not hide:
        return (_mask(old, False) if old is not _MISSING else old,
                _mask(new, False) if new is not _MISSING else new)
    if old is _MISSING:
        return old, "(added)"
    if new is _MISSING:
        return "(removed)", new
    if old == new:
        return "(unchanged)", "(unchanged)"
    return "(changed, old value)", "(changed)"
