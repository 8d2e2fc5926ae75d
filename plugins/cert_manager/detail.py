"""Detail view of one certificate: every fact, and why it is (not) renewing.

``related()`` and ``render_detail()`` are pure (objects in, text out) so they are tested
without a terminal; every value from the cluster (names, condition and event messages,
challenge reasons) goes through :func:`k8s_essentials_tui.text.clean` on its way into the
``Text``; :class:`CertDetailScreen` subscribes to the shared caches of the
CertificateRequests, Orders, Challenges, Issuers and Events it needs -- only when opened.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from k8s_essentials_tui.api import (
    EVENTS,
    CacheSubscriber,
    CacheUpdated,
    KeyFooter,
    clean,
    days_left,
)

from . import CERTIFICATE_REQUESTS, CHALLENGES, CLUSTER_ISSUERS, ISSUERS, ORDERS
from .model import KIND_BACKUP, KIND_CERT, CertRow, Thresholds, condition, rfc3339

if TYPE_CHECKING:
    from textual import getters

    from k8s_essentials_tui.api import EssentialsApp

STATE_STYLE = {"expired": "bold red", "critical": "red", "warning": "yellow",
               "expiring": "yellow", "ok": "green", "unknown": "dim"}


@dataclass
class Related:
    requests: list[dict[str, Any]] = field(default_factory=list)
    orders: list[dict[str, Any]] = field(default_factory=list)
    challenges: list[dict[str, Any]] = field(default_factory=list)
    issuer: dict[str, Any] | None = None
    issuer_state: str = ""  # "", "missing", "forbidden: ...", ...
    events: list[dict[str, Any]] = field(default_factory=list)
    #: "kind: message" for caches that could not be read
    unavailable: list[str] = field(default_factory=list)


def _owned_by(obj: Mapping[str, Any], kind: str, names: AbstractSet[str | None]) -> bool:
    for ref in ((obj.get("metadata") or {}).get("ownerReferences") or []):
        if ref.get("kind") == kind and ref.get("name") in names:
            return True
    return False


def _revision(obj: Mapping[str, Any]) -> int:
    ann = (obj.get("metadata") or {}).get("annotations") or {}
    try:
        return int(ann.get("cert-manager.io/certificate-revision") or 0)
    except ValueError:
        return 0


def _created(obj: Mapping[str, Any]) -> str:
    return (obj.get("metadata") or {}).get("creationTimestamp") or ""


def _event_time(ev: Mapping[str, Any]) -> str:
    return (ev.get("lastTimestamp") or ev.get("eventTime")
            or (ev.get("metadata") or {}).get("creationTimestamp") or "")


def related(row: CertRow, requests: Iterable[dict[str, Any]],
            orders: Iterable[dict[str, Any]], challenges: Iterable[dict[str, Any]],
            events: Iterable[dict[str, Any]]) -> Related:
    """The CertificateRequest -> Order -> Challenge chain and events of ``row``."""
    rel = Related()
    if row.kind == KIND_CERT:
        for cr in requests:
            md = cr.get("metadata") or {}
            ann = md.get("annotations") or {}
            if md.get("namespace") == row.namespace and (
                    ann.get("cert-manager.io/certificate-name") == row.name
                    or _owned_by(cr, "Certificate", {row.name})):
                rel.requests.append(cr)
        rel.requests.sort(key=lambda o: (_revision(o), _created(o)), reverse=True)
        cr_names = {(o.get("metadata") or {}).get("name") for o in rel.requests}
        rel.orders = sorted((o for o in orders if _owned_by(o, "CertificateRequest", cr_names)),
                            key=_created, reverse=True)
        order_names = {(o.get("metadata") or {}).get("name") for o in rel.orders}
        rel.challenges = sorted((c for c in challenges if _owned_by(c, "Order", order_names)),
                                key=lambda o: (o.get("metadata") or {}).get("name") or "")
        names = {row.name} | {n for n in cr_names | order_names if n}
        names |= {(c.get("metadata") or {}).get("name") for c in rel.challenges}
        kinds = {"Certificate", "CertificateRequest", "Order", "Challenge"}
    else:
        names = {row.name}
        kinds = {row.kind}
    rel.events = sorted(
        (e for e in events
         if (e.get("involvedObject") or {}).get("name") in names
         and (e.get("involvedObject") or {}).get("kind") in kinds
         and (e.get("involvedObject") or {}).get("namespace", row.namespace) == row.namespace),
        key=_event_time)
    return rel


def _cond_text(obj: Mapping[str, Any], ctype: str) -> str:
    c = condition(obj, ctype)
    if c is None:
        return f"{ctype}=?"
    text = f"{ctype}={c.get('status')}"
    if c.get("reason"):
        text += f" {c['reason']}"
    if c.get("message"):
        text += f": {c['message']}"
    return text


def _dt(value: datetime | None) -> str:
    return rfc3339(value) or "-"


def render_detail(row: CertRow, rel: Related, now: datetime, thresholds: Thresholds,
                  renew_note: str = "") -> Text:
    """The whole detail page as one Rich Text (wraps to any width)."""
    t = Text()
    state = row.state(now, thresholds)
    days = row.days_left(now)

    def head(title: str) -> None:
        t.append(f"\n{title}\n", style="bold underline")

    def field_(label: str, value: str, style: str = "") -> None:
        t.append(f"  {label:<14}", style="bold")
        t.append(f"{clean(value)}\n", style=style)

    def line(value: str, style: str = "") -> None:
        """One line of cluster text (cleaned: a line break inside it is shown as ␤)."""
        t.append(f"{clean(value)}\n", style=style)

    kind = {KIND_CERT: "Certificate", KIND_BACKUP: "Velero Backup"}.get(
        row.kind, "TLS Secret" + ("" if row.managed_by else " (unmanaged)"))
    t.append(clean(f"{kind} {row.namespace}/{row.name}  "), style="bold")
    t.append(f"{state}", style=STATE_STYLE.get(state, ""))
    t.append(f"  {days_left(days)}\n")
    field_("Not after", _dt(row.not_after), STATE_STYLE.get(state, ""))
    field_("Not before", _dt(row.not_before))
    if row.kind == KIND_BACKUP:
        field_("Phase", row.ready_reason or "-")
        field_("Location", row.issuer or "-")
    else:
        field_("DNS names", ", ".join(row.dns_names) or "-")
        field_("Issuer", row.issuer or "-")
    if row.kind == KIND_CERT:
        field_("Renewal time", _dt(row.renewal_time))
        field_("Secret", row.secret_name or "-")
        ready = "True" if row.ready else "False" if row.ready is False else "?"
        msg = f"{ready} {row.ready_reason}: {row.ready_message}".rstrip(": ")
        field_("Ready", msg, "green" if row.ready else "red" if row.ready is False else "")
        field_("Issuing", "True (renewal in progress)" if row.issuing else "False")
        if rel.issuer is not None:
            field_("Issuer ready", _cond_text(rel.issuer, "Ready"),
                   "green" if (condition(rel.issuer, "Ready") or {}).get("status") == "True"
                   else "red")
        elif rel.issuer_state:
            field_("Issuer ready", rel.issuer_state, "red")
    elif row.managed_by:
        field_("Managed by", f"Certificate {row.managed_by} (gone)", "red")
    if row.ingresses:
        field_("Ingresses", ", ".join(row.ingresses))
        field_("Hosts at risk", ", ".join(row.ingress_hosts) or "-")
    info = row.info
    if info is not None and row.kind != KIND_BACKUP:
        head("Certificate in the Secret (tls.crt)")
        if info.parsed:
            field_("Subject", info.subject or "-")
            field_("Issuer", info.issuer or "-")
            field_("Serial", info.serial)
            field_("Valid", f"{_dt(info.not_before)} .. {_dt(info.not_after)}")
            field_("SANs", ", ".join(info.dns_names + info.ip_addresses) or "none")
            field_("Key", f"{info.key_type} {info.key_size or ''}".strip())
            chain = {True: "complete", False: "INCOMPLETE", None: "ends at an issuer "
                     "not included (root expected in the client trust store)"}
            ordered = "ordered" if info.chain_ordered else "NOT ordered"
            field_("Chain", f"{info.chain_length} cert(s), {ordered}, "
                            f"{chain[info.chain_complete]}")
            field_("tls.key", {True: "matches the certificate", False: "DOES NOT MATCH",
                               None: "not checked"}[info.key_matches],
                   "red" if info.key_matches is False else "")
            field_("Encoding", info.encoding)
        else:
            t.append("  (could not be parsed)\n", style="red")
    if row.problems:
        head("Problems")
        for p in row.problems:
            line(f"  ! {p}", "yellow")
    if row.kind == KIND_CERT:
        head("Issuance: CertificateRequest -> Order -> Challenge")
        if not rel.requests:
            t.append("  no CertificateRequests\n", style="dim")
        for cr in rel.requests:
            md = cr.get("metadata") or {}
            line(f"  CertificateRequest {md.get('name')} (revision {_revision(cr)})", "bold")
            line(f"    {_cond_text(cr, 'Approved')}")
            line(f"    {_cond_text(cr, 'Ready')}")
            if condition(cr, "Denied"):
                line(f"    {_cond_text(cr, 'Denied')}", "red")
            for order in rel.orders:
                if not _owned_by(order, "CertificateRequest", {md.get("name")}):
                    continue
                om = order.get("metadata") or {}
                st = order.get("status") or {}
                order_line = f"    Order {om.get('name')}: state={st.get('state') or '?'}"
                if st.get("reason"):
                    order_line += f" {st['reason']}"
                line(order_line)
                for ch in rel.challenges:
                    if not _owned_by(ch, "Order", {om.get("name")}):
                        continue
                    cm = ch.get("metadata") or {}
                    cs = ch.get("status") or {}
                    spec = ch.get("spec") or {}
                    line(f"      Challenge {cm.get('name')} {spec.get('type', '')} "
                         f"{spec.get('dnsName', '')}: state={cs.get('state') or '?'} "
                         f"presented={cs.get('presented')} "
                         f"processing={cs.get('processing')}")
                    if cs.get("reason"):
                        line(f"        {cs['reason']}", "yellow")
    head("Events")
    if not rel.events:
        t.append("  none\n", style="dim")
    for ev in rel.events[-15:]:
        io = ev.get("involvedObject") or {}
        style = "yellow" if ev.get("type") == "Warning" else ""
        line(f"  {_event_time(ev)} {ev.get('type', ''):<7} {io.get('kind')}/"
             f"{io.get('name')} {ev.get('reason', '')}: {ev.get('message', '')}", style)
    for note in rel.unavailable:
        line(f"  ({note})", "dim")
    if renew_note:
        t.append("\n")
        line(renew_note, "bold")
    return t


class CertDetailScreen(CacheSubscriber, Screen[None]):
    """One row's details, kept live from the shared caches while open."""

    if TYPE_CHECKING:  # the app's own attributes, typed (Textual's getter, for checkers)
        app = getters.app(EssentialsApp)

    BINDINGS = [
        Binding("escape,q", "back", "Back", id="certs.detail.back"),
        Binding("R", "renew", "Renew", id="certs.detail.renew"),
    ]
    DEFAULT_CSS = """
    CertDetailScreen VerticalScroll { padding: 0 1; }
    """

    def __init__(self, pane: Any, row: CertRow) -> None:
        super().__init__()
        self.pane = pane
        self.row_key = row.key
        self.row = row
        self.renew_note = ""

    def compose(self) -> ComposeResult:
        yield self.app.make_status_bar()
        with VerticalScroll():
            yield Static(id="detail-body")
        yield KeyFooter()

    def on_mount(self) -> None:
        ns = self.row.namespace
        if self.session is not None:
            if self.row.kind == KIND_CERT:
                for rtype in (CERTIFICATE_REQUESTS, ORDERS, CHALLENGES):
                    self.watch_resource(rtype, ns)
                kind = self._issuer_kind()
                if kind == "ClusterIssuer":
                    self.watch_resource(CLUSTER_ISSUERS)
                else:
                    self.watch_resource(ISSUERS, ns)
            self.watch_resource(EVENTS, ns)
            self._check_renew()
        self._redraw()

    def on_unmount(self) -> None:
        self.unwatch_all()

    def _issuer_kind(self) -> str:
        return "ClusterIssuer" if self.row.issuer.startswith("ClusterIssuer/") else "Issuer"

    def _items(self, rtype: Any, ns: str | None, rel: Related) -> list[dict[str, Any]]:
        if self.session is None:
            return []
        cache = self.session.cache(rtype, ns)
        if cache.state in ("forbidden", "error") and cache.error is not None:
            rel.unavailable.append(f"{rtype.kind}: {cache.error}")
        elif cache.state == "missing":
            rel.unavailable.append(f"{rtype.kind}: not served in this cluster")
        return cache.items()

    def on_cache_updated(self, _message: CacheUpdated) -> None:
        self._redraw()

    def refresh_row(self) -> None:
        """Called by the pane when the index changed."""
        row = self.pane.index.rows.get(self.row_key)
        if row is not None:
            self.row = row
        self._redraw()

    def _redraw(self) -> None:
        rel = Related()
        ns = self.row.namespace
        if self.session is not None:
            reqs = orders = chs = []
            if self.row.kind == KIND_CERT:
                reqs = self._items(CERTIFICATE_REQUESTS, ns, rel)
                orders = self._items(ORDERS, ns, rel)
                chs = self._items(CHALLENGES, ns, rel)
            events = self._items(EVENTS, ns, rel)
            found = related(self.row, reqs, orders, chs, events)
            found.unavailable = rel.unavailable
            rel = found
            if self.row.kind == KIND_CERT and self.row.issuer:
                kind = self._issuer_kind()
                name = self.row.issuer.split("/", 1)[-1]
                cache = self.session.cache(CLUSTER_ISSUERS if kind == "ClusterIssuer"
                                           else ISSUERS, None if kind == "ClusterIssuer"
                                           else ns)
                rel.issuer = next((o for o in cache.items()
                                   if (o.get("metadata") or {}).get("name") == name), None)
                if rel.issuer is None:
                    rel.issuer_state = (f"cannot read {kind}s: {cache.error}"
                                        if cache.state == "forbidden"
                                        else "loading" if cache.state == "pending"
                                        else f"{kind} {name} not found")
        text = render_detail(self.row, rel, self.pane.now(), self.pane.thresholds,
                             self.renew_note)
        self.query_one("#detail-body", Static).update(text)

    def _check_renew(self) -> None:
        self.run_worker(self._renew_access(), group="renew-access", exclusive=True)

    async def _renew_access(self) -> None:
        self.renew_note = await self.pane.renew_availability(self.row)
        self._redraw()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_renew(self) -> None:
        self.pane.request_renew(self.row)
