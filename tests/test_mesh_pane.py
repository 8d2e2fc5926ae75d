"""Pilot tests of the mesh pane on the real apiserver (keys only): coverage per namespace,
drill-down to pods, views, filter, escape, and the actions through the confirm dialog."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Static

from k8s_essentials_tui import audit
from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.plugins.mesh.pane import MeshPane
from k8s_essentials_tui.screens.confirm import ConfirmScreen
from k8s_essentials_tui.settings import Settings
from testkit.hostile import assert_screen_clean, painted_text
from testkit.kube import KubeAdmin
from tests.mesh_fixtures import MeshWorld, world_fixture

pytestmark = pytest.mark.e2e
NOW = datetime(2026, 12, 6, 12, 0, 0, tzinfo=UTC)


@pytest.fixture
def world(kube_admin: KubeAdmin, namespace: str, tmp_path: Path) -> Iterator[MeshWorld]:
    yield from world_fixture(kube_admin, namespace, tmp_path)


async def until(pilot: Any, predicate: Callable[[], Any], what: str,
                timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)


def make_app(kubeconfig: str, world: MeshWorld, *, read_only: bool = False) -> EssentialsApp:
    settings = Settings()
    settings.values["mesh.istio_root_namespace"] = world.root
    return EssentialsApp(StartOptions(kubeconfig=kubeconfig, now=NOW, settings=settings,
                                      read_only=read_only))


def cells(app: EssentialsApp) -> list[list[str]]:
    table = app.screen.query_one("#mesh-table", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def column(app: EssentialsApp, name: str) -> list[str]:
    table = app.screen.query_one("#mesh-table", DataTable)
    names = [str(c.label) for c in table.columns.values()]
    return [row[names.index(name)] for row in cells(app)]


def row_of(app: EssentialsApp, first: str) -> list[str]:
    return next(r for r in cells(app) if r[0] == first)


async def open_pane(app: EssentialsApp, pilot: Any, world: MeshWorld,
                    plugin: str = "istio") -> MeshPane:
    await until(pilot, lambda: app.session is not None, "connection")
    await pilot.press(":", *plugin, "enter")
    await until(pilot, lambda: app.screen.query(MeshPane), "the pane")
    pane = app.screen.query_one(MeshPane)
    await until(pilot, lambda: any(world.ns("ambient") == r[0] for r in cells(app))
                and any(r[0] == world.ns("linkerd") and "/" in r[2]
                        for r in cells(app)), "the namespaces")
    return pane


def current(app: EssentialsApp, col: int = 0) -> str:
    table = app.screen.query_one("#mesh-table", DataTable)
    if not table.row_count:
        return ""
    return str(table.get_row_at(table.cursor_row)[col])


async def goto(pilot: Any, app: EssentialsApp, first: str, col: int = 0) -> None:
    """Move the cursor by keys to the row whose column ``col`` is ``first``."""
    await until(pilot, lambda: first in [r[col] for r in cells(app)], first)
    await pilot.press("g")
    for _ in range(len(cells(app)) + 1):
        await pilot.pause()
        if current(app, col) == first:
            return
        await pilot.press("j")
    raise AssertionError(f"no row {first}")


async def test_coverage_drill_down_views_and_escape(world, kubeconfig) -> None:
    app = make_app(kubeconfig, world)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_pane(app, pilot, world)
        istio = row_of(app, world.ns("istio"))
        assert istio[1:7] == ["istio", "istio-injection=enabled", "66% 2/3", "2",
                              "PERMISSIVE", "1"]
        assert row_of(app, world.ns("canary"))[5] == "STRICT"
        summary = str(app.screen.query_one("#mesh-summary", Static).render())
        assert "80% of meshed pods have a proxy (8/10, 5 ns)" in summary
        assert "proxies >1 minor behind" in summary
        # enter: the namespace's pods; escape: back to the namespaces, same row
        await goto(pilot, app, world.ns("istio"))
        await pilot.press("enter")
        await until(pilot, lambda: "POD" in [str(c.label) for c in app.screen.query_one(
            "#mesh-table", DataTable).columns.values()], "the pods view")
        assert set(column(app, "POD")) == {"web-1", "web-2", "db-0", "batch"}
        detail = {r[1]: r for r in cells(app)}
        assert detail["web-2"][2:6] == ["none", "-", "-", "yes"]
        assert detail["db-0"][2:5] == ["native", "1.28.2", "problem"]
        assert detail["batch"][2] == "opt-out"
        await pilot.press("escape")
        await until(pilot, lambda: "INJECTION" in [str(c.label) for c in app.screen.query_one(
            "#mesh-table", DataTable).columns.values()], "the namespaces again")
        assert current(app) == world.ns("istio")
        # "/" filters, escape leaves the box then clears the filter
        await pilot.press("/", *world.ns("ambient")[-7:], "enter")
        await until(pilot, lambda: len(cells(app)) == 1, "the filter")
        await pilot.press("escape")
        await until(pilot, lambda: len(cells(app)) > 1, "the filter cleared")
        # versions, security, analyze
        await pilot.press("3")
        await until(pilot, lambda: any("problem" in " ".join(r) for r in cells(app)), "skew")
        assert any(r[:2] == ["control plane", "istio"] and "canary" in r for r in cells(app))
        await pilot.press("4")
        await until(pilot, lambda: any("web-off" in " ".join(r) for r in cells(app)), "mTLS")
        await pilot.press("5")
        await until(pilot, lambda: any("missing-cert" in " ".join(r) for r in cells(app)),
                    "analyze")
        assert {r[2] for r in cells(app) if r[1] == world.ns("istio")} == \
            {"web-routes", "web-subsets", "edge"}
        # "?" lists the pane's own keys
        await pilot.press("question_mark")
        await until(pilot, lambda: type(app.screen).__name__ == "HelpScreen", "help")
        shown = "\n".join(painted_text(app))
        for words in ("Injection on/off", "Restart all", "Filter"):
            assert words in shown
        await pilot.press("escape")
        await until(pilot, lambda: app.screen.query(MeshPane), "the pane again")
        await pilot.press("escape")
        await until(pilot, lambda: not app.screen.query(MeshPane), "back to the board")


async def test_restart_and_injection_through_the_confirm_dialog(world, kube_admin,
                                                               kubeconfig) -> None:
    app = make_app(kubeconfig, world)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_pane(app, pilot, world)
        await goto(pilot, app, world.ns("istio"))
        await pilot.press("R")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "confirmation")
        mutation = app.screen.mutation
        ns = world.ns("istio")
        assert mutation.command == \
            f"kubectl rollout restart statefulset/db deployment/web -n {ns}"
        assert mutation.details == ["restart statefulset/db", "restart deployment/web"]
        await pilot.press("n")
        await until(pilot, lambda: not isinstance(app.screen, ConfirmScreen), "cancelled")
        # one pod's workload
        await pilot.press("enter")
        await until(pilot, lambda: "POD" in [str(c.label) for c in app.screen.query_one(
            "#mesh-table", DataTable).columns.values()], "the pods view")
        await goto(pilot, app, "web-2", col=1)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "confirmation")
        assert app.screen.mutation.command == f"kubectl rollout restart deployment/web -n {ns}"
        await pilot.press("y")
        await until(pilot, lambda: (kube_admin.get("apps/v1", "deployments", "web", ns)[
            "spec"]["template"]["metadata"].get("annotations") or {}).get(
            "kubectl.kubernetes.io/restartedAt") == "2026-12-06T12:00:00Z", "the patch")
        await pilot.press("escape")
        # injection off for the "off" namespace? it is not listed: toggle on "clean" (Linkerd
        # annotated) from the Istio pane adds Istio's label
        await goto(pilot, app, world.ns("canary"))
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "confirmation")
        assert app.screen.mutation.command == \
            f"kubectl label namespace {world.ns('canary')} istio-injection- istio.io/rev-"
        await pilot.press("y")
        await until(pilot, lambda: "istio.io/rev" not in kube_admin.get(
            "v1", "namespaces", world.ns("canary"))["metadata"]["labels"], "the label gone")
        # "a" lists the namespaces without a mesh: "e" turns Istio injection on there
        await pilot.press("a")
        await goto(pilot, app, world.ns("off"))
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "confirmation")
        assert app.screen.mutation.command == \
            f"kubectl label namespace {world.ns('off')} istio-injection=enabled --overwrite"
        await pilot.press("y")
        await until(pilot, lambda: kube_admin.get("v1", "namespaces", world.ns("off"))[
            "metadata"]["labels"].get("istio-injection") == "enabled", "the label set")
        # the namespace is meshed now: its pod has no proxy and needs a restart (bare pod)
        await until(pilot, lambda: row_of(app, world.ns("off"))[3] == "0% 0/1", "coverage")
    actions = [(e["action"], e["result"]) for e in audit.read()]
    assert ("mesh.restart", "ok") in actions and ("mesh.injection", "ok") in actions


async def test_read_only_refuses_and_hostile_text_stays_clean(world, kube_admin, kubeconfig,
                                                             monkeypatch) -> None:
    from k8s_essentials_tui.plugins.mesh import pane as pane_module
    from testkit import mesh as m
    from testkit.hostile import WORST

    # the report is built in a thread here (as for big clusters), not on the event loop
    monkeypatch.setattr(pane_module, "THREAD_FROM", 0)

    ns = world.ns("linkerd")
    # annotations and Gateway fields are free text: they reach the version and analyze cells
    evil = m.with_linkerd(m.pod("evil", ns), "edge-26.8.4")
    evil["metadata"]["annotations"]["linkerd.io/proxy-version"] = WORST
    kube_admin.create(evil)
    kube_admin.create({"apiVersion": "networking.istio.io/v1", "kind": "Gateway",
                       "metadata": {"name": "evil", "namespace": ns},
                       "spec": {"servers": [{"port": {"number": 443, "name": "h",
                                                      "protocol": "HTTPS"},
                                             "hosts": ["x.example.com"],
                                             "tls": {"mode": "SIMPLE",
                                                     "credentialName": WORST}}]}})
    app = make_app(kubeconfig, world, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_pane(app, pilot, world)
        assert_screen_clean(app)
        await goto(pilot, app, ns)
        await pilot.press("R")
        await pilot.pause(0.2)
        assert not isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")
        await until(pilot, lambda: "evil" in column(app, "POD"), "the hostile pod")
        assert_screen_clean(app)
        for view in "345":
            await pilot.press(view)
            await pilot.pause(0.2)
            assert_screen_clean(app)
    assert ("mesh.restart", "refused") in [(e["action"], e["result"]) for e in audit.read()]
