"""The one golden loader: which cases a suite has, and how a text is compared with its golden file.

A golden case is a folder ``tests/golden/<suite>/<case>/`` of named files (tests/golden/README.md):
inputs named for what they are (``before.wiki``, ``page.wiki``, ``case.yaml``, ``catalogue.yaml`` ...)
and the expected results (``after.wiki``, ``expected.txt``, ``expected.json``, one ``<variant>.wiki``
per rendering). Files are read and compared as bytes decoded from UTF-8, so CRLF line ends and a
missing final newline are part of the expectation.

``OZGWIKI_UPDATE_GOLDEN=1`` makes :func:`check` write what the code produces instead of failing; the
change is then reviewed with ``git diff tests/golden`` like any other.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent / "golden"
UPDATE_ENV = "OZGWIKI_UPDATE_GOLDEN"


def updating() -> bool:
    """Whether this run rewrites the goldens (``OZGWIKI_UPDATE_GOLDEN=1``, nothing else)."""
    return os.environ.get(UPDATE_ENV) == "1"


def cases(suite: str) -> list[Path]:
    """The case folders of ``tests/golden/<suite>/``, sorted by name (ids: ``ids=case_id``)."""
    return sorted(p for p in (ROOT / suite).iterdir() if p.is_dir())


def case_id(case: Path) -> str:
    """A case's test id: its folder name."""
    return case.name


def read(path: Path) -> str:
    """A golden file's text exactly as stored (no newline translation)."""
    return path.read_bytes().decode("utf-8")


def check(path: Path, actual: str) -> None:
    """Assert that ``actual`` is the text of the golden file ``path``, byte for byte.

    With ``OZGWIKI_UPDATE_GOLDEN=1`` the file is written first (a new case's folder too), so the run
    passes and ``git diff`` shows what changed.
    """
    shown = path.relative_to(ROOT.parent.parent) if path.is_relative_to(ROOT.parent.parent) else path
    if updating():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(actual.encode("utf-8"))
    if not path.is_file():
        pytest.fail(f"missing golden {shown}; write it with {UPDATE_ENV}=1 and review it", pytrace=False)
    assert actual == read(path), f"golden {shown} differs; if intended: {UPDATE_ENV}=1, then review git diff"
