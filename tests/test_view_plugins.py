"""``Plugin(board=False)``: a view, not a component (the exposure view). No board row, no
detection, not in ``report``; listed by ``plugins``, opened by its ``:`` words, owner of its
command and settings table."""

from __future__ import annotations

import json
import subprocess
import sys

from k8s_essentials_tui.aliases import resolve
from k8s_essentials_tui.detection.evaluate import (
    board_rows,
    evaluate,
    failing,
    report_json,
)
from k8s_essentials_tui.detection.snapshot import ClusterSnapshot
from k8s_essentials_tui.plugin import components
from k8s_essentials_tui.registry import load_registry
from k8s_essentials_tui.settings import plugin_schema

REG = load_registry(third_party=False)


def test_exposure_is_a_view_with_its_own_command_and_settings() -> None:
    view = REG.get("exposure")
    assert view is not None and view.board is False
    assert [c.name for c in view.commands] == ["exposure"]
    assert view.table == "exposure"
    assert "exposure.nameserver" in plugin_schema(REG)
    # the ingress entries no longer carry them, but still open the view's pane
    nginx = REG.get("ingress-nginx")
    assert nginx is not None and not nginx.commands and not nginx.settings
    assert nginx.pane == view.pane
    assert view not in REG.components() and view in REG.ordered()
    assert components(REG.ordered()) == REG.components()


def test_the_board_detection_and_report_skip_a_view() -> None:
    snap = ClusterSnapshot()
    dets = evaluate(REG.ordered(), snap)
    assert "exposure" not in dets and "ingress-nginx" in dets
    rows = board_rows(REG.ordered(), dets)
    assert all(r.plugin is None or r.plugin.id != "exposure" for r in rows)
    ingress = next(r for r in rows if r.category == "ingress")
    assert ingress.plugin is not None and ingress.plugin.board  # a component heads it
    report = report_json(REG.ordered(), dets, snap)
    assert "exposure" not in json.dumps(report["components"])
    assert len(report["components"]) == len(REG.components())
    assert "exposure" not in json.dumps(failing(REG.ordered(), dets, ["unknown", "missing"]))


def test_colon_words_open_the_view() -> None:
    for word in ("exposure", ":hosts", "ingresses"):
        alias = resolve(word, REG.ordered())
        assert alias is not None and alias.target == "exposure", word
    ing = resolve("ing", REG.ordered())
    assert ing is not None and ing.target == "ingress-nginx"


def test_plugins_command_lists_the_view() -> None:
    out = subprocess.run([sys.executable, "-m", "k8s_essentials_tui.cli", "plugins", "-o",
                          "json"], capture_output=True, text=True, timeout=120, check=True)
    rows = {p["id"]: p for p in json.loads(out.stdout)["plugins"]}
    assert rows["exposure"]["board"] is False
    assert rows["exposure"]["commands"] == ["exposure"]
    assert rows["exposure"]["settings_table"] == "exposure"
    assert rows["ingress-nginx"]["board"] is True
