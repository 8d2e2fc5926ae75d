"""Mutations: every user action that changes a cluster, described before it runs.

A ``Mutation`` carries the equivalent CLI command shown in the confirm dialog and written to
the audit log, the permission it needs (checked with SelfSubjectAccessReview before asking),
and the coroutine that does the work. The app runs all of them through one path
(``EssentialsApp.perform``): read-only check -> access check -> confirm -> run -> audit.
No Textual import here, so headless commands build the same objects.

Read-only is a property of the session (:class:`ActionContext`, carried by
``ClusterSession.actions``), enforced here in :func:`execute`, the one function that runs a
mutation: a pane, a screen or a headless command that forgets to check still cannot change
the cluster in read-only mode, and the refusal is audited.
"""

from __future__ import annotations

import shlex
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from .errors import EssentialsError
from .kube.resources import ResourceType


@dataclass(frozen=True)
class Permission:
    verb: str
    rtype: ResourceType
    namespace: str | None = None
    subresource: str = ""


@dataclass
class Mutation:
    #: stable id for the audit log ("velero.backup.create")
    action: str
    #: what the dialog asks ("Create backup nightly-1 in velero")
    title: str
    #: the user-visible equivalent command ("velero backup create ...")
    command: str
    run: Callable[[], Awaitable[str | None]]
    permissions: Sequence[Permission] = ()
    #: when set, the user must type this text to confirm (uninstall, delete)
    typed_confirmation: str | None = None
    #: extra warning shown in the dialog (e.g. "global intercept affects everyone")
    warning: str = ""
    #: a second, explicit confirmation is required (shared-namespace global intercepts)
    second_confirmation: str = ""
    #: lines of detail (what stays behind, a diff summary, ...)
    details: list[str] = field(default_factory=list)
    #: why this needs a write although it looks like a read (added to the read-only refusal,
    #: e.g. "Velero serves logs only through a DownloadRequest, an object this creates")
    why_write: str = ""
    #: a server-side dry-run: audited as "dry-run" instead of "ok" (still a cluster call)
    dry_run: bool = False


@dataclass(frozen=True)
class ActionContext:
    """Who runs mutations: the kubeconfig context (for the audit log) and whether the
    session is read-only (``--read-only`` or ``read_only = true`` in the config file)."""

    context: str
    read_only: bool = False


class ReadOnlyError(EssentialsError):
    """A mutation was refused because the session is read-only."""

    kind = "read-only"


def refusal(mutation: Mutation) -> str:
    """The one-line message for a mutation refused in read-only mode."""
    text = f"read-only mode: {mutation.title} is disabled"
    return f"{text} ({mutation.why_write})" if mutation.why_write else text


def check_writable(mutation: Mutation, ctx: ActionContext) -> None:
    """Raise :class:`ReadOnlyError` (audited as ``refused``) when the session is read-only.

    :func:`execute` calls it; callers may call it earlier to refuse before printing or
    asking anything (the app's ``perform``, headless commands)."""
    if not ctx.read_only:
        return
    from . import audit

    message = refusal(mutation)
    audit.record(context=ctx.context, action=mutation.action, command=mutation.command,
                 result="refused", detail="read-only mode")
    raise ReadOnlyError(message)


async def execute(mutation: Mutation, ctx: ActionContext) -> str | None:
    """Run a confirmed mutation and record the outcome in the audit log (ok/failed/refused).

    The one place that pairs running with auditing, for the app (after its confirm dialog)
    and the headless commands (after ``--yes`` or a prompt). Refuses every mutation of a
    read-only session (:class:`ReadOnlyError`). Errors are re-raised."""
    from . import audit

    check_writable(mutation, ctx)
    context = ctx.context
    try:
        message = await mutation.run()
    except Exception as exc:
        detail = str(exc) if isinstance(exc, EssentialsError) else f"{type(exc).__name__}: {exc}"
        audit.record(context=context, action=mutation.action, command=mutation.command,
                     result="failed", detail=detail)
        raise
    audit.record(context=context, action=mutation.action, command=mutation.command,
                 result="dry-run" if mutation.dry_run else "ok", detail=message or "")
    return message


def shell_join(argv: Sequence[str]) -> str:
    """A copy-pasteable command line."""
    return shlex.join([str(a) for a in argv])
