"""Example plugin (docs/plugins.md): "notes" are ConfigMaps labelled ``notes.example.com/note``.

The catalog entry: declarative detection (no ``detect()``: the standard rule runs with the
selectors, chart names and API groups below), the pane by import path (loaded only when it
opens, so this module imports no Textual), one mutating action, a headless command
(``k8s-essentials-tui notes``, its module imported only when run) and a settings table
(``[notes]`` in config.toml).
"""

from __future__ import annotations

from k8s_essentials_tui.api import Plugin, PluginAction, PluginCommand, Setting

#: the label every note carries (the pane lists ConfigMaps with it)
NOTE_LABEL = "notes.example.com/note"

PLUGIN = Plugin(
    id="notes",
    title="Notes",
    category="local-dev",
    why="An example: shows how a plugin detects, lists live objects and mutates safely.",
    # installed when a Deployment with this label runs (or only its Helm release: partial)
    workload_selectors=({"app.kubernetes.io/name": "notes-server"},),
    chart_names=("notes-server",),
    pane="essentials_notes.pane:NotesPane",
    actions=(PluginAction("notes.delete", "Notes: delete note", "d",
                          "delete the selected note ConfigMap", mutating=True),),
    aliases=("note",),
    # `k8s-essentials-tui notes [-A] [-o json]`; listed in --help by this declaration alone
    commands=(PluginCommand("notes", "list the notes (ConfigMaps labelled "
                            "notes.example.com/note)", "essentials_notes.command"),),
    # [notes] max_length = 40 -- checked by the config loader ("must be an integer")
    settings=(Setting("max_length", int, 60, "cut a note's text to this many terminal cells"),),
)
