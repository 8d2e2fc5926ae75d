"""The start-up splash (tui/splash.py): only on a terminal, only our own text, and the
terminal given back when the app fails before Textual takes over."""

from __future__ import annotations

import io
import sys

import pytest

from k8s_essentials_tui.splash import ALT_SCREEN_OFF, ALT_SCREEN_ON, show_splash, splash_text


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_splash_is_one_centred_line_on_the_alternate_screen() -> None:
    text = splash_text("1.2.3", 80, 24)
    assert text.startswith(ALT_SCREEN_ON)
    assert text.endswith("k8s-essentials-tui 1.2.3 - starting...")
    assert "\x1b[12;" in text  # the middle row


def test_no_splash_into_a_pipe_or_when_disabled(monkeypatch: pytest.MonkeyPatch) -> None:
    assert show_splash(io.StringIO(), "1") is False  # not a terminal
    monkeypatch.setenv("K8S_ESSENTIALS_TUI_NO_SPLASH", "1")
    out = Tty()
    assert show_splash(out, "1") is False and out.getvalue() == ""
    monkeypatch.delenv("K8S_ESSENTIALS_TUI_NO_SPLASH")
    assert show_splash(out, "1") is True and "starting..." in out.getvalue()


def test_a_start_up_error_after_the_splash_gives_the_terminal_back(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The app fails before Textual takes over: the alternate screen is left, so the error
    line lands on the normal screen, and main() exits 2 with that one line."""
    from k8s_essentials_tui import app as app_module
    from k8s_essentials_tui import cli
    from k8s_essentials_tui.errors import ConfigError

    out = Tty()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.delenv("K8S_ESSENTIALS_TUI_NO_SPLASH", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")

    def broken(*args: object, **kwargs: object) -> None:
        raise ConfigError("kubeconfig: cannot read it")

    monkeypatch.setattr(app_module, "EssentialsApp", broken)
    assert cli.main([]) == 2
    painted = out.getvalue()
    assert painted.index("starting...") < painted.rindex(ALT_SCREEN_OFF)


def test_only_a_tui_start_shows_the_splash() -> None:
    from k8s_essentials_tui.cli import starts_tui

    assert starts_tui([]) and starts_tui(["--kubeconfig", "report", "-n", "x", "--read-only"])
    for argv in (["report"], ["--help"], ["-h"], ["--version"], ["certs", "-A"], ["--", "x"]):
        assert not starts_tui(argv), argv


def test_a_usage_error_leaves_the_splash(monkeypatch: pytest.MonkeyPatch) -> None:
    from k8s_essentials_tui import cli

    out = Tty()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.delenv("K8S_ESSENTIALS_TUI_NO_SPLASH", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    with pytest.raises(SystemExit):
        cli.main(["--no-such-option"])
    assert out.getvalue().index("starting...") < out.getvalue().rindex(ALT_SCREEN_OFF)
