"""ExternalDNS: publishes DNS records for Services and Ingresses in your DNS provider."""

from __future__ import annotations

from k8s_essentials_tui.api import ChartRef, Plugin
from k8s_essentials_tui.plugins import exposure

CHART = ChartRef(
    repo="https://kubernetes-sigs.github.io/external-dns/",
    chart="external-dns",
    version="1.21.1",
    namespace="external-dns",
    release="external-dns",
    values="""\
provider:
  name: aws              # your DNS provider: aws, google, azure, cloudflare, ...
policy: upsert-only      # never delete records (switch to sync once trusted)
registry: txt
txtOwnerId: my-cluster   # unique per cluster sharing a zone
sources:
  - service
  - ingress
domainFilters: []        # e.g. [example.com]: only touch these zones
""",
)

WORKLOAD_NAMES: tuple[str, ...] = ("external-dns",)
SELECTORS: tuple[dict[str, str], ...] = ({"app.kubernetes.io/name": "external-dns"},)
CHARTS: tuple[str, ...] = ("external-dns",)
#: DNSEndpoint CRD (optional in the chart)
API_GROUPS: tuple[str, ...] = ("externaldns.k8s.io",)


PLUGIN = Plugin(
    id="external-dns",
    title="ExternalDNS",
    category="dns",
    why="Keeps DNS records in sync with Services/Ingresses so nobody edits zones by hand.",
    chart=CHART,
    api_groups=API_GROUPS,
    chart_names=CHARTS,
    workload_selectors=SELECTORS,
    pane=exposure.PANE,  # the exposure pane, opened at this area's column
)
