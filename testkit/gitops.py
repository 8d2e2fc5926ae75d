"""``GitOpsControllers``: plays Argo CD's application controller and Flux's controllers in
tests, on the real apiserver with the official Argo CD and Flux CRDs (``testkit/crds/*official*``).

Why: no controller runs in the test control plane, yet the pane, the board and ``gitops``
must be seen reading real objects and the controllers' answers to their patches. This helper
writes what the controllers write -- ``status`` of Applications (with the object: the CRD has
no status subresource), Flux conditions, ``lastHandledReconcileAt`` once a
``reconcile.fluxcd.io/requestedAt`` request is handled, an Argo CD ``operationState`` once an
``operation`` is set -- and nothing else. All times come from the injected ``now``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from testkit.kube import KubeAdmin

ARGO = "argoproj.io/v1alpha1"
KS = "kustomize.toolkit.fluxcd.io/v1"
HR = "helm.toolkit.fluxcd.io/v2"
SRC = "source.toolkit.fluxcd.io/v1"
FIXED_NOW = datetime(2026, 6, 1, 12, 0, 0, tzinfo=UTC)
REPO = "https://github.com/example/platform-gitops.git"
#: how long a served reconcile or operation waits for the request before giving up (bounded)
SERVE_TIMEOUT = 30.0


def ts(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sha(seed: str) -> str:
    """A deterministic 40-hex "commit"."""
    import hashlib

    return hashlib.sha1(seed.encode()).hexdigest()


def condition(type_: str, status: str, reason: str, message: str, when: datetime
              ) -> dict[str, Any]:
    return {"type": type_, "status": status, "reason": reason, "message": message,
            "lastTransitionTime": ts(when), "observedGeneration": 1}


class ServeThread(threading.Thread):
    def __init__(self, target: Any) -> None:
        super().__init__(daemon=True)
        self._fn = target
        self.errors: list[BaseException] = []

    def run(self) -> None:
        try:
            self._fn()
        except BaseException as exc:  # reported by the test
            self.errors.append(exc)


class GitOpsControllers:
    def __init__(self, admin: KubeAdmin, namespace: str, now: datetime = FIXED_NOW) -> None:
        self.admin = admin
        self.namespace = namespace
        self.now = now

    # -- Argo CD ----------------------------------------------------------------------------

    def add_application(self, name: str, *, sync: str = "Synced", health: str = "Healthy",
                        path: str = "", target: str = "main", auto: bool = True,
                        prune: bool = True, self_heal: bool = True,
                        op_phase: str = "Succeeded", op_message: str = "",
                        health_message: str = "",
                        resources: Sequence[tuple[str, str, str, str, str]] = (),
                        conditions: Sequence[tuple[str, str]] = (),
                        operation: dict[str, Any] | None = None,
                        revision: str | None = None, dest: str = "") -> dict[str, Any]:
        """An Application with the status its controller would have written.

        ``resources``: (kind, namespace, name, sync status, health status)."""
        rev = revision if revision is not None else sha(f"{name}-rev")
        spec: dict[str, Any] = {
            "project": "default",
            "source": {"repoURL": REPO, "path": path or f"apps/{name}",
                       "targetRevision": target},
            "destination": {"server": "https://kubernetes.default.svc",
                            "namespace": dest or name},
            "syncPolicy": {"syncOptions": ["CreateNamespace=true"]}}
        if auto:
            spec["syncPolicy"]["automated"] = {"prune": prune, "selfHeal": self_heal}
        body: dict[str, Any] = {"apiVersion": ARGO, "kind": "Application",
                                "metadata": {"name": name, "namespace": self.namespace},
                                "spec": spec}
        if operation is not None:
            body["operation"] = operation
        self.admin.create(body)
        status: dict[str, Any] = {
            "sync": {"status": sync, "revision": rev,
                     "comparedTo": {"source": spec["source"],
                                    "destination": spec["destination"]}},
            "health": {"status": health, **({"message": health_message}
                                            if health_message else {})},
            "reconciledAt": ts(self.now - timedelta(minutes=2)),
            "sourceType": "Directory",
            "resources": [{"group": "apps" if k == "Deployment" else "", "version": "v1",
                           "kind": k, "namespace": ns, "name": n, "status": s,
                           "health": {"status": h}} for k, ns, n, s, h in resources],
            "history": [{"id": 1, "revision": rev,
                         "deployedAt": ts(self.now - timedelta(hours=3))}],
        }
        if op_phase:
            status["operationState"] = {
                "phase": op_phase, "message": op_message or "successfully synced",
                "startedAt": ts(self.now - timedelta(hours=3, minutes=1)),
                "operation": {"sync": {"revision": rev}, "initiatedBy": {"automated": True}}}
            if op_phase not in ("Running", "Terminating"):
                status["operationState"]["finishedAt"] = ts(self.now - timedelta(hours=3))
        if conditions:
            status["conditions"] = [{"type": t, "message": m,
                                     "lastTransitionTime": ts(self.now)}
                                    for t, m in conditions]
        return self.admin.patch_status(ARGO, "applications", self.namespace, name, status)

    def get_application(self, name: str) -> dict[str, Any]:
        return self.admin.get(ARGO, "applications", name, self.namespace)

    def run_operation(self, name: str, phase: str = "Succeeded",
                      message: str = "successfully synced (all tasks run)") -> None:
        """What the application controller does with a new ``operation``: record it in
        ``status.operationState`` with a final phase, and clear ``operation``."""
        app = self.get_application(name)
        op = app.get("operation")
        if not op:
            raise AssertionError(f"application {name} has no operation")
        self.admin.patch(ARGO, "applications", name, {
            "operation": None,
            "status": {"operationState": {
                "operation": op, "phase": phase, "message": message,
                "startedAt": ts(self.now), "finishedAt": ts(self.now),
                "syncResult": {"revision": (op.get("sync") or {}).get("revision", "")}},
                "sync": {"status": "Synced"}}}, self.namespace)

    def add_applicationset(self, name: str, generators: list[dict[str, Any]], *,
                           apps: Sequence[str] = (), error: str = "",
                           up_to_date: bool = True) -> dict[str, Any]:
        """An ApplicationSet (official CRD) whose controller generated ``apps``: each is
        created owned by the set (ownerReferences, as the controller does), and the set's
        conditions say what the controller would: ``error`` sets ErrorOccurred True and
        ParametersGenerated False with that message."""
        created = self.admin.create({
            "apiVersion": ARGO, "kind": "ApplicationSet",
            "metadata": {"name": name, "namespace": self.namespace},
            "spec": {"generators": generators, "template": {
                "metadata": {"name": "{{.name}}"},
                "spec": {"project": "default", "source": {"repoURL": REPO, "path": "apps",
                                                          "targetRevision": "main"},
                         "destination": {"server": "https://kubernetes.default.svc",
                                         "namespace": "{{.name}}"}}}}})
        owner = {"apiVersion": ARGO, "kind": "ApplicationSet", "name": name,
                 "uid": created["metadata"]["uid"], "controller": True,
                 "blockOwnerDeletion": True}
        for app in apps:
            self.add_application(app)
            self.admin.patch(ARGO, "applications", app,
                             {"metadata": {"ownerReferences": [owner]}}, self.namespace)
        when = self.now - timedelta(minutes=1)
        if error:
            conds = [condition("ErrorOccurred", "True", "ApplicationGenerationFromParamsError",
                               error, when),
                     condition("ParametersGenerated", "False", "ErrorOccurred", error, when),
                     condition("ResourcesUpToDate", "False", "ErrorOccurred", error, when)]
        else:
            conds = [condition("ErrorOccurred", "False", "ApplicationSetUpToDate",
                               "Successfully generated parameters for all Applications",
                               when),
                     condition("ParametersGenerated", "True", "ParametersGenerated",
                               "Successfully generated parameters for all Applications",
                               when),
                     condition("ResourcesUpToDate", "True" if up_to_date else "False",
                               "ApplicationSetUpToDate",
                               "All applications have been generated successfully", when)]
        for c in conds:
            c.pop("observedGeneration", None)
        return self.admin.patch_status(ARGO, "applicationsets", self.namespace, name, {
            "conditions": conds,
            "resources": [{"group": "argoproj.io", "version": "v1alpha1",
                           "kind": "Application", "name": a, "namespace": self.namespace,
                           "status": "Synced", "health": {"status": "Healthy"}}
                          for a in apps]})

    def add_appproject(self, name: str, *, repos: Sequence[str] = ("*",),
                       destinations: Sequence[tuple[str, str]] = (("*", "*"),),
                       cluster_resources: Sequence[tuple[str, str]] = (),
                       windows: Sequence[dict[str, Any]] = (),
                       description: str = "") -> dict[str, Any]:
        """An AppProject (official CRD; no status). ``windows``: syncWindows entries."""
        spec: dict[str, Any] = {
            "sourceRepos": list(repos),
            "destinations": [{"server": s, "namespace": n} for s, n in destinations],
            "clusterResourceWhitelist": [{"group": g, "kind": k}
                                         for g, k in cluster_resources],
            "syncWindows": list(windows)}
        if description:
            spec["description"] = description
        return self.admin.create({"apiVersion": ARGO, "kind": "AppProject",
                                  "metadata": {"name": name, "namespace": self.namespace},
                                  "spec": spec})

    # -- Flux -------------------------------------------------------------------------------

    def _flux_status(self, api: str, plural: str, name: str, ready: str, reason: str,
                     message: str, extra: dict[str, Any] | None = None,
                     stalled: str = "") -> dict[str, Any]:
        conds = [condition("Ready", ready, reason, message, self.now - timedelta(minutes=4))]
        if stalled:
            conds.append(condition("Stalled", "True", "RetriesExceeded", stalled,
                                   self.now - timedelta(minutes=4)))
        status = {"observedGeneration": 1, "conditions": conds, **(extra or {})}
        return self.admin.patch_status(api, plural, self.namespace, name, status)

    def add_gitrepository(self, name: str, revision: str | None = None,
                          ready: str = "True") -> str:
        rev = revision or f"main@sha1:{sha(name)}"
        self.admin.create({"apiVersion": SRC, "kind": "GitRepository",
                           "metadata": {"name": name, "namespace": self.namespace},
                           "spec": {"interval": "1m0s",
                                    "url": f"https://github.com/example/{name}",
                                    "ref": {"branch": "main"}}})
        self._flux_status(SRC, "gitrepositories", name, ready, "Succeeded",
                          f"stored artifact for revision '{rev}'",
                          {"artifact": self._artifact("gitrepositories", name, rev)})
        return rev

    def _artifact(self, plural: str, name: str, revision: str) -> dict[str, Any]:
        """What source-controller records for a stored artifact (every field its CRD
        requires: digest, lastUpdateTime, path, revision, url)."""
        return {"revision": revision, "digest": "sha256:" + sha(revision) * 1,
                "path": f"{plural}/{self.namespace}/{name}/a.tar.gz",
                "url": f"http://source-controller/{plural}/{self.namespace}/{name}/a.tar.gz",
                "lastUpdateTime": ts(self.now)}

    def add_source(self, kind: str, name: str, spec: dict[str, Any], revision: str,
                   ready: str = "True", message: str = "") -> dict[str, Any]:
        """An OCIRepository, HelmChart or Bucket (official CRDs) with the artifact its
        source-controller would have stored."""
        plural = {"OCIRepository": "ocirepositories", "HelmChart": "helmcharts",
                  "Bucket": "buckets"}[kind]
        self.admin.create({"apiVersion": SRC, "kind": kind,
                           "metadata": {"name": name, "namespace": self.namespace},
                           "spec": {"interval": "5m0s", **spec}})
        extra = {"artifact": self._artifact(plural, name, revision)} if ready == "True" \
            else {}
        return self._flux_status(SRC, plural, name, ready,
                                 "Succeeded" if ready == "True" else "Failed",
                                 message or f"stored artifact for revision '{revision}'",
                                 extra)

    def add_kustomization(self, name: str, *, source: str = "fleet", ready: str = "True",
                          reason: str = "ReconciliationSucceeded", message: str = "",
                          applied: str = "", attempted: str = "", suspend: bool = False,
                          depends_on: Sequence[str] = (),
                          inventory: Sequence[tuple[str, str, str, str]] = (),
                          stalled: str = "") -> dict[str, Any]:
        """``inventory``: (namespace, name, group, kind) entries (version v1)."""
        spec: dict[str, Any] = {"interval": "10m0s", "path": f"./{name}", "prune": True,
                                "sourceRef": {"kind": "GitRepository", "name": source}}
        if suspend:
            spec["suspend"] = True
        if depends_on:
            spec["dependsOn"] = [{"name": d} for d in depends_on]
        self.admin.create({"apiVersion": KS, "kind": "Kustomization",
                           "metadata": {"name": name, "namespace": self.namespace},
                           "spec": spec})
        extra: dict[str, Any] = {"lastAttemptedRevision": attempted or applied}
        if applied:
            extra["lastAppliedRevision"] = applied
        if inventory:
            extra["inventory"] = {"entries": [{"id": f"{ns}_{n}_{g}_{k}", "v": "v1"}
                                              for ns, n, g, k in inventory]}
        return self._flux_status(KS, "kustomizations", name, ready, reason,
                                 message or f"Applied revision: {applied}", extra, stalled)

    def add_helmrelease(self, name: str, *, chart: str = "podinfo", version: str = "6.9.1",
                        ready: str = "True", message: str = "", stalled: str = "",
                        suspend: bool = False) -> dict[str, Any]:
        spec: dict[str, Any] = {
            "interval": "30m0s",
            "chart": {"spec": {"chart": chart, "version": version,
                               "sourceRef": {"kind": "HelmRepository", "name": chart}}}}
        if suspend:
            spec["suspend"] = True
        self.admin.create({"apiVersion": HR, "kind": "HelmRelease",
                           "metadata": {"name": name, "namespace": self.namespace},
                           "spec": spec})
        deployed = ts(self.now - timedelta(hours=1))
        extra = {"history": [{  # a helm-controller Snapshot: every field its CRD requires
            "name": name, "namespace": self.namespace, "version": 1, "status": "deployed",
            "chartName": chart, "chartVersion": version, "appVersion": version,
            "configDigest": "sha256:" + sha(f"{name}-values") * 1,
            "digest": "sha256:" + sha(f"{name}-{version}") * 1,
            "firstDeployed": deployed, "lastDeployed": deployed}] if ready == "True" else [],
                 "lastAttemptedRevision": version}
        return self._flux_status(HR, "helmreleases", name, ready,
                                 "InstallSucceeded" if ready == "True" else "InstallFailed",
                                 message or f"Helm install succeeded for {chart}@{version}",
                                 extra, stalled)

    def handle_reconcile(self, api: str, plural: str, name: str, *, ready: str = "True",
                         message: str = "", applied: str = "") -> str:
        """What a Flux controller does with a reconcile request: copy ``requestedAt`` to
        ``status.lastHandledReconcileAt`` and write the result. Returns the request."""
        obj = self.admin.get(api, plural, name, self.namespace)
        requested = ((obj.get("metadata") or {}).get("annotations") or {}).get(
            "reconcile.fluxcd.io/requestedAt")
        if not requested:
            raise AssertionError(f"{plural} {name} has no reconcile request")
        extra: dict[str, Any] = {"lastHandledReconcileAt": requested}
        if applied and plural == "kustomizations":
            extra["lastAppliedRevision"] = applied
            extra["lastAttemptedRevision"] = applied
        if plural == "gitrepositories" and applied:
            extra["artifact"] = self._artifact(plural, name, applied)
        self._flux_status(api, plural, name, ready,
                          "ReconciliationSucceeded" if ready == "True" else "BuildFailed",
                          message or (f"Applied revision: {applied}" if applied
                                      else "reconciled"), extra)
        return requested

    def serve_reconcile(self, api: str, plural: str, name: str, *, ready: str = "True",
                        message: str = "", applied: str = "", after: str = ""
                        ) -> ServeThread:
        """A thread that waits (bounded) for a new reconcile request and handles it."""

        def serve() -> None:
            deadline = time.monotonic() + SERVE_TIMEOUT
            while time.monotonic() < deadline:
                obj = self.admin.get(api, plural, name, self.namespace)
                requested = ((obj.get("metadata") or {}).get("annotations") or {}).get(
                    "reconcile.fluxcd.io/requestedAt")
                if requested and requested != after:
                    self.handle_reconcile(api, plural, name, ready=ready, message=message,
                                          applied=applied)
                    return
                time.sleep(0.1)
            raise TimeoutError(f"no reconcile request on {plural} {name}")

        thread = ServeThread(serve)
        thread.start()
        return thread
