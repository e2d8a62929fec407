"""Writing a file so that readers see the old content or the new, never a part: the one way the
project replaces a file (bot state, export files, the local wiki's settings and secrets).

The data goes to a temporary file beside the target (a rename is atomic only within one file
system), is flushed and fsync'ed, and only then replaces the target with :func:`os.replace`; the
folder is fsync'ed too, so the rename survives a power cut. A private file (mode 0600) is created
with that mode by ``os.open`` itself, so its content is never readable by others, not for a moment,
whatever the umask.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["write_atomic"]


def write_atomic(path: Path, data: bytes, *, private: bool = False) -> None:
    """Replace ``path`` with ``data`` atomically; ``private`` makes the file 0600 (else 0666 minus
    the umask, as any new file)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    mode = 0o600 if private else 0o666
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        if private:
            os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (not supported everywhere; then the rename is still atomic)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
