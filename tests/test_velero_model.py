"""Unit tests for the pure Velero model: what the CLI would send, durations, rows, cron."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from k8s_essentials_tui.detection.snapshot import ClusterSnapshot
from k8s_essentials_tui.plugins.velero import PLUGIN, bsl_problems, detect
from k8s_essentials_tui.plugins.velero import model as m

NOW = datetime(2026, 6, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(("text", "expected"), [
    ("720h", "720h0m0s"), ("24h0m0s", "24h0m0s"), ("90m", "1h30m0s"), ("1.5s", "1.5s"),
    ("0", "0s"), ("45s", "45s"), ("1h1s", "1h0m1s"), ("100ms", "100ms"), ("2m3.25s", "2m3.25s"),
])
def test_go_duration_round_trip(text: str, expected: str) -> None:
    assert m.format_go_duration(m.parse_go_duration(text)) == expected


@pytest.mark.parametrize("bad", ["3d", "", "h", "10", "1x", "abc", "-1h"])
def test_invalid_ttl_is_a_clear_error(bad: str) -> None:
    with pytest.raises(ValueError, match="invalid TTL"):
        m.validate_ttl(bad)


def test_days_hint() -> None:
    with pytest.raises(ValueError, match="72h"):
        m.validate_ttl("3d")


def test_backup_spec_matches_velero_cli() -> None:
    opts = m.BackupOptions(name="nightly-1", include_namespaces=["shop", "db"],
                           exclude_namespaces=["kube-system"], selector="app=web,tier!=cache",
                           ttl="720h", storage_location="default", snapshot_volumes=False,
                           default_volumes_to_fs_backup=True)
    obj = m.build_backup(opts, "velero")
    assert obj == {
        "apiVersion": "velero.io/v1", "kind": "Backup",
        "metadata": {"name": "nightly-1", "namespace": "velero"},
        "spec": {
            "metadata": {},
            "includedNamespaces": ["shop", "db"],
            "excludedNamespaces": ["kube-system"],
            "labelSelector": {"matchLabels": {"app": "web"},
                              "matchExpressions": [{"key": "tier", "operator": "NotIn",
                                                    "values": ["cache"]}]},
            "snapshotVolumes": False,
            "ttl": "720h0m0s",
            "hooks": {},
            "storageLocation": "default",
            "defaultVolumesToFsBackup": True,
            "csiSnapshotTimeout": "0s",
            "itemOperationTimeout": "0s",
        },
    }
    assert m.backup_command(opts, "velero") == (
        "velero backup create nightly-1 --include-namespaces shop,db --exclude-namespaces "
        "kube-system --selector 'app=web,tier!=cache' --ttl 720h0m0s --storage-location "
        "default --snapshot-volumes=false --default-volumes-to-fs-backup=true "
        "--namespace velero")


def test_backup_defaults_like_cli() -> None:
    obj = m.build_backup(m.BackupOptions(name="b1"), "velero")
    # flags not given: all namespaces, TTL 0 (the server applies its default), no location
    assert obj["spec"] == {"metadata": {}, "includedNamespaces": ["*"], "ttl": "0s",
                           "hooks": {}, "csiSnapshotTimeout": "0s",
                           "itemOperationTimeout": "0s"}
    assert m.backup_command(m.BackupOptions(name="b1"), "velero") == \
        "velero backup create b1 --namespace velero"


def test_from_schedule_copies_template_and_labels() -> None:
    schedule = {
        "metadata": {"name": "daily", "uid": "u-1", "labels": {"team": "ops"},
                     "annotations": {"note": "x"}},
        "spec": {"schedule": "0 1 * * *", "useOwnerReferencesInBackup": True,
                 "template": {"includedNamespaces": ["shop"], "ttl": "168h0m0s"}},
    }
    obj = m.build_backup_from_schedule(schedule, "velero", NOW)
    assert obj["metadata"]["name"] == "daily-20260601120000"
    assert obj["metadata"]["labels"] == {"team": "ops", "velero.io/schedule-name": "daily"}
    assert obj["metadata"]["annotations"] == {"note": "x"}
    assert obj["metadata"]["ownerReferences"][0]["uid"] == "u-1"
    assert obj["spec"] == {"includedNamespaces": ["shop"], "ttl": "168h0m0s"}
    # template labels win over the schedule's own labels
    schedule["spec"]["template"]["metadata"] = {"labels": {"tier": "gold"}}
    obj = m.build_backup_from_schedule(schedule, "velero", NOW)
    assert obj["metadata"]["labels"] == {"tier": "gold", "velero.io/schedule-name": "daily"}
    assert obj["spec"]["metadata"] == {"labels": {"tier": "gold"}}
    # a non-UTC clock still names the backup in UTC
    from datetime import timezone
    local = NOW.astimezone(timezone(timedelta(hours=2)))
    assert m.build_backup_from_schedule(schedule, "velero", local)["metadata"]["name"] == \
        "daily-20260601120000"


def test_restore_spec_and_command() -> None:
    opts = m.RestoreOptions(backup="nightly-1", include_namespaces=["shop"],
                            namespace_mapping=m.parse_namespace_mapping("shop:shop-copy"),
                            restore_pvs=True)
    obj = m.build_restore(opts, "velero", NOW)
    assert obj["metadata"] == {"name": "nightly-1-20260601120000", "namespace": "velero"}
    assert obj["spec"] == {"backupName": "nightly-1", "includedNamespaces": ["shop"],
                           "namespaceMapping": {"shop": "shop-copy"}, "restorePVs": True,
                           "hooks": {}, "itemOperationTimeout": "0s"}
    assert m.restore_command(opts, "velero", NOW) == (
        "velero restore create nightly-1-20260601120000 --from-backup nightly-1 "
        "--include-namespaces shop --namespace-mappings shop:shop-copy "
        "--restore-volumes=true --namespace velero")


def test_namespace_mapping_errors() -> None:
    with pytest.raises(ValueError, match="source:target"):
        m.parse_namespace_mapping("shop")
    with pytest.raises(ValueError, match="invalid namespace"):
        m.parse_namespace_mapping("Shop:x")


@pytest.mark.parametrize(("text", "expected"), [
    ("app=web", {"matchLabels": {"app": "web"}}),
    ("app==web", {"matchLabels": {"app": "web"}}),
    ("env in (prod, dev)", {"matchExpressions": [{"key": "env", "operator": "In",
                                                  "values": ["dev", "prod"]}]}),
    ("env notin (qa),app", {"matchExpressions": [
        {"key": "env", "operator": "NotIn", "values": ["qa"]},
        {"key": "app", "operator": "Exists"}]}),
    ("!legacy", {"matchExpressions": [{"key": "legacy", "operator": "DoesNotExist"}]}),
])
def test_label_selector(text: str, expected: dict) -> None:
    assert m.parse_label_selector(text) == expected
    assert m.parse_label_selector(m.selector_text(expected)) == expected


@pytest.mark.parametrize("bad", ["app=we b", "=x", "a b c", "k in (a"])
def test_bad_selector(bad: str) -> None:
    with pytest.raises(ValueError):
        m.parse_label_selector(bad)


def test_validation_messages() -> None:
    opts = m.BackupOptions(name="Bad_Name", include_namespaces=["shop", "nope"],
                           exclude_namespaces=["shop"], ttl="3d")
    errors = opts.validate(known_namespaces=["shop", "default"], storage_locations=["default"])
    text = "\n".join(errors)
    assert "invalid backup name 'Bad_Name'" in text
    assert "both included and excluded: shop" in text
    assert "unknown namespace: nope" in text
    assert "invalid TTL" in text
    assert m.BackupOptions(name="ok", storage_location="x").validate(
        storage_locations=["default"]) == ["backup storage location 'x' not found"]
    assert m.validate_namespaces(["*"], ["*"]) == ["excludes list cannot contain '*'"]
    assert m.validate_namespaces(["app-*"], [], known=[]) == []


def _backup(name: str, phase: str, start: str | None, **status) -> dict:
    st = {"phase": phase, **status}
    if start:
        st["startTimestamp"] = start
    return {"metadata": {"name": name, "uid": f"uid-{name}",
                         "creationTimestamp": start or "2026-06-01T11:59:00Z",
                         "labels": status.pop("labels", {})},
            "spec": {"storageLocation": "default"}, "status": st}


def test_backup_rows_sorted_and_filtered() -> None:
    objs = [
        _backup("old", "Completed", "2026-05-30T01:00:00Z",
                completionTimestamp="2026-05-30T01:02:30Z",
                expiration="2026-06-29T01:00:00Z", progress={"totalItems": 10,
                                                              "itemsBackedUp": 10}),
        _backup("new", "InProgress", "2026-06-01T11:50:00Z",
                progress={"totalItems": 40, "itemsBackedUp": 10}),
        _backup("daily-1", "Failed", "2026-05-31T01:00:00Z", errors=3,
                labels={"velero.io/schedule-name": "daily"}),
    ]
    objs[2]["metadata"]["labels"] = {"velero.io/schedule-name": "daily"}
    rows = m.backup_rows(objs)
    assert [r.name for r in rows] == ["new", "daily-1", "old"]
    assert rows[0].duration(NOW) == "10m"
    assert m.progress_bar(rows[0].done, rows[0].total) == "██░░░░░░░░ 10/40"
    assert rows[2].duration(NOW) == "2m"
    assert rows[2].expires_text(NOW) == "27d"
    assert [r.name for r in m.backup_rows(objs, phase="Failed")] == ["daily-1"]
    assert [r.name for r in m.backup_rows(objs, schedule="daily")] == ["daily-1"]


def test_schedule_rows_next_run_and_last_backup() -> None:
    scheds = [{"metadata": {"name": "daily"}, "spec": {"schedule": "0 1 * * *"},
               "status": {"lastBackup": "2026-06-01T01:00:00Z", "phase": "Enabled"}},
              {"metadata": {"name": "hourly"}, "spec": {"schedule": "@every 1h",
                                                        "paused": True}, "status": {}},
              {"metadata": {"name": "broken"}, "spec": {"schedule": "61 * * * *"}}]
    backups = [_backup("daily-20260601010000", "Completed", "2026-06-01T01:00:00Z")]
    backups[0]["metadata"]["labels"] = {"velero.io/schedule-name": "daily"}
    rows = {r.name: r for r in m.schedule_rows(scheds, backups, NOW)}
    assert rows["daily"].next_run == datetime(2026, 6, 2, 1, 0, tzinfo=UTC)
    assert rows["daily"].next_text(NOW) == "2026-06-02 01:00 (in 13h)"
    assert rows["daily"].last_backup_name == "daily-20260601010000"
    assert rows["daily"].last_backup_phase == "Completed"
    assert rows["hourly"].next_text(NOW) == "paused"
    assert rows["broken"].next_text(NOW) == "invalid"
    assert m.next_run("@every 30m", NOW, NOW - timedelta(minutes=70)) == \
        NOW + timedelta(minutes=20)


def test_bsl_problems() -> None:
    ok = {"metadata": {"name": "default"}, "spec": {"default": True, "provider": "aws"},
          "status": {"phase": "Available"}}
    bad = {"metadata": {"name": "default"}, "spec": {"default": True},
           "status": {"phase": "Unavailable", "message": "bucket not found"}}
    other = {"metadata": {"name": "other"}, "spec": {}, "status": {"phase": "Available"}}
    assert bsl_problems([ok]) == []
    assert bsl_problems([bad]) == [
        "default backup storage location default is Unavailable: bucket not found"]
    assert bsl_problems([other]) == [
        "no default backup storage location: backups need --storage-location"]
    assert bsl_problems([]) == []


def test_delete_request_like_cli() -> None:
    backup = {"metadata": {"name": "b" * 70, "uid": "u-9"}}
    req = m.build_delete_request(backup, "velero")
    labels = req["metadata"]["labels"]
    assert len(labels["velero.io/backup-name"]) == 63
    assert labels["velero.io/backup-uid"] == "u-9"
    assert req["metadata"]["generateName"] == "b" * 70 + "-"
    assert req["spec"] == {"backupName": "b" * 70}


def test_download_request_and_preview() -> None:
    req = m.build_download_request("BackupLog", "nightly-1", "velero", NOW)
    assert req["metadata"]["name"] == "nightly-1-20260601120000"
    assert req["spec"] == {"target": {"kind": "BackupLog", "name": "nightly-1"}}
    preview = m.backup_preview(_backup("x", "PartiallyFailed", "2026-06-01T01:00:00Z"))
    assert any("not Completed" in line for line in preview)


def test_detect_and_plugin() -> None:
    assert PLUGIN.id == "velero" and PLUGIN.category == "backup"
    assert PLUGIN.chart and PLUGIN.chart.namespace == "velero"
    snap = ClusterSnapshot(api_groups={"velero.io"})
    det = detect(snap)
    assert det.installed == "partial"
    snap.workloads.append({"kind": "Deployment", "metadata": {
        "name": "velero", "namespace": "velero",
        "labels": {"app.kubernetes.io/name": "velero"}},
        "spec": {"replicas": 1, "template": {"spec": {"containers": [
            {"image": "velero/velero:v1.18.2"}]}}}, "status": {"readyReplicas": 1}})
    det = detect(snap)
    assert det.installed is True and det.healthy is True and det.version == "v1.18.2"


def test_detect_reports_unavailable_default_bsl_from_board_resources() -> None:
    snap = ClusterSnapshot(api_groups={"velero.io"})
    snap.workloads.append({"kind": "Deployment", "metadata": {
        "name": "velero", "namespace": "velero",
        "labels": {"app.kubernetes.io/name": "velero"}},
        "spec": {"replicas": 1}, "status": {"readyReplicas": 1}})
    snap.extra["backupstoragelocations.velero.io"] = [
        {"metadata": {"name": "default", "namespace": "velero"}, "spec": {"default": True},
         "status": {"phase": "Unavailable", "message": "bucket not found"}},
        {"metadata": {"name": "default", "namespace": "elsewhere"}, "spec": {"default": True},
         "status": {"phase": "Unavailable"}},
    ]
    det = detect(snap)
    assert det.healthy is False
    assert det.problems == [
        "default backup storage location default is Unavailable: bucket not found"]
    assert PLUGIN.board_resources == (m.BSLS,)


def test_detect_reports_no_storage_location_only_when_readable() -> None:
    snap = ClusterSnapshot(api_groups={"velero.io"})
    snap.workloads.append({"kind": "Deployment", "metadata": {
        "name": "velero", "namespace": "velero",
        "labels": {"app.kubernetes.io/name": "velero"}},
        "spec": {"replicas": 1}, "status": {"readyReplicas": 1}})
    snap.extra["backupstoragelocations.velero.io"] = []
    det = detect(snap)
    assert det.healthy is False
    assert det.problems == ["no backup storage location in velero: backups have nowhere to go"]
    # a denied list is no claim that none exist -- nor that backups can go anywhere: the
    # health of a running server is unknown until its storage locations can be read
    snap.forbidden["extra:backupstoragelocations.velero.io"] = "no permission to list ..."
    det = detect(snap)
    assert det.problems == ["no permission to list ..."] and det.healthy is None


def test_velero_namespace_is_config_then_detected_then_default_never_the_view_scope() -> None:
    """-n scopes what panes show; Velero's namespace is where Velero is installed."""
    from types import SimpleNamespace

    from k8s_essentials_tui.plugin import Detection
    from k8s_essentials_tui.plugins.velero.pane import velero_namespace_of
    from k8s_essentials_tui.settings import Settings

    settings = Settings()
    app = SimpleNamespace(settings=settings, options=SimpleNamespace(namespace="shop"),
                          detections={})
    assert velero_namespace_of(app) == "velero"
    app.detections = {"velero": Detection(installed="partial", namespace="elsewhere")}
    assert velero_namespace_of(app) == "velero"  # CRDs only: no server to locate
    app.detections = {"velero": Detection(installed=True, namespace="backup-system")}
    assert velero_namespace_of(app) == "backup-system"
    settings.values["velero.namespace"] = "dr"
    assert velero_namespace_of(app) == "dr"
