"""The controller view's facts (pure): NGINX ingress controllers (ingress-nginx and F5 NGINX)
with their replicas, ingress classes, notable ConfigMap settings and admission webhook
health, and Gateway API Gateways with their listeners' conditions.

Why these settings: they are the ones that change what every Ingress on the controller
does (snippets = arbitrary NGINX config, forwarded headers = client IP trust, body size,
TLS protocols and redirects); see docs/exposure.md for the sources.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from k8s_essentials_tui.api import Fields, labels_match, mapping

from . import CONTROLLER_SELECTORS
from .model import KNOWN_CONTROLLERS

NOTABLE_SETTINGS: dict[str, tuple[str, ...]] = {
    "ingress-nginx": ("allow-snippet-annotations", "annotations-risk-level",
                      "use-forwarded-headers", "compute-full-forwarded-for", "ssl-redirect",
                      "force-ssl-redirect", "hsts", "ssl-protocols", "proxy-body-size",
                      "enable-real-ip", "worker-processes"),
    "nginx-ingress": ("server-tokens", "ssl-protocols", "client-max-body-size",
                      "proxy-connect-timeout", "http2", "redirect-to-https",
                      "real-ip-header", "set-real-ip-from"),
}
ADMISSION_WEBHOOKS: dict[str, str] = {"ingress-nginx": "ingress-nginx-admission"}


@dataclass
class Controller:
    app: str
    namespace: str
    name: str
    ready: int
    desired: int
    classes: list[str] = field(default_factory=list)
    settings: dict[str, str] = field(default_factory=dict)
    webhook: str = ""
    problems: list[str] = field(default_factory=list)


@dataclass
class GatewayView:
    namespace: str
    name: str
    klass: str
    addresses: list[str]
    conditions: dict[str, str]
    listeners: list[tuple[str, str, list[str]]]  # (name, "HTTPS :443 host", conditions)
    problems: list[str] = field(default_factory=list)


def _conditions(items: Iterable[Any]) -> dict[str, str]:
    out = {}
    for c in items:
        c = mapping(c)
        if isinstance(c.get("type"), str):
            reason = c.get("reason") or ""
            out[c["type"]] = f"{c.get('status')}" + (f" ({reason})" if reason else "")
    return out


def controllers(deployments: Iterable[Mapping[str, Any]],
                ingress_classes: Iterable[Mapping[str, Any]],
                configmaps: Iterable[Mapping[str, Any]],
                webhooks: Iterable[Mapping[str, Any]],
                ready_endpoints: Mapping[tuple[str, str], int]) -> list[Controller]:
    classes: dict[str, list[str]] = defaultdict(list)
    for cls in ingress_classes:
        f = Fields(cls)
        app = KNOWN_CONTROLLERS.get(f.text("spec.controller"))
        if app:
            classes[app].append(f.text("metadata.name"))
    maps = {(Fields(c).text("metadata.namespace"),
             Fields(c).text_map("metadata.labels").get("app.kubernetes.io/name", "")): c
            for c in configmaps}
    hooks = {Fields(w).text("metadata.name"): w for w in webhooks}
    out = []
    for d in deployments:
        f = Fields(d)
        # the board's selectors: ingress-nginx's default backend is not a controller
        app = next((a for a, sels in CONTROLLER_SELECTORS.items()
                    if any(labels_match(d, s) for s in sels)), "")
        if app not in NOTABLE_SETTINGS:
            continue
        ns = f.text("metadata.namespace")
        ctl = Controller(app, ns, f.text("metadata.name"), f.number("status.readyReplicas"),
                         f.number("spec.replicas", 1), sorted(classes.get(app, [])))
        if ctl.ready < ctl.desired:
            ctl.problems.append(f"deployment {ns}/{ctl.name}: {ctl.ready}/{ctl.desired} ready")
        cm = maps.get((ns, app))
        data = Fields(cm or {}).text_map("data")
        ctl.settings = {k: data[k] for k in NOTABLE_SETTINGS[app] if k in data}
        if data.get("allow-snippet-annotations") == "true":
            ctl.problems.append(f"configmap {ns}/{Fields(cm).text('metadata.name')}: "
                                "allow-snippet-annotations=true lets Ingress authors inject "
                                "NGINX configuration")
        hook_name = ADMISSION_WEBHOOKS.get(app)
        hook = hooks.get(hook_name or "")
        if hook_name and hook is None:
            ctl.webhook = "not installed"
        elif hook is not None:
            ctl.webhook = _webhook_health(hook, ready_endpoints, ctl.problems)
        out.append(ctl)
    return sorted(out, key=lambda c: (c.app, c.namespace, c.name))


def _webhook_health(hook: Mapping[str, Any], ready_endpoints: Mapping[tuple[str, str], int],
                    problems: list[str]) -> str:
    states = []
    for wh in Fields(hook).array("webhooks"):
        wf = Fields(wh)
        svc = wf.obj("clientConfig.service")
        policy = wf.text("failurePolicy", "Fail")
        if not svc:
            states.append(f"url, failurePolicy {policy}")
            continue
        key = (str(svc.get("namespace") or ""), str(svc.get("name") or ""))
        ready = ready_endpoints.get(key, 0)
        states.append(f"{key[0]}/{key[1]}: {ready} ready, failurePolicy {policy}")
        if not ready:
            problems.append(f"validatingwebhookconfiguration {Fields(hook).text('metadata.name')}:"
                            f" service {key[0]}/{key[1]} has no ready endpoints"
                            + (" (every Ingress change is rejected)" if policy == "Fail"
                               else ""))
    return "; ".join(states) or "no webhooks"


def gateways(items: Iterable[Mapping[str, Any]]) -> list[GatewayView]:
    out = []
    for gw in items:
        f = Fields(gw)
        status_listeners = {mapping(x).get("name"): mapping(x)
                            for x in f.array("status.listeners")}
        listeners = []
        view = GatewayView(f.text("metadata.namespace"), f.text("metadata.name"),
                           f.text("spec.gatewayClassName"),
                           [str(mapping(a).get("value")) for a in f.array("status.addresses")],
                           _conditions(f.array("status.conditions")), [])
        for spec in f.array("spec.listeners"):
            spec = mapping(spec)
            name = str(spec.get("name") or "")
            st = status_listeners.get(name, {})
            conditions = st.get("conditions")
            conds = _conditions(conditions if isinstance(conditions, list) else [])
            desc = f"{spec.get('protocol')} :{spec.get('port')} {spec.get('hostname') or '*'}"
            attached = st.get("attachedRoutes")
            shown = [f"{k}={v}" for k, v in sorted(conds.items())]
            if isinstance(attached, int):
                shown.append(f"{attached} routes")
            listeners.append((name, desc, shown))
            for k, v in conds.items():
                if (k in ("Accepted", "Programmed", "ResolvedRefs") and not v.startswith("True")) \
                        or (k == "Conflicted" and v.startswith("True")):
                    view.problems.append(f"gateway {view.namespace}/{view.name} listener "
                                         f"{name}: {k}={v}")
        view.listeners = listeners
        for k in ("Accepted", "Programmed"):
            if k in view.conditions and not view.conditions[k].startswith("True"):
                view.problems.append(f"gateway {view.namespace}/{view.name}: {k}="
                                     f"{view.conditions[k]}")
        out.append(view)
    return sorted(out, key=lambda g: (g.namespace, g.name))


def lines(ctls: list[Controller], gws: list[GatewayView]) -> list[str]:
    out = ["NGINX ingress controllers"]
    if not ctls:
        out.append("  none found (ingress-nginx or F5 NGINX Deployments)")
    for c in ctls:
        out.append(f"  {c.app} {c.namespace}/{c.name}: {c.ready}/{c.desired} ready; "
                   f"classes: {', '.join(c.classes) or '-'}")
        if c.webhook:
            out.append(f"    admission webhook: {c.webhook}")
        for k, v in c.settings.items():
            out.append(f"    {k} = {v}")
        out.extend(f"    ! {p}" for p in c.problems)
    out.append("")
    out.append("Gateway API gateways")
    if not gws:
        out.append("  none")
    for g in gws:
        conds = ", ".join(f"{k}={v}" for k, v in sorted(g.conditions.items())) or "no status"
        out.append(f"  {g.namespace}/{g.name} (class {g.klass}) "
                   f"{', '.join(g.addresses) or 'no address'}: {conds}")
        for name, desc, shown in g.listeners:
            out.append(f"    {name}: {desc}  {' '.join(shown) or 'no status'}")
        out.extend(f"    ! {p}" for p in g.problems)
    return out
