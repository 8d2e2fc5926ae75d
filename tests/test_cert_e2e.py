"""cert-manager e2e on the real apiserver: headless ``certs`` and renew like cmctl."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import pytest

from k8s_essentials_tui.cli import main
from k8s_essentials_tui.errors import ForbiddenError
from k8s_essentials_tui.kube.session import ClusterSession, ConnectOptions
from k8s_essentials_tui.plugins.cert_manager import renew
from tests import cert_fixtures as f

pytestmark = pytest.mark.e2e


def _certs(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict, str]:
    rc = main(["certs", *argv, "-o", "json"])
    out, err = capsys.readouterr()
    return rc, (json.loads(out) if out.strip() else {}), err


def test_certs_lists_everything_deduplicated(kube_admin, kubeconfig, namespace, capsys) -> None:
    now = dt.datetime.now(dt.UTC)
    f.seed(kube_admin, namespace, now)
    rc, data, err = _certs(capsys, "--kubeconfig", kubeconfig, "-n", namespace)
    assert rc == 1, err  # legacy (expired), web (5 d), api (20 d)
    items = {(i["kind"], i["name"]): i for i in data["items"]}
    assert set(items) == {
        ("Certificate", "web"), ("Certificate", "api"), ("Certificate", "docs"),
        ("Certificate", "stuck"), ("Certificate", "fresh"),
        ("Secret", "legacy-tls"), ("Secret", "nosan-tls"), ("Secret", "der-tls"),
        ("Secret", "keyincrt-tls"), ("Secret", "garbage-tls"), ("Secret", "empty-tls"),
    }
    # sorted soonest first; undated rows last
    names = [i["name"] for i in data["items"]]
    assert names[:4] == ["legacy-tls", "web", "api", "der-tls"]
    web = items[("Certificate", "web")]
    assert web["dns_names"] == ["shop.example.com", "www.shop.example.com"]
    assert 4.9 < web["days_left"] <= 5.0 and web["ready"] is True and web["problems"] == []
    assert web["issuer"] == "ClusterIssuer/letsencrypt"
    assert web["not_after"].endswith("Z")
    assert items[("Certificate", "api")]["issuer"] == "internal-ca"
    stuck = items[("Certificate", "stuck")]
    assert stuck["ready"] is False and stuck["not_after"] is None
    assert stuck["problems"][0].startswith("not Ready: DoesNotExist")
    assert any(p.startswith("no status yet") for p in items[("Certificate", "fresh")]["problems"])
    assert items[("Secret", "legacy-tls")]["days_left"] < 0
    assert any("no subjectAltName" in p for p in items[("Secret", "nosan-tls")]["problems"])
    assert any("DER" in p for p in items[("Secret", "der-tls")]["problems"])
    assert any("private key" in p for p in items[("Secret", "keyincrt-tls")]["problems"])
    assert items[("Secret", "garbage-tls")]["problems"] == [
        "tls.crt is not a PEM or DER certificate"]
    assert items[("Secret", "empty-tls")]["problems"] == ["tls.crt is empty"]
    assert data["expiring"] == 3 and data["errors"] == []
    # no key material anywhere in the output
    assert "PRIVATE KEY" not in json.dumps(data)


def test_certs_exit_codes_and_text(kube_admin, kubeconfig, namespace, capsys) -> None:
    now = dt.datetime.now(dt.UTC)
    kp = f.leaf("solo", 40, ("solo.example.com",), now=now)
    kube_admin.create(f.tls_secret(namespace, "solo-tls", kp.cert_pem, kp.key_pem))
    rc, data, _ = _certs(capsys, "--kubeconfig", kubeconfig, "-n", namespace)
    assert rc == 0 and data["expiring"] == 0 and len(data["items"]) == 1
    rc, data, _ = _certs(capsys, "--kubeconfig", kubeconfig, "-n", namespace,
                         "--within", "45")
    assert rc == 1 and data["expiring"] == 1
    rc = main(["certs", "--kubeconfig", kubeconfig, "-n", namespace, "--within", "45"])
    out, _ = capsys.readouterr()
    assert rc == 1
    assert out.splitlines()[0].split()[:5] == ["NAMESPACE", "NAME", "KIND", "NOT", "AFTER"]
    assert "solo-tls" in out and "1 of 1 expire within 45 days" in out
    # all namespaces includes ours
    rc, data, _ = _certs(capsys, "--kubeconfig", kubeconfig, "-A", "--within", "45")
    assert rc == 1 and any(i["namespace"] == namespace for i in data["items"])


def test_certs_errors_exit_2(kubeconfig, limited_kubeconfig, namespace, capsys) -> None:
    rc, data, err = _certs(capsys, "--kubeconfig", limited_kubeconfig, "-n", namespace)
    assert rc == 2
    assert "forbidden" in err and "secrets" in err
    assert data["errors"]
    rc = main(["certs", "--kubeconfig", kubeconfig, "-n", namespace, "-A"])
    _, err = capsys.readouterr()
    assert rc == 2 and err.count("\n") == 1 and "mutually exclusive" in err
    rc = main(["certs", "--kubeconfig", "/nonexistent/kubeconfig"])
    _, err = capsys.readouterr()
    assert rc == 2 and "Traceback" not in err


async def _session(kubeconfig: str) -> ClusterSession:
    return await ClusterSession.connect(ConnectOptions(kubeconfig=kubeconfig))


def test_renew_sets_issuing_like_cmctl(kube_admin, kubeconfig, namespace) -> None:
    now = dt.datetime.now(dt.UTC)
    f.seed(kube_admin, namespace, now)
    when = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)

    async def go() -> tuple[str, str]:
        session = await _session(kubeconfig)
        try:
            m = renew.renew_mutation(session.client, namespace, "web", lambda: when)
            assert m.command == f"cmctl renew -n {namespace} web"
            assert [(p.verb, p.subresource) for p in m.permissions] == [
                ("get", ""), ("update", "status")]
            first = await m.run()
            second = await m.run()
            return first, second
        finally:
            await session.close()

    first, second = asyncio.run(go())
    assert first == f"Manually triggered issuance of Certificate {namespace}/web"
    assert "already being issued" in second
    cert = kube_admin.get("cert-manager.io/v1", "certificates", "web", namespace)
    issuing = [c for c in cert["status"]["conditions"] if c["type"] == "Issuing"]
    assert issuing == [{"type": "Issuing", "status": "True", "reason": "ManuallyTriggered",
                        "message": "Certificate re-issuance manually triggered",
                        "lastTransitionTime": "2026-06-01T12:00:00Z",
                        "observedGeneration": cert["metadata"]["generation"]}]
    # the Ready condition and dates are untouched
    assert any(c["type"] == "Ready" and c["status"] == "True"
               for c in cert["status"]["conditions"])
    assert cert["status"]["notAfter"]


def test_renew_forbidden_for_limited_user(kube_admin, limited_kubeconfig, namespace) -> None:
    now = dt.datetime.now(dt.UTC)
    kube_admin.create(f.certificate(namespace, "c", "c-tls", ["c.example.com"]))
    kube_admin.patch_status("cert-manager.io/v1", "certificates", namespace, "c",
                            f.ready_status(now + dt.timedelta(days=3)))

    async def go() -> tuple[bool, str]:
        session = await _session(limited_kubeconfig)
        try:
            from k8s_essentials_tui.plugins.cert_manager import CERTIFICATES

            access = await session.access.can("update", CERTIFICATES, namespace,
                                              subresource="status")
            with pytest.raises(ForbiddenError):
                await renew.renew(session.client, namespace, "c", now)
            return access.allowed, access.reason
        finally:
            await session.close()

    allowed, reason = asyncio.run(go())
    assert not allowed
    assert reason == (f"forbidden: cannot update certificates.cert-manager.io/status "
                      f"in {namespace}")
    cert = kube_admin.get("cert-manager.io/v1", "certificates", "c", namespace)
    assert not any(c["type"] == "Issuing" for c in cert["status"]["conditions"])
