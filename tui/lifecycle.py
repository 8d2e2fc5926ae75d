"""Lifecycle of a catalog component: is it retired upstream, is the installed version still
supported, is a newer chart out. Pure (no I/O, no Textual): the board, ``report`` and the
overview all ask :func:`lifecycle_of` the same question and print its answer.

Why a model of its own: the catalog's first version was written from a 2022 article, and
"installed and healthy" says nothing about a controller that receives no security fixes any
more (ingress-nginx since March 2026) or a minor its maintainers stopped patching. The facts
are dated data (:mod:`.lifecycle_data` for the built-ins, ``Plugin.lifecycle`` for anyone
else); the verdict is computed here from those facts, the detection and, when known, the
newest chart version (:mod:`.chart_latest`, fetched on demand, never on the board's path).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from .plugin import Detection, Plugin

#: upstream status of a project: maintained, retired (no releases at all any more, usually
#: with a named successor) or end of life (this product line gets no fixes; a successor
#: line or product does)
Status = Literal["active", "retired", "eol"]

#: what :func:`lifecycle_of` concludes, worst first
Verdict = Literal["retired", "eol", "unsupported", "outdated", "supported", "active", "unknown"]


@dataclass(frozen=True)
class Lifecycle:
    """Dated facts about one component's upstream lifecycle (see docs/catalog.md)."""

    status: Status = "active"
    #: ISO date the status took effect (retirement, end of life)
    since: str = ""
    #: the successor in words ("a Gateway API implementation")
    successor: str = ""
    #: catalog ids offered first instead of this one (``i`` on an empty area)
    successor_ids: tuple[str, ...] = ()
    #: supported minors of the component's own version (``"1.21"``), newest first, as
    #: published on ``checked``; empty when the project publishes no window
    supported: tuple[str, ...] = ()
    #: the project's support policy in words ("the three most recent minors")
    policy: str = ""
    #: app-version prefixes that are end of life although the project is active
    #: (``("1.", "Jaeger v1 ...")``): the prefix and the note that says why
    eol_versions: tuple[tuple[str, str], ...] = ()
    #: when the facts were last checked (ISO date) and where
    checked: str = ""
    source: str = ""
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.status not in ("active", "retired", "eol"):
            raise ValueError(f"unknown lifecycle status {self.status!r}")
        for minor in self.supported:
            if _minor(minor) is None:
                raise ValueError(f"supported version {minor!r} is not MAJOR.MINOR")


@dataclass(frozen=True)
class LatestChart:
    """The newest chart version in the component's chart repository, as last looked up.

    ``version`` is ``None`` when it is unknown (never looked up, unreachable, not in the
    index): unknown is an answer, never an error (air-gapped bastions are normal)."""

    version: str | None = None
    #: why it is unknown (one line), empty when known
    error: str = ""
    #: ISO time of the lookup (cache age)
    checked_at: str = ""


@dataclass(frozen=True)
class LifecycleVerdict:
    """The answer for one component: ``report``'s ``lifecycle`` object and the board cell."""

    verdict: Verdict
    #: upstream status (``Lifecycle.status``)
    status: Status
    #: the installed version inside the published window (None: not installed, no window,
    #: or the version could not be read)
    supported: bool | None
    #: the supported minors, newest first (``()`` when unpublished)
    window: tuple[str, ...]
    #: the version the window was checked against (app version), if any
    app_version: str | None
    #: newest chart version, ``None`` = unknown or not looked up
    latest_chart: str | None
    #: the installed chart version, when a Helm release says it
    chart_version: str | None
    #: latest_chart is newer than chart_version
    update_available: bool
    notes: list[str] = field(default_factory=list)
    successor: str = ""

    @property
    def label(self) -> str:
        """Short text for a table cell (``retired upstream``, ``unsupported 1.17``)."""
        if self.verdict == "retired":
            return "retired upstream"
        if self.verdict == "eol":
            return "end of life"
        if self.verdict == "unsupported":
            return f"unsupported {_minor_text(self.app_version)}".strip()
        if self.update_available:
            return f"update {self.chart_version} → {self.latest_chart}"
        if self.verdict == "supported":
            return "supported"
        return ""

    @property
    def summary(self) -> str:
        """:attr:`label` plus a newer chart when the label is about something else
        (``retired upstream, update 4.13.3 → 4.14.1``): the board cell and report column."""
        if self.update_available and self.verdict in ("retired", "eol", "unsupported"):
            return f"{self.label}, update {self.chart_version} → {self.latest_chart}"
        return self.label

    def as_json(self, *, looked_up: bool) -> dict[str, Any]:
        """``report -o json``'s ``lifecycle`` object. ``latest_chart`` is the version,
        ``"unknown"`` when looked up without an answer, ``null`` when not looked up."""
        latest: str | None = self.latest_chart or ("unknown" if looked_up else None)
        return {"status": self.status, "verdict": self.verdict,
                "supported": self.supported, "supported_versions": list(self.window),
                "app_version": self.app_version, "latest_chart": latest,
                "update_available": self.update_available, "successor": self.successor,
                "notes": list(self.notes)}


_VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+].*)?$")


def _minor(version: str | None) -> tuple[int, int] | None:
    m = _VERSION.match(version.strip()) if isinstance(version, str) else None
    return (int(m[1]), int(m[2])) if m else None


def _minor_text(version: str | None) -> str:
    mm = _minor(version)
    return f"{mm[0]}.{mm[1]}" if mm else (version or "")


def version_tuple(version: str | None) -> tuple[int, ...] | None:
    """``4.13.3`` -> (4, 13, 3); a pre-release or build suffix is ignored; None if no
    version."""
    m = _VERSION.match(version.strip()) if isinstance(version, str) else None
    return (int(m[1]), int(m[2]), int(m[3] or 0)) if m else None


def newer(candidate: str | None, than: str | None) -> bool:
    """``candidate`` is a later version than ``than`` (False when either is unreadable)."""
    a, b = version_tuple(candidate), version_tuple(than)
    return a is not None and b is not None and a > b


def app_version_of(detection: Detection) -> str | None:
    """The component's own version: the Helm release's app version, else an image tag
    (``Detection.version`` when it came from the image); ``None`` when neither says."""
    release = detection.details.get("release")
    if isinstance(release, Mapping):
        app = release.get("app_version")
        if isinstance(app, str) and app.strip():
            return app.strip()
    if detection.details.get("version_source") == "image" and detection.version:
        return detection.version
    return None


def chart_version_of(detection: Detection) -> str | None:
    release = detection.details.get("release")
    if isinstance(release, Mapping):
        version = release.get("chart_version")
        if isinstance(version, str) and version.strip():
            return version.strip()
    return None


def in_window(app_version: str | None, window: tuple[str, ...]) -> bool | None:
    """Is ``app_version``'s minor supported? A minor newer than the newest published one
    counts as supported (our facts are older than the release); None when unknown."""
    mm = _minor(app_version)
    minors = [m for m in (_minor(w) for w in window) if m is not None]
    if mm is None or not minors:
        return None
    return mm in minors or mm > max(minors)


def lifecycle_of(plugin: Plugin, detection: Detection | None,
                 latest: LatestChart | None = None,
                 facts: Lifecycle | None = None) -> LifecycleVerdict:
    """What the board and ``report`` say about ``plugin``'s lifecycle.

    ``facts`` defaults to the plugin's own (``Plugin.lifecycle``) or the built-in table's.
    Order of the verdict, worst first: retired upstream; end of life (the project, or the
    installed version line such as Jaeger v1); installed minor outside the published
    window (``unsupported``); a newer chart (``outdated``); ``supported``; ``active``
    (nothing published to judge by); ``unknown`` (not installed or version unreadable)."""
    from .lifecycle_data import lifecycle_facts

    lc = facts or lifecycle_facts(plugin) or Lifecycle()
    installed = detection is not None and detection.installed is not False
    app = app_version_of(detection) if detection is not None and installed else None
    chart = chart_version_of(detection) if detection is not None and installed else None
    notes = list(lc.notes)
    latest_version = latest.version if latest is not None else None
    update = installed and newer(latest_version, chart)
    supported = in_window(app, lc.supported) if installed else None
    eol_note = next((note for prefix, note in lc.eol_versions
                     if app and app.lstrip("v").startswith(prefix.lstrip("v"))), None)
    verdict: Verdict
    if lc.status == "retired":
        verdict = "retired"
        notes.insert(0, f"retired upstream since {lc.since}" + (
            f"; successor: {lc.successor}" if lc.successor else ""))
    elif lc.status == "eol":
        verdict = "eol"
        notes.insert(0, f"end of life since {lc.since}" + (
            f"; successor: {lc.successor}" if lc.successor else ""))
    elif eol_note is not None:
        verdict = "eol"
        supported = False
        notes.insert(0, eol_note)
    elif supported is False:
        verdict = "unsupported"
        notes.insert(0, f"supported: {', '.join(lc.supported)} as of {lc.checked}")
    elif update:
        verdict = "outdated"
    elif supported:
        verdict = "supported"
    elif not installed:
        verdict = "unknown"  # nothing installed to judge
    else:
        verdict = "active"
    if update:
        notes.append(f"update available {chart} → {latest_version}")
    return LifecycleVerdict(
        verdict=verdict, status=lc.status, supported=supported, window=lc.supported,
        app_version=app, latest_chart=latest_version, chart_version=chart,
        update_available=bool(update), notes=notes, successor=lc.successor)


#: board cell styles by verdict: amber for "act on this", never red (red is "failed")
CELL_STYLES: dict[str, str] = {
    "retired": "bold dark_orange", "eol": "bold dark_orange", "unsupported": "dark_orange",
    "outdated": "cyan", "supported": "green", "active": "", "unknown": "dim",
}


def lifecycle_cell(plugin: Plugin, detection: Detection | None,
                   latest: LatestChart | None = None) -> tuple[str, str]:
    """The board's LIFECYCLE cell for a row: (text, Rich style). Only an installed
    component gets a verdict on its version; a retired one is named even when missing,
    so an operator does not install it. Cluster-free and Textual-free (unit-tested)."""
    v = lifecycle_of(plugin, detection, latest)
    installed = detection is not None and detection.installed is not False
    if not installed and v.verdict not in ("retired", "eol"):
        return "", ""
    return v.summary, CELL_STYLES.get("outdated" if v.update_available and v.verdict in (
        "supported", "active", "outdated") else v.verdict, "")


def lifecycle_failing(verdicts: Mapping[str, LifecycleVerdict],
                      installed: Mapping[str, bool],
                      conditions: tuple[str, ...] | list[str]) -> dict[str, list[str]]:
    """``report --fail-on retired,unsupported,outdated``: for each asked condition, the
    installed components that make it hold. ``retired`` counts end of life too (neither gets
    fixes); ``outdated`` needs a known newer chart (unknown never fails a build)."""
    found: dict[str, list[str]] = {}
    for cond in conditions:
        hits = [cid for cid, v in verdicts.items() if installed.get(cid) and (
            (cond == "retired" and v.verdict in ("retired", "eol"))
            or (cond == "unsupported" and v.supported is False)
            or (cond == "outdated" and v.update_available))]
        if hits:
            found[cond] = hits
    return found
