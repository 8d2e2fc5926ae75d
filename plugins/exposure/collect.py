"""Read the model's inputs with one list per resource type (headless; the pane uses the
shared watch caches instead). A type that is not served (no Gateway API CRDs) is empty, not
an error; a forbidden Secret list makes TLS "not readable" rather than "missing".
"""

from __future__ import annotations

from typing import Any

from k8s_essentials_tui.api import (
    DEPLOYMENTS,
    SECRETS,
    ClusterError,
    ClusterSession,
    ForbiddenError,
    NotFoundError,
    ResourceType,
)

from . import GATEWAYS, SOURCES
from .model import Inputs

#: fields of :class:`Inputs` by resource plural
FIELD_OF: dict[str, str] = {
    "ingresses": "ingresses", "ingressclasses": "ingress_classes", "services": "services",
    "endpointslices": "endpoint_slices", "gatewayclasses": "gateway_classes",
    "gateways": "gateways", "httproutes": "http_routes", "grpcroutes": "grpc_routes",
    "secrets": "tls_secrets", "deployments": "deployments",
}
#: listed across namespaces whatever ``-n`` says: controllers and Gateways live elsewhere
CLUSTER_WIDE: frozenset[ResourceType] = frozenset({DEPLOYMENTS, GATEWAYS})


async def collect(session: ClusterSession, namespace: str | None
                  ) -> tuple[Inputs, list[str]]:
    """(inputs, errors): what could be read, and one line per list that failed."""
    inputs = Inputs()
    errors: list[str] = []
    for rtype, labels, fields in SOURCES:
        scope = None if rtype in CLUSTER_WIDE else namespace
        items: list[dict[str, Any]] = []
        try:
            try:
                items, _rv = await session.client.list(rtype, scope, label_selector=labels,
                                                       field_selector=fields)
            except ForbiddenError:
                if scope is None and namespace and rtype.namespaced:
                    items, _rv = await session.client.list(
                        rtype, namespace, label_selector=labels, field_selector=fields)
                else:
                    raise
        except NotFoundError:
            items = []  # the type is not served (Gateway API not installed)
        except ForbiddenError as exc:
            if rtype == SECRETS:
                inputs.secrets_unreadable = "not readable (no permission)"
            else:
                errors.append(str(exc))
        except ClusterError as exc:
            errors.append(str(exc))
        setattr(inputs, FIELD_OF[rtype.plural], items)
    return inputs, errors
