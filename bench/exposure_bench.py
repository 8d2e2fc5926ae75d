"""Benchmark (not a test): the exposure pane with 2,000 Ingresses.

Starts a real kube-apiserver with testkit's ControlPlane and creates, in one namespace,
COUNT Ingresses (one host each, a tenth with TLS), their COUNT Services and COUNT
EndpointSlices, an IngressClass and a ready ingress-nginx Deployment. Then measures in
separate child processes (each with its own peak RSS):

* ``raw``: the paginated HTTP list (limit=500) of the Ingresses, Services and EndpointSlices
  with httpx + json -- the baseline, measured in the same run;
* ``bare``: a bare Textual app pushing an empty Screen and painting it (the fixed cost of a
  screen's first paint, which a raw list does not pay; ``_common.bare_screen_seconds``);
* ``pane``: the app (headless ``run_test``) from opening the pane to a table with every host
  painted (all lists read, rows built and handed to the virtual table, one frame drawn).
  DNS is off (``[exposure] resolve = false``): the budget is about the cluster reads, not a
  resolver.

The three run interleaved for ``--rounds`` rounds (the shared machine's load then hits each
alike) and the medians are compared: the budget "pane ready <= 1.5x the raw list" is read as
``pane <= 1.5 x (raw + bare)``; ``pane / raw`` is printed too. Then the time a rebuild after
one watch event takes (model in a thread, table on the event loop).

    .venv/bin/python bench/exposure_bench.py [--count 2000] [--rounds 3] [--profile FILE]
    .venv/bin/python bench/exposure_bench.py --serve        # set up once, keep it, then
    .venv/bin/python bench/exposure_bench.py --kubeconfig PATH   # measure against it

``--profile FILE`` runs one more pane child under cProfile and writes its stats to FILE
(``python -m pstats FILE``): where opening the pane spends its time.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import datetime as dt
import json
import os
import statistics
import sys
import time

from _common import (
    ROOT,
    PaintProbe,
    bare_screen_seconds,
    bench_cluster,
    board_read,
    budget_line,
    raw_paged_count,
    rss_mb,
    run_child,
)

sys.path.insert(0, str(ROOT))
NS = "bench"
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
CLASS = "bench-nginx"


async def create_objects(kubeconfig: str, count: int) -> None:
    from k8s_essentials_tui.api import DEPLOYMENTS, INGRESSES, NAMESPACES, SECRETS, SERVICES
    from k8s_essentials_tui.kube.session import ClusterSession, ConnectOptions
    from k8s_essentials_tui.plugins.exposure import ENDPOINT_SLICES, INGRESS_CLASSES
    from tests import exposure_fixtures as fx

    session = await ClusterSession.connect(ConnectOptions(kubeconfig=kubeconfig))
    client = session.client
    await client.create(NAMESPACES, {"apiVersion": "v1", "kind": "Namespace",
                                     "metadata": {"name": NS}})
    await client.create(INGRESS_CLASSES, {"apiVersion": "networking.k8s.io/v1",
                                          "kind": "IngressClass", "metadata": {"name": CLASS},
                                          "spec": {"controller": "k8s.io/ingress-nginx"}})
    labels = {"app.kubernetes.io/name": "ingress-nginx",
              "app.kubernetes.io/component": "controller"}
    await client.create(DEPLOYMENTS, {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "ingress-nginx-controller", "namespace": NS, "labels": labels},
        "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                 "template": {"metadata": {"labels": labels}, "spec": {"containers": [
                     {"name": "controller", "image": "example.test/c:1"}]}}}}, NS)
    pair = fx.leaf("*.example.test", now=NOW, seed="bench")
    secret_data = {"tls.crt": base64.b64encode(pair.cert_pem).decode(),
                   "tls.key": base64.b64encode(pair.key_pem).decode()}
    sem = asyncio.Semaphore(24)

    async def one(i: int) -> None:
        name = f"app{i}"
        tls = i % 10 == 0
        ingress: dict = {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                         "metadata": {"name": name, "namespace": NS},
                         "spec": {"ingressClassName": CLASS, "rules": [{
                             "host": f"{name}.example.test", "http": {"paths": [{
                                 "path": "/", "pathType": "Prefix", "backend": {"service": {
                                     "name": name, "port": {"number": 80}}}}]}}]}}
        if tls:
            ingress["spec"]["tls"] = [{"hosts": [f"{name}.example.test"],
                                       "secretName": f"{name}-tls"}]
        async with sem:
            await client.create(SERVICES, {
                "apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
                # headless: the test control plane's service range has 254 addresses
                "spec": {"clusterIP": "None", "selector": {"app": name},
                         "ports": [{"name": "http", "port": 80}]}}, NS)
            await client.create(ENDPOINT_SLICES, {
                "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                "metadata": {"name": f"{name}-x", "labels": {
                    "kubernetes.io/service-name": name}},
                "addressType": "IPv4",
                "endpoints": [{"addresses": [f"10.1.{i // 250}.{i % 250 + 1}"],
                               "conditions": {"ready": i % 7 != 0}}],
                "ports": [{"name": "http", "port": 80}]}, NS)
            await client.create(INGRESSES, ingress, NS)
            if tls:
                await client.create(SECRETS, {
                    "apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
                    "metadata": {"name": f"{name}-tls"}, "data": secret_data}, NS)

    t0 = time.perf_counter()
    batch = 500
    for start in range(0, count, batch):
        await asyncio.gather(*(one(i) for i in range(start, min(count, start + batch))))
        print(f"  created {min(count, start + batch)}/{count}", file=sys.stderr, flush=True)
    print(f"setup: {count} Ingresses + Services + EndpointSlices in "
          f"{time.perf_counter() - t0:.1f}s", file=sys.stderr)
    await session.close()


async def measure_raw(kubeconfig: str) -> dict[str, float]:
    """Paginated GET + JSON decode of the three collections: the floor any client pays."""
    from k8s_essentials_tui.kube.client import build_http_client
    from k8s_essentials_tui.kube.config import load_settings

    http = build_http_client(load_settings(kubeconfig, None))
    t0 = time.perf_counter()
    c0 = time.process_time()
    total = 0
    for path in (f"/apis/networking.k8s.io/v1/namespaces/{NS}/ingresses",
                 f"/api/v1/namespaces/{NS}/services",
                 f"/apis/discovery.k8s.io/v1/namespaces/{NS}/endpointslices"):
        total += await raw_paged_count(http, path)
    elapsed = time.perf_counter() - t0
    cpu = time.process_time() - c0
    await http.aclose()
    return {"seconds": elapsed, "cpu_seconds": cpu, "objects": total, "rss_mb": rss_mb()}


async def measure_pane(kubeconfig: str, count: int) -> dict[str, float]:
    from k8s_essentials_tui.api import VirtualTable
    from k8s_essentials_tui.app import EssentialsApp, StartOptions
    from k8s_essentials_tui.plugins.exposure.pane import ExposurePane
    from k8s_essentials_tui.settings import Settings

    settings = Settings()
    settings.values["exposure.resolve"] = False
    if os.environ.get("EXPOSURE_BENCH_WATCHLIST"):  # WatchList instead (compare)
        settings.values["watch_list"] = True
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=NS, now=NOW,
                                     settings=settings))
    out: dict[str, float] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await board_read(app, pilot)
        # ready = the first frame painting the table with every host and no list missing
        probe = PaintProbe(VirtualTable, lambda table: table.row_count >= count
                           and not table.parent.blocking())
        t0 = time.perf_counter()
        c0 = time.process_time()
        app.open_plugin("ingress-nginx")
        out["ready_seconds"] = await probe.wait() - t0
        out["cpu_seconds"] = time.process_time() - c0  # every thread of the app
        pane = app.screen.query_one(ExposurePane)
        out["lists_seconds"] = out["ready_seconds"]
        while pane.loading_kinds():
            await pilot.pause(0.005)
        out["all_lists_seconds"] = time.perf_counter() - t0
        from k8s_essentials_tui.plugins.exposure.model import build

        t1 = time.perf_counter()
        build(pane._inputs(), pane._facts)  # one watch event: the model, in a thread
        out["build_seconds"] = time.perf_counter() - t1
        t1 = time.perf_counter()
        pane.render_rows()  # ... and on the event loop: only the changed cells
        out["render_seconds"] = time.perf_counter() - t1
        out["rows"] = pane.table.row_count
    out["rss_mb"] = rss_mb()
    return out


async def measure_bare() -> dict[str, float]:
    return {"seconds": await bare_screen_seconds((120, 40), painted=True), "rss_mb": rss_mb()}


def profile_pane(kubeconfig: str, count: int, path: str) -> dict[str, float]:
    import cProfile

    profiler = cProfile.Profile()
    out = profiler.runcall(asyncio.run, measure_pane(kubeconfig, count))
    profiler.dump_stats(path)
    return out


def child(mode: str, kubeconfig: str, count: int, *extra: str) -> dict[str, float]:
    return run_child(__file__, mode, "--kubeconfig", kubeconfig, "--count", str(count),
                     *extra)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", help="write the cProfile stats of one pane child here")
    parser.add_argument("--child", choices=("raw", "bare", "pane"))
    parser.add_argument("--serve", action="store_true",
                        help="set the cluster up and keep it until interrupted")
    parser.add_argument("--kubeconfig")
    args = parser.parse_args()
    if args.child == "bare":
        print(json.dumps(asyncio.run(measure_bare())))
        return 0
    if args.child == "raw":
        print(json.dumps(asyncio.run(measure_raw(args.kubeconfig))))
        return 0
    if args.child == "pane":
        if args.profile:
            print(json.dumps(profile_pane(args.kubeconfig, args.count, args.profile)))
        else:
            print(json.dumps(asyncio.run(measure_pane(args.kubeconfig, args.count))))
        return 0
    if args.serve:  # set up once, then measure children by hand against this cluster
        with bench_cluster("exposure-bench-") as kubeconfig:
            asyncio.run(create_objects(kubeconfig, args.count))
            print(f"serving: --kubeconfig {kubeconfig} (interrupt to stop)", flush=True)
            with contextlib.suppress(KeyboardInterrupt):
                while True:
                    time.sleep(3600)
        return 0
    raws: list[dict[str, float]] = []
    bares: list[dict[str, float]] = []
    panes: list[dict[str, float]] = []
    with contextlib.ExitStack() as stack:
        if args.kubeconfig:  # a cluster already set up by --serve
            kubeconfig = args.kubeconfig
        else:
            kubeconfig = stack.enter_context(bench_cluster("exposure-bench-"))
            asyncio.run(create_objects(kubeconfig, args.count))
        # interleaved rounds, medians: the shared machine's load hits the three alike
        for i in range(args.rounds):
            raws.append(child("raw", kubeconfig, args.count))
            bares.append(child("bare", kubeconfig, args.count))
            panes.append(child("pane", kubeconfig, args.count))
            print(f"  round {i + 1}: raw {raws[-1]['seconds']:.2f}s, bare "
                  f"{bares[-1]['seconds']:.3f}s, pane {panes[-1]['ready_seconds']:.2f}s",
                  file=sys.stderr, flush=True)
        if args.profile:
            child("pane", kubeconfig, args.count, "--profile", args.profile)
    raw = statistics.median(r["seconds"] for r in raws)
    bare = statistics.median(r["seconds"] for r in bares)
    ready = statistics.median(r["ready_seconds"] for r in panes)
    pane = sorted(panes, key=lambda r: r["ready_seconds"])[len(panes) // 2]
    print(f"objects: {args.count} Ingresses + {args.count} Services + {args.count} "
          f"EndpointSlices (+ {args.count // 10} TLS Secrets); medians of {args.rounds} "
          "interleaved rounds")
    print(budget_line("pane ready, every host painted", raw, bare, ready, 1.5))
    print(f"CPU (load-independent; median): raw client "
          f"{statistics.median(r['cpu_seconds'] for r in raws) * 1000:.0f} ms, the app from "
          f"open to painted {statistics.median(p['cpu_seconds'] for p in panes) * 1000:.0f} ms")
    print(f"peak RSS: raw {max(r['rss_mb'] for r in raws):.0f} MB, pane "
          f"{max(r['rss_mb'] for r in panes):.0f} MB")
    print(f"  of which the lists the rows need (shared caches synced): "
          f"{statistics.median(r['lists_seconds'] for r in panes):.2f}s; every list, "
          f"Gateway API kinds included: {pane['all_lists_seconds']:.2f}s")
    print(f"one watch event: model {pane['build_seconds'] * 1000:.0f} ms (thread), table "
          f"{pane['render_seconds'] * 1000:.0f} ms (event loop)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
