"""The mesh pane: coverage per namespace, pods that need a restart, proxy skew, mTLS and the
analyze findings -- live from the shared watch caches (one cluster-wide pod cache; never a
request per namespace or per pod), for Istio and Linkerd alike.

Views (keys 1-5): namespaces, pods, versions (control planes and skew), security (mTLS per
namespace, workload PeerAuthentications), analyze. ``enter`` on a namespace shows its pods;
``escape`` leaves the search box, then clears the namespace or search filter, then goes back.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Input, Static

from k8s_essentials_tui.api import (
    DEPLOYMENTS,
    NAMESPACES,
    PODS,
    SERVICES,
    CacheUpdated,
    Columns,
    KeyTable,
    PluginPane,
    ResourceType,
    display_text,
    fill_rows,
    fit,
    focus_now,
    set_columns,
)

from . import model, ops, report
from .resources import (
    DESTINATION_RULES,
    GATEWAYS,
    ISTIO_AUTHORIZATION,
    ISTIOD_SELECTOR,
    LINKERD_AUTHORIZATION,
    LINKERD_SELECTOR,
    LINKERD_SERVERS,
    MUTATING_WEBHOOKS,
    PEER_AUTHENTICATIONS,
    TAG_SELECTOR,
    VIRTUAL_SERVICES,
)

#: seconds between two rebuilds of the report while pod events keep coming
REBUILD_EVERY = 0.5
#: from this many pods on, the report is built in a thread (see _rebuild)
THREAD_FROM = 3000
VIEWS = ("namespaces", "pods", "versions", "security", "analyze")

NS_COLUMNS = Columns(("NAMESPACE", "MESH", "INJECTION", "COVERAGE", "RESTART", "MTLS", "AUTHZ"),
                     ("NAMESPACE", "MESH", "COVERAGE", "RESTART", "MTLS"))
POD_COLUMNS = Columns(("NAMESPACE", "POD", "PROXY", "VERSION", "SKEW", "RESTART", "WORKLOAD",
                       "REASON"), ("POD", "PROXY", "VERSION", "SKEW", "RESTART"))
VERSION_COLUMNS = Columns(("KIND", "MESH", "WHERE", "REVISION", "VERSION", "TAGS / CP",
                           "PODS / LEVEL"),
                          ("KIND", "MESH", "REVISION", "VERSION", "PODS / LEVEL"))
SECURITY_COLUMNS = Columns(("NAMESPACE", "MTLS", "FROM", "SELECTOR", "AUTHZ", "L5D SERVERS"),
                           ("NAMESPACE", "MTLS", "SELECTOR", "AUTHZ"))
ANALYZE_COLUMNS = Columns(("KIND", "NAMESPACE", "NAME", "PROBLEM"),
                          ("KIND", "NAME", "PROBLEM"))

LEVEL_STYLE = {"ok": "", "behind": "yellow", "problem": "bold red", "ahead": "yellow",
               "unknown": "dim"}


def _cell(value: str, style: str = "") -> Text:
    return display_text(value, style)


class MeshPane(PluginPane):
    DEFAULT_CSS = """
    MeshPane #mesh-summary { height: auto; max-height: 3; padding: 0 1; }
    MeshPane #mesh-filter { height: 1; padding: 0 1; color: $text-muted; }
    MeshPane #mesh-search { display: none; height: 3; }
    MeshPane #mesh-search.visible { display: block; }
    MeshPane #mesh-table { height: 1fr; }
    MeshPane #mesh-detail { height: 2; padding: 0 1; color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Filter", id="mesh.search", priority=True),
        Binding("enter", "drill", "Pods of ns", id="mesh.drill"),
        Binding("e", "injection", "Injection on/off", id="mesh.injection"),
        Binding("r", "restart", "Restart", id="mesh.restart"),
        Binding("R", "restart_all", "Restart all", id="mesh.restart_all"),
        Binding("a", "toggle_all", "All namespaces", show=False, id="mesh.all_namespaces"),
        Binding("1", "view('namespaces')", "Namespaces", show=False, id="mesh.view1"),
        Binding("2", "view('pods')", "Pods", show=False, id="mesh.view2"),
        Binding("3", "view('versions')", "Versions", show=False, id="mesh.view3"),
        Binding("4", "view('security')", "Security", show=False, id="mesh.view4"),
        Binding("5", "view('analyze')", "Analyze", show=False, id="mesh.view5"),
    ]

    def __init__(self, plugin: Any, **kwargs: Any) -> None:
        super().__init__(plugin, **kwargs)
        self.view = "namespaces"
        self.namespace_filter = ""
        self.search = ""
        #: list the namespaces without a mesh too (to turn injection on there)
        self.all_namespaces = False
        self.report: report.Report | None = None
        self.secrets: dict[tuple[str, str], bool | None] = {}
        self._caches: dict[str, Any] = {}
        self._pending = False
        self._last_build = 0.0
        #: the mesh the injection toggle acts for: the pane's plugin (istio or linkerd)
        self.mesh = model.LINKERD if plugin.id == "linkerd" else model.ISTIO

    def compose(self) -> ComposeResult:
        yield Static("connecting…", id="mesh-summary", markup=False)
        yield Static("", id="mesh-filter", markup=False)
        yield Input(placeholder="filter by name (enter: keep, esc: back to the table)",
                    id="mesh-search")
        yield KeyTable(id="mesh-table", zebra_stripes=True, cursor_type="row")
        yield Static("", id="mesh-detail", markup=False)

    def on_mount(self) -> None:
        set_columns(self.table, self._shown(NS_COLUMNS))
        self._render_filter()
        # the table, not the search box (Textual's first focusable): j/k move the rows
        focus_now(self.table)
        super().on_mount()

    # -- data --------------------------------------------------------------------------

    def on_session_ready(self) -> None:
        session = self.session
        if session is None:
            return
        scope = self._scope()
        watches: dict[str, tuple[ResourceType, str | None, str | None]] = {
            "namespaces": (NAMESPACES, None, None), "pods": (PODS, scope, None),
            "istiod": (DEPLOYMENTS, None, ISTIOD_SELECTOR),
            "linkerd": (DEPLOYMENTS, None, LINKERD_SELECTOR),
            "tags": (MUTATING_WEBHOOKS, None, TAG_SELECTOR),
            "peer_auths": (PEER_AUTHENTICATIONS, None, None),
            "authz": (ISTIO_AUTHORIZATION, scope, None),
            "linkerd_servers": (LINKERD_SERVERS, scope, None),
            "linkerd_authz": (LINKERD_AUTHORIZATION, scope, None),
            "virtual_services": (VIRTUAL_SERVICES, scope, None),
            "destination_rules": (DESTINATION_RULES, scope, None),
            "gateways": (GATEWAYS, scope, None), "services": (SERVICES, scope, None),
        }
        for name, (rtype, ns, selector) in watches.items():
            self._caches[name] = self.watch_resource(rtype, ns, label_selector=selector)

    def _scope(self) -> str | None:
        """``-n`` (or the config's ``namespace``) scopes the pane, as in the certificates
        pane; else every namespace (the kubeconfig context's namespace does not)."""
        return PluginPane.chosen_namespace(self.app)

    def on_cache_updated(self, event: CacheUpdated) -> None:
        if event.cache is self._caches.get("gateways"):
            self.run_worker(self._check_secrets(), group="mesh-secrets", exclusive=True)
        if self._pending:
            return
        self._pending = True
        # a rebuild is one pass over every pod (20,000 in ~0.1 s): during a rollout's burst
        # of pod events it runs at most every REBUILD_EVERY seconds, the first one at once
        wait = self._last_build + REBUILD_EVERY - time.monotonic()
        if wait > 0:
            self.set_timer(wait, self._rebuild)
        else:
            self.call_after_refresh(self._rebuild)

    def _items(self, name: str) -> list[Any]:
        cache = self._caches.get(name)
        return list(cache.objects.values()) if cache is not None else []

    async def _check_secrets(self) -> None:
        """Gateway credentialName Secrets: existence only (metadata GETs, never data)."""
        from . import fetch

        session = self.session
        if session is None:
            return
        self.secrets = await fetch.check_secrets(session.client, self._items("gateways"),
                                                 self.secrets)
        self._rebuild()

    def _inputs(self) -> report.Inputs:
        root = "istio-system"
        settings = getattr(self.app, "settings", None)
        if settings is not None:
            root = str(settings.get("mesh.istio_root_namespace") or root)
        scope = self._scope()
        notes = [f"{name}: {cache.error}" for name, cache in self._caches.items()
                 if cache is not None and cache.state == "forbidden"]
        return report.Inputs(
            namespaces=self._items("namespaces"), pods=self._items("pods"),
            istiod=self._items("istiod"), linkerd=self._items("linkerd"),
            tag_webhooks=self._items("tags"), peer_auths=self._items("peer_auths"),
            authz=self._items("authz"), linkerd_servers=self._items("linkerd_servers"),
            linkerd_authz=self._items("linkerd_authz"),
            virtual_services=self._items("virtual_services"),
            destination_rules=self._items("destination_rules"),
            gateways=self._items("gateways"), services=self._items("services"),
            secrets=dict(self.secrets), root_namespace=root,
            scope={scope} if scope else None, notes=notes)

    def _rebuild(self) -> None:
        self._pending = False
        pods = self._caches.get("pods")
        if pods is None or not pods.synced:
            if pods is not None and pods.state == "forbidden":
                self.query_one("#mesh-summary", Static).update(
                    display_text(f"pods: {pods.error}"))
            return
        inputs = self._inputs()
        self._last_build = time.monotonic()
        if len(inputs.pods) < THREAD_FROM:
            self._apply(report.build(inputs))
            return
        # one pass over tens of thousands of pods takes a second or more: off the event
        # loop, so keys keep working while it runs (the inputs are copies of the lists)
        self.run_worker(lambda: self._build_in_thread(inputs), thread=True,
                        group="mesh-build", exclusive=True)

    def _build_in_thread(self, inputs: report.Inputs) -> None:
        built = report.build(inputs)
        self.app.call_from_thread(self._apply, built)

    def _apply(self, built: report.Report) -> None:
        if not self.is_attached:
            return
        self.report = built
        self.render_all()

    # -- rendering ---------------------------------------------------------------------

    @property
    def table(self) -> KeyTable:
        return self.query_one("#mesh-table", KeyTable)

    def render_all(self) -> None:
        self._render_summary()
        self._render_table()
        self._render_filter()
        self._render_detail()

    def _render_summary(self) -> None:
        rep = self.report
        if rep is None:
            return
        st = rep.state
        line = Text()
        line.append_text(display_text(self._coverage_line(st)))
        far = sum(s.pods for s in st.skew if s.level == "problem")
        if far:
            line.append_text(display_text(f" · {far} proxies >1 minor behind", "bold red"))
        line.append("\n")
        line.append_text(display_text(self._planes_line(st)))
        if rep.notes:
            line.append("\n")
            line.append_text(display_text("; ".join(rep.notes), "yellow"))
        self.query_one("#mesh-summary", Static).update(line)

    @staticmethod
    def _coverage_line(st: model.MeshState) -> str:
        """Short enough for 80 columns: the mesh-wide coverage and what needs a restart."""
        if st.coverage is None:
            return "no pods in meshed namespaces"
        restart = sum(n.needs_restart for n in st.namespaces)
        meshed = sum(1 for n in st.namespaces if n.meshed)
        return (f"{model.percent(st.coverage)} of meshed pods have a proxy ({st.covered}/"
                f"{st.expected}, {meshed} ns) · {restart} need restart")

    @staticmethod
    def _planes_line(st: model.MeshState) -> str:
        istio = [f"{c.revision} {c.version or '?'}" for c in st.control_planes
                 if c.mesh == model.ISTIO]
        linkerd = [c.version or "?" for c in st.control_planes if c.mesh == model.LINKERD]
        parts = ([f"istiod {', '.join(istio)}"] if istio else []) + (
            [f"linkerd {', '.join(linkerd)}"] if linkerd else [])
        return " · ".join(parts) or "no Istio or Linkerd control plane found"

    def _render_filter(self) -> None:
        parts = [f"view {VIEWS.index(self.view) + 1}/5 {self.view}"]
        if self.namespace_filter:
            parts.append(f"namespace {self.namespace_filter}")
        if self.search:
            parts.append(f"/{self.search}")
        if self.all_namespaces and self.view == "namespaces":
            parts.append("all namespaces (a)")
        parts.append("1-5 views")
        self.query_one("#mesh-filter", Static).update(display_text("  ·  ".join(parts)))

    def _shown(self, columns: Columns) -> tuple[str, ...]:
        return columns.shown(self.app.size.width)

    def _matches(self, *values: str) -> bool:
        return not self.search or any(self.search in v.lower() for v in values)

    def _render_table(self) -> None:
        rep = self.report
        if rep is None:
            return
        rows: list[tuple[str, Sequence[Any]]]
        if self.view == "namespaces":
            columns = NS_COLUMNS
            listed = rep.state.namespaces + (rep.state.others if self.all_namespaces else [])
            rows = [(f"ns/{n.name}", self._ns_cells(n))
                    for n in sorted(listed, key=lambda n: n.name) if self._matches(n.name)]
        elif self.view == "pods":
            columns = POD_COLUMNS
            rows = [(f"pod/{p.key}", self._pod_cells(p)) for p in self._pods()]
        elif self.view == "versions":
            columns = VERSION_COLUMNS
            rows = [(f"cp/{c.mesh}/{c.namespace}/{c.name}",
                     [_cell("control plane"), _cell(c.mesh), _cell(f"{c.namespace}/{c.name}"),
                      _cell(c.revision or "-"), _cell(c.version or "?"),
                      _cell(",".join(c.tags) or "-"), _cell("")])
                    for c in rep.state.control_planes]
            rows += [(f"skew/{s.mesh}/{s.version}/{s.control_plane}",
                      [_cell("proxies"), _cell(s.mesh), _cell(""), _cell(""),
                       _cell(s.version), _cell(s.control_plane or "?"),
                       _cell(f"{s.pods} {s.level}", LEVEL_STYLE.get(s.level, ""))])
                     for s in rep.state.skew]
        elif self.view == "security":
            columns = SECURITY_COLUMNS
            sec = rep.security
            rows = [(f"ns/{n.name}", [
                _cell(n.name), _cell(n.mtls or "-", self._mtls_style(n.mtls)),
                _cell(sec.source(n.name) if n.mtls != "linkerd" else
                      sec.linkerd_default.get(n.name, "all-unauthenticated")),
                _cell("-"), _cell(str(sec.authz.get(n.name, 0) + sec.linkerd_authz.get(
                    n.name, 0))), _cell(str(sec.linkerd_servers.get(n.name, 0)))])
                for n in rep.state.namespaces if self._matches(n.name)]
            rows += [(f"pa/{w.namespace}/{w.policy}", [
                _cell(w.namespace), _cell(w.mode, self._mtls_style(w.mode)),
                _cell(f"PeerAuthentication {w.policy}"),
                _cell(f"{w.selector_text} ({w.pods} pods)"), _cell(""), _cell("")])
                for w in sec.workloads if self._matches(w.namespace, w.policy)]
        else:
            columns = ANALYZE_COLUMNS
            rows = [(f"f/{i}", [_cell(f.kind), _cell(f.namespace), _cell(f.name),
                                _cell(f.message, "yellow")])
                    for i, f in enumerate(rep.findings)
                    if self._matches(f.namespace, f.name, f.message)]
        shown = self._shown(columns)
        table = self.table
        selected = self._selected_key()
        changed = set_columns(table, shown)
        rebuilt = fill_rows(table, [(key, columns.cells(cells, shown)) for key, cells in rows])
        if (changed or rebuilt) and selected is not None and selected in table.rows:
            # a namespace appearing elsewhere must not move the operator's cursor
            table.move_cursor(row=table.get_row_index(selected), animate=False)

    @staticmethod
    def _mtls_style(mode: str) -> str:
        return {"STRICT": "green", "PERMISSIVE": "yellow", "DISABLE": "bold red"}.get(mode, "")

    def _ns_cells(self, n: model.NamespaceRow) -> list[Text]:
        cells = report.namespace_cells(n)
        cov_style = "" if not n.pods else ("green" if n.with_proxy == n.pods else "bold red")
        out = [_cell(c) for c in cells]
        out[3] = _cell(cells[3], cov_style)
        out[4] = _cell(cells[4], "yellow" if n.needs_restart else "")
        out[5] = _cell(cells[5], self._mtls_style(n.mtls))
        return out

    def _pod_cells(self, p: model.PodRow) -> list[Text]:
        cells = report.pod_cells(p)
        out = [_cell(c) for c in cells]
        out[2] = _cell(cells[2], "bold red" if p.expected and not p.proxy.mesh else "")
        out[4] = _cell(cells[4], LEVEL_STYLE.get(p.skew, ""))
        out[5] = _cell(cells[5], "yellow" if p.needs_restart else "")
        return out

    def _pods(self) -> list[model.PodRow]:
        """The pods view: every meshed pod of the chosen namespace, else (all namespaces)
        only the pods that need attention -- 20,000 healthy rows help nobody."""
        rep = self.report
        if rep is None:
            return []
        if self.namespace_filter:
            pods = [p for p in rep.state.pods if p.namespace == self.namespace_filter]
        else:
            pods = [p for p in rep.state.pods
                    if p.needs_restart or p.reason or p.skew == "problem"]
        return [p for p in pods if self._matches(p.name, p.namespace, p.workload.name)]

    def _render_detail(self) -> None:
        detail = self.query_one("#mesh-detail", Static)
        key = self._selected_key()
        rep = self.report
        if rep is None or key is None:
            detail.update("")
            return
        width = max(self.app.size.width - 2, 20)
        if key.startswith("ns/"):
            n = report.by_namespace(rep).get(key[3:])
            text = "" if n is None else (
                f"{n.name}: {n.injection.how or 'no injection'}; {n.with_proxy}/{n.pods} with "
                f"proxy, {n.opted_out} opted out, {n.needs_restart} need restart; mTLS "
                f"{n.mtls or '-'} ({rep.security.source(n.name)}); e toggles injection, "
                "R restarts, enter lists pods")
        elif key.startswith("pod/"):
            p = next((p for p in rep.state.pods if f"pod/{p.key}" == key), None)
            text = "" if p is None else (
                f"{p.key}: {p.proxy.kind or 'no proxy'} {p.proxy.version} "
                f"{('rev ' + p.proxy.revision) if p.proxy.revision else ''}; "
                f"{p.reason or 'up to date'}; workload {p.workload.ref or 'none (bare pod)'}")
        else:
            row = self.table.get_row(key) if key in self.table.rows else []
            text = "  ".join(str(c) for c in row)
        detail.update(display_text(fit(text, width * 2, pad=False), multiline=False))

    def _selected_key(self) -> str | None:
        table = self.table
        if table.row_count == 0:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        except Exception:  # no row under the cursor (the table is being refilled)
            return None
        return key

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._render_detail()

    def on_resize(self) -> None:
        if self.report is not None:
            self._render_table()
            self._render_detail()

    # -- keys ----------------------------------------------------------------------------

    def action_view(self, view: str) -> None:
        self.view = view
        self.render_all()
        self.table.move_cursor(row=0)

    def action_toggle_all(self) -> None:
        """``a``: also list the namespaces without a mesh, where ``e`` turns injection on."""
        self.all_namespaces = not self.all_namespaces
        self.render_all()

    def action_drill(self) -> None:
        key = self._selected_key() or ""
        if self.view in ("namespaces", "security") and key.startswith("ns/"):
            self.namespace_filter = key[3:]
            self.view = "pods"
            self.render_all()
            self.table.move_cursor(row=0)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_drill()

    def action_search(self) -> None:
        box = self.query_one("#mesh-search", Input)
        box.add_class("visible")
        focus_now(box)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "mesh-search":
            self.search = event.value.strip().lower()
            self._render_table()
            self._render_filter()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "mesh-search":
            if not event.value.strip():
                event.input.remove_class("visible")
            self.table.focus()

    def main_widget(self) -> KeyTable:
        return self.table

    def has_filter(self) -> bool:
        return bool(self.search or self.namespace_filter)

    def clear_filter(self) -> None:
        """Escape: the search first, then the namespace drill-down (back to namespaces)."""
        if self.search:
            self.search = ""
            box = self.query_one("#mesh-search", Input)
            box.value = ""
            box.remove_class("visible")
        elif self.namespace_filter:
            selected = self.namespace_filter
            self.namespace_filter = ""
            self.view = "namespaces"
            self.render_all()
            if f"ns/{selected}" in self.table.rows:
                self.table.move_cursor(row=self.table.get_row_index(f"ns/{selected}"))
            return
        self.render_all()

    # -- actions (Mutations: confirmed, read-only refused, audited) --------------------

    def _selected_namespace(self) -> str:
        key = self._selected_key() or ""
        if key.startswith("ns/"):
            return key[3:]
        if key.startswith("pod/"):
            return key[4:].split("/", 1)[0]
        return self.namespace_filter

    def action_injection(self) -> None:
        ns = self._selected_namespace()
        rep, session = self.report, self.session
        if not ns or rep is None or session is None:
            self.app.notify("select a namespace first", severity="warning")
            return
        row = report.by_namespace(rep).get(ns)
        injection = row.injection if row is not None else model.Injection()
        mesh = injection.mesh if injection.mesh == model.AMBIENT else self.mesh
        enable = ops.toggles_to(injection, mesh)
        self.perform(ops.injection_mutation(session.client, ns, mesh, enable))

    def action_restart(self) -> None:
        key = self._selected_key() or ""
        rep, session = self.report, self.session
        if rep is None or session is None:
            return
        if not key.startswith("pod/"):
            self.action_restart_all()
            return
        pod = next((p for p in rep.state.pods if f"pod/{p.key}" == key), None)
        if pod is None:
            return
        workloads, _bare = model.restart_targets([pod])
        if not workloads:
            self.app.notify(f"pod {pod.name} has no controller to restart: delete and "
                            "recreate it", severity="warning")
            return
        self.perform(ops.restart_mutation(session.client, pod.namespace, workloads,
                                          self.now()))

    def action_restart_all(self) -> None:
        ns = self._selected_namespace()
        rep, session = self.report, self.session
        if not ns or rep is None or session is None:
            return
        pods = [p for p in rep.state.pods if p.namespace == ns and p.needs_restart]
        workloads, bare = model.restart_targets(pods)
        if not workloads:
            self.app.notify(f"nothing to restart in {ns}", severity="information")
            return
        self.perform(ops.restart_mutation(session.client, ns, workloads, self.now(),
                                          skipped=[p.name for p in bare]))
