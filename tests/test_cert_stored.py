"""What the certificates pane's Secrets cache keeps (stored.py, keycheck.py, #25): the
checked facts and identity metadata, never key material or certificate data; the key check
on facts agrees with the library, and a stored Secret parses to what the whole one did."""

from __future__ import annotations

import base64
import dataclasses

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from k8s_essentials_tui.plugins.cert_manager import der
from k8s_essentials_tui.plugins.cert_manager.keycheck import KeyFacts, key_facts, key_matches
from k8s_essentials_tui.plugins.cert_manager.model import CertIndex
from k8s_essentials_tui.plugins.cert_manager.stored import tls_secret_for_cache
from k8s_essentials_tui.plugins.cert_manager.x509info import (
    STORED_INFO,
    CertInfo,
    parse_secret,
    stored_info,
)
from tests import cert_fixtures as f

_RSA = rsa.generate_private_key(public_exponent=65537, key_size=2048)
_ED = ed25519.Ed25519PrivateKey.generate()


def _strings(obj: object) -> list[str]:
    """Every str and bytes value inside ``obj`` (dicts, lists, tuples, dataclasses)."""
    out: list[str] = []
    if isinstance(obj, str):
        out.append(obj)
    elif isinstance(obj, bytes):
        out.append(obj.decode("latin-1"))
    elif isinstance(obj, dict):
        for k, v in obj.items():
            out += _strings(k) + _strings(v)
    elif isinstance(obj, list | tuple):
        for v in obj:
            out += _strings(v)
    elif dataclasses.is_dataclass(obj):
        for fld in dataclasses.fields(obj):
            out += _strings(getattr(obj, fld.name))
    return out


def _pem(key: object, fmt: serialization.PrivateFormat) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, fmt,  # type: ignore[attr-defined]
                             serialization.NoEncryption())


def test_a_stored_secret_keeps_no_key_and_no_data() -> None:
    secret = f.good_secret("ns", "web-tls", 20, annotations={
        "cert-manager.io/certificate-name": "web", "cert-manager.io/issuer-name": "le",
        "kubectl.kubernetes.io/last-applied-configuration": '{"data": {"tls.key": "K"}}',
        "other.example/note": "x"})
    secret["metadata"].update(uid="u1", resourceVersion="7", labels={"a": "b"},
                              managedFields=[{"manager": "m"}])
    secret["data"]["extra"] = base64.b64encode(b"more").decode()
    whole = parse_secret(secret, deep=True)
    key_b64 = secret["data"]["tls.key"]
    key_pem = base64.b64decode(key_b64)
    key_der = der.pem_private_key(key_pem)
    assert key_der is not None
    stored = tls_secret_for_cache(secret)
    assert "data" not in stored
    assert stored["metadata"] == {
        "name": "web-tls", "namespace": "ns", "uid": "u1", "resourceVersion": "7",
        "annotations": {"cert-manager.io/certificate-name": "web",
                        "cert-manager.io/issuer-name": "le"}}
    assert stored["type"] == "kubernetes.io/tls"
    text = "\n".join(_strings(stored))
    for secret_part in (key_b64, key_pem.decode(), key_der.decode("latin-1"),
                        secret["data"]["tls.crt"], "last-applied"):
        assert secret_part not in text
    # the stored Secret parses to what the whole one did (checked: chain and key)
    assert parse_secret(stored) == whole == stored_info(stored)
    assert whole.deep and whole.key_matches is True and whole.chain_complete is True
    assert stored_info(secret) is None


def test_broken_secrets_are_stored_with_their_problems() -> None:
    """Whatever the Secret holds, the transform returns (a cache's sync must not fail) and
    the problems are the parser's own."""
    kp = f.leaf("x.test", 10)
    other = f.leaf("y.test", 10)
    cases = {
        "no key": f.tls_secret("ns", "a", kp.cert_pem, None),
        "wrong key": f.tls_secret("ns", "b", kp.cert_pem, other.key_pem),
        "bad base64": {**f.tls_secret("ns", "c", kp.cert_pem, kp.key_pem)},
        "data not a map": {"type": "kubernetes.io/tls", "metadata": {"name": "d"},
                           "data": ["x"]},
        "no metadata": {"type": "kubernetes.io/tls", "metadata": "x", "data": {}},
    }
    cases["bad base64"]["data"] = dict(cases["bad base64"]["data"], **{"tls.key": "!!"})
    for why, secret in cases.items():
        stored = tls_secret_for_cache(secret)
        info = stored[STORED_INFO]
        assert isinstance(info, CertInfo), why
        assert info == parse_secret(secret, deep=True), why
    assert "tls.key is missing" in cases_problems(cases["no key"])
    assert "tls.key does not match the certificate" in cases_problems(cases["wrong key"])
    assert "tls.key is not valid base64" in cases_problems(cases["bad base64"])


def cases_problems(secret: dict) -> tuple[str, ...]:
    return tls_secret_for_cache(secret)[STORED_INFO].problems


def test_key_facts_keep_only_the_public_half() -> None:
    """RSA and EC keys (every encoding) are read from their encoding; Ed25519 by the
    library; each fact compares as the library would, and a wrong key is told by the
    library, not by our parsing."""
    ec_key = f.INTERMEDIATE.key
    for key in (_RSA, ec_key, _ED):
        cert_spki = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        for fmt in (serialization.PrivateFormat.PKCS8,
                    *(() if key is _ED else (serialization.PrivateFormat.TraditionalOpenSSL,))):
            facts = key_facts(_pem(key, fmt))
            assert facts.problem is None
            if key is _ED:
                assert facts.public is None and facts.spki == cert_spki
            else:
                assert facts.public == der.spki_public_id(cert_spki)
    # a different key: the facts' SPKI (built from the public half) is compared by the library
    leaf = f.leaf("z.test", 5)
    mine = key_facts(_pem(_RSA, serialization.PrivateFormat.TraditionalOpenSSL))
    assert key_matches(mine, leaf.cert, None) == (
        False, "tls.key does not match the certificate")
    own = key_facts(leaf.key_pem)
    assert key_matches(own, leaf.cert, None) == (True, None)  # decided by the library
    assert key_matches(own, leaf.cert, own.public) == (True, None)  # on the encodings
    assert key_facts(b"  ") == KeyFacts(problem="tls.key is empty")
    assert key_facts(b"-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n") \
        == KeyFacts(problem="tls.key is not a readable private key")
    encrypted = _RSA.private_bytes(serialization.Encoding.PEM,
                                   serialization.PrivateFormat.PKCS8,
                                   serialization.BestAvailableEncryption(b"pw"))
    assert key_facts(encrypted).problem == \
        "tls.key is encrypted (ingress controllers need it unencrypted)"


def test_public_id_spki_is_what_the_library_reads() -> None:
    for key in (_RSA, f.ROOT.key, ec.generate_private_key(ec.SECP384R1())):
        spki = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        public = der.spki_public_id(spki)
        assert public is not None and der.public_id_spki(public) == spki


def test_the_index_takes_stored_secrets_checked() -> None:
    """A quick-mode index (the pane's) builds rows from stored Secrets with their checked
    content at once: nothing is left for the slow path."""
    secret = f.good_secret("ns", "web-tls", 20)
    secret["metadata"].update(uid="u1", resourceVersion="1")
    cert = {"metadata": {"name": "web", "namespace": "ns", "uid": "c1"},
            "spec": {"secretName": "web-tls", "dnsNames": ["web"]},
            "status": {"notAfter": "2026-06-21T12:00:00Z",
                       "conditions": [{"type": "Ready", "status": "True"}]}}
    index = CertIndex(deep=False)
    index.load(certificates=[cert], secrets=[tls_secret_for_cache(secret)])
    assert index.pending_deep() == 0
    row = index.rows["Certificate:ns/web"]
    assert row.info is not None and row.info.deep and row.info.key_matches is True
