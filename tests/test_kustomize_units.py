"""Pure parts of the Kustomize plugin: parsing the rendered stream, what a diff compares,
the equivalent commands, the renderer choice, the tool's message and directory completion."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from k8s_essentials_tui.plugins.kustomize import model, paths, render
from k8s_essentials_tui.plugins.kustomize.model import ManifestError, parse_objects
from testkit.hostile import assert_clean, nasty_text

#: no per-example deadline: 2 shared cores make a 200 ms limit flaky (as test_hostile_models)
FAST = settings(max_examples=60, deadline=None)

STREAM = """\
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: a, namespace: shop}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: web}
"""


def test_parse_objects_keeps_order_and_flattens_lists() -> None:
    items = parse_objects(STREAM)
    assert [(i.kind, i.namespace, i.name, i.group) for i in items] == [
        ("Namespace", "", "shop", ""), ("ConfigMap", "shop", "a", ""),
        ("Deployment", "", "web", "apps")]
    assert items[2].label("prod") == "Deployment prod/web"
    assert items[0].label() == "Namespace shop"


@pytest.mark.parametrize("stream, message", [
    ("- a\n- b\n", "document 1 is not an object"),
    ("kind: ConfigMap\nmetadata: {name: a}\n", "document 1 lacks apiVersion"),
    ("apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n", "lacks apiVersion, kind or metadata"),
    ("a: [\n", "rendered output is not YAML"),
])
def test_parse_objects_refuses_what_is_not_an_object(stream: str, message: str) -> None:
    with pytest.raises(ManifestError, match=message.replace("[", r"\[")):
        parse_objects(stream)


@FAST
@given(nasty_text())
def test_parse_objects_never_crashes_on_any_text(value: str) -> None:
    try:
        parse_objects(value)
    except ManifestError:
        pass


def test_comparable_drops_server_fields_and_status() -> None:
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "status": {"x": 1},
           "metadata": {"name": "a", "resourceVersion": "9", "uid": "u", "generation": 2,
                        "managedFields": [{}], "creationTimestamp": "t", "labels": {"a": "b"}},
           "data": {"k": "v"}}
    assert model.comparable(obj) == {
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "a", "generation": 2, "labels": {"a": "b"}}, "data": {"k": "v"}}


def test_for_apply_fills_the_namespace_without_touching_the_item() -> None:
    item = parse_objects(STREAM)[2]
    body = model.for_apply(item, "prod")
    assert body["metadata"] == {"name": "web", "namespace": "prod"}
    assert "namespace" not in item.obj["metadata"]


def test_equivalent_commands() -> None:
    assert model.apply_command("overlays/my dir", "shop") == (
        "kubectl apply --server-side --field-manager=k8s-essentials-tui -k "
        "'overlays/my dir' -n shop")
    assert model.diff_command("o", force=True) == (
        "kubectl diff --server-side --field-manager=k8s-essentials-tui --force-conflicts -k o")


class _Settings:
    """What the renderer reads of ``Settings``: ``get(key)``."""

    def __init__(self, values: dict[str, object] | None = None) -> None:
        self.values = values or {}

    def get(self, key: str, default: object = None) -> object:
        return self.values.get(key, default)


def _exe(path: Path) -> str:
    path.write_text("#!/bin/sh\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def test_renderer_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(render.RenderError, match="neither kubectl nor kustomize"):
        render.find_renderer(_Settings())
    kz = _exe(tmp_path / "kustomize")
    assert render.find_renderer(None) == render.Renderer((kz, "build"), "kustomize build")
    kubectl = _exe(tmp_path / "kubectl")
    assert render.find_renderer(None).argv == (kubectl, "kustomize")  # kubectl first
    assert render.find_renderer(_Settings({"kustomize.binary": kz})).shown == \
        "kustomize build"
    with pytest.raises(render.RenderError, match="binary '/nope/kustomize' not found"):
        render.find_renderer(_Settings({"kustomize.binary": "/nope/kustomize"}))
    with pytest.raises(render.RenderError, match="kubectl '/nope/kubectl' not found"):
        render.find_renderer(_Settings({"kustomize.kubectl": "/nope/kubectl"}))
    assert render.timeout_of(_Settings({"kustomize.timeout": 5})) == 5.0
    assert render.timeout_of(_Settings({"kustomize.timeout": -1})) == render.DEFAULT_TIMEOUT


def test_one_line_unwraps_klog_and_cleans() -> None:
    klog = ('E1206 16:41:48.537624    6501 run.go:72] "command failed" '
            'err="accumulating resources: \\"x\\" missing"')
    assert render.one_line(klog) == 'accumulating resources: "x" missing'
    assert render.one_line("error: bad\x1b[31m\nsecond line\n") == "bad␛[31m second line"
    assert len(render.one_line("x" * 5000)) == render.MAX_MESSAGE


@FAST
@given(nasty_text(200))
def test_one_line_is_always_clean(value: str) -> None:
    out = render.one_line(value)
    assert_clean([out])
    assert "\n" not in out


def test_complete_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "overlays" / "prod").mkdir(parents=True)
    (tmp_path / "overlays" / "preview").mkdir()
    (tmp_path / "overlays" / "private.yaml").write_text("")
    (tmp_path / ".hidden").mkdir()
    monkeypatch.chdir(tmp_path)
    assert paths.complete_directory("ov") == "overlays/"
    assert paths.complete_directory("overlays/pr") == "overlays/preview/"
    assert paths.complete_directory("overlays/pro") == "overlays/prod/"
    assert paths.complete_directory("overlays/x") is None
    assert paths.complete_directory("") is None
    assert paths.complete_directory("h") is None and paths.complete_directory(".h") == ".hidden/"
    assert paths.complete_directory(f"{tmp_path}{os.sep}ov") == f"{tmp_path}/overlays/"


@FAST
@given(st.text(max_size=30))
def test_complete_directory_never_raises(value: str) -> None:
    paths.complete_directory(value)  # a NUL, a missing directory: None, never an error


@FAST
@given(nasty_text(), nasty_text(), st.lists(nasty_text(40), max_size=5))
def test_diff_text_is_always_clean(name: str, error: str, lines: list[str]) -> None:
    from k8s_essentials_tui.plugins.kustomize.pane import diff_text
    from k8s_essentials_tui.plugins.kustomize.plan import Entry, Plan

    item = model.Item("v1", "ConfigMap", name, name, {})
    plan = Plan("dir", "ns", [Entry(item, name, change="changed", lines=lines),
                              Entry(item, name, change="error", error=error)])
    assert_clean(diff_text(plan).plain.splitlines())
