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
