"""Helm release Secrets as ``helm`` stores them (``sh.helm.release.v1.NAME.vREV``), for tests
that need a release in a given state without running helm: a failed upgrade, one stuck
``pending-upgrade``, a fixed history for snapshots.

Encoded here, independently of the product's decoder: JSON, gzip, base64 -- and base64
once more by the API, as the Secret's ``data``."""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any


def release_secret(name: str, namespace: str, *, revision: int = 1, status: str = "deployed",
                   chart: str = "essentials-demo", chart_version: str = "0.1.0",
                   app_version: str = "1.0.0", config: dict[str, Any] | None = None,
                   manifest: str = "", deployed_at: str = "2026-05-01T10:00:00Z",
                   first_deployed: str | None = None, description: str | None = None,
                   notes: str = "", payload: str | None = None,
                   stored_as: str | None = None) -> dict[str, Any]:
    """One revision's Secret. ``payload`` replaces the encoded release (corrupt records).
    ``stored_as`` is the name in the Secret's name and labels when ``name`` (inside the
    payload, where helm reads it from) is no valid object name: hostile-input tests."""
    doc = {"name": name, "namespace": namespace, "version": revision,
           "info": {"first_deployed": first_deployed or deployed_at,
                    "last_deployed": deployed_at, "status": status,
                    "description": description if description is not None else status,
                    "notes": notes},
           "chart": {"metadata": {"name": chart, "version": chart_version,
                                  "appVersion": app_version}, "values": {}},
           "config": config or {}, "manifest": manifest}
    inner = payload if payload is not None else base64.b64encode(
        gzip.compress(json.dumps(doc).encode(), mtime=0)).decode()
    return {"apiVersion": "v1", "kind": "Secret", "type": "helm.sh/release.v1",
            "metadata": {"name": f"sh.helm.release.v1.{stored_as or name}.v{revision}",
                         "namespace": namespace,
                         "labels": {"owner": "helm", "name": stored_as or name,
                                    "status": status,
                                    "version": str(revision)}},
            "data": {"release": base64.b64encode(inner.encode()).decode()}}
