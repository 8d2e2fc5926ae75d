"""The REAL Prometheus and Alertmanager for tests: started on free ports, torn down after.

Why real servers: the monitoring pane and the ``alerts``/``promql``/``silence`` commands must
agree with what Prometheus and Alertmanager actually answer (result shapes, the wording of a
PromQL parse error, silence states), and a fake would only agree with our reading of the docs.

What runs (``MonitoringStack``):

* **Prometheus** with a 1 s global scrape/evaluation interval, scraping itself (job
  ``prometheus``) and one dead target (job ``dead``, ``127.0.0.1:1``: connection refused),
  a rules file with alerts that fire at once (``vector(1)``-style, see :data:`RULES`), one
  that stays pending (``for: 1h``), one that never fires, a recording rule and a recording
  rule whose evaluation fails (many-to-many matching), and Alertmanager as its notifier.
* **Alertmanager** with gossip off (``--cluster.listen-address=`` empty), two receivers
  (``default``, ``pager`` for critical) and an inhibition rule (critical inhibits info in the
  same namespace), so the three alert states show up: active, suppressed (inhibited) and,
  once a test silences one, suppressed (silenced).

Binaries come from ``scripts/build-control-plane`` (the control-plane cache dir); when one is
missing :class:`ServerMissing` says so and tests skip with that message (CI builds them first).

``netns``: run both inside a network namespace (``ip netns exec``), bound to its veth address,
so the apiserver's service proxy can reach them (it refuses loopback endpoints; see
testkit/netns.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .controlplane import BinariesMissing, expected_bin_dir, find_binaries, free_ports

#: Prometheus's rules: what fires, what is pending, what never fires, what fails to evaluate
RULES = """\
groups:
  - name: essentials-test
    interval: 1s
    rules:
      - alert: AlwaysFiring
        expr: vector(1)
        labels: {severity: critical, namespace: shop}
        annotations:
          summary: Checkout is down
          description: Always firing, for the tests.
          runbook_url: https://runbooks.example.com/always-firing
      - alert: DiskFilling
        expr: vector(2)
        labels: {severity: warning, namespace: payments}
        annotations:
          summary: Disk filling up
      - alert: InfoNoise
        expr: vector(3)
        labels: {severity: info, namespace: shop}
        annotations:
          summary: Inhibited by the critical alert in the same namespace
      - alert: SlowBurn
        expr: vector(1)
        for: 1h
        labels: {severity: warning, namespace: shop}
      - alert: NeverFires
        expr: vector(1) == 0
        labels: {severity: critical}
      - record: essentials:up:sum
        expr: sum(up)
      - record: essentials:broken
        expr: up * on() up
"""
#: alerts that fire (and reach Alertmanager) with RULES
FIRING = ("AlwaysFiring", "DiskFilling", "InfoNoise")

PROMETHEUS_VERSION_HINT = "prometheus"


class ServerMissing(RuntimeError):
    """A server binary is not built; the message says how to build it."""


def server_binary(name: str) -> Path:
    """The built ``prometheus`` / ``alertmanager``, or :class:`ServerMissing`."""
    try:
        directory = find_binaries(build=False)
    except BinariesMissing:
        directory = expected_bin_dir() or Path()
    path = Path(directory) / name
    if not path.is_file() or not os.access(path, os.X_OK):
        raise ServerMissing(
            f"{name} is not built (looked for {path}); scripts/build-control-plane builds it "
            "(CI runs it before the tests)")
    return path


def _get(url: str, timeout: float = 2.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@dataclass
class MonitoringStack:
    """``with MonitoringStack().start() as ms: ms.prometheus_url, ms.alertmanager_url``."""

    host: str = "127.0.0.1"
    #: run inside this network namespace (its name), bound to ``host`` there
    netns: str | None = None
    prometheus_port: int = 0
    alertmanager_port: int = 0
    #: False: no rules and no Alertmanager as notifier (tests that post their own alerts)
    rules: bool = True
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="k8set-prom-")))
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def prometheus_url(self) -> str:
        return f"http://{self.host}:{self.prometheus_port}"

    @property
    def alertmanager_url(self) -> str:
        return f"http://{self.host}:{self.alertmanager_port}"

    # -- life cycle ---------------------------------------------------------------------

    def start(self, timeout: float = 60.0) -> MonitoringStack:
        prometheus = server_binary("prometheus")
        alertmanager = server_binary("alertmanager")
        if not self.prometheus_port or not self.alertmanager_port:
            self.prometheus_port, self.alertmanager_port = free_ports(2)
        self._write_configs()
        try:
            self._spawn("alertmanager", [
                str(alertmanager), f"--config.file={self.workdir / 'alertmanager.yml'}",
                f"--storage.path={self.workdir / 'am-data'}",
                f"--web.listen-address={self.host}:{self.alertmanager_port}",
                "--cluster.listen-address=", "--log.level=warn"])
            self._spawn("prometheus", [
                str(prometheus), f"--config.file={self.workdir / 'prometheus.yml'}",
                f"--storage.tsdb.path={self.workdir / 'tsdb'}",
                f"--web.listen-address={self.host}:{self.prometheus_port}",
                "--log.level=warn"])
            self._wait_ready(self.alertmanager_url, timeout)
            self._wait_ready(self.prometheus_url, timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _spawn(self, name: str, argv: list[str]) -> None:
        if self.netns:
            argv = ["ip", "netns", "exec", self.netns, *argv]
        log = (self.workdir / f"{name}.log").open("wb")
        self.procs.append(subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                           cwd=self.workdir))

    def _wait_ready(self, url: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for proc in self.procs:
                if proc.poll() is not None:
                    raise RuntimeError(f"{proc.args} exited with {proc.returncode}: "
                                       f"{self.logs()[-2000:]}")
            with contextlib.suppress(OSError):
                status, _ = _get(f"{url}/-/ready", 1.0)
                if status == 200:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"{url} not ready after {timeout:g}s: {self.logs()[-2000:]}")

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in
                          sorted(self.workdir.glob("*.log")))

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        self.procs.clear()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> MonitoringStack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- configuration ------------------------------------------------------------------

    def _write_configs(self) -> None:
        (self.workdir / "rules.yml").write_text(RULES)
        alerting = f"""\
rule_files: [rules.yml]
alerting:
  alertmanagers:
    - static_configs:
        - targets: ["{self.host}:{self.alertmanager_port}"]
""" if self.rules else ""
        (self.workdir / "prometheus.yml").write_text(f"""\
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
{alerting}scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ["{self.host}:{self.prometheus_port}"]
  - job_name: dead
    static_configs:
      - targets: ["127.0.0.1:1"]
""")
        (self.workdir / "alertmanager.yml").write_text("""\
route:
  receiver: default
  group_by: [alertname]
  group_wait: 1s
  routes:
    - receiver: pager
      matchers: ['severity="critical"']
receivers:
  - name: default
  - name: pager
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="info"']
    equal: [namespace]
""")

    # -- waiting for what the tests assert on ---------------------------------------------

    def wait_for_alerts(self, names: tuple[str, ...] = FIRING, timeout: float = 60.0
                        ) -> list[dict[str, Any]]:
        """Alertmanager's alerts once every name in ``names`` arrived from Prometheus."""
        deadline = time.monotonic() + timeout
        alerts: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError, ValueError):
                status, body = _get(f"{self.alertmanager_url}/api/v2/alerts")
                if status == 200:
                    alerts = json.loads(body)
                    have = {a.get("labels", {}).get("alertname") for a in alerts}
                    if set(names) <= have:
                        return alerts
            time.sleep(0.2)
        raise RuntimeError(f"alerts {names} did not reach Alertmanager in {timeout:g}s "
                           f"(got {alerts}); logs: {self.logs()[-2000:]}")

    def wait_for_scrapes(self, timeout: float = 60.0) -> None:
        """Until both targets were scraped once (the dead one has its lastError)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError, ValueError):
                status, body = _get(f"{self.prometheus_url}/api/v1/targets?state=active")
                targets = json.loads(body)["data"]["activeTargets"] if status == 200 else []
                if len(targets) == 2 and all(t.get("health") in ("up", "down")
                                             for t in targets):
                    # `up` needs a sample in the TSDB too, not only a finished scrape
                    status, body = _get(f"{self.prometheus_url}/api/v1/query?query=up")
                    if status == 200 and len(json.loads(body)["data"]["result"]) == 2:
                        return
            time.sleep(0.2)
        raise RuntimeError(f"Prometheus did not scrape in {timeout:g}s: {self.logs()[-2000:]}")

    def wait_for_rule_errors(self, timeout: float = 60.0) -> None:
        """Until the rules API shows ``essentials:broken`` failing. Why: it fails only once
        ``up`` has both targets' series (many-to-many ``on()``), and the firing alerts can
        reach Alertmanager from an evaluation before the dead target's first scrape; a test
        reading the rules once (polling slowed for a snapshot) then saw no failing rule."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
                status, body = _get(f"{self.prometheus_url}/api/v1/rules")
                groups = json.loads(body)["data"]["groups"] if status == 200 else []
                if any(r.get("name") == "essentials:broken" and r.get("health") == "err"
                       for g in groups for r in g.get("rules", [])):
                    return
            time.sleep(0.2)
        raise RuntimeError(f"the broken rule did not fail in {timeout:g}s: "
                           f"{self.logs()[-2000:]}")

    def post_alerts(self, alerts: list[dict[str, Any]]) -> None:
        """Send alerts straight to Alertmanager (``POST /api/v2/alerts``), e.g. many of them."""
        req = urllib.request.Request(
            f"{self.alertmanager_url}/api/v2/alerts", data=json.dumps(alerts).encode(),
            headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(req, timeout=30) as resp:
            resp.read()
