"""Lifecycle verdicts (retired upstream, end of life, outside the support window, a newer
chart) from dated facts and a detection: pure, no cluster."""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from k8s_essentials_tui.chart_latest import cached, latest_chart, newest_in_index
from k8s_essentials_tui.detection.evaluate import board_rows
from k8s_essentials_tui.helm.chart import ChartSpec
from k8s_essentials_tui.lifecycle import (
    LatestChart,
    Lifecycle,
    in_window,
    lifecycle_cell,
    lifecycle_failing,
    lifecycle_of,
)
from k8s_essentials_tui.lifecycle_data import BUILTIN_LIFECYCLE, lifecycle_facts
from k8s_essentials_tui.plugin import ChartRef, Detection, Plugin
from k8s_essentials_tui.registry import load_registry

REG = load_registry(third_party=False)


def plugin(pid: str) -> Plugin:
    found = REG.get(pid)
    assert found is not None, pid
    return found


def installed(chart_version: str = "", app_version: str = "", image: str = "") -> Detection:
    det = Detection(installed=True, healthy=True, version=chart_version or image or None)
    if chart_version or app_version:
        det.details["release"] = {"name": "x", "namespace": "x", "chart": "x",
                                  "chart_version": chart_version, "app_version": app_version,
                                  "status": "deployed", "revision": 1}
    if image and not chart_version:
        det.details["version_source"] = "image"
    return det


def test_every_builtin_fact_names_a_catalog_entry_and_is_dated_and_sourced() -> None:
    for pid, facts in BUILTIN_LIFECYCLE.items():
        assert facts.checked and facts.source.startswith("https://"), pid
        assert facts.status == "active" or facts.since, pid
    ids = set(REG.plugins)
    assert {"ingress-nginx", "cert-manager", "istio", "kyverno", "velero", "argocd", "flux",
            "gatekeeper", "linkerd", "jaeger"} <= ids & set(BUILTIN_LIFECYCLE)


def test_ingress_nginx_is_retired_upstream_installed_or_not() -> None:
    p = plugin("ingress-nginx")
    v = lifecycle_of(p, installed("4.13.3", "1.13.3"))
    assert v.verdict == "retired" and v.status == "retired"
    assert "Gateway API" in v.successor
    assert v.notes[0].startswith("retired upstream since 2026-03")
    text, style = lifecycle_cell(p, installed("4.13.3", "1.13.3"))
    assert text == "retired upstream" and "orange" in style and "red" not in style
    # missing: still named, so nobody installs it
    assert lifecycle_cell(p, Detection())[0] == "retired upstream"


def test_supported_window_by_app_version() -> None:
    cm = plugin("cert-manager")
    assert lifecycle_of(cm, installed("v1.21.2", "v1.21.2")).verdict == "supported"
    old = lifecycle_of(cm, installed("v1.17.2", "v1.17.2"))
    assert old.verdict == "unsupported" and old.supported is False
    assert old.label == "unsupported 1.17"
    assert "1.21, 1.20" in old.notes[0]
    # newer than the newest minor we know: our facts are older, not the install
    assert lifecycle_of(cm, installed("v1.23.0", "v1.23.0")).supported is True
    # the image tag counts when there is no Helm release
    assert lifecycle_of(cm, installed(image="v1.19.1")).verdict == "unsupported"
    # no window published (Velero): nothing to judge
    assert lifecycle_of(plugin("velero"), installed("12.2.1", "1.18.0")).supported is None


def test_version_lines_at_end_of_life() -> None:
    jaeger = plugin("jaeger")
    v1 = lifecycle_of(jaeger, installed(image="1.60.0"))
    assert v1.verdict == "eol" and "2025-12-31" in v1.notes[0]
    assert lifecycle_cell(jaeger, installed(image="1.60.0"))[0] == "end of life"
    assert lifecycle_of(jaeger, installed("4.1.0", "2.14.0")).verdict == "active"
    linkerd = plugin("linkerd")
    assert lifecycle_of(linkerd, installed("1.16.11", "stable-2.14.10")).verdict == "eol"
    edge = lifecycle_of(linkerd, installed("2026.8.4", "edge-26.8.4"))
    assert edge.verdict == "active" and any("edge" in n for n in edge.notes)


def test_update_available_from_the_newest_chart() -> None:
    argocd = plugin("argocd")
    det = installed("9.4.17", "v3.5.2")
    v = lifecycle_of(argocd, det, LatestChart(version="9.5.0"))
    assert v.verdict == "outdated" and v.update_available
    assert v.label == "update 9.4.17 → 9.5.0"
    assert lifecycle_cell(argocd, det, LatestChart(version="9.5.0")) == (
        "update 9.4.17 → 9.5.0", "cyan")
    # unknown newest chart: nothing claimed, no error
    assert not lifecycle_of(argocd, det, LatestChart(error="unreachable")).update_available
    # retired and outdated: both said
    nginx = lifecycle_cell(plugin("ingress-nginx"), installed("4.13.3", "1.13.3"),
                           LatestChart(version="4.14.1"))
    assert nginx[0] == "retired upstream, update 4.13.3 → 4.14.1"


def test_fail_on_conditions() -> None:
    verdicts = {
        "ingress-nginx": lifecycle_of(plugin("ingress-nginx"), installed("4.13.3", "1.13.3")),
        "cert-manager": lifecycle_of(plugin("cert-manager"), installed("v1.17.0", "v1.17.0"),
                                     LatestChart(version="v1.21.2")),
        "jaeger": lifecycle_of(plugin("jaeger"), Detection()),
    }
    present = {"ingress-nginx": True, "cert-manager": True, "jaeger": False}
    found = lifecycle_failing(verdicts, present, ["retired", "unsupported", "outdated"])
    assert found == {"retired": ["ingress-nginx"], "unsupported": ["cert-manager"],
                     "outdated": ["cert-manager"]}
    assert lifecycle_failing(verdicts, present, []) == {}


def test_an_empty_area_offers_a_maintained_component_first() -> None:
    plugins = [plugin("ingress-nginx"), plugin("nginx-ingress")]
    rows = board_rows(plugins, {p.id: Detection() for p in plugins})
    (ingress,) = [r for r in rows if r.category == "ingress"]
    assert ingress.plugin is not None and ingress.plugin.id == "nginx-ingress"
    # an installed ingress-nginx is still the row (it is what runs)
    dets = {"ingress-nginx": installed("4.13.3"), "nginx-ingress": Detection()}
    (ingress,) = [r for r in board_rows(plugins, dets) if r.category == "ingress"]
    assert ingress.plugin is not None and ingress.plugin.id == "ingress-nginx"


def test_own_facts_win_and_third_party_ids_get_none_of_ours() -> None:
    own = Lifecycle(status="eol", since="2026-01-01", successor="x", checked="2026-12-06",
                    source="https://example.org")
    mine = Plugin(id="ingress-nginx", title="t", category="ingress", lifecycle=own)
    assert lifecycle_facts(mine) is own
    stranger = Plugin(id="ingress-nginx", title="t", category="ingress", source="acme")
    assert lifecycle_facts(stranger) is None
    assert lifecycle_of(stranger, Detection()).verdict == "unknown"
    with pytest.raises(ValueError):
        Lifecycle(status="dead")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Lifecycle(supported=("latest",))
    assert in_window("v1.20.3", ("1.21", "1.20")) is True
    assert in_window("garbage", ("1.21",)) is None


def test_newest_in_index_skips_prereleases_and_deprecated() -> None:
    index = {"entries": {"demo": [
        {"version": "0.3.0-rc.1"}, {"version": "0.2.0"}, {"version": "0.10.0",
                                                          "deprecated": True},
        {"version": "0.9.1"}, {"name": "no version"}]}}
    assert newest_in_index(index, "demo") == "0.9.1"
    assert newest_in_index({"entries": {"demo": [{"version": "1.0.0-rc.1"}]}},
                           "demo") == "1.0.0-rc.1"
    assert newest_in_index(index, "other") is None
    assert newest_in_index("not a mapping", "demo") is None


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_repository_is_unknown_not_an_error(tmp_path: Path) -> None:
    spec = ChartSpec.from_ref(ChartRef(repo=f"http://127.0.0.1:{_closed_port()}",
                                       chart="demo", version="0.1.0", namespace="d",
                                       release="d"))
    result = asyncio.run(latest_chart(spec, cache_dir=tmp_path, timeout=2))
    assert result.version is None and "127.0.0.1" in result.error
    assert not (tmp_path / "chart-latest.json").exists()  # failures are not cached
    local = ChartSpec(repo="", chart="/tmp/chart", version="", namespace="d", release="d")
    assert asyncio.run(latest_chart(local, cache_dir=tmp_path)).version is None


def test_cache_is_trusted_for_a_day(tmp_path: Path) -> None:
    spec = ChartSpec(repo="https://charts.example.org", chart="demo", version="1.0.0",
                     namespace="d", release="d")
    now = datetime(2026, 12, 6, 12, tzinfo=UTC)
    (tmp_path / "chart-latest.json").write_text(
        '{"https://charts.example.org|demo": {"version": "1.2.0", '
        f'"checked_at": "{(now - timedelta(hours=23)).isoformat()}"}}}}')
    hit = cached(spec, cache_dir=tmp_path, now=now)
    assert hit is not None and hit.version == "1.2.0"
    assert cached(spec, cache_dir=tmp_path, now=now + timedelta(hours=2)) is None
    # served from the cache: no request (the host does not exist)
    assert asyncio.run(latest_chart(spec, cache_dir=tmp_path, now=now)).version == "1.2.0"


def test_overview_lifecycle_row() -> None:
    from k8s_essentials_tui.widgets.summary import overview
    from tests.conftest import rich_plain

    def shown(pid: str, det: Detection, latest: LatestChart | None = None) -> str:
        return " ".join(rich_plain(overview(plugin(pid), det, latest=latest), 200).split())

    nginx = shown("ingress-nginx", installed("4.13.3", "1.13.3"), LatestChart("4.14.1"))
    assert ("Lifecycle retired upstream since 2026-03; successor: a Gateway API "
            "implementation") in nginx and nginx.endswith("update 4.13.3 → 4.14.1") is False
    assert "update 4.13.3 → 4.14.1" in nginx
    assert "Lifecycle unsupported 1.17 (supported: 1.21, 1.20 as of 2026-12-06)" in shown(
        "cert-manager", installed("v1.17.2", "v1.17.2"))
    assert "Lifecycle update 9.4.17 → 9.5.0" in shown(
        "argocd", installed("9.4.17", "v3.5.2"), LatestChart("9.5.0"))
    # nothing to say: no row (Velero publishes no window; a missing active component)
    assert "Lifecycle" not in shown("velero", installed("12.2.1", "1.18.0"))
    assert "Lifecycle" not in shown("argocd", Detection())


def test_index_scanner_agrees_with_the_yaml_parser(tmp_path: Path) -> None:
    """helm's own index.yaml layout is read without a YAML parser (a public index is tens of
    MB); anything else falls back to parsing."""
    import yaml

    from k8s_essentials_tui.chart_latest import scan_index

    index = {"apiVersion": "v1", "generated": "2026-12-06T00:00:00Z", "entries": {
        "alpha": [{"version": "1.0.0", "name": "alpha"}],
        "demo": [{"apiVersion": "v2", "name": "demo", "version": "0.3.0-rc.1"},
                 {"name": "demo", "version": "0.10.0", "deprecated": True},
                 {"version": "0.9.1", "name": "demo", "urls": ["https://x/demo-0.9.1.tgz"]},
                 {"name": "demo", "version": "0.2.0",
                  "annotations": {"version": "99.0.0"}}],
        "zeta": [{"name": "zeta", "version": "5.0.0"}]}}
    raw = yaml.safe_dump(index, sort_keys=True, indent=2).encode()
    # PyYAML writes list items at the parent's indent, as helm's Go YAML does
    assert b"\n  demo:\n  - " in raw
    for chart in ("alpha", "demo", "zeta", "missing"):
        assert scan_index(raw, chart) == newest_in_index(index, chart), chart
    assert scan_index(b"entries: {}\n", "demo") is False
    assert scan_index(b'{"entries": {"demo": []}}', "demo") is False
