"""Issue #15 findings 5 and 9 on the real apiserver: forbidden Secrets are not "missing",
and a gzip-bomb Helm release is reported unreadable by ``releases`` (bounded memory)."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import gzip
import json
import time

import pytest

from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.cli import main
from k8s_essentials_tui.helm.release import MAX_DECOMPRESSED
from testkit.helm_release import release_secret
from tests import cert_fixtures as f
from tests.test_cert_pane import open_pane

pytestmark = pytest.mark.e2e
RBAC = "rbac.authorization.k8s.io"


def _let_limited_read_certificates(admin, namespace: str, limited_kubeconfig: str,
                                   capsys) -> None:
    """``view`` plus Certificates (as cert-manager's aggregated roles give): the user reads
    Certificates and Ingresses, not Secrets. Waits until RBAC reached the authorizer."""
    from testkit.controlplane import LIMITED_USER

    admin.create({"apiVersion": f"{RBAC}/v1", "kind": "Role",
                  "metadata": {"name": "read-certificates", "namespace": namespace},
                  "rules": [{"apiGroups": ["cert-manager.io"], "resources": ["certificates"],
                             "verbs": ["get", "list", "watch"]}]})
    admin.create({"apiVersion": f"{RBAC}/v1", "kind": "RoleBinding",
                  "metadata": {"name": "read-certificates", "namespace": namespace},
                  "roleRef": {"apiGroup": RBAC, "kind": "Role", "name": "read-certificates"},
                  "subjects": [{"apiGroup": RBAC, "kind": "User", "name": LIMITED_USER}]})
    for _ in range(80):
        main(["certs", "--kubeconfig", limited_kubeconfig, "-n", namespace, "-o", "json"])
        out, _err = capsys.readouterr()
        if any(i["kind"] == "Certificate" for i in json.loads(out)["items"]):
            return
        time.sleep(0.25)
    raise AssertionError("RBAC for Certificates did not take effect")


def test_certs_says_a_forbidden_secret_cannot_be_read(kube_admin, limited_kubeconfig,
                                                       namespace, capsys) -> None:
    f.seed(kube_admin, namespace, dt.datetime.now(dt.UTC))
    _let_limited_read_certificates(kube_admin, namespace, limited_kubeconfig, capsys)
    rc = main(["certs", "--kubeconfig", limited_kubeconfig, "-n", namespace, "-o", "json"])
    out, err = capsys.readouterr()
    assert rc == 2 and "forbidden" in err  # the Secrets could not be listed: exit 2
    items = {i["name"]: i for i in json.loads(out)["items"] if i["kind"] == "Certificate"}
    problems = items["web"]["problems"]
    assert "cannot read Secret web-tls (no permission)" in problems
    # (cert-manager's own "not Ready: DoesNotExist" status of "stuck" is quoted as is)
    assert not any(p.startswith("Secret ") and p.endswith("does not exist")
                   for r in items.values() for p in r["problems"])


async def test_the_certificates_pane_says_a_forbidden_secret_cannot_be_read(
        kube_admin, limited_kubeconfig, namespace, capsys) -> None:
    now = f.FIXED_NOW
    f.seed(kube_admin, namespace, now)
    await asyncio.to_thread(_let_limited_read_certificates, kube_admin, namespace,
                            limited_kubeconfig, capsys)
    app = EssentialsApp(StartOptions(kubeconfig=limited_kubeconfig, namespace=namespace,
                                     now=now))
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_pane(pilot)
        rows = {r.name: r for r in pane.view_rows}
        assert "cannot read Secret web-tls (no permission)" in rows["web"].problems
        assert not any(p.startswith("Secret ") and p.endswith("does not exist")
                       for r in rows.values() for p in r.problems)


def test_a_gzip_bomb_release_is_unreadable_in_releases(kube_admin, kubeconfig, namespace,
                                                       capsys) -> None:
    bomb = base64.b64encode(gzip.compress(b" " * (2 * MAX_DECOMPRESSED),
                                          compresslevel=9)).decode()
    kube_admin.create(release_secret("bomb", namespace, payload=bomb))
    kube_admin.create(release_secret("fine", namespace))
    rc = main(["releases", "--kubeconfig", kubeconfig, "-n", namespace, "-o", "json"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    rows = {r["name"]: r for r in json.loads(out)}
    assert rows["bomb"]["status"] == "unreadable"
    assert rows["bomb"]["error"] == ("unreadable: release payload larger than 32 MiB "
                                     "decompressed")
    assert rows["fine"]["status"] == "deployed"
    rc = main(["releases", "--kubeconfig", kubeconfig, "-n", namespace])
    out, _err = capsys.readouterr()
    assert f"{namespace}/bomb: unreadable: release payload larger than 32 MiB" in out


def _malformed_certificate(namespace: str) -> dict:
    """A Certificate with ``issuerRef`` a string (the test CRD, like a schema-less one, keeps
    it) whose Secret holds a real key: the crash once printed that key with the locals."""
    return {"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
            "metadata": {"name": "storefront", "namespace": namespace},
            "spec": {"secretName": "storefront-tls", "issuerRef": "letsencrypt",
                     "dnsNames": ["shop.example.com"]},
            "status": {"conditions": [{"type": "Ready", "status": "True"}]}}


def test_malformed_objects_from_the_apiserver_are_rows_with_problems(
        kube_admin, kubeconfig, namespace, capsys) -> None:
    v1 = "velero.io/v1"
    kube_admin.create(_malformed_certificate(namespace))
    kube_admin.create(f.good_secret(namespace, "storefront-tls", 40))
    rc = main(["certs", "--kubeconfig", kubeconfig, "-n", namespace, "-o", "json"])
    out, err = capsys.readouterr()
    assert rc in (0, 1) and err == ""  # 1: its dates may be past (the seed's clock)
    (item,) = [i for i in json.loads(out)["items"] if i["name"] == "storefront"]
    assert "unreadable: spec.issuerRef is not an object" in item["problems"]
    assert "PRIVATE KEY" not in out + err

    def obj(kind: str, name: str, spec: dict, status: dict | None = None) -> dict:
        return {"apiVersion": v1, "kind": kind,
                "metadata": {"name": name, "namespace": namespace}, "spec": spec,
                **({"status": status} if status else {})}

    kube_admin.create(obj("Backup", "listy", {"storageLocation": ["default"]},
                          {"phase": "Completed",
                           "progress": {"itemsBackedUp": "many", "totalItems": 3}}))
    kube_admin.create(obj("Schedule", "numeric", {"schedule": 5, "template": {}}))
    kube_admin.create(obj("Restore", "stringy", {"backupName": "listy"}, {"progress": "x"}))
    kube_admin.create(obj("BackupStorageLocation", "odd", {"provider": "aws",
                                                           "objectStorage": "x"}))
    rc = main(["backup", "list", "--kubeconfig", kubeconfig, "-n", namespace, "-o", "json"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    (backup,) = json.loads(out)["backups"]
    assert set(backup["problems"]) == {
        "unreadable: spec.storageLocation is not a string",
        "unreadable: status.progress.itemsBackedUp is not a number"}
    rc = main(["backup", "list", "--kubeconfig", kubeconfig, "-n", namespace])
    out, err = capsys.readouterr()
    assert rc == 0 and "Traceback" not in err
    assert "backup listy: unreadable: spec.storageLocation is not a string" in out


async def test_the_certificates_pane_shows_a_malformed_certificate(
        kube_admin, kubeconfig, namespace) -> None:
    from testkit.hostile import painted_text

    kube_admin.create(_malformed_certificate(namespace))
    kube_admin.create(f.good_secret(namespace, "storefront-tls", 40))
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=namespace,
                                     now=f.FIXED_NOW))
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_pane(pilot)
        (row,) = [r for r in pane.view_rows if r.name == "storefront"]
        assert "unreadable: spec.issuerRef is not an object" in row.problems
        await pilot.press("enter")  # the detail view opens too
        await pilot.pause()
        assert not any("PRIVATE KEY" in line for line in painted_text(app))
        await pilot.press("escape")
        assert app.is_running
