"""The real ``helm`` binary: found once, run as an asyncio subprocess, output streamed.

Why a wrapper: every change to a release goes through helm itself (its hooks, 3-way merge
and storage are not something to re-implement), but the UI must never block on it. Lines are
handed to a callback as they arrive (the install screen shows them live), the process runs in
its own process group so cancelling the awaiting task stops helm and its children, and a
missing or broken binary becomes one clear :class:`ToolError`.

Lookup order: config key ``helm.binary`` (a path, or a name searched on PATH), then ``helm``
on PATH, then the one ``scripts/build-control-plane`` built under
``~/.cache/k8s-essentials-tui/control-plane/*/helm``.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..actions import shell_join
from ..errors import ToolError
from ..process import ProcessResult, run_process

#: on_line(stream, line): stream is "stdout" or "stderr"; line has no trailing newline
LineCallback = Callable[[str, str], None]
DEFAULT_NAME = "helm"


def _cache_candidates() -> list[Path]:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    root = base / "k8s-essentials-tui" / "control-plane"
    if not root.is_dir():
        return []
    return sorted((p / "helm" for p in root.iterdir() if (p / "helm").is_file()), reverse=True)


def find_helm(configured: str | None = None) -> str:
    """Absolute path of the helm to run; ToolError saying where it looked if none."""
    name = configured or DEFAULT_NAME
    if os.sep in name or name.startswith("~"):
        path = Path(name).expanduser()
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
        raise ToolError(f"helm not found at {path} (config key helm.binary)",
                        hint="fix helm.binary in the config file or install helm")
    found = shutil.which(name)
    if found:
        return found
    if name == DEFAULT_NAME:
        for cand in _cache_candidates():
            if os.access(cand, os.X_OK):
                return str(cand)
    raise ToolError(
        f"helm not found: {name!r} is not on PATH",
        hint="install helm 3 (https://helm.sh/docs/intro/install/) or set helm.binary "
             "in the config file",
    )


@dataclass
class HelmResult(ProcessResult):
    """A finished helm run: the shared :class:`ProcessResult` plus how to read helm's
    errors and JSON. ``args`` are helm's own arguments (without the binary and kube flags)."""

    args: list[str] = field(default_factory=list)

    def error_message(self) -> str:
        """Helm's own error ("Error: ..." lines), else the last stderr line."""
        lines = [ln.strip() for ln in self.stderr.splitlines() if ln.strip()]
        errors = [ln for ln in lines if ln.startswith("Error:")]
        if errors:
            idx = lines.index(errors[-1])
            text = " ".join(lines[idx:idx + 6]).removeprefix("Error:").strip()
            return text
        return lines[-1] if lines else f"helm exited with status {self.returncode}"

    def json(self) -> Any:
        try:
            return json.loads(self.stdout)
        except ValueError as exc:
            raise ToolError(f"helm {self.args[0]} printed no JSON: "
                            f"{self.stdout.strip()[:200]}") from exc


class HelmTool:
    """Runs helm against one kubeconfig/context (the session's)."""

    def __init__(self, binary: str | None = None, *, kubeconfig: str | None = None,
                 context: str | None = None, env: dict[str, str] | None = None,
                 configured: str | None = None) -> None:
        self._binary = binary
        self._configured = configured
        self.kubeconfig = kubeconfig
        self.context = context
        self.env = env

    @property
    def binary(self) -> str:
        if self._binary is None:
            self._binary = find_helm(self._configured)
        return self._binary

    def kube_flags(self) -> list[str]:
        flags: list[str] = []
        if self.kubeconfig:
            flags += ["--kubeconfig", str(self.kubeconfig)]
        if self.context:
            flags += ["--kube-context", self.context]
        return flags

    def display(self, args: Sequence[str]) -> str:
        """The copyable command line the user sees (``helm`` as the program name)."""
        return shell_join(["helm", *args, *self.kube_flags()])

    async def run(self, args: Sequence[str], *, on_line: LineCallback | None = None,
                  check: bool = False) -> HelmResult:
        """Run ``helm ARGS`` plus the kube flags; stream lines to ``on_line``.

        Cancelling the awaiting task terminates helm's process group (SIGTERM, then SIGKILL
        after 5 s) and re-raises ``CancelledError``. ``check`` turns a non-zero exit into a
        ToolError carrying helm's message."""
        argv = [self.binary, *args, *self.kube_flags()]
        env = {**os.environ, **(self.env or {})}
        try:
            done = await run_process(argv, env=env, on_line=on_line)
        except FileNotFoundError as exc:
            raise ToolError(f"helm not found at {self.binary}") from exc
        except PermissionError as exc:
            raise ToolError(f"helm at {self.binary} is not executable") from exc
        result = HelmResult(done.argv, done.returncode, done.stdout, done.stderr,
                            args=list(args))
        if check and not result.ok:
            raise ToolError(f"helm {args[0]} failed: {result.error_message()}")
        return result

    async def version(self) -> str:
        res = await self.run(["version", "--short"], check=True)
        return res.stdout.strip()
