"""Problems found while loading a catalogue: ``file:line: field: message``, error or warning.

The loader never stops at the first problem. It collects every one into a :class:`Problems` list, so an
editor fixing a spreadsheet sees all of them in one run instead of one per run.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import BinaryIO


class Severity(Enum):
    """An error stops the load; a warning is reported beside a loaded catalogue."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One finding. ``line`` is the physical line in the file (header = 1); 0 means the whole file."""

    file: str
    line: int
    field: str
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def as_dict(self) -> dict[str, object]:
        """The JSON form of ``ozgwiki catalogue check --format json``."""
        return {
            "file": self.file,
            "line": self.line,
            "field": self.field,
            "message": self.message,
            "severity": self.severity.value,
        }


class Problems:
    """An append-only collector the readers share; order is the order of discovery."""

    def __init__(self) -> None:
        self._items: list[Problem] = []

    def error(self, file: str, line: int, field: str, message: str) -> None:
        self._items.append(Problem(file, line, field, message, Severity.ERROR))

    def warning(self, file: str, line: int, field: str, message: str) -> None:
        self._items.append(Problem(file, line, field, message, Severity.WARNING))

    def __iter__(self) -> Iterator[Problem]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def in_file_order(self) -> tuple[Problem, ...]:
        """Grouped by file (in the order files were read), by line within a file: how editors fix them."""
        first_seen: dict[str, int] = {}
        for p in self._items:
            first_seen.setdefault(p.file, len(first_seen))
        return tuple(sorted(self._items, key=lambda p: (first_seen[p.file], p.line)))

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self._items if p.is_error)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self._items if not p.is_error)

    @property
    def has_errors(self) -> bool:
        return any(p.is_error for p in self._items)


def line_list(lines: list[int], shown: int = 5) -> str:
    """ "Zeilen 3, 7, 9 und 2 weitere": the line numbers of an aggregated warning, kept short."""
    head = ", ".join(str(n) for n in lines[:shown])
    rest = len(lines) - shown
    word = "Zeile" if len(lines) == 1 else "Zeilen"
    return f"{word} {head} und {rest} weitere" if rest > 0 else f"{word} {head}"


def size_text(n: int) -> str:
    """A byte count as editors read it: ``50,0 MB`` (MB = 2**20 bytes, German decimal comma)."""
    return f"{n / 2**20:.1f}".replace(".", ",") + " MB"


def read_bytes(path: Path, file: str, problems: Problems, *, limit: int) -> bytes | None:
    """A source file's bytes; a missing, unreadable or oversized file is reported (line 0) and gives None.

    ``limit`` is checked before anything is parsed, from the size the file system reports and again
    while reading (a FIFO or a growing file may not say its size): an absurdly large input gets one
    clear message instead of minutes of parsing and gigabytes of memory.
    """
    try:
        size = path.stat().st_size
        if size > limit:
            problems.error(file, 0, "Datei", _too_big(size, limit))
            return None
        with path.open("rb") as handle:
            data = _read_at_most(handle, limit + 1)
    except FileNotFoundError:
        problems.error(file, 0, "Datei", "Datei nicht gefunden")
        return None
    except OSError as exc:
        problems.error(file, 0, "Datei", f"nicht lesbar: {exc.strerror or exc}")
        return None
    if len(data) > limit:
        problems.error(file, 0, "Datei", _too_big(len(data), limit))
        return None
    return data


def _read_at_most(handle: BinaryIO, limit: int) -> bytes:
    """Up to ``limit`` bytes in 1 MB chunks: ``read(limit)`` would allocate all of ``limit`` at once."""
    chunks: list[bytes] = []
    total = 0
    while total < limit and (chunk := handle.read(min(2**20, limit - total))):
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def _too_big(size: int, limit: int) -> str:
    shown = f"mehr als {size_text(limit)}" if size == limit + 1 else size_text(size)
    return f"Datei zu groß: {shown} (höchstens {size_text(limit)}); ist das die richtige Datei?"
