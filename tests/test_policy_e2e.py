"""Policy end to end against the real kube-apiserver: ``policy check`` denied by a REAL
admission webhook (testkit.admission_webhook, called by the apiserver over HTTPS) and by a
ValidatingAdmissionPolicy whose CEL rule the apiserver evaluates itself; ``policy`` reading
the official report CRDs (wgpolicyk8s.io and openreports.io) and Gatekeeper constraint
status written the way the engines write them."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from k8s_essentials_tui.cli import main
from testkit.admission_webhook import DENY_MESSAGE, AdmissionWebhook
from testkit.kube import KubeAdmin
from tests import policy_fixtures
from tests.policy_fixtures import configmap, deployment

pytestmark = pytest.mark.e2e
# the shared fixtures, by name
guarded = policy_fixtures.guarded
engines = policy_fixtures.engines


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _check_until(capsys: pytest.CaptureFixture[str], argv: list[str],
                 ready: Any, timeout: float = 20.0) -> tuple[int, str, str]:
    """Run ``policy check`` until ``ready(out)``: the apiserver picks up a new webhook
    configuration and policy from its informers within a second or so (bounded wait)."""
    deadline = time.monotonic() + timeout
    while True:
        code, out, err = cli(capsys, *argv)
        if ready(out) or time.monotonic() > deadline:
            return code, out, err
        time.sleep(0.25)


def test_check_denied_by_webhook_and_vap(capsys: pytest.CaptureFixture[str], kubeconfig: str,
                                         namespace: str, guarded: AdmissionWebhook,
                                         kube_admin: KubeAdmin, tmp_path: Path) -> None:
    manifest = tmp_path / "app.yaml"
    manifest.write_text(yaml.safe_dump_all([
        configmap("settings", {"color": "blue"}),
        configmap("no-team", {"color": "red"}, team=False),
        configmap("creds", {"db_password": "hunter2"}),
        deployment("small", 2),
        deployment("huge", 10),
    ]))
    argv = ["--kubeconfig", kubeconfig, "policy", "check", "-n", namespace, str(manifest),
            "-o", "json"]

    def both_active(out: str) -> bool:
        verdicts = {r["name"]: r["verdict"] for r in json.loads(out)["results"]}
        return verdicts.get("creds") == "denied" and verdicts.get("huge") == "denied"

    code, out, err = _check_until(capsys, argv, both_active)
    data = json.loads(out)
    by_name = {r["name"]: r for r in data["results"]}
    assert code == 1, (out, err)
    assert by_name["settings"]["verdict"] == "admitted"
    assert by_name["settings"]["warnings"] == []
    assert by_name["small"]["verdict"] == "admitted"
    # the webhook's own warning comes back as a Warning header
    assert by_name["no-team"]["verdict"] == "admitted"
    assert any("has no team label" in w for w in by_name["no-team"]["warnings"])
    # denied by the webhook, with its message and name
    creds = by_name["creds"]
    assert creds["verdict"] == "denied"
    assert DENY_MESSAGE.format(keys="db_password") in creds["message"]
    assert creds["source"] == "webhook configmaps.testkit.k8s-essentials-tui.dev"
    # denied by the CEL rule, evaluated by the apiserver
    huge = by_name["huge"]
    assert huge["verdict"] == "denied"
    assert "replicas must be at most 5" in huge["message"]
    assert huge["source"] == f"ValidatingAdmissionPolicy replicas-{namespace}"[:len(
        "ValidatingAdmissionPolicy ") + 60]
    assert guarded.calls > 0  # the apiserver really called our server
    # a dry-run persists nothing
    for kind, name in (("ConfigMap", "settings"), ("Deployment", "small")):
        api = "v1" if kind == "ConfigMap" else "apps/v1"
        assert kube_admin.get_or_none(api, kind, name, namespace) is None

    # the text output says the same, one line per object
    code, out, _ = cli(capsys, "--kubeconfig", kubeconfig, "policy", "check", "-n", namespace,
                       str(manifest))
    assert code == 1
    assert f"ConfigMap/{namespace}/creds: denied: " in out
    assert f"Deployment/{namespace}/huge: denied: " in out
    assert f"ConfigMap/{namespace}/no-team: warning: " in out
    assert "5 object(s): 3 admitted, 2 denied, 0 error(s)" in out


def test_check_admitted_exit_0_and_errors_exit_2(capsys: pytest.CaptureFixture[str],
                                                 kubeconfig: str, namespace: str,
                                                 tmp_path: Path) -> None:
    ok = tmp_path / "ok.yaml"
    ok.write_text(yaml.safe_dump(configmap("fine", {"a": "b"})))
    code, out, err = cli(capsys, "--kubeconfig", kubeconfig, "policy", "check", "-n",
                         namespace, str(ok))
    assert code == 0, (out, err)
    assert f"ConfigMap/{namespace}/fine: admitted" in out

    unknown = tmp_path / "unknown.yaml"
    unknown.write_text("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n")
    code, out, err = cli(capsys, "--kubeconfig", kubeconfig, "policy", "check", "-n",
                         namespace, str(unknown), "-o", "json")
    assert code == 2
    assert json.loads(out)["results"][0]["verdict"] == "error"

    code, _, err = cli(capsys, "--kubeconfig", kubeconfig, "policy", "check",
                       str(tmp_path / "missing.yaml"))
    assert code == 2
    assert "missing.yaml" in err and "Traceback" not in err


def test_check_is_allowed_read_only(capsys: pytest.CaptureFixture[str], kubeconfig: str,
                                    namespace: str, tmp_path: Path) -> None:
    """A dry-run changes nothing: read-only mode does not refuse it."""
    ok = tmp_path / "ok.yaml"
    ok.write_text(yaml.safe_dump(configmap("fine", {"a": "b"})))
    code, out, _ = cli(capsys, "--kubeconfig", kubeconfig, "--read-only", "policy", "check",
                       "-n", namespace, str(ok))
    assert code == 0
    assert "admitted" in out


def test_policy_summary_json(capsys: pytest.CaptureFixture[str], kubeconfig: str,
                             namespace: str, engines: dict[str, str]) -> None:
    code, out, err = cli(capsys, "--kubeconfig", kubeconfig, "policy", "-A", "-o", "json")
    assert code == 0, err  # no --fail-on: findings are not an error
    data = json.loads(out)
    pols = {(p["engine"], p["name"]): p for p in data["policies"]}
    ky = pols[("kyverno", engines["kyverno"])]
    assert ky["mode"] == "Audit" and ky["rules"] == 2 and ky["ready"] is True
    assert ky["fail"] == 1 and ky["warn"] == 1 and ky["pass"] == 1
    gk = pols[("gatekeeper", engines["constraint"])]
    assert gk["kind"] == engines["kind"] and gk["mode"] == "deny" and gk["fail"] == 25
    assert gk["lastAudit"] == "2026-12-06T12:00:00Z"
    assert any("25 violations, 20 listed" in n for n in gk["notes"])
    vap = pols[("vap", engines["vap"])]
    assert vap["mode"] == "Deny" and vap["rules"] == 1
    results = data["results"]
    mine = [r for r in results if r["policy"] == engines["kyverno"]]
    assert {(r["result"], r["resource"]["kind"], r["resource"]["name"]) for r in mine} == {
        ("fail", "Deployment", "web"), ("warn", "ConfigMap", "cfg")}
    gk_results = [r for r in results if r["engine"] == "gatekeeper"
                  and r["policy"] == f"{engines['kind']}/{engines['constraint']}"]
    assert len(gk_results) == 20
    exemptions = {e["text"] for e in data["exemptions"]}
    assert f"{engines['kyverno']}: check-team" in exemptions
    assert f"namespace {namespace}-system excluded from audit, webhook" in exemptions


def test_policy_namespace_text_and_fail_on(capsys: pytest.CaptureFixture[str],
                                           kubeconfig: str, namespace: str,
                                           engines: dict[str, str]) -> None:
    code, out, err = cli(capsys, "--kubeconfig", kubeconfig, "policy", "-n", namespace,
                         "--fail-on", "fail")
    assert code == 1
    assert "failing and" in err
    assert engines["kyverno"] in out
    assert "label team is required" in out
    assert f"Deployment/{namespace}/web" in out
    # the Gatekeeper violation about this namespace (a cluster-scoped Namespace object) is
    # not in a namespace: -n narrows to results about objects in it
    code, out, _ = cli(capsys, "--kubeconfig", kubeconfig, "policy", "-n", namespace,
                       "--fail-on", "warn", "-o", "json")
    assert code == 1
    code, out, _ = cli(capsys, "--kubeconfig", kubeconfig, "policy", "-n", "default",
                       "--fail-on", "fail,warn", "-o", "json")
    assert code == 0
    with pytest.raises(SystemExit) as exc:  # a usage error, like every argparse error
        cli(capsys, "--kubeconfig", kubeconfig, "policy", "--fail-on", "bogus")
    assert exc.value.code == 2
