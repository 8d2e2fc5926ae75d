"""What ``traces`` and ``trace`` share: options and the way to Jaeger (direct or proxied)."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from k8s_essentials_tui.api import positive_seconds, settings_for

from .client import JaegerClient

T = TypeVar("T")


def add_access_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--jaeger-url", default=None, metavar="URL",
                        help="query this Jaeger URL directly instead of through the apiserver")
    parser.add_argument("--timeout", type=positive_seconds, default=30.0, metavar="S",
                        help="request timeout in seconds (default: %(default)s)")


async def with_jaeger(args: argparse.Namespace,
                      body: Callable[[JaegerClient], Awaitable[T]]) -> T:
    """Run ``body`` with a client: ``--jaeger-url``/``jaeger.url`` directly, else the
    discovered query Service through the apiserver's service proxy."""
    from .client import connect, direct_from_settings

    settings = settings_for(args)
    direct = direct_from_settings(settings, args.jaeger_url or "", args.timeout)
    if direct is not None:
        try:
            return await body(direct)
        finally:
            await direct.aclose()
    from k8s_essentials_tui.api import with_session

    async def in_session(session: Any) -> T:
        prefer = [n for n in (getattr(args, "namespace", None), session.namespace) if n]
        client = await connect(session, settings, prefer_namespaces=prefer,
                               timeout=args.timeout)
        try:
            return await body(client)
        finally:
            await client.aclose()

    return await with_session(args, in_session)
