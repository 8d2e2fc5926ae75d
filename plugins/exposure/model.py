"""One row per exposed host, from the objects alone (pure: no I/O, no Textual, no clock).

Sources: Ingresses, Gateway API HTTPRoutes/GRPCRoutes (through their parent Gateways) and
LoadBalancer Services carrying ExternalDNS's hostname annotation. For each host the model
follows the chain class -> controller, backend Service -> port -> ready endpoints
(EndpointSlices), load balancer address, ExternalDNS's filters and the TLS Secret. DNS and
the live TLS probe are added later by :mod:`.resolve` and :mod:`.probe` (they need I/O);
:func:`with_dns` and :func:`with_probe` fold their results into the rows.

Every problem names the object to fix ("service shop/web: no ready endpoints").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from k8s_essentials_tui.api import Detection, Fields, labels_match, mapping

from . import CONTROLLER_SELECTORS
from . import externaldns as edns

if TYPE_CHECKING:  # the parser (cryptography) loads in the build's thread, not at open
    from .tlsinfo import Leaf

DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class"
LEGACY_CLASS_ANNOTATION = "kubernetes.io/ingress.class"
#: IngressClass ``spec.controller`` -> the ``app.kubernetes.io/name`` of its Deployment
KNOWN_CONTROLLERS: dict[str, str] = {
    "k8s.io/ingress-nginx": "ingress-nginx",
    "nginx.org/ingress-controller": "nginx-ingress",
}
#: the columns, in default order; an area opens the pane with its own column first
COLUMNS: tuple[str, ...] = ("HOST", "PATHS", "SOURCE", "CLASS", "BACKEND", "ADDRESS", "DNS",
                            "EXTERNALDNS", "TLS")
AREA_COLUMN: dict[str, str] = {"ingress": "CLASS", "dns": "DNS", "certificates": "TLS"}


@dataclass(frozen=True)
class Backend:
    service: str  # namespace/name
    port: str  # number or name as the route gives it ("" for a Service row)
    state: str  # "ok", "no service", "no port", "no ready endpoints"
    ready: int = 0


@dataclass(frozen=True)
class Address:
    value: str
    port: int | None = None  # the published HTTPS/TLS port when status says (else 443)


@dataclass
class HostRow:
    host: str
    kind: str  # Ingress, HTTPRoute, GRPCRoute, Service
    namespace: str
    name: str
    paths: tuple[str, ...] = ()
    klass: str = ""
    class_note: str = ""  # "default", "missing", ...
    controller: str = ""
    controller_state: str = ""  # running, not running, unknown, -
    backends: tuple[Backend, ...] = ()
    addresses: tuple[Address, ...] = ()
    externaldns: str = ""
    tls_secret: str = ""  # namespace/name, "" without TLS
    tls_state: str = ""  # "", "ok", "missing", "unreadable", "not readable", "default"
    tls_leaf: Leaf | None = None
    tls_port: int = 443
    dns: str = "not checked"
    dns_addresses: tuple[str, ...] = ()
    dns_chain: tuple[str, ...] = ()
    probe: str = ""
    annotations: Mapping[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.kind}/{self.namespace}/{self.name}/{self.host}"

    @property
    def source(self) -> str:
        return f"{self.kind.lower()} {self.namespace}/{self.name}"

    def class_text(self) -> str:
        if not self.klass:
            return self.class_note or "-"
        note = f" ({self.class_note})" if self.class_note else ""
        state = f" {self.controller_state}" if self.controller_state else ""
        return f"{self.klass}{note}:{state}" if state else f"{self.klass}{note}"

    def backend_text(self) -> str:
        if not self.backends:
            return "-"
        parts = []
        for b in self.backends:
            port = f":{b.port}" if b.port else ""
            name = b.service.split("/", 1)[-1]
            state = f"{b.ready} ready" if b.state == "ok" else b.state
            parts.append(f"{name}{port} {state}")
        return ", ".join(parts)

    def address_text(self) -> str:
        return ", ".join(a.value for a in self.addresses) or "pending"

    def tls_text(self, now: datetime) -> str:
        if not self.tls_secret:
            return "-" if self.tls_state == "" else self.tls_state
        if self.tls_state != "ok" or self.tls_leaf is None:
            text = f"{self.tls_secret.split('/', 1)[-1]} {self.tls_state}"
        else:
            days = (self.tls_leaf.not_after - now).total_seconds() / 86400
            text = f"{self.tls_secret.split('/', 1)[-1]} {int(days)}d" if days >= 0 \
                else f"{self.tls_secret.split('/', 1)[-1]} expired"
        return f"{text}; {self.probe}" if self.probe else text

    def cell(self, name: str, now: datetime) -> str:
        """One column's text (a table computes only the columns it shows); ``!`` is the
        problem count."""
        return CELL_GETTERS[name](self, now)

    def cells(self, now: datetime) -> dict[str, str]:
        return {name: self.cell(name, now) for name in COLUMNS}

    def as_json(self, now: datetime) -> dict[str, Any]:
        leaf = self.tls_leaf
        return {
            "host": self.host, "paths": list(self.paths),
            "source": {"kind": self.kind, "namespace": self.namespace, "name": self.name},
            "class": self.klass or None, "classNote": self.class_note or None,
            "controller": self.controller or None,
            "controllerState": self.controller_state or None,
            "backends": [{"service": b.service, "port": b.port or None, "state": b.state,
                          "readyEndpoints": b.ready} for b in self.backends],
            "addresses": [a.value for a in self.addresses],
            "dns": {"status": self.dns, "addresses": list(self.dns_addresses),
                    "chain": list(self.dns_chain)},
            "externalDNS": self.externaldns or None,
            "tls": None if not self.tls_secret else {
                "secret": self.tls_secret, "state": self.tls_state,
                "notAfter": leaf.not_after.isoformat() if leaf else None,
                "daysLeft": round((leaf.not_after - now).total_seconds() / 86400, 1)
                if leaf else None,
                "probe": self.probe or None},
            "problems": list(self.problems),
        }


@dataclass
class Inputs:
    """The lists the model reads (each from a shared cache or one list call)."""

    ingresses: list[dict[str, Any]] = field(default_factory=list)
    ingress_classes: list[dict[str, Any]] = field(default_factory=list)
    services: list[dict[str, Any]] = field(default_factory=list)
    endpoint_slices: list[dict[str, Any]] = field(default_factory=list)
    gateway_classes: list[dict[str, Any]] = field(default_factory=list)
    gateways: list[dict[str, Any]] = field(default_factory=list)
    http_routes: list[dict[str, Any]] = field(default_factory=list)
    grpc_routes: list[dict[str, Any]] = field(default_factory=list)
    tls_secrets: list[dict[str, Any]] = field(default_factory=list)
    deployments: list[dict[str, Any]] = field(default_factory=list)
    #: why the TLS Secrets could not be read ("no permission"), else None
    secrets_unreadable: str | None = None
    #: catalog id -> whether a controller runs, from the board's published detection
    #: (:func:`running_from_detections`); None headless: judged from ``deployments`` by
    #: the same selectors
    controllers_running: Mapping[str, bool] | None = None


def running_from_detections(detections: Mapping[str, Detection]) -> dict[str, bool] | None:
    """Whether each NGINX controller runs, as the board's detection saw it: installed, and
    a workload with a ready replica (1/2 ready still serves; 0/1 does not). None before the
    board's first read, so the caller falls back to the selectors."""
    if not detections:
        return None
    out = {}
    for app in CONTROLLER_SELECTORS:
        det = detections.get(app)
        workloads = det.details.get("workload_status") if det is not None else None
        out[app] = bool(det is not None and det.installed is True and isinstance(
            workloads, list) and any(mapping(w).get("ready", 0) for w in workloads))
    return out


def running_from_deployments(deployments: Iterable[Mapping[str, Any]]) -> dict[str, bool]:
    """The headless fallback: the catalog's selectors over the listed Deployments."""
    out = dict.fromkeys(CONTROLLER_SELECTORS, False)
    for d in deployments:
        for app, selectors in CONTROLLER_SELECTORS.items():
            if any(labels_match(d, sel) for sel in selectors):
                out[app] = out[app] or Fields(d).number("status.readyReplicas") > 0
    return out


def _items(value: Any) -> list[Any]:
    """A list field of an untrusted object (anything else reads as empty)."""
    return value if isinstance(value, list) else []


def _meta(obj: Mapping[str, Any]) -> tuple[str, str]:
    meta = mapping(obj.get("metadata"))
    ns, name = meta.get("namespace"), meta.get("name")
    return (ns if isinstance(ns, str) else "", name if isinstance(name, str) else "")


#: each column's text from a row, by column name: a table looks its columns up once per
#: render instead of dispatching per cell (2,000 rows x 6 columns)
CELL_GETTERS: dict[str, Callable[[HostRow, datetime], str]] = {
    "HOST": lambda r, _now: r.host,
    "PATHS": lambda r, _now: ",".join(r.paths) or "-",
    "SOURCE": lambda r, _now: r.source,
    "CLASS": lambda r, _now: r.class_text(),
    "BACKEND": lambda r, _now: r.backend_text(),
    "ADDRESS": lambda r, _now: r.address_text(),
    "DNS": lambda r, _now: r.dns,
    "EXTERNALDNS": lambda r, _now: r.externaldns or "-",
    "TLS": lambda r, now: r.tls_text(now),
    "!": lambda r, _now: str(len(r.problems)) if r.problems else "ok",
}


def _by_name(objs: Iterable[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {_meta(o): o for o in objs}


class Index:
    """Lookups the rows share, built once per rebuild (no per-row scans)."""

    def __init__(self, inputs: Inputs) -> None:
        self.inputs = inputs
        self.services = _by_name(inputs.services)
        self.secrets = _by_name(inputs.tls_secrets)
        self.classes = {_meta(c)[1]: c for c in inputs.ingress_classes}
        #: IngressClass name -> its spec.controller (read once, not once per row)
        self.controllers = {name: Fields(c).text("spec.controller")
                            for name, c in self.classes.items()}
        self.gateway_classes = {_meta(c)[1]: c for c in inputs.gateway_classes}
        self.gateways = _by_name(inputs.gateways)
        self.ready: dict[tuple[str, str], int] = defaultdict(int)
        self.slice_ports: dict[tuple[str, str], set[str]] = defaultdict(set)
        for s in inputs.endpoint_slices:
            # plain reads, no Fields: 2,000 slices per build, and a field of the wrong
            # type reads as missing here as it does through Fields (no problem is shown)
            svc = mapping(mapping(s.get("metadata")).get("labels")).get(
                "kubernetes.io/service-name")
            if not svc or not isinstance(svc, str):
                continue
            key = (_meta(s)[0], svc)
            for ep in _items(s.get("endpoints")):
                cond = mapping(mapping(ep).get("conditions"))
                if cond.get("ready") is not False:
                    self.ready[key] += len([a for a in _items(mapping(ep).get("addresses"))
                                            if isinstance(a, str)]) or 1
        self.running: Mapping[str, bool] = (
            inputs.controllers_running if inputs.controllers_running is not None
            else running_from_deployments(inputs.deployments))
        self.externaldns: list[edns.ExternalDNS] = [
            edns.from_deployment(d) for d in inputs.deployments
            if Fields(d).text_map("metadata.labels").get("app.kubernetes.io/name")
            == "external-dns"]
        self.default_class = next(
            (name for name, c in sorted(self.classes.items())
             if Fields(c).text_map("metadata.annotations").get(DEFAULT_CLASS_ANNOTATION)
             == "true"), "")
        self.leaves: dict[tuple[str, str], tuple[Leaf | None, str | None]] = {}

    def leaf(self, key: tuple[str, str]) -> tuple[Leaf | None, str | None]:
        if key not in self.leaves:
            from .tlsinfo import from_secret

            self.leaves[key] = from_secret(self.secrets[key])
        return self.leaves[key]


def _backend(index: Index, ns: str, name: str, port: Any) -> Backend:
    svc = index.services.get((ns, name))
    port_text = str(port) if port not in (None, "") else ""
    if svc is None:
        return Backend(f"{ns}/{name}", port_text, "no service")
    spec = mapping(svc.get("spec"))
    if port_text and not any(str(p.get("port")) == port_text or p.get("name") == port_text
                             for p in map(mapping, _items(spec.get("ports")))):
        return Backend(f"{ns}/{name}", port_text, "no port")
    if spec.get("type") == "ExternalName":
        return Backend(f"{ns}/{name}", port_text, "ok", 1)
    ready = index.ready.get((ns, name), 0)
    return Backend(f"{ns}/{name}", port_text, "ok" if ready else "no ready endpoints", ready)


def _lb_addresses(status: Any) -> tuple[Address, ...]:
    out = []
    for item in _items(mapping(status).get("ingress")):
        item = mapping(item)
        value = item.get("ip") or item.get("hostname")
        if not isinstance(value, str) or not value:
            continue
        tls_ports = [mapping(p).get("port") for p in _items(item.get("ports"))
                     if isinstance(mapping(p).get("port"), int)]
        out.append(Address(value, tls_ports[0] if tls_ports else None))
    return tuple(out)


def _backend_problems(row: HostRow) -> None:
    for b in row.backends:
        if b.state == "no service":
            row.problems.append(f"{row.source}: backend service {b.service} does not exist")
        elif b.state == "no port":
            row.problems.append(f"{row.source}: service {b.service} has no port {b.port}")
        elif b.state == "no ready endpoints":
            row.problems.append(f"service {b.service}: no ready endpoints (requests get 503)")


def _tls(index: Index, row: HostRow, ns: str, secret: str) -> None:
    row.tls_secret = f"{ns}/{secret}"
    if index.inputs.secrets_unreadable:
        row.tls_state = index.inputs.secrets_unreadable
        return
    if (ns, secret) not in index.secrets:
        row.tls_state = "missing"
        row.problems.append(f"{row.source}: TLS secret {ns}/{secret} does not exist")
        return
    leaf, problem = index.leaf((ns, secret))
    if leaf is None:
        row.tls_state = "unreadable"
        row.problems.append(f"secret {ns}/{secret}: {problem}")
        return
    row.tls_state = "ok"
    row.tls_leaf = leaf
    if not leaf.covers(row.host):
        row.problems.append(f"secret {ns}/{secret}: certificate does not name {row.host}")


def _host_matches(pattern: str, host: str) -> bool:
    pattern, host = pattern.lower(), host.lower()
    if pattern.startswith("*."):
        return host.endswith(pattern[1:]) and host.count(".") == pattern.count(".")
    return pattern == host


@dataclass(frozen=True)
class IngressFacts:
    """What one Ingress says by itself (no lookups): parsed once per resourceVersion."""

    namespace: str
    name: str
    annotations: Mapping[str, str]
    klass: str  # spec.ingressClassName, else the legacy annotation ("" = none)
    addresses: tuple[Address, ...]
    #: host -> (paths, [(service, port)])
    hosts: Mapping[str, tuple[list[str], list[tuple[str, Any]]]]
    tls: tuple[tuple[list[str], str], ...]  # (hosts, secretName)
    problems: tuple[str, ...]


def ingress_facts(ing: Mapping[str, Any]) -> IngressFacts:
    f = Fields(ing)
    ns, name = _meta(ing)
    annotations = f.text_map("metadata.annotations")
    klass = f.text("spec.ingressClassName") or annotations.get(LEGACY_CLASS_ANNOTATION, "")
    addresses = _lb_addresses(f.obj("status.loadBalancer"))
    default_backend = f.obj("spec.defaultBackend")
    hosts: dict[str, tuple[list[str], list[tuple[str, Any]]]] = {}
    for rule in f.array("spec.rules"):
        rf = Fields(rule, f.problems)
        host = rf.text("host") or "*"
        paths, backends = hosts.setdefault(host, ([], []))
        for p in rf.array("http.paths"):
            pf = Fields(p, f.problems)
            paths.append(pf.text("path") or "/")
            svc = pf.obj("backend.service")
            if svc:
                port = mapping(svc.get("port"))
                backends.append((str(svc.get("name") or ""), port.get("number")
                                 or port.get("name")))
    if not hosts and default_backend:
        hosts["*"] = (["/"], [])
    if default_backend and mapping(default_backend.get("service")):
        svc = mapping(default_backend.get("service"))
        port = mapping(svc.get("port"))
        for _paths, backends in hosts.values():
            if not backends:
                backends.append((str(svc.get("name") or ""), port.get("number")
                                 or port.get("name")))
    tls = tuple((Fields(t, f.problems).texts("hosts"), Fields(t, f.problems).text("secretName"))
                for t in f.array("spec.tls"))
    return IngressFacts(ns, name, annotations, klass, addresses, hosts, tls,
                        tuple(f.problems))


#: (uid, resourceVersion) -> facts; a watch event re-parses only the changed objects
FactsMemo = dict[tuple[str, str], IngressFacts]


def _facts(ing: Mapping[str, Any], memo: FactsMemo | None) -> IngressFacts:
    meta = mapping(ing.get("metadata"))
    uid, rv = meta.get("uid"), meta.get("resourceVersion")
    if memo is None or not isinstance(uid, str) or not isinstance(rv, str) or not uid:
        return ingress_facts(ing)
    facts = memo.get((uid, rv))
    if facts is None:
        facts = memo[(uid, rv)] = ingress_facts(ing)
    return facts


def prepare_facts(ingresses: Iterable[Mapping[str, Any]], memo: FactsMemo) -> None:
    """Parse each Ingress's own facts into ``memo`` ahead of a build (which then only does
    the lookups): the pane runs it when the Ingresses arrive before the lists they are
    joined with (see ``ExposurePane._prepare``)."""
    for ing in ingresses:
        _facts(ing, memo)


def _ingress_rows(index: Index, ing: dict[str, Any],
                  memo: FactsMemo | None = None) -> list[HostRow]:
    facts = _facts(ing, memo)
    ns, name, annotations, addresses = (facts.namespace, facts.name, facts.annotations,
                                        facts.addresses)
    klass, note = facts.klass, ""
    if not klass and index.default_class:
        klass, note = index.default_class, "default"
    hosts, tls = facts.hosts, facts.tls
    rows = []
    for host, (paths, backends) in hosts.items():
        row = HostRow(host=host, kind="Ingress", namespace=ns, name=name,
                      paths=tuple(dict.fromkeys(paths)), klass=klass, class_note=note,
                      addresses=addresses, annotations=annotations)
        if facts.problems:
            row.problems.extend(f"{row.source}: {p}" for p in facts.problems)
        _ingress_class(index, row)
        if len(backends) == 1:  # the common case: nothing to deduplicate
            row.backends = (_backend(index, ns, *backends[0]),)
        else:
            seen: set[tuple[str, str]] = set()
            bs = []
            for svc_name, port in backends:
                if (svc_name, str(port)) in seen:
                    continue
                seen.add((svc_name, str(port)))
                bs.append(_backend(index, ns, svc_name, port))
            row.backends = tuple(bs)
        _backend_problems(row)
        for hosts_of, secret in tls:
            if any(_host_matches(h, host) for h in hosts_of):
                if secret:
                    _tls(index, row, ns, secret)
                else:
                    row.tls_state = "controller default"
                break
        if row.addresses and row.addresses[0].port:
            row.tls_port = row.addresses[0].port
        rows.append(row)
    return rows


def _ingress_class(index: Index, row: HostRow) -> None:
    if not row.klass:
        row.class_note = "none"
        row.controller_state = ""
        row.problems.append(f"{row.source}: no ingressClassName and no default IngressClass")
        return
    controller = index.controllers.get(row.klass)
    if controller is None:
        row.class_note = "missing"
        row.problems.append(f"{row.source}: IngressClass {row.klass} does not exist")
        return
    row.controller = controller
    app = KNOWN_CONTROLLERS.get(row.controller)
    if app is None:
        row.controller_state = "unknown controller"
    elif index.running.get(app):
        row.controller_state = "running"
    else:
        row.controller_state = "no controller"
        row.problems.append(f"ingressclass {row.klass}: no running {app} controller "
                            f"({row.controller})")


def _route_rows(index: Index, route: dict[str, Any], kind: str) -> list[HostRow]:
    f = Fields(route)
    ns, name = _meta(route)
    annotations = f.text_map("metadata.annotations")
    parents = []
    for ref in f.array("spec.parentRefs"):
        ref = mapping(ref)
        if ref.get("kind", "Gateway") != "Gateway":
            continue
        gw_ns = ref.get("namespace") or ns
        parents.append((str(gw_ns), str(ref.get("name") or ""), ref.get("sectionName")))
    hostnames = f.texts("spec.hostnames")
    paths: list[str] = []
    backends: list[tuple[str, str, Any]] = []
    for rule in f.array("spec.rules"):
        rf = Fields(rule, f.problems)
        matches = rf.array("matches") or [{}]
        for m in matches:
            m = mapping(m)
            if kind == "GRPCRoute":
                method = mapping(m.get("method"))
                paths.append("/".join(str(method.get(k) or "*") for k in ("service", "method"))
                             if method else "*")
            else:
                paths.append(str(mapping(m.get("path")).get("value") or "/"))
        for b in rf.array("backendRefs"):
            b = mapping(b)
            if b.get("kind", "Service") != "Service" or b.get("group") not in (None, ""):
                continue
            backends.append((str(b.get("namespace") or ns), str(b.get("name") or ""),
                             b.get("port")))
    # status: did the parent accept the route?
    accepted: dict[tuple[str, str], str] = {}
    for parent in f.array("status.parents"):
        pf = Fields(parent)
        key = (pf.text("parentRef.namespace") or ns, pf.text("parentRef.name"))
        for cond in pf.array("conditions"):
            cond = mapping(cond)
            if cond.get("type") == "Accepted" and cond.get("status") != "True":
                accepted[key] = str(cond.get("reason") or "not accepted")
    rows = []
    for gw_ns, gw_name, section in parents or [("", "", None)]:
        gw = index.gateways.get((gw_ns, gw_name))
        gf = Fields(gw or {})
        listeners = [mapping(x) for x in gf.array("spec.listeners")
                     if section in (None, mapping(x).get("name"))]
        names = hostnames or sorted({str(x.get("hostname")) for x in listeners
                                     if x.get("hostname")}) or ["*"]
        addresses = tuple(Address(str(mapping(a).get("value")))
                          for a in gf.array("status.addresses") if mapping(a).get("value"))
        for host in names:
            row = HostRow(host=host, kind=kind, namespace=ns, name=name,
                          paths=tuple(dict.fromkeys(paths)) or ("/",),
                          addresses=addresses, annotations=annotations)
            row.problems.extend(f"{row.source}: {p}" for p in f.problems)
            if gw is None:
                row.class_note = "no gateway"
                row.problems.append(f"{row.source}: parent gateway {gw_ns}/{gw_name} "
                                    "does not exist" if gw_name else
                                    f"{row.source}: no parent Gateway")
            else:
                _gateway_class(index, row, gf, f"gateway {gw_ns}/{gw_name}")
                if (gw_ns, gw_name) in accepted:
                    row.problems.append(f"{row.source}: not accepted by gateway "
                                        f"{gw_ns}/{gw_name} ({accepted[(gw_ns, gw_name)]})")
                https = [x for x in listeners if x.get("protocol") in ("HTTPS", "TLS")
                         and (not x.get("hostname")
                              or _host_matches(str(x.get("hostname")), host))]
                if https:
                    listener = https[0]
                    if isinstance(listener.get("port"), int):
                        row.tls_port = listener["port"]
                    refs = _items(mapping(listener.get("tls")).get("certificateRefs"))
                    ref = mapping(refs[0]) if refs else {}
                    if ref.get("name"):
                        _tls(index, row, str(ref.get("namespace") or gw_ns), str(ref["name"]))
            row.backends = tuple(_backend(index, b_ns, b_name, port)
                                 for b_ns, b_name, port in dict.fromkeys(
                                     (b_ns, b_name, port) for b_ns, b_name, port in backends))
            _backend_problems(row)
            rows.append(row)
    return rows


def _gateway_class(index: Index, row: HostRow, gf: Fields, gw_ref: str) -> None:
    row.klass = gf.text("spec.gatewayClassName")
    cls = index.gateway_classes.get(row.klass)
    if cls is None:
        row.class_note = "missing"
        row.problems.append(f"{gw_ref}: GatewayClass {row.klass} does not exist")
        return
    cf = Fields(cls)
    row.controller = cf.text("spec.controllerName")
    accepted = [mapping(c) for c in cf.array("status.conditions")
                if mapping(c).get("type") == "Accepted"]
    # only a running controller sets Accepted on its class (the apiserver leaves it Unknown)
    if accepted and accepted[0].get("status") == "True":
        row.controller_state = "running"
    else:
        row.controller_state = "no controller"
        row.problems.append(f"gatewayclass {row.klass}: not accepted by a controller "
                            f"({row.controller})")
    programmed = [mapping(c) for c in gf.array("status.conditions")
                  if mapping(c).get("type") == "Programmed"]
    if row.controller_state == "running" and programmed and \
            programmed[0].get("status") != "True":
        row.problems.append(f"{gw_ref}: not programmed "
                            f"({programmed[0].get('reason') or 'no reason'})")


def _service_rows(index: Index, svc: dict[str, Any]) -> list[HostRow]:
    if mapping(svc.get("spec")).get("type") != "LoadBalancer":
        return []  # most Services: no Fields for them (2,000 per build)
    f = Fields(svc)
    annotations = f.text_map("metadata.annotations")
    hosts = edns.hostnames(annotations)
    ns, name = _meta(svc)
    rows = []
    for host in hosts:
        row = HostRow(host=host, kind="Service", namespace=ns, name=name,
                      klass=f.text("spec.loadBalancerClass"),
                      addresses=_lb_addresses(f.obj("status.loadBalancer")),
                      annotations=annotations)
        ports = [str(mapping(p).get("port")) for p in f.array("spec.ports")]
        ready = index.ready.get((ns, name), 0)
        row.paths = tuple(ports)
        row.backends = (Backend(f"{ns}/{name}", "", "ok" if ready else "no ready endpoints",
                                ready),)
        _backend_problems(row)
        rows.append(row)
    return rows


def _claims(rows: list[HostRow]) -> None:
    """Two sources claiming the same host and path: which one wins is the controller's
    choice (ingress-nginx merges, Gateway API ranks by age), so both are flagged."""
    claimed: dict[tuple[str, str], list[HostRow]] = defaultdict(list)
    for row in rows:
        if row.kind == "Service" or row.host == "*":
            continue
        for path in row.paths:
            claimed[(row.host.lower(), path)].append(row)
    for (host, path), owners in claimed.items():
        if len(owners) < 2 or len({o.source for o in owners}) < 2:
            continue
        for row in owners:
            others = sorted({o.source for o in owners if o.source != row.source})
            row.problems.append(f"{row.source}: {host}{path} is also claimed by "
                                f"{', '.join(others)}")


def build(inputs: Inputs, memo: FactsMemo | None = None) -> list[HostRow]:
    """Every exposed host, sorted by host then source. ``memo`` (the pane's, kept between
    rebuilds) holds each Ingress's own facts by resourceVersion: after a watch event only
    the changed Ingresses are parsed again; the lookups (services, endpoints, classes,
    secrets, controllers) are redone for every row, they are what changed."""
    index = Index(inputs)
    rows: list[HostRow] = []
    if memo is not None and len(memo) > 2 * len(inputs.ingresses) + 64:
        memo.clear()  # old versions pile up: start over (a rebuild parses everything)
    for ing in inputs.ingresses:
        rows.extend(_ingress_rows(index, ing, memo))
    for route in inputs.http_routes:
        rows.extend(_route_rows(index, route, "HTTPRoute"))
    for route in inputs.grpc_routes:
        rows.extend(_route_rows(index, route, "GRPCRoute"))
    for svc in inputs.services:
        rows.extend(_service_rows(index, svc))
    _claims(rows)
    for row in rows:
        text, problem = edns.verdict(index.externaldns, row.kind, row.host, row.annotations)
        row.externaldns = text
        if problem and row.host != "*":
            row.problems.append(problem)
    rows.sort(key=lambda r: (r.host.lower(), r.kind, r.namespace, r.name))
    return rows


# -- DNS and probe results folded in ---------------------------------------------------------


@dataclass(frozen=True)
class DnsAnswer:
    """What the resolver said about one host (see :mod:`.resolve`)."""

    status: str  # "ok" (answered), "NXDOMAIN", "no record", "timeout", "error: ..."
    addresses: tuple[str, ...] = ()
    chain: tuple[str, ...] = ()  # CNAME targets, in order
    wildcard: str = ""  # "*.example.com" when a wildcard record answered


def dns_verdict(row: HostRow, answer: DnsAnswer) -> tuple[str, str | None]:
    """(the DNS cell, a problem or None): compare the answer with the published address."""
    wildcard = f" (wildcard {answer.wildcard})" if answer.wildcard else ""
    if answer.status == "NXDOMAIN":
        return "NXDOMAIN", f"DNS {row.host}: NXDOMAIN (no record; expected " \
            f"{row.address_text()})"
    if answer.status != "ok":
        return answer.status, None if answer.status == "no record" and not row.addresses \
            else f"DNS {row.host}: {answer.status}"
    if not row.addresses:
        return f"not checked (no address){wildcard}", None
    expected = {a.value.lower().rstrip(".") for a in row.addresses}
    seen = {a.lower() for a in answer.addresses} | {c.lower().rstrip(".") for c in answer.chain}
    if expected & seen:
        return f"ok{wildcard}", None
    shown = ", ".join(answer.addresses[:2]) or ", ".join(answer.chain[-1:]) or "?"
    return (f"points elsewhere ({shown}){wildcard}",
            f"DNS {row.host}: points elsewhere ({shown}), the load balancer is "
            f"{row.address_text()}{wildcard}")


def with_dns(rows: list[HostRow], answers: Mapping[str, DnsAnswer]) -> list[HostRow]:
    out = []
    for row in rows:
        answer = answers.get(row.host.lower())
        if answer is None or row.host == "*":
            out.append(row)
            continue
        text, problem = dns_verdict(row, answer)
        out.append(replace(row, dns=text, dns_addresses=answer.addresses,
                           dns_chain=answer.chain,
                           problems=[*row.problems, *([problem] if problem else [])]))
    return out


@dataclass(frozen=True)
class ProbeResult:
    """A TLS handshake with SNI: the served leaf, or why there is none."""

    leaf: Leaf | None = None
    error: str = ""


def probe_verdict(row: HostRow, result: ProbeResult) -> tuple[str, str | None]:
    if result.leaf is None:
        return f"probe: {result.error or 'no certificate'}", \
            f"TLS {row.host}: probe failed ({result.error or 'no certificate'})"
    served = result.leaf
    ref = f"{row.source}"
    if row.tls_leaf is None:
        return f"serves {served.common_name or served.issuer_cn or 'a certificate'}", None
    if served.fingerprint == row.tls_leaf.fingerprint:
        return "serves it", None
    if not served.covers(row.host):
        return "serves the default certificate", (
            f"{ref}: {row.host} is served the default certificate "
            f"({served.common_name or 'no CN'}), not secret {row.tls_secret}")
    if served.not_after < row.tls_leaf.not_after:
        return "serves an older certificate", (
            f"{ref}: {row.host} serves an older certificate (until "
            f"{served.not_after:%Y-%m-%d}) than secret {row.tls_secret} (until "
            f"{row.tls_leaf.not_after:%Y-%m-%d}): the controller has not reloaded it")
    return "serves another certificate", (
        f"{ref}: {row.host} serves a certificate other than secret {row.tls_secret}")


def with_probe(rows: list[HostRow], results: Mapping[str, ProbeResult]) -> list[HostRow]:
    out = []
    for row in rows:
        result = results.get(row.key)
        if result is None:
            out.append(row)
            continue
        text, problem = probe_verdict(row, result)
        out.append(replace(row, probe=text,
                           problems=[*row.problems, *([problem] if problem else [])]))
    return out


def probe_targets(rows: Iterable[HostRow]) -> list[tuple[HostRow, str, int]]:
    """(row, address, port) of the TLS hosts that can be probed (a published address)."""
    return [(r, r.addresses[0].value, r.tls_port) for r in rows
            if r.tls_secret and r.addresses and r.host != "*" and not r.host.startswith("*.")]
