"""Argo CD AppProjects as rows: source repos, destinations, cluster resources, sync windows.

Pure parsing of ``argoproj.io/v1alpha1`` AppProject objects (no Textual, no I/O). A sync
window is active when its cron schedule fired less than ``duration`` ago, read in the
window's ``timeZone`` -- the rule of Argo CD's ``SyncWindows.active`` (types.go): the next
firing after ``now - duration`` is before ``now``. Whether the project denies syncs now
follows Argo CD's documented rules (user-guide/sync_windows.md): an active deny window
denies; when allow windows exist and none is active, syncs are denied too. The pane shows
this per project (which windows match which Application is a per-Application question the
detail of an Application answers in Argo CD's UI; here the project says "a window denies").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from k8s_essentials_tui.api import Fields

#: Go ``time.ParseDuration`` units (Argo CD parses ``duration`` with it)
_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0,
          "h": 3600.0}
_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")


def go_duration(text: str) -> timedelta | None:
    """A Go duration (``1h``, ``1h30m``, ``90s``) or None when it is not one."""
    text = text.strip()
    if not text:
        return None
    pos, seconds = 0, 0.0
    for match in _PART.finditer(text):
        if match.start() != pos:
            return None
        seconds += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    return timedelta(seconds=seconds) if pos == len(text) else None


@dataclass
class SyncWindow:
    kind: str  # "allow" or "deny"
    schedule: str
    duration: str
    time_zone: str
    manual_sync: bool
    applications: list[str]
    namespaces: list[str]
    clusters: list[str]
    #: None when the schedule, duration or time zone cannot be read (see ``error``)
    active: bool | None = None
    error: str = ""

    @property
    def text(self) -> str:
        where = [f"{w}={','.join(v)}" for w, v in (("apps", self.applications),
                                                    ("ns", self.namespaces),
                                                    ("clusters", self.clusters)) if v]
        state = "ACTIVE" if self.active else ("?" if self.active is None else "inactive")
        tz = f" {self.time_zone}" if self.time_zone and self.time_zone != "UTC" else ""
        manual = " manual-sync" if self.manual_sync else ""
        return (f"{self.kind} '{self.schedule}'{tz} for {self.duration}{manual} "
                f"[{' '.join(where) or 'nothing'}] {state}")


def window_active(schedule: str, duration: str, time_zone: str, now: datetime
                  ) -> tuple[bool | None, str]:
    """(active, why not readable) of one window at ``now``."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from croniter import croniter

    length = go_duration(duration)
    if length is None:
        return None, f"cannot parse duration {duration!r}"
    try:
        zone = ZoneInfo(time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")  # Argo CD falls back to UTC too
    local = now.astimezone(zone).replace(tzinfo=None)
    if len(schedule.split()) != 5 or not croniter.is_valid(schedule):
        return None, f"cannot parse schedule {schedule!r}"
    fired = croniter(schedule, local - length).get_next(datetime)
    return fired < local, ""


@dataclass
class ProjectRow:
    namespace: str
    name: str
    description: str
    source_repos: list[str]
    #: "server-or-name/namespace" per destination
    destinations: list[str]
    #: "group/kind" per cluster resource whitelist entry ("*/*" = everything)
    cluster_resources: list[str]
    windows: list[SyncWindow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"AppProject/{self.namespace}/{self.name}"

    @property
    def denying(self) -> bool:
        """A sync window denies syncs now: an active deny window, or allow windows of
        which none is active (Argo CD's rules; manual syncs may still be allowed)."""
        if any(w.kind == "deny" and w.active for w in self.windows):
            return True
        allows = [w for w in self.windows if w.kind == "allow"]
        return bool(allows) and not any(w.active for w in allows)

    @property
    def windows_text(self) -> str:
        if not self.windows:
            return "-"
        active = sum(1 for w in self.windows if w.active)
        text = f"{len(self.windows)} ({active} active)"
        return text + (", syncs denied" if self.denying else "")

    @property
    def cluster_text(self) -> str:
        """Cluster resource whitelist: ``none``, ``all`` or the kinds (``*`` groups)."""
        if not self.cluster_resources:
            return "none"
        if "*/*" in self.cluster_resources:
            return "all"
        return ", ".join(self.cluster_resources)


def _summary(values: list[str]) -> str:
    if not values:
        return "none"
    if "*" in values:
        return "any"
    return ", ".join(values)


def repos_text(row: ProjectRow) -> str:
    return _summary(row.source_repos)


def destinations_text(row: ProjectRow) -> str:
    return "any" if "*/*" in row.destinations else _summary(row.destinations)


def project_row(obj: Any, now: datetime) -> ProjectRow:
    f = Fields(obj)
    destinations = []
    for item in f.array("spec.destinations"):
        d = Fields(item, f.problems)
        where = d.text("server") or d.text("name") or "*"
        destinations.append(f"{'*' if where == '*' else where}/{d.text('namespace') or '*'}")
    whitelist = []
    for item in f.array("spec.clusterResourceWhitelist"):
        w = Fields(item, f.problems)
        group = w.text("group") or "core"
        whitelist.append(f"{'*' if group == '*' else group}/{w.text('kind') or '*'}")
    windows = []
    for item in f.array("spec.syncWindows"):
        w = Fields(item, f.problems)
        window = SyncWindow(
            kind=w.text("kind"), schedule=w.text("schedule"), duration=w.text("duration"),
            time_zone=w.text("timeZone"), manual_sync=w.flag("manualSync"),
            applications=[str(a) for a in w.array("applications")],
            namespaces=[str(a) for a in w.array("namespaces")],
            clusters=[str(a) for a in w.array("clusters")])
        window.active, window.error = window_active(window.schedule, window.duration,
                                                    window.time_zone, now)
        if window.error:
            f.problems.append(f"sync window: {window.error}")
        windows.append(window)
    return ProjectRow(
        namespace=f.text("metadata.namespace"), name=f.text("metadata.name"),
        description=f.text("spec.description"),
        source_repos=[str(r) for r in f.array("spec.sourceRepos")],
        destinations=destinations, cluster_resources=whitelist, windows=windows,
        problems=f.problems)


def project_rows(items: Iterable[Any], now: datetime | None = None) -> list[ProjectRow]:
    when = now or datetime.now(UTC)
    return sorted((project_row(o, when) for o in items), key=lambda r: (r.namespace, r.name))
