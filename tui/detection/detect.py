"""Pure helpers for plugins' ``detect()`` rules: find workloads by chart labels, judge health,
read versions. No I/O: everything comes from the :class:`~.snapshot.ClusterSnapshot`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..fields import Fields, mapping
from ..helm.release import PENDING
from ..plugin import Detection
from .snapshot import ClusterSnapshot


def labels_match(obj: Mapping[str, Any], selector: Mapping[str, str]) -> bool:
    labels = mapping(mapping(mapping(obj).get("metadata")).get("labels"))
    return all(labels.get(k) == v for k, v in selector.items())


def find_workloads(snapshot: ClusterSnapshot,
                   selectors: Iterable[Mapping[str, str]]) -> list[dict[str, Any]]:
    """Workloads matching any of the label selectors (each a dict of equalities)."""
    sels = list(selectors)
    return [w for w in snapshot.workloads if any(labels_match(w, s) for s in sels)]


def ready_counts(workload: Mapping[str, Any]) -> tuple[int, int]:
    """(ready, desired) for a Deployment, StatefulSet or DaemonSet (a count of the wrong
    type reads as 0: the workload then shows as not ready, which is what it is worth)."""
    f = Fields(workload)
    if mapping(workload).get("kind") == "DaemonSet":
        return f.number("status.numberReady"), f.number("status.desiredNumberScheduled")
    return f.number("status.readyReplicas"), f.number("spec.replicas", 1)


def images(workload: Mapping[str, Any]) -> list[str]:
    """The images of a workload's pod template (init containers left out), in order."""
    containers = Fields(workload).array("spec.template.spec.containers")
    return [c["image"] for c in containers
            if isinstance(c, Mapping) and isinstance(c.get("image"), str) and c["image"]]


def _name(workload: Mapping[str, Any], field: str = "name") -> str:
    value = mapping(mapping(workload).get("metadata")).get(field)
    return value if isinstance(value, str) else ""


def workload_status(workload: Mapping[str, Any]) -> dict[str, Any]:
    """One workload as a component pane shows it: kind, namespace, name, ready/desired and
    images. Kept in ``Detection.details["workload_status"]`` so the pane needs no request."""
    ready, desired = ready_counts(workload)
    kind = mapping(workload).get("kind")
    return {"kind": kind if isinstance(kind, str) else "",
            "namespace": _name(workload, "namespace"),
            "name": _name(workload), "ready": ready, "desired": desired,
            "images": images(workload)}


def image_tag(workload: Mapping[str, Any]) -> str | None:
    """The tag of the first container image that has one (a digest is ignored)."""
    for image in images(workload):
        ref = image.split("@", 1)[0]
        if ":" in ref.rsplit("/", 1)[-1]:
            return ref.rsplit(":", 1)[1]
    return None


#: release states that need an operator: a failed install/upgrade, an operation that is
#: running or stuck (helm refuses the next one: "another operation is in progress"), and a
#: release Secret that cannot be decoded
TROUBLED_RELEASE = ("failed", "unreadable", *PENDING)


def release_troubled(release: Mapping[str, Any]) -> bool:
    return release.get("status") in TROUBLED_RELEASE


def helm_release_for(snapshot: ClusterSnapshot, charts: Iterable[str],
                     namespace: str | None = None) -> dict[str, Any] | None:
    """The component's Helm release: one of ``charts``, preferably in ``namespace`` (where
    its first workload runs). Why: two installs of one chart (an internal and an external
    ingress-nginx) must not pair one's workloads with the other's version and status."""
    names = set(charts)
    found = [rel for rel in snapshot.helm_releases
             if isinstance(rel.get("chart"), str) and rel["chart"] in names
             and rel.get("status") != "uninstalled"]
    return next((r for r in found if r.get("namespace") == namespace),
                found[0] if found else None)


def detect_workloads(
    snapshot: ClusterSnapshot,
    *,
    selectors: Iterable[Mapping[str, str]],
    charts: Iterable[str] = (),
    api_groups: Iterable[str] = (),
) -> Detection:
    """The common rule: workloads by chart labels, version from Helm or the image tag,
    health from ready vs desired replicas, ``partial`` when only CRDs are present."""
    api_groups = tuple(api_groups)
    workloads = find_workloads(snapshot, selectors)
    first_ns = (_name(workloads[0], "namespace") or None) if workloads else None
    release = helm_release_for(snapshot, charts, first_ns)
    groups = [g for g in api_groups if snapshot.has_group(g)]
    det = Detection()
    # what the component pane shows beside the verdict (pure data, no request)
    det.details["release"] = release
    det.details["api_groups"] = {g: snapshot.has_group(g) for g in api_groups}
    det.details["workload_status"] = [workload_status(w) for w in workloads]
    # running pods say nothing about a half-applied chart; the next upgrade needs care
    troubled = [f"Helm release {release.get('namespace')}/{release.get('name')}: "
                f"{release.get('status')} (revision {release.get('revision')})"
                ] if release and release_troubled(release) else []
    if not workloads:
        denied = snapshot.forbidden.get("workloads")
        if groups or release:
            det.installed = "partial"
            what = "CRDs" if groups else f"Helm release {release['name']}" if release else ""
            # with the workload lists denied, "no controller" would be a guess
            det.problems.append(f"{what} present but no controller running" if not denied
                                else f"{what} present; its controller is not visible")
            det.healthy = False
            if release:
                det.namespace = release.get("namespace")
                det.version = release.get("chart_version")
        if denied:
            det.healthy = None
            det.problems.append(denied)
            # nothing seen where we may not look: "missing" would be a guess too
            det.details["unseen"] = True
        det.problems += troubled
        return det
    det.installed = True
    det.namespace = first_ns
    det.version = (release or {}).get("chart_version") or image_tag(workloads[0])
    det.details["version_source"] = "helm" if (release or {}).get("chart_version") else "image"
    det.healthy = not troubled
    for w in workloads:
        ready, desired = ready_counts(w)
        if ready < desired:
            det.healthy = False
            det.problems.append(
                f"{w.get('kind')} {_name(w)}: {ready}/{desired} ready")
    det.problems += troubled
    det.details["workloads"] = [f"{w.get('kind')}/{_name(w)}" for w in workloads]
    return det
