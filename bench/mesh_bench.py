"""Benchmark (not a test): the mesh pane over 20,000 pods in 200 namespaces.

Starts a real kube-apiserver with testkit's ControlPlane, creates the namespaces (half
labelled for Istio, a quarter annotated for Linkerd, the rest unmeshed) and the pods as
injection leaves them (testkit.mesh: sidecars of three versions, some without a proxy), then
measures in separate child processes, so each figure has its own peak RSS:

* ``raw``: the paginated HTTP list (limit=500) of every pod with httpx + json -- the
  baseline, measured in the same run;
* ``pane``: the app (headless ``run_test``) from opening the pane to the namespaces table
  filled from the shared pod cache (every meshed namespace has its row and coverage).

It prints the ratio pane/raw (target <= 1.5x) and the peak RSS.

    .venv/bin/python bench/mesh_bench.py [--pods 20000] [--namespaces 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

from _common import (
    ROOT,
    bench_cluster,
    raw_paged_count,
    rss_mb,
    run_child,
    stream_every_collection,
    use_watch_list,
)

sys.path.insert(0, str(ROOT))
VERSIONS = ("1.30.3", "1.29.2", "1.28.0")


def namespace_kind(i: int) -> str:
    return ("istio", "istio", "linkerd", "none")[i % 4]


async def create_objects(kubeconfig: str, pods: int, namespaces: int) -> None:
    from k8s_essentials_tui.kube.resources import DEPLOYMENTS, NAMESPACES, PODS
    from k8s_essentials_tui.kube.session import ClusterSession, ConnectOptions
    from testkit import mesh as m

    session = await ClusterSession.connect(ConnectOptions(kubeconfig=kubeconfig))
    client = session.client
    await client.create(NAMESPACES, m.namespace("istio-system"))
    await client.create(DEPLOYMENTS, m.istiod("istio-system", VERSIONS[0]), "istio-system")
    for i in range(namespaces):
        kind = namespace_kind(i)
        labels = {"istio-injection": "enabled"} if kind == "istio" else {}
        notes = {"linkerd.io/inject": "enabled"} if kind == "linkerd" else {}
        await client.create(NAMESPACES, m.namespace(f"ns{i}", labels=labels,
                                                    annotations=notes))
    sem = asyncio.Semaphore(24)

    async def one(i: int) -> None:
        ns_i = i % namespaces
        ns, kind = f"ns{ns_i}", namespace_kind(ns_i)
        pod = m.pod(f"p{i}", ns, labels={"app": f"a{i % 7}"},
                    owner=("ReplicaSet", f"a{i % 7}-5d4f8c7b9"), template_hash="5d4f8c7b9")
        if kind == "istio" and i % 10:
            pod = m.with_istio(pod, VERSIONS[i % 3])
        elif kind == "linkerd" and i % 10:
            pod = m.with_linkerd(pod, "edge-26.8.4")
        async with sem:
            await client.create(PODS, pod, ns)

    t0 = time.perf_counter()
    batch = 500
    for start in range(0, pods, batch):
        await asyncio.gather(*(one(i) for i in range(start, min(pods, start + batch))))
        print(f"  created {min(pods, start + batch)}/{pods}", file=sys.stderr, flush=True)
    print(f"setup: {namespaces} namespaces, {pods} pods in {time.perf_counter() - t0:.1f}s",
          file=sys.stderr)
    await session.close()


async def measure_raw(kubeconfig: str) -> dict[str, float]:
    """Paginated GET + JSON decode of every pod: the floor any client pays."""
    from k8s_essentials_tui.kube.client import build_http_client
    from k8s_essentials_tui.kube.config import load_settings

    settings = load_settings(kubeconfig, None)
    http = build_http_client(settings)
    t0 = time.perf_counter()
    total = await raw_paged_count(http, "/api/v1/pods")
    elapsed = time.perf_counter() - t0
    await http.aclose()
    return {"seconds": elapsed, "objects": total, "rss_mb": rss_mb()}


async def measure_pane(kubeconfig: str, pods: int, namespaces: int,
                       watch_list: bool = True) -> dict[str, float]:
    from k8s_essentials_tui.app import EssentialsApp, StartOptions
    from k8s_essentials_tui.plugins.mesh.pane import MeshPane

    use_watch_list(watch_list)  # True: WatchList; False: list + watch (the app's default)

    meshed = sum(1 for i in range(namespaces) if namespace_kind(i) != "none")
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig))
    out: dict[str, float] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        # as an operator does: the board is read first; meanwhile the app imports the
        # panes' modules (tui/prewarm.py), so the pane is timed from "enter", not from
        # Python's imports (the raw side has its imports done before its clock starts too)
        while app.panes_imported is None or not app.panes_imported.is_set():
            await pilot.pause(0.05)
        t0 = time.perf_counter()
        app.open_plugin("istio")
        await pilot.pause()
        pane = app.screen.query_one(MeshPane)
        marks: dict[str, float] = {}
        while not (pane.report is not None and pane.report.state.expected
                   and pane.table.row_count >= meshed
                   and sum(n.pods + n.opted_out for n in pane.report.state.namespaces)
                   >= pods * meshed // namespaces * 0.99):
            for name, cache in pane._caches.items():
                if cache is not None and cache.synced and name not in marks:
                    marks[name] = time.perf_counter() - t0
            await pilot.pause(0.005)
        out["ready_seconds"] = time.perf_counter() - t0
        out["slowest_cache"] = max(marks.values(), default=0.0)
        out["pods_synced"] = marks.get("pods", 0.0)
        out["pods_seen"] = len(pane._items("pods"))
        # one watch event after load: a pod loses its proxy -> the coverage cell changes
        t1 = time.perf_counter()
        before = pane.report.state.covered
        assert app.session is not None
        from k8s_essentials_tui.kube.resources import PODS

        victim = next(p for p in pane.report.state.pods if p.proxy.mesh)
        await app.session.client.delete(PODS, victim.name, victim.namespace)
        while pane.report.state.covered != before - 1:
            await pilot.pause(0.005)
        out["event_seconds"] = time.perf_counter() - t1
    out["rss_mb"] = rss_mb()
    return out


def child(mode: str, kubeconfig: str, pods: int, namespaces: int) -> dict[str, float]:
    return run_child(__file__, mode, "--kubeconfig", kubeconfig, "--pods", str(pods),
                     "--namespaces", str(namespaces))


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pods", type=int, default=20_000)
    parser.add_argument("--namespaces", type=int, default=200)
    parser.add_argument("--child", choices=("raw", "pane", "pane-list", "pane-stream"))
    parser.add_argument("--kubeconfig")
    args = parser.parse_args()
    if args.child == "raw":
        print(json.dumps(asyncio.run(measure_raw(args.kubeconfig))))
        return 0
    if args.child == "pane-stream":
        stream_every_collection()
    if args.child in ("pane", "pane-list", "pane-stream"):
        print(json.dumps(asyncio.run(measure_pane(args.kubeconfig, args.pods,
                                                  args.namespaces, args.child == "pane"))))
        return 0

    with bench_cluster("mesh-bench-") as kubeconfig:
        asyncio.run(create_objects(kubeconfig, args.pods, args.namespaces))
        # best of 2 each: on a 2-core machine the apiserver and the client share the CPUs
        raw = min((child("raw", kubeconfig, args.pods, args.namespaces) for _ in range(2)),
                  key=lambda r: r["seconds"])
        pane = min((child("pane", kubeconfig, args.pods, args.namespaces) for _ in range(2)),
                   key=lambda r: r["ready_seconds"])
        pane_list = min((child("pane-list", kubeconfig, args.pods, args.namespaces)
                         for _ in range(2)), key=lambda r: r["ready_seconds"])
        pane_stream = min((child("pane-stream", kubeconfig, args.pods, args.namespaces)
                           for _ in range(2)), key=lambda r: r["ready_seconds"])
    ratio = pane["ready_seconds"] / raw["seconds"]
    print(f"objects: {args.pods} pods in {args.namespaces} namespaces")
    print(f"raw HTTP list of every pod (best of 2): {raw['seconds']:.2f}s, "
          f"peak RSS {raw['rss_mb']:.0f} MB")
    print(f"pane ready, namespaces table with coverage (best of 2): "
          f"{pane['ready_seconds']:.2f}s  ratio {ratio:.2f}x (target <= 1.5x)")
    print(f"  the same with list + watch: {pane_list['ready_seconds']:.2f}s  ratio "
          f"{pane_list['ready_seconds'] / raw['seconds']:.2f}x (pod cache synced after "
          f"{pane_list['pods_synced']:.2f}s)")
    print(f"  the same with WatchList for every size (no switch to a paginated list past "
          f"500 pods): {pane_stream['ready_seconds']:.2f}s  ratio "
          f"{pane_stream['ready_seconds'] / raw['seconds']:.2f}x")
    print(f"one pod deleted to the coverage change: {pane['event_seconds'] * 1000:.0f} ms")
    print(f"  (the pod cache synced after {pane['pods_synced']:.2f}s, the slowest of the "
          f"pane's caches after {pane['slowest_cache']:.2f}s)")
    print(f"pane peak RSS: {pane['rss_mb']:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
