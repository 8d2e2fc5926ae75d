"""What the ``alerts``, ``promql`` and ``silence`` commands share: reaching a server.

A ``--…-url`` flag (or the ``[monitoring]`` setting) means a direct URL and no cluster
connection at all (as ``loki --loki-url``); otherwise the session is opened and the server's
Service is discovered and reached through the apiserver's service proxy.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from k8s_essentials_tui.api import ActionContext, read_only, settings_for, with_session

from .client import PROMETHEUS, AlertmanagerClient, PrometheusClient, direct_from_settings

T = TypeVar("T")
Client = PrometheusClient | AlertmanagerClient


async def with_client(args: argparse.Namespace, server: str, url: str,
                      body: Callable[[Any, Any], Awaitable[T]]) -> T:
    """Run ``body(client, session_or_None)`` with a client for ``server``; the client is
    closed afterwards (the session too)."""
    from .client import endpoint_for

    settings = settings_for(args)
    cls: type[Client] = PrometheusClient if server == PROMETHEUS else AlertmanagerClient
    direct = direct_from_settings(settings, server, url, args.timeout)
    if direct is not None:
        client = cls(direct, args.timeout)
        try:
            return await body(client, None)
        finally:
            await client.aclose()

    async def in_session(session: Any) -> T:
        prefer = [n for n in (getattr(args, "namespace", None), session.namespace) if n]
        ep = await endpoint_for(server, session, settings, prefer_namespaces=prefer,
                                timeout=args.timeout)
        client = cls(ep, args.timeout)
        try:
            return await body(client, session)
        finally:
            await client.aclose()

    return await with_session(args, in_session)


def action_context(args: argparse.Namespace, session: Any) -> ActionContext:
    """The session's (context, read-only) or, for a direct URL, the URL as the context."""
    if session is not None:
        ctx: ActionContext = session.actions
        return ctx
    return ActionContext(context="direct", read_only=read_only(args))
