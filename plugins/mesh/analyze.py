"""A cheap subset of ``istioctl analyze`` over objects already in the caches.

Three checks, each naming the object to fix:

* a VirtualService whose route destination (or, for a mesh-only VirtualService, whose own
  host) is a cluster-local name with no Service -- istioctl's "referenced host not found";
  hosts outside ``*.svc.cluster.local`` naming no known namespace may be ServiceEntries and
  are left alone;
* a DestinationRule subset whose labels (with the Service's selector) match no pod;
* a Gateway server whose ``tls.credentialName`` Secret does not exist. Only the Secret's
  existence is checked (metadata-only requests); its data is never read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .model import _map, _str, labels, name_of, namespace_of

CLUSTER_SUFFIX = ("svc", "cluster", "local")


@dataclass(frozen=True)
class Finding:
    kind: str
    namespace: str
    name: str
    message: str

    @property
    def ref(self) -> str:
        return f"{self.kind}/{self.name} -n {self.namespace}"


def resolve_host(host: str, namespace: str, namespaces: set[str]) -> tuple[str, str] | None:
    """(service, namespace) of a cluster-local host; None for wildcards and external names."""
    if not host or "*" in host:
        return None
    parts = host.rstrip(".").split(".")
    if len(parts) == 1:
        return parts[0], namespace
    if tuple(parts[2:]) in (CLUSTER_SUFFIX, CLUSTER_SUFFIX[:1]) or (
            len(parts) == 2 and parts[1] in namespaces):
        return parts[0], parts[1]
    return None


def _route_hosts(spec: Mapping[str, Any]) -> list[str]:
    hosts: list[str] = []
    for kind in ("http", "tcp", "tls"):
        for route in spec.get(kind) or []:
            for dest in _map(route).get("route") or []:
                host = _str(_map(_map(dest).get("destination")).get("host"))
                if host and host not in hosts:
                    hosts.append(host)
    return hosts


def virtual_service_findings(virtual_services: Iterable[Any], services: Iterable[Any],
                             namespaces: set[str],
                             scope: set[str] | None = None) -> list[Finding]:
    """``scope``: the namespaces whose Services were read (None: all of them); a host in
    another namespace is not judged."""
    known = {(name_of(s), namespace_of(s)) for s in services}
    out = []
    for vs in virtual_services:
        spec = _map(_map(vs).get("spec"))
        ns, name = namespace_of(vs), name_of(vs)
        gateways = [g for g in spec.get("gateways") or [] if isinstance(g, str)]
        hosts = _route_hosts(spec)
        if not gateways or gateways == ["mesh"]:
            hosts += [h for h in spec.get("hosts") or [] if isinstance(h, str)
                      and h not in hosts]
        for host in hosts:
            target = resolve_host(host, ns, namespaces)
            if target is None or (scope is not None and target[1] not in scope):
                continue
            if target not in known:
                out.append(Finding("VirtualService", ns, name,
                                   f"host {host}: no Service {target[0]} in {target[1]}"))
    return out


def destination_rule_findings(rules: Iterable[Any], services: Iterable[Any],
                              pods: Iterable[Any], namespaces: set[str],
                              scope: set[str] | None = None) -> list[Finding]:
    selectors = {(name_of(s), namespace_of(s)):
                 {str(k): _str(v) for k, v in _map(_map(_map(s).get("spec"))
                                                  .get("selector")).items()}
                 for s in services}
    work: list[tuple[Any, str, tuple[str, str], str, dict[str, str]]] = []
    for dr in rules:
        spec = _map(_map(dr).get("spec"))
        target = resolve_host(_str(spec.get("host")), namespace_of(dr), namespaces)
        if target is None or (scope is not None and target[1] not in scope):
            continue
        for subset in spec.get("subsets") or []:
            subset = _map(subset)
            want = {str(k): _str(v) for k, v in _map(subset.get("labels")).items()}
            want = {**selectors.get(target, {}), **want}
            work.append((dr, _str(subset.get("name")), target, _str(spec.get("host")), want))
    if not work:
        return []
    wanted_ns = {t[1] for _, _, t, _, _ in work}
    by_ns: dict[str, list[Mapping[str, Any]]] = {}
    for pod in pods:
        if namespace_of(pod) in wanted_ns:
            by_ns.setdefault(namespace_of(pod), []).append(labels(pod))
    out = []
    for dr, subset, target, host, want in work:
        if not any(all(lab.get(k) == v for k, v in want.items())
                   for lab in by_ns.get(target[1], ())):
            shown = ",".join(f"{k}={v}" for k, v in sorted(want.items()))
            out.append(Finding("DestinationRule", namespace_of(dr), name_of(dr),
                               f"subset {subset} of {host}: no pod matches {shown}"))
    return out


def gateway_credentials(gateways: Iterable[Any]) -> list[tuple[Any, str, str]]:
    """(gateway, secret namespace, secret name) for every ``tls.credentialName``."""
    out = []
    for gw in gateways:
        for server in _map(_map(gw).get("spec")).get("servers") or []:
            cred = _str(_map(_map(server).get("tls")).get("credentialName"))
            if cred:
                out.append((gw, namespace_of(gw), cred))
    return out


def gateway_findings(gateways: Iterable[Any],
                     secrets: Mapping[tuple[str, str], bool | None]) -> list[Finding]:
    """``secrets`` maps (namespace, name) to whether the Secret exists (None: unknown)."""
    out = []
    for gw, ns, cred in gateway_credentials(gateways):
        exists = secrets.get((ns, cred))
        if exists is False:
            out.append(Finding("Gateway", ns, name_of(gw),
                               f"credentialName {cred}: no Secret {cred} in {ns}"))
        elif exists is None:
            out.append(Finding("Gateway", ns, name_of(gw),
                               f"credentialName {cred}: cannot check the Secret (no access)"))
    return out
