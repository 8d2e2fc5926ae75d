"""Decode Helm 3 release Secrets (``sh.helm.release.v1.<name>.v<rev>``) natively.

Why natively: listing releases must not need a ``helm`` binary (bastions often lack one) and
must come from the one shared watch cache of ``owner=helm`` Secrets, so the board and the
releases pane cost no extra requests. Storage format (Helm 3): ``data.release`` is the API's
base64 of helm's own base64 of a gzip'd JSON release; gzip only when the magic is present.
A Secret that does not decode becomes an *unreadable* ``Release`` (``error`` set): one
corrupt or foreign Secret must never break the list.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import json
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..timefmt import parse_time

SECRET_TYPE = "helm.sh/release.v1"
LABEL_SELECTOR = "owner=helm"
#: the revisions that can be the newest of a release: helm marks every older one
#: ``superseded`` (with ``--history-max 10``, nine in ten release Secrets, each a gzip'd
#: chart with all its templates). The board needs only these; the releases pane and the
#: install screen, which show history, use :data:`LABEL_SELECTOR`.
CURRENT_SELECTOR = "owner=helm,status!=superseded"
_NAME_RE = re.compile(r"^sh\.helm\.release\.v1\.(?P<name>.+)\.v(?P<rev>\d+)$")
_GZIP_MAGIC = b"\x1f\x8b"
#: the most a release payload may decompress to. Helm's own limit on a release is the
#: 1 MiB of a Secret, gzip'd; real charts (kube-prometheus-stack with all its dashboards)
#: decompress to a few MiB. A gzip bomb -- 346 KB stored, 200 MB inflated -- would take the
#: process from ~55 MB to ~650 MB: past this bound the release is reported unreadable.
MAX_DECOMPRESSED = 32 * 1024 * 1024
_CHUNK = 1024 * 1024
#: statuses helm considers "in flight" (another operation is running or was interrupted)
PENDING = ("pending-install", "pending-upgrade", "pending-rollback", "uninstalling")


class ReleaseDecodeError(ValueError):
    """The payload is not a Helm 3 release."""


@dataclass
class Release:
    """One revision of one release (one Secret)."""

    name: str
    namespace: str
    revision: int
    status: str = "unknown"
    chart: str = ""
    chart_version: str = ""
    app_version: str = ""
    first_deployed: datetime | None = None
    last_deployed: datetime | None = None
    description: str = ""
    notes: str = ""
    #: user-supplied values (``helm get values``)
    config: dict[str, Any] = field(default_factory=dict)
    #: the chart's default values
    chart_values: dict[str, Any] = field(default_factory=dict)
    manifest: str = ""
    hooks: list[dict[str, Any]] = field(default_factory=list)
    secret_name: str = ""
    uid: str = ""
    #: non-empty when the Secret could not be decoded ("unreadable: not gzip/JSON ...")
    error: str = ""

    @property
    def readable(self) -> bool:
        return not self.error

    @property
    def chart_ref(self) -> str:
        """``name-version`` as ``helm list`` prints it."""
        return f"{self.chart}-{self.chart_version}" if self.chart else ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.namespace, self.name)

    def list_row(self) -> dict[str, Any]:
        """The fields of ``helm list -o json`` (revision as a string, like helm)."""
        return {
            "name": self.name,
            "namespace": self.namespace,
            "revision": str(self.revision),
            "updated": self.last_deployed.isoformat() if self.last_deployed else "",
            "status": self.status if self.readable else "unreadable",
            "chart": self.chart_ref,
            "app_version": self.app_version,
        } | ({"error": self.error} if self.error else {})

    def snapshot_dict(self) -> dict[str, Any]:
        """The shape ``ClusterSnapshot.helm_releases`` documents (for detection)."""
        return {"name": self.name, "namespace": self.namespace, "chart": self.chart,
                "chart_version": self.chart_version, "app_version": self.app_version,
                "status": self.status if self.readable else "unreadable",
                "revision": self.revision}


def decode_payload(data: str | bytes) -> dict[str, Any]:
    """Helm's payload (the value of ``data.release`` AFTER the API's base64) -> JSON dict."""
    try:
        raw = base64.b64decode(data, validate=False)
    except (binascii.Error, ValueError) as exc:
        raise ReleaseDecodeError(f"not base64: {exc}") from exc
    if raw[:2] == _GZIP_MAGIC:
        raw = gunzip_bounded(raw)
    try:
        doc = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ReleaseDecodeError("not JSON") from exc
    if not isinstance(doc, dict) or "name" not in doc:
        raise ReleaseDecodeError("not a Helm release (no name)")
    return doc


def gunzip_bounded(raw: bytes, limit: int = MAX_DECOMPRESSED,
                   what: str = "release payload") -> bytes:
    """Inflate a gzip stream (members concatenated, like ``gzip.decompress``) without ever
    holding more than ``limit`` bytes of output: ``zlib.decompressobj`` with ``max_length``
    inflates in steps, so a bomb is stopped after ``limit`` bytes, not after 200 MB."""
    out = bytearray()
    data = raw
    try:
        while data:
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)  # gzip header and trailer
            pending = data
            while not inflater.eof:
                chunk = inflater.decompress(pending, _CHUNK)
                pending = inflater.unconsumed_tail
                out += chunk
                if len(out) > limit:
                    raise ReleaseDecodeError(
                        f"{what} larger than {limit // (1024 * 1024)} MiB "
                        "decompressed")
                if not chunk and not pending:
                    break  # input used up before the end of the stream
            if not inflater.eof:
                raise ReleaseDecodeError("corrupt gzip: truncated stream")
            data = inflater.unused_data.lstrip(b"\x00")  # gzip allows zero padding
    except zlib.error as exc:
        raise ReleaseDecodeError(f"corrupt gzip: {exc}") from exc
    return bytes(out)


def encode_payload(release: dict[str, Any]) -> str:
    """Inverse of :func:`decode_payload` (helm's own encoding); used by tests and tools."""
    return base64.b64encode(gzip.compress(json.dumps(release).encode())).decode()


def _mapping(value: Any) -> dict[str, Any]:
    """A JSON object, or {} for anything else: a hand-made or foreign record must give an
    empty field, not an AttributeError that takes the whole list down."""
    return value if isinstance(value, dict) else {}


def _int(value: Any) -> int:
    """A revision number from a foreign record: 0 for what is not a whole number."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    try:
        return int(str(value or 0))
    except ValueError:
        return 0


def release_from_json(doc: dict[str, Any], *, secret_name: str = "", uid: str = "") -> Release:
    info = _mapping(doc.get("info"))
    chart = _mapping(doc.get("chart"))
    meta = _mapping(chart.get("metadata"))
    config = doc.get("config")
    return Release(
        name=str(doc.get("name") or ""),
        namespace=str(doc.get("namespace") or ""),
        revision=_int(doc.get("version")),
        status=str(info.get("status") or "unknown"),
        chart=str(meta.get("name") or ""),
        chart_version=str(meta.get("version") or ""),
        app_version=str(meta.get("appVersion") or ""),
        first_deployed=parse_time(info.get("first_deployed"), keep_offset=True),
        last_deployed=parse_time(info.get("last_deployed"), keep_offset=True),
        description=str(info.get("description") or ""),
        notes=str(info.get("notes") or ""),
        config=config if isinstance(config, dict) else {},
        chart_values=chart.get("values") if isinstance(chart.get("values"), dict) else {},
        manifest=str(doc.get("manifest") or ""),
        hooks=[h for h in doc.get("hooks") or [] if isinstance(h, dict)],
        secret_name=secret_name,
        uid=uid,
    )


def decode_secret(secret: dict[str, Any]) -> Release:
    """A Secret (or, with ``HELM_DRIVER=configmap``, a ConfigMap) object as the API returns
    it -> a ``Release``; never raises. A ConfigMap's ``data`` is plain text, so its
    ``release`` is helm's payload as is; a Secret's has the API's base64 around it."""
    meta = _mapping(secret.get("metadata"))
    sname = str(meta.get("name") or "")
    namespace = str(meta.get("namespace") or "")
    labels = _mapping(meta.get("labels"))
    m = _NAME_RE.match(sname)
    name = str(labels.get("name") or (m["name"] if m else sname))
    try:
        rev = int(str(labels.get("version") or (m["rev"] if m else 0)))
    except ValueError:
        rev = 0
    fallback = Release(name=name, namespace=namespace, revision=rev,
                       status=str(labels.get("status") or "unknown"), secret_name=sname,
                       uid=str(meta.get("uid") or ""))
    configmap = secret.get("kind") == "ConfigMap"
    kind = "ConfigMap" if configmap else "Secret"
    if not configmap and secret.get("type") not in (SECRET_TYPE, None):
        fallback.error = f"unreadable: Secret type {secret.get('type')!r} is not {SECRET_TYPE}"
        return fallback
    payload = _mapping(secret.get("data")).get("release")
    if not payload:
        fallback.error = f"unreadable: {kind} has no data.release"
        return fallback
    if not isinstance(payload, str):
        fallback.error = f"unreadable: {kind} data.release is not a string"
        return fallback
    try:
        inner = payload if configmap else base64.b64decode(payload, validate=False)
        doc = decode_payload(inner)
        rel = release_from_json(doc, secret_name=sname, uid=fallback.uid)
    except (ReleaseDecodeError, binascii.Error, ValueError, TypeError) as exc:
        fallback.error = f"unreadable: {exc}"
        return fallback
    except RecursionError:  # JSON nested deeper than the parser's stack
        fallback.error = "unreadable: release JSON nested too deeply"
        return fallback
    rel.namespace = rel.namespace or namespace
    return rel


_MEMO: dict[tuple[str, str], Release] = {}
_MEMO_LIMIT = 4096


def decode_cached(secret: dict[str, Any]) -> Release:
    """``decode_secret`` memoised by (uid, resourceVersion): the board and the releases pane
    re-read the shared cache on every watch event, and a release payload (gzip + JSON of the
    whole manifest) is the most expensive object either of them reads. An object without a
    resourceVersion (not from the server) is decoded every time."""
    meta = _mapping(secret.get("metadata"))
    rv = str(meta.get("resourceVersion") or "")
    if not rv:
        return decode_secret(secret)
    key = (str(meta.get("uid") or meta.get("name")), rv)
    rel = _MEMO.get(key)
    if rel is None:
        if len(_MEMO) >= _MEMO_LIMIT:
            _MEMO.clear()
        rel = _MEMO[key] = decode_secret(secret)
    return rel


def decode_all(secrets: Iterable[dict[str, Any]]) -> list[Release]:
    return [decode_cached(s) for s in secrets if _is_release_secret(s)]


def _is_release_secret(secret: dict[str, Any]) -> bool:
    meta = _mapping(secret.get("metadata"))
    return (secret.get("type") == SECRET_TYPE
            or str(meta.get("name") or "").startswith("sh.helm.release.v1."))


def latest(releases: Iterable[Release]) -> list[Release]:
    """The newest revision per (namespace, name), sorted like ``helm list -A``."""
    best: dict[tuple[str, str], Release] = {}
    for rel in releases:
        cur = best.get(rel.key)
        if cur is None or rel.revision > cur.revision:
            best[rel.key] = rel
    return sorted(best.values(), key=lambda r: (r.name, r.namespace))


def history(releases: Iterable[Release], namespace: str, name: str) -> list[Release]:
    """Every stored revision of one release, oldest first (``helm history``)."""
    return sorted((r for r in releases if r.namespace == namespace and r.name == name),
                  key=lambda r: r.revision)


def deployed(releases: Iterable[Release], namespace: str, name: str) -> Release | None:
    """The revision currently deployed (else the newest one) of a release, or None."""
    revs = [r for r in history(releases, namespace, name) if r.readable]
    for rel in reversed(revs):
        if rel.status == "deployed":
            return rel
    return revs[-1] if revs else None


def releases_from_cache(cache: Any) -> list[Release]:
    """Decode everything a ``ResourceCache`` of ``owner=helm`` Secrets holds."""
    return decode_all(cache.items())
