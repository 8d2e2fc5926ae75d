"""The certificates pane: every certificate of the cluster, soonest expiry first.

Data: the shared watch caches of cert-manager Certificates, TLS Secrets (field selector
``type=kubernetes.io/tls``, filtered by the apiserver), Ingresses and, when the
CRD is served, Velero Backups. Watch events are applied to a :class:`~.model.CertIndex` by
key; the view list is re-filtered and re-sorted and only the visible lines are rendered
(:class:`~.table.CertTable`). The caches store projections (``stored.py``, the caches'
transforms): each TLS Secret is parsed and its chain and key checked as the cache stores
it -- while the list's next page is on its way, in slices of a few ms -- and only those
facts are kept, never ``data`` or a private key; Certificates keep the fields the rows
read. The first load of the lists then runs in a thread (the loop only swaps the sorted
rows in) with every check already done (#25; docs/certificates.md has the figures). A
Secret that reaches the index whole (tests, the headless path) is still parsed quickly
first and checked later in small slices between frames (``_deepen``).

Scope: the namespace given with ``--namespace`` (or the config's ``namespace``), else all
namespaces.
"""

from __future__ import annotations

import asyncio
import bisect
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from k8s_essentials_tui.api import (
    INGRESSES,
    SECRETS,
    CacheUpdated,
    ObjectTransform,
    PluginPane,
    ResourceType,
    bulk_load,
    clean,
    days_left,
    days_short,
    display_text,
    focus_now,
    prompt_threads,
    sorted_in_pieces,
)

from . import CERTIFICATES, VELERO_BACKUPS
from .model import (
    KIND_BACKUP,
    KIND_CERT,
    KIND_SECRET,
    CertIndex,
    CertRow,
    Thresholds,
    worse,
)
from .renew import renew_mutation
from .stored import certificate_for_cache, tls_secret_for_cache
from .table import CertTable

#: state filter cycle (``s``)
STATE_FILTERS = ("all", "attention", "expired", "critical", "warning", "expiring", "ok",
                 "unknown", "problems")
#: only TLS Secrets are listed and watched (server-side filter: Helm release payloads and
#: other Secrets never reach this process)
FIELD_SELECTORS: dict[str, str] = {SECRETS.qualified: "type=kubernetes.io/tls"}
#: what the caches keep of each object: TLS Secrets without their private keys and the
#: data no row reads (``stored.py``; #25: memory, and no key material in the process)
TRANSFORMS: dict[str, ObjectTransform] = {SECRETS.qualified: tls_secret_for_cache,
                                          CERTIFICATES.qualified: certificate_for_cache}
_KIND_OF: dict[str, str] = {CERTIFICATES.qualified: KIND_CERT, SECRETS.qualified: KIND_SECRET,
                            INGRESSES.qualified: "Ingress",
                            VELERO_BACKUPS.qualified: KIND_BACKUP}
DEEPEN_BATCH = 10
#: seconds of chain/key checks between two frames (see _deepen)
DEEPEN_SLICE = 0.008
#: a change of at most this many rows moves them in the sorted view (``_move_in_view``)
MOVE_AT_MOST = 64


class PickScreen(ModalScreen[str | None]):
    """Choose one value (namespace, issuer) from a list; escape keeps the current one."""

    DEFAULT_CSS = """
    PickScreen { align: center middle; }
    PickScreen > Vertical { width: 60; max-width: 90%; height: auto; max-height: 80%;
                            border: thick $primary; background: $panel; }
    PickScreen OptionList { height: auto; max-height: 20; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="certs.pick.cancel")]

    def __init__(self, title: str, values: list[str]) -> None:
        super().__init__()
        self.title_text = title
        self.values = values

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text, markup=False)
            # issuer names come from Certificates' specs: Text prompts, never markup
            yield OptionList(*[Option(display_text(v), id=str(i))
                               for i, v in enumerate(self.values)])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.values[int(event.option.id or 0)])

    def action_cancel(self) -> None:
        self.dismiss(None)


class CertificatesPane(PluginPane):
    DEFAULT_CSS = """
    CertificatesPane #certs-summary { height: 1; padding: 0 1; background: $panel; }
    CertificatesPane #certs-message { height: auto; max-height: 3; padding: 0 1;
                                      color: $warning; }
    CertificatesPane #certs-search { display: none; height: 3; }
    CertificatesPane #certs-search.visible { display: block; }
    """
    BINDINGS = [
        Binding("slash", "search", "Search", id="certs.search", priority=True),
        Binding("R", "renew", "Renew", id="certs.renew"),
        Binding("s", "cycle_state", "State", id="certs.state"),
        Binding("N", "pick_namespace", "Namespace", id="certs.namespace"),
        Binding("I", "pick_issuer", "Issuer", id="certs.issuer"),
        Binding("a", "toggle_all", "All expiries", id="certs.all"),
        Binding("c", "clear_filters", "Clear", id="certs.clear"),
        # not in the footer (it is full at 80 columns); ? lists it
        Binding("x", "exposure", "Exposure", id="certs.exposure", show=False),
    ]

    def __init__(self, plugin: Any, **kwargs: Any) -> None:
        super().__init__(plugin, **kwargs)
        self.index = CertIndex(deep=False)
        self.thresholds = Thresholds()
        self.scope: str | None = None
        self.namespace_filter: str | None = None
        self.issuer_filter: str | None = None
        self.state_filter = "all"
        self.search = ""
        self.all_expiries = False
        self._uids: dict[str, dict[str, tuple[str, str]]] = {}
        self._pending: dict[str, list[CacheUpdated]] = {}
        self._primed = False
        #: the first load runs in a thread (``_load``)
        self._loading = False
        #: every row sorted, from the first load: the first view needs no sort of its own
        self._sorted_all: list[CertRow] | None = None
        #: their states, computed in that thread too (the summary counts them, see _refilter)
        self._sorted_states: dict[str, str] = {}
        #: row key -> its position in ``view_rows`` (checked rows replace theirs in place)
        self._positions: dict[str, int] = {}
        #: the summary's counts (see _count_states); None = count again
        self._counts: tuple[int, dict[str, int]] | None = None
        self._states: dict[str, str] = {}
        self._deepening = False
        self._velero = False
        #: listing all namespaces was denied and the pane moved to the session's namespace
        self._rescoped_from_all = False
        self.view_rows: list[CertRow] = []

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("Loading certificates…", id="certs-summary", markup=False)
        yield CertTable(now=self.now(), thresholds=self.thresholds, id="certs-table")
        yield Input(placeholder="search names and DNS names (enter: keep, esc: clear)",
                    id="certs-search")
        yield Static("", id="certs-message", markup=False)

    @property
    def table(self) -> CertTable:
        return self.query_one(CertTable)

    def on_mount(self) -> None:
        settings = getattr(self.app, "settings", None)
        self.thresholds = Thresholds.from_settings(settings)
        self.table.thresholds = self.thresholds
        self.table.focus()
        self.set_interval(60, self._tick)
        super().on_mount()

    def on_session_ready(self) -> None:
        self.scope = PluginPane.chosen_namespace(self.app)
        for rtype, options in _watched(self.scope):
            self.watch_resource(rtype, **options)
        self._watch_velero()

    @classmethod
    def prefetch(cls, session: Any, app: Any) -> None:
        """The three lists on the wire before the screen is composed (PluginPane.prefetch):
        the same caches :meth:`on_session_ready` subscribes to."""
        for rtype, options in _watched(cls.chosen_namespace(app)):
            session.prefetch(rtype, **options)

    @work(group="certs-velero", exclusive=True, description="certs-velero")
    async def _watch_velero(self) -> None:
        """Velero backups join "all expiries" when the CRD is served (one discovery call)."""
        if self.session is None:
            return
        try:
            disc = await self.session.discovery()
        except Exception:
            return
        if disc.find("velero.io", "backups") is not None or disc.has_group("velero.io"):
            self._velero = True
            self.watch_resource(VELERO_BACKUPS, self.scope)

    def now(self) -> datetime:
        return self.app.now()

    # -- data ------------------------------------------------------------------------------

    def _kind(self, rtype: ResourceType) -> str:
        return _KIND_OF.get(rtype.qualified, "")

    def on_cache_updated(self, message: CacheUpdated) -> None:
        kind = self._kind(message.cache.rtype)
        if not kind:
            return
        message.stop()
        if message.cache.key.namespace != self.scope:
            return  # a cache of the scope before _rescope (its last messages)
        if kind == KIND_SECRET:
            # a forbidden list is not an empty one: "cannot read Secret x (no permission)"
            state = message.cache.state
            why = ("no permission" if state == "forbidden"
                   else "list failed" if state == "error" else None)
            changed = self.index.set_secrets_unreadable(why)
            if changed and self._primed:
                self._after_change(changed)
        if self._should_rescope():
            assert self.session is not None and self.session.namespace
            self._rescope(self.session.namespace)
            return
        if not self._primed:
            # apply the first lists together, Certificates before Secrets, so Secrets that
            # a Certificate manages are not parsed as unmanaged ones first
            self._pending.setdefault(kind, []).append(message)
            if self._loading:
                return  # applied when the first load is in (see _loaded)
            if kind == KIND_SECRET and message.cache.state == "synced":
                self._check_ahead(self.index, message.cache.items())
            if all(self._cache(k).state != "pending"
                   for k in (CERTIFICATES, SECRETS, INGRESSES)):
                streams = {"certificates": CERTIFICATES, "secrets": SECRETS,
                           "ingresses": INGRESSES}
                if KIND_BACKUP in self._pending:
                    streams["backups"] = VELERO_BACKUPS
                lists = {arg: self._cache(rtype).items() for arg, rtype in streams.items()}
                kinds = {arg: self._kind(rtype) for arg, rtype in streams.items()}
                self._pending.clear()
                self._loading = True
                self._load(self.index, lists, kinds, self.now(), self.thresholds)
            else:
                self._show_summary()
            return
        changed = self._apply(kind, [message])
        self._after_change(changed)

    # a description: Textual's default one is the repr of the arguments -- of 10,000
    # objects, which took seconds of the event loop (#25)
    @work(thread=True, group="certs-load", exclusive=True, description="certs first load")
    def _load(self, index: CertIndex, lists: dict[str, list[dict[str, Any]]],
              kinds: dict[str, str], now: datetime, thresholds: Thresholds) -> None:
        """The first load of every list into the index, off the event loop: 10,000
        Certificates took a second or more in one block (a frozen screen, #25). The rows
        come back sorted, with their states, so the loop only swaps them in. Nothing else
        touches ``index`` meanwhile: cache messages wait in ``_pending``."""
        # no collector pass meanwhile (api.bulk_load): every row made here lives on, and
        # at 50,000 Certificates young passes of 5-34 ms each, 14 of them, held the GIL
        # (and so the loop) while this thread built the rows (#25); and the GIL changes
        # hands every 1 ms, not 5 (api.prompt_threads): each time the loop wanted it back
        # (after every socket read of the watch handshakes and pages still arriving) it
        # waited up to a switch interval, and steps of 1 ms of the loop's own CPU took
        # 16-21 ms while this thread ran (bench/certs_bench.py --trace, 50,000 rows)
        with bulk_load(), prompt_threads():
            uids = {kinds[arg]: {(o.get("metadata") or {}).get("uid") or "":
                                 ((o.get("metadata") or {}).get("namespace") or "",
                                  (o.get("metadata") or {}).get("name") or "")
                                 for o in objs}
                    for arg, objs in lists.items()}
            index.load(**lists)
            # in pieces: one C sort of 50,000 rows held the GIL (and the loop) ~40 ms
            rows = sorted_in_pieces(index.rows.values(), key=CertRow.sort_key)
            states = {r.key: r.state(now, thresholds) for r in rows}
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._loaded, index, uids, rows, states)

    def _loaded(self, index: CertIndex, uids: dict[str, dict[str, tuple[str, str]]],
                rows: list[CertRow], states: dict[str, str]) -> None:
        """Back on the loop: the loaded rows in, then what changed during the load."""
        if index is not self.index or not self.is_attached:
            return  # rescoped or closed meanwhile
        self._loading = False
        self._primed = True
        self._uids.update(uids)
        self._states.update(states)
        self._sorted_all = rows
        self._sorted_states = states
        changed: set[str] = set()
        pending, self._pending = self._pending, {}
        for kind, messages in pending.items():
            changed |= self._apply(kind, messages)
        if changed:
            self._sorted_all = None  # rows changed after the thread sorted them
        self._after_change(changed, initial=True)

    def _should_rescope(self) -> bool:
        """All namespaces were asked for and RBAC denies both Certificates (or they are not
        served) and TLS Secrets there, while the session has a namespace: a user with
        RoleBindings only would otherwise see nothing at all."""
        if self.scope is not None or self._rescoped_from_all or self.session is None:
            return False
        if not self.session.namespace:
            return False
        return (self._cache(SECRETS).state == "forbidden"
                and self._cache(CERTIFICATES).state in ("forbidden", "missing"))

    def _rescope(self, namespace: str) -> None:
        """Start over in one namespace (the context's, like kubectl without -A)."""
        self.unwatch_all()
        self.scope = namespace
        self._rescoped_from_all = True
        self.index = CertIndex(deep=False)
        self._uids.clear()
        self._pending.clear()
        self._states.clear()
        self._primed = False
        self._loading = False
        self._sorted_all = None
        self._sorted_states = {}
        self._counts = None
        for rtype in (CERTIFICATES, SECRETS, INGRESSES):
            self.watch_resource(rtype, namespace,
                                field_selector=FIELD_SELECTORS.get(rtype.qualified),
                                transform=TRANSFORMS.get(rtype.qualified))
        if self._velero:
            self.watch_resource(VELERO_BACKUPS, namespace)
        self._show_summary()

    def _cache(self, rtype: ResourceType) -> Any:
        assert self.session is not None
        return self.session.cache(rtype, self.scope,
                                  field_selector=FIELD_SELECTORS.get(rtype.qualified),
                                  transform=TRANSFORMS.get(rtype.qualified))

    def _apply(self, kind: str, messages: Iterable[CacheUpdated]) -> set[str]:
        changed: set[str] = set()
        uids = self._uids.setdefault(kind, {})
        upsert, delete = {
            KIND_CERT: (self.index.upsert_certificate, self.index.delete_certificate),
            KIND_SECRET: (self.index.upsert_secret, self.index.delete_secret),
            "Ingress": (self.index.upsert_ingress, self.index.delete_ingress),
            KIND_BACKUP: (self.index.upsert_backup, self.index.delete_backup),
        }[kind]
        for message in messages:
            change = message.change
            cache = change.cache
            if change.reset:
                objs = cache.items()
                uids.clear()
                for o in objs:
                    md = o.get("metadata") or {}
                    uids[md.get("uid") or ""] = (md.get("namespace") or "", md.get("name") or "")
                changed |= self.index.replace(kind, objs)
                continue
            for uid in change.deleted:
                nsname = uids.pop(uid, None)
                if nsname is not None:
                    changed |= delete(*nsname)
            for uid in change.upserted:
                obj = cache.objects.get(uid)
                if obj is None:
                    continue
                md = obj.get("metadata") or {}
                uids[uid] = (md.get("namespace") or "", md.get("name") or "")
                changed |= upsert(obj)
        return changed

    def _after_change(self, changed: set[str], initial: bool = False) -> None:
        if initial or not self._move_in_view(changed):
            self._refilter()
        self._notify_crossings(changed, initial)
        if self.index.pending_deep() and not self._deepening:
            self._deepening = True
            self._deepen()
        for screen in self.app.screen_stack:
            refresh = getattr(screen, "refresh_row", None)
            if refresh is not None and getattr(screen, "pane", None) is self:
                refresh()

    @work(group="certs-ahead", exclusive=True, description="certs checks ahead")
    async def _check_ahead(self, index: CertIndex, secrets: list[dict[str, Any]]) -> None:
        """Check the Secrets' chains and keys while the other lists are still arriving
        (in slices between frames, like :meth:`_deepen`), until the first load; what is
        left then is :meth:`_deepen`'s."""
        loop = asyncio.get_running_loop()
        pending = iter(secrets)
        while not self._primed and not self._loading and self.index is index:
            started = loop.time()
            for secret in pending:
                index.check_ahead(secret)
                if loop.time() - started >= DEEPEN_SLICE:
                    break
            else:
                return
            await asyncio.sleep(0)

    @work(group="certs-deepen", exclusive=True, description="certs-deepen")
    async def _deepen(self) -> None:
        """Check chains and keys in small batches between frames (keeps the UI responsive)."""
        loop = asyncio.get_running_loop()
        last = loop.time()
        dirty = swapped = False
        try:
            while self.index.pending_deep():
                # a slice of at most DEEPEN_SLICE seconds, in small steps: a fixed batch of
                # Secrets was one long block of the event loop on a slow or loaded machine
                started = loop.time()
                changed: set[str] = set()
                while self.index.pending_deep() and loop.time() - started < DEEPEN_SLICE:
                    changed |= self.index.deepen(DEEPEN_BATCH)
                # checked rows usually keep their place: swap them in (the visible ones
                # repaint); else re-filter and re-sort, at most twice a second
                if changed and not dirty and self.is_attached and self._primed \
                        and self._replace_in_view(changed):
                    swapped = True
                elif changed:
                    dirty = True
                # repaint at most twice a second: a table repaint per slice was most of the
                # checks' time on a loaded machine
                if (loop.time() - last > 0.5 or not self.index.pending_deep()):
                    last = loop.time()
                    if dirty:
                        dirty = swapped = False
                        self._refilter()
                    else:
                        if swapped and self.is_attached:
                            swapped = False
                            self.table.refresh()
                        self._show_summary()
                    for screen in self.app.screen_stack:
                        refresh = getattr(screen, "refresh_row", None)
                        if refresh is not None and getattr(screen, "pane", None) is self:
                            refresh()
                # let frames and input through: a 5 ms sleep here added 60% to the checks'
                # time (a frame or a key runs in this yield when one is due)
                await asyncio.sleep(0)
        finally:
            self._deepening = False
            self._show_summary()

    # -- filtering -------------------------------------------------------------------------

    def _visible(self, row: CertRow, now: datetime) -> bool:
        if row.kind == KIND_BACKUP and not self.all_expiries:
            return False
        if self.namespace_filter is not None and row.namespace != self.namespace_filter:
            return False
        if self.issuer_filter is not None and row.issuer != self.issuer_filter:
            return False
        if self.search and self.search not in row.search_text:
            return False
        sf = self.state_filter
        if sf == "all":
            return True
        if sf == "problems":
            return bool(row.problems)
        state = row.state(now, self.thresholds)
        if sf == "attention":
            return state in ("expired", "critical", "warning", "expiring") \
                or bool(row.problems)
        return state == sf

    def _refilter(self) -> None:
        if not self.is_attached or not self.query(CertTable):
            return  # unmounting (a worker may finish after the screen closed)
        now = self.now()
        first, self._sorted_all = self._sorted_all, None
        states, self._sorted_states = self._sorted_states, {}
        if first is not None:  # the first load's rows, sorted in its thread
            rows = first if self._shows_all() else [r for r in first
                                                    if self._visible(r, now)]
        else:
            rows = [r for r in self.index.rows.values() if self._visible(r, now)]
            rows.sort(key=CertRow.sort_key)
        self.view_rows = rows
        self._positions = {}
        # the first load's states came with its rows: counting 10,000 states again here
        # was ~10 ms of the step that swaps the table in (#25: loop stalls)
        self._counts = self._count_states(states) if first is not None else None
        self.table.set_rows(rows, now)
        self._show_summary()

    def _move_in_view(self, changed: set[str]) -> bool:
        """The rows a watch event changed, taken out of the sorted view and put back where
        they sort now (bisect); the summary's counts moved from their old states to their
        new ones. Why: :meth:`_refilter` re-filters, re-sorts and re-counts every row --
        at 50,000 rows 100-225 ms of the loop for one watch event (#25). The result is the
        same (a Pilot test compares it with a full re-filter). False, and nothing done,
        when it does not apply: many rows, a Velero backup (counted only with "all
        expiries"), or before the first load's rows are in."""
        if not changed or len(changed) > MOVE_AT_MOST or self._sorted_all is not None \
                or not self._primed or not self.is_attached or not self.query(CertTable) \
                or any(key.startswith(f"{KIND_BACKUP}:") for key in changed):
            return False
        now = self.now()
        rows = [r for r in self.view_rows if r.key not in changed]
        for key in changed:
            row = self.index.rows.get(key)
            if row is not None and self._visible(row, now):
                bisect.insort(rows, row, key=CertRow.sort_key)
        if self._counts is not None:
            total, counts = self._counts[0], dict(self._counts[1])
            for key in changed:
                old = self._states.get(key)  # as counted (_notify_crossings runs after)
                row = self.index.rows.get(key)
                new = row.state(now, self.thresholds) if row is not None else None
                for state, step in ((old, -1), (new, 1)):
                    if state is not None:
                        total += step
                        if state in counts:
                            counts[state] += step
            self._counts = (total, counts)
        self.view_rows = rows
        self._positions = {}
        self.table.set_rows(rows, now)
        self._show_summary()
        return True

    def _shows_all(self) -> bool:
        """No filter hides a row (Velero backups are rows only with "all expiries")."""
        return (self.state_filter == "all" and not self.search
                and self.namespace_filter is None and self.issuer_filter is None
                and (self.all_expiries or not self.index.backups))

    def _replace_in_view(self, changed: set[str]) -> bool:
        """Show rows that the chain/key checks changed without re-filtering and re-sorting
        10,000 rows: each takes its old row's place when it sorts the same and the filters
        keep it. False when a row must move, appear or go (then :meth:`_refilter`)."""
        if not self._positions and self.view_rows:
            self._positions = {r.key: i for i, r in enumerate(self.view_rows)}
        now = self.now()
        rows = self.view_rows
        for key in changed:
            row = self.index.rows.get(key)
            at = self._positions.get(key)
            if row is None or at is None or rows[at].sort_key() != row.sort_key() \
                    or not self._visible(row, now):
                return False
        for key in changed:
            rows[self._positions[key]] = self.index.rows[key]
        return True

    def _show_summary(self) -> None:
        if not self.is_attached or not self.query("#certs-summary"):
            return
        if self._counts is None:
            self._counts = self._count_states()
        total, counts = self._counts
        parts = [f"{len(self.view_rows)}/{total} shown",
                 f"{counts['expired']} expired", f"{counts['critical']} critical",
                 f"{counts['warning']} warning"]
        filters = []
        if self.scope:
            filters.append(f"scope {self.scope}" + (" (all namespaces denied)"
                                                     if self._rescoped_from_all else ""))
        if self.namespace_filter is not None:
            filters.append(f"ns={self.namespace_filter}")
        if self.issuer_filter is not None:
            filters.append(f"issuer={self.issuer_filter}")
        if self.state_filter != "all":
            filters.append(f"state={self.state_filter}")
        if self.search:
            filters.append(f"/{self.search}")
        if self.all_expiries:
            filters.append("all expiries" + ("" if self._velero else " (no Velero)"))
        if not self._primed:
            text = "Loading certificates…"
        else:
            text = " · ".join(parts) + ("  [" + ", ".join(filters) + "]" if filters else "")
            pending = self.index.pending_deep()
            if pending:
                text += f" · checking {pending} secrets"
        # the filters quote issuer names (cluster text) and the search
        self.query_one("#certs-summary", Static).update(clean(text))
        self.query_one("#certs-message", Static).update(
            clean(self._cache_messages(), multiline=True))

    def _count_states(self, known: dict[str, str] | None = None
                      ) -> tuple[int, dict[str, int]]:
        """(rows counted, {state: rows}) for the summary line: kept until the rows change
        (:meth:`_refilter`), not recounted for every "checking N secrets" update.
        ``known``: states already computed for (some of) the rows, at this moment."""
        now = self.now()
        counts = {"expired": 0, "critical": 0, "warning": 0}
        total = 0
        known = known or {}
        for r in self.index.rows.values():
            if r.kind == KIND_BACKUP and not self.all_expiries:
                continue
            total += 1
            st = known.get(r.key) or r.state(now, self.thresholds)
            if st in counts:
                counts[st] += 1
        return total, counts

    def _cache_messages(self) -> str:
        if self.session is None:
            return "not connected"
        out = []
        watched = [CERTIFICATES, SECRETS, INGRESSES] + ([VELERO_BACKUPS] if self._velero
                                                        else [])
        for rtype in watched:
            cache = self._cache(rtype)
            if cache.state == "forbidden":
                hint = ""
                if rtype in (CERTIFICATES, SECRETS):  # what -n can help with
                    hint = ("; with -n NAMESPACE the pane reads one namespace"
                            if self.scope is None else
                            "; all namespaces are denied too: -n NAMESPACE picks one you "
                            "may read" if self._rescoped_from_all else "")
                out.append(f"{rtype.qualified}: {cache.error} — not shown{hint}")
            elif cache.state == "missing":
                if rtype is CERTIFICATES:
                    out.append("cert-manager CRDs are not served: showing TLS Secrets only")
            elif cache.state in ("error", "stale") and cache.error is not None:
                out.append(f"{rtype.qualified}: {cache.error}"
                           + (" (showing last known data)" if cache.state == "stale" else ""))
        return "\n".join(out)

    # -- notifications -----------------------------------------------------------------------

    def _notify_crossings(self, keys: Iterable[str], initial: bool = False) -> None:
        now = self.now()
        for key in keys:
            row = self.index.rows.get(key)
            if row is None:
                self._states.pop(key, None)
                continue
            state = row.state(now, self.thresholds)
            old = self._states.get(key)
            self._states[key] = state
            if initial or old is None or not worse(state, old):
                continue
            if state == "expiring":  # a backup's TTL: its own words, never "critical"
                days = row.days_left(now)
                when = ("is past its TTL" if days is not None and days <= 0 else
                        f"expires in {days_short(days)}" if days is not None else "expires")
                self.app.notify(f"Velero backup {row.namespace}/{row.name} {when} (TTL)",
                                title="backup expiry", severity="warning", timeout=10)
            elif state in ("expired", "critical", "warning"):
                days = row.days_left(now)
                self.app.notify(
                    clean(f"{row.kind} {row.namespace}/{row.name} is now {state}"
                          + (f" ({days_left(days)})" if days is not None else "")),
                    title="certificate expiry", markup=False,
                    severity="error" if state in ("expired", "critical") else "warning",
                    timeout=10)

    def _tick(self) -> None:
        """Time passes: re-evaluate states so a threshold crossed while open is announced."""
        if self._primed:
            self._notify_crossings(list(self.index.rows))
            self._refilter()

    # -- actions ---------------------------------------------------------------------------

    def on_cert_table_selected(self, event: CertTable.Selected) -> None:
        from .detail import CertDetailScreen

        self.app.push_screen(CertDetailScreen(self, event.row))

    def action_exposure(self) -> None:
        """``x``: the exposure pane at its TLS column -- which hosts serve these
        certificates, and whether the controller really serves the current one."""
        from k8s_essentials_tui.api import ComponentScreen
        from k8s_essentials_tui.plugins.exposure import view_plugin
        from k8s_essentials_tui.plugins.exposure.pane import ExposurePane

        if self.session is not None:  # its lists on the wire first, as the app's open does
            ExposurePane.prefetch(self.session, self.app)
        self.app.push_screen(ComponentScreen(view_plugin("certificates")))

    def action_search(self) -> None:
        box = self.query_one("#certs-search", Input)
        box.add_class("visible")
        # before the next queued key: a pasted "/c1234" must not reach Clear (c)
        focus_now(box)

    def main_widget(self) -> CertTable:
        return self.table

    def has_filter(self) -> bool:
        return bool(self.search or self.namespace_filter or self.issuer_filter
                    or self.state_filter != "all")

    def clear_filter(self) -> None:
        self.action_clear_filters()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "certs-search":
            self.search = event.value.strip().lower()
            self._refilter()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "certs-search":
            if not event.value.strip():
                event.input.remove_class("visible")
            self.table.focus()

    def on_key(self, event: Any) -> None:
        box = self.query_one("#certs-search", Input)
        if event.key == "escape" and box.has_focus:
            event.stop()
            box.value = ""
            box.remove_class("visible")
            self.search = ""
            self._refilter()
            self.table.focus()

    def action_cycle_state(self) -> None:
        i = STATE_FILTERS.index(self.state_filter)
        self.state_filter = STATE_FILTERS[(i + 1) % len(STATE_FILTERS)]
        self._refilter()

    def action_toggle_all(self) -> None:
        self.all_expiries = not self.all_expiries
        if self.all_expiries and not self._velero:
            self.app.notify("Velero backups appear here once the velero.io CRDs are served",
                            title="all expiries")
        self._refilter()

    def action_clear_filters(self) -> None:
        self.namespace_filter = self.issuer_filter = None
        self.state_filter = "all"
        self.search = ""
        box = self.query_one("#certs-search", Input)
        box.value = ""
        box.remove_class("visible")
        self._refilter()

    def action_pick_namespace(self) -> None:
        values = sorted({r.namespace for r in self.index.rows.values()})
        self._pick("Namespace", values, "namespace_filter")

    def action_pick_issuer(self) -> None:
        values = sorted({r.issuer for r in self.index.rows.values() if r.issuer})
        self._pick("Issuer", values, "issuer_filter")

    def _pick(self, title: str, values: list[str], attr: str) -> None:
        def done(choice: str | None) -> None:
            if choice is None:
                return
            setattr(self, attr, None if choice == "(all)" else choice)
            self._refilter()

        self.app.push_screen(PickScreen(f"{title} filter", ["(all)", *values]), done)

    def action_renew(self) -> None:
        row = self.table.current_row
        if row is None:
            self.app.notify("no certificate selected", severity="warning")
            return
        self.request_renew(row)

    def request_renew(self, row: CertRow) -> None:
        if row.kind != KIND_CERT:
            what = "a Velero backup" if row.kind == KIND_BACKUP else \
                "a TLS Secret no cert-manager Certificate manages"
            self.app.notify(clean(f"{row.namespace}/{row.name} is {what}: only Certificates "
                                  "can be renewed"), title="renew", severity="warning",
                            markup=False)
            return
        if self.session is None:
            self.app.notify("not connected", severity="error")
            return
        self.perform(renew_mutation(self.session.client, row.namespace, row.name, self.now))

    async def renew_availability(self, row: CertRow) -> str:
        """The line the detail view shows about ``R`` (allowed, or disabled and why)."""
        if row.kind != KIND_CERT:
            return ""
        if self.read_only:
            return "Renew (R): disabled — read-only mode"
        if self.session is None:
            return "Renew (R): disabled — not connected"
        access = await self.session.access.can("update", CERTIFICATES, row.namespace,
                                                subresource="status")
        if not access:
            return f"Renew (R): disabled — {access.reason}"
        return f"Renew (R): cmctl renew -n {row.namespace} {row.name}"


def _watched(scope: str | None) -> list[tuple[ResourceType, dict[str, Any]]]:
    """The caches the pane reads, as ``watch_resource``/``session.prefetch`` take them:
    one list for both, so the prefetched caches are the very ones the pane subscribes to."""
    return [(rtype, {"namespace": scope,
                     "field_selector": FIELD_SELECTORS.get(rtype.qualified),
                     "transform": TRANSFORMS.get(rtype.qualified)})
            for rtype in (CERTIFICATES, SECRETS, INGRESSES)]
