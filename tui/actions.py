"""Mutations: every user action that changes a cluster, described before it runs.

A ``Mutation`` carries the equivalent CLI command shown in the confirm dialog and written to
the audit log, the permission it needs (checked with SelfSubjectAccessReview before asking),
and the coroutine that does the work. The app runs all of them through one path
(``EssentialsApp.perform``): read-only check -> access check -> confirm -> run -> audit.
No Textual import here, so headless commands build the same objects.
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


async def execute(mutation: Mutation, context: str) -> str | None:
    """Run a confirmed mutation and record the outcome in the audit log (ok/failed).

    The one place that pairs running with auditing, for the app (after its confirm dialog)
    and the headless commands (after ``--yes`` or a prompt). Errors are re-raised."""
    from . import audit

    try:
        message = await mutation.run()
    except Exception as exc:
        detail = str(exc) if isinstance(exc, EssentialsError) else f"{type(exc).__name__}: {exc}"
        audit.record(context=context, action=mutation.action, command=mutation.command,
                     result="failed", detail=detail)
        raise
    audit.record(context=context, action=mutation.action, command=mutation.command,
                 result="ok", detail=message or "")
    return message


def shell_join(argv: Sequence[str]) -> str:
    """A copy-pasteable command line."""
    return shlex.join([str(a) for a in argv])
