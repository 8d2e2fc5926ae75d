"""Unit tests of the mesh model (pure): injection precedence, proxy detection, versions and
skew, needs-restart, mTLS precedence, analyze, patches and commands."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from k8s_essentials_tui.plugins.mesh import analyze, model, ops, security
from testkit import mesh as m


def ns(name: str, labels: dict[str, str] | None = None,
       annotations: dict[str, str] | None = None) -> dict:
    return m.namespace(name, labels=labels, annotations=annotations)


@pytest.mark.parametrize(("labels", "annotations", "expected"), [
    ({"istio-injection": "enabled"}, {}, ("istio", "default")),
    ({"istio-injection": "enabled", "istio.io/rev": "canary"}, {}, ("istio", "default")),
    ({"istio.io/rev": "canary"}, {}, ("istio", "canary")),
    ({"istio-injection": "disabled", "istio.io/rev": "canary"}, {}, ("", "")),
    ({"istio.io/dataplane-mode": "ambient"}, {}, ("ambient", "")),
    ({}, {"linkerd.io/inject": "enabled"}, ("linkerd", "")),
    ({}, {"linkerd.io/inject": "disabled"}, ("", "")),
    ({}, {}, ("", "")),
])
def test_namespace_injection_precedence(labels, annotations, expected) -> None:
    inj = model.namespace_injection(ns("a", labels, annotations))
    assert (inj.mesh, inj.revision) == expected


def test_proxy_kinds_and_versions() -> None:
    sidecar = model.pod_proxy(m.with_istio(m.pod("a", "x"), "1.30.3-distroless"))
    assert (sidecar.mesh, sidecar.kind, sidecar.version) == ("istio", "sidecar",
                                                             "1.30.3-distroless")
    native = model.pod_proxy(m.with_istio(m.pod("a", "x"), "1.30.3", native=True,
                                          revision="canary"))
    assert (native.kind, native.revision) == ("native", "canary")
    l5d = model.pod_proxy(m.with_linkerd(m.pod("a", "x"), "edge-26.8.4"))
    assert (l5d.mesh, l5d.version) == ("linkerd", "edge-26.8.4")
    # an init container named istio-proxy that does not keep running is no proxy
    p = m.pod("a", "x")
    p["spec"]["initContainers"] = [{"name": "istio-proxy", "image": "i:1.30.3"}]
    assert model.pod_proxy(p).mesh == ""
    assert model.pod_proxy(m.ambient_enrolled(m.pod("a", "x"))).kind == "ambient"


@pytest.mark.parametrize(("proxy", "cp", "level"), [
    ("1.30.3", "1.30.0", "ok"), ("1.29.9", "1.30.0", "behind"), ("1.28.0", "1.30.1", "problem"),
    ("1.31.0", "1.30.0", "ahead"), ("0.9.0", "1.30.0", "problem"), ("latest", "1.30.0", "unknown"),
    ("edge-26.6.1", "edge-26.8.4", "problem"), ("stable-2.14.10", "stable-2.14.1", "ok"),
])
def test_skew_levels(proxy, cp, level) -> None:
    assert model.skew_level(model.minors_behind(proxy, cp)) == level


def test_percent_never_rounds_up_to_done() -> None:
    assert model.percent(999 / 1000) == "99%"
    assert model.percent(1.0) == "100%"
    assert model.percent(None) == "-"


def test_workload_from_the_pod_alone() -> None:
    dep = m.pod("web-5d4f8c7b9-abcde", "x", owner=("ReplicaSet", "web-5d4f8c7b9"),
                template_hash="5d4f8c7b9")
    assert model.pod_workload(dep).ref == "deployment/web"
    assert model.pod_workload(m.pod("db-0", "x", owner=("StatefulSet", "db"))).ref == \
        "statefulset/db"
    assert model.pod_workload(m.pod("job-1", "x", owner=("Job", "job"))).kind == ""
    assert model.pod_workload(m.pod("bare", "x")).kind == ""


def test_build_counts_and_needs_restart() -> None:
    state = model.build(
        [ns("a", {"istio-injection": "enabled"}), ns("b")],
        [m.with_istio(m.pod("p1", "a"), "1.30.3"), m.pod("p2", "a"),
         m.pod("p3", "a", labels={"sidecar.istio.io/inject": "false"}),
         {**m.pod("done", "a"), "status": {"phase": "Succeeded"}},
         m.with_istio(m.pod("in", "b", labels={"sidecar.istio.io/inject": "true"}), "1.30.3"),
         m.pod("plain", "b")],
        istiod=[m.istiod("istio-system", "1.30.3")])
    rows = {r.name: r for r in state.namespaces}
    assert (rows["a"].pods, rows["a"].with_proxy, rows["a"].opted_out,
            rows["a"].needs_restart) == (2, 1, 1, 1)
    assert (rows["b"].pods, rows["b"].with_proxy) == (1, 1)  # the pod opted in
    assert state.coverage == pytest.approx(2 / 3)
    assert state.problems() == ["a: 1 of 2 pods without a proxy"]
    assert state.summary().startswith("66% of pods in meshed namespaces have a proxy (2/3")


def test_revision_tags_resolve_to_their_istiod() -> None:
    hook = {"metadata": {"name": "istio-revision-tag-prod",
                         "labels": {"istio.io/tag": "prod", "istio.io/rev": "1-31"}}}
    state = model.build([ns("a", {"istio.io/rev": "prod"})],
                        [m.with_istio(m.pod("p", "a"), "1.31.0", revision="1-31")],
                        istiod=[m.istiod("istio-system", "1.31.0", "1-31")],
                        tag_webhooks=[hook])
    assert state.control_planes[0].tags == ("prod",)
    assert state.pods[0].needs_restart is False and state.pods[0].skew == "ok"


def test_mtls_precedence() -> None:
    pas = [m.peer_authentication("default", "istio-system", "STRICT"),
           m.peer_authentication("ns", "a", "PERMISSIVE"),
           m.peer_authentication("unset", "b", "UNSET"),
           m.peer_authentication("wl", "a", "DISABLE", {"app": "web"})]
    sec = security.build_security(pas, pods=[m.pod("w", "a", labels={"app": "web"})],
                                  namespaces=["a", "b", "c"])
    assert sec.mesh_mode == "STRICT"
    assert (sec.mode("a"), sec.mode("b"), sec.mode("c")) == ("PERMISSIVE", "STRICT", "STRICT")
    assert [(w.policy, w.mode, w.pods) for w in sec.workloads] == [("wl", "DISABLE", 1)]
    assert security.build_security([]).mesh_mode == "PERMISSIVE"


def test_hosts_resolve_only_in_the_cluster() -> None:
    names = {"shop"}
    assert analyze.resolve_host("web", "a", names) == ("web", "a")
    assert analyze.resolve_host("web.shop", "a", names) == ("web", "shop")
    assert analyze.resolve_host("web.shop.svc.cluster.local", "a", names) == ("web", "shop")
    assert analyze.resolve_host("api.example.com", "a", names) is None
    assert analyze.resolve_host("*.shop.svc.cluster.local", "a", names) is None


def test_restart_patch_and_rfc3339_like_go() -> None:
    assert ops.go_rfc3339(datetime(2026, 12, 6, 14, 0, 1, 999, tzinfo=UTC)) == \
        "2026-12-06T14:00:01Z"
    cet = timezone(timedelta(hours=1))
    assert ops.go_rfc3339(datetime(2026, 12, 6, 15, 0, 1, tzinfo=cet)) == \
        "2026-12-06T15:00:01+01:00"
    assert ops.restart_patch(datetime(2026, 12, 6, 14, 0, 1, tzinfo=UTC)) == {
        "spec": {"template": {"metadata": {"annotations": {
            "kubectl.kubernetes.io/restartedAt": "2026-12-06T14:00:01Z"}}}}}


def test_injection_patches_and_commands() -> None:
    assert ops.injection_patch("istio", True, "canary") == {
        "metadata": {"labels": {"istio-injection": None, "istio.io/rev": "canary"}}}
    patch = ops.injection_patch("linkerd", False)
    assert ops.injection_command("shop", patch) == \
        "kubectl annotate namespace shop linkerd.io/inject-"
    assert ops.injection_command("shop", ops.injection_patch("ambient", True)) == \
        "kubectl label namespace shop istio.io/dataplane-mode=ambient --overwrite"
