"""A Helm release owned by GitOps needs a second, explicit confirmation in the Helm
releases pane (real apiserver; the release is a stored Helm Secret whose manifest carries
helm-controller's origin labels, as Flux leaves it)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from textual.widgets import Button, Input, Label

from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.plugins.helm_releases.pane import ReleasesPane
from k8s_essentials_tui.screens.confirm import ConfirmScreen
from testkit.helm_release import release_secret
from tests.conftest import FIXED_NOW

pytestmark = pytest.mark.e2e

FLUX_MANIFEST = """---
apiVersion: v1
kind: ConfigMap
metadata:
  name: podinfo
  labels:
    helm.toolkit.fluxcd.io/name: podinfo
    helm.toolkit.fluxcd.io/namespace: flux-system
"""


async def until(pilot: Any, predicate: Callable[[], Any], what: str,
                timeout: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)


async def test_uninstalling_a_flux_owned_release_asks_twice(kube_admin, kubeconfig,
                                                            namespace) -> None:
    kube_admin.create(release_secret("podinfo", namespace, chart="podinfo",
                                     manifest=FLUX_MANIFEST))
    kube_admin.create(release_secret("plain", namespace, manifest="kind: ConfigMap\n"))
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=namespace,
                                     now=FIXED_NOW))
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.session is not None, "connection")
        app.open_plugin("helm")
        await until(pilot, lambda: app.screen.query(ReleasesPane), "the pane")
        pane = app.screen.query_one(ReleasesPane)
        await until(pilot, lambda: pane.query_one("#releases").row_count == 2, "releases")
        table = pane.query_one("#releases")
        names = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]  # NAMESPACE, NAME
        await pilot.press(*(["j"] * names.index("podinfo")))
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "confirmation")
        confirm = app.screen
        assert "managed by GitOps: this release belongs to Flux HelmRelease " \
            "flux-system/podinfo" in confirm.mutation.second_confirmation
        confirm.query_one("#typed", Input).value = "podinfo"
        await pilot.pause()
        confirm.action_confirm()  # the first confirmation only arms the second
        await pilot.pause()
        assert app.screen is confirm
        assert "will revert this change" in str(confirm.query_one("#title", Label).render())
        assert str(confirm.query_one("#confirm", Button).label) == "Yes, really"
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, ConfirmScreen), "cancelled")
        # a release no GitOps tool owns: one confirmation, as before
        await pilot.press("g", *(["j"] * names.index("plain")), "d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "confirmation")
        assert app.screen.mutation.second_confirmation == ""
