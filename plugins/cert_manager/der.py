"""Raw DER fields of an X.509 certificate: the issuer and subject Names as bytes.

Why: chain checks compare a child's issuer with a parent's subject for every Secret (10,000
Secrets usually share one intermediate). Building ``cryptography`` Name objects for that was
most of the certificate checks' time (#25); comparing the encoded Names is exact for the
chains issuers actually produce (an issuer copies its subject's encoding into what it
signs) and costs a slice. Only the few TLV headers in front of the subject are walked.

``cryptography`` still parses everything else; this module knows just enough DER to find
two fields in a TBSCertificate (RFC 5280, 4.1) and returns None for anything unexpected,
so callers fall back to the library.
"""

from __future__ import annotations

from functools import lru_cache

_SEQUENCE = 0x30
_VERSION = 0xA0  # [0] EXPLICIT Version, optional
_INTEGER = 0x02


def _header(data: bytes, pos: int) -> tuple[int, int, int] | None:
    """(tag, start of the value, end of the value) of the TLV at ``pos``; None if cut."""
    if pos + 2 > len(data):
        return None
    tag, first = data[pos], data[pos + 1]
    pos += 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or pos + count > len(data):
            return None  # indefinite lengths are not DER
        length = int.from_bytes(data[pos:pos + count], "big")
        pos += count
    end = pos + length
    return (tag, pos, end) if end <= len(data) else None


@lru_cache(maxsize=512)  # issuers repeat, leaves pass through (see x509info)
def issuer_and_subject(tbs: bytes) -> tuple[bytes, bytes] | None:
    """The encoded issuer and subject Names (tag and length included) of a TBSCertificate
    (``Certificate.tbs_certificate_bytes``), or None when it is not shaped as expected."""
    outer = _header(tbs, 0)
    if outer is None or outer[0] != _SEQUENCE:
        return None
    pos, end = outer[1], outer[2]
    fields: list[tuple[int, int, int]] = []
    while pos < end and len(fields) < 6:
        tlv = _header(tbs, pos)
        if tlv is None:
            return None
        fields.append((tlv[0], pos, tlv[2]))
        pos = tlv[2]
    if fields and fields[0][0] == _VERSION:
        fields = fields[1:]
    # serialNumber, signature, issuer, validity, subject
    if len(fields) < 5 or fields[0][0] != _INTEGER or any(
            f[0] != _SEQUENCE for f in fields[1:5]):
        return None
    issuer, subject = fields[2], fields[4]
    return tbs[issuer[1]:issuer[2]], tbs[subject[1]:subject[2]]
