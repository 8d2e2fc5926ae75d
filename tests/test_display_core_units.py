"""The core's display-text boundary without a cluster (issue #15, findings 1, 2, 8): headless
tables aligned by terminal cells and free of control characters, Markdown cells that cannot
break their row, and -- property-based -- the board's row builders, ``evaluate`` and the
report formatters over hostile snapshots and detections: none raises, none emits a control
character."""

from __future__ import annotations

import os
import re
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.text import Text

from k8s_essentials_tui.commands._common import table
from k8s_essentials_tui.commands.report import report_text
from k8s_essentials_tui.detection.evaluate import (
    board_rows,
    evaluate,
    report_markdown,
)
from k8s_essentials_tui.detection.snapshot import ClusterSnapshot
from k8s_essentials_tui.plugin import Detection, Plugin
from k8s_essentials_tui.registry import load_registry
from k8s_essentials_tui.text import width
from k8s_essentials_tui.widgets.board import board_cells, detail_text
from k8s_essentials_tui.widgets.status_bar import status_line
from k8s_essentials_tui.widgets.summary import overview
from testkit.hostile import (
    CLEAR,
    ESC,
    HANGUL,
    MARKUP_CLOSE,
    NASTY,
    OSC_TITLE,
    WORST,
    assert_clean,
    control_chars,
    json_values,
    nasty_text,
)

PLUGINS = load_registry(third_party=False).ordered()


# -- _common.table ---------------------------------------------------------------------------

def test_table_aligns_hangul_by_terminal_cells() -> None:
    """Each Hangul character takes two columns: a column after a Korean name must start at
    the same terminal column on every line (``len()`` put it 6 columns early here)."""
    out = table([[HANGUL, "1"], ["ascii-name", "2"]], ["NAME", "N"]).splitlines()
    starts = []
    for line, value in zip(out, ("N", "1", "2"), strict=True):
        before = line[: line.rindex(value)]
        starts.append(width(before))
    assert len(set(starts)) == 1, out


def test_table_cells_carry_no_control_characters() -> None:
    """ESC, CSI, a newline in a cell (an object name, a status message): shown, not obeyed,
    and a cell never becomes two lines."""
    out = table([[f"a{OSC_TITLE}b", f"x\ny{CLEAR}"]], ["NAME", f"HE{ESC}AD"])
    assert_clean([out.replace("\n", "")])
    assert len(out.splitlines()) == 2
    assert "␛" in out and "␤" in out


# -- report formatters -------------------------------------------------------------------------

def _one(det: Detection) -> tuple[list[Plugin], dict[str, Detection]]:
    p = Plugin(id="x", title="X", category="dns", detect=lambda _s: det)
    return [p], evaluate([p], ClusterSnapshot())


def _unescaped_pipes(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line))


def test_markdown_escapes_every_cell() -> None:
    """A ``|`` or a newline in a namespace, version or problem must not add a column or end
    the row; ESC is shown as ␛."""
    det = Detection(installed=True, healthy=False, namespace=f"ns|{ESC}[2J",
                    version="1.0\n| injected | row |", problems=[f"a|b{OSC_TITLE}", "c\nd"])
    plugins, dets = _one(det)
    md = report_markdown(plugins, dets, ClusterSnapshot())
    assert_clean([md.replace("\n", "")])
    rows = [line for line in md.splitlines() if line.startswith("|")]
    assert len(rows) == 3  # header, rule, the one component
    assert all(_unescaped_pipes(r) == 8 for r in rows), rows
    assert "ns\\|␛[2J" in rows[2]


# -- hypothesis: evaluate, the board's row builders, the report formatters ------------------

def _workload(labels: dict[str, str], name: Any, image: Any, status: Any) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": "ns", "labels": labels},
            "spec": {"replicas": 1, "template": {"spec": {"containers": [
                {"name": "c", "image": image}]}}},
            "status": status}


_SELECTORS = [sel for p in PLUGINS for sel in p.workload_selectors]
_CHARTS = sorted({p.chart.chart for p in PLUGINS if p.chart is not None})


@st.composite
def hostile_snapshots(draw: st.DrawFn) -> ClusterSnapshot:
    """A snapshot whose workloads match catalog selectors and whose Helm releases name
    catalog charts, every string field hostile (and some of the wrong type)."""
    workloads = [
        _workload(draw(st.sampled_from(_SELECTORS)), draw(nasty_text(30)),
                  draw(st.one_of(nasty_text(40), json_values(3))),
                  draw(st.one_of(json_values(4), st.just({"readyReplicas": 1}))))
        for _ in range(draw(st.integers(0, 3)))]
    releases = [
        {"name": draw(nasty_text(30)), "namespace": draw(st.one_of(st.just("ns"), nasty_text(20))),
         "chart": draw(st.sampled_from(_CHARTS)), "chart_version": draw(nasty_text(20)),
         "app_version": draw(nasty_text(20)),
         "status": draw(st.one_of(st.sampled_from(["deployed", "failed", "pending-upgrade"]),
                                  nasty_text(10))),
         "revision": draw(st.one_of(st.integers(0, 9), nasty_text(5)))}
        for _ in range(draw(st.integers(0, 3)))]
    forbidden = draw(st.dictionaries(st.sampled_from(["workloads", "helm", "webhooks:v"]),
                                     nasty_text(40), max_size=2))
    return ClusterSnapshot(workloads=workloads, helm_releases=releases, forbidden=forbidden,
                           errors=draw(st.dictionaries(st.sampled_from(["helm", "endpoints"]),
                                                       nasty_text(40), max_size=2)),
                           api_groups=set(draw(st.lists(nasty_text(10), max_size=2))))


def _board_texts(detections: dict[str, Detection]) -> list[str]:
    out: list[str] = []
    for row in board_rows(PLUGINS, detections):
        for wide in (True, False):
            cells = board_cells(row, connected=True, wide=wide)
            assert all(isinstance(c, Text) for c in cells.values())
            out += [c.plain for c in cells.values()]
        out += detail_text(row, detections).plain.split("\n")
    return out


def _markdown_ok(md: str) -> None:
    assert_clean([md.replace("\n", "")], " (report -o markdown)")
    rows = [line for line in md.splitlines() if line.startswith("|")]
    assert all(_unescaped_pipes(r) == 8 for r in rows), rows


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_snapshots())
def test_evaluate_board_and_report_over_hostile_snapshots(snapshot: ClusterSnapshot) -> None:
    detections = evaluate(PLUGINS, snapshot)
    assert_clean(_board_texts(detections), " (board)")
    assert_clean(report_text(PLUGINS, detections, snapshot), " (report -o text)")
    _markdown_ok(report_markdown(PLUGINS, detections, snapshot))


_DETECTIONS = st.builds(
    Detection,
    installed=st.sampled_from([True, False, "partial"]),
    namespace=st.one_of(st.none(), nasty_text(30)),
    version=st.one_of(st.none(), nasty_text(30)),
    healthy=st.sampled_from([True, False, None]),
    problems=st.lists(nasty_text(60), max_size=4),
    details=st.fixed_dictionaries({}, optional={
        "workload_status": st.lists(st.fixed_dictionaries({
            "kind": st.sampled_from(["Deployment", "StatefulSet"]), "name": nasty_text(20),
            "namespace": nasty_text(10), "ready": st.integers(0, 3),
            "desired": st.integers(0, 3), "images": st.lists(nasty_text(30), max_size=2)}),
            max_size=2),
        "release": st.dictionaries(st.sampled_from(["name", "namespace", "revision", "status",
                                                    "chart", "chart_version",
                                                    "app_version"]), json_values(2)),
        "webhooks": st.lists(st.fixed_dictionaries({
            "configuration": nasty_text(20), "webhook": nasty_text(20),
            "kind": st.sampled_from(["MutatingWebhookConfiguration",
                                     "ValidatingWebhookConfiguration"]),
            "failure_policy": nasty_text(5), "service": nasty_text(20),
            "ready": st.one_of(st.none(), st.integers(0, 2)), "blocking": st.booleans()}),
            max_size=2),
        "api_groups": st.dictionaries(nasty_text(15), st.booleans(), max_size=2),
        "release_unread": st.lists(nasty_text(30), max_size=2),
        "webhooks_unread": st.lists(nasty_text(30), max_size=2),
        "note": nasty_text(20), "version_source": st.sampled_from(["helm", "image"]),
    }))


def _painted(renderable: Any) -> str:
    """What a terminal gets for ``renderable``: the ANSI output of a real Console, from
    which our own SGR colour codes are removed (ESC from data must be gone already)."""
    console = Console(width=80, color_system="standard", force_terminal=True,
                      file=open(os.devnull, "w"), record=True)
    console.print(renderable)
    return re.sub(r"\x1b\[[0-9;]*m", "", console.export_text(styles=True))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_DETECTIONS, st.sampled_from([p for p in PLUGINS if p.board]))
def test_board_overview_and_report_over_hostile_detections(det: Detection,
                                                           plugin: Plugin) -> None:
    """A detection whose every string is hostile (a third-party plugin's, or one quoting
    a tenant's names): the board cells, the detail line, the component overview and both
    report formats stay free of control characters, and markup in them is text."""
    plugins = [plugin]
    dets = {plugin.id: det}
    row = next(r for r in board_rows(plugins, dets) if r.plugin is plugin)
    texts = [c.plain for c in board_cells(row, connected=True, wide=True).values()]
    texts += detail_text(row, dets).plain.split("\n")
    assert_clean(texts, " (board)")
    assert_clean([_painted(overview(plugin, det)).replace("\n", "")], " (overview)")
    assert_clean(report_text(plugins, dets, ClusterSnapshot()), " (report -o text)")
    _markdown_ok(report_markdown(plugins, dets, ClusterSnapshot()))


def test_overview_shows_markup_literally() -> None:
    """``jaeger [/]`` as an image and ``[reverse]`` in a version are text, not markup: no
    MarkupError, and the brackets are on screen."""
    plugin = next(p for p in PLUGINS if p.id == "jaeger")
    det = Detection(installed=True, healthy=True, namespace="jaeger",
                    version="[reverse]4.1.0[/reverse]",
                    details={"workload_status": [{"kind": "Deployment", "name": "jaeger",
                                                  "namespace": "jaeger", "ready": 1,
                                                  "desired": 1,
                                                  "images": [f"jaeger {MARKUP_CLOSE}"]}],
                             "release": {"name": WORST, "namespace": "jaeger",
                                         "status": "deployed", "revision": 1,
                                         "chart": "jaeger", "chart_version": "4.1.0"}})
    painted = _painted(overview(plugin, det))
    assert "jaeger [/]x" in painted and "[reverse]4.1.0[/reverse]" in painted
    assert not control_chars(painted.replace("\n", ""))


def test_status_line_fits_korean_context_in_cells() -> None:
    """A Korean context name must be cut by terminal cells: the line never overflows and
    READ-ONLY stays visible; ESC in a namespace is shown as ␛."""
    line = status_line("클러스터-" * 10, f"ns{ESC}", "v1.35", "connected", True, 60)
    assert width(line) <= 60 and line.endswith("READ-ONLY")
    assert not control_chars(line)


def test_nasty_strings_all_come_out_clean_in_a_table() -> None:
    out = table([[s, s] for s in NASTY], ["A", "B"])
    assert_clean([out.replace("\n", "")])
    assert len(out.splitlines()) == len(NASTY) + 1


def test_loki_text_output_is_one_clean_line_per_entry(
        capsys: pytest.CaptureFixture[str]) -> None:
    """``loki`` text: a log line or label value with ESC, a newline or markup is printed as
    one line with visible stand-ins (the fake Loki over HTTP; JSON is left as is)."""
    from k8s_essentials_tui.cli import main
    from testkit.fake_loki import FakeLoki, FakeLokiServer

    loki = FakeLoki()
    now = time.time_ns()
    labels = {"app": "checkout", "pod": f"{HANGUL}{ESC}[2J"}
    loki.add(labels, [(now - 2 * 10**9, f"boom{OSC_TITLE}\nforged line{CLEAR}"),
                      (now - 10**9, f"{MARKUP_CLOSE}{WORST}")])
    with FakeLokiServer(loki).start() as srv:
        rc = main(["loki", '{app="checkout"}', "--since", "5m", "--loki-url", srv.url])
    out, err = capsys.readouterr()
    assert rc == 0, err
    lines = out.splitlines()
    assert len(lines) == 2
    assert_clean(lines, " (loki text)")
    assert any("boom␛]0;pwned␛\\␤forged line" in line for line in lines)


def test_emit_and_fail_print_clean_lines(capsys: pytest.CaptureFixture[str]) -> None:
    """The one helper for headless data lines (install/uninstall output, backup, certs,
    releases) and the error line: no control character, one line each."""
    from k8s_essentials_tui.commands._common import emit, fail
    from k8s_essentials_tui.commands.install import _out

    emit(f"release {WORST}\nsecond")
    _out("stdout", f"helm says {OSC_TITLE}")
    _out("stderr", f"helm warns {CLEAR}")
    assert fail(f"apiserver says {OSC_TITLE}") == 2
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 2 and len(err.splitlines()) == 2
    assert_clean(out.splitlines() + err.splitlines())


@settings(max_examples=50, deadline=None)
@given(st.lists(nasty_text(40), max_size=4), nasty_text(20),
       st.sampled_from(["changed", "added", "removed", "unchanged"]))
def test_helm_diff_paints_no_control_character(lines: list[str], name: str,
                                               change: str) -> None:
    """A rendered manifest (a ConfigMap's data, a release's values) is the chart's and the
    cluster's text: the diff view shows it, never obeys it."""
    from k8s_essentials_tui.helm.diff import ResourceDiff, ResourceKey
    from k8s_essentials_tui.widgets.helm_diff import diff_renderable

    diff = ResourceDiff(ResourceKey("ConfigMap", "ns", name), change,  # type: ignore[arg-type]
                        [f"+{line}" for line in lines])
    rendered = diff_renderable([diff], values_diff=[f"-{line}" for line in lines],
                               show_unchanged=True)
    assert_clean(rendered.plain.split("\n"), " (helm diff)")
    assert_clean([_painted(rendered).replace("\n", "")], " (helm diff, painted)")
