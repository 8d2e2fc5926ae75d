"""``KubeAdmin``: a tiny synchronous Kubernetes client for test setup, seeding and the harness.

Why not the product's client or the ``kubernetes`` package: tests must not set up their world
with the code under test (a bug would hide itself), and the official package is slow to import
and awkward with custom resources. Plain REST over one ``httpx.Client`` with the admin client
certificate is enough: create / server-side apply / get / list / patch / patch_status / delete,
kind-to-resource mapping through aggregated discovery, and a namespace deletion that works
without kube-controller-manager (which is not running here).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import ssl
import tempfile
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

JSON = dict[str, Any]
# `KubeAdmin.list` shadows the builtin inside the class body; annotations there use this.
JSONList = list[JSON]

_DISCOVERY_ACCEPT = (
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"
)


class KubeError(Exception):
    """A non-success answer from the apiserver, with its HTTP status and Status reason."""

    def __init__(self, method: str, url: str, status: int, body: Any) -> None:
        self.method = method
        self.url = url
        self.status = status
        self.body = body
        self.reason = body.get("reason", "") if isinstance(body, dict) else ""
        message = body.get("message", "") if isinstance(body, dict) else str(body)[:500]
        super().__init__(f"{method} {url} -> {status} {self.reason}: {message}")


@dataclass(frozen=True)
class Resource:
    """One API resource as discovery describes it."""

    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    verbs: tuple[str, ...]

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version


def api_prefix(group_version: str) -> str:
    """``v1`` lives under /api/v1, everything else under /apis/<group>/<version>."""
    return f"/api/{group_version}" if "/" not in group_version else f"/apis/{group_version}"


def _ssl_context(ca_pem: bytes, cert_pem: bytes, key_pem: bytes) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cadata=ca_pem.decode())
    # load_cert_chain only reads files; keep them just long enough to be loaded.
    with tempfile.TemporaryDirectory(prefix="testkit-tls-") as tmp:
        cert_file, key_file = Path(tmp, "c.pem"), Path(tmp, "k.pem")
        cert_file.write_bytes(cert_pem)
        key_file.write_bytes(key_pem)
        ctx.load_cert_chain(cert_file, key_file)
    return ctx


def _data_or_file(entry: dict[str, Any], key: str, base: Path) -> bytes:
    if entry.get(f"{key}-data"):
        return base64.b64decode(entry[f"{key}-data"])
    path = Path(entry[key])
    return (path if path.is_absolute() else base / path).read_bytes()


class KubeAdmin:
    """Synchronous helper bound to one identity (normally a ``system:masters`` client cert).

    Thread-safe (one ``httpx.Client``), so seeding can fan requests out over a thread pool.
    """

    def __init__(
        self,
        server: str,
        *,
        ca_pem: bytes,
        cert_pem: bytes,
        key_pem: bytes,
        timeout: float = 30.0,
        user_agent: str = "testkit",
    ) -> None:
        self.server = server.rstrip("/")
        self._client = httpx.Client(
            base_url=self.server,
            verify=_ssl_context(ca_pem, cert_pem, key_pem),
            timeout=timeout,
            headers={"User-Agent": user_agent, "Accept": "application/json"},
            limits=httpx.Limits(max_connections=16, max_keepalive_connections=16),
        )
        self._resources: dict[tuple[str, str], Resource] = {}  # (group_version, kind|plural)
        self._status_sub: dict[str, bool] = {}  # "group/version/plural" -> has /status

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def from_files(
        cls, server: str, ca_file: Path, cert_file: Path, key_file: Path, **kw: Any
    ) -> KubeAdmin:
        return cls(
            server,
            ca_pem=Path(ca_file).read_bytes(),
            cert_pem=Path(cert_file).read_bytes(),
            key_pem=Path(key_file).read_bytes(),
            **kw,
        )

    @classmethod
    def from_kubeconfig(
        cls, path: str | os.PathLike[str], context: str | None = None, **kw: Any
    ) -> KubeAdmin:
        """Client-certificate kubeconfigs only (what devcluster writes)."""
        path = Path(path)
        cfg = yaml.safe_load(path.read_text())
        ctx_name = context or cfg["current-context"]
        ctx = next(c["context"] for c in cfg["contexts"] if c["name"] == ctx_name)
        cluster = next(c["cluster"] for c in cfg["clusters"] if c["name"] == ctx["cluster"])
        user = next(u["user"] for u in cfg["users"] if u["name"] == ctx["user"])
        base = path.parent
        return cls(
            cluster["server"],
            ca_pem=_data_or_file(cluster, "certificate-authority", base),
            cert_pem=_data_or_file(user, "client-certificate", base),
            key_pem=_data_or_file(user, "client-key", base),
            **kw,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> KubeAdmin:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- raw requests --------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: dict[str, Any] | None = None,
        content_type: str = "application/json",
        accept: str | None = None,
    ) -> Any:
        """One request; returns the decoded JSON (or text) body, raises ``KubeError``."""
        headers = {"Content-Type": content_type} if body is not None else {}
        if accept:
            headers["Accept"] = accept
        content = json.dumps(body).encode() if body is not None else None
        try:
            resp = self._client.request(method, path, content=content, params=params,
                                        headers=headers)
        except httpx.RemoteProtocolError:
            # "Server disconnected without sending a response": the pool handed out a
            # kept-alive connection the apiserver had just closed (a teardown's parallel
            # DELETEs met it once in CI-sized runs). Sent again once on a new connection;
            # not a create, which may have been applied (a replay would say 409)
            if method.upper() == "POST":
                raise
            resp = self._client.request(method, path, content=content, params=params,
                                        headers=headers)
        try:
            data: Any = resp.json()
        except ValueError:
            data = resp.text
        if resp.status_code >= 400:
            raise KubeError(method, path, resp.status_code, data)
        return data

    def request_json(self, method: str, path: str, **kw: Any) -> JSON:
        """``request`` for endpoints that answer with a JSON object (every verb below)."""
        data = self.request(method, path, **kw)
        if not isinstance(data, dict):
            raise KubeError(method, path, 200, f"expected a JSON object, got: {str(data)[:200]}")
        return data

    # -- discovery -----------------------------------------------------------------------------

    def discover(self) -> list[Resource]:
        """Every top-level resource of every served version (aggregated discovery, 2 requests)."""
        out: list[Resource] = []
        for root in ("/api", "/apis"):
            doc = self.request("GET", root, accept=_DISCOVERY_ACCEPT)
            for group in doc.get("items", []):
                name = group.get("metadata", {}).get("name", "")
                for version in group.get("versions", []):
                    for r in version.get("resources", []):
                        out.append(
                            Resource(
                                group=name,
                                version=version["version"],
                                plural=r["resource"],
                                kind=r.get("responseKind", {}).get("kind", ""),
                                namespaced=r.get("scope") == "Namespaced",
                                verbs=tuple(r.get("verbs", [])),
                            )
                        )
        self._resources = {}
        for res in out:
            self._resources.setdefault((res.group_version, res.kind), res)
            self._resources.setdefault((res.group_version, res.plural), res)
        return out

    def preferred_resources(self) -> list[Resource]:
        """One entry per (group, plural): the group's preferred (first listed) version."""
        seen: set[tuple[str, str]] = set()
        out = []
        for res in self.discover():
            if (res.group, res.plural) not in seen:
                seen.add((res.group, res.plural))
                out.append(res)
        return out

    def resource(self, api_version: str, kind_or_plural: str) -> Resource:
        key = (api_version, kind_or_plural)
        deadline = time.monotonic() + 3.0
        while key not in self._resources:
            # Unknown: rediscover. Discovery trails a just-established CRD by a moment.
            self.discover()
            if key in self._resources:
                break
            if time.monotonic() > deadline:
                raise KeyError(
                    f"no resource {kind_or_plural!r} in {api_version} (is its CRD installed?)"
                )
            time.sleep(0.2)
        return self._resources[key]

    def path(
        self,
        api_version: str,
        kind_or_plural: str,
        namespace: str | None = None,
        name: str | None = None,
        subresource: str | None = None,
    ) -> str:
        res = self.resource(api_version, kind_or_plural)
        p = api_prefix(api_version)
        if res.namespaced and namespace:
            p += f"/namespaces/{namespace}"
        p += f"/{res.plural}"
        if name:
            p += f"/{name}"
        if subresource:
            p += f"/{subresource}"
        return p

    def _obj_path(self, obj: JSON, *, with_name: bool) -> str:
        md = obj.get("metadata", {})
        return self.path(
            obj["apiVersion"], obj["kind"], md.get("namespace"), md["name"] if with_name else None
        )

    # -- verbs ---------------------------------------------------------------------------------

    def create(self, obj: JSON, *, exist_ok: bool = False) -> JSON:
        """POST ``obj``; with ``exist_ok`` an AlreadyExists answer returns the stored object."""
        try:
            return self.request_json("POST", self._obj_path(obj, with_name=False), body=obj)
        except KubeError as e:
            if exist_ok and e.status == 409:
                return self.request_json("GET", self._obj_path(obj, with_name=True))
            raise

    def apply(self, obj: JSON, *, field_manager: str = "testkit", force: bool = True) -> JSON:
        """Server-side apply: creates or updates idempotently (what the seed uses)."""
        return self.request_json(
            "PATCH",
            self._obj_path(obj, with_name=True),
            body=obj,
            params={"fieldManager": field_manager, "force": str(force).lower()},
            content_type="application/apply-patch+yaml",
        )

    def get(
        self, api_version: str, kind: str, name: str, namespace: str | None = None
    ) -> JSON:
        return self.request_json("GET", self.path(api_version, kind, namespace, name))

    def get_or_none(
        self, api_version: str, kind: str, name: str, namespace: str | None = None
    ) -> JSON | None:
        try:
            return self.get(api_version, kind, name, namespace)
        except KubeError as e:
            if e.status == 404:
                return None
            raise

    def list(
        self,
        api_version: str,
        kind: str,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> JSONList:
        params = {
            k: v
            for k, v in (("labelSelector", label_selector), ("fieldSelector", field_selector))
            if v
        }
        data = self.request_json("GET", self.path(api_version, kind, namespace), params=params)
        return [*(data.get("items") or [])]

    def patch(
        self,
        api_version: str,
        kind: str,
        name: str,
        patch: JSON | JSONList,
        namespace: str | None = None,
        *,
        patch_type: str = "merge",
        subresource: str | None = None,
    ) -> JSON:
        content_type = {
            "merge": "application/merge-patch+json",
            "json": "application/json-patch+json",
            "strategic": "application/strategic-merge-patch+json",
        }[patch_type]
        return self.request_json(
            "PATCH",
            self.path(api_version, kind, namespace, name, subresource),
            body=patch,
            content_type=content_type,
        )

    def patch_status(
        self,
        group_version: str,
        plural: str,
        namespace: str | None,
        name: str,
        status: JSON,
    ) -> JSON:
        """Set ``.status`` (merge patch) through the status subresource.

        Why: no controller runs here, so tests and the seed play the controller's part. Kinds
        whose real CRD has no status subresource (Velero Backup/Restore, Argo CD Application,
        ...) keep status in the main resource; for those this patches the object itself, the
        way their controllers do.
        """
        res = self.resource(group_version, plural)
        sub = "status" if self._has_status_subresource(res) else None
        return self.patch(group_version, res.plural, name, {"status": status}, namespace,
                          subresource=sub)

    def apply_status(self, obj: JSON) -> JSON:
        """``patch_status`` taking a whole object (apiVersion, kind, metadata, status)."""
        md = obj["metadata"]
        return self.patch_status(
            obj["apiVersion"], obj["kind"], md.get("namespace"), md["name"], obj["status"]
        )

    def _has_status_subresource(self, res: Resource) -> bool:
        key = f"{res.group_version}/{res.plural}"
        if key not in self._status_sub:
            doc = self.request("GET", api_prefix(res.group_version))
            names = {r["name"] for r in doc.get("resources", [])}
            self._status_sub[key] = f"{res.plural}/status" in names
        return self._status_sub[key]

    def delete(
        self,
        api_version: str,
        kind: str,
        name: str,
        namespace: str | None = None,
        *,
        missing_ok: bool = True,
    ) -> JSON | None:
        try:
            return self.request_json("DELETE", self.path(api_version, kind, namespace, name))
        except KubeError as e:
            if missing_ok and e.status == 404:
                return None
            raise

    def wait_for(
        self,
        api_version: str,
        kind: str,
        name: str,
        namespace: str | None = None,
        *,
        condition: str = "Established",
        timeout: float = 30.0,
    ) -> JSON:
        """Poll until ``status.conditions[type=condition].status == "True"``."""
        deadline = time.monotonic() + timeout
        while True:
            obj = self.get_or_none(api_version, kind, name, namespace)
            conds = (obj or {}).get("status", {}).get("conditions") or []
            if any(c.get("type") == condition and c.get("status") == "True" for c in conds):
                return obj or {}
            if time.monotonic() > deadline:
                raise TimeoutError(f"{kind} {name}: condition {condition} not True in {timeout}s")
            time.sleep(0.05)

    # -- namespaces ----------------------------------------------------------------------------

    def create_namespace(self, name: str, labels: dict[str, str] | None = None) -> JSON:
        md: JSON = {"name": name}
        if labels:
            md["labels"] = labels
        return self.create({"apiVersion": "v1", "kind": "Namespace", "metadata": md})

    def delete_namespace(self, name: str, *, timeout: float = 30.0) -> None:
        """Delete a namespace and everything in it, without kube-controller-manager.

        Why: the namespace controller, garbage collector and PVC-protection controller live in
        kube-controller-manager, which this harness does not run, so a plain DELETE leaves the
        namespace Terminating forever and its objects would leak into other tests' cluster-wide
        lists. This does their job: mark the namespace Terminating, delete every namespaced
        collection, strip finalizers from what is left, then finalize the namespace.
        """
        if self.get_or_none("v1", "namespaces", name) is None:
            return
        # Terminating first: from then on the apiserver refuses new objects in it.
        with contextlib.suppress(KubeError):
            self.request("DELETE", f"/api/v1/namespaces/{name}")
        kinds = [
            r for r in self.preferred_resources()
            if r.namespaced and "/" not in r.plural
            and {"deletecollection", "list"} <= set(r.verbs)
        ]

        def purge(res: Resource) -> None:
            # One request per kind: DELETE on the collection answers with what it deleted;
            # only items held by finalizers are still there and need their finalizers cleared.
            base = f"{api_prefix(res.group_version)}/namespaces/{name}/{res.plural}"
            try:
                gone = self.request("DELETE", base, params={"gracePeriodSeconds": "0"})
            except KubeError:
                return
            for item in (gone.get("items") or []) if isinstance(gone, dict) else []:
                if item.get("metadata", {}).get("finalizers"):
                    with contextlib.suppress(KubeError):
                        self.request("PATCH", f"{base}/{item['metadata']['name']}",
                                     body={"metadata": {"finalizers": None}},
                                     content_type="application/merge-patch+json")

        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(purge, kinds))
        deadline = time.monotonic() + timeout
        while True:
            ns = self.get_or_none("v1", "namespaces", name)
            if ns is None:
                return
            ns.setdefault("spec", {})["finalizers"] = []
            with contextlib.suppress(KubeError):
                self.request("PUT", f"/api/v1/namespaces/{name}/finalize", body=ns)
            if time.monotonic() > deadline:
                raise TimeoutError(f"namespace {name} still present after {timeout}s")
            time.sleep(0.05)

    # -- bulk helpers --------------------------------------------------------------------------

    def apply_all(
        self, objs: Iterable[JSON], *, field_manager: str = "testkit", workers: int = 8
    ) -> JSONList:
        """Server-side apply many objects concurrently; results in the order of ``objs``."""
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return [*pool.map(lambda o: self.apply(o, field_manager=field_manager), objs)]


def grant_in_namespace(admin: KubeAdmin, user: str, namespace: str, name: str,
                       rules: list[JSON]) -> None:
    """A Role with ``rules`` in ``namespace``, bound to ``user``: real RBAC for tests of
    users who may read only some namespaces (RoleBindings, no cluster-wide list)."""
    rbac = "rbac.authorization.k8s.io"
    admin.create({"apiVersion": f"{rbac}/v1", "kind": "Role",
                  "metadata": {"name": name, "namespace": namespace}, "rules": rules})
    admin.create({"apiVersion": f"{rbac}/v1", "kind": "RoleBinding",
                  "metadata": {"name": name, "namespace": namespace},
                  "roleRef": {"apiGroup": rbac, "kind": "Role", "name": name},
                  "subjects": [{"apiGroup": rbac, "kind": "User", "name": user}]})


def service_account_kubeconfig(admin: KubeAdmin, base_kubeconfig: str | os.PathLike[str],
                               namespace: str, name: str, path: Path,
                               cluster_rules: list[JSON]) -> Path:
    """A ServiceAccount ``namespace/name`` granted exactly ``cluster_rules`` (a ClusterRole
    and binding of the same name) and a kubeconfig at ``path`` that authenticates as it
    with a token from the TokenRequest API, the cluster copied from ``base_kubeconfig``.

    Why: the certificate users (``admin``, ``limited``) have fixed roles; a test that needs
    a user denied one thing ``view`` allows (EndpointSlices) gets its own identity with
    real RBAC instead of touching a user other tests share. Delete the ClusterRole and
    ClusterRoleBinding named ``namespace-name`` when done."""
    rbac = "rbac.authorization.k8s.io"
    role = f"{namespace}-{name}"
    admin.create({"apiVersion": "v1", "kind": "ServiceAccount",
                  "metadata": {"name": name, "namespace": namespace}}, exist_ok=True)
    admin.apply({"apiVersion": f"{rbac}/v1", "kind": "ClusterRole",
                 "metadata": {"name": role}, "rules": cluster_rules})
    admin.apply({"apiVersion": f"{rbac}/v1", "kind": "ClusterRoleBinding",
                 "metadata": {"name": role},
                 "roleRef": {"apiGroup": rbac, "kind": "ClusterRole", "name": role},
                 "subjects": [{"kind": "ServiceAccount", "name": name,
                               "namespace": namespace}]})
    token = admin.request_json(
        "POST", f"/api/v1/namespaces/{namespace}/serviceaccounts/{name}/token",
        body={"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
              "spec": {"expirationSeconds": 3600}})["status"]["token"]
    cfg = yaml.safe_load(Path(base_kubeconfig).read_text())
    cfg["users"] = [{"name": role, "user": {"token": token}}]
    cfg["contexts"] = [{"name": role, "context": {"cluster": cfg["clusters"][0]["name"],
                                                  "user": role}}]
    cfg["current-context"] = role
    path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    path.chmod(0o600)
    return path


def iter_yaml_documents(path: Path) -> Iterator[JSON]:
    """Non-empty YAML documents of a file (CRD files may hold several)."""
    for doc in yaml.safe_load_all(path.read_text()):
        if doc:
            yield doc
