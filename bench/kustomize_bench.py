"""Benchmark (not a test): the Kustomize pane's preview of a 300-object kustomization.

Starts a real kube-apiserver with testkit's ControlPlane, writes a kustomization of
``--objects`` objects (ConfigMaps and Deployments, one secretGenerator Secret), applies half
of them with a different value (so the preview has changed, added and unchanged rows), then
measures in one process, interleaved rounds, medians:

* ``raw``: the data path without a screen -- ``kubectl kustomize DIR`` + one YAML decode +
  per object a GET and a server-side apply dry-run PATCH with httpx + ``json.loads``, 8 at a
  time (what the preview needs, done the plainest way);
* ``bare``: a bare Textual app pushing an empty Screen and painting it (the fixed cost of a
  screen: bench/_common.py ``bare_screen_seconds``);
* ``ours``: the app (``run_test``, 120x40) from opening the pane, whose ``[kustomize]
  directory`` setting starts the preview, to the objects table painted with every row.

Budget as the lead reads pane budgets: ours <= 1.5 x (raw + bare); ours/raw printed too.

    .venv/bin/python bench/kustomize_bench.py [--objects 300] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import ROOT, bare_screen_seconds, bench_cluster, budget_line, rss_mb

sys.path.insert(0, str(ROOT))
NS = "bench"


def write_kustomization(directory: Path, objects: int) -> None:
    resources = []
    for i in range(objects):
        name = f"obj-{i:04d}"
        if i % 3 == 2:
            body = (f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n"
                    f"spec:\n  replicas: 1\n  selector:\n    matchLabels: {{app: {name}}}\n"
                    f"  template:\n    metadata:\n      labels: {{app: {name}}}\n"
                    f"    spec:\n      containers:\n      - name: main\n"
                    f"        image: registry.example/app:1.{i}.0\n")
        else:
            body = (f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n"
                    f"data:\n  index: \"{i}\"\n  value: new\n")
        (directory / f"{name}.yaml").write_text(body)
        resources.append(f"  - {name}.yaml\n")
    (directory / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
        f"namespace: {NS}\nresources:\n{''.join(resources)}"
        "secretGenerator:\n  - name: creds\n    literals: [password=bench]\n")


async def seed(kubeconfig: str, objects: int) -> None:
    from k8s_essentials_tui.kube.resources import CONFIGMAPS, NAMESPACES
    from k8s_essentials_tui.kube.session import ClusterSession, ConnectOptions

    session = await ClusterSession.connect(ConnectOptions(kubeconfig=kubeconfig))
    await session.client.create(NAMESPACES, {"apiVersion": "v1", "kind": "Namespace",
                                             "metadata": {"name": NS}})
    for i in range(0, objects, 2):  # half the ConfigMaps exist, with the old value
        if i % 3 != 2:
            await session.client.create(CONFIGMAPS, {
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": f"obj-{i:04d}", "namespace": NS},
                "data": {"index": str(i), "value": "old"}}, NS)
    await session.close()


async def raw_seconds(kubeconfig: str, kubectl: str, directory: str) -> float:
    import httpx
    import yaml

    from k8s_essentials_tui.kube.client import build_http_client
    from k8s_essentials_tui.kube.config import load_settings

    http: httpx.AsyncClient = build_http_client(load_settings(kubeconfig, None))
    plurals = {"ConfigMap": "/api/v1/namespaces/bench/configmaps",
               "Secret": "/api/v1/namespaces/bench/secrets",
               "Deployment": "/apis/apps/v1/namespaces/bench/deployments"}
    t0 = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(kubectl, "kustomize", directory,
                                                stdout=asyncio.subprocess.PIPE)
    out, _ = await proc.communicate()
    docs = list(yaml.load_all(out, Loader=yaml.CSafeLoader))
    gate = asyncio.Semaphore(8)

    async def one(doc: dict[str, Any]) -> None:
        path = f"{plurals[doc['kind']]}/{doc['metadata']['name']}"
        async with gate:
            live = await http.get(path)
            json.loads(live.content)
            planned = await http.patch(
                path, content=json.dumps(doc),
                params={"dryRun": "All", "fieldManager": "bench", "force": "true"},
                headers={"Content-Type": "application/apply-patch+yaml"})
            json.loads(planned.content)

    await asyncio.gather(*(one(d) for d in docs))
    elapsed = time.perf_counter() - t0
    await http.aclose()
    return elapsed


async def ours_seconds(kubeconfig: str, directory: str, objects: int) -> float:
    from textual.widgets import DataTable

    from k8s_essentials_tui.app import EssentialsApp, StartOptions
    from k8s_essentials_tui.plugins.kustomize.pane import KustomizePane
    from k8s_essentials_tui.settings import load_settings

    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.toml"
        config.write_text(f'[kustomize]\ndirectory = "{directory}"\n')
        settings = load_settings(config)
    app = EssentialsApp(StartOptions(kubeconfig=kubeconfig, namespace=NS, settings=settings))
    async with app.run_test(size=(120, 40)) as pilot:
        while app.session is None:
            await pilot.pause(0.02)
        t0 = time.perf_counter()
        app.open_plugin("kustomize")
        while True:
            panes = app.screen.query(KustomizePane)
            if panes and not panes.first().busy and panes.first().query_one(
                    "#kz-table", DataTable).row_count == objects + 1:
                break
            await pilot.pause(0.01)
        await pilot.pause()  # the next frame: painted
        return time.perf_counter() - t0


async def measure(kubeconfig: str, kubectl: str, directory: str, objects: int,
                  rounds: int) -> None:
    raws, bares, ours = [], [], []
    for r in range(rounds):
        raws.append(await raw_seconds(kubeconfig, kubectl, directory))
        bares.append(await bare_screen_seconds((120, 40)))
        ours.append(await ours_seconds(kubeconfig, directory, objects))
        print(f"round {r + 1}: raw {raws[-1]:.3f} s, bare {bares[-1]:.3f} s, "
              f"ours {ours[-1]:.3f} s", flush=True)
    raw, bare, mine = (statistics.median(x) for x in (raws, bares, ours))
    print(budget_line(f"kustomize preview, {objects + 1} objects", raw, bare, mine, 1.5))
    print(f"peak RSS {rss_mb():.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from testkit.controlplane import find_binaries

    kubectl = str(find_binaries(build=False) / "kubectl")
    if not Path(kubectl).exists():
        kubectl = shutil.which("kubectl") or sys.exit("no kubectl")
    with tempfile.TemporaryDirectory(prefix="kz-bench-") as tmp, \
            bench_cluster("kz-bench-cp-") as kubeconfig:
        directory = Path(tmp)
        write_kustomization(directory, args.objects)
        asyncio.run(seed(kubeconfig, args.objects))
        import os
        os.environ["PATH"] = f"{Path(kubectl).parent}{os.pathsep}{os.environ['PATH']}"
        asyncio.run(measure(kubeconfig, kubectl, str(directory), args.objects, args.rounds))


if __name__ == "__main__":
    main()
