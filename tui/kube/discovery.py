"""API discovery in two requests: ``/api`` and ``/apis`` with aggregated discovery.

Aggregated discovery (apidiscovery.k8s.io/v2, GA since Kubernetes 1.30) returns every group,
version and resource in one response, so learning which CRDs are served costs two requests
whatever the number of plugins. Older servers answer with a plain ``APIGroupList``; then we
still know the groups (enough for detection) but not their resources.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .client import KubeClient
from .resources import ResourceType

AGGREGATED = (
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
    "application/json"
)


@dataclass
class Discovery:
    """Which groups, versions and resources the server serves."""

    #: group -> served versions, preferred first ("" is the core group)
    groups: dict[str, list[str]] = field(default_factory=dict)
    #: (group, plural) -> ResourceType at the preferred version
    resources: dict[tuple[str, str], ResourceType] = field(default_factory=dict)
    complete: bool = True

    def has_group(self, group: str) -> bool:
        return group in self.groups

    def find(self, group: str, plural: str) -> ResourceType | None:
        return self.resources.get((group, plural))

    def find_kind(self, group: str, kind: str) -> ResourceType | None:
        for (g, _), r in self.resources.items():
            if g == group and r.kind == kind:
                return r
        return None


def parse_discovery(core: dict[str, Any], apis: dict[str, Any]) -> Discovery:
    """Pure: build :class:`Discovery` from the two response bodies."""
    disc = Discovery()
    for body in (core, apis):
        kind = body.get("kind", "")
        if kind == "APIGroupDiscoveryList":
            for item in body.get("items") or []:
                group = (item.get("metadata") or {}).get("name", "")
                versions = item.get("versions") or []
                disc.groups[group] = [v.get("version", "") for v in versions]
                # versions are listed preferred first; keep the first one that serves a plural
                for v in versions:
                    for res in v.get("resources") or []:
                        key = (group, res.get("resource", ""))
                        if key in disc.resources:
                            continue
                        disc.resources[key] = ResourceType(
                            group=group,
                            version=v.get("version", ""),
                            plural=res.get("resource", ""),
                            kind=(res.get("responseKind") or {}).get("kind", ""),
                            namespaced=res.get("scope") == "Namespaced",
                        )
        elif kind == "APIGroupList":
            disc.complete = False
            for g in body.get("groups") or []:
                pref = (g.get("preferredVersion") or {}).get("version") or ""
                vers = [str(v["version"]) for v in g.get("versions") or [] if v.get("version")]
                disc.groups[g.get("name", "")] = ([pref] if pref else []) + [
                    v for v in vers if v != pref]
        elif kind == "APIVersions":
            disc.groups[""] = list(body.get("versions") or [])
    return disc


async def discover(client: KubeClient, *, core: bool = False) -> Discovery:
    """One request (``/apis``); the core group is always served, so ``/api`` is fetched only
    when its resources are needed (``core=True``)."""
    headers = {"Accept": AGGREGATED}
    core_body: dict[str, Any] = {"kind": "APIVersions", "versions": ["v1"]}
    if core:
        core_body = await client.get_json("/api", what="discover the core API", headers=headers)
    apis = await client.get_json("/apis", what="discover API groups", headers=headers)
    disc = parse_discovery(core_body, apis)
    if not core:
        disc.complete = disc.complete and apis.get("kind") == "APIGroupDiscoveryList"
    return disc
