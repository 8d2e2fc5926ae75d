"""Helm releases for detection: latest revision per (namespace, name), decoded natively.

Decoding lives in :mod:`.helm.release`; this module memoises it by (uid, resourceVersion),
because the board re-evaluates on every watch event and release payloads (gzip + JSON of the
whole manifest) are the most expensive objects it reads.
"""

from __future__ import annotations

from typing import Any

from .helm.release import Release, decode_secret, latest

_MEMO: dict[tuple[str, str], Release] = {}
_MEMO_LIMIT = 4096


def _decoded(secret: dict[str, Any]) -> Release:
    meta = secret.get("metadata") or {}
    key = (str(meta.get("uid") or meta.get("name")), str(meta.get("resourceVersion") or ""))
    rel = _MEMO.get(key)
    if rel is None:
        if len(_MEMO) >= _MEMO_LIMIT:
            _MEMO.clear()
        rel = _MEMO[key] = decode_secret(secret)
    return rel


def summarize_releases(secrets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``ClusterSnapshot.helm_releases``: newest revision per release, as plain dicts."""
    return [r.snapshot_dict() for r in latest(_decoded(s) for s in secrets)]
