"""plugins/telepresence/cli.py: JSON parsing (pure) and the runner against the FAKE executable.

The fake (testkit/fake_telepresence) implements the real CLI's flags and JSON shapes; the
runner is exercised through real subprocesses, timeouts and cancellation."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from k8s_essentials_tui.errors import ToolError
from k8s_essentials_tui.plugins.telepresence.cli import (
    InterceptRequest,
    TelepresenceCLI,
    check_compatible,
    decode_output,
    parse_disposition,
    parse_status,
    parse_version,
    parse_workloads,
)
from testkit.fake_telepresence import CLIENT, FakeTelepresence


@pytest.fixture
def fake(tmp_path: Path) -> FakeTelepresence:
    return FakeTelepresence(tmp_path / "tp")


def cli(fake: FakeTelepresence, timeout: float = 30) -> TelepresenceCLI:
    return TelepresenceCLI("telepresence", timeout=timeout, env=fake.env())


# -- pure parsing ----------------------------------------------------------------------------


def test_decode_wrapper_bare_and_empty() -> None:
    assert decode_output('{"cmd":"list","stdout":[]}', "list") == ([], "")
    assert decode_output('{"cmd":"leave","err":"Intercept named \\"x\\" not found"}',
                         "leave") == (None, 'Intercept named "x" not found')
    bare = {"user_daemon": {"running": True}}
    assert decode_output(json.dumps(bare), "status") == (bare, "")
    assert decode_output("", "quit") == (None, "")
    # a progress line before the document
    assert decode_output('Launching\n{"cmd":"connect","stdout":"ok"}', "connect") == ("ok", "")


def test_parse_version_old_and_new_names() -> None:
    v = parse_version("Client: v2.20.2\nRoot Daemon: v2.20.2\nUser Daemon: not running")
    assert (v.client, v.root_daemon, v.user_daemon) == ("v2.20.2", "v2.20.2", "not running")
    v = parse_version("OSS Client         : v2.23.1\nOSS Traffic Manager: v2.23.0")
    assert (v.client, v.traffic_manager) == ("v2.23.1", "v2.23.0")


def test_compatibility_names_the_version() -> None:
    check_compatible("v2.20.2")
    check_compatible("v2.23.0")
    with pytest.raises(ToolError, match=r"v2\.14\.1 is too old.*v2\.20\.0"):
        check_compatible("v2.14.1")
    with pytest.raises(ToolError, match=r"0\.109 is not supported.*Telepresence v2"):
        check_compatible("0.109")


def test_status_missing_running_means_not_running() -> None:
    st = parse_status({"user_daemon": {"name": "User Daemon"}, "root_daemon": {}})
    assert not st.user_daemon.running and not st.connected
    st = parse_status({"user_daemon": {"running": True, "status": "Connected",
                                       "kubernetes_context": "kind", "namespace": "shop",
                                       "intercepts": [{"name": "a", "client": "me@x"}]},
                       "traffic_manager": {"version": "v2.20.2"}})
    assert st.connected and st.context == "kind" and st.my_intercepts == ["a"]
    assert st.traffic_manager_version == "v2.20.2"


@pytest.mark.parametrize("key", ["intercept_infos", "intercept_info"])
def test_workloads_accept_both_intercept_keys(key: str) -> None:
    payload = [{"name": "echo", "namespace": "shop", "workload_resource_type": "Deployment",
                "services": [{"name": "echo", "ports": [{"name": "http", "port": 80}]}],
                key: [{"spec": {"name": "echo", "client": "bob@x", "mechanism": "http",
                                "mechanism_args": ["--http-header=x-dev=bob"],
                                "target_port": 8080}, "disposition": 1}]},
               {"name": "batch", "namespace": "shop", "not_interceptable_reason": "no service"}]
    echo, batch = sorted(parse_workloads(payload), key=lambda w: w.name, reverse=True)
    assert echo.intercepts[0].client == "bob@x"
    assert echo.intercepts[0].disposition == "ACTIVE" and not echo.intercepts[0].is_global
    assert echo.state == "intercepted" and echo.service_ports[0].identifier == "http"
    assert not batch.interceptable and batch.state == "not interceptable"


def test_disposition_codes() -> None:
    assert parse_disposition(2) == "WAITING"
    assert parse_disposition(7) == "AGENT_ERROR"
    assert parse_disposition("ACTIVE") == "ACTIVE"
    assert parse_disposition(42) == "UNKNOWN(42)"


def test_intercept_request_argv() -> None:
    req = InterceptRequest(name="echo", workload="echo", namespace="shop", local_port=8080,
                           service_port="http", http_headers=["x-dev=me"],
                           env_file="echo.env", mount="false")
    assert TelepresenceCLI.display(req.argv()) == (
        "telepresence intercept echo --port 8080:http --namespace shop "
        "--http-header x-dev=me --env-file echo.env --mount=false")
    assert not req.is_global
    assert InterceptRequest(name="a", workload="b").argv()[:4] == [
        "intercept", "a", "--workload", "b"]


# -- against the fake executable -------------------------------------------------------------


async def test_full_flow(fake: FakeTelepresence, tmp_path: Path) -> None:
    tp = cli(fake)
    version = await tp.version()
    assert version.client == "v2.20.2" and version.user_daemon == "not running"
    assert not (await tp.status()).connected
    lines: list[str] = []
    await tp.connect("shop", "ambassador", on_line=lines.append)
    assert any("Connected to context" in line for line in lines)
    status = await tp.status()
    assert status.connected and status.namespace == "shop"
    assert status.traffic_manager_version == "v2.20.2"
    workloads = {w.name: w for w in await tp.list("shop")}
    assert "echo-server" in workloads and workloads["payments-api"].intercepts[0].client == \
        "alice@laptop"
    env_file = tmp_path / "echo.env"
    result = await tp.intercept(InterceptRequest("echo-server", "echo-server", "shop", 8080,
                                                 "http", env_file=str(env_file), mount="false"))
    assert result.disposition == "ACTIVE" and result.target == "127.0.0.1:8080"
    assert "ECHO_SERVER_SERVICE_PORT=80" in env_file.read_text()
    workloads = {w.name: w for w in await tp.list("shop")}
    ic = workloads["echo-server"].intercepts[0]
    assert (ic.client, ic.is_global, ic.local_target) == (CLIENT, True, "127.0.0.1:8080")
    assert (await tp.status()).my_intercepts == ["echo-server"]
    await tp.leave("echo-server")
    assert fake.intercepts() == []
    await tp.quit()
    assert not (await tp.status()).connected


async def test_header_intercept_only_where_supported(fake: FakeTelepresence) -> None:
    fake.connect_now()
    tp = cli(fake)
    assert not await tp.supports_http_header()
    req = InterceptRequest("web-frontend", "web-frontend", "shop", 8081, "http",
                           http_headers=["x-dev=me"])
    with pytest.raises(ToolError, match="no --http-header"):
        await tp.intercept(req)
    fake.configure(version="2.23.0", http_header=True)
    tp = cli(fake)
    assert await tp.supports_http_header()
    await tp.intercept(req)
    workloads = {w.name: w for w in await tp.list("shop")}
    ic = workloads["web-frontend"].intercepts[0]
    assert not ic.is_global and ic.mechanism_args == ["--http-header=x-dev=me"]


async def test_errors_are_one_line_with_hints(fake: FakeTelepresence) -> None:
    tp = cli(fake)
    with pytest.raises(ToolError, match=r"user daemon is not running.*press c to connect"):
        await tp.list("shop")
    fake.connect_now()
    with pytest.raises(ToolError, match="matching nope found"):
        await tp.intercept(InterceptRequest("nope", "nope", "shop", 8080))
    await tp.intercept(InterceptRequest("echo-server", "echo-server", "shop", 8080))
    with pytest.raises(ToolError, match=r"Port 127\.0\.0\.1:8080 is already in use.*another"):
        await tp.intercept(InterceptRequest("web-frontend", "web-frontend", "shop", 8080))
    with pytest.raises(ToolError, match='Intercept named "ghost" not found'):
        await tp.leave("ghost")
    fake.fail("status", stderr="rpc error: code = Unavailable", exit_code=3)
    with pytest.raises(ToolError, match="rpc error: code = Unavailable"):
        await tp.status()


async def test_missing_binary_and_incompatible_version(fake: FakeTelepresence,
                                                       tmp_path: Path) -> None:
    env = fake.env()
    env["PATH"] = str(tmp_path / "empty")
    tp = TelepresenceCLI("telepresence", env=env)
    with pytest.raises(ToolError, match=r"not found on PATH.*v2\.20 or newer"):
        await tp.version()
    fake.configure(version="2.14.1")
    with pytest.raises(ToolError, match=r"v2\.14\.1 is too old"):
        await cli(fake).version()


async def test_hang_times_out_and_kills(fake: FakeTelepresence) -> None:
    fake.hang("status", 3600)
    with pytest.raises(ToolError, match=r"did not answer within 0\.5s.*quit -s"):
        await cli(fake, timeout=0.5).status()


async def test_cancel_event_and_task_cancel(fake: FakeTelepresence) -> None:
    fake.hang("connect", 3600)
    tp = cli(fake)
    cancel = asyncio.Event()
    task = asyncio.ensure_future(tp.connect("shop", cancel=cancel))
    await asyncio.sleep(0.3)
    cancel.set()
    with pytest.raises(ToolError, match="cancelled"):
        await task
    task = asyncio.ensure_future(tp.connect("shop"))
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
