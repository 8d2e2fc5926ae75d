"""Headless flags of issue #17 against the real helm and apiserver: ``install -o json``
(one JSON document on stdout), ``releases -A``, and the install exit codes the README and
docs/helm.md now both state (0 ok, 1 helm ran and failed, 2 any other error)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from testkit.chart_repo import ChartRepo
from tests.test_helm_e2e import cli

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("helm_home")]


def test_install_json_exit_codes_and_releases_all_namespaces(
        capsys: pytest.CaptureFixture[str], kubeconfig: str, namespace: str,
        chart_repo: ChartRepo, tmp_path: Path) -> None:
    base = ("install", "essentials-demo", "--repo", chart_repo.url, "--version", "0.1.0",
            "-n", namespace, "--kubeconfig", kubeconfig)
    code, out, err = cli(capsys, *base, "--dry-run", "-o", "json")
    assert code == 0, err
    doc = json.loads(out)  # stdout is one JSON document
    assert doc["result"] == "dry-run" and doc["action"] == "install"
    assert doc["namespace"] == namespace and doc["command"].startswith("helm upgrade")

    code, out, err = cli(capsys, *base, "--release", "ok", "--yes", "-o", "json")
    assert code == 0, err
    assert json.loads(out)["result"] == "ok"

    # the apiserver rejects an empty image (the dry-run does not): helm ran and failed -> 1
    values = tmp_path / "broken.yaml"
    values.write_text('image: ""\n')
    code, out, err = cli(capsys, *base, "--release", "broken", "--values", str(values),
                         "--yes", "-o", "json")
    assert code == 1, err
    doc = json.loads(out)
    assert doc["result"] == "failed" and "install failed" in doc["message"]
    assert "Traceback" not in err

    code, out, err = cli(capsys, "releases", "-A", "-o", "json", "--kubeconfig", kubeconfig)
    assert code == 0, err
    names = {(r["namespace"], r["name"]) for r in json.loads(out)}
    assert {(namespace, "ok"), (namespace, "broken")} <= names
