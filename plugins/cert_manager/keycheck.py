"""The ``tls.key`` check with nothing private kept: the key is read once, reduced to its
public half, and dropped.

Why: the pane's Secrets cache would otherwise keep every private key of the cluster in
this process for as long as the pane is open (10,000 keys, ~12 MB of base64 in the bench),
only to compare each key's public half with its certificate's once. :func:`key_facts` reads
that public half when the Secret is stored (``stored.py``, the cache's transform); the
check (:func:`key_matches`) later compares it with the certificate's.

What is kept (:class:`KeyFacts`) is public: an RSA key's modulus and exponent, an EC key's
curve and point (``der.py``), or, for any other key the library reads, its
subjectPublicKeyInfo -- what the matching certificate publishes anyway. A problem is kept as
its wording, never with key material in it (exception types only, as before).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization

from .der import PublicId, pem_private_key, private_key_public_id, public_id_spki


@dataclass(frozen=True, slots=True)
class KeyFacts:
    """What the check needs of one decoded ``tls.key``: a problem (the key cannot be
    compared: empty, encrypted, unreadable), else its public half -- ``public`` as
    ``der.py`` reads it, or ``spki`` (DER subjectPublicKeyInfo) from the library for keys
    ``der.py`` does not read (Ed25519, PKCS #8 of other algorithms, EC without its point)."""

    problem: str | None = None
    public: PublicId | None = None
    spki: bytes | None = None


def _spki(pub: Any) -> bytes:
    return pub.public_bytes(serialization.Encoding.DER,
                            serialization.PublicFormat.SubjectPublicKeyInfo)


def key_facts(key: bytes) -> KeyFacts:
    """Reduce a decoded ``tls.key`` (PEM or DER) to :class:`KeyFacts`; the caller drops
    the key. Cheap for the usual keys (RSA PKCS #1, EC SEC 1, PKCS #8 of either: their
    encoding carries the public half, ~20 us); the library loads the others."""
    if not key.strip():
        return KeyFacts(problem="tls.key is empty")
    der = pem_private_key(key) if b"-----BEGIN" in key else key
    public = private_key_public_id(der) if der is not None else None
    del der
    if public is not None:
        return KeyFacts(public=public)
    try:
        # only the public half is wanted, never used to sign: skip OpenSSL's RSA
        # consistency check (p*q = n ...), 50+ ms per 2048-bit key on this machine. A key
        # whose public half matches but whose private half is corrupt is not this check's
        # business (the TLS server fails its handshake and says so).
        if b"-----BEGIN" in key:
            private = serialization.load_pem_private_key(
                key, password=None, unsafe_skip_rsa_key_validation=True)
        else:
            private = serialization.load_der_private_key(
                key, password=None, unsafe_skip_rsa_key_validation=True)
    except TypeError:
        return KeyFacts(problem="tls.key is encrypted (ingress controllers need it unencrypted)")
    except (ValueError, UnsupportedAlgorithm):
        return KeyFacts(problem="tls.key is not a readable private key")
    try:
        return KeyFacts(spki=_spki(private.public_key()))
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return KeyFacts(problem="cannot compare tls.key with the certificate")
    finally:
        del private


def key_matches(facts: KeyFacts, cert: x509.Certificate, cert_public: PublicId | None
                ) -> tuple[bool | None, str | None]:
    """(matches, problem): the key's public half against the certificate's.

    Equal ``der.py`` readings (``cert_public`` is the certificate's) mean the key is the
    certificate's, as the library would say too (it compares the same public half). Anything
    else is decided by the library on both sides' subjectPublicKeyInfo (it normalises
    encodings, e.g. a compressed EC point), so a mismatch is never reported from our
    parsing alone."""
    if facts.problem is not None:
        return None, facts.problem
    if facts.public is not None and facts.public == cert_public:
        return True, None
    try:
        mine = facts.spki if facts.spki is not None else (
            _spki(serialization.load_der_public_key(public_id_spki(facts.public)))
            if facts.public is not None else None)
        if mine is None:
            return None, "cannot compare tls.key with the certificate"
        same = mine == _spki(cert.public_key())
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return None, "cannot compare tls.key with the certificate"
    return same, None if same else "tls.key does not match the certificate"
