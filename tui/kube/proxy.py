"""URLs for in-cluster HTTP services reached through the apiserver's service proxy.

Why: a bastion user often has only a kubeconfig. ``/api/v1/namespaces/NS/services/NAME:PORT/
proxy/PATH`` lets us query Loki, Prometheus or Jaeger with the same credentials, no
port-forward and no extra network path.
"""

from __future__ import annotations

from urllib.parse import quote


def service_proxy_path(namespace: str, service: str, port: str | int | None = None,
                       path: str = "", scheme: str = "") -> str:
    """``/api/v1/namespaces/NS/services/[scheme:]NAME[:PORT]/proxy/PATH``."""
    target = quote(service, safe="")
    if scheme:
        target = f"{scheme}:{target}"
    if port not in (None, ""):
        target = f"{target}:{port}"
    path = path.lstrip("/")
    return f"/api/v1/namespaces/{quote(namespace, safe='')}/services/{target}/proxy/{path}"
