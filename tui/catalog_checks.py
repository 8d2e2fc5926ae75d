"""Checks across catalog components, after every plugin's ``detect()`` ran: what a Helm
release bundles, a second Flux or Argo CD, two controllers claiming one IngressClass, Loki
with no log collector. Pure (no I/O, no Textual); :func:`annotate` is called by
``evaluate()`` so the board, the overview and ``report`` all see the same facts.

Why here and not in each plugin's rule: every one of these needs more than one component's
detection, and a plugin's ``detect()`` sees only the snapshot.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from .detection.detect import find_workloads
from .detection.snapshot import ClusterSnapshot
from .fields import Fields, mapping
from .lifecycle_data import BUNDLES
from .plugin import Detection, Plugin

INSTANCE_LABELS = ("app.kubernetes.io/instance", "release")
#: components of which one per cluster is the sane number (two reconcile the same objects)
SINGLETONS = ("flux", "argocd")
#: IngressClass a controller claims when its args do not say (the charts' defaults)
DEFAULT_CLASS = {"ingress-nginx": "nginx", "nginx-ingress": "nginx", "traefik": "traefik"}
_CLASS_ARG = re.compile(
    r"^--?(?:ingress-class|providers\.kubernetesingress\.ingressclass)=(?P<cls>.+)$")
#: components that ship logs to Loki
COLLECTORS = ("alloy", "fluent-bit", "promtail")


def _meta(obj: Mapping[str, Any], key: str) -> str:
    value = mapping(mapping(obj).get("metadata")).get(key)
    return value if isinstance(value, str) else ""


def _labels(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    return mapping(mapping(mapping(obj).get("metadata")).get("labels"))


def own_charts(plugin: Plugin) -> set[str]:
    names = set(plugin.chart_names)
    if plugin.chart is not None and plugin.chart.chart:
        names.add(plugin.chart.chart.rsplit("/", 1)[-1])
    names |= {chart for chart, ids in BUNDLES.items() if ids[:1] == (plugin.id,)}
    return names


def provided_by(plugin: Plugin, snapshot: ClusterSnapshot) -> dict[str, str] | None:
    """The Helm release of another chart that runs ``plugin``'s workloads (Grafana inside
    kube-prometheus-stack), found by the workloads' instance label; None when the
    component runs from its own chart, or from no release we can see."""
    if not plugin.workload_selectors:
        return None
    releases = {(r.get("namespace"), r.get("name")): r for r in snapshot.helm_releases
                if r.get("status") != "uninstalled" and isinstance(r.get("name"), str)}
    mine = own_charts(plugin)
    for workload in find_workloads(snapshot, plugin.workload_selectors):
        labels = _labels(workload)
        for key in INSTANCE_LABELS:
            instance = labels.get(key)
            if not isinstance(instance, str):
                continue  # a malformed label value (a list, a map) names no release
            rel = releases.get((_meta(workload, "namespace"), instance))
            if rel is None:
                continue
            chart = rel.get("chart")
            if isinstance(chart, str) and chart and chart not in mine:
                return {"release": str(rel.get("name")), "namespace": str(rel.get("namespace")),
                        "chart": chart}
    return None


def provided_text(info: Mapping[str, str]) -> str:
    """``provided by release monitoring/kube-prometheus-stack (chart ...)``."""
    return (f"provided by release {info['namespace']}/{info['release']} "
            f"(chart {info['chart']})")


def _instances(plugin: Plugin, snapshot: ClusterSnapshot) -> list[str]:
    return sorted({_meta(w, "namespace")
                   for w in find_workloads(snapshot, plugin.workload_selectors)})


def _claimed_class(plugin_id: str, workload: Mapping[str, Any]) -> str | None:
    for container in Fields(workload).array("spec.template.spec.containers"):
        args = mapping(container).get("args")
        for arg in args if isinstance(args, list) else ():
            m = _CLASS_ARG.match(arg) if isinstance(arg, str) else None
            if m:
                return m["cls"]
    return DEFAULT_CLASS.get(plugin_id)


def class_claims(plugins: Iterable[Plugin],
                 snapshot: ClusterSnapshot) -> dict[str, list[tuple[str, str]]]:
    """IngressClass name -> the (plugin id, namespace) controllers claiming it."""
    claims: dict[str, set[tuple[str, str]]] = {}
    for p in plugins:
        if p.category != "ingress" or not p.workload_selectors:
            continue
        for w in find_workloads(snapshot, p.workload_selectors):
            cls = _claimed_class(p.id, w)
            if cls:
                claims.setdefault(cls, set()).add((p.id, _meta(w, "namespace")))
    return {cls: sorted(who) for cls, who in claims.items()}


def annotate(plugins: Iterable[Plugin], detections: dict[str, Detection],
             snapshot: ClusterSnapshot) -> None:
    """Add the cross-component facts to ``detections`` (in place)."""
    plugins = list(plugins)
    for p in plugins:
        det = detections.get(p.id)
        if det is None or det.installed is False:
            continue
        info = provided_by(p, snapshot)
        if info is not None:
            det.details["provided_by"] = info
        if p.id in SINGLETONS and len(found := _instances(p, snapshot)) > 1:
            det.problems.append(
                f"{len(found)} {p.title} installations ({', '.join(found)}): each "
                "reconciles the same objects unless scoped")
    for cls, who in class_claims(plugins, snapshot).items():
        if len(who) < 2:
            continue
        names = ", ".join(f"{pid} in {ns}" for pid, ns in who)
        for pid in {pid for pid, _ns in who}:
            detections[pid].problems.append(
                f"IngressClass {cls} is claimed by {len(who)} controllers ({names}): "
                "both serve its Ingresses")
    for p in plugins:
        det = detections.get(p.id)
        release = det.details.get("release") if det is not None else None
        if det is None or not isinstance(release, Mapping):
            continue
        removed = release.get("removed_apis")
        if removed:
            det.problems.append(removed_text(release, removed))
    loki = detections.get("loki")
    if loki is not None and loki.installed is True and not any(
            (d := detections.get(c)) is not None and d.installed is True for c in COLLECTORS):
        loki.problems.append("Loki installed, no collector: nothing ships logs to it "
                             "(install Grafana Alloy or Fluent Bit)")


def removed_text(release: Mapping[str, Any], removed: list[Mapping[str, Any]]) -> str:
    """``Helm release ns/name uses removed APIs: Ingress/web extensions/v1beta1 (removed in
    1.22, use networking.k8s.io/v1): helm upgrade fails until the record is rewritten``."""
    shown = ", ".join(f"{r.get('kind')}/{r.get('name')} {r.get('api_version')} (removed in "
                      f"{r.get('removed_in')}, use {r.get('replacement')})"
                      for r in removed[:3])
    more = f" and {len(removed) - 3} more" if len(removed) > 3 else ""
    return (f"Helm release {release.get('namespace')}/{release.get('name')} uses removed "
            f"APIs: {shown}{more}: helm upgrade fails until the record is rewritten "
            "(see `deprecations`)")


def install_refusal(plugin: Plugin, detection: Detection | None) -> str | None:
    """Why ``i``/``install`` must not install ``plugin``: it already runs inside another
    release (a second copy would fight the first). None when installing is fine."""
    info = (detection.details.get("provided_by") if detection is not None else None)
    if not isinstance(info, Mapping):
        return None
    return (f"{plugin.title} is {provided_text(info)}: change that release's values "
            "instead of installing a second one")
