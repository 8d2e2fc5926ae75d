"""Velero: backup and restore of cluster resources and volumes (vmware-tanzu/velero).

Catalog entry and detection only (no Textual): the pane is loaded lazily from
``pane.py``. ``bsl_problems`` is exposed for the board, because ``detect()`` sees only the
cluster snapshot and BackupStorageLocations are not part of it.
"""

from __future__ import annotations

from typing import Any

from k8s_essentials_tui.api import (
    ChartRef,
    ClusterSnapshot,
    Detection,
    Plugin,
    PluginAction,
    PluginCommand,
    Setting,
    detect_workloads,
    mapping,
)

from .model import BACKUPS, BSLS, GROUP, RESTORES, SCHEDULES
from .model import bsl_problems as _bsl_problems

CHART = ChartRef(
    repo="https://vmware-tanzu.github.io/helm-charts",
    chart="velero",
    version="12.2.1",
    namespace="velero",
    release="velero",
    values="""\
# Velero needs one object-store plugin and one BackupStorageLocation to do anything.
# Example for S3-compatible storage; pick the plugin release matching your Velero minor
# version (see the plugin's compatibility table).
initContainers:
  - name: velero-plugin-for-aws
    image: velero/velero-plugin-for-aws:v1.14.0
    volumeMounts:
      - mountPath: /target
        name: plugins
configuration:
  backupStorageLocation:
    - name: default
      provider: aws
      bucket: CHANGE-ME-bucket
      default: true
      config:
        region: us-east-1
  volumeSnapshotLocation: []
  defaultBackupTTL: 720h0m0s
credentials:
  useSecret: true
  # a Secret with key "cloud" holding an AWS credentials file
  existingSecret: velero-credentials
snapshotsEnabled: false
# file-system backup of pod volumes (kopia) when there are no volume snapshots
deployNodeAgent: true
metrics:
  enabled: true
""",
)


SELECTORS: tuple[dict[str, str], ...] = ({"app.kubernetes.io/name": "velero"},)
#: the Helm chart whose release is Velero's (declared on the Plugin, used by detect)
CHARTS: tuple[str, ...] = ("velero",)


def detect(snapshot: ClusterSnapshot) -> Detection:
    det = detect_workloads(
        snapshot,
        selectors=SELECTORS,
        charts=CHARTS,
        api_groups=[GROUP],
    )
    if det.installed is True:
        # BSLs are listed for the board only when the velero.io group is served
        bsls = [b for b in snapshot.extra.get(BSLS.qualified, [])
                if mapping(mapping(b).get("metadata")).get("namespace") == det.namespace]
        readable = (BSLS.qualified in snapshot.extra
                    and f"extra:{BSLS.qualified}" not in snapshot.forbidden
                    and f"extra:{BSLS.qualified}" not in snapshot.errors)
        problems = bsl_problems(bsls) if readable else []
        if readable and not bsls:
            problems.append(f"no backup storage location in {det.namespace}: "
                            "backups have nowhere to go")
        if problems:
            det.problems.extend(problems)
            det.healthy = False
        unread = (snapshot.forbidden.get(f"extra:{BSLS.qualified}")
                  or snapshot.errors.get(f"extra:{BSLS.qualified}"))
        if unread:
            # a running server says nothing about where backups go: not "ok" unchecked
            det.problems.append(unread)
            if det.healthy is True:
                det.healthy = None
    return det


def bsl_problems(bsls: list[dict[str, Any]]) -> list[str]:
    """Problems to show on the board from the velero namespace's BackupStorageLocations
    (an unavailable default location, or none marked default)."""
    return _bsl_problems(bsls)


BACKUP_HELP = "create and list Velero backups (velero.io/v1) through the Kubernetes API"

PLUGIN = Plugin(
    id="velero",
    title="Velero",
    category="backup",
    why="Backs up cluster objects and volumes to object storage and restores them: the "
        "way back after a deleted namespace or a lost cluster.",
    chart=CHART,
    detect=detect,
    pane="k8s_essentials_tui.plugins.velero.pane:VeleroPane",
    actions=(
        PluginAction("velero.backup.create", "Create backup", "b", mutating=True),
        PluginAction("velero.backup.from-schedule", "Backup now from schedule", "n",
                     mutating=True),
        PluginAction("velero.restore.create", "Restore from backup", "r", mutating=True),
        PluginAction("velero.schedule.pause", "Pause/unpause schedule", "p", mutating=True),
        PluginAction("velero.backup.delete", "Delete backup", "d", mutating=True),
    ),
    api_groups=(GROUP,),
    workload_selectors=SELECTORS,
    chart_names=CHARTS,
    watches=(BACKUPS, RESTORES, SCHEDULES, BSLS),
    board_resources=(BSLS,),
    commands=(PluginCommand(
        "backup", BACKUP_HELP, "k8s_essentials_tui.plugins.velero.command",
        BACKUP_HELP + ". The Velero namespace is --namespace, else the config key "
        "velero.namespace, else 'velero'."),),
    settings=(
        Setting("namespace", str, "", "namespace of Velero's objects (backups, schedules, "
                                      "restores, storage locations); empty = where the board "
                                      "found Velero's server, else velero"),
    ),
)

__all__ = ["CHART", "PLUGIN", "bsl_problems", "detect"]
