"""Parse the certificate material of a TLS Secret into facts an operator can act on.

Pure (no I/O, no clock): the caller passes ``tls.crt``/``tls.key``/``ca.crt`` bytes and gets
a :class:`CertInfo`. Every malformed input becomes a problem text, never an exception, so one
broken Secret never hides the others.

Key material: ``tls.key`` is loaded only to compare its public half with the certificate's
and is dropped at once; nothing derived from the private key (not even a fingerprint) is
kept, returned, logged or put into a problem message.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.x509.oid import NameOID

from .der import issuer_and_subject

_PEM_CERT = re.compile(
    rb"-----BEGIN CERTIFICATE-----\s.*?-----END CERTIFICATE-----", re.DOTALL)
_PEM_ANY = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----")


@dataclass(frozen=True)
class CertInfo:
    """What one ``tls.crt`` (+ ``tls.key``) says. ``None`` fields mean "could not tell"."""

    subject: str = ""
    common_name: str = ""
    issuer: str = ""
    issuer_cn: str = ""
    serial: str = ""
    not_before: datetime | None = None
    not_after: datetime | None = None
    dns_names: tuple[str, ...] = ()
    ip_addresses: tuple[str, ...] = ()
    key_type: str = ""
    key_size: int | None = None
    is_ca: bool = False
    #: certificates found in tls.crt (leaf first when ordered)
    chain_length: int = 0
    #: True: ends at a self-signed root or at ca.crt; False: an intermediate is missing
    chain_complete: bool | None = None
    chain_ordered: bool | None = None
    key_matches: bool | None = None
    #: "PEM" or "DER" (DER is accepted but flagged)
    encoding: str = ""
    #: False after a quick parse: chain and key were not checked yet
    deep: bool = True
    problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def parsed(self) -> bool:
        return self.not_after is not None


def _b64(value: Any) -> tuple[bytes | None, str | None]:
    """Decode a Secret ``data`` value; returns (bytes, problem)."""
    if value is None:
        return None, None
    if not isinstance(value, str):
        return None, "not a base64 string"
    try:
        return base64.b64decode(value, validate=True), None
    except (binascii.Error, ValueError):
        return None, "not valid base64"


def parse_secret(secret: dict[str, Any], *, deep: bool = True) -> CertInfo:
    """Parse a ``kubernetes.io/tls`` Secret object (its ``data`` is base64).

    ``deep=False`` reads only the leaf (dates, names, issuer): about 10x cheaper, so a
    table of 10,000 Secrets is sorted quickly; the chain and key checks follow later."""
    data = (secret.get("data") if isinstance(secret, dict) else None) or {}
    if not isinstance(data, dict):
        return CertInfo(problems=("Secret data is not a map",))
    problems: list[str] = []
    crt, p = _b64(data.get("tls.crt"))
    if p:
        problems.append(f"tls.crt is {p}")
    key, p = _b64(data.get("tls.key"))
    if p:
        problems.append(f"tls.key is {p}")
    ca, p = _b64(data.get("ca.crt"))
    if p:
        problems.append(f"ca.crt is {p}")
    if "tls.crt" not in data:
        problems.append("tls.crt is missing")
        return CertInfo(problems=tuple(problems))
    try:
        info = parse_tls(crt, key, ca, key_present="tls.key" in data, deep=deep)
    except Exception as exc:  # a parser edge case is a problem, not a crash
        # the exception's type only: its text could quote the key material
        return CertInfo(problems=(*problems,
                                  f"unreadable: tls.crt could not be parsed "
                                  f"({type(exc).__name__})"))
    if problems:
        info = _with_problems(info, problems)
    return info


def _with_problems(info: CertInfo, extra: list[str]) -> CertInfo:
    from dataclasses import replace

    merged = list(extra) + [p for p in info.problems if p not in extra]
    return replace(info, problems=tuple(merged))


#: size of the per-certificate caches below. Small on purpose: the entries worth keeping
#: (intermediates and roots) are touched by every Secret, so LRU keeps them hot, while each
#: Secret's own leaf passes through without 10,000 of them being pinned in memory.
_CACHE = 512


@lru_cache(maxsize=_CACHE)
def _load_pem_block(block: bytes) -> x509.Certificate:
    """Intermediates and CAs repeat in every Secret of an issuer: load each once."""
    return x509.load_pem_x509_certificate(block)


def _load_certs(crt: bytes) -> tuple[list[x509.Certificate], str, list[str]]:
    """All certificates in ``crt`` (PEM blocks, else DER); (certs, encoding, problems)."""
    problems: list[str] = []
    blocks = _PEM_CERT.findall(crt)
    kinds = {m.decode("ascii", "replace") for m in _PEM_ANY.findall(crt)}
    if any("PRIVATE KEY" in k for k in kinds):
        problems.append("tls.crt contains a private key (it belongs in tls.key only)")
    if blocks:
        certs: list[x509.Certificate] = []
        for i, block in enumerate(blocks, 1):
            try:
                certs.append(_load_pem_block(block))
            except (ValueError, TypeError, UnsupportedAlgorithm):
                problems.append(f"tls.crt: PEM certificate #{i} is malformed")
        return certs, "PEM", problems
    if kinds:
        problems.append("tls.crt holds no PEM certificate (found: " + ", ".join(
            sorted(k for k in kinds if "PRIVATE" not in k) or ["only a key"]) + ")")
        return [], "PEM", problems
    try:
        cert = x509.load_der_x509_certificate(crt)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        problems.append("tls.crt is not a PEM or DER certificate")
        return [], "", problems
    problems.append("tls.crt is DER, not PEM (ingress controllers expect PEM)")
    return [cert], "DER", problems


def _name_str(name: x509.Name) -> str:
    try:
        return name.rfc4514_string()
    except (ValueError, TypeError):
        return "<unreadable name>"


def _cn(name: x509.Name) -> str:
    try:
        attrs = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    except (ValueError, TypeError):
        return ""
    return str(attrs[0].value) if attrs else ""


def _key_desc(cert: x509.Certificate) -> tuple[str, int | None]:
    try:
        pub = cert.public_key()
    except (ValueError, UnsupportedAlgorithm):
        return "unknown", None
    if isinstance(pub, rsa.RSAPublicKey):
        return "RSA", pub.key_size
    if isinstance(pub, ec.EllipticCurvePublicKey):
        return f"ECDSA {pub.curve.name}", pub.key_size
    if isinstance(pub, ed25519.Ed25519PublicKey):
        return "Ed25519", 256
    if isinstance(pub, ed448.Ed448PublicKey):
        return "Ed448", 456
    if isinstance(pub, dsa.DSAPublicKey):
        return "DSA", pub.key_size
    return type(pub).__name__, None


def _spki(pub: Any) -> bytes:
    return pub.public_bytes(serialization.Encoding.DER,
                            serialization.PublicFormat.SubjectPublicKeyInfo)


def _names(cert: x509.Certificate) -> tuple[bytes, bytes] | None:
    """(issuer, subject) as encoded in the certificate (see ``der.py``)."""
    try:
        return issuer_and_subject(cert.tbs_certificate_bytes)
    except ValueError:
        return None


@lru_cache(maxsize=_CACHE)
def _key_ids(cert: x509.Certificate) -> tuple[bytes | None, bytes | None]:
    """(authority key id, subject key id), each None when the extension is absent."""
    aki = ski = None
    try:
        aki = cert.extensions.get_extension_for_class(
            x509.AuthorityKeyIdentifier).value.key_identifier
    except (x509.ExtensionNotFound, ValueError, TypeError):
        pass
    try:
        ski = cert.extensions.get_extension_for_class(
            x509.SubjectKeyIdentifier).value.digest
    except (x509.ExtensionNotFound, ValueError, TypeError):
        pass
    return aki, ski


@lru_cache(maxsize=_CACHE)
def _issued_by(child: x509.Certificate, parent: x509.Certificate) -> bool:
    """Whether ``parent`` issued ``child``, as chain building decides it (RFC 4158): the
    child's issuer Name equals the parent's subject Name, byte for byte, and where both
    carry key identifiers, the child's authority key id is the parent's subject key id (a
    CA re-created under the same name with a new key does not match). Only when key ids
    are missing does the signature decide (a verification costs far more than the
    comparison, and every Secret's leaf is new). Cached: an issuer's own chain is judged
    once, not per Secret."""
    child_names, parent_names = _names(child), _names(parent)
    if child_names is not None and parent_names is not None:
        if child_names[0] != parent_names[1]:
            return False
    elif child.issuer != parent.subject:  # not shaped as expected: the library compares
        return False
    aki, _ = _key_ids(child)
    _, ski = _key_ids(parent)
    if aki is not None and ski is not None:
        return aki == ski
    try:
        child.verify_directly_issued_by(parent)
    except (InvalidSignature, ValueError, TypeError, UnsupportedAlgorithm):
        return False
    return True


def _self_signed(cert: x509.Certificate) -> bool:
    return _issued_by(cert, cert)


def _chain(certs: list[x509.Certificate], ca: list[x509.Certificate]
           ) -> tuple[bool | None, bool | None, list[str]]:
    """(complete, ordered, problems) for the certificates of tls.crt."""
    problems: list[str] = []
    ordered = all(_issued_by(certs[i], certs[i + 1]) for i in range(len(certs) - 1))
    if not ordered:
        problems.append("chain in tls.crt is not in order (leaf first, then each issuer)")
    last = certs[-1] if ordered else _chain_end(certs)
    if _self_signed(last):
        return True, ordered, problems
    if ca:
        if any(_issued_by(last, c) for c in ca):
            return True, ordered, problems
        problems.append(f"chain incomplete: issuer {_cn(last.issuer) or _name_str(last.issuer)}"
                        " is neither in tls.crt nor in ca.crt")
        return False, ordered, problems
    # no ca.crt: the last issuer may be a root in the clients' trust store -- cannot tell
    return None, ordered, problems


def _chain_end(certs: list[x509.Certificate]) -> x509.Certificate:
    """Follow issuers from the leaf as far as the bundle allows (for unordered bundles)."""
    current = certs[0]
    seen = {id(current)}
    while True:
        nxt = next((c for c in certs if id(c) not in seen and _issued_by(current, c)), None)
        if nxt is None:
            return current
        seen.add(id(nxt))
        current = nxt


def _key_matches(key: bytes, cert: x509.Certificate) -> tuple[bool | None, str | None]:
    """Compare the key's public half with the certificate's. Never returns key material."""
    if not key.strip():
        return None, "tls.key is empty"
    try:
        # only the public half is compared, never used to sign: skip OpenSSL's RSA
        # consistency check (p*q = n ...), 50+ ms per 2048-bit key on this machine -- cert-
        # manager's default key -- against 0.03 ms without; 10,000 TLS Secrets were minutes
        # of CPU. A key whose public half matches but whose private half is corrupt is not
        # this check's business (the TLS server fails its handshake and says so).
        if b"-----BEGIN" in key:
            private = serialization.load_pem_private_key(
                key, password=None, unsafe_skip_rsa_key_validation=True)
        else:
            private = serialization.load_der_private_key(
                key, password=None, unsafe_skip_rsa_key_validation=True)
    except TypeError:
        return None, "tls.key is encrypted (ingress controllers need it unencrypted)"
    except (ValueError, UnsupportedAlgorithm):
        return None, "tls.key is not a readable private key"
    try:
        same = _spki(private.public_key()) == _spki(cert.public_key())
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return None, "cannot compare tls.key with the certificate"
    finally:
        del private
    return same, None if same else "tls.key does not match the certificate"


def parse_tls(crt: bytes | None, key: bytes | None = None, ca: bytes | None = None,
              *, key_present: bool = True, deep: bool = True) -> CertInfo:
    """Parse raw ``tls.crt`` (PEM bundle or DER), optional ``tls.key`` and ``ca.crt``."""
    problems: list[str] = []
    if crt is None or not crt.strip():
        return CertInfo(problems=("tls.crt is empty",))
    certs, encoding, load_problems = _load_certs(crt)
    problems += load_problems
    if not certs:
        return CertInfo(encoding=encoding, problems=tuple(problems))
    leaf = certs[0]
    ca_certs: list[x509.Certificate] = []
    if ca and ca.strip():
        ca_certs = [c for c in _load_certs(ca)[0]]
    try:
        sans = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        dns = tuple(sans.get_values_for_type(x509.DNSName))
        ips = tuple(str(ip) for ip in sans.get_values_for_type(x509.IPAddress))
    except x509.ExtensionNotFound:
        dns, ips = (), ()
    except (ValueError, TypeError):
        dns, ips = (), ()
        problems.append("subjectAltName extension is malformed")
    if not dns and not ips:
        problems.append("no subjectAltName: browsers and Go clients ignore the CN")
    try:
        bc = leaf.extensions.get_extension_for_class(x509.BasicConstraints).value
        is_ca = bool(bc.ca)
    except (x509.ExtensionNotFound, ValueError, TypeError):
        is_ca = False
    key_type, key_size = _key_desc(leaf)
    complete: bool | None = None
    ordered: bool | None = None
    if deep:
        complete, ordered, chain_problems = _chain(certs, ca_certs)
        problems += chain_problems
    matches: bool | None = None
    if key is not None and deep:
        matches, p = _key_matches(key, leaf)
        if p:
            problems.append(p)
    elif not key_present:
        problems.append("tls.key is missing")
    return CertInfo(
        subject=_name_str(leaf.subject),
        common_name=_cn(leaf.subject),
        issuer=_name_str(leaf.issuer),
        issuer_cn=_cn(leaf.issuer) or _name_str(leaf.issuer),
        serial=format(leaf.serial_number, "x"),
        not_before=_utc(leaf.not_valid_before_utc),
        not_after=_utc(leaf.not_valid_after_utc),
        dns_names=dns,
        ip_addresses=ips,
        key_type=key_type,
        key_size=key_size,
        is_ca=is_ca,
        chain_length=len(certs),
        chain_complete=complete,
        chain_ordered=ordered,
        key_matches=matches,
        encoding=encoding,
        deep=deep,
        problems=tuple(problems),
    )


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
