"""Cluster strings a tenant controls, against a real apiserver of their own (issue #15,
findings 1 and 2 in the core): a Helm release named with markup and terminal escapes, a
Deployment image ``jaeger [/]``. The app starts (it used to exit with ``MarkupError``), the
board, the component overview, the Helm releases pane and its notification paint the
literal text and no control character; ``report -o text|markdown`` and ``releases`` print
none either."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from k8s_essentials_tui.app import EssentialsApp, StartOptions
from k8s_essentials_tui.widgets.board import Board
from testkit.controlplane import ControlPlane
from testkit.helm_release import release_secret
from testkit.hostile import (
    CLEAR,
    HANGUL,
    MARKUP_CLOSE,
    MARKUP_LINK,
    MARKUP_STYLE,
    OSC52,
    OSC_TITLE,
    assert_clean,
    assert_screen_clean,
    painted_links,
    painted_text,
)
from testkit.wait import wait_until
from tests.conftest import FIXED_NOW

#: the release's name: closes a markup tag that was never opened, sets the window title,
#: clears the screen, writes the clipboard
RELEASE = f"{MARKUP_CLOSE}{OSC_TITLE}{CLEAR}{OSC52}"
#: another release, of a chart not in the catalog: its name and chart are balanced markup
OTHER = f"{MARKUP_STYLE}"
OTHER_CHART = f"{MARKUP_LINK}"
IMAGE = f"jaeger {MARKUP_CLOSE[:3]}{OSC_TITLE}"


@pytest.fixture(scope="module")
def hostile_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ControlPlane]:
    """A control plane of its own (board detection reads the whole cluster): Jaeger with a
    failed Helm release named :data:`RELEASE` whose chart version (the board's VERSION
    cell) holds ``[/]`` -- the app used to exit at start-up with ``MarkupError`` -- and an
    image :data:`IMAGE`; a second release of a chart the catalog does not know."""
    d = tmp_path_factory.mktemp("hostile")
    cp = ControlPlane(d / "cp").start()
    try:
        admin = cp.admin()
        admin.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "jaeger"}})
        labels = {"app.kubernetes.io/name": "jaeger"}
        admin.create({"apiVersion": "apps/v1", "kind": "Deployment",
                      "metadata": {"name": "jaeger", "namespace": "jaeger", "labels": labels},
                      "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                               "template": {"metadata": {"labels": labels}, "spec": {
                                   "containers": [{"name": "main", "image": IMAGE}]}}}})
        admin.create(release_secret(
            RELEASE, "jaeger", stored_as="jaeger", status="failed", chart="jaeger",
            chart_version=f"4.1.0{MARKUP_CLOSE}{CLEAR}", app_version=HANGUL,
            description=f"upgrade failed: {OSC_TITLE}{MARKUP_CLOSE}",
            notes=f"{MARKUP_LINK}\n{OSC52}\n{HANGUL}"))
        admin.create(release_secret(OTHER, "jaeger", stored_as="other", chart=OTHER_CHART,
                                    chart_version="1.0.0", app_version=f"{CLEAR}2"))
        yield cp
    finally:
        cp.stop()


def _cli(kubeconfig: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "k8s_essentials_tui.cli", *args,
                           "--kubeconfig", str(kubeconfig)],
                          capture_output=True, text=True, timeout=120)


def _no_control(out: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in out.stderr
    assert_clean(out.stdout.splitlines(), " (stdout)")
    assert_clean(out.stderr.splitlines(), " (stderr)")


def test_report_text_and_markdown_carry_no_control_characters(
        hostile_cluster: ControlPlane) -> None:
    text = _cli(hostile_cluster.kubeconfig, "report")
    assert text.returncode == 0, text.stderr
    _no_control(text)
    assert "Helm release jaeger/[/]x␛]0;pwned" in text.stdout
    md = _cli(hostile_cluster.kubeconfig, "report", "-o", "markdown")
    assert md.returncode == 0, md.stderr
    _no_control(md)
    tracing = next(line for line in md.stdout.splitlines() if line.startswith("| Tracing"))
    # 8 columns + Lifecycle (#18): no cell split by data
    assert len(re.findall(r"(?<!\\)\|", tracing)) == 9
    assert "4.1.0[/]x␛[2J␛[H" in tracing


def test_releases_text_carries_no_control_characters(hostile_cluster: ControlPlane) -> None:
    out = _cli(hostile_cluster.kubeconfig, "releases")
    assert out.returncode == 0, out.stderr
    _no_control(out)
    assert "[/]x␛]0;pwned␛\\" in out.stdout
    assert "[reverse]inverted[/reverse]" in out.stdout


def _screen(app: EssentialsApp) -> str:
    return "\n".join(painted_text(app))


async def test_app_starts_and_paints_hostile_names_literally(
        hostile_cluster: ControlPlane) -> None:
    """The board, the Jaeger overview, the help, the Helm releases pane, its notifications,
    the install screen and the confirm dialog: all painted with the names as text and no
    control character."""
    app = EssentialsApp(StartOptions(kubeconfig=str(hostile_cluster.kubeconfig),
                                     now=FIXED_NOW))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        board = app.screen.query_one(Board)
        await wait_until(pilot, lambda: board.snapshot is not None and board.rows)
        await pilot.pause()
        assert_screen_clean(app)
        # down to the Tracing row: its problems quote the release name
        for _ in range([r.category for r in board.rows].index("tracing")):
            await pilot.press("j")
        await wait_until(pilot, lambda: "Helm release jaeger/[/]x␛]0;pwned" in _screen(app))
        assert_screen_clean(app)

        await pilot.press("enter")  # Jaeger's own pane (tracing, #23)
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ComponentScreen")
        await pilot.pause(0.3)
        assert_screen_clean(app)
        for _ in range(3):  # out of the search form, then back to the board
            if type(app.screen).__name__ == "MainScreen":
                break
            await pilot.press("escape")
            await pilot.pause(0.1)
        assert type(app.screen).__name__ == "MainScreen"

        await pilot.press("question_mark")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "HelpScreen")
        assert_screen_clean(app)
        await pilot.press("escape")

        await pilot.press("colon")  # the Helm releases pane, from the palette
        await pilot.press(*"Open Helm releases")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_until(pilot, lambda: "[reverse]inverted[/reverse]" in _screen(app))
        assert "[/]x␛]0;pwned" in _screen(app)
        assert "[link=file:///etc/passwd]open[/link]-1.0.0" in _screen(app)
        assert painted_links(app) == []
        assert_screen_clean(app)

        # u on the hostile release: refused with a notification that quotes the name (a
        # notification's message used to be parsed as markup: MarkupError)
        await pilot.press("slash", *"pwned", "enter")
        await wait_until(pilot, lambda: "pwned" in _selected_release(app))
        await pilot.press("u")
        await wait_until(pilot, lambda: "has control characters; helm cannot act" in _screen(app))
        assert "␇: the name" in _screen(app)  # the toast: the name's end, shown
        assert "[/]x␛]0;pwned" in _screen(app)
        assert_screen_clean(app)

        # the release of a chart the catalog does not know: u warns (the chart's name is
        # markup, and a link) and opens the install screen
        await pilot.press("slash", "ctrl+u", *"inverted", "enter")
        await wait_until(pilot, lambda: "[reverse]" in _selected_release(app))
        await pilot.press("u")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "InstallScreen")
        await wait_until(pilot, lambda: "Upgrade [reverse]inverted[/reverse]" in _screen(app))
        assert "deployed: [link=file:///etc/passwd]open[/link]-1.0.0" in _screen(app)
        assert painted_links(app) == []  # no OSC 8 hyperlink from the chart's name
        assert any(n.message == "[link=file:///etc/passwd]open[/link] is not in the catalog: "
                                "fill in its chart repository" and not n.markup
                   for n in app._notifications)
        assert_screen_clean(app)

        # back, and d: the confirm dialog names the release (markup) and asks to type it
        await pilot.press("escape", "escape")  # leave the values editor, then go back
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ComponentScreen")
        await pilot.press("d")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen")
        await wait_until(pilot, lambda: "Type '[reverse]inverted[/reverse]' to confirm"
                      in _screen(app))
        assert_screen_clean(app)
        await pilot.press("escape")


def _selected_release(app: EssentialsApp) -> str:
    pane = app.screen.query_one("ReleasesPane")
    rel = pane.selected()  # type: ignore[attr-defined]
    return rel.name if rel is not None else ""
