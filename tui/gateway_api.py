"""Gateway API health for an implementation's board row: its GatewayClasses (Accepted), the
Gateways of those classes (Accepted, Programmed) and the HTTPRoutes it reports on (Accepted,
ResolvedRefs per parent). Pure: reads the lists the snapshot builder fetched for the plugins'
``board_resources`` (only where the CRDs are served).

Why in the core: Envoy Gateway, NGINX Gateway Fabric and Traefik (and any third-party
implementation) judge the same standard objects, told apart only by the class's
``spec.controllerName``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from typing import Any

from .detection.snapshot import ClusterSnapshot
from .fields import Fields, mapping
from .kube.resources import rt
from .plugin import Detection

GATEWAYCLASSES = rt("gateway.networking.k8s.io/v1", "gatewayclasses", "GatewayClass",
                    namespaced=False)
GATEWAYS = rt("gateway.networking.k8s.io/v1", "gateways", "Gateway")
HTTPROUTES = rt("gateway.networking.k8s.io/v1", "httproutes", "HTTPRoute")
#: what an implementation's plugin declares as ``board_resources``
GATEWAY_RESOURCES = (GATEWAYCLASSES, GATEWAYS, HTTPROUTES)


def _name(obj: Mapping[str, Any]) -> str:
    meta = mapping(mapping(obj).get("metadata"))
    ns, name = meta.get("namespace"), meta.get("name")
    name = name if isinstance(name, str) else "?"
    return f"{ns}/{name}" if isinstance(ns, str) and ns else name


def condition(conditions: Iterable[Any], kind: str) -> tuple[str, str]:
    """(status, "reason: message") of the condition ``kind``; ("Unknown", "") when absent."""
    for cond in conditions:
        c = mapping(cond)
        if c.get("type") == kind:
            why = ": ".join(str(c[k]) for k in ("reason", "message")
                            if isinstance(c.get(k), str) and c[k])
            return str(c.get("status") or "Unknown"), why
    return "Unknown", ""


def _not_true(what: str, obj: Mapping[str, Any], conds: list[Any],
              kinds: Iterable[str]) -> list[str]:
    out = []
    for kind in kinds:
        status, why = condition(conds, kind)
        if status != "True":
            out.append(f"{what} {_name(obj)} not {kind.lower()}"
                       + (f" ({why})" if why else f" ({status})"))
    return out


def gateway_health(snapshot: ClusterSnapshot, controllers: Iterable[str]) -> dict[str, Any]:
    """Counts and problems of the Gateway API objects served by ``controllers``
    (``spec.controllerName`` values): ``{"classes", "gateways", "routes", "problems"}``."""
    mine = set(controllers)
    classes = [c for c in snapshot.extra.get(GATEWAYCLASSES.qualified, [])
               if Fields(c).text("spec.controllerName") in mine]
    names = {mapping(mapping(c).get("metadata")).get("name") for c in classes}
    gateways = [g for g in snapshot.extra.get(GATEWAYS.qualified, [])
                if Fields(g).text("spec.gatewayClassName") in names]
    problems: list[str] = []
    for c in classes:
        problems += _not_true("GatewayClass", c, Fields(c).array("status.conditions"),
                              ("Accepted",))
    for g in gateways:
        problems += _not_true("Gateway", g, Fields(g).array("status.conditions"),
                              ("Accepted", "Programmed"))
    routes = 0
    for r in snapshot.extra.get(HTTPROUTES.qualified, []):
        parents = [p for p in Fields(r).array("status.parents")
                   if mapping(p).get("controllerName") in mine]
        routes += bool(parents)
        for p in parents:
            problems += _not_true("HTTPRoute", r, list(mapping(p).get("conditions") or []),
                                  ("Accepted", "ResolvedRefs"))
    return {"classes": len(classes), "gateways": len(gateways), "routes": routes,
            "problems": problems}


def add_gateway_health(det: Detection, snapshot: ClusterSnapshot,
                       controllers: Iterable[str]) -> Detection:
    """Fold :func:`gateway_health` into an installed implementation's detection: each
    problem is one, and makes it unhealthy (a Gateway that is not programmed serves
    nothing)."""
    health = gateway_health(snapshot, controllers)
    det.details["gateway_api"] = {k: v for k, v in health.items() if k != "problems"}
    if det.installed is not False and health["problems"]:
        det.problems += health["problems"]
        det.healthy = False
    return det


def _controller_detect(snapshot: ClusterSnapshot, *, selectors: Sequence[Mapping[str, str]],
                       charts: Sequence[str], api_groups: Sequence[str],
                       controllers: Iterable[str]) -> Detection:
    from .detection.detect import detect_workloads

    det = detect_workloads(snapshot, selectors=selectors, charts=charts,
                           api_groups=api_groups)
    return add_gateway_health(det, snapshot, controllers)


def gateway_controller_detect(*, selectors: Sequence[Mapping[str, str]],
                              charts: Sequence[str], api_groups: Sequence[str],
                              controllers: Sequence[str],
                              ) -> Callable[[ClusterSnapshot], Detection]:
    """``Plugin.detect`` of a Gateway API implementation: the declarative rule, then the
    Gateway API objects of its ``controllers`` (``spec.controllerName``): a class not
    Accepted or a Gateway not Programmed is a problem (it serves nothing). One definition
    for every such catalog entry instead of a copy per controller."""
    return partial(_controller_detect, selectors=selectors, charts=charts,
                   api_groups=api_groups, controllers=tuple(controllers))
