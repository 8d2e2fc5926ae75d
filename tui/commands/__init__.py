"""The core's headless subcommands, one module each, declared here like a plugin's.

Why declarations and not a package scan: the CLI lists every command in ``--help`` from
these and imports a command's module only when argv names it (``tui/cli.py``), so starting
the TUI or running one command never imports the others. Plugins add theirs with
``Plugin.commands``; a component's commands (``certs``, ``backup``, ``loki``) live in its
plugin package.
"""

from __future__ import annotations

from ..plugin import PluginCommand

CORE_COMMANDS: tuple[PluginCommand, ...] = (
    PluginCommand(
        "deprecations", "Helm releases using Kubernetes API versions removed by the next "
        "minor (like Pluto/kubent)", "k8s_essentials_tui.commands.deprecations",
        "Scan the manifests of the current Helm release revisions (decoded natively from the "
        "release records, no helm needed) for apiVersions the Kubernetes deprecation guide "
        "lists as removed, and the cluster's served versions. Exit 1 when something is "
        "removed at --target-version (default: the cluster's next minor), 0 otherwise, 2 "
        "when the cluster cannot be read."),
    PluginCommand(
        "install", "install or upgrade a component's Helm chart (preview, confirm, run)",
        "k8s_essentials_tui.commands.install",
        "Install or upgrade COMPONENT with `helm upgrade --install`. A server-side dry-run "
        "runs first and the per-resource diff against the deployed release is printed. "
        "Without --yes it asks for confirmation, and refuses when stdin is not a terminal. "
        "The namespace is the global -n/--namespace (default: the catalog's). Exit 0 on "
        "success (also --dry-run), 1 when helm ran the install/upgrade and it failed, 2 on any "
        "other error (usage, connection, preview, refused confirmation)."),
    PluginCommand("plugins", "list the registered plugins",
                  "k8s_essentials_tui.commands.plugins"),
    PluginCommand("releases", "list Helm releases (decoded from release Secrets, or ConfigMaps "
                  "with HELM_DRIVER=configmap; no helm needed)",
                  "k8s_essentials_tui.commands.releases"),
    PluginCommand(
        "report", "report which essential components are installed and healthy",
        "k8s_essentials_tui.commands.report",
        "Detect every week-1 component in the cluster. Exit 0 even when components are "
        "missing (unless --fail-on says otherwise: then 1); 2 when the cluster cannot be "
        "reached."),
    PluginCommand("uninstall", "uninstall a component's Helm release",
                  "k8s_essentials_tui.commands.uninstall"),
)
