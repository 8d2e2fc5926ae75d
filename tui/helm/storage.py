"""Where Helm keeps its releases: the storage driver ``helm`` itself would use here.

Why it matters: helm reads ``HELM_DRIVER`` (``secret`` by default, or ``configmap``, ``sql``,
``memory``). The install/upgrade flows run the real helm, which inherits this process's
environment, so an operator with ``HELM_DRIVER=configmap`` gets releases stored in
ConfigMaps. If the board and the releases pane went on reading Secrets, a release the app
itself just installed would never show. Both drivers that live in the cluster store the
same record (``sh.helm.release.v1.<name>.v<rev>``, labels ``owner=helm,name,status,version``);
only the object kind differs, and a ConfigMap's ``data`` is not base64'd by the API.
``sql`` (a database outside the cluster) and ``memory`` (nothing persisted) cannot be read
from the cluster: the app says so instead of showing an empty list as if there were no
releases.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import ConfigError
from ..kube.resources import CONFIGMAPS, SECRETS, ResourceType


@dataclass(frozen=True)
class HelmStorage:
    """The cluster objects one helm storage driver keeps its releases in."""

    rtype: ResourceType

    @property
    def noun(self) -> str:
        """For messages: "secrets (Helm releases)" reads better than the plural alone."""
        return f"{self.rtype.plural} (Helm releases)"


SECRET_STORAGE = HelmStorage(SECRETS)
CONFIGMAP_STORAGE = HelmStorage(CONFIGMAPS)

#: helm's own spellings (pkg/action: "secret", "secrets" and "" are the default)
_DRIVERS = {"": SECRET_STORAGE, "secret": SECRET_STORAGE, "secrets": SECRET_STORAGE,
            "configmap": CONFIGMAP_STORAGE, "configmaps": CONFIGMAP_STORAGE}


class UnreadableDriverError(ConfigError):
    """``HELM_DRIVER`` names storage this app cannot read from the cluster."""


def helm_storage(env: Mapping[str, str] | None = None) -> HelmStorage:
    """The storage ``HELM_DRIVER`` selects (read on every call: it is cheap, and tests and
    long sessions see a changed environment). Raises :class:`UnreadableDriverError` for
    ``sql``, ``memory`` and names helm itself would reject."""
    value = (os.environ if env is None else env).get("HELM_DRIVER", "")
    driver = value.strip().lower()
    storage = _DRIVERS.get(driver)
    if storage is not None:
        return storage
    if driver in ("sql", "memory"):
        where = "a SQL database" if driver == "sql" else "helm's memory only"
        raise UnreadableDriverError(
            f"HELM_DRIVER={value}: Helm releases are kept in {where}, not in the cluster",
            hint="this app reads releases from Secrets or ConfigMaps; unset HELM_DRIVER or "
                 "set it to secret or configmap")
    raise UnreadableDriverError(f"HELM_DRIVER={value}: not a helm storage driver",
                                hint="helm knows secret, configmap, sql and memory")


def readable_storage() -> HelmStorage | None:
    """:func:`helm_storage`, or None where the releases are not in the cluster: for the
    callers that can carry on without them (helm itself still does the work)."""
    try:
        return helm_storage()
    except UnreadableDriverError:
        return None
