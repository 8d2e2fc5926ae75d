"""Render a kustomization directory with the operator's own tool, never in-process.

Why a subprocess: kustomize's semantics (generators, patches, load restrictions) are what
``kubectl apply -k`` will do; re-implementing them would preview something else. The tool is
``[kustomize] binary`` (a standalone ``kustomize build``) when configured, else ``kubectl
kustomize`` (``[kustomize] kubectl`` or ``kubectl`` on PATH), else ``kustomize`` on PATH.
The run goes through the api's process runner (own process group, timeout, nothing blocks
the event loop); its stderr is untrusted text and is cleaned before anyone shows it.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from typing import Any

from k8s_essentials_tui.api import (
    ProcessTimeout,
    ToolError,
    clean,
    run_process,
    shell_join,
)

DEFAULT_TIMEOUT = 60.0
#: how much of the tool's stderr a one-line error quotes (kubectl's are long chains)
MAX_MESSAGE = 600
MISSING = ("neither kubectl nor kustomize found on PATH "
           "(set [kustomize] kubectl or binary in config.toml)")


class RenderError(ToolError):
    """The tool is missing, timed out, or refused the kustomization (exit 2 headless)."""


@dataclass(frozen=True)
class Renderer:
    """How to render: ``argv`` before the directory, and the name shown to the operator."""

    argv: tuple[str, ...]
    shown: str

    def command(self, directory: str) -> str:
        return shell_join([*self.argv, directory])


def _executable(configured: str) -> str | None:
    """A configured path (must exist and be executable) or a bare name looked up on PATH."""
    if os.sep in configured:
        return configured if os.path.isfile(configured) and os.access(configured, os.X_OK) \
            else None
    return shutil.which(configured)


def _setting(settings: Any, key: str) -> str:
    if settings is None or not hasattr(settings, "get"):
        return ""
    return str(settings.get(f"kustomize.{key}") or "")


def find_renderer(settings: Any) -> Renderer:
    """The renderer the settings and PATH give; :class:`RenderError` with one line when none.

    A configured path that does not exist is an error naming it (not a silent fallback: the
    operator chose that binary for a reason, e.g. a newer kustomize)."""
    binary = _setting(settings, "binary")
    if binary:
        found = _executable(binary)
        if found is None:
            raise RenderError(f"[kustomize] binary {binary!r} not found or not executable")
        return Renderer((found, "build"), "kustomize build")
    kubectl = _setting(settings, "kubectl")
    if kubectl:
        found = _executable(kubectl)
        if found is None:
            raise RenderError(f"[kustomize] kubectl {kubectl!r} not found or not executable")
        return Renderer((found, "kustomize"), "kubectl kustomize")
    if found := shutil.which("kubectl"):
        return Renderer((found, "kustomize"), "kubectl kustomize")
    if found := shutil.which("kustomize"):
        return Renderer((found, "build"), "kustomize build")
    raise RenderError(MISSING)


def timeout_of(settings: Any) -> float:
    value = settings.get("kustomize.timeout") if settings is not None and hasattr(
        settings, "get") else None
    return float(value) if isinstance(value, (int, float)) and value > 0 else DEFAULT_TIMEOUT


#: kubectl >= 1.35 logs a failure as a klog line: ``E1206 16:41:48.537624  6501 run.go:72]
#: "command failed" err="accumulating resources: ..."``; the operator needs the err part
_KLOG = re.compile(r'^[EWIF]\d{4} [\d:.]+\s+\d+ [^\]]+\] "command failed" err="(.*)"$')


def _message(line: str) -> str:
    match = _KLOG.match(line.strip())
    if match is None:
        return line.strip().removeprefix("error: ")
    return match.group(1).replace('\\"', '"').replace("\\\\", "\\")


def one_line(stderr: str, limit: int = MAX_MESSAGE) -> str:
    """The tool's message as one cleaned line (klog framing removed, control characters
    made visible, cut to ``limit`` characters)."""
    text = " ".join(_message(part) for part in stderr.splitlines() if part.strip())
    text = clean(text)
    return text if len(text) <= limit else text[:limit - 1] + "…"


async def render(renderer: Renderer, directory: str, *, timeout: float = DEFAULT_TIMEOUT) -> str:
    """The rendered YAML stream of ``directory``; :class:`RenderError` on any failure."""
    argv = [*renderer.argv, directory]
    try:
        result = await run_process(argv, timeout=timeout)
    except ProcessTimeout:
        raise RenderError(f"{renderer.shown} did not finish within {timeout:g}s") from None
    except OSError as exc:
        raise RenderError(f"cannot run {renderer.shown}: {clean(str(exc))}") from None
    if not result.ok:
        message = one_line(result.stderr) or f"exit status {result.returncode}"
        raise RenderError(f"{renderer.shown} failed: {message}")
    return result.stdout
