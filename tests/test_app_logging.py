"""The app shell logs what it catches (app.log) instead of hiding it: an error while
updating the status bars of the screens below the current one used to vanish in
``except Exception: pass``."""

from __future__ import annotations

import logging

import pytest

from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.widgets.status_bar import StatusBar


async def test_a_failing_status_bar_update_is_logged(monkeypatch: pytest.MonkeyPatch,
                                                     caplog: pytest.LogCaptureFixture,
                                                     tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Open help (``?``) so the board's screen is below it, make updating a status bar on a
    screen that is not the current one fail, and change the connection state (what the
    connect worker does): the app keeps running and the error, with its traceback, is in
    the log."""
    real = EssentialsApp._sync_status

    def sync(self: EssentialsApp, bar: StatusBar) -> None:
        if bar.is_attached and bar.screen is not self.screen:
            raise RuntimeError("status bar of a covered screen")
        real(self, bar)

    monkeypatch.setattr(EssentialsApp, "_sync_status", sync)
    app = EssentialsApp(StartOptions(kubeconfig=str(tmp_path / "missing-kubeconfig")))
    with caplog.at_level(logging.ERROR, logger="k8s_essentials_tui.app"):
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause(0.5)
            await pilot.press("question_mark")
            await pilot.pause(0.2)
            app.connection_state = "reconnecting"
            await pilot.pause(0.2)
    errors = [r for r in caplog.records if r.exc_info]
    assert errors and "status bar" in errors[0].getMessage()
    assert "status bar of a covered screen" in str(errors[0].exc_info[1])
