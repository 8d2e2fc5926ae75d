"""Unit tests for the Helm core: release decoding, diff, chart sources, values, export, tool."""

from __future__ import annotations

import asyncio
import base64
import gzip
import json
import os
import stat
from pathlib import Path

import pytest
import yaml

from k8s_essentials_tui.errors import ToolError
from k8s_essentials_tui.helm import export
from k8s_essentials_tui.helm.chart import ChartSpec, upgrade_install_args
from k8s_essentials_tui.helm.diff import diff_manifests, render_text, split_manifest, summary
from k8s_essentials_tui.helm.release import (
    decode_all,
    decode_secret,
    deployed,
    encode_payload,
    history,
    latest,
)
from k8s_essentials_tui.helm.tool import HelmTool, find_helm
from k8s_essentials_tui.helm.values import ValuesError, dump_values, parse_values
from k8s_essentials_tui.plugin import ChartRef, Plugin

MANIFEST_V1 = """---
# Source: demo/templates/configmap.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: demo-config
data:
  message: "hello"
---
# Source: demo/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: demo
spec:
  ports:
    - port: 80
"""


def release_doc(name: str = "demo", namespace: str = "apps", version: int = 1,
                status: str = "deployed", manifest: str = MANIFEST_V1,
                config: dict | None = None) -> dict:
    return {
        "name": name, "namespace": namespace, "version": version,
        "info": {"first_deployed": "2026-05-30T10:00:00.123456789Z",
                 "last_deployed": "2026-05-31T11:22:33.987654321Z",
                 "status": status, "description": "Install complete", "notes": "hi"},
        "chart": {"metadata": {"name": "essentials-demo", "version": "0.1.0",
                               "appVersion": "1.0.0"}, "values": {"message": "hello"}},
        "config": config or {},
        "manifest": manifest,
    }


def secret_for(doc: dict, *, payload: str | None = None, stype: str = "helm.sh/release.v1",
               name: str | None = None) -> dict:
    inner = payload if payload is not None else encode_payload(doc)
    return {
        "metadata": {"name": name or f"sh.helm.release.v1.{doc['name']}.v{doc['version']}",
                     "namespace": doc["namespace"], "uid": f"uid-{doc['name']}-{doc['version']}",
                     "labels": {"owner": "helm", "name": doc["name"],
                                "version": str(doc["version"]), "status": doc["info"]["status"]}},
        "type": stype,
        "data": {"release": base64.b64encode(inner.encode()).decode()},
    }


# -- release decoding ---------------------------------------------------------------------


def test_decode_secret_reads_every_field() -> None:
    rel = decode_secret(secret_for(release_doc(config={"message": "bye"})))
    assert rel.readable
    assert (rel.name, rel.namespace, rel.revision, rel.status) == ("demo", "apps", 1, "deployed")
    assert rel.chart_ref == "essentials-demo-0.1.0" and rel.app_version == "1.0.0"
    assert rel.config == {"message": "bye"} and rel.chart_values == {"message": "hello"}
    assert rel.notes == "hi" and "ConfigMap" in rel.manifest
    assert rel.last_deployed is not None and rel.last_deployed.microsecond == 987654
    row = rel.list_row()
    assert row["revision"] == "1" and row["chart"] == "essentials-demo-0.1.0"


def test_decode_uncompressed_payload() -> None:
    doc = release_doc()
    plain = base64.b64encode(json.dumps(doc).encode()).decode()
    assert decode_secret(secret_for(doc, payload=plain)).readable


@pytest.mark.parametrize("payload,needle", [
    ("!!!not base64!!!", "unreadable"),
    (base64.b64encode(b"\x1f\x8b\x08garbage").decode(), "corrupt gzip"),
    (base64.b64encode(gzip.compress(b"[1, 2]")).decode(), "not a Helm release"),
    (base64.b64encode(gzip.compress(b"{not json")).decode(), "not JSON"),
])
def test_corrupt_secret_is_unreadable_not_a_crash(payload: str, needle: str) -> None:
    rel = decode_secret(secret_for(release_doc(version=3), payload=payload))
    assert not rel.readable and needle in rel.error
    # name and revision still come from the labels, so the row can be shown
    assert (rel.name, rel.revision) == ("demo", 3)
    assert rel.list_row()["status"] == "unreadable"


def test_wrong_shapes_inside_a_release_give_empty_fields() -> None:
    doc = release_doc()
    doc.update(info="oops", chart={"metadata": ["not", "a", "map"], "values": 3}, hooks=[])
    rel = decode_secret(secret_for(release_doc(), payload=encode_payload(doc)))
    assert rel.readable and (rel.name, rel.status, rel.chart) == ("demo", "unknown", "")
    assert rel.chart_values == {} and rel.last_deployed is None
    doc["hooks"] = 7  # not a list at all: unreadable, with the reason, not a crash
    rel = decode_secret(secret_for(release_doc(), payload=encode_payload(doc)))
    assert not rel.readable and rel.error.startswith("unreadable")


def test_foreign_secret_type_is_unreadable() -> None:
    sec = secret_for(release_doc(), stype="Opaque")
    assert "not helm.sh/release.v1" in decode_secret(sec).error
    sec["data"] = {}
    sec["type"] = "helm.sh/release.v1"
    assert "no data.release" in decode_secret(sec).error


def test_decode_all_skips_unrelated_secrets() -> None:
    other = {"metadata": {"name": "token", "namespace": "x"}, "type": "Opaque", "data": {}}
    assert decode_all([other, secret_for(release_doc())])[0].name == "demo"
    assert len(decode_all([other])) == 0


def test_configmap_driver_records_decode_without_the_api_base64() -> None:
    """HELM_DRIVER=configmap: same record, but ConfigMap data is not base64'd by the API
    and there is no Secret type to check."""
    doc = release_doc(version=2, config={"message": "cm"})
    cm = secret_for(doc)
    del cm["type"]
    cm["kind"] = "ConfigMap"
    cm["data"] = {"release": encode_payload(doc)}
    rel = decode_all([cm])[0]
    assert rel.readable and (rel.name, rel.revision, rel.config) == ("demo", 2, {"message": "cm"})
    cm["data"] = {}
    assert decode_secret(cm).error == "unreadable: ConfigMap has no data.release"


@pytest.mark.parametrize("value,plural", [
    (None, "secrets"), ("", "secrets"), ("secret", "secrets"), ("Secrets", "secrets"),
    ("configmap", "configmaps"), (" configmaps ", "configmaps"),
])
def test_helm_driver_selects_the_storage(value: str | None, plural: str) -> None:
    from k8s_essentials_tui.helm.storage import helm_storage

    env = {} if value is None else {"HELM_DRIVER": value}
    assert helm_storage(env).rtype.plural == plural


@pytest.mark.parametrize("value,needle", [
    ("sql", "kept in a SQL database, not in the cluster"),
    ("memory", "kept in helm's memory only"),
    ("etcd", "not a helm storage driver"),
])
def test_helm_drivers_outside_the_cluster_say_so(value: str, needle: str) -> None:
    from k8s_essentials_tui.helm.storage import UnreadableDriverError, helm_storage

    with pytest.raises(UnreadableDriverError) as err:
        helm_storage({"HELM_DRIVER": value})
    assert needle in str(err.value) and f"HELM_DRIVER={value}" in str(err.value)


def test_latest_history_deployed() -> None:
    secrets = [secret_for(release_doc(version=1, status="superseded")),
               secret_for(release_doc(version=2, status="deployed")),
               secret_for(release_doc(version=3, status="failed")),
               secret_for(release_doc(name="other", namespace="b"))]
    rels = decode_all(secrets)
    top = latest(rels)
    assert [(r.name, r.revision) for r in top] == [("demo", 3), ("other", 1)]
    assert [r.revision for r in history(rels, "apps", "demo")] == [1, 2, 3]
    dep = deployed(rels, "apps", "demo")
    assert dep is not None and dep.revision == 2
    assert deployed(rels, "apps", "missing") is None


# -- diff -----------------------------------------------------------------------------------


def test_split_manifest_keys_and_namespace_default() -> None:
    parts = split_manifest(MANIFEST_V1 + "---\nkind: ClusterRole\nmetadata:\n  name: r\n",
                           "apps")
    assert [str(k) for k in parts] == ["ConfigMap apps/demo-config", "Service apps/demo",
                                       "ClusterRole r"]
    assert all("# Source" not in t for t in parts.values())


def test_diff_manifests_groups_by_resource() -> None:
    new = MANIFEST_V1.replace('"hello"', '"bye"').split("---\n# Source: demo/templates/serv")[0]
    new += "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: extra\n"
    diffs = diff_manifests(MANIFEST_V1, new, "apps")
    by = {str(d.key): d for d in diffs}
    assert by["ConfigMap apps/demo-config"].change == "changed"
    assert '-  message: "hello"' in by["ConfigMap apps/demo-config"].lines
    assert '+  message: "bye"' in by["ConfigMap apps/demo-config"].lines
    assert by["Secret apps/extra"].change == "added"
    assert by["Service apps/demo"].change == "removed"
    assert summary(diffs) == "1 changed, 1 added, 1 removed, 0 unchanged"
    assert render_text(diffs)[0] == "=== ConfigMap apps/demo-config (changed)"


def test_diff_against_nothing_is_all_new() -> None:
    diffs = diff_manifests(None, MANIFEST_V1, "apps")
    assert {d.change for d in diffs} == {"added"}


# -- chart sources and argv ----------------------------------------------------------------

REF = ChartRef(repo="https://charts.example.org", chart="demo", version="1.2.3",
               namespace="demo-ns", release="demo", values="a: 1\n")


def test_chart_spec_repo_source_and_overrides() -> None:
    plugin = Plugin(id="demo", title="Demo", category="packaging", chart=REF)
    spec = ChartSpec.for_plugin(plugin, {"demo": {"version": "2.0.0", "namespace": "x"}})
    assert spec.source == "repo" and spec.version == "2.0.0" and spec.namespace == "x"
    assert spec.chart_args() == ["demo", "--repo", "https://charts.example.org",
                                 "--version", "2.0.0"]
    args = upgrade_install_args(spec, "/v.yaml", dry_run=True, output_json=True)
    assert args[:3] == ["upgrade", "--install", "demo"]
    assert "--dry-run=server" in args and args[-2:] == ["--output", "json"]
    assert ["--values", "/v.yaml"] == args[args.index("--values"):args.index("--values") + 2]


def test_chart_spec_oci_and_local() -> None:
    oci = ChartSpec.from_ref(REF, overrides={"repo": "oci://registry.local/charts"})
    assert oci.source == "oci"
    assert oci.chart_args() == ["oci://registry.local/charts/demo", "--version", "1.2.3"]
    local = ChartSpec.from_ref(REF, overrides={"repo": "/srv/charts"})
    assert local.source == "local" and local.chart_args() == ["/srv/charts/demo"]
    direct = ChartSpec.from_ref(REF, overrides={"repo": "", "chart": "./charts/demo"})
    assert direct.source == "local" and direct.chart_args() == ["./charts/demo"]


def test_plugin_without_chart_needs_config() -> None:
    from k8s_essentials_tui.errors import ConfigError

    plugin = Plugin(id="nochart", title="No chart", category="packaging")
    with pytest.raises(ConfigError, match=r"charts\.nochart"):
        ChartSpec.for_plugin(plugin, {})
    spec = ChartSpec.for_plugin(plugin, {"nochart": {"repo": "https://x", "chart": "c"}})
    assert spec.release == "nochart"


# -- values -----------------------------------------------------------------------------------


def test_parse_values_errors_have_positions() -> None:
    assert parse_values("") == {} and parse_values("# only a comment\n") == {}
    assert parse_values("a:\n  b: 1\n") == {"a": {"b": 1}}
    with pytest.raises(ValuesError, match="line 2") as err:
        parse_values("a: 1\n b: [\n")
    assert err.value.line == 2
    with pytest.raises(ValuesError, match="mapping"):
        parse_values("- 1\n- 2\n")
    with pytest.raises(ValuesError, match="ONE"):
        parse_values("a: 1\n---\nb: 2\n")
    assert dump_values({"b": 1, "a": 2}) == "b: 1\na: 2\n"


# -- export -----------------------------------------------------------------------------------


def test_export_flux_and_argocd() -> None:
    spec = ChartSpec.from_ref(REF)
    docs = list(yaml.safe_load_all(export.flux(spec, {"a": 1})))
    assert [d["kind"] for d in docs] == ["HelmRepository", "HelmRelease"]
    hr = docs[1]["spec"]
    assert hr["chart"]["spec"] == {"chart": "demo", "version": "1.2.3",
                                   "sourceRef": {"kind": "HelmRepository",
                                                 "name": "demo-charts",
                                                 "namespace": "flux-system"}}
    assert hr["targetNamespace"] == "demo-ns" and hr["values"] == {"a": 1}
    app = yaml.safe_load(export.argocd(spec, {"a": 1}))
    assert app["spec"]["source"] == {"repoURL": "https://charts.example.org", "chart": "demo",
                                     "targetRevision": "1.2.3",
                                     "helm": {"releaseName": "demo", "valuesObject": {"a": 1}}}
    oci = ChartSpec.from_ref(REF, overrides={"repo": "oci://reg.local/charts"})
    assert yaml.safe_load_all(export.flux(oci, {})).__next__()["spec"]["type"] == "oci"
    assert yaml.safe_load(export.argocd(oci, {}))["spec"]["source"]["repoURL"] == \
        "reg.local/charts"
    with pytest.raises(export.ExportError, match="local chart"):
        export.flux(ChartSpec.from_ref(REF, overrides={"repo": "/x"}), {})


# -- the helm tool --------------------------------------------------------------------------


def test_find_helm_missing_gives_clear_error(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with pytest.raises(ToolError, match="helm not found") as err:
        find_helm()
    assert "helm.binary" in str(err.value)
    with pytest.raises(ToolError, match=r"config key helm\.binary"):
        find_helm(str(tmp_path / "nope" / "helm"))


def _script(tmp_path: Path, body: str) -> str:
    path = tmp_path / "fake-helm"
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


async def test_run_streams_lines_and_reports_helm_errors(tmp_path: Path) -> None:
    binary = _script(tmp_path, 'echo "line 1"; echo "warn" >&2; echo "Error: boom" >&2; exit 1\n')
    tool = HelmTool(binary, kubeconfig="/k", context="ctx")
    seen: list[tuple[str, str]] = []
    res = await tool.run(["version"], on_line=lambda s, ln: seen.append((s, ln)))
    assert not res.ok and res.error_message() == "boom"
    assert ("stdout", "line 1") in seen and ("stderr", "warn") in seen
    assert tool.display(["list"]) == "helm list --kubeconfig /k --kube-context ctx"
    with pytest.raises(ToolError, match="helm version failed: boom"):
        await tool.run(["version"], check=True)


async def test_cancel_kills_helm(tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    binary = _script(tmp_path, f'echo $$ > {pidfile}; echo started; exec sleep 60\n')
    tool = HelmTool(binary)
    started = asyncio.Event()
    task = asyncio.create_task(tool.run(["install"], on_line=lambda s, ln: started.set()))
    await asyncio.wait_for(started.wait(), 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    pid = int(pidfile.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
