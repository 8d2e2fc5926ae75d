"""Helm releases for detection: the newest revision per release, as plain dicts.

Decoding (memoised per resourceVersion) lives in :mod:`.release`; this is the shape
``ClusterSnapshot.helm_releases`` documents.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from .release import SECRET_TYPE, Release, decode_all, latest

#: an apiVersion line of a version some Kubernetes minor removed (see ``deprecations``)
_CANDIDATE = re.compile(r"(?m)^\s*apiVersion:\s*[\"']?[a-z0-9.-]*/?v\d+(?:beta|alpha)\d+")


def summarize_releases(secrets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ours = [s for s in secrets if s.get("type") in (None, SECRET_TYPE)]
    return [{**r.snapshot_dict(), "removed_apis": removed_apis(r)}
            for r in latest(decode_all(ours))]


@lru_cache(maxsize=1024)
def _removed_in_manifest(manifest: str) -> tuple[tuple[str, str, str, str, str], ...]:
    """Cached by the manifest text: the board's decoded releases are memoised per
    resourceVersion, so the same ``str`` object (its hash kept) comes back every refresh
    and a hit costs a dict lookup."""
    from ..deprecations import lookup, manifest_objects

    if not _CANDIDATE.search(manifest):
        return ()
    out = []
    for obj in manifest_objects(manifest):
        api = lookup(obj.api_version, obj.kind)
        if api is not None and api.removed_in:
            out.append((obj.kind, obj.name, obj.api_version, api.replacement, api.removed_in))
    return tuple(out)


def removed_apis(release: Release) -> list[dict[str, str]]:
    """The objects of a release's current manifest whose apiVersion the deprecation guide
    lists as removed (``deprecations`` has the whole story). Why on the board: helm cannot
    upgrade such a release on a cluster that stopped serving the API. Cheap on the board's
    path: a regex finds candidates first (almost no manifest has one), and a manifest is
    parsed at most once (cached by its text)."""
    if not release.manifest:
        return []
    return [dict(zip(("kind", "name", "api_version", "replacement", "removed_in"), row,
                     strict=True)) for row in _removed_in_manifest(release.manifest)]
