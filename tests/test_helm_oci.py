"""Helm OCI charts (``oci://``) end to end: the real ``helm``, a real OCI registry (CNCF
distribution, built by scripts/build-control-plane) on loopback with the test chart pushed by
``helm push``, and the real kube-apiserver. Headless install/upgrade/uninstall with
``--plain-http``, the config key ``[charts.<id>] plain_http``, version lists from the
registry's tag list, the install screen's version picker, and the messages for an
unreachable registry. Pure unit tests of the OCI helpers come first."""

from __future__ import annotations

import asyncio
import base64
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Input

from k8s_essentials_tui import audit
from k8s_essentials_tui.cli import main
from k8s_essentials_tui.errors import ConfigError, ToolError
from k8s_essentials_tui.helm.chart import ChartSpec
from k8s_essentials_tui.helm.headless import resolve_spec
from k8s_essentials_tui.helm.oci import (
    explain_error,
    sort_versions,
    split_ref,
    stored_credentials,
    tag_to_version,
)
from k8s_essentials_tui.helm.operations import HelmOperations
from k8s_essentials_tui.helm.tool import HelmTool
from k8s_essentials_tui.plugin import ChartRef, Plugin
from k8s_essentials_tui.settings import parse_settings
from testkit.oci_registry import OciRegistry
from testkit.wait import wait_until

CHART = "essentials-demo"
PRE = "0.3.0-rc.1+build.7"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def spec_for(repo: str, *, plain_http: bool = False, version: str = "",
             plugin_id: str = "") -> ChartSpec:
    return ChartSpec(repo=repo, chart=CHART, version=version, namespace="ns", release="demo",
                     plugin_id=plugin_id, plain_http=plain_http)


# -- unit ----------------------------------------------------------------------------------------


def test_plain_http_only_for_oci_and_after_the_version() -> None:
    oci = spec_for("oci://reg.local:5000/charts", plain_http=True, version="1.2.3")
    assert oci.chart_args() == ["oci://reg.local:5000/charts/essentials-demo", "--version",
                                "1.2.3", "--plain-http"]
    assert oci.describe() == "oci://reg.local:5000/charts/essentials-demo 1.2.3 (plain HTTP)"
    assert spec_for("oci://reg.local/charts").chart_args() == [
        "oci://reg.local/charts/essentials-demo"]
    https = spec_for("https://charts.example.org", plain_http=True)
    assert "--plain-http" not in https.chart_args()


def test_overrides_and_flags_for_plain_http() -> None:
    base = spec_for("oci://reg.local/charts")
    assert base.with_overrides({"plain_http": True}).plain_http is True
    on = base.with_overrides({"plain_http": True})
    assert on.with_overrides({"plain_http": None, "version": "2.0.0"}).plain_http is True
    plugin = Plugin(id="demo", title="Demo", category="packaging",
                    chart=ChartRef(repo="https://x.example", chart=CHART, version="0.1.0",
                                   namespace="demo", release="demo"))

    class Reg:
        def get(self, pid: str) -> Plugin | None:
            return plugin if pid == "demo" else None

    config = {"demo": {"repo": "oci://mirror.local/charts", "plain_http": True}}
    spec = resolve_spec("demo", Reg(), config)
    assert spec.source == "oci" and spec.plain_http  # config key, no flag
    assert resolve_spec("demo", Reg(), {}, plain_http=True).plain_http  # flag alone
    adhoc = resolve_spec(CHART, Reg(), {}, repo="oci://127.0.0.1:5000/charts", plain_http=True)
    assert adhoc.chart_args()[0] == "oci://127.0.0.1:5000/charts/essentials-demo"
    assert adhoc.plain_http


def test_flux_export_marks_a_plain_http_registry_insecure() -> None:
    import yaml

    from k8s_essentials_tui.helm import export

    plain = spec_for("oci://127.0.0.1:5000/charts", plain_http=True, version="0.1.0")
    repo = next(yaml.safe_load_all(export.flux(plain, {})))
    assert repo["spec"] == {"type": "oci", "interval": "1h",
                            "url": "oci://127.0.0.1:5000/charts", "insecure": True}
    tls = next(yaml.safe_load_all(export.flux(spec_for("oci://r.local/c"), {})))
    assert "insecure" not in tls["spec"]


def test_config_key_plain_http_is_a_boolean() -> None:
    s = parse_settings({"charts": {"velero": {"repo": "oci://m.local/c", "plain_http": True}}})
    assert s.charts["velero"]["plain_http"] is True
    with pytest.raises(ConfigError, match=r"charts\.velero\.plain_http must be a boolean"):
        parse_settings({"charts": {"velero": {"plain_http": "yes"}}})
    with pytest.raises(ConfigError, match=r"charts\.velero\.version must be a string"):
        parse_settings({"charts": {"velero": {"version": True}}})


def test_tags_to_versions_newest_first() -> None:
    assert split_ref("oci://127.0.0.1:5000/a/b/chart") == ("127.0.0.1:5000", "a/b/chart")
    with pytest.raises(ToolError):
        split_ref("oci://hostonly")
    assert tag_to_version("1.0.0_build.1") == "1.0.0+build.1"
    assert tag_to_version("latest") is None and tag_to_version("sha256-abc.sig") is None
    tags = ["0.1.0", "1.0.0-rc.1", "1.0.0", "0.10.0", "0.9.0", "1.0.0-rc.10", "1.0.0-alpha",
            "1.0.0-rc.2", "latest", "0.2.0_b.1"]
    assert sort_versions(tags) == ["1.0.0", "1.0.0-rc.10", "1.0.0-rc.2", "1.0.0-rc.1",
                                   "1.0.0-alpha", "0.10.0", "0.9.0", "0.2.0+b.1", "0.1.0"]


def test_error_explanations() -> None:
    oci = spec_for("oci://127.0.0.1:5000/charts", plugin_id="velero")
    refused = 'Get "https://127.0.0.1:5000/v2/": dial tcp 127.0.0.1:5000: connect: ' \
              "connection refused"
    assert explain_error(oci, refused).startswith("OCI registry 127.0.0.1:5000 cannot be "
                                                  "reached: ")
    http = "http: server gave HTTP response to HTTPS client"
    assert "[charts.velero] plain_http = true" in explain_error(oci, http)
    assert "--plain-http" in explain_error(oci, http)
    tls = "400 Bad Request: client sent an HTTP request to an HTTPS server"
    assert "speaks HTTPS" in explain_error(
        spec_for("oci://r.local/c", plain_http=True), tls)
    assert "helm registry login 127.0.0.1:5000" in explain_error(oci, "401 Unauthorized")
    repo = spec_for("https://charts.example.org")
    assert explain_error(repo, refused) == refused


def test_stored_credentials(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"auths": {
        "reg.local:5000": {"auth": base64.b64encode(b"alice:s3cret").decode()},
        "https://other.local": {"username": "bob", "password": "pw"},
    }}))
    assert stored_credentials("reg.local:5000", path) == ("alice", "s3cret")
    assert stored_credentials("other.local", path) == ("bob", "pw")
    assert stored_credentials("nobody.local", path) is None
    assert stored_credentials("x", tmp_path / "missing.json") is None


# -- e2e: the real registry ------------------------------------------------------------------


@pytest.fixture(scope="module")
def oci_registry(helm_bin: str) -> Iterator[OciRegistry]:
    """The registry with the test chart pushed in three versions by the real `helm push`."""
    with OciRegistry() as reg:
        for i, version in enumerate(("0.1.0", "0.2.0", PRE)):
            reg.push_chart(helm_bin, version, app_version=f"1.{i}.0")
        yield reg


@pytest.fixture
def _helm_home(helm_home: Path) -> Path:
    return helm_home


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def cm_message(kube_admin, namespace: str, release: str = "demo") -> str | None:  # type: ignore[no-untyped-def]
    cm = kube_admin.get_or_none("v1", "ConfigMap", f"{release}-config", namespace)
    return None if cm is None else cm["data"]["message"]


def releases(capsys: pytest.CaptureFixture[str], kubeconfig: str, namespace: str
             ) -> dict[str, dict[str, str]]:
    code, out, err = cli(capsys, "releases", "-o", "json", "-n", namespace, "--kubeconfig",
                         kubeconfig)
    assert code == 0, err
    return {r["name"]: r for r in json.loads(out)}


@pytest.mark.usefixtures("_helm_home")
def test_the_registry_holds_what_helm_pushed(oci_registry: OciRegistry) -> None:
    assert sorted(oci_registry.tags(f"charts/{CHART}")) == sorted(
        ["0.1.0", "0.2.0", PRE.replace("+", "_")])


@pytest.mark.usefixtures("_helm_home")
def test_install_upgrade_uninstall_from_oci(capsys: pytest.CaptureFixture[str],
                                            kubeconfig: str, namespace: str, kube_admin,
                                            oci_registry: OciRegistry, tmp_path: Path) -> None:
    ref = f"{oci_registry.url}/{CHART}"
    base = ["install", CHART, "--repo", oci_registry.url, "--plain-http", "--release", "demo",
            "-n", namespace, "--kubeconfig", kubeconfig]
    code, out, err = cli(capsys, *base, "--version", "0.1.0", "--yes")
    assert code == 0, err
    assert f"from {ref} 0.1.0 (plain HTTP)" in err
    assert "(new install)" in out and '+  message: "hello"' in out
    assert f"$ helm upgrade --install demo {ref} --version 0.1.0 --plain-http --namespace " \
           f"{namespace}" in out
    assert "demo installed in" in err and "(revision 1)" in err
    assert cm_message(kube_admin, namespace) == "hello"
    row = releases(capsys, kubeconfig, namespace)["demo"]
    assert (row["chart"], row["app_version"], row["status"], row["revision"]) == \
        (f"{CHART}-0.1.0", "1.0.0", "deployed", "1")

    # upgrade to the second pushed version with changed values
    values = tmp_path / "values.yaml"
    values.write_text("message: from-oci\n")
    code, out, err = cli(capsys, *base, "--version", "0.2.0", "--values", str(values), "--yes")
    assert code == 0, err
    assert '-  message: "hello"' in out and '+  message: "from-oci"' in out
    assert "demo upgraded in" in err and "(revision 2)" in err
    assert cm_message(kube_admin, namespace) == "from-oci"
    row = releases(capsys, kubeconfig, namespace)["demo"]
    assert (row["chart"], row["app_version"], row["revision"]) == (f"{CHART}-0.2.0", "1.1.0",
                                                                   "2")

    code, out, err = cli(capsys, "uninstall", "demo", "-n", namespace, "--kubeconfig",
                         kubeconfig, "--yes")
    assert code == 0, err
    assert cm_message(kube_admin, namespace) is None
    assert releases(capsys, kubeconfig, namespace) == {}
    entries = audit.read()
    assert [(e["action"], e["result"]) for e in entries] == [
        ("helm.install", "dry-run"), ("helm.install", "ok"), ("helm.upgrade", "dry-run"),
        ("helm.upgrade", "ok"), ("helm.uninstall", "ok")]
    assert f"{ref} --version 0.2.0 --plain-http" in entries[3]["command"]


@pytest.mark.usefixtures("_helm_home")
def test_config_key_plain_http_for_a_catalog_component(
        capsys: pytest.CaptureFixture[str], kubeconfig: str, namespace: str, kube_admin,
        oci_registry: OciRegistry, tmp_path: Path) -> None:
    """An air-gapped mirror: the catalog's ingress-nginx pointed at the OCI registry by the
    config file alone (chart, version, plain_http), previewed with a server-side dry-run."""
    config = tmp_path / "config.toml"
    config.write_text(f'[charts.ingress-nginx]\nrepo = "{oci_registry.url}"\n'
                      f'chart = "{CHART}"\nversion = "0.2.0"\nplain_http = true\n'
                      f'namespace = "{namespace}"\nrelease = "mirror"\n')
    values = tmp_path / "values.yaml"
    values.write_text("message: mirrored\n")
    code, out, err = cli(capsys, "--config", str(config), "install", "ingress-nginx",
                         "--values", str(values), "--dry-run", "--kubeconfig", kubeconfig)
    assert code == 0, err
    assert f"{oci_registry.url}/{CHART} --version 0.2.0 --plain-http" in out
    assert '+  message: "mirrored"' in out
    assert kube_admin.get_or_none("v1", "ConfigMap", "mirror-config", namespace) is None


@pytest.mark.usefixtures("_helm_home")
def test_versions_from_the_tag_list(oci_registry: OciRegistry) -> None:
    ops = HelmOperations(HelmTool())
    plain = spec_for(oci_registry.url, plain_http=True)
    assert asyncio.run(ops.chart_versions(plain)) == [PRE, "0.2.0", "0.1.0"]
    assert asyncio.run(ops.chart_versions(plain, limit=1)) == [PRE]
    missing = ChartSpec(repo=oci_registry.url, chart="no-such-chart", version="",
                        namespace="x", release="x", plain_http=True)
    assert asyncio.run(ops.chart_versions(missing)) == []
    # HTTPS against the plain-HTTP registry: the message says what to set
    with pytest.raises(ToolError, match="speaks plain HTTP: pass --plain-http"):
        asyncio.run(ops.chart_versions(spec_for(oci_registry.url)))
    gone = spec_for(f"oci://127.0.0.1:{closed_port()}/charts", plain_http=True)
    with pytest.raises(ToolError, match="cannot be reached"):
        asyncio.run(ops.chart_versions(gone))


@pytest.mark.usefixtures("_helm_home")
def test_unreachable_registry_says_so(capsys: pytest.CaptureFixture[str], kubeconfig: str,
                                      namespace: str) -> None:
    port = closed_port()
    code, _out, err = cli(capsys, "install", CHART, "--repo", f"oci://127.0.0.1:{port}/charts",
                          "--plain-http", "--version", "0.1.0", "-n", namespace,
                          "--kubeconfig", kubeconfig, "--yes")
    assert code == 2
    assert f"dry-run failed: OCI registry 127.0.0.1:{port} cannot be reached" in err
    assert "connection refused" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) <= 2
    assert [(e["action"], e["result"]) for e in audit.read()] == [("helm.install", "failed")]


@pytest.mark.usefixtures("_helm_home")
async def test_install_screen_lists_oci_versions(kubeconfig: str, namespace: str,
                                                 oci_registry: OciRegistry) -> None:
    from k8s_essentials_tui.app import EssentialsApp, StartOptions
    from k8s_essentials_tui.screens.install import InstallScreen
    from k8s_essentials_tui.widgets.helm_dialogs import VersionPicker
    from tests.conftest import FIXED_NOW

    plugin = Plugin(id="demo", title="Demo", category="packaging",
                    chart=ChartRef(repo=oci_registry.url, chart=CHART, version="0.1.0",
                                   namespace=namespace, release="demo"))
    spec = ChartSpec.for_plugin(plugin, {"demo": {"plain_http": True}})
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, now=FIXED_NOW))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.session is not None, what="connection")
        screen = InstallScreen(plugin, spec=spec)
        app.push_screen(screen)
        await pilot.pause()
        await pilot.press("ctrl+l")
        await wait_until(pilot, lambda: isinstance(app.screen, VersionPicker), what="picker")
        picker = app.screen
        assert isinstance(picker, VersionPicker)
        await pilot.press("up", "enter")
        await wait_until(pilot, lambda: app.screen is screen, what="picker closed")
        assert screen.query_one("#version", Input).value == "0.2.0"
        assert "--plain-http" in screen.current_spec().chart_args()
