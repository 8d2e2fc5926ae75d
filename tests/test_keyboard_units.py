"""Units behind the keyboard work of issue #17: the one days rule, the ``:`` alias table,
overview names that stay whole, and the headless flags (``-o`` everywhere, ``-A``)."""

from __future__ import annotations

import pytest

from k8s_essentials_tui import aliases
from k8s_essentials_tui.cli import build_parser, command_table
from k8s_essentials_tui.plugin import Detection, Plugin
from k8s_essentials_tui.registry import load_registry
from k8s_essentials_tui.timefmt import days_left, days_short
from k8s_essentials_tui.widgets.summary import overview
from tests.conftest import rich_plain

# -- 10. one rounding rule for days ------------------------------------------------------


@pytest.mark.parametrize(("days", "short", "phrase"), [
    (2.97, "2d", "2d left"),  # the TUI said 2d and the CLI 3.0: both say 2d now
    (30.0, "30d", "30d left"),
    (0.5, "12h", "12h left"),
    (0.01, "<1h", "<1h left"),
    (-2.5, "-2d", "expired 2d ago"),  # not "expired -2d left"
    (-0.25, "-6h", "expired 6h ago"),
    (None, "-", "no expiry date"),
])
def test_days_rule(days: float | None, short: str, phrase: str) -> None:
    assert days_short(days) == short
    assert days_left(days) == phrase


def test_cert_table_uses_the_rule() -> None:
    from k8s_essentials_tui.plugins.cert_manager.table import days_text

    assert days_text(2.97) == "2d" and days_text(-2.5) == "-2d"


# -- 9. aliases ------------------------------------------------------------------------------

@pytest.mark.parametrize(("word", "target"), [
    ("certs", "cert-manager"), (":certs", "cert-manager"), ("backups", "velero"),
    ("velero", "velero"), ("logs", "loki"), ("loki", "loki"), ("helm", "helm"),
    ("releases", "helm"), ("ctx", aliases.CONTEXTS), ("context", aliases.CONTEXTS),
    ("ns", aliases.NAMESPACES), ("namespace", aliases.NAMESPACES),
    ("pods", aliases.WORKLOADS), ("deploy", aliases.WORKLOADS), ("NS", aliases.NAMESPACES),
])
def test_aliases_resolve_exactly(word: str, target: str) -> None:
    alias = aliases.resolve(word, load_registry().ordered())
    assert alias is not None and alias.target == target


def test_every_plugin_has_an_alias_and_a_plugin_may_declare_more() -> None:
    plugins = load_registry().ordered()
    table = aliases.alias_table(plugins)
    assert {p.id for p in plugins} <= {a.target for a in table.values()}
    extra = Plugin(id="acme", title="Acme", category="dns", aliases=("rockets",))
    assert aliases.resolve("rockets", [*plugins, extra]).target == "acme"  # type: ignore[union-attr]
    assert aliases.resolve("screenshot", plugins) is None


# -- 6. overview names stay whole -------------------------------------------------------------

def test_long_workload_names_do_not_wrap_mid_word_at_80_columns() -> None:
    name = "ingress-nginx-controller-admission-long"
    det = Detection(installed=True, namespace="a", healthy=True, details={"workload_status": [
        {"kind": "Deployment", "namespace": "a", "name": name, "ready": 1, "desired": 1,
         "images": ["registry.k8s.io/ingress-nginx/controller:v1.13.3@sha256:" + "f" * 64]}]})
    text = rich_plain(overview(Plugin(id="x", title="X", category="dns"), det), width=76)
    assert f"deploy/{name}" in text


# -- 8. headless: -o everywhere, -A where a command lists across namespaces -------------------

def test_every_headless_command_takes_output_json() -> None:
    parser = build_parser()
    argv = {"install": ["install", "velero"], "uninstall": ["uninstall", "velero"],
            "loki": ["loki", "{a=\"b\"}"], "backup": ["backup", "list"],
            "gitops": ["gitops", "status"], "promql": ["promql", "up"],
            "silence": ["silence", "expire", "abc"],
            "traces": ["traces", "--service", "s"], "trace": ["trace", "abc"],
            "kustomize": ["kustomize", "diff", "dir"]}
    for name in command_table():
        args = parser.parse_args([*argv.get(name, [name]), "-o", "json"])
        assert args.output == "json", name


@pytest.mark.parametrize("command", ["releases", "certs"])
def test_all_namespaces_flag(command: str) -> None:
    parser = build_parser()
    assert parser.parse_args([command, "-A"]).all_namespaces
    assert parser.parse_args([command, "--all-namespaces"]).all_namespaces


def test_releases_refuses_namespace_with_all_namespaces(capsys) -> None:  # type: ignore[no-untyped-def]
    from k8s_essentials_tui.cli import main

    assert main(["releases", "-A", "-n", "web"]) == 2
    assert "mutually exclusive" in capsys.readouterr().err
