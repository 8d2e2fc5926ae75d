"""Pure parts of the Kustomize preview: rendered objects, what a diff compares, commands.

No I/O and no Textual: the pane, the headless command and the tests share these. The
objects come from ``kubectl kustomize`` (untrusted YAML); a document that is not an object
with ``apiVersion``, ``kind`` and ``metadata.name`` is an error naming the document, not a
crash later on.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml

from k8s_essentials_tui.api import FIELD_MANAGER, shell_join

#: what a server-side dry-run says about one object
Change = Literal["added", "changed", "unchanged", "error"]
CHANGE_ORDER: dict[str, int] = {"error": 0, "changed": 1, "added": 2, "unchanged": 3}

#: libyaml's loader and dumper when PyYAML was built with it (several times faster on a big
#: rendered stream); the pure-Python ones otherwise -- same results
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

#: fields the apiserver sets itself; comparing them would report a change on every run
#: (``status`` is written by controllers, not by an apply, and moves between two requests)
_SERVER_META = ("managedFields", "resourceVersion", "uid", "creationTimestamp", "selfLink")


class ManifestError(ValueError):
    """The rendered stream holds something that is not a Kubernetes object."""


@dataclass(frozen=True)
class Item:
    """One rendered object."""

    api_version: str
    kind: str
    name: str
    #: as rendered ("" = none: the default namespace when the kind is namespaced)
    namespace: str
    obj: dict[str, Any] = field(compare=False, hash=False)

    @property
    def group(self) -> str:
        return self.api_version.rpartition("/")[0]

    def label(self, namespace: str | None = None) -> str:
        """``Kind ns/name`` as the diff headers spell it."""
        ns = self.namespace if namespace is None else namespace
        return f"{self.kind} {ns}/{self.name}" if ns else f"{self.kind} {self.name}"


def parse_objects(stream: str) -> list[Item]:
    """The rendered YAML stream -> items, in the renderer's order (it sorts Namespaces and
    CRDs first, the order an apply needs). ``List`` documents are flattened."""
    try:
        docs = list(yaml.load_all(stream, Loader=_LOADER))
    except yaml.YAMLError as exc:
        raise ManifestError(f"rendered output is not YAML: {str(exc).splitlines()[0]}") \
            from None
    items: list[Item] = []
    for i, doc in enumerate(docs, 1):
        if doc is None:
            continue
        objs: list[Any] = [doc]
        if isinstance(doc, dict) and str(doc.get("kind", "")).endswith("List") and \
                isinstance(doc.get("items"), list):
            objs = doc["items"]
        for obj in objs:
            items.append(_item(obj, i))
    return items


def _item(obj: Any, index: int) -> Item:
    if not isinstance(obj, dict):
        raise ManifestError(f"document {index} is not an object")
    meta = obj.get("metadata")
    name = meta.get("name") if isinstance(meta, dict) else None
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    if not (isinstance(api_version, str) and api_version and isinstance(kind, str) and kind
            and isinstance(name, str) and name):
        raise ManifestError(f"document {index} lacks apiVersion, kind or metadata.name")
    ns = meta.get("namespace") if isinstance(meta, dict) else None
    return Item(api_version, kind, name, ns if isinstance(ns, str) else "", obj)


def for_apply(item: Item, namespace: str) -> dict[str, Any]:
    """The object as the apply body: the effective namespace filled in (as ``kubectl
    apply -n`` does for objects without one), nothing else changed."""
    body = copy.deepcopy(item.obj)
    if namespace:
        body.setdefault("metadata", {})["namespace"] = namespace
    return body


def comparable(obj: dict[str, Any]) -> dict[str, Any]:
    """``obj`` without what the server owns (see ``_SERVER_META``) and without status."""
    out = {k: v for k, v in obj.items() if k != "status"}
    meta = out.get("metadata")
    if isinstance(meta, dict):
        out["metadata"] = {k: v for k, v in meta.items() if k not in _SERVER_META}
    return out


def to_yaml(obj: dict[str, Any]) -> str:
    """YAML of one object in the server's field order (both sides of a diff come from the
    server, so equal objects give equal text)."""
    return yaml.dump(comparable(obj), Dumper=_DUMPER, sort_keys=False,
                     default_flow_style=False, allow_unicode=True)


def apply_command(directory: str, namespace: str | None = None, *,
                  force: bool = False) -> str:
    """The equivalent kubectl command (confirm dialog, audit log, docs)."""
    argv = ["kubectl", "apply", "--server-side", f"--field-manager={FIELD_MANAGER}",
            *(["--force-conflicts"] if force else []), "-k", directory]
    if namespace:
        argv += ["-n", namespace]
    return shell_join(argv)


def diff_command(directory: str, namespace: str | None = None, *,
                 force: bool = False) -> str:
    argv = ["kubectl", "diff", "--server-side", f"--field-manager={FIELD_MANAGER}",
            *(["--force-conflicts"] if force else []), "-k", directory]
    if namespace:
        argv += ["-n", namespace]
    return shell_join(argv)
