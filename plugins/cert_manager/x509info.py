"""Parse the certificate material of a TLS Secret into facts an operator can act on.

Pure (no I/O, no clock): the caller passes ``tls.crt``/``tls.key``/``ca.crt`` bytes and gets
a :class:`CertInfo`. Every malformed input becomes a problem text, never an exception, so one
broken Secret never hides the others.

Key material: ``tls.key`` is read only to compare its public half with the certificate's
(``keycheck.py``) and is dropped at once; nothing derived from the private part (not even a
fingerprint) is kept, returned, logged or put into a problem message. A Secret as the pane's
cache stores it (``stored.py``) has no ``data`` left, only its :class:`CertInfo`
(:data:`STORED_INFO`), which :func:`parse_secret` returns.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.x509.oid import NameOID

from .der import (
    PublicId,
    certificate_parts,
    issuer_and_subject,
    pem_body,
    spki_public_id,
)
from .keycheck import KeyFacts, key_facts, key_matches

_PEM_CERT = re.compile(
    rb"-----BEGIN CERTIFICATE-----\s.*?-----END CERTIFICATE-----", re.DOTALL)
_PEM_ANY = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----")


@dataclass(frozen=True, slots=True)
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


#: the field of a Secret as the pane's cache stores it (``stored.py``) that holds its
#: checked :class:`CertInfo` (no Kubernetes object has it)
STORED_INFO = "k8s-essentials-tui/certinfo"


def stored_info(secret: Any) -> CertInfo | None:
    """The checked content a stored Secret carries (None for a whole Secret)."""
    info = secret.get(STORED_INFO) if isinstance(secret, dict) else None
    return info if isinstance(info, CertInfo) else None


def decode_data(value: Any) -> tuple[bytes | None, str | None]:
    """Decode a Secret ``data`` value; returns (bytes, problem)."""
    if value is None:
        return None, None
    if not isinstance(value, str):
        return None, "not a base64 string"
    try:
        # strict: any character outside the alphabet is an error, as with
        # ``b64decode(validate=True)``, whose regular expression pass over the whole value
        # cost more than the decoding (the apiserver sends canonical base64)
        return binascii.a2b_base64(value, strict_mode=True), None
    except (binascii.Error, ValueError):
        return None, "not valid base64"


def parse_secret(secret: dict[str, Any], *, deep: bool = True) -> CertInfo:
    """Parse a ``kubernetes.io/tls`` Secret object (its ``data`` is base64).

    ``deep=False`` reads only the leaf (dates, names, issuer): about 10x cheaper, so a
    table of 10,000 Secrets is sorted quickly; the chain and key checks follow later.
    A stored Secret (``stored.py``) was checked when it was stored: its content is
    returned as it is."""
    stored = stored_info(secret)
    if stored is not None:
        return stored
    data = (secret.get("data") if isinstance(secret, dict) else None) or {}
    if not isinstance(data, dict):
        return CertInfo(problems=("Secret data is not a map",))
    problems: list[str] = []
    crt, p = decode_data(data.get("tls.crt"))
    if p:
        problems.append(f"tls.crt is {p}")
    key, p = decode_data(data.get("tls.key"))
    key_present = "tls.key" in data
    if p:
        problems.append(f"tls.key is {p}")
    ca_value = data.get("ca.crt")
    ca_certs, p = _ca_b64(ca_value) if isinstance(ca_value, str) else _ca_other(ca_value)
    if p:
        problems.append(f"ca.crt is {p}")
    if "tls.crt" not in data:
        problems.append("tls.crt is missing")
        return CertInfo(problems=tuple(problems))
    try:
        info = _parse(crt, key, ca_certs, key_present=key_present, deep=deep)
    except Exception as exc:  # a parser edge case is a problem, not a crash
        # the exception's type only: its text could quote the key material
        return CertInfo(problems=(*problems,
                                  f"unreadable: tls.crt could not be parsed "
                                  f"({type(exc).__name__})"))
    if problems:
        info = _with_problems(info, problems)
    return info


@lru_cache(maxsize=64)
def _ca_b64(value: str) -> tuple[tuple[x509.Certificate, ...], str | None]:
    """``ca.crt`` as the Secret holds it (base64) -> its certificates: the same root in
    every Secret of an issuer, decoded and loaded once (public data, unlike tls.key)."""
    return _ca_other(value)


def _ca_other(value: Any) -> tuple[tuple[x509.Certificate, ...], str | None]:
    ca, problem = decode_data(value)
    return (_load_ca(ca) if ca and ca.strip() else ()), problem


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


_BEGIN_CERT = b"-----BEGIN CERTIFICATE-----"
_END_CERT = b"-----END CERTIFICATE-----"


def _pem_cert_blocks(data: bytes) -> list[bytes]:
    """``_PEM_CERT.findall(data)`` with ``bytes.find``: the lazy ``.*?`` of the expression
    tries the end marker at every byte (30 us for an RSA bundle, 2 us this way)."""
    blocks: list[bytes] = []
    pos = data.find(_BEGIN_CERT)
    while pos >= 0:
        after = pos + len(_BEGIN_CERT)
        if after >= len(data) or data[after] not in b" \t\r\n\x0b\x0c":
            pos = data.find(_BEGIN_CERT, after)  # the expression wants whitespace here
            continue
        end = data.find(_END_CERT, after + 1)
        if end < 0:
            break
        blocks.append(data[pos:end + len(_END_CERT)])
        pos = data.find(_BEGIN_CERT, end + len(_END_CERT))
    return blocks


def _load_leaf_block(block: bytes) -> tuple[x509.Certificate, bytes | None]:
    """The first certificate of a bundle, and its DER when the block decoded plainly.

    Not cached (every Secret's leaf is its own). Why the DER: chain and key checks read the
    issuer Name and the public key from it (``der.py``) instead of building objects."""
    der = pem_body(block)
    if der is not None:
        try:
            return x509.load_der_x509_certificate(der), der
        except (ValueError, TypeError, UnsupportedAlgorithm):
            pass  # let the PEM loader judge (and word) it
    return x509.load_pem_x509_certificate(block), None


def _load_certs(crt: bytes, leaf_der: list[bytes] | None = None
                ) -> tuple[list[x509.Certificate], str, list[str]]:
    """All certificates in ``crt`` (PEM blocks, else DER); (certs, encoding, problems).
    ``leaf_der``, when given, receives the first certificate's DER (if it was read)."""
    problems: list[str] = []
    blocks = _pem_cert_blocks(crt)
    kinds: set[str] = set()
    if b"PRIVATE KEY" in crt or not blocks:  # the scan only when it can find something
        kinds = {m.decode("ascii", "replace") for m in _PEM_ANY.findall(crt)}
    if any("PRIVATE KEY" in k for k in kinds):
        problems.append("tls.crt contains a private key (it belongs in tls.key only)")
    if blocks:
        certs: list[x509.Certificate] = []
        for i, block in enumerate(blocks, 1):
            try:
                if i == 1 and leaf_der is not None:
                    leaf, der = _load_leaf_block(block)
                    certs.append(leaf)
                    if der is not None:
                        leaf_der.append(der)
                else:
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
    if leaf_der is not None:
        leaf_der.append(crt)
    return [cert], "DER", problems


@lru_cache(maxsize=64)
def _load_ca(ca: bytes) -> tuple[x509.Certificate, ...]:
    """The certificates of a ``ca.crt``: the same root in every Secret of an issuer, so
    it is read once (public data; the key is never cached)."""
    return tuple(_load_certs(ca)[0])


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


@lru_cache(maxsize=_CACHE)  # issuers (leaves go through _Leaf)
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
    """:func:`_decide_issued_by`, cached: an issuer's own chain is judged once, not per
    Secret (leaves take ``_leaf_issued_by``)."""
    return _decide_issued_by(child, parent)


def _decide_issued_by(child: x509.Certificate, parent: x509.Certificate) -> bool:
    """Whether ``parent`` issued ``child``, as chain building decides it (RFC 4158): the
    child's issuer Name equals the parent's subject Name, byte for byte, and where both
    carry key identifiers, the child's authority key id is the parent's subject key id (a
    CA re-created under the same name with a new key does not match). Only when key ids
    are missing does the signature decide (a verification costs far more than the
    comparison, and every Secret's leaf is new)."""
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


@dataclass(frozen=True, slots=True)
class _Leaf:
    """The leaf of a bundle and the facts the checks need from it, read once: its encoded
    issuer, subject and public key (``der.py``, None when its DER was not at hand) and its
    key identifiers (from the one pass over its extensions).

    Why: every Secret has its own leaf. The cached helpers above (``_issued_by``,
    ``_key_ids``, ``_names``) are for issuers, which repeat; a leaf must pass through
    without being pinned in their caches, and without rebuilding what was already read."""

    cert: x509.Certificate
    issuer: bytes | None = None
    subject: bytes | None = None
    spki: bytes | None = None
    aki: bytes | None = None
    ski: bytes | None = None
    #: the public key as ``der.spki_public_id`` reads it
    public: PublicId | None = None


def _leaf_issued_by(leaf: _Leaf, parent: x509.Certificate, subject: bytes | None,
                    ski: bytes | None) -> bool:
    """``_issued_by(leaf.cert, parent)`` from the leaf's facts and the parent's encoded
    subject and subject key id (the same rules; nothing cached for the leaf)."""
    if leaf.issuer is None or subject is None:
        return _decide_issued_by(leaf.cert, parent)
    if leaf.issuer != subject:
        return False
    if leaf.aki is not None and ski is not None:
        return leaf.aki == ski
    try:
        leaf.cert.verify_directly_issued_by(parent)
    except (InvalidSignature, ValueError, TypeError, UnsupportedAlgorithm):
        return False
    return True


def _issuer_link(leaf: _Leaf, child: x509.Certificate, parent: x509.Certificate) -> bool:
    """Whether ``parent`` issued ``child``: the leaf from its facts, issuers cached."""
    if child is not leaf.cert:
        return _issued_by(child, parent)
    if parent is leaf.cert:
        return _leaf_issued_by(leaf, parent, leaf.subject, leaf.ski)
    names = _names(parent)
    return _leaf_issued_by(leaf, parent, names[1] if names else None, _key_ids(parent)[1])


def _chain(certs: list[x509.Certificate], ca: Sequence[x509.Certificate], leaf: _Leaf
           ) -> tuple[bool | None, bool | None, list[str]]:
    """(complete, ordered, problems) for the certificates of tls.crt (``leaf`` first)."""
    problems: list[str] = []
    ordered = all(_issuer_link(leaf, certs[i], certs[i + 1]) for i in range(len(certs) - 1))
    if not ordered:
        problems.append("chain in tls.crt is not in order (leaf first, then each issuer)")
    last = certs[-1] if ordered else _chain_end(certs, leaf)
    if _issuer_link(leaf, last, last):
        return True, ordered, problems
    if ca:
        if any(_issuer_link(leaf, last, c) for c in ca):
            return True, ordered, problems
        problems.append(f"chain incomplete: issuer {_issuer_text(last)[1]}"
                        " is neither in tls.crt nor in ca.crt")
        return False, ordered, problems
    # no ca.crt: the last issuer may be a root in the clients' trust store -- cannot tell
    return None, ordered, problems


def _chain_end(certs: list[x509.Certificate], leaf: _Leaf) -> x509.Certificate:
    """Follow issuers from the leaf as far as the bundle allows (for unordered bundles)."""
    current = certs[0]
    seen = {id(current)}
    while True:
        nxt = next((c for c in certs
                    if id(c) not in seen and _issuer_link(leaf, current, c)), None)
        if nxt is None:
            return current
        seen.add(id(nxt))
        current = nxt


#: issuer Name (encoded) -> (RFC 4514 text, common name or that text): 10,000 leaves
#: usually name a handful of issuers. Bounded like the other caches.
_ISSUER_TEXTS: dict[bytes, tuple[str, str]] = {}


def _issuer_text(cert: x509.Certificate, encoded: bytes | None = None) -> tuple[str, str]:
    """(issuer as RFC 4514 text, issuer CN or that text) of ``cert``."""
    if encoded is not None:
        cached = _ISSUER_TEXTS.get(encoded)
        if cached is not None:
            return cached
    issuer = cert.issuer
    text = _name_str(issuer)
    out = (text, _cn(issuer) or text)
    if encoded is not None:
        if len(_ISSUER_TEXTS) >= _CACHE:
            _ISSUER_TEXTS.clear()
        _ISSUER_TEXTS[encoded] = out
    return out


#: named curves by their OID's encoding, as the library names them
_CURVES = {bytes.fromhex("06082a8648ce3d030107"): ("secp256r1", 256),
           bytes.fromhex("06052b81040022"): ("secp384r1", 384),
           bytes.fromhex("06052b81040023"): ("secp521r1", 521)}


def _leaf_key_desc(leaf: _Leaf) -> tuple[str, int | None]:
    """``_key_desc`` of the leaf from its encoded public key where that is RSA or a common
    curve (the library's answer otherwise)."""
    public = leaf.public
    if public is not None:
        if public[0] == "rsa":
            return "RSA", int.from_bytes(public[1], "big").bit_length()
        curve = _CURVES.get(public[1])
        if curve is not None:
            return f"ECDSA {curve[0]}", curve[1]
    return _key_desc(leaf.cert)


def _read_leaf(cert: x509.Certificate, der: bytes | None, problems: list[str]
               ) -> tuple[_Leaf, tuple[str, ...], tuple[str, ...], bool]:
    """The leaf's facts, DNS names, IP addresses and CA flag, its extensions read in one
    pass (each ``get_extension_for_class`` walks them again)."""
    dns: tuple[str, ...] = ()
    ips: tuple[str, ...] = ()
    is_ca = False
    aki = ski = None
    try:
        for ext in cert.extensions:
            value = ext.value
            if isinstance(value, x509.SubjectAlternativeName):
                dns = tuple(value.get_values_for_type(x509.DNSName))
                ips = tuple(str(ip) for ip in value.get_values_for_type(x509.IPAddress))
            elif isinstance(value, x509.BasicConstraints):
                is_ca = bool(value.ca)
            elif isinstance(value, x509.AuthorityKeyIdentifier):
                aki = value.key_identifier
            elif isinstance(value, x509.SubjectKeyIdentifier):
                ski = value.digest
    except (ValueError, TypeError):
        dns, ips, is_ca, aki, ski = (), (), False, None, None
        problems.append("subjectAltName extension is malformed")
    parts = certificate_parts(der) if der is not None else None
    if parts is None:
        return _Leaf(cert, aki=aki, ski=ski), dns, ips, is_ca
    return (_Leaf(cert, parts[0], parts[1], parts[2], aki, ski, spki_public_id(parts[2])),
            dns, ips, is_ca)


def parse_tls(crt: bytes | None, key: bytes | None = None, ca: bytes | None = None,
              *, key_present: bool = True, deep: bool = True) -> CertInfo:
    """Parse raw ``tls.crt`` (PEM bundle or DER), optional ``tls.key`` and ``ca.crt``."""
    return _parse(crt, key, _load_ca(ca) if ca and ca.strip() else (),
                  key_present=key_present, deep=deep)


def _parse(crt: bytes | None, key: bytes | KeyFacts | None,
           ca_certs: Sequence[x509.Certificate], *, key_present: bool, deep: bool) -> CertInfo:
    """:func:`parse_tls` with ``ca.crt`` already loaded; ``key`` decoded, or already
    reduced to its facts (a stored Secret)."""
    problems: list[str] = []
    if crt is None or not crt.strip():
        return CertInfo(problems=("tls.crt is empty",))
    leaf_der: list[bytes] = []
    certs, encoding, load_problems = _load_certs(crt, leaf_der)
    problems += load_problems
    if not certs:
        return CertInfo(encoding=encoding, problems=tuple(problems))
    leaf, dns, ips, is_ca = _read_leaf(certs[0], leaf_der[0] if leaf_der else None, problems)
    cert = leaf.cert
    if not dns and not ips:
        problems.append("no subjectAltName: browsers and Go clients ignore the CN")
    key_type, key_size = _leaf_key_desc(leaf)
    complete: bool | None = None
    ordered: bool | None = None
    if deep:
        complete, ordered, chain_problems = _chain(certs, ca_certs, leaf)
        problems += chain_problems
    matches: bool | None = None
    if key is not None and deep:
        facts = key if isinstance(key, KeyFacts) else key_facts(key)
        matches, p = key_matches(facts, cert, leaf.public)
        if p:
            problems.append(p)
    elif not key_present:
        problems.append("tls.key is missing")
    subject = cert.subject
    issuer, issuer_cn = _issuer_text(cert, leaf.issuer)
    return CertInfo(
        subject=_name_str(subject),
        common_name=_cn(subject),
        issuer=issuer,
        issuer_cn=issuer_cn,
        serial=format(cert.serial_number, "x"),
        not_before=_utc(cert.not_valid_before_utc),
        not_after=_utc(cert.not_valid_after_utc),
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
