"""The blocking-webhook escape hatch: ``failurePolicy: Fail`` → ``Ignore``, and back.

Why: a policy engine's webhook with ``failurePolicy: Fail`` and no ready endpoint rejects
every admission it matches -- a deploy that would fix the outage included. What operators do
then is switch that one webhook to ``Ignore`` with a JSON patch, and switch it back once the
engine runs again. This module builds those patches (pure, no I/O); the pane and tests send
them through the one mutation path (typed confirmation, read-only refusal, audit log).

The patch starts with a ``test`` of the webhook's name at its index, so a configuration
that changed in between (a Helm upgrade reordering webhooks) makes the apiserver refuse the
patch instead of switching the wrong webhook. The configuration is annotated with the
webhooks switched, so the revert knows what to put back. Helm or a GitOps controller that
owns the configuration may put ``Fail`` back on its next sync: the dialog says so.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from k8s_essentials_tui.api import Fields, rt

VALIDATING = rt("admissionregistration.k8s.io/v1", "validatingwebhookconfigurations",
                "ValidatingWebhookConfiguration", namespaced=False)
MUTATING = rt("admissionregistration.k8s.io/v1", "mutatingwebhookconfigurations",
              "MutatingWebhookConfiguration", namespaced=False)
ENDPOINT_SLICES = rt("discovery.k8s.io/v1", "endpointslices", "EndpointSlice")
#: configuration annotation: comma-separated webhooks this app switched to Ignore
IGNORED_ANNOTATION = "k8s-essentials-tui.dev/failure-policy-ignored"
GITOPS_WARNING = ("Helm or a GitOps controller (Argo CD, Flux) that owns this configuration "
                  "may put failurePolicy Fail back on its next sync or upgrade.")


@dataclass(frozen=True)
class WebhookRow:
    kind: str          # ValidatingWebhookConfiguration | MutatingWebhookConfiguration
    configuration: str
    index: int
    webhook: str
    failure_policy: str
    service: str       # "ns/name" or the URL of a URL webhook
    ready: int | None  # ready endpoints behind the service; None unknown (URL, unread)
    ignored_by_us: bool

    @property
    def blocking(self) -> bool:
        return self.failure_policy == "Fail" and self.ready == 0

    @property
    def resource(self) -> str:
        return ("validatingwebhookconfiguration" if self.kind.startswith("Validating")
                else "mutatingwebhookconfiguration")

    @property
    def key(self) -> str:
        return f"{self.kind}/{self.configuration}/{self.webhook}"


def ignored(cfg: Mapping[str, Any]) -> list[str]:
    value = Fields(cfg).text_map("metadata.annotations").get(IGNORED_ANNOTATION, "")
    return [v for v in value.split(",") if v]


def services(configs: Iterable[Any]) -> set[tuple[str, str]]:
    """(namespace, name) of every service a webhook calls."""
    out = set()
    for cfg in configs:
        for hook in Fields(cfg).array("webhooks"):
            svc = Fields(hook).obj("clientConfig.service")
            if isinstance(svc.get("name"), str):
                out.add((str(svc.get("namespace") or "default"), svc["name"]))
    return out


def ready_endpoints(slices: Iterable[Any]) -> dict[str, int]:
    """``ns/service`` -> ready addresses, from EndpointSlices (``ready`` unset counts as
    ready, as the API says)."""
    out: dict[str, int] = {}
    for s in slices:
        f = Fields(s)
        svc = f.text_map("metadata.labels").get("kubernetes.io/service-name")
        if not svc:
            continue
        key = f"{f.text('metadata.namespace')}/{svc}"
        n = out.setdefault(key, 0)
        for ep in f.array("endpoints"):
            e = Fields(ep)
            if e.raw("conditions.ready") is not False:
                n += len(e.array("addresses"))
        out[key] = n
    return out


def webhook_rows(configs: Iterable[Any], ready: Mapping[str, int] | None,
                 read_namespaces: set[str] | None = None) -> list[WebhookRow]:
    """Every webhook of the configurations; ``ready`` None means endpoints unknown.
    A service whose namespace was read and has no slice counts 0 ready."""
    rows = []
    for cfg in configs:
        f = Fields(cfg)
        mine = set(ignored(cfg))
        for i, hook in enumerate(f.array("webhooks")):
            h = Fields(hook)
            svc = h.obj("clientConfig.service")
            count: int | None = None
            if isinstance(svc.get("name"), str):
                ns = str(svc.get("namespace") or "default")
                target = f"{ns}/{svc['name']}"
                if ready is not None:
                    count = ready.get(target)
                    if count is None and read_namespaces is not None and ns in read_namespaces:
                        count = 0
            else:
                target = h.text("clientConfig.url")
            name = h.text("name")
            rows.append(WebhookRow(kind=f.text("kind"), configuration=f.text("metadata.name"),
                                   index=i, webhook=name,
                                   failure_policy=h.text("failurePolicy") or "Fail",
                                   service=target, ready=count,
                                   ignored_by_us=name in mine))
    rows.sort(key=lambda r: (not r.blocking, r.failure_policy != "Fail", r.configuration,
                             r.index))
    return rows


def _annotation_ops(cfg: Mapping[str, Any], names: list[str]) -> list[dict[str, Any]]:
    annotations = Fields(cfg).obj("metadata.annotations")
    path = "/metadata/annotations/" + IGNORED_ANNOTATION.replace("~", "~0").replace("/", "~1")
    if not names:
        return [{"op": "remove", "path": path}] if IGNORED_ANNOTATION in annotations else []
    value = ",".join(names)
    if not annotations:
        return [{"op": "add", "path": "/metadata/annotations",
                 "value": {IGNORED_ANNOTATION: value}}]
    return [{"op": "add", "path": path, "value": value}]


def ignore_patch(cfg: Mapping[str, Any], row: WebhookRow) -> list[dict[str, Any]]:
    """JSON patch: this webhook's failurePolicy to Ignore, remembered in the annotation."""
    names = [*ignored(cfg)]
    if row.webhook not in names:
        names.append(row.webhook)
    return [{"op": "test", "path": f"/webhooks/{row.index}/name", "value": row.webhook},
            {"op": "replace", "path": f"/webhooks/{row.index}/failurePolicy",
             "value": "Ignore"},
            *_annotation_ops(cfg, names)]


def revert_patch(cfg: Mapping[str, Any], row: WebhookRow) -> list[dict[str, Any]]:
    """JSON patch: failurePolicy back to Fail, the webhook dropped from the annotation."""
    names = [n for n in ignored(cfg) if n != row.webhook]
    return [{"op": "test", "path": f"/webhooks/{row.index}/name", "value": row.webhook},
            {"op": "replace", "path": f"/webhooks/{row.index}/failurePolicy", "value": "Fail"},
            *_annotation_ops(cfg, names)]


def kubectl_command(row: WebhookRow, patch: list[dict[str, Any]]) -> str:
    """The equivalent command an operator can paste (or put in the incident notes)."""
    return shlex.join(["kubectl", "patch", row.resource, row.configuration, "--type=json",
                       "-p", json.dumps(patch, separators=(",", ":"))])
