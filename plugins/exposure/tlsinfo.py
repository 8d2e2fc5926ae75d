"""The leaf certificate of a TLS Secret or of a TLS handshake, reduced to what the exposure
checks compare: SHA-256 fingerprint, validity end, names. Only certificate metadata is
read; ``tls.key`` is never touched (docs/untrusted-text.md, "Secret data").

A Secret's ``tls.crt`` is parsed by the certificates pane's own parser
(``cert_manager.x509info.parse_tls``, leaf only, no key): the days left here are the days
left there, the same leaf picked from the same bundle. The certificates plugin is imported
directly (a pure, Textual-free module), as the ingress entries import this package: the api
cannot re-export plugin code (the core imports no plugin). Only the fingerprint the probe
compares is computed here, from the leaf's DER bytes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from cryptography import x509
from cryptography.x509.oid import NameOID

from k8s_essentials_tui.plugins.cert_manager.x509info import parse_tls

_PEM = re.compile(rb"-----BEGIN CERTIFICATE-----\s.*?-----END CERTIFICATE-----", re.DOTALL)


@dataclass(frozen=True)
class Leaf:
    fingerprint: str
    not_after: datetime
    not_before: datetime
    common_name: str
    dns_names: tuple[str, ...]
    issuer_cn: str

    def covers(self, host: str) -> bool:
        """The certificate names ``host`` (exactly or by a one-label wildcard)."""
        host = host.lower().rstrip(".")
        for name in self.dns_names or ((self.common_name,) if self.common_name else ()):
            name = name.lower().rstrip(".")
            if name == host:
                return True
            if name.startswith("*.") and "." in host and host.split(".", 1)[1] == name[2:]:
                return True
        return False


def _cn(name: x509.Name) -> str:
    attrs = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    value = attrs[0].value if attrs else ""
    return value if isinstance(value, str) else value.decode(errors="replace")


def from_der(der: bytes) -> Leaf:
    cert = x509.load_der_x509_certificate(der)
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        names = tuple(san.value.get_values_for_type(x509.DNSName))
    except x509.ExtensionNotFound:
        names = ()
    return Leaf(fingerprint=hashlib.sha256(der).hexdigest(),
                not_after=cert.not_valid_after_utc, not_before=cert.not_valid_before_utc,
                common_name=_cn(cert.subject), dns_names=names, issuer_cn=_cn(cert.issuer))


def from_secret(secret: Mapping[str, Any]) -> tuple[Leaf | None, str | None]:
    """(leaf of ``tls.crt``, problem): the first certificate of the chain."""
    data = secret.get("data")
    raw = data.get("tls.crt") if isinstance(data, Mapping) else None
    if not isinstance(raw, str) or not raw:
        return None, "tls.crt is empty"
    return _from_b64(raw)


@lru_cache(maxsize=4096)
def _from_b64(raw: str) -> tuple[Leaf | None, str | None]:
    """Parsed once per distinct ``tls.crt`` (every rebuild of the rows asks again)."""
    try:
        crt = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        return None, "tls.crt is not valid base64"
    try:
        info = parse_tls(crt, deep=False)  # the leaf only; the key is not passed
    except Exception as exc:  # a parser edge case is a problem, not a crash
        return None, f"tls.crt does not parse ({type(exc).__name__})"
    if info.not_after is None or info.not_before is None:
        why = next((p for p in info.problems if "subjectAltName" not in p), "no certificate")
        return None, f"tls.crt does not parse: {why[:80]}"
    return Leaf(fingerprint=_leaf_fingerprint(crt), not_after=info.not_after,
                not_before=info.not_before, common_name=info.common_name,
                dns_names=info.dns_names, issuer_cn=info.issuer_cn), None


def _leaf_fingerprint(crt: bytes) -> str:
    """SHA-256 of the first certificate's DER (the leaf parse_tls reads): a PEM block's
    body is that DER in base64, so no second X.509 parse is needed."""
    match = _PEM.search(crt)
    if match is None:
        return hashlib.sha256(crt).hexdigest()  # DER as it is
    body = b"".join(match.group(0).splitlines()[1:-1])
    return hashlib.sha256(base64.b64decode(body)).hexdigest()
