"""Test tooling: a FAKE ``telepresence`` executable and a helper to drive it.

The real daemon needs a cluster network, so tests (and ``scripts/demo``) put
``testkit/fake_telepresence`` first on PATH. The executable there is named ``telepresence``
but is clearly a fake (see fake.py); the app never knows. State lives in a directory named by
``FAKE_TELEPRESENCE_STATE``; this helper writes its config (version, failures, hangs, delays)
and reads the state back for assertions.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from .fake import demo_state

BIN_DIR = Path(__file__).resolve().parent
EXECUTABLE = BIN_DIR / "telepresence"
#: the client name the fake reports for "me" (fixed, so snapshots are deterministic)
CLIENT = "developer@workstation"


class FakeTelepresence:
    """One fake installation: a state dir plus the environment that selects it."""

    def __init__(self, state_dir: Path, *, version: str = "2.20.2", http_header: bool = False,
                 seed: bool = True) -> None:
        self.state_dir = Path(state_dir)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.config: dict[str, Any] = {"version": version, "http_header": http_header,
                                       "fail": {}, "hang": {}, "delay": {}}
        self._write_config()
        if seed:
            self.write_state(demo_state() | {"client": CLIENT})

    # -- environment -------------------------------------------------------------------------

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        env = dict(os.environ if base is None else base)
        env["PATH"] = f"{BIN_DIR}{os.pathsep}{env.get('PATH', '')}"
        env["FAKE_TELEPRESENCE_STATE"] = str(self.state_dir)
        env["FAKE_TELEPRESENCE_PYTHON"] = sys.executable
        env["FAKE_TELEPRESENCE_CLIENT"] = CLIENT
        return env

    def install(self, monkeypatch: Any) -> None:
        """Put the fake first on PATH for this test (pytest's monkeypatch)."""
        for key, value in self.env().items():
            if os.environ.get(key) != value:
                monkeypatch.setenv(key, value)

    # -- configuration -----------------------------------------------------------------------

    def _write_config(self) -> None:
        (self.state_dir / "config.json").write_text(json.dumps(self.config, indent=1),
                                                    encoding="utf-8")

    def configure(self, **values: Any) -> None:
        self.config.update(values)
        self._write_config()

    def fail(self, cmd: str, err: str = "", *, exit_code: int = 1, stderr: str = "") -> None:
        """Make ``cmd`` fail: ``err`` in the JSON wrapper, or raw ``stderr`` + exit code."""
        self.config["fail"][cmd] = {"err": err, "exit": exit_code, "stderr": stderr}
        self._write_config()

    def hang(self, cmd: str, seconds: float = 3600) -> None:
        self.config["hang"][cmd] = seconds
        self._write_config()

    def delay(self, cmd: str, seconds: float) -> None:
        self.config["delay"][cmd] = seconds
        self._write_config()

    def clear_faults(self) -> None:
        self.config.update(fail={}, hang={}, delay={})
        self._write_config()

    # -- state -------------------------------------------------------------------------------

    def write_state(self, state: dict[str, Any]) -> None:
        (self.state_dir / "state.json").write_text(json.dumps(state, indent=1),
                                                   encoding="utf-8")

    def state(self) -> dict[str, Any]:
        return json.loads((self.state_dir / "state.json").read_text(encoding="utf-8"))

    def update_state(self, **values: Any) -> None:
        state = self.state()
        state.update(values)
        self.write_state(state)

    def connect_now(self, namespace: str = "shop") -> None:
        """Start in a connected state (skips the connect step in tests that don't need it)."""
        self.update_state(user_daemon=True, root_daemon=True, connected=True,
                          namespace=namespace)

    def calls(self) -> list[list[str]]:
        path = self.state_dir / "calls.log"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]

    def intercepts(self, client: str | None = CLIENT) -> list[dict[str, Any]]:
        return [i for i in self.state()["intercepts"] if client is None or i["client"] == client]
