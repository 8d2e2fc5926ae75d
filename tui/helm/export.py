"""Write a chosen install as GitOps YAML: Flux ``HelmRepository`` + ``HelmRelease``, or an
Argo CD ``Application``.

Why: week-1 installs done by hand should move into Git once the cluster has a GitOps
controller; exporting exactly what was previewed (chart, version, namespace, release name,
values) makes that a copy, not a rewrite. Pure functions returning YAML text.
"""

from __future__ import annotations

from typing import Any

import yaml

from ..errors import EssentialsError
from .chart import ChartSpec

FLUX_NAMESPACE = "flux-system"
ARGO_NAMESPACE = "argocd"


class ExportError(EssentialsError):
    kind = "export"


def _name(spec: ChartSpec) -> str:
    return spec.release or spec.chart


def _check(spec: ChartSpec) -> None:
    if spec.source == "local":
        raise ExportError("a local chart cannot be exported for GitOps",
                          hint="publish it to a chart repository or OCI registry first")


def _dump(docs: list[dict[str, Any]]) -> str:
    return "---\n".join(yaml.safe_dump(d, sort_keys=False, default_flow_style=False)
                        for d in docs)


def flux(spec: ChartSpec, values: dict[str, Any], *, interval: str = "10m",
         source_namespace: str = FLUX_NAMESPACE) -> str:
    """HelmRepository (source.toolkit.fluxcd.io/v1) + HelmRelease (helm.toolkit.fluxcd.io/v2)."""
    _check(spec)
    repo_name = f"{_name(spec)}-charts"
    repo_spec: dict[str, Any] = {"interval": "1h", "url": spec.repo}
    chart_name = spec.chart
    if spec.source == "oci":
        repo_spec = {"type": "oci", "interval": "1h", "url": spec.repo}
        if spec.chart.startswith("oci://"):
            base, _, chart_name = spec.chart.rpartition("/")
            repo_spec["url"] = base
        if spec.plain_http:
            repo_spec["insecure"] = True  # non-TLS registry (only read for type oci)
    repository = {
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "HelmRepository",
        "metadata": {"name": repo_name, "namespace": source_namespace},
        "spec": repo_spec,
    }
    chart_spec: dict[str, Any] = {"chart": chart_name}
    if spec.version:
        chart_spec["version"] = spec.version
    chart_spec["sourceRef"] = {"kind": "HelmRepository", "name": repo_name,
                               "namespace": source_namespace}
    release: dict[str, Any] = {
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": {"name": _name(spec), "namespace": source_namespace},
        "spec": {
            "interval": interval,
            "releaseName": spec.release,
            "targetNamespace": spec.namespace,
            "storageNamespace": spec.namespace,
            "install": {"createNamespace": True},
            "chart": {"spec": chart_spec},
        },
    }
    if values:
        release["spec"]["values"] = values
    return _dump([repository, release])


def argocd(spec: ChartSpec, values: dict[str, Any], *, project: str = "default",
           app_namespace: str = ARGO_NAMESPACE) -> str:
    """An Argo CD Application (argoproj.io/v1alpha1) with a Helm source."""
    _check(spec)
    repo_url, chart = spec.repo, spec.chart
    if spec.source == "oci":
        if chart.startswith("oci://"):
            repo_url, _, chart = chart.rpartition("/")
        # Argo CD Helm-OCI sources take the registry path without the scheme
        repo_url = repo_url.removeprefix("oci://")
    helm: dict[str, Any] = {"releaseName": spec.release}
    if values:
        helm["valuesObject"] = values
    app = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": _name(spec), "namespace": app_namespace},
        "spec": {
            "project": project,
            "source": {"repoURL": repo_url, "chart": chart,
                       "targetRevision": spec.version or "*", "helm": helm},
            "destination": {"server": "https://kubernetes.default.svc",
                            "namespace": spec.namespace},
            "syncPolicy": {"syncOptions": ["CreateNamespace=true"]},
        },
    }
    return _dump([app])


FORMATS = {"flux": flux, "argocd": argocd}
