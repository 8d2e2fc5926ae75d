"""``exposure`` end to end: the real apiserver (Ingresses, Gateway API routes, Services,
EndpointSlices, TLS Secrets, controller Deployments), a real CoreDNS serving a zone the test
writes, and real TLS servers on loopback for ``--probe``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from k8s_essentials_tui.cli import main
from testkit.coredns import MISSING, CoreDNS, coredns_binary, zone
from testkit.kube import KubeAdmin
from testkit.tls_server import TLSServer
from tests import exposure_fixtures as fx

pytestmark = pytest.mark.e2e

needs_coredns = pytest.mark.skipif(coredns_binary() is None, reason=MISSING)


def _exposure(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any], str]:
    rc = main(["exposure", *argv, "-o", "json"])
    out, err = capsys.readouterr()
    return rc, (json.loads(out) if out.strip() else {}), err


def _hosts(data: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(h["host"], h["source"]["name"]): h for h in data["hosts"]}


@pytest.fixture
def cluster_scoped(kube_admin: KubeAdmin) -> Iterator[list[tuple[str, str, str]]]:
    """(apiVersion, kind, name) of cluster-scoped objects a test creates; deleted after."""
    made: list[tuple[str, str, str]] = []
    yield made
    for api_version, kind, name in made:
        kube_admin.delete(api_version, kind, name)


@pytest.fixture
def dns_server(tmp_path: Path) -> Iterator[CoreDNS]:
    if coredns_binary() is None:
        pytest.skip(MISSING)
    records = ("shop IN A 127.0.0.1\n"
               "api IN A 10.9.9.9\n"            # the load balancer moved to 10.0.0.2
               "www IN CNAME shop\n"
               "*.wild IN A 10.0.0.7\n"
               "grpc IN A 10.0.0.5\n"
               "lb IN A 10.0.0.8\n")
    with CoreDNS(tmp_path / "dns", {"example.test": zone("example.test", records)}) as server:
        yield server


@needs_coredns
def test_one_healthy_host_exit_0(kube_admin, kubeconfig, namespace, cluster_scoped, dns_server,
                                 capsys) -> None:
    klass = f"nginx-{namespace}"[:63]
    fx.ingress_class(kube_admin, klass)
    cluster_scoped.append(("networking.k8s.io/v1", "IngressClass", klass))
    fx.controllers(kube_admin, namespace)
    fx.service(kube_admin, namespace, "web", [("http", 80)], ready=2)
    fx.tls_secret(kube_admin, namespace, "shop-tls", fx.leaf("shop.example.test", days=60))
    fx.ingress(kube_admin, namespace, "shop", "shop.example.test", ("web", 80), klass=klass,
               tls_secret="shop-tls", lb="127.0.0.1")
    rc, data, err = _exposure(capsys, "--kubeconfig", kubeconfig, "-n", namespace,
                              "--resolve", "--nameserver", dns_server.address)
    assert rc == 0, (err, data)
    (row,) = data["hosts"]
    assert row["host"] == "shop.example.test" and row["paths"] == ["/"]
    assert row["source"] == {"kind": "Ingress", "namespace": namespace, "name": "shop"}
    assert row["class"] == klass and row["controllerState"] == "running"
    assert row["backends"] == [{"service": f"{namespace}/web", "port": "80", "state": "ok",
                                "readyEndpoints": 2}]
    assert row["addresses"] == ["127.0.0.1"]
    assert row["dns"]["status"] == "ok" and row["dns"]["addresses"] == ["127.0.0.1"]
    assert row["externalDNS"] == "managed (upsert-only, owner ci)"
    assert row["tls"]["state"] == "ok" and 59 <= row["tls"]["daysLeft"] <= 60
    assert row["problems"] == [] and data["errors"] == []
    assert "PRIVATE KEY" not in json.dumps(data)
    # text output: a table, no problem lines
    rc = main(["exposure", "--kubeconfig", kubeconfig, "-n", namespace])
    out, _ = capsys.readouterr()
    assert rc == 0
    assert out.splitlines()[0].split() == ["HOST", "PATHS", "SOURCE", "CLASS", "BACKEND",
                                           "ADDRESS", "DNS", "EXTERNALDNS", "TLS"]
    assert "shop.example.test" in out and "not checked" in out


@needs_coredns
def test_every_problem_names_the_object_to_fix(kube_admin, kubeconfig, namespace,
                                                cluster_scoped, dns_server, capsys) -> None:
    klass, f5 = f"nginx-{namespace}"[:63], f"f5-{namespace}"[:63]
    fx.ingress_class(kube_admin, klass)
    fx.ingress_class(kube_admin, f5, controller="nginx.org/ingress-controller")
    cluster_scoped.extend([("networking.k8s.io/v1", "IngressClass", klass),
                           ("networking.k8s.io/v1", "IngressClass", f5)])
    fx.controllers(kube_admin, namespace)
    fx.service(kube_admin, namespace, "web", [("http", 80)], ready=1)
    fx.service(kube_admin, namespace, "api", [("http", 8080)], ready=0)
    fx.ingress(kube_admin, namespace, "api", "api.example.test", ("api", 8080), klass=klass,
               tls_secret="api-tls", lb="10.0.0.2")
    fx.ingress(kube_admin, namespace, "bad-port", "bad.example.test", ("web", 9090),
               klass=klass, lb="10.0.0.3")
    fx.ingress(kube_admin, namespace, "shop", "shop.example.test", ("web", 80), klass=klass,
               lb="127.0.0.1")
    fx.ingress(kube_admin, namespace, "shop-copy", "shop.example.test", ("web", "http"),
               klass=klass, lb="127.0.0.1")
    fx.ingress(kube_admin, namespace, "elsewhere", "app.elsewhere.test", ("web", 80),
               klass=klass, lb="10.0.0.4")
    fx.ingress(kube_admin, namespace, "wild", "a.wild.example.test", ("web", 80),
               klass=klass, lb="10.0.0.7")
    fx.ingress(kube_admin, namespace, "f5", "f5.example.test", ("web", 80), klass=f5)
    fx.service(kube_admin, namespace, "lb", [("https", 443)], ready=1, lb="10.0.0.8",
               annotations={"external-dns.alpha.kubernetes.io/hostname": "lb.example.test"})
    rc, data, err = _exposure(capsys, "--kubeconfig", kubeconfig, "-n", namespace,
                              "--resolve", "--nameserver", dns_server.address,
                              "--timeout", "1")
    assert rc == 1, (err, data)
    rows = _hosts(data)
    api = rows[("api.example.test", "api")]
    assert api["backends"][0]["state"] == "no ready endpoints"
    assert api["dns"]["status"] == "points elsewhere (10.9.9.9)"
    assert api["tls"]["state"] == "missing"
    assert set(api["problems"]) == {
        f"service {namespace}/api: no ready endpoints (requests get 503)",
        f"ingress {namespace}/api: TLS secret {namespace}/api-tls does not exist",
        "DNS api.example.test: points elsewhere (10.9.9.9), the load balancer is 10.0.0.2"}
    bad = rows[("bad.example.test", "bad-port")]
    assert bad["backends"][0]["state"] == "no port"
    assert f"ingress {namespace}/bad-port: service {namespace}/web has no port 9090" \
        in bad["problems"]
    assert bad["dns"]["status"] == "NXDOMAIN"
    shop = rows[("shop.example.test", "shop")]
    assert shop["dns"]["status"] == "ok"
    assert shop["problems"] == [f"ingress {namespace}/shop: shop.example.test/ is also "
                                f"claimed by ingress {namespace}/shop-copy"]
    outside = rows[("app.elsewhere.test", "elsewhere")]
    assert outside["externalDNS"] == "outside domain filter"
    assert (f"deployment {namespace}/external-dns: app.elsewhere.test is outside "
            "--domain-filter=example.test") in outside["problems"]
    assert outside["dns"]["status"].startswith("error: refused")  # not our zone
    wild = rows[("a.wild.example.test", "wild")]
    assert wild["dns"]["status"] == "ok (wildcard *.wild.example.test)"
    assert wild["problems"] == []
    f5_row = rows[("f5.example.test", "f5")]
    assert f5_row["controllerState"] == "no controller"
    assert (f"ingressclass {f5}: no running nginx-ingress controller "
            "(nginx.org/ingress-controller)") in f5_row["problems"]
    assert f5_row["dns"]["status"] == "NXDOMAIN" or f5_row["addresses"] == []
    lb = rows[("lb.example.test", "lb")]
    assert lb["source"]["kind"] == "Service" and lb["dns"]["status"] == "ok"
    assert lb["externalDNS"] == "managed (upsert-only, owner ci)" and lb["problems"] == []
    # the text output lists each problem under its host
    rc = main(["exposure", "--kubeconfig", kubeconfig, "-n", namespace])
    out, _ = capsys.readouterr()
    assert rc == 1
    assert f"api.example.test: service {namespace}/api: no ready endpoints" in out


@needs_coredns
def test_gateway_api_routes(kube_admin, kubeconfig, namespace, cluster_scoped, dns_server,
                            capsys) -> None:
    good, idle = f"gw-{namespace}"[:63], f"idle-{namespace}"[:63]
    fx.gateway_class(kube_admin, good, accepted=True)
    fx.gateway_class(kube_admin, idle, accepted=False)
    cluster_scoped.extend([(fx.GW, "GatewayClass", good), (fx.GW, "GatewayClass", idle)])
    fx.controllers(kube_admin, namespace)
    fx.service(kube_admin, namespace, "web", [("http", 80)], ready=1)
    fx.tls_secret(kube_admin, namespace, "gw-tls", fx.leaf("*.example.test"))
    fx.gateway(kube_admin, namespace, "public", good, hostname="*.example.test",
               secret="gw-tls", address="127.0.0.1")
    fx.gateway(kube_admin, namespace, "parked", idle, hostname="grpc.example.test",
               secret="gw-tls", address=None)
    fx.route(kube_admin, namespace, "shop", "public", "shop.example.test", ("web", 80))
    fx.route(kube_admin, namespace, "grpc", "parked", "grpc.example.test", ("web", 80),
             kind="GRPCRoute")
    rc, data, err = _exposure(capsys, "--kubeconfig", kubeconfig, "-n", namespace,
                              "--resolve", "--nameserver", dns_server.address)
    assert rc == 1, (err, data)
    rows = _hosts(data)
    shop = rows[("shop.example.test", "shop")]
    assert shop["source"]["kind"] == "HTTPRoute" and shop["class"] == good
    assert shop["controllerState"] == "running" and shop["addresses"] == ["127.0.0.1"]
    assert shop["tls"]["secret"] == f"{namespace}/gw-tls" and shop["tls"]["state"] == "ok"
    assert shop["dns"]["status"] == "ok"
    assert shop["externalDNS"] == "managed (upsert-only, owner ci)"
    assert shop["problems"] == []
    grpc = rows[("grpc.example.test", "grpc")]
    assert grpc["source"]["kind"] == "GRPCRoute" and grpc["controllerState"] == "no controller"
    assert grpc["dns"]["status"] == "not checked (no address)"
    assert grpc["externalDNS"] == "not a source (gateway-grpcroute)"
    assert grpc["problems"] == [f"gatewayclass {idle}: not accepted by a controller "
                                "(example.test/gateway-controller)"]


def test_probe_compares_the_served_certificate(kube_admin, kubeconfig, namespace,
                                               cluster_scoped, capsys) -> None:
    klass = f"nginx-{namespace}"[:63]
    fx.ingress_class(kube_admin, klass)
    cluster_scoped.append(("networking.k8s.io/v1", "IngressClass", klass))
    fx.controllers(kube_admin, namespace)
    fx.service(kube_admin, namespace, "web", [("http", 80)], ready=1)
    current = fx.leaf("shop.example.test", "old.example.test", "other.example.test", days=80)
    older = fx.leaf("old.example.test", days=10)
    fake = fx.make_cert(fx.CA, "Kubernetes Ingress Controller Fake Certificate",
                        dns_names=("ingress.local",), server=True)
    fx.tls_secret(kube_admin, namespace, "shop-tls", current)
    with TLSServer(current) as serves_it, TLSServer(older) as stale, \
            TLSServer(fake) as default:
        for name, host, server in (("shop", "shop.example.test", serves_it),
                                   ("old", "old.example.test", stale),
                                   ("other", "other.example.test", default)):
            fx.ingress(kube_admin, namespace, name, host, ("web", 80), klass=klass,
                       tls_secret="shop-tls", lb="127.0.0.1", tls_port=server.port)
        rc, data, err = _exposure(capsys, "--kubeconfig", kubeconfig, "-n", namespace,
                                  "--probe", "--timeout", "2")
        assert serves_it.server_names == ["shop.example.test"]  # SNI is the host
    assert rc == 1, (err, data)
    rows = _hosts(data)
    assert rows[("shop.example.test", "shop")]["tls"]["probe"] == "serves it"
    assert rows[("shop.example.test", "shop")]["problems"] == []
    old = rows[("old.example.test", "old")]
    assert old["tls"]["probe"] == "serves an older certificate"
    assert any("serves an older certificate" in p and "has not reloaded" in p
               for p in old["problems"])
    other = rows[("other.example.test", "other")]
    assert other["tls"]["probe"] == "serves the default certificate"
    assert other["problems"] == [
        f"ingress {namespace}/other: other.example.test is served the default certificate "
        f"(Kubernetes Ingress Controller Fake Certificate), not secret {namespace}/shop-tls"]


def test_probe_and_dns_are_bounded(kube_admin, kubeconfig, namespace, cluster_scoped,
                                   capsys) -> None:
    """A dead address and a DNS server that never answers end in time as problems."""
    import socket

    klass = f"nginx-{namespace}"[:63]
    fx.ingress_class(kube_admin, klass)
    cluster_scoped.append(("networking.k8s.io/v1", "IngressClass", klass))
    fx.controllers(kube_admin, namespace)
    fx.service(kube_admin, namespace, "web", [("http", 80)], ready=1)
    fx.tls_secret(kube_admin, namespace, "shop-tls", fx.leaf("shop.example.test"))
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # bound, never answers
    silent.bind(("127.0.0.1", 0))
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))  # bound, not listening: connection refused
    try:
        fx.ingress(kube_admin, namespace, "shop", "shop.example.test", ("web", 80),
                   klass=klass, tls_secret="shop-tls", lb="127.0.0.1",
                   tls_port=closed.getsockname()[1])
        rc, data, err = _exposure(capsys, "--kubeconfig", kubeconfig, "-n", namespace,
                                  "--resolve", "--nameserver",
                                  f"127.0.0.1:{silent.getsockname()[1]}", "--probe",
                                  "--timeout", "0.5")
    finally:
        silent.close()
        closed.close()
    assert rc == 1, (err, data)
    (row,) = data["hosts"]
    assert row["dns"]["status"] == "timeout"
    assert row["tls"]["probe"].startswith("probe: ")
    assert "DNS shop.example.test: timeout" in row["problems"]


def test_errors_exit_2(kubeconfig, limited_kubeconfig, namespace, capsys) -> None:
    rc = main(["exposure", "--kubeconfig", kubeconfig, "-n", namespace, "--resolve",
               "--nameserver", "not-an-ip"])
    _, err = capsys.readouterr()
    assert rc == 2 and "nameserver must be" in err and "Traceback" not in err
    rc = main(["exposure", "--kubeconfig", kubeconfig, "--nameserver", "127.0.0.1"])
    _, err = capsys.readouterr()
    assert rc == 2 and "--nameserver needs --resolve" in err
    rc = main(["exposure", "--kubeconfig", kubeconfig, "-n", namespace, "-A"])
    _, err = capsys.readouterr()
    assert rc == 2 and "mutually exclusive" in err
    rc = main(["exposure", "--kubeconfig", "/nonexistent/kubeconfig"])
    _, err = capsys.readouterr()
    assert rc == 2 and "Traceback" not in err
    rc, data, err = _exposure(capsys, "--kubeconfig", limited_kubeconfig, "-n", namespace)
    assert rc == 2 and "forbidden" in err and data["errors"]


def test_hostile_hostname_annotation_headless(kube_admin, kubeconfig, namespace,
                                              capsys) -> None:
    """ExternalDNS's hostname annotation is free text: text output shows it cleaned, JSON
    escapes it, and nothing crashes on a name no resolver accepts."""
    from testkit.hostile import WORST, assert_clean

    fx.service(kube_admin, namespace, "evil", [("https", 443)], ready=1, lb="10.0.0.9",
               annotations={"external-dns.alpha.kubernetes.io/hostname": WORST})
    rc = main(["exposure", "--kubeconfig", kubeconfig, "-n", namespace, "--resolve",
               "--nameserver", "127.0.0.1:9", "--timeout", "0.3"])
    out, err = capsys.readouterr()
    assert rc == 1, err
    assert_clean(out.splitlines(), " (exposure text output)")
    rc, data, _ = _exposure(capsys, "--kubeconfig", kubeconfig, "-n", namespace)
    assert rc == 0 and data["hosts"][0]["source"]["name"] == "evil"
