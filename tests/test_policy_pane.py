"""Pilot tests of the policy pane, driven by keys, on the real apiserver: the policies of
every engine, the violations (grouped, filtered, a resource's results on enter), "would this
be admitted?" denied by a real webhook and a CEL policy, the blocking-webhook escape hatch
(typed confirmation, the real patch, audited, reverted), and hostile report text."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from textual.widgets import Button, Input, Static

from k8s_essentials_tui import audit
from k8s_essentials_tui.api import VirtualTable
from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.plugins.policy.detail import ResourceResultsScreen
from k8s_essentials_tui.plugins.policy.pane import PolicyPane
from k8s_essentials_tui.plugins.policy.webhooks import IGNORED_ANNOTATION
from k8s_essentials_tui.screens.confirm import ConfirmScreen
from k8s_essentials_tui.screens.help import HelpScreen
from testkit import hostile
from testkit import policy_engines as pe
from testkit.admission_webhook import AdmissionWebhook
from testkit.kube import KubeAdmin, KubeError
from tests import policy_fixtures
from tests.conftest import FIXED_NOW
from tests.policy_fixtures import configmap, deployment

pytestmark = pytest.mark.e2e
guarded = policy_fixtures.guarded
engines = policy_fixtures.engines
VWC = ("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration")


async def until(pilot: Any, predicate: Callable[[], Any], what: str,
                timeout: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)


def cells(app: EssentialsApp) -> list[list[str]]:
    table = app.screen.query_one("#policy-table", VirtualTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def summary(app: EssentialsApp) -> str:
    return str(app.screen.query_one("#policy-summary", Static).render())


def make_app(kubeconfig: str, namespace: str) -> EssentialsApp:
    return EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=namespace,
                                      now=FIXED_NOW))


async def open_pane(app: EssentialsApp, pilot: Any) -> PolicyPane:
    await until(pilot, lambda: app.session is not None, "connection")
    await pilot.press(*":policy", "enter")
    await until(pilot, lambda: app.screen.query(PolicyPane), "the pane")
    pane = app.screen.query_one(PolicyPane)
    await until(pilot, lambda: pane._discovered and "loading" not in summary(app),
                "discovery")
    return pane


def select(app: EssentialsApp, predicate: Callable[[list[str]], bool]) -> None:
    table = app.screen.query_one("#policy-table", VirtualTable)
    rows = cells(app)
    index = next(i for i, r in enumerate(rows) if predicate(r))
    table.move_cursor(row=index)


async def test_policies_violations_group_filter_detail(kubeconfig: str, namespace: str,
                                                      engines: dict[str, str]) -> None:
    app = make_app(kubeconfig, namespace)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_pane(app, pilot)
        await until(pilot, lambda: any(engines["kyverno"] in " ".join(r) for r in cells(app))
                    and any(engines["constraint"] in " ".join(r) for r in cells(app)),
                    "the policies of all engines")
        rows = {r[2]: r for r in cells(app)}
        ky = rows[engines["kyverno"]]
        assert ky[0] == "kyverno" and ky[3] == "Audit" and ky[7] == "1" and ky[8] == "1"
        gk = rows[engines["constraint"]]
        assert gk[1] == engines["kind"] and gk[3] == "deny"
        # -n scope: only the violation about this namespace's objects is counted
        assert "25 violations, 20 list" in gk[10]
        vap = rows[engines["vap"]]
        assert vap[0] == "vap" and vap[3] == "Deny"
        assert "policies" in summary(app)

        # exemptions: read cluster-wide, whatever the scope
        await pilot.press("4")
        await until(pilot, lambda: "Exemptions" in summary(app), "the exemptions view")
        exempt = {r[2] for r in cells(app)}
        assert f"{engines['kyverno']}: check-team" in exempt
        assert any(e.startswith(f"namespace {namespace}-system") for e in exempt)
        # violations, grouped by policy
        await pilot.press("2")
        await until(pilot, lambda: "Violations" in summary(app), "the violations view")
        texts = [" ".join(r) for r in cells(app)]
        assert any("label team is required" in t for t in texts)
        assert any(t.strip().startswith(f"▸ {engines['kyverno']} (2)") or
                   f"▸ {engines['kyverno']} (2)" in t for t in texts)
        # group by namespace, then by resource
        await pilot.press("b")
        assert "by namespace" in summary(app)
        heads = [c for r in cells(app) for c in r if c.startswith("▸ ")]
        assert any(h.startswith(f"▸ {namespace[:12]}") and h.endswith(" (2)") for h in heads)
        await pilot.press("b")
        assert "by resource" in summary(app)
        heads = [c for r in cells(app) for c in r if c.startswith("▸ ")]
        assert any(h.startswith("▸ Deployment/t-") and h.endswith("… (1)") for h in heads)
        assert any(h.startswith("▸ ConfigMap/t-") for h in heads)
        # filter
        await pilot.press("slash", *"recommended", "enter")
        await pilot.pause()
        results = [r for r in cells(app) if r[0] in ("fail", "warn")]
        assert [r[0] for r in results] == ["warn"]
        assert "/recommended" in summary(app)
        # escape clears the filter first
        await pilot.press("escape")
        await pilot.pause()
        assert "/recommended" not in summary(app)
        # 2 from Kyverno's reports, 1 from Gatekeeper about this Namespace object itself
        assert len([r for r in cells(app) if r[0] in ("fail", "warn")]) == 3
        # enter on a result: every result of that resource
        # (grouped by resource: the row under the Deployment's header)
        select(app, lambda r: r[2].startswith("▸ Deployment/"))
        await pilot.press("j", "enter")
        await until(pilot, lambda: isinstance(app.screen, ResourceResultsScreen),
                    "the resource's results")
        body = str(app.screen.query_one("#results-body", Static).render())
        assert "label team is required" in body and engines["kyverno"] in body
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen.query(PolicyPane).first(),
                                              PolicyPane), "back")
        # escape: back to the policies view; enter on a policy: its violations only
        await pilot.press("escape")
        await until(pilot, lambda: "Policies" in summary(app), "the policies view")
        select(app, lambda r: r[2] == engines["constraint"])
        await pilot.press("enter")
        await until(pilot, lambda: f"policy {engines['constraint']}" in summary(app),
                    "the policy's violations")
        results = [r for r in cells(app) if r[0] in ("fail", "warn")]
        assert len(results) == 1  # the one about this Namespace object (of 20 listed)
        await pilot.press("escape")
        await until(pilot, lambda: "Policies" in summary(app), "policies again")


async def test_check_a_manifest_by_keys(kubeconfig: str, namespace: str,
                                        guarded: AdmissionWebhook, tmp_path: Path) -> None:
    manifest = tmp_path / "release.yaml"
    manifest.write_text(yaml.safe_dump_all([configmap("ok", {"a": "b"}),
                                            configmap("creds", {"api_token": "x"}),
                                            deployment("huge", 9)]))
    app = make_app(kubeconfig, namespace)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_pane(app, pilot)
        verdicts: dict[str, str] = {}
        for _ in range(40):  # the apiserver picks up the new webhook/policy within seconds
            await pilot.press("c")
            await until(pilot, lambda: isinstance(app.screen.focused, Input), "the file box")
            app.screen.focused.value = ""
            await pilot.press(*str(manifest), "enter")
            await until(pilot, lambda: len(cells(app)) == 3 and "Would this" in summary(app),
                        "the verdicts")
            verdicts = {r[1].split("/", 1)[-1]: r[0] for r in cells(app)}
            if verdicts.get("creds") == "denied" and verdicts.get("huge") == "denied":
                break
            await pilot.pause(0.5)
        assert verdicts == {"ok": "admitted", "creds": "denied", "huge": "denied"}
        rows = {r[1].split("/", 1)[-1]: r for r in cells(app)}
        assert rows["creds"][2].startswith("webhook configmaps.testkit")
        assert "credentials" in rows["creds"][3]
        assert rows["huge"][2].startswith("VAP replicas-")
        assert "replicas must be at most 5" in rows["huge"][3]
        await pilot.press("escape")
        await until(pilot, lambda: "Policies" in summary(app), "back to policies")


@pytest.fixture
def blocking(kube_admin: KubeAdmin, namespace: str) -> Iterator[str]:
    """A Fail webhook whose service has no endpoint, matching ConfigMaps in this namespace
    only: what an engine with its pods down looks like."""
    labels = {"policy-hatch.k8s-essentials-tui.dev/ns": namespace}
    kube_admin.patch("v1", "Namespace", namespace, {"metadata": {"labels": labels}})
    kube_admin.create({"apiVersion": "v1", "kind": "Service",
                       "metadata": {"name": "engine-webhook", "namespace": namespace},
                       "spec": {"ports": [{"port": 443, "targetPort": 9443}],
                                "selector": {"app": "engine-down"}}})
    kube_admin.create({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                       "metadata": {"name": "engine-webhook-x", "namespace": namespace,
                                    "labels": {"kubernetes.io/service-name": "engine-webhook"}},
                       "addressType": "IPv4", "endpoints": []})
    name = f"engine-{namespace}"[:60]
    kube_admin.create({
        "apiVersion": VWC[0], "kind": VWC[1], "metadata": {"name": name},
        "webhooks": [{
            "name": "validate.engine.example.com",
            "clientConfig": {"service": {"name": "engine-webhook", "namespace": namespace,
                                         "path": "/validate", "port": 443}},
            "rules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"],
                       "resources": ["configmaps"]}],
            "namespaceSelector": {"matchLabels": labels}, "failurePolicy": "Fail",
            "sideEffects": "None", "admissionReviewVersions": ["v1"], "timeoutSeconds": 2}]})
    yield name
    kube_admin.delete(*VWC, name)


def _create_cm(kube_admin: KubeAdmin, namespace: str, name: str) -> str | None:
    try:
        kube_admin.create({"apiVersion": "v1", "kind": "ConfigMap",
                           "metadata": {"name": name, "namespace": namespace}})
        return None
    except KubeError as exc:
        return str(exc)


async def test_escape_hatch_ignore_and_revert(kubeconfig: str, namespace: str,
                                              kube_admin: KubeAdmin, blocking: str) -> None:
    # the webhook really blocks: no endpoint, failurePolicy Fail
    deadline = asyncio.get_running_loop().time() + 20
    while _create_cm(kube_admin, namespace, "before") is None:
        kube_admin.delete("v1", "ConfigMap", "before", namespace)
        assert asyncio.get_running_loop().time() < deadline, "the webhook never blocked"
        await asyncio.sleep(0.2)
    app = make_app(kubeconfig, namespace)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_pane(app, pilot)
        await until(pilot, lambda: "BLOCKING" in summary(app), "the blocking webhook")
        await pilot.press("3")
        await until(pilot, lambda: any(r[0].startswith(blocking[:30])
                                       for r in cells(app)), "its row")
        row = next(r for r in cells(app) if r[0].startswith(blocking[:30]))
        assert row[2] == "Fail" and row[3] == "0" and row[4] == "BLOCKING"
        select(app, lambda r: r[0].startswith(blocking[:30]))
        await pilot.press("I")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        mutation = app.screen.mutation
        assert mutation.typed_confirmation == "validate.engine.example.com"
        assert mutation.command.startswith(
            f"kubectl patch validatingwebhookconfiguration {blocking} --type=json -p ")
        assert '"value":"Ignore"' in mutation.command
        assert "GitOps" in mutation.warning and "Helm" in mutation.warning
        assert app.screen.query_one("#confirm", Button).disabled
        await pilot.press(*"validate.engine.example.com", "enter")
        await until(pilot, lambda: kube_admin.get(*VWC, blocking)["webhooks"][0][
            "failurePolicy"] == "Ignore", "the patch")
        stored = kube_admin.get(*VWC, blocking)
        assert stored["metadata"]["annotations"][IGNORED_ANNOTATION] == \
            "validate.engine.example.com"
        await until(pilot, lambda: any(r[0].startswith(blocking[:30]) and r[2] == "Ignore"
                                       and r[4] == "Ignore (R: revert)" for r in cells(app)),
                    "the row updated live")
        entries = [e for e in audit.read() if e["action"] == "policy.webhook.ignore"]
        assert entries and entries[-1]["result"] == "ok"
        assert entries[-1]["command"] == mutation.command
        # the outage is over for admissions: the apiserver ignores the unreachable webhook
        deadline = asyncio.get_running_loop().time() + 20
        while (err := _create_cm(kube_admin, namespace, "during")) is not None:
            assert asyncio.get_running_loop().time() < deadline, err
            await asyncio.sleep(0.2)
        # revert
        select(app, lambda r: r[0].startswith(blocking[:30]))
        await pilot.press("R")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "revert confirm")
        assert '"value":"Fail"' in app.screen.mutation.command
        await pilot.press("y")
        await until(pilot, lambda: kube_admin.get(*VWC, blocking)["webhooks"][0][
            "failurePolicy"] == "Fail", "reverted")
        assert IGNORED_ANNOTATION not in (kube_admin.get(*VWC, blocking)["metadata"]
                                          .get("annotations") or {})
        assert [e["result"] for e in audit.read()
                if e["action"] == "policy.webhook.revert"] == ["ok"]


async def test_escape_hatch_refused_read_only(kubeconfig: str, namespace: str,
                                              kube_admin: KubeAdmin, blocking: str) -> None:
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=namespace,
                                     now=FIXED_NOW, read_only=True))
    async with app.run_test(size=(140, 40)) as pilot:
        await open_pane(app, pilot)
        await pilot.press("3")
        await until(pilot, lambda: any(r[0].startswith(blocking[:30])
                                       for r in cells(app)), "its row")
        select(app, lambda r: r[0].startswith(blocking[:30]))
        await pilot.press("I")
        await pilot.pause(0.3)
        assert not isinstance(app.screen, ConfirmScreen)
        assert any("read-only" in n.message for n in app._notifications)
        assert kube_admin.get(*VWC, blocking)["webhooks"][0]["failurePolicy"] == "Fail"


async def test_hostile_report_text_is_clean(kubeconfig: str, namespace: str,
                                            kube_admin: KubeAdmin) -> None:
    scope = {"apiVersion": "v1", "kind": "ConfigMap", "name": "evil", "namespace": namespace,
             "uid": f"uid-evil-{namespace[-6:]}"}
    kube_admin.apply(pe.policy_report(namespace, scope, [
        pe.result(f"evil-{hostile.MARKUP_CLOSE}", f"rule-{hostile.MARKUP_LINK}", "fail",
                  hostile.WORST + hostile.BIDI)]))
    app = make_app(kubeconfig, namespace)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_pane(app, pilot)
        # ? lists the pane's keys
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        described = {d for _k, d, _w in app.screen.rows}
        assert {"Policies", "Violations", "Webhooks", "Exemptions", "Group by", "Check file",
                "Filter",
                "Ignore webhook", "Revert webhook"} <= described
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, HelpScreen), "help closed")
        await pilot.press("2")
        await until(pilot, lambda: any(r[0] == "fail" for r in cells(app)), "the result")
        await pilot.pause(0.2)
        hostile.assert_screen_clean(app)
        select(app, lambda r: r[0] == "fail")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ResourceResultsScreen), "detail")
        await pilot.pause(0.2)
        hostile.assert_screen_clean(app)


async def test_opening_starts_the_lists_before_the_screen(kubeconfig: str, namespace: str,
                                                          engines: dict[str, str]) -> None:
    """Once discovery is known, `:policy` starts the pane's shared caches before its screen
    is composed (PolicyPane.prefetch): the report caches exist, scoped like the pane's,
    when the key is handled -- and the pane subscribes to those very caches. A cache
    started so and never subscribed to is retired like any unwatched one."""
    from k8s_essentials_tui.kube.resources import rt
    from k8s_essentials_tui.plugins.policy import model

    app = make_app(kubeconfig, namespace)
    async with app.run_test(size=(140, 40)) as pilot:
        await until(pilot, lambda: app.session is not None, "connection")
        session = app.session
        assert session is not None
        await session.discovery()
        key = (model.POLICY_REPORTS.qualified, namespace)
        started = {(c.key.rtype.qualified, c.key.namespace): c
                   for c in session.caches.caches()}
        assert key not in started
        app.open_plugin("kyverno")  # what `:policy` enter runs, before any await
        started = {(c.key.rtype.qualified, c.key.namespace): c
                   for c in session.caches.caches()}
        assert key in started, sorted(started)
        pane = await open_pane(app, pilot)
        assert started[key] in pane._caches.values()

        lonely = session.prefetch(rt("v1", "configmaps", "ConfigMap"), namespace)
        assert lonely.on_idle is not None and lonely._idle_handle is not None
