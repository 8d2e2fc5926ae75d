"""Benchmark (not a test): the policy pane with 500 PolicyReports holding 20,000 results.

Starts a real kube-apiserver with testkit's ControlPlane (the official wgpolicyk8s.io CRDs),
creates 20 Kyverno ClusterPolicies and 500 per-resource PolicyReports of 40 results each
(30% fail, 10% warn, the rest pass: 8,000 listed results), then measures in child processes:

* ``raw``: the paginated HTTP list (limit=500) of the reports with httpx + json -- the
  baseline, measured in the same run;
* ``bare``: a bare Textual app pushing an empty Screen and painting it (``_common.
  bare_screen_seconds``): the fixed cost of any new screen, which a raw list does not pay;
* ``pane``: the app (headless ``run_test``) from opening the pane to the policies table with
  every policy's counts painted (the whole model built from the watch caches), then to the
  violations view (``2``) with every failing result listed (painted: the visible rows).

Rounds are interleaved (raw, bare, pane; raw, bare, pane; ...) and the medians compared:
the budget "pane ready <= 1.5x the raw list" is read as ``pane <= 1.5 x (raw + bare)``,
and ``pane / raw`` is printed too. Also the peak RSS.

    .venv/bin/python bench/policy_bench.py [--reports 500] [--results 40] [--rounds 3]
    .venv/bin/python bench/policy_bench.py --serve     # set up once, keep it, then
    .venv/bin/python bench/policy_bench.py --kubeconfig PATH --failing N  # measure against it
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
POLICIES = 20


async def create_objects(kubeconfig: str, reports: int, results: int) -> int:
    from k8s_essentials_tui.kube.resources import NAMESPACES
    from k8s_essentials_tui.kube.session import ClusterSession, ConnectOptions
    from k8s_essentials_tui.plugins.policy.model import KYVERNO_CLUSTER_POLICIES, POLICY_REPORTS
    from testkit import policy_engines as pe

    session = await ClusterSession.connect(ConnectOptions(kubeconfig=kubeconfig))
    client = session.client
    await client.create(NAMESPACES, {"apiVersion": "v1", "kind": "Namespace",
                                     "metadata": {"name": NS}})
    for p in range(POLICIES):
        await client.create(KYVERNO_CLUSTER_POLICIES,
                            pe.kyverno_cluster_policy(f"policy-{p:02d}", rules=2))
    sem = asyncio.Semaphore(16)

    def outcome(i: int, j: int) -> str:
        k = (i * 7 + j) % 10
        return "fail" if k < 3 else "warn" if k == 3 else "pass"

    async def one(i: int) -> None:
        scope = {"apiVersion": "apps/v1", "kind": "Deployment", "name": f"app-{i:04d}",
                 "namespace": NS, "uid": f"00000000-0000-0000-0000-{i:012d}"}
        res = [pe.result(f"policy-{j % POLICIES:02d}", f"rule-{j // POLICIES}",
                         outcome(i, j), f"result {j} of app-{i:04d}: label team is required",
                         severity=("high", "medium", "low")[j % 3]) for j in range(results)]
        async with sem:
            await client.create(POLICY_REPORTS, pe.policy_report(NS, scope, res), NS)

    failing = sum(1 for i in range(reports) for j in range(results)
                  if outcome(i, j) != "pass")
    t0 = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(reports)))
    print(f"setup: {POLICIES} policies, {reports} reports x {results} results "
          f"({failing} fail/warn) in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    await session.close()
    return failing


async def measure_raw(kubeconfig: str) -> dict[str, float]:
    """Paginated GET + JSON decode of the reports: the floor any client pays."""
    from k8s_essentials_tui.kube.client import build_http_client
    from k8s_essentials_tui.kube.config import load_settings

    settings = load_settings(kubeconfig, None)
    http = build_http_client(settings)
    t0 = time.perf_counter()
    total = await raw_paged_count(http, f"/apis/wgpolicyk8s.io/v1alpha2/namespaces/{NS}/"
                                        "policyreports")
    elapsed = time.perf_counter() - t0
    await http.aclose()
    return {"seconds": elapsed, "objects": total, "rss_mb": rss_mb()}


async def measure_pane(kubeconfig: str, reports: int, failing: int) -> dict[str, float]:
    from k8s_essentials_tui.api import VirtualTable
    from k8s_essentials_tui.app import EssentialsApp, StartOptions
    from k8s_essentials_tui.plugins.policy.pane import PolicyPane

    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=NS))
    out: dict[str, float] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await board_read(app, pilot)

        def counted(table: VirtualTable) -> bool:
            pane = table.parent
            return (isinstance(pane, PolicyPane) and table.id == "policy-table"
                    and len(pane.inventory.results) >= failing
                    and table.row_count >= POLICIES)

        # ready = the first frame painting the policies table with every policy counted
        probe = PaintProbe(VirtualTable, counted)
        t0 = time.perf_counter()
        app.open_plugin("kyverno")
        out["ready_seconds"] = await probe.wait() - t0
        pane = app.screen.query_one(PolicyPane)
        await pilot.press("2")
        listed = failing  # every result is listed (lazy rows)
        while len(pane._result_index) < listed or pane.view != "results":
            await pilot.pause(0.005)
        await pilot.pause()  # painted
        out["violations_seconds"] = time.perf_counter() - t0
    out["rss_mb"] = rss_mb()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=500)
    parser.add_argument("--results", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--failing", type=int, default=0)
    parser.add_argument("--child", choices=("raw", "bare", "pane"))
    parser.add_argument("--kubeconfig")
    parser.add_argument("--serve", action="store_true",
                        help="set the cluster up, print its kubeconfig and keep it until "
                             "interrupted (then measure with --kubeconfig PATH --failing N)")
    args = parser.parse_args()
    if args.child == "raw":
        print(json.dumps(asyncio.run(measure_raw(args.kubeconfig))))
        return 0
    if args.child == "bare":
        print(json.dumps({"seconds": asyncio.run(bare_screen_seconds((120, 40), painted=True))}))
        return 0
    if args.child == "pane":
        print(json.dumps(asyncio.run(measure_pane(args.kubeconfig, args.reports,
                                                  args.failing))))
        return 0
    with contextlib.ExitStack() as stack:
        if args.kubeconfig:  # a cluster already set up by --serve
            kubeconfig, failing = args.kubeconfig, args.failing
        else:
            kubeconfig = stack.enter_context(bench_cluster("policy-bench-"))
            failing = asyncio.run(create_objects(kubeconfig, args.reports, args.results))
        if args.serve:
            print(f"serving: --kubeconfig {kubeconfig} --failing {failing} "
                  "(interrupt to stop)", flush=True)
            with contextlib.suppress(KeyboardInterrupt):
                while True:
                    time.sleep(3600)
            return 0
        common = ("--kubeconfig", kubeconfig, "--reports", str(args.reports),
                  "--failing", str(failing))
        raws, bares, panes = [], [], []
        for _ in range(args.rounds):  # interleaved: load on 2 shared cores drifts
            raws.append(run_child(__file__, "raw", *common))
            bares.append(run_child(__file__, "bare", *common))
            panes.append(run_child(__file__, "pane", *common))
            print(f"  round {len(raws)}: raw {raws[-1]['seconds']:.2f}s, bare "
                  f"{bares[-1]['seconds'] * 1000:.0f} ms, pane {panes[-1]['ready_seconds']:.2f}s",
                  file=sys.stderr, flush=True)
    raw = statistics.median(r["seconds"] for r in raws)
    bare = statistics.median(b["seconds"] for b in bares)
    ready = statistics.median(p["ready_seconds"] for p in panes)
    violations = statistics.median(p["violations_seconds"] for p in panes)
    print(f"objects: {args.reports} PolicyReports, {args.reports * args.results} results "
          f"({failing} fail/warn listed), {POLICIES} ClusterPolicies; medians of "
          f"{args.rounds} interleaved rounds")
    print(budget_line("pane ready, every policy counted", raw, bare, ready, 1.5))
    print(budget_line(f"violations view, all {failing} results listed", raw, bare,
                      violations, 1.5))
    print(f"peak RSS: raw {max(r['rss_mb'] for r in raws):.0f} MB, pane "
          f"{max(p['rss_mb'] for p in panes):.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
