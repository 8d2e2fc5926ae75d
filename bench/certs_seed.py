"""The certificates benchmarks' cluster content: N Certificates (with status) + N TLS Secrets.

Why a module of its own: ``certs_bench.py``, ``vs_k9s.py`` and an offline profile of the
model all need the same objects, and seeding 50,000 + 50,000 must be fast enough to run.

Realism (#25): cert-manager's default private key is RSA 2048, so half of the Secrets (by
default) carry RSA leaves under an RSA intermediate and root, the other half ECDSA P-256
leaves under an ECDSA chain -- two distinct chains, as a cluster with two issuers has. Each
Secret is what cert-manager writes: ``tls.crt`` = leaf + intermediate, ``tls.key``,
``ca.crt`` = the root, and the ``cert-manager.io/certificate-name`` annotation.

Speed: every leaf certificate is distinct (its own name, dates, serial), but the key pairs
are reused from a small pool (generating 25,000 RSA keys would take most of an hour; the
pane never compares keys across Secrets, so reuse changes nothing it measures). Objects are
built before the first request, then sent as pre-encoded JSON over one plain httpx client
by ``CONCURRENCY`` workers: 3 requests per Certificate (the Secret, the Certificate, its
status through the status subresource -- the status of a CRD with a status subresource
cannot be set on create).
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NS = "bench"
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
CONCURRENCY = 48
#: key pairs reused across leaves, per algorithm
KEY_POOL = 8

_Key = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class _Issuer:
    cert: x509.Certificate
    key: _Key
    pem: bytes
    aki: x509.AuthorityKeyIdentifier


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _ca(cn: str, key: _Key, parent: _Issuer | None) -> _Issuer:
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    builder = (x509.CertificateBuilder()
               .subject_name(_name(cn))
               .issuer_name(parent.cert.subject if parent else _name(cn))
               .public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(start).not_valid_after(start + dt.timedelta(days=3650))
               .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                              critical=False))
    if parent is not None:
        builder = builder.add_extension(parent.aki, critical=False)
    cert = builder.sign(parent.key if parent else key, hashes.SHA256())
    return _Issuer(cert, key, cert.public_bytes(serialization.Encoding.PEM),
                   x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()))


def _rsa() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _ec() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@dataclass(frozen=True)
class _Chain:
    root: _Issuer
    intermediate: _Issuer
    #: (private key, its PEM) pairs handed out round-robin to leaves
    keys: tuple[tuple[_Key, bytes], ...]


def _chain(algo: str) -> _Chain:
    new = _rsa if algo == "rsa" else _ec
    root = _ca(f"Bench {algo.upper()} Root", new(), None)
    inter = _ca(f"Bench {algo.upper()} Intermediate", new(), root)
    keys = []
    for _ in range(KEY_POOL):
        k = new()
        keys.append((k, k.private_bytes(serialization.Encoding.PEM,
                                        serialization.PrivateFormat.TraditionalOpenSSL,
                                        serialization.NoEncryption())))
    return _Chain(root, inter, tuple(keys))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def days_left(i: int) -> float:
    """Expiry spread of object ``i``: -5 .. 115 days from :data:`NOW` (a few expired)."""
    return (i % 120) - 5 + (i % 7) / 7


def _status(not_after: dt.datetime) -> dict[str, Any]:
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    return {"notAfter": not_after.strftime(fmt),
            "notBefore": (not_after - dt.timedelta(days=90)).strftime(fmt),
            "renewalTime": (not_after - dt.timedelta(days=30)).strftime(fmt),
            "conditions": [{"type": "Ready", "status": "True", "reason": "Ready",
                            "message": "Certificate is up to date and has not expired",
                            "lastTransitionTime": "2026-05-01T00:00:00Z"}]}


@dataclass(frozen=True)
class Item:
    """One Certificate's objects: its Secret, the Certificate and its status."""

    secret: dict[str, Any]
    certificate: dict[str, Any]
    status: dict[str, Any]


def make_items(count: int, rsa_share: float = 0.5, ns: str = NS, start: int = 0
               ) -> Iterator[Item]:
    """Certificates ``start`` .. ``count - 1`` with their Secrets; object ``i`` is RSA when
    it falls in the first ``rsa_share`` of every 10 (0.5: i % 10 < 5)."""
    chains = {"rsa": _chain("rsa") if rsa_share > 0 else None,
              "ec": _chain("ec") if rsa_share < 1 else None}
    rsa_slots = round(rsa_share * 10)
    for i in range(start, count):
        chain = chains["rsa" if i % 10 < rsa_slots else "ec"]
        assert chain is not None
        name = f"c{i}"
        dns = f"{name}.example.com"
        key, key_pem = chain.keys[i % len(chain.keys)]
        not_after = NOW + dt.timedelta(days=days_left(i))
        leaf = (x509.CertificateBuilder()
                .subject_name(_name(f"{name}.{ns}"))
                .issuer_name(chain.intermediate.cert.subject)
                .public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(not_after - dt.timedelta(days=90))
                .not_valid_after(not_after)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None),
                               critical=True)
                .add_extension(chain.intermediate.aki, critical=False)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                               critical=False)
                .add_extension(x509.SubjectAlternativeName([x509.DNSName(dns)]),
                               critical=False)
                .sign(chain.intermediate.key, hashes.SHA256()))
        crt = leaf.public_bytes(serialization.Encoding.PEM) + chain.intermediate.pem
        secret = {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
                  "metadata": {"name": f"{name}-tls", "namespace": ns,
                               "annotations": {"cert-manager.io/certificate-name": name}},
                  "data": {"tls.crt": _b64(crt), "tls.key": _b64(key_pem),
                           "ca.crt": _b64(chain.root.pem)}}
        cert = {"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
                "metadata": {"name": name, "namespace": ns},
                "spec": {"secretName": f"{name}-tls", "dnsNames": [dns],
                         "issuerRef": {"name": "letsencrypt", "kind": "ClusterIssuer",
                                       "group": "cert-manager.io"}}}
        yield Item(secret, cert, {"status": _status(not_after)})


def offline_objects(count: int, rsa_share: float = 0.5
                    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(Certificates with their status, Secrets) as a list would return them, for
    profiling the model without a cluster."""
    certs, secrets = [], []
    for i, item in enumerate(make_items(count, rsa_share)):
        cert = dict(item.certificate, status=item.status["status"])
        cert["metadata"] = dict(cert["metadata"], uid=f"c-{i}", resourceVersion=str(i))
        secret = dict(item.secret)
        secret["metadata"] = dict(secret["metadata"], uid=f"s-{i}", resourceVersion=str(i))
        certs.append(cert)
        secrets.append(secret)
    return certs, secrets


def _seed_client(kubeconfig: str) -> Any:
    """An httpx client for the seed: the kubeconfig's TLS material and credentials, and a
    connection pool that keeps all :data:`CONCURRENCY` connections alive. Why not the
    app's client: httpx keeps 20 idle connections by default, so 48 requests in flight
    made a new TLS handshake for most requests -- client and apiserver CPU for nothing
    (21 Certificates/s on a loaded machine)."""
    import ssl

    import httpx

    from k8s_essentials_tui.kube.config import load_settings

    settings = load_settings(kubeconfig, None)
    ctx = ssl.create_default_context(cafile=settings.ca_file)
    if settings.cert_file and settings.key_file:
        ctx.load_cert_chain(settings.cert_file, settings.key_file)
    headers = {"Accept": "application/json"}
    if settings.authorization:
        headers["Authorization"] = settings.authorization
    return httpx.AsyncClient(
        base_url=settings.server, verify=ctx, headers=headers, timeout=120.0,
        limits=httpx.Limits(max_connections=CONCURRENCY,
                            max_keepalive_connections=CONCURRENCY))


async def create_objects(kubeconfig: str, count: int, rsa_share: float = 0.5,
                         start: int = 0) -> None:
    """Create the namespace and Certificates ``start`` .. ``count - 1`` (+ Secrets, +
    status) in it; ``start`` > 0 grows a cluster seeded before (a 10,000 run to 50,000)."""
    t0 = time.perf_counter()
    items = list(make_items(count, rsa_share, start=start))
    print(f"  built {count - start} leaf certificates in {time.perf_counter() - t0:.1f}s",
          file=sys.stderr, flush=True)
    http = _seed_client(kubeconfig)
    headers = {"Content-Type": "application/json"}
    merge = {"Content-Type": "application/merge-patch+json"}
    secrets = f"/api/v1/namespaces/{NS}/secrets"
    certs = f"/apis/cert-manager.io/v1/namespaces/{NS}/certificates"

    async def send(method: str, path: str, body: Any, hdrs: dict[str, str]) -> None:
        for attempt in range(5):
            resp = await http.request(method, path, content=json.dumps(body).encode(),
                                      headers=hdrs)
            if resp.status_code < 300 or resp.status_code == 409:
                return
            if resp.status_code not in (429, 500, 503, 504) or attempt == 4:
                raise SystemExit(f"{method} {path}: {resp.status_code} {resp.text[:300]}")
            await asyncio.sleep(0.5 * (attempt + 1))

    await send("POST", "/api/v1/namespaces",
               {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}}, headers)
    queue: asyncio.Queue[Item] = asyncio.Queue()
    for item in items:
        queue.put_nowait(item)
    done = 0
    t0 = time.perf_counter()

    async def worker() -> None:
        nonlocal done
        while not queue.empty():
            item = queue.get_nowait()
            name = item.certificate["metadata"]["name"]
            await send("POST", secrets, item.secret, headers)
            await send("POST", certs, item.certificate, headers)
            await send("PATCH", f"{certs}/{name}/status", item.status, merge)
            done += 1
            if done % 2000 == 0:
                rate = done / (time.perf_counter() - t0)
                print(f"  created {start + done}/{count} ({rate:.0f} Certificates/s)",
                      file=sys.stderr, flush=True)

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    await http.aclose()
    print(f"setup: {count - start} Certificates + {count - start} Secrets in "
          f"{time.perf_counter() - t0:.1f}s ({CONCURRENCY} requests in flight)",
          file=sys.stderr, flush=True)
