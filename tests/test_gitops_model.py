"""Pure units of the GitOps plugin: models of Applications and Flux objects, the patches and
commands the argocd/flux CLIs use, and the board's GitOps health from a hand-made
:class:`ClusterSnapshot` (no cluster, no Textual)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from k8s_essentials_tui.detection.snapshot import ClusterSnapshot
from k8s_essentials_tui.plugins.gitops import ARGOCD, FLUX, argo, fluxmodel, patches
from k8s_essentials_tui.plugins.gitops.kinds import APPLICATIONS, HELMRELEASES, KUSTOMIZATIONS


def app(name: str, health: str = "Healthy", sync: str = "Synced", **extra: Any
        ) -> dict[str, Any]:
    return {"kind": "Application", "metadata": {"name": name, "namespace": "argocd"},
            "spec": {"source": {"repoURL": "https://git.example/x", "path": "apps/x",
                                "targetRevision": "main"},
                     "syncPolicy": {"automated": {"prune": True}}},
            "status": {"sync": {"status": sync, "revision": "a" * 40},
                       "health": {"status": health}}, **extra}


def ks(name: str, ready: str = "True", **spec: Any) -> dict[str, Any]:
    return {"kind": "Kustomization", "metadata": {"name": name, "namespace": "flux-system"},
            "spec": spec, "status": {"conditions": [
                {"type": "Ready", "status": ready, "message": f"{name} says {ready}"}]}}


def argocd_snapshot(apps: list[dict[str, Any]]) -> ClusterSnapshot:
    workloads = [{"apiVersion": "apps/v1", "kind": "Deployment",
                  "metadata": {"name": n, "namespace": "argocd", "labels": sel},
                  "spec": {"replicas": 1}, "status": {"readyReplicas": 1, "replicas": 1}}
                 for sel in ARGOCD.workload_selectors[:2]
                 for n in [sel["app.kubernetes.io/name"]]]
    return ClusterSnapshot(api_groups={"", "apps", "argoproj.io"}, workloads=workloads,
                           extra={APPLICATIONS.qualified: apps})


def test_board_says_how_many_applications_are_degraded() -> None:
    apps = [app(f"a{i}") for i in range(12)] + [app("payments", "Degraded", "OutOfSync"),
                                                app("billing", "Degraded")]
    det = ARGOCD.detect(argocd_snapshot(apps))
    assert det.installed is True and det.healthy is False
    assert "2 of 14 applications degraded: argocd/billing, argocd/payments" in det.problems
    det = ARGOCD.detect(argocd_snapshot([app("shop")]))
    assert det.healthy is True and det.problems == []


def test_board_unreadable_applications_are_unknown_not_ok() -> None:
    snap = argocd_snapshot([])
    del snap.extra[APPLICATIONS.qualified]
    snap.forbidden[f"extra:{APPLICATIONS.qualified}"] = "no permission to list applications"
    det = ARGOCD.detect(snap)
    assert det.healthy is None
    assert "no permission to list applications" in det.problems


def test_board_flux_counts_not_ready_but_not_suspended() -> None:
    workloads = [{"apiVersion": "apps/v1", "kind": "Deployment",
                  "metadata": {"name": "kustomize-controller", "namespace": "flux-system",
                               "labels": dict(FLUX.workload_selectors[0])},
                  "spec": {"replicas": 1}, "status": {"readyReplicas": 1, "replicas": 1}}]
    snap = ClusterSnapshot(api_groups={"", "apps", *FLUX.api_groups}, workloads=workloads,
                           extra={KUSTOMIZATIONS.qualified: [
                               ks("flux-system"), ks("infra-controllers", "False"),
                               ks("paused", "False", suspend=True)],
                               HELMRELEASES.qualified: []})
    det = FLUX.detect(snap)
    assert det.healthy is False
    assert det.problems == ["1 of 3 kustomizations not ready: flux-system/infra-controllers"]


def test_app_row_reads_status_and_counts_resources() -> None:
    obj = app("payments", "Degraded", "OutOfSync", operation={"sync": {}})
    obj["status"]["resources"] = [
        {"kind": "Deployment", "name": "api", "status": "OutOfSync",
         "health": {"status": "Degraded"}},
        {"kind": "Service", "name": "api", "status": "Synced", "health": {"status": "Healthy"}}]
    obj["status"]["operationState"] = {"phase": "Running", "message": "syncing"}
    row = argo.app_row(obj)
    assert (row.out_of_sync, row.degraded, row.running, row.ok) == (1, 1, True, False)
    assert row.auto_text == "on (prune)" and row.path == "apps/x"
    assert argo.short_revision(row.revision) == "a" * 7


def test_malformed_application_is_a_row_with_problems() -> None:
    row = argo.app_row({"metadata": {"name": "x"}, "status": {"resources": "nope",
                                                              "sync": []}})
    assert row.name == "x" and row.sync == "Unknown"
    assert any("status.resources" in p for p in row.problems)


def test_flux_status_word_stalled_wins() -> None:
    obj = ks("hr", "False")
    obj["status"]["conditions"].append({"type": "Stalled", "status": "True",
                                        "message": "retries exceeded"})
    row = fluxmodel.flux_row(obj)
    assert (row.status, row.message) == ("Stalled", "retries exceeded")


def test_inventory_ids_and_blocking_dependency() -> None:
    assert fluxmodel.parse_inventory_id("shop_web_apps_Deployment") == (
        "Deployment", "shop", "web", "apps")
    assert fluxmodel.parse_inventory_id("_shop__Namespace") == ("Namespace", "", "shop", "")
    assert fluxmodel.parse_inventory_id("garbage") is None
    assert fluxmodel.parse_inventory_id(
        "_system__controller__flux_rbac.authorization.k8s.io_ClusterRole") == (
        "ClusterRole", "", "system:controller:flux", "rbac.authorization.k8s.io")
    rows = fluxmodel.flux_rows([ks("apps", dependsOn=[{"name": "infra"}]),
                                ks("infra", "False")])
    by = {(r.namespace, r.name): r for r in rows}
    assert fluxmodel.blocking_dependency(by[("flux-system", "apps")], by) == \
        "flux-system/infra (Failed)"


@pytest.mark.parametrize(("micro", "text"), [
    (0, "2026-12-06T14:00:00Z"), (500000, "2026-12-06T14:00:00.5Z"),
    (123456, "2026-12-06T14:00:00.123456Z")])
def test_go_rfc3339nano(micro: int, text: str) -> None:
    assert patches.go_rfc3339nano(datetime(2026, 12, 6, 14, 0, 0, micro, tzinfo=UTC)) == text


def test_cli_commands() -> None:
    assert patches.reconcile_command("GitRepository", "fleet", "flux-system") == \
        "flux reconcile source git fleet -n flux-system"
    assert patches.suspend_command("HelmRelease", "podinfo", "x", False) == \
        "flux resume helmrelease podinfo -n x"
    assert patches.autosync_command("shop", "argocd", True) == \
        "argocd app set shop --app-namespace argocd --sync-policy automated"


def test_autosync_patch_respects_enabled_false() -> None:
    obj = app("x")
    obj["spec"]["syncPolicy"]["automated"] = {"enabled": False}
    assert argo.app_row(obj).auto_sync is False
    assert patches.autosync_patch(obj, True) == \
        {"spec": {"syncPolicy": {"automated": {"enabled": True}}}}
    assert patches.autosync_patch(app("y"), False) == \
        {"spec": {"syncPolicy": {"automated": None}}}


def test_release_owner_from_flux_labels_and_argo_tracking() -> None:
    from k8s_essentials_tui.plugins.gitops.owner import drift_warning, release_owner

    flux = ("---\napiVersion: v1\nkind: Service\nmetadata:\n  name: podinfo\n  labels:\n"
            "    helm.toolkit.fluxcd.io/name: podinfo\n"
            "    helm.toolkit.fluxcd.io/namespace: flux-system\n")
    owner = release_owner(flux)
    assert owner is not None and owner.title == "Flux HelmRelease flux-system/podinfo"
    warning = drift_warning(owner, "upgrade")
    assert "revert" in warning and "flux suspend helmrelease podinfo -n flux-system" in warning
    argo = ("kind: Deployment\nmetadata:\n  name: web\n  annotations:\n"
            "    argocd.argoproj.io/tracking-id: shop:apps/Deployment:shop/web\n")
    owner = release_owner(argo)
    assert owner is not None and owner.title == "Argo CD Application shop"
    assert "OutOfSync" in drift_warning(owner, "uninstall")
    # a plain Helm release: app.kubernetes.io/instance alone proves nothing
    plain = "kind: Service\nmetadata:\n  labels:\n    app.kubernetes.io/instance: web\n"
    assert release_owner(plain) is None
    assert release_owner("{: not yaml") is None


# -- ApplicationSets and AppProjects ------------------------------------------------------------

def test_generator_words() -> None:
    from k8s_essentials_tui.plugins.gitops.appsets import generator_word

    assert generator_word({"list": {"elements": [{}, {}, {}]}}) == "list(3)"
    assert generator_word({"git": {"files": [{"path": "x"}]}}) == "git files"
    assert generator_word({"clusters": {}}) == "clusters"
    assert generator_word({"pullRequest": {"github": {"owner": "o"}}}) == \
        "pull requests github"
    assert generator_word({"matrix": {"generators": [{"clusters": {}},
                                                     {"git": {"directories": [{}]}}]}}) \
        == "matrix(clusters+git dirs)"
    assert generator_word("not a mapping") == "?"


def test_appset_error_and_message() -> None:
    from k8s_essentials_tui.plugins.gitops.appsets import appset_rows

    def aset(name: str, uid: str, conds: list[tuple[str, str, str]]) -> dict[str, Any]:
        return {"metadata": {"name": name, "namespace": "argocd", "uid": uid},
                "spec": {"generators": [{"clusters": {}}]},
                "status": {"conditions": [{"type": t, "status": s, "reason": "r",
                                           "message": m} for t, s, m in conds]}}

    owned = {"metadata": {"ownerReferences": [{"kind": "ApplicationSet", "uid": "u1"}]}}
    rows = appset_rows([
        aset("bad", "u1", [("ErrorOccurred", "True", "boom"),
                           ("ResourcesUpToDate", "False", "boom")]),
        aset("nogen", "u2", [("ParametersGenerated", "False", "no params")]),
        aset("ok", "u3", [("ErrorOccurred", "False", "fine"),
                          ("ResourcesUpToDate", "True", "all generated")]),
    ], [owned, owned, {"metadata": {}}])
    by = {r.name: r for r in rows}
    assert (by["bad"].status, by["bad"].message, by["bad"].owned) == ("Error", "boom", 2)
    assert (by["nogen"].status, by["nogen"].message) == ("Error", "no params")
    assert (by["ok"].status, by["ok"].message, by["ok"].owned) == \
        ("UpToDate", "all generated", 0)


def test_go_durations() -> None:
    from datetime import timedelta

    from k8s_essentials_tui.plugins.gitops.projects import go_duration

    assert go_duration("1h30m") == timedelta(hours=1, minutes=30)
    assert go_duration("90s") == timedelta(seconds=90)
    assert go_duration("1.5h") == timedelta(minutes=90)
    assert go_duration("1d") is None and go_duration("") is None and go_duration("h") is None


@pytest.mark.parametrize(("now", "active"), [
    (datetime(2026, 6, 1, 21, 59, tzinfo=UTC), False),
    (datetime(2026, 6, 1, 22, 0, 30, tzinfo=UTC), True),
    (datetime(2026, 6, 2, 0, 59, tzinfo=UTC), True),   # crosses midnight
    (datetime(2026, 6, 2, 1, 0, tzinfo=UTC), False),   # the duration is over
])
def test_window_active(now: datetime, active: bool) -> None:
    from k8s_essentials_tui.plugins.gitops.projects import window_active

    assert window_active("0 22 * * *", "3h", "UTC", now) == (active, "")


def test_window_time_zone_and_bad_schedule() -> None:
    from k8s_essentials_tui.plugins.gitops.projects import project_row, window_active

    # 09:00 in New York (EDT, UTC-4) is 13:00 UTC
    assert window_active("0 9 * * *", "1h", "America/New_York",
                         datetime(2026, 6, 1, 13, 30, tzinfo=UTC)) == (True, "")
    assert window_active("0 9 * * *", "1h", "UTC",
                         datetime(2026, 6, 1, 13, 30, tzinfo=UTC)) == (False, "")
    assert window_active("bogus", "1h", "UTC", datetime(2026, 6, 1, tzinfo=UTC))[0] is None
    row = project_row({"metadata": {"name": "p"}, "spec": {"syncWindows": [
        {"kind": "allow", "schedule": "0 9 * * *", "duration": "forever"}]}},
        datetime(2026, 6, 1, tzinfo=UTC))
    assert row.windows[0].active is None and row.problems
    # allow windows exist and none is active: syncs are denied (Argo CD's rule)
    assert row.denying


APP_TEMPLATE = {
    "metadata": {"name": "x", "namespace": "ns"},
    "spec": {"project": "p", "source": {"repoURL": "r", "path": "p", "chart": "c",
                                        "targetRevision": "t"},
             "sources": [{"repoURL": "r2", "path": "p2"}],
             "syncPolicy": {"automated": {"prune": True, "selfHeal": False,
                                          "enabled": True}}},
    "operation": {"sync": {"revision": "r"}},
    "status": {"sync": {"status": "Synced", "revision": "a"},
               "health": {"status": "Healthy", "message": "m"},
               "operationState": {"phase": "Running", "message": "m"},
               "resources": [{"group": "apps", "kind": "Deployment", "namespace": "n",
                              "name": "d", "status": "OutOfSync",
                              "health": {"status": "Degraded", "message": "m"}}],
               "conditions": [{"type": "SyncError", "message": "m"}],
               "history": [{"id": 1, "revision": "a", "deployedAt": "t"}]}}


def test_fast_application_reader_equals_the_checked_one() -> None:
    """The pane's fast reader (direct dict reads) and the checked one (every read through
    Fields) give the same row for any object -- the fast one hands odd objects over."""
    from hypothesis import given

    from tests.test_hostile_models import FAST, objects

    @FAST
    @given(objects(APP_TEMPLATE))
    def check(obj: dict[str, Any]) -> None:
        assert argo.app_row(obj) == argo.checked_app_row(obj)

    check()
    # found by the search once (CI-like run, session 6): a falsy non-object source
    odd = {**APP_TEMPLATE, "spec": {"source": False, "project": "p"}}
    assert argo.app_row(odd) == argo.checked_app_row(odd)
    assert argo.app_row(odd).problems == ["unreadable: spec.source is not an object"]
    assert argo.app_row(APP_TEMPLATE) == argo.checked_app_row(APP_TEMPLATE)
    assert not argo.app_row(APP_TEMPLATE).problems
