"""cert-manager: certificates from Issuers (ACME, CA, Vault, ...) renewed automatically.

Catalog entry and detection only -- importable without Textual or ``cryptography`` so the
overview stays fast. The pane (``pane.py``) lists every certificate of the cluster by expiry.
"""

from __future__ import annotations

from k8s_essentials_tui.api import (
    INGRESSES,
    SECRETS,
    ChartRef,
    ClusterSnapshot,
    Detection,
    Plugin,
    PluginAction,
    PluginCommand,
    Setting,
    detect_workloads,
    rt,
)

API_GROUP = "cert-manager.io"
CERTIFICATES = rt("cert-manager.io/v1", "certificates", "Certificate")
CERTIFICATE_REQUESTS = rt("cert-manager.io/v1", "certificaterequests", "CertificateRequest")
ISSUERS = rt("cert-manager.io/v1", "issuers", "Issuer")
CLUSTER_ISSUERS = rt("cert-manager.io/v1", "clusterissuers", "ClusterIssuer", namespaced=False)
ORDERS = rt("acme.cert-manager.io/v1", "orders", "Order")
CHALLENGES = rt("acme.cert-manager.io/v1", "challenges", "Challenge")
#: Velero backups join the "all expiries" view when the CRD is served
VELERO_BACKUPS = rt("velero.io/v1", "backups", "Backup")

CHART = ChartRef(
    repo="https://charts.jetstack.io",
    chart="cert-manager",
    version="v1.21.2",
    namespace="cert-manager",
    release="cert-manager",
    values="""\
crds:
  enabled: true
  keep: true
replicaCount: 2
podDisruptionBudget:
  enabled: true
prometheus:
  enabled: true
""",
)

SELECTORS = [
    {"app.kubernetes.io/name": "cert-manager"},
    {"app.kubernetes.io/name": "cainjector"},
    {"app.kubernetes.io/name": "webhook"},
]
#: the Helm chart whose release is cert-manager's (declared on the Plugin, used by detect)
CHARTS: tuple[str, ...] = ("cert-manager",)


def detect(snapshot: ClusterSnapshot) -> Detection:
    det = detect_workloads(snapshot, selectors=SELECTORS, charts=CHARTS,
                           api_groups=[API_GROUP])
    if det.installed is True and not snapshot.has_group(API_GROUP) and snapshot.api_groups:
        det.problems.append("controller runs but the cert-manager.io CRDs are not served")
        det.healthy = False
    return det


PLUGIN = Plugin(
    id="cert-manager",
    title="cert-manager",
    category="certificates",
    why="Issues and renews TLS certificates; an expired one is a self-inflicted outage.",
    chart=CHART,
    detect=detect,
    workload_selectors=tuple(SELECTORS),
    chart_names=CHARTS,
    pane="k8s_essentials_tui.plugins.cert_manager.pane:CertificatesPane",
    actions=(
        PluginAction("cert-manager.renew", "Renew certificate now", key="R",
                     description="set Issuing=True like `cmctl renew`", mutating=True),
    ),
    api_groups=(API_GROUP,),
    watches=(CERTIFICATES, SECRETS, INGRESSES),
    commands=(PluginCommand(
        "certs", "list certificates (cert-manager and TLS Secrets) by expiry",
        "k8s_essentials_tui.plugins.cert_manager.command",
        "List every cert-manager Certificate and kubernetes.io/tls Secret, soonest expiry "
        "first. Exit 0 when none expires within --within days (default 30), 1 when some "
        "do, 2 when something could not be read."),),
    settings_table="certificates",
    settings=(
        Setting("warning_days", int, 30, "expiry warning threshold (days)"),
        Setting("critical_days", int, 7, "expiry critical threshold (days)"),
    ),
)
