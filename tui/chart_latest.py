"""The newest chart version of a component: read on demand from its chart repository's
``index.yaml`` (or an OCI registry's tag list) and cached for a day in the state dir.

Why on demand and cached: a public ``index.yaml`` is megabytes (prometheus-community's is
tens), and a bastion is often air-gapped. So the board never waits for it: ``report
--check-charts`` and the overview ask, and everyone else reads the cache. Unreachable,
refused or malformed is ``unknown`` (:class:`~.lifecycle.LatestChart` with ``version=None``
and a one-line reason), never an exception.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import yaml

from .helm.chart import ChartSpec
from .lifecycle import LatestChart

CACHE_FILE = "chart-latest.json"
#: how long a looked-up version is trusted (failures are not cached: the next ask retries)
TTL = timedelta(days=1)
#: the largest index.yaml read (prometheus-community's is ~30 MB in 2026)
MAX_INDEX_BYTES = 96 * 1024 * 1024
TIMEOUT = 10.0


def cache_key(spec: ChartSpec) -> str:
    """The chart's identity in the cache: repository (or OCI reference) and name."""
    return spec.oci_ref if spec.source == "oci" else f"{spec.repo.rstrip('/')}|{spec.chart}"


def _cache_path(cache_dir: Path | None) -> Path:
    if cache_dir is None:
        from .settings import state_dir

        cache_dir = state_dir()
    return cache_dir / CACHE_FILE


def _load(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return doc if isinstance(doc, dict) else {}


def cached(spec: ChartSpec, *, cache_dir: Path | None = None,
           now: datetime | None = None) -> LatestChart | None:
    """The cached answer for ``spec`` if younger than :data:`TTL` (no network)."""
    entry = _load(_cache_path(cache_dir)).get(cache_key(spec))
    if not isinstance(entry, dict) or not isinstance(entry.get("version"), str):
        return None
    try:
        checked = datetime.fromisoformat(str(entry.get("checked_at")))
    except ValueError:
        return None
    if (now or datetime.now(UTC)) - checked > TTL:
        return None
    return LatestChart(version=entry["version"], checked_at=checked.isoformat())


def _store(spec: ChartSpec, result: LatestChart, cache_dir: Path | None) -> None:
    if result.version is None:
        return
    from .settings import private_file

    path = _cache_path(cache_dir)
    try:
        private_file(path)
        doc = _load(path)
        doc[cache_key(spec)] = {"version": result.version, "checked_at": result.checked_at}
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(doc, out, indent=1, sort_keys=True)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only state dir costs the cache, not the answer


def newest_in_index(index: Any, chart: str) -> str | None:
    """The newest version of ``chart`` in a parsed ``index.yaml``: the highest release
    (pre-releases only when there is nothing else); None when the chart is not there."""

    entries = index.get("entries") if isinstance(index, Mapping) else None
    versions = entries.get(chart) if isinstance(entries, Mapping) else None
    found = [str(v["version"]) for v in versions or ()
             if isinstance(v, Mapping) and isinstance(v.get("version"), str | int | float)
             and not v.get("deprecated")] if isinstance(versions, list) else []
    return _newest(found)


def _parse_index(raw: bytes) -> Any:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(raw, Loader=loader)  # a safe loader (C when libyaml is there)


_ITEM_VERSION = re.compile(rb"^    version: *[\"']?([^\"'\s#]+)", re.M)
_ITEM_DEPRECATED = re.compile(rb"^    deprecated: *true\b", re.M)


def scan_index(raw: bytes, chart: str) -> str | bool | None:
    """The newest version of ``chart`` read straight from the bytes of an ``index.yaml``
    as helm (and chart-releaser) write it: ``entries:`` at column 0, each chart name at
    two spaces, its versions as ``  - `` items with their keys at four. Why: a public index
    is tens of megabytes and a YAML parser takes minutes for it on a busy bastion; this is
    a few regex scans. ``False`` when the file is not in that layout (then parse it)."""
    start = raw.find(b"\nentries:\n")
    if start < 0:
        return False
    key = raw.find(b"\n  " + chart.encode() + b":\n", start)
    if key < 0:
        return None if raw.find(b"\n  ", start) >= 0 else False
    body_start = key + len(chart) + 5
    nxt = re.compile(rb"^(?:  [^ -]|[^ \n-])", re.M).search(raw, body_start)
    body = raw[body_start:nxt.start() if nxt else len(raw)]
    # each item's first key sits after "  - ": give it the four spaces of the others
    items = [b"    " + item for item in (b"\n" + body).split(b"\n  - ")[1:]]
    if not items:
        return False
    found = []
    for item in items:
        m = _ITEM_VERSION.search(item)
        if m is None:
            return False  # an item without a version line at four spaces: not our layout
        if not _ITEM_DEPRECATED.search(item):
            found.append(m.group(1).decode("utf-8", "replace"))
    return _newest(found)


def _newest(versions: list[str]) -> str | None:
    from .helm.oci import version_key

    stable = [v for v in versions if "-" not in v.split("+", 1)[0]]
    pool = stable or versions
    return max(pool, key=version_key) if pool else None


async def _from_repo(spec: ChartSpec, timeout: float,
                     transport: httpx.AsyncBaseTransport | None) -> str | None:
    url = f"{spec.repo.rstrip('/')}/index.yaml"
    async with httpx.AsyncClient(timeout=timeout, transport=transport,
                                 follow_redirects=True) as client:
        async with client.stream("GET", url) as res:
            if res.status_code != 200:
                raise ValueError(f"HTTP {res.status_code} for {url}")
            chunks: list[bytes] = []
            size = 0
            async for chunk in res.aiter_bytes():
                size += len(chunk)
                if size > MAX_INDEX_BYTES:
                    raise ValueError(f"{url} is larger than {MAX_INDEX_BYTES >> 20} MiB")
                chunks.append(chunk)
    raw = b"".join(chunks)
    scanned = scan_index(raw, spec.chart)
    if scanned is not False:
        return scanned if isinstance(scanned, str) else None
    # not helm's layout: parse the YAML (seconds for megabytes), off the event loop
    index = await asyncio.to_thread(_parse_index, raw)
    return newest_in_index(index, spec.chart)


async def latest_chart(spec: ChartSpec, *, cache_dir: Path | None = None,
                       now: datetime | None = None, timeout: float = TIMEOUT,
                       transport: httpx.AsyncBaseTransport | None = None,
                       use_cache: bool = True) -> LatestChart:
    """The newest chart version for ``spec`` (cached a day). Never raises for a
    repository's failure: the answer is then ``version=None`` with the reason."""
    when = now or datetime.now(UTC)
    if use_cache and (hit := cached(spec, cache_dir=cache_dir, now=when)) is not None:
        return hit
    if spec.source == "local":
        return LatestChart(error="a local chart has no repository to ask")
    version: str | None
    try:
        if spec.source == "oci":
            from .helm.oci import list_versions

            versions = await list_versions(spec, timeout=timeout, transport=transport)
            stable = [v for v in versions if "-" not in v.split("+", 1)[0]]
            version = (stable or versions)[0] if versions else None
        else:
            version = await _from_repo(spec, timeout, transport)
    except Exception as exc:  # unknown, never an error (see the module docstring)
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return LatestChart(error=f"{cache_key(spec)}: {text[:200]}")
    if version is None:
        return LatestChart(error=f"chart {spec.chart} is not in {cache_key(spec)}")
    result = LatestChart(version=version, checked_at=when.isoformat())
    _store(spec, result, cache_dir)
    return result


async def latest_charts(specs: Mapping[str, ChartSpec], **kw: Any) -> dict[str, LatestChart]:
    """:func:`latest_chart` for several components at once (one lookup per distinct
    chart, four at a time: a CI runner must not open twenty connections)."""
    gate = asyncio.Semaphore(4)
    by_key: dict[str, ChartSpec] = {cache_key(s): s for s in specs.values()}

    async def one(spec: ChartSpec) -> LatestChart:
        async with gate:
            return await latest_chart(spec, **kw)

    results = await asyncio.gather(*(one(s) for s in by_key.values()))
    answers = dict(zip(by_key, results, strict=True))
    return {cid: answers[cache_key(spec)] for cid, spec in specs.items()}
