"""What ExternalDNS would do with a host, read from its Deployment's container arguments.

ExternalDNS has no API: its configuration is its command line (``--source``,
``--domain-filter``, ``--exclude-domains``, ``--annotation-filter``, ``--policy``,
``--txt-owner-id``; see docs/exposure.md for the sources). Pure functions, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from k8s_essentials_tui.api import Fields, mapping

HOSTNAME_ANNOTATION = "external-dns.alpha.kubernetes.io/hostname"
#: the hostname annotation under both prefixes: recent ExternalDNS releases read
#: ``external-dns.kubernetes.io/`` (``--annotation-prefix``) and the ``alpha`` one only
#: with ``--enable-legacy-annotation-prefix``; clusters carry either (docs/exposure.md)
HOSTNAME_ANNOTATIONS: tuple[str, ...] = (HOSTNAME_ANNOTATION,
                                         "external-dns.kubernetes.io/hostname")


def hostnames(annotations: Mapping[str, str]) -> list[str]:
    """The hosts a Service's hostname annotation asks for (comma-separated)."""
    out: list[str] = []
    for key in HOSTNAME_ANNOTATIONS:
        out.extend(h.strip() for h in annotations.get(key, "").split(",") if h.strip())
    return list(dict.fromkeys(out))

#: the ExternalDNS ``--source`` that picks up each kind of exposure source
SOURCE_FOR_KIND: dict[str, str] = {
    "Ingress": "ingress", "Service": "service",
    "HTTPRoute": "gateway-httproute", "GRPCRoute": "gateway-grpcroute",
}


@dataclass(frozen=True)
class ExternalDNS:
    """One ExternalDNS Deployment's configuration."""

    namespace: str
    name: str
    sources: tuple[str, ...] = ()
    domain_filters: tuple[str, ...] = ()
    exclude_domains: tuple[str, ...] = ()
    annotation_filter: str = ""
    policy: str = "sync"
    txt_owner_id: str = ""
    registry: str = "txt"
    provider: str = ""
    ready: bool = False
    problems: tuple[str, ...] = field(default=())

    @property
    def ref(self) -> str:
        return f"deployment {self.namespace}/{self.name}"


def _args(container: Mapping[str, Any]) -> list[str]:
    f = Fields(container)
    return [*f.texts("command"), *f.texts("args")]


def parse_args(args: Iterable[str]) -> dict[str, list[str]]:
    """``--flag=value`` and ``--flag value`` into flag -> values (repeatable flags keep
    every value; comma-separated values are split, as ExternalDNS's string slices are)."""
    out: dict[str, list[str]] = {}
    items = list(args)
    i = 0
    while i < len(items):
        item = items[i]
        i += 1
        if not item.startswith("--"):
            continue
        name, eq, value = item[2:].partition("=")
        if not eq:
            if i < len(items) and not items[i].startswith("--"):
                value = items[i]
                i += 1
            else:
                value = "true"
        out.setdefault(name, []).extend(v.strip() for v in value.split(",") if v.strip())
    return out


def from_deployment(deployment: Mapping[str, Any]) -> ExternalDNS:
    f = Fields(deployment)
    containers = [mapping(c) for c in f.array("spec.template.spec.containers")]
    chosen = next((c for c in containers if c.get("name") == "external-dns"),
                  containers[0] if containers else {})
    flags = parse_args(_args(chosen))
    desired = f.number("spec.replicas", 1)
    ready = f.number("status.readyReplicas", 0)

    def one(name: str, default: str) -> str:
        values = flags.get(name)
        return values[-1] if values else default

    return ExternalDNS(
        namespace=f.text("metadata.namespace"), name=f.text("metadata.name"),
        sources=tuple(flags.get("source", [])),
        domain_filters=tuple(d.strip(".").lower() for d in flags.get("domain-filter", [])),
        exclude_domains=tuple(d.strip(".").lower() for d in flags.get("exclude-domains", [])),
        annotation_filter=",".join(flags.get("annotation-filter", [])),
        policy=one("policy", "sync"), txt_owner_id=one("txt-owner-id", ""),
        registry=one("registry", "txt"), provider=one("provider", ""),
        ready=desired > 0 and ready > 0, problems=tuple(f.problems))


def in_domain(host: str, domain: str) -> bool:
    host = host.lower().strip(".").removeprefix("*.")
    return host == domain or host.endswith("." + domain)


def domain_ok(config: ExternalDNS, host: str) -> bool:
    """``--domain-filter`` (empty: every domain) minus ``--exclude-domains``."""
    if any(in_domain(host, d) for d in config.exclude_domains):
        return False
    return not config.domain_filters or any(in_domain(host, d)
                                            for d in config.domain_filters)


_REQ = re.compile(r"\s*([^\s=!,()]+)\s*(?:(==|=|!=)\s*([^\s,()]*)|\s+(in|notin)\s*\(([^)]*)\))?"
                  r"\s*")


def _split_requirements(selector: str) -> list[str]:
    out, depth, cur = [], 0, ""
    for ch in selector:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur)
    return out


def annotations_match(selector: str, annotations: Mapping[str, str]) -> bool | None:
    """The label-selector syntax ExternalDNS applies to annotations (``k=v``, ``k!=v``,
    ``k``, ``!k``, ``k in (a,b)``, ``k notin (a,b)``); None when it cannot be read."""
    for req in _split_requirements(selector):
        req = req.strip()
        if not req:
            continue
        if req.startswith("!"):
            if req[1:].strip() in annotations:
                return False
            continue
        m = _REQ.fullmatch(req)
        if m is None:
            return None
        key, op, value, setop, values = m.groups()
        if op:
            matched = annotations.get(key) == value
            if (op == "!=") == matched:
                return False
        elif setop:
            allowed = {v.strip() for v in values.split(",") if v.strip()}
            present = annotations.get(key) in allowed
            if (setop == "in") != present:
                return False
        elif key not in annotations:
            return False
    return True


def verdict(configs: list[ExternalDNS], kind: str, host: str,
            annotations: Mapping[str, str]) -> tuple[str, str | None]:
    """(what ExternalDNS does with this host, a problem or None).

    A host is flagged only when an ExternalDNS watches its kind of source but its filters
    leave the host out: that is the "record never appears" case. No ExternalDNS at all, or
    one that does not watch the kind, is a fact, not a problem (DNS may be managed by hand).
    """
    if not configs:
        return "not installed", None
    source = SOURCE_FOR_KIND.get(kind, "")
    watching = [c for c in configs if source in c.sources]
    if not watching:
        return f"not a source ({source})", None
    for config in watching:
        if kind == "Service" and not hostnames(annotations):
            continue
        if config.annotation_filter:
            matched = annotations_match(config.annotation_filter, annotations)
            if not matched:
                continue
        if domain_ok(config, host):
            owner = f", owner {config.txt_owner_id}" if config.txt_owner_id else ""
            return f"managed ({config.policy}{owner})", None
    config = watching[0]
    if config.annotation_filter and not annotations_match(config.annotation_filter,
                                                          annotations):
        return ("annotation filter excludes it",
                f"{config.ref}: --annotation-filter={config.annotation_filter} excludes "
                f"{host}")
    filters = ",".join(config.domain_filters) or "-"
    return ("outside domain filter",
            f"{config.ref}: {host} is outside --domain-filter={filters}"
            + (f" / --exclude-domains={','.join(config.exclude_domains)}"
               if config.exclude_domains else ""))
