"""The patches Argo CD and Flux send for each action, and the equivalent CLI commands.

Learned from the tools' source (not copied), so a change made here is indistinguishable from
one made with the official CLI:

- ``argocd app sync``: the API server sets ``operation`` on the Application (util/argo
  ``SetAppOperation``: refused while ``operation`` is set, ``status.operationState`` cleared,
  written with the object's resourceVersion). The operation holds ``sync.revision`` (the
  resolved revision), ``sync.source`` (a copy of ``spec.source``), ``sync.prune``,
  ``sync.syncOptions`` and ``retry`` from ``spec.syncPolicy``, and ``initiatedBy.username``.
  We send it as a JSON merge patch that carries ``metadata.resourceVersion``, so the
  apiserver applies the same optimistic lock as the API server's update.
- ``argocd app get --refresh`` / ``--hard-refresh``: merge patch of the annotations
  ``argocd.argoproj.io/refresh`` (``normal``/``hard``) and
  ``argocd.argoproj.io/refresh-timestamp`` (util/argo ``RefreshApp``).
- ``argocd app terminate-op``: ``status.operationState.phase = Terminating``
  (server/application ``TerminateOperation``; Applications have no status subresource).
- ``argocd app set --sync-policy automated|none``: ``spec.syncPolicy.automated = {}`` or
  removed (cmd/util/app.go).
- ``flux reconcile``: merge patch of ``reconcile.fluxcd.io/requestedAt`` = now in Go's
  RFC3339Nano (cmd/flux/reconcile.go ``requestReconciliation``); then it waits until
  ``status.lastHandledReconcileAt`` changes and reads Ready.
- ``flux suspend`` / ``flux resume``: merge patch ``spec.suspend: true`` / ``null`` (the
  field is ``omitempty``, so resuming removes it).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from k8s_essentials_tui.api import Fields, mapping, shell_join

from .fluxmodel import RECONCILE_ANNOTATION
from .kinds import FLUX_CLI_KIND

REFRESH_ANNOTATION = "argocd.argoproj.io/refresh"
REFRESH_TIMESTAMP_ANNOTATION = "argocd.argoproj.io/refresh-timestamp"


def go_rfc3339nano(when: datetime) -> str:
    """``time.Now().Format(time.RFC3339Nano)`` for a UTC time: trailing zeros of the
    fraction dropped, ``Z`` for UTC (what the Go CLIs write into annotations)."""
    when = when.astimezone(UTC)
    base = when.strftime("%Y-%m-%dT%H:%M:%S")
    frac = f"{when.microsecond:06d}000".rstrip("0")
    return f"{base}.{frac}Z" if frac else f"{base}Z"


# -- Argo CD --------------------------------------------------------------------------------

def sync_operation(app: Mapping[str, Any], username: str) -> dict[str, Any]:
    """The ``operation`` the API server's Sync sets for a plain ``argocd app sync NAME``.

    ``revision``: the revision Argo CD last resolved the target to (``status.sync.revision``;
    the API server resolves ``targetRevision`` through the repo server, which we cannot
    reach), else the target revision itself."""
    f = Fields(app)
    sync: dict[str, Any] = {}
    revision = f.text("status.sync.revision") or f.text("spec.source.targetRevision")
    if revision:
        sync["revision"] = revision
    source = f.obj("spec.source")
    sources = f.array("spec.sources")
    if source and not sources:
        sync["source"] = dict(source)
    if sources:
        sync["sources"] = list(sources)
    options = f.texts("spec.syncPolicy.syncOptions")
    if options:
        sync["syncOptions"] = options
    op: dict[str, Any] = {"sync": sync, "initiatedBy": {"username": username},
                          "retry": dict(f.obj("spec.syncPolicy.retry"))}
    return op


def sync_patch(app: Mapping[str, Any], username: str) -> dict[str, Any]:
    rv = Fields(app).text("metadata.resourceVersion")
    return {"metadata": {"resourceVersion": rv},
            "operation": sync_operation(app, username),
            "status": {"operationState": None}}


def refresh_patch(hard: bool, now: datetime) -> dict[str, Any]:
    return {"metadata": {"annotations": {
        REFRESH_ANNOTATION: "hard" if hard else "normal",
        REFRESH_TIMESTAMP_ANNOTATION: go_rfc3339nano(now)}}}


def terminate_patch() -> dict[str, Any]:
    return {"status": {"operationState": {"phase": "Terminating"}}}


def autosync_patch(app: Mapping[str, Any], enable: bool) -> dict[str, Any]:
    """Enable: ``automated: {}`` (or ``enabled: true`` where an Argo CD 3.1+ object says
    ``enabled: false``); disable: ``automated`` removed."""
    if not enable:
        return {"spec": {"syncPolicy": {"automated": None}}}
    current = mapping(Fields(app).raw("spec.syncPolicy.automated"))
    if current.get("enabled") is False:
        return {"spec": {"syncPolicy": {"automated": {"enabled": True}}}}
    return {"spec": {"syncPolicy": {"automated": {}}}}


def _argo_app(name: str, namespace: str) -> list[str]:
    return [name, "--app-namespace", namespace]


def sync_command(name: str, namespace: str) -> str:
    return shell_join(["argocd", "app", "sync", *_argo_app(name, namespace)])


def refresh_command(name: str, namespace: str, hard: bool) -> str:
    return shell_join(["argocd", "app", "get", *_argo_app(name, namespace),
                       "--hard-refresh" if hard else "--refresh"])


def terminate_command(name: str, namespace: str) -> str:
    return shell_join(["argocd", "app", "terminate-op", *_argo_app(name, namespace)])


def autosync_command(name: str, namespace: str, enable: bool) -> str:
    return shell_join(["argocd", "app", "set", *_argo_app(name, namespace), "--sync-policy",
                       "automated" if enable else "none"])


# -- Flux -----------------------------------------------------------------------------------

def reconcile_patch(requested_at: str) -> dict[str, Any]:
    return {"metadata": {"annotations": {RECONCILE_ANNOTATION: requested_at}}}


def suspend_patch(suspend: bool) -> dict[str, Any]:
    return {"spec": {"suspend": True if suspend else None}}


def _flux(verb: str, kind: str, name: str, namespace: str) -> list[str]:
    return ["flux", verb, *FLUX_CLI_KIND.get(kind, kind.lower()).split(), name,
            "-n", namespace]


def reconcile_command(kind: str, name: str, namespace: str, with_source: bool = False) -> str:
    argv = _flux("reconcile", kind, name, namespace)
    if with_source and kind in ("Kustomization", "HelmRelease"):
        argv.append("--with-source")
    return shell_join(argv)


def suspend_command(kind: str, name: str, namespace: str, suspend: bool) -> str:
    return shell_join(_flux("suspend" if suspend else "resume", kind, name, namespace))
