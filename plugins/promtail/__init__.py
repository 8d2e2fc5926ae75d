"""Promtail: Loki's original log agent, end of life since 2026-03-02 (grafana.com, Loki docs).
Detected so the board can say so and name its successor (Grafana Alloy); no chart is offered:
nobody should install it any more."""

from __future__ import annotations

from k8s_essentials_tui.api import Plugin

WORKLOAD_NAMES: tuple[str, ...] = ("promtail",)
SELECTORS: tuple[dict[str, str], ...] = ({"app.kubernetes.io/name": "promtail"},)
CHARTS: tuple[str, ...] = ("promtail", "loki-stack")

PLUGIN = Plugin(
    id="promtail",
    title="Promtail",
    category="logging",
    why="Loki's former log agent, end of life: migrate to Grafana Alloy.",
    workload_selectors=SELECTORS,
    chart_names=CHARTS,
)
