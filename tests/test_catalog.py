"""The catalog: every built-in plugin is well-formed, and each detection rule reads a hand-made
:class:`ClusterSnapshot` the way an operator would (installed / not ready / CRDs only / absent).

Pure unit tests: no cluster, no Textual. Workloads are built with the labels the official
charts put on them, so a wrong selector in a plugin makes these tests fail.
"""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from typing import Any

import pytest
import yaml

from k8s_essentials_tui.detection.detect import labels_match
from k8s_essentials_tui.detection.snapshot import ClusterSnapshot
from k8s_essentials_tui.plugin import CATEGORIES, Detection, Plugin
from k8s_essentials_tui.registry import load_registry

#: plugin id -> module (under plugins/) of the catalog entries this file covers
CATALOG: dict[str, str] = {
    "nginx-ingress": "nginx_ingress_f5",
    "external-dns": "external_dns",
    "argocd": "gitops.argocd_plugin",
    "flux": "gitops.flux_plugin",
    "istio": "mesh.istio",
    "linkerd": "mesh.linkerd",
    "gatekeeper": "policy",  # both engines share the policy package (#21)
    "kyverno": "policy",
    "kube-prometheus-stack": "monitoring.stack",
    "grafana": "monitoring.grafana",
    "jaeger": "jaeger",
    "kustomize": "kustomize",
}
#: everything the cluster runs (kustomize is client-side)
CLUSTER_SIDE = sorted(set(CATALOG) - {"kustomize"})
#: a pinned chart version: exact semver, optional leading v, no ranges or wildcards
PINNED = re.compile(r"^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")


def module(plugin_id: str) -> Any:
    return importlib.import_module(f"k8s_essentials_tui.plugins.{CATALOG[plugin_id]}")


def plugin(plugin_id: str) -> Plugin:
    mod = module(plugin_id)
    found = [p for p in getattr(mod, "PLUGINS", ()) if p.id == plugin_id]
    p = found[0] if found else mod.PLUGIN
    assert p.id == plugin_id
    return p


# -- hand-made cluster objects -----------------------------------------------------------------

def _helm(name: str, instance: str, **extra: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": name, "app.kubernetes.io/instance": instance,
            "app.kubernetes.io/managed-by": "Helm", **extra}


#: (kind, name, metadata.labels) of the workloads each official chart (or, for Prometheus and
#: Alertmanager, the operator) creates -- written from the charts' templates, independently of
#: the plugins' selectors, so a wrong selector fails the detection tests below
REAL_INSTALLS: dict[str, list[tuple[str, str, dict[str, str]]]] = {
    "nginx-ingress": [("Deployment", "nginx-ingress-controller",
                       _helm("nginx-ingress", "nginx-ingress",
                             **{"helm.sh/chart": "nginx-ingress-2.5.1"}))],
    "external-dns": [("Deployment", "external-dns", _helm("external-dns", "external-dns"))],
    "argocd": [
        ("Deployment", "argocd-server", _helm(
            "argocd-server", "argocd", **{"app.kubernetes.io/component": "server",
                                          "app.kubernetes.io/part-of": "argocd"})),
        ("Deployment", "argocd-repo-server", _helm(
            "argocd-repo-server", "argocd", **{"app.kubernetes.io/component": "repo-server",
                                               "app.kubernetes.io/part-of": "argocd"})),
        ("StatefulSet", "argocd-application-controller", _helm(
            "argocd-application-controller", "argocd",
            **{"app.kubernetes.io/component": "application-controller",
               "app.kubernetes.io/part-of": "argocd"})),
        *[("Deployment", f"argocd-{part}", _helm(
            f"argocd-{part}", "argocd", **{"app.kubernetes.io/component": part,
                                           "app.kubernetes.io/part-of": "argocd"}))
          for part in ("redis", "applicationset-controller", "notifications-controller",
                       "dex-server")],
    ],
    "flux": [(kind, name, {"app.kubernetes.io/instance": "flux-system",
                           "app.kubernetes.io/managed-by": "Helm",
                           "app.kubernetes.io/part-of": "flux", "control-plane": "controller"})
             for kind, name in (("Deployment", "source-controller"),
                                ("Deployment", "kustomize-controller"),
                                ("Deployment", "helm-controller"))],
    "istio": [("Deployment", "istiod", {
        "app": "istiod", "istio": "pilot", "istio.io/rev": "default",
        "operator.istio.io/component": "Pilot", "release": "istiod"})],
    "linkerd": [("Deployment", f"linkerd-{c}", {
        "app.kubernetes.io/name": c, "app.kubernetes.io/part-of": "Linkerd",
        "linkerd.io/control-plane-component": c, "linkerd.io/control-plane-ns": "linkerd"})
        for c in ("destination", "identity", "proxy-injector")],
    "gatekeeper": [
        ("Deployment", "gatekeeper-controller-manager", {
            "app": "gatekeeper", "chart": "gatekeeper", "control-plane": "controller-manager",
            "gatekeeper.sh/operation": "webhook", "gatekeeper.sh/system": "yes",
            "heritage": "Helm", "release": "gatekeeper"}),
        ("Deployment", "gatekeeper-audit", {
            "app": "gatekeeper", "chart": "gatekeeper", "control-plane": "audit-controller",
            "gatekeeper.sh/operation": "audit", "gatekeeper.sh/system": "yes",
            "heritage": "Helm", "release": "gatekeeper"}),
    ],
    "kyverno": [("Deployment", f"kyverno-{c}", _helm(
        f"kyverno-{c}", "kyverno", **{"app.kubernetes.io/component": c,
                                      "app.kubernetes.io/part-of": "kyverno"}))
        for c in ("admission-controller", "background-controller", "cleanup-controller",
                  "reports-controller")],
    "kube-prometheus-stack": [
        ("Deployment", "kube-prometheus-stack-operator", _helm(
            "kube-prometheus-stack-prometheus-operator", "kube-prometheus-stack",
            **{"app": "kube-prometheus-stack-operator", "release": "kube-prometheus-stack",
               "app.kubernetes.io/component": "prometheus-operator"})),
        ("StatefulSet", "prometheus-kube-prometheus-stack-prometheus", {
            "app.kubernetes.io/name": "prometheus",
            "app.kubernetes.io/managed-by": "prometheus-operator",
            "app.kubernetes.io/instance": "kube-prometheus-stack-prometheus",
            "operator.prometheus.io/name": "kube-prometheus-stack-prometheus",
            "operator.prometheus.io/shard": "0"}),
        ("StatefulSet", "alertmanager-kube-prometheus-stack-alertmanager", {
            "app.kubernetes.io/name": "alertmanager",
            "app.kubernetes.io/managed-by": "prometheus-operator",
            "app.kubernetes.io/instance": "kube-prometheus-stack-alertmanager",
            "alertmanager": "kube-prometheus-stack-alertmanager"}),
        # the subcharts, same release (their charts' labels + the parent's release label)
        ("DaemonSet", "kube-prometheus-stack-prometheus-node-exporter", _helm(
            "prometheus-node-exporter", "kube-prometheus-stack",
            release="kube-prometheus-stack", jobLabel="node-exporter")),
        ("Deployment", "kube-prometheus-stack-kube-state-metrics", _helm(
            "kube-state-metrics", "kube-prometheus-stack", release="kube-prometheus-stack")),
    ],
    "grafana": [("Deployment", "grafana", _helm("grafana", "grafana"))],
    "jaeger": [("Deployment", "jaeger", _helm(
        "jaeger", "jaeger", **{"app.kubernetes.io/component": "all-in-one"}))],
}


#: other official ways to install the same component (matched by additional selectors)
ALTERNATIVE_INSTALLS: dict[str, list[tuple[str, str, dict[str, str]]]] = {
    "jaeger": [("Deployment", "jaeger-operator", _helm("jaeger-operator", "jaeger-operator"))],
}


def workload(kind: str, name: str, labels: dict[str, str], *, namespace: str = "ops",
             ready: int = 1, desired: int = 1, tag: str = "1.2.3") -> dict[str, Any]:
    obj: dict[str, Any] = {
        "apiVersion": "apps/v1", "kind": kind,
        "metadata": {"name": name, "namespace": namespace, "labels": dict(labels)},
        "spec": {"template": {"spec": {"containers": [
            {"name": "main", "image": f"registry.example/{name}:{tag}"}]}}},
    }
    if kind == "DaemonSet":
        obj["status"] = {"numberReady": ready, "desiredNumberScheduled": desired}
    else:
        obj["spec"]["replicas"] = desired
        obj["status"] = {"readyReplicas": ready, "replicas": desired}
    return obj


def installed_snapshot(p: Plugin, **kw: Any) -> ClusterSnapshot:
    """What a healthy install leaves: the chart's workloads, all ready, and its CRD groups."""
    return ClusterSnapshot(api_groups={"", "apps", *p.api_groups},
                           workloads=[workload(*w, **kw) for w in REAL_INSTALLS[p.id]])


def helm_release(p: Plugin, version: str = "9.9.9") -> dict[str, Any]:
    assert p.chart is not None
    return {"name": p.chart.release, "namespace": p.chart.namespace, "chart": p.chart.chart,
            "chart_version": version, "app_version": "1.0", "status": "deployed",
            "revision": 1}


# -- catalog shape ------------------------------------------------------------------------------

def test_every_catalog_plugin_is_registered_without_errors() -> None:
    reg = load_registry(third_party=False)
    mine = {f"k8s_essentials_tui.plugins.{m}" for m in CATALOG.values()}
    assert [e for e in reg.errors if e[0] in mine] == []
    assert set(CATALOG) <= set(reg.plugins)
    for pid in CATALOG:
        assert reg.get(pid).source == "built-in"


def test_every_registered_plugin_has_category_why_and_pinned_chart() -> None:
    reg = load_registry(third_party=False)
    assert reg.plugins, "no built-in plugins found"
    for p in reg.plugins.values():
        assert p.category in CATEGORIES, p.id
        assert p.why.strip() and "\n" not in p.why, f"{p.id}: why must be one line"
        if p.chart is None:
            continue
        assert PINNED.match(p.chart.version), f"{p.id}: {p.chart.version!r} is not pinned"
        assert p.chart.repo.startswith(("https://", "oci://")), p.id
        assert p.chart.chart and p.chart.namespace and p.chart.release, p.id


@pytest.mark.parametrize("pid", CLUSTER_SIDE)
def test_cluster_component_has_chart_values_and_detection_rule(pid: str) -> None:
    p = plugin(pid)
    assert p.chart is not None
    assert len(p.why) <= 100, f"{pid}: keep the why text short enough for a board cell"
    values = yaml.safe_load(p.chart.values)
    assert isinstance(values, dict) and values, f"{pid}: recommended values must be a mapping"
    assert p.workload_selectors, f"{pid}: no workload selectors"
    for sel in p.workload_selectors:
        assert sel and all(isinstance(k, str) and isinstance(v, str) and k and v
                           for k, v in sel.items())
    charts = getattr(module(pid), "CHARTS", None) or plugin(pid).chart_names
    assert charts, f"{pid}: no Helm chart names for release detection"


@pytest.mark.parametrize("pid", CLUSTER_SIDE)
def test_workload_names_match_the_selectors(pid: str) -> None:
    """WORKLOAD_NAMES is what the snapshot builder lists by; every selector that names an
    app.kubernetes.io/name must be covered, so detection never waits for an unlisted object."""
    mod = module(pid)
    by_id = getattr(mod, "WORKLOAD_NAMES_BY_ID", {})  # a package of several plugins
    names = set(by_id[pid] if pid in by_id else mod.WORKLOAD_NAMES)
    named = {s["app.kubernetes.io/name"] for s in plugin(pid).workload_selectors
             if "app.kubernetes.io/name" in s}
    assert named <= names


@pytest.mark.parametrize("pid", CLUSTER_SIDE)
def test_selectors_match_every_workload_of_the_real_install(pid: str) -> None:
    """Each workload the chart creates is counted for health, and no selector is dead."""
    selectors = plugin(pid).workload_selectors
    installs = REAL_INSTALLS[pid]
    for _kind, name, labels in installs:
        assert any(labels_match({"metadata": {"labels": labels}}, s) for s in selectors), name
    for sel in selectors:
        assert any(labels_match({"metadata": {"labels": labels}}, sel)
                   for _k, _n, labels in installs + ALTERNATIVE_INSTALLS.get(pid, [])), sel


def test_plugins_stay_hashable_with_selectors() -> None:
    assert len({plugin(pid) for pid in CATALOG}) == len(CATALOG)


def test_catalog_imports_without_textual() -> None:
    mods = "; ".join(f"import k8s_essentials_tui.plugins.{m}" for m in CATALOG.values())
    code = f"import sys; {mods}; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


# -- detection: the four states -----------------------------------------------------------------

@pytest.mark.parametrize("pid", CLUSTER_SIDE)
def test_installed_and_healthy(pid: str) -> None:
    p = plugin(pid)
    det = p.detect(installed_snapshot(p, namespace="team-ops", tag="4.5.6"))
    assert det.installed is True
    assert det.healthy is True
    assert det.problems == []
    assert det.namespace == "team-ops"
    assert det.version == "4.5.6"  # image tag when there is no Helm release


@pytest.mark.parametrize("pid", CLUSTER_SIDE)
def test_version_comes_from_the_helm_release(pid: str) -> None:
    p = plugin(pid)
    snap = installed_snapshot(p)
    snap.helm_releases.append(helm_release(p, "7.7.7"))
    assert p.detect(snap).version == "7.7.7"


@pytest.mark.parametrize("pid", CLUSTER_SIDE)
def test_not_ready(pid: str) -> None:
    p = plugin(pid)
    snap = installed_snapshot(p)
    broken = snap.workloads[0]
    broken["spec"]["replicas"] = 2
    broken["status"]["readyReplicas"] = 0
    det = p.detect(snap)
    assert det.installed is True
    assert det.healthy is False
    assert any(f"{broken['metadata']['name']}: 0/2 ready" in msg for msg in det.problems)


@pytest.mark.parametrize("pid", CLUSTER_SIDE)
def test_crds_only_is_partial(pid: str) -> None:
    p = plugin(pid)
    if p.api_groups:
        snap = ClusterSnapshot(api_groups={"", "apps", *p.api_groups})
        expected = "CRDs present but no controller running"
    else:  # no CRDs (Grafana): a Helm release without workloads is the partial case
        snap = ClusterSnapshot(api_groups={"", "apps"}, helm_releases=[helm_release(p)])
        expected = "present but no controller running"
    det = p.detect(snap)
    assert det.installed == "partial"
    assert det.healthy is False
    assert any(expected in msg for msg in det.problems)


@pytest.mark.parametrize("pid", CLUSTER_SIDE)
def test_absent(pid: str) -> None:
    det = plugin(pid).detect(ClusterSnapshot(api_groups={"", "apps"}))
    assert det.installed is False
    assert det.healthy is None
    assert det.problems == []


@pytest.mark.parametrize("pid", CLUSTER_SIDE)
def test_forbidden_workloads_make_health_unknown(pid: str) -> None:
    p = plugin(pid)
    snap = ClusterSnapshot(api_groups={"", "apps", *p.api_groups},
                           forbidden={"workloads": "no permission to list deployments"})
    det = p.detect(snap)
    assert det.healthy is None
    assert "no permission to list deployments" in det.problems
    # the controller may well run where we cannot look: no claim that it does not
    assert not any("no controller running" in x for x in det.problems), det.problems
    # ... nor that the component is missing
    from k8s_essentials_tui.detection.evaluate import state_label

    assert state_label(det) == ("partial" if p.api_groups else "unknown")


# -- detection: the labels discriminate ---------------------------------------------------------

def test_f5_nginx_ingress_is_not_the_community_ingress_nginx() -> None:
    community = workload("Deployment", "ingress-nginx-controller", {
        "app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller"})
    snap = ClusterSnapshot(workloads=[community])
    assert plugin("nginx-ingress").detect(snap).installed is False


def test_f5_nginx_ingress_as_daemonset_not_ready() -> None:
    ds = workload("DaemonSet", "nginx-ingress-controller",
                  {"app.kubernetes.io/name": "nginx-ingress"}, ready=1, desired=3)
    det = plugin("nginx-ingress").detect(ClusterSnapshot(workloads=[ds]))
    assert det.installed is True and det.healthy is False
    assert "DaemonSet nginx-ingress-controller: 1/3 ready" in det.problems


def test_linkerd_needs_the_control_plane_label_not_just_the_name() -> None:
    someone_elses = workload("Deployment", "destination",
                             {"app.kubernetes.io/name": "destination"})
    assert plugin("linkerd").detect(ClusterSnapshot(workloads=[someone_elses])).installed is False


def test_argocd_application_controller_statefulset_counts() -> None:
    p = plugin("argocd")
    snap = installed_snapshot(p)
    sts = next(w for w in snap.workloads if w["kind"] == "StatefulSet")
    sts["status"]["readyReplicas"] = 0
    det = p.detect(snap)
    assert det.healthy is False
    assert "StatefulSet argocd-application-controller: 0/1 ready" in det.problems


def test_kube_prometheus_stack_without_alertmanager_is_a_problem() -> None:
    p = plugin("kube-prometheus-stack")
    snap = installed_snapshot(p)
    snap.workloads = [w for w in snap.workloads
                      if w["metadata"]["labels"].get("app.kubernetes.io/name") != "alertmanager"]
    det = p.detect(snap)
    assert det.installed is True
    assert det.healthy is False
    assert det.problems == ["no Alertmanager running"]


def test_kube_prometheus_stack_ignores_a_prometheus_not_run_by_the_operator() -> None:
    standalone = workload("Deployment", "prometheus-server", _helm(
        "prometheus", "prometheus", **{"app.kubernetes.io/component": "server"}))
    det = plugin("kube-prometheus-stack").detect(ClusterSnapshot(workloads=[standalone]))
    assert det.installed is False


def test_kube_prometheus_stack_counts_its_own_node_exporter_only() -> None:
    """node-exporter Pending on a tainted pool makes the stack degraded; the same charts
    installed on their own (another release) neither count nor make it "installed"."""
    p = plugin("kube-prometheus-stack")
    snap = installed_snapshot(p)
    for w in snap.workloads:
        if w["kind"] == "DaemonSet":
            w["status"] = {"numberReady": 2, "desiredNumberScheduled": 3}
    other = [workload("DaemonSet", "node-exporter", _helm("prometheus-node-exporter", "ne"),
                      ready=0, desired=5),
             workload("Deployment", "kube-state-metrics", _helm("kube-state-metrics", "ksm"),
                      ready=0)]
    snap.workloads += other
    det = p.detect(snap)
    assert det.installed is True and det.healthy is False
    assert det.problems == ["DaemonSet kube-prometheus-stack-prometheus-node-exporter: "
                            "2/3 ready"]
    assert "Deployment/kube-prometheus-stack-kube-state-metrics" in det.details["workloads"]
    assert not any("node-exporter" == w.split("/")[1] for w in det.details["workloads"])
    alone = p.detect(ClusterSnapshot(workloads=other))
    assert alone.installed is False


def test_flux_matches_controllers_from_flux_install_too() -> None:
    """``flux install``/bootstrap labels differ from the chart but share part-of + control-plane."""
    bootstrap = workload("Deployment", "source-controller", {
        "app.kubernetes.io/part-of": "flux", "app.kubernetes.io/instance": "flux-system",
        "app.kubernetes.io/component": "source-controller", "control-plane": "controller"})
    det = plugin("flux").detect(ClusterSnapshot(workloads=[bootstrap]))
    assert det.installed is True and det.healthy is True


def test_jaeger_operator_install_counts() -> None:
    p = plugin("jaeger")
    snap = ClusterSnapshot(api_groups={"", "apps", "jaegertracing.io"},
                           workloads=[workload(*w) for w in ALTERNATIVE_INSTALLS["jaeger"]])
    det = p.detect(snap)
    assert det.installed is True and det.healthy is True


def test_gatekeeper_audit_not_ready() -> None:
    p = plugin("gatekeeper")
    snap = installed_snapshot(p)
    audit = next(w for w in snap.workloads
                 if w["metadata"]["labels"].get("gatekeeper.sh/operation") == "audit")
    audit["status"]["readyReplicas"] = 0
    det = p.detect(snap)
    assert det.healthy is False and len(det.problems) == 1


# -- kustomize (client-side) --------------------------------------------------------------------

def test_kustomize_is_client_side() -> None:
    assert plugin("kustomize").chart is None
    assert plugin("kustomize").workload_selectors == ()


@pytest.mark.parametrize(("tools", "binary", "version"), [
    ({"kustomize": "v5.7.1", "kubectl": "v1.34.1"}, "kustomize", "v5.7.1"),
    ({"kubectl": "v1.34.1"}, "kubectl kustomize", "v1.34.1"),
    ({"kubectl": ""}, "kubectl kustomize", None),
])
def test_kustomize_available_from_client_tools(tools: dict[str, str], binary: str,
                                               version: str | None) -> None:
    det = plugin("kustomize").detect(ClusterSnapshot(client_tools=tools))
    assert det.installed is True and det.healthy is True
    assert det.details["note"] == "client-side tool"
    assert det.details["binary"] == binary
    assert det.version == version


def test_kustomize_absent_when_no_binary_found() -> None:
    det = plugin("kustomize").detect(ClusterSnapshot(client_tools={"helm": ""}))
    assert det.installed is False
    assert det.problems == ["neither kustomize nor kubectl found on PATH"]


def test_board_problem_cell_fits_the_width_without_a_scrollbar() -> None:
    """The problems cell gets what the other columns leave (with an ellipsis); on a narrow
    terminal the component name gives a little first. The detail line has the full text."""
    from k8s_essentials_tui.widgets.board import MIN_PROBLEM, _fit_problems, _problem_summary

    assert _problem_summary([]) == ""
    assert _problem_summary(["a"]) == "a"
    assert _problem_summary(["a", "b", "c"]) == "a (+2 more)"
    cols = ("area", "component", "problems")
    rows = [{"area": "Monitoring", "component": "Prometheus + Alertmanager",
             "problems": "Deployment kyverno-admission-controller: 0/1 ready"},
            {"area": "DNS", "component": "ExternalDNS", "problems": ""}]
    wide = [dict(r) for r in rows]
    _fit_problems(wide, cols, 200)
    assert wide == rows  # room enough: untouched

    def line_width(rs: list[dict]) -> int:
        return sum(max(len(c), *(len(str(r[c])) for r in rs)) + 2 for c in cols)

    mid = [dict(r) for r in rows]
    _fit_problems(mid, cols, 60)
    assert line_width(mid) <= 60 and mid[0]["problems"].endswith("…")
    assert mid[0]["component"] == "Prometheus + Alertmanager"
    narrow = [dict(r) for r in rows]
    _fit_problems(narrow, cols, 50)
    assert line_width(narrow) <= 50
    assert len(narrow[0]["problems"]) == MIN_PROBLEM
    assert narrow[0]["component"].endswith("…") and narrow[1]["component"] == "ExternalDNS"


def test_every_in_cluster_plugin_declares_its_workload_selectors() -> None:
    """``detect()`` sees only workloads some plugin declares: a plugin that finds workloads
    without declaring them would go blind on the board."""
    for p in load_registry(third_party=False).plugins.values():
        if p.chart is not None and p.id not in ("kustomize", "helm-releases"):
            assert p.workload_selectors, p.id


def test_relevant_workloads_keep_detection_and_drop_the_rest() -> None:
    """On a big cluster only the components' workloads reach detect(): same detections as
    with every workload, on the demo seed's workloads plus 2,000 unrelated ones."""
    import datetime as dt

    from k8s_essentials_tui.detection.evaluate import evaluate
    from k8s_essentials_tui.detection.snapshot_builder import WorkloadFilter
    from testkit.seed import _Seed

    seed = _Seed(None, dt.datetime(2026, 6, 1, tzinfo=dt.UTC), True)  # type: ignore[arg-type]
    ours = [seed._workload(w) for w in seed.workloads]
    others = [{"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": f"shop-{i}", "namespace": f"team-{i % 9}",
                            "labels": {"app.kubernetes.io/name": f"shop-{i}", "app": "shop",
                                       "control-plane": "no"}},
               "spec": {"replicas": 1}} for i in range(2000)]
    plugins = load_registry(third_party=False).ordered()
    keep = WorkloadFilter(plugins)
    kept = [w for w in ours + others if keep(w)]
    assert keep == WorkloadFilter(reversed(plugins))  # the board finds its caches again
    assert not [w for w in kept if w in others]
    # dropped: apps (shop, payments), kube-system, and chart parts no rule reads (redis...)
    assert 20 <= len(kept) < len(ours)
    full = evaluate(plugins, ClusterSnapshot(workloads=ours + others))
    slim = evaluate(plugins, ClusterSnapshot(workloads=kept))
    assert {k: (d.installed, d.namespace, d.version, d.problems) for k, d in full.items()} == \
        {k: (d.installed, d.namespace, d.version, d.problems) for k, d in slim.items()}
    assert sum(1 for d in full.values() if d.installed is True) >= 10


async def test_snapshot_notes_say_which_verb_rbac_denied() -> None:
    """build_snapshot with a lister that fails like the real caches do: a denied list and a
    denied watch read differently; the objects a list-only user got are still used."""
    from k8s_essentials_tui.detection.snapshot_builder import ListResult, build_snapshot
    from k8s_essentials_tui.errors import ForbiddenError
    from k8s_essentials_tui.kube.resources import DEPLOYMENTS, SECRETS

    dep = {"apiVersion": "apps/v1", "kind": "Deployment",
           "metadata": {"name": "external-dns", "namespace": "external-dns",
                        "labels": {"app.kubernetes.io/name": "external-dns"}},
           "spec": {"replicas": 1}, "status": {"readyReplicas": 1}}

    async def lister(rtype, selector, keep):  # type: ignore[no-untyped-def]
        if rtype == DEPLOYMENTS:
            return ListResult([dep], ForbiddenError(
                "forbidden: cannot watch deployments.apps"))
        if rtype == SECRETS:
            return ListResult([], ForbiddenError("forbidden: cannot list secrets"))
        return ListResult([])

    async def groups():  # type: ignore[no-untyped-def]
        return set(), set()

    plugins = load_registry(third_party=False).ordered()
    snap = await build_snapshot(plugins, lister, groups, lambda items: [])
    assert snap.forbidden["workloads"] == "no permission to watch deployments"
    assert snap.forbidden["helm"] == "no permission to list secrets (Helm releases)"
    assert [w["metadata"]["name"] for w in snap.workloads] == ["external-dns"]
    from k8s_essentials_tui.detection.evaluate import evaluate

    helm = evaluate(plugins, snap)["helm"]
    assert helm.problems == ["no permission to list secrets (Helm releases)"]
    assert helm.healthy is None


def test_board_detail_names_what_the_area_row_hides() -> None:
    """An area shows one component; the detail line adds an alternative that is also
    installed, and one whose state could not be read (not plain "missing" ones)."""
    from k8s_essentials_tui.detection.evaluate import board_rows
    from k8s_essentials_tui.plugins.helm_releases import PLUGIN as HELM
    from k8s_essentials_tui.widgets.board import _alternative_lines

    plugins = [plugin("argocd"), plugin("flux"), HELM, plugin("kustomize"),
               plugin("istio"), plugin("linkerd")]
    dets = {"argocd": Detection(installed=True, healthy=True),
            "flux": Detection(installed=True, healthy=False,
                              problems=["Deployment source-controller: 0/1 ready"]),
            "helm": Detection(installed=False, healthy=None,
                              problems=["no permission to list secrets (Helm releases)"]),
            "kustomize": Detection(installed=True, healthy=True),
            "istio": Detection(installed=True, healthy=True),
            "linkerd": Detection(installed=False)}
    rows = {r.category: r for r in board_rows(plugins, dets)}
    assert _alternative_lines(rows["delivery"], dets) == [
        "- Flux: also installed, degraded; Deployment source-controller: 0/1 ready"]
    assert _alternative_lines(rows["packaging"], dets) == [
        "- Helm releases: no permission to list secrets (Helm releases)"]
    assert _alternative_lines(rows["mesh"], dets) == []
    # what the notes line already says is not repeated per alternative
    said = {"no permission to list secrets (Helm releases)"}
    assert _alternative_lines(rows["packaging"], dets, said) == []


@pytest.mark.parametrize("pid", ["cert-manager", "loki", "velero", "kube-prometheus-stack"])
def test_own_detect_plugins_declare_their_charts(pid: str) -> None:
    """A plugin with its own ``detect()`` declares its Helm charts too (#16): the catalog,
    the install flow and third parties read them from the Plugin, and the detect uses the
    same names (a release of the declared chart alone makes the component present)."""
    p = load_registry(third_party=False).plugins[pid]
    assert p.chart is not None and p.chart.chart in p.chart_names
    release = {**helm_release(p, "7.7.7"), "chart": p.chart_names[-1]}
    det = p.detect(ClusterSnapshot(api_groups={"", "apps"}, helm_releases=[release]))
    assert det.installed is not False
    assert det.version == "7.7.7"
