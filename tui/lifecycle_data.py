"""Lifecycle facts of the built-in catalog, keyed by plugin id, each dated and sourced.

Why one data module in the core and not a field in each plugin module: the built-in plugins
are being turned into packages by other changes at the same time, and the registry must
read these facts without importing anything from ``plugins`` (an import contract forbids
the core to). It follows the precedent of ``tui/aliases.py``: a third-party plugin (or a
built-in, once its package settles) declares ``Plugin.lifecycle`` and that wins over this
table. Every fact is cited in docs/catalog.md ("Lifecycle"); ``checked`` says when it was
read -- the facts age, and the board says "as of" rather than pretending otherwise.

Also here: which charts bundle which catalog components (:data:`BUNDLES`), so detection can
say "provided by release kube-prometheus-stack" instead of offering a second install.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .lifecycle import Lifecycle

if TYPE_CHECKING:
    from .plugin import Plugin

CHECKED = "2026-12-06"

BUILTIN_LIFECYCLE: dict[str, Lifecycle] = {
    # Kubernetes blog, "Ingress NGINX Retirement: What You Need to Know" (2025-11-11) and
    # the Steering/SRC statement (2026-01-29): best-effort maintenance until March 2026,
    # then no releases, bug fixes or security patches; successor: the Gateway API.
    "ingress-nginx": Lifecycle(
        status="retired", since="2026-03", checked=CHECKED,
        successor="a Gateway API implementation (Envoy Gateway, NGINX Gateway Fabric, "
                  "Traefik) or another maintained Ingress controller",
        successor_ids=("envoy-gateway", "nginx-gateway-fabric", "traefik", "nginx-ingress"),
        source="https://kubernetes.io/blog/2026/01/29/ingress-nginx-statement/",
        notes=("no releases, bug fixes or security patches after March 2026; existing "
               "installs keep running",)),
    # grafana.com/docs/loki/latest/send-data/promtail/: "Promtail is end of life (EOL) as
    # of March 2, 2026 ... All future feature development will occur in Grafana Alloy."
    "promtail": Lifecycle(
        status="eol", since="2026-03-02", checked=CHECKED,
        successor="Grafana Alloy (or another supported client such as Fluent Bit)",
        successor_ids=("alloy", "fluent-bit"),
        source="https://grafana.com/docs/loki/latest/send-data/promtail/"),
    # jaegertracing/jaeger#6321: v1 end of life 2025-12-31 (no v1 binaries from
    # 2026-01-01); v2 is built on the OpenTelemetry Collector. The catalog's chart 4.x
    # deploys v2; an install running 1.x (or the v1 operator) is end of life.
    "jaeger": Lifecycle(
        status="active", checked=CHECKED,
        eol_versions=(("1.", "Jaeger v1 reached end of life on 2025-12-31 (no releases "
                             "since); Jaeger v2 is built on the OpenTelemetry Collector"),),
        policy="only the latest minor of each major line is supported",
        source="https://github.com/jaegertracing/jaeger/issues/6321"),
    # buoyant.io, "Clarifications on the Linkerd 2.15 stable announcement" (2024-02-23):
    # no open-source stable release artifacts after 2.14; stable releases come from
    # Buoyant Enterprise for Linkerd; open source publishes edge releases only.
    "linkerd": Lifecycle(
        status="active", checked=CHECKED,
        eol_versions=(("stable-", "open-source stable releases ended with 2.14 (February "
                                  "2024): move to edge releases or a vendor's stable"),),
        policy="open source publishes edge releases only; edges carry no stability "
               "guarantee (read each one's upgrade notes)",
        source="https://buoyant.io/blog/clarifications-on-linkerd-2-15-stable-announcement",
        notes=("open-source releases are edge releases only (no stable channel since "
               "2024)",)),
    # cert-manager.io/docs/releases/: each minor is supported until the release of N+2
    # (the two newest are supported); 1.20 released 2026-03-10, 1.21 2026-07
    # (endoflife-date PR #10469; cert-manager/testing#1218 drops 1.19 after 1.21).
    "cert-manager": Lifecycle(
        status="active", checked=CHECKED, supported=("1.21", "1.20"),
        policy="the two newest minors (each until the release of N+2)",
        source="https://cert-manager.io/docs/releases/"),
    # istio.io data/compatibility/supportStatus.yml: 1.30 (2026-05-14) and 1.29
    # (2026-02-16) supported; each minor until about six months after its release.
    "istio": Lifecycle(
        status="active", checked=CHECKED, supported=("1.30", "1.29"),
        policy="about six months per minor (supported until ~6 weeks after N+2)",
        source="https://istio.io/latest/docs/releases/supported-releases/"),
    # endoflife.date products/kyverno.md: eol(X) = release of X+3, i.e. the three newest
    # minors; 1.19 (2026-08-20), 1.18 (2026-04-29), 1.17 (2026-02-02).
    "kyverno": Lifecycle(
        status="active", checked=CHECKED, supported=("1.19", "1.18", "1.17"),
        policy="the three newest minors",
        source="https://kyverno.io/docs/installation/#compatibility-matrix"),
    # Velero publishes a Kubernetes compatibility matrix, not a support window.
    "velero": Lifecycle(
        status="active", checked=CHECKED,
        policy="no published support window (a Kubernetes compatibility matrix only)",
        source="https://github.com/vmware-tanzu/velero#velero-compatibility-matrix"),
    # argo-cd SECURITY.md: the three most recent minors get fixes; 3.5.0 released
    # 2026-08-04 (endoflife-date PR #10666), 3.4.x and 3.3.x patched in 2026.
    "argocd": Lifecycle(
        status="active", checked=CHECKED, supported=("3.5", "3.4", "3.3"),
        policy="the three most recent minors",
        source="https://github.com/argoproj/argo-cd/blob/master/SECURITY.md"),
    # fluxcd.io/flux/releases: release branches for the three most recent minors; the
    # newest minor was not checked, so no window is claimed.
    "flux": Lifecycle(
        status="active", checked=CHECKED,
        policy="the three most recent minors (release branches)",
        source="https://fluxcd.io/flux/releases/"),
    # Gatekeeper Release_Management.md "supported releases"; endoflife.date listed 3.22
    # and 3.21 as maintained in April 2026; 3.23.1 shipped by November 2026.
    "gatekeeper": Lifecycle(
        status="active", checked=CHECKED, supported=("3.23", "3.22"),
        policy="the newest minors (Release_Management.md, supported releases)",
        source="https://github.com/open-policy-agent/gatekeeper/blob/master/docs/"
               "Release_Management.md#supported-releases"),
}

#: chart name -> the catalog components a release of it provides (besides its own).
#: kube-prometheus-stack bundles the Prometheus operator, Prometheus, Alertmanager,
#: Grafana, node-exporter and kube-state-metrics; the Istio charts base/istiod/gateway
#: make one install; flux2 bundles the Flux controllers; loki-stack (deprecated) bundled
#: Promtail and Grafana.
BUNDLES: dict[str, tuple[str, ...]] = {
    "kube-prometheus-stack": ("kube-prometheus-stack", "grafana"),
    "base": ("istio",), "istiod": ("istio",), "gateway": ("istio",),
    "flux2": ("flux",),
    "loki-stack": ("loki", "promtail", "grafana"),
}


#: entries that complement their area's backend rather than replace it (log collectors
#: beside Loki, the OpenTelemetry Collector beside Jaeger): never the headline of an empty
#: area's board row
COMPANIONS: frozenset[str] = frozenset({"alloy", "fluent-bit", "promtail",
                                        "opentelemetry-collector"})


def lifecycle_facts(plugin: Plugin) -> Lifecycle | None:
    """The plugin's own facts (``Plugin.lifecycle``), else the built-in table's (only for
    built-in plugins: a third-party plugin that reuses an id is not ours to judge)."""
    own = getattr(plugin, "lifecycle", None)
    if isinstance(own, Lifecycle):
        return own
    if plugin.source != "built-in":
        return None
    return BUILTIN_LIFECYCLE.get(plugin.id)
