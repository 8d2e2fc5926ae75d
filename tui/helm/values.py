"""Validate user-supplied values YAML before anything runs (and before saving).

Why here and not only in helm: a typo found on save (with line and column) is cheaper than a
failed dry-run, and helm's own message for a non-mapping document is obscure. Chart schemas
(``values.schema.json``) are still enforced by helm itself during the dry-run.
"""

from __future__ import annotations

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
