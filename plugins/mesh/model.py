"""The service-mesh model: injection coverage, proxy versions and skew, for Istio and Linkerd.

Pure functions over objects the apiserver returns (Namespaces, Pods, the control-plane
Deployments, Istio's revision-tag webhooks): no requests, no Textual. The pane feeds it from
the shared watch caches, the ``mesh`` command from one list per type, so both say the same.

Why these rules (Istio's and Linkerd's injection docs, see docs/mesh.md):

* Istio sidecar injection for a namespace: ``istio-injection=enabled`` (default revision),
  else ``istio.io/rev=<revision or tag>``; ``istio-injection=disabled`` turns it off and wins
  over ``istio.io/rev``. A pod opts out with the label (or legacy annotation)
  ``sidecar.istio.io/inject=false`` and opts in with ``=true``.
* Istio ambient: ``istio.io/dataplane-mode=ambient`` on the namespace; a pod opts out with
  ``istio.io/dataplane-mode=none``; an enrolled pod carries the annotation
  ``ambient.istio.io/redirection=enabled`` (set by the istio-cni node agent). Enrolment needs
  no restart.
* Linkerd: the annotation ``linkerd.io/inject: enabled`` on the namespace (or the pod
  template); ``disabled`` on a pod opts out.
* A proxy is the ``istio-proxy``/``linkerd-proxy`` container, or the same name as an init
  container with ``restartPolicy: Always`` (a native sidecar).
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

ISTIO, LINKERD, AMBIENT = "istio", "linkerd", "ambient"

ISTIO_INJECTION = "istio-injection"
ISTIO_REV = "istio.io/rev"
ISTIO_TAG = "istio.io/tag"
DATAPLANE_MODE = "istio.io/dataplane-mode"
ISTIO_POD_INJECT = "sidecar.istio.io/inject"
ISTIO_STATUS = "sidecar.istio.io/status"
AMBIENT_REDIRECTION = "ambient.istio.io/redirection"
LINKERD_INJECT = "linkerd.io/inject"
LINKERD_PROXY_VERSION = "linkerd.io/proxy-version"
LINKERD_COMPONENT = "linkerd.io/control-plane-component"
ISTIO_PROXY, LINKERD_PROXY = "istio-proxy", "linkerd-proxy"
DEFAULT_REVISION = "default"


_EMPTY: Mapping[str, Any] = {}


def _map(value: Any) -> Mapping[str, Any]:
    # JSON objects are dicts: the exact type check first (isinstance against the Mapping
    # ABC costs ~10x more, and this runs a dozen times per pod on 20,000 pods)
    if type(value) is dict:
        return value
    return value if isinstance(value, Mapping) else _EMPTY


def _str(value: Any) -> str:
    return value if type(value) is str else ""


def meta(obj: Any) -> Mapping[str, Any]:
    return _map(_map(obj).get("metadata"))


def labels(obj: Any) -> Mapping[str, Any]:
    return _map(meta(obj).get("labels"))


def annotations_of(obj: Any) -> Mapping[str, Any]:
    return _map(meta(obj).get("annotations"))


def name_of(obj: Any) -> str:
    return _str(meta(obj).get("name"))


def namespace_of(obj: Any) -> str:
    return _str(meta(obj).get("namespace"))


# -- versions ---------------------------------------------------------------------------------

_VERSION = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?")


@functools.lru_cache(maxsize=1024)
def parse_version(text: str) -> tuple[int, int, int] | None:
    """``1.30.3``, ``1.30.3-distroless``, ``stable-2.14.10``, ``edge-26.8.4`` -> numbers.

    Linkerd's edge releases are ``edge-YY.M.N``: the month plays the minor's part there."""
    found = _VERSION.search(text or "")
    if not found:
        return None
    return int(found.group(1)), int(found.group(2)), int(found.group(3) or 0)


def minors_behind(proxy: str, control_plane: str) -> int | None:
    """How many minor versions the proxy is behind the control plane (negative: ahead);
    a different major counts as far behind (99). None when either is unreadable."""
    p, c = parse_version(proxy), parse_version(control_plane)
    if p is None or c is None:
        return None
    if p[0] != c[0]:
        return 99 if p[0] < c[0] else -99
    return c[1] - p[1]


def skew_level(behind: int | None) -> str:
    """``ok`` (same minor), ``behind`` (one minor: supported), ``problem`` (more), ``ahead``,
    ``unknown``. Istio supports a proxy one minor behind istiod (its supported-releases page);
    more is out of support."""
    if behind is None:
        return "unknown"
    if behind == 0:
        return "ok"
    if behind == 1:
        return "behind"
    return "problem" if behind > 1 else "ahead"


def image_version(image: str) -> str:
    """The tag of an image reference (a digest is ignored), ``""`` without one."""
    ref = image.split("@", 1)[0]
    last = ref.rsplit("/", 1)[-1]
    return last.rsplit(":", 1)[1] if ":" in last else ""


# -- control planes -----------------------------------------------------------------------

@dataclass(frozen=True)
class ControlPlane:
    mesh: str  # istio | linkerd
    namespace: str
    name: str
    revision: str  # istio revision ("default" when unlabelled); "" for linkerd
    version: str
    tags: tuple[str, ...] = ()


def _template_images(workload: Any) -> list[str]:
    spec = _map(_map(_map(_map(workload).get("spec")).get("template")).get("spec"))
    out = []
    for c in spec.get("containers") or []:
        image = _str(_map(c).get("image"))
        if image:
            out.append((_str(_map(c).get("name")), image))
    return [image for _, image in out]


def istio_control_planes(deployments: Iterable[Any],
                         tag_webhooks: Iterable[Any] = ()) -> list[ControlPlane]:
    """One row per istiod Deployment (``app=istiod``): revision from ``istio.io/rev``,
    version from the discovery image's tag; revision tags from the webhooks Istio creates
    for ``istioctl tag set`` (labels ``istio.io/tag`` and ``istio.io/rev``)."""
    tags: dict[str, list[str]] = {}
    for hook in tag_webhooks:
        tag, rev = _str(labels(hook).get(ISTIO_TAG)), _str(labels(hook).get(ISTIO_REV))
        if tag and rev and tag not in tags.setdefault(rev, []):
            tags[rev].append(tag)
    out = []
    for dep in deployments:
        if _str(labels(dep).get("app")) != "istiod":
            continue
        rev = _str(labels(dep).get(ISTIO_REV)) or DEFAULT_REVISION
        version = next((image_version(i) for i in _template_images(dep) if image_version(i)), "")
        out.append(ControlPlane(ISTIO, namespace_of(dep), name_of(dep), rev, version,
                                tuple(sorted(tags.get(rev, ())))))
    return sorted(out, key=lambda c: (c.revision != DEFAULT_REVISION, c.revision, c.name))


def linkerd_control_planes(deployments: Iterable[Any]) -> list[ControlPlane]:
    """Linkerd's control plane: the ``destination`` Deployment's controller image tag
    (every control-plane component of one install has the same version)."""
    out = []
    for dep in deployments:
        if _str(labels(dep).get(LINKERD_COMPONENT)) != "destination":
            continue
        images = _template_images(dep)
        version = next((image_version(i) for i in images if "controller" in i
                        and image_version(i)), "") or next(
            (image_version(i) for i in images if image_version(i)), "")
        out.append(ControlPlane(LINKERD, namespace_of(dep), name_of(dep), "", version))
    return sorted(out, key=lambda c: (c.namespace, c.name))


def revision_targets(planes: Iterable[ControlPlane]) -> dict[str, ControlPlane]:
    """Revision or tag name -> the istiod it injects from."""
    out: dict[str, ControlPlane] = {}
    for cp in planes:
        if cp.mesh != ISTIO:
            continue
        out.setdefault(cp.revision, cp)
        for tag in cp.tags:
            out.setdefault(tag, cp)
    return out


# -- namespaces ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Injection:
    """What a namespace asks for: the mesh (``""`` none), how (the label/annotation as
    text), and for Istio the revision or tag it names."""

    mesh: str = ""
    how: str = ""
    revision: str = ""


def namespace_injection(ns: Any) -> Injection:
    lab, ann = labels(ns), annotations_of(ns)
    injection = _str(lab.get(ISTIO_INJECTION))
    if injection == "enabled":
        return Injection(ISTIO, f"{ISTIO_INJECTION}=enabled", DEFAULT_REVISION)
    rev = _str(lab.get(ISTIO_REV))
    if rev and injection != "disabled":
        return Injection(ISTIO, f"{ISTIO_REV}={rev}", rev)
    if _str(lab.get(DATAPLANE_MODE)) == "ambient":
        return Injection(AMBIENT, f"{DATAPLANE_MODE}=ambient")
    if _str(ann.get(LINKERD_INJECT)) in ("enabled", "ingress"):
        return Injection(LINKERD, f"{LINKERD_INJECT}: {ann.get(LINKERD_INJECT)}")
    return Injection()


# -- pods ---------------------------------------------------------------------------------

@dataclass(slots=True)
class Proxy:
    mesh: str = ""
    kind: str = ""  # sidecar | native | ambient
    version: str = ""
    revision: str = ""


def _containers(spec: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = spec.get(key)
    return [_map(c) for c in value] if isinstance(value, list) else []


def pod_proxy(pod: Any, lab: Mapping[str, Any] | None = None,
              ann: Mapping[str, Any] | None = None) -> Proxy:
    """The pod's mesh proxy, if any: a sidecar container, a native sidecar (an init
    container that keeps running), or ambient enrolment."""
    spec = _map(_map(pod).get("spec"))
    ann = annotations_of(pod) if ann is None else ann
    lab = labels(pod) if lab is None else lab
    for mesh, container in ((ISTIO, ISTIO_PROXY), (LINKERD, LINKERD_PROXY)):
        found: Mapping[str, Any] | None = None
        kind = ""
        for c in _containers(spec, "containers"):
            if c.get("name") == container:
                found, kind = c, "sidecar"
                break
        if found is None:
            for c in _containers(spec, "initContainers"):
                if c.get("name") == container and c.get("restartPolicy") == "Always":
                    found, kind = c, "native"
                    break
        if found is None:
            continue
        version = image_version(_str(found.get("image")))
        revision = ""
        if mesh == LINKERD:
            version = _str(ann.get(LINKERD_PROXY_VERSION)) or version
        else:
            revision = _str(lab.get(ISTIO_REV)) or _status_revision(ann)
        return Proxy(mesh, kind, version, revision)
    if _str(ann.get(AMBIENT_REDIRECTION)) == "enabled":
        return Proxy(AMBIENT, "ambient")
    return Proxy()


def _status_revision(ann: Mapping[str, Any]) -> str:
    raw = _str(ann.get(ISTIO_STATUS))
    return _revision_in(raw) if raw else ""


@functools.lru_cache(maxsize=256)
def _revision_in(raw: str) -> str:
    """The ``revision`` of a ``sidecar.istio.io/status`` value (the same few values repeat
    on thousands of pods: parsed once each)."""
    try:
        value = json.loads(raw)
    except ValueError:
        return ""
    return _str(_map(value).get("revision"))


def opted_out(pod: Any, mesh: str, lab: Mapping[str, Any] | None = None,
              ann: Mapping[str, Any] | None = None) -> bool:
    lab = labels(pod) if lab is None else lab
    ann = annotations_of(pod) if ann is None else ann
    if mesh == ISTIO:
        value = _str(lab.get(ISTIO_POD_INJECT)) or _str(ann.get(ISTIO_POD_INJECT))
        return value == "false"
    if mesh == AMBIENT:
        return _str(lab.get(DATAPLANE_MODE)) == "none"
    if mesh == LINKERD:
        return _str(ann.get(LINKERD_INJECT)) == "disabled"
    return False


def opted_in(pod: Any, lab: Mapping[str, Any] | None = None,
             ann: Mapping[str, Any] | None = None) -> str:
    """The mesh a pod asks for itself in a namespace that does not inject."""
    lab = labels(pod) if lab is None else lab
    ann = annotations_of(pod) if ann is None else ann
    if (_str(lab.get(ISTIO_POD_INJECT)) or _str(ann.get(ISTIO_POD_INJECT))) == "true":
        return ISTIO
    if _str(ann.get(LINKERD_INJECT)) == "enabled":
        return LINKERD
    if _str(lab.get(DATAPLANE_MODE)) == "ambient":
        return AMBIENT
    return ""


@dataclass(frozen=True)
class Workload:
    """The controller ``kubectl rollout restart`` acts on (kind is ``""`` for a bare pod or
    an owner it cannot restart)."""

    kind: str
    name: str

    @property
    def ref(self) -> str:
        return f"{self.kind.lower()}/{self.name}" if self.kind else ""


def pod_workload(pod: Any, md: Mapping[str, Any] | None = None) -> Workload:
    """Deployment (via its ReplicaSet's name minus ``-<pod-template-hash>``), StatefulSet
    or DaemonSet that owns the pod -- read from the pod alone, no ReplicaSet request."""
    md = meta(pod) if md is None else md
    for ref in md.get("ownerReferences") or []:
        ref = _map(ref)
        if not ref.get("controller"):
            continue
        kind, name = _str(ref.get("kind")), _str(ref.get("name"))
        if kind in ("StatefulSet", "DaemonSet"):
            return Workload(kind, name)
        if kind == "ReplicaSet":
            hash_ = _str(_map(md.get("labels")).get("pod-template-hash"))
            if hash_ and name.endswith("-" + hash_):
                return Workload("Deployment", name[: -len(hash_) - 1])
            return Workload("", name)
        return Workload("", name)
    return Workload("", "")


@dataclass(slots=True)
class PodRow:
    namespace: str
    name: str
    mesh: str  # the mesh expected for this pod ("" when none)
    proxy: Proxy
    expected: bool  # the pod should have a proxy (namespace or pod opt-in, not opted out)
    opted_out: bool
    needs_restart: bool
    reason: str
    workload: Workload
    skew: str  # ok | behind | problem | ahead | unknown | "" (no proxy)
    #: the version of the control plane this proxy should match
    control_plane: str = ""

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"


def _active(pod: Any) -> bool:
    phase = _str(_map(_map(pod).get("status")).get("phase"))
    return phase not in ("Succeeded", "Failed") and not meta(pod).get("deletionTimestamp")


def pod_row(pod: Any, injection: Injection, targets: Mapping[str, ControlPlane],
            linkerd: ControlPlane | None) -> PodRow:
    md = meta(pod)
    lab, ann = _map(md.get("labels")), _map(md.get("annotations"))
    proxy = pod_proxy(pod, lab, ann)
    mesh = injection.mesh
    out = opted_out(pod, mesh, lab, ann) if mesh else False
    if not mesh or out:
        asked = opted_in(pod, lab, ann)
        if asked and not opted_out(pod, asked, lab, ann):
            mesh, out = asked, False
    expected = bool(mesh) and not out
    reason, restart, skew = "", False, ""
    target: ControlPlane | None = None
    moved = False
    if proxy.mesh == ISTIO:
        wanted = targets.get(injection.revision) if injection.mesh == ISTIO else None
        own = targets.get(proxy.revision or DEFAULT_REVISION)
        target = wanted or own
        moved = wanted is not None and own is not None and wanted != own
    elif proxy.mesh == LINKERD:
        target = linkerd
    if proxy.mesh in (ISTIO, LINKERD):
        skew = skew_level(minors_behind(proxy.version, target.version)) if target else "unknown"
    if expected and not proxy.mesh:
        if mesh == AMBIENT:
            reason = "not enrolled in ambient (istio-cni)"
        else:
            reason, restart = "no proxy: created before injection was enabled", True
    elif moved:
        reason, restart = (f"revision {proxy.revision or DEFAULT_REVISION}, namespace wants "
                           f"{injection.revision}"), True
    elif target is not None and target.version and proxy.version \
            and proxy.version != target.version:
        reason, restart = f"proxy {proxy.version}, control plane {target.version}", True
    return PodRow(_str(md.get("namespace")), _str(md.get("name")), mesh, proxy, expected,
                  out, restart, reason, pod_workload(pod, md), skew,
                  target.version if target else "")


# -- the whole picture --------------------------------------------------------------------

@dataclass
class NamespaceRow:
    name: str
    injection: Injection
    pods: int = 0  # active pods expected to have a proxy
    with_proxy: int = 0
    opted_out: int = 0
    needs_restart: int = 0
    far_behind: int = 0  # proxies more than one minor behind
    mtls: str = ""
    authz: int = 0

    @property
    def meshed(self) -> bool:
        return bool(self.injection.mesh)

    @property
    def coverage(self) -> float | None:
        return self.with_proxy / self.pods if self.pods else None

    @property
    def problem(self) -> bool:
        return self.with_proxy < self.pods or self.far_behind > 0


@dataclass
class SkewRow:
    mesh: str
    version: str
    control_plane: str
    level: str
    pods: int


@dataclass
class MeshState:
    control_planes: list[ControlPlane] = field(default_factory=list)
    namespaces: list[NamespaceRow] = field(default_factory=list)
    pods: list[PodRow] = field(default_factory=list)
    skew: list[SkewRow] = field(default_factory=list)
    #: the namespaces that neither inject nor hold a meshed pod (where injection can be
    #: turned on)
    others: list[NamespaceRow] = field(default_factory=list)

    @property
    def expected(self) -> int:
        return sum(n.pods for n in self.namespaces)

    @property
    def covered(self) -> int:
        return sum(n.with_proxy for n in self.namespaces)

    @property
    def coverage(self) -> float | None:
        return self.covered / self.expected if self.expected else None

    def problems(self) -> list[str]:
        """What makes ``mesh`` exit 1: pods without a proxy in a meshed namespace, proxies
        more than one minor behind."""
        out = []
        for ns in self.namespaces:
            missing = ns.pods - ns.with_proxy
            if missing:
                out.append(f"{ns.name}: {missing} of {ns.pods} pods without a proxy")
            if ns.far_behind:
                out.append(f"{ns.name}: {ns.far_behind} proxies more than one minor behind")
        return out

    def summary(self) -> str:
        cov = self.coverage
        if cov is None:
            return "no pods in meshed namespaces"
        meshed = sum(1 for n in self.namespaces if n.meshed)
        restart = sum(n.needs_restart for n in self.namespaces)
        return (f"{percent(cov)} of pods in meshed namespaces have a proxy "
                f"({self.covered}/{self.expected}, {meshed} namespaces); "
                f"{restart} need a restart")


def percent(value: float | None) -> str:
    if value is None:
        return "-"
    pct = value * 100
    # never round 99.9 up to "100%": a namespace with one pod missing must not look done
    return f"{int(pct)}%" if pct < 100 else "100%"


def build(namespaces: Iterable[Any], pods: Iterable[Any], *,
          istiod: Iterable[Any] = (), linkerd: Iterable[Any] = (),
          tag_webhooks: Iterable[Any] = ()) -> MeshState:
    """The whole mesh picture in one pass over the pods."""
    planes = istio_control_planes(istiod, tag_webhooks) + linkerd_control_planes(linkerd)
    targets = revision_targets(planes)
    l5d = next((c for c in planes if c.mesh == LINKERD), None)
    rows: dict[str, NamespaceRow] = {}
    for ns in namespaces:
        name = name_of(ns)
        if name:
            rows[name] = NamespaceRow(name, namespace_injection(ns))
    pod_rows: list[PodRow] = []
    skew: Counter[tuple[str, str, str, str]] = Counter()
    no_injection = Injection()
    for pod in pods:
        if not _active(pod):
            continue
        ns_name = namespace_of(pod)
        ns_row = rows.get(ns_name)
        if ns_row is None:
            ns_row = rows[ns_name] = NamespaceRow(ns_name, no_injection)
        row = pod_row(pod, ns_row.injection, targets, l5d)
        if row.opted_out:
            ns_row.opted_out += 1
        if row.expected:
            ns_row.pods += 1
            if row.proxy.mesh:
                ns_row.with_proxy += 1
        if row.needs_restart:
            ns_row.needs_restart += 1
        if row.skew == "problem":
            ns_row.far_behind += 1
        if row.proxy.mesh in (ISTIO, LINKERD):
            skew[(row.proxy.mesh, row.proxy.version or "?", row.control_plane, row.skew)] += 1
        if row.mesh or row.proxy.mesh:
            pod_rows.append(row)
    state = MeshState(planes)
    # a namespace is listed when it injects or holds a meshed pod
    state.namespaces = sorted(
        (r for r in rows.values() if r.meshed or r.pods or r.opted_out), key=lambda r: r.name)
    state.others = sorted((r for r in rows.values() if not (r.meshed or r.pods or r.opted_out)),
                          key=lambda r: r.name)
    state.pods = sorted(pod_rows, key=lambda r: (r.namespace, r.name))
    state.skew = [SkewRow(mesh, version, cp, level, n)
                  for (mesh, version, cp, level), n in sorted(
                      skew.items(), key=lambda kv: (kv[0][0], _vkey(kv[0][1])))]
    return state


def _vkey(version: str) -> tuple[int, int, int]:
    return parse_version(version) or (0, 0, 0)


def restart_targets(rows: Iterable[PodRow]) -> tuple[list[Workload], list[PodRow]]:
    """The workloads to restart for these pods (each once, in order) and the pods that no
    rollout can fix (bare pods, unknown owners: delete and recreate them yourself)."""
    seen: dict[Workload, None] = {}
    bare: list[PodRow] = []
    for row in rows:
        if row.workload.kind:
            seen.setdefault(row.workload, None)
        else:
            bare.append(row)
    return list(seen), bare
