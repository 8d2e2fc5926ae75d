"""Helm without the ``helm`` binary for reading, with it for changing.

``release``: decode Helm 3 release Secrets from the shared watch cache. ``diff``: compare
rendered manifests grouped by resource. ``chart``: which chart a component installs from
(catalog + config overrides) and the helm argv for each operation. ``export``: the same
install as Flux or Argo CD YAML. ``operations``: the one code path (TUI and headless) that
turns a chosen install/upgrade/rollback/uninstall into a ``Mutation`` running the real helm.
No Textual imports here.
"""
