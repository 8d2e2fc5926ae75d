"""Service mesh: Istio (sidecar and ambient) and Linkerd, one package.

Two catalog entries (``istio``, ``linkerd``: each its own board row and detection) share one
pane (``pane.py``: injection coverage, proxy skew, mTLS, analyze) and the ``mesh`` command,
because an operator asks the same questions of both and a cluster may run both. Catalog and
detection only here (no Textual); the model is in ``model.py``, ``security.py`` and
``analyze.py``, the actions in ``ops.py``.
"""

from __future__ import annotations

from .istio import PLUGIN as ISTIO
from .linkerd import PLUGIN as LINKERD

PLUGINS = [ISTIO, LINKERD]

__all__ = ["ISTIO", "LINKERD", "PLUGINS"]
