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
"""

from __future__ import annotations

from typing import Any

from .x509info import STORED_INFO, CertInfo, parse_secret

KEPT_METADATA = ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
KEPT_ANNOTATIONS = "cert-manager.io/"


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
    return {"apiVersion": secret.get("apiVersion"), "kind": secret.get("kind"),
            "type": secret.get("type"), "metadata": kept_meta, STORED_INFO: info}
