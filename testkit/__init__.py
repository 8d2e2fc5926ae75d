"""Test tooling for k8s-essentials-tui: a real local control plane, its fixtures and a demo seed.

The app only ever talks to a Kubernetes apiserver, so its tests, demo and benchmarks run
against a real one (kube-apiserver + etcd built from source by scripts/build-control-plane)
instead of mocks. Modules:

- ``testkit.controlplane``: start/stop etcd + kube-apiserver on loopback (``ControlPlane``),
  audit-log reading.
- ``testkit.kube``: ``KubeAdmin``, a tiny synchronous client for test *setup* (the product
  code must never set up its own tests).
- ``testkit.seed``: ``seed_demo`` -- a believable cluster for the demo and snapshots.
- ``testkit.devcluster``: the ``scripts/devcluster up|down`` command.
- ``testkit.pytest_plugin``: pytest fixtures.
"""
