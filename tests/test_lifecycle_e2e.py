"""``report``'s lifecycle against the real apiserver and a real chart repository on loopback:
an installed ingress-nginx is ``retired upstream``; the repository serving a newer chart
gives ``update available``; an unreachable repository gives ``unknown`` and exit 0; the
``--fail-on`` lifecycle conditions gate CI."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest

from k8s_essentials_tui.cli import main
from testkit.chart_repo import ChartRepo
from testkit.helm_release import release_secret
from testkit.kube import KubeAdmin

pytestmark = pytest.mark.e2e

LABELS = {"app.kubernetes.io/name": "ingress-nginx",
          "app.kubernetes.io/component": "controller"}


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "state"
    monkeypatch.setenv("K8S_ESSENTIALS_TUI_STATE_DIR", str(path))
    return path


def install_ingress_nginx(admin: KubeAdmin, ns: str, chart_version: str) -> None:
    """What `helm install ingress-nginx` leaves behind, as far as detection reads it: the
    controller Deployment (ready) and the release Secret."""
    admin.create({"apiVersion": "apps/v1", "kind": "Deployment",
                  "metadata": {"name": "ingress-nginx-controller", "namespace": ns,
                               "labels": {**LABELS, "app.kubernetes.io/instance": "edge"}},
                  "spec": {"replicas": 1, "selector": {"matchLabels": LABELS},
                           "template": {"metadata": {"labels": LABELS},
                                        "spec": {"containers": [{
                                            "name": "controller",
                                            "image": "registry.k8s.io/ingress-nginx/"
                                                     "controller:v1.13.3"}]}}}})
    admin.patch("apps/v1", "deployments", "ingress-nginx-controller",
                {"status": {"replicas": 1, "readyReplicas": 1, "availableReplicas": 1,
                            "updatedReplicas": 1}}, ns, subresource="status")
    admin.create(release_secret("edge", ns, chart="ingress-nginx",
                                chart_version=chart_version, app_version="1.13.3"))


def config(tmp_path: Path, repo: str, chart: str) -> str:
    path = tmp_path / "config.toml"
    path.write_text(f'[charts.ingress-nginx]\nrepo = "{repo}"\nchart = "{chart}"\n')
    return str(path)


def ours(data: dict[str, Any], ns: str) -> dict[str, Any]:
    (row,) = [c for c in data["components"] if c["id"] == "ingress-nginx"]
    assert row["namespace"] == ns, "another test's ingress-nginx answered first"
    return row


def test_retired_upstream_and_update_available_from_a_real_chart_repo(
        capsys: pytest.CaptureFixture[str], kubeconfig: str, namespace: str,
        kube_admin: KubeAdmin, helm_bin: str, tmp_path: Path, state_dir: Path) -> None:
    install_ingress_nginx(kube_admin, namespace, "0.1.0")
    with ChartRepo(helm_bin, versions=("0.1.0", "0.2.0")) as repo:
        cfg = config(tmp_path, repo.url, repo.chart)
        code, out, err = cli(capsys, "report", "--kubeconfig", kubeconfig, "--config", cfg,
                             "-o", "json", "--check-charts")
        assert code == 0, err
        lc = ours(json.loads(out), namespace)["lifecycle"]
        assert lc["status"] == "retired" and lc["verdict"] == "retired"
        assert lc["latest_chart"] == "0.2.0" and lc["update_available"] is True
        assert "Gateway API" in lc["successor"]
        assert any("update available 0.1.0 → 0.2.0" in n for n in lc["notes"])
        assert (state_dir / "chart-latest.json").exists()

        # the text column, and CI gates: retired and outdated fail, unsupported does not
        # (ingress-nginx publishes no window any more)
        code, out, err = cli(capsys, "report", "--kubeconfig", kubeconfig, "--config", cfg,
                             "--fail-on", "retired,unsupported,outdated")
        assert code == 1
        assert "LIFECYCLE" in out.splitlines()[1]
        (line,) = [ln for ln in out.splitlines() if " ingress-nginx " in f" {ln} "
                   and namespace in ln]
        assert "retired upstream, update 0.1.0 → 0.2.0" in line
        assert "report: retired: " in err and "ingress-nginx" in err
        assert "report: outdated: " in err and "report: unsupported" not in err

    # the repository is gone: the day-old cache still answers, without --check-charts
    code, out, _ = cli(capsys, "report", "--kubeconfig", kubeconfig, "--config", cfg,
                       "-o", "markdown")
    assert code == 0
    assert "| Lifecycle |" in out and "retired upstream, update 0.1.0 → 0.2.0" in out


def test_unreachable_repository_is_unknown_not_an_error(
        capsys: pytest.CaptureFixture[str], kubeconfig: str, namespace: str,
        kube_admin: KubeAdmin, tmp_path: Path, state_dir: Path) -> None:
    install_ingress_nginx(kube_admin, namespace, "4.13.3")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cfg = config(tmp_path, f"http://127.0.0.1:{port}", "ingress-nginx")
    code, out, err = cli(capsys, "report", "--kubeconfig", kubeconfig, "--config", cfg,
                         "-o", "json", "--fail-on", "outdated")
    assert code == 1 or "outdated" not in err  # other components may be outdated; not ours
    lc = ours(json.loads(out), namespace)["lifecycle"]
    assert lc["latest_chart"] == "unknown" and lc["update_available"] is False
    assert "ingress-nginx" not in err.partition("outdated:")[2]
    assert "Traceback" not in err
    # without --check-charts nothing is looked up: null, not "unknown"
    code, out, _ = cli(capsys, "report", "--kubeconfig", kubeconfig, "--config", cfg,
                       "-o", "json")
    assert code == 0
    assert ours(json.loads(out), namespace)["lifecycle"]["latest_chart"] is None


async def test_overview_shows_the_cached_newer_chart(kubeconfig: str, namespace: str,
                                                    kube_admin: KubeAdmin,
                                                    state_dir: Path) -> None:
    """The pane never asks a chart repository: it reads the day-old cache (filled by
    ``report --check-charts``) off the event loop and says ``update A → B``."""
    import asyncio
    from datetime import UTC, datetime

    from k8s_essentials_tui.app import EssentialsApp, StartOptions

    install_ingress_nginx(kube_admin, namespace, "0.1.0")
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / "chart-latest.json").write_text(json.dumps({
        "https://kubernetes.github.io/ingress-nginx|ingress-nginx": {
            "version": "9.9.9", "checked_at": datetime.now(UTC).isoformat()}}))
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig))
    async with app.run_test(size=(120, 40)) as pilot:
        async def until(cond) -> None:  # type: ignore[no-untyped-def]
            async with asyncio.timeout(30):
                while not cond():
                    await pilot.pause(0.05)

        await until(lambda: getattr(app.detections.get("ingress-nginx"), "namespace",
                                    None) == namespace)
        for key in (":", *"ingress-nginx", "enter"):
            await pilot.press(key)
        await until(lambda: type(app.screen).__name__ == "ComponentScreen")
        await pilot.press("o")  # its own pane is the exposure one (#19): "o", the overview

        def shown() -> str:
            from textual.widgets import Static

            from tests.conftest import rich_plain

            found = app.screen.query("#overview")
            if not found:
                return ""
            return " ".join(rich_plain(found.first(Static).content, 118).split())

        await until(lambda: "update 0.1.0 → 9.9.9" in shown())
        assert "retired upstream since 2026-03" in shown()


@pytest.mark.usefixtures("helm_home")
def test_newest_chart_from_a_real_oci_registry(helm_bin: str, tmp_path: Path) -> None:
    """An ``oci://`` chart's newest version comes from the registry's tag list (a
    pre-release is not "newer"); a registry that is gone is unknown, not an error."""
    import asyncio

    from k8s_essentials_tui.chart_latest import latest_chart
    from k8s_essentials_tui.helm.chart import ChartSpec
    from testkit.oci_registry import OciRegistry

    with OciRegistry() as reg:
        for i, version in enumerate(("0.1.0", "0.2.0", "0.3.0-rc.1")):
            reg.push_chart(helm_bin, version, app_version=f"1.{i}.0")
        spec = ChartSpec(repo=reg.url, chart="essentials-demo", version="0.1.0",
                         namespace="d", release="d", plain_http=True)
        got = asyncio.run(latest_chart(spec, cache_dir=tmp_path, timeout=10))
        assert got.version == "0.2.0", got
    gone = asyncio.run(latest_chart(spec, cache_dir=tmp_path / "other", timeout=3))
    assert gone.version is None and gone.error
