"""Raw DER fields of X.509 certificates and private keys: just enough DER to skip work.

Why: the chain/key checks of 10,000 TLS Secrets (#25) spent most of their time building
``cryptography`` objects to compare things that are plain bytes in the encoding:

* chain links compare a child's issuer with a parent's subject: the encoded Names are equal
  for the chains issuers actually produce (an issuer copies its subject's encoding into what
  it signs);
* the key check compares ``tls.key``'s public half with the certificate's public key: an RSA
  private key (PKCS #1, RFC 8017 A.1.2) carries its modulus and public exponent, an EC one
  (SEC 1, RFC 5915) usually its public point, and the certificate's subjectPublicKeyInfo
  (RFC 5280 4.1) holds the same values.

Everything here returns None for anything it does not expect, and callers then ask the
library, so an odd certificate or key costs time, never a wrong answer. Only TLV headers are
walked; nothing is kept (the key's public half is compared and dropped by the caller).
"""

from __future__ import annotations

import binascii
from functools import lru_cache

_SEQUENCE = 0x30
_VERSION = 0xA0  # [0] EXPLICIT Version, optional
_INTEGER = 0x02
_BIT_STRING = 0x03
_OCTET_STRING = 0x04
_OID = 0x06
_CTX0, _CTX1 = 0xA0, 0xA1

#: DER of the algorithm OIDs (tag and length included)
RSA_ENCRYPTION = bytes.fromhex("06092a864886f70d010101")  # 1.2.840.113549.1.1.1
EC_PUBLIC_KEY = bytes.fromhex("06072a8648ce3d0201")  # 1.2.840.10045.2.1

#: a public key as compared: ("rsa", modulus, exponent) or ("ec", curve OID, point), each a
#: DER value (INTEGERs are minimal in DER, so equal numbers are equal bytes)
PublicId = tuple[str, bytes, bytes]


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


def _children(data: bytes, start: int, end: int, most: int) -> list[tuple[int, int, int, int]]:
    """Up to ``most`` TLVs in ``data[start:end]``: (tag, TLV start, value start, end);
    stops at the first one that does not parse."""
    out: list[tuple[int, int, int, int]] = []
    pos = start
    while pos < end and len(out) < most:
        tlv = _header(data, pos)
        if tlv is None or tlv[2] > end:
            break
        out.append((tlv[0], pos, tlv[1], tlv[2]))
        pos = tlv[2]
    return out


def _tbs_fields(tbs: bytes, start: int, end: int) -> list[tuple[int, int, int, int]] | None:
    """serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo of the
    TBSCertificate whose value is ``tbs[start:end]``."""
    fields = _children(tbs, start, end, 7)
    if fields and fields[0][0] == _VERSION:
        fields = fields[1:]
    if len(fields) < 6 or fields[0][0] != _INTEGER or any(
            f[0] != _SEQUENCE for f in fields[1:6]):
        return None
    return fields


@lru_cache(maxsize=512)  # issuers repeat, leaves pass through (see x509info)
def issuer_and_subject(tbs: bytes) -> tuple[bytes, bytes] | None:
    """The encoded issuer and subject Names (tag and length included) of a TBSCertificate
    (``Certificate.tbs_certificate_bytes``), or None when it is not shaped as expected."""
    outer = _header(tbs, 0)
    if outer is None or outer[0] != _SEQUENCE:
        return None
    fields = _tbs_fields(tbs, outer[1], outer[2])
    if fields is None:
        return None
    issuer, subject = fields[2], fields[4]
    return tbs[issuer[1]:issuer[3]], tbs[subject[1]:subject[3]]


def certificate_parts(der: bytes) -> tuple[bytes, bytes, bytes] | None:
    """(issuer Name, subject Name, subjectPublicKeyInfo), each encoded with tag and length,
    of a DER Certificate -- without re-encoding anything (``tbs_certificate_bytes`` does)."""
    outer = _header(der, 0)
    if outer is None or outer[0] != _SEQUENCE:
        return None
    tbs = _header(der, outer[1])
    if tbs is None or tbs[0] != _SEQUENCE:
        return None
    fields = _tbs_fields(der, tbs[1], tbs[2])
    if fields is None:
        return None
    issuer, subject, spki = fields[2], fields[4], fields[5]
    return (der[issuer[1]:issuer[3]], der[subject[1]:subject[3]], der[spki[1]:spki[3]])


def _rsa_public(data: bytes, start: int, end: int) -> PublicId | None:
    """(n, e) of an RSAPublicKey or the start of an RSAPrivateKey (after its version)."""
    ints = _children(data, start, end, 2)
    if len(ints) < 2 or ints[0][0] != _INTEGER or ints[1][0] != _INTEGER:
        return None
    return ("rsa", data[ints[0][2]:ints[0][3]], data[ints[1][2]:ints[1][3]])


def spki_public_id(spki: bytes) -> PublicId | None:
    """The RSA or EC public key of an encoded subjectPublicKeyInfo."""
    outer = _header(spki, 0)
    if outer is None or outer[0] != _SEQUENCE:
        return None
    parts = _children(spki, outer[1], outer[2], 2)
    if len(parts) != 2 or parts[0][0] != _SEQUENCE or parts[1][0] != _BIT_STRING:
        return None
    alg = _children(spki, parts[0][2], parts[0][3], 2)
    bits = spki[parts[1][2]:parts[1][3]]
    if not alg or not bits or bits[0] != 0:
        return None
    oid = spki[alg[0][1]:alg[0][3]]
    if oid == RSA_ENCRYPTION:
        inner = _header(bits, 1)
        if inner is None or inner[0] != _SEQUENCE:
            return None
        return _rsa_public(bits, inner[1], inner[2])
    if oid == EC_PUBLIC_KEY and len(alg) == 2 and alg[1][0] == _OID:
        return ("ec", spki[alg[1][1]:alg[1][3]], bits[1:])
    return None


def _ec_private_public(data: bytes, start: int, end: int,
                       curve: bytes | None) -> PublicId | None:
    """The curve and public point an ECPrivateKey (RFC 5915) carries; ``curve`` is the
    PKCS #8 algorithm's parameter when the key sits in one."""
    fields = _children(data, start, end, 4)
    if len(fields) < 2 or fields[0][0] != _INTEGER or fields[1][0] != _OCTET_STRING:
        return None
    point = None
    for tag, _, vstart, vend in fields[2:]:
        inner = _header(data, vstart)
        if inner is None or inner[2] != vend:
            return None
        if tag == _CTX0 and inner[0] == _OID:
            curve = data[vstart:vend]
        elif tag == _CTX1 and inner[0] == _BIT_STRING:
            bits = data[inner[1]:inner[2]]
            if not bits or bits[0] != 0:
                return None
            point = bits[1:]
    if curve is None or not point:
        return None
    return ("ec", curve, point)


def private_key_public_id(der: bytes) -> PublicId | None:
    """The public half an unencrypted PKCS #1 RSA, SEC 1 EC or PKCS #8 (RSA/EC) private key
    carries in its encoding, or None (another algorithm, no public point, not shaped as
    expected: the caller loads the key with the library then)."""
    outer = _header(der, 0)
    if outer is None or outer[0] != _SEQUENCE or outer[2] != len(der):
        return None
    fields = _children(der, outer[1], outer[2], 3)
    if len(fields) < 3 or fields[0][0] != _INTEGER:
        return None
    version = der[fields[0][2]:fields[0][3]]
    if fields[1][0] == _INTEGER and fields[2][0] == _INTEGER and version == b"\x00":
        return _rsa_public(der, fields[1][1], outer[2])  # PKCS #1 RSAPrivateKey
    if fields[1][0] == _OCTET_STRING and version == b"\x01":
        return _ec_private_public(der, outer[1], outer[2], None)  # SEC 1 ECPrivateKey
    if fields[1][0] == _SEQUENCE and fields[2][0] == _OCTET_STRING \
            and version in (b"\x00", b"\x01"):  # PKCS #8 PrivateKeyInfo
        alg = _children(der, fields[1][2], fields[1][3], 2)
        if not alg:
            return None
        oid = der[alg[0][1]:alg[0][3]]
        inner = _header(der, fields[2][2])
        if inner is None or inner[0] != _SEQUENCE or inner[2] != fields[2][3]:
            return None
        if oid == RSA_ENCRYPTION:
            rsa_fields = _children(der, inner[1], inner[2], 1)
            if not rsa_fields or der[rsa_fields[0][2]:rsa_fields[0][3]] != b"\x00":
                return None
            return _rsa_public(der, rsa_fields[0][3], inner[2])
        if oid == EC_PUBLIC_KEY:
            curve = der[alg[1][1]:alg[1][3]] if len(alg) == 2 and alg[1][0] == _OID else None
            return _ec_private_public(der, inner[1], inner[2], curve)
    return None


def pem_body(block: bytes) -> bytes | None:
    """The DER inside one PEM block (``-----BEGIN X-----`` ... ``-----END X-----``) without
    headers (encrypted legacy PEM has ``Proc-Type:`` lines: None, the library decides)."""
    start = block.find(b"-----", block.find(b"-----BEGIN") + 10)
    end = block.rfind(b"-----END")
    if start < 0 or end < 0 or end <= start:
        return None
    body = block[start + 5:end]
    if b":" in body:
        return None
    try:
        return binascii.a2b_base64(body, strict_mode=False)
    except binascii.Error:
        return None


def pem_private_key(data: bytes) -> bytes | None:
    """The DER of the one unencrypted private key PEM block in ``data`` (``RSA PRIVATE
    KEY``, ``EC PRIVATE KEY`` or ``PRIVATE KEY``), None for anything else."""
    if data.count(b"-----BEGIN") - data.count(b"-----BEGIN EC PARAMETERS") != 1:
        return None
    for label in (b"RSA PRIVATE KEY", b"EC PRIVATE KEY", b"PRIVATE KEY"):
        begin = data.find(b"-----BEGIN " + label + b"-----")
        if begin >= 0:
            end = data.find(b"-----END " + label + b"-----", begin)
            if end < 0:
                return None
            return pem_body(data[begin:end + len(label) + 14])
    return None


def _tlv(tag: int, value: bytes) -> bytes:
    """One DER TLV (definite length)."""
    size = len(value)
    if size < 0x80:
        return bytes((tag, size)) + value
    length = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes((tag, 0x80 | len(length))) + length + value


def public_id_spki(public: PublicId) -> bytes:
    """The subjectPublicKeyInfo (RFC 5280 4.1; RFC 3279 2.3.1 for RSA, RFC 5480 for EC) of
    a :data:`PublicId`, for the library to read and normalise when two readings differ."""
    kind, first, second = public
    if kind == "rsa":
        alg = _tlv(_SEQUENCE, RSA_ENCRYPTION + b"\x05\x00")
        key = _tlv(_SEQUENCE, _tlv(_INTEGER, first) + _tlv(_INTEGER, second))
    else:
        alg = _tlv(_SEQUENCE, EC_PUBLIC_KEY + first)
        key = second
    return _tlv(_SEQUENCE, alg + _tlv(_BIT_STRING, b"\x00" + key))
