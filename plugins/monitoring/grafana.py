"""Grafana: dashboards over Prometheus, Loki and Jaeger.

Since 2026 the chart is maintained in grafana-community/helm-charts (the grafana.github.io
repository no longer receives it). The Grafana bundled by kube-prometheus-stack carries the
same ``app.kubernetes.io/name: grafana`` label and counts as installed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from k8s_essentials_tui.api import ChartRef, Plugin

CHART = ChartRef(
    repo="https://grafana-community.github.io/helm-charts",
    chart="grafana",
    version="12.10.3",
    namespace="monitoring",
    release="grafana",
    values="""\
persistence:
  enabled: true
  size: 10Gi
sidecar:
  dashboards:
    enabled: true          # load dashboards from labelled ConfigMaps
    searchNamespace: ALL
  datasources:
    enabled: true
datasources:
  datasources.yaml:
    apiVersion: 1
    datasources:
      - name: Prometheus
        type: prometheus
        url: http://kube-prometheus-stack-prometheus.monitoring.svc:9090
        isDefault: true
""",
)

WORKLOAD_NAMES: tuple[str, ...] = ("grafana",)
SELECTORS: tuple[dict[str, str], ...] = ({"app.kubernetes.io/name": "grafana"},)
CHARTS: tuple[str, ...] = ("grafana",)
#: no CRDs (the separate grafana-operator is not this chart)
API_GROUPS: tuple[str, ...] = ()


PLUGIN = Plugin(
    id="grafana",
    title="Grafana",
    category="dashboards",
    why="One place to look during an incident: metrics, logs and traces side by side.",
    chart=CHART,
    api_groups=API_GROUPS,
    chart_names=CHARTS,
    workload_selectors=SELECTORS,
    pane="k8s_essentials_tui.plugins.monitoring.pane:MonitoringPane",
)


# -- Grafana facts for the dashboards area (pure: objects in, facts out) --------------------

#: the labels the chart's sidecars look for (``sidecar.datasources.label`` /
#: ``sidecar.dashboards.label``; both charts' defaults)
DATASOURCE_LABEL = "grafana_datasource"
DASHBOARD_LABEL = "grafana_dashboard"
#: the datasource types an operator of this cluster expects, and which component serves each
EXPECTED_TYPES: tuple[tuple[str, str], ...] = (
    ("prometheus", "Prometheus"), ("loki", "Loki"), ("jaeger", "Jaeger"))
#: a provisioning file bigger than this is not read (a ConfigMap holds at most 1 MiB anyway)
MAX_FILE = 1024 * 1024


@dataclass(frozen=True)
class Datasource:
    name: str
    type: str
    url: str
    #: where it is provisioned: "ConfigMap NS/NAME" or "Secret NS/NAME"
    source: str


@dataclass(frozen=True)
class Exposure:
    """How Grafana is reached: a Service (type, ports) or an Ingress host."""

    kind: str  # Service | Ingress
    namespace: str
    name: str
    where: str  # "ClusterIP 80/TCP" or "https://grafana.example.com"


@dataclass
class GrafanaFacts:
    exposures: list[Exposure] = field(default_factory=list)
    datasources: list[Datasource] = field(default_factory=list)
    dashboards: int = 0
    dashboard_configmaps: int = 0
    #: the kubectl command that prints the admin password (never the value)
    password_command: str = ""
    problems: list[str] = field(default_factory=list)

    def missing_types(self) -> list[str]:
        have = {d.type.lower() for d in self.datasources}
        return [title for t, title in EXPECTED_TYPES if t not in have]

    def as_json(self) -> dict[str, Any]:
        return {"exposures": [vars(e) for e in self.exposures],
                "datasources": [vars(d) for d in self.datasources],
                "dashboards": self.dashboards, "dashboardConfigMaps": self.dashboard_configmaps,
                "passwordCommand": self.password_command, "missing": self.missing_types(),
                "problems": self.problems}


def _meta(obj: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    meta = obj.get("metadata") or {}
    return str(meta.get("namespace") or ""), str(meta.get("name") or ""), meta


def is_grafana_service(svc: dict[str, Any]) -> bool:
    labels = _meta(svc)[2].get("labels") or {}
    return labels.get("app.kubernetes.io/name") == "grafana"


def _datasources_in(text: str, source: str) -> list[Datasource]:
    """Only ``name``, ``type`` and ``url`` of each datasource are kept: the rest of a
    provisioning file (passwords, tokens in secureJsonData) is never read out."""
    import yaml

    if len(text) > MAX_FILE:
        return []
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError:
        return []
    items = doc.get("datasources") if isinstance(doc, dict) else None
    out = []
    for ds in items if isinstance(items, list) else []:
        if isinstance(ds, dict):
            out.append(Datasource(str(ds.get("name") or ""), str(ds.get("type") or ""),
                                  str(ds.get("url") or ""), source))
    return out


def _secret_files(secret: dict[str, Any]) -> list[str]:
    import base64
    import binascii

    files = []
    for value in (secret.get("data") or {}).values():
        try:
            files.append(base64.b64decode(str(value), validate=True).decode("utf-8", "replace"))
        except (binascii.Error, ValueError):
            continue
    files.extend(str(v) for v in (secret.get("stringData") or {}).values())
    return files


def grafana_facts(services: Iterable[dict[str, Any]], ingresses: Iterable[dict[str, Any]],
                  configmaps: Iterable[dict[str, Any]], secrets: Iterable[dict[str, Any]]
                  ) -> GrafanaFacts:
    """Facts from the Services/Ingresses (exposure), the sidecar-labelled ConfigMaps and
    Secrets (datasources: names, types, URLs only; dashboards: counted)."""
    facts = GrafanaFacts()
    grafana_svcs: set[tuple[str, str]] = set()
    for svc in services:
        if not is_grafana_service(svc):
            continue
        ns, name, _ = _meta(svc)
        spec = svc.get("spec") or {}
        ports = ", ".join(f"{p.get('port')}/{p.get('protocol') or 'TCP'}"
                          for p in spec.get("ports") or [] if isinstance(p, dict))
        grafana_svcs.add((ns, name))
        facts.exposures.append(Exposure("Service", ns, name,
                                        f"{spec.get('type') or 'ClusterIP'} {ports}".strip()))
        if not facts.password_command:
            facts.password_command = (
                f"kubectl get secret -n {ns} {name} -o jsonpath='{{.data.admin-password}}' "
                "| base64 -d")
    for ing in ingresses:
        ns, name, _ = _meta(ing)
        spec = ing.get("spec") or {}
        tls_hosts = {h for t in spec.get("tls") or [] for h in (t or {}).get("hosts") or []}
        for rule in spec.get("rules") or []:
            paths = ((rule or {}).get("http") or {}).get("paths") or []
            backends = {str(((p or {}).get("backend") or {}).get("service", {}).get("name"))
                        for p in paths}
            if any((ns, b) in grafana_svcs for b in backends):
                host = str((rule or {}).get("host") or "*")
                scheme = "https" if host in tls_hosts else "http"
                facts.exposures.append(Exposure("Ingress", ns, name, f"{scheme}://{host}"))
    for cm in configmaps:
        ns, name, meta = _meta(cm)
        labels = meta.get("labels") or {}
        if DATASOURCE_LABEL in labels:
            for text in (cm.get("data") or {}).values():
                facts.datasources.extend(_datasources_in(str(text), f"ConfigMap {ns}/{name}"))
        if DASHBOARD_LABEL in labels:
            facts.dashboard_configmaps += 1
            facts.dashboards += sum(1 for k in (cm.get("data") or {}) if str(k).endswith(".json"))
    for secret in secrets:
        ns, name, meta = _meta(secret)
        if DATASOURCE_LABEL not in (meta.get("labels") or {}):
            continue
        for text in _secret_files(secret):
            facts.datasources.extend(_datasources_in(text, f"Secret {ns}/{name}"))
    facts.datasources.sort(key=lambda d: (d.type, d.name))
    if grafana_svcs and not facts.datasources:
        facts.problems.append("no provisioned datasources (no ConfigMap/Secret labelled "
                              f"{DATASOURCE_LABEL})")
    return facts
