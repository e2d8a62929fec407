"""The run lock: two ``ozgwiki run`` never overlap.

An exclusive ``fcntl.flock`` on ``<state dir>/ozgwiki-run.lock``. The kernel releases the lock when
the process ends however it ends (kill -9, OOM, reboot), so a killed run never leaves a lock that
blocks the next one. The file only carries information for people: the holder's PID and start time,
for the message "another run (PID n, started ...) is still running".

A clean exit empties the file. A file that still names a PID while its lock is free was left by a run
that was killed: the next run takes it over and logs that. The file is never deleted: deleting a
flock'ed file lets a third process lock a new file of the same name while the second still holds the old
one.
"""

from __future__ import annotations

import fcntl
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from ozgwiki.errors import RunLocked

log = logging.getLogger(__name__)

LOCK_NAME = "ozgwiki-run.lock"


@dataclass(frozen=True)
class LockHolder:
    """What a run writes into the lock file."""

    pid: int
    started: str  # ISO 8601, UTC

    def describe(self) -> str:
        return f"PID {self.pid}, started {self.started}"

    def render(self) -> str:
        return f"{self.pid}\n{self.started}\n"

    @classmethod
    def parse(cls, text: str) -> LockHolder | None:
        """The holder named in a lock file's text; None for an empty or unreadable file."""
        lines = text.split("\n")
        try:
            pid = int(lines[0].strip())
        except (ValueError, IndexError):
            return None
        started = lines[1].strip() if len(lines) > 1 and lines[1].strip() else "unknown"
        return cls(pid, started) if pid > 0 else None


def pid_alive(pid: int) -> bool:
    """True when a process with this PID exists (it may be someone else's after PID reuse)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, belongs to another user
    return True


class RunLock:
    """``with RunLock(path):`` -- hold the lock, or raise :class:`RunLocked` at once.

    The project's one lock: the cron run, a bot's state and the local wiki's up/down/reset all use it.
    ``wait=True`` queues behind the holder instead of refusing -- for the local wiki's commands, which
    must run one after the other but all run.
    """

    def __init__(self, path: Path, *, wait: bool = False) -> None:
        self.path = path
        self.wait = wait
        self._fd: int | None = None
        #: The holder a killed run left in the file, when this run took its place.
        self.stale: LockHolder | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if self.wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = LockHolder.parse(_read(fd))
            os.close(fd)
            raise RunLocked(self.path, holder) from None
        except BaseException:
            os.close(fd)
            raise
        left = LockHolder.parse(_read(fd))
        if left is not None:
            self.stale = left
            alive = " (that PID now belongs to another process)" if pid_alive(left.pid) else ""
            log.warning(
                "taking over the lock file %s left by a killed run (%s)%s", self.path, left.describe(), alive
            )
        me = LockHolder(os.getpid(), datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        os.ftruncate(fd, 0)
        os.pwrite(fd, me.render().encode(), 0)
        self._fd = fd

    def release(self) -> None:
        """Empty the file (a clean end) and drop the lock."""
        if self._fd is None:
            return
        try:
            os.ftruncate(self._fd, 0)
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


def _read(fd: int) -> str:
    data = os.pread(fd, 4096, 0)
    return data.decode("utf-8", errors="replace")
