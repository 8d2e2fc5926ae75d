"""Monitoring: kube-prometheus-stack (Prometheus + Alertmanager) and Grafana, one package.

Why together: "what is firing, what is not being scraped, where do I look" is one story for
the operator. Two catalog entries (the board shows them apart: they are installed apart),
one pane (``pane.py``: alerts, silences, targets, rules, a PromQL console with a plot, the
Grafana facts) and three headless commands (``alerts``, ``promql``, ``silence``).

Modules: ``stack``/``grafana`` catalog entries (no Textual, no HTTP), ``model`` the pure
parsing of the servers' answers, ``client`` the HTTP clients and service discovery,
``silences`` the mutations, ``plot`` the braille plot, ``promql`` console helpers.
"""

from __future__ import annotations

from .grafana import PLUGIN as GRAFANA
from .stack import PLUGIN as STACK

PLUGINS = (STACK, GRAFANA)
