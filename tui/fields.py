"""Typed reads of untrusted Kubernetes objects: a wrong type is a problem, never a crash.

Why: CRD schemas reject most malformed objects, but schema-less CRDs
(``x-kubernetes-preserve-unknown-fields``), older versions and conversion bugs exist, and one
``issuerRef: "x"`` used to take a whole pane (and ``certs``) down with an AttributeError. A
model reads every field through a :class:`Fields`; a field of the wrong type gives the
default and records ``unreadable: spec.issuerRef is not an object``, which the row shows as
one of its problems. ``null`` and a missing field are the same (as for the apiserver): the
default, no problem.

Textual-free (models and detection import it).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

_MISSING = object()
#: dotted paths split once (a model reads the same few dozen paths from every object)
_PARTS: dict[str, tuple[str, ...]] = {}


def problem(path: str, expected: str) -> str:
    """The one wording of a malformed-field problem (tests and docs quote it)."""
    return f"unreadable: {path} is not {expected}"


class Fields:
    """One object's fields read by dotted path (``"spec.issuerRef.name"``).

    ``problems`` collects one line per field of the wrong type (each path once)."""

    def __init__(self, obj: Any, problems: list[str] | None = None) -> None:
        self.problems: list[str] = [] if problems is None else problems
        if type(obj) is dict or isinstance(obj, Mapping):
            self.root: Mapping[str, Any] = obj
        else:
            self.root = {}
            if obj is not None:
                self._note(problem("the object", "an object"))

    def _note(self, text: str) -> None:
        if text not in self.problems:
            self.problems.append(text)

    def raw(self, path: str) -> Any:
        """The value at ``path`` (None when missing, null, or under a non-object).

        Why this shape: models read tens of thousands of fields per rebuild (2,000
        Ingresses: 34,000 reads), so the path is split once per distinct path
        (:data:`_PARTS`) and a plain ``dict`` -- all decoded JSON is -- is walked without
        the ABC check ``isinstance(node, Mapping)`` (that check was most of the cost of
        parsing 2,000 Argo CD Applications, ``bench/gitops_bench.py``); other mappings
        and the wrong types take :meth:`_raw_checked`."""
        parts = _PARTS.get(path)
        if parts is None:
            if len(_PARTS) > 4096:  # paths built from data: do not grow without bound
                _PARTS.clear()
            parts = _PARTS[path] = tuple(path.split("."))
        node: Any = self.root
        for part in parts:
            if type(node) is not dict:
                return self._raw_checked(parts)
            node = node.get(part)
            if node is None:
                return None
        return node

    def _raw_checked(self, parts: tuple[str, ...]) -> Any:
        """:meth:`raw` for a path through a non-dict: other mappings are walked, a value of
        the wrong type on the way is a problem."""
        node: Any = self.root
        for depth, part in enumerate(parts):
            if node is None:
                return None
            if type(node) is not dict and not isinstance(node, Mapping):
                self._note(problem(".".join(parts[:depth]), "an object"))
                return None
            node = node.get(part)
        return node

    def obj(self, path: str) -> Mapping[str, Any]:
        value = self.raw(path)
        if value is None:
            return {}
        if type(value) is not dict and not isinstance(value, Mapping):
            self._note(problem(path, "an object"))
            return {}
        return value

    def text(self, path: str, default: str = "") -> str:
        value = self.raw(path)
        if value is None:
            return default
        if not isinstance(value, str):
            self._note(problem(path, "a string"))
            return default
        return value

    def number(self, path: str, default: int = 0) -> int:
        """Whole numbers; a float JSON number that is whole is accepted (YAML/JSON tools
        write ``5.0``), a string, bool, NaN or infinity is a problem."""
        value = self.raw(path)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float):
            self._note(problem(path, "a number"))
            return default
        if isinstance(value, float):
            if not math.isfinite(value) or not value.is_integer():
                self._note(problem(path, "a whole number"))
                return default
            return int(value)
        return value

    def flag(self, path: str, default: bool = False) -> bool:
        value = self.raw(path)
        if value is None:
            return default
        if not isinstance(value, bool):
            self._note(problem(path, "true or false"))
            return default
        return value

    def array(self, path: str) -> list[Any]:
        value = self.raw(path)
        if value is None:
            return []
        if not isinstance(value, list):
            self._note(problem(path, "a list"))
            return []
        return value

    def texts(self, path: str) -> list[str]:
        """A list of strings; items of another type are dropped with a problem."""
        out = []
        for item in self.array(path):
            if isinstance(item, str):
                out.append(item)
            elif item is not None:
                self._note(problem(f"{path}[]", "a string"))
        return out

    def text_map(self, path: str) -> dict[str, str]:
        """A string-to-string map (labels, annotations); other values dropped."""
        out = {}
        for key, value in self.obj(path).items():
            if isinstance(key, str) and isinstance(value, str):
                out[key] = value
            elif value is not None:
                self._note(problem(f"{path}.{key}", "a string"))
        return out


def mapping(value: Any) -> Mapping[str, Any]:
    """``value`` when it is an object, else an empty one (for reads that need no problem)."""
    return value if type(value) is dict or isinstance(value, Mapping) else {}


__all__ = ["Fields", "mapping", "problem"]
