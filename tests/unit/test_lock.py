"""The run lock: a real second process holds it; a killed holder leaves nothing that blocks."""

from __future__ import annotations

import io
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from ozgwiki.config import parse_config
from ozgwiki.engine.lock import LockHolder, RunLock, RunLocked
from ozgwiki.engine.runner import execute

# Takes the lock, says so on stdout, holds it until its stdin is closed: the pipe is the synchronisation.
HOLDER = """
import sys
from pathlib import Path
from ozgwiki.engine.lock import RunLock
lock = RunLock(Path(sys.argv[1]))
lock.acquire()
print("locked", flush=True)
sys.stdin.read()
lock.release()
print("released", flush=True)
"""


@contextmanager
def held_by_other_process(path: Path) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdin is not None
    try:
        assert proc.stdout.readline() == "locked\n"
        yield proc
    finally:
        if proc.poll() is None:
            proc.stdin.close()
            proc.wait(timeout=30)


def test_lock_writes_holder_and_empties_on_release(tmp_path: Path) -> None:
    path = tmp_path / "state" / "ozgwiki-run.lock"
    with RunLock(path) as lock:
        holder = LockHolder.parse(path.read_text())
        assert holder is not None and holder.pid == os.getpid()
        assert holder.started.endswith("Z")
        assert lock.stale is None
    assert path.exists() and path.read_text() == ""  # kept: deleting a flock'ed file races


def test_second_process_is_refused_with_holders_pid(tmp_path: Path) -> None:
    path = tmp_path / "ozgwiki-run.lock"
    with held_by_other_process(path) as proc:
        with pytest.raises(RunLocked) as exc:
            RunLock(path).acquire()
        assert exc.value.exit_code == 3
        assert f"another run (PID {proc.pid}, started " in str(exc.value)
        assert "is still running" in str(exc.value)
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.close()
        assert proc.stdout.readline() == "released\n"
        proc.wait(timeout=30)
    with RunLock(path) as lock:  # free again once the holder let go
        assert lock.stale is None


def test_killed_holder_never_blocks_and_is_reported(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "ozgwiki-run.lock"
    with held_by_other_process(path) as proc:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        pid = proc.pid
    left = LockHolder.parse(path.read_text())
    assert left is not None and left.pid == pid, "a killed run leaves its PID in the file"
    with caplog.at_level(logging.WARNING, logger="ozgwiki.engine.lock"), RunLock(path) as lock:
        assert lock.stale is not None and lock.stale.pid == pid
        assert LockHolder.parse(path.read_text()).pid == os.getpid()  # type: ignore[union-attr]
    assert f"left by a killed run (PID {pid}, started" in caplog.text


def test_stale_file_with_dead_pid_is_taken_over(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead = int(done.stdout)
    path = tmp_path / "ozgwiki-run.lock"
    path.write_text(f"{dead}\n2026-11-28T23:30:00Z\n")
    with caplog.at_level(logging.WARNING, logger="ozgwiki.engine.lock"), RunLock(path) as lock:
        assert lock.stale == LockHolder(dead, "2026-11-28T23:30:00Z")
    assert f"(PID {dead}, started 2026-11-28T23:30:00Z)" in caplog.text


@pytest.mark.parametrize(
    "text", ["", "\n", "garbage\n", "-5\nx\n"], ids=["empty", "newline", "garbage", "negative"]
)
def test_empty_or_unreadable_file_is_not_stale(tmp_path: Path, text: str) -> None:
    path = tmp_path / "ozgwiki-run.lock"
    path.write_text(text)
    with RunLock(path) as lock:
        assert lock.stale is None


def test_execute_refuses_while_another_run_holds_the_lock(tmp_path: Path) -> None:
    config = parse_config(
        {"wiki": {"api_url": "http://wiki.test/w/api.php", "username": "OzgBot@ozgwiki"}},
        tmp_path / "ozgwiki.yaml",
    )
    out, err = io.StringIO(), io.StringIO()

    def no_site(*args: object) -> None:
        raise AssertionError("a refused run must not even log in")

    with held_by_other_process(tmp_path / "state" / "ozgwiki-run.lock") as proc:
        report = execute(config, steps=(), out=out, err=err, open_site=no_site)  # type: ignore[arg-type]
    assert report.exit_code == 3
    assert f"another run (PID {proc.pid}, started" in err.getvalue()
    assert "run: exit 3 (incomplete)" in out.getvalue()
    assert f"another run (PID {proc.pid}" in (tmp_path / "state" / "ozgwiki-run.log").read_text()


def test_a_waiting_lock_queues_behind_the_holder_and_gets_it_on_release(tmp_path: Path) -> None:
    """The local wiki's up/down/reset wait for each other (``wait=True``); cron runs refuse instead."""
    path = tmp_path / "x.lock"
    got: list[int] = []

    def second() -> None:
        with RunLock(path, wait=True):
            got.append(1)

    first = RunLock(path)
    first.acquire()
    waiter = threading.Thread(target=second)
    waiter.start()
    with pytest.raises(RunLocked):
        RunLock(path).acquire()  # a refusing lock still refuses while the waiter queues
    assert got == []
    first.release()
    waiter.join()
    assert got == [1]
