"""Summaries of Helm releases for detection: latest revision per (namespace, name).

Decoding itself lives in :mod:`.helm` (release Secrets: base64, gzip, JSON); this module only
picks the newest revision and keeps the fields detection needs. A release Secret that cannot
be decoded still counts, with what its labels say.
"""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any

GZIP_MAGIC = b"\x1f\x8b"


def _decode(secret: dict[str, Any]) -> dict[str, Any] | None:
    try:
        from .helm.releases import decode_release_secret  # type: ignore[import-not-found]

        return decode_release_secret(secret)  # type: ignore[no-any-return]
    except ImportError:
        pass
    except Exception:
        return None
    try:
        raw = base64.b64decode(base64.b64decode((secret.get("data") or {})["release"]))
        if raw[:2] == GZIP_MAGIC:
            raw = gzip.decompress(raw)
        return json.loads(raw)  # type: ignore[no-any-return]
    except Exception:
        return None


def summarize_releases(secrets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for s in secrets:
        if s.get("type") not in (None, "helm.sh/release.v1"):
            continue
        meta = s.get("metadata") or {}
        labels = meta.get("labels") or {}
        try:
            revision = int(labels.get("version") or 0)
        except ValueError:
            revision = 0
        key = (meta.get("namespace", ""), labels.get("name", ""))
        if key in latest and latest[key]["revision"] >= revision:
            continue
        summary: dict[str, Any] = {"name": labels.get("name", ""), "namespace": key[0],
                                   "revision": revision, "status": labels.get("status", ""),
                                   "chart": None, "chart_version": None, "app_version": None}
        rel = _decode(s)
        if isinstance(rel, dict):
            chart = ((rel.get("chart") or {}).get("metadata") or {})
            summary.update(chart=chart.get("name"), chart_version=chart.get("version"),
                           app_version=chart.get("appVersion"),
                           status=(rel.get("info") or {}).get("status") or summary["status"])
        else:
            summary["unreadable"] = True
        latest[key] = summary
    return list(latest.values())
