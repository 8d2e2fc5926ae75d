"""Certificates generated at test time with known dates (shared by the cert-manager tests).

Seeded keys make every byte deterministic, so snapshots never see random serials.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from cryptography.hazmat.primitives import serialization

from testkit import pki

FIXED_NOW = dt.datetime(2026, 6, 1, 12, 0, 0, tzinfo=dt.UTC)
_CA_START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
ROOT = pki.make_ca("Test Root CA", seed="root", not_before=_CA_START, days=3650)
INTERMEDIATE = pki.make_ca("Test Intermediate CA", seed="inter", not_before=_CA_START,
                           days=3000, issuer=ROOT)


def leaf(name: str, days_left: float, dns: tuple[str, ...] | None = None,
         issuer: pki.KeyPair = INTERMEDIATE, now: dt.datetime = FIXED_NOW) -> pki.KeyPair:
    """A leaf expiring ``days_left`` days after ``now`` (negative = already expired)."""
    end = now + dt.timedelta(days=days_left)
    return pki.make_cert(issuer, name, dns_names=dns if dns is not None else (name,),
                         server=True, not_before=end - dt.timedelta(days=90), not_after=end,
                         seed=f"leaf:{name}:{days_left}")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def tls_secret(ns: str, name: str, crt: bytes, key: bytes | None,
               ca: bytes | None = None, annotations: dict[str, str] | None = None
               ) -> dict[str, Any]:
    data = {"tls.crt": b64(crt)}
    if key is not None:
        data["tls.key"] = b64(key)
    if ca is not None:
        data["ca.crt"] = b64(ca)
    md: dict[str, Any] = {"name": name, "namespace": ns}
    if annotations:
        md["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
            "metadata": md, "data": data}


def good_secret(ns: str, name: str, days_left: float, dns: tuple[str, ...] | None = None,
                annotations: dict[str, str] | None = None) -> dict[str, Any]:
    kp = leaf(name, days_left, dns)
    return tls_secret(ns, name, kp.cert_pem + INTERMEDIATE.cert_pem, kp.key_pem,
                      ROOT.cert_pem, annotations)


def der(kp: pki.KeyPair) -> bytes:
    return kp.cert.public_bytes(serialization.Encoding.DER)


def certificate(ns: str, name: str, secret: str, dns: list[str], issuer: str = "letsencrypt",
                kind: str = "ClusterIssuer") -> dict[str, Any]:
    return {"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
            "metadata": {"name": name, "namespace": ns},
            "spec": {"secretName": secret, "dnsNames": dns,
                     "issuerRef": {"name": issuer, "kind": kind, "group": "cert-manager.io"}}}


def ready_status(not_after: dt.datetime, ready: bool = True, reason: str = "Ready",
                 message: str = "Certificate is up to date and has not expired"
                 ) -> dict[str, Any]:
    ts = not_after.strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"notAfter": ts,
            "notBefore": (not_after - dt.timedelta(days=90)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "renewalTime": (not_after - dt.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "conditions": [{"type": "Ready", "status": "True" if ready else "False",
                            "reason": reason, "message": message,
                            "lastTransitionTime": "2026-05-01T00:00:00Z"}]}


def ingress(ns: str, name: str, secret: str, hosts: list[str]) -> dict[str, Any]:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": {"name": name, "namespace": ns},
            "spec": {"rules": [{"host": h} for h in hosts],
                     "tls": [{"secretName": secret, "hosts": hosts}]}}


def seed(admin: Any, ns: str, now: dt.datetime) -> None:
    """A namespace with one of everything the pane must show, dates relative to ``now``.

    ``admin`` is testkit's KubeAdmin; Certificate status goes through the status
    subresource (no controller runs here: the test plays cert-manager's part).
    """
    day = dt.timedelta(days=1)

    def cert(name: str, secret: str, dns: list[str], days: float | None,
             issuer: str = "letsencrypt", kind: str = "ClusterIssuer",
             status: dict[str, Any] | None = None, annotate: bool = True) -> None:
        admin.create(certificate(ns, name, secret, dns, issuer, kind))
        if days is not None:
            kp = leaf(f"{name}.{ns}", days, tuple(dns), now=now)
            ann = {"cert-manager.io/certificate-name": name,
                   "cert-manager.io/issuer-name": issuer,
                   "cert-manager.io/issuer-kind": kind} if annotate else None
            admin.create(tls_secret(ns, secret, kp.cert_pem + INTERMEDIATE.cert_pem,
                                    kp.key_pem, ROOT.cert_pem, ann))
            admin.patch_status("cert-manager.io/v1", "certificates", ns, name,
                               status or ready_status(now + days * day))
        elif status is not None:
            admin.patch_status("cert-manager.io/v1", "certificates", ns, name, status)

    cert("web", "web-tls", ["shop.example.com", "www.shop.example.com"], 5)
    cert("api", "api-tls", ["api.example.com"], 20, issuer="internal-ca", kind="Issuer")
    cert("docs", "docs-tls", ["docs.example.com"], 75)
    cert("stuck", "stuck-tls", ["stuck.example.com"], None, status={
        "conditions": [{"type": "Ready", "status": "False", "reason": "DoesNotExist",
                        "message": "Issuing certificate as Secret does not exist"},
                       {"type": "Issuing", "status": "True", "reason": "DoesNotExist",
                        "message": "Issuing certificate as Secret does not exist"}]})
    cert("fresh", "fresh-tls", ["fresh.example.com"], None)
    legacy = leaf(f"legacy.{ns}", -2, ("legacy.example.com",), now=now)
    admin.create(tls_secret(ns, "legacy-tls", legacy.cert_pem, legacy.key_pem))
    nosan = leaf(f"nosan.{ns}", 120, (), now=now)
    admin.create(tls_secret(ns, "nosan-tls", nosan.cert_pem, nosan.key_pem))
    dkp = leaf(f"der.{ns}", 45, ("der.example.com",), now=now)
    admin.create(tls_secret(ns, "der-tls", der(dkp), dkp.key_pem))
    kk = leaf(f"keyincrt.{ns}", 60, ("k.example.com",), now=now)
    admin.create(tls_secret(ns, "keyincrt-tls", kk.cert_pem + kk.key_pem, kk.key_pem))
    admin.create(tls_secret(ns, "garbage-tls", b"this is not a certificate", b"nor a key"))
    admin.create(tls_secret(ns, "empty-tls", b"", b""))
    admin.create(ingress(ns, "shop", "web-tls", ["shop.example.com"]))
    admin.create(ingress(ns, "old-site", "legacy-tls", ["legacy.example.com"]))


def seed_chain(admin: Any, ns: str, cert: str = "web") -> None:
    """A stuck ACME issuance for ``cert``: CertificateRequest -> Order -> Challenge + events,
    and a Ready ClusterIssuer ``letsencrypt`` (cluster-scoped, shared by tests)."""
    admin.create({"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer",
                  "metadata": {"name": "letsencrypt"}, "spec": {"acme": {}}}, exist_ok=True)
    admin.patch_status("cert-manager.io/v1", "clusterissuers", None, "letsencrypt", {
        "conditions": [{"type": "Ready", "status": "True", "reason": "ACMEAccountRegistered",
                        "message": "The ACME account was registered with the ACME server"}]})
    def owner(kind: str, name: str, uid: str) -> list[dict[str, Any]]:
        return [{"apiVersion": "cert-manager.io/v1" if kind != "Order"
                 else "acme.cert-manager.io/v1", "kind": kind, "name": name, "uid": uid,
                 "controller": True}]

    cr = admin.create({
        "apiVersion": "cert-manager.io/v1", "kind": "CertificateRequest",
        "metadata": {"name": f"{cert}-1", "namespace": ns,
                     "annotations": {"cert-manager.io/certificate-name": cert,
                                     "cert-manager.io/certificate-revision": "1"}},
        "spec": {"request": "", "issuerRef": {"name": "letsencrypt", "kind": "ClusterIssuer"}}})
    admin.patch_status("cert-manager.io/v1", "certificaterequests", ns, f"{cert}-1", {
        "conditions": [{"type": "Approved", "status": "True", "reason": "cert-manager.io",
                        "message": "Certificate request has been approved by cert-manager.io"},
                       {"type": "Ready", "status": "False", "reason": "Pending",
                        "message": f"Waiting on certificate issuance from order "
                                   f"{ns}/{cert}-1-2745722290: \"pending\""}]})
    order = admin.create({
        "apiVersion": "acme.cert-manager.io/v1", "kind": "Order",
        "metadata": {"name": f"{cert}-1-2745722290", "namespace": ns,
                     "ownerReferences": owner("CertificateRequest", f"{cert}-1",
                                              cr["metadata"]["uid"])},
        "spec": {"request": "", "issuerRef": {"name": "letsencrypt"}}})
    admin.patch_status("acme.cert-manager.io/v1", "orders", ns, f"{cert}-1-2745722290",
                       {"state": "pending"})
    admin.create({
        "apiVersion": "acme.cert-manager.io/v1", "kind": "Challenge",
        "metadata": {"name": f"{cert}-1-2745722290-1", "namespace": ns,
                     "ownerReferences": owner("Order", f"{cert}-1-2745722290",
                                              order["metadata"]["uid"])},
        "spec": {"type": "HTTP-01", "dnsName": "shop.example.com", "token": "t", "key": "k",
                 "url": "https://acme.example/chall/1", "authorizationURL": "https://a/1",
                 "issuerRef": {"name": "letsencrypt"}, "solver": {}}})
    admin.patch_status("acme.cert-manager.io/v1", "challenges", ns,
                       f"{cert}-1-2745722290-1", {
                           "processing": True, "presented": True, "state": "pending",
                           "reason": "Waiting for HTTP-01 challenge propagation: wrong "
                                     "status code '404', expected '200'"})
    admin.create({
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": f"{cert}.issuing", "namespace": ns},
        "involvedObject": {"kind": "Certificate", "name": cert, "namespace": ns,
                           "apiVersion": "cert-manager.io/v1"},
        "reason": "Issuing", "type": "Normal", "count": 1,
        "message": "Renewing certificate as renewal was scheduled at 2026-05-07 12:00:00",
        "firstTimestamp": "2026-05-31T09:00:00Z", "lastTimestamp": "2026-05-31T09:00:00Z",
        "source": {"component": "cert-manager-certificates-trigger"}})
    admin.create({
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": f"{cert}.challenge", "namespace": ns},
        "involvedObject": {"kind": "Challenge", "name": f"{cert}-1-2745722290-1",
                           "namespace": ns, "apiVersion": "acme.cert-manager.io/v1"},
        "reason": "PresentError", "type": "Warning", "count": 3,
        "message": "Error presenting challenge: ingress class not found",
        "firstTimestamp": "2026-05-31T09:01:00Z", "lastTimestamp": "2026-05-31T09:05:00Z",
        "source": {"component": "cert-manager-challenges"}})


def seed_hostile(admin: Any, ns: str, now: dt.datetime) -> None:
    """Certificates a namespace tenant can write (issue #15): escape sequences, markup and
    Hangul in DNS names, the issuer name, the Ready message and an Event (object names
    themselves are DNS names the apiserver validates)."""
    from testkit import hostile

    evil = certificate(ns, "evil", "evil-tls",
                       [hostile.WORST, hostile.HANGUL * 2, hostile.MARKUP_LINK],
                       issuer=f"ca{hostile.OSC_TITLE}{hostile.MARKUP_CLOSE}", kind="Issuer")
    admin.create(evil)
    admin.patch_status("cert-manager.io/v1", "certificates", ns, "evil",
                       ready_status(now + dt.timedelta(days=3), ready=False,
                                    reason=f"Failed{hostile.OSC52}", message=hostile.WORST))
    admin.create(certificate(ns, "evil2", "evil2-tls", [hostile.CLEAR, hostile.C1_CSI],
                             issuer=hostile.HANGUL))
    admin.patch_status("cert-manager.io/v1", "certificates", ns, "evil2", {
        "conditions": [{"type": "Ready", "status": "False", "reason": hostile.MARKUP_STYLE,
                        "message": f"{hostile.UNTERMINATED_OSC}cut"}]})
    admin.create({"apiVersion": "v1", "kind": "Event",
                  "metadata": {"name": "evil.1", "namespace": ns},
                  "involvedObject": {"kind": "Certificate", "name": "evil", "namespace": ns},
                  "reason": f"Bad{hostile.CLEAR}", "message": hostile.WORST,
                  "type": "Warning", "lastTimestamp": now.strftime("%Y-%m-%dT%H:%M:%SZ")})
