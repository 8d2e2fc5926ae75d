"""x509info: every malformed tls.crt/tls.key becomes a problem text, never an exception."""

from __future__ import annotations

import base64

from k8s_essentials_tui.plugins.cert_manager.x509info import parse_secret, parse_tls
from tests import cert_fixtures as f


def test_good_chain_with_key() -> None:
    info = parse_secret(f.good_secret("ns", "web", 10, ("web.example.com", "www.example.com")))
    assert info.problems == ()
    assert info.dns_names == ("web.example.com", "www.example.com")
    assert info.common_name == "web"
    assert info.issuer_cn == "Test Intermediate CA"
    assert info.not_after == f.FIXED_NOW + __import__("datetime").timedelta(days=10)
    assert info.key_type == "ECDSA secp256r1" and info.key_size == 256
    assert info.chain_length == 2
    assert info.chain_complete is True and info.chain_ordered is True
    assert info.key_matches is True
    assert info.encoding == "PEM"
    assert info.serial


def test_empty_and_missing_crt() -> None:
    assert parse_tls(b"").problems == ("tls.crt is empty",)
    assert parse_tls(None).problems == ("tls.crt is empty",)
    secret = {"type": "kubernetes.io/tls", "metadata": {"name": "x"}, "data": {}}
    assert "tls.crt is missing" in parse_secret(secret).problems
    secret["data"] = None
    assert "tls.crt is missing" in parse_secret(secret).problems


def test_garbage_crt_and_bad_base64() -> None:
    info = parse_tls(b"hello world, not a certificate")
    assert not info.parsed
    assert info.problems == ("tls.crt is not a PEM or DER certificate",)
    secret = {"type": "kubernetes.io/tls", "metadata": {"name": "x"},
              "data": {"tls.crt": "@@@not base64@@@", "tls.key": 5}}
    problems = parse_secret(secret).problems
    assert "tls.crt is not valid base64" in problems
    assert "tls.key is not a base64 string" in problems


def test_truncated_pem_block() -> None:
    pem = f.leaf("t", 5).cert_pem
    broken = pem[:60] + pem[-30:]
    info = parse_tls(broken)
    assert not info.parsed
    assert any("malformed" in p for p in info.problems)


def test_private_key_in_crt_is_flagged_and_never_echoed() -> None:
    kp = f.leaf("k", 20)
    info = parse_tls(kp.cert_pem + kp.key_pem, kp.key_pem)
    assert info.parsed
    assert "tls.crt contains a private key (it belongs in tls.key only)" in info.problems
    text = repr(info)
    assert "PRIVATE" not in text and kp.key_pem.decode()[40:80] not in text
    only_key = parse_tls(kp.key_pem)
    assert not only_key.parsed
    assert any("holds no PEM certificate" in p for p in only_key.problems)


def test_der_is_parsed_but_flagged() -> None:
    kp = f.leaf("d", 3)
    info = parse_tls(f.der(kp), kp.key_pem)
    assert info.encoding == "DER"
    assert info.not_after == kp.cert.not_valid_after_utc
    assert any("DER" in p for p in info.problems)
    assert info.key_matches is True


def test_no_sans() -> None:
    kp = f.leaf("nosan", 50, dns=())
    info = parse_tls(kp.cert_pem, kp.key_pem)
    assert info.dns_names == ()
    assert any("no subjectAltName" in p for p in info.problems)


def test_key_mismatch_empty_and_garbage_key() -> None:
    a, b = f.leaf("a", 10), f.leaf("b", 10)
    assert parse_tls(a.cert_pem, b.key_pem).key_matches is False
    assert "tls.key does not match the certificate" in parse_tls(a.cert_pem, b.key_pem).problems
    assert "tls.key is empty" in parse_tls(a.cert_pem, b"").problems
    assert "tls.key is not a readable private key" in parse_tls(a.cert_pem, b"junk").problems
    assert "tls.key is missing" in parse_tls(a.cert_pem, None, key_present=False).problems


def test_chain_unordered_and_incomplete() -> None:
    kp = f.leaf("c", 10)
    unordered = parse_tls(f.INTERMEDIATE.cert_pem + kp.cert_pem, None, f.ROOT.cert_pem)
    assert unordered.chain_ordered is False
    assert any("not in order" in p for p in unordered.problems)
    # leaf only, ca.crt is the root: the intermediate is missing
    missing = parse_tls(kp.cert_pem, kp.key_pem, f.ROOT.cert_pem)
    assert missing.chain_complete is False
    assert any("chain incomplete" in p for p in missing.problems)
    # leaf + intermediate without ca.crt: cannot tell (root is in the clients' store)
    unknown = parse_tls(kp.cert_pem + f.INTERMEDIATE.cert_pem, kp.key_pem)
    assert unknown.chain_complete is None
    assert unknown.problems == ()
    # a self-signed certificate is complete on its own
    assert parse_tls(f.ROOT.cert_pem).chain_complete is True


def test_encrypted_key() -> None:
    from cryptography.hazmat.primitives import serialization

    kp = f.leaf("e", 10)
    enc = kp.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                               serialization.BestAvailableEncryption(b"pw"))
    info = parse_tls(kp.cert_pem, enc)
    assert info.key_matches is None
    assert any("encrypted" in p for p in info.problems)


def test_non_pem_text_block() -> None:
    info = parse_tls(b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
    assert info.problems == ("tls.crt holds no PEM certificate (found: PUBLIC KEY)",)


def test_base64_of_nothing() -> None:
    secret = {"type": "kubernetes.io/tls", "metadata": {"name": "x"},
              "data": {"tls.crt": base64.b64encode(b"").decode(), "tls.key": ""}}
    assert parse_secret(secret).problems == ("tls.crt is empty",)


# -- chain checks by encoded names and key ids (#25: no Name objects, no per-leaf signature) --

def _leaf_without_key_id(issuer_name: object, signer: object, name: str) -> bytes:
    """A leaf with no authorityKeyIdentifier (older tooling): only its signature can say
    which key issued it."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization

    from testkit import pki

    key = pki.new_key(f"nokid:{name}")
    cert = (x509.CertificateBuilder().subject_name(pki._name(name))
            .issuer_name(issuer_name).public_key(key.public_key()).serial_number(7)
            .not_valid_before(f.FIXED_NOW - dt.timedelta(days=1))
            .not_valid_after(f.FIXED_NOW + dt.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .sign(signer, hashes.SHA256()))  # type: ignore[arg-type]
    return cert.public_bytes(serialization.Encoding.PEM)


def test_a_ca_recreated_under_the_same_name_is_not_the_issuer() -> None:
    """The intermediate was re-created with a new key and the same name; tls.crt still
    bundles the old one. Same names, different key ids: the chain is reported broken."""
    from testkit import pki

    new_inter = pki.make_ca("Test Intermediate CA", seed="inter-rotated",
                            not_before=f.FIXED_NOW - __import__("datetime").timedelta(days=9),
                            issuer=f.ROOT)
    kp = f.leaf("web", 10, issuer=new_inter)
    info = parse_tls(kp.cert_pem + f.INTERMEDIATE.cert_pem, kp.key_pem, f.ROOT.cert_pem)
    assert info.chain_ordered is False
    assert "chain in tls.crt is not in order (leaf first, then each issuer)" in info.problems
    good = parse_tls(kp.cert_pem + new_inter.cert_pem, kp.key_pem, f.ROOT.cert_pem)
    assert (good.chain_ordered, good.chain_complete, good.problems) == (True, True, ())


def test_without_key_ids_the_signature_decides() -> None:
    from testkit import pki

    right = _leaf_without_key_id(f.INTERMEDIATE.cert.subject, f.INTERMEDIATE.key, "a.test")
    assert parse_tls(right + f.INTERMEDIATE.cert_pem, None, f.ROOT.cert_pem).chain_ordered
    impostor = pki.new_key("impostor")  # same issuer name, another key signed it
    wrong = _leaf_without_key_id(f.INTERMEDIATE.cert.subject, impostor, "b.test")
    assert parse_tls(wrong + f.INTERMEDIATE.cert_pem, None, f.ROOT.cert_pem
                     ).chain_ordered is False


def test_encoded_names_match_the_library() -> None:
    from cryptography.hazmat.primitives import serialization

    from k8s_essentials_tui.plugins.cert_manager.der import issuer_and_subject

    for cert in (f.ROOT.cert, f.INTERMEDIATE.cert, f.leaf("x.test", 3).cert):
        assert issuer_and_subject(cert.tbs_certificate_bytes) == (
            cert.issuer.public_bytes(), cert.subject.public_bytes())
    # v1 certificates (no [0] version field) and garbage
    der = f.ROOT.cert.public_bytes(serialization.Encoding.DER)
    assert issuer_and_subject(der) is None  # a whole Certificate is not a TBSCertificate
    assert issuer_and_subject(b"") is None and issuer_and_subject(b"\x30\x84\xff") is None


def test_encoded_names_never_raise_on_any_bytes() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from k8s_essentials_tui.plugins.cert_manager.der import issuer_and_subject

    tbs = f.INTERMEDIATE.cert.tbs_certificate_bytes

    @settings(max_examples=300, deadline=None)
    @given(st.binary(max_size=64), st.integers(0, len(tbs)))
    def check(noise: bytes, cut: int) -> None:
        issuer_and_subject(noise)
        issuer_and_subject(tbs[:cut] + noise)

    check()


def test_rsa_keys_cert_managers_default_are_matched() -> None:
    """cert-manager issues RSA-2048 keys by default; their match is read from the public
    half (no OpenSSL consistency check: 50+ ms per key, minutes for 10,000 Secrets)."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    def pair(cn: str) -> tuple[bytes, rsa.RSAPrivateKey]:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
        now = dt.datetime(2026, 12, 6, tzinfo=dt.UTC)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                .public_key(key.public_key()).serial_number(1)
                .not_valid_before(now).not_valid_after(now + dt.timedelta(days=30))
                .sign(key, hashes.SHA256()))
        return cert.public_bytes(serialization.Encoding.PEM), key

    crt, key = pair("rsa.example.com")
    _other_crt, other = pair("other.example.com")
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    other_pem = other.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.TraditionalOpenSSL,
                                    serialization.NoEncryption())
    assert parse_tls(crt, pem).key_matches is True
    assert parse_tls(crt, der).key_matches is True
    assert parse_tls(crt, other_pem).key_matches is False
