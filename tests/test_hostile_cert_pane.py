"""The certificates pane over a hostile seed on the real apiserver (issue #15): DNS names,
issuer names, condition messages and events carrying escape sequences, markup and Hangul are
shown with their control characters made visible; nothing reaches the terminal raw, and the
pane keeps running. Keyboard only."""

from __future__ import annotations

import pytest

from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.plugins.cert_manager.detail import CertDetailScreen
from testkit import hostile
from testkit.wait import wait_until
from tests import cert_fixtures as f
from tests.test_cert_pane import NOW, open_pane

pytestmark = pytest.mark.e2e


async def test_hostile_certificates_are_shown_not_sent(kube_admin, kubeconfig,
                                                        namespace) -> None:
    f.seed_hostile(kube_admin, namespace, NOW)
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=namespace, now=NOW))
    async with app.run_test(size=(140, 40)) as pilot:
        pane = await open_pane(pilot)
        assert {r.name for r in pane.view_rows} >= {"evil", "evil2"}
        await pilot.pause()
        hostile.assert_screen_clean(app)
        painted = "\n".join(hostile.painted_text(app))
        assert "␛]0;pwned" in painted and "[/]x" in painted
        # the detail of the first row (evil: the soonest expiry), with its event
        await pilot.press("g", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CertDetailScreen))
        await pilot.pause(0.3)
        hostile.assert_screen_clean(app)
        assert "Bad␛[2J" in "\n".join(hostile.painted_text(app))
        await pilot.press("escape")
        await pilot.pause()
        # the issuer filter lists the hostile issuer names
        await pilot.press("I")
        await pilot.pause()
        hostile.assert_screen_clean(app)
        await pilot.press("escape")
        await pilot.pause()
        assert pane.is_attached and app.return_code is None
        hostile.assert_screen_clean(app)
