"""A small JSON state store for bots that remember something between runs.

A bot's state is a cache of what it learnt from the wiki (where it stopped reading recent changes,
what it found last time). Losing it must never lose data in the wiki, only cost a full rescan; a
*half-written* state, though, could make a bot skip pages silently. So every write is atomic: the
JSON goes to a temporary file in the same folder, is flushed and fsync'ed, and only then replaces
the old file with :func:`os.replace` (atomic on POSIX). A crash at any point leaves either the old
state or the new one, never a mixture. The folder is fsync'ed too, so the rename survives a power
cut.

Where the state lives (``docs/architecture.md``)::

    state:
      dir: state          # relative to the config file; default: ``state/`` next to the config file

One file per bot: ``<dir>/<name>.json``. A lock file ``<dir>/<name>.lock`` (``flock``) keeps two
runs of the same bot (an overlapping cron job) from interleaving their reads and writes.

Raises :class:`StateError` (a :class:`~ozgwiki.errors.OzgwikiError`, exit code 2) for a file that is
not valid JSON or not a JSON object, and :class:`~ozgwiki.errors.RunLocked` (exit 3) when another run
holds the lock. Callers decide what a
corrupt state means; the validate bot treats it as "no state" and scans everything.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ozgwiki.config import Config
from ozgwiki.engine.lock import RunLock
from ozgwiki.errors import StateError
from ozgwiki.files import write_atomic

log = logging.getLogger(__name__)

DEFAULT_STATE_DIR = "state"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def state_dir(config: Config) -> Path:
    """The state folder: ``state.dir`` (relative to the config file), else systemd's
    ``$STATE_DIRECTORY`` (set by ``StateDirectory=`` in ozgwiki.service), else ``state/`` next to the
    config file. A config built in code (no file) keeps its state in ``./state``.
    """
    configured = config.state.dir
    if configured is not None:
        return configured
    if os.environ.get("STATE_DIRECTORY"):
        # systemd may list several folders separated by ':'; the first is ours.
        return Path(os.environ["STATE_DIRECTORY"].split(":")[0])
    return config.resolve(DEFAULT_STATE_DIR)


class StateStore:
    """JSON documents in one folder, written atomically. Nothing is created until the first save."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    def path(self, name: str) -> Path:
        """The file of state ``name`` (a plain file name stem: letters, digits, ``_.-``)."""
        if not _NAME_RE.match(name):
            raise ValueError(f"not a valid state name: {name!r}")
        return self.folder / f"{name}.json"

    def load(self, name: str) -> dict[str, Any] | None:
        """The stored document, or None when there is none yet.

        Raises StateError when the file exists but is not a JSON object (truncated by hand, edited
        wrongly, a disk error): silently starting from nothing could hide that.
        """
        path = self.path(name)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StateError(f"state file {path} cannot be read: {exc.strerror}") from None
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise StateError(f"state file {path} is corrupt (not valid JSON: {exc})") from None
        if not isinstance(data, dict):
            raise StateError(f"state file {path} is corrupt (expected a JSON object)")
        return data

    def save(self, name: str, data: Mapping[str, Any]) -> Path:
        """Write ``data`` atomically (temp file, fsync, os.replace, fsync of the folder)."""
        path = self.path(name)
        self.folder.mkdir(parents=True, exist_ok=True)
        payload = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8") + b"\n"
        write_atomic(path, payload)
        log.debug("state %s saved (%d bytes)", path, len(payload))
        return path

    def quarantine(self, name: str) -> Path | None:
        """Move a corrupt state file aside (``<name>.json.corrupt``) so an admin can look at it."""
        path = self.path(name)
        if not path.exists():
            return None
        target = path.with_name(path.name + ".corrupt")
        os.replace(path, target)
        log.warning("corrupt state moved to %s", target)
        return target

    @contextlib.contextmanager
    def lock(self, name: str) -> Iterator[None]:
        """Hold ``<name>.lock`` for the block: the run lock of :mod:`ozgwiki.engine.lock`, so a second
        holder gets :class:`~ozgwiki.errors.RunLocked` (exit 3, "try again later") at once, as a second
        ``ozgwiki run`` does.
        """
        with RunLock(self.folder / f"{self.path(name).stem}.lock"):
            yield
