"""The app leaves when its terminal hangs up (tui/hangup.py): the real app on a real pty,
started the way a wrapper script starts it (not the session leader, so no SIGHUP reaches
it), then the terminal closed under it."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from k8s_essentials_tui import hangup

REPO = Path(__file__).resolve().parent.parent


def test_a_closed_pty_reads_as_hung_up() -> None:
    master, slave = pty.openpty()
    try:
        assert not hangup.hung_up(slave)
        os.close(master)
        assert hangup.hung_up(slave)
    finally:
        os.close(slave)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX terminals")
def test_the_app_exits_when_its_terminal_goes(tmp_path: Path) -> None:
    master, slave = pty.openpty()
    env = dict(os.environ, KUBECONFIG=str(tmp_path / "none"), TERM="xterm-256color",
               K8S_ESSENTIALS_TUI_CONFIG=str(tmp_path / "config.toml"),
               K8S_ESSENTIALS_TUI_NO_SPLASH="1", HOME=str(tmp_path))
    # Textual draws on stderr: all three ends are the terminal
    code = "import sys; from k8s_essentials_tui.cli import main; sys.exit(main())"
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=slave, stdout=slave,
                            stderr=slave, env=env, cwd=REPO, close_fds=True)
    os.close(slave)
    try:
        seen = b""
        deadline = time.monotonic() + 30
        while b"kubeconfig" not in seen and time.monotonic() < deadline:  # the board is up
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    seen += os.read(master, 65536)
                except OSError:  # EIO: the app ended (and closed the terminal's last end)
                    break
        assert b"kubeconfig" in seen, seen[-500:]
        os.close(master)  # the terminal goes away; no signal is sent to the app
        assert proc.wait(timeout=15) == hangup.STATUS
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
