"""Access checks with SelfSubjectAccessReview, cached per (verb, resource, namespace).

Why: the UI disables actions the user cannot perform and says why ("forbidden: cannot create
backups.velero.io in velero") instead of letting them fail after a confirmation dialog.

An answer is kept for :data:`ACCESS_TTL` seconds, not for the session: RBAC changes while
the app runs (a role granted during an incident), and ``r`` on the board drops every answer
at once (:meth:`AccessChecker.clear`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import ClusterError
from .client import KubeClient
from .resources import SELF_SUBJECT_ACCESS_REVIEWS, ResourceType

#: seconds a permission answer is trusted before it is asked again: long enough that a pane
#: does not ask on every key, short enough that a granted (or revoked) role shows soon
ACCESS_TTL = 180.0


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
    """Answers "may I?" per (verb, resource, subresource, namespace, name), each answer
    kept ``ttl`` seconds of ``clock`` (monotonic; tests inject their own)."""

    def __init__(self, client: KubeClient, *, ttl: float = ACCESS_TTL,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.ttl = ttl
        self._clock = clock
        #: key -> (when asked, answer)
        self._cache: dict[tuple[str, str, str, str, str | None, str], tuple[float, Access]] = {}
        self._lock = asyncio.Lock()

    async def can(self, verb: str, rtype: ResourceType, namespace: str | None = None,
                  *, subresource: str = "", name: str = "") -> Access:
        ns = namespace if rtype.namespaced else None
        key = (verb, rtype.group, rtype.plural, subresource, ns, name)
        hit = self._cache.get(key)
        if hit is not None and self._clock() - hit[0] < self.ttl:
            return hit[1]
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
        self._cache[key] = (self._clock(), access)
        return access

    def clear(self) -> None:
        """Forget every answer (``r`` on the board): the next check asks the server."""
        self._cache.clear()
