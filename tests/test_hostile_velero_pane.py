"""The Velero pane over a hostile seed on the real apiserver (issue #15): storage
locations, providers, buckets, cron strings, status messages, validation errors and a
253-character backup name. Control characters are shown, never sent; markup is text; the
long name is cut in its column (the other columns stay on screen) and whole in the detail."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from textual.widgets import DataTable

from k8s_essentials_tui.app import EssentialsApp
from k8s_essentials_tui.plugins.velero.detail import VeleroDetailScreen
from testkit import hostile
from testkit.velero_server import FIXED_NOW, VeleroServer, ts
from testkit.wait import wait_until
from tests.test_velero_pane import V1, make_app, open_pane

pytestmark = pytest.mark.e2e
LONG = "b" * 253


def seed_hostile(admin: Any, ns: str) -> None:
    """Objects a tenant with write access to Velero's namespace (or a broken controller)
    could leave: every free-text field carries hostile strings."""
    srv = VeleroServer(admin, ns, FIXED_NOW)
    srv.add_bsl("evil-bsl", phase="Unavailable", default=False, message=hostile.WORST,
                provider=hostile.OSC_TITLE, bucket=hostile.HANGUL + hostile.MARKUP_CLOSE)
    srv.add_backup("ok-backup", started=FIXED_NOW - timedelta(hours=3))
    srv.add_backup(LONG)
    start = ts(FIXED_NOW - timedelta(hours=2))
    admin.create({"apiVersion": V1, "kind": "Backup",
                  "metadata": {"name": "evil-backup", "namespace": ns},
                  "spec": {"includedNamespaces": [hostile.WORST],
                           "storageLocation": hostile.CLEAR + hostile.MARKUP_CLOSE,
                           "ttl": hostile.OSC52}})
    admin.patch_status(V1, "backups", ns, "evil-backup", {
        "phase": "Failed", "startTimestamp": start, "failureReason": hostile.WORST,
        "validationErrors": [hostile.CLEAR, hostile.MARKUP_LINK, hostile.UNTERMINATED_OSC]})
    admin.create({"apiVersion": V1, "kind": "Restore",
                  "metadata": {"name": "evil-restore", "namespace": ns},
                  "spec": {"backupName": hostile.WORST}})
    admin.patch_status(V1, "restores", ns, "evil-restore", {
        "phase": f"PartiallyFailed{hostile.OSC_TITLE}", "startTimestamp": start,
        "failureReason": hostile.WORST})
    admin.create({"apiVersion": V1, "kind": "Schedule",
                  "metadata": {"name": "evil-schedule", "namespace": ns},
                  "spec": {"schedule": f"0 * * * *{hostile.OSC_TITLE}",
                           "template": {"includedNamespaces": [hostile.MARKUP_CLOSE]}}})


def painted(app: EssentialsApp) -> str:
    return "\n".join(hostile.painted_text(app))


async def test_hostile_velero_objects_are_shown_not_sent(kube_admin, kubeconfig,
                                                         namespace) -> None:
    seed_hostile(kube_admin, namespace)
    app: EssentialsApp = make_app(kubeconfig, namespace)
    async with app.run_test(size=(120, 34)) as pilot:
        pane = await open_pane(app, pilot)
        table = pane.query_one("#backups", DataTable)
        await wait_until(pilot, lambda: table.row_count == 3, what="the backups")
        await pilot.pause()
        hostile.assert_screen_clean(app)
        screen = painted(app)
        # the 253-character name is cut: the columns after it are still on screen
        assert "PHASE" in screen and "STARTED" in screen and "LOCATION" in screen
        assert LONG not in screen and "b" * 30 + "…" in screen
        assert "␛[2J␛[H[/" in screen  # the hostile storage location, as text
        for tab in ("schedules", "restores", "locations"):
            await pilot.click(f"#--content-tab-tab-{tab}")
            await wait_until(pilot, lambda t=tab: pane.query_one(f"#{t}", DataTable).row_count,
                             what=f"the {tab}")
            await pilot.pause()
            hostile.assert_screen_clean(app)
        # the detail of each backup: the whole long name, the hostile failure reason
        await pilot.click("#--content-tab-tab-backups")
        await pilot.pause()
        table.focus()
        for _ in range(3):
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, VeleroDetailScreen),
                             what="detail")
            await pilot.pause()
            hostile.assert_screen_clean(app)
            detail = app.screen
            assert isinstance(detail, VeleroDetailScreen)
            if detail.object_name == LONG:
                assert f"Name: {LONG}" in detail.detail_text
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press("down")
        assert pane.is_attached and app.return_code is None
