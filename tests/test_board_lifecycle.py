"""The board's lifecycle cell (#18): its own column when wide, after the problems when
narrow, and named in the detail line -- what an operator sees of "retired upstream"."""

from __future__ import annotations

from k8s_essentials_tui.detection.evaluate import board_rows
from k8s_essentials_tui.lifecycle import LatestChart
from k8s_essentials_tui.plugin import Detection
from k8s_essentials_tui.registry import load_registry
from k8s_essentials_tui.widgets.board import board_cells, detail_text


def _ingress_row(problems: list[str]):  # type: ignore[no-untyped-def]
    plugins = load_registry(third_party=False).ordered()
    det = Detection(installed=True, namespace="ingress-nginx", version="4.12.1",
                    healthy=not problems, problems=problems)
    rows = board_rows(plugins, {"ingress-nginx": det})
    return next(r for r in rows if r.plugin is not None and r.plugin.id == "ingress-nginx")


def test_wide_board_has_its_own_lifecycle_column() -> None:
    cells = board_cells(_ingress_row([]), connected=True, wide=True)
    assert cells["lifecycle"].plain == "retired upstream"
    assert "orange" in str(cells["lifecycle"].style)  # amber, not failed-red
    assert cells["problems"].plain == ""


def test_narrow_board_puts_it_after_the_problems() -> None:
    row = _ingress_row(["Deployment ingress-nginx-controller: 0/2 ready"])
    cells = board_cells(row, connected=True, wide=False)
    assert cells["problems"].plain == ("Deployment ingress-nginx-controller: 0/2 ready; "
                                       "retired upstream")
    quiet = board_cells(_ingress_row([]), connected=True, wide=False)
    assert quiet["problems"].plain == "retired upstream"
    assert "- lifecycle: retired upstream" in detail_text(row, {}).plain


def test_not_connected_says_nothing_and_a_newer_chart_is_named() -> None:
    assert board_cells(_ingress_row([]), connected=False, wide=True)["lifecycle"].plain == ""
    plugins = load_registry(third_party=False).ordered()
    det = Detection(installed=True, namespace="velero", version="10.0.8", healthy=True,
                    details={"release": {"chart_version": "10.0.8"}})
    row = next(r for r in board_rows(plugins, {"velero": det})
               if r.plugin is not None and r.plugin.id == "velero")
    latest = LatestChart(version="11.1.0", checked_at="2026-12-06T00:00:00+00:00")
    cell = board_cells(row, connected=True, wide=True, latest=latest)["lifecycle"].plain
    assert "10.0.8" in cell and "11.1.0" in cell
