"""The TLS Secret as the certificates pane's cache keeps it: the cache's transform.

Why (#25): the shared cache kept every TLS Secret whole -- 10,000 of them were ~60 MB
decoded, most of it ``data`` the pane parses once -- and with them every private key of the
cluster, in this process for as long as the pane was open; and the pane then checked 10,000
chains and keys on the event loop after the lists were in, seconds after the table.
:func:`tls_secret_for_cache` (an ``ObjectTransform``: the cache applies it to each object
before storing it -- list pages in a worker thread while the next page is fetched, watch
events on the loop) parses and checks the Secret at once (``x509info.parse_secret``, deep:
chain and key) and keeps

* ``metadata``: name, namespace, uid, resourceVersion, creationTimestamp and the
  ``cert-manager.io/`` annotations (never ``kubectl.kubernetes.io/last-applied-configuration``:
  a Secret created with ``kubectl apply`` carries its whole ``data`` there, key included);
* ``type``;
* the checked :class:`~.x509info.CertInfo` (under ``x509info.STORED_INFO``), which
  ``parse_secret`` returns for a stored Secret. Nothing of ``data`` is kept: no certificate
  bytes, and no private key (it is decoded, its public half compared, and dropped).

The headless ``certs`` command lists whole Secrets and parses them itself (never stored).

:func:`certificate_for_cache` does the same for cert-manager Certificates, without any
parsing: it keeps the fields the rows read (``model.certificate_row``) and keeps repeated
values (namespace, issuer, condition texts) once -- 10,000 Certificates were ~30 MB decoded.
"""

from __future__ import annotations

from typing import Any

from .x509info import STORED_INFO, CertInfo, parse_secret

KEPT_METADATA = ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
KEPT_ANNOTATIONS = "cert-manager.io/"
#: what ``model.certificate_row`` reads of a Certificate
CERT_SPEC = ("secretName", "dnsNames", "commonName", "issuerRef")
CERT_STATUS = ("notAfter", "notBefore", "renewalTime", "conditions",
               "failedIssuanceAttempts", "lastFailureTime")
CERT_CONDITIONS = ("Ready", "Issuing")
CONDITION_FIELDS = ("type", "status", "reason", "message")
#: distinct repeated strings kept once (bounded: cleared when full)
_SHARED_MAX = 4096
_shared: dict[str, str] = {}


def _share(value: Any) -> Any:
    """One object per equal short string (namespaces, issuer names, condition texts repeat
    in every Certificate): the decoder makes a new one each time."""
    if not isinstance(value, str) or len(value) > 256:
        return value
    kept = _shared.get(value)
    if kept is None:
        if len(_shared) >= _SHARED_MAX:
            _shared.clear()
        _shared[value] = kept = value
    return kept


def _pick(obj: Any, keys: tuple[str, ...]) -> Any:
    """``obj`` with only ``keys`` (what is not a map is kept as it is: the row says what is
    wrong with it); a map whose every key is dropped is kept whole, so "present but
    empty" never turns into "absent"."""
    if not isinstance(obj, dict):
        return obj
    picked = {k: obj[k] for k in keys if k in obj}
    return picked if picked or not obj else obj


def _condition(c: Any) -> Any:
    if not isinstance(c, dict):
        return c
    return {k: _share(c[k]) for k in CONDITION_FIELDS if k in c}


def certificate_for_cache(cert: dict[str, Any]) -> dict[str, Any]:
    """What the pane's Certificates cache stores of ``cert`` (see the module docstring)."""
    meta = cert.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    kept_meta = {k: _share(meta[k]) if k == "namespace" else meta[k]
                 for k in KEPT_METADATA if k in meta}
    out = _identity(cert, kept_meta)
    if "spec" in cert:
        spec = _pick(cert["spec"], CERT_SPEC)
        if isinstance(spec, dict) and isinstance(spec.get("issuerRef"), dict):
            spec["issuerRef"] = {k: _share(v) for k, v in spec["issuerRef"].items()
                                 if k in ("name", "kind")} or spec["issuerRef"]
        out["spec"] = spec
    if "status" in cert:
        status = _pick(cert["status"], CERT_STATUS)
        if isinstance(status, dict) and isinstance(status.get("conditions"), list):
            status["conditions"] = [
                _condition(c) for c in status["conditions"]
                if not isinstance(c, dict) or c.get("type") in CERT_CONDITIONS]
        out["status"] = status
    return out


def _identity(obj: dict[str, Any], metadata: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {k: obj[k] for k in ("apiVersion", "kind") if k in obj}
    out["metadata"] = metadata
    return out


def tls_secret_for_cache(secret: dict[str, Any]) -> dict[str, Any]:
    """What the pane's Secrets cache stores of ``secret`` (see the module docstring).
    Thread-safe: the parser's caches are ``lru_cache``s and plain dicts."""
    meta = secret.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    kept_meta = {k: meta[k] for k in KEPT_METADATA if k in meta}
    annotations = meta.get("annotations")
    if isinstance(annotations, dict):
        kept = {k: v for k, v in annotations.items()
                if isinstance(k, str) and k.startswith(KEPT_ANNOTATIONS)}
        if kept:
            kept_meta["annotations"] = kept
    try:
        info = parse_secret(secret, deep=True)  # every malformed input is a problem text
    except Exception as exc:  # a transform must not raise: the cache's sync would fail
        info = CertInfo(problems=(f"unreadable: the Secret could not be parsed "
                                  f"({type(exc).__name__})",))  # the type only: no key text
    out = _identity(secret, kept_meta)
    out["type"] = secret.get("type")
    out[STORED_INFO] = info
    return out
