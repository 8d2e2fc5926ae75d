"""Helm releases for detection: the newest revision per release, as plain dicts.

Decoding (memoised per resourceVersion) lives in :mod:`.release`; this is the shape
``ClusterSnapshot.helm_releases`` documents.
"""

from __future__ import annotations

from typing import Any

from .release import SECRET_TYPE, decode_all, latest


def summarize_releases(secrets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ours = [s for s in secrets if s.get("type") in (None, SECRET_TYPE)]
    return [r.snapshot_dict() for r in latest(decode_all(ours))]
