"""Everything the pane and ``mesh`` show, from one set of inputs (pure, no requests)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import analyze, model, security


@dataclass
class Inputs:
    """The objects read from the cluster (each one list or one shared watch)."""

    namespaces: list[Any] = field(default_factory=list)
    pods: list[Any] = field(default_factory=list)
    istiod: list[Any] = field(default_factory=list)
    linkerd: list[Any] = field(default_factory=list)
    tag_webhooks: list[Any] = field(default_factory=list)
    peer_auths: list[Any] = field(default_factory=list)
    authz: list[Any] = field(default_factory=list)
    linkerd_servers: list[Any] = field(default_factory=list)
    linkerd_authz: list[Any] = field(default_factory=list)
    virtual_services: list[Any] = field(default_factory=list)
    destination_rules: list[Any] = field(default_factory=list)
    gateways: list[Any] = field(default_factory=list)
    services: list[Any] = field(default_factory=list)
    #: (namespace, name) -> the Secret exists (None: could not check)
    secrets: dict[tuple[str, str], bool | None] = field(default_factory=dict)
    root_namespace: str = security.DEFAULT_ROOT_NAMESPACE
    #: the namespaces whose pods and Services were read (None: all)
    scope: set[str] | None = None
    #: what could not be read ("pods: forbidden ...")
    notes: list[str] = field(default_factory=list)


@dataclass
class Report:
    state: model.MeshState
    security: security.Security
    findings: list[analyze.Finding]
    notes: list[str]

    @property
    def problems(self) -> list[str]:
        return self.state.problems()


def build(inputs: Inputs) -> Report:
    state = model.build(inputs.namespaces, inputs.pods, istiod=inputs.istiod,
                        linkerd=inputs.linkerd, tag_webhooks=inputs.tag_webhooks)
    names = [n.name for n in state.namespaces]
    sec = security.build_security(
        inputs.peer_auths, inputs.authz, pods=inputs.pods, namespaces=names,
        linkerd_servers=inputs.linkerd_servers, linkerd_authz=inputs.linkerd_authz,
        namespace_objects=inputs.namespaces, root_namespace=inputs.root_namespace)
    for ns in state.namespaces:
        if ns.injection.mesh == model.LINKERD:
            ns.mtls = "linkerd"
        else:
            ns.mtls = sec.mode(ns.name)
        ns.authz = sec.authz.get(ns.name, 0) + sec.linkerd_authz.get(ns.name, 0)
    known = {model.name_of(n) for n in inputs.namespaces} | set(names)
    findings = (analyze.virtual_service_findings(inputs.virtual_services, inputs.services,
                                                 known, inputs.scope)
                + analyze.destination_rule_findings(inputs.destination_rules,
                                                    inputs.services, inputs.pods, known,
                                                    inputs.scope)
                + analyze.gateway_findings(inputs.gateways, inputs.secrets))
    return Report(state, sec, findings, list(inputs.notes))


def to_json(report: Report) -> dict[str, Any]:
    st, sec = report.state, report.security
    return {
        "summary": {"coverage": st.coverage, "podsExpected": st.expected,
                    "podsWithProxy": st.covered,
                    "needsRestart": sum(n.needs_restart for n in st.namespaces),
                    "text": st.summary()},
        "controlPlanes": [{"mesh": c.mesh, "namespace": c.namespace, "name": c.name,
                           "revision": c.revision, "version": c.version,
                           "tags": list(c.tags)} for c in st.control_planes],
        "namespaces": [{
            "name": n.name, "mesh": n.injection.mesh or None, "injection": n.injection.how,
            "revision": n.injection.revision or None, "pods": n.pods,
            "withProxy": n.with_proxy, "coverage": n.coverage, "optedOut": n.opted_out,
            "needsRestart": n.needs_restart, "farBehind": n.far_behind, "mtls": n.mtls,
            "mtlsSource": sec.source(n.name) if n.mtls != "linkerd" else "linkerd",
            "authorizationPolicies": sec.authz.get(n.name, 0),
            "linkerdServers": sec.linkerd_servers.get(n.name, 0),
            "linkerdAuthorizationPolicies": sec.linkerd_authz.get(n.name, 0),
            "linkerdDefaultPolicy": sec.linkerd_default.get(n.name)}
            for n in st.namespaces],
        "skew": [{"mesh": s.mesh, "version": s.version, "controlPlane": s.control_plane,
                  "level": s.level, "pods": s.pods} for s in st.skew],
        "pods": [{"namespace": p.namespace, "name": p.name, "mesh": p.mesh or None,
                  "proxy": p.proxy.kind or None, "version": p.proxy.version or None,
                  "needsRestart": p.needs_restart, "reason": p.reason,
                  "workload": p.workload.ref or None, "skew": p.skew or None}
                 for p in st.pods if p.needs_restart or p.reason or p.skew == "problem"],
        "mtls": {"meshWide": sec.mesh_mode, "meshWidePolicy": sec.mesh_policy or None,
                 "workloads": [{"namespace": w.namespace, "policy": w.policy,
                                "selector": dict(w.selector), "mode": w.mode,
                                "pods": w.pods} for w in sec.workloads]},
        "findings": [{"kind": f.kind, "namespace": f.namespace, "name": f.name,
                      "message": f.message} for f in report.findings],
        "problems": report.problems,
        "notes": report.notes,
    }


def coverage_cell(ns: model.NamespaceRow) -> str:
    if not ns.pods:
        return "-"
    return f"{model.percent(ns.coverage)} {ns.with_proxy}/{ns.pods}"


def namespace_cells(ns: model.NamespaceRow) -> list[str]:
    """NAMESPACE, MESH, INJECTION, COVERAGE, RESTART, MTLS, AUTHZ (plain strings; the
    caller passes them through the text boundary)."""
    return [ns.name, ns.injection.mesh or "-", ns.injection.how or "off", coverage_cell(ns),
            str(ns.needs_restart) if ns.needs_restart else "-", ns.mtls or "-",
            str(ns.authz) if ns.authz else "-"]


def pod_cells(p: model.PodRow) -> list[str]:
    """NAMESPACE, POD, PROXY, VERSION, SKEW, RESTART, WORKLOAD, REASON."""
    proxy = p.proxy.kind or ("opt-out" if p.opted_out else "none")
    return [p.namespace, p.name, proxy, p.proxy.version or "-", p.skew or "-",
            "yes" if p.needs_restart else "-", p.workload.ref or "-", p.reason or ""]


def skew_cells(s: model.SkewRow) -> list[str]:
    return [s.mesh, s.version, s.control_plane or "?", s.level, str(s.pods)]


def control_plane_cells(c: model.ControlPlane) -> list[str]:
    return [c.mesh, c.namespace, c.name, c.revision or "-", c.version or "?",
            ",".join(c.tags) or "-"]


def workload_mtls_cells(w: security.WorkloadMtls) -> list[str]:
    return [w.namespace, w.policy, w.selector_text, w.mode, str(w.pods)]


def by_namespace(report: Report) -> Mapping[str, model.NamespaceRow]:
    return {n.name: n for n in (*report.state.namespaces, *report.state.others)}
