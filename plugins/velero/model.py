"""Pure Velero logic: rows for the tables, phases, durations, cron, and the exact objects the
``velero`` CLI would send.

Why pure: everything here is a function of API objects and an injected ``now``, so it is
unit-tested without a cluster or Textual, and both the pane and the headless ``backup``
command build the very same Backup/Restore objects.

Spec builders follow the velero CLI (``pkg/cmd/cli/backup/create.go``,
``pkg/cmd/cli/restore/create.go``, ``pkg/builder/backup_builder.go``) as of Velero 1.18: the CLI
serialises the Go structs, so non-pointer fields without ``omitempty`` effect are always sent
(``metadata: {}``, ``ttl``, ``hooks: {}``, ``csiSnapshotTimeout``, ``itemOperationTimeout``),
``includedNamespaces`` defaults to ``["*"]``, and durations are Go ``Duration.String()``
values ("720h0m0s").
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from k8s_essentials_tui.api import Fields, human_duration, mapping, parse_time, rt, shell_join

API_VERSION = "velero.io/v1"
GROUP = "velero.io"
BACKUPS = rt(API_VERSION, "backups", "Backup")
RESTORES = rt(API_VERSION, "restores", "Restore")
SCHEDULES = rt(API_VERSION, "schedules", "Schedule")
BSLS = rt(API_VERSION, "backupstoragelocations", "BackupStorageLocation")
DOWNLOAD_REQUESTS = rt(API_VERSION, "downloadrequests", "DownloadRequest")
DELETE_BACKUP_REQUESTS = rt(API_VERSION, "deletebackuprequests", "DeleteBackupRequest")

DEFAULT_NAMESPACE = "velero"
SCHEDULE_NAME_LABEL = "velero.io/schedule-name"
STORAGE_LOCATION_LABEL = "velero.io/storage-location"
BACKUP_NAME_LABEL = "velero.io/backup-name"
BACKUP_UID_LABEL = "velero.io/backup-uid"

#: every backup phase Velero 1.18 knows, in lifecycle order
BACKUP_PHASES: tuple[str, ...] = (
    "New", "Queued", "ReadyToStart", "InProgress", "WaitingForPluginOperations",
    "WaitingForPluginOperationsPartiallyFailed", "Finalizing", "FinalizingPartiallyFailed",
    "Completed", "PartiallyFailed", "Failed", "FailedValidation", "Deleting",
)
BACKUP_OK_PHASES = frozenset({"Completed"})
BACKUP_FAILED_PHASES = frozenset({"PartiallyFailed", "Failed", "FailedValidation"})
#: a backup in one of these will not move any more (Deleting ends with the object gone)
BACKUP_TERMINAL_PHASES = BACKUP_OK_PHASES | BACKUP_FAILED_PHASES
RESTORE_OK_PHASES = frozenset({"Completed"})
RESTORE_FAILED_PHASES = frozenset({"PartiallyFailed", "Failed", "FailedValidation"})
RESTORE_TERMINAL_PHASES = RESTORE_OK_PHASES | RESTORE_FAILED_PHASES
#: phase filter choices offered by the pane ("" = all)
PHASE_FILTERS: tuple[str, ...] = ("", "InProgress", "Completed", "PartiallyFailed", "Failed",
                                  "FailedValidation", "New", "Deleting")


def is_running(phase: str) -> bool:
    return phase not in BACKUP_TERMINAL_PHASES and phase != "Deleting"


def phase_style(phase: str) -> str:
    """A semantic style name for a phase (the pane maps it to theme colours)."""
    if phase in BACKUP_OK_PHASES:
        return "ok"
    if phase in {"PartiallyFailed", "WaitingForPluginOperationsPartiallyFailed",
                 "FinalizingPartiallyFailed"}:
        return "warn"
    if phase in {"Failed", "FailedValidation"}:
        return "bad"
    return "busy"


# -- Go durations ---------------------------------------------------------------------------

_UNITS_NS = {"ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": 1_000_000,
             "s": 1_000_000_000, "m": 60_000_000_000, "h": 3_600_000_000_000}
_DUR_PART = re.compile(r"(\d*\.?\d*)([a-zµμ]+)")


def parse_go_duration(text: str) -> int:
    """Nanoseconds of a Go ``time.ParseDuration`` string ("720h", "1h30m", "90m", "0").

    Raises ValueError with a message naming the accepted units (Go has no "d")."""
    s = text.strip()
    if not s:
        raise ValueError("empty duration")
    sign = 1
    if s[0] in "+-":
        sign = -1 if s[0] == "-" else 1
        s = s[1:]
    if s == "0":
        return 0
    pos, total = 0, 0
    while pos < len(s):
        m = _DUR_PART.match(s, pos)
        if not m or not m.group(1) or m.group(1) == ".":
            raise ValueError(f"invalid duration {text!r}")
        num, unit = m.group(1), m.group(2)
        if unit not in _UNITS_NS:
            hint = " (days are not a Go duration unit: use hours, e.g. 72h)" if unit == "d" \
                else ""
            raise ValueError(f"invalid duration {text!r}: unknown unit {unit!r}{hint}")
        whole, _, frac = num.partition(".")
        value = int(whole or 0) * _UNITS_NS[unit]
        if frac:
            value += int(frac) * _UNITS_NS[unit] // 10 ** len(frac)
        total += value
        pos = m.end()
    return sign * total


def format_go_duration(ns: int) -> str:
    """Go's ``Duration.String()``: 720h -> "720h0m0s", 90m -> "1h30m0s", 0 -> "0s"."""
    if ns == 0:
        return "0s"
    neg, u = ns < 0, abs(ns)
    if u < 1_000_000_000:
        for unit, size in (("ms", 1_000_000), ("µs", 1_000), ("ns", 1)):
            if u >= size or unit == "ns":
                return ("-" if neg else "") + _frac(u, size) + unit
    secs, rem = divmod(u, 1_000_000_000)
    hours, secs = divmod(secs, 3600)
    mins, secs = divmod(secs, 60)
    sec_text = _frac(secs * 1_000_000_000 + rem, 1_000_000_000) + "s"
    out = ""
    if hours:
        out = f"{hours}h{mins}m"
    elif mins:
        out = f"{mins}m"
    return ("-" if neg else "") + out + sec_text


def _frac(value: int, size: int) -> str:
    whole, rem = divmod(value, size)
    if not rem:
        return str(whole)
    digits = len(str(size)) - 1
    return f"{whole}." + f"{rem:0{digits}d}".rstrip("0")


def validate_ttl(text: str) -> str:
    """A TTL as the CLI's ``--ttl`` flag takes it; returns the Go string sent in the spec."""
    try:
        ns = parse_go_duration(text)
    except ValueError as exc:
        raise ValueError(f"invalid TTL: {exc}; use a Go duration such as 720h or 24h0m0s") \
            from None
    if ns < 0:
        raise ValueError(f"invalid TTL {text!r}: must not be negative")
    return format_go_duration(ns)


# -- times ----------------------------------------------------------------------------------

def rfc3339(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def short_time(when: datetime | None) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if when else "-"


def timestamped_name(base: str, when: datetime) -> str:
    """``<base>-YYYYMMDDHHMMSS`` in UTC, as ``Schedule.TimestampedName`` builds it."""
    return f"{base}-{when.astimezone(UTC).strftime('%Y%m%d%H%M%S')}"


# -- validation -----------------------------------------------------------------------------

_DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS1123_SUBDOMAIN = re.compile(
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_KEY_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")


def validate_name(name: str, what: str = "backup") -> str | None:
    """None when ``name`` is a valid object name (DNS-1123 subdomain), else the message."""
    if not name:
        return f"{what} name is required"
    if len(name) > 253 or not _DNS1123_SUBDOMAIN.match(name):
        return (f"invalid {what} name {name!r}: use lower-case letters, digits, '-' and '.', "
                "starting and ending with a letter or digit")
    return None


def split_list(text: str | Sequence[str] | None) -> list[str]:
    """"a, b,c" -> ["a", "b", "c"] (the CLI's StringArray flag splits on commas)."""
    if text is None:
        return []
    items = text.split(",") if isinstance(text, str) else list(text)
    return [i.strip() for i in items if i.strip()]


def _is_pattern(ns: str) -> bool:
    return any(c in ns for c in "*?[")


def validate_namespaces(include: Sequence[str], exclude: Sequence[str],
                        known: Iterable[str] | None = None) -> list[str]:
    """Errors for include/exclude namespace lists (CLI rules, plus unknown names when the
    cluster's namespaces are known -- a typo would silently back up nothing)."""
    errors: list[str] = []
    for ns in [*include, *exclude]:
        if ns == "*" or _is_pattern(ns):
            continue
        if not _DNS1123_LABEL.match(ns) or len(ns) > 63:
            errors.append(f"invalid namespace name {ns!r}")
    if "*" in exclude:
        errors.append("excludes list cannot contain '*'")
    both = sorted((set(include) & set(exclude)) - {"*"})
    if both:
        errors.append("namespaces both included and excluded: " + ", ".join(both))
    if known is not None:
        names = set(known)
        unknown = [ns for ns in include if ns != "*" and not _is_pattern(ns)
                   and _DNS1123_LABEL.match(ns) and ns not in names]
        if unknown:
            errors.append("unknown namespace" + ("s" if len(unknown) > 1 else "") + ": "
                          + ", ".join(unknown) + " (not in this cluster)")
    return errors


def _check_label_key(key: str) -> None:
    prefix, _, name = key.rpartition("/")
    if prefix and (len(prefix) > 253 or not _DNS1123_SUBDOMAIN.match(prefix)):
        raise ValueError(f"invalid label key {key!r}")
    if not name or len(name) > 63 or not _LABEL_KEY_NAME.match(name):
        raise ValueError(f"invalid label key {key!r}")


def _check_label_value(value: str) -> None:
    if len(value) > 63 or not _LABEL_VALUE.match(value):
        raise ValueError(f"invalid label value {value!r}")


_SET_EXPR = re.compile(r"^\s*(!?)\s*([^\s!=(),]+)\s*(?:(in|notin)\s*\(([^)]*)\))?\s*$")


def _split_selector(text: str) -> list[str]:
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return [p.strip() for p in parts if p.strip()]


def parse_label_selector(text: str | None) -> dict[str, Any] | None:
    """A ``metav1.LabelSelector`` like ``metav1.ParseToLabelSelector`` builds it:
    ``k=v``/``k==v`` -> matchLabels; ``k!=v`` -> NotIn; ``k in (a,b)``, ``k notin (..)``,
    ``k`` (Exists), ``!k`` (DoesNotExist) -> matchExpressions. None for an empty text."""
    if text is None or not text.strip():
        return None
    match_labels: dict[str, str] = {}
    exprs: list[dict[str, Any]] = []
    for part in _split_selector(text):
        if "!=" in part:
            key, _, value = (s.strip() for s in part.partition("!="))
            _check_label_key(key)
            _check_label_value(value)
            exprs.append({"key": key, "operator": "NotIn", "values": [value]})
            continue
        if "=" in part and not re.search(r"\s(in|notin)\s*\(", part):
            key, _, value = part.partition("==") if "==" in part else part.partition("=")
            key, value = key.strip(), value.strip()
            _check_label_key(key)
            _check_label_value(value)
            match_labels[key] = value
            continue
        m = _SET_EXPR.match(part)
        if not m:
            raise ValueError(f"invalid label selector {text!r}: cannot parse {part!r}")
        neg, key, op, values = m.groups()
        _check_label_key(key)
        if op:
            if neg:
                raise ValueError(f"invalid label selector {text!r}: cannot parse {part!r}")
            vals = sorted({v.strip() for v in values.split(",") if v.strip()})
            for v in vals:
                _check_label_value(v)
            exprs.append({"key": key, "operator": "In" if op == "in" else "NotIn",
                          "values": vals})
        else:
            exprs.append({"key": key, "operator": "DoesNotExist" if neg else "Exists"})
    out: dict[str, Any] = {}
    if match_labels:
        out["matchLabels"] = match_labels
    if exprs:
        out["matchExpressions"] = exprs
    return out


def parse_namespace_mapping(text: str | None) -> dict[str, str]:
    """``src1:dst1,src2:dst2`` (the restore CLI's ``--namespace-mappings`` format)."""
    out: dict[str, str] = {}
    for item in split_list(text):
        src, sep, dst = item.partition(":")
        src, dst = src.strip(), dst.strip()
        if not sep or not src or not dst:
            raise ValueError(f"invalid namespace mapping {item!r}: use source:target")
        for ns in (src, dst):
            if not _DNS1123_LABEL.match(ns):
                raise ValueError(f"invalid namespace name {ns!r} in mapping")
        out[src] = dst
    return out


def parse_labels(text: str | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in split_list(text):
        key, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"invalid label {item!r}: use key=value")
        _check_label_key(key.strip())
        _check_label_value(value.strip())
        out[key.strip()] = value.strip()
    return out


# -- spec builders --------------------------------------------------------------------------

@dataclass
class BackupOptions:
    """What ``velero backup create NAME [flags]`` takes (the subset the pane offers)."""

    name: str
    include_namespaces: list[str] = field(default_factory=lambda: ["*"])
    exclude_namespaces: list[str] = field(default_factory=list)
    include_resources: list[str] = field(default_factory=list)
    exclude_resources: list[str] = field(default_factory=list)
    selector: str = ""
    #: as typed ("720h"); None = flag not given (the server applies its default TTL)
    ttl: str | None = None
    storage_location: str = ""
    snapshot_volumes: bool | None = None
    default_volumes_to_fs_backup: bool | None = None
    include_cluster_resources: bool | None = None
    labels: dict[str, str] = field(default_factory=dict)

    def validate(self, known_namespaces: Iterable[str] | None = None,
                 storage_locations: Iterable[str] | None = None) -> list[str]:
        errors: list[str] = []
        if msg := validate_name(self.name):
            errors.append(msg)
        errors += validate_namespaces(self.include_namespaces, self.exclude_namespaces,
                                      known_namespaces)
        if self.ttl is not None:
            try:
                validate_ttl(self.ttl)
            except ValueError as exc:
                errors.append(str(exc))
        try:
            parse_label_selector(self.selector)
        except ValueError as exc:
            errors.append(str(exc))
        if self.storage_location and storage_locations is not None \
                and self.storage_location not in set(storage_locations):
            errors.append(f"backup storage location {self.storage_location!r} not found")
        return errors


def _scope_spec(opts: BackupOptions | RestoreOptions) -> dict[str, list[str]]:
    """included/excluded namespaces and resources, as Backup and Restore specs spell them."""
    fields = {"includedNamespaces": opts.include_namespaces,
              "excludedNamespaces": opts.exclude_namespaces,
              "includedResources": opts.include_resources,
              "excludedResources": opts.exclude_resources}
    return {k: list(v) for k, v in fields.items() if v}


def _scope_flags(opts: BackupOptions | RestoreOptions) -> list[str]:
    """The same scope as velero CLI flags (``*`` namespaces is the default: not repeated)."""
    flags = {"--include-namespaces": [] if opts.include_namespaces == ["*"]
             else opts.include_namespaces,
             "--exclude-namespaces": opts.exclude_namespaces,
             "--include-resources": opts.include_resources,
             "--exclude-resources": opts.exclude_resources}
    return [arg for flag, v in flags.items() if v for arg in (flag, ",".join(v))]


def build_backup(opts: BackupOptions, namespace: str) -> dict[str, Any]:
    """The Backup object ``velero backup create`` sends for these options."""
    ttl_ns = parse_go_duration(opts.ttl) if opts.ttl is not None else 0
    spec: dict[str, Any] = {"metadata": {}}
    spec.update(_scope_spec(opts))
    selector = parse_label_selector(opts.selector)
    if selector is not None:
        spec["labelSelector"] = selector
    if opts.snapshot_volumes is not None:
        spec["snapshotVolumes"] = opts.snapshot_volumes
    spec["ttl"] = format_go_duration(ttl_ns)
    if opts.include_cluster_resources is not None:
        spec["includeClusterResources"] = opts.include_cluster_resources
    spec["hooks"] = {}
    if opts.storage_location:
        spec["storageLocation"] = opts.storage_location
    if opts.default_volumes_to_fs_backup is not None:
        spec["defaultVolumesToFsBackup"] = opts.default_volumes_to_fs_backup
    spec["csiSnapshotTimeout"] = "0s"
    spec["itemOperationTimeout"] = "0s"
    meta: dict[str, Any] = {"name": opts.name, "namespace": namespace}
    if opts.labels:
        meta["labels"] = dict(opts.labels)
    return {"apiVersion": API_VERSION, "kind": "Backup", "metadata": meta, "spec": spec}


def _bool_flag(flag: str, value: bool | None) -> list[str]:
    return [] if value is None else [f"--{flag}={'true' if value else 'false'}"]


def backup_command(opts: BackupOptions, namespace: str) -> str:
    argv = ["velero", "backup", "create", opts.name]
    argv += _scope_flags(opts)
    if opts.selector.strip():
        argv += ["--selector", opts.selector.strip()]
    if opts.ttl is not None:
        argv += ["--ttl", format_go_duration(parse_go_duration(opts.ttl))]
    if opts.storage_location:
        argv += ["--storage-location", opts.storage_location]
    argv += _bool_flag("snapshot-volumes", opts.snapshot_volumes)
    argv += _bool_flag("default-volumes-to-fs-backup", opts.default_volumes_to_fs_backup)
    argv += _bool_flag("include-cluster-resources", opts.include_cluster_resources)
    if opts.labels:
        argv += ["--labels", ",".join(f"{k}={v}" for k, v in opts.labels.items())]
    argv += ["--namespace", namespace]
    return shell_join(argv)


def build_backup_from_schedule(schedule: Mapping[str, Any], namespace: str, now: datetime,
                               name: str | None = None) -> dict[str, Any]:
    """``velero backup create [NAME] --from-schedule S``: the template as spec; labels from
    ``template.metadata.labels`` if set, else the Schedule's labels, plus
    ``velero.io/schedule-name``; the Schedule's annotations; an owner reference when
    ``useOwnerReferencesInBackup``; name ``S-YYYYMMDDHHMMSS`` (UTC) by default."""
    meta = schedule.get("metadata") or {}
    sname = meta.get("name", "")
    sspec = schedule.get("spec") or {}
    template = copy.deepcopy(sspec.get("template") or {})
    tlabels = (template.get("metadata") or {}).get("labels")
    labels = dict(tlabels) if tlabels is not None else dict(meta.get("labels") or {})
    labels[SCHEDULE_NAME_LABEL] = sname
    out_meta: dict[str, Any] = {"name": name or timestamped_name(sname, now),
                                "namespace": namespace, "labels": labels}
    if meta.get("annotations"):
        out_meta["annotations"] = dict(meta["annotations"])
    if sspec.get("useOwnerReferencesInBackup") is True:
        out_meta["ownerReferences"] = [{"apiVersion": API_VERSION, "kind": "Schedule",
                                        "name": sname, "uid": meta.get("uid", ""),
                                        "controller": True}]
    return {"apiVersion": API_VERSION, "kind": "Backup", "metadata": out_meta,
            "spec": template}


def from_schedule_command(schedule: str, namespace: str, name: str | None = None) -> str:
    argv = ["velero", "backup", "create"]
    if name:
        argv.append(name)
    return shell_join([*argv, "--from-schedule", schedule, "--namespace", namespace])


@dataclass
class RestoreOptions:
    """What ``velero restore create [NAME] --from-backup B [flags]`` takes."""

    backup: str
    name: str = ""
    include_namespaces: list[str] = field(default_factory=lambda: ["*"])
    exclude_namespaces: list[str] = field(default_factory=list)
    include_resources: list[str] = field(default_factory=list)
    exclude_resources: list[str] = field(default_factory=list)
    namespace_mapping: dict[str, str] = field(default_factory=dict)
    selector: str = ""
    restore_pvs: bool | None = None
    preserve_node_ports: bool | None = None
    include_cluster_resources: bool | None = None

    def validate(self) -> list[str]:
        errors: list[str] = []
        if msg := validate_name(self.backup, "backup"):
            errors.append(msg)
        if self.name and (msg := validate_name(self.name, "restore")):
            errors.append(msg)
        errors += validate_namespaces(self.include_namespaces, self.exclude_namespaces)
        try:
            parse_label_selector(self.selector)
        except ValueError as exc:
            errors.append(str(exc))
        return errors


def default_restore_name(backup: str, now: datetime) -> str:
    """``<backup>-YYYYMMDDHHMMSS`` (the CLI uses the local clock; the pane's clock is UTC)."""
    return f"{backup}-{now.strftime('%Y%m%d%H%M%S')}"


def build_restore(opts: RestoreOptions, namespace: str, now: datetime) -> dict[str, Any]:
    spec: dict[str, Any] = {"backupName": opts.backup}
    spec.update(_scope_spec(opts))
    if opts.namespace_mapping:
        spec["namespaceMapping"] = dict(opts.namespace_mapping)
    selector = parse_label_selector(opts.selector)
    if selector is not None:
        spec["labelSelector"] = selector
    if opts.restore_pvs is not None:
        spec["restorePVs"] = opts.restore_pvs
    if opts.preserve_node_ports is not None:
        spec["preserveNodePorts"] = opts.preserve_node_ports
    if opts.include_cluster_resources is not None:
        spec["includeClusterResources"] = opts.include_cluster_resources
    spec["hooks"] = {}
    spec["itemOperationTimeout"] = "0s"
    name = opts.name or default_restore_name(opts.backup, now)
    return {"apiVersion": API_VERSION, "kind": "Restore",
            "metadata": {"name": name, "namespace": namespace}, "spec": spec}


def restore_command(opts: RestoreOptions, namespace: str, now: datetime) -> str:
    argv = ["velero", "restore", "create", opts.name or default_restore_name(opts.backup, now),
            "--from-backup", opts.backup]
    argv += _scope_flags(opts)
    if opts.namespace_mapping:
        argv += ["--namespace-mappings",
                 ",".join(f"{k}:{v}" for k, v in opts.namespace_mapping.items())]
    if opts.selector.strip():
        argv += ["--selector", opts.selector.strip()]
    argv += _bool_flag("restore-volumes", opts.restore_pvs)
    argv += _bool_flag("preserve-nodeports", opts.preserve_node_ports)
    argv += _bool_flag("include-cluster-resources", opts.include_cluster_resources)
    argv += ["--namespace", namespace]
    return shell_join(argv)


def label_safe(name: str) -> str:
    """Velero's ``label.GetValidName``: names over 63 characters are cut to 57 plus the
    first 6 hex digits of their SHA-256, so they fit a label value."""
    if len(name) <= 63:
        return name
    return name[:57] + hashlib.sha256(name.encode()).hexdigest()[:6]


def build_delete_request(backup: Mapping[str, Any], namespace: str) -> dict[str, Any]:
    """The DeleteBackupRequest ``velero backup delete NAME`` creates."""
    f = Fields(backup)
    name = f.text("metadata.name")
    labels = {BACKUP_NAME_LABEL: label_safe(name)}
    if f.text("metadata.uid"):
        labels[BACKUP_UID_LABEL] = f.text("metadata.uid")
    return {"apiVersion": API_VERSION, "kind": "DeleteBackupRequest",
            "metadata": {"generateName": f"{name}-", "namespace": namespace,
                         "labels": labels},
            "spec": {"backupName": name}}


def delete_command(name: str, namespace: str) -> str:
    return shell_join(["velero", "backup", "delete", name, "--namespace", namespace])


def build_download_request(kind: str, name: str, namespace: str,
                           now: datetime) -> dict[str, Any]:
    """A DownloadRequest for ``BackupLog``/``RestoreLog``/... as ``velero backup logs`` makes:
    named ``<target>-<YYYYMMDDHHMMSS>``."""
    return {"apiVersion": API_VERSION, "kind": "DownloadRequest",
            "metadata": {"name": f"{name}-{now.astimezone(UTC).strftime('%Y%m%d%H%M%S')}",
                         "namespace": namespace},
            "spec": {"target": {"kind": kind, "name": name}}}


def pause_command(schedule: str, paused: bool, namespace: str) -> str:
    return shell_join(["velero", "schedule", "pause" if paused else "unpause", schedule,
                       "--namespace", namespace])


# -- rows -----------------------------------------------------------------------------------

def _meta(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    return mapping(mapping(obj).get("metadata"))


def _status(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    return mapping(mapping(obj).get("status"))


def _spec(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    return mapping(mapping(obj).get("spec"))


def progress_bar(done: int, total: int, width: int = 10) -> str:
    """``█████░░░░░ 5/10`` -- text only, so it renders in 16-colour terminals too."""
    if total <= 0:
        return "░" * width + " -"
    frac = max(0.0, min(1.0, done / total))
    filled = round(frac * width)
    return "█" * filled + "░" * (width - filled) + f" {done}/{total}"


@dataclass
class BackupRow:
    key: str
    name: str
    phase: str
    done: int
    total: int
    started: datetime | None
    completed: datetime | None
    expires: datetime | None
    storage_location: str
    errors: int
    warnings: int
    schedule: str
    created: datetime | None
    #: fields of the wrong type ("unreadable: spec.storageLocation is not a string")
    problems: list[str] = field(default_factory=list)

    def duration(self, now: datetime) -> str:
        if not self.started:
            return "-"
        end = self.completed or now
        return human_duration(end - self.started)

    def expires_text(self, now: datetime) -> str:
        if not self.expires:
            return "-"
        left = self.expires - now
        if left.total_seconds() <= 0:
            return "expired"
        return human_duration(left)

    def sort_time(self) -> datetime:
        return self.started or self.created or datetime.min.replace(tzinfo=UTC)


def _key(f: Fields) -> tuple[str, str]:
    """(uid or name, name) of an object."""
    name = f.text("metadata.name")
    return f.text("metadata.uid") or name, name


def backup_row(obj: Mapping[str, Any]) -> BackupRow:
    """Never raises: a field of the wrong type becomes a default and a problem."""
    f = Fields(obj)
    key, name = _key(f)
    labels = f.text_map("metadata.labels")
    return BackupRow(
        key=key,
        name=name,
        phase=f.text("status.phase") or "New",
        done=f.number("status.progress.itemsBackedUp"),
        total=f.number("status.progress.totalItems"),
        started=parse_time(f.raw("status.startTimestamp")),
        completed=parse_time(f.raw("status.completionTimestamp")),
        expires=parse_time(f.raw("status.expiration")),
        storage_location=f.text("spec.storageLocation") or labels.get(STORAGE_LOCATION_LABEL)
        or "",
        errors=f.number("status.errors"),
        warnings=f.number("status.warnings"),
        schedule=labels.get(SCHEDULE_NAME_LABEL, ""),
        created=parse_time(f.raw("metadata.creationTimestamp")),
        problems=f.problems,
    )


def backup_rows(objs: Iterable[Mapping[str, Any]], *, phase: str = "",
                schedule: str = "") -> list[BackupRow]:
    """Newest first (start time, else creation time, then name for ties)."""
    rows = [backup_row(o) for o in objs]
    if phase:
        rows = [r for r in rows if r.phase == phase]
    if schedule:
        rows = [r for r in rows if r.schedule == schedule]
    rows.sort(key=lambda r: (r.sort_time(), r.name), reverse=True)
    return rows


@dataclass
class RestoreRow:
    key: str
    name: str
    backup: str
    phase: str
    done: int
    total: int
    errors: int
    warnings: int
    started: datetime | None
    created: datetime | None
    problems: list[str] = field(default_factory=list)


def restore_row(obj: Mapping[str, Any]) -> RestoreRow:
    f = Fields(obj)
    key, name = _key(f)
    return RestoreRow(
        key=key, name=name,
        backup=f.text("spec.backupName") or f.text("spec.scheduleName"),
        phase=f.text("status.phase") or "New",
        done=f.number("status.progress.itemsRestored"),
        total=f.number("status.progress.totalItems"),
        errors=f.number("status.errors"), warnings=f.number("status.warnings"),
        started=parse_time(f.raw("status.startTimestamp")),
        created=parse_time(f.raw("metadata.creationTimestamp")),
        problems=f.problems,
    )


def restore_rows(objs: Iterable[Mapping[str, Any]]) -> list[RestoreRow]:
    rows = [restore_row(obj) for obj in objs]
    rows.sort(key=lambda r: (r.started or r.created or datetime.min.replace(tzinfo=UTC),
                             r.name), reverse=True)
    return rows


def next_run(expr: str, now: datetime, last: datetime | None = None) -> datetime | None:
    """Next time a Velero schedule fires (cron in UTC, or ``@every <duration>``).

    ``@every`` counts from the last backup (else from now), like robfig/cron's
    ConstantDelaySchedule that Velero uses. None when the expression is invalid."""
    expr = (expr or "").strip()
    if not expr:
        return None
    if expr.startswith("@every"):
        try:
            ns = parse_go_duration(expr.removeprefix("@every").strip())
        except ValueError:
            return None
        if ns <= 0:
            return None
        step = timedelta(microseconds=ns // 1000)
        base = last or now
        nxt = base + step
        while nxt <= now:
            nxt += step
        return nxt
    try:
        from croniter import croniter

        return croniter(expr, now.astimezone(UTC)).get_next(datetime)
    except Exception:
        return None


@dataclass
class ScheduleRow:
    key: str
    name: str
    cron: str
    paused: bool
    phase: str
    next_run: datetime | None
    last_backup_time: datetime | None
    last_backup_name: str
    last_backup_phase: str
    validation_errors: list[str]
    problems: list[str] = field(default_factory=list)

    def next_text(self, now: datetime) -> str:
        if self.paused:
            return "paused"
        if self.next_run is None:
            return "invalid"
        return f"{short_time(self.next_run)} (in {human_duration(self.next_run - now)})"


def schedule_rows(objs: Iterable[Mapping[str, Any]], backups: Iterable[Mapping[str, Any]],
                  now: datetime) -> list[ScheduleRow]:
    latest: dict[str, BackupRow] = {}
    for row in backup_rows(backups):
        if row.schedule and row.schedule not in latest:
            latest[row.schedule] = row
    rows = []
    for obj in objs:
        f = Fields(obj)
        key, name = _key(f)
        last_time = parse_time(f.raw("status.lastBackup"))
        lb = latest.get(name)
        cron = f.text("spec.schedule")
        rows.append(ScheduleRow(
            key=key, name=name, cron=cron,
            paused=f.flag("spec.paused"), phase=f.text("status.phase") or "New",
            next_run=next_run(cron, now, last_time),
            last_backup_time=last_time or (lb.sort_time() if lb else None),
            last_backup_name=lb.name if lb else "",
            last_backup_phase=lb.phase if lb else "",
            validation_errors=f.texts("status.validationErrors"),
            problems=f.problems,
        ))
    rows.sort(key=lambda r: r.name)
    return rows


@dataclass
class BslRow:
    key: str
    name: str
    provider: str
    bucket: str
    phase: str
    last_validated: datetime | None
    default: bool
    access_mode: str
    message: str
    problems: list[str] = field(default_factory=list)


def bsl_rows(objs: Iterable[Mapping[str, Any]]) -> list[BslRow]:
    rows = []
    for obj in objs:
        f = Fields(obj)
        key, name = _key(f)
        bucket = f.text("spec.objectStorage.bucket")
        prefix = f.text("spec.objectStorage.prefix")
        if prefix:
            bucket = f"{bucket}/{prefix}"
        rows.append(BslRow(
            key=key, name=name,
            provider=f.text("spec.provider"), bucket=bucket,
            phase=f.text("status.phase") or "Unknown",
            last_validated=parse_time(f.raw("status.lastValidationTime")),
            default=f.flag("spec.default"),
            access_mode=f.text("spec.accessMode") or "ReadWrite",
            message=f.text("status.message"),
            problems=f.problems,
        ))
    rows.sort(key=lambda r: (not r.default, r.name))
    return rows


def bsl_problems(bsls: Iterable[Mapping[str, Any]]) -> list[str]:
    """Problems for the board: an unavailable default location (every backup without
    ``--storage-location`` goes there and fails), or several locations and none default."""
    rows = bsl_rows(bsls)
    problems: list[str] = []
    for r in rows:
        problems.extend(f"backup storage location {r.name}: {p}" for p in r.problems)
        if r.default and r.phase == "Unavailable":
            why = f": {r.message}" if r.message else ""
            problems.append(f"default backup storage location {r.name} is Unavailable{why}")
    if rows and not any(r.default for r in rows):
        problems.append("no default backup storage location: backups need --storage-location")
    return problems


# -- detail ---------------------------------------------------------------------------------

def _list_text(items: Any, empty: str = "*") -> str:
    if not isinstance(items, list):
        return empty
    return ", ".join(str(i) for i in items) if items else empty


def selector_text(selector: Any) -> str:
    if not selector:
        return "<none>"
    if not isinstance(selector, Mapping):
        return "<unreadable>"
    parts = [f"{k}={v}" for k, v in mapping(selector.get("matchLabels")).items()]
    exprs = selector.get("matchExpressions")
    for e in exprs if isinstance(exprs, list) else []:
        e = mapping(e)
        op = str(e.get("operator") or "")
        key = str(e.get("key") or "")
        if op == "Exists":
            parts.append(key)
        elif op == "DoesNotExist":
            parts.append("!" + key)
        else:
            values = e.get("values")
            values = values if isinstance(values, list) else []
            parts.append(f"{key} {op.lower()} ({','.join(str(v) for v in values)})")
    return ",".join(parts)


def _opt_bool(value: Any, default: str = "auto") -> str:
    return default if value is None else ("yes" if value else "no")


def backup_detail(obj: Mapping[str, Any], now: datetime) -> list[tuple[str, str]]:
    """(label, value) pairs for the detail view, like ``velero backup describe``: outcome
    first (it is what an operator opens the detail for), then timing, then the spec."""
    spec, status = _spec(obj), _status(obj)
    row = backup_row(obj)
    f = Fields(obj, row.problems)
    out = [
        ("Name", row.name),
        ("Phase", row.phase),
        ("Progress", progress_bar(row.done, row.total, 20)),
        ("Errors / warnings", f"{row.errors} / {row.warnings}"),
    ]
    if status.get("failureReason"):
        out.append(("Failure reason", str(status["failureReason"])))
    for err in f.texts("status.validationErrors"):
        out.append(("Validation error", err))
    out += [
        ("Started", short_time(row.started)),
        ("Completed", short_time(row.completed)),
        ("Duration", row.duration(now)),
        ("Expires", f"{short_time(row.expires)} ({row.expires_text(now)})"
         if row.expires else "-"),
        ("Namespaces", f"included: {_list_text(spec.get('includedNamespaces'))}; "
                       f"excluded: {_list_text(spec.get('excludedNamespaces'), '<none>')}"),
        ("Resources", f"included: {_list_text(spec.get('includedResources'))}; "
                      f"excluded: {_list_text(spec.get('excludedResources'), '<none>')}; "
                      f"cluster-scoped: {_opt_bool(spec.get('includeClusterResources'))}"),
        ("Label selector", selector_text(spec.get("labelSelector"))),
        ("Storage location", row.storage_location or "<default>"),
        ("TTL", f.text("spec.ttl") or "<server default>"),
        ("Volumes", f"snapshots: {_opt_bool(spec.get('snapshotVolumes'))}; "
                    f"fs-backup by default: {_opt_bool(spec.get('defaultVolumesToFsBackup'))}"),
        ("Schedule", row.schedule or "-"),
    ]
    attempted = f.number("status.volumeSnapshotsAttempted")
    if attempted:
        out.append(("Volume snapshots", f"{f.number('status.volumeSnapshotsCompleted')}/"
                                        f"{attempted} completed"))
    out.extend(("Problem", p) for p in row.problems)
    return out


def restore_detail(obj: Mapping[str, Any], now: datetime) -> list[tuple[str, str]]:
    spec, status = _spec(obj), _status(obj)
    row = restore_row(obj)
    f = Fields(obj, row.problems)
    completed = parse_time(status.get("completionTimestamp"))
    mapping_ = f.text_map("spec.namespaceMapping")
    out = [
        ("Name", row.name),
        ("Phase", row.phase),
        ("Backup", f.text("spec.backupName")
         or f"latest of schedule {f.text('spec.scheduleName')}"),
        ("Namespaces", f"included: {_list_text(spec.get('includedNamespaces'))}; "
                       f"excluded: {_list_text(spec.get('excludedNamespaces'), '<none>')}"),
        ("Namespace mapping", ", ".join(f"{k} → {v}" for k, v in mapping_.items()) or "<none>"),
        ("Resources", f"included: {_list_text(spec.get('includedResources'))}; "
                      f"excluded: {_list_text(spec.get('excludedResources'), '<none>')}"),
        ("Label selector", selector_text(spec.get("labelSelector"))),
        ("Restore PVs", _opt_bool(spec.get("restorePVs"))),
        ("Started", short_time(row.started)),
        ("Completed", short_time(completed)),
        ("Duration", human_duration((completed or now) - row.started) if row.started else "-"),
        ("Progress", progress_bar(row.done, row.total, 20)),
        ("Errors / warnings", f"{row.errors} / {row.warnings}"),
    ]
    if status.get("failureReason"):
        out.append(("Failure reason", str(status["failureReason"])))
    for err in f.texts("status.validationErrors"):
        out.append(("Validation error", err))
    out.extend(("Problem", p) for p in row.problems)
    return out


def backup_preview(obj: Mapping[str, Any]) -> list[str]:
    """What a backup says it contains (from its spec and status), shown before a restore.
    Velero keeps the item list in object storage; the object only has the filters and
    counts, and the preview says so."""
    spec, status = _spec(obj), _status(obj)
    row = backup_row(obj)
    f = Fields(obj, row.problems)
    lines = [
        f"Backup {row.name} — phase {row.phase}",
        f"Namespaces: {_list_text(spec.get('includedNamespaces'))}"
        + (f" (excluding {_list_text(spec.get('excludedNamespaces'))})"
           if spec.get("excludedNamespaces") else ""),
        f"Resources: {_list_text(spec.get('includedResources'))}"
        + (f" (excluding {_list_text(spec.get('excludedResources'))})"
           if spec.get("excludedResources") else ""),
        f"Label selector: {selector_text(spec.get('labelSelector'))}",
        f"Items backed up: {row.done} of {row.total}",
    ]
    if status.get("volumeSnapshotsAttempted") or status.get("csiVolumeSnapshotsAttempted"):
        lines.append(f"Volume snapshots: {f.number('status.volumeSnapshotsCompleted')}"
                     f" native, {f.number('status.csiVolumeSnapshotsCompleted')} CSI")
    if row.phase not in BACKUP_OK_PHASES:
        lines.append(f"Warning: the backup is {row.phase}, "
                     "not Completed: a restore may be partial.")
    lines.extend(f"Problem: {p}" for p in row.problems)
    lines.append("The per-item list lives in object storage (velero backup describe "
                 "--details).")
    return lines
