"""The cluster snapshot every plugin's ``detect()`` reads.

Built once per refresh from a small, fixed set of requests (discovery, workloads, Helm
release Secrets, webhook configurations), so detection costs the same whether 3 or 30
plugins are registered. Pure data: no I/O here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ClusterSnapshot:
    #: served API groups ("" = core)
    api_groups: set[str] = field(default_factory=set)
    #: (group, plural) of every served resource
    resources: set[tuple[str, str]] = field(default_factory=set)
    #: Deployments, StatefulSets and DaemonSets (with apiVersion/kind set)
    workloads: list[dict[str, Any]] = field(default_factory=list)
    #: decoded Helm releases, latest revision per (namespace, name): dicts with name,
    #: namespace, chart, chart_version, app_version, status, revision
    helm_releases: list[dict[str, Any]] = field(default_factory=list)
    #: Validating/MutatingWebhookConfiguration objects
    webhooks: list[dict[str, Any]] = field(default_factory=list)
    #: Endpoints/EndpointSlices of webhook services, keyed "namespace/name" -> ready count
    service_ready_endpoints: dict[str, int] = field(default_factory=dict)
    #: plugins' extra board resources, "plural.group" -> objects (see Plugin.board_resources)
    extra: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: client-side tools found on this machine's PATH: name -> version ("" when unknown)
    client_tools: dict[str, str] = field(default_factory=dict)
    #: part of the snapshot that could not be read -> message ("no permission to list X")
    forbidden: dict[str, str] = field(default_factory=dict)
    #: other failures while building the snapshot -> message
    errors: dict[str, str] = field(default_factory=dict)

    def has_group(self, group: str) -> bool:
        return group in self.api_groups
