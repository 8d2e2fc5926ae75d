"""Reading the mesh's objects for the headless command: one list per type, concurrently.

A type whose CRD is not installed reads as empty (a cluster without Linkerd simply has no
Linkerd rows); a forbidden list becomes a note instead of an error, so a namespace-scoped
user still gets coverage for what they may see.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from k8s_essentials_tui.api import (
    DEPLOYMENTS,
    NAMESPACES,
    PODS,
    SECRETS,
    SERVICES,
    ClusterSession,
    ForbiddenError,
    KubeClient,
    NotFoundError,
    ResourceType,
)

from . import analyze
from .report import Inputs
from .resources import (
    DESTINATION_RULES,
    GATEWAYS,
    ISTIO_AUTHORIZATION,
    ISTIOD_SELECTOR,
    LINKERD_AUTHORIZATION,
    LINKERD_SELECTOR,
    LINKERD_SERVERS,
    METADATA_ONLY,
    MUTATING_WEBHOOKS,
    PEER_AUTHENTICATIONS,
    TAG_SELECTOR,
    VIRTUAL_SERVICES,
)


async def secret_exists(client: KubeClient, namespace: str, name: str) -> bool | None:
    """Whether a Secret exists, asked for its metadata only (the data never leaves the
    apiserver); None when we may not know."""
    try:
        await client.get_json(SECRETS.path(namespace, name),
                              what=f"get secret {name} in {namespace} (metadata)",
                              headers={"Accept": METADATA_ONLY})
    except NotFoundError:
        return False
    except ForbiddenError:
        return None
    return True


async def check_secrets(client: KubeClient, gateways: Iterable[Any],
                        known: dict[tuple[str, str], bool | None] | None = None,
                        ) -> dict[tuple[str, str], bool | None]:
    """Existence of every Gateway ``credentialName`` Secret (one metadata GET each,
    skipping those in ``known``)."""
    wanted = {(ns, name) for _, ns, name in analyze.gateway_credentials(gateways)}
    out = {k: v for k, v in (known or {}).items() if k in wanted}
    todo = sorted(wanted - set(out))
    found = await asyncio.gather(*(secret_exists(client, ns, name) for ns, name in todo))
    out.update(zip(todo, found, strict=True))
    return out


async def load(session: ClusterSession, namespace: str | None,
               root_namespace: str = "istio-system") -> Inputs:
    client = session.client
    notes: list[str] = []

    async def listed(rtype: ResourceType, ns: str | None, selector: str | None = None,
                     ) -> list[Any]:
        try:
            items, _ = await client.list(rtype, ns, label_selector=selector)
        except NotFoundError:
            return []  # the CRD is not installed
        except ForbiddenError as exc:
            notes.append(f"{rtype.plural}: {exc}")
            return []
        return items

    async def namespaces() -> list[Any]:
        if namespace is None:
            return await listed(NAMESPACES, None)
        try:
            return [await client.get(NAMESPACES, namespace)]
        except ForbiddenError as exc:
            notes.append(f"namespace {namespace}: {exc} (its injection labels are unknown)")
            return [{"metadata": {"name": namespace}}]

    (nss, pods, istiod, linkerd, tags, pas, authz, servers, l5d_authz, vss, drs, gws,
     svcs) = await asyncio.gather(
        namespaces(), listed(PODS, namespace),
        listed(DEPLOYMENTS, None, ISTIOD_SELECTOR), listed(DEPLOYMENTS, None, LINKERD_SELECTOR),
        listed(MUTATING_WEBHOOKS, None, TAG_SELECTOR),
        # the mesh-wide PeerAuthentication lives in the root namespace
        listed(PEER_AUTHENTICATIONS, None) if namespace is None else _concat(
            listed(PEER_AUTHENTICATIONS, namespace),
            listed(PEER_AUTHENTICATIONS, root_namespace)),
        listed(ISTIO_AUTHORIZATION, namespace), listed(LINKERD_SERVERS, namespace),
        listed(LINKERD_AUTHORIZATION, namespace), listed(VIRTUAL_SERVICES, namespace),
        listed(DESTINATION_RULES, namespace), listed(GATEWAYS, namespace),
        listed(SERVICES, namespace))
    secrets = await check_secrets(client, gws)
    return Inputs(namespaces=nss, pods=pods, istiod=istiod, linkerd=linkerd,
                  tag_webhooks=tags, peer_auths=pas, authz=authz, linkerd_servers=servers,
                  linkerd_authz=l5d_authz, virtual_services=vss, destination_rules=drs,
                  gateways=gws, services=svcs, secrets=secrets, root_namespace=root_namespace,
                  scope=None if namespace is None else {namespace}, notes=notes)


async def _concat(*parts: Any) -> list[Any]:
    out: list[Any] = []
    seen: set[str] = set()
    for items in await asyncio.gather(*parts):
        for item in items:
            uid = str((item.get("metadata") or {}).get("uid") or id(item))
            if uid not in seen:
                seen.add(uid)
                out.append(item)
    return out
