"""Benchmark (not a test): the essentials board on a big cluster.

Starts a real kube-apiserver with testkit's ControlPlane and fills it like a large shared
cluster: ``--workloads`` Deployments (plus a fifth as many StatefulSets and a tenth as many
DaemonSets) spread over 40 namespaces, ``--releases`` Helm releases with 10 revisions each
(helm's default ``--history-max``; nine of ten ``superseded``) and a few admission webhooks.
Then it measures, each in its own child process (own peak RSS):

* ``raw``: the baseline, measured in the same run: the same requests the board makes
  (``/apis`` + the 7 lists, same selectors), paginated GET + ``json.loads`` with httpx;
* ``report``: ``k8s-essentials-tui report``'s work (discovery, snapshot, detection);
* ``app``: the TUI from connected to the first complete board, caches synced with
  WatchList (the 1.35 default), and ``app-list`` the same with list + watch, as on a
  server without WatchList.

It prints the ratios against ``raw`` and the Helm bytes the board no longer downloads
(``status!=superseded`` vs every revision).

    .venv/bin/python bench/board_bench.py [--workloads 2000] [--releases 150]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gzip
import json
import random
import sys
import time
from typing import Any

from _common import (
    ROOT,
    LoopStalls,
    bench_cluster,
    raw_paged_count,
    rss_mb,
    run_child,
    stream_every_collection,
    use_watch_list,
)

sys.path.insert(0, str(ROOT))
NAMESPACES = 40


# -- setup ----------------------------------------------------------------------------------


def _workload(kind: str, ns: str, name: str, i: int) -> dict[str, Any]:
    labels = {"app.kubernetes.io/name": name, "app.kubernetes.io/instance": name,
              "team": f"team-{i % 13}"}
    spec: dict[str, Any] = {
        "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
        "template": {
            "metadata": {"labels": labels},
            "spec": {"containers": [
                {"name": "app", "image": f"registry.example.com/{name}:1.{i % 20}.0",
                 "ports": [{"containerPort": 8080}],
                 "env": [{"name": f"VAR_{k}", "value": f"value-{k}-{i}"} for k in range(8)],
                 "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}}},
                {"name": "sidecar", "image": "registry.example.com/proxy:2.3.1"},
            ]},
        },
    }
    if kind != "DaemonSet":
        spec["replicas"] = 1 + i % 3
    if kind == "StatefulSet":
        spec["serviceName"] = name
    return {"apiVersion": "apps/v1", "kind": kind,
            "metadata": {"name": name, "namespace": ns, "labels": labels}, "spec": spec}


def _status(kind: str, i: int) -> dict[str, Any]:
    want = 1 + i % 3
    if kind == "DaemonSet":
        return {"status": {"desiredNumberScheduled": 3, "numberReady": 3 - (i % 5 == 0),
                           "currentNumberScheduled": 3, "numberMisscheduled": 0}}
    ready = want - (i % 7 == 0)
    return {"status": {"replicas": want, "readyReplicas": ready,
                       "availableReplicas": ready, "updatedReplicas": want}}


def _release_secret(ns: str, name: str, rev: int, last: int, rng: random.Random) -> dict:
    """A Helm 3 release Secret of realistic size: the chart's templates ride along."""
    templates = [{"name": f"templates/t{k}.yaml",
                  "data": base64.b64encode(("\n".join(
                      f"  key{j}: {{{{ .Values.v{rng.randrange(10**6)} }}}}"
                      for j in range(120))).encode()).decode()} for k in range(12)]
    status = "deployed" if rev == last else "superseded"
    release = {"name": name, "namespace": ns, "version": rev,
               "info": {"status": status, "description": "Upgrade complete",
                        "first_deployed": "2026-01-01T00:00:00Z",
                        "last_deployed": "2026-05-01T00:00:00Z"},
               "chart": {"metadata": {"name": name, "version": f"1.{rev}.0",
                                      "appVersion": f"2.{rev}"},
                         "templates": templates, "values": {"replicas": 2}},
               "config": {"replicas": 2}, "manifest": "---\n# manifest\n" * 200}
    blob = base64.b64encode(gzip.compress(json.dumps(release).encode(), mtime=0))
    return {"apiVersion": "v1", "kind": "Secret", "type": "helm.sh/release.v1",
            "metadata": {"name": f"sh.helm.release.v1.{name}.v{rev}", "namespace": ns,
                         "labels": {"name": name, "owner": "helm", "status": status,
                                    "version": str(rev)}},
            "data": {"release": base64.b64encode(blob).decode()}}


async def create_objects(kubeconfig: str, workloads: int, releases: int) -> None:
    from k8s_essentials_tui.kube.resources import (
        DAEMONSETS,
        DEPLOYMENTS,
        SECRETS,
        STATEFULSETS,
        VALIDATING_WEBHOOKS,
    )
    from k8s_essentials_tui.kube.resources import (
        NAMESPACES as NS_TYPE,
    )
    from k8s_essentials_tui.kube.session import ClusterSession, ConnectOptions

    session = await ClusterSession.connect(ConnectOptions(kubeconfig=kubeconfig))
    client = session.client
    for n in range(NAMESPACES):
        await client.create(NS_TYPE, {"apiVersion": "v1", "kind": "Namespace",
                                      "metadata": {"name": f"ns-{n}"}})
    sem = asyncio.Semaphore(24)
    types = {"Deployment": DEPLOYMENTS, "StatefulSet": STATEFULSETS, "DaemonSet": DAEMONSETS}
    plan = ([("Deployment", i) for i in range(workloads)]
            + [("StatefulSet", i) for i in range(workloads // 5)]
            + [("DaemonSet", i) for i in range(workloads // 10)])
    t0 = time.perf_counter()

    async def one(kind: str, i: int) -> None:
        ns, name = f"ns-{i % NAMESPACES}", f"{kind.lower()}-{i}"
        async with sem:
            await client.create(types[kind], _workload(kind, ns, name, i), ns)
            await client.patch_status(types[kind], name, _status(kind, i), ns)

    for start in range(0, len(plan), 500):
        await asyncio.gather(*(one(k, i) for k, i in plan[start:start + 500]))
    rng = random.Random(7)
    secrets = [(f"ns-{r % NAMESPACES}", f"rel-{r}", rev)
               for r in range(releases) for rev in range(1, 11)]

    async def helm(ns: str, name: str, rev: int) -> None:
        async with sem:
            await client.create(SECRETS, _release_secret(ns, name, rev, 10, rng), ns)

    for start in range(0, len(secrets), 500):
        await asyncio.gather(*(helm(*s) for s in secrets[start:start + 500]))
    for w in range(6):
        await client.create(VALIDATING_WEBHOOKS, {
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "ValidatingWebhookConfiguration", "metadata": {"name": f"hook-{w}"},
            "webhooks": [{"name": f"v.hook-{w}.example.com", "sideEffects": "None",
                          "admissionReviewVersions": ["v1"], "failurePolicy": "Ignore",
                          "rules": [{"operations": ["CREATE"], "apiGroups": ["example.com"],
                                     "apiVersions": ["v1"], "resources": ["widgets"]}],
                          "clientConfig": {"service": {"namespace": "ns-0",
                                                       "name": f"hook-{w}"}}}]})
    print(f"setup: {len(plan)} workloads, {len(secrets)} Helm Secrets in "
          f"{time.perf_counter() - t0:.1f}s", file=sys.stderr)
    await session.close()


# -- measurements (child processes) --------------------------------------------------------


def board_paths() -> list[tuple[str, str | None]]:
    """The board's requests: (path, label selector), as ``snapshot_builder`` makes them."""
    from k8s_essentials_tui.detection.snapshot_builder import HELM_SELECTOR, workload_selector
    from k8s_essentials_tui.kube.resources import (
        DAEMONSETS,
        DEPLOYMENTS,
        MUTATING_WEBHOOKS,
        SECRETS,
        STATEFULSETS,
        VALIDATING_WEBHOOKS,
    )
    from k8s_essentials_tui.registry import load_registry

    sel = workload_selector(load_registry().ordered())
    return [(DEPLOYMENTS.path(None), sel), (STATEFULSETS.path(None), sel),
            (DAEMONSETS.path(None), sel), (SECRETS.path(None), HELM_SELECTOR),
            (VALIDATING_WEBHOOKS.path(None), None), (MUTATING_WEBHOOKS.path(None), None)]


async def measure_raw(kubeconfig: str) -> dict[str, float]:
    from k8s_essentials_tui.kube.client import build_http_client
    from k8s_essentials_tui.kube.config import load_settings
    from k8s_essentials_tui.kube.discovery import AGGREGATED

    http = build_http_client(load_settings(kubeconfig, None))
    t0 = time.perf_counter()
    total = 0
    json.loads((await http.get("/apis", headers={"Accept": AGGREGATED})).content)
    for path, selector in board_paths():
        total += await raw_paged_count(http, path, selector)
    elapsed = time.perf_counter() - t0
    await http.aclose()
    return {"seconds": elapsed, "objects": total, "rss_mb": rss_mb()}


async def measure_helm_bytes(kubeconfig: str) -> dict[str, float]:
    from k8s_essentials_tui.helm.release import CURRENT_SELECTOR, LABEL_SELECTOR
    from k8s_essentials_tui.kube.client import build_http_client
    from k8s_essentials_tui.kube.config import load_settings

    http = build_http_client(load_settings(kubeconfig, None))
    out: dict[str, float] = {}
    for key, sel in (("all", LABEL_SELECTOR), ("current", CURRENT_SELECTOR)):
        resp = await http.get("/api/v1/secrets", params={"labelSelector": sel})
        out[f"{key}_mb"] = len(resp.content) / 1e6
        out[f"{key}_items"] = len(resp.json()["items"])
    await http.aclose()
    return out


async def measure_report(kubeconfig: str) -> dict[str, float]:
    from k8s_essentials_tui.detection.evaluate import evaluate
    from k8s_essentials_tui.detection.snapshot_builder import build_snapshot, client_lister
    from k8s_essentials_tui.helm.summary import summarize_releases
    from k8s_essentials_tui.kube.session import ClusterSession, ConnectOptions
    from k8s_essentials_tui.registry import load_registry

    plugins = load_registry().ordered()
    t0 = time.perf_counter()
    session = await ClusterSession.connect(ConnectOptions(kubeconfig=kubeconfig), check=False)
    disc = await session.discovery()

    async def groups():  # type: ignore[no-untyped-def]
        return set(disc.groups), set(disc.resources)

    snap = await build_snapshot(plugins, client_lister(session.client), groups,
                                summarize_releases)
    evaluate(plugins, snap)
    elapsed = time.perf_counter() - t0
    await session.close()
    return {"seconds": elapsed, "workloads": len(snap.workloads), "rss_mb": rss_mb()}


async def measure_app(kubeconfig: str, watch_list: bool, stream: bool = False
                      ) -> dict[str, float]:
    from k8s_essentials_tui.app import EssentialsApp, StartOptions
    from k8s_essentials_tui.widgets.board import Board

    use_watch_list(watch_list)  # True: WatchList; False: list + watch (the app's default)
    if stream:  # WatchList even for large collections (no switch to a paginated list)
        stream_every_collection()
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig))
    async with app.run_test(size=(120, 40)) as pilot:
        t0 = time.perf_counter()
        while app.session is None:
            await pilot.pause(0.005)
        board = app.screen.query_one(Board)
        while board.snapshot is None:
            await pilot.pause(0.005)
        elapsed = time.perf_counter() - t0
        modes = sorted({c.sync_mode for c in app.session.caches.caches()})
        # a refresh from the caches (what every watched change costs the event loop), and
        # the longest the loop was blocked meanwhile (keys wait that long)
        stalls = LoopStalls()
        stalls.start()
        await pilot.pause(0.05)
        stalls.reset()
        refresh = []
        for _ in range(5):
            t1 = time.perf_counter()
            await app.detection.run_rebuild(False)
            refresh.append(time.perf_counter() - t1)
            await pilot.pause(0.02)
        stalls.stop()
    return {"seconds": elapsed, "modes": ",".join(modes), "rss_mb": rss_mb(),  # type: ignore[dict-item]
            "refresh_seconds": sorted(refresh)[2], "refresh_stall_ms": stalls.worst_ms}


def child(mode: str, kubeconfig: str) -> dict[str, Any]:
    return run_child(__file__, mode, "--kubeconfig", kubeconfig)


def best(mode: str, kubeconfig: str, runs: int = 3) -> dict[str, Any]:
    return min((child(mode, kubeconfig) for _ in range(runs)), key=lambda r: r["seconds"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", type=int, default=2000)
    parser.add_argument("--releases", type=int, default=150)
    parser.add_argument("--child", choices=("raw", "report", "app", "app-list", "app-stream",
                                            "helm-bytes"))
    parser.add_argument("--kubeconfig")
    args = parser.parse_args()
    if args.child:
        run = {"raw": lambda: measure_raw(args.kubeconfig),
               "report": lambda: measure_report(args.kubeconfig),
               "app": lambda: measure_app(args.kubeconfig, True),
               "app-list": lambda: measure_app(args.kubeconfig, False),
               "app-stream": lambda: measure_app(args.kubeconfig, True, stream=True),
               "helm-bytes": lambda: measure_helm_bytes(args.kubeconfig)}[args.child]
        print(json.dumps(asyncio.run(run())))
        return 0

    with bench_cluster("board-bench-") as kubeconfig:
        asyncio.run(create_objects(kubeconfig, args.workloads, args.releases))
        raw = best("raw", kubeconfig)
        report = best("report", kubeconfig)
        app = best("app", kubeconfig)
        app_list = best("app-list", kubeconfig)
        app_stream = best("app-stream", kubeconfig)
        helm = child("helm-bytes", kubeconfig)
    base = raw["seconds"]
    print(f"cluster: {args.workloads} Deployments, {args.workloads // 5} StatefulSets, "
          f"{args.workloads // 10} DaemonSets, {args.releases} Helm releases x 10 revisions")
    print(f"raw HTTP, the board's 7 requests (best of 3): {base:.2f}s, "
          f"{raw['objects']} objects, peak RSS {raw['rss_mb']:.0f} MB")
    print(f"report (discovery+snapshot+detection): {report['seconds']:.2f}s  "
          f"ratio {report['seconds'] / base:.2f}x, peak RSS {report['rss_mb']:.0f} MB")
    print(f"app, first full board, {app['modes']}: {app['seconds']:.2f}s  "
          f"ratio {app['seconds'] / base:.2f}x, peak RSS {app['rss_mb']:.0f} MB")
    print(f"app, one board refresh from the caches (median of 5): "
          f"{app['refresh_seconds'] * 1000:.0f} ms, longest event-loop stall meanwhile "
          f"{app['refresh_stall_ms']:.0f} ms (target <= 50 ms)")
    print(f"app, first full board, {app_list['modes']}: {app_list['seconds']:.2f}s  "
          f"ratio {app_list['seconds'] / base:.2f}x, peak RSS {app_list['rss_mb']:.0f} MB")
    print(f"app, first full board, WatchList for every size: {app_stream['seconds']:.2f}s  "
          f"ratio {app_stream['seconds'] / base:.2f}x, peak RSS {app_stream['rss_mb']:.0f} MB")
    print(f"Helm Secrets read by the board: {helm['current_items']:.0f} "
          f"({helm['current_mb']:.1f} MB) instead of every revision: "
          f"{helm['all_items']:.0f} ({helm['all_mb']:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
