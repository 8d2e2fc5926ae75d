"""pytest fixtures for tests against the real local control plane.

Enable with ``pytest_plugins = ["testkit.pytest_plugin"]`` in ``tests/conftest.py`` (or
``-p testkit.pytest_plugin``).

Fixtures:

- ``control_plane`` (session): one ``ControlPlane`` for the run, in a pytest tmp dir, audit log
  on, CRDs installed; stopped at session end, on Ctrl-C, SIGTERM and SIGHUP (and by the
  kernel's parent-death signal if pytest is SIGKILLed).
- ``kubeconfig`` / ``limited_kubeconfig`` (session, ``str``): admin (user ``admin``) and
  view-only (user ``limited``) kubeconfig paths -- what the app under test gets.
- ``audit_log`` (session, ``Path``): the apiserver audit log; read it with
  ``testkit.controlplane.read_audit_events(audit_log, user="admin", since=...)``.
- ``kube_admin`` (session, ``KubeAdmin``): test-setup client as user ``testkit``
  (system:masters), so audit queries for ``admin`` only see the app's requests.
- ``namespace`` (function, ``str``): a fresh namespace, deleted with its content afterwards.

Missing binaries are a test *failure* naming the build command, never a skip: a suite that
silently skips its e2e tests in CI is worse than a red one.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import signal
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from testkit.controlplane import (
    BinariesMissing,
    ControlPlane,
    find_binaries,
    stop_all,
)
from testkit.kube import KubeAdmin

_FIXTURES = {"control_plane", "kubeconfig", "limited_kubeconfig", "audit_log", "kube_admin",
             "namespace"}
TEST_NAMESPACE_LABEL = "testkit.k8s-essentials-tui.dev/test"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests that use the control plane ``e2e`` (selectable with ``-m e2e``)."""
    for item in items:
        if _FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.e2e)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "e2e: needs the real control plane (kube-apiserver + etcd)"
    )


def _install_signal_handlers() -> None:
    """SIGTERM/SIGHUP: stop the servers now, then unwind pytest like Ctrl-C does.

    Without this the default action kills pytest before any finalizer runs (the kernel's
    parent-death signal would still kill the servers, but abruptly and without logs flushed).
    """

    def handler(signum: int, frame: FrameType | None) -> None:
        stop_all()
        raise KeyboardInterrupt(f"received signal {signum}")

    for sig in (signal.SIGTERM, signal.SIGHUP):
        with contextlib.suppress(ValueError):  # not in the main thread
            signal.signal(sig, handler)


@pytest.fixture(scope="session")
def control_plane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ControlPlane]:
    """The run's control plane: etcd + kube-apiserver on loopback, CRDs installed."""
    try:
        bin_dir = find_binaries(build=False)
    except BinariesMissing as e:
        pytest.fail(str(e), pytrace=False)
    directory = tmp_path_factory.mktemp("control-plane")
    cp = ControlPlane(directory, bin_dir=bin_dir, audit_log=directory / "audit.log")
    _install_signal_handlers()
    try:
        cp.start()
        cp.install_crds()
        yield cp
    finally:
        cp.stop()


@pytest.fixture(scope="session")
def kubeconfig(control_plane: ControlPlane) -> str:
    return str(control_plane.kubeconfig)


@pytest.fixture(scope="session")
def limited_kubeconfig(control_plane: ControlPlane) -> str:
    return str(control_plane.limited_kubeconfig)


@pytest.fixture(scope="session")
def audit_log(control_plane: ControlPlane) -> Path:
    assert control_plane.audit_log is not None
    return control_plane.audit_log


@pytest.fixture(scope="session")
def kube_admin(control_plane: ControlPlane) -> KubeAdmin:
    """Sync helper for test setup (create / apply / get / list / patch_status / delete)."""
    return control_plane.admin()


def _namespace_name(nodeid: str) -> str:
    base = re.sub(r"[^a-z0-9-]+", "-", nodeid.rsplit("::", 1)[-1].lower()).strip("-")
    return f"t-{base[:40].strip('-')}-{secrets.token_hex(3)}"


@pytest.fixture
def namespace(request: pytest.FixtureRequest, kube_admin: KubeAdmin) -> Iterator[str]:
    """A fresh namespace for one test; it and everything in it are deleted afterwards."""
    name = _namespace_name(request.node.nodeid)
    kube_admin.create_namespace(name, labels={TEST_NAMESPACE_LABEL: "true"})
    yield name
    kube_admin.delete_namespace(name)


def pytest_report_header(config: pytest.Config) -> Any:
    with contextlib.suppress(BinariesMissing):
        return f"testkit: control-plane binaries in {find_binaries(build=False)}"
    return "testkit: control-plane binaries NOT built (scripts/build-control-plane)"
