"""der.py: the encoded fields the chain/key checks compare agree with the library, never
raise on any bytes, and anything unexpected falls back to the library (#25)."""

from __future__ import annotations

import re

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from hypothesis import given, settings
from hypothesis import strategies as st

from k8s_essentials_tui.plugins.cert_manager import der, x509info
from k8s_essentials_tui.plugins.cert_manager.x509info import parse_tls
from tests import cert_fixtures as f

_RSA = rsa.generate_private_key(public_exponent=65537, key_size=2048)
_RSA_OTHER = rsa.generate_private_key(public_exponent=65537, key_size=2048)
_P384 = ec.generate_private_key(ec.SECP384R1())
_FORMATS = (serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.PrivateFormat.PKCS8)
Key = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey


def _spki(key: Key) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.DER,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)


def _private_der(key: Key, fmt: serialization.PrivateFormat) -> bytes:
    return key.private_bytes(serialization.Encoding.DER, fmt, serialization.NoEncryption())


def test_certificate_parts_match_the_library() -> None:
    for cert in (f.ROOT.cert, f.INTERMEDIATE.cert, f.leaf("x.test", 3).cert):
        raw = cert.public_bytes(serialization.Encoding.DER)
        assert der.certificate_parts(raw) == (
            cert.issuer.public_bytes(), cert.subject.public_bytes(),
            cert.public_key().public_bytes(serialization.Encoding.DER,
                                           serialization.PublicFormat.SubjectPublicKeyInfo))
    assert der.certificate_parts(f.ROOT.cert.tbs_certificate_bytes) is None


def test_a_private_keys_public_half_is_the_certificates() -> None:
    """RSA (PKCS #1 and #8) and EC (SEC 1 and PKCS #8, two curves): the public half read
    from the key's encoding equals the one read from its SubjectPublicKeyInfo, and differs
    from another key's."""
    ec_key = f.INTERMEDIATE.key
    for key, other in ((_RSA, _RSA_OTHER), (ec_key, f.ROOT.key), (_P384, ec_key)):
        mine = der.spki_public_id(_spki(key))
        assert mine is not None
        assert mine != der.spki_public_id(_spki(other))
        for fmt in _FORMATS:
            assert der.private_key_public_id(_private_der(key, fmt)) == mine
            pem = key.private_bytes(serialization.Encoding.PEM, fmt,
                                    serialization.NoEncryption())
            block = der.pem_private_key(pem)
            assert block is not None and der.private_key_public_id(block) == mine


def test_other_keys_are_left_to_the_library() -> None:
    """Ed25519 (no public half in a PKCS #8 v1 key), encrypted PEM and garbage give None: the
    caller asks the library, which matches, refuses or words the problem."""
    ed = ed25519.Ed25519PrivateKey.generate()
    assert der.private_key_public_id(_private_der(ed, serialization.PrivateFormat.PKCS8)) \
        is None
    encrypted = _RSA.private_bytes(serialization.Encoding.PEM,
                                   serialization.PrivateFormat.PKCS8,
                                   serialization.BestAvailableEncryption(b"pw"))
    assert der.pem_private_key(encrypted) is None
    legacy = _RSA.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.BestAvailableEncryption(b"pw"))
    assert der.pem_private_key(legacy) is None  # Proc-Type/DEK-Info headers
    assert der.pem_private_key(b"no pem here") is None


def test_key_checks_on_the_fast_path_and_off_it_agree() -> None:
    """A matching key is found on the encodings; a key of another certificate is judged
    by the library (still "does not match"), and so is an encrypted one."""
    kp = f.leaf("fast.test", 20)
    crt = kp.cert_pem + f.INTERMEDIATE.cert_pem
    for fmt in _FORMATS:
        pem = kp.key.private_bytes(serialization.Encoding.PEM, fmt,
                                   serialization.NoEncryption())
        assert parse_tls(crt, pem, f.ROOT.cert_pem).key_matches is True
    info = parse_tls(crt, f.leaf("other.test", 20).key_pem, f.ROOT.cert_pem)
    assert info.key_matches is False
    assert "tls.key does not match the certificate" in info.problems


def test_pem_blocks_are_found_as_the_expression_finds_them() -> None:
    pieces = st.sampled_from([b"-----BEGIN CERTIFICATE-----", b"-----END CERTIFICATE-----",
                              b"\n", b" ", b"x", b"AAAA", b"-----BEGIN", b"-----"])

    @settings(max_examples=400, deadline=None)
    @given(st.lists(pieces, max_size=12))
    def check(parts: list[bytes]) -> None:
        data = b"".join(parts)
        assert x509info._pem_cert_blocks(data) == x509info._PEM_CERT.findall(data)

    check()
    bundle = f.leaf("b.test", 5).cert_pem + f.INTERMEDIATE.cert_pem
    assert x509info._pem_cert_blocks(bundle) == re.compile(
        rb"-----BEGIN CERTIFICATE-----\s.*?-----END CERTIFICATE-----", re.DOTALL
    ).findall(bundle)


def test_der_readers_never_raise_on_any_bytes() -> None:
    cert = f.INTERMEDIATE.cert.public_bytes(serialization.Encoding.DER)
    key = _private_der(_RSA, serialization.PrivateFormat.PKCS8)
    spki = _spki(_RSA)

    @settings(max_examples=300, deadline=None)
    @given(st.binary(max_size=64), st.integers(0, 2000))
    def check(noise: bytes, cut: int) -> None:
        for data in (noise, cert[:cut] + noise, key[:cut] + noise):
            der.certificate_parts(data)
            der.private_key_public_id(data)
            der.spki_public_id(data)
        der.spki_public_id(spki[:cut] + noise)
        der.pem_private_key(b"-----BEGIN EC PRIVATE KEY-----\n" + noise)

    check()
