"""Mesh objects as injection leaves them, for tests and benchmarks (no mesh runs here).

There is no kubelet and no mesh control plane in the test cluster: pods are created the way
Istio's and Linkerd's injectors would have written them (an ``istio-proxy`` sidecar with its
``istio-init`` init container and ``sidecar.istio.io/status`` annotation; a native sidecar
init container with ``restartPolicy: Always``; ``linkerd-proxy`` with the
``linkerd.io/proxy-version`` annotation; an ambient pod with the CNI's redirection
annotation) and stay Pending, which is all the mesh pane reads. The control planes are
Deployments with the labels and images the official charts use.
"""

from __future__ import annotations

import json
from typing import Any

JSON = dict[str, Any]
PAUSE = "registry.k8s.io/pause:3.10"


def namespace(name: str, *, labels: dict[str, str] | None = None,
              annotations: dict[str, str] | None = None) -> JSON:
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": name, "labels": dict(labels or {}),
                         "annotations": dict(annotations or {})}}


def deployment(name: str, ns: str, *, labels: dict[str, str] | None = None,
               image: str = PAUSE, paused: bool = False) -> JSON:
    match = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": ns, "labels": {**match, **(labels or {})}},
            "spec": {"replicas": 1, "paused": paused, "selector": {"matchLabels": match},
                     "template": {"metadata": {"labels": match},
                                  "spec": {"containers": [{"name": "main", "image": image}]}}}}


def istiod(ns: str, version: str, revision: str = "") -> JSON:
    name = f"istiod-{revision}" if revision else "istiod"
    labels = {"app": "istiod", "istio": "pilot", "istio.io/rev": revision or "default"}
    dep = deployment(name, ns, labels=labels, image=f"docker.io/istio/pilot:{version}")
    dep["metadata"]["labels"] = labels
    dep["spec"]["selector"] = {"matchLabels": {"app": "istiod", "istio.io/rev":
                                               revision or "default"}}
    dep["spec"]["template"]["metadata"]["labels"] = dict(labels)
    dep["spec"]["template"]["spec"]["containers"][0]["name"] = "discovery"
    return dep


def linkerd_destination(ns: str, version: str) -> JSON:
    labels = {"app.kubernetes.io/name": "destination",
              "linkerd.io/control-plane-component": "destination",
              "linkerd.io/control-plane-ns": ns}
    dep = deployment("linkerd-destination", ns, labels=labels,
                     image=f"cr.l5d.io/linkerd/controller:{version}")
    dep["metadata"]["labels"] = labels
    dep["spec"]["selector"] = {"matchLabels": {"linkerd.io/control-plane-component":
                                               "destination"}}
    dep["spec"]["template"]["metadata"]["labels"] = dict(labels)
    return dep


def pod(name: str, ns: str, *, labels: dict[str, str] | None = None,
        annotations: dict[str, str] | None = None, owner: tuple[str, str] | None = None,
        template_hash: str = "") -> JSON:
    """A plain pod; ``owner=("ReplicaSet", "web-5d4f8c7b9")`` with ``template_hash`` makes it
    look like a Deployment's (the owner need not exist: no garbage collector runs here)."""
    meta: JSON = {"name": name, "namespace": ns, "labels": dict(labels or {}),
                  "annotations": dict(annotations or {})}
    if template_hash:
        meta["labels"]["pod-template-hash"] = template_hash
    if owner:
        meta["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": owner[0],
                                    "name": owner[1], "controller": True,
                                    "uid": "00000000-0000-0000-0000-000000000001"}]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": {"containers": [{"name": "app", "image": PAUSE}]}}


def with_istio(p: JSON, version: str, *, revision: str = "default",
               native: bool = False) -> JSON:
    """What Istio's sidecar injector adds (sidecar or native sidecar)."""
    proxy = {"name": "istio-proxy", "image": f"docker.io/istio/proxyv2:{version}",
             "args": ["proxy", "sidecar"]}
    init = {"name": "istio-init", "image": f"docker.io/istio/proxyv2:{version}",
            "args": ["istio-iptables"]}
    spec = p["spec"]
    if native:
        spec["initContainers"] = [init, {**proxy, "restartPolicy": "Always"}]
    else:
        spec["initContainers"] = [init]
        spec["containers"] = [*spec["containers"], proxy]
    p["metadata"]["labels"]["service.istio.io/canonical-name"] = p["metadata"]["name"]
    if revision != "default":
        p["metadata"]["labels"]["istio.io/rev"] = revision
    p["metadata"]["annotations"]["sidecar.istio.io/status"] = json.dumps(
        {"initContainers": ["istio-init"], "containers": ["istio-proxy"],
         "volumes": ["istio-envoy"], "revision": revision})
    return p


def with_linkerd(p: JSON, version: str, *, native: bool = False) -> JSON:
    """What Linkerd's proxy injector adds."""
    proxy = {"name": "linkerd-proxy", "image": f"cr.l5d.io/linkerd/proxy:{version}"}
    init = {"name": "linkerd-init", "image": "cr.l5d.io/linkerd/proxy-init:v2.4.3"}
    spec = p["spec"]
    if native:
        spec["initContainers"] = [init, {**proxy, "restartPolicy": "Always"}]
    else:
        spec["initContainers"] = [init]
        spec["containers"] = [proxy, *spec["containers"]]
    p["metadata"]["annotations"]["linkerd.io/proxy-version"] = version
    p["metadata"]["annotations"]["linkerd.io/created-by"] = f"linkerd/proxy-injector {version}"
    return p


def ambient_enrolled(p: JSON) -> JSON:
    """What istio-cni's node agent writes on a pod it captured for ztunnel."""
    p["metadata"]["annotations"]["ambient.istio.io/redirection"] = "enabled"
    return p


def peer_authentication(name: str, ns: str, mode: str,
                        selector: dict[str, str] | None = None) -> JSON:
    spec: JSON = {"mtls": {"mode": mode}}
    if selector:
        spec["selector"] = {"matchLabels": selector}
    return {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication",
            "metadata": {"name": name, "namespace": ns}, "spec": spec}
