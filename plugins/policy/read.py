"""Reading the policy objects for the headless command: one list per served type.

Which types to read comes from discovery (one request): an engine that is not installed
costs nothing, and Gatekeeper's constraint kinds -- one CRD per ConstraintTemplate -- are
found as the resources of ``constraints.gatekeeper.sh``. A type that cannot be read (403,
an error) becomes a note, not a failure: the rest is still worth showing.
"""

from __future__ import annotations

from typing import Any

from k8s_essentials_tui.api import (
    ClusterSession,
    EssentialsError,
    ForbiddenError,
    ResourceType,
    rt,
)

from . import model


def served_types(resources: dict[tuple[str, str], ResourceType]) -> dict[str, list[Any]]:
    """What to read, by role, given discovery's (group, plural) -> type table."""
    def have(r: ResourceType) -> list[ResourceType]:
        return [r] if (r.group, r.plural) in resources else []

    def served(r: ResourceType) -> list[ResourceType]:
        """The type in the version discovery prefers (Kyverno's CEL policies moved from
        v1alpha1 to v1beta1 to v1 between 1.15 and 1.17)."""
        found = resources.get((r.group, r.plural))
        return [found] if found is not None else []

    constraints = [rt(f"{t.group}/{t.version}", t.plural, t.kind, namespaced=False)
                   for (g, _), t in sorted(resources.items())
                   if g == model.GK_CONSTRAINT_GROUP and t.kind]
    return {
        "kyverno": have(model.KYVERNO_CLUSTER_POLICIES) + have(model.KYVERNO_POLICIES),
        "kyverno_vpols": served(model.KYVERNO_VPOLS) + served(model.KYVERNO_NVPOLS),
        "kyverno_exceptions": have(model.KYVERNO_EXCEPTIONS),
        "templates": have(model.GK_TEMPLATES),
        "constraints": constraints,
        "gatekeeper_configs": have(model.GK_CONFIGS),
        "vaps": have(model.VAPS),
        "vap_bindings": have(model.VAP_BINDINGS),
        "reports": [r for t in model.REPORT_TYPES for r in have(t)],
    }


async def read_sources(session: ClusterSession, namespace: str | None) -> model.Sources:
    """Every policy object (reports and namespaced policies only in ``namespace`` when
    given; cluster-scoped ones always)."""
    disc = await session.discovery()
    src = model.Sources()
    if not disc.complete:
        src.notes.append("the server has no aggregated discovery: only built-in "
                         "ValidatingAdmissionPolicies are read")
    wanted = served_types(disc.resources)
    if not disc.complete:
        wanted["vaps"], wanted["vap_bindings"] = [model.VAPS], [model.VAP_BINDINGS]
    for role, types in wanted.items():
        bucket: list[Any] = getattr(src, role)
        for rtype in types:
            try:
                # exemptions live in the engines' namespaces: read them cluster-wide
                scoped = rtype.namespaced and role not in ("kyverno_exceptions",
                                                           "gatekeeper_configs")
                items, _ = await session.client.list(rtype, namespace if scoped else None)
            except ForbiddenError:
                src.notes.append(f"not allowed to list {rtype.qualified}: not shown")
                continue
            except EssentialsError as exc:
                src.notes.append(f"{rtype.qualified}: {exc}")
                continue
            bucket.extend(items)
    return src
