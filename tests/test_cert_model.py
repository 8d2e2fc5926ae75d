"""model: Certificates + TLS Secrets + Ingresses -> deduplicated expiry rows."""

from __future__ import annotations

import datetime as dt

from k8s_essentials_tui.plugins.cert_manager.model import (
    CertIndex,
    Thresholds,
    build_rows,
    expiry_state,
    row_json,
)
from k8s_essentials_tui.settings import parse_settings
from tests import cert_fixtures as f

NOW = f.FIXED_NOW
DAY = dt.timedelta(days=1)


def _ingress(ns: str, name: str, secret: str, hosts: list[str]) -> dict:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": {"name": name, "namespace": ns},
            "spec": {"tls": [{"secretName": secret, "hosts": hosts}]}}


def test_thresholds_from_settings() -> None:
    s = parse_settings({"certificates": {"warning_days": 14, "critical_days": 3}})
    t = Thresholds.from_settings(s)
    assert (t.warning_days, t.critical_days) == (14, 3)
    assert Thresholds.from_settings(object()) == Thresholds(30, 7)
    assert expiry_state(None, t) == "unknown"
    assert expiry_state(-0.5, t) == "expired"
    assert expiry_state(2.9, t) == "critical"
    assert expiry_state(13, t) == "warning"
    assert expiry_state(14, t) == "ok"


def test_managed_secret_is_folded_into_its_certificate() -> None:
    cert = f.certificate("app", "web", "web-tls", ["web.example.com"])
    cert["status"] = f.ready_status(NOW + 10 * DAY)
    secret = f.good_secret("app", "web-tls", 10, ("web.example.com",),
                           annotations={"cert-manager.io/certificate-name": "web"})
    rows = build_rows([cert], [secret], [_ingress("app", "site", "web-tls", ["web.example.com"])])
    assert [r.key for r in rows] == ["Certificate:app/web"]
    row = rows[0]
    assert row.issuer == "ClusterIssuer/letsencrypt"
    assert row.ready is True and row.problems == []
    assert round(row.days_left(NOW), 3) == 10
    assert row.state(NOW, Thresholds()) == "warning"
    assert row.ingresses == ["app/site"] and row.ingress_hosts == ["web.example.com"]
    assert row.info is not None and row.info.key_matches is True
    data = row_json(row, NOW)
    assert data == {"namespace": "app", "name": "web", "kind": "Certificate",
                    "dns_names": ["web.example.com"], "not_after": "2026-06-11T12:00:00Z",
                    "days_left": 10.0, "issuer": "ClusterIssuer/letsencrypt", "ready": True,
                    "problems": []}


def test_unmanaged_orphaned_and_sorted() -> None:
    plain = f.good_secret("a", "legacy", 3)
    orphan = f.good_secret("a", "old-tls", 40,
                           annotations={"cert-manager.io/certificate-name": "gone",
                                        "cert-manager.io/issuer-name": "ca",
                                        "cert-manager.io/issuer-kind": "ClusterIssuer"})
    expired = f.good_secret("b", "dead", -2)
    not_tls = {"type": "Opaque", "metadata": {"name": "x", "namespace": "a"}, "data": {}}
    rows = build_rows([], [plain, orphan, expired, not_tls])
    assert [r.name for r in rows] == ["dead", "legacy", "old-tls"]
    states = [r.state(NOW, Thresholds()) for r in rows]
    assert states == ["expired", "critical", "ok"]
    assert rows[1].kind == "Secret" and rows[1].managed_by == ""
    assert rows[1].issuer == "Test Intermediate CA"
    assert rows[2].managed_by == "gone"
    assert rows[2].issuer == "ClusterIssuer/ca"
    assert "orphaned: Certificate gone no longer exists" in rows[2].problems


def test_certificate_without_status_and_without_secret() -> None:
    cert = f.certificate("a", "new", "new-tls", ["new.example.com"])
    rows = build_rows([cert], [])
    row = rows[0]
    assert row.not_after is None and row.state(NOW, Thresholds()) == "unknown"
    assert any(p.startswith("no status yet") for p in row.problems)
    assert "Secret new-tls does not exist" in row.problems
    assert row_json(row, NOW)["not_after"] is None


def test_not_ready_reason_and_secret_fallback_date() -> None:
    cert = f.certificate("a", "c", "c-tls", [])
    cert["status"] = {"conditions": [{"type": "Ready", "status": "False",
                                      "reason": "DoesNotExist",
                                      "message": "Issuing certificate as Secret does not exist"},
                                     {"type": "Issuing", "status": "True",
                                      "reason": "DoesNotExist", "message": "Secret missing"}]}
    secret = f.good_secret("a", "c-tls", 5, ("c.example.com",))
    row = build_rows([cert], [secret])[0]
    assert row.ready is False and row.issuing is True
    assert row.problems[0] == ("not Ready: DoesNotExist: Issuing certificate as Secret does "
                               "not exist")
    assert row.not_after == NOW + 5 * DAY  # from the Secret's certificate
    assert row.dns_names == ("c.example.com",)


def test_malformed_secrets_are_listed_not_hidden() -> None:
    garbage = f.tls_secret("m", "garbage", b"garbage", b"junk")
    empty = f.tls_secret("m", "empty", b"", b"")
    der = f.tls_secret("m", "der", f.der(f.leaf("der", 8)), None)
    good = f.good_secret("m", "good", 60)
    rows = build_rows([], [garbage, empty, der, good])
    by = {r.name: r for r in rows}
    assert set(by) == {"garbage", "empty", "der", "good"}
    assert by["garbage"].problems and by["empty"].problems == ["tls.crt is empty"]
    assert any("DER" in p for p in by["der"].problems)
    assert [r.name for r in rows][:2] == ["der", "good"]  # dated first, undated last


def test_incremental_updates_report_changed_rows() -> None:
    idx = CertIndex()
    secret = f.good_secret("a", "s", 20)
    assert idx.upsert_secret(secret) == {"Secret:a/s"}
    cert = f.certificate("a", "c", "s", ["s"])
    # the Certificate takes the Secret over: the Secret row disappears
    assert idx.upsert_certificate(cert) == {"Secret:a/s", "Certificate:a/c"}
    assert set(idx.rows) == {"Certificate:a/c"}
    # an Ingress referencing the Secret updates the Certificate row only
    assert idx.upsert_ingress(_ingress("a", "i", "s", ["s.example"])) == {"Certificate:a/c"}
    assert idx.rows["Certificate:a/c"].ingress_hosts == ["s.example"]
    # pointing the Certificate elsewhere brings the Secret row back
    cert2 = f.certificate("a", "c", "other", ["s"])
    changed = idx.upsert_certificate(cert2)
    assert changed == {"Secret:a/s", "Certificate:a/c"}
    assert idx.rows["Secret:a/s"].ingresses == ["a/i"]
    assert idx.delete_ingress("a", "i") == {"Secret:a/s"}
    assert idx.delete_certificate("a", "c") == {"Certificate:a/c"}
    assert idx.delete_secret("a", "s") == {"Secret:a/s"}
    assert idx.rows == {}


def test_replace_drops_vanished_objects_and_backups() -> None:
    idx = CertIndex()
    idx.replace("Secret", [f.good_secret("a", "s1", 1), f.good_secret("a", "s2", 2)])
    backup = {"apiVersion": "velero.io/v1", "kind": "Backup",
              "metadata": {"name": "nightly", "namespace": "velero"},
              "spec": {"storageLocation": "default"},
              "status": {"phase": "Completed", "expiration": "2026-06-03T12:00:00Z"}}
    idx.replace("Backup", [backup])
    changed = idx.replace("Secret", [f.good_secret("a", "s2", 2)])
    assert "Secret:a/s1" in changed and "Secret:a/s1" not in idx.rows
    b = idx.rows["Backup:velero/nightly"]
    assert b.kind == "Backup" and b.ready is True and round(b.days_left(NOW)) == 2


def test_relist_reuses_parsed_secret() -> None:
    idx = CertIndex()
    s = f.good_secret("a", "s", 9)
    s["metadata"]["resourceVersion"] = "5"
    idx.upsert_secret(s)
    first = idx.rows["Secret:a/s"].info
    idx.replace("Secret", [dict(s)])
    assert idx.rows["Secret:a/s"].info is first


def test_quick_then_deep_parse() -> None:
    idx = CertIndex(deep=False)
    a, b = f.leaf("a", 10), f.leaf("b", 10)
    bad = f.tls_secret("n", "bad", a.cert_pem, b.key_pem)
    bad["metadata"]["resourceVersion"] = "1"
    idx.replace("Secret", [bad, f.good_secret("n", "good", 3)])
    row = idx.rows["Secret:n/bad"]
    assert row.not_after is not None and row.problems == []  # dates only, no key check yet
    assert idx.pending_deep() == 2
    assert idx.deepen(limit=1) and idx.pending_deep() == 1
    idx.deepen()
    assert idx.pending_deep() == 0
    assert "tls.key does not match the certificate" in idx.rows["Secret:n/bad"].problems


def test_quick_mode_defers_secrets_of_certificates_with_dates() -> None:
    idx = CertIndex(deep=False)
    cert = f.certificate("n", "c", "c-tls", ["c"])
    cert["status"] = f.ready_status(NOW + 4 * DAY)
    idx.replace("Certificate", [cert])
    idx.replace("Secret", [f.good_secret("n", "c-tls", 4)])
    row = idx.rows["Certificate:n/c"]
    assert row.info is None and row.problems == [] and row.not_after == NOW + 4 * DAY
    assert idx.pending_deep() == 1
    assert idx.deepen() == {"Certificate:n/c"}
    assert idx.rows["Certificate:n/c"].info.key_matches is True


def test_bulk_load_equals_incremental() -> None:
    cert = f.certificate("a", "web", "web-tls", ["web.example.com"])
    cert["status"] = f.ready_status(NOW + 10 * DAY)
    objs = {"certificates": [cert, f.certificate("a", "nosec", "gone-tls", ["x"])],
            "secrets": [f.good_secret("a", "web-tls", 10), f.good_secret("a", "free", 3),
                        {"type": "Opaque", "metadata": {"name": "o", "namespace": "a"}}],
            "ingresses": [_ingress("a", "i", "web-tls", ["web.example.com"])]}
    bulk = CertIndex()
    keys = bulk.load(**objs)
    inc = CertIndex()
    inc.replace("Ingress", objs["ingresses"])
    inc.replace("Secret", objs["secrets"])
    inc.replace("Certificate", objs["certificates"])
    assert keys == set(bulk.rows) == set(inc.rows) == {
        "Certificate:a/web", "Certificate:a/nosec", "Secret:a/free"}
    for k in keys:
        assert bulk.rows[k].problems == inc.rows[k].problems
        assert bulk.rows[k].ingress_hosts == inc.rows[k].ingress_hosts


def _mixed_objects() -> dict[str, list[dict[str, object]]]:
    """Certificates with and without status, a Secret whose key is another one's, one
    whose status date differs from its certificate, spec without DNS names, an Ingress."""
    def cert(name: str, days: float | None, dns: list[str]) -> dict[str, object]:
        c = f.certificate("a", name, f"{name}-tls", dns)
        if days is not None:
            c["status"] = f.ready_status(NOW + days * DAY)
        return c

    a, b = f.leaf("k.a", 8), f.leaf("other", 8)
    wrong_key = f.tls_secret("a", "wrongkey-tls", a.cert_pem + f.INTERMEDIATE.cert_pem,
                             b.key_pem, f.ROOT.cert_pem)
    return {"certificates": [cert("web", 10, ["web.example.com"]), cert("nodate", None, []),
                             cert("wrongkey", 8, ["k.example.com"]),
                             cert("skew", 40, ["skew.example.com"]), cert("nodns", 5, [])],
            "secrets": [f.good_secret("a", "web-tls", 10), f.good_secret("a", "nodate-tls", 2),
                        wrong_key, f.good_secret("a", "skew-tls", 30),
                        f.good_secret("a", "nodns-tls", 5, ("nodns.example.com",)),
                        f.good_secret("a", "free", 3)],
            "ingresses": [_ingress("a", "i", "web-tls", ["web.example.com"])]}


def _same_rows(a: CertIndex, b: CertIndex) -> None:
    assert set(a.rows) == set(b.rows)
    for k, row in a.rows.items():
        other = b.rows[k]
        assert (row.problems, row.dns_names, row.not_after, row.search_text,
                row.ingress_hosts, row.info) == (
            other.problems, other.dns_names, other.not_after, other.search_text,
            other.ingress_hosts, other.info), k


def test_checks_after_a_quick_load_give_the_rows_a_deep_load_gives() -> None:
    """The quick load's rows, given their Secrets' checks afterwards (merged, not rebuilt),
    equal the rows of a load that checked everything at once (#25)."""
    deep = CertIndex()
    deep.load(**_mixed_objects())
    quick = CertIndex(deep=False)
    quick.load(**_mixed_objects())
    assert quick.pending_deep() > 0
    while quick.pending_deep():
        quick.deepen(2)
    _same_rows(quick, deep)
    assert "tls.key does not match the certificate" in \
        quick.rows["Certificate:a/wrongkey"].problems
    assert quick.rows["Certificate:a/nodns"].dns_names == ("nodns.example.com",)
    assert any("differs from the Secret's certificate" in p
               for p in quick.rows["Certificate:a/skew"].problems)


def test_secrets_checked_ahead_are_not_checked_again() -> None:
    """Secrets checked before the load (while the Certificates are still listed) give the
    rows their results at once; nothing waits for the background checks."""
    deep = CertIndex()
    deep.load(**_mixed_objects())
    ahead = CertIndex(deep=False)
    objs = _mixed_objects()
    gone = f.good_secret("a", "gone-before-load", 3)
    for secret in [*objs["secrets"], gone]:
        ahead.check_ahead(secret)
    ahead.load(**objs)
    assert ahead.pending_deep() == 0
    _same_rows(ahead, deep)
    assert ("a", "gone-before-load") not in ahead._parsed
