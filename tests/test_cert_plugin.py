"""cert-manager catalog entry and detection (pure; no Textual, no cryptography at import)."""

from __future__ import annotations

import subprocess
import sys

from k8s_essentials_tui.detection.snapshot import ClusterSnapshot
from k8s_essentials_tui.plugins.cert_manager import PLUGIN, detect
from k8s_essentials_tui.registry import load_registry


def _deploy(name: str, app: str, ready: int = 1) -> dict:
    return {"kind": "Deployment",
            "metadata": {"name": name, "namespace": "cert-manager",
                         "labels": {"app.kubernetes.io/name": app}},
            "spec": {"replicas": 1, "template": {"spec": {"containers": [
                {"image": "quay.io/jetstack/cert-manager-controller:v1.21.2"}]}}},
            "status": {"readyReplicas": ready}}


def test_catalog_entry() -> None:
    assert PLUGIN.id == "cert-manager" and PLUGIN.category == "certificates"
    assert PLUGIN.chart is not None and PLUGIN.chart.repo == "https://charts.jetstack.io"
    assert PLUGIN.chart.namespace == PLUGIN.chart.release == "cert-manager"
    assert "crds:\n  enabled: true" in PLUGIN.chart.values
    assert PLUGIN.pane == "k8s_essentials_tui.plugins.cert_manager.pane:CertificatesPane"
    assert PLUGIN.load_pane().__name__ == "CertificatesPane"
    assert load_registry(third_party=False).get("cert-manager") is not None


def test_catalog_imports_without_textual_or_cryptography() -> None:
    code = ("import sys, k8s_essentials_tui.plugins.cert_manager; "
            "print('textual' in sys.modules, 'cryptography' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "False"]


def test_detect() -> None:
    snap = ClusterSnapshot(api_groups={"cert-manager.io"}, workloads=[
        _deploy("cert-manager", "cert-manager"), _deploy("cert-manager-cainjector", "cainjector"),
        _deploy("cert-manager-webhook", "webhook", ready=0)])
    det = detect(snap)
    assert det.installed is True and det.version == "v1.21.2"
    assert det.healthy is False and det.problems == ["Deployment cert-manager-webhook: 0/1 ready"]
    partial = detect(ClusterSnapshot(api_groups={"cert-manager.io"}))
    assert partial.installed == "partial"
    assert detect(ClusterSnapshot()).installed is False
