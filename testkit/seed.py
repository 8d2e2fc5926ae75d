"""``--seed demo``: a believable cluster, created through the API.

Why seed through the apiserver instead of fixtures on disk: the app lists, watches and
diagnoses real objects, so the demo and the snapshot tests need objects the apiserver has
validated and stored -- with the labels each component's official Helm chart puts on them,
statuses that no controller here would ever write (we play every controller's part through the
status subresource), real x509 certificates with spread-out expiry dates, Helm release Secrets
that ``helm list`` can read, and a few things that are wrong on purpose:

- the Kyverno admission controller is not ready (CrashLoopBackOff) and its Fail-policy webhook
  therefore has no ready endpoints; its failed Helm upgrade and a failing Flux health check
  point at the same cause;
- one certificate is expired (ACME HTTP-01 challenge failing), one expires in 3 days (renewal
  rate-limited), one in 20 days, several in 60-80 days; one TLS secret is unmanaged and one
  ingress references a secret that does not exist;
- Velero backups in every phase (Completed, InProgress with progress, PartiallyFailed, Failed).

Every time-like value derives from ``now`` (default: the real clock), so snapshot tests can pass
a fixed clock. Object ``creationTimestamp``s are the server's and cannot be faked.

Webhooks: the apiserver cannot reach in-cluster Services here (no nodes, no kube-proxy), so a
webhook that matched writes would make them fail. By default (``inert_webhooks=True``) the
seeded webhook configurations carry an ``objectSelector`` no object matches: they look real to
the app but never intercept. Pass ``inert_webhooks=False`` to test real webhook failures.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import gzip
import hashlib
import json
import os
import time
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import yaml
from cryptography.hazmat.primitives import serialization

from testkit import pki
from testkit.controlplane import aggregate_cluster_roles
from testkit.kube import JSON, KubeAdmin

FIELD_MANAGER = "testkit-seed"
K8S_VERSION = "v1.35.4"
INGRESS_IP = "203.0.113.10"
INERT_SELECTOR = {
    "matchExpressions": [
        {"key": "testkit.k8s-essentials-tui.dev/webhook-target", "operator": "Exists"}
    ]
}
_HASH_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # what Kubernetes uses for generated suffixes


# --------------------------------------------------------------------------------------------
# small helpers


def ts(t: dt.datetime) -> str:
    """metav1.Time: RFC 3339, second precision, UTC."""
    return t.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _suffix(seed: str, n: int) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return "".join(_HASH_ALPHABET[b % len(_HASH_ALPHABET)] for b in digest[:n])


def _hex(seed: str, n: int = 40) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:n]


def _b64(data: bytes | str) -> str:
    return base64.b64encode(data.encode() if isinstance(data, str) else data).decode()


def obj(api_version: str, kind: str, name: str, namespace: str | None = None,
        labels: dict[str, str] | None = None, annotations: dict[str, str] | None = None,
        **rest: Any) -> JSON:
    md: JSON = {"name": name}
    if namespace:
        md["namespace"] = namespace
    if labels:
        md["labels"] = dict(labels)
    if annotations:
        md["annotations"] = dict(annotations)
    return {"apiVersion": api_version, "kind": kind, "metadata": md, **rest}


def chart_labels(name: str, instance: str, version: str, chart: str | None, /,
                 component: str | None = None, part_of: str | None = None,
                 managed_by: str = "Helm", **extra: str) -> dict[str, str]:
    """The app.kubernetes.io/* + helm.sh/chart set Helm charts put on their objects."""
    labels = {"app.kubernetes.io/name": name, "app.kubernetes.io/instance": instance}
    if component:
        labels["app.kubernetes.io/component"] = component
    if part_of:
        labels["app.kubernetes.io/part-of"] = part_of
    labels["app.kubernetes.io/version"] = version
    labels["app.kubernetes.io/managed-by"] = managed_by
    if chart:
        labels["helm.sh/chart"] = chart
    labels.update(extra)
    return labels


def cond(type_: str, status: str, reason: str, message: str, when: dt.datetime,
         generation: int | None = None) -> JSON:
    c: JSON = {"type": type_, "status": status, "reason": reason, "message": message,
               "lastTransitionTime": ts(when)}
    if generation is not None:
        c["observedGeneration"] = generation
    return c


# --------------------------------------------------------------------------------------------
# the cluster's content, as data


@dataclass
class Workload:
    namespace: str
    kind: str  # Deployment | StatefulSet | DaemonSet
    name: str
    labels: dict[str, str]
    selector: dict[str, str]
    image: str
    replicas: int = 1
    ready: int | None = None  # None: all ready
    release: str | None = None  # Helm release it belongs to
    port: int | None = None
    container: str | None = None
    age_days: int = 30

    @property
    def ready_count(self) -> int:
        return self.replicas if self.ready is None else self.ready


@dataclass
class Release:
    name: str
    namespace: str
    chart: str
    chart_version: str
    app_version: str
    revisions: list[tuple[str, str]]  # (status, description) oldest first
    values: JSON = field(default_factory=dict)
    notes: str = ""
    deployed_days_ago: int = 30


NAMESPACES = [
    "ingress-nginx", "cert-manager", "velero", "argocd", "monitoring", "loki", "kyverno",
    "external-dns", "ambassador", "flux-system", "shop", "payments",
]
NODES = [("demo-worker-a", "eu-west-1a", "10.0.1.23"), ("demo-worker-b", "eu-west-1b",
         "10.0.2.57"), ("demo-worker-c", "eu-west-1c", "10.0.3.91")]


def _workloads() -> list[Workload]:
    w: list[Workload] = []

    def add(ns: str, kind: str, name: str, labels: dict[str, str], selector_keys: Iterable[str],
            image: str, **kw: Any) -> None:
        sel = {k: labels[k] for k in selector_keys}
        w.append(Workload(ns, kind, name, labels, sel, image, **kw))

    nm, inst, comp = ("app.kubernetes.io/name", "app.kubernetes.io/instance",
                      "app.kubernetes.io/component")

    # ingress-nginx
    lab = chart_labels("ingress-nginx", "ingress-nginx", "1.12.1", "ingress-nginx-4.12.1",
                       "controller", "ingress-nginx")
    add("ingress-nginx", "Deployment", "ingress-nginx-controller", lab, (nm, inst, comp),
        "registry.k8s.io/ingress-nginx/controller:v1.12.1", replicas=2, release="ingress-nginx",
        port=80, container="controller", age_days=41)
    # cert-manager: controller, cainjector, webhook
    for app, component, image in (
        ("cert-manager", "controller", "cert-manager-controller"),
        ("cainjector", "cainjector", "cert-manager-cainjector"),
        ("webhook", "webhook", "cert-manager-webhook"),
    ):
        lab = chart_labels(app, "cert-manager", "v1.17.2", "cert-manager-v1.17.2", component,
                           app=app)
        name = "cert-manager" if app == "cert-manager" else f"cert-manager-{app}"
        add("cert-manager", "Deployment", name, lab, (nm, inst, comp),
            f"quay.io/jetstack/{image}:v1.17.2", release="cert-manager",
            port=10250 if app == "webhook" else 9402, container=f"cert-manager-{component}",
            age_days=97)
    # velero
    lab = chart_labels("velero", "velero", "1.16.1", "velero-10.0.8", component="velero")
    lab["component"] = "velero"
    add("velero", "Deployment", "velero", lab, (nm, inst), "velero/velero:v1.16.1",
        release="velero", port=8085, age_days=64)
    lab = chart_labels("velero", "velero", "1.16.1", "velero-10.0.8", name="node-agent",
                       role="node-agent")
    add("velero", "DaemonSet", "node-agent", lab, ("name",), "velero/velero:v1.16.1",
        replicas=len(NODES), release="velero", container="node-agent", age_days=64)
    # argocd
    for component, kind, image, reps in (
        ("server", "Deployment", "quay.io/argoproj/argocd:v3.0.6", 2),
        ("repo-server", "Deployment", "quay.io/argoproj/argocd:v3.0.6", 1),
        ("applicationset-controller", "Deployment", "quay.io/argoproj/argocd:v3.0.6", 1),
        ("redis", "Deployment", "public.ecr.aws/docker/library/redis:7.2.8-alpine", 1),
        ("application-controller", "StatefulSet", "quay.io/argoproj/argocd:v3.0.6", 1),
    ):
        lab = chart_labels(f"argocd-{component}", "argocd", "v3.0.6", "argo-cd-8.1.2",
                           component, "argocd")
        add("argocd", kind, f"argocd-{component}", lab, (nm, inst), image, replicas=reps,
            release="argocd", port=8080 if component == "server" else None, age_days=55)
    # kube-prometheus-stack
    lab = chart_labels("kube-prometheus-stack-prometheus-operator", "kube-prometheus-stack",
                       "75.15.1", "kube-prometheus-stack-75.15.1", "prometheus-operator",
                       "kube-prometheus-stack", app="kube-prometheus-stack-operator",
                       release="kube-prometheus-stack", heritage="Helm")
    add("monitoring", "Deployment", "kube-prometheus-stack-operator", lab, ("app", "release"),
        "quay.io/prometheus-operator/prometheus-operator:v0.84.1",
        release="kube-prometheus-stack", port=10250, age_days=120)
    for name, app, version, image, reps in (
        ("prometheus-kube-prometheus-stack-prometheus", "prometheus", "3.5.0",
         "quay.io/prometheus/prometheus:v3.5.0", 1),
        ("alertmanager-kube-prometheus-stack-alertmanager", "alertmanager", "0.28.1",
         "quay.io/prometheus/alertmanager:v0.28.1", 1),
    ):
        sts_instance = name.split("-", 1)[1]
        lab = chart_labels(app, sts_instance, version, None, managed_by="prometheus-operator",
                           **{"operator.prometheus.io/name": sts_instance,
                              "operator.prometheus.io/shard": "0"})
        add("monitoring", "StatefulSet", name, lab, (nm, inst), image, replicas=reps,
            release=None, port=9090 if app == "prometheus" else 9093, container=app,
            age_days=120)
    lab = chart_labels("grafana", "kube-prometheus-stack", "12.1.0", "grafana-9.3.0")
    add("monitoring", "Deployment", "kube-prometheus-stack-grafana", lab, (nm, inst),
        "docker.io/grafana/grafana:12.1.0", release="kube-prometheus-stack", port=3000,
        container="grafana", age_days=120)
    lab = chart_labels("kube-state-metrics", "kube-prometheus-stack", "2.16.0",
                       "kube-state-metrics-6.1.0", "metrics", "kube-state-metrics",
                       release="kube-prometheus-stack")
    add("monitoring", "Deployment", "kube-prometheus-stack-kube-state-metrics", lab, (nm, inst),
        "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.16.0",
        release="kube-prometheus-stack", port=8080, age_days=120)
    lab = chart_labels("prometheus-node-exporter", "kube-prometheus-stack", "1.9.1",
                       "prometheus-node-exporter-4.47.3", "metrics", "prometheus-node-exporter",
                       release="kube-prometheus-stack")
    add("monitoring", "DaemonSet", "kube-prometheus-stack-prometheus-node-exporter", lab,
        (nm, inst), "quay.io/prometheus/node-exporter:v1.9.1", replicas=len(NODES),
        release="kube-prometheus-stack", port=9100, container="node-exporter", age_days=120)
    # loki + promtail
    lab = chart_labels("loki", "loki", "3.5.3", "loki-6.34.0", "single-binary", "memberlist")
    add("loki", "StatefulSet", "loki", lab, (nm, inst, comp), "docker.io/grafana/loki:3.5.3",
        release="loki", port=3100, age_days=33)
    lab = chart_labels("loki", "loki", "3.5.3", "loki-6.34.0", "gateway")
    add("loki", "Deployment", "loki-gateway", lab, (nm, inst, comp),
        "docker.io/nginxinc/nginx-unprivileged:1.29-alpine", release="loki", port=8080,
        container="nginx", age_days=33)
    lab = chart_labels("promtail", "promtail", "3.5.1", "promtail-6.17.0")
    add("loki", "DaemonSet", "promtail", lab, (nm, inst), "docker.io/grafana/promtail:3.5.1",
        replicas=len(NODES), release="promtail", container="promtail", age_days=33)
    # kyverno (the admission controller is the one workload that is not ready)
    for component, reps, ready in (("admission-controller", 1, 0), ("background-controller", 1,
                                   None), ("cleanup-controller", 1, None),
                                   ("reports-controller", 1, None)):
        lab = chart_labels(f"kyverno-{component}", "kyverno", "3.4.4", "kyverno-3.4.4",
                           component, "kyverno")
        image = ("reg.kyverno.io/kyverno/kyverno:v1.14.4" if component == "admission-controller"
                 else f"reg.kyverno.io/kyverno/{component}:v1.14.4")
        add("kyverno", "Deployment", f"kyverno-{component}", lab,
            (comp, inst, "app.kubernetes.io/part-of"), image, replicas=reps, ready=ready,
            release="kyverno",
            port=9443 if component == "admission-controller" else None,
            container="kyverno" if component == "admission-controller" else "controller",
            age_days=21)
    # external-dns
    lab = chart_labels("external-dns", "external-dns", "0.18.0", "external-dns-1.18.0")
    add("external-dns", "Deployment", "external-dns", lab, (nm, inst),
        "registry.k8s.io/external-dns/external-dns:v0.18.0", release="external-dns", port=7979,
        age_days=88)
    # telepresence traffic-manager
    lab = chart_labels("traffic-manager", "traffic-manager", "2.23.6", "telepresence-oss-2.23.6",
                       app="traffic-manager", telepresence="manager")
    add("ambassador", "Deployment", "traffic-manager", lab, ("app", "telepresence"),
        "ghcr.io/telepresenceio/tel2:2.23.6", release="traffic-manager", port=8081,
        container="traffic-manager", age_days=12)
    # flux (installed by `flux bootstrap`, not Helm)
    for ctl, version in (("source-controller", "v1.6.2"), ("kustomize-controller", "v1.6.1"),
                         ("helm-controller", "v1.3.0")):
        lab = {"app": ctl, "app.kubernetes.io/component": ctl,
               "app.kubernetes.io/instance": "flux-system", "app.kubernetes.io/part-of": "flux",
               "app.kubernetes.io/version": "v2.6.4", "control-plane": "controller"}
        add("flux-system", "Deployment", ctl, lab, ("app",),
            f"ghcr.io/fluxcd/{ctl}:{version}", container="manager", age_days=150)
    # kube-system
    add("kube-system", "Deployment", "coredns", {"k8s-app": "kube-dns"}, ("k8s-app",),
        "registry.k8s.io/coredns/coredns:v1.12.1", replicas=2, port=53, age_days=200)
    lab = chart_labels("metrics-server", "metrics-server", "0.8.0", "metrics-server-3.13.0")
    add("kube-system", "Deployment", "metrics-server", lab, (nm, inst),
        "registry.k8s.io/metrics-server/metrics-server:v0.8.0", release="metrics-server",
        port=10250, age_days=200)
    # the user's own apps
    for ns, name, component, image, reps, port in (
        ("shop", "storefront", "frontend", "ghcr.io/example/shop-storefront:2.4.1", 3, 8080),
        ("shop", "cart", "api", "ghcr.io/example/shop-cart:2.4.1", 2, 8080),
        ("payments", "payments-api", "api", "ghcr.io/example/payments-api:1.9.0", 2, 8080),
        ("payments", "payments-gateway", "gateway", "ghcr.io/example/payments-gateway:1.9.0", 2,
         8443),
    ):
        lab = chart_labels(name, ns, image.rsplit(":", 1)[1], None, component, ns,
                           managed_by="argocd")
        add(ns, "Deployment", name, lab, (nm, inst), image, replicas=reps, port=port,
            age_days=6)
    lab = chart_labels("postgresql", "shop", "17.5.0", "postgresql-16.7.21", "primary")
    add("shop", "StatefulSet", "shop-postgresql", lab, (nm, inst, comp),
        "docker.io/bitnami/postgresql:17.5.0-debian-12-r20", release="shop-postgresql",
        port=5432, container="postgresql", age_days=180)
    return w


RELEASES = [
    Release("ingress-nginx", "ingress-nginx", "ingress-nginx", "4.12.1", "1.12.1",
            [("superseded", "Install complete"), ("deployed", "Upgrade complete")],
            {"controller": {"replicaCount": 2, "service": {"type": "LoadBalancer"},
                            "metrics": {"enabled": True, "serviceMonitor": {"enabled": True}}}},
            "The ingress-nginx controller has been installed.", 41),
    Release("cert-manager", "cert-manager", "cert-manager", "v1.17.2", "v1.17.2",
            [("deployed", "Install complete")],
            {"crds": {"enabled": True}, "prometheus": {"servicemonitor": {"enabled": True}}},
            "cert-manager v1.17.2 has been deployed successfully!", 97),
    Release("velero", "velero", "velero", "10.0.8", "1.16.1",
            [("deployed", "Install complete")],
            {"deployNodeAgent": True, "configuration": {"backupStorageLocation": [
                {"name": "default", "provider": "aws", "bucket": "demo-velero-backups",
                 "config": {"region": "eu-west-1"}}]},
             "schedules": {"daily-full": {"schedule": "0 2 * * *"}}}, "", 64),
    Release("argocd", "argocd", "argo-cd", "8.1.2", "v3.0.6",
            [("deployed", "Install complete")],
            {"server": {"replicas": 2, "ingress": {"enabled": True}}}, "", 55),
    Release("kube-prometheus-stack", "monitoring", "kube-prometheus-stack", "75.15.1", "v0.84.1",
            [("deployed", "Install complete")],
            {"grafana": {"ingress": {"enabled": True, "hosts": ["grafana.example.com"]}}},
            "kube-prometheus-stack has been installed.", 120),
    Release("loki", "loki", "loki", "6.34.0", "3.5.3", [("deployed", "Install complete")],
            {"deploymentMode": "SingleBinary", "singleBinary": {"replicas": 1}}, "", 33),
    Release("promtail", "loki", "promtail", "6.17.0", "3.5.1", [("deployed", "Install complete")],
            {"config": {"clients": [{"url": "http://loki-gateway/loki/api/v1/push"}]}}, "", 33),
    Release("kyverno", "kyverno", "kyverno", "3.4.4", "v1.14.4",
            [("deployed", "Install complete"),
             ("failed", 'Upgrade "kyverno" failed: context deadline exceeded')],
            {"admissionController": {"replicas": 1}}, "", 21),
    Release("external-dns", "external-dns", "external-dns", "1.18.0", "0.18.0",
            [("deployed", "Install complete")],
            {"provider": {"name": "aws"}, "domainFilters": ["example.com"]}, "", 88),
    Release("traffic-manager", "ambassador", "telepresence-oss", "2.23.6", "2.23.6",
            [("deployed", "Install complete")], {}, "", 12),
    Release("metrics-server", "kube-system", "metrics-server", "3.13.0", "0.8.0",
            [("deployed", "Install complete")], {"args": ["--kubelet-insecure-tls"]}, "", 200),
    Release("shop-postgresql", "shop", "postgresql", "16.7.21", "17.5.0",
            [("superseded", "Install complete"), ("superseded", "Upgrade complete"),
             ("deployed", "Upgrade complete")],
            {"auth": {"database": "shop"}, "primary": {"persistence": {"size": "20Gi"}}}, "",
            180),
]

# (service namespace, name, selector source workload, port, target port, type)
SERVICES = [
    ("ingress-nginx", "ingress-nginx-controller", "ingress-nginx-controller", 80, 80,
     "LoadBalancer"),
    ("ingress-nginx", "ingress-nginx-controller-admission", "ingress-nginx-controller", 443, 8443,
     "ClusterIP"),
    ("cert-manager", "cert-manager", "cert-manager", 9402, 9402, "ClusterIP"),
    ("cert-manager", "cert-manager-webhook", "cert-manager-webhook", 443, 10250, "ClusterIP"),
    ("velero", "velero", "velero", 8085, 8085, "ClusterIP"),
    ("argocd", "argocd-server", "argocd-server", 443, 8080, "ClusterIP"),
    ("argocd", "argocd-repo-server", "argocd-repo-server", 8081, 8081, "ClusterIP"),
    ("argocd", "argocd-redis", "argocd-redis", 6379, 6379, "ClusterIP"),
    ("monitoring", "kube-prometheus-stack-prometheus",
     "prometheus-kube-prometheus-stack-prometheus", 9090, 9090, "ClusterIP"),
    ("monitoring", "kube-prometheus-stack-alertmanager",
     "alertmanager-kube-prometheus-stack-alertmanager", 9093, 9093, "ClusterIP"),
    ("monitoring", "kube-prometheus-stack-grafana", "kube-prometheus-stack-grafana", 80, 3000,
     "ClusterIP"),
    ("monitoring", "kube-prometheus-stack-operator", "kube-prometheus-stack-operator", 443, 10250,
     "ClusterIP"),
    ("loki", "loki", "loki", 3100, 3100, "ClusterIP"),
    ("loki", "loki-gateway", "loki-gateway", 80, 8080, "ClusterIP"),
    ("kyverno", "kyverno-svc", "kyverno-admission-controller", 443, 9443, "ClusterIP"),
    ("external-dns", "external-dns", "external-dns", 7979, 7979, "ClusterIP"),
    ("ambassador", "traffic-manager", "traffic-manager", 8081, 8081, "ClusterIP"),
    ("kube-system", "metrics-server", "metrics-server", 443, 10250, "ClusterIP"),
    ("shop", "storefront", "storefront", 80, 8080, "ClusterIP"),
    ("shop", "cart", "cart", 8080, 8080, "ClusterIP"),
    ("shop", "shop-postgresql", "shop-postgresql", 5432, 5432, "ClusterIP"),
    ("payments", "payments-api", "payments-api", 8080, 8080, "ClusterIP"),
    ("payments", "payments-gateway", "payments-gateway", 443, 8443, "ClusterIP"),
]


@dataclass(frozen=True)
class CertSpec:
    namespace: str
    name: str
    dns: tuple[str, ...]
    issuer_kind: str
    issuer: str
    days_left: float
    lifetime_days: int = 90
    renew_before_days: int | None = None  # None: cert-manager's default (1/3 of lifetime)
    state: str = "ok"  # ok | renewal-failing | expired
    revision: int = 1


CERTS = [
    CertSpec("shop", "storefront-tls", ("shop.example.com", "www.shop.example.com"),
             "ClusterIssuer", "letsencrypt-prod", 74, revision=3),
    CertSpec("shop", "cart-api-tls", ("cart.shop.example.com",), "ClusterIssuer",
             "letsencrypt-prod", 61, revision=2),
    CertSpec("payments", "payments-gateway-tls", ("pay.example.com",), "ClusterIssuer",
             "letsencrypt-prod", 80, revision=4),
    CertSpec("loki", "loki-gateway-tls", ("loki.internal.example.com",), "ClusterIssuer",
             "platform-ca", 68),
    CertSpec("shop", "shop-internal-tls", ("orders.shop.svc", "orders.shop.svc.cluster.local"),
             "Issuer", "shop-ca", 65, lifetime_days=90),
    CertSpec("monitoring", "grafana-tls", ("grafana.example.com",), "ClusterIssuer",
             "letsencrypt-prod", 3, state="renewal-failing", revision=2),
    CertSpec("argocd", "argocd-server-tls", ("argocd.example.com",), "ClusterIssuer",
             "platform-ca", 20, renew_before_days=15),
    CertSpec("payments", "payments-legacy-tls", ("legacy.pay.example.com",), "ClusterIssuer",
             "letsencrypt-prod", -2, state="expired", revision=2),
]

# (namespace, name, hosts, tls secret, backend service, port, issuer annotation)
INGRESSES = [
    ("shop", "storefront", ("shop.example.com", "www.shop.example.com"), "storefront-tls",
     "storefront", 80, "letsencrypt-prod"),
    ("shop", "cart-api", ("cart.shop.example.com",), "cart-api-tls", "cart", 8080,
     "letsencrypt-prod"),
    ("shop", "shop-admin", ("admin.shop.example.com",), "legacy-wildcard-tls", "storefront", 80,
     None),
    ("payments", "payments-gateway", ("pay.example.com",), "payments-gateway-tls",
     "payments-gateway", 443, "letsencrypt-prod"),
    ("payments", "payments-legacy", ("legacy.pay.example.com",), "payments-legacy-tls",
     "payments-api", 8080, "letsencrypt-prod"),
    ("payments", "payments-admin", ("admin.pay.example.com",), "payments-admin-tls",
     "payments-api", 8080, None),
    ("monitoring", "grafana", ("grafana.example.com",), "grafana-tls",
     "kube-prometheus-stack-grafana", 80, "letsencrypt-prod"),
    ("argocd", "argocd-server", ("argocd.example.com",), "argocd-server-tls", "argocd-server",
     443, "platform-ca"),
    ("loki", "loki-gateway", ("loki.internal.example.com",), "loki-gateway-tls", "loki-gateway",
     80, "platform-ca"),
]


# --------------------------------------------------------------------------------------------
# builder


class _Seed:
    """Builds the objects in dependency phases and applies each phase concurrently."""

    def __init__(self, admin: KubeAdmin, now: dt.datetime, inert_webhooks: bool) -> None:
        self.admin = admin
        self.now = now
        self.inert = inert_webhooks
        self.stored: dict[tuple[str, str | None, str], JSON] = {}
        self.counts: Counter[str] = Counter()
        self.workloads = _workloads()
        self.pods: list[tuple[Workload, JSON, JSON]] = []  # (workload, pod, status)
        self.statuses: list[tuple[JSON, JSON]] = []  # (object, status) to set via /status
        self._pki_cache: dict[str, pki.KeyPair] = {}

    def ago(self, **kw: float) -> dt.datetime:
        return self.now - dt.timedelta(**kw)

    # -- plumbing ------------------------------------------------------------------------------

    def apply(self, objs: list[JSON]) -> None:
        results: list[JSON] = self.admin.apply_all(objs, field_manager=FIELD_MANAGER)
        for o, stored in zip(objs, results, strict=True):
            md = o["metadata"]
            self.stored[(o["kind"], md.get("namespace"), md["name"])] = stored
            self.counts[o["kind"]] += 1

    def uid(self, kind: str, namespace: str | None, name: str) -> str:
        return str(self.stored[(kind, namespace, name)]["metadata"]["uid"])

    def generation(self, kind: str, namespace: str | None, name: str) -> int:
        return int(self.stored[(kind, namespace, name)]["metadata"].get("generation", 1))

    def owner(self, kind: str, api_version: str, namespace: str, name: str) -> JSON:
        return {"apiVersion": api_version, "kind": kind, "name": name,
                "uid": self.uid(kind, namespace, name), "controller": True,
                "blockOwnerDeletion": True}

    def set_statuses(self) -> None:
        def one(item: tuple[JSON, JSON]) -> None:
            o, status = item
            md = o["metadata"]
            self.admin.patch_status(o["apiVersion"], o["kind"], md.get("namespace"), md["name"],
                                    status)

        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(one, self.statuses))
        self.statuses = []

    def ca(self, name: str, issuer: str | None = None, org: str = "k8s-essentials-tui demo",
           days: int = 3650) -> pki.KeyPair:
        if name not in self._pki_cache:
            parent = self._pki_cache[issuer] if issuer else None
            self._pki_cache[name] = pki.make_ca(
                name, organizations=[org], seed=f"ca:{name}",
                not_before=self.ago(days=400), days=days, issuer=parent)
        return self._pki_cache[name]

    # -- phase 1: cluster-scoped and namespaces ------------------------------------------------

    def phase_cluster(self) -> None:
        objs = [obj("v1", "Namespace", ns, labels={"kubernetes.io/metadata.name": ns})
                for ns in NAMESPACES]
        for name, zone, ip in NODES:
            objs.append(obj("v1", "Node", name, labels={
                "kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64", "node.kubernetes.io/instance-type": "m6i.xlarge",
                "topology.kubernetes.io/region": "eu-west-1", "topology.kubernetes.io/zone": zone,
            }, spec={"podCIDR": f"10.244.{NODES.index((name, zone, ip))}.0/24",
                     "providerID": f"aws:///{zone}/i-0{_hex(name, 16)}"}))
        objs += self._cluster_roles()
        objs.append(obj("networking.k8s.io/v1", "IngressClass", "nginx",
                        labels=chart_labels("ingress-nginx", "ingress-nginx", "1.12.1",
                                            "ingress-nginx-4.12.1", "controller", "ingress-nginx"),
                        annotations={"ingressclass.kubernetes.io/is-default-class": "true"},
                        spec={"controller": "k8s.io/ingress-nginx"}))
        self.apply(objs)
        aggregate_cluster_roles(self.admin)
        for name, _zone, ip in NODES:
            self.statuses.append((obj("v1", "Node", name), self._node_status(name, ip)))

    def _cluster_roles(self) -> list[JSON]:
        """cert-manager's aggregated roles, as its chart installs them.

        Why: they put Certificates & co. into the built-in view/edit/admin roles, so the
        limited (view) user sees cert-manager resources in the demo -- as on a real cluster.
        """
        labels = self._find("cert-manager").labels
        read = ["get", "list", "watch"]
        write = ["create", "delete", "deletecollection", "patch", "update"]
        resources = [
            {"apiGroups": ["cert-manager.io"],
             "resources": ["certificates", "certificaterequests", "issuers"]},
            {"apiGroups": ["acme.cert-manager.io"], "resources": ["challenges", "orders"]},
        ]
        agg = "rbac.authorization.k8s.io/aggregate-to-"
        return [
            obj("rbac.authorization.k8s.io/v1", "ClusterRole", "cert-manager-view",
                labels={**labels, f"{agg}view": "true", f"{agg}edit": "true",
                        f"{agg}admin": "true", f"{agg}cluster-reader": "true"},
                rules=[{**r, "verbs": read} for r in resources]),
            obj("rbac.authorization.k8s.io/v1", "ClusterRole", "cert-manager-edit",
                labels={**labels, f"{agg}edit": "true", f"{agg}admin": "true"},
                rules=[{**r, "verbs": write} for r in resources]
                + [{"apiGroups": ["cert-manager.io"], "resources": ["certificates/status"],
                    "verbs": ["update", "patch"]}]),
        ]

    def _node_status(self, name: str, ip: str) -> JSON:
        hb = ts(self.ago(seconds=7))
        since = ts(self.ago(days=200))

        def nc(t: str, s: str, reason: str, msg: str) -> JSON:
            return {"type": t, "status": s, "reason": reason, "message": msg,
                    "lastHeartbeatTime": hb, "lastTransitionTime": since}

        cap = {"cpu": "4", "memory": "16115708Ki", "pods": "110", "ephemeral-storage":
               "83873772Ki"}
        return {
            "capacity": cap,
            "allocatable": {**cap, "cpu": "3920m", "memory": "15096828Ki"},
            "conditions": [
                nc("MemoryPressure", "False", "KubeletHasSufficientMemory",
                   "kubelet has sufficient memory available"),
                nc("DiskPressure", "False", "KubeletHasNoDiskPressure",
                   "kubelet has no disk pressure"),
                nc("PIDPressure", "False", "KubeletHasSufficientPID",
                   "kubelet has sufficient PID available"),
                nc("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
            ],
            "addresses": [{"type": "InternalIP", "address": ip},
                          {"type": "Hostname", "address": name}],
            "nodeInfo": {
                "machineID": _hex(name, 32), "systemUUID": _hex("uuid" + name, 32),
                "bootID": _hex("boot" + name, 32), "kernelVersion": "6.8.0-1031-aws",
                "osImage": "Ubuntu 24.04.2 LTS", "containerRuntimeVersion": "containerd://2.1.3",
                "kubeletVersion": K8S_VERSION, "kubeProxyVersion": "",
                "operatingSystem": "linux", "architecture": "amd64",
            },
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
        }

    # -- phase 2: namespaced objects without dependencies --------------------------------------

    def phase_objects(self) -> None:
        objs: list[JSON] = []
        for w in self.workloads:
            objs.append(obj("v1", "ServiceAccount", w.name, w.namespace, labels=w.labels))
            objs.append(self._workload(w))
        for ns, name, source, port, target, type_ in SERVICES:
            w = self._find(source)
            spec: JSON = {"type": type_, "selector": w.selector,
                          "ports": [{"name": "https" if port == 443 else "http", "port": port,
                                     "targetPort": target, "protocol": "TCP"}]}
            if type_ == "LoadBalancer":
                spec["ports"].append({"name": "https", "port": 443, "targetPort": 443,
                                      "protocol": "TCP"})
                spec["externalTrafficPolicy"] = "Local"
            objs.append(obj("v1", "Service", name, ns, labels=w.labels, spec=spec))
        objs += self._config_maps()
        objs += self._secrets()
        objs += self._helm_release_secrets()
        objs += self._cert_manager()
        objs += self._ingresses()
        objs += self._velero()
        objs += self._gitops()
        objs += self._policy()
        objs += self._monitoring()
        self.apply(objs)
        svc = self.stored[("Service", "ingress-nginx", "ingress-nginx-controller")]
        self.statuses.append((svc, {"loadBalancer": {"ingress": [{"ip": INGRESS_IP,
                                                                  "ipMode": "VIP"}]}}))
        for w in self.workloads:
            self.statuses.append((self.stored[(w.kind, w.namespace, w.name)],
                                  self._workload_status(w)))

    def _find(self, name: str) -> Workload:
        return next(w for w in self.workloads if w.name == name)

    def _pod_spec(self, w: Workload) -> JSON:
        c: JSON = {"name": w.container or w.name, "image": w.image,
                   "imagePullPolicy": "IfNotPresent",
                   "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}}}
        if w.port:
            c["ports"] = [{"name": "http", "containerPort": w.port, "protocol": "TCP"}]
            c["readinessProbe"] = {"tcpSocket": {"port": w.port}, "periodSeconds": 10}
        return {"serviceAccountName": w.name, "containers": [c]}

    def _workload(self, w: Workload) -> JSON:
        template = {"metadata": {"labels": {**w.selector, **w.labels}},
                    "spec": self._pod_spec(w)}
        spec: JSON = {"selector": {"matchLabels": w.selector}, "template": template}
        if w.kind != "DaemonSet":
            spec["replicas"] = w.replicas
        if w.kind == "StatefulSet":
            spec["serviceName"] = w.name
        annotations = {"deployment.kubernetes.io/revision": "1"} if w.kind == "Deployment" else {}
        if w.release:
            rel = next(r for r in RELEASES if r.name == w.release)
            annotations.update({"meta.helm.sh/release-name": rel.name,
                                "meta.helm.sh/release-namespace": rel.namespace})
        return obj("apps/v1", w.kind, w.name, w.namespace, labels=w.labels,
                   annotations=annotations or None, spec=spec)

    def _workload_status(self, w: Workload) -> JSON:
        gen = self.generation(w.kind, w.namespace, w.name)
        ready, total = w.ready_count, w.replicas
        since = self.ago(days=w.age_days)
        if w.kind == "DaemonSet":
            return {"currentNumberScheduled": total, "desiredNumberScheduled": total,
                    "numberMisscheduled": 0, "numberReady": ready, "numberAvailable": ready,
                    **({"numberUnavailable": total - ready} if ready < total else {}),
                    "updatedNumberScheduled": total, "observedGeneration": gen}
        status: JSON = {"observedGeneration": gen, "replicas": total, "updatedReplicas": total,
                        "readyReplicas": ready, "availableReplicas": ready}
        if w.kind == "StatefulSet":
            rev = f"{w.name}-{_suffix(w.name, 10)}"
            status.update({"currentReplicas": total, "currentRevision": rev,
                           "updateRevision": rev, "collisionCount": 0})
            return status
        rs = f"{w.name}-{_suffix(w.name, 10)}"
        if ready < total:
            status["unavailableReplicas"] = total - ready
            available = cond("Available", "False", "MinimumReplicasUnavailable",
                             "Deployment does not have minimum availability.",
                             self.ago(minutes=47))
            progressing = cond("Progressing", "False", "ProgressDeadlineExceeded",
                               f'ReplicaSet "{rs}" has timed out progressing.',
                               self.ago(minutes=37))
        else:
            available = cond("Available", "True", "MinimumReplicasAvailable",
                             "Deployment has minimum availability.", since)
            progressing = cond("Progressing", "True", "NewReplicaSetAvailable",
                               f'ReplicaSet "{rs}" has successfully progressed.', since)
        for c in (available, progressing):
            c["lastUpdateTime"] = c["lastTransitionTime"]
        status["conditions"] = [available, progressing]
        return status

    def _config_maps(self) -> list[JSON]:
        return [
            obj("v1", "ConfigMap", "ingress-nginx-controller", "ingress-nginx",
                labels=self._find("ingress-nginx-controller").labels,
                data={"allow-snippet-annotations": "false", "use-forwarded-headers": "true"}),
            obj("v1", "ConfigMap", "argocd-cm", "argocd",
                labels={"app.kubernetes.io/name": "argocd-cm",
                        "app.kubernetes.io/part-of": "argocd"},
                data={"url": "https://argocd.example.com", "timeout.reconciliation": "180s"}),
        ]

    def _secrets(self) -> list[JSON]:
        out = [
            obj("v1", "Secret", "cloud-credentials", "velero", type="Opaque",
                labels=self._find("velero").labels,
                data={"cloud": _b64("[default]\naws_access_key_id=AKIADEMO000000000000\n"
                                    "aws_secret_access_key=demo/not-a-real-key\n")}),
            obj("v1", "Secret", "argocd-initial-admin-secret", "argocd", type="Opaque",
                data={"password": _b64("demo-" + _hex("argocd", 12))}),
            obj("v1", "Secret", "kube-prometheus-stack-grafana", "monitoring", type="Opaque",
                labels=self._find("kube-prometheus-stack-grafana").labels,
                data={"admin-user": _b64("admin"), "admin-password": _b64("prom-operator")}),
        ]
        for issuer in ("letsencrypt-prod", "letsencrypt-staging"):
            key = pki.new_key(f"acme-account:{issuer}")
            pem = key.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.TraditionalOpenSSL,
                                    serialization.NoEncryption())
            out.append(obj("v1", "Secret", f"{issuer}-account-key", "cert-manager",
                           type="Opaque", data={"tls.key": _b64(pem)}))
        # CA key pairs behind the CA issuers (Secrets cert-manager reads, not ones it writes).
        for ns, name, ca in (("cert-manager", "platform-ca-keypair", self.ca("Platform Root CA")),
                             ("shop", "shop-ca-keypair", self.ca("Shop Internal CA"))):
            out.append(obj("v1", "Secret", name, ns, type="kubernetes.io/tls",
                           data={"tls.crt": _b64(ca.cert_pem), "tls.key": _b64(ca.key_pem)}))
        # An unmanaged TLS secret (uploaded by hand, no cert-manager annotations).
        corp = self.ca("Example Corp Issuing CA 2", org="Example Corp", days=1825)
        wildcard = pki.make_cert(corp, "*.shop.example.com", organizations=["Example Corp"],
                                 dns_names=["*.shop.example.com", "shop.example.com"],
                                 server=True, not_before=self.ago(days=225),
                                 not_after=self.now + dt.timedelta(days=140),
                                 seed="legacy-wildcard")
        out.append(obj("v1", "Secret", "legacy-wildcard-tls", "shop", type="kubernetes.io/tls",
                       data={"tls.crt": _b64(wildcard.cert_pem + corp.cert_pem),
                             "tls.key": _b64(wildcard.key_pem)}))
        return out

    # -- Helm ----------------------------------------------------------------------------------

    def _helm_release_secrets(self) -> list[JSON]:
        out = []
        for rel in RELEASES:
            first = self.ago(days=rel.deployed_days_ago)
            n = len(rel.revisions)
            manifest = self._helm_manifest(rel)
            for i, (status, description) in enumerate(rel.revisions, start=1):
                deployed = first + (self.now - first) * ((i - 1) / max(n, 1)) * 0.8
                release = {
                    "name": rel.name,
                    "info": {
                        "first_deployed": first.isoformat(),
                        "last_deployed": deployed.isoformat(),
                        "deleted": "",
                        "description": description,
                        "status": status,
                        "notes": rel.notes,
                    },
                    "chart": {
                        "metadata": {"name": rel.chart, "version": rel.chart_version,
                                     "appVersion": rel.app_version, "apiVersion": "v2",
                                     "type": "application",
                                     "description": f"A Helm chart for {rel.chart}"},
                        "lock": None, "templates": [], "values": rel.values, "schema": None,
                        "files": [],
                    },
                    "config": rel.values,
                    "manifest": manifest,
                    "version": i,
                    "namespace": rel.namespace,
                }
                blob = base64.b64encode(gzip.compress(json.dumps(release).encode(), mtime=0))
                out.append(obj(
                    "v1", "Secret", f"sh.helm.release.v1.{rel.name}.v{i}", rel.namespace,
                    type="helm.sh/release.v1",
                    labels={"name": rel.name, "owner": "helm", "status": status,
                            "version": str(i), "modifiedAt": str(int(deployed.timestamp()))},
                    data={"release": _b64(blob)},
                ))
        return out

    def _helm_manifest(self, rel: Release) -> str:
        docs = []
        for w in self.workloads:
            if w.release == rel.name:
                docs.append(f"# Source: {rel.chart}/templates/{w.kind.lower()}.yaml\n"
                            + yaml.safe_dump(self._workload(w), sort_keys=False))
        return "---\n" + "---\n".join(docs) if docs else ""

    # -- cert-manager --------------------------------------------------------------------------

    def _cert_manager(self) -> list[JSON]:
        cm = "cert-manager.io/v1"
        out = []
        for name, server, ready in (
            ("letsencrypt-prod", "https://acme-v02.api.letsencrypt.org/directory", True),
            ("letsencrypt-staging", "https://acme-staging-v02.api.letsencrypt.org/directory",
             True),
        ):
            o = obj(cm, "ClusterIssuer", name, spec={"acme": {
                "server": server, "email": "platform@example.com",
                "privateKeySecretRef": {"name": f"{name}-account-key"},
                "solvers": [{"http01": {"ingress": {"ingressClassName": "nginx"}}}]}})
            out.append(o)
            self.statuses.append((o, {
                "acme": {"uri": f"{server.rsplit('/', 1)[0]}/acme/acct/{int(_hex(name, 8), 16)}",
                         "lastRegisteredEmail": "platform@example.com",
                         "lastPrivateKeyHash": _b64(hashlib.sha256(name.encode()).digest())},
                "conditions": [cond("Ready", "True" if ready else "False",
                                    "ACMEAccountRegistered",
                                    "The ACME account was registered with the ACME server",
                                    self.ago(days=97), 1)]}))
        o = obj(cm, "ClusterIssuer", "platform-ca", spec={"ca": {"secretName":
                                                                 "platform-ca-keypair"}})
        out.append(o)
        self.statuses.append((o, {"conditions": [cond("Ready", "True", "KeyPairVerified",
                                                      "Signing CA verified", self.ago(days=97),
                                                      1)]}))
        o = obj(cm, "ClusterIssuer", "selfsigned", spec={"selfSigned": {}})
        out.append(o)
        self.statuses.append((o, {"conditions": [cond("Ready", "True", "IsReady", "",
                                                      self.ago(days=97), 1)]}))
        o = obj(cm, "Issuer", "shop-ca", "shop", spec={"ca": {"secretName": "shop-ca-keypair"}})
        out.append(o)
        self.statuses.append((o, {"conditions": [cond("Ready", "True", "KeyPairVerified",
                                                      "Signing CA verified", self.ago(days=180),
                                                      1)]}))
        o = obj(cm, "Issuer", "vault-issuer", "payments", spec={"vault": {
            "server": "https://vault.example.com:8200", "path": "pki_int/sign/payments",
            "auth": {"kubernetes": {"role": "cert-manager", "mountPath": "/v1/auth/kubernetes",
                                    "serviceAccountRef": {"name": "vault-issuer"}}}}})
        out.append(o)
        self.statuses.append((o, {"conditions": [cond(
            "Ready", "False", "VaultError",
            "Failed to initialize Vault client: error reading Kubernetes service account token "
            'from vault-issuer: serviceaccounts "vault-issuer" not found',
            self.ago(days=2), 1)]}))
        for c in CERTS:
            out += self._certificate(c)
        return out

    def _leaf(self, c: CertSpec) -> tuple[pki.KeyPair, list[pki.KeyPair], pki.KeyPair | None]:
        """(leaf, chain after the leaf, CA to put in ca.crt)."""
        not_after = self.now + dt.timedelta(days=c.days_left)
        not_before = not_after - dt.timedelta(days=c.lifetime_days)
        if c.issuer.startswith("letsencrypt"):
            root = self.ca("Demo ACME Root X1", org="Demo ACME (k8s-essentials-tui seed)")
            inter = self.ca("Demo ACME R11", issuer="Demo ACME Root X1",
                            org="Demo ACME (k8s-essentials-tui seed)", days=1825)
            issuer, chain, ca = inter, [inter], None
            del root
        elif c.issuer == "shop-ca":
            issuer = self.ca("Shop Internal CA")
            chain, ca = [], issuer
        else:
            issuer = self.ca("Platform Root CA")
            chain, ca = [], issuer
        leaf = pki.make_cert(issuer, c.dns[0], dns_names=c.dns, server=True,
                             not_before=not_before, not_after=not_after,
                             seed=f"{c.namespace}/{c.name}#{c.revision}")
        return leaf, chain, ca

    def _certificate(self, c: CertSpec) -> list[JSON]:
        cm = "cert-manager.io/v1"
        leaf, chain, ca = self._leaf(c)
        not_after = leaf.cert.not_valid_after_utc
        not_before = leaf.cert.not_valid_before_utc
        renew_before = dt.timedelta(days=c.renew_before_days or c.lifetime_days / 3)
        renewal = not_after - renew_before
        issuer_ref = {"name": c.issuer, "kind": c.issuer_kind, "group": "cert-manager.io"}
        spec: JSON = {"secretName": c.name, "dnsNames": list(c.dns), "issuerRef": issuer_ref,
                      "privateKey": {"algorithm": "ECDSA", "size": 256,
                                     "rotationPolicy": "Always"},
                      "usages": ["digital signature", "key encipherment"]}
        if c.lifetime_days != 90 or c.renew_before_days:
            spec["duration"] = f"{c.lifetime_days * 24}h0m0s"
        if c.renew_before_days:
            spec["renewBefore"] = f"{c.renew_before_days * 24}h0m0s"
        cert = obj(cm, "Certificate", c.name, c.namespace,
                   labels={"app.kubernetes.io/managed-by": "cert-manager"}, spec=spec)
        status: JSON = {"notBefore": ts(not_before), "notAfter": ts(not_after),
                        "renewalTime": ts(renewal), "revision": c.revision}
        issued_at = not_before + dt.timedelta(minutes=1)
        if c.state == "ok":
            status["conditions"] = [cond("Ready", "True", "Ready",
                                         "Certificate is up to date and has not expired",
                                         issued_at, 1)]
        elif c.state == "renewal-failing":
            status["conditions"] = [
                cond("Ready", "True", "Ready", "Certificate is up to date and has not expired",
                     issued_at, 1),
                cond("Issuing", "False", "Failed",
                     "The certificate request has failed to complete and will be retried: "
                     f'Failed to wait for order resource "{c.name}-{c.revision + 1}-'
                     f'{int(_hex(c.name, 8), 16)}" to become ready: order is in "errored" '
                     "state: Failed to create Order: 429 urn:ietf:params:acme:error:rateLimited:"
                     " too many certificates (5) already issued for this exact set of "
                     "identifiers in the last 168h0m0s",
                     self.ago(hours=5), 1),
            ]
            status["lastFailureTime"] = ts(self.ago(hours=5))
            status["failedIssuanceAttempts"] = 5
        else:  # expired
            status["conditions"] = [
                cond("Ready", "False", "Expired",
                     f"Certificate expired on {not_after.strftime('%a, %d %b %Y %H:%M:%S UTC')}",
                     not_after, 1),
                cond("Issuing", "True", "Reissuing",
                     "Renewing certificate as renewal was scheduled at "
                     f"{renewal.strftime('%Y-%m-%d %H:%M:%S +0000 UTC')}", renewal, 1),
            ]
            status["lastFailureTime"] = ts(self.ago(hours=1))
            status["failedIssuanceAttempts"] = 7
        self.statuses.append((cert, status))

        annotations = {
            "cert-manager.io/certificate-name": c.name,
            "cert-manager.io/issuer-name": c.issuer,
            "cert-manager.io/issuer-kind": c.issuer_kind,
            "cert-manager.io/issuer-group": "cert-manager.io",
            "cert-manager.io/common-name": c.dns[0],
            "cert-manager.io/alt-names": ",".join(c.dns),
            "cert-manager.io/ip-sans": "",
            "cert-manager.io/uri-sans": "",
        }
        tls_crt = leaf.cert_pem + b"".join(k.cert_pem for k in chain)
        data = {"tls.crt": _b64(tls_crt), "tls.key": _b64(leaf.key_pem)}
        if ca is not None:
            data["ca.crt"] = _b64(ca.cert_pem)
        secret = obj("v1", "Secret", c.name, c.namespace, type="kubernetes.io/tls",
                     labels={"controller.cert-manager.io/fao": "true"},
                     annotations=annotations, data=data)

        out = [cert, secret]
        # The CertificateRequest of the current revision (and of a failing next one).
        cr_name = f"{c.name}-{c.revision}"
        cr = obj(cm, "CertificateRequest", cr_name, c.namespace,
                 annotations={"cert-manager.io/certificate-name": c.name,
                              "cert-manager.io/certificate-revision": str(c.revision),
                              "cert-manager.io/private-key-secret-name":
                                  f"{c.name}-{_suffix(c.name, 5)}"},
                 spec={"issuerRef": issuer_ref, "usages": spec["usages"],
                       "duration": f"{c.lifetime_days * 24}h0m0s",
                       "username": "system:serviceaccount:cert-manager:cert-manager"})
        out.append(cr)
        approved = cond("Approved", "True", "cert-manager.io",
                        "Certificate request has been approved by cert-manager.io", issued_at)
        self.statuses.append((cr, {
            "conditions": [approved, cond("Ready", "True", "Issued",
                                          "Certificate fetched from issuer successfully",
                                          issued_at)],
            "certificate": _b64(tls_crt),
            **({"ca": _b64(ca.cert_pem)} if ca is not None else {}),
        }))
        if c.state != "ok":
            nxt = f"{c.name}-{c.revision + 1}"
            order_name = f"{nxt}-{int(_hex(c.name, 8), 16)}"
            cr2 = obj(cm, "CertificateRequest", nxt, c.namespace,
                      annotations={"cert-manager.io/certificate-name": c.name,
                                   "cert-manager.io/certificate-revision": str(c.revision + 1)},
                      spec={"issuerRef": issuer_ref, "usages": spec["usages"],
                            "username": "system:serviceaccount:cert-manager:cert-manager"})
            out.append(cr2)
            if c.state == "expired":
                ready = cond("Ready", "False", "Pending",
                             f'Waiting on certificate issuance from order {c.namespace}/'
                             f'{order_name}: "pending"', self.ago(days=5))
                order_state = "pending"
            else:
                ready = cond("Ready", "False", "Failed",
                             'Failed to wait for order resource to become ready: order is in '
                             '"errored" state', self.ago(hours=5))
                order_state = "errored"
            self.statuses.append((cr2, {"conditions": [
                cond("Approved", "True", "cert-manager.io",
                     "Certificate request has been approved by cert-manager.io",
                     self.ago(days=5)), ready]}))
            acme = "acme.cert-manager.io/v1"
            order = obj(acme, "Order", order_name, c.namespace,
                        spec={"request": "", "issuerRef": issuer_ref,
                              "commonName": c.dns[0], "dnsNames": list(c.dns)})
            out.append(order)
            order_status: JSON = {"state": order_state,
                                  "url": f"https://acme-v02.api.letsencrypt.org/acme/order/"
                                         f"{int(_hex(order_name, 8), 16)}"}
            if order_state == "errored":
                order_status["reason"] = ("Failed to create Order: 429 urn:ietf:params:acme:"
                                          "error:rateLimited: too many certificates (5) already "
                                          "issued for this exact set of identifiers")
                order_status["failureTime"] = ts(self.ago(hours=5))
            self.statuses.append((order, order_status))
            if c.state == "expired":
                ch_name = f"{order_name}-{int(_hex(order_name, 8), 16)}"
                token = _hex("token" + ch_name, 43)
                ch = obj(acme, "Challenge", ch_name, c.namespace, spec={
                    "dnsName": c.dns[0], "type": "HTTP-01", "token": token,
                    "key": f"{token}.{_hex('thumb' + ch_name, 43)}",
                    "url": f"https://acme-v02.api.letsencrypt.org/acme/chall/{_hex(ch_name, 20)}",
                    "authorizationURL": "https://acme-v02.api.letsencrypt.org/acme/authz/"
                                        f"{_hex('authz' + ch_name, 20)}",
                    "issuerRef": issuer_ref, "wildcard": False,
                    "solver": {"http01": {"ingress": {"ingressClassName": "nginx"}}}})
                out.append(ch)
                self.statuses.append((ch, {
                    "processing": True, "presented": True, "state": "pending",
                    "reason": "Waiting for HTTP-01 challenge propagation: wrong status code "
                              "'404', expected '200'"}))
        return out

    def _ingresses(self) -> list[JSON]:
        out = []
        for ns, name, hosts, secret, svc, port, issuer in INGRESSES:
            annotations: dict[str, str] = {}
            if issuer:
                key = ("cert-manager.io/cluster-issuer" if issuer != "shop-ca"
                       else "cert-manager.io/issuer")
                annotations[key] = issuer
            if name == "argocd-server":
                annotations["nginx.ingress.kubernetes.io/backend-protocol"] = "HTTPS"
            ing = obj("networking.k8s.io/v1", "Ingress", name, ns, annotations=annotations or None,
                      spec={"ingressClassName": "nginx",
                            "tls": [{"hosts": list(hosts), "secretName": secret}],
                            "rules": [{"host": h, "http": {"paths": [{
                                "path": "/", "pathType": "Prefix",
                                "backend": {"service": {"name": svc, "port": {"number": port}}},
                            }]}} for h in hosts]})
            out.append(ing)
            self.statuses.append((ing, {"loadBalancer": {"ingress": [{"ip": INGRESS_IP}]}}))
        return out

    # -- Velero --------------------------------------------------------------------------------

    def _velero(self) -> list[JSON]:
        v = "velero.io/v1"
        ns = "velero"
        out: list[JSON] = []
        bsl = obj(v, "BackupStorageLocation", "default", ns, labels={"component": "velero"},
                  spec={"provider": "aws", "default": True, "accessMode": "ReadWrite",
                        "objectStorage": {"bucket": "demo-velero-backups", "prefix": "demo"},
                        "config": {"region": "eu-west-1"},
                        "credential": {"name": "cloud-credentials", "key": "cloud"}})
        out.append(bsl)
        self.statuses.append((bsl, {"phase": "Available",
                                    "lastValidationTime": ts(self.ago(seconds=35)),
                                    "lastSyncedTime": ts(self.ago(seconds=12))}))
        out.append(obj(v, "VolumeSnapshotLocation", "default", ns, labels={"component": "velero"},
                       spec={"provider": "aws", "config": {"region": "eu-west-1"}},
                       status={"phase": "Available"}))
        schedules = [
            ("daily-full", "0 2 * * *", ["*"], "720h0m0s", False),
            ("hourly-shop", "0 * * * *", ["shop", "payments"], "72h0m0s", False),
            ("weekly-monitoring", "0 3 * * 0", ["monitoring"], "2160h0m0s", True),
        ]
        # Each schedule's most recent run times, computed back from `now`.
        last_daily = self.now.replace(hour=2, minute=0, second=0, microsecond=0)
        if last_daily > self.now:
            last_daily -= dt.timedelta(days=1)
        last_hourly = self.now.replace(minute=0, second=0, microsecond=0)
        last_weekly = last_daily - dt.timedelta(days=(last_daily.weekday() + 1) % 7)
        last_weekly = last_weekly.replace(hour=3)
        for name, cron, namespaces, ttl, paused in schedules:
            spec: JSON = {"schedule": cron, "useOwnerReferencesInBackup": False,
                          "template": {"includedNamespaces": namespaces, "ttl": ttl,
                                       "storageLocation": "default",
                                       "snapshotVolumes": True,
                                       "defaultVolumesToFsBackup": False}}
            if paused:
                spec["paused"] = True
            sched = obj(v, "Schedule", name, ns, spec=spec)
            out.append(sched)
            last = {"daily-full": last_daily, "hourly-shop": last_hourly,
                    "weekly-monitoring": last_weekly - dt.timedelta(days=21)}[name]
            self.statuses.append((sched, {"phase": "Enabled", "lastBackup": ts(last)}))

        def backup(schedule: str | None, name: str, started: dt.datetime, phase: str,
                   namespaces: list[str], ttl_h: int, **status: Any) -> JSON:
            labels = {"velero.io/storage-location": "default"}
            if schedule:
                labels["velero.io/schedule-name"] = schedule
            st: JSON = {"version": 1, "formatVersion": "1.1.0", "phase": phase,
                        "startTimestamp": ts(started),
                        "expiration": ts(started + dt.timedelta(hours=ttl_h))}
            st.update(status)
            # No status subresource on Backup (as in Velero): status goes in with the object.
            return obj(v, "Backup", name, ns, labels=labels,
                       annotations={"velero.io/source-cluster-k8s-gitversion": K8S_VERSION,
                                    "velero.io/source-cluster-k8s-major-version": "1",
                                    "velero.io/source-cluster-k8s-minor-version": "35"},
                       spec={"includedNamespaces": namespaces, "storageLocation": "default",
                             "ttl": f"{ttl_h}h0m0s", "snapshotVolumes": True,
                             "volumeSnapshotLocations": ["default"],
                             "csiSnapshotTimeout": "10m0s", "itemOperationTimeout": "4h0m0s",
                             "defaultVolumesToFsBackup": False, "metadata": {}},
                       status=st)

        def stamp(t: dt.datetime) -> str:
            return t.strftime("%Y%m%d%H%M%S")

        done = {"errors": 0, "warnings": 0}
        for i in range(3):
            started = last_daily - dt.timedelta(days=i)
            phase = "PartiallyFailed" if i == 2 else "Completed"
            extra = ({"errors": 3, "warnings": 5} if i == 2
                     else {"errors": 0, "warnings": 2 if i == 1 else 0})
            items = 1243 - i * 17
            out.append(backup("daily-full", f"daily-full-{stamp(started)}", started, phase, ["*"],
                              720, completionTimestamp=ts(started + dt.timedelta(minutes=6,
                                                                                 seconds=41 + i)),
                              progress={"totalItems": items, "itemsBackedUp": items},
                              volumeSnapshotsAttempted=4, volumeSnapshotsCompleted=4 - (i == 2),
                              **extra))
        # the current hourly run is in progress, the previous completed, the one before failed
        out.append(backup("hourly-shop", f"hourly-shop-{stamp(last_hourly)}", last_hourly,
                          "InProgress", ["shop", "payments"], 72,
                          progress={"totalItems": 412, "itemsBackedUp": 173}))
        prev = last_hourly - dt.timedelta(hours=1)
        out.append(backup("hourly-shop", f"hourly-shop-{stamp(prev)}", prev, "Completed",
                          ["shop", "payments"], 72,
                          completionTimestamp=ts(prev + dt.timedelta(minutes=2, seconds=5)),
                          progress={"totalItems": 409, "itemsBackedUp": 409}, **done))
        failed = last_hourly - dt.timedelta(hours=2)
        out.append(backup("hourly-shop", f"hourly-shop-{stamp(failed)}", failed, "Failed",
                          ["shop", "payments"], 72,
                          completionTimestamp=ts(failed + dt.timedelta(seconds=14)),
                          failureReason="error checking if backup already exists in object "
                                        "storage: rpc error: code = Unknown desc = operation "
                                        "error S3: HeadObject, https response error "
                                        "StatusCode: 403, api error Forbidden: Forbidden",
                          errors=1, warnings=0))
        manual_start = self.ago(days=4, hours=3)
        out.append(backup(None, "pre-upgrade-payments", manual_start, "Completed", ["payments"],
                          720, completionTimestamp=ts(manual_start + dt.timedelta(seconds=48)),
                          progress={"totalItems": 96, "itemsBackedUp": 96}, **done))
        restore_src = f"daily-full-{stamp(last_daily - dt.timedelta(days=1))}"
        r_start = self.ago(days=1, hours=2)
        out.append(obj(v, "Restore", f"{restore_src}-restore-drill", ns,
                       spec={"backupName": restore_src, "includedNamespaces": ["payments"],
                             "namespaceMapping": {"payments": "payments-drill"},
                             "restorePVs": True, "itemOperationTimeout": "4h0m0s"},
                       status={"phase": "Completed", "startTimestamp": ts(r_start),
                               "completionTimestamp": ts(r_start + dt.timedelta(seconds=71)),
                               "progress": {"totalItems": 96, "itemsRestored": 96},
                               "warnings": 1, "errors": 0}))
        return out

    # -- GitOps: Argo CD and Flux --------------------------------------------------------------

    def _gitops(self) -> list[JSON]:
        out: list[JSON] = []
        repo = "https://github.com/example/platform-gitops.git"
        for name, ns, path, sync, health, msg in (
            ("shop", "shop", "apps/shop", "Synced", "Healthy", None),
            ("payments", "payments", "apps/payments", "OutOfSync", "Degraded",
             'Ingress "payments-admin" references missing TLS secret "payments-admin-tls"'),
        ):
            rev = _hex(f"{name}-rev")
            status: JSON = {
                "sync": {"status": sync, "revision": rev,
                         "comparedTo": {"source": {"repoURL": repo, "path": path,
                                                   "targetRevision": "main"},
                                        "destination": {"server": "https://kubernetes.default.svc",
                                                        "namespace": ns}}},
                "health": {"status": health,
                           "lastTransitionTime": ts(self.ago(hours=3 if msg else 30))},
                "reconciledAt": ts(self.ago(minutes=2)),
                "sourceType": "Directory",
                "summary": {"images": sorted({w.image for w in self.workloads
                                              if w.namespace == ns})},
                "operationState": {
                    "phase": "Succeeded" if not msg else "Failed",
                    "message": "successfully synced (all tasks run)" if not msg else msg,
                    "startedAt": ts(self.ago(hours=3, minutes=1)),
                    "finishedAt": ts(self.ago(hours=3)),
                    "operation": {"sync": {"revision": rev},
                                  "initiatedBy": {"automated": True}},
                    "syncResult": {"revision": rev, "source": {"repoURL": repo, "path": path}},
                },
            }
            if msg:
                status["conditions"] = [{"type": "SyncError", "message": msg,
                                         "lastTransitionTime": ts(self.ago(hours=3))}]
            # No status subresource on Application (as in Argo CD): status goes with the object.
            out.append(obj("argoproj.io/v1alpha1", "Application", name, "argocd",
                           labels={"app.kubernetes.io/part-of": "platform"},
                           annotations={"argocd.argoproj.io/sync-wave": "1"},
                           spec={"project": "default",
                                 "source": {"repoURL": repo, "path": path,
                                            "targetRevision": "main"},
                                 "destination": {"server": "https://kubernetes.default.svc",
                                                 "namespace": ns},
                                 "syncPolicy": {"automated": {"prune": True, "selfHeal": True},
                                                "syncOptions": ["CreateNamespace=true"]}},
                           status=status))
        rev = f"main@sha1:{_hex('fleet')}"
        git = obj("source.toolkit.fluxcd.io/v1", "GitRepository", "flux-system", "flux-system",
                  spec={"interval": "1m0s", "url": "ssh://git@github.com/example/fleet-infra",
                        "ref": {"branch": "main"}, "secretRef": {"name": "flux-system"}})
        out.append(git)
        self.statuses.append((git, {
            "observedGeneration": 1,
            "conditions": [cond("Ready", "True", "Succeeded",
                                f"stored artifact for revision '{rev}'", self.ago(minutes=1), 1),
                           cond("ArtifactInStorage", "True", "Succeeded",
                                f"stored artifact for revision '{rev}'", self.ago(minutes=1), 1)],
            "artifact": {"revision": rev, "digest": f"sha256:{_hex('fleet-art', 64)}",
                         "lastUpdateTime": ts(self.ago(hours=2)), "size": 48213,
                         "path": f"gitrepository/flux-system/flux-system/{_hex('fleet')}.tar.gz",
                         "url": "http://source-controller.flux-system.svc.cluster.local./"
                                f"gitrepository/flux-system/flux-system/{_hex('fleet')}.tar.gz"},
        }))
        helmrepo = obj("source.toolkit.fluxcd.io/v1", "HelmRepository", "podinfo", "flux-system",
                       spec={"interval": "1h0m0s", "url": "https://stefanprodan.github.io/podinfo"})
        out.append(helmrepo)
        self.statuses.append((helmrepo, {"observedGeneration": 1, "conditions": [
            cond("Ready", "True", "Succeeded",
                 "stored artifact: revision 'sha256:" + _hex("podinfo-index", 64) + "'",
                 self.ago(minutes=20), 1)]}))
        for name, path, ready, reason, message in (
            ("flux-system", "./clusters/demo", "True", "ReconciliationSucceeded",
             f"Applied revision: {rev}"),
            ("infra-controllers", "./infrastructure/controllers", "False", "HealthCheckFailed",
             "health check failed after 5m0s: timeout waiting for: "
             "[Deployment/kyverno/kyverno-admission-controller status: 'InProgress']"),
        ):
            ks = obj("kustomize.toolkit.fluxcd.io/v1", "Kustomization", name, "flux-system",
                     spec={"interval": "10m0s", "path": path, "prune": True, "wait": True,
                           "timeout": "5m0s",
                           "sourceRef": {"kind": "GitRepository", "name": "flux-system"}})
            out.append(ks)
            self.statuses.append((ks, {
                "observedGeneration": 1, "lastAttemptedRevision": rev,
                **({"lastAppliedRevision": rev} if ready == "True" else {}),
                "conditions": [cond("Ready", ready, reason, message, self.ago(minutes=4), 1)]}))
        hr = obj("helm.toolkit.fluxcd.io/v2", "HelmRelease", "podinfo", "flux-system",
                 spec={"interval": "30m0s", "targetNamespace": "podinfo",
                       "install": {"createNamespace": True, "remediation": {"retries": 3}},
                       "chart": {"spec": {"chart": "podinfo", "version": "6.9.1",
                                          "sourceRef": {"kind": "HelmRepository",
                                                        "name": "podinfo"}}}})
        out.append(hr)
        self.statuses.append((hr, {"observedGeneration": 1, "installFailures": 4, "conditions": [
            cond("Ready", "False", "InstallFailed",
                 'Helm install failed for release podinfo/podinfo with chart podinfo@6.9.1: '
                 'failed to create resource: namespaces "podinfo" not found',
                 self.ago(minutes=30), 1),
            cond("Stalled", "True", "RetriesExceeded",
                 "Failed to install after 4 attempt(s)", self.ago(minutes=30), 1)]}))
        return out

    # -- policy: Kyverno -----------------------------------------------------------------------

    def _policy(self) -> list[JSON]:
        out: list[JSON] = []
        for name, action, title in (
            ("require-labels", "Audit", "Require Labels"),
            ("disallow-privileged-containers", "Enforce", "Disallow Privileged Containers"),
        ):
            pol = obj("kyverno.io/v1", "ClusterPolicy", name,
                      annotations={"policies.kyverno.io/title": title,
                                   "policies.kyverno.io/category": "Best Practices",
                                   "policies.kyverno.io/severity": "medium"},
                      spec={"validationFailureAction": action, "background": True,
                            "admission": True, "rules": [{
                                "name": f"check-{name}",
                                "match": {"any": [{"resources": {"kinds": ["Pod"]}}]},
                                "validate": {"message": f"{title} policy violated.",
                                             "pattern": {"metadata": {"labels": {
                                                 "app.kubernetes.io/name": "?*"}}}
                                             if name == "require-labels" else
                                             {"spec": {"containers": [{"=(securityContext)": {
                                                 "=(privileged)": "false"}}]}}}}]})
            out.append(pol)
            self.statuses.append((pol, {
                "ready": True,
                "conditions": [cond("Ready", "True", "Succeeded", "Ready",
                                    self.ago(days=21))],
                "rulecount": {"validate": 1, "generate": 0, "mutate": 0, "verifyimages": 0},
                "validatingadmissionpolicy": {"generated": False, "message": ""}}))
        return out

    def _reports(self) -> list[JSON]:
        """Kyverno's per-resource reports (after the workloads exist: they carry their uid)."""
        out: list[JSON] = []
        stamp = {"seconds": int(self.ago(minutes=9).timestamp()), "nanos": 0}

        def result(policy: str, res: str, msg: str) -> JSON:
            return {"policy": policy, "rule": f"check-{policy}", "result": res, "message": msg,
                    "scored": True, "severity": "medium", "category": "Best Practices",
                    "source": "kyverno", "timestamp": stamp}

        for ns, wname, fails in (("shop", "storefront", 0), ("payments", "payments-api", 1)):
            results = [result("disallow-privileged-containers", "pass",
                              "validation rule 'check-disallow-privileged-containers' passed.")]
            results.append(result(
                "require-labels", "fail" if fails else "pass",
                "validation error: Require Labels policy violated. rule check-require-labels "
                "failed at path /metadata/labels/team/" if fails else
                "validation rule 'check-require-labels' passed."))
            uid = self.uid("Deployment", ns, wname)
            out.append({
                "apiVersion": "wgpolicyk8s.io/v1alpha2", "kind": "PolicyReport",
                "metadata": {"name": f"{_hex(ns + wname, 8)}-{_hex('r' + wname, 4)}",
                             "namespace": ns,
                             "labels": {"app.kubernetes.io/managed-by": "kyverno"}},
                "scope": {"apiVersion": "apps/v1", "kind": "Deployment", "name": wname,
                          "namespace": ns, "uid": uid},
                "summary": {"pass": 2 - fails, "fail": fails, "warn": 0, "error": 0, "skip": 0},
                "results": results,
            })
        out.append({
            "apiVersion": "wgpolicyk8s.io/v1alpha2", "kind": "ClusterPolicyReport",
            "metadata": {"name": f"{_hex('cluster-report', 8)}-ns-payments",
                         "labels": {"app.kubernetes.io/managed-by": "kyverno"}},
            "scope": {"apiVersion": "v1", "kind": "Namespace", "name": "payments"},
            "summary": {"pass": 1, "fail": 0, "warn": 0, "error": 0, "skip": 0},
            "results": [result("require-labels", "pass",
                               "validation rule 'check-require-labels' passed.")],
        })
        return out

    # -- monitoring ----------------------------------------------------------------------------

    def _monitoring(self) -> list[JSON]:
        out = []
        for ns, name, selector_from in (("ingress-nginx", "ingress-nginx-controller",
                                         "ingress-nginx-controller"),
                                        ("cert-manager", "cert-manager", "cert-manager"),
                                        ("velero", "velero", "velero")):
            w = self._find(selector_from)
            out.append(obj("monitoring.coreos.com/v1", "ServiceMonitor", name, ns,
                           labels={**w.labels, "release": "kube-prometheus-stack"},
                           spec={"selector": {"matchLabels": w.selector},
                                 "endpoints": [{"port": "http", "interval": "30s",
                                                "path": "/metrics"}]}))
        out.append(obj("monitoring.coreos.com/v1", "PrometheusRule", "cert-manager-alerts",
                       "monitoring", labels={"release": "kube-prometheus-stack"},
                       spec={"groups": [{"name": "cert-manager", "rules": [{
                           "alert": "CertManagerCertExpirySoon",
                           "expr": "avg by (exported_namespace, namespace, name) "
                                   "(certmanager_certificate_expiration_timestamp_seconds - "
                                   "time()) < (21 * 24 * 3600)",
                           "for": "1h", "labels": {"severity": "warning"},
                           "annotations": {"summary": "The cert {{ $labels.name }} is "
                                                      "{{ $value | humanizeDuration }} from "
                                                      "expiry, it should have renewed over a "
                                                      "week ago."}}]}]}))
        return out

    # -- phase 3: ReplicaSets, pods, endpoints -------------------------------------------------

    def phase_replicasets(self) -> None:
        objs = []
        for w in self.workloads:
            if w.kind != "Deployment":
                continue
            h = _suffix(w.name, 10)
            labels = {**w.selector, **w.labels, "pod-template-hash": h}
            template = {"metadata": {"labels": labels}, "spec": self._pod_spec(w)}
            rs = obj("apps/v1", "ReplicaSet", f"{w.name}-{h}", w.namespace, labels=labels,
                     annotations={"deployment.kubernetes.io/revision": "1",
                                  "deployment.kubernetes.io/desired-replicas": str(w.replicas),
                                  "deployment.kubernetes.io/max-replicas": str(w.replicas + 1)},
                     spec={"replicas": w.replicas,
                           "selector": {"matchLabels": {**w.selector, "pod-template-hash": h}},
                           "template": template})
            rs["metadata"]["ownerReferences"] = [self.owner("Deployment", "apps/v1", w.namespace,
                                                            w.name)]
            objs.append(rs)
        self.apply(objs)
        for w in self.workloads:
            if w.kind == "Deployment":
                name = f"{w.name}-{_suffix(w.name, 10)}"
                self.statuses.append((self.stored[("ReplicaSet", w.namespace, name)], {
                    "replicas": w.replicas, "fullyLabeledReplicas": w.replicas,
                    "readyReplicas": w.ready_count, "availableReplicas": w.ready_count,
                    "observedGeneration": 1}))

    def phase_pods(self) -> None:
        objs = []
        ip_index = 10
        for w in self.workloads:
            h = _suffix(w.name, 10)
            for i in range(w.replicas):
                node, _zone, host_ip = NODES[(i + len(w.name)) % len(NODES)]
                if w.kind == "DaemonSet":
                    node, _zone, host_ip = NODES[i]
                labels = {**w.selector, **w.labels}
                if w.kind == "Deployment":
                    name = f"{w.name}-{h}-{_suffix(f'{w.name}/{i}', 5)}"
                    labels["pod-template-hash"] = h
                    owner = self.owner("ReplicaSet", "apps/v1", w.namespace, f"{w.name}-{h}")
                elif w.kind == "StatefulSet":
                    name = f"{w.name}-{i}"
                    labels["controller-revision-hash"] = f"{w.name}-{h}"
                    labels["statefulset.kubernetes.io/pod-name"] = name
                    labels["apps.kubernetes.io/pod-index"] = str(i)
                    owner = self.owner("StatefulSet", "apps/v1", w.namespace, w.name)
                else:
                    name = f"{w.name}-{_suffix(f'{w.name}/{i}', 5)}"
                    labels["controller-revision-hash"] = _suffix(w.name, 10)
                    labels["pod-template-generation"] = "1"
                    owner = self.owner("DaemonSet", "apps/v1", w.namespace, w.name)
                spec = {**self._pod_spec(w), "nodeName": node}
                pod = obj("v1", "Pod", name, w.namespace, labels=labels, spec=spec)
                pod["metadata"]["ownerReferences"] = [owner]
                pod_ip = (host_ip if w.kind == "DaemonSet"
                          else f"10.244.{NODES.index((node, _zone, host_ip))}.{ip_index}")
                ip_index += 1
                objs.append(pod)
                ready = i < w.ready_count
                self.pods.append((w, pod, self._pod_status(w, name, pod_ip, host_ip, ready)))
        self.apply(objs)
        for _w, pod, status in self.pods:
            self.statuses.append((pod, status))

    def _pod_status(self, w: Workload, name: str, pod_ip: str, host_ip: str, ready: bool
                    ) -> JSON:
        started = self.ago(days=w.age_days, minutes=len(name))
        container = w.container or w.name
        image_ref = w.image.split(":", 1)[0]
        cs: JSON = {"name": container, "image": w.image,
                    "imageID": f"{image_ref}@sha256:{_hex(w.image, 64)}",
                    "containerID": f"containerd://{_hex(name, 64)}",
                    "ready": ready, "started": ready, "restartCount": 0,
                    "state": {"running": {"startedAt": ts(started)}}}
        if not ready:
            cs["restartCount"] = 14
            cs["state"] = {"waiting": {
                "reason": "CrashLoopBackOff",
                "message": f"back-off 5m0s restarting failed container={container} pod={name}_"
                           f"{w.namespace}({_hex(name, 8)}-{_hex(name + 'u', 4)})"}}
            cs["lastState"] = {"terminated": {
                "exitCode": 1, "reason": "Error",
                "startedAt": ts(self.ago(minutes=3, seconds=12)),
                "finishedAt": ts(self.ago(minutes=3)),
                "containerID": f"containerd://{_hex(name + 'last', 64)}"}}
        status_word = "True" if ready else "False"
        conditions = [
            {"type": "PodReadyToStartContainers", "status": "True",
             "lastTransitionTime": ts(started)},
            {"type": "Initialized", "status": "True", "lastTransitionTime": ts(started)},
            {"type": "Ready", "status": status_word,
             "lastTransitionTime": ts(started if ready else self.ago(minutes=3)),
             **({} if ready else {"reason": "ContainersNotReady",
                                  "message": f"containers with unready status: [{container}]"})},
            {"type": "ContainersReady", "status": status_word,
             "lastTransitionTime": ts(started if ready else self.ago(minutes=3)),
             **({} if ready else {"reason": "ContainersNotReady",
                                  "message": f"containers with unready status: [{container}]"})},
            {"type": "PodScheduled", "status": "True", "lastTransitionTime": ts(started)},
        ]
        return {"phase": "Running", "conditions": conditions, "hostIP": host_ip,
                "hostIPs": [{"ip": host_ip}], "podIP": pod_ip, "podIPs": [{"ip": pod_ip}],
                "startTime": ts(started), "containerStatuses": [cs], "qosClass": "Burstable"}

    def phase_endpoints(self) -> None:
        objs = []
        for ns, name, _source, port, target, _type in SERVICES:
            svc = self.stored[("Service", ns, name)]
            selector = svc["spec"].get("selector") or {}
            members = [(pod, status) for w, pod, status in self.pods
                       if w.namespace == ns and all(pod["metadata"]["labels"].get(k) == v
                                                    for k, v in selector.items())]
            port_name = "https" if port == 443 else "http"
            eps = []
            ready_addrs: list[JSON] = []
            unready_addrs: list[JSON] = []
            for pod, status in members:
                is_ready = status["containerStatuses"][0]["ready"]
                ref = {"kind": "Pod", "namespace": ns, "name": pod["metadata"]["name"],
                       "uid": self.uid("Pod", ns, pod["metadata"]["name"])}
                eps.append({"addresses": [status["podIP"]],
                            "conditions": {"ready": is_ready, "serving": is_ready,
                                           "terminating": False},
                            "nodeName": pod["spec"]["nodeName"], "targetRef": ref})
                addr = {"ip": status["podIP"], "nodeName": pod["spec"]["nodeName"],
                        "targetRef": ref}
                (ready_addrs if is_ready else unready_addrs).append(addr)
            objs.append(obj("discovery.k8s.io/v1", "EndpointSlice",
                            f"{name}-{_suffix('eps' + name, 5)}", ns,
                            labels={"kubernetes.io/service-name": name,
                                    "endpointslice.kubernetes.io/managed-by":
                                        "endpointslice-controller.k8s.io"},
                            addressType="IPv4", endpoints=eps,
                            ports=[{"name": port_name, "port": target, "protocol": "TCP"}]))
            subset: JSON = {"ports": [{"name": port_name, "port": target, "protocol": "TCP"}]}
            if ready_addrs:
                subset["addresses"] = ready_addrs
            if unready_addrs:
                subset["notReadyAddresses"] = unready_addrs
            objs.append(obj("v1", "Endpoints", name, ns, labels={"kubernetes.io/service-name":
                                                                   name},
                            subsets=[subset] if members else []))
        self.apply(objs)

    # -- phase 4: events and webhooks ----------------------------------------------------------

    def phase_events(self) -> None:
        kyverno_pod = next(p for w, p, _ in self.pods if w.name == "kyverno-admission-controller")
        pname = kyverno_pod["metadata"]["name"]
        specs = [
            ("kyverno", "Pod", "v1", pname, "BackOff", "Warning",
             f"Back-off restarting failed container kyverno in pod {pname}_kyverno", 183,
             "kubelet"),
            ("kyverno", "Pod", "v1", pname, "Unhealthy", "Warning",
             "Readiness probe failed: dial tcp 10.244.0.40:9443: connect: connection refused",
             412, "kubelet"),
            ("payments", "Certificate", "cert-manager.io/v1", "payments-legacy-tls", "Failed",
             "Warning", "The certificate request has failed to complete and will be retried: "
             "Waiting for HTTP-01 challenge propagation: wrong status code '404', expected '200'",
             7, "cert-manager-certificates-issuing"),
            ("monitoring", "Certificate", "cert-manager.io/v1", "grafana-tls", "Failed",
             "Warning", "The certificate request has failed to complete and will be retried: "
             "429 urn:ietf:params:acme:error:rateLimited", 5, "cert-manager-certificates-issuing"),
            ("shop", "Certificate", "cert-manager.io/v1", "storefront-tls", "Issuing", "Normal",
             "The certificate has been successfully issued", 1,
             "cert-manager-certificates-issuing"),
        ]
        objs = self._reports()
        for ns, kind, api, name, reason, type_, message, count, component in specs:
            key = (kind, ns, name)
            uid = str(self.stored[key]["metadata"]["uid"]) if key in self.stored else ""
            objs.append(obj("v1", "Event", f"{name}.{_hex(reason + name, 16)}", ns,
                            involvedObject={"kind": kind, "namespace": ns, "name": name,
                                            "apiVersion": api, "uid": uid},
                            reason=reason, message=message, type=type_, count=count,
                            firstTimestamp=ts(self.ago(hours=6)),
                            lastTimestamp=ts(self.ago(minutes=2)),
                            source={"component": component},
                            reportingComponent=component, reportingInstance=""))
        self.apply(objs)

    def phase_webhooks(self) -> None:
        ca = _b64(self.ca("cert-manager-webhook-ca").cert_pem)
        kca = _b64(self.ca("kyverno-svc-ca").cert_pem)

        def hook(name: str, svc_ns: str, svc: str, path: str, rules: list[JSON],
                 timeout: int, bundle: str, **extra: Any) -> JSON:
            h: JSON = {"name": name, "admissionReviewVersions": ["v1"],
                       "clientConfig": {"service": {"name": svc, "namespace": svc_ns,
                                                    "path": path, "port": 443},
                                        "caBundle": bundle},
                       "rules": rules, "failurePolicy": "Fail", "sideEffects": "None",
                       "timeoutSeconds": timeout, "matchPolicy": "Equivalent", **extra}
            if self.inert:
                h["objectSelector"] = INERT_SELECTOR
            return h

        cm_rules = [{"apiGroups": ["cert-manager.io", "acme.cert-manager.io"],
                     "apiVersions": ["v1"], "operations": ["CREATE", "UPDATE"],
                     "resources": ["*/*"], "scope": "*"}]
        cm_ns_sel = {"matchExpressions": [{"key": "cert-manager.io/disable-validation",
                                           "operator": "NotIn", "values": ["true"]}]}
        cm_labels = self._find("cert-manager-webhook").labels
        cm_ann = {"cert-manager.io/inject-ca-from-secret": "cert-manager/cert-manager-webhook-ca"}
        objs = [
            obj("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration",
                "cert-manager-webhook", labels=cm_labels, annotations=cm_ann,
                webhooks=[hook("webhook.cert-manager.io", "cert-manager", "cert-manager-webhook",
                               "/validate", cm_rules, 30, ca, namespaceSelector=cm_ns_sel)]),
            obj("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration",
                "cert-manager-webhook", labels=cm_labels, annotations=cm_ann,
                webhooks=[{**hook("webhook.cert-manager.io", "cert-manager",
                                  "cert-manager-webhook", "/mutate",
                                  [{**cm_rules[0], "apiGroups": ["cert-manager.io"],
                                    "resources": ["certificaterequests"],
                                    "operations": ["CREATE"]}], 30, ca),
                           "reinvocationPolicy": "Never"}]),
            obj("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration",
                "kyverno-policy-validating-webhook-cfg",
                labels={"webhook.kyverno.io/managed-by": "kyverno"},
                webhooks=[hook("validate-policy.kyverno.svc", "kyverno", "kyverno-svc",
                               "/policyvalidate",
                               [{"apiGroups": ["kyverno.io"], "apiVersions": ["v1", "v2beta1"],
                                 "operations": ["CREATE", "UPDATE"],
                                 "resources": ["clusterpolicies", "clusterpolicies/status",
                                               "policies", "policies/status"],
                                 "scope": "*"}], 10, kca)]),
        ]
        self.apply(objs)


@dataclass
class SeedResult:
    """What ``seed_demo`` created (for tests and the devcluster printout)."""

    now: dt.datetime
    counts: dict[str, int]
    seconds: float
    namespaces: list[str]
    certificates: dict[str, str]  # "ns/name" -> notAfter
    not_ready: list[str]  # "ns/Kind/name" of workloads that are not ready


def seed_demo(
    target: KubeAdmin | str | os.PathLike[str],
    now: dt.datetime | None = None,
    *,
    inert_webhooks: bool = True,
) -> SeedResult:
    """Create the demo cluster's objects (idempotent: server-side apply).

    ``target``: a ``KubeAdmin`` or a kubeconfig path (admin). ``now``: the clock every
    timestamp derives from (aware datetime; default: now). See the module docstring.
    """
    t0 = time.monotonic()
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    own = not isinstance(target, KubeAdmin)
    admin = KubeAdmin.from_kubeconfig(target) if not isinstance(target, KubeAdmin) else target
    try:
        s = _Seed(admin, now, inert_webhooks)
        s.phase_cluster()
        s.phase_objects()
        s.phase_replicasets()
        s.phase_pods()
        s.phase_endpoints()
        s.set_statuses()
        s.phase_events()
        s.phase_webhooks()
    finally:
        if own:
            admin.close()
    certs = {f"{c.namespace}/{c.name}": ts(now + dt.timedelta(days=c.days_left)) for c in CERTS}
    return SeedResult(
        now=now, counts=dict(s.counts), seconds=time.monotonic() - t0,
        namespaces=list(NAMESPACES), certificates=certs,
        not_ready=[f"{w.namespace}/{w.kind}/{w.name}" for w in s.workloads
                   if w.ready_count < w.replicas],
    )


def main(argv: list[str] | None = None) -> int:
    """``python -m testkit.seed KUBECONFIG [--now ISO8601] [--live-webhooks]``."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("kubeconfig")
    p.add_argument("--now", help="fixed clock, e.g. 2025-06-01T12:00:00Z")
    p.add_argument("--live-webhooks", action="store_true",
                   help="webhooks really intercept (writes to their kinds will fail)")
    a = p.parse_args(argv)
    now = dt.datetime.fromisoformat(a.now.replace("Z", "+00:00")) if a.now else None
    r = seed_demo(a.kubeconfig, now, inert_webhooks=not a.live_webhooks)
    print(f"seeded {sum(r.counts.values())} objects in {r.seconds:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
