"""Typed errors with a human message.

Everything that can go wrong talking to a cluster or a tool ends up as a subclass of
``EssentialsError`` so the UI and the headless commands can show one clear line instead of a
traceback. ``str(err)`` is always that line.
"""

from __future__ import annotations


class EssentialsError(Exception):
    """Base class: ``str(self)`` is a one-line message fit for a user."""

    #: short machine-readable kind, used in JSON output and tests
    kind = "error"

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(EssentialsError):
    """The kubeconfig or the app's own config file is missing or wrong."""

    kind = "config"


class NoKubeconfigError(ConfigError):
    """There is no kubeconfig at all: the UI explains how to connect."""

    kind = "no-kubeconfig"


class ClusterError(EssentialsError):
    """A request to the apiserver failed."""

    kind = "cluster"

    def __init__(self, message: str, *, status: int | None = None, reason: str = "",
                 hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.reason = reason
        #: the apiserver's own message (a ``Status`` body's ``message``), kept apart from
        #: the one-line text: an admission denial is read from it even on a 403
        self.server_message = ""


class UnreachableError(ClusterError):
    kind = "unreachable"


class TLSError(ClusterError):
    kind = "tls"


class TimeoutError_(ClusterError):
    kind = "timeout"


class UnauthorizedError(ClusterError):
    kind = "unauthorized"


class ForbiddenError(ClusterError):
    kind = "forbidden"


class NotFoundError(ClusterError):
    kind = "not-found"


class ConflictError(ClusterError):
    kind = "conflict"


class GoneError(ClusterError):
    """410: the resourceVersion is too old; the cache re-lists."""

    kind = "gone"


class InvalidError(ClusterError):
    """422/400: the server refused the object; the message lists the fields."""

    kind = "invalid"


class ToolError(EssentialsError):
    """An external CLI (helm, telepresence) is missing or failed."""

    kind = "tool"


def status_error(status: int, body: dict | str | None, what: str) -> ClusterError:
    """Turn an HTTP error status and a Kubernetes ``Status`` body into a typed error.

    ``what`` describes the request ("list secrets in velero"), so the message reads like
    kubectl's: ``forbidden: cannot list secrets in velero: <server message>``.
    """
    message = ""
    reason = ""
    if isinstance(body, dict):
        message = str(body.get("message") or "")
        reason = str(body.get("reason") or "")
    elif isinstance(body, str):
        message = body.strip().splitlines()[0][:300] if body.strip() else ""
    cls: type[ClusterError]
    prefix: str
    if status == 401:
        cls, prefix = UnauthorizedError, "unauthorized (credentials rejected)"
    elif status == 403:
        cls, prefix = ForbiddenError, f"forbidden: cannot {what}"
    elif status == 404:
        cls, prefix = NotFoundError, f"not found: {what}"
    elif status == 409:
        cls, prefix = ConflictError, f"conflict: {what}"
    elif status == 410:
        cls, prefix = GoneError, f"gone (resource version too old): {what}"
    elif status in (400, 422):
        cls, prefix = InvalidError, f"invalid: {what}"
    elif status == 504:
        cls, prefix = TimeoutError_, f"timeout: {what}"
    else:
        cls, prefix = ClusterError, f"HTTP {status}: {what}"
    text = f"{prefix}: {message}" if message and status != 403 else prefix
    err = cls(text, status=status, reason=reason)
    err.server_message = message
    return err
