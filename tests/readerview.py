"""What a reader sees of a rendered page (``action=parse`` HTML): headings, paragraphs and tables.

Used to compare the two renderings of an overview page as readers see them -- the text of every
heading, paragraph and table cell (links as their labels, with their targets) in document order --
without the table of contents, edit links or the markup that produced them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

_SPACE = re.compile(r"\s+")
_BLOCKS = {"h2", "h3", "h4", "p", "table", "ul", "ol", "pre"}
_SKIP_CLASSES = {"toc", "mw-editsection", "mw-editsection-bracket"}


@dataclass(frozen=True)
class Cell:
    """A table cell: its text and the titles its links point to."""

    text: str
    links: tuple[str, ...] = ()


@dataclass
class Table:
    header: list[str] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)


@dataclass(frozen=True)
class Block:
    """One heading (``h2``/``h3``), paragraph (``p``) or table, as text."""

    kind: str
    text: str = ""
    table: Table | None = None


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._skip = 0  # depth inside skipped elements
        self._stack: list[tuple[str, bool]] = []
        self._text: list[str] = []
        self._block: str | None = None
        self._table: Table | None = None
        self._row: list[Cell] | None = None
        self._cell: list[str] | None = None
        self._links: list[str] = []
        self._in_header = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = set((dict(attrs).get("class") or "").split())
        skipping = bool(classes & _SKIP_CLASSES) or tag in ("style", "script")
        self._stack.append((tag, skipping))
        if skipping:
            self._skip += 1
            return
        if self._skip:
            return
        if tag == "table" and self._table is None:
            self._table = Table()
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell, self._links, self._in_header = [], [], tag == "th"
        elif tag == "a" and self._cell is not None:
            title = dict(attrs).get("title")
            if title:
                self._links.append(title)
        elif tag in _BLOCKS and self._table is None and self._block is None:
            self._block, self._text = tag, []

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            name, skipping = self._stack.pop()
            if skipping:
                self._skip -= 1
            if name == tag:
                break
        if self._skip:
            return
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(Cell(_norm("".join(self._cell)), tuple(self._links)))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table is not None:
            if self._in_header and not self._table.rows and not self._table.header:
                self._table.header = [c.text for c in self._row]
            else:
                self._table.rows.append(self._row)
            self._row = None
        elif tag == "table" and self._table is not None:
            self.blocks.append(Block("table", table=self._table))
            self._table = None
        elif tag == self._block:
            text = _norm("".join(self._text))
            if text:
                self.blocks.append(Block(tag, text))
            self._block = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._cell is not None:
            self._cell.append(data)
        elif self._block is not None:
            self._text.append(data)


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text.replace("\xa0", " ")).strip()


def blocks(html: str) -> list[Block]:
    """The page as a reader sees it, block by block."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.blocks


def tables(html: str) -> list[Table]:
    """Only the tables."""
    return [b.table for b in blocks(html) if b.table is not None]
