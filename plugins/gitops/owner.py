"""Whether a Helm release is owned by GitOps, and the warning a hand-made change needs.

A release installed by Flux's helm-controller has every rendered object labelled
``helm.toolkit.fluxcd.io/name`` and ``helm.toolkit.fluxcd.io/namespace`` (helm-controller's
``OriginLabels`` post-renderer; Helm stores the post-rendered manifest, so the labels are in
the release). Objects Argo CD tracks carry the annotation ``argocd.argoproj.io/tracking-id``
(``<app>:<group>/<kind>:<namespace>/<name>``, annotation tracking, Argo CD's default since
3.0). Argo CD's label tracking uses ``app.kubernetes.io/instance``, which Helm charts set to
the release name too, so it is not taken as proof. Pure: no Textual, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from k8s_essentials_tui.api import mapping

FLUX_NAME_LABEL = "helm.toolkit.fluxcd.io/name"
FLUX_NAMESPACE_LABEL = "helm.toolkit.fluxcd.io/namespace"
ARGO_TRACKING_ANNOTATION = "argocd.argoproj.io/tracking-id"


@dataclass(frozen=True)
class GitOpsOwner:
    tool: str  # "Flux" or "Argo CD"
    kind: str  # "HelmRelease" or "Application"
    namespace: str
    name: str

    @property
    def title(self) -> str:
        where = f"{self.namespace}/" if self.namespace else ""
        return f"{self.tool} {self.kind} {where}{self.name}"


def owner_of(metadata: Mapping[str, Any]) -> GitOpsOwner | None:
    """The GitOps owner an object's metadata names, if any."""
    labels = mapping(metadata.get("labels"))
    annotations = mapping(metadata.get("annotations"))
    name = labels.get(FLUX_NAME_LABEL)
    if isinstance(name, str) and name:
        ns = labels.get(FLUX_NAMESPACE_LABEL)
        return GitOpsOwner("Flux", "HelmRelease", ns if isinstance(ns, str) else "", name)
    tracking = annotations.get(ARGO_TRACKING_ANNOTATION)
    if isinstance(tracking, str) and tracking:
        app = tracking.split(":", 1)[0]
        ns, sep, app_name = app.partition("_")  # apps in any namespace: "<ns>_<app>"
        return GitOpsOwner("Argo CD", "Application", ns if sep else "",
                           app_name if sep else app)
    return None


#: a manifest without one of these strings names no owner (checked before any YAML parsing)
_MARKERS = (FLUX_NAME_LABEL, ARGO_TRACKING_ANNOTATION)


def release_owner(manifest: str) -> GitOpsOwner | None:
    """The owner named by the first object of a release manifest that names one.

    Why not parse the whole manifest: the releases list asks this for every release, and
    a big chart's manifest is megabytes of YAML. Only the documents that contain a marker
    string are parsed (most releases contain none and cost one substring search)."""
    import yaml

    if not manifest or not any(marker in manifest for marker in _MARKERS):
        return None
    for part in manifest.split("\n---"):
        if not any(marker in part for marker in _MARKERS):
            continue
        try:
            doc = yaml.safe_load(part.removeprefix("---"))
        except yaml.YAMLError:
            continue
        if isinstance(doc, Mapping) and isinstance(doc.get("metadata"), Mapping):
            owner = owner_of(doc["metadata"])
            if owner is not None:
                return owner
    return None


def drift_warning(owner: GitOpsOwner, verb: str) -> str:
    """The second confirmation's text for ``verb`` (upgrade, roll back, uninstall)."""
    if owner.tool == "Flux":
        effect = ("Flux reconciles the HelmRelease and will revert this change (or reinstall "
                  "what you uninstall) at its next interval")
        fix = f"change it in Git, or suspend it first (flux suspend helmrelease {owner.name}" \
              + (f" -n {owner.namespace})" if owner.namespace else ")")
    else:
        effect = ("Argo CD will show the Application OutOfSync and, with self-heal on, "
                  "undo this change")
        fix = "change it in Git, or turn auto-sync off first"
    return (f"managed by GitOps: this release belongs to {owner.title}. {effect}; "
            f"to {verb} it for good, {fix}.")


def guard(tool: str, manifest: str, verb: str) -> str:
    """``Plugin.release_guard`` of ``tool``'s entry: the drift warning when ``tool`` owns
    the release, else ``""`` (the other tool's entry answers for its own releases). With
    no verb, the owner alone ("Flux HelmRelease flux-system/podinfo"): the mark the
    releases list and the install screen show up front."""
    owner = release_owner(manifest)
    if owner is None or owner.tool != tool:
        return ""
    return drift_warning(owner, verb) if verb else owner.title
