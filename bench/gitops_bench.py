"""Benchmark (not a test): the GitOps pane with 2,000 Applications + 2,000 Kustomizations.

Starts a real kube-apiserver with testkit's ControlPlane and the Argo CD / Flux CRDs, creates
the objects with the status their controllers would write (testkit.gitops), then measures in
separate child processes (each figure with its own peak RSS):

* ``raw``: the paginated HTTP list (limit=500) of both collections with httpx + json -- the
  baseline, measured in the same run;
* ``pane``: the app (headless ``run_test``), once the board has drawn, from opening the
  pane to both tables holding (and painting) every row.

It prints the ratio pane/raw (target: <= 1.5x).

    .venv/bin/python bench/gitops_bench.py [--count 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

from _common import ROOT, bench_cluster, raw_paged_count, rss_mb, run_child

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
                          "operationState": {"phase": "Succeeded", "message": "ok"},
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


async def measure_pane(kubeconfig: str, count: int) -> dict[str, float]:
    from k8s_essentials_tui.api import VirtualTable
    from k8s_essentials_tui.app import EssentialsApp, StartOptions
    from k8s_essentials_tui.plugins.gitops.pane import GitOpsPane

    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=NS))
    out: dict[str, float] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        from k8s_essentials_tui.widgets.board import Board

        # as a user would: the board has drawn (its own lists are done), then ":argocd"
        while not (app.screen.query(Board) and app.screen.query_one(Board).snapshot):
            await pilot.pause(0.01)
        await pilot.pause(0.5)
        t0 = time.perf_counter()
        app.open_plugin("argocd")
        await pilot.pause()
        pane = app.screen.query_one(GitOpsPane)
        apps = pane.query_one("#apps", VirtualTable)
        kss = pane.query_one("#kustomizations", VirtualTable)
        while not (apps.row_count >= count and kss.row_count >= count):
            await pilot.pause(0.005)
        await pilot.pause()  # and painted
        out["ready_seconds"] = time.perf_counter() - t0
    out["rss_mb"] = rss_mb()
    return out


def child(mode: str, kubeconfig: str, count: int) -> dict[str, float]:
    return run_child(__file__, mode, "--kubeconfig", kubeconfig, "--count", str(count))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2_000)
    parser.add_argument("--child", choices=("raw", "pane"))
    parser.add_argument("--kubeconfig")
    args = parser.parse_args()
    if args.child == "raw":
        print(json.dumps(asyncio.run(measure_raw(args.kubeconfig))))
        return 0
    if args.child == "pane":
        print(json.dumps(asyncio.run(measure_pane(args.kubeconfig, args.count))))
        return 0
    with bench_cluster("gitops-bench-") as kubeconfig:
        asyncio.run(create_objects(kubeconfig, args.count))
        # best of 2 each: on a 2-core machine the apiserver and the client share the CPUs
        raw = min((child("raw", kubeconfig, args.count) for _ in range(2)),
                  key=lambda r: r["seconds"])
        pane = min((child("pane", kubeconfig, args.count) for _ in range(2)),
                   key=lambda r: r["ready_seconds"])
    ratio = pane["ready_seconds"] / raw["seconds"]
    print(f"objects: {args.count} Applications + {args.count} Kustomizations")
    print(f"raw HTTP list (best of 2): {raw['seconds']:.2f}s, peak RSS {raw['rss_mb']:.0f} MB")
    print(f"pane ready, both tables full (best of 2): {pane['ready_seconds']:.2f}s  "
          f"ratio {ratio:.2f}x (target <= 1.5x), peak RSS {pane['rss_mb']:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
