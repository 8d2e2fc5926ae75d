"""Diff two rendered manifests resource by resource (what ``helm diff`` shows, without it).

Why grouped by resource: an operator reviewing an upgrade asks "which objects change and
how", not "which lines of a 3000-line stream moved". Each YAML document is keyed by
``Kind namespace/name``; documents are compared as text (the rendered form is what helm
applies), so comments and ordering changes inside one object show up too.

Secret values are masked by default, as helm-diff does: each value under a Secret's
``data``/``stringData`` is replaced by ``(unchanged)``, ``(changed)``, ``(added)`` or
``(removed)`` (the old side of a change reads ``(changed, old value)``), so the diff still
says which keys change without printing a password to a terminal, a scrollback or CI logs.
``show_secrets=True`` is for a user who may read the Secrets anyway (checked by callers).
"""

from __future__ import annotations

import base64
import binascii
import difflib
import re
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml

Change = Literal["added", "removed", "changed", "unchanged"]
_SEPARATOR = re.compile(r"^---\s*$", re.MULTILINE)


@dataclass(frozen=True)
class ResourceKey:
    kind: str
    namespace: str
    name: str

    def __str__(self) -> str:
        where = f"{self.namespace}/{self.name}" if self.namespace else self.name
        return f"{self.kind} {where}"


@dataclass
class ResourceDiff:
    key: ResourceKey
    change: Change
    #: unified diff lines (without the ---/+++ header) or the full text for added/removed
    lines: list[str] = field(default_factory=list)

    @property
    def added(self) -> int:
        return sum(1 for ln in self.lines if ln.startswith("+"))

    @property
    def removed(self) -> int:
        return sum(1 for ln in self.lines if ln.startswith("-"))


def split_manifest(manifest: str, default_namespace: str = "") -> dict[ResourceKey, str]:
    """Rendered manifest -> {resource: its YAML text}. Unparseable docs keep a synthetic key."""
    out: dict[ResourceKey, str] = {}
    for i, doc in enumerate(_SEPARATOR.split(manifest or "")):
        body = "\n".join(ln for ln in doc.strip("\n").splitlines()
                         if not ln.startswith("# Source:")).strip("\n")
        if not body.strip():
            continue
        try:
            obj: Any = yaml.safe_load(body)
        except yaml.YAMLError:
            obj = None
        if not isinstance(obj, dict):
            key = ResourceKey("(unparsed)", "", f"document {i + 1}")
        else:
            meta = obj.get("metadata") or {}
            kind = str(obj.get("kind") or "(no kind)")
            ns = str(meta.get("namespace") or ("" if _cluster_scoped(kind)
                                                else default_namespace))
            key = ResourceKey(kind, ns, str(meta.get("name") or f"document {i + 1}"))
        out[key] = body + "\n"
    return out


_CLUSTER_KINDS = {
    "Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
    "PersistentVolume", "StorageClass", "PriorityClass", "IngressClass",
    "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "APIService",
    "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "RuntimeClass",
}


def _cluster_scoped(kind: str) -> bool:
    return kind in _CLUSTER_KINDS or kind.startswith("Cluster")


SECRET_FIELDS = ("data", "stringData")
UNPARSED_SECRET = "# a Secret that could not be parsed: hidden\n"
_LOOKS_LIKE_SECRET = re.compile(r"^kind:\s*['\"]?Secret['\"]?\s*$", re.MULTILINE)


def _secret_values(obj: dict[str, Any]) -> dict[str, bytes]:
    """A Secret's effective values (``stringData`` wins over ``data``, as the apiserver
    merges them), as bytes, for comparing old and new without showing them."""
    out: dict[str, bytes] = {}
    data = obj.get("data")
    if isinstance(data, dict):
        for k, v in data.items():
            try:
                out[str(k)] = base64.b64decode(str(v), validate=False)
            except (binascii.Error, ValueError):
                out[str(k)] = str(v).encode()
    string_data = obj.get("stringData")
    if isinstance(string_data, dict):
        for k, v in string_data.items():
            out[str(k)] = str(v).encode()
    return out


def _load_secret(text: str | None) -> dict[str, Any] | str | None:
    """The Secret in ``text``; the text itself when it is another kind of object (shown as
    it is); None when it is absent or unparseable although it looks like a Secret."""
    if text is None:
        return None
    try:
        obj = yaml.safe_load(text)
    except yaml.YAMLError:
        obj = None
    if isinstance(obj, dict):
        return obj if obj.get("kind") == "Secret" else text
    return None if _LOOKS_LIKE_SECRET.search(text) else text


def _mask_one(text: str | None, loaded: dict[str, Any] | str | None,
              mine: dict[str, bytes] | None, other: dict[str, bytes] | None,
              side: str) -> str | None:
    if text is None:
        return None
    if isinstance(loaded, str):
        return loaded
    if loaded is None:
        return UNPARSED_SECRET
    return _masked_secret(loaded, mine or {}, other, side)


def _masked_secret(obj: dict[str, Any], mine: dict[str, bytes],
                   other: dict[str, bytes] | None, side: str) -> str:
    """``obj`` with every data/stringData value replaced by a marker; ``other`` is the other
    side's values (None: the object exists on one side only)."""
    out = dict(obj)
    for fld in SECRET_FIELDS:
        values = obj.get(fld)
        if not isinstance(values, dict):
            continue
        masked: dict[str, str] = {}
        for k in values:
            key = str(k)
            if other is None or key not in other:
                masked[key] = "(added)" if side == "new" else "(removed)"
            elif other[key] == mine.get(key):
                masked[key] = "(unchanged)"
            else:
                masked[key] = "(changed)" if side == "new" else "(changed, old value)"
        out[fld] = masked
    return yaml.safe_dump(out, sort_keys=False, default_flow_style=False, allow_unicode=True)


def mask_secret_pair(old: str | None, new: str | None) -> tuple[str | None, str | None]:
    """The two texts of one resource with Secret values masked (others unchanged)."""
    texts = [t for t in (old, new) if t is not None]
    if not any(_LOOKS_LIKE_SECRET.search(t) for t in texts):
        return old, new
    o, n = _load_secret(old), _load_secret(new)
    ov = _secret_values(o) if isinstance(o, dict) else None
    nv = _secret_values(n) if isinstance(n, dict) else None
    return _mask_one(old, o, ov, nv, "old"), _mask_one(new, n, nv, ov, "new")


def mask_manifest(manifest: str) -> str:
    """A whole rendered manifest with every Secret value shown as ``(hidden)`` (the Helm
    pane's Manifest tab); other documents, comments and separators as they are."""
    parts = re.split(r"(^---\s*$)", manifest or "", flags=re.MULTILINE)
    out = []
    for part in parts:
        if part.startswith("---") or not _LOOKS_LIKE_SECRET.search(part):
            out.append(part)
            continue
        lead = part[:len(part) - len(part.lstrip("\n"))]
        comments = "".join(ln + "\n" for ln in part.strip("\n").splitlines()
                           if ln.startswith("#"))
        obj = _load_secret(part)
        if isinstance(obj, str):
            out.append(part)
            continue
        if obj is None:
            out.append(lead + comments + UNPARSED_SECRET)
            continue
        for fld in SECRET_FIELDS:
            if isinstance(obj.get(fld), dict):
                obj[fld] = {str(k): "(hidden)" for k in obj[fld]}
        out.append(lead + comments + yaml.safe_dump(obj, sort_keys=False,
                                                    default_flow_style=False,
                                                    allow_unicode=True))
    return "".join(out)


def diff_manifests(old: str | None, new: str, default_namespace: str = "",
                   context: int = 3, *, show_secrets: bool = False) -> list[ResourceDiff]:
    """Per-resource changes from ``old`` (None/"" = nothing deployed) to ``new``.

    Secret values are masked unless ``show_secrets`` (see the module docstring).
    Order: changed, added, removed, unchanged; within each, by kind then name."""
    before = split_manifest(old or "", default_namespace)
    after = split_manifest(new, default_namespace)
    diffs: list[ResourceDiff] = []
    for key in sorted(set(before) | set(after), key=lambda k: (k.kind, k.namespace, k.name)):
        a, b = before.get(key), after.get(key)
        if a != b and not show_secrets:  # equal texts need no lines at all
            a, b = mask_secret_pair(a, b)
        if a is None and b is not None:
            diffs.append(ResourceDiff(key, "added", ["+" + ln for ln in b.splitlines()]))
        elif b is None and a is not None:
            diffs.append(ResourceDiff(key, "removed", ["-" + ln for ln in a.splitlines()]))
        elif before.get(key) == after.get(key):
            diffs.append(ResourceDiff(key, "unchanged"))
        else:
            lines = list(difflib.unified_diff(
                (a or "").splitlines(), (b or "").splitlines(), lineterm="", n=context))
            diffs.append(ResourceDiff(key, "changed", [ln for ln in lines[2:]]))
    order = {"changed": 0, "added": 1, "removed": 2, "unchanged": 3}
    return sorted(diffs, key=lambda d: order[d.change])


def diff_text(a: str, b: str, context: int = 3) -> list[str]:
    """Unified diff lines of two texts (for values), without the file header."""
    return list(difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm="",
                                     n=context))[2:]


def summary(diffs: list[ResourceDiff]) -> str:
    """"2 changed, 1 added, 0 removed, 3 unchanged" (for confirm dialogs and the CLI)."""
    counts = {c: sum(1 for d in diffs if d.change == c)
              for c in ("changed", "added", "removed", "unchanged")}
    return ", ".join(f"{n} {c}" for c, n in counts.items())


def render_text(diffs: list[ResourceDiff], *, show_unchanged: bool = False) -> list[str]:
    """Plain lines for the CLI and the diff view: a header per resource, then its lines."""
    out: list[str] = []
    for d in diffs:
        if d.change == "unchanged" and not show_unchanged:
            continue
        out.append(f"=== {d.key} ({d.change})")
        out.extend(d.lines)
    return out
