"""Issue #15, findings 3 and 6, without a cluster: read-only enforced in ``actions.execute``
(the one mutation path), Secret values masked in every Helm diff and in the Values tab's
text, and private state files (0600 in a 0700 directory)."""

from __future__ import annotations

import asyncio
import base64
import logging
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from k8s_essentials_tui import audit
from k8s_essentials_tui.actions import ActionContext, Mutation, ReadOnlyError, execute
from k8s_essentials_tui.helm.diff import diff_manifests, mask_manifest, render_text
from k8s_essentials_tui.helm.values import dump_values, mask_values, mask_values_pair
from k8s_essentials_tui.plugins.loki.history import QueryHistory
from k8s_essentials_tui.settings import state_dir

PASSWORD = "hunter2-s3cr3t"
B64 = base64.b64encode(PASSWORD.encode()).decode()
NEW_PASSWORD = "correct-horse"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- read-only in execute() ---------------------------------------------------------------


def _mutation(ran: list[str]) -> Mutation:
    async def run() -> str:
        ran.append("ran")
        return "done"

    return Mutation(action="test.create", title="Create thing x", command="kubectl create x",
                    run=run, why_write="because")


def test_execute_refuses_every_mutation_of_a_read_only_session() -> None:
    ran: list[str] = []
    with pytest.raises(ReadOnlyError, match=r"^read-only mode: Create thing x is disabled "
                                            r"\(because\)$"):
        asyncio.run(execute(_mutation(ran), ActionContext("dev", read_only=True)))
    assert ran == []
    entry = audit.read()[-1]
    assert (entry["action"], entry["result"], entry["context"]) == \
        ("test.create", "refused", "dev")
    assert entry["command"] == "kubectl create x"


def test_execute_runs_and_audits_outside_read_only() -> None:
    ran: list[str] = []
    assert asyncio.run(execute(_mutation(ran), ActionContext("dev"))) == "done"
    assert ran == ["ran"]
    assert audit.read()[-1]["result"] == "ok"


# -- Secret values in manifest diffs ---------------------------------------------------------


def secret(data: dict[str, str], string_data: dict[str, str] | None = None) -> str:
    lines = ["# Source: demo/templates/secret.yaml", "apiVersion: v1", "kind: Secret",
             "metadata:", "  name: demo-auth", "data:"]
    lines += [f"  {k}: {base64.b64encode(v.encode()).decode()}" for k, v in data.items()]
    if string_data:
        lines.append("stringData:")
        lines += [f"  {k}: {v}" for k, v in string_data.items()]
    return "\n".join(lines) + "\n"


CONFIGMAP = ("---\n# Source: demo/templates/configmap.yaml\napiVersion: v1\nkind: ConfigMap\n"
             "metadata:\n  name: demo-config\ndata:\n  message: |\n    kind: Secret\n"
             f"    password: {PASSWORD}\n")


def test_a_new_secret_shows_its_keys_never_its_values() -> None:
    diffs = diff_manifests(None, secret({"password": PASSWORD}, {"token": PASSWORD}), "apps")
    text = "\n".join(render_text(diffs))
    assert PASSWORD not in text and B64 not in text
    assert "+  password: (added)" in text and "+  token: (added)" in text


def test_changed_unchanged_added_removed_like_helm_diff() -> None:
    old = secret({"password": PASSWORD, "user": "admin", "gone": "x"})
    new = secret({"password": NEW_PASSWORD, "user": "admin", "fresh": "y"})
    (d,) = diff_manifests(old, new, "apps")
    assert d.change == "changed"
    body = "\n".join(d.lines)
    for value in (PASSWORD, NEW_PASSWORD, B64, "YWRtaW4="):
        assert value not in body
    assert "-  password: (changed, old value)" in body and "+  password: (changed)" in body
    assert "   user: (unchanged)" in body
    assert "-  gone: (removed)" in body and "+  fresh: (added)" in body


def test_only_a_value_changed_is_still_a_change() -> None:
    (d,) = diff_manifests(secret({"password": PASSWORD}), secret({"password": NEW_PASSWORD}),
                          "apps")
    assert d.change == "changed" and d.added == 1 and d.removed == 1


def test_a_removed_secret_and_a_broken_one_hide_their_values() -> None:
    diffs = diff_manifests(secret({"password": PASSWORD}), "", "apps")
    assert "-  password: (removed)" in diffs[0].lines
    broken = f"apiVersion: v1\nkind: Secret\ndata: [password: {B64}\n"
    text = "\n".join(render_text(diff_manifests(None, broken, "apps")))
    assert B64 not in text and "could not be parsed: hidden" in text


def test_other_kinds_are_not_masked_even_if_they_mention_secret() -> None:
    text = "\n".join(render_text(diff_manifests(None, CONFIGMAP, "apps")))
    assert f"password: {PASSWORD}" in text  # a ConfigMap is not a Secret: shown as rendered


def test_show_secrets_gives_the_real_diff() -> None:
    diffs = diff_manifests(secret({"password": PASSWORD}), secret({"password": NEW_PASSWORD}),
                           "apps", show_secrets=True)
    body = "\n".join(diffs[0].lines)
    assert B64 in body and base64.b64encode(NEW_PASSWORD.encode()).decode() in body


def test_mask_manifest_keeps_other_documents_as_they_are() -> None:
    manifest = secret({"password": PASSWORD}) + CONFIGMAP
    masked = mask_manifest(manifest)
    assert B64 not in masked and "password: (hidden)" in masked
    assert masked.endswith(CONFIGMAP)
    assert masked.startswith("# Source: demo/templates/secret.yaml\n")


# -- credential-looking values --------------------------------------------------------------


def test_values_with_credential_keys_are_hidden() -> None:
    values = {"message": "hello", "adminPassword": PASSWORD,
              "auth": {"apiToken": PASSWORD, "user": "me"},
              "tls": {"privateKey": PASSWORD}, "existingSecret": "db-creds",
              "Credentials": [PASSWORD], "replicas": 2}
    text = dump_values(mask_values(values))
    assert PASSWORD not in text and "db-creds" not in text
    assert "message: hello" in text and "user: me" in text and "replicas: 2" in text
    assert "adminPassword: (hidden)" in text


def test_values_diff_says_which_credential_changed() -> None:
    old, new = mask_values_pair({"password": PASSWORD, "token": "t", "message": "a"},
                                {"password": NEW_PASSWORD, "token": "t", "message": "b",
                                 "apiKey": "k"})
    assert old == {"password": "(changed, old value)", "token": "(unchanged)", "message": "a"}
    assert new == {"password": "(changed)", "token": "(unchanged)", "message": "b",
                   "apiKey": "(added)"}


# -- state files ----------------------------------------------------------------------------


def test_audit_log_is_private(tmp_path: Path) -> None:
    audit.record(context="dev", action="a", command="c", result="ok")
    assert mode(state_dir()) == 0o700
    assert mode(audit.audit_path()) == 0o600


def test_existing_state_files_are_tightened(tmp_path: Path) -> None:
    directory = state_dir()
    directory.mkdir(parents=True, mode=0o755)
    os.chmod(directory, 0o755)
    log = audit.audit_path()
    log.write_text("")
    os.chmod(log, 0o644)
    history = directory / "loki-history.json"
    history.write_text('{"history": ["{app=\\"x\\"}"]}')
    os.chmod(history, 0o644)
    audit.record(context="dev", action="a", command="c", result="ok")
    assert mode(directory) == 0o700 and mode(log) == 0o600
    assert QueryHistory.load(history).history == ['{app="x"}']
    assert mode(history) == 0o600


def test_query_history_is_private() -> None:
    hist = QueryHistory.load()
    hist.add('{namespace="payments"}')
    assert mode(hist.path) == 0o600 and mode(hist.path.parent) == 0o700


def test_app_log_is_private(monkeypatch: pytest.MonkeyPatch) -> None:
    from k8s_essentials_tui.cli import _setup_log_file

    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])  # basicConfig only acts without handlers
    try:
        _setup_log_file()
        path = state_dir() / "app.log"
        assert mode(path) == 0o600 and mode(path.parent) == 0o700
    finally:
        for handler in root.handlers:
            handler.close()


_TOKENS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_",
                  min_size=12, max_size=40)


@settings(max_examples=60, deadline=None)
@given(old=st.dictionaries(st.sampled_from(["password", "token", "tls.key", "user"]), _TOKENS,
                           max_size=4),
       new=st.dictionaries(st.sampled_from(["password", "token", "tls.key", "user"]), _TOKENS,
                           max_size=4),
       as_string_data=st.booleans())
def test_no_secret_value_ever_reaches_a_diff(old: dict[str, str], new: dict[str, str],
                                             as_string_data: bool) -> None:
    new_doc = secret({}, new) if as_string_data else secret(new)
    text = "\n".join(render_text(diff_manifests(secret(old), new_doc, "apps"),
                                 show_unchanged=True))
    text += mask_manifest(new_doc)
    for value in [*old.values(), *new.values()]:
        assert value not in text
        assert base64.b64encode(value.encode()).decode() not in text
