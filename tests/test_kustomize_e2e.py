"""Headless ``kustomize diff|apply`` with the real ``kubectl kustomize`` against the real
apiserver: testkit/kustomize's overlay is previewed (server-side dry-run), applied with
server-side apply under the app's field manager, and previewed again (no change)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from k8s_essentials_tui import audit
from k8s_essentials_tui.cli import main
from testkit.controlplane import BinariesMissing, find_binaries

pytestmark = pytest.mark.e2e
FIXTURES = Path(__file__).resolve().parent.parent / "testkit" / "kustomize"
OVERLAY = str(FIXTURES / "overlays" / "demo")
SECRET_VALUE = "kz-hunter2-do-not-show"
SECRET_B64 = "a3otaHVudGVyMi1kby1ub3Qtc2hvdw=="


def _kubectl() -> Path:
    try:
        path = find_binaries(build=False) / "kubectl"
    except BinariesMissing:
        pytest.skip("kubectl not built: run scripts/build-control-plane (CI builds it first)")
    if not path.exists():
        pytest.skip(f"{path} missing: run scripts/build-control-plane")
    return path


@pytest.fixture
def config(tmp_path: Path) -> str:
    """A config file naming the control plane's kubectl (the ``[kustomize] kubectl`` key)."""
    path = tmp_path / "config.toml"
    path.write_text(f'[kustomize]\nkubectl = "{_kubectl()}"\n')
    return str(path)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(["kustomize", *argv])
    out, err = capsys.readouterr()
    return rc, out, err


def _args(kubeconfig: str, namespace: str, config: str) -> list[str]:
    return ["--kubeconfig", kubeconfig, "-n", namespace, "--config", config]


def test_diff_apply_diff(kube_admin, kubeconfig, namespace, config, capsys) -> None:
    common = _args(kubeconfig, namespace, config)
    kube_admin.create({"apiVersion": "v1", "kind": "ConfigMap",
                       "metadata": {"name": "web-config", "namespace": namespace},
                       "data": {"greeting": "hello", "log_level": "info"}})

    # the ConfigMap's log_level belongs to another field manager: a conflict, not a takeover
    rc, out, err = _run(capsys, "diff", OVERLAY, *common)
    assert rc == 2, out + err
    assert 'conflict with "testkit"' in out and ".data.log_level" in out

    rc, out, err = _run(capsys, "diff", OVERLAY, *common, "--force-conflicts")
    assert rc == 1, out + err  # something would change
    assert SECRET_VALUE not in out + err and SECRET_B64 not in out + err
    lines = out.splitlines()
    assert f"=== ConfigMap {namespace}/web-config (changed)" in lines
    assert "-  log_level: info" in lines and "+  log_level: debug" in lines
    assert f"=== Deployment {namespace}/web (added)" in lines
    assert "+  password: (added)" in lines  # the generated Secret, masked
    assert lines[-1] == "1 changed, 2 added, 0 unchanged"
    # a dry-run changed nothing
    assert kube_admin.get("v1", "configmaps", "web-config", namespace)["data"]["log_level"] \
        == "info"

    rc, out, err = _run(capsys, "apply", OVERLAY, "--yes", *common, "--force-conflicts")
    assert rc == 0, err
    assert f"Deployment {namespace}/web created" in out.splitlines()
    assert f"ConfigMap {namespace}/web-config configured" in out.splitlines()
    assert SECRET_VALUE not in out + err and SECRET_B64 not in out + err
    deploy = kube_admin.get("apps/v1", "deployments", "web", namespace)
    assert deploy["spec"]["replicas"] == 2
    assert deploy["metadata"]["labels"] == {"env": "demo"}
    managers = {m["manager"]: m["operation"] for m in deploy["metadata"]["managedFields"]}
    assert managers == {"k8s-essentials-tui": "Apply"}
    secrets = kube_admin.list("v1", "secrets", namespace)
    assert [s["metadata"]["name"] for s in secrets
            if s["metadata"]["name"].startswith("web-credentials-")]
    entry = audit.read()[-1]
    assert entry["action"] == "kustomize.apply" and entry["result"] == "ok"
    assert entry["command"] == ("kubectl apply --server-side --field-manager=k8s-essentials-tui"
                                f" --force-conflicts -k {OVERLAY} -n {namespace}")

    rc, out, err = _run(capsys, "diff", OVERLAY, *common, "-o", "json")
    assert rc == 0, err
    data = json.loads(out)
    assert {o["change"] for o in data["objects"]} == {"unchanged"}
    assert data["summary"] == "0 changed, 0 added, 3 unchanged"

    rc, out, err = _run(capsys, "apply", OVERLAY, "--yes", *common)
    assert rc == 0, err
    assert out.splitlines()[-1] == "no changes: nothing to apply"


def test_apply_needs_yes_without_terminal(kubeconfig, namespace, config, capsys,
                                          monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    rc, _out, err = _run(capsys, "apply", OVERLAY, *_args(kubeconfig, namespace, config))
    assert rc == 2
    assert "without --yes: stdin is not a terminal" in err


def test_apply_refused_read_only(kube_admin, kubeconfig, namespace, config, capsys) -> None:
    rc, _out, err = _run(capsys, "apply", OVERLAY, "--yes", "--read-only",
                         *_args(kubeconfig, namespace, config))
    assert rc == 2
    assert "read-only mode" in err
    assert kube_admin.list("apps/v1", "deployments", namespace) == []
    entry = audit.read()[-1]
    assert entry["action"] == "kustomize.apply" and entry["result"] == "refused"


def test_bad_kustomization_exit_2(kubeconfig, namespace, config, capsys) -> None:
    rc, out, err = _run(capsys, "diff", str(FIXTURES / "broken"),
                        *_args(kubeconfig, namespace, config))
    assert rc == 2 and out == ""
    assert err.startswith("k8s-essentials-tui: error: kubectl kustomize failed: "
                          "accumulating resources")
    assert "does-not-exist.yaml" in err
    assert "\x1b" not in err and len(err.splitlines()) == 1
    assert "command failed" not in err  # klog framing removed


def test_no_renderer_exit_2(kubeconfig, namespace, tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no kubectl, no kustomize
    assert shutil.which("kubectl") is None
    config = tmp_path / "config.toml"
    config.write_text("")
    rc, out, err = _run(capsys, "diff", OVERLAY, *_args(kubeconfig, namespace, str(config)))
    assert rc == 2 and out == ""
    assert err == ("k8s-essentials-tui: error: neither kubectl nor kustomize found on PATH "
                   "(set [kustomize] kubectl or binary in config.toml)\n")


def test_server_refusal_is_exit_2_with_message(kubeconfig, namespace, config, tmp_path,
                                               capsys) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "kustomization.yaml").write_text("resources: [cm.yaml]\n")
    (bad / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
                                 "  name: Not_Valid\ndata: {a: b}\n")
    rc, out, _err = _run(capsys, "diff", str(bad), *_args(kubeconfig, namespace, config))
    assert rc == 2, out
    assert "ConfigMap" in out and "Not_Valid" in out and "error" in out


def test_namespace_created_by_the_same_kustomization(kube_admin, kubeconfig, namespace,
                                                     config, tmp_path, capsys) -> None:
    """The server cannot dry-run into a namespace that does not exist yet: the object is
    shown as added from its rendered text, with a note; apply creates the namespace first."""
    target = f"{namespace}-new"
    directory = tmp_path / "with-ns"
    directory.mkdir()
    (directory / "kustomization.yaml").write_text(
        f"namespace: {target}\nresources: [ns.yaml, cm.yaml]\n")
    (directory / "ns.yaml").write_text(
        f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {target}\n")
    (directory / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata: {a: b}\n")
    common = _args(kubeconfig, namespace, config)
    try:
        rc, out, err = _run(capsys, "diff", str(directory), *common, "-o", "json")
        assert rc == 1, out + err
        objects = {o["kind"]: o for o in json.loads(out)["objects"]}
        assert objects["Namespace"]["change"] == "added"
        assert objects["ConfigMap"]["change"] == "added"
        assert objects["ConfigMap"]["namespace"] == target
        assert objects["ConfigMap"]["note"] == f"namespace {target} is created by this " \
                                               "kustomization"
        assert "+  a: b" in objects["ConfigMap"]["diff"]

        rc, out, err = _run(capsys, "apply", str(directory), "--yes", *common)
        assert rc == 0, out + err
        assert out.splitlines()[-1] == "applied: 2 created"
        assert kube_admin.get("v1", "configmaps", "settings", target)["data"] == {"a": "b"}

        rc, out, err = _run(capsys, "diff", str(directory), *common)
        assert rc == 0, out + err
    finally:
        kube_admin.delete_namespace(target)


def test_apply_failure_is_exit_1_and_audited(kube_admin, kubeconfig, namespace, config,
                                             tmp_path, capsys) -> None:
    """An object the server refuses at apply time (here: an invalid name in a namespace the
    same apply creates, so no dry-run could check it) fails alone: exit 1, the others are
    applied, the audit log says failed."""
    target = f"{namespace}-bad"
    directory = tmp_path / "bad-apply"
    directory.mkdir()
    (directory / "kustomization.yaml").write_text(
        f"namespace: {target}\nresources: [ns.yaml, cm.yaml]\n")
    (directory / "ns.yaml").write_text(
        f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {target}\n")
    (directory / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Not_Valid\ndata: {a: b}\n")
    try:
        rc, out, err = _run(capsys, "apply", str(directory), "--yes",
                            *_args(kubeconfig, namespace, config), "-o", "json")
        assert rc == 1, out + err
        results = {r["kind"]: r for r in json.loads(out)["results"]}
        assert results["Namespace"]["result"] == "created"
        assert results["ConfigMap"]["result"] == "failed"
        assert "Not_Valid" in results["ConfigMap"]["error"]
        assert err.startswith("k8s-essentials-tui: 1 of 2 objects failed to apply "
                              "(1 created, 1 failed); first: ConfigMap")
        assert kube_admin.get("v1", "namespaces", target)["metadata"]["name"] == target
        entry = audit.read()[-1]
        assert entry["action"] == "kustomize.apply" and entry["result"] == "failed"
    finally:
        kube_admin.delete_namespace(target)
