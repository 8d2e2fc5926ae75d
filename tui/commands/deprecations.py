"""``deprecations``: which Helm releases use Kubernetes API versions that are removed (or
removed by ``--target-version``), like Pluto/kubent, from the release records natively."""

from __future__ import annotations

import argparse
import sys

from ..deprecations import Finding, failing, minor, next_minor, scan, served_deprecated
from ..errors import EssentialsError
from ..helm.release import CURRENT_SELECTOR, decode_all, latest
from ..helm.storage import helm_storage
from ..kube.session import ClusterSession
from ._common import EXIT_FOUND, EXIT_OK, add_output, emit, fail, print_json, table, with_session


def _target(text: str) -> tuple[int, int]:
    value = minor(text)
    if value is None:
        raise argparse.ArgumentTypeError(f"not a Kubernetes version like 1.36: {text!r}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_output(parser)
    parser.add_argument(
        "--target-version", type=_target, default=None, metavar="1.N",
        help="the Kubernetes minor to check against (default: the cluster's next minor)")


def _text(findings: list[Finding], cluster: str, target: str,
          served: list[str]) -> None:
    emit(f"cluster {cluster or 'version unknown'}, target {target}: "
         f"{sum(f.status != 'deprecated' for f in findings)} removed, "
         f"{sum(f.status == 'deprecated' for f in findings)} deprecated")
    if findings:
        print(table([[f"{f.release_namespace}/{f.release}", f"{f.kind}/{f.name}",
                      f.api_version, f.replacement, f.removed_in or "-", f.status]
                     for f in findings],
                    ["RELEASE", "OBJECT", "API VERSION", "REPLACEMENT", "REMOVED IN",
                     "STATUS"]))
    for line in served:
        emit(f"served by the cluster, removed by {target}: {line}")
    if any(f.status == "removed" for f in findings):
        emit("note: helm cannot upgrade a release whose deployed manifest uses an API the "
             "cluster no longer serves; rewrite the release record first (e.g. the helm "
             "mapkubeapis plugin), then upgrade", file=sys.stderr)


async def run(args: argparse.Namespace) -> int:
    namespace = getattr(args, "namespace", None) or None

    async def body(session: ClusterSession) -> int:
        disc = await session.discovery()
        cluster_text = str(session.server_version.get("gitVersion") or "")
        cluster = minor(cluster_text)
        target = args.target_version or (next_minor(cluster) if cluster else None)
        if target is None:
            return fail("the cluster's version is unknown: give --target-version 1.N")
        storage = helm_storage()
        items, _rv = await session.client.list(storage.rtype, namespace,
                                               label_selector=CURRENT_SELECTOR)
        releases = [r for r in latest(decode_all(items))
                    if r.readable and r.status != "uninstalled"]
        findings = scan(releases, target=target, cluster=cluster, served=disc.groups)
        served = [f"{a.api_version} {a.kind} (removed in {a.removed_in})"
                  for a in served_deprecated(disc.groups, target)]
        target_text = f"{target[0]}.{target[1]}"
        if args.output == "json":
            print_json({"cluster_version": cluster_text or None,
                        "target_version": target_text,
                        "findings": [f.as_json() for f in findings],
                        "served_deprecated": served})
        else:
            _text(findings, cluster_text, target_text, served)
        return EXIT_FOUND if failing(findings) else EXIT_OK

    try:
        return await with_session(args, body)
    except EssentialsError as exc:
        return fail(str(exc))
