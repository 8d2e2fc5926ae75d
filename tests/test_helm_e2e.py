"""Helm end to end: the real ``helm`` binary, a real chart repository on loopback and the real
kube-apiserver. Install, upgrade with changed values (the diff shows the change), rollback,
uninstall; the natively decoded list matches ``helm list -A -o json``; and the failure
messages operators see (missing helm, unreachable repo, invalid values, a failed install)."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
from pathlib import Path

import pytest

from k8s_essentials_tui import audit
from k8s_essentials_tui.cli import main
from k8s_essentials_tui.errors import ToolError
from k8s_essentials_tui.helm.chart import ChartSpec
from k8s_essentials_tui.helm.diff import diff_manifests
from k8s_essentials_tui.helm.operations import HelmOperations, fetch_releases
from k8s_essentials_tui.helm.release import deployed, history, latest
from k8s_essentials_tui.helm.tool import HelmTool
from k8s_essentials_tui.kube.session import ClusterSession, ConnectOptions
from testkit.chart_repo import DEMO_CHART, ChartRepo

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _helm_home(helm_home: Path) -> Path:
    """helm's cache/config/data in the test's tmp dir (never the user's)."""
    return helm_home


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def helm_json(helm_bin: str, kubeconfig: str, *args: str) -> object:
    res = subprocess.run([helm_bin, *args, "--kubeconfig", kubeconfig, "--output", "json"],
                         check=True, capture_output=True, text=True)
    return json.loads(res.stdout)


def configmap_message(kube_admin, namespace: str, release: str) -> str | None:  # type: ignore[no-untyped-def]
    cm = kube_admin.get_or_none("v1", "ConfigMap", f"{release}-config", namespace)
    return None if cm is None else cm["data"]["message"]


async def releases_in(kubeconfig: str, namespace: str):  # type: ignore[no-untyped-def]
    session = await ClusterSession.connect(ConnectOptions(kubeconfig=kubeconfig))
    try:
        return await fetch_releases(session.client, namespace)
    finally:
        await session.close()


def test_install_upgrade_rollback_uninstall(capsys: pytest.CaptureFixture[str], kubeconfig: str,
                                            namespace: str, kube_admin, chart_repo: ChartRepo,
                                            helm_bin: str, tmp_path: Path) -> None:
    base = ["install", "essentials-demo", "--repo", chart_repo.url, "--release", "demo",
            "-n", namespace, "--kubeconfig", kubeconfig]
    # install 0.1.0
    code, out, err = cli(capsys, *base, "--version", "0.1.0", "--yes")
    assert code == 0, err
    assert "(new install)" in out and "+  message: \"hello\"" in out
    assert f"$ helm upgrade --install demo essentials-demo --repo {chart_repo.url}" in out
    assert "demo installed in" in err and "(revision 1)" in err
    assert configmap_message(kube_admin, namespace, "demo") == "hello"

    # upgrade to 0.2.0 with changed values: the dry-run diff shows exactly that change
    values = tmp_path / "values.yaml"
    values.write_text("message: upgraded\n")
    code, out, err = cli(capsys, *base, "--version", "0.2.0", "--values", str(values),
                         "--dry-run")
    assert code == 0, err
    assert "=== ConfigMap " + namespace + "/demo-config (changed)" in out
    assert '-  message: "hello"' in out and '+  message: "upgraded"' in out
    assert configmap_message(kube_admin, namespace, "demo") == "hello"  # dry-run changed nothing
    code, out, err = cli(capsys, *base, "--version", "0.2.0", "--values", str(values), "--yes")
    assert code == 0, err
    assert configmap_message(kube_admin, namespace, "demo") == "upgraded"

    # the natively decoded list is what `helm list` says
    code, out, err = cli(capsys, "releases", "-o", "json", "--kubeconfig", kubeconfig)
    assert code == 0, err
    ours = {(r["namespace"], r["name"]): r for r in json.loads(out)}
    theirs = helm_json(helm_bin, kubeconfig, "list", "-A")
    assert isinstance(theirs, list) and theirs
    for row in theirs:
        mine = ours[(row["namespace"], row["name"])]
        for key in ("revision", "status", "chart", "app_version"):
            assert mine[key] == row[key], (key, mine, row)
        # helm prints Go's time format; the instant must be the same (to the microsecond)
        assert row["updated"].startswith(mine["updated"][:19].replace("T", " "))
    assert ours[(namespace, "demo")]["chart"] == "essentials-demo-0.2.0"
    assert ours[(namespace, "demo")]["revision"] == "2"

    # rollback to revision 1 (the TUI's code path), with the diff of that revision
    rels = asyncio.run(releases_in(kubeconfig, namespace))
    current = deployed(rels, namespace, "demo")
    assert current is not None and current.revision == 2
    target = history(rels, namespace, "demo")[0]
    diffs = diff_manifests(current.manifest, target.manifest, namespace)
    assert any(d.change == "changed" and "ConfigMap" in str(d.key) for d in diffs)
    ops = HelmOperations(HelmTool(kubeconfig=kubeconfig))
    lines: list[str] = []
    mutation = ops.rollback_mutation(current, 1, on_line=lambda s, ln: lines.append(ln))
    assert mutation.command == f"helm rollback demo 1 --namespace {namespace} " \
                               f"--kubeconfig {kubeconfig}"
    assert "rolled back to revision 1" in asyncio.run(mutation.run())
    assert configmap_message(kube_admin, namespace, "demo") == "hello"
    rels = asyncio.run(releases_in(kubeconfig, namespace))
    assert [(r.revision, r.status) for r in history(rels, namespace, "demo")] == \
        [(1, "superseded"), (2, "superseded"), (3, "deployed")]

    # uninstall: refused without --yes in a non-interactive shell, then done with --yes
    code, out, err = cli(capsys, "uninstall", "demo", "-n", namespace, "--kubeconfig",
                         kubeconfig)
    assert code == 2 and "refusing to uninstall demo" in err and "without --yes" in err
    assert "CustomResourceDefinitions" in out and "PersistentVolumeClaims" in out
    assert configmap_message(kube_admin, namespace, "demo") == "hello"
    code, out, err = cli(capsys, "uninstall", "demo", "-n", namespace, "--kubeconfig",
                         kubeconfig, "--yes")
    assert code == 0, err
    assert configmap_message(kube_admin, namespace, "demo") is None
    assert asyncio.run(releases_in(kubeconfig, namespace)) == []

    entries = [(e["action"], e["result"]) for e in audit.read()]
    # every preview (a server-side dry-run) is a cluster call: audited as "dry-run"
    assert entries == [("helm.install", "dry-run"), ("helm.install", "ok"),
                       ("helm.upgrade", "dry-run"), ("helm.upgrade", "dry-run"),
                       ("helm.upgrade", "ok"), ("helm.uninstall", "ok")]
    assert all("helm " in e["command"] for e in audit.read())


def test_local_chart_directory(capsys: pytest.CaptureFixture[str], kubeconfig: str,
                               namespace: str, kube_admin) -> None:
    code, out, err = cli(capsys, "install", str(DEMO_CHART), "--release", "local", "-n",
                         namespace, "--kubeconfig", kubeconfig, "--yes")
    assert code == 0, err
    assert f"$ helm upgrade --install local {DEMO_CHART} " in out
    assert configmap_message(kube_admin, namespace, "local") == "hello"


def test_unreachable_repo_says_so(capsys: pytest.CaptureFixture[str], kubeconfig: str,
                                  namespace: str) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, _out, err = cli(capsys, "install", "essentials-demo", "--repo",
                          f"http://127.0.0.1:{port}", "-n", namespace, "--kubeconfig",
                          kubeconfig, "--yes")
    assert code == 2
    assert "dry-run failed" in err and "cannot be reached" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) <= 2


def test_invalid_values_are_refused_before_anything_runs(
        capsys: pytest.CaptureFixture[str], kubeconfig: str, namespace: str,
        chart_repo: ChartRepo, tmp_path: Path) -> None:
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("message: [unclosed\n")
    code, _o, err = cli(capsys, "install", "essentials-demo", "--repo", chart_repo.url, "-n",
                        namespace, "--values", str(bad_yaml), "--kubeconfig", kubeconfig,
                        "--yes")
    assert code == 2 and "invalid YAML at line 2" in err
    bad_schema = tmp_path / "schema.yaml"
    bad_schema.write_text("replicas: lots\n")
    code, _o, err = cli(capsys, "install", "essentials-demo", "--repo", chart_repo.url, "-n",
                        namespace, "--values", str(bad_schema), "--kubeconfig", kubeconfig,
                        "--yes")
    assert code == 2 and "/replicas" in err and "want integer" in err
    assert asyncio.run(releases_in(kubeconfig, namespace)) == []


def test_failed_install_reports_the_state_it_left(kubeconfig: str, namespace: str,
                                                  chart_repo: ChartRepo) -> None:
    """The apiserver rejects an empty image (dry-run=server does not): the message says the
    release exists in state failed and how to remove it."""
    ops = HelmOperations(HelmTool(kubeconfig=kubeconfig), values_dir=None)
    spec = ChartSpec(repo=chart_repo.url, chart="essentials-demo", version="0.1.0",
                     namespace=namespace, release="broken")
    mutation = ops.install_mutation(spec, 'image: ""\n')
    with pytest.raises(ToolError) as err:
        asyncio.run(mutation.run())
    text = str(err.value)
    assert text.startswith("install failed:") and "image" in text
    assert "Release broken is now failed at revision 1" in text
    assert f"helm uninstall broken --namespace {namespace}" in text
    rels = latest(asyncio.run(releases_in(kubeconfig, namespace)))
    assert [(r.name, r.status) for r in rels] == [("broken", "failed")]


def test_missing_helm_binary(capsys: pytest.CaptureFixture[str], kubeconfig: str,
                             namespace: str, tmp_path: Path,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[helm]\nbinary = "/nonexistent/bin/helm"\n')
    monkeypatch.setenv("K8S_ESSENTIALS_TUI_CONFIG", str(config))
    code, _o, err = cli(capsys, "install", str(DEMO_CHART), "-n", namespace, "--kubeconfig",
                        kubeconfig, "--yes")
    assert code == 2
    assert "helm not found at /nonexistent/bin/helm (config key helm.binary)" in err


def test_configmap_storage_driver(capsys: pytest.CaptureFixture[str], kubeconfig: str,
                                  namespace: str, kube_admin, helm_bin: str,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """HELM_DRIVER=configmap: the real helm keeps the release in a ConfigMap, and the app
    (which runs that helm) reads it from there: the list, the upgrade that finds the deployed
    release, and the board's Helm row. sql cannot be read from the cluster: one line."""
    monkeypatch.setenv("HELM_DRIVER", "configmap")
    install = ["install", str(DEMO_CHART), "--release", "cmdrv", "-n", namespace,
               "--kubeconfig", kubeconfig, "--yes"]
    code, _out, err = cli(capsys, *install)
    assert code == 0, err
    assert kube_admin.get_or_none("v1", "ConfigMap", "sh.helm.release.v1.cmdrv.v1",
                                  namespace) is not None
    assert kube_admin.get_or_none("v1", "Secret", "sh.helm.release.v1.cmdrv.v1",
                                  namespace) is None

    code, out, err = cli(capsys, "releases", "-o", "json", "-n", namespace,
                         "--kubeconfig", kubeconfig)
    assert code == 0, err
    mine = [(r["name"], r["revision"], r["status"], r["chart"]) for r in json.loads(out)]
    theirs = helm_json(helm_bin, kubeconfig, "list", "-n", namespace)  # same HELM_DRIVER
    assert isinstance(theirs, list)
    assert mine == [(r["name"], r["revision"], r["status"], r["chart"]) for r in theirs]
    assert mine == [("cmdrv", "1", "deployed", "essentials-demo-0.1.0")]

    code, _out, err = cli(capsys, *install)  # found in the ConfigMap: an upgrade
    assert code == 0, err
    assert err.startswith(f"upgrade cmdrv in {namespace}")

    code, out, err = cli(capsys, "report", "-o", "json", "--kubeconfig", kubeconfig)
    assert code == 0, err
    helm = next(c for c in json.loads(out)["components"] if c["id"] == "helm")
    assert helm["installed"] is True and helm["healthy"] is True, helm

    monkeypatch.setenv("HELM_DRIVER", "sql")
    code, out, err = cli(capsys, "releases", "--kubeconfig", kubeconfig)
    assert code == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "HELM_DRIVER=sql: Helm releases are kept in a SQL database" in err
    code, out, err = cli(capsys, "report", "-o", "json", "--kubeconfig", kubeconfig)
    assert code == 0, err
    helm = next(c for c in json.loads(out)["components"] if c["id"] == "helm")
    assert helm["healthy"] is None and "HELM_DRIVER=sql" in helm["problems"][0], helm


async def test_chart_versions_from_the_repo(chart_repo: ChartRepo, tmp_path: Path) -> None:
    ops = HelmOperations(HelmTool())
    spec = ChartSpec(repo=chart_repo.url, chart="essentials-demo", version="0.1.0",
                     namespace="x", release="x")
    assert await ops.chart_versions(spec, repo_config=tmp_path) == ["0.2.0", "0.1.0"]
    gone = ChartSpec(repo="http://127.0.0.1:9", chart="c", version="", namespace="x",
                     release="x")
    with pytest.raises(ToolError, match="unreachable"):
        await ops.chart_versions(gone, repo_config=tmp_path)
