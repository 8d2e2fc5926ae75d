"""Deprecated and removed Kubernetes API versions (like Pluto and kubent), found in the
manifests of the current Helm release revisions. Pure: no I/O, no Textual.

Why Helm manifests: helm keeps each revision's rendered manifest in the release Secret, and
``helm upgrade`` first builds the objects of the *deployed* manifest. When one of them uses
an API the cluster no longer serves, every upgrade of that release fails ("unable to build
kubernetes objects from current release manifest") -- the objects in the cluster were
converted long ago, but the release record was not. So the scan reads the records, not the
live objects, and says which releases break at the target Kubernetes minor.

The table is the Kubernetes "Deprecated API Migration Guide"
(https://kubernetes.io/docs/reference/using-api/deprecation-guide/, read 2026-12-06): every
API version removed from 1.16 through 1.32, the last release that removed one there; no
removal is listed for 1.33 to 1.36.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import yaml


@dataclass(frozen=True)
class DeprecatedAPI:
    api_version: str
    kind: str
    #: the minor that stops serving it ("1.22"); "" = deprecated, no removal planned
    removed_in: str
    replacement: str
    deprecated_in: str = ""


def _rows(removed_in: str, api_version: str, replacement: str, *kinds: str,
          deprecated_in: str = "") -> list[DeprecatedAPI]:
    return [DeprecatedAPI(api_version, k, removed_in, replacement, deprecated_in)
            for k in kinds]


#: (apiVersion, kind) no longer served from ``removed_in`` on, with its replacement
TABLE: tuple[DeprecatedAPI, ...] = tuple([
    # v1.16
    *_rows("1.16", "extensions/v1beta1", "apps/v1", "Deployment", "DaemonSet", "ReplicaSet",
           deprecated_in="1.9"),
    *_rows("1.16", "apps/v1beta1", "apps/v1", "Deployment", "StatefulSet", "ReplicaSet",
           deprecated_in="1.9"),
    *_rows("1.16", "apps/v1beta2", "apps/v1", "Deployment", "StatefulSet", "DaemonSet",
           "ReplicaSet", deprecated_in="1.9"),
    *_rows("1.16", "extensions/v1beta1", "networking.k8s.io/v1", "NetworkPolicy",
           deprecated_in="1.9"),
    *_rows("1.16", "extensions/v1beta1", "policy/v1beta1", "PodSecurityPolicy",
           deprecated_in="1.10"),
    # v1.22
    *_rows("1.22", "admissionregistration.k8s.io/v1beta1", "admissionregistration.k8s.io/v1",
           "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
           deprecated_in="1.16"),
    *_rows("1.22", "apiextensions.k8s.io/v1beta1", "apiextensions.k8s.io/v1",
           "CustomResourceDefinition", deprecated_in="1.16"),
    *_rows("1.22", "apiregistration.k8s.io/v1beta1", "apiregistration.k8s.io/v1",
           "APIService", deprecated_in="1.19"),
    *_rows("1.22", "authentication.k8s.io/v1beta1", "authentication.k8s.io/v1",
           "TokenReview", deprecated_in="1.19"),
    *_rows("1.22", "authorization.k8s.io/v1beta1", "authorization.k8s.io/v1",
           "SubjectAccessReview", "LocalSubjectAccessReview", "SelfSubjectAccessReview",
           deprecated_in="1.19"),
    *_rows("1.22", "certificates.k8s.io/v1beta1", "certificates.k8s.io/v1",
           "CertificateSigningRequest", deprecated_in="1.19"),
    *_rows("1.22", "coordination.k8s.io/v1beta1", "coordination.k8s.io/v1", "Lease",
           deprecated_in="1.19"),
    *_rows("1.22", "extensions/v1beta1", "networking.k8s.io/v1", "Ingress",
           deprecated_in="1.14"),
    *_rows("1.22", "networking.k8s.io/v1beta1", "networking.k8s.io/v1", "Ingress",
           "IngressClass", deprecated_in="1.19"),
    *_rows("1.22", "rbac.authorization.k8s.io/v1beta1", "rbac.authorization.k8s.io/v1",
           "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", deprecated_in="1.17"),
    *_rows("1.22", "scheduling.k8s.io/v1beta1", "scheduling.k8s.io/v1", "PriorityClass",
           deprecated_in="1.14"),
    *_rows("1.22", "storage.k8s.io/v1beta1", "storage.k8s.io/v1", "CSIDriver", "CSINode",
           "StorageClass", "VolumeAttachment", deprecated_in="1.19"),
    # v1.25
    *_rows("1.25", "batch/v1beta1", "batch/v1", "CronJob", deprecated_in="1.21"),
    *_rows("1.25", "discovery.k8s.io/v1beta1", "discovery.k8s.io/v1", "EndpointSlice",
           deprecated_in="1.21"),
    *_rows("1.25", "events.k8s.io/v1beta1", "events.k8s.io/v1", "Event",
           deprecated_in="1.19"),
    *_rows("1.25", "autoscaling/v2beta1", "autoscaling/v2", "HorizontalPodAutoscaler",
           deprecated_in="1.23"),
    *_rows("1.25", "policy/v1beta1", "policy/v1", "PodDisruptionBudget",
           deprecated_in="1.21"),
    *_rows("1.25", "policy/v1beta1", "none (Pod Security Admission, a policy engine)",
           "PodSecurityPolicy", deprecated_in="1.21"),
    *_rows("1.25", "node.k8s.io/v1beta1", "node.k8s.io/v1", "RuntimeClass",
           deprecated_in="1.20"),
    # v1.26
    *_rows("1.26", "flowcontrol.apiserver.k8s.io/v1beta1", "flowcontrol.apiserver.k8s.io/v1",
           "FlowSchema", "PriorityLevelConfiguration", deprecated_in="1.23"),
    *_rows("1.26", "autoscaling/v2beta2", "autoscaling/v2", "HorizontalPodAutoscaler",
           deprecated_in="1.23"),
    # v1.27
    *_rows("1.27", "storage.k8s.io/v1beta1", "storage.k8s.io/v1", "CSIStorageCapacity",
           deprecated_in="1.24"),
    # v1.29
    *_rows("1.29", "flowcontrol.apiserver.k8s.io/v1beta2", "flowcontrol.apiserver.k8s.io/v1",
           "FlowSchema", "PriorityLevelConfiguration", deprecated_in="1.26"),
    # v1.32
    *_rows("1.32", "flowcontrol.apiserver.k8s.io/v1beta3", "flowcontrol.apiserver.k8s.io/v1",
           "FlowSchema", "PriorityLevelConfiguration", deprecated_in="1.29"),
])

_BY_KEY: dict[tuple[str, str], DeprecatedAPI] = {(d.api_version, d.kind): d for d in TABLE}
_MINOR = re.compile(r"^v?(\d+)\.(\d+)")


def minor(version: str | None) -> tuple[int, int] | None:
    """``v1.35.4`` / ``1.36`` -> (1, 35) / (1, 36); None when unreadable."""
    m = _MINOR.match(version.strip()) if isinstance(version, str) else None
    return (int(m[1]), int(m[2])) if m else None


def next_minor(version: tuple[int, int]) -> tuple[int, int]:
    return (version[0], version[1] + 1)


def lookup(api_version: str, kind: str) -> DeprecatedAPI | None:
    return _BY_KEY.get((api_version, kind))


@dataclass(frozen=True)
class ManifestObject:
    api_version: str
    kind: str
    name: str
    namespace: str


_TOP = re.compile(r"^(apiVersion|kind):[ \t]*[\"']?([^\"'\s#]+)", re.M)


def _meta_fields(lines: list[str]) -> dict[str, str] | None:
    """``name``/``namespace`` under a block ``metadata:`` (the first level below it);
    None when metadata is written flow-style (``metadata: {name: x}``): parse it then."""
    for i, line in enumerate(lines):
        if not line.startswith("metadata:"):
            continue
        if line[len("metadata:"):].split("#", 1)[0].strip():
            return None
        out: dict[str, str] = {}
        indent: int | None = None
        for sub in lines[i + 1:]:
            if not sub.strip() or sub.lstrip().startswith("#"):
                continue
            depth = len(sub) - len(sub.lstrip(" "))
            if depth == 0:
                break
            indent = depth if indent is None else indent
            if depth != indent:
                continue
            key, sep, value = sub.strip().partition(":")
            if sep and key in ("name", "namespace") and key not in out:
                out[key] = value.split(" #", 1)[0].strip().strip("\"'")
        return out
    return {}


def manifest_objects(manifest: str) -> list[ManifestObject]:
    """The objects of a rendered Helm manifest (``---`` separated YAML documents).

    Why a line scanner and not a YAML parser: the board runs this for every release on its
    refresh path, and PyYAML takes milliseconds per document (tens on a busy bastion). Helm
    renders ``apiVersion``, ``kind`` and ``metadata`` at column 0; a document written
    otherwise (flow style) is parsed with YAML, and one that does not parse is skipped."""
    out: list[ManifestObject] = []
    for chunk in re.split(r"(?m)^---[ \t]*$", manifest or ""):
        if not chunk.strip():
            continue
        top = {key: value for key, value in _TOP.findall(chunk)}
        meta = _meta_fields(chunk.splitlines()) if len(top) == 2 else None
        if meta is None:
            obj = _parse(chunk)
            if obj is not None:
                out.append(obj)
            continue
        out.append(ManifestObject(top["apiVersion"], top["kind"], meta.get("name", ""),
                                  meta.get("namespace", "")))
    return out


def _parse(chunk: str) -> ManifestObject | None:
    try:
        doc = yaml.safe_load(chunk)
    except yaml.YAMLError:
        return None
    if not isinstance(doc, Mapping):
        return None
    api, kind = doc.get("apiVersion"), doc.get("kind")
    raw_meta = doc.get("metadata")
    meta: Mapping[str, Any] = raw_meta if isinstance(raw_meta, Mapping) else {}
    if not (isinstance(api, str) and isinstance(kind, str)):
        return None
    name, ns = meta.get("name"), meta.get("namespace")
    return ManifestObject(api, kind, name if isinstance(name, str) else "",
                          ns if isinstance(ns, str) else "")


@dataclass(frozen=True)
class Finding:
    """One object of one release using a deprecated or removed API version."""

    release_namespace: str
    release: str
    chart: str
    kind: str
    name: str
    namespace: str
    api_version: str
    replacement: str
    removed_in: str
    deprecated_in: str
    #: ``removed`` (the cluster no longer serves it: upgrades of the release fail now),
    #: ``removed at target`` (removed by the target minor) or ``deprecated`` (later)
    status: str
    #: the cluster serves this API version (None: discovery not read)
    served: bool | None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _status(api: DeprecatedAPI, cluster: tuple[int, int] | None,
            target: tuple[int, int]) -> str:
    removed = minor(api.removed_in)
    if removed is None:
        return "deprecated"
    if cluster is not None and removed <= cluster:
        return "removed"
    return "removed at target" if removed <= target else "deprecated"


def scan(releases: Iterable[Any], *, target: tuple[int, int],
         cluster: tuple[int, int] | None = None,
         served: Mapping[str, list[str]] | None = None) -> list[Finding]:
    """Findings in the manifests of ``releases`` (``helm.release.Release`` objects, the
    current revision of each), worst first. ``served``: discovery's group -> versions."""
    out: list[Finding] = []
    for rel in releases:
        for obj in manifest_objects(getattr(rel, "manifest", "") or ""):
            api = lookup(obj.api_version, obj.kind)
            if api is None:
                continue
            group, _, version = obj.api_version.rpartition("/")
            is_served = None if served is None else version in served.get(group, [])
            out.append(Finding(
                release_namespace=rel.namespace, release=rel.name, chart=rel.chart_ref,
                kind=obj.kind, name=obj.name, namespace=obj.namespace or rel.namespace,
                api_version=obj.api_version, replacement=api.replacement,
                removed_in=api.removed_in, deprecated_in=api.deprecated_in,
                status=_status(api, cluster, target), served=is_served))
    rank = {"removed": 0, "removed at target": 1, "deprecated": 2}
    return sorted(out, key=lambda f: (rank[f.status], f.release_namespace, f.release,
                                      f.kind, f.name))


def served_deprecated(served: Mapping[str, list[str]],
                      target: tuple[int, int]) -> list[DeprecatedAPI]:
    """API versions of the table the cluster still serves that are removed by ``target``
    (clients and manifests outside Helm may still use them)."""
    seen: dict[str, DeprecatedAPI] = {}
    for api in TABLE:
        group, _, version = api.api_version.rpartition("/")
        removed = minor(api.removed_in)
        if version in served.get(group, []) and removed is not None and removed <= target:
            seen.setdefault(f"{api.api_version} {api.kind}", api)
    return list(seen.values())


def failing(findings: Iterable[Finding]) -> bool:
    """Exit 1: something is removed at (or before) the target."""
    return any(f.status != "deprecated" for f in findings)
