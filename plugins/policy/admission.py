""""Would this be admitted?": a server-side dry-run apply of each object of a manifest.

Why a dry-run and not a local policy evaluator: with ``dryRun=All`` the apiserver runs the
whole admission chain -- mutating and validating webhooks (Kyverno, Gatekeeper, anything
else registered) and ValidatingAdmissionPolicies -- and persists nothing. The answer is the
cluster's own, for every engine at once, including ones this app knows nothing about.

Server-side apply (``PATCH`` with ``application/apply-patch+yaml``, ``force``) is used so an
object that already exists is checked as the UPDATE it would be, and a new one as a CREATE.
Nothing here changes the cluster, so it is allowed in read-only mode (the apiserver still
checks that the user may create/patch the objects: a 403 from RBAC is an error, not a denial).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from k8s_essentials_tui.api import ClusterError, EssentialsError, KubeClient, ResourceType

ADMITTED, DENIED, ERROR = "admitted", "denied", "error"
FIELD_MANAGER = "k8s-essentials-tui-policy-check"


@dataclass
class CheckResult:
    """The apiserver's verdict on one object."""

    kind: str
    name: str
    namespace: str
    verdict: str
    message: str = ""
    warnings: list[str] = field(default_factory=list)
    source: str = ""

    @property
    def ref(self) -> str:
        where = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind}/{where}{self.name}"

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "namespace": self.namespace or None,
                "verdict": self.verdict, "message": self.message or None,
                "warnings": self.warnings, "source": self.source or None}


def load_manifests(text: str, source: str = "") -> tuple[list[dict[str, Any]], list[str]]:
    """The objects of a multi-document YAML (or JSON) text; ``List`` kinds are flattened.
    Returns (objects, problems): a document that is not an object with apiVersion, kind and
    metadata.name is a problem line, not an exception."""
    import yaml  # here, not at the top: the pane imports this module when it opens

    objs: list[dict[str, Any]] = []
    problems: list[str] = []
    where = f"{source}: " if source else ""
    try:
        docs = list(yaml.safe_load_all(text))
    except yaml.YAMLError as exc:
        return [], [f"{where}not valid YAML: {str(exc).splitlines()[0]}"]
    stack: list[Any] = [d for d in docs if d is not None]
    index = 0
    while stack:
        doc = stack.pop(0)
        index += 1
        if not isinstance(doc, dict):
            problems.append(f"{where}document {index} is not an object")
            continue
        kind = doc.get("kind")
        if isinstance(kind, str) and kind.endswith("List") and isinstance(doc.get("items"),
                                                                            list):
            stack[:0] = list(doc["items"])
            continue
        meta = doc.get("metadata")
        if not (isinstance(doc.get("apiVersion"), str) and isinstance(kind, str)
                and isinstance(meta, dict) and isinstance(meta.get("name"), str)):
            problems.append(f"{where}document {index} has no apiVersion, kind and "
                            "metadata.name")
            continue
        objs.append(doc)
    return objs, problems


def _warnings(headers: Iterable[str]) -> list[str]:
    """The texts of ``Warning: 299 - "text"`` response headers (RFC 7234 format)."""
    out = []
    for value in headers:
        text = value.strip()
        code, _, rest = text.partition(" ")
        if code.isdigit():
            _, _, rest = rest.partition(" ")  # the agent ("-")
            text = rest.strip()
        if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
            text = text[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        out.append(text)
    return out


def denial_source(message: str) -> str:
    """Who denied, from the apiserver's wording: a webhook or a ValidatingAdmissionPolicy."""
    if "admission webhook" in message:
        start = message.find('"')
        end = message.find('"', start + 1)
        return f"webhook {message[start + 1:end]}" if 0 <= start < end else "webhook"
    marker = "ValidatingAdmissionPolicy '"
    if marker in message:
        rest = message.split(marker, 1)[1]
        return f"ValidatingAdmissionPolicy {rest.split(chr(39), 1)[0]}"
    return ""


def reason(message: str) -> str:
    """The policy's own words: the apiserver's "<object> is forbidden: admission webhook
    "x" denied the request: " / "ValidatingAdmissionPolicy 'p' with binding 'b' denied
    request: " prefix dropped (the source column names who denied)."""
    for marker in ("denied the request: ", "denied request: "):
        if marker in message:
            return message.split(marker, 1)[1]
    return message


def is_denial(exc: ClusterError) -> bool:
    """An admission denial (webhook, VAP, or another admission plugin) rather than an RBAC
    refusal, a missing namespace or a schema error."""
    msg = exc.server_message
    if denial_source(msg):
        return True
    return "denied the request" in msg or "denied request" in msg


class ResourceMapper:
    """kind -> resource type by reading ``/api/v1`` or ``/apis/G/V`` once per apiVersion."""

    def __init__(self, client: KubeClient) -> None:
        self.client = client
        self._known: dict[str, dict[str, ResourceType]] = {}

    async def find(self, api_version: str, kind: str) -> ResourceType | None:
        if api_version not in self._known:
            group, _, version = api_version.rpartition("/")
            path = f"/apis/{api_version}" if group else f"/api/{version}"
            body = await self.client.get_json(path, what=f"discover {api_version}")
            table: dict[str, ResourceType] = {}
            for res in body.get("resources") or []:
                name = str(res.get("name") or "")
                if not name or "/" in name:
                    continue
                table[str(res.get("kind") or "")] = ResourceType(
                    group, version, name, str(res.get("kind") or ""),
                    bool(res.get("namespaced")))
            self._known[api_version] = table
        return self._known[api_version].get(kind)


async def check_object(client: KubeClient, mapper: ResourceMapper, obj: dict[str, Any],
                       default_namespace: str) -> CheckResult:
    """Dry-run apply one object and say what the apiserver's admission chain answered."""
    kind, meta = str(obj["kind"]), obj["metadata"]
    name = str(meta["name"])
    ns = str(meta.get("namespace") or "")
    try:
        rtype = await mapper.find(str(obj["apiVersion"]), kind)
    except EssentialsError as exc:
        return CheckResult(kind, name, ns, ERROR, f"{obj['apiVersion']} is not served: {exc}")
    if rtype is None:
        return CheckResult(kind, name, ns, ERROR,
                           f"the server has no kind {kind} in {obj['apiVersion']}")
    if rtype.namespaced:
        ns = ns or default_namespace
    else:
        ns = ""
    body = dict(obj)
    body["metadata"] = {**meta, **({"namespace": ns} if ns else {})}
    try:
        resp = await client.request(
            "PATCH", rtype.path(ns or None, name), content=json.dumps(body),
            content_type="application/apply-patch+yaml",
            params={"dryRun": "All", "fieldManager": FIELD_MANAGER, "force": "true"},
            what=f"dry-run apply {rtype.qualified} {name}" + (f" in {ns}" if ns else ""))
    except ClusterError as exc:
        if is_denial(exc):
            return CheckResult(kind, name, ns, DENIED, exc.server_message,
                               source=denial_source(exc.server_message))
        return CheckResult(kind, name, ns, ERROR, str(exc))
    except EssentialsError as exc:
        return CheckResult(kind, name, ns, ERROR, str(exc))
    return CheckResult(kind, name, ns, ADMITTED,
                       warnings=_warnings(resp.headers.get_list("warning")))


async def check_manifests(client: KubeClient, objs: list[dict[str, Any]],
                          default_namespace: str) -> list[CheckResult]:
    """Each object in order (a Namespace first in the file does not exist for the next
    ones: a dry-run persists nothing, so their check says the namespace is missing)."""
    mapper = ResourceMapper(client)
    return [await check_object(client, mapper, o, default_namespace) for o in objs]


def exit_code(results: list[CheckResult], problems: list[str]) -> int:
    """0 all admitted, 1 something denied, 2 errors (an error wins: the answer is partial)."""
    if problems or any(r.verdict == ERROR for r in results):
        return 2
    return 1 if any(r.verdict == DENIED for r in results) else 0
