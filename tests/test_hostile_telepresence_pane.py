"""The Telepresence pane over hostile CLI output (issue #15): workload and intercept names,
clients, reasons, the context and error text from the (fake) telepresence CLI carry escape
sequences, markup and Hangul; they are shown with control characters made visible, never
sent to the terminal, and the pane keeps running. Keyboard only."""

from __future__ import annotations

from pathlib import Path

import pytest

from testkit import hostile
from testkit.fake_telepresence import CLIENT, FakeTelepresence
from testkit.wait import wait_until
from tests.test_telepresence_pane import cells, make_app, notice, open_pane


def hostile_state() -> dict[str, object]:
    def wl(name: str, reason: str = "") -> dict[str, object]:
        return {"name": name, "namespace": "shop", "kind": "Deployment",
                "ports": [{"name": f"http{hostile.OSC52}", "port": 80}],
                "not_interceptable_reason": reason, "agent": False}

    return {
        "user_daemon": True, "root_daemon": True, "connected": True,
        "context": f"ctx{hostile.OSC_TITLE}", "server": hostile.CLEAR,
        "namespace": "shop", "manager_namespace": "ambassador", "client": CLIENT,
        "workloads": [wl(f"evil{hostile.OSC_TITLE}"), wl(hostile.MARKUP_CLOSE),
                      wl(hostile.HANGUL, reason=hostile.WORST), wl("plain")],
        "intercepts": [
            {"name": f"ic{hostile.CLEAR}", "client": f"mallory{hostile.OSC52}",
             "namespace": "shop", "workload": hostile.MARKUP_CLOSE, "kind": "Deployment",
             "mechanism": "http", "mechanism_args": [f"--http-header={hostile.MARKUP_LINK}"],
             "local_port": 8080, "service_port": 80, "port_identifier": hostile.C1_CSI,
             "service_name": "x"}],
    }


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeTelepresence:
    f = FakeTelepresence(tmp_path / "tp", seed=False)
    f.write_state(hostile_state())
    f.install(monkeypatch)
    return f


async def test_hostile_cli_output_is_shown_not_sent(fake: FakeTelepresence) -> None:
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        pane = await open_pane(pilot)
        await wait_until(pilot, lambda: len(cells(pane)) == 4, what="workloads listed")
        await pilot.pause()
        hostile.assert_screen_clean(app)
        screen = "\n".join(hostile.painted_text(app))
        assert "evil␛]0;pwned" in screen and "[/]x" in screen
        # the intercept form lists the hostile names
        await pilot.press("I")
        await pilot.pause(0.2)
        hostile.assert_screen_clean(app)
        await pilot.press("escape")
        await pilot.pause()
        # the CLI's error text
        fake.fail("list", err=f"boom {hostile.WORST}")
        await pilot.press("r")
        await wait_until(pilot, lambda: "boom" in notice(pane), what="the error")
        await pilot.pause()
        hostile.assert_screen_clean(app)
        assert pane.is_attached and app.return_code is None
