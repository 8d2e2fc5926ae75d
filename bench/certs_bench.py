"""Benchmark (not a test): the certificates pane with 10,000 Certificates + 10,000 TLS Secrets.

Starts a real kube-apiserver with testkit's ControlPlane, creates the objects (``certs_seed``:
Certificates with status through the status subresource, each with its TLS Secret; half the
keys RSA 2048 -- cert-manager's default -- half ECDSA P-256, under two chains), then
measures in separate child processes, interleaved round by round (medians are printed), so
each figure has its own peak RSS and the machine's load hits all alike:

* ``raw``: the paginated HTTP list (limit=500) of the same Certificates and Secrets with
  httpx + json -- the baseline;
* ``bare``: a bare Textual app pushing an empty screen and painting it (the fixed cost of a
  screen, see ``_common.bare_screen_seconds``);
* ``pane``: the app (headless ``run_test``) from opening the pane to a ready, sorted table
  with every row, and on to the end of the chain/key checks; the longest event-loop stall
  while loading, during the checks and during one watch event.

Budgets (#25): the checks done <= 1.5x the raw list, read as ours <= 1.5 x (raw + bare);
peak RSS <= 200 MB; no loop stall > 50 ms.
``--widgets`` adds a micro-benchmark of Textual's DataTable vs the virtual CertTable for the
same number of rows (the decision behind table.py).

    .venv/bin/python bench/certs_bench.py [--count 10000] [--rounds 3] [--widgets]
    .venv/bin/python bench/certs_bench.py --serve --count 50000   # seed once, keep serving
    .venv/bin/python bench/certs_bench.py --kubeconfig K --count 50000  # measure against it
    .venv/bin/python bench/certs_bench.py --kubeconfig K --count 50000 --grow-from 10000
    .venv/bin/python bench/certs_bench.py --kubeconfig K --profile /tmp/pane.prof
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import statistics
import sys
import time
from typing import Any

from _common import (
    ROOT,
    LoopStalls,
    bare_screen_seconds,
    bench_cluster,
    budget_line,
    pin_cluster,
    precompile,
    raw_paged_count,
    rss_mb,
    run_child,
    use_watch_list,
)
from certs_seed import NOW, NS, create_objects, days_left

sys.path.insert(0, str(ROOT))
__all__ = ["create_objects"]  # vs_k9s.py seeds its certs scenario with it


# -- measurements (child processes) --------------------------------------------------------


async def measure_raw(kubeconfig: str) -> dict[str, float]:
    """Paginated GET + JSON decode of both collections: the floor any client pays."""
    from k8s_essentials_tui.kube.client import build_http_client
    from k8s_essentials_tui.kube.config import load_settings

    settings = load_settings(kubeconfig, None)
    http = build_http_client(settings)
    t0 = time.perf_counter()
    total = 0
    for path in (f"/apis/cert-manager.io/v1/namespaces/{NS}/certificates",
                 f"/api/v1/namespaces/{NS}/secrets"):
        total += await raw_paged_count(http, path)
    elapsed = time.perf_counter() - t0
    await http.aclose()
    return {"seconds": elapsed, "objects": total, "rss_mb": rss_mb()}


async def measure_pane(kubeconfig: str, count: int, watch_list: bool = False
                       ) -> dict[str, Any]:
    from k8s_essentials_tui.app import EssentialsApp, StartOptions
    from k8s_essentials_tui.kube.resources import SECRETS
    from k8s_essentials_tui.plugins.cert_manager import CERTIFICATES
    from k8s_essentials_tui.plugins.cert_manager.pane import CertificatesPane

    use_watch_list(watch_list)  # False: list + watch, the app's default

    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=NS, now=NOW))
    out: dict[str, Any] = {}
    trace = StepTrace() if os.environ.get("CERTS_BENCH_TRACE") else None
    async with app.run_test(size=(120, 40)) as pilot:
        while app.session is None:
            await pilot.pause(0.01)
        if os.environ.get("CERTS_BENCH_AFTER_IMPORTS"):
            # as an operator who reads the board first: the panes' modules imported (the
            # board's background import thread done) before the pane is opened
            while app.panes_imported is None or not app.panes_imported.is_set():
                await pilot.pause(0.01)
        stalls = LoopStalls()
        stalls.start()
        gcs = GcPauses()
        t0 = time.perf_counter()
        if trace is not None:
            trace.start(t0)
        app.open_plugin("cert-manager")
        await pilot.pause()
        pane = app.screen.query_one(CertificatesPane)
        while True:
            if trace is not None and "prewarm_done" not in out and app.panes_imported \
                    and app.panes_imported.is_set():
                out["prewarm_done"] = time.perf_counter() - t0
                trace.events.append((out["prewarm_done"], 0.0, "pane modules imported"))
            for name, rtype in (("secrets", SECRETS), ("certificates", CERTIFICATES)):
                if f"{name}_synced_seconds" not in out and pane.session is not None \
                        and pane._cache(rtype).state != "pending":
                    out[f"{name}_synced_seconds"] = time.perf_counter() - t0
            if pane._primed and len(pane.table.rows) >= count:
                break
            await pilot.pause(0.005)
        # every row is in the table, sorted; it paints on the next refresh (only the
        # visible lines are rendered). pilot.pause() here would also wait for the
        # background chain/key checks, which are measured separately below.
        out["ready_seconds"] = time.perf_counter() - t0
        out["load_stall_ms"] = stalls.worst_ms
        out["load_stall_cpu_ms"] = stalls.worst_cpu_ms
        out["load_stall_at"] = stalls.worst_at
        out["ready_rss_mb"] = rss_mb()
        out["load_gc_ms"], out["load_gcs"] = gcs.take()
        if trace is not None:
            out["trace"] = trace.stop()
        if os.environ.get("CERTS_BENCH_GARBAGE"):  # what a full pass would free now
            import collections
            import gc

            gc.set_debug(gc.DEBUG_SAVEALL)
            gc.collect()
            kinds = collections.Counter(type(o).__name__ for o in gc.garbage)
            size = sum(sys.getsizeof(o) for o in gc.garbage)
            out["garbage"] = [[len(gc.garbage), size / 1e6, "MB (shallow)"],
                              *kinds.most_common(12)]
            gc.set_debug(0)
            gc.garbage.clear()
        if os.environ.get("CERTS_BENCH_GC_FREEZE"):
            # experiment (--gc-freeze), not what the app does: what an app-level policy
            # that moves the synced caches out of the collector's full passes would give
            import gc

            gc.freeze()
        rows = pane.table.rows
        keys = [r.sort_key() for r in rows]
        assert keys == sorted(keys), "table not sorted"
        # after the bench's own check of 10,000 rows (tens of ms of this loop, not the app's)
        stalls.reset()
        while pane.index.pending_deep() or pane._deepening:
            await pilot.pause(0.01)
        out["deep_seconds"] = time.perf_counter() - t0
        out["deep_stall_ms"] = stalls.worst_ms
        out["deep_stall_cpu_ms"] = stalls.worst_cpu_ms
        out["deep_rss_mb"] = rss_mb()
        out["deep_gc_ms"], out["deep_gcs"] = gcs.take()
        gcs.stop()
        flagged = [r.problems for r in pane.index.rows.values() if r.problems]
        assert not flagged, f"{len(flagged)} rows with problems, e.g. {flagged[0]}"
        assert all(r.info is not None and r.info.deep and r.info.key_matches
                   for r in pane.index.rows.values()), "a row was not checked"
        stalls.reset()
        # one watch event after load: time until the row shows the change
        t1 = time.perf_counter()
        event_trace = StepTrace() if trace is not None else None
        if event_trace is not None:
            event_trace.start(t1)
        assert app.session is not None
        await app.session.client.patch_status(
            CERTIFICATES, "c50", {"status": {"notAfter": "2020-01-01T00:00:00Z"}}, NS)
        while not (pane.table.rows and pane.table.rows[0].name == "c50"):
            await pilot.pause(0.005)
        out["event_seconds"] = time.perf_counter() - t1
        out["event_stall_ms"] = stalls.worst_ms
        out["event_stall_cpu_ms"] = stalls.worst_cpu_ms
        if event_trace is not None:
            out["trace"] = [*out.get("trace", []), (0.0, 0.0, "-- the watch event --"),
                            *event_trace.stop()]
        stalls.stop()
        # put it back: the next round sees the same cluster
        await app.session.client.patch_status(
            CERTIFICATES, "c50", {"status": {"notAfter": (NOW + dt.timedelta(
                days=days_left(50))).strftime("%Y-%m-%dT%H:%M:%SZ")}}, NS)
    out["rss_mb"] = rss_mb()
    return out


class StepTrace:
    """Where the loop stalls while loading (``--trace``): every step of the event loop over
    ``threshold`` seconds, named by its task's coroutine (or its callback), with the Python
    frames a watchdog thread saw when the step had run over 15 ms (it gets the GIL only
    when the step's C code gives it back, so the frames are where the step went on after a
    long C call), and every pass of the cyclic garbage collector with its generation."""

    def __init__(self, threshold: float = 0.010) -> None:
        self.threshold = threshold
        self.events: list[tuple[float, float, str]] = []
        self._t0 = 0.0
        self._current: tuple[float, Any] | None = None
        self._seen: dict[int, str] = {}
        self._gc_started = 0.0
        self._stop = False
        self._orig: Any = None

    def start(self, t0: float) -> None:
        import gc
        import threading

        self._t0 = t0
        self._orig = orig = asyncio.events.Handle._run
        trace = self

        def _run(handle: Any) -> None:
            started = time.perf_counter()
            cpu = time.thread_time()
            proc = time.process_time()
            trace._current = (started, handle)
            try:
                orig(handle)
            finally:
                trace._current = None
                took = time.perf_counter() - started
                if took >= 0.003:  # wall ms (this thread's CPU ms)
                    # this thread's CPU, and the whole process's: a step with little of
                    # its own CPU waited -- for our other threads (the GIL) when the
                    # process's CPU went on, else for a core (other processes)
                    what = (f"({(time.thread_time() - cpu) * 1000:.0f} cpu, process "
                            f"{(time.process_time() - proc) * 1000:.0f}) {_describe(handle)}")
                    trace._steps.append((took * 1000, what))
                    frames = trace._seen.pop(id(handle), "")
                    if took >= trace.threshold:
                        trace.events.append((started - trace._t0, took * 1000,
                                             f"{what} {frames}".strip()))

        asyncio.events.Handle._run = _run  # type: ignore[method-assign]
        # one loop iteration = the steps between two selects: a stall is their sum
        loop: Any = asyncio.get_running_loop()
        self._selector = selector = loop._selector
        self._select = select = selector.select
        self._steps: list[tuple[float, str]] = []
        self._iteration = time.perf_counter()

        def _select(timeout: Any = None) -> Any:
            now = time.perf_counter()
            took = now - trace._iteration
            if took >= 0.030:
                top = ", ".join(f"{ms:.0f} {what}" for ms, what in
                                sorted(trace._steps, reverse=True)[:4])
                trace.events.append((trace._iteration - trace._t0, took * 1000,
                                     f"ITERATION of {took * 1000:.0f} ms: {top}"))
            trace._steps = []
            try:
                return select(timeout)
            finally:
                trace._iteration = time.perf_counter()

        selector.select = _select
        gc.callbacks.append(self._gc)
        self._main = threading.main_thread().ident
        threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self) -> None:
        import threading
        import traceback

        step = 10.0
        mark = 0.0
        page = os.sysconf("SC_PAGE_SIZE") / 1e6
        while not self._stop:
            time.sleep(0.002)
            with open("/proc/self/statm") as f:
                rss = int(f.read().split()[1]) * page
            if rss >= mark + step:  # the resident memory, each time it passed 10 MB more
                mark = rss // step * step
                self.events.append((time.perf_counter() - self._t0, 0.0, f"rss {rss:.0f} MB"))
            current = self._current
            if current is None or time.perf_counter() - current[0] < 0.015:
                continue
            if id(current[1]) in self._seen:
                continue
            frames = sys._current_frames()
            frame = frames.pop(self._main or 0, None)
            frames.pop(threading.get_ident(), None)
            if frame is None:
                continue
            stack = traceback.extract_stack(frame)[-4:]
            seen = " < ".join(
                f"{os.path.basename(f.filename)}:{f.lineno}:{f.name}" for f in reversed(stack))
            for other in frames.values():  # where the other threads are (the GIL's holder?)
                top = traceback.extract_stack(other)[-3:]
                seen += " || " + " < ".join(f"{os.path.basename(f.filename)}:{f.lineno}:"
                                            f"{f.name}" for f in reversed(top))
            self._seen[id(current[1])] = seen

    def _gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        elif self._gc_started:
            took = time.perf_counter() - self._gc_started
            if took >= 0.002:
                self.events.append((self._gc_started - self._t0, took * 1000,
                                    f"gc gen{info.get('generation')} collected "
                                    f"{info.get('collected')}"))

    def stop(self) -> list[tuple[float, float, str]]:
        import gc

        self._stop = True
        asyncio.events.Handle._run = self._orig  # type: ignore[method-assign]
        self._selector.select = self._select
        gc.callbacks.remove(self._gc)
        return sorted(self.events)


def _describe(handle: Any) -> str:
    callback = getattr(handle, "_callback", None)
    owner = getattr(callback, "__self__", None)
    if isinstance(owner, asyncio.Task):
        coro = owner.get_coro()
        return f"task {getattr(coro, '__qualname__', coro)}"
    return f"callback {getattr(callback, '__qualname__', callback)}"


class GcPauses:
    """Full (generation 2) collections of the cyclic garbage collector: how many, and the
    longest, in ms -- a full collection walks every container object of the process (the
    caches' decoded objects included) and blocks the event loop meanwhile."""

    def __init__(self) -> None:
        import gc

        self.count = 0
        self.worst = 0.0
        self._started = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.count += 1
            self.worst = max(self.worst, (time.perf_counter() - self._started) * 1000)

    def take(self) -> tuple[float, int]:
        out = (self.worst, self.count)
        self.worst, self.count = 0.0, 0
        return out

    def stop(self) -> None:
        import gc

        gc.callbacks.remove(self._callback)


async def measure_bare() -> dict[str, float]:
    return {"seconds": await bare_screen_seconds((120, 40)), "rss_mb": rss_mb()}


def profile_pane(kubeconfig: str, count: int, path: str) -> dict[str, Any]:
    import cProfile

    profiler = cProfile.Profile()
    out = profiler.runcall(asyncio.run, measure_pane(kubeconfig, count))
    profiler.dump_stats(path)
    return out


async def measure_widgets(count: int) -> dict[str, float]:
    """DataTable (add_rows) vs CertTable (set_rows): time to the first painted frame."""
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    from k8s_essentials_tui.plugins.cert_manager.model import CertRow, Thresholds
    from k8s_essentials_tui.plugins.cert_manager.table import CertTable, row_cells

    rows = [CertRow(key=f"k{i}", kind="Certificate", namespace="ns", name=f"c{i}",
                    dns_names=(f"c{i}.example.com",),
                    not_after=NOW + dt.timedelta(days=i % 90), issuer="letsencrypt")
            for i in range(count)]
    th = Thresholds()
    results: dict[str, float] = {}

    class DT(App[None]):
        def compose(self) -> ComposeResult:
            yield DataTable()

    app = DT()
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.query_one(DataTable)
        cols = list(row_cells(rows[0], NOW, th))
        table.add_columns(*cols)
        t0 = time.perf_counter()
        table.add_rows([list(row_cells(r, NOW, th).values()) for r in rows])
        await pilot.pause()
        results["datatable_fill_seconds"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        table.clear()
        table.add_rows([list(row_cells(r, NOW, th).values()) for r in rows[::2]])
        await pilot.pause()
        results["datatable_refilter_seconds"] = time.perf_counter() - t0

    class CT(App[None]):
        def compose(self) -> ComposeResult:
            yield CertTable(now=NOW, thresholds=th)

    app2 = CT()
    async with app2.run_test(size=(120, 40)) as pilot:
        ct = app2.query_one(CertTable)
        t0 = time.perf_counter()
        ct.set_rows(sorted(rows, key=CertRow.sort_key))
        await pilot.pause()
        results["certtable_fill_seconds"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        ct.set_rows(sorted(rows[::2], key=CertRow.sort_key))
        await pilot.pause()
        results["certtable_refilter_seconds"] = time.perf_counter() - t0
    return results


def child(mode: str, kubeconfig: str, count: int, *extra: str) -> dict[str, float]:
    return run_child(__file__, mode, "--kubeconfig", kubeconfig, "--count", str(count),
                     *extra)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rsa-share", type=float, default=0.5,
                        help="share of RSA 2048 keys in the seed (the rest ECDSA P-256)")
    parser.add_argument("--widgets", action="store_true")
    parser.add_argument("--watch-list", action="store_true",
                        help="also measure the pane with WatchList caches (watch_list = true)")
    parser.add_argument("--profile", help="write the cProfile stats of one pane child here")
    parser.add_argument("--gc-freeze", action="store_true",
                        help="experiment: the pane children call gc.freeze() once the table "
                             "is ready (what an app-level GC policy would give)")
    parser.add_argument("--trace", action="store_true",
                        help="print every loop step over 10 ms and every collector pass "
                             "while loading, per round (see StepTrace)")
    parser.add_argument("--serve", action="store_true",
                        help="set the cluster up and keep it until interrupted")
    parser.add_argument("--child", choices=("raw", "bare", "pane", "pane-watchlist", "widgets"))
    parser.add_argument("--kubeconfig")
    parser.add_argument("--after-imports", action="store_true",
                        help="open the pane once the board's background import of the pane "
                             "modules is done (as an operator who reads the board first)")
    parser.add_argument("--pin", action="store_true",
                        help="the cluster's apiserver and etcd on CPU 0, the measured "
                             "processes on the others (a stall is then the app's own; "
                             "see _common.pin_cluster); a --serve cluster stays pinned "
                             "until it stops")
    parser.add_argument("--grow-from", type=int, metavar="N",
                        help="with --kubeconfig: add Certificates N .. count-1 to that "
                             "cluster (grow a 10,000 seed to 50,000) and exit")
    args = parser.parse_args()
    if args.grow_from is not None:
        asyncio.run(create_objects(args.kubeconfig, args.count, args.rsa_share,
                                   start=args.grow_from))
        return 0
    if args.child == "raw":
        print(json.dumps(asyncio.run(measure_raw(args.kubeconfig))))
        return 0
    if args.child == "bare":
        print(json.dumps(asyncio.run(measure_bare())))
        return 0
    if args.child in ("pane", "pane-watchlist"):
        if args.profile:
            print(json.dumps(profile_pane(args.kubeconfig, args.count, args.profile)))
        else:
            print(json.dumps(asyncio.run(measure_pane(args.kubeconfig, args.count,
                                                      args.child == "pane-watchlist"))))
        return 0
    if args.child == "widgets":
        print(json.dumps(asyncio.run(measure_widgets(args.count))))
        return 0
    if args.serve:  # set up once, then measure with --kubeconfig against this cluster
        with bench_cluster("certs-bench-") as kubeconfig:
            asyncio.run(create_objects(kubeconfig, args.count, args.rsa_share))
            print(f"serving: --kubeconfig {kubeconfig} (interrupt to stop)", flush=True)
            with contextlib.suppress(KeyboardInterrupt):
                while True:
                    time.sleep(3600)
        return 0

    if args.gc_freeze:
        os.environ["CERTS_BENCH_GC_FREEZE"] = "1"
    if args.trace:
        os.environ["CERTS_BENCH_TRACE"] = "1"
    if args.after_imports:
        os.environ["CERTS_BENCH_AFTER_IMPORTS"] = "1"
    raws: list[dict[str, float]] = []
    bares: list[dict[str, float]] = []
    panes: list[dict[str, Any]] = []
    lists: list[dict[str, Any]] = []
    with contextlib.ExitStack() as stack:
        if args.kubeconfig:  # a cluster already set up by --serve
            kubeconfig = args.kubeconfig
            precompile()
        else:
            kubeconfig = stack.enter_context(bench_cluster("certs-bench-"))
            asyncio.run(create_objects(kubeconfig, args.count, args.rsa_share))
        if args.pin:
            print(pin_cluster(kubeconfig), file=sys.stderr, flush=True)
        # interleaved rounds, medians: on 2 shared cores the apiserver, the client and
        # other people's work share the CPUs, and single runs vary by 20-30%
        for i in range(args.rounds):
            raws.append(child("raw", kubeconfig, args.count))
            bares.append(child("bare", kubeconfig, args.count))
            panes.append(child("pane", kubeconfig, args.count))
            if args.watch_list:
                lists.append(child("pane-watchlist", kubeconfig, args.count))
            p = panes[-1]
            print(f"  round {i + 1}: raw {raws[-1]['seconds']:.2f}s, bare "
                  f"{bares[-1]['seconds']:.3f}s, pane ready {p['ready_seconds']:.2f}s, "
                  f"checks done {p['deep_seconds']:.2f}s, {p['rss_mb']:.0f} MB, stalls "
                  f"{p['load_stall_ms']:.0f}/{p['deep_stall_ms']:.0f}/"
                  f"{p['event_stall_ms']:.0f} ms (the loading one {p['load_stall_at']:.2f} s "
                  f"after opening, {p['load_stall_cpu_ms']:.0f} ms of process CPU in it)",
                  file=sys.stderr, flush=True)
            if "garbage" in p:
                print(f"    garbage at ready: {p['garbage']}", file=sys.stderr, flush=True)
            for at, ms, what in p.get("trace", []):
                print(f"    +{at:6.3f}s {ms:6.1f} ms  {what}", file=sys.stderr, flush=True)
        if args.profile:
            child("pane", kubeconfig, args.count, "--profile", args.profile)
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])

    def med(rows: list[dict[str, Any]], key: str) -> float:
        return statistics.median(r[key] for r in rows)

    raw, bare = med(raws, "seconds"), med(bares, "seconds")
    print(f"objects: {args.count} Certificates + {args.count} TLS Secrets "
          f"({args.rsa_share:.0%} RSA 2048); medians of {args.rounds} interleaved rounds; "
          f"load average {load}")
    print(f"raw HTTP list: {raw:.2f}s, peak RSS {max(r['rss_mb'] for r in raws):.0f} MB")
    print(budget_line("pane ready, sorted table", raw, bare, med(panes, "ready_seconds"), 1.5))
    print(budget_line("chain/key checks done", raw, bare, med(panes, "deep_seconds"), 1.5))
    print(f"  caches synced (from opening): Secrets {med(panes, 'secrets_synced_seconds'):.2f}s,"
          f" Certificates {med(panes, 'certificates_synced_seconds'):.2f}s")
    if lists:
        print(f"  the same with WatchList: ready {med(lists, 'ready_seconds'):.2f}s, checks "
              f"done {med(lists, 'deep_seconds'):.2f}s")
    print(f"one watch event to the re-sorted row: {med(panes, 'event_seconds') * 1000:.0f} ms")
    print(f"longest event-loop stall (worst round): "
          f"{max(p['load_stall_ms'] for p in panes):.0f} ms while loading, "
          f"{max(p['deep_stall_ms'] for p in panes):.0f} ms during the checks, "
          f"{max(p['event_stall_ms'] for p in panes):.0f} ms during the event (target <= 50 ms)")
    print("  this process's CPU during each worst stall (all its threads; near zero: it waited "
          "for a core, not for its own code): " + ", ".join(
              f"{ph} " + "/".join(f"{p[ph + '_stall_cpu_ms']:.0f}" for p in panes)
              for ph in ("load", "deep", "event")) + " ms")
    print(f"full garbage collections (worst round): while loading "
          f"{max(p['load_gcs'] for p in panes):.0f}, longest "
          f"{max(p['load_gc_ms'] for p in panes):.0f} ms; during the checks "
          f"{max(p['deep_gcs'] for p in panes):.0f}, longest "
          f"{max(p['deep_gc_ms'] for p in panes):.0f} ms")
    print(f"pane peak RSS: median {med(panes, 'rss_mb'):.0f} MB, max "
          f"{max(p['rss_mb'] for p in panes):.0f} MB (target <= 200 MB, #25); peak when the "
          f"table was ready {med(panes, 'ready_rss_mb'):.0f} MB, when the checks were done "
          f"{med(panes, 'deep_rss_mb'):.0f} MB")
    if args.widgets:
        w = child("widgets", "", args.count)
        print(f"widgets, {args.count} rows: DataTable fill {w['datatable_fill_seconds']:.2f}s, "
              f"refilter {w['datatable_refilter_seconds']:.2f}s; CertTable fill "
              f"{w['certtable_fill_seconds']:.3f}s, refilter "
              f"{w['certtable_refilter_seconds']:.3f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
