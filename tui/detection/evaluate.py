"""Runs every plugin's ``detect()`` over one snapshot and shapes the board/report rows.

Pure: no I/O, no Textual. A plugin whose rule raises gets a problem text instead of taking
the board down.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..plugin import CATEGORIES, CATEGORY_TITLES, Detection, Plugin, components
from ..text import clean
from .snapshot import ClusterSnapshot
from .snapshot_builder import webhook_rows

#: namespaces many unrelated things share: a webhook's service there says nothing about
#: which component registered it
SHARED_NAMESPACES = frozenset({"kube-system", "default", "kube-public"})


def detection_failed(exc: BaseException) -> Detection:
    """What a component's detection that raised is: *unknown*, never *missing* (a malformed
    object in the cluster is not an absent component), with a note that says so. The
    exception's type is named; its text is cut (it may quote an object's field)."""
    # INFO: into app.log in the TUI; headless, below the last-resort handler's WARNING
    logging.getLogger(__name__).info("detection raised", exc_info=exc)
    what = f"{type(exc).__name__}: {exc}"
    if len(what) > 160:
        what = what[:159] + "…"
    return Detection(installed=False, healthy=None,
                     problems=[f"detection failed ({what}): the state is unknown"],
                     details={"unseen": True, "detection_failed": True})


def evaluate(plugins: Iterable[Plugin], snapshot: ClusterSnapshot) -> dict[str, Detection]:
    plugins = components(plugins)  # a view (board=False) has nothing to detect
    out: dict[str, Detection] = {}
    for p in plugins:
        try:
            det = p.detect(snapshot)
        except Exception as exc:  # one plugin's bug must not blank the board
            det = detection_failed(exc)
        out[p.id] = det
    # what the component panes' webhook section could not read (RBAC, errors): said there,
    # instead of an empty section that looks like "no webhooks"
    failed = [*snapshot.forbidden.items(), *snapshot.errors.items()]
    unread = {
        "webhooks_unread": sorted({msg for part, msg in failed
                                   if part.startswith("webhooks:") or part == "endpoints"}),
        "release_unread": sorted({msg for part, msg in failed if part.startswith("helm")}),
    }
    for key, messages in unread.items():
        for det in out.values() if messages else ():
            det.details[key] = messages
    # what needs more than one component: bundled releases, duplicates, class clashes
    from ..catalog_checks import annotate

    try:
        annotate(plugins, out, snapshot)
    except Exception as exc:  # a bug there must not blank the board either
        logging.getLogger(__name__).info("cross-component checks raised", exc_info=exc)
    for hook in webhook_rows(snapshot):
        owner = _webhook_owner(plugins, out, hook)
        if owner is None:
            continue
        det = out[owner]
        det.details.setdefault("webhooks", []).append(hook)  # for the component pane
        if hook["blocking"]:
            det.problems.append(_blocking_text(hook))
            det.healthy = False if det.installed else det.healthy
    return out


def _webhook_owner(plugins: list[Plugin], dets: dict[str, Detection],
                   hook: dict[str, Any]) -> str | None:
    """The component a webhook belongs to: by its configuration's name (``cert-manager-
    webhook``, ``kyverno-resource-validating-webhook-cfg``), else the installed component
    living in the service's namespace (unless that namespace is a shared one)."""
    ns = None if "://" in hook["service"] else hook["service"].split("/", 1)[0]
    if ns in SHARED_NAMESPACES:
        ns = None  # ExternalDNS in kube-system does not own the other webhooks there
    cfg = hook["configuration"]
    # only what runs in the cluster can serve a webhook: not Helm or Kustomize, whose ids
    # ("helm") could match a stranger's configuration name
    plugins = [p for p in plugins if p.workload_selectors]
    for p in plugins:
        if p.id in cfg or p.id.replace("-", "") in cfg.replace("-", ""):
            return p.id
    if ns is None:  # (a partial component has no namespace: None must not match it)
        return None
    for p in plugins:
        det = dets[p.id]
        if det.installed and det.namespace == ns:
            return p.id
    return None


def _blocking_text(hook: dict[str, Any], configuration: bool = False) -> str:
    where = f"{hook['configuration']}, " if configuration else ""
    return (f"webhook {hook['webhook']} ({where}failurePolicy Fail) has no ready endpoints "
            f"behind {hook['service']}: it can block admissions cluster-wide")


def _unowned_blocking(plugins: list[Plugin], detections: dict[str, Detection],
                      snapshot: ClusterSnapshot) -> list[dict[str, Any]]:
    return [h for h in webhook_rows(snapshot)
            if h["blocking"] and _webhook_owner(plugins, detections, h) is None]


def cluster_problems(plugins: Iterable[Plugin], detections: dict[str, Detection],
                     snapshot: ClusterSnapshot) -> list[str]:
    """Problems that belong to no catalog component but make the cluster not ready: today
    a ``failurePolicy: Fail`` webhook with no ready endpoint registered by something else
    (a VPA, a cloud's agent, an uninstalled tool's leftover configuration). It blocks every
    admission it matches just the same, so the board and ``report`` say so."""
    return [_blocking_text(h, configuration=True)
            for h in _unowned_blocking(list(plugins), detections, snapshot)]


@dataclass
class BoardRow:
    category: str
    plugin: Plugin | None
    detection: Detection | None
    alternatives: list[Plugin] = field(default_factory=list)

    @property
    def title(self) -> str:
        return CATEGORY_TITLES[self.category]

    @property
    def covered(self) -> bool:
        return self.detection is not None and self.detection.installed is True


def board_rows(plugins: Iterable[Plugin], detections: dict[str, Detection]) -> list[BoardRow]:
    """One row per area: the installed component (healthiest first), else the first one."""
    by_cat: dict[str, list[Plugin]] = {c: [] for c in CATEGORIES}
    for p in components(plugins):  # a view (board=False) has no row
        by_cat[p.category].append(p)
    rows = []
    rank = {True: 0, "partial": 1, False: 2}
    for cat in CATEGORIES:
        ps = by_cat[cat]
        if not ps:
            rows.append(BoardRow(cat, None, None))
            continue
        # among the missing, a maintained component before a retired one: ``i`` on an
        # empty ingress area must not offer ingress-nginx (retired upstream) first
        def key(p: Plugin) -> tuple[int, tuple[bool, bool]]:
            r = rank[detections[p.id].installed] if p.id in detections else 3
            return (r, _retired(p) if r >= 2 else (False, False))

        chosen = min(ps, key=key)
        rows.append(BoardRow(cat, chosen, detections.get(chosen.id),
                             [p for p in ps if p is not chosen]))
    return rows


def _retired(plugin: Plugin) -> tuple[bool, bool]:
    """Sort key among an area's missing components: retired or end of life last, and a
    companion (a log collector beside Loki) after the area's own backend."""
    from ..lifecycle_data import COMPANIONS, lifecycle_facts

    facts = lifecycle_facts(plugin)
    return (facts is not None and facts.status != "active", plugin.id in COMPANIONS)


def state_label(det: Detection | None) -> str:
    if det is None:
        return "…"
    if det.installed is False and det.details.get("unseen"):
        return "unknown"  # not found, but the workloads could not all be read
    return {True: "installed", False: "missing", "partial": "partial"}[det.installed]


def health_label(det: Detection | None) -> str:
    if det is None or det.installed is False:
        return ""
    return {True: "ok", False: "degraded", None: "unknown"}[det.healthy]


def report_json(plugins: Iterable[Plugin], detections: dict[str, Detection],
                snapshot: ClusterSnapshot) -> dict[str, Any]:
    plugins = [p for p in plugins if p.board]  # the views are not components
    components = []
    for p in plugins:
        det = detections[p.id]
        components.append({"id": p.id, "category": p.category, "title": p.title,
                           **det.as_json(), "state": state_label(det)})
    rows = board_rows(plugins, detections)
    return {
        "areas_covered": sum(1 for r in rows if r.covered),
        "areas_total": len(rows),
        "components": components,
        "cluster_problems": cluster_problems(plugins, detections, snapshot),
        "notes": sorted(snapshot.forbidden.values()) + sorted(snapshot.errors.values()),
    }


def report_markdown(plugins: Iterable[Plugin], detections: dict[str, Detection],
                    snapshot: ClusterSnapshot,
                    lifecycle: dict[str, str] | None = None) -> str:
    """``lifecycle``: component id -> its lifecycle label (a column when given)."""
    data = report_json(list(plugins), detections, snapshot)
    extra = " Lifecycle |" if lifecycle is not None else ""
    lines = [f"**{data['areas_covered']} of {data['areas_total']} areas covered**", "",
             "| Area | Component | Installed | Namespace | Version | Healthy |" + extra
             + " Problems |", "|---|---|---|---|---|---|" + ("---|" if extra else "") + "---|"]
    for c in data["components"]:
        installed = {True: "yes", False: "no", "partial": "partial"}[c["installed"]]
        if c["state"] == "unknown":
            installed = "unknown"
        healthy = {True: "yes", False: "no", None: "unknown"}[c["healthy"]]
        if c["installed"] is False:
            healthy = ""
        cells = (CATEGORY_TITLES[c["category"]], c["title"], installed, c["namespace"],
                 c["version"], healthy,
                 *([lifecycle.get(c["id"], "")] if lifecycle is not None else []),
                 "; ".join(c["problems"]))
        lines.append("| " + " | ".join(markdown_cell(v) for v in cells) + " |")
    for problem in data["cluster_problems"]:
        lines.append(f"\n> **problem:** {markdown_cell(problem)}")
    for note in data["notes"]:
        lines.append(f"\n> {markdown_cell(note)}")
    return "\n".join(lines) + "\n"


def markdown_cell(value: object) -> str:
    """``value`` as one Markdown table cell (or one quoted line): cleaned of control
    characters (a newline shown as ``␤``, so a name cannot end the row or the quote),
    backslash and ``|`` escaped (a ``|`` would open another column), ``<`` written as
    ``&lt;`` (no HTML from the cluster in a rendered runbook)."""
    return (clean(value).replace("\\", "\\\\").replace("|", "\\|")
            .replace("<", "&lt;"))


#: what ``report --fail-on`` can gate on (cron and CI): each maps to the components or
#: areas that make it true
FAIL_CONDITIONS = ("unhealthy", "unknown", "missing", "retired", "unsupported", "outdated")
#: the conditions about upstream lifecycle, judged by ``lifecycle.lifecycle_failing``
#: (they need the newest chart versions, which this pure module does not look up)
LIFECYCLE_CONDITIONS = ("retired", "unsupported", "outdated")


def failing(plugins: Iterable[Plugin], detections: dict[str, Detection],
            conditions: Iterable[str],
            snapshot: ClusterSnapshot | None = None) -> dict[str, list[str]]:
    """For each asked condition that holds, what makes it hold:

    * ``unhealthy``: installed or partial components whose health is false, and (with the
      ``snapshot``) blocking webhooks of no component, as ``webhook/<name>``;
    * ``unknown``: installed or partial components whose health could not be judged
      (RBAC denied a list, the storage is not readable);
    * ``missing``: areas (categories) with no installed component.

    Pure, so the exit status of ``report`` is unit-testable."""
    plugins = components(plugins)
    found: dict[str, list[str]] = {}
    for cond in conditions:
        if cond in LIFECYCLE_CONDITIONS:
            continue
        if cond == "missing":
            # an area whose component could not be judged is unknown, not missing
            hits = [r.category for r in board_rows(plugins, detections)
                    if not r.covered and state_label(r.detection) != "unknown"]
        else:
            want = False if cond == "unhealthy" else None
            hits = [p.id for p in plugins
                    if (det := detections.get(p.id)) is not None
                    and ((det.installed is not False and det.healthy is want)
                         or (cond == "unknown" and state_label(det) == "unknown"))]
            if cond == "unhealthy" and snapshot is not None:
                hits += [f"webhook/{h['webhook']}"
                         for h in _unowned_blocking(plugins, detections, snapshot)]
        if hits:
            found[cond] = hits
    return found
