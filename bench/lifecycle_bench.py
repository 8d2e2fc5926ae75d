"""What the catalog-truth checks cost on the board's path, as ratios in one run.

The board rebuilds its Helm summary on every refresh. Since #18 the summary also carries the
removed APIs of each current manifest (``helm_summary.removed_apis``) and ``evaluate()`` runs
the cross-component checks (``catalog_checks.annotate``). This measures, on 150 releases whose
manifests are realistic (20 objects each, modern APIs; 5 releases with removed ones):

* summary without vs with the removed-API scan, first refresh (cold cache) and later ones;
* ``evaluate`` with the checks, against the detection rules alone;
* reading a 30 MB ``index.yaml`` (prometheus-community's size in 2026) once: what a day's
  cache saves ``report --check-charts``.

    python bench/lifecycle_bench.py            # prints ratios; no cluster needed
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MODERN = """\
---
# Source: app/templates/deploy-{i}.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i}
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: app
          image: example/app:1.0.{i}
---
apiVersion: v1
kind: Service
metadata:
  name: app-{i}
spec:
  ports: [{{port: 80}}]
"""
OLD = "---\napiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: old-{i}\n"


def _secrets(n: int = 150) -> list[dict[str, object]]:
    from testkit.helm_release import release_secret

    out = []
    for r in range(n):
        manifest = "".join(MODERN.format(i=i) for i in range(10))
        if r % 30 == 0:
            manifest += OLD.format(i=r)
        secret = release_secret(f"rel-{r}", f"ns-{r % 20}", chart="app", manifest=manifest)
        # from the server, as the board's cache holds them: decoding is memoised per
        # (uid, resourceVersion)
        secret["metadata"] |= {"uid": f"uid-{r}", "resourceVersion": str(1000 + r)}
        out.append(secret)
    return out


def _time(fn: Callable[[], object], rounds: int = 7) -> float:
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def main() -> int:
    from k8s_essentials_tui import helm_summary
    from k8s_essentials_tui.detection.evaluate import evaluate
    from k8s_essentials_tui.detection.snapshot import ClusterSnapshot
    from k8s_essentials_tui.helm.release import decode_all, latest
    from k8s_essentials_tui.registry import load_registry

    secrets = _secrets()
    decode_all(secrets)  # warm the decode memo, as the board's caches do

    def plain() -> object:
        return [r.snapshot_dict() for r in latest(decode_all(secrets))]

    def cold() -> object:
        helm_summary._removed_in_manifest.cache_clear()
        return helm_summary.summarize_releases(secrets)

    base = _time(plain)
    first = _time(cold)
    later = _time(lambda: helm_summary.summarize_releases(secrets))
    print(f"Helm summary, 150 releases: plain {base * 1e3:.1f} ms; with removed APIs "
          f"first refresh {first * 1e3:.1f} ms ({first / base:.2f}x), later "
          f"{later * 1e3:.1f} ms ({later / base:.2f}x)")

    plugins = load_registry(third_party=False).ordered()
    snap = ClusterSnapshot(helm_releases=helm_summary.summarize_releases(secrets))
    rules = _time(lambda: {p.id: p.detect(snap) for p in plugins}, rounds=31)
    full = _time(lambda: evaluate(plugins, snap), rounds=31)
    print(f"evaluate, {len(plugins)} plugins: rules alone {rules * 1e3:.2f} ms, with the "
          f"cross-component checks {full * 1e3:.2f} ms ({full / rules:.2f}x)")

    from k8s_essentials_tui.chart_latest import _parse_index, newest_in_index, scan_index

    entry = "  - apiVersion: v2\n    appVersion: {v}\n    created: 2026-01-01T00:00:00Z\n" \
            "    digest: {d}\n    urls:\n    - https://example.org/c-{v}.tgz\n" \
            "    version: {v}\n"

    def index(charts: int) -> bytes:
        return ("apiVersion: v1\nentries:\n" + "".join(
            f"  chart-{c}:\n" + "".join(entry.format(v=f"1.{c}.{k}", d="ab" * 32)
                                        for k in range(120)) for c in range(charts))
            + "generated: 2026-12-06T00:00:00Z\n").encode()

    big, small = index(1200), index(40)
    t0 = time.perf_counter()
    newest = scan_index(big, "chart-700")
    scan = time.perf_counter() - t0
    t0 = time.perf_counter()
    parsed = newest_in_index(_parse_index(small), "chart-7")
    parse = time.perf_counter() - t0
    assert newest == "1.700.119" and parsed == scan_index(small, "chart-7")
    per_mb_scan, per_mb_parse = scan / (len(big) / 1e6), parse / (len(small) / 1e6)
    print(f"index.yaml: scanned {len(big) / 1e6:.0f} MB in {scan * 1e3:.0f} ms; YAML parse "
          f"{per_mb_parse:.2f} s/MB vs scan {per_mb_scan * 1e3:.1f} ms/MB "
          f"({per_mb_parse / per_mb_scan:.0f}x); either way cached a day")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
