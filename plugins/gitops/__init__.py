"""GitOps delivery: Argo CD and Flux -- detection, board health, one pane, ``gitops``.

Two catalog entries (the board has a row per tool: ``argocd_plugin``, ``flux_plugin``) share
one package: the pane shows whichever tool runs (Applications; Kustomizations, HelmReleases
and sources), the headless ``gitops`` command covers both, and the board's health of each
tool includes what it delivers ("1 of 2 applications degraded"), read from one extra list
per delivered kind (``board_resources``), never one request per Application. No Textual.
"""

from __future__ import annotations

from .argocd_plugin import PLUGIN as ARGOCD
from .argocd_plugin import detect as detect_argocd
from .flux_plugin import PLUGIN as FLUX
from .flux_plugin import detect as detect_flux

PLUGINS = [ARGOCD, FLUX]

__all__ = ["ARGOCD", "FLUX", "PLUGINS", "detect_argocd", "detect_flux"]
