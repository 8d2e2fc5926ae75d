"""Headless text output over hostile objects on the real apiserver (issue #15): what a
namespace tenant writes into Certificates and Velero objects reaches ``certs`` and
``backup list`` text as visible stand-ins, never as control characters; the JSON output of
the same commands keeps the exact strings (``json`` escapes them itself). ``report`` and
``releases`` are covered in test_display_core_e2e.py, ``loki`` in test_display_core_units.py.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from k8s_essentials_tui.cli import main
from testkit import hostile
from tests.cert_fixtures import seed_hostile as seed_hostile_certs
from tests.conftest import FIXED_NOW
from tests.test_hostile_velero_pane import seed_hostile as seed_hostile_velero

pytestmark = pytest.mark.e2e


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_certs_text_carries_no_control_characters(kube_admin, kubeconfig, namespace,
                                                  capsys) -> None:
    seed_hostile_certs(kube_admin, namespace, FIXED_NOW)
    rc, out, err = _run(capsys, "certs", "--kubeconfig", kubeconfig, "-n", namespace,
                        "--within", "36500")
    assert rc in (0, 1), err
    hostile.assert_clean(out.splitlines(), " (certs text)")
    hostile.assert_clean(err.splitlines(), " (certs stderr)")
    assert "evil" in out and "␛]0;pwned" in out  # shown, not sent
    rc, out, err = _run(capsys, "certs", "--kubeconfig", kubeconfig, "-n", namespace,
                        "--within", "36500", "-o", "json")
    assert rc in (0, 1), err
    strings = _strings(json.loads(out))
    assert any(hostile.HANGUL * 2 in s for s in strings)  # JSON keeps the exact strings
    assert any("\x1b" in s for s in strings)


def test_certs_text_aligns_hangul_by_cells(kube_admin, kubeconfig, namespace, capsys) -> None:
    """The columns after a Hangul issuer or DNS name start at the same terminal cell on
    every row (``len()`` counts a Hangul syllable as one, the terminal shows two cells)."""
    from rich.cells import cell_len

    seed_hostile_certs(kube_admin, namespace, FIXED_NOW)
    rc, out, _err = _run(capsys, "certs", "--kubeconfig", kubeconfig, "-n", namespace,
                         "--within", "36500")
    assert rc in (0, 1)
    header, *rows = [line for line in out.splitlines()
                     if namespace in line or line.startswith("NAMESPACE")]
    assert rows and any(hostile.HANGUL in row for row in rows)
    starts = {m.start() for m in re.finditer(r"\S+(?: \S+)*", header)}
    for row in rows:
        # a cell starts after two spaces (the table's gutter), or at column 0
        cells = [i for i in range(len(row)) if row[i] != " "
                 and (i == 0 or row[i - 2:i] == "  ")]
        offsets = {cell_len(row[:i]) for i in cells}
        assert starts <= offsets, (header, row)


def test_backup_list_text_carries_no_control_characters(kube_admin, kubeconfig, namespace,
                                                        capsys) -> None:
    seed_hostile_velero(kube_admin, namespace)
    rc, out, err = _run(capsys, "backup", "list", "--kubeconfig", kubeconfig, "-n",
                        namespace)
    assert rc == 0, err
    hostile.assert_clean(out.splitlines(), " (backup list text)")
    hostile.assert_clean(err.splitlines(), " (backup list stderr)")
    assert "evil-backup" in out
    rc, out, err = _run(capsys, "backup", "list", "--kubeconfig", kubeconfig, "-n",
                        namespace, "-o", "json")
    assert rc == 0, err
    assert any("\x1b" in s for s in _strings(json.loads(out)))  # JSON keeps them (escaped)
