"""The default component pane (``widgets/summary.py``): what it shows is a pure function of
the detection, so most of it is tested here as text; ``test_board_e2e`` drives it live
against the real apiserver and ``test_snapshots_board`` keeps its SVGs."""

from __future__ import annotations

from k8s_essentials_tui.detection.evaluate import evaluate
from k8s_essentials_tui.detection.snapshot import ClusterSnapshot
from k8s_essentials_tui.detection.snapshot_builder import webhook_rows
from k8s_essentials_tui.plugin import ChartRef, Detection, Plugin
from k8s_essentials_tui.registry import load_registry
from k8s_essentials_tui.widgets.summary import overview
from tests.conftest import rich_plain


def flat(renderable: object, width: int = 120) -> str:
    """The rendered text with runs of spaces collapsed: column widths vary with content."""
    return "\n".join(" ".join(line.split()) for line in rich_plain(renderable, width).splitlines())

KYVERNO = {"app.kubernetes.io/name": "kyverno-admission-controller",
           "app.kubernetes.io/component": "admission-controller",
           "app.kubernetes.io/part-of": "kyverno"}


def _deploy(name: str, ns: str, labels: dict[str, str], ready: int, replicas: int,
            image: str) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": ns, "labels": labels},
            "spec": {"replicas": replicas,
                     "template": {"spec": {"containers": [{"name": "c", "image": image}]}}},
            "status": {"readyReplicas": ready}}


def _hook_config(kind: str, name: str, hooks: list[tuple[str, str, str | None]]) -> dict:
    """hooks: (webhook name, failurePolicy, "ns/service" or a URL)."""
    out = []
    for hook, policy, target in hooks:
        client = ({"url": target} if target and "://" in target else
                  {"service": {"namespace": target.split("/")[0],
                               "name": target.split("/")[1]}} if target else {})
        out.append({"name": hook, "failurePolicy": policy, "clientConfig": client})
    return {"kind": kind, "metadata": {"name": name}, "webhooks": out}


def _kyverno_snapshot(ready: int) -> ClusterSnapshot:
    return ClusterSnapshot(
        api_groups={"kyverno.io"},
        workloads=[_deploy("kyverno-admission-controller", "kyverno", KYVERNO, ready, 3,
                           "reg.kyverno.io/kyverno/kyverno:v1.14.4")],
        helm_releases=[{"name": "kyverno", "namespace": "kyverno", "chart": "kyverno",
                        "chart_version": "3.4.4", "app_version": "v1.14.4",
                        "status": "failed", "revision": 2}],
        webhooks=[
            _hook_config("ValidatingWebhookConfiguration",
                         "kyverno-resource-validating-webhook-cfg",
                         [("validate.kyverno.svc-fail", "Fail", "kyverno/kyverno-svc"),
                          ("validate.kyverno.svc-ignore", "Ignore", "kyverno/kyverno-svc")]),
            _hook_config("MutatingWebhookConfiguration", "kyverno-policy-mutating-webhook-cfg",
                         [("mutate-policy.kyverno.svc", "Fail", "kyverno/kyverno-svc")]),
            _hook_config("ValidatingWebhookConfiguration", "unrelated",
                         [("x.example.com", "Ignore", "https://hooks.example.com/x")]),
        ],
        service_ready_endpoints={"kyverno/kyverno-svc": ready},
    )


def test_the_pane_shows_what_the_verdict_stands_on() -> None:
    """Workloads with ready counts and images, the Helm release's status, the component's
    webhooks (and only its own) with policy and ready endpoints, and its API groups."""
    plugins = load_registry(third_party=False).ordered()
    dets = evaluate(plugins, _kyverno_snapshot(ready=0))
    kyverno = next(p for p in plugins if p.id == "kyverno")
    text = flat(overview(kyverno, dets["kyverno"]), width=140)
    assert "Health degraded" in text
    assert "Version 3.4.4 (Helm chart version); catalog pins 3.7.0" in text
    assert "! Deployment kyverno-admission-controller: 0/3 ready" in text
    assert "deploy/kyverno-admission-controller 0/3 reg.kyverno.io/kyverno/kyverno:v1.14.4" \
        in text
    assert "NAMESPACE" not in text.split("Workloads")[1].split("Helm release")[0]
    assert "RELEASE REVISION STATUS CHART APP VERSION\nkyverno 2 failed kyverno 3.4.4" in text
    assert "! Helm release kyverno/kyverno: failed (revision 2)" in text
    # two Fail hooks block (one validating, one mutating); the Ignore one never does
    assert text.count("has no ready endpoints behind kyverno/kyverno-svc") == 2
    assert "└ validate.kyverno.svc-ignore" in text and "x.example.com" not in text
    assert "mutating Fail" in text
    assert "kyverno.io served" in text
    assert "Press i" not in text  # installed: nothing to install


def test_a_url_webhook_has_unknown_readiness_and_never_blocks() -> None:
    snap = _kyverno_snapshot(ready=1)
    rows = {r["webhook"]: r for r in webhook_rows(snap)}
    assert rows["x.example.com"]["ready"] is None
    assert rows["x.example.com"]["service"] == "https://hooks.example.com/x"
    assert not any(r["blocking"] for r in rows.values())
    snap.forbidden["endpoints"] = "no permission to list endpointslices"
    assert {r["ready"] for r in webhook_rows(snap)} == {None}  # unknown, not "0"
    assert not any(r["blocking"] for r in webhook_rows(snap))


def test_workloads_outside_the_namespace_get_a_namespace_column() -> None:
    det = Detection(installed=True, namespace="a", healthy=True, details={"workload_status": [
        {"kind": "DaemonSet", "namespace": "b", "name": "agent", "ready": 2, "desired": 2,
         "images": ["x:1", "y:2"]}]})
    text = flat(overview(Plugin(id="x", title="X", category="dns"), det))
    assert "NAMESPACE NAME READY IMAGES" in text
    assert "b ds/agent 2/2 x:1" in text and "y:2" in text


def test_the_pane_compares_the_deployed_chart_with_the_catalog() -> None:
    p = Plugin(id="x", title="X", category="dns",
               chart=ChartRef("https://charts.example", "x", "1.2.0", "x", "x"))
    det = Detection(installed=True, namespace="x", version="1.1.0", healthy=True,
                    details={"version_source": "helm"})
    text = flat(overview(p, det))
    assert "1.1.0 (Helm chart version); catalog pins 1.2.0: press i to review an upgrade" \
        in text
    det.details["version_source"] = "image"  # an image tag is not a chart version
    text = flat(overview(p, det))
    assert "1.1.0 (image tag)" in text and "catalog pins" not in text
    missing = flat(overview(p, Detection(installed=False)))
    assert "State missing" in missing and "Press i to install it" in missing


def test_crds_without_anything_running_say_what_that_usually_means() -> None:
    plugins = load_registry(third_party=False).ordered()
    dets = evaluate(plugins, ClusterSnapshot(api_groups={"networking.istio.io"}))
    istio = next(p for p in plugins if p.id == "istio")
    text = flat(overview(istio, dets["istio"]), width=200)
    assert "State partial" in text
    assert "networking.istio.io served" in text and "security.istio.io not served" in text
    assert "left over from an uninstall" in text and "Press i to install it" in text


def test_before_the_first_read_and_without_a_cluster() -> None:
    p = Plugin(id="x", title="X", category="dns",
               chart=ChartRef("https://charts.example", "x", "1.2.0", "x", "x"))
    assert "reading the cluster…" in flat(overview(p, None))
    offline = flat(overview(p, None, connected=False))
    assert "not connected" in offline and "Chart x 1.2.0" in offline


def test_a_client_side_tool_says_where_it_comes_from() -> None:
    plugins = load_registry(third_party=False).ordered()
    kustomize = next(p for p in plugins if p.id == "kustomize")
    det = kustomize.detect(ClusterSnapshot(client_tools={"kubectl": ""}))
    text = flat(overview(kustomize, det))
    assert "client-side tool: kubectl kustomize" in text and "Health ok" in text


def test_a_failed_or_stuck_release_degrades_its_component() -> None:
    """All pods ready, but the last install/upgrade failed or never finished: the next
    ``helm upgrade`` needs care (helm refuses it while an operation is pending)."""
    plugins = load_registry(third_party=False).ordered()
    for status, healthy in (("deployed", True), ("failed", False),
                            ("pending-upgrade", False), ("superseded", True)):
        snap = _kyverno_snapshot(ready=3)
        snap.helm_releases[0]["status"] = status
        det = evaluate(plugins, snap)["kyverno"]
        assert det.healthy is healthy, status
        troubled = [p for p in det.problems if p.startswith("Helm release")]
        assert troubled == ([] if healthy else
                            [f"Helm release kyverno/kyverno: {status} (revision 2)"])


def test_what_could_not_be_read_is_said_not_left_out() -> None:
    """A view-only user may not list webhook configurations nor Secrets: the sections say
    so instead of looking like "no webhook" and "not installed with Helm"."""
    plugins = load_registry(third_party=False).ordered()
    snap = _kyverno_snapshot(ready=3)
    snap.webhooks = []
    snap.helm_releases = []
    snap.forbidden["webhooks:validatingwebhookconfigurations"] = \
        "no permission to list validatingwebhookconfigurations"
    snap.forbidden["helm"] = "no permission to list secrets (Helm releases)"
    dets = evaluate(plugins, snap)
    kyverno = next(p for p in plugins if p.id == "kyverno")
    text = flat(overview(kyverno, dets["kyverno"]))
    assert "Admission webhooks\nno permission to list validatingwebhookconfigurations" in text
    assert "Helm release\nno permission to list secrets (Helm releases)" in text
    linkerd = next(p for p in plugins if p.id == "linkerd")  # not installed: nothing to say
    assert "Admission webhooks" not in flat(overview(linkerd, dets["linkerd"]))


def test_webhooks_in_a_shared_namespace_are_not_pinned_on_a_neighbour() -> None:
    """ExternalDNS often runs in kube-system; a webhook there (VPA, a cloud's own) is not
    ExternalDNS's just because of the namespace. One named after it still is."""
    dns = {"app.kubernetes.io/name": "external-dns"}
    snap = ClusterSnapshot(
        workloads=[_deploy("external-dns", "kube-system", dns, 1, 1, "x/external-dns:v0.19")],
        webhooks=[_hook_config("MutatingWebhookConfiguration", "vpa-webhook-config",
                               [("vpa.k8s.io", "Fail", "kube-system/vpa-webhook")]),
                  _hook_config("ValidatingWebhookConfiguration", "external-dns-check",
                               [("check.external-dns.io", "Ignore",
                                 "kube-system/external-dns-hook")])],
        service_ready_endpoints={"kube-system/vpa-webhook": 0,
                                 "kube-system/external-dns-hook": 1})
    det = evaluate(load_registry(third_party=False).ordered(), snap)["external-dns"]
    assert [h["webhook"] for h in det.details["webhooks"]] == ["check.external-dns.io"]
    assert det.healthy is True and det.problems == []


def test_a_webhook_without_a_namespace_is_not_pinned_on_a_partial_component() -> None:
    """A URL webhook (or one in a shared namespace) has no namespace to match; a component
    with only its CRDs has none either. None is not a match."""
    snap = ClusterSnapshot(
        api_groups={"jaegertracing.io"},
        webhooks=[_hook_config("ValidatingWebhookConfiguration", "external",
                               [("x.example.com", "Fail", "https://hooks.example.com/x")]),
                  _hook_config("MutatingWebhookConfiguration", "vpa-webhook-config",
                               [("vpa.k8s.io", "Fail", "kube-system/vpa-webhook")])],
        service_ready_endpoints={"kube-system/vpa-webhook": 0})
    dets = evaluate(load_registry(third_party=False).ordered(), snap)
    assert dets["jaeger"].installed == "partial"
    assert "webhooks" not in dets["jaeger"].details


async def test_the_pane_rerenders_only_when_its_component_changed() -> None:
    """The board re-evaluates every half second on a busy cluster; the overview updates
    when its own component's detection changes, not on every publish."""
    from textual.widgets import Static

    from k8s_essentials_tui.app import EssentialsApp, StartOptions
    from tests.conftest import FIXED_NOW

    app = EssentialsApp(StartOptions(connect=False, now=FIXED_NOW))
    async with app.run_test(size=(120, 40)) as pilot:
        # fluent-bit: a component without a pane of its own shows the overview (kyverno,
        # linkerd and grafana open their own panes since #21, #24, #22)
        base = {"fluent-bit": Detection(installed=True, namespace="logging", healthy=True),
                "loki": Detection(installed=False)}
        app.detections = dict(base)
        app.open_plugin("fluent-bit")
        await pilot.pause(0.2)
        overview_widget = app.screen.query_one("#overview", Static)
        updates: list[object] = []
        real = overview_widget.update
        overview_widget.update = lambda content="": (updates.append(content),  # type: ignore[method-assign]
                                                     real(content))
        app.detections = {**base, "loki": Detection(installed="partial")}  # not ours
        await pilot.pause(0.2)
        assert updates == []
        app.detections = {**base, "fluent-bit": Detection(installed=True, namespace="logging",
                                                          healthy=False, problems=["x"])}
        await pilot.pause(0.2)
        assert len(updates) == 1
        assert "! x" in flat(overview_widget.content)


def test_a_client_side_tool_owns_no_webhook() -> None:
    """"helm" is in "helm-operator-webhook", but Helm serves nothing in the cluster: that
    webhook is a stranger's, reported as a cluster problem when it blocks."""
    from k8s_essentials_tui.detection.evaluate import cluster_problems

    plugins = load_registry(third_party=False).ordered()
    snap = ClusterSnapshot(
        webhooks=[_hook_config("ValidatingWebhookConfiguration", "helm-operator-webhook",
                               [("check.helm-operator.io", "Fail", "ops/helm-operator")])],
        service_ready_endpoints={"ops/helm-operator": 0})
    dets = evaluate(plugins, snap)
    assert "webhooks" not in dets["helm"].details
    assert len(cluster_problems(plugins, dets, snap)) == 1


def test_a_release_in_another_namespace_shows_its_namespace() -> None:
    det = Detection(installed=True, namespace="a", healthy=True, details={"release": {
        "name": "x", "namespace": "ops", "chart": "x", "chart_version": "1.0.0",
        "app_version": "2.0", "status": "pending-upgrade", "revision": 7}})
    text = flat(overview(Plugin(id="x", title="X", category="dns"), det), width=80)
    assert "RELEASE NAMESPACE REVISION STATUS CHART APP VERSION" in text
    assert "x ops 7 pending-upgrade x 1.0.0 2.0" in text  # the status kept whole


def test_two_installs_pair_workloads_with_the_release_of_their_namespace() -> None:
    """An internal and an external ingress-nginx: the one shown (its first workload's
    namespace) gets that namespace's release, not whichever release is listed first."""
    nginx = {"app.kubernetes.io/name": "ingress-nginx",
             "app.kubernetes.io/component": "controller"}
    rel = {"chart": "ingress-nginx", "app_version": "1.13.3", "revision": 1}
    snap = ClusterSnapshot(
        workloads=[_deploy("ingress-nginx-controller", "ingress-external", nginx, 2, 2,
                           "registry.k8s.io/ingress-nginx/controller:v1.13.3"),
                   _deploy("ingress-nginx-controller", "ingress-internal", nginx, 1, 1,
                           "registry.k8s.io/ingress-nginx/controller:v1.12.0")],
        helm_releases=[{**rel, "name": "internal", "namespace": "ingress-internal",
                        "chart_version": "4.12.0", "status": "failed"},
                       {**rel, "name": "external", "namespace": "ingress-external",
                        "chart_version": "4.13.3", "status": "deployed"}])
    det = evaluate(load_registry(third_party=False).ordered(), snap)["ingress-nginx"]
    assert (det.namespace, det.version) == ("ingress-external", "4.13.3")
    assert det.details["release"]["name"] == "external"
