"""Exposure: every public host followed from route to backend, address, DNS, ExternalDNS and
TLS (issue #19).

Not a component (nothing to install): a view, ``Plugin(board=False)``, so the board, the
detection and ``report`` skip it while ``plugins``, the palette and ``:exposure`` /
``:hosts`` / ``:ingresses`` list it. It owns the ``exposure`` command and the
``[exposure]`` settings table. The ingress controllers' and ExternalDNS's entries name
:data:`PANE` as their pane (``enter`` on the Ingress or DNS area opens it at that area's
column), and the certificates pane opens it with ``x`` at the TLS column.
Textual-free: catalog entries import this module.
"""

from __future__ import annotations

from k8s_essentials_tui.api import (
    DEPLOYMENTS,
    INGRESSES,
    SECRETS,
    SERVICES,
    Plugin,
    PluginCommand,
    ResourceType,
    Setting,
    rt,
)

PANE = "k8s_essentials_tui.plugins.exposure.pane:ExposurePane"

INGRESS_CLASSES = rt("networking.k8s.io/v1", "ingressclasses", "IngressClass", namespaced=False)
ENDPOINT_SLICES = rt("discovery.k8s.io/v1", "endpointslices", "EndpointSlice")
GATEWAY_GROUP = "gateway.networking.k8s.io"
GATEWAY_CLASSES = rt(f"{GATEWAY_GROUP}/v1", "gatewayclasses", "GatewayClass", namespaced=False)
GATEWAYS = rt(f"{GATEWAY_GROUP}/v1", "gateways", "Gateway")
HTTP_ROUTES = rt(f"{GATEWAY_GROUP}/v1", "httproutes", "HTTPRoute")
GRPC_ROUTES = rt(f"{GATEWAY_GROUP}/v1", "grpcroutes", "GRPCRoute")

#: the board's selectors of the two NGINX controllers, by catalog id (= the
#: ``app.kubernetes.io/name`` of their Deployments): their catalog entries declare exactly
#: these ``workload_selectors``, and the model judges "running" by them when it has no
#: published detection (headless), so the pane, the command and the board never disagree
#: (ingress-nginx's chart labels its default backend ``component: defaultbackend``: not
#: a controller)
CONTROLLER_SELECTORS: dict[str, tuple[dict[str, str], ...]] = {
    "ingress-nginx": ({"app.kubernetes.io/name": "ingress-nginx",
                       "app.kubernetes.io/component": "controller"},),
    "nginx-ingress": ({"app.kubernetes.io/name": "nginx-ingress"},),
}

#: the workloads the chain needs: the two NGINX controllers and ExternalDNS (one list, by
#: the same ``app.kubernetes.io/name`` values their catalog entries declare)
CONTROLLER_NAMES: tuple[str, ...] = ("ingress-nginx", "nginx-ingress", "external-dns")
CONTROLLER_SELECTOR = f"app.kubernetes.io/name in ({','.join(CONTROLLER_NAMES)})"
TLS_SELECTOR = "type=kubernetes.io/tls"

#: every list the model reads: (resource type, label selector, field selector)
SOURCES: tuple[tuple[ResourceType, str | None, str | None], ...] = (
    (INGRESSES, None, None),
    (INGRESS_CLASSES, None, None),
    (SERVICES, None, None),
    (ENDPOINT_SLICES, None, None),
    (GATEWAY_CLASSES, None, None),
    (GATEWAYS, None, None),
    (HTTP_ROUTES, None, None),
    (GRPC_ROUTES, None, None),
    (SECRETS, None, TLS_SELECTOR),
    (DEPLOYMENTS, CONTROLLER_SELECTOR, None),
)

SETTINGS_TABLE = "exposure"
SETTINGS: tuple[Setting, ...] = (
    Setting("resolve", bool, True, "resolve every host in the pane (DNS column)"),
    Setting("nameserver", str, "",
            "DNS server for the exposure checks, HOST[:PORT] (default: the system's resolver)"),
    Setting("dns_timeout", (int, float), 2.0,
            "seconds per DNS lookup before it counts as a timeout"),
    Setting("probe_timeout", (int, float), 3.0, "seconds per TLS probe (p) before it gives up"),
)

COMMANDS: tuple[PluginCommand, ...] = (
    PluginCommand(
        "exposure", "every exposed host: route, backend, address, DNS, ExternalDNS, TLS",
        "k8s_essentials_tui.plugins.exposure.command",
        "One row per host of Ingresses, Gateway API routes and LoadBalancer Services with "
        "ExternalDNS hostnames: class and controller, backend endpoints, load balancer "
        "address, DNS (--resolve), ExternalDNS filters and TLS (--probe). Exit 0 all fine, "
        "1 when a host has a problem, 2 on errors."),
)

WHY = "every public host from route to DNS to certificate"

#: the registered view: no board row (``board=False``), its own command and settings; its
#: category (ingress) is the area the chain starts from, so ``:exposure`` opens it with the
#: CLASS column next to the host
PLUGIN = Plugin(id="exposure", title="Exposure", category="ingress", why=WHY, pane=PANE,
                board=False,
                commands=COMMANDS, settings=SETTINGS, settings_table=SETTINGS_TABLE)


def view_plugin(area: str) -> Plugin:
    """The view opened from ``area`` (the certificates pane's ``x``): the same plugin,
    whose category says which column comes next to the host."""
    return Plugin(**{**PLUGIN.__dict__, "category": area})


__all__ = [
    "COMMANDS",
    "CONTROLLER_NAMES",
    "CONTROLLER_SELECTOR",
    "CONTROLLER_SELECTORS",
    "ENDPOINT_SLICES",
    "GATEWAYS",
    "GATEWAY_CLASSES",
    "GRPC_ROUTES",
    "HTTP_ROUTES",
    "INGRESS_CLASSES",
    "PANE",
    "PLUGIN",
    "SETTINGS",
    "SETTINGS_TABLE",
    "SOURCES",
    "TLS_SELECTOR",
    "WHY",
    "view_plugin",
]
