"""The install screen's preflight hook (``Plugin.preflight``) with the policy plugin's
server-side dry-run: a chart from the test tooling whose ConfigMap the REAL admission
webhook denies and whose Deployment the REAL CEL ValidatingAdmissionPolicy denies is caught
in the confirm dialog, before helm runs -- driven by keys, against the real apiserver and the
real helm. Plus the pure formatting of the dialog's lines."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from textual.widgets import Button, Label, Static

from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.cli import main
from k8s_essentials_tui.plugin import ChartRef, Plugin
from k8s_essentials_tui.preflight import (
    DENIED,
    ERROR,
    WARNING,
    PreflightLine,
    PreflightReport,
    denial_warning,
    detail_lines,
    run_preflights,
)
from k8s_essentials_tui.screens.confirm import ConfirmScreen
from k8s_essentials_tui.screens.install import InstallScreen
from testkit.admission_webhook import AdmissionWebhook
from testkit.chart_repo import CHARTS_DIR, ChartRepo
from testkit.kube import KubeAdmin
from testkit.wait import wait_until
from tests import policy_fixtures
from tests.conftest import FIXED_NOW
from tests.policy_fixtures import configmap, deployment

guarded = policy_fixtures.guarded


def test_detail_lines_put_denials_first_and_count_the_rest() -> None:
    report = PreflightReport("admission dry-run", [
        PreflightLine("Service/ns/web", "admitted"),
        PreflightLine("ConfigMap/ns/x", WARNING, "no team label"),
        *[PreflightLine(f"Deployment/ns/d{i}", DENIED, "too many replicas") for i in range(7)],
    ])
    lines = detail_lines([report])
    assert lines[0] == "admission dry-run: 7 DENIED, 1 warning, 1 admitted"
    assert lines[1] == "  ✖ Deployment/ns/d0: too many replicas"
    assert lines[-1] == "  … and 2 more"  # 8 lines that matter, 6 shown
    assert "Service/ns/web" not in "\n".join(lines)  # admitted objects are only counted
    assert "DENY 7 objects" in denial_warning([report])
    assert denial_warning([PreflightReport("x", [PreflightLine("a", "admitted")])]) == ""


async def test_a_broken_preflight_is_an_error_line_not_a_crash() -> None:
    plugin = Plugin(id="broken", title="Broken", category="policy",
                    preflight="k8s_essentials_tui.no_such_module:check")
    reports = await run_preflights([plugin], None)  # type: ignore[arg-type]
    assert reports[0].lines[0].verdict == ERROR
    assert "the check failed" in reports[0].lines[0].message


@pytest.fixture(scope="module")
def denied_repo(helm_bin: str) -> Iterator[ChartRepo]:
    """A chart repository serving testkit/charts/policy-denied."""
    with ChartRepo(helm_bin, chart_dir=CHARTS_DIR / "policy-denied",
                   versions=("0.1.0",)) as repo:
        yield repo


async def _policies_active(capsys: pytest.CaptureFixture[str], kubeconfig: str, namespace: str,
                     tmp_path: Path) -> None:
    """Wait (bounded) until the apiserver enforces the new webhook and policy: it picks up
    their configurations from its informers within a second or so."""
    manifest = tmp_path / "probe.yaml"
    manifest.write_text(yaml.safe_dump_all([configmap("probe", {"token": "x"}),
                                            deployment("probe", 9)]))
    argv = ["--kubeconfig", kubeconfig, "policy", "check", "-n", namespace, str(manifest),
            "-o", "json"]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        capsys.readouterr()
        await asyncio.to_thread(main, argv)  # the CLI runs its own event loop
        out = capsys.readouterr().out
        if out.count('"denied"') == 2:
            return
        await asyncio.sleep(0.25)
    pytest.fail("the webhook and the policy never denied the probe objects")


def _texts(screen: Any) -> str:
    return "\n".join(str(w.render()) for w in screen.query(Static))


@pytest.mark.e2e
async def test_install_screen_shows_the_denials_before_confirming(
        capsys: pytest.CaptureFixture[str], kubeconfig: str, namespace: str,
        guarded: AdmissionWebhook, kube_admin: KubeAdmin, denied_repo: ChartRepo,
        helm_home: Path, tmp_path: Path) -> None:
    await _policies_active(capsys, kubeconfig, namespace, tmp_path)
    calls_before = guarded.calls
    plugin = Plugin(id="denied-demo", title="Denied demo", category="packaging",
                    chart=ChartRef(repo=denied_repo.url, chart="policy-denied",
                                   version="0.1.0", namespace=namespace, release="blocked"))
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, now=FIXED_NOW))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.session is not None, what="connection")
        screen = InstallScreen(plugin)
        app.push_screen(screen)
        await pilot.pause()
        await pilot.press("ctrl+r")  # helm renders (its server dry-run sends no admission)
        await wait_until(pilot, lambda: screen.preview is not None, what="preview", timeout=60)
        await pilot.press("ctrl+g")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm",
                         timeout=30)
        dialog = app.screen
        shown = _texts(dialog)
        assert "admission dry-run: 2 DENIED, 1 admitted" in shown
        assert "ConfigMap keys must not hold credentials (db-password)" in shown
        assert "webhook configmaps.testkit.k8s-essentials-tui.dev" in shown
        assert "replicas must be at most 5" in shown
        assert f"ValidatingAdmissionPolicy replicas-{namespace}"[:40] in shown
        assert "would DENY 2 objects" in shown
        # the default is No: Cancel has the focus, and one "y" only asks again
        assert isinstance(dialog.focused, Button) and dialog.focused.id == "cancel"
        await pilot.press("y")
        await pilot.pause()
        assert app.screen is dialog
        assert "Install anyway" in str(dialog.query_one("#title", Label).render())
        await pilot.press("n")
        await wait_until(pilot, lambda: app.screen is screen, what="back to the form")
    assert guarded.calls > calls_before  # the apiserver asked the real webhook
    # nothing was installed: no release, no objects
    assert kube_admin.get_or_none("v1", "ConfigMap", "blocked-config", namespace) is None
    secrets = kube_admin.list("v1", "Secret", namespace)
    assert not [s for s in secrets if s["metadata"]["name"].startswith("sh.helm.release")]


@pytest.mark.e2e
async def test_an_admitted_chart_installs_with_one_confirmation(
        capsys: pytest.CaptureFixture[str], kubeconfig: str, namespace: str,
        guarded: AdmissionWebhook, kube_admin: KubeAdmin, chart_repo: ChartRepo,
        helm_home: Path, tmp_path: Path) -> None:
    """The demo chart passes both policies; the webhook's warning (no team label on its
    ConfigMap) is shown, and one "y" installs. ``ctrl+g`` straight from the form: the
    screen renders the chart itself (the preview's dry-run) before checking it."""
    await _policies_active(capsys, kubeconfig, namespace, tmp_path)
    plugin = Plugin(id="demo", title="Demo", category="packaging",
                    chart=ChartRef(repo=chart_repo.url, chart="essentials-demo",
                                   version="0.1.0", namespace=namespace, release="ok"))
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, now=FIXED_NOW))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.session is not None, what="connection")
        screen = InstallScreen(plugin)
        app.push_screen(screen)
        await pilot.pause()
        assert screen.preview is None
        await pilot.press("ctrl+g")  # no ctrl+r first
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm",
                         timeout=90)
        assert screen.preview is not None  # rendered for the check, shown on its tab
        shown = _texts(app.screen)
        assert "admission dry-run: 1 warning, 2 admitted" in shown
        assert "ConfigMap ok-config has no team label" in shown
        assert "DENY" not in shown
        await pilot.press("y")
        progress = screen.query_one("#progress", Static)
        await wait_until(pilot, lambda: "✔" in str(progress.render()), what="installed",
                         timeout=60)
    assert kube_admin.get_or_none("v1", "ConfigMap", "ok-config", namespace) is not None
