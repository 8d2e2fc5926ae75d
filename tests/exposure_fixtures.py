"""Objects for the exposure tests, created in the real apiserver; the harness plays the
controllers' part (Deployment readiness, load balancer status, EndpointSlices, GatewayClass
acceptance) through the status subresource, as they would.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from testkit.kube import KubeAdmin
from testkit.pki import KeyPair, make_ca, make_cert

GW = "gateway.networking.k8s.io/v1"
CA = make_ca("exposure test CA", seed="exposure-ca")


def leaf(*names: str, days: int = 60, seed: str | None = None,
         now: dt.datetime | None = None) -> KeyPair:
    start = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=1)
    return make_cert(CA, names[0], dns_names=names, server=True, not_before=start,
                     days=days + 1, seed=seed)


def deployment(admin: KubeAdmin, ns: str, name: str, app: str, args: list[str] | None = None,
               ready: int = 1) -> None:
    labels = {"app.kubernetes.io/name": app}
    if app == "ingress-nginx":  # as the chart labels it (and the board's selector wants)
        labels["app.kubernetes.io/component"] = "controller"
    admin.create({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns, "labels": labels},
        "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                 "template": {"metadata": {"labels": labels}, "spec": {"containers": [
                     {"name": app, "image": f"example.test/{app}:1", "args": args or []}]}}}})
    admin.patch_status("apps/v1", "deployments", ns, name,
                       {"replicas": 1, "readyReplicas": ready, "availableReplicas": ready})


def ingress_class(admin: KubeAdmin, name: str, controller: str = "k8s.io/ingress-nginx") -> None:
    admin.create({"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
                  "metadata": {"name": name}, "spec": {"controller": controller}},
                 exist_ok=True)


def service(admin: KubeAdmin, ns: str, name: str, ports: list[tuple[str, int]], *,
            ready: int = 1, lb: str | None = None,
            annotations: dict[str, str] | None = None) -> None:
    admin.create({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": name, "namespace": ns, "annotations": annotations or {}},
        "spec": {"type": "LoadBalancer" if lb else "ClusterIP",
                 "selector": {"app": name},
                 "ports": [{"name": n, "port": p, "targetPort": p} for n, p in ports]}})
    endpoints = [{"addresses": [f"10.244.0.{i + 10}"], "conditions": {"ready": i < ready}}
                 for i in range(max(ready, 1))]
    admin.create({
        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
        "metadata": {"name": f"{name}-abcde", "namespace": ns,
                     "labels": {"kubernetes.io/service-name": name}},
        "addressType": "IPv4", "endpoints": endpoints,
        "ports": [{"name": n, "port": p, "protocol": "TCP"} for n, p in ports]})
    if lb:
        admin.patch_status("v1", "services", ns, name,
                           {"loadBalancer": {"ingress": [{"ip": lb}]}})


def tls_secret(admin: KubeAdmin, ns: str, name: str, pair: KeyPair) -> None:
    admin.create({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
                  "metadata": {"name": name, "namespace": ns},
                  "data": {"tls.crt": base64.b64encode(pair.cert_pem).decode(),
                           "tls.key": base64.b64encode(pair.key_pem).decode()}})


def ingress(admin: KubeAdmin, ns: str, name: str, host: str, backend: tuple[str, Any], *,
            klass: str | None, path: str = "/", tls_secret: str | None = None,
            lb: str | None = None, tls_port: int | None = None,
            annotations: dict[str, str] | None = None) -> None:
    svc_name, port = backend
    spec: dict[str, Any] = {"rules": [{"host": host, "http": {"paths": [{
        "path": path, "pathType": "Prefix",
        "backend": {"service": {"name": svc_name, "port": (
            {"number": port} if isinstance(port, int) else {"name": port})}}}]}}]}
    if klass:
        spec["ingressClassName"] = klass
    if tls_secret:
        spec["tls"] = [{"hosts": [host], "secretName": tls_secret}]
    admin.create({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                  "metadata": {"name": name, "namespace": ns,
                               "annotations": annotations or {}}, "spec": spec})
    if lb:
        entry: dict[str, Any] = {"ip": lb}
        if tls_port:
            entry["ports"] = [{"port": tls_port, "protocol": "TCP"}]
        admin.patch_status("networking.k8s.io/v1", "ingresses", ns, name,
                           {"loadBalancer": {"ingress": [entry]}})


def controllers(admin: KubeAdmin, ns: str, *, domain: str = "example.test",
                ingress_ready: int = 1) -> None:
    """A ready ingress-nginx controller and an ExternalDNS watching ingresses and services
    of ``domain`` (upsert-only, owner "ci")."""
    deployment(admin, ns, "ingress-nginx-controller", "ingress-nginx", ready=ingress_ready)
    deployment(admin, ns, "external-dns", "external-dns", args=[
        "--source=ingress", "--source=service", "--source=gateway-httproute",
        f"--domain-filter={domain}", "--policy=upsert-only", "--registry=txt",
        "--txt-owner-id=ci", "--provider=rfc2136"])


def gateway_class(admin: KubeAdmin, name: str, *, accepted: bool) -> None:
    admin.create({"apiVersion": GW, "kind": "GatewayClass", "metadata": {"name": name},
                  "spec": {"controllerName": "example.test/gateway-controller"}},
                 exist_ok=True)
    if accepted:
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        admin.patch_status(GW, "gatewayclasses", None, name, {"conditions": [
            {"type": "Accepted", "status": "True", "reason": "Accepted", "message": "",
             "lastTransitionTime": now, "observedGeneration": 1}]})


def gateway(admin: KubeAdmin, ns: str, name: str, klass: str, *, hostname: str,
            secret: str, address: str | None, port: int = 443) -> None:
    admin.create({"apiVersion": GW, "kind": "Gateway",
                  "metadata": {"name": name, "namespace": ns},
                  "spec": {"gatewayClassName": klass, "listeners": [
                      {"name": "https", "hostname": hostname, "port": port,
                       "protocol": "HTTPS",
                       "tls": {"mode": "Terminate",
                               "certificateRefs": [{"kind": "Secret", "name": secret}]}}]}})
    if address:
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        admin.patch_status(GW, "gateways", ns, name, {
            "addresses": [{"type": "IPAddress", "value": address}],
            "conditions": [{"type": "Programmed", "status": "True", "reason": "Programmed",
                            "message": "", "lastTransitionTime": now,
                            "observedGeneration": 1}]})


def route(admin: KubeAdmin, ns: str, name: str, gateway_name: str, host: str,
          backend: tuple[str, int], *, kind: str = "HTTPRoute") -> None:
    rule: dict[str, Any] = {"backendRefs": [{"name": backend[0], "port": backend[1]}]}
    if kind == "HTTPRoute":
        rule["matches"] = [{"path": {"type": "PathPrefix", "value": "/"}}]
    admin.create({"apiVersion": GW, "kind": kind, "metadata": {"name": name, "namespace": ns},
                  "spec": {"parentRefs": [{"name": gateway_name}], "hostnames": [host],
                           "rules": [rule]}})
