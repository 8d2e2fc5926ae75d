"""Silences as mutations: create and expire, each with the equivalent ``amtool`` command.

Why through ``Mutation``/``execute``: a silence hides pages from the on-call; creating or
expiring one is a change to shared state like any cluster write, so it is confirmed,
refused in read-only mode, and written to the audit log with a command the operator could
have typed (``amtool silence add …`` / ``amtool silence expire …``). Through the apiserver
the RBAC check is ``create``/``delete`` on ``services/proxy`` in Alertmanager's namespace.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from k8s_essentials_tui.api import SERVICES, Mutation, Permission, shell_join

from .client import AlertmanagerClient, Endpoint
from .model import Matcher
from .promql import format_duration

#: where a port-forward puts Alertmanager for amtool (its default port)
LOCAL_URL = "http://127.0.0.1:9093"


def amtool_url(endpoint: Endpoint) -> tuple[str, list[str]]:
    """The ``--alertmanager.url`` for amtool, and the lines to show before (a port-forward
    when Alertmanager is reached through the apiserver)."""
    svc = endpoint.service
    if svc is None:
        return endpoint.url, []
    forward = shell_join(["kubectl", "port-forward", "-n", svc.namespace,
                          f"svc/{svc.name}", f"9093:{svc.port}"])
    return LOCAL_URL, [f"amtool needs a URL: first run {forward}"]


def _permission(endpoint: Endpoint, verb: str) -> tuple[Permission, ...]:
    svc = endpoint.service
    if svc is None:
        return ()
    return (Permission(verb, SERVICES, svc.namespace, subresource="proxy"),)


def create_mutation(client: AlertmanagerClient, matchers: Sequence[Matcher], *,
                    duration: timedelta, comment: str, author: str, now: datetime,
                    result: list[str] | None = None) -> Mutation:
    """Create a silence from ``now`` for ``duration``; the new id is appended to ``result``."""
    if not matchers:
        raise ValueError("a silence needs at least one matcher")
    if not comment.strip():
        raise ValueError("a silence needs a comment (why it is silenced)")
    url, before = amtool_url(client.endpoint)
    dur = format_duration(duration)
    argv = ["amtool", "silence", "add", f"--alertmanager.url={url}", f"--author={author}",
            f"--duration={dur}", f"--comment={comment}", *[str(m) for m in matchers]]

    async def run() -> str:
        sid = await client.create_silence(matchers, starts_at=now, ends_at=now + duration,
                                          created_by=author, comment=comment)
        if result is not None:
            result.append(sid)
        return f"silence {sid} created for {dur}"

    what = ", ".join(str(m) for m in matchers)
    return Mutation(
        action="monitoring.silence.create", title=f"Silence {what} for {dur}",
        command=shell_join(argv), run=run, permissions=_permission(client.endpoint, "create"),
        details=[*before, f"Alertmanager: {client.description}", f"author: {author}",
                 f"comment: {comment}"])


def expire_mutation(client: AlertmanagerClient, silence_id: str, *, what: str = ""
                    ) -> Mutation:
    url, before = amtool_url(client.endpoint)
    argv = ["amtool", "silence", "expire", f"--alertmanager.url={url}", silence_id]

    async def run() -> str:
        await client.expire_silence(silence_id)
        return f"silence {silence_id} expired"

    return Mutation(
        action="monitoring.silence.expire", title=f"Expire silence {silence_id}",
        command=shell_join(argv), run=run, permissions=_permission(client.endpoint, "delete"),
        details=[*before, f"Alertmanager: {client.description}",
                 *([f"matchers: {what}"] if what else [])])


async def kube_user(session: object) -> str:
    """Who the kubeconfig authenticates as (SelfSubjectReview), for ``createdBy``; falls
    back to the kubeconfig context's user name, then $USER."""
    import getpass

    client = getattr(session, "client", None)
    if client is not None:
        try:
            resp = await client.request(
                "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews",
                what="who am I", json_body={"apiVersion": "authentication.k8s.io/v1",
                                            "kind": "SelfSubjectReview"})
            name = ((resp.json().get("status") or {}).get("userInfo") or {}).get("username")
            if name:
                return str(name)
        except Exception:  # an old apiserver or no permission: fall back below
            pass
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "k8s-essentials-tui"
