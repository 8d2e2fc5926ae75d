"""The Argo CD and Flux resource types the GitOps pane, board and commands read.

Why one module: the pane, the board's detection, the headless command and the Helm-owner
check must agree on the served versions (Flux's GA versions: ``kustomize.toolkit.fluxcd.io/v1``,
``helm.toolkit.fluxcd.io/v2``, ``source.toolkit.fluxcd.io/v1``; Argo CD's only version,
``argoproj.io/v1alpha1``). No Textual, no I/O.
"""

from __future__ import annotations

from k8s_essentials_tui.api import ResourceType, rt

ARGO_GROUP = "argoproj.io"
APPLICATIONS = rt("argoproj.io/v1alpha1", "applications", "Application")
APPLICATIONSETS = rt("argoproj.io/v1alpha1", "applicationsets", "ApplicationSet")
APPPROJECTS = rt("argoproj.io/v1alpha1", "appprojects", "AppProject")

KUSTOMIZATIONS = rt("kustomize.toolkit.fluxcd.io/v1", "kustomizations", "Kustomization")
HELMRELEASES = rt("helm.toolkit.fluxcd.io/v2", "helmreleases", "HelmRelease")
GITREPOSITORIES = rt("source.toolkit.fluxcd.io/v1", "gitrepositories", "GitRepository")
OCIREPOSITORIES = rt("source.toolkit.fluxcd.io/v1", "ocirepositories", "OCIRepository")
HELMREPOSITORIES = rt("source.toolkit.fluxcd.io/v1", "helmrepositories", "HelmRepository")
HELMCHARTS = rt("source.toolkit.fluxcd.io/v1", "helmcharts", "HelmChart")
BUCKETS = rt("source.toolkit.fluxcd.io/v1", "buckets", "Bucket")

#: Flux source kinds, in the order the pane lists them
SOURCES: tuple[ResourceType, ...] = (GITREPOSITORIES, OCIREPOSITORIES, HELMREPOSITORIES,
                                     HELMCHARTS, BUCKETS)
#: what ``gitops reconcile KIND/NAME`` accepts (kind, lower case, and its short names)
FLUX_KINDS: dict[str, ResourceType] = {
    "kustomization": KUSTOMIZATIONS, "ks": KUSTOMIZATIONS,
    "helmrelease": HELMRELEASES, "hr": HELMRELEASES,
    "gitrepository": GITREPOSITORIES, "ocirepository": OCIREPOSITORIES,
    "helmrepository": HELMREPOSITORIES, "helmchart": HELMCHARTS, "bucket": BUCKETS,
}
#: the ``flux`` CLI's words for each kind (``flux reconcile source git NAME``)
FLUX_CLI_KIND: dict[str, str] = {
    "Kustomization": "kustomization", "HelmRelease": "helmrelease",
    "GitRepository": "source git", "OCIRepository": "source oci",
    "HelmRepository": "source helm", "HelmChart": "source chart", "Bucket": "source bucket",
}


def flux_type(kind: str) -> ResourceType | None:
    """The resource type of a Flux kind (``Kustomization``, ``ks``, ``GitRepository``...)."""
    return FLUX_KINDS.get(kind.lower())
