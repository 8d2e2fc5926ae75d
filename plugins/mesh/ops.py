"""Mesh actions as Mutations: injection on/off for a namespace, rollout restarts.

The patches are the ones the equivalent kubectl commands send, so the audit log's command
and the apiserver's audit log agree:

* ``kubectl label namespace NS istio-injection=enabled --overwrite`` -> a merge patch of
  ``metadata.labels``; ``kubectl label namespace NS istio-injection- istio.io/rev-`` sets
  them to null; Linkerd's ``kubectl annotate namespace NS linkerd.io/inject=enabled`` the
  same on ``metadata.annotations``.
* ``kubectl rollout restart`` (kubectl's pkg/polymorphichelpers/objectrestarter.go) sets
  ``spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"]`` to the local
  time in RFC 3339 and sends the difference as a strategic merge patch; a paused Deployment
  is refused ("can't restart paused deployment (run rollout resume first)").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from k8s_essentials_tui.api import (
    DAEMONSETS,
    DEPLOYMENTS,
    NAMESPACES,
    STATEFULSETS,
    ClusterError,
    KubeClient,
    Mutation,
    Permission,
    ResourceType,
    shell_join,
)

from .model import (
    AMBIENT,
    DATAPLANE_MODE,
    ISTIO,
    ISTIO_INJECTION,
    ISTIO_REV,
    LINKERD,
    LINKERD_INJECT,
    Injection,
    Workload,
)

RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
KINDS: dict[str, ResourceType] = {"Deployment": DEPLOYMENTS, "StatefulSet": STATEFULSETS,
                                  "DaemonSet": DAEMONSETS}


def go_rfc3339(now: datetime) -> str:
    """``time.Now().Format(time.RFC3339)``: seconds, ``Z`` for UTC, else ``+hh:mm``."""
    if now.tzinfo is None:
        now = now.astimezone()
    text = now.replace(microsecond=0).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def restart_patch(now: datetime) -> dict[str, Any]:
    """The strategic merge patch ``kubectl rollout restart`` sends."""
    return {"spec": {"template": {"metadata": {"annotations": {
        RESTARTED_AT: go_rfc3339(now)}}}}}


def restart_command(namespace: str, workloads: Sequence[Workload]) -> str:
    return shell_join(["kubectl", "rollout", "restart", *(w.ref for w in workloads),
                       "-n", namespace])


async def restart(client: KubeClient, namespace: str, workload: Workload,
                  now: datetime) -> dict[str, Any]:
    rtype = KINDS[workload.kind]
    if workload.kind == "Deployment":
        current = await client.get(rtype, workload.name, namespace)
        if (current.get("spec") or {}).get("paused"):
            raise ClusterError(f"deployment {workload.name}: can't restart paused "
                               "deployment (run rollout resume first)")
    return await client.patch(rtype, workload.name, restart_patch(now), namespace,
                              patch_type="strategic")


def restart_mutation(client: KubeClient, namespace: str, workloads: Sequence[Workload],
                     now: datetime, *, skipped: Sequence[str] = ()) -> Mutation:
    """Restart ``workloads`` (Deployments/StatefulSets/DaemonSets) of one namespace, listed
    in the confirmation; ``skipped`` names pods no rollout can restart."""
    items = [w for w in workloads if w.kind in KINDS]

    async def run() -> str:
        done = []
        for w in items:
            await restart(client, namespace, w, now)
            done.append(w.ref)
        return f"restarted {', '.join(done)} in {namespace}"

    details = [f"restart {w.ref}" for w in items]
    details += [f"not restartable (no controller): pod {p}" for p in skipped]
    title = (f"Restart {items[0].ref} in {namespace}" if len(items) == 1 else
             f"Restart {len(items)} workloads in {namespace}")
    return Mutation(
        action="mesh.restart", title=title, command=restart_command(namespace, items),
        run=run, details=details,
        permissions=tuple(Permission("patch", KINDS[k], namespace)
                          for k in sorted({w.kind for w in items})))


def injection_patch(mesh: str, enable: bool, revision: str = "") -> dict[str, Any]:
    """The merge patch of the namespace's labels/annotations that turns injection on/off.

    Istio on: ``istio-injection=enabled`` (or ``istio.io/rev=<rev>`` for a non-default
    revision, with ``istio-injection`` removed: it would win); off: both removed. Ambient:
    ``istio.io/dataplane-mode=ambient`` / removed. Linkerd: the ``linkerd.io/inject``
    annotation, ``enabled`` / removed."""
    if mesh == LINKERD:
        return {"metadata": {"annotations": {LINKERD_INJECT: "enabled" if enable else None}}}
    if mesh == AMBIENT:
        return {"metadata": {"labels": {DATAPLANE_MODE: "ambient" if enable else None}}}
    if not enable:
        return {"metadata": {"labels": {ISTIO_INJECTION: None, ISTIO_REV: None}}}
    if revision and revision != "default":
        return {"metadata": {"labels": {ISTIO_INJECTION: None, ISTIO_REV: revision}}}
    return {"metadata": {"labels": {ISTIO_INJECTION: "enabled"}}}


def injection_command(namespace: str, patch: dict[str, Any]) -> str:
    meta = patch["metadata"]
    verb, values = ("annotate", meta["annotations"]) if "annotations" in meta else (
        "label", meta["labels"])
    args = [f"{k}-" if v is None else f"{k}={v}" for k, v in values.items()]
    extra = ["--overwrite"] if any(v is not None for v in values.values()) else []
    return shell_join(["kubectl", verb, "namespace", namespace, *args, *extra])


def injection_mutation(client: KubeClient, namespace: str, mesh: str, enable: bool,
                       revision: str = "") -> Mutation:
    patch = injection_patch(mesh, enable, revision)
    word = "Enable" if enable else "Disable"
    what = {ISTIO: "Istio sidecar injection", AMBIENT: "Istio ambient mode",
            LINKERD: "Linkerd proxy injection"}[mesh]

    async def run() -> str:
        await client.patch(NAMESPACES, namespace, patch)
        return f"{what} {'enabled' if enable else 'disabled'} in {namespace}"

    return Mutation(
        action="mesh.injection", title=f"{word} {what} in {namespace}",
        command=injection_command(namespace, patch), run=run,
        details=["running pods change only when restarted (r / R)"]
        if mesh != AMBIENT else ["ambient enrolment needs no restart"],
        permissions=(Permission("patch", NAMESPACES),))


def toggles_to(injection: Injection, mesh: str) -> bool:
    """Whether the injection toggle for ``mesh`` turns it on (True) or off (False)."""
    if mesh == ISTIO:
        return injection.mesh != ISTIO
    return injection.mesh != mesh
