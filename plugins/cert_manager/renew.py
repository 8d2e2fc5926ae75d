"""Renew a Certificate now, exactly the way ``cmctl renew`` does it.

cmctl sets the Certificate's ``Issuing`` condition to True (reason ``ManuallyTriggered``,
message "Certificate re-issuance manually triggered") with an update of the ``/status``
subresource; cert-manager's issuing controller then creates a new CertificateRequest. A
Certificate that is already issuing is left alone (cmctl skips it too).

No Textual import: headless code can build the same :class:`Mutation`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from k8s_essentials_tui.api import KubeClient, Mutation, Permission, shell_join

from . import CERTIFICATES

REASON = "ManuallyTriggered"
MESSAGE = "Certificate re-issuance manually triggered"


def renew_command(namespace: str, name: str) -> str:
    return shell_join(["cmctl", "renew", "-n", namespace, name])


def with_issuing(cert: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A copy of ``cert`` whose status carries Issuing=True like cmctl writes it."""
    out = copy.deepcopy(cert)
    status = out.setdefault("status", {}) or {}
    out["status"] = status
    conditions = [c for c in (status.get("conditions") or []) if c.get("type") != "Issuing"]
    conditions.append({
        "type": "Issuing",
        "status": "True",
        "reason": REASON,
        "message": MESSAGE,
        "lastTransitionTime": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "observedGeneration": (out.get("metadata") or {}).get("generation") or 0,
    })
    status["conditions"] = conditions
    return out


def is_issuing(cert: dict[str, Any]) -> bool:
    for c in ((cert.get("status") or {}).get("conditions") or []):
        if c.get("type") == "Issuing" and c.get("status") == "True":
            return True
    return False


async def renew(client: KubeClient, namespace: str, name: str, now: datetime) -> str:
    """Read the Certificate, then PUT its status with Issuing=True. Returns a message."""
    cert = await client.get(CERTIFICATES, name, namespace)
    if is_issuing(cert):
        return f"Certificate {namespace}/{name} is already being issued; nothing to do"
    await client.replace(CERTIFICATES, with_issuing(cert, now), namespace,
                         subresource="status")
    return f"Manually triggered issuance of Certificate {namespace}/{name}"


def renew_mutation(client: KubeClient, namespace: str, name: str,
                   now: Callable[[], datetime]) -> Mutation:
    """The Mutation the pane hands to ``app.perform`` (read-only, RBAC, confirm, audit)."""

    async def run() -> str:
        return await renew(client, namespace, name, now())

    return Mutation(
        action="cert-manager.renew",
        title=f"Renew certificate {namespace}/{name}",
        command=renew_command(namespace, name),
        run=run,
        permissions=(Permission("get", CERTIFICATES, namespace),
                     Permission("update", CERTIFICATES, namespace, subresource="status")),
        details=["Sets the Issuing condition (reason ManuallyTriggered) through the status "
                 "subresource; cert-manager then requests a new certificate from the issuer."],
    )
