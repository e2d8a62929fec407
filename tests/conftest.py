"""The root conftest: no test reads the folder ``shared/`` beside the checkout.

A fresh clone has no ``../shared``; what the tests replay is the repository's own (``tests/data/``).
An audit hook (``open``, ``os.listdir``, ``os.scandir``) refuses every access below it and fails the
run, even where the code under test swallows the error. Subprocesses are not watched.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

from ozgwiki.config import LOCALWIKI_DIR_ENV, localwiki_dir

SHARED = os.path.realpath(Path(__file__).resolve().parents[2] / "shared")
EVENTS = frozenset({"open", "os.listdir", "os.scandir"})
_seen: list[str] = []


class SharedFolderAccess(RuntimeError):
    """Not an OSError, so ``except OSError`` / ``FileNotFoundError`` in the code under test cannot hide it."""


def _below(path: str, root: str) -> bool:
    return path == root or path.startswith(root + os.sep)


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event not in EVENTS:
        return
    target = args[0] if args and args[0] is not None else "."
    if isinstance(target, int) or not isinstance(target, str | bytes | os.PathLike):
        return  # a file descriptor
    path = os.path.realpath(os.fsdecode(target))
    if not _below(path, SHARED):  # no exemptions: the real catalogue ships as package data
        return
    message = (
        f"{event}({path!r}): tests must not read {SHARED}/ (outside the repository; a fresh clone has "
        "none). Recorded API answers are in tests/data/api/ (tests/smw/record_api.py); see tests/conftest.py"
    )
    _seen.append(message)
    raise SharedFolderAccess(message)


sys.addaudithook(_audit)


@pytest.fixture(autouse=True)
def _no_shared_access() -> Any:
    """The test that touched ../shared fails, even where the code under test caught the error."""
    before = len(_seen)
    yield
    if len(_seen) > before:
        pytest.fail(_seen[-1], pytrace=False)


@pytest.fixture(autouse=True)
def _own_state_folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """A config built in code keeps its state (the page memory, the validate state) in ``./state``:
    each test runs in a folder of its own, so no test writes into the checkout and no test's memory
    makes another skip its reads. The local wiki stays where it was found (``./.localwiki`` of the
    checkout, unless ``$OZGWIKI_LOCALWIKI_DIR`` names another)."""
    monkeypatch.setenv(LOCALWIKI_DIR_ENV, str(localwiki_dir()))
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _seen and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for message in dict.fromkeys(_seen):
        terminalreporter.write_line(f"FAILED (../shared): {message}", red=True, bold=True)
