"""Benchmark (not a test): the GitOps pane with 2,000 Applications + 2,000 Kustomizations.

Starts a real kube-apiserver with testkit's ControlPlane and the Argo CD / Flux CRDs, creates
the objects with the status their controllers would write (testkit.gitops), then measures in
separate child processes (each figure with its own peak RSS):

* ``raw``: the paginated HTTP list (limit=500) of both collections with httpx + json -- the
  data path's baseline;
* ``bare``: a bare Textual app pushing an empty Screen and painting it (the fixed cost of
  any screen's first paint, which a raw list does not pay; ``_common.bare_screen_seconds``);
* ``pane``: the app (headless ``run_test``), once the board has drawn, from opening the
  pane to the visible tab (Applications) holding and painting every row with the status
  line counting both collections (so both lists are in and parsed); then ``2`` to the
  Kustomizations tab until its rows are painted (the pane fills only the visible tab).

Rounds are interleaved (raw, bare, pane, raw, ...) and each figure is the median. The
budget "pane ready <= 1.5x the raw lists" is read as ``pane <= 1.5 x (raw + bare)``; both
``pane/raw`` and ``pane/(raw + bare)`` are printed.

    .venv/bin/python bench/gitops_bench.py [--count 2000] [--rounds 3] [--profile]
    .venv/bin/python bench/gitops_bench.py --kubeconfig KC   # objects already created there
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import time

from _common import (
    ROOT,
    bare_screen_seconds,
    bench_cluster,
    budget_line,
    raw_paged_count,
    rss_mb,
    run_child,
)

sys.path.insert(0, str(ROOT))
NS = "bench"


async def create_objects(kubeconfig: str, count: int) -> None:
    from k8s_essentials_tui.kube.resources import NAMESPACES
    from k8s_essentials_tui.kube.session import ClusterSession, ConnectOptions
    from k8s_essentials_tui.plugins.gitops.kinds import APPLICATIONS, KUSTOMIZATIONS

    session = await ClusterSession.connect(ConnectOptions(kubeconfig=kubeconfig))
    client = session.client
    await client.create(NAMESPACES, {"apiVersion": "v1", "kind": "Namespace",
                                     "metadata": {"name": NS}})
    sem = asyncio.Semaphore(24)

    async def one(i: int) -> None:
        health = "Degraded" if i % 17 == 0 else "Healthy"
        app = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
               "metadata": {"name": f"app-{i}", "namespace": NS},
               "spec": {"project": "default",
                        "source": {"repoURL": "https://git.example/apps", "path": f"a/{i}",
                                   "targetRevision": "main"},
                        "destination": {"server": "https://kubernetes.default.svc",
                                        "namespace": f"team-{i % 50}"},
                        "syncPolicy": {"automated": {"prune": True}}},
               "status": {"sync": {"status": "Synced", "revision": f"{i:040x}"},
                          "health": {"status": health},
                          "operationState": {"phase": "Succeeded", "message": "ok",
                                             "operation": {"sync": {"revision": "main"}},
                                             "startedAt": "2026-12-06T08:00:00Z",
                                             "finishedAt": "2026-12-06T08:00:05Z"},
                          "resources": [{"kind": "Deployment", "name": f"d{i}",
                                         "namespace": f"team-{i % 50}", "status": "Synced",
                                         "health": {"status": health}}]}}
        ks = {"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
              "metadata": {"name": f"ks-{i}", "namespace": NS},
              "spec": {"interval": "10m", "path": f"./k/{i}", "prune": True,
                       "sourceRef": {"kind": "GitRepository", "name": "fleet"}}}
        status = {"observedGeneration": 1, "lastAppliedRevision": "main@sha1:" + "a" * 40,
                  "conditions": [{"type": "Ready", "status": "True" if i % 13 else "False",
                                  "reason": "ReconciliationSucceeded",
                                  "message": "Applied revision: main@sha1:" + "a" * 40,
                                  "lastTransitionTime": "2026-06-01T12:00:00Z"}]}
        async with sem:
            await client.create(APPLICATIONS, app, NS)
            await client.create(KUSTOMIZATIONS, ks, NS)
            await client.patch_status(KUSTOMIZATIONS, f"ks-{i}", {"status": status}, NS)

    t0 = time.perf_counter()
    for start in range(0, count, 500):
        await asyncio.gather(*(one(i) for i in range(start, min(count, start + 500))))
        print(f"  created {min(count, start + 500)}/{count}", file=sys.stderr, flush=True)
    print(f"setup: {count} Applications + {count} Kustomizations in "
          f"{time.perf_counter() - t0:.1f}s", file=sys.stderr)
    await session.close()


async def measure_raw(kubeconfig: str) -> dict[str, float]:
    from k8s_essentials_tui.kube.client import build_http_client
    from k8s_essentials_tui.kube.config import load_settings

    http = build_http_client(load_settings(kubeconfig, None))
    t0 = time.perf_counter()
    total = 0
    for path in (f"/apis/argoproj.io/v1alpha1/namespaces/{NS}/applications",
                 f"/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/{NS}/kustomizations"):
        total += await raw_paged_count(http, path)
    elapsed = time.perf_counter() - t0
    await http.aclose()
    return {"seconds": elapsed, "objects": total, "rss_mb": rss_mb()}


async def measure_bare() -> dict[str, float]:
    return {"seconds": await bare_screen_seconds((120, 40)), "rss_mb": rss_mb()}


async def measure_pane(kubeconfig: str, count: int, profile: bool = False
                       ) -> dict[str, float]:
    from k8s_essentials_tui.api import VirtualTable
    from k8s_essentials_tui.app import EssentialsApp, StartOptions
    from k8s_essentials_tui.plugins.gitops.pane import GitOpsPane

    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=NS))
    out: dict[str, float] = {}
    prof = None
    async with app.run_test(size=(120, 40)) as pilot:
        from textual.widgets import Static

        from k8s_essentials_tui.widgets.board import Board

        # as a user would: the board has drawn (its own lists are done), then ":argocd"
        while not (app.screen.query(Board) and app.screen.query_one(Board).snapshot):
            await pilot.pause(0.01)
        await pilot.pause(0.5)
        if profile:
            import cProfile

            prof = cProfile.Profile()
            prof.enable()
        t0 = time.perf_counter()
        app.open_plugin("argocd")
        await pilot.pause()
        pane = app.screen.query_one(GitOpsPane)
        apps = pane.query_one("#apps", VirtualTable)
        status = pane.query_one("#gitops-status", Static)
        while not (apps.row_count >= count and f"Flux: {count} ks" in str(status.render())):
            await pilot.pause(0.005)
        await pilot.pause()  # and painted
        out["ready_seconds"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        await pilot.press("2")
        kss = pane.query_one("#kustomizations", VirtualTable)
        while kss.row_count < count:
            await pilot.pause(0.005)
        await pilot.pause()
        out["tab_seconds"] = time.perf_counter() - t1
        if prof is not None:
            import pstats

            prof.disable()
            pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(45)
    out["rss_mb"] = rss_mb()
    return out


def child(mode: str, kubeconfig: str, count: int, *extra: str) -> dict[str, float]:
    return run_child(__file__, mode, "--kubeconfig", kubeconfig, "--count", str(count),
                     *extra)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true",
                        help="also run the pane once under cProfile (stats on stderr)")
    parser.add_argument("--child", choices=("raw", "bare", "pane", "profile"))
    parser.add_argument("--kubeconfig")
    args = parser.parse_args()
    if args.child == "raw":
        print(json.dumps(asyncio.run(measure_raw(args.kubeconfig))))
        return 0
    if args.child == "bare":
        print(json.dumps(asyncio.run(measure_bare())))
        return 0
    if args.child in ("pane", "profile"):
        print(json.dumps(asyncio.run(measure_pane(args.kubeconfig, args.count,
                                                  args.child == "profile"))))
        return 0
    raws: list[float] = []
    bares: list[float] = []
    panes: list[dict[str, float]] = []
    with contextlib.ExitStack() as stack:
        if args.kubeconfig:  # a cluster that already holds the objects (setup takes minutes)
            kubeconfig = args.kubeconfig
        else:
            kubeconfig = stack.enter_context(bench_cluster("gitops-bench-"))
            asyncio.run(create_objects(kubeconfig, args.count))
        for _ in range(args.rounds):  # interleaved: the machine's load hits all alike
            raws.append(child("raw", kubeconfig, args.count)["seconds"])
            bares.append(child("bare", kubeconfig, args.count)["seconds"])
            panes.append(child("pane", kubeconfig, args.count))
        if args.profile:
            proc = __import__("subprocess").run(
                [sys.executable, __file__, "--child", "profile", "--kubeconfig", kubeconfig,
                 "--count", str(args.count)], capture_output=True, text=True, cwd=ROOT,
                check=False)
            print(proc.stderr[-12000:], file=sys.stderr)
    raw = statistics.median(raws)
    bare = statistics.median(bares)
    ready = statistics.median(p["ready_seconds"] for p in panes)
    tab = statistics.median(p["tab_seconds"] for p in panes)
    print(f"objects: {args.count} Applications + {args.count} Kustomizations, "
          f"medians of {args.rounds} interleaved rounds")
    print(f"  raw rounds {[round(r, 2) for r in raws]}, pane rounds "
          f"{[round(p['ready_seconds'], 2) for p in panes]}")
    print(budget_line("pane ready (Applications painted, both lists parsed)", raw, bare,
                      ready, 1.5))
    print(f"then '2' to the Kustomizations tab: {tab * 1000:.0f} ms; "
          f"peak RSS pane {max(p['rss_mb'] for p in panes):.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
