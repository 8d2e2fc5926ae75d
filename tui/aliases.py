"""``:`` aliases, k9s style: a word that names a pane or a screen exactly (``:certs``,
``:backups``, ``:ns``, ``:ctx``). Textual-free, so the table is testable on its own.

Why a table and not fuzzy search alone: an operator who types ``ns`` out of k9s habit must
get the namespace picker, not the closest fuzzy title ("Screenshot"). The palette offers an
exact alias first and its fuzzy matches after it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .plugin import Plugin

#: targets that are screens of the shell, not plugin panes
CONTEXTS, NAMESPACES, HELP, ACTIONS, BOARD, QUIT, WORKLOADS = (
    "@contexts", "@namespaces", "@help", "@actions", "@board", "@quit", "@workloads")

CORE_ALIASES: dict[str, str] = {
    "ctx": CONTEXTS, "context": CONTEXTS, "contexts": CONTEXTS,
    "ns": NAMESPACES, "namespace": NAMESPACES, "namespaces": NAMESPACES,
    "help": HELP, "keys": HELP,
    "actions": ACTIONS, "aliases": ACTIONS,
    "board": BOARD, "home": BOARD, "essentials": BOARD,
    "q": QUIT, "quit": QUIT, "q!": QUIT,
    # k9s resource views: this app has none, so say where workloads show instead
    "pods": WORKLOADS, "pod": WORKLOADS, "po": WORKLOADS, "deploy": WORKLOADS,
    "deployments": WORKLOADS, "deployment": WORKLOADS, "dp": WORKLOADS,
    "workloads": WORKLOADS, "sts": WORKLOADS, "ds": WORKLOADS,
}

#: the built-in plugins' words (a third-party plugin declares ``Plugin.aliases``)
PLUGIN_ALIASES: dict[str, tuple[str, ...]] = {
    "cert-manager": ("certs", "cert", "certificates", "certificate", "cm", "tls"),
    "velero": ("backups", "backup", "bk", "restores", "restore", "schedules"),
    "loki": ("logs", "log", "logql"),
    "helm": ("releases", "release", "charts", "hr"),
    "telepresence": ("tp", "intercepts", "intercept"),
    "argocd": ("argo", "argo-cd"),
    "flux": ("fluxcd",),
    "kube-prometheus-stack": ("prometheus", "prom", "alertmanager"),
    "external-dns": ("externaldns", "xdns"),
    "ingress-nginx": ("ing", "nginx"),
    "exposure": ("hosts", "ingresses"),  # a view (board=False), not a component
    "nginx-ingress": ("f5",),
    "gatekeeper": ("opa",),
    "jaeger": ("traces", "trace"),
}


@dataclass(frozen=True)
class Alias:
    word: str
    #: a plugin id, or one of the ``@`` targets above
    target: str
    title: str


def _norm(word: str) -> str:
    return word.strip().lstrip(":").strip().lower()


def alias_table(plugins: Iterable[Plugin]) -> dict[str, Alias]:
    """Every alias word: the core ones, each plugin's id, its declared words, and its
    area (``:logging``) when only one plugin covers that area. First one wins."""
    plugins = list(plugins)
    table: dict[str, Alias] = {}

    def add(word: str, target: str, title: str) -> None:
        table.setdefault(_norm(word), Alias(_norm(word), target, title))

    titles = {CONTEXTS: "Switch context", NAMESPACES: "Switch namespace", HELP: "Help: keys",
              ACTIONS: "Everything this screen can do", BOARD: "The essentials board",
              QUIT: "Quit", WORKLOADS: "Workloads (no pod list here)"}
    for word, target in CORE_ALIASES.items():
        add(word, target, titles[target])
    by_area: dict[str, list[Plugin]] = {}
    for p in plugins:
        if p.board:  # a view (board=False) does not take its area's word
            by_area.setdefault(p.category, []).append(p)
    for p in plugins:
        title = f"Open {p.title}"
        add(p.id, p.id, title)
        add(p.id.replace("-", ""), p.id, title)
        for word in (*p.aliases, *PLUGIN_ALIASES.get(p.id, ())):
            add(word, p.id, title)
    for area, members in by_area.items():
        if len(members) == 1:
            add(area, members[0].id, f"Open {members[0].title}")
    return table


def resolve(word: str, plugins: Iterable[Plugin]) -> Alias | None:
    """The alias ``word`` names exactly (a leading ``:`` and case are ignored)."""
    return alias_table(plugins).get(_norm(word))


__all__ = ["ACTIONS", "BOARD", "CONTEXTS", "CORE_ALIASES", "HELP", "NAMESPACES",
           "PLUGIN_ALIASES", "QUIT", "WORKLOADS", "Alias", "alias_table", "resolve"]
