"""Issue #15 findings 4, 5, 7, 9, 10: malformed objects are rows with a problem, a detection
that raises is "unknown", forbidden is not absent, a gzip bomb is bounded, and headless
commands never print a traceback (usage errors exit 2, a closed pipe exits quietly)."""

from __future__ import annotations

import base64
import gzip
import json
import os
import subprocess
import sys
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from k8s_essentials_tui import cli
from k8s_essentials_tui.detection.evaluate import evaluate, failing, report_markdown, state_label
from k8s_essentials_tui.detection.snapshot import ClusterSnapshot
from k8s_essentials_tui.helm.release import MAX_DECOMPRESSED, decode_secret, encode_payload
from k8s_essentials_tui.plugin import Detection, Plugin
from k8s_essentials_tui.plugins.cert_manager import model as cert_model
from k8s_essentials_tui.plugins.loki.client import LokiError, parse_query_response
from k8s_essentials_tui.plugins.velero import model as velero_model

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def meta(name: str, ns: str = "shop") -> dict[str, Any]:
    return {"name": name, "namespace": ns, "uid": f"uid-{name}", "resourceVersion": "1"}


# -- finding 7: malformed objects ---------------------------------------------------------

def test_certificate_with_a_string_issuer_ref_is_a_row_with_a_problem() -> None:
    cert = {"metadata": meta("web"), "spec": {"secretName": "web-tls", "issuerRef": "le"},
            "status": {"conditions": [{"type": "Ready", "status": "True"}]}}
    rows = cert_model.build_rows([cert], [])
    assert [r.name for r in rows] == ["web"]
    assert "unreadable: spec.issuerRef is not an object" in rows[0].problems
    assert rows[0].issuer == ""


def test_velero_objects_of_the_wrong_shape_are_rows_with_problems() -> None:
    backup = {"metadata": meta("b1", "velero"),
              "spec": {"storageLocation": ["default"]},
              "status": {"phase": "Completed", "progress": {"itemsBackedUp": "many",
                                                            "totalItems": 4}}}
    (row,) = velero_model.backup_rows([backup])
    assert row.phase == "Completed" and row.total == 4 and row.done == 0
    assert set(row.problems) == {"unreadable: spec.storageLocation is not a string",
                                 "unreadable: status.progress.itemsBackedUp is not a number"}
    assert ("Problem", "unreadable: spec.storageLocation is not a string") in \
        velero_model.backup_detail(backup, NOW)
    # the same Backup in the certificates' "all expiries" view
    (crow,) = cert_model.build_rows([], [], [], [backup])
    assert "unreadable: spec.storageLocation is not a string" in crow.problems

    schedule = {"metadata": meta("daily", "velero"), "spec": {"schedule": 5}}
    (srow,) = velero_model.schedule_rows([schedule], [], NOW)
    assert srow.problems == ["unreadable: spec.schedule is not a string"]
    assert srow.next_text(NOW) == "invalid"

    restore = {"metadata": meta("r1", "velero"), "spec": {"backupName": "b1"},
               "status": {"progress": "x"}}
    (rrow,) = velero_model.restore_rows([restore])
    assert rrow.problems == ["unreadable: status.progress is not an object"]

    bsl = {"metadata": meta("default", "velero"),
           "spec": {"default": True, "objectStorage": "x"}}
    (brow,) = velero_model.bsl_rows([bsl])
    assert brow.problems == ["unreadable: spec.objectStorage is not an object"]
    assert ("backup storage location default: unreadable: spec.objectStorage is not an "
            "object") in velero_model.bsl_problems([bsl])


def test_a_detection_that_raises_is_unknown_never_missing() -> None:
    def broken(_snapshot: ClusterSnapshot) -> Detection:
        raise AttributeError("'str' object has no attribute 'get'")

    plugin = Plugin(id="velero", title="Velero", category="backup", detect=broken)
    snapshot = ClusterSnapshot()
    det = evaluate([plugin], snapshot)["velero"]
    assert state_label(det) == "unknown"
    assert det.problems == ["detection failed (AttributeError: 'str' object has no "
                            "attribute 'get'): the state is unknown"]
    found = failing([plugin], {"velero": det}, ["missing", "unknown"])
    assert found["unknown"] == ["velero"]
    assert "backup" not in found["missing"]  # the other areas have no component at all
    assert "| Backup | Velero | unknown |" in report_markdown([plugin], {"velero": det},
                                                              snapshot)


def test_velero_detection_with_a_malformed_location_is_not_missing() -> None:
    """The board said Velero ``missing`` for a BSL with ``objectStorage: "x"``."""
    from k8s_essentials_tui.registry import load_registry

    plugin = load_registry().get("velero")
    assert plugin is not None
    workload = {"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "velero", "namespace": "velero",
                             "labels": {"app.kubernetes.io/name": "velero"}},
                "spec": {"replicas": 1}, "status": {"readyReplicas": 1}}
    bsl = {"metadata": meta("default", "velero"), "spec": {"default": True,
                                                           "objectStorage": "x"},
           "status": {"phase": "Available"}}
    snapshot = ClusterSnapshot(api_groups={"velero.io"}, workloads=[workload],
                               extra={velero_model.BSLS.qualified: [bsl]})
    det = evaluate([plugin], snapshot)["velero"]
    assert state_label(det) != "missing"
    assert any("spec.objectStorage is not an object" in p for p in det.problems)


# -- finding 9: forbidden is not absent -------------------------------------------------------

def test_forbidden_secrets_are_not_said_to_be_missing() -> None:
    cert = {"metadata": meta("storefront"), "spec": {"secretName": "storefront-tls"},
            "status": {"conditions": [{"type": "Ready", "status": "True"}],
                       "notAfter": "2026-07-01T00:00:00Z"}}
    (row,) = cert_model.build_rows([cert], [], secrets_unreadable="no permission")
    assert "cannot read Secret storefront-tls (no permission)" in row.problems
    assert not any("does not exist" in p for p in row.problems)
    (row,) = cert_model.build_rows([cert], [])
    assert "Secret storefront-tls does not exist" in row.problems


# -- finding 5: gzip bomb ------------------------------------------------------------------

def _release_secret(payload: str) -> dict[str, Any]:
    return {"metadata": {"name": "sh.helm.release.v1.bomb.v1", "namespace": "shop",
                         "labels": {"name": "bomb", "version": "1", "status": "deployed"}},
            "type": "helm.sh/release.v1",
            "data": {"release": base64.b64encode(payload.encode()).decode()}}


def test_a_gzip_bomb_release_is_unreadable_and_memory_stays_bounded() -> None:
    inflated = 2 * MAX_DECOMPRESSED + 1024
    bomb = base64.b64encode(gzip.compress(b" " * inflated, compresslevel=9)).decode()
    secret = _release_secret(bomb)
    tracemalloc.start()
    try:
        rel = decode_secret(secret)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert rel.error == "unreadable: release payload larger than 32 MiB decompressed"
    assert rel.list_row()["status"] == "unreadable"
    assert peak < MAX_DECOMPRESSED + 16 * 1024 * 1024  # never the whole 64 MiB
    ok = decode_secret(_release_secret(encode_payload({"name": "ok", "version": 1})))
    assert ok.readable and ok.name == "ok"


# -- finding 10: Loki answers of the wrong shape ---------------------------------------------

@pytest.mark.parametrize("data", [
    {"resultType": "streams", "result": "x"},
    {"resultType": "streams", "result": [{"stream": "x", "values": [["1", "a"]]}]},
    {"resultType": "streams", "result": [{"values": [["x", "a"]]}]},
    {"resultType": "streams", "result": [{"values": [["1" + "0" * 30, "a"]]}]},
    {"resultType": "matrix", "result": [{"values": [[1]]}]},
    {"resultType": "vector", "result": [{"value": "x"}]},
    {"resultType": "mystery", "result": []},
])
def test_a_wrongly_shaped_loki_answer_is_a_loki_error(data: dict[str, Any]) -> None:
    with pytest.raises(LokiError, match="unexpected shape"):
        parse_query_response({"status": "success", "data": data})


# -- finding 10: headless commands -----------------------------------------------------------

def run_cli(*args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KUBECONFIG": "/nonexistent"}
    return subprocess.run([sys.executable, "-m", "k8s_essentials_tui.cli", *args],
                          capture_output=True, text=True, env=env, timeout=120, **kw)


@pytest.mark.parametrize("args", [
    ("certs", "--within", "nan"), ("certs", "--within", "inf"), ("certs", "--within", "-1"),
    ("loki", "{a=\"b\"}", "--timeout", "-1"), ("loki", "{a=\"b\"}", "--timeout", "nan"),
    ("loki", "{a=\"b\"}", "--timeout", "0"), ("loki", "{a=\"b\"}", "--limit", "0"),
])
def test_nonsense_numbers_are_usage_errors(args: tuple[str, ...]) -> None:
    out = run_cli(*args)
    assert out.returncode == 2, out
    assert "Traceback" not in out.stderr and "usage:" in out.stderr


def test_loki_since_too_long_is_one_line() -> None:
    out = run_cli("loki", "{a=\"b\"}", "--since", "99999999999h",
                  "--loki-url", "http://127.0.0.1:9")
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert out.stderr.strip().startswith("k8s-essentials-tui: error: ")
    assert len(out.stderr.strip().splitlines()) == 1


def test_install_with_a_binary_values_file_is_one_line(tmp_path: Path) -> None:
    values = tmp_path / "values.bin"
    values.write_bytes(bytes(range(256)) * 4)
    out = run_cli("install", "cert-manager", "--values", str(values), "--dry-run")
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert out.stderr.strip().splitlines() == [
        f"k8s-essentials-tui: error: values file {values} is not UTF-8 text (is it a "
        "binary file?)"]


def test_an_unexpected_exception_is_one_line_and_exit_2(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from k8s_essentials_tui.commands import plugins as plugins_cmd

    def broken(_args: Any) -> int:
        secret = {"tls.key": "SUPERSECRET"}  # noqa: F841 -- locals must never be printed
        raise TypeError("'str' object is not a mapping")

    monkeypatch.setattr(plugins_cmd, "run", broken)
    monkeypatch.delenv(cli.TRACEBACK_ENV, raising=False)
    assert cli.main(["plugins"]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "k8s-essentials-tui: error: internal error: TypeError: 'str' object is not a "
        f"mapping (a bug; {cli.TRACEBACK_ENV}=1 shows the traceback)"]


def test_a_closed_pipe_exits_quietly_with_141() -> None:
    """``| head``: no BrokenPipeError, no "Exception ignored" at interpreter exit."""
    proc = subprocess.Popen([sys.executable, "-m", "k8s_essentials_tui.cli", "plugins"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before the first write
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == cli.EXIT_BROKEN_PIPE
    assert err == ""


def test_json_output_of_plugins_still_works() -> None:
    out = run_cli("plugins", "-o", "json")
    assert out.returncode == 0 and json.loads(out.stdout)["plugins"]
