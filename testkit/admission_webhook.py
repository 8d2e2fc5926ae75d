"""A real validating admission webhook on loopback, for the policy tests and the demo.

Why a real one: "would this be admitted?" is answered by the apiserver's own admission chain
(server-side dry-run). A test that mocked the answer would prove nothing; this server is
called by the real kube-apiserver over HTTPS, registered by a ValidatingWebhookConfiguration
with ``clientConfig.url`` and the CA of its serving certificate (``caBundle``).

The rule it enforces (one, like a small policy engine): a ConfigMap must not carry a key
named like a credential (``password``, ``token``, ``secret`` in the key) -- "use a Secret".
It also warns (admission ``warnings``) about a ConfigMap without a ``team`` label, so the
warning path is real too. It answers AdmissionReview ``admission.k8s.io/v1``.

Usage::

    with AdmissionWebhook() as hook:
        admin.create(hook.configuration("deny-cm-passwords", namespace_labels={...}))
"""

from __future__ import annotations

import base64
import json
import ssl
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from testkit.pki import make_ca, make_cert

DENY_MESSAGE = "ConfigMap keys must not hold credentials ({keys}): use a Secret"
WARN_MESSAGE = "ConfigMap {name} has no team label: nobody will be paged for it"
CREDENTIAL_WORDS = ("password", "token", "secret")


def review(request: dict[str, Any]) -> dict[str, Any]:
    """The AdmissionReview response for one request (pure: the rule itself)."""
    req = request.get("request") or {}
    obj = req.get("object") or {}
    response: dict[str, Any] = {"uid": req.get("uid", ""), "allowed": True}
    if (req.get("kind") or {}).get("kind") == "ConfigMap":
        data = {**(obj.get("data") or {}), **(obj.get("binaryData") or {})}
        bad = sorted(k for k in data if any(w in k.lower() for w in CREDENTIAL_WORDS))
        if bad:
            response["allowed"] = False
            response["status"] = {"code": 403, "reason": "Forbidden",
                                  "message": DENY_MESSAGE.format(keys=", ".join(bad))}
        elif "team" not in ((obj.get("metadata") or {}).get("labels") or {}):
            name = (obj.get("metadata") or {}).get("name", "")
            response["warnings"] = [WARN_MESSAGE.format(name=name)]
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
            "response": response}


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
            answer = json.dumps(review(body)).encode()
            self.server.calls += 1
            status = 200
        except ValueError:
            answer, status = b'{"error":"bad request"}', 400
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: Any) -> None:
        return  # quiet: tests read the apiserver's answers, not this log


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    calls = 0


class AdmissionWebhook:
    """The HTTPS webhook server on 127.0.0.1 (a free port), with its own CA."""

    def __init__(self) -> None:
        self.ca = make_ca("testkit admission webhook CA")
        self.cert = make_cert(self.ca, "127.0.0.1", ip_addresses=["127.0.0.1"],
                              dns_names=["localhost"], server=True)
        self._dir = tempfile.TemporaryDirectory(prefix="admission-webhook-")
        cert, key = Path(self._dir.name) / "tls.crt", Path(self._dir.name) / "tls.key"
        self.cert.write(cert, key)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        self.httpd = _Server(("127.0.0.1", 0), _Handler)
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True,
                                        name="admission-webhook")

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}/validate"

    @property
    def calls(self) -> int:
        """How many AdmissionReviews the apiserver sent (proof that it called us)."""
        return self.httpd.calls

    def start(self) -> AdmissionWebhook:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._dir.cleanup()

    def __enter__(self) -> AdmissionWebhook:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def configuration(self, name: str, *, namespace_labels: dict[str, str],
                      failure_policy: str = "Fail") -> dict[str, Any]:
        """A ValidatingWebhookConfiguration that sends ConfigMap CREATE/UPDATE in the
        namespaces with ``namespace_labels`` to this server (scoped: the apiserver is
        shared by the whole test session)."""
        return {
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "ValidatingWebhookConfiguration",
            "metadata": {"name": name},
            "webhooks": [{
                "name": "configmaps.testkit.k8s-essentials-tui.dev",
                "clientConfig": {"url": self.url,
                                 "caBundle": base64.b64encode(self.ca.cert_pem).decode()},
                "rules": [{"apiGroups": [""], "apiVersions": ["v1"],
                           "operations": ["CREATE", "UPDATE"], "resources": ["configmaps"],
                           "scope": "Namespaced"}],
                "namespaceSelector": {"matchLabels": namespace_labels},
                "failurePolicy": failure_policy,
                "sideEffects": "None",
                "admissionReviewVersions": ["v1"],
                "timeoutSeconds": 5,
            }],
        }


def replica_limit_policy(name: str, *, namespace_labels: dict[str, str],
                         max_replicas: int = 5) -> list[dict[str, Any]]:
    """A ValidatingAdmissionPolicy (CEL, evaluated by the apiserver itself) limiting
    Deployment replicas, and its Deny binding scoped to the labelled namespaces."""
    return [
        {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicy",
         "metadata": {"name": name},
         "spec": {"failurePolicy": "Fail",
                  "matchConstraints": {"resourceRules": [{
                      "apiGroups": ["apps"], "apiVersions": ["v1"],
                      "operations": ["CREATE", "UPDATE"], "resources": ["deployments"]}]},
                  "validations": [{
                      "expression": f"object.spec.replicas <= {max_replicas}",
                      "message": f"replicas must be at most {max_replicas}",
                      "reason": "Invalid"}]}},
        {"apiVersion": "admissionregistration.k8s.io/v1",
         "kind": "ValidatingAdmissionPolicyBinding",
         "metadata": {"name": f"{name}-binding"},
         "spec": {"policyName": name, "validationActions": ["Deny"],
                  "matchResources": {"namespaceSelector": {"matchLabels": namespace_labels}}}},
    ]
