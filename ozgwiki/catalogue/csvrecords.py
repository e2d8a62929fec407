"""Split CSV text into records with physical line numbers, and stop a stray quote from eating rows.

A quoted cell may span lines (spreadsheets write a cell with a line break that way), so the CSV
reader keeps reading after an opening ``"`` until the closing one. One stray ``"`` at the start of a
cell ("Wohnberechtigungsschein) therefore merges every following line into that one cell — up to
the next ``"`` in the file or to its end — and the rows in between silently vanish.

A real multi-line cell and a swallowed row look different, and that is what is checked here, for
every cell that spans lines:

- a swallowed physical line has the shape of a record of its own: parsed alone, it has at least as
  many cells as the header and an even number of quotes (a line that *ends* a multi-line cell has
  an odd number: the closing quote);
- a quote still open at the end of the file is never right;
- no cell spans more than :data:`MAX_CELL_LINES` lines: the reader is not fed more, which also
  keeps a run-away cell far below the csv module's field size limit.

Such a cell is reported at the line where its quote opened, with the number of lines it would
swallow, and reading resumes at the next line: the swallowed rows are read (and checked) as what
they are, so one stray quote gives one message instead of dozens of follow-up errors.
"""

from __future__ import annotations

import csv
import re
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field

from ozgwiki.catalogue.problems import Problems

MAX_CELL_LINES = 50
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Record:
    """One CSV record: its cells and the physical lines it occupies (1-based, inclusive)."""

    line: int
    end: int
    cells: list[str]


@dataclass
class Records:
    """The header record, the data records, and how many records were dropped as broken."""

    header: Record
    rows: list[Record] = field(default_factory=list)
    dropped: int = 0


def shared(cells: list[str], seen: dict[str, str]) -> list[str]:
    """``cells`` with each text replaced by the equal one ``seen`` holds (and new ones added to it).

    A catalogue repeats most of its cells (Themenfeld, Lage, OZG-Leistung, Gesetz, ja/nein): the
    10× table has 630,000 cells but 113,000 distinct texts, and the model keeps them for the whole
    run. Sharing them as they are read takes 20 MB off the model and lets each row's duplicates be
    freed at once, before they can fragment the heap.
    """
    return [seen.setdefault(c, c) for c in cells]


class Lines:
    """The text's physical lines with their line ends, cut from the text only when asked for.

    CR, LF and CRLF each end one line, as in a text editor. Only the lines' start offsets are kept:
    a list of every line would hold a second copy of the whole file while the records are read
    (20 MB more traced peak memory while the 10× catalogue's 15 MB table is read).
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = array("q", (m.start() for m in _LINE.finditer(text)))
        self.starts.append(len(text))

    def __len__(self) -> int:
        return len(self.starts) - 1

    def __getitem__(self, i: int) -> str:
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self.text[self.starts[i] : self.starts[i + 1]]

    def span(self, start: int, end: int) -> str:
        """Lines ``start`` to ``end`` (exclusive) as one text."""
        return self.text[self.starts[start] : self.starts[end]]


class _Feed(Iterator[str]):
    """Hands the CSV reader one physical line at a time, at most :data:`MAX_CELL_LINES` per record.

    Because the reader never reads ahead, ``pos`` after a record is exactly where it ended; setting
    ``pos`` back lets reading resume right after the line where a stray quote opened.
    """

    def __init__(self, lines: Lines) -> None:
        self.lines = lines
        self.count = len(lines)
        self.pos = 0
        self.record_start = 0
        self.capped = False

    def start_record(self) -> None:
        self.record_start = self.pos
        self.capped = False

    def __next__(self) -> str:
        if self.pos >= self.count:
            raise StopIteration
        if self.pos - self.record_start >= MAX_CELL_LINES:
            self.capped = True
            raise StopIteration
        line = self.lines[self.pos]
        self.pos += 1
        return line


def read_records(text: str, delimiter: str, file: str, problems: Problems) -> Records | None:
    """Parse ``text``; blank records are skipped. None when the header itself is unusable."""
    lines = Lines(text)
    feed = _Feed(lines)
    header: Record | None = None
    rows: list[Record] = []
    dropped = 0
    seen: dict[str, str] = {}
    while feed.pos < len(lines):
        start = feed.pos
        feed.start_record()
        try:
            cells = next(csv.reader(feed, delimiter=delimiter))
        except StopIteration:
            break
        except csv.Error as exc:
            problems.error(file, feed.pos or 1, "CSV", f"nicht lesbar: {exc}")
            return None
        width = len(header.cells) if header else lines[0].count(delimiter) + 1
        at_end = feed.capped or feed.pos == len(lines)
        # a one-line record holds no line break, so only the last record needs a look then
        spans = feed.pos - start > 1
        stray = (
            _stray_quote(cells, start, feed.pos, lines, delimiter, width, at_end=at_end)
            if spans or at_end
            else None
        )
        if stray is not None:
            column, opened = stray
            name = "Kopfzeile" if header is None else _column_name(header.cells, column)
            problems.error(file, opened + 1, name, _stray_message(cells[column], lines, opened))
            if header is None:
                return None
            dropped += 1
            feed.pos = opened + 1
            continue
        record = Record(start + 1, feed.pos, shared(cells, seen))
        if header is None:
            header = record
        elif any(c.strip() for c in cells):
            rows.append(record)
    if header is None:
        return None
    return Records(header, rows, dropped)


def _column_name(header: list[str], column: int) -> str:
    name = header[column].strip() if column < len(header) else ""
    return name or f"Spalte {column + 1}"


def _breaks(text: str) -> int:
    return len(_LINE_BREAK.findall(text))


def _stray_quote(
    cells: list[str], start: int, end: int, lines: Lines, delimiter: str, width: int, *, at_end: bool
) -> tuple[int, int] | None:
    """(column, 0-based line where its quote opened) of a cell that swallowed lines, or None.

    ``start``/``end`` are the record's line indices (end exclusive). Line breaks occur only inside
    quoted cells, so the line a cell starts on is ``start`` plus the breaks in the cells before it.
    """
    opened = start
    for column, cell in enumerate(cells):
        breaks = _breaks(cell)
        if breaks and any(_looks_like_record(lines[i], delimiter, width) for i in range(opened + 1, end)):
            return column, opened
        opened += breaks
    if cells and at_end and _ends_inside_quotes(lines.span(start, end), delimiter):
        last = len(cells) - 1
        return last, start + sum(_breaks(c) for c in cells[:last])
    return None


def _looks_like_record(line: str, delimiter: str, width: int) -> bool:
    """Could this physical line be a record on its own? (see the module docstring)"""
    if width < 2 or line.count(delimiter) < width - 1 or line.count('"') % 2:
        return False
    try:
        cells = next(csv.reader([line], delimiter=delimiter, strict=True), [])
    except csv.Error:
        return False
    return len(cells) >= width


def _ends_inside_quotes(text: str, delimiter: str) -> bool:
    """Does ``text`` end inside a quoted cell? The csv module's rules (doublequote, not strict)."""
    state = "start"  # start of a cell | in an unquoted cell | quoted | a quote inside a quoted cell
    for ch in text:
        if state == "quoted":
            if ch == '"':
                state = "quote"
        elif state == "quote" and ch == '"':
            state = "quoted"  # "" is an escaped quote
        elif ch == delimiter or ch in "\r\n":
            state = "start"
        elif state == "start" and ch == '"':
            state = "quoted"
        else:
            state = "plain"
    return state == "quoted"


def _closing_line(lines: Lines, first: int) -> tuple[int, bool]:
    """Where a cell open at the start of line ``first`` closes: (line index, True), or (last, False)."""
    for i in range(first, len(lines)):
        line, j = lines[i], 0
        while (j := line.find('"', j)) != -1:
            if line.startswith('""', j):
                j += 2
                continue
            return i, True
    return len(lines) - 1, False


def _stray_message(cell: str, lines: Lines, opened: int) -> str:
    """``nicht geschlossenes Anführungszeichen vor „…“ (ab Zeile N werden M Zeilen verschluckt)``."""
    head = _LINE_BREAK.split(cell, maxsplit=1)[0].strip()
    shown = f" vor „{head[:40]}…“" if len(head) > 40 else f" vor „{head}“" if head else ""
    last, closed = _closing_line(lines, opened + 1)
    swallowed = last - opened
    if swallowed <= 0:
        where = "bis zum Dateiende"
    else:
        lines_word = "Zeile" if swallowed == 1 else "Zeilen"
        where = f"ab Zeile {opened + 2} werden {swallowed} {lines_word} verschluckt"
        where += "" if closed else ", bis zum Dateiende"
    return (
        f"nicht geschlossenes Anführungszeichen{shown} ({where}); das Anführungszeichen entfernen "
        "oder die Zelle schließen"
    )
