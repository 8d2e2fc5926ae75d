"""SVG snapshots of the Helm screens at 80x24 and 120x40: install screen, diff preview,
progress, releases list. Deterministic: fixed clock, fixed chart data, fixed names; the
releases list reads real release Secrets (fixed timestamps) from the real apiserver."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.helm.chart import ChartSpec
from k8s_essentials_tui.helm.diff import diff_manifests, diff_text
from k8s_essentials_tui.helm.operations import Preview
from k8s_essentials_tui.helm.release import Release
from k8s_essentials_tui.plugin import ChartRef, Plugin
from k8s_essentials_tui.plugins.helm_releases.pane import ReleasesPane
from k8s_essentials_tui.screens.install import InstallScreen
from testkit.helm_release import release_secret
from tests.conftest import FIXED_NOW

SIZES = [(80, 24), (120, 40)]
SNAP_NS = "helm-snapshot"

PLUGIN = Plugin(id="demo", title="Demo app", category="packaging", chart=ChartRef(
    repo="https://charts.example.org", chart="essentials-demo", version="0.2.0",
    namespace="apps", release="demo", values="message: hello\nreplicas: 2\n"))

OLD = """---
# Source: essentials-demo/templates/configmap.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: demo-config
data:
  message: "hello"
---
# Source: essentials-demo/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: demo
spec:
  replicas: 1
"""
NEW = OLD.replace('"hello"', '"upgraded"').replace("replicas: 1", "replicas: 2") + """---
apiVersion: v1
kind: Service
metadata:
  name: demo
spec:
  ports:
    - port: 80
"""


def _app() -> EssentialsApp:
    return EssentialsApp(StartOptions(connect=False, now=FIXED_NOW))


async def _settle(pilot) -> None:  # type: ignore[no-untyped-def]
    """No blinking cursors, highlighting done: the picture must not depend on timing."""
    for widget in pilot.app.screen.query("TextArea, Input"):
        widget.cursor_blink = False
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_install_screen(snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app = _app()

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        app.push_screen(InstallScreen(PLUGIN))
        await pilot.pause()
        await _settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_diff_preview(snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app = _app()
    spec = ChartSpec.from_ref(PLUGIN.chart)  # type: ignore[arg-type]
    deployed = Release(name="demo", namespace="apps", revision=2, status="deployed",
                       chart="essentials-demo", chart_version="0.1.0", manifest=OLD,
                       config={"message": "hello"})
    preview = Preview(
        spec=spec,
        command="helm upgrade --install demo essentials-demo --repo https://charts.example.org"
                " --version 0.2.0 --namespace apps --create-namespace --values "
                "/home/op/.local/state/k8s-essentials-tui/helm/values/apps.demo.yaml",
        dry_run_command="", rendered=Release(name="demo", namespace="apps", revision=3,
                                             manifest=NEW),
        deployed=deployed, diffs=diff_manifests(OLD, NEW, "apps"),
        values_diff=diff_text("message: hello\n", "message: upgraded\nreplicas: 2\n"))

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        screen = InstallScreen(PLUGIN, values="message: upgraded\nreplicas: 2\n")
        app.push_screen(screen)
        await pilot.pause()
        screen.show_preview(preview)
        screen.query_one("TabbedContent").active = "tab-preview"  # type: ignore[attr-defined]
        await _settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_progress(snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app = _app()

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        screen = InstallScreen(PLUGIN)
        app.push_screen(screen)
        await pilot.pause()
        screen.begin_progress("Upgrade demo in apps")
        for line in ['Release "demo" has been upgraded. Happy Helming!', "NAME: demo",
                     "NAMESPACE: apps", "STATUS: deployed", "REVISION: 3"]:
            screen._on_line("stdout", line)
        await _settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def _release_secret(name: str, revision: int, status: str, chart_version: str,
                    deployed_at: str, config: dict, payload: str | None = None) -> dict:
    return release_secret(name, SNAP_NS, revision=revision, status=status,
                          chart_version=chart_version, config=config, payload=payload,
                          deployed_at=deployed_at, first_deployed="2026-05-20T08:00:00Z",
                          description=f"{status} by snapshot test",
                          notes=f"{name} is installed.", manifest=OLD.replace("demo", name))


@pytest.fixture
def snapshot_releases(kube_admin) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Fixed release Secrets in a fixed namespace (names and times must not vary)."""
    kube_admin.create_namespace(SNAP_NS)
    for secret in [
        _release_secret("demo", 1, "superseded", "0.1.0", "2026-05-30T10:00:00Z",
                        {"message": "hello"}),
        _release_secret("demo", 2, "deployed", "0.2.0", "2026-05-31T12:00:00Z",
                        {"message": "upgraded", "replicas": 2}),
        _release_secret("edge", 1, "failed", "0.2.0", "2026-06-01T11:15:00Z", {}),
        _release_secret("mystery", 1, "deployed", "0.1.0", "2026-06-01T11:15:00Z", {},
                        payload="bm90IGEgcmVsZWFzZQ=="),
    ]:
        kube_admin.create(secret)
    yield SNAP_NS
    kube_admin.delete_namespace(SNAP_NS)


@pytest.mark.e2e
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_releases_list(snap_compare, kubeconfig: str, snapshot_releases: str,  # type: ignore[no-untyped-def]
                       size: tuple[int, int]) -> None:
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, now=FIXED_NOW))

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        for _ in range(400):
            if app.session is not None:
                break
            await pilot.pause(0.05)
        app.open_plugin("helm")
        await pilot.pause()
        pane = app.screen.query_one(ReleasesPane)
        await pilot.press("slash", *snapshot_releases, "enter")
        table = pane.query_one("#releases")
        for _ in range(400):
            if table.row_count == 3:  # type: ignore[attr-defined]
                break
            await pilot.pause(0.05)
        table.move_cursor(row=0)  # type: ignore[attr-defined]
        await _settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
