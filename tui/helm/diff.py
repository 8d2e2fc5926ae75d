"""Diff two rendered manifests resource by resource (what ``helm diff`` shows, without it).

Why grouped by resource: an operator reviewing an upgrade asks "which objects change and
how", not "which lines of a 3000-line stream moved". Each YAML document is keyed by
``Kind namespace/name``; documents are compared as text (the rendered form is what helm
applies), so comments and ordering changes inside one object show up too.
"""

from __future__ import annotations

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


def diff_manifests(old: str | None, new: str, default_namespace: str = "",
                   context: int = 3) -> list[ResourceDiff]:
    """Per-resource changes from ``old`` (None/"" = nothing deployed) to ``new``.

    Order: changed, added, removed, unchanged; within each, by kind then name."""
    before = split_manifest(old or "", default_namespace)
    after = split_manifest(new, default_namespace)
    diffs: list[ResourceDiff] = []
    for key in sorted(set(before) | set(after), key=lambda k: (k.kind, k.namespace, k.name)):
        a, b = before.get(key), after.get(key)
        if a is None and b is not None:
            diffs.append(ResourceDiff(key, "added", ["+" + ln for ln in b.splitlines()]))
        elif b is None and a is not None:
            diffs.append(ResourceDiff(key, "removed", ["-" + ln for ln in a.splitlines()]))
        elif a == b:
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
