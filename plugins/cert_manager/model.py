"""Certificates + TLS Secrets + Ingresses (+ Velero backups) merged into expiry rows.

Pure: objects in, rows out; the clock is an argument (``now``), thresholds come from the
settings (``certificates.warning_days`` / ``certificates.critical_days``).

Dedupe rule: a TLS Secret named by a Certificate's ``spec.secretName`` in the same namespace
is reported inside that Certificate's row (its parsed facts fill the row), never on its own.
A Secret that carries cert-manager's ``certificate-name`` annotation but whose Certificate is
gone is listed on its own with an "orphaned" problem; every other TLS Secret is "unmanaged".

:class:`CertIndex` keeps the rows current incrementally: each upsert/delete returns the row
keys that changed, so the pane updates those rows only (no full rebuild per watch event).
Parsed Secrets are cached by resourceVersion so a relist does not re-parse 10,000 PEMs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from k8s_essentials_tui.api import Fields, mapping, parse_time

from .x509info import CertInfo, parse_secret, stored_info

TLS_TYPE = "kubernetes.io/tls"
ANN_CERT_NAME = "cert-manager.io/certificate-name"
ANN_ISSUER_NAME = "cert-manager.io/issuer-name"
ANN_ISSUER_KIND = "cert-manager.io/issuer-kind"

KIND_CERT, KIND_SECRET, KIND_BACKUP = "Certificate", "Secret", "Backup"
#: states, worst first; "order" sorts the state filter
#: "expiring" is a Velero backup near the end of its TTL: planned, not an incident, so it
#: is never "critical" like a certificate (warning colour only, see ``CertRow.state``)
STATES = ("expired", "critical", "warning", "expiring", "ok", "unknown")
_SEVERITY = {s: i for i, s in enumerate(STATES)}


@dataclass(frozen=True)
class Thresholds:
    warning_days: int = 30
    critical_days: int = 7

    @classmethod
    def from_settings(cls, settings: Any) -> Thresholds:
        """From an app ``Settings`` (or any mapping with ``get``)."""
        get = getattr(settings, "get", None)
        if get is None:
            return cls()
        warn = get("certificates.warning_days", 30)
        crit = get("certificates.critical_days", 7)
        return cls(int(warn), int(crit))


@dataclass(slots=True)  # 10,000s of them: no __dict__ each (memory, GC)
class CertRow:
    """One line of the expiry table."""

    key: str
    kind: str
    namespace: str
    name: str
    dns_names: tuple[str, ...] = ()
    not_after: datetime | None = None
    not_before: datetime | None = None
    renewal_time: datetime | None = None
    issuer: str = ""
    #: Ready condition (Certificates), phase Completed (Backups), None = unknown
    ready: bool | None = None
    ready_reason: str = ""
    ready_message: str = ""
    issuing: bool = False
    problems: list[str] = field(default_factory=list)
    secret_name: str = ""
    #: for Secrets: the managing Certificate's name ("" = unmanaged)
    managed_by: str = ""
    #: "namespace/name" of Ingresses whose spec.tls uses this Secret
    ingresses: list[str] = field(default_factory=list)
    #: hostnames at risk: the Ingresses' tls hosts
    ingress_hosts: list[str] = field(default_factory=list)
    info: CertInfo | None = None
    #: lowercased text searched by "/"
    search_text: str = ""

    def days_left(self, now: datetime) -> float | None:
        if self.not_after is None:
            return None
        return (self.not_after - now).total_seconds() / 86400.0

    def state(self, now: datetime, thresholds: Thresholds) -> str:
        state = expiry_state(self.days_left(now), thresholds)
        if self.kind == KIND_BACKUP and state in ("expired", "critical", "warning"):
            return "expiring"  # a backup TTL runs out by design (Velero deletes it then)
        return state

    def sort_key(self) -> tuple[int, float, str, str]:
        """Soonest expiry first; rows without a date after every dated row."""
        if self.not_after is None:
            return (1, 0.0, self.namespace, self.name)
        return (0, self.not_after.timestamp(), self.namespace, self.name)


def expiry_state(days_left: float | None, thresholds: Thresholds) -> str:
    if days_left is None:
        return "unknown"
    if days_left <= 0:
        return "expired"
    if days_left < thresholds.critical_days:
        return "critical"
    if days_left < thresholds.warning_days:
        return "warning"
    return "ok"


def worse(a: str, b: str) -> bool:
    """True when state ``a`` is more urgent than ``b``."""
    return _SEVERITY.get(a, 99) < _SEVERITY.get(b, 99)


def rfc3339(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def condition(obj: Mapping[str, Any], ctype: str) -> dict[str, Any] | None:
    conditions = mapping(mapping(obj).get("status")).get("conditions")
    for c in conditions if isinstance(conditions, list) else []:
        if isinstance(c, dict) and c.get("type") == ctype:
            return c
    return None


def _meta(obj: Mapping[str, Any]) -> tuple[str, str]:
    md = mapping(mapping(obj).get("metadata"))
    ns, name = md.get("namespace"), md.get("name")
    return (ns if isinstance(ns, str) else ""), (name if isinstance(name, str) else "")


def _secret_name(cert: Mapping[str, Any]) -> str:
    """``spec.secretName`` ("" when missing or not a string: the row says why)."""
    value = mapping(mapping(cert).get("spec")).get("secretName")
    return value if isinstance(value, str) else ""


def row_key(kind: str, namespace: str, name: str) -> str:
    return f"{kind}:{namespace}/{name}"


def is_tls_secret(obj: Mapping[str, Any]) -> bool:
    return mapping(obj).get("type") == TLS_TYPE


def _issuer_ref(f: Fields) -> str:
    name = f.text("spec.issuerRef.name")
    kind = f.text("spec.issuerRef.kind") or "Issuer"
    if not name:
        return ""
    return f"{kind}/{name}" if kind != "Issuer" else name


def _search_text(row: CertRow) -> str:
    return " ".join((row.namespace, row.name, row.secret_name, row.issuer,
                     *row.dns_names, *row.ingress_hosts)).lower()


def certificate_row(cert: Mapping[str, Any], info: CertInfo | None,
                    ingresses: Iterable[tuple[str, tuple[str, ...]]] = (),
                    *, secret_exists: bool | None = False,
                    secret_access: str | None = None) -> CertRow:
    """A Certificate's row; ``info`` is its Secret's parsed content (None = no Secret, or
    not parsed yet when ``secret_exists``). ``secret_exists`` None means "not known": the
    Secrets could not be read, and ``secret_access`` says why ("no permission") -- a
    forbidden list is not an empty one."""
    ns, name = _meta(cert)
    f = Fields(cert)
    status = f.obj("status")
    secret_name = f.text("spec.secretName")
    dns_names = tuple(f.texts("spec.dnsNames"))
    common_name = f.text("spec.commonName")
    if not dns_names and common_name:
        dns_names = (common_name,)
    row = CertRow(key=row_key(KIND_CERT, ns, name), kind=KIND_CERT, namespace=ns, name=name,
                  dns_names=dns_names, issuer=_issuer_ref(f), secret_name=secret_name,
                  info=info)
    row.not_after = parse_time(f.raw("status.notAfter"))
    row.not_before = parse_time(f.raw("status.notBefore"))
    row.renewal_time = parse_time(f.raw("status.renewalTime"))
    f.array("status.conditions")  # a non-list is a problem (conditions are then unknown)
    ready = condition(cert, "Ready")
    issuing = condition(cert, "Issuing")
    row.issuing = bool(issuing and issuing.get("status") == "True")
    if not status:
        row.problems.append("no status yet: cert-manager has not processed it "
                            "(is the controller running?)")
    if ready is not None:
        row.ready = ready.get("status") == "True"
        row.ready_reason = str(ready.get("reason") or "")
        row.ready_message = str(ready.get("message") or "")
        if not row.ready:
            text = f"not Ready: {row.ready_reason or 'unknown reason'}"
            if row.ready_message:
                text += f": {row.ready_message}"
            row.problems.append(text)
    elif status:
        row.problems.append("no Ready condition")
    if issuing is not None and row.issuing and issuing.get("message"):
        row.problems.append(f"issuing: {issuing.get('message')}")
    failed = f.number("status.failedIssuanceAttempts")
    if failed:
        last = f.text("status.lastFailureTime")
        row.problems.append(f"{failed} failed issuance attempt(s)"
                            + (f", last at {last}" if last else ""))
    row.problems[:0] = f.problems
    if info is None:
        if secret_name and secret_exists is False:
            row.problems.append(f"Secret {secret_name} does not exist")
        elif secret_name and secret_exists is None and secret_access is not None:
            row.problems.append(f"cannot read Secret {secret_name} ({secret_access})")
    else:
        _merge_info(row, info)
    _attach_ingresses(row, ingresses)
    row.search_text = _search_text(row)
    return row


def _merge_info(row: CertRow, info: CertInfo) -> None:
    """What the Secret's certificate adds to its Certificate's row (after the row's own
    problems): its problems, its dates where the status has none, a date mismatch, its
    DNS names where the spec has none."""
    row.info = info
    row.problems.extend(info.problems)
    if row.not_after is None and info.not_after is not None:
        row.not_after = info.not_after
        row.not_before = info.not_before
    elif (row.not_after is not None and info.not_after is not None
          and abs((row.not_after - info.not_after).total_seconds()) > 1):
        row.problems.append(
            f"status.notAfter {rfc3339(row.not_after)} differs from the Secret's "
            f"certificate ({rfc3339(info.not_after)})")
    if not row.dns_names and info.dns_names:
        row.dns_names = info.dns_names


def add_secret_info(row: CertRow, info: CertInfo) -> None:
    """Give a Certificate row built without its Secret's content (``info`` None, the
    Secret present, the date from the status) that content, in place: the row then equals
    the one :func:`certificate_row` builds with ``info``, and keeps its place in a sorted
    view (the date it sorts by does not change). Why: the chain/key checks of 10,000
    Secrets rebuilt every row from its object (#25), a third of their time, and each new
    row was more objects for the garbage collector's full passes (stalls of 0.4-1.2 s)."""
    assert row.info is None and row.not_after is not None
    dns_before = row.dns_names
    _merge_info(row, info)
    if row.dns_names != dns_before:
        row.search_text = _search_text(row)


def secret_row(secret: Mapping[str, Any], info: CertInfo,
               ingresses: Iterable[tuple[str, tuple[str, ...]]] = (),
               *, orphan_of: str = "") -> CertRow:
    """A TLS Secret no Certificate manages (or whose Certificate is gone)."""
    ns, name = _meta(secret)
    ann = Fields(secret).text_map("metadata.annotations")
    row = CertRow(key=row_key(KIND_SECRET, ns, name), kind=KIND_SECRET, namespace=ns,
                  name=name, dns_names=info.dns_names or ((info.common_name,)
                                                          if info.common_name else ()),
                  not_after=info.not_after, not_before=info.not_before,
                  issuer=info.issuer_cn, secret_name=name, info=info)
    if ann.get(ANN_ISSUER_NAME):
        kind = ann.get(ANN_ISSUER_KIND) or "Issuer"
        row.issuer = ann[ANN_ISSUER_NAME] if kind == "Issuer" else \
            f"{kind}/{ann[ANN_ISSUER_NAME]}"
    if orphan_of:
        row.managed_by = orphan_of
        row.problems.append(f"orphaned: Certificate {orphan_of} no longer exists")
    row.problems.extend(info.problems)
    _attach_ingresses(row, ingresses)
    row.search_text = _search_text(row)
    return row


def backup_row(backup: Mapping[str, Any]) -> CertRow:
    """A Velero Backup's ``status.expiration`` for the "all expiries" view."""
    ns, name = _meta(backup)
    f = Fields(backup)
    phase = f.text("status.phase")
    row = CertRow(key=row_key(KIND_BACKUP, ns, name), kind=KIND_BACKUP, namespace=ns,
                  name=name, not_after=parse_time(f.raw("status.expiration")),
                  issuer=f.text("spec.storageLocation"),
                  ready=(phase == "Completed") if phase else None, ready_reason=phase)
    row.problems.extend(f.problems)
    if phase and phase not in ("Completed", "InProgress", "New", "Queued", "ReadyToStart"):
        row.problems.append(f"phase {phase}")
    if row.not_after is None:
        row.problems.append("no status.expiration")
    row.search_text = _search_text(row)
    return row


def _attach_ingresses(row: CertRow,
                      ingresses: Iterable[tuple[str, tuple[str, ...]]]) -> None:
    hosts: list[str] = []
    for ing, ing_hosts in sorted(ingresses):
        row.ingresses.append(ing)
        hosts.extend(h for h in ing_hosts if h not in hosts)
    row.ingress_hosts = hosts


def ingress_tls_refs(ingress: Mapping[str, Any]) -> list[tuple[str, tuple[str, ...]]]:
    """(secretName, hosts) for each ``spec.tls`` entry."""
    out = []
    tls = mapping(mapping(ingress).get("spec")).get("tls")
    for entry in tls if isinstance(tls, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("secretName"), str) \
                and entry["secretName"]:
            hosts = entry.get("hosts")
            hosts = tuple(h for h in hosts if isinstance(h, str)) \
                if isinstance(hosts, list) else ()
            out.append((entry["secretName"], hosts))
    return out


class CertIndex:
    """Rows kept current from the three (four) object streams, keyed for cheap updates."""

    def __init__(self, *, deep: bool = True) -> None:
        #: False: Secrets are parsed quickly first; ``deepen()`` checks chain and key later
        self.deep = deep
        self.certificates: dict[tuple[str, str], dict[str, Any]] = {}
        self.secrets: dict[tuple[str, str], dict[str, Any]] = {}
        self.backups: dict[tuple[str, str], dict[str, Any]] = {}
        #: (ns, ingress name) -> [(secretName, hosts)]
        self._ingress_refs: dict[tuple[str, str], list[tuple[str, tuple[str, ...]]]] = {}
        #: (ns, secretName) -> {"ns/ingress": hosts}
        self._secret_users: dict[tuple[str, str], dict[str, tuple[str, ...]]] = {}
        #: (ns, secretName) -> names of Certificates writing it
        self._owners: dict[tuple[str, str], set[str]] = {}
        self._parsed: dict[tuple[str, str], tuple[str, CertInfo]] = {}
        #: Secrets not parsed yet or parsed quickly (chain/key unchecked)
        self._todo: set[tuple[str, str]] = set()
        self.rows: dict[str, CertRow] = {}
        #: why the Secrets could not be listed ("no permission"), None when they were:
        #: then a Secret missing from :attr:`secrets` is unknown, not absent
        self.secrets_unreadable: str | None = None

    # -- parsing cache ---------------------------------------------------------------------

    def _info(self, sk: tuple[str, str], *, lazy: bool = False) -> CertInfo | None:
        """Parsed content of a Secret (cached per resourceVersion).

        ``lazy``: the caller has its dates elsewhere (a Certificate's status), so in quick
        mode parsing is left to :meth:`deepen` and None is returned for now."""
        secret = self.secrets.get(sk)
        if secret is None:
            return None
        meta = mapping(secret.get("metadata"))
        token = str(meta.get("resourceVersion") or f"id:{id(secret)}")
        cached = self._parsed.get(sk)
        if cached is not None and cached[0] == token:
            return cached[1]
        stored = stored_info(secret)  # checked when the cache stored it: no cost now
        if stored is not None:
            self._parsed[sk] = (token, stored)
            return stored
        if lazy and not self.deep:
            self._todo.add(sk)
            return None
        info = parse_secret(secret, deep=self.deep)
        self._parsed[sk] = (token, info)
        if not info.deep:
            self._todo.add(sk)
        return info

    def set_secrets_unreadable(self, why: str | None) -> set[str]:
        """The Secrets became unreadable (``why``: "no permission") or readable again (None):
        the Certificate rows then say "cannot read Secret …" instead of "does not exist"."""
        if why == self.secrets_unreadable:
            return set()
        self.secrets_unreadable = why
        changed: set[str] = set()
        for ns, name in list(self.certificates):
            self._recompute_cert(ns, name, changed)
        return changed

    def check_ahead(self, secret: dict[str, Any]) -> None:
        """Check a TLS Secret's chain and key before the first :meth:`load` (or the
        Secret's next upsert) needs it: the result waits in the parse cache, keyed by
        resourceVersion like every parse, and the row is built with it directly. Why: the
        Secrets can arrive while the Certificates are still being listed, and the
        checks then use time the pane would otherwise spend waiting (#25)."""
        if not is_tls_secret(secret):
            return
        sk = _meta(secret)
        meta = mapping(secret.get("metadata"))
        token = str(meta.get("resourceVersion") or f"id:{id(secret)}")
        cached = self._parsed.get(sk)
        if cached is None or cached[0] != token or not cached[1].deep:
            self._parsed[sk] = (token, parse_secret(secret, deep=True))

    def pending_deep(self) -> int:
        """How many Secrets still wait for the chain/key check."""
        return len(self._todo)

    def deepen(self, limit: int = 200) -> set[str]:
        """Fully parse up to ``limit`` waiting Secrets; returns the changed row keys."""
        changed: set[str] = set()
        for _ in range(min(limit, len(self._todo))):
            sk = self._todo.pop()
            secret = self.secrets.get(sk)
            if secret is None:
                continue
            meta = mapping(secret.get("metadata"))
            token = str(meta.get("resourceVersion") or f"id:{id(secret)}")
            info = parse_secret(secret, deep=True)
            self._parsed[sk] = (token, info)
            owners = self._owners.get(sk)
            if owners and all(self._add_info(sk[0], c, info, changed) for c in owners):
                continue
            self._recompute_secret(sk[0], sk[1], changed)
        return changed

    def _add_info(self, ns: str, cname: str, info: CertInfo, changed: set[str]) -> bool:
        """Give a Certificate's row its Secret's checked content when the row was built
        without it (quick mode); False when it must be recomputed instead."""
        row = self.rows.get(row_key(KIND_CERT, ns, cname))
        if row is None or row.info is not None or not row.secret_name \
                or row.not_after is None:
            return False
        add_secret_info(row, info)
        changed.add(row.key)
        return True

    def _users(self, ns: str, secret: str) -> list[tuple[str, tuple[str, ...]]]:
        return list((self._secret_users.get((ns, secret)) or {}).items())

    # -- recompute -------------------------------------------------------------------------

    def _set(self, key: str, row: CertRow | None, changed: set[str]) -> None:
        if row is None:
            if self.rows.pop(key, None) is not None:
                changed.add(key)
        else:
            self.rows[key] = row
            changed.add(key)

    def _recompute_cert(self, ns: str, name: str, changed: set[str]) -> None:
        cert = self.certificates.get((ns, name))
        key = row_key(KIND_CERT, ns, name)
        if cert is None:
            self._set(key, None, changed)
            return
        sname = _secret_name(cert)
        has_dates = parse_time(mapping(cert.get("status")).get("notAfter")) is not None
        info = self._info((ns, sname), lazy=has_dates) if sname else None
        exists: bool | None = (ns, sname) in self.secrets
        if not exists and self.secrets_unreadable:
            exists = None
        self._set(key, certificate_row(cert, info, self._users(ns, sname),
                                       secret_exists=exists,
                                       secret_access=self.secrets_unreadable), changed)

    def _recompute_secret(self, ns: str, name: str, changed: set[str]) -> None:
        """The Secret's own row (when unmanaged), and the rows of Certificates writing it."""
        owners = self._owners.get((ns, name)) or set()
        for cname in sorted(owners):
            self._recompute_cert(ns, cname, changed)
        key = row_key(KIND_SECRET, ns, name)
        secret = self.secrets.get((ns, name))
        if secret is None or owners:
            self._set(key, None, changed)
            return
        info = self._info((ns, name))
        assert info is not None
        orphan = Fields(secret).text_map("metadata.annotations").get(ANN_CERT_NAME) or ""
        self._set(key, secret_row(secret, info, self._users(ns, name), orphan_of=orphan),
                  changed)

    # -- streams ---------------------------------------------------------------------------

    def upsert_certificate(self, cert: dict[str, Any]) -> set[str]:
        ns, name = _meta(cert)
        changed: set[str] = set()
        old = self.certificates.get((ns, name))
        old_secret = _secret_name(old or {})
        new_secret = _secret_name(cert)
        self.certificates[(ns, name)] = cert
        if old_secret and old_secret != new_secret:
            self._owners.get((ns, old_secret), set()).discard(name)
            self._recompute_secret(ns, old_secret, changed)
        if new_secret:
            self._owners.setdefault((ns, new_secret), set()).add(name)
            self._recompute_secret(ns, new_secret, changed)  # includes this Certificate
        else:
            self._recompute_cert(ns, name, changed)
        return changed

    def delete_certificate(self, ns: str, name: str) -> set[str]:
        changed: set[str] = set()
        old = self.certificates.pop((ns, name), None)
        sname = _secret_name(old or {})
        self._set(row_key(KIND_CERT, ns, name), None, changed)
        if sname:
            self._owners.get((ns, sname), set()).discard(name)
            self._recompute_secret(ns, sname, changed)
        return changed

    def upsert_secret(self, secret: dict[str, Any]) -> set[str]:
        ns, name = _meta(secret)
        if not is_tls_secret(secret):
            # a Secret whose type changed away from TLS: forget it
            if (ns, name) in self.secrets:
                return self.delete_secret(ns, name)
            return set()
        self.secrets[(ns, name)] = secret
        changed: set[str] = set()
        self._recompute_secret(ns, name, changed)
        return changed

    def delete_secret(self, ns: str, name: str) -> set[str]:
        changed: set[str] = set()
        if self.secrets.pop((ns, name), None) is None:
            return changed
        self._parsed.pop((ns, name), None)
        self._todo.discard((ns, name))
        self._recompute_secret(ns, name, changed)
        return changed

    def upsert_ingress(self, ingress: dict[str, Any]) -> set[str]:
        ns, name = _meta(ingress)
        changed: set[str] = set()
        touched = {s for s, _ in self._ingress_refs.get((ns, name), [])}
        self._drop_ingress(ns, name)
        refs = ingress_tls_refs(ingress)
        self._ingress_refs[(ns, name)] = refs
        for secret, hosts in refs:
            users = self._secret_users.setdefault((ns, secret), {})
            users[f"{ns}/{name}"] = tuple(dict.fromkeys(users.get(f"{ns}/{name}", ()) + hosts))
            touched.add(secret)
        for secret in touched:
            self._recompute_secret(ns, secret, changed)
        return changed

    def delete_ingress(self, ns: str, name: str) -> set[str]:
        changed: set[str] = set()
        touched = {s for s, _ in self._ingress_refs.get((ns, name), [])}
        self._drop_ingress(ns, name)
        self._ingress_refs.pop((ns, name), None)
        for secret in touched:
            self._recompute_secret(ns, secret, changed)
        return changed

    def _drop_ingress(self, ns: str, name: str) -> None:
        for secret, _ in self._ingress_refs.get((ns, name), []):
            users = self._secret_users.get((ns, secret))
            if users is not None:
                users.pop(f"{ns}/{name}", None)
                if not users:
                    self._secret_users.pop((ns, secret), None)

    def upsert_backup(self, backup: dict[str, Any]) -> set[str]:
        ns, name = _meta(backup)
        self.backups[(ns, name)] = backup
        row = backup_row(backup)
        self.rows[row.key] = row
        return {row.key}

    def delete_backup(self, ns: str, name: str) -> set[str]:
        self.backups.pop((ns, name), None)
        changed: set[str] = set()
        self._set(row_key(KIND_BACKUP, ns, name), None, changed)
        return changed

    # -- bulk -----------------------------------------------------------------------------

    def load(self, *, certificates: Iterable[dict[str, Any]] = (),
             secrets: Iterable[dict[str, Any]] = (), ingresses: Iterable[dict[str, Any]] = (),
             backups: Iterable[dict[str, Any]] = ()) -> set[str]:
        """First load into an empty index: every row is computed exactly once (the
        per-object upserts would recompute a Certificate again when its Secret arrives)."""
        assert not self.rows and not self.certificates and not self.secrets
        for ing in ingresses:
            ns, name = _meta(ing)
            refs = ingress_tls_refs(ing)
            self._ingress_refs[(ns, name)] = refs
            for secret, hosts in refs:
                users = self._secret_users.setdefault((ns, secret), {})
                users[f"{ns}/{name}"] = tuple(dict.fromkeys(users.get(f"{ns}/{name}", ())
                                                            + hosts))
        for sec in secrets:
            if is_tls_secret(sec):
                self.secrets[_meta(sec)] = sec
        for cert in certificates:
            ns, name = _meta(cert)
            self.certificates[(ns, name)] = cert
            sname = _secret_name(cert)
            if sname:
                self._owners.setdefault((ns, sname), set()).add(name)
        changed: set[str] = set()
        for ns, name in self.certificates:
            self._recompute_cert(ns, name, changed)
        for ns, name in self.secrets:
            if not self._owners.get((ns, name)):
                self._recompute_secret(ns, name, changed)
        for b in backups:
            changed |= self.upsert_backup(b)
        for gone in [sk for sk in self._parsed if sk not in self.secrets]:
            del self._parsed[gone]  # checked ahead, then gone before the load
        return changed

    # -- whole-stream replacement (after a relist) ---------------------------------------

    def replace(self, kind: str, objects: Iterable[dict[str, Any]]) -> set[str]:
        """Make one stream equal ``objects``: upserts + deletes of what vanished."""
        streams: dict[str, tuple[Callable[[dict[str, Any]], set[str]],
                                 Callable[[str, str], set[str]],
                                 Mapping[tuple[str, str], object]]] = {
            KIND_CERT: (self.upsert_certificate, self.delete_certificate, self.certificates),
            KIND_SECRET: (self.upsert_secret, self.delete_secret, self.secrets),
            KIND_BACKUP: (self.upsert_backup, self.delete_backup, self.backups),
            "Ingress": (self.upsert_ingress, self.delete_ingress, self._ingress_refs),
        }
        upsert, delete, store = streams[kind]
        changed: set[str] = set()
        seen: set[tuple[str, str]] = set()
        for obj in objects:
            if kind == KIND_SECRET and not is_tls_secret(obj):
                continue
            seen.add(_meta(obj))
            changed |= upsert(obj)
        for gone in [k for k in store if k not in seen]:
            changed |= delete(*gone)
        return changed


def build_rows(certificates: Iterable[dict[str, Any]], secrets: Iterable[dict[str, Any]],
               ingresses: Iterable[dict[str, Any]] = (),
               backups: Iterable[dict[str, Any]] = (), *,
               secrets_unreadable: str | None = None) -> list[CertRow]:
    """All rows, sorted by expiry (soonest first) -- the one-shot form for ``certs``.
    ``secrets_unreadable``: why the Secrets could not be listed (e.g. "no permission")."""
    index = CertIndex()
    index.secrets_unreadable = secrets_unreadable
    index.replace("Ingress", ingresses)
    index.replace(KIND_SECRET, secrets)
    index.replace(KIND_CERT, certificates)
    index.replace(KIND_BACKUP, backups)
    return sorted(index.rows.values(), key=CertRow.sort_key)


def row_json(row: CertRow, now: datetime) -> dict[str, Any]:
    """The headless ``certs`` record (stable field names)."""
    days = row.days_left(now)
    return {
        "namespace": row.namespace,
        "name": row.name,
        "kind": row.kind,
        "dns_names": list(row.dns_names),
        "not_after": rfc3339(row.not_after),
        "days_left": None if days is None else round(days, 2),
        "issuer": row.issuer,
        "ready": row.ready,
        "problems": list(row.problems),
    }
