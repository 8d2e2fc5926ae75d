"""Kubeconfig, contexts, in-cluster and exec/OIDC auth -- through the ``kubernetes`` package.

We do not parse kubeconfig ourselves: the ``kubernetes`` package's loader already handles
merged ``KUBECONFIG`` lists, exec credential plugins, OIDC refresh, embedded or file-based
certificates and in-cluster service accounts. We take the ``Configuration`` it fills and turn
it into settings for our own async ``httpx`` transport.

Importing ``kubernetes`` costs ~0.3 s, so this module imports it lazily, inside functions that
run in a worker after the first frame.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError, NoKubeconfigError


@dataclass(frozen=True)
class ContextInfo:
    name: str
    cluster: str = ""
    user: str = ""
    namespace: str = ""
    current: bool = False


@dataclass
class ConnectionSettings:
    """Everything the HTTP transport needs, independent of the ``kubernetes`` package."""

    server: str
    context: str
    namespace: str = "default"
    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    verify: bool = True
    tls_server_name: str | None = None
    proxy: str | None = None
    #: a static ``Authorization`` header value ("Bearer x" / "Basic y"), if any
    authorization: str | None = None
    #: the cluster's ``disable-compression: true`` (kubeconfig, client-go 1.26+): ask for
    #: uncompressed answers (see :func:`cluster_disables_compression`)
    disable_compression: bool = False
    #: the ``kubernetes`` Configuration, kept to refresh exec/OIDC tokens
    source: Any = field(default=None, repr=False)

    def refresh_authorization(self) -> str | None:
        """Re-run the exec/OIDC hook (blocking: call from a thread) and return the header."""
        cfg = self.source
        if cfg is not None and getattr(cfg, "refresh_api_key_hook", None):
            cfg.refresh_api_key_hook(cfg)
            self.authorization = _auth_header(cfg)
        return self.authorization

    @property
    def refreshable(self) -> bool:
        return bool(self.source is not None and getattr(self.source, "refresh_api_key_hook", None))


def kubeconfig_paths(explicit: str | None = None) -> list[Path]:
    """The kubeconfig files kubectl would read: ``--kubeconfig``, else ``$KUBECONFIG``'s
    list, else ``~/.kube/config``."""
    if explicit:
        return [Path(explicit).expanduser()]
    env = os.environ.get("KUBECONFIG")
    if env:
        return [Path(p).expanduser() for p in env.split(os.pathsep) if p]
    return [Path("~/.kube/config").expanduser()]


def _config_file_arg(explicit: str | None) -> str | None:
    # The kubernetes loader merges os.pathsep-separated lists itself, but it reads
    # $KUBECONFIG once at import time: pass the current value explicitly.
    if explicit:
        return str(Path(explicit).expanduser())
    env = os.environ.get("KUBECONFIG")
    if env:
        return os.pathsep.join(str(p) for p in kubeconfig_paths() if p.exists()) or env
    return None


def in_cluster() -> bool:
    return bool(os.environ.get("KUBERNETES_SERVICE_HOST")) and Path(
        "/var/run/secrets/kubernetes.io/serviceaccount/token"
    ).exists()


def _check_files(explicit: str | None) -> None:
    paths = kubeconfig_paths(explicit)
    existing = [p for p in paths if p.exists()]
    if explicit and not existing:
        raise ConfigError(f"kubeconfig {paths[0]} does not exist")
    if not existing:
        raise NoKubeconfigError(
            "no kubeconfig found",
            hint="set KUBECONFIG, pass --kubeconfig PATH, or run scripts/demo for a local cluster",
        )


def list_contexts(explicit: str | None = None) -> list[ContextInfo]:
    """All contexts of the merged kubeconfig, the current one marked."""
    _check_files(explicit)
    from kubernetes import config as kconfig  # lazy: heavy import

    try:
        contexts, active = kconfig.list_kube_config_contexts(config_file=_config_file_arg(explicit))
    except Exception as exc:  # the loader raises ConfigException and plain errors alike
        raise ConfigError(f"cannot read kubeconfig: {_one_line(exc)}") from exc
    active_name = (active or {}).get("name")
    out = []
    for c in contexts or []:
        ctx = c.get("context") or {}
        out.append(
            ContextInfo(
                name=c.get("name", ""),
                cluster=ctx.get("cluster", ""),
                user=ctx.get("user", ""),
                namespace=ctx.get("namespace", "") or "",
                current=c.get("name") == active_name,
            )
        )
    return out


def load_settings(kubeconfig: str | None = None, context: str | None = None) -> ConnectionSettings:
    """Load connection settings for ``context`` (or the current one); blocking.

    Falls back to the in-cluster service account when there is no kubeconfig at all and the
    process runs in a pod.
    """
    from kubernetes import client as kclient  # lazy
    from kubernetes import config as kconfig

    cfg = kclient.Configuration()
    namespace = "default"
    try:
        _check_files(kubeconfig)
    except NoKubeconfigError:
        if not in_cluster():
            raise
        try:
            kconfig.load_incluster_config(client_configuration=cfg)
        except Exception as exc:
            raise ConfigError(f"in-cluster config failed: {_one_line(exc)}") from exc
        ns_file = Path("/var/run/secrets/kubernetes.io/serviceaccount/namespace")
        namespace = ns_file.read_text().strip() if ns_file.exists() else "default"
        return _settings_from(cfg, "in-cluster", namespace)
    try:
        contexts, active = kconfig.list_kube_config_contexts(
            config_file=_config_file_arg(kubeconfig)
        )
    except Exception as exc:
        raise ConfigError(f"cannot read kubeconfig: {_one_line(exc)}") from exc
    names = [c.get("name") for c in contexts or []]
    if context and context not in names:
        raise ConfigError(f"context {context!r} not found in kubeconfig",
                          hint="available: " + ", ".join(n for n in names if n) if names else "")
    chosen = context or (active or {}).get("name")
    if not chosen:
        raise ConfigError("kubeconfig has no current-context", hint="pass --context NAME")
    for c in contexts or []:
        if c.get("name") == chosen:
            namespace = (c.get("context") or {}).get("namespace") or "default"
    try:
        kconfig.load_kube_config(
            config_file=_config_file_arg(kubeconfig),
            context=chosen,
            client_configuration=cfg,
            persist_config=False,
        )
    except Exception as exc:
        raise ConfigError(f"cannot load context {chosen!r}: {_one_line(exc)}") from exc
    settings = _settings_from(cfg, chosen, namespace)
    settings.disable_compression = cluster_disables_compression(kubeconfig_paths(kubeconfig),
                                                                chosen)
    return settings


def cluster_disables_compression(paths: list[Path], context: str) -> bool:
    """Whether the kubeconfig cluster of ``context`` says ``disable-compression: true``.

    Why: the apiserver gzips every answer over 128 KiB for a client that accepts gzip (as
    httpx does by default). On a fast link (a bastion next to the cluster, a local cluster)
    that is pure cost: measured here, a 5 MB list of 500 PolicyReports took 362 ms gzipped
    against 222 ms plain (the server's compression, then ours). kubectl and client-go read
    this field (``kubectl config set clusters.NAME.disable-compression true``); the Python
    ``kubernetes`` loader does not, so it is read here, with kubectl's merge rule (the first
    file that names a context or cluster wins). Compression stays on by default: over a slow
    link (a VPN, an SSH tunnel) it is what keeps a big list fast."""
    import yaml

    contexts: dict[str, Any] = {}
    clusters: dict[str, Any] = {}
    for path in paths:
        try:
            doc = yaml.safe_load(path.read_text()) if path.exists() else None
        except (OSError, yaml.YAMLError):
            continue  # the kubernetes loader reports unreadable files
        if not isinstance(doc, dict):
            continue
        for key, into in (("contexts", contexts), ("clusters", clusters)):
            for entry in doc.get(key) or []:
                if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                    into.setdefault(entry["name"], entry.get(key[:-1]))
    ctx = contexts.get(context)
    name = ctx.get("cluster") if isinstance(ctx, dict) else None
    cluster = clusters.get(name) if isinstance(name, str) else None
    return isinstance(cluster, dict) and cluster.get("disable-compression") is True


def _auth_header(cfg: Any) -> str | None:
    keys = getattr(cfg, "api_key", None) or {}
    value = keys.get("authorization") or keys.get("BearerToken")
    if value:
        prefix = (getattr(cfg, "api_key_prefix", None) or {}).get("authorization")
        return f"{prefix} {value}" if prefix and not value.startswith(prefix) else value
    if getattr(cfg, "username", None) and getattr(cfg, "password", None):
        return cfg.get_basic_auth_token()
    return None


def _settings_from(cfg: Any, context: str, namespace: str) -> ConnectionSettings:
    return ConnectionSettings(
        server=cfg.host.rstrip("/"),
        context=context,
        namespace=namespace,
        ca_file=cfg.ssl_ca_cert or None,
        cert_file=cfg.cert_file or None,
        key_file=cfg.key_file or None,
        verify=bool(cfg.verify_ssl),
        tls_server_name=getattr(cfg, "tls_server_name", None) or None,
        proxy=cfg.proxy or None,
        authorization=_auth_header(cfg),
        source=cfg,
    )


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]
