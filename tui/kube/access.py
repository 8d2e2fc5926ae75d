"""Access checks with SelfSubjectAccessReview, cached per (verb, resource, namespace).

Why: the UI disables actions the user cannot perform and says why ("forbidden: cannot create
backups.velero.io in velero") instead of letting them fail after a confirmation dialog.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from ..errors import ClusterError
from .client import KubeClient
from .resources import SELF_SUBJECT_ACCESS_REVIEWS, ResourceType


@dataclass(frozen=True)
class Access:
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


def describe(verb: str, rtype: ResourceType, namespace: str | None,
             subresource: str = "") -> str:
    res = rtype.qualified + (f"/{subresource}" if subresource else "")
    return f"{verb} {res}" + (f" in {namespace}" if namespace else "")


class AccessChecker:
    def __init__(self, client: KubeClient) -> None:
        self.client = client
        self._cache: dict[tuple[str, str, str, str, str | None, str], Access] = {}
        self._lock = asyncio.Lock()

    async def can(self, verb: str, rtype: ResourceType, namespace: str | None = None,
                  *, subresource: str = "", name: str = "") -> Access:
        ns = namespace if rtype.namespaced else None
        key = (verb, rtype.group, rtype.plural, subresource, ns, name)
        if key in self._cache:
            return self._cache[key]
        attrs: dict[str, str] = {"verb": verb, "group": rtype.group, "resource": rtype.plural}
        if subresource:
            attrs["subresource"] = subresource
        if ns:
            attrs["namespace"] = ns
        if name:
            attrs["name"] = name
        body = {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
                "spec": {"resourceAttributes": attrs}}
        what = describe(verb, rtype, ns, subresource)
        try:
            result = await self.client.create(SELF_SUBJECT_ACCESS_REVIEWS, body)
        except ClusterError as exc:
            # cannot even ask: do not cache, report as unknown-but-denied with the reason
            return Access(False, f"cannot check permission to {what}: {exc}")
        status = result.get("status") or {}
        if status.get("allowed"):
            access = Access(True)
        else:
            access = Access(False, f"forbidden: cannot {what}")
        self._cache[key] = access
        return access

    def clear(self) -> None:
        self._cache.clear()
