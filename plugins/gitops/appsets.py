"""Argo CD ApplicationSets as rows: generators, owned Applications, conditions.

Pure parsing of ``argoproj.io/v1alpha1`` ApplicationSet objects (no Textual, no I/O), shared
by the pane and ``gitops status``. The ApplicationSet controller reports its state in three
conditions (``ErrorOccurred``, ``ParametersGenerated``, ``ResourcesUpToDate``; see
``ApplicationSetConditionType`` in Argo CD's applicationset_types.go) and sets itself as the
controlling ``ownerReference`` of every Application it generates -- so the number of
Applications a set owns is counted from the Applications' ``ownerReferences`` (one list,
already watched by the pane), never one request per set. Strings are returned raw.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from k8s_essentials_tui.api import Fields, mapping

#: the conditions the controller writes, in the order the pane shows them
CONDITIONS = ("ErrorOccurred", "ParametersGenerated", "ResourcesUpToDate")
#: generator keys that combine child generators
COMBINERS = ("matrix", "merge")


@dataclass
class AppSetRow:
    namespace: str
    name: str
    uid: str
    #: one word per generator, e.g. ``list(3)``, ``git dirs``, ``matrix(git dirs+clusters)``
    generators: list[str]
    #: condition type -> (status, reason, message)
    conditions: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    #: Applications whose ownerReferences name this set (filled by :func:`count_owned`)
    owned: int = 0
    #: names of the Applications the controller reports in ``status.resources``
    reported: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"ApplicationSet/{self.namespace}/{self.name}"

    def condition(self, kind: str) -> tuple[str, str, str]:
        return self.conditions.get(kind, ("", "", ""))

    @property
    def error(self) -> bool:
        """The controller could not generate or apply: ``ErrorOccurred`` is True, or the
        parameters were not generated (``ParametersGenerated`` False)."""
        return (self.condition("ErrorOccurred")[0] == "True"
                or self.condition("ParametersGenerated")[0] == "False")

    @property
    def status(self) -> str:
        """One word for the table: Error, UpToDate, Progressing or Unknown."""
        if self.error:
            return "Error"
        up = self.condition("ResourcesUpToDate")[0]
        if up == "True":
            return "UpToDate"
        if up == "False":
            return "Progressing"
        return "Unknown"

    @property
    def message(self) -> str:
        """The message that explains the status: the error's first, else up-to-date's."""
        for kind in ("ErrorOccurred", "ParametersGenerated", "ResourcesUpToDate"):
            status, _reason, message = self.condition(kind)
            bad = status == ("False" if kind == "ParametersGenerated" else "True")
            if message and (bad or kind == "ResourcesUpToDate"):
                return message
        return ""

    @property
    def generators_text(self) -> str:
        return ", ".join(self.generators) or "-"


def generator_word(generator: Any) -> str:
    """A short description of one generator (its first known key)."""
    gen = mapping(generator)
    if "list" in gen:
        elements = mapping(gen["list"]).get("elements")
        n = len(elements) if isinstance(elements, list) else 0
        return f"list({n})" if n or not mapping(gen["list"]).get("elementsYaml") else "list"
    if "git" in gen:
        git = mapping(gen["git"])
        if git.get("files"):
            return "git files"
        return "git dirs" if git.get("directories") else "git"
    if "clusters" in gen:
        return "clusters"
    if "scmProvider" in gen:
        scm = mapping(gen["scmProvider"])
        provider = next((k for k in scm if isinstance(scm[k], Mapping)), "")
        return f"scm {provider}" if provider else "scm"
    if "pullRequest" in gen:
        pr = mapping(gen["pullRequest"])
        provider = next((k for k in pr if isinstance(pr[k], Mapping)), "")
        return f"pull requests {provider}" if provider else "pull requests"
    if "clusterDecisionResource" in gen:
        return "cluster decisions"
    if "plugin" in gen:
        return "plugin"
    for combiner in COMBINERS:
        if combiner in gen:
            children = mapping(gen[combiner]).get("generators")
            words = [generator_word(c) for c in children] if isinstance(children, list) else []
            return f"{combiner}({'+'.join(words)})"
    keys = [k for k in gen if k not in ("selector", "values")]
    return keys[0] if keys else "?"


def appset_row(obj: Any) -> AppSetRow:
    f = Fields(obj)
    conditions: dict[str, tuple[str, str, str]] = {}
    for item in f.array("status.conditions"):
        c = Fields(item, f.problems)
        conditions[c.text("type")] = (c.text("status"), c.text("reason"), c.text("message"))
    reported = [Fields(item, f.problems).text("name")
                for item in f.array("status.resources")]
    return AppSetRow(
        namespace=f.text("metadata.namespace"), name=f.text("metadata.name"),
        uid=f.text("metadata.uid"),
        generators=[generator_word(g) for g in f.array("spec.generators")],
        conditions=conditions, reported=reported, problems=f.problems)


def owners(apps: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """uid of an ApplicationSet -> how many of ``apps`` it owns (by ownerReferences)."""
    counts: dict[str, int] = {}
    for obj in apps:
        refs = mapping(obj.get("metadata")).get("ownerReferences")
        if not isinstance(refs, list):
            continue
        for ref in refs:
            ref = mapping(ref)
            if ref.get("kind") == "ApplicationSet" and isinstance(ref.get("uid"), str):
                counts[ref["uid"]] = counts.get(ref["uid"], 0) + 1
    return counts


def appset_rows(items: Iterable[Any], apps: Iterable[Mapping[str, Any]] = ()
                ) -> list[AppSetRow]:
    """Rows sorted by namespace and name, each with the number of Applications it owns."""
    counts = owners(apps)
    rows = sorted((appset_row(o) for o in items), key=lambda r: (r.namespace, r.name))
    for row in rows:
        row.owned = counts.get(row.uid, 0)
    return rows
