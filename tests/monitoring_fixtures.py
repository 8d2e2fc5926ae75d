"""The real Prometheus + Alertmanager behind the REAL apiserver's service proxy.

The apiserver refuses to proxy to loopback, so both servers run inside a network namespace
(``ip netns exec``) bound to its veth address, and selector-less Services named as
kube-prometheus-stack names them point there (testkit/netns.py). A missing binary skips
with the build hint (CI builds them first); a missing network namespace FAILS.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from testkit.netns import NetnsUnavailable, VethNamespace, expose_in_cluster
from testkit.prometheus import MonitoringStack, ServerMissing

PROM_SVC = "kube-prometheus-stack-prometheus"
AM_SVC = "kube-prometheus-stack-alertmanager"


def make_veth(tag: int) -> VethNamespace:
    """A namespace of its own (name, /30 and interface names differ from the Loki tests')."""
    pid = os.getpid()
    ns = VethNamespace(name=f"k8smon{tag}-{pid}", subnet=16001 + (pid % 120) * 3 + tag)
    ns.host_if = f"k8mh{tag}{pid % 100000}"[:15]
    ns.inner_if = f"k8mi{tag}{pid % 100000}"[:15]
    return ns


def start_stack(tag: int, *, rules: bool = True) -> Iterator[tuple[VethNamespace,
                                                                    MonitoringStack]]:
    veth = make_veth(tag)
    stack = MonitoringStack(host=veth.inner_ip, netns=veth.name, prometheus_port=9090,
                            alertmanager_port=9093, rules=rules)
    try:
        from testkit.prometheus import server_binary

        server_binary("prometheus")
        server_binary("alertmanager")
    except ServerMissing as exc:
        pytest.skip(str(exc))
    try:
        veth.create()
    except NetnsUnavailable as exc:
        pytest.fail(f"the service-proxy e2e needs a network namespace: {exc}", pytrace=False)
    try:
        stack.start()
        stack.wait_for_scrapes()
        if rules:
            stack.wait_for_alerts()
            stack.wait_for_rule_errors()
        yield veth, stack
    finally:
        stack.stop()
        veth.remove()


def expose(kube_admin: Any, namespace: str, veth: VethNamespace, stack: MonitoringStack
           ) -> None:
    """Services as kube-prometheus-stack names them, port ``http-web``."""
    expose_in_cluster(kube_admin, namespace, PROM_SVC, veth.inner_ip, stack.prometheus_port,
                      port_name="http-web", wait_path="/-/ready",
                      labels={"app": "kube-prometheus-stack-prometheus", "release": "kps"})
    expose_in_cluster(kube_admin, namespace, AM_SVC, veth.inner_ip, stack.alertmanager_port,
                      port_name="http-web", wait_path="/-/ready",
                      labels={"app": "kube-prometheus-stack-alertmanager", "release": "kps"})
