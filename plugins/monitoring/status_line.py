"""The monitoring pane's one-line status, fitted to the terminal by cells.

Why its own function: at 80 columns two long Service names (``a-long-namespace/
kube-prometheus-stack-alertmanager:http-web`` twice) cut the line before its end, and the
part cut first was what mattered most (a server's error, the Prometheus version). Here the
facts are ordered by importance -- errors first, then each server and the Prometheus
version, then where they are reached -- and each has shorter forms: the line takes the most
detail that fits at one level for all facts (two servers read alike), then more where it
still fits, most important first; an ellipsis cuts only what cannot fit at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from k8s_essentials_tui.api import clean, fit, width

SEP = " · "


@dataclass(frozen=True)
class Fact:
    """One fact, its forms from the longest to the shortest (never empty)."""

    forms: tuple[str, ...]


def server_fact(name: str, namespace: str, service: str, port: str, url: str,
                version: str = "") -> Fact:
    """A server reached through the apiserver (namespace/service:port) or at a URL."""
    tail = f" ({version})" if version else ""
    if url:
        return Fact((f"{name} {url}{tail}", f"{name}{tail}"))
    return Fact((f"{name} {namespace}/{service}:{port}{tail}", f"{name} {service}{tail}",
                 f"{name}{tail}"))


def fit_status(facts: Sequence[Fact], cells: int) -> str:
    """The facts joined: the longest forms that fit at one level of detail for all, then a
    longer form for each fact where it still fits, most important first. Cut with an
    ellipsis only when even the shortest forms do not fit."""
    forms = [[clean(f) for f in fact.forms] for fact in facts]
    deepest = max((len(f) for f in forms), default=1)
    chosen: list[int] = []

    def line() -> str:
        return SEP.join(f[i] for f, i in zip(forms, chosen, strict=True))

    # first the same level of detail for all (two servers read alike), the most that fits
    for level in range(deepest):
        chosen = [min(level, len(f) - 1) for f in forms]
        if width(line()) <= cells:
            break
    # then more detail where it fits, most important first
    for index, options in enumerate(forms):
        for longer in range(len(options)):
            before, chosen[index] = chosen[index], longer
            if width(line()) <= cells:
                break
            chosen[index] = before
    return fit(line(), cells, pad=False)
