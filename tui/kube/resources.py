"""Resource types (group/version/plural) and the URL paths of their objects.

Pure data: no I/O, no heavy imports, so plugins' catalog entries can name the resources they
care about without pulling in the HTTP stack.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

#: API groups served by the apiserver itself (the rest are custom resources or aggregated)
BUILTIN_GROUPS = frozenset({"", "apps", "batch", "autoscaling", "policy"})


def is_builtin(rtype: ResourceType) -> bool:
    """Whether the type is one of Kubernetes' own (stored as protobuf), not a custom
    resource: the core, ``apps``, ``batch``, ``autoscaling``, ``policy`` and the
    ``*.k8s.io`` groups but Gateway API's (``gateway.networking.k8s.io``, a CRD) and the
    ``x-k8s.io`` SIG projects'."""
    group = rtype.group
    if group in BUILTIN_GROUPS:
        return True
    return group.endswith(".k8s.io") and not group.endswith(".x-k8s.io") \
        and group != "gateway.networking.k8s.io"


@dataclass(frozen=True, order=True)
class ResourceType:
    group: str
    version: str
    plural: str
    kind: str = ""
    namespaced: bool = True

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def qualified(self) -> str:
        """``plural.group`` as kubectl and RBAC messages spell it (``backups.velero.io``)."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def base(self) -> str:
        return f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"

    def path(self, namespace: str | None = None, name: str | None = None,
             subresource: str | None = None) -> str:
        """Collection or object path; ``namespace=None`` lists across all namespaces."""
        parts = [self.base()]
        if self.namespaced and namespace:
            parts.append(f"namespaces/{quote(namespace, safe='')}")
        parts.append(self.plural)
        if name is not None:
            parts.append(quote(name, safe=""))
            if subresource:
                parts.append(subresource)
        return "/".join(parts)


def rt(api_version: str, plural: str, kind: str = "", namespaced: bool = True) -> ResourceType:
    group, _, version = api_version.rpartition("/")
    return ResourceType(group, version, plural, kind, namespaced)


# Well-known built-in types used across the app.
NAMESPACES = rt("v1", "namespaces", "Namespace", namespaced=False)
SECRETS = rt("v1", "secrets", "Secret")
CONFIGMAPS = rt("v1", "configmaps", "ConfigMap")
SERVICES = rt("v1", "services", "Service")
ENDPOINTS = rt("v1", "endpoints", "Endpoints")
EVENTS = rt("v1", "events", "Event")
PODS = rt("v1", "pods", "Pod")
DEPLOYMENTS = rt("apps/v1", "deployments", "Deployment")
STATEFULSETS = rt("apps/v1", "statefulsets", "StatefulSet")
DAEMONSETS = rt("apps/v1", "daemonsets", "DaemonSet")
INGRESSES = rt("networking.k8s.io/v1", "ingresses", "Ingress")
CRDS = rt("apiextensions.k8s.io/v1", "customresourcedefinitions", "CustomResourceDefinition",
          namespaced=False)
VALIDATING_WEBHOOKS = rt("admissionregistration.k8s.io/v1", "validatingwebhookconfigurations",
                         "ValidatingWebhookConfiguration", namespaced=False)
MUTATING_WEBHOOKS = rt("admissionregistration.k8s.io/v1", "mutatingwebhookconfigurations",
                       "MutatingWebhookConfiguration", namespaced=False)
SELF_SUBJECT_ACCESS_REVIEWS = rt("authorization.k8s.io/v1", "selfsubjectaccessreviews",
                                 "SelfSubjectAccessReview", namespaced=False)


#: A subscriber's projection of each object before a shared cache stores it (client-go's
#: informer ``SetTransform``): it gets a freshly decoded object nobody else holds, may change
#: it in place, and returns what the cache keeps. It must keep ``metadata.uid``, ``name``,
#: ``namespace`` and ``resourceVersion``, and must not raise (an exception fails the cache's
#: sync). It runs on the event loop (list pages in slices while the next page is fetched):
#: tens of microseconds per object are fine, blocking I/O is not. See ``kube/cache.py``
#: (``CacheKey.transform``) for why and how.
ObjectTransform = Callable[[dict[str, Any]], dict[str, Any]]


def obj_key(obj: dict) -> str:
    """A stable key for an object: its UID, else namespace/name."""
    meta = obj.get("metadata") or {}
    return meta.get("uid") or f"{meta.get('namespace', '')}/{meta.get('name', '')}"
