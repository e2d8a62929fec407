"""The progress line of a long run on a terminal: ``import: 1234/5866 Seiten · 38/s · noch 2 min``.

Admins who start an import by hand should not wait minutes in silence; cron must not get a byte more.
So the line is drawn only when someone watches (:func:`wanted`: stderr is a terminal, ``TERM`` is not
``dumb``, the format is text, no ``-q``), on stderr, rewritten in place with ``\\r`` and erased when the
run ends, before the usual summary line. It never reaches a log file: it is no log record.

The sync engine knows no terminal: it tells a :class:`~ozgwiki.engine.sync.Progress` of every page, and
:class:`LineProgress` is the terminal's. One :class:`Terminal` owns the line; whatever else is printed
on the same screen meanwhile (a dry run's diffs, a warning) erases it first, so no text lands behind it.
The words are German, like the summary lines around it (``import: 367 angelegt, …``).
"""

from __future__ import annotations

import logging
import math
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import IO, Any, cast

from ozgwiki.wiki.pages import Outcome

Clock = Callable[[], float]

#: Seconds between two redraws at least: ten a second look live and cost nothing next to the wiki.
INTERVAL = 0.1
#: Width assumed when the stream cannot tell its terminal's.
DEFAULT_WIDTH = 80


def wanted(stream: IO[str], *, fmt: str, quiet: bool, env: Mapping[str, str] | None = None) -> bool:
    """Whether anyone watches ``stream``: a terminal that can rewrite a line, text output, no ``-q``."""
    if quiet or fmt == "json":
        return False
    if (os.environ if env is None else env).get("TERM") == "dumb":
        return False  # a dumb terminal (an editor's shell buffer) prints every \r rewrite as a new line
    return _isatty(stream)


def _isatty(stream: IO[str]) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def rate_text(per_second: float) -> str:
    """``38/s``; below ten with one decimal, German style (``2,5/s``)."""
    if round(per_second, 1) >= 10:
        return f"{round(per_second)}/s"
    return f"{per_second:.1f}/s".replace(".", ",")


def eta_text(seconds: float) -> str:
    """The time left, as coarse as it is reliable: ``noch 45 s``, ``noch 2 min``, ``noch 1 h 05 min``."""
    if seconds < 59.5:
        return f"noch {max(1, math.ceil(seconds))} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"noch {minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"noch {hours} h {minutes:02d} min"


def line(label: str, done: int, total: int | None, elapsed: float) -> str:
    """The progress line: pages done (of how many, if known), the rate, the time left (if known)."""
    if total is None:
        parts = [f"{label}: {done} {'Seite' if done == 1 else 'Seiten'}"]
    else:
        parts = [f"{label}: {done}/{total} Seiten"]
    if elapsed > 0 and done > 0:
        per_second = done / elapsed
        parts.append(rate_text(per_second))
        if total is not None and total > done:
            parts.append(eta_text((total - done) / per_second))
    return " · ".join(parts)


def _width(stream: IO[str]) -> int:
    """The terminal's columns; a pseudo-terminal nobody sized (``script`` in a pipe) reports 0."""
    try:
        columns = os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is both
        return DEFAULT_WIDTH
    return columns if columns > 0 else DEFAULT_WIDTH


class Terminal:
    """The one status line on ``stream``, rewritten in place; :meth:`clear` leaves no trace of it.

    The text is cut to the terminal's width less one: a line that wraps cannot be rewritten by ``\\r``.
    """

    def __init__(
        self,
        stream: IO[str],
        *,
        clock: Clock | None = None,
        interval: float | None = None,
        width: int | None = None,
    ) -> None:
        self.stream = stream
        self.clock = clock or time.monotonic
        self.interval = INTERVAL if interval is None else interval
        self.width = width if width is not None else _width(stream)
        self._shown = 0  # characters of the line now on screen; 0: none

    def progress(self, label: str) -> LineProgress:
        """A progress hook for the sync engine whose line is called ``label`` (the step's name)."""
        return LineProgress(self, label)

    def show(self, text: str) -> None:
        """Draw ``text`` over the current line (blanking what is left of a longer one)."""
        text = text[: max(1, self.width - 1)]
        pad = " " * max(0, self._shown - len(text))
        self.stream.write(f"\r{text}{pad}")
        self.stream.flush()
        self._shown = len(text)

    def clear(self) -> None:
        """Erase the line, cursor back at its start; nothing is written when no line is shown."""
        if not self._shown:
            return
        self.stream.write("\r" + " " * self._shown + "\r")
        self.stream.flush()
        self._shown = 0

    def guarded(self, out: IO[str]) -> IO[str]:
        """``out``, erasing the line before each write when ``out`` shares the screen (a terminal)."""
        if not _isatty(out):
            return out  # a file or pipe: the line on the terminal is no obstacle
        return cast(IO[str], _ClearingStream(self, out))

    @contextmanager
    def clearing_logs(self) -> Iterator[None]:
        """While active, a log record printed by a handler of the root logger erases the line first.

        A filter, not a handler, so the record is neither duplicated nor changed; handlers elsewhere
        (the run's log file) are not touched, and the line itself never becomes a record.
        """
        handlers = list(logging.getLogger().handlers)
        clearing = _ClearBeforeRecord(self)
        for handler in handlers:
            handler.addFilter(clearing)
        try:
            yield
        finally:
            for handler in handlers:
                handler.removeFilter(clearing)
            self.clear()


class LineProgress:
    """The sync engine's :class:`~ozgwiki.engine.sync.Progress` on a :class:`Terminal`.

    Redrawn at most every ``terminal.interval`` seconds, the first time one interval after the start:
    a run that is over sooner shows nothing at all.
    """

    def __init__(self, terminal: Terminal, label: str) -> None:
        self.terminal = terminal
        self.label = label
        self.total: int | None = None
        self.done = 0
        self._started = self._drawn = 0.0

    def start(self, total: int | None) -> None:
        self.total, self.done = total, 0
        self._started = self._drawn = self.terminal.clock()

    def advance(self, title: str, outcome: Outcome) -> None:
        self.done += 1
        now = self.terminal.clock()
        if now - self._drawn < self.terminal.interval:
            return
        self._drawn = now
        self.terminal.show(line(self.label, self.done, self.total, now - self._started))

    def finish(self) -> None:
        self.terminal.clear()


class _ClearingStream:
    """A text stream that erases the terminal's line before it writes (diffs, summary lines)."""

    def __init__(self, terminal: Terminal, out: IO[str]) -> None:
        self._terminal = terminal
        self._out = out

    def write(self, text: str) -> int:
        if text:
            self._terminal.clear()
        return self._out.write(text)

    def __getattr__(self, name: str) -> Any:  # flush, isatty, encoding, ... of the real stream
        return getattr(self._out, name)


class _ClearBeforeRecord(logging.Filter):
    """Erase the line before a handler prints a record; let every record through unchanged."""

    def __init__(self, terminal: Terminal) -> None:
        super().__init__()
        self._terminal = terminal

    def filter(self, record: logging.LogRecord) -> bool:
        self._terminal.clear()
        return True


def for_stderr(*, fmt: str, quiet: bool, env: Mapping[str, str] | None = None) -> Terminal | None:
    """The terminal on stderr, or None when nobody watches it (cron, a pipe, ``--format json``, ``-q``)."""
    stream = sys.stderr
    return Terminal(stream) if wanted(stream, fmt=fmt, quiet=quiet, env=env) else None
