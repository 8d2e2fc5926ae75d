"""The exposure model without a cluster: ExternalDNS flags and filters, the nameserver
option, DNS verdicts, class defaults, Gateway API parents, the controller view's facts, and
hostile objects (hypothesis) through every function the pane and the command use."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from k8s_essentials_tui.api import Detection, clean
from k8s_essentials_tui.plugins.exposure import externaldns as edns
from k8s_essentials_tui.plugins.exposure import fleet
from k8s_essentials_tui.plugins.exposure.model import (
    COLUMNS,
    Address,
    DnsAnswer,
    HostRow,
    Inputs,
    build,
    dns_verdict,
    prepare_facts,
    running_from_detections,
    with_dns,
)
from k8s_essentials_tui.plugins.exposure.resolve import parse_nameserver
from testkit.hostile import json_values

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def edns_deployment(*args: str, ready: int = 1) -> dict[str, Any]:
    return {"metadata": {"namespace": "dns", "name": "external-dns",
                         "labels": {"app.kubernetes.io/name": "external-dns"}},
            "spec": {"replicas": 1, "template": {"spec": {"containers": [
                {"name": "external-dns", "args": list(args)}]}}},
            "status": {"readyReplicas": ready}}


def test_externaldns_flags_both_spellings_and_repeats() -> None:
    flags = edns.parse_args(["--source=ingress", "--source", "service", "--policy",
                             "sync", "--domain-filter=a.test,b.test", "--dry-run"])
    assert flags == {"source": ["ingress", "service"], "policy": ["sync"],
                     "domain-filter": ["a.test", "b.test"], "dry-run": ["true"]}
    cfg = edns.from_deployment(edns_deployment(
        "--source=ingress", "--domain-filter=Example.Test.", "--exclude-domains=int.example.test",
        "--txt-owner-id=prod", "--policy=upsert-only"))
    assert cfg.domain_filters == ("example.test",) and cfg.policy == "upsert-only"
    assert edns.domain_ok(cfg, "shop.example.test")
    assert edns.domain_ok(cfg, "example.test")
    assert not edns.domain_ok(cfg, "db.int.example.test")
    assert not edns.domain_ok(cfg, "badexample.test")


@pytest.mark.parametrize(("selector", "annotations", "expected"), [
    ("team=web", {"team": "web"}, True),
    ("team=web", {"team": "db"}, False),
    ("team!=web", {}, True),
    ("public", {"public": ""}, True),
    ("!private", {"private": "1"}, False),
    ("team in (web, shop),public", {"team": "shop", "public": "y"}, True),
    ("team notin (web)", {"team": "web"}, False),
    ("team in (web", {}, None),
])
def test_annotation_filter(selector: str, annotations: dict[str, str],
                           expected: bool | None) -> None:
    assert edns.annotations_match(selector, annotations) is expected


def test_externaldns_verdicts() -> None:
    cfg = edns.from_deployment(edns_deployment("--source=ingress", "--domain-filter=ex.test",
                                               "--annotation-filter=dns=public"))
    assert edns.verdict([], "Ingress", "a.ex.test", {}) == ("not installed", None)
    assert edns.verdict([cfg], "HTTPRoute", "a.ex.test", {}) == (
        "not a source (gateway-httproute)", None)
    assert edns.verdict([cfg], "Ingress", "a.ex.test", {"dns": "public"}) == (
        "managed (sync)", None)
    text, problem = edns.verdict([cfg], "Ingress", "a.ex.test", {})
    assert text == "annotation filter excludes it"
    assert problem == ("deployment dns/external-dns: --annotation-filter=dns=public "
                       "excludes a.ex.test")
    text, problem = edns.verdict([cfg], "Ingress", "a.other.test", {"dns": "public"})
    assert text == "outside domain filter" and "--domain-filter=ex.test" in str(problem)


@pytest.mark.parametrize(("value", "expected"), [
    ("127.0.0.1", ("127.0.0.1", 53)), ("127.0.0.1:5353", ("127.0.0.1", 5353)),
    ("[::1]:53", ("::1", 53)), ("::1", ("::1", 53)),
])
def test_nameserver_option(value: str, expected: tuple[str, int]) -> None:
    assert parse_nameserver(value) == expected


@pytest.mark.parametrize("value", ["", "dns.example", "1.2.3.4:0", "1.2.3.4:x", "1.2.3.4:70000"])
def test_nameserver_option_rejects(value: str) -> None:
    with pytest.raises(ValueError):
        parse_nameserver(value)


def _row(*addresses: str) -> HostRow:
    return HostRow(host="a.ex.test", kind="Ingress", namespace="n", name="a",
                   addresses=tuple(Address(a) for a in addresses))


def test_dns_verdicts() -> None:
    assert dns_verdict(_row("1.1.1.1"), DnsAnswer("ok", ("1.1.1.1",))) == ("ok", None)
    # a load balancer published as a hostname: the CNAME chain reaches it
    lb = "abc.elb.amazonaws.com"
    assert dns_verdict(_row(lb), DnsAnswer("ok", ("3.3.3.3",), (lb,)))[0] == "ok"
    text, problem = dns_verdict(_row("1.1.1.1"), DnsAnswer("ok", ("2.2.2.2",),
                                                           wildcard="*.ex.test"))
    assert text == "points elsewhere (2.2.2.2) (wildcard *.ex.test)" and problem
    assert dns_verdict(_row(), DnsAnswer("ok", ("2.2.2.2",)))[0] == "not checked (no address)"
    assert dns_verdict(_row("1.1.1.1"), DnsAnswer("NXDOMAIN"))[0] == "NXDOMAIN"
    assert dns_verdict(_row(), DnsAnswer("no record")) == ("no record", None)


def _ingress(name: str, host: str, klass: str | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"rules": [{"host": host, "http": {"paths": [
        {"path": "/", "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}
    if klass:
        spec["ingressClassName"] = klass
    return {"metadata": {"namespace": "n", "name": name}, "spec": spec}


def test_default_class_and_missing_class() -> None:
    classes = [{"metadata": {"name": "nginx", "annotations": {
        "ingressclass.kubernetes.io/is-default-class": "true"}},
        "spec": {"controller": "k8s.io/ingress-nginx"}}]
    rows = build(Inputs(ingresses=[_ingress("a", "a.test"), _ingress("b", "b.test", "gone")],
                        ingress_classes=classes))
    a, b = rows
    assert a.class_text() == "nginx (default): no controller"
    assert "ingressclass nginx: no running ingress-nginx controller (k8s.io/ingress-nginx)" \
        in a.problems
    assert "ingress n/a: backend service n/web does not exist" in a.problems
    assert b.class_text() == "gone (missing)"
    assert "ingress n/b: IngressClass gone does not exist" in b.problems
    none = build(Inputs(ingresses=[_ingress("c", "c.test")]))[0]
    assert "ingress n/c: no ingressClassName and no default IngressClass" in none.problems


def test_route_without_gateway_and_rows_per_listener_hostname() -> None:
    route = {"metadata": {"namespace": "n", "name": "r"},
             "spec": {"parentRefs": [{"name": "gw"}], "rules": [{}]}}
    (row,) = build(Inputs(http_routes=[route]))
    assert row.host == "*" and row.problems == ["httproute n/r: parent gateway n/gw does "
                                                "not exist"]
    gw = {"metadata": {"namespace": "n", "name": "gw"},
          "spec": {"gatewayClassName": "c", "listeners": [
              {"name": "a", "hostname": "a.test", "port": 443, "protocol": "HTTPS"},
              {"name": "b", "hostname": "b.test", "port": 80, "protocol": "HTTP"}]}}
    rows = build(Inputs(http_routes=[route], gateways=[gw]))
    assert [r.host for r in rows] == ["a.test", "b.test"]
    assert rows[0].problems == ["gateway n/gw: GatewayClass c does not exist"]


def test_fleet_webhook_and_snippets_and_listeners() -> None:
    deployment = {"metadata": {"namespace": "ing", "name": "ctl",
                               "labels": {"app.kubernetes.io/name": "ingress-nginx",
                                          "app.kubernetes.io/component": "controller"}},
                  "spec": {"replicas": 2}, "status": {"readyReplicas": 1}}
    cm = {"metadata": {"namespace": "ing", "name": "ctl-cm",
                       "labels": {"app.kubernetes.io/name": "ingress-nginx"}},
          "data": {"allow-snippet-annotations": "true", "proxy-body-size": "8m", "x": "y"}}
    hook = {"metadata": {"name": "ingress-nginx-admission"}, "webhooks": [
        {"name": "validate.nginx.ingress.kubernetes.io", "failurePolicy": "Fail",
         "clientConfig": {"service": {"namespace": "ing", "name": "adm"}}}]}
    (ctl,) = fleet.controllers([deployment], [], [cm], [hook], {})
    assert ctl.settings == {"allow-snippet-annotations": "true", "proxy-body-size": "8m"}
    assert ctl.webhook == "ing/adm: 0 ready, failurePolicy Fail"
    assert ctl.problems == [
        "deployment ing/ctl: 1/2 ready",
        "configmap ing/ctl-cm: allow-snippet-annotations=true lets Ingress authors inject "
        "NGINX configuration",
        "validatingwebhookconfiguration ingress-nginx-admission: service ing/adm has no "
        "ready endpoints (every Ingress change is rejected)"]
    gw = {"metadata": {"namespace": "n", "name": "gw"},
          "spec": {"gatewayClassName": "c", "listeners": [
              {"name": "https", "port": 443, "protocol": "HTTPS"}]},
          "status": {"conditions": [{"type": "Programmed", "status": "False",
                                     "reason": "AddressNotAssigned"}],
                     "listeners": [{"name": "https", "attachedRoutes": 2, "conditions": [
                         {"type": "ResolvedRefs", "status": "False",
                          "reason": "InvalidCertificateRef"}]}]}}
    (view,) = fleet.gateways([gw])
    assert view.listeners == [("https", "HTTPS :443 *",
                               ["ResolvedRefs=False (InvalidCertificateRef)", "2 routes"])]
    assert view.problems == [
        "gateway n/gw listener https: ResolvedRefs=False (InvalidCertificateRef)",
        "gateway n/gw: Programmed=False (AddressNotAssigned)"]
    text = "\n".join(fleet.lines([ctl], [view]))
    assert "ingress-nginx ing/ctl: 1/2 ready; classes: -" in text


FAST = settings(max_examples=60, deadline=None,
                phases=[Phase.explicit, Phase.reuse, Phase.generate],
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
objects = st.lists(st.one_of(st.dictionaries(st.sampled_from(
    ["metadata", "spec", "status", "data", "webhooks"]), json_values(8), max_size=4),
    json_values(3).filter(lambda v: isinstance(v, dict))), max_size=3)


@FAST
@given(ingresses=objects, services=objects, routes=objects, gateways=objects,
       classes=objects, slices=objects, deployments=objects, secrets=objects)
def test_hostile_objects_never_crash_and_stay_clean(ingresses, services, routes, gateways,
                                                    classes, slices, deployments,
                                                    secrets) -> None:
    inputs = Inputs(ingresses=ingresses, services=services, http_routes=routes,
                    grpc_routes=routes, gateways=gateways, gateway_classes=classes,
                    ingress_classes=classes, endpoint_slices=slices,
                    deployments=deployments, tls_secrets=secrets)
    rows = with_dns(build(inputs), {})
    for row in rows:
        cells = row.cells(NOW)
        assert set(cells) == set(COLUMNS)
        for value in [*cells.values(), *row.problems]:
            assert isinstance(value, str)
            clean(value)
        row.as_json(NOW)
    fleet.lines(fleet.controllers(deployments, classes, secrets, secrets, {}),
                fleet.gateways(gateways))


def test_wrong_types_deep_inside_read_as_empty() -> None:
    ing = _ingress("a", "a.test")
    ing["status"] = {"loadBalancer": {"ingress": [{"ip": "1.1.1.1", "ports": 5}, "x"]}}
    ing["spec"]["tls"] = [{"hosts": "a.test", "secretName": 7}]
    slices = [{"metadata": {"namespace": "n", "labels": {"kubernetes.io/service-name": "web"}},
               "endpoints": [{"addresses": 3, "conditions": []}]}]
    gw = {"metadata": {"namespace": "n", "name": "gw"},
          "spec": {"gatewayClassName": "c", "listeners": [
              {"name": "a", "protocol": "HTTPS", "tls": {"certificateRefs": "x"}}]},
          "status": {"listeners": [{"name": "a", "conditions": "bad"}]}}
    route = {"metadata": {"namespace": "n", "name": "r"},
             "spec": {"parentRefs": [{"name": "gw"}], "hostnames": ["r.test"]}}
    rows = build(Inputs(ingresses=[ing], endpoint_slices=slices, gateways=[gw],
                        http_routes=[route]))
    assert [r.address_text() for r in rows] == ["1.1.1.1", "pending"]
    assert any("unreadable" in p for p in rows[0].problems)
    fleet.gateways([gw])


def test_service_hostnames_under_both_annotation_prefixes() -> None:
    def svc(name: str, key: str) -> dict[str, Any]:
        return {"metadata": {"namespace": "n", "name": name, "annotations": {key: "a.t, b.t"}},
                "spec": {"type": "LoadBalancer", "ports": [{"port": 443}]}}

    rows = build(Inputs(services=[svc("old", "external-dns.alpha.kubernetes.io/hostname"),
                                  svc("new", "external-dns.kubernetes.io/hostname")]))
    assert sorted((r.host, r.name) for r in rows) == [("a.t", "new"), ("a.t", "old"),
                                                      ("b.t", "new"), ("b.t", "old")]


def test_controller_runs_by_the_boards_selectors_and_detection() -> None:
    """"Controller runs" agrees with the board: the catalog's selectors headless (the chart's
    default backend, ``component: defaultbackend``, is no controller), the published
    detection when the app has one."""
    classes = [{"metadata": {"name": "nginx"}, "spec": {"controller": "k8s.io/ingress-nginx"}}]

    def nginx(component: str) -> dict[str, Any]:
        return {"metadata": {"namespace": "ing", "name": f"ingress-nginx-{component}",
                             "labels": {"app.kubernetes.io/name": "ingress-nginx",
                                        "app.kubernetes.io/component": component}},
                "spec": {"replicas": 1}, "status": {"readyReplicas": 1}}

    ing = [_ingress("a", "a.test", "nginx")]
    backend_only = build(Inputs(ingresses=ing, ingress_classes=classes,
                                deployments=[nginx("defaultbackend")]))[0]
    assert backend_only.controller_state == "no controller"
    headless = build(Inputs(ingresses=ing, ingress_classes=classes,
                            deployments=[nginx("defaultbackend"), nginx("controller")]))[0]
    assert headless.controller_state == "running"
    # the board's detection wins over the listed Deployments, both ways
    seen = Detection(installed=True, details={"workload_status": [
        {"kind": "Deployment", "namespace": "ing", "name": "c", "ready": 1, "desired": 2}]})
    running = running_from_detections({"ingress-nginx": seen})
    assert running == {"ingress-nginx": True, "nginx-ingress": False}
    assert build(Inputs(ingresses=ing, ingress_classes=classes,
                        controllers_running=running))[0].controller_state == "running"
    down = Detection(installed=True, details={"workload_status": [
        {"kind": "Deployment", "namespace": "ing", "name": "c", "ready": 0, "desired": 1}]})
    row = build(Inputs(ingresses=ing, ingress_classes=classes,
                       deployments=[nginx("controller")],
                       controllers_running=running_from_detections({"ingress-nginx": down})))[0]
    assert row.controller_state == "no controller"
    assert running_from_detections({}) is None  # before the board's first read


def test_tls_days_come_from_the_certificates_panes_parse() -> None:
    """The TLS column's leaf is the certificates pane's (its parser, the same leaf of a
    bundle), and its fingerprint is the served certificate's when the same one is served."""
    import base64

    from cryptography.hazmat.primitives.serialization import Encoding

    from k8s_essentials_tui.plugins.cert_manager.x509info import parse_secret
    from k8s_essentials_tui.plugins.exposure import tlsinfo
    from tests import exposure_fixtures as fx

    pair = fx.leaf("shop.example.test", days=30, now=NOW, seed="tlsinfo")
    bundle = pair.cert_pem + fx.CA.cert_pem
    secret = {"data": {"tls.crt": base64.b64encode(bundle).decode(),
                       "tls.key": "bm90IHJlYWQ="}}
    leaf, problem = tlsinfo.from_secret(secret)
    assert problem is None and leaf is not None
    assert leaf.not_after == parse_secret(secret, deep=False).not_after
    assert leaf.dns_names == ("shop.example.test",)
    served = tlsinfo.from_der(pair.cert.public_bytes(Encoding.DER))
    assert served.fingerprint == leaf.fingerprint
    bad, why = tlsinfo.from_secret({"data": {"tls.crt": base64.b64encode(b"junk").decode()}})
    assert bad is None and why and why.startswith("tls.crt does not parse")


def test_rebuild_reuses_each_ingresses_facts_by_resource_version() -> None:
    """A watch event re-parses only the changed Ingress; the rows are the same as a build
    from nothing, and lookups (here: a Service that appeared) are redone for every row."""
    def ing(name: str, rv: str, host: str) -> dict[str, Any]:
        obj = _ingress(name, host)
        obj["metadata"].update(uid=f"uid-{name}", resourceVersion=rv)
        return obj

    memo: dict[Any, Any] = {}
    first = build(Inputs(ingresses=[ing("a", "1", "a.test"), ing("b", "1", "b.test")]), memo)
    assert len(memo) == 2
    assert [r.host for r in first] == ["a.test", "b.test"]
    cached = dict(memo)
    web = {"metadata": {"namespace": "n", "name": "web"},
           "spec": {"ports": [{"name": "http", "port": 80}]}}
    inputs = Inputs(ingresses=[ing("a", "1", "a.test"), ing("b", "2", "c.test")],
                    services=[web])
    again = build(inputs, memo)
    assert memo[("uid-a", "1")] is cached[("uid-a", "1")]  # not parsed again
    assert ("uid-b", "2") in memo
    assert [r.__dict__ for r in again] == [r.__dict__ for r in build(inputs)]
    assert [r.host for r in again] == ["a.test", "c.test"]
    assert again[0].backends[0].state == "no ready endpoints"  # the lookup was redone


def test_facts_prepared_ahead_are_the_builds() -> None:
    """The pane parses the Ingresses' own facts as soon as their list arrives
    (``prepare_facts``); the build after it parses none again and gives the rows a build
    from nothing gives."""
    ingresses = []
    for name in ("a", "b"):
        obj = _ingress(name, f"{name}.test")
        obj["metadata"].update(uid=f"uid-{name}", resourceVersion="1")
        ingresses.append(obj)
    memo: dict[Any, Any] = {}
    prepare_facts(ingresses, memo)
    prepared = dict(memo)
    assert set(prepared) == {("uid-a", "1"), ("uid-b", "1")}
    rows = build(Inputs(ingresses=ingresses), memo)
    assert all(memo[k] is v for k, v in prepared.items())  # used, not parsed again
    assert [r.__dict__ for r in rows] == [r.__dict__ for r in build(Inputs(ingresses=ingresses))]
