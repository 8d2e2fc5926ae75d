"""A kube-prometheus-stack release bundling Grafana, on the real apiserver: ``report`` says
``provided by``, ``install grafana`` refuses with that message, and ``i`` on Grafana's pane
(driven by keys) refuses instead of opening a second install."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.cli import main
from testkit.helm_release import release_secret
from testkit.kube import KubeAdmin

pytestmark = pytest.mark.e2e


def deployment(name: str, ns: str, labels: dict[str, str]) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": ns, "labels": labels},
            "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "main",
                                                           "image": "grafana/grafana:13.0.1"}]}}}}


def bundle(admin: KubeAdmin, ns: str) -> None:
    """What `helm install kps kube-prometheus-stack` leaves for Grafana: its Deployment with
    the release's instance label, and the release record of the stack's chart."""
    admin.create(deployment("kps-grafana", ns, {"app.kubernetes.io/name": "grafana",
                                                "app.kubernetes.io/instance": "kps"}))
    admin.patch("apps/v1", "deployments", "kps-grafana",
                {"status": {"replicas": 1, "readyReplicas": 1, "availableReplicas": 1,
                            "updatedReplicas": 1}}, ns, subresource="status")
    admin.create(release_secret("kps", ns, chart="kube-prometheus-stack",
                                chart_version="93.3.1", app_version="v0.90.0"))


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_report_and_install_say_provided_by(capsys: pytest.CaptureFixture[str],
                                            kubeconfig: str, namespace: str,
                                            kube_admin: KubeAdmin) -> None:
    bundle(kube_admin, namespace)
    code, out, err = cli(capsys, "report", "--kubeconfig", kubeconfig, "-o", "json")
    assert code == 0, err
    (grafana,) = [c for c in json.loads(out)["components"] if c["id"] == "grafana"]
    assert grafana["installed"] is True
    assert grafana["provided_by"] == {"release": "kps", "namespace": namespace,
                                      "chart": "kube-prometheus-stack"}

    code, out, err = cli(capsys, "install", "grafana", "--kubeconfig", kubeconfig,
                         "-n", namespace, "--dry-run")
    assert code == 2
    assert f"Grafana is provided by release {namespace}/kps (chart kube-prometheus-stack)" \
        in err
    assert "helm upgrade --install" not in out


async def _settle(pilot, until, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    async with asyncio.timeout(timeout):
        while not until():
            await pilot.pause(0.05)


async def test_i_on_a_bundled_grafana_refuses(kubeconfig: str, namespace: str,
                                              kube_admin: KubeAdmin) -> None:
    bundle(kube_admin, namespace)
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig))
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot, lambda: "provided_by" in getattr(
            app.detections.get("grafana"), "details", {}))
        # `i` on the board's Dashboards row (Grafana's own pane is the monitoring one, #22)
        board = app.screen.query_one("Board")
        await _settle(pilot, lambda: bool(board.rows))
        for _ in range([r.category for r in board.rows].index("dashboards")):
            await pilot.press("j")
        await pilot.press("i")
        await pilot.pause()
        assert type(app.screen).__name__ == "MainScreen"  # no install screen
        notes = [str(n.message) for n in app._notifications]
        assert any("provided by release" in n and "kube-prometheus-stack" in n
                   for n in notes), notes
