"""A mesh world on the real apiserver for the mesh tests: namespaces labelled for Istio
(default revision, a canary revision, ambient) and Linkerd, pods as injection leaves them,
control-plane Deployments, PeerAuthentications and the objects the analyze checks read.

The control planes live in the test's own namespace, which also serves as Istio's root
namespace (``mesh.istio_root_namespace`` in the test config), so parallel tests never see
each other's mesh-wide policy.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from testkit import mesh as m
from testkit.kube import KubeAdmin
from testkit.pytest_plugin import TEST_NAMESPACE_LABEL

ISTIO_VERSION, CANARY_VERSION = "1.30.3", "1.31.0"
LINKERD_VERSION = "edge-26.8.4"
WEB_HASH = "5d4f8c7b9"


@dataclass
class MeshWorld:
    root: str
    config: Path
    namespaces: dict[str, str] = field(default_factory=dict)  # role -> name

    def ns(self, role: str) -> str:
        return self.namespaces[role]


def build_world(admin: KubeAdmin, world: MeshWorld) -> MeshWorld:
    root = world.root
    world.config.write_text(f'[mesh]\nistio_root_namespace = "{root}"\n')
    roles = {
        "istio": ({"istio-injection": "enabled"}, {}),
        "linkerd": ({}, {"linkerd.io/inject": "enabled"}),
        "canary": ({"istio.io/rev": "canary"}, {}),
        "ambient": ({"istio.io/dataplane-mode": "ambient"}, {}),
        "clean": ({}, {"linkerd.io/inject": "enabled"}),
        "off": ({}, {}),
    }
    for role, (labels, notes) in roles.items():
        name = f"{root}-{role}"[:63]
        admin.create(m.namespace(name, labels={TEST_NAMESPACE_LABEL: "true", **labels},
                                 annotations=notes))
        world.namespaces[role] = name
    admin.create(m.istiod(root, ISTIO_VERSION))
    admin.create(m.istiod(root, CANARY_VERSION, "canary"))
    admin.create(m.linkerd_destination(root, LINKERD_VERSION))
    admin.create(m.peer_authentication("default", root, "STRICT"))

    ns = world.ns("istio")
    rs = ("ReplicaSet", f"web-{WEB_HASH}")
    admin.create(m.deployment("web", ns))
    admin.create(m.deployment("paused", ns, paused=True))
    admin.create(m.with_istio(m.pod("web-1", ns, labels={"app": "web", "version": "v1"},
                                    owner=rs, template_hash=WEB_HASH), ISTIO_VERSION))
    admin.create(m.pod("web-2", ns, labels={"app": "web", "version": "v1"}, owner=rs,
                       template_hash=WEB_HASH))  # created before the label: no proxy
    admin.create(m.with_istio(m.pod("db-0", ns, labels={"app": "db"},
                                    owner=("StatefulSet", "db")), "1.28.2", native=True))
    admin.create(m.pod("batch", ns, labels={"sidecar.istio.io/inject": "false"}))
    admin.create(m.peer_authentication("ns-wide", ns, "PERMISSIVE"))
    admin.create(m.peer_authentication("web-off", ns, "DISABLE", {"app": "web"}))
    admin.create({"apiVersion": "v1", "kind": "Service",
                  "metadata": {"name": "web", "namespace": ns},
                  "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}})
    admin.create({"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
                  "metadata": {"name": "web-routes", "namespace": ns},
                  "spec": {"hosts": ["web"], "http": [
                      {"route": [{"destination": {"host": "web"}},
                                 {"destination": {"host": "reviews"}}]}]}})
    admin.create({"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule",
                  "metadata": {"name": "web-subsets", "namespace": ns},
                  "spec": {"host": "web", "subsets": [
                      {"name": "v1", "labels": {"version": "v1"}},
                      {"name": "v2", "labels": {"version": "v2"}}]}})
    admin.create({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
                  "metadata": {"name": "web-cert", "namespace": ns},
                  "data": {"tls.crt": "", "tls.key": ""}})
    admin.create({"apiVersion": "networking.istio.io/v1", "kind": "Gateway",
                  "metadata": {"name": "edge", "namespace": ns},
                  "spec": {"selector": {"istio": "ingressgateway"}, "servers": [
                      {"port": {"number": 443, "name": "https", "protocol": "HTTPS"},
                       "hosts": ["a.example.com"],
                       "tls": {"mode": "SIMPLE", "credentialName": "web-cert"}},
                      {"port": {"number": 8443, "name": "https-b", "protocol": "HTTPS"},
                       "hosts": ["b.example.com"],
                       "tls": {"mode": "SIMPLE", "credentialName": "missing-cert"}}]}})
    admin.create({"apiVersion": "security.istio.io/v1", "kind": "AuthorizationPolicy",
                  "metadata": {"name": "allow-web", "namespace": ns},
                  "spec": {"selector": {"matchLabels": {"app": "web"}}, "action": "ALLOW",
                           "rules": [{"from": [{"source": {"namespaces": [ns]}}]}]}})

    ns = world.ns("linkerd")
    admin.create(m.with_linkerd(m.pod("api-1", ns, owner=("ReplicaSet", "api-7c9d"),
                                      template_hash="7c9d"), LINKERD_VERSION, native=True))
    admin.create(m.with_linkerd(m.pod("api-2", ns, owner=("ReplicaSet", "api-7c9d"),
                                      template_hash="7c9d"), "edge-26.6.1"))
    admin.create({"apiVersion": "policy.linkerd.io/v1beta3", "kind": "Server",
                  "metadata": {"name": "api-http", "namespace": ns},
                  "spec": {"podSelector": {"matchLabels": {"app": "api"}}, "port": 8080}})
    admin.create({"apiVersion": "policy.linkerd.io/v1alpha1", "kind": "AuthorizationPolicy",
                  "metadata": {"name": "api-authn", "namespace": ns},
                  "spec": {"targetRef": {"group": "policy.linkerd.io", "kind": "Server",
                                         "name": "api-http"},
                           "requiredAuthenticationRefs": [
                               {"name": "mesh", "kind": "MeshTLSAuthentication",
                                "group": "policy.linkerd.io"}]}})

    ns = world.ns("canary")
    admin.create(m.with_istio(m.pod("moved-1", ns, owner=("DaemonSet", "agent")),
                              ISTIO_VERSION))
    admin.create(m.with_istio(m.pod("new-1", ns, owner=("DaemonSet", "agent")),
                              CANARY_VERSION, revision="canary"))

    ns = world.ns("ambient")
    admin.create(m.ambient_enrolled(m.pod("amb-1", ns)))
    admin.create(m.pod("amb-2", ns))
    admin.create(m.pod("amb-out", ns, labels={"istio.io/dataplane-mode": "none"}))

    ns = world.ns("clean")
    admin.create(m.with_linkerd(m.pod("ok-1", ns), LINKERD_VERSION))
    admin.create(m.pod("plain", world.ns("off")))
    return world


def cleanup(admin: KubeAdmin, world: MeshWorld) -> None:
    for name in world.namespaces.values():
        admin.delete_namespace(name)


def world_fixture(admin: KubeAdmin, root: str, tmp: Path) -> Iterator[MeshWorld]:
    world = MeshWorld(root, tmp / "config.toml")
    try:
        yield build_world(admin, world)
    finally:
        cleanup(admin, world)
