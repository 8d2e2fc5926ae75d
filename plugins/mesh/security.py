"""mTLS mode and authorization policies per namespace (pure, no requests).

Istio's PeerAuthentication precedence (istio.io, "Authentication policy"): a policy with a
workload ``selector`` wins over the namespace-wide one (no selector) in the same namespace,
which wins over the mesh-wide one (no selector, in the root namespace, ``istio-system`` by
default). ``UNSET`` inherits from the parent; with no policy at all Istio runs
``PERMISSIVE``. Linkerd always does mTLS between meshed pods; what it lets in is set by
Servers and AuthorizationPolicies (``policy.linkerd.io``), with the namespace's
``config.linkerd.io/default-inbound-policy`` (default ``all-unauthenticated``) for ports no
Server covers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .model import _map, _str, labels, name_of, namespace_of

DEFAULT_ROOT_NAMESPACE = "istio-system"
MODES = ("STRICT", "PERMISSIVE", "DISABLE")
LINKERD_DEFAULT_POLICY = "config.linkerd.io/default-inbound-policy"


@dataclass(frozen=True)
class WorkloadMtls:
    namespace: str
    policy: str
    selector: tuple[tuple[str, str], ...]
    mode: str
    pods: int  # pods of the namespace the selector matches

    @property
    def selector_text(self) -> str:
        return ",".join(f"{k}={v}" for k, v in self.selector) or "-"


@dataclass
class Security:
    mesh_mode: str = "PERMISSIVE"
    mesh_policy: str = ""  # "<root ns>/<name>" of the mesh-wide policy, "" for the default
    #: namespace -> (mode, where it comes from: "namespace policy NAME" / "mesh-wide" / ...)
    namespaces: dict[str, tuple[str, str]] = field(default_factory=dict)
    workloads: list[WorkloadMtls] = field(default_factory=list)
    authz: Counter[str] = field(default_factory=Counter)  # Istio AuthorizationPolicies / ns
    linkerd_servers: Counter[str] = field(default_factory=Counter)
    linkerd_authz: Counter[str] = field(default_factory=Counter)
    linkerd_default: dict[str, str] = field(default_factory=dict)

    def mode(self, namespace: str) -> str:
        return self.namespaces.get(namespace, (self.mesh_mode, ""))[0]

    def source(self, namespace: str) -> str:
        found = self.namespaces.get(namespace)
        if found:
            return found[1]
        return f"mesh-wide {self.mesh_policy}" if self.mesh_policy else "Istio default"


def _mode(policy: Any) -> str:
    spec = _map(_map(policy).get("spec"))
    mode = _str(_map(spec.get("mtls")).get("mode")).upper()
    return mode if mode in MODES else ""  # UNSET or missing: inherit


def _selector(policy: Any) -> dict[str, str]:
    spec = _map(_map(policy).get("spec"))
    match = _map(_map(spec.get("selector")).get("matchLabels"))
    return {str(k): _str(v) for k, v in match.items()}


def build_security(peer_auths: Iterable[Any], authz: Iterable[Any] = (), *,
                   pods: Iterable[Any] = (), namespaces: Iterable[str] = (),
                   linkerd_servers: Iterable[Any] = (), linkerd_authz: Iterable[Any] = (),
                   namespace_objects: Iterable[Any] = (),
                   root_namespace: str = DEFAULT_ROOT_NAMESPACE) -> Security:
    sec = Security()
    policies = sorted(peer_auths, key=lambda p: (namespace_of(p), name_of(p)))
    # the mesh-wide policy: no selector, in the root namespace (the oldest wins; sorted by
    # name as a stable stand-in)
    for pa in policies:
        if namespace_of(pa) == root_namespace and not _selector(pa) and _mode(pa):
            sec.mesh_mode = _mode(pa)
            sec.mesh_policy = f"{root_namespace}/{name_of(pa)}"
            break
    for pa in policies:
        ns = namespace_of(pa)
        if ns == root_namespace or _selector(pa) or ns in sec.namespaces:
            continue
        mode = _mode(pa)
        if mode:
            sec.namespaces[ns] = (mode, f"namespace policy {name_of(pa)}")
    by_ns: dict[str, list[Mapping[str, Any]]] = {}
    # a policy with a selector in the root namespace is ignored by Istio (its reference)
    selected = [pa for pa in policies if _selector(pa) and namespace_of(pa) != root_namespace]
    if selected:
        wanted = {namespace_of(pa) for pa in selected}
        for pod in pods:
            ns = namespace_of(pod)
            if ns in wanted:
                by_ns.setdefault(ns, []).append(labels(pod))
    for pa in selected:
        ns, sel = namespace_of(pa), _selector(pa)
        mode = _mode(pa) or sec.mode(ns)
        matched = sum(1 for lab in by_ns.get(ns, ())
                      if all(lab.get(k) == v for k, v in sel.items()))
        sec.workloads.append(WorkloadMtls(ns, name_of(pa), tuple(sorted(sel.items())), mode,
                                          matched))
    for ns in namespaces:
        sec.namespaces.setdefault(ns, (sec.mesh_mode, sec.source(ns)))
    sec.authz.update(namespace_of(p) for p in authz)
    sec.linkerd_servers.update(namespace_of(s) for s in linkerd_servers)
    sec.linkerd_authz.update(namespace_of(p) for p in linkerd_authz)
    for ns in namespace_objects:
        policy = _str(_map(_map(_map(ns).get("metadata")).get("annotations")).get(
            LINKERD_DEFAULT_POLICY))
        if policy:
            sec.linkerd_default[name_of(ns)] = policy
    return sec
