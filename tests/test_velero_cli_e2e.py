"""Headless ``backup`` on the real apiserver with the Velero CRDs; ``VeleroServer`` plays the
Velero controller (no mocks of the API)."""

from __future__ import annotations

import json

import pytest

from k8s_essentials_tui import audit
from k8s_essentials_tui.cli import main
from k8s_essentials_tui.plugins.velero import model
from testkit.velero_server import VeleroServer

pytestmark = pytest.mark.e2e
V1 = "velero.io/v1"


@pytest.fixture
def server(kube_admin, namespace) -> VeleroServer:
    srv = VeleroServer(kube_admin, namespace)
    srv.add_bsl("default")
    return srv


def _run(capsys: pytest.CaptureFixture[str], kubeconfig: str, namespace: str,
         *argv: str) -> tuple[int, str, str]:
    rc = main(["backup", *argv, "--kubeconfig", kubeconfig, "-n", namespace])
    out, err = capsys.readouterr()
    return rc, out, err


def test_create_sends_what_velero_sends(server, kube_admin, kubeconfig, namespace,
                                        capsys) -> None:
    kube_admin.create_namespace(f"{namespace}-shop")
    rc, out, err = _run(capsys, kubeconfig, namespace, "create", "nightly-1",
                        "--include-namespaces", f"{namespace}-shop", "--selector",
                        "app=web", "--ttl", "72h", "--storage-location", "default",
                        "--snapshot-volumes", "false")
    assert rc == 0, err
    assert 'Backup request "nightly-1" submitted successfully.' in out
    stored = kube_admin.get(V1, "backups", "nightly-1", namespace)
    expected = model.build_backup(model.BackupOptions(
        name="nightly-1", include_namespaces=[f"{namespace}-shop"], selector="app=web",
        ttl="72h", storage_location="default", snapshot_volumes=False), namespace)
    assert stored["spec"] == expected["spec"]
    assert stored["spec"]["ttl"] == "72h0m0s"
    entry = audit.read()[-1]
    assert entry["action"] == "velero.backup.create" and entry["result"] == "ok"
    assert entry["command"].startswith("velero backup create nightly-1 --include-namespaces")


def test_wait_follows_phases_to_completed(server, kubeconfig, namespace, capsys) -> None:
    thread = server.serve_backup("b-ok", total=8, step_delay=0.3)
    rc, out, err = _run(capsys, kubeconfig, namespace, "create", "b-ok", "--wait")
    thread.join(10)
    assert not thread.errors
    assert rc == 0, err
    lines = out.splitlines()
    assert "backup b-ok: InProgress 4/8 items" in lines
    assert lines[-2] == "backup b-ok: Completed 8/8 items"
    assert lines[-1] == "Backup completed with status: Completed (errors 0, warnings 0)."


def test_wait_exits_1_on_failed_phase_json(server, kubeconfig, namespace, capsys) -> None:
    thread = server.serve_backup("b-bad", final="PartiallyFailed", errors=2, step_delay=0.2)
    rc, out, err = _run(capsys, kubeconfig, namespace, "create", "b-bad", "--wait",
                        "-o", "json")
    thread.join(10)
    assert rc == 1
    data = json.loads(out)  # progress went to stderr: stdout is one JSON document
    assert data["phase"] == "PartiallyFailed" and data["errors"] == 2
    assert "backup b-bad: PartiallyFailed" in err


def test_from_schedule_copies_template_and_labels(server, kube_admin, kubeconfig, namespace,
                                                  capsys) -> None:
    server.add_schedule("daily", "0 1 * * *", {"includedNamespaces": ["shop"],
                                               "ttl": "168h0m0s",
                                               "storageLocation": "default"},
                        labels={"team": "ops"})
    rc, out, err = _run(capsys, kubeconfig, namespace, "create", "--from-schedule", "daily",
                        "-o", "json")
    assert rc == 0, err
    name = json.loads(out)["name"]
    assert name.startswith("daily-") and len(name) == len("daily-20260601120000")
    stored = kube_admin.get(V1, "backups", name, namespace)
    assert stored["spec"] == {"includedNamespaces": ["shop"], "ttl": "168h0m0s",
                              "storageLocation": "default"}
    assert stored["metadata"]["labels"] == {"team": "ops", "velero.io/schedule-name": "daily"}
    assert "Creating backup from schedule" in err


def test_bad_input_is_one_clear_line(server, kubeconfig, namespace, capsys) -> None:
    rc, _, err = _run(capsys, kubeconfig, namespace, "create", "b1", "--ttl", "3d")
    assert rc == 2 and "invalid TTL" in err and "72h" in err and "Traceback" not in err
    rc, _, err = _run(capsys, kubeconfig, namespace, "create", "b1",
                      "--include-namespaces", "does-not-exist")
    assert rc == 2 and "unknown namespace: does-not-exist" in err
    rc, _, err = _run(capsys, kubeconfig, namespace, "create", "b1",
                      "--storage-location", "nowhere")
    assert rc == 2 and "backup storage location 'nowhere' not found" in err
    assert _run(capsys, kubeconfig, namespace, "create", "b1")[0] == 0
    rc, _, err = _run(capsys, kubeconfig, namespace, "create", "b1")
    assert rc == 2 and "a backup named 'b1' already exists" in err
    assert err.count("\n") == 1
    assert audit.read()[-1]["result"] == "failed"
    rc, _, err = _run(capsys, kubeconfig, namespace, "create", "--from-schedule", "nope")
    assert rc == 2 and "schedule 'nope' not found" in err


def test_list_newest_first(server, kubeconfig, namespace, capsys) -> None:
    from datetime import timedelta

    server.add_backup("older", started=server.now - timedelta(days=2))
    server.add_backup("newer", started=server.now - timedelta(hours=1), phase="Failed",
                      errors=1)
    rc, out, err = _run(capsys, kubeconfig, namespace, "list", "-o", "json")
    assert rc == 0, err
    data = json.loads(out)
    assert [b["name"] for b in data["backups"]] == ["newer", "older"]
    assert data["backups"][0]["phase"] == "Failed"
    rc, out, _ = _run(capsys, kubeconfig, namespace, "list")
    assert out.splitlines()[0].split()[:3] == ["NAME", "STATUS", "ITEMS"]
    assert out.splitlines()[1].startswith("newer")
