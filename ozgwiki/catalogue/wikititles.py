"""Names that become page titles: two names for one page, or a name that cannot be a page at all.

Themenfelder, Lagen and Umsetzungsprojekte have no IDs; their names are their page titles
(:mod:`ozgwiki.domain.titles`: ``Themenfeld Bildung``, ``Lage Schule``, ``Umsetzungsprojekt Einbürgerung``,
and ``Roadmap/Bildung``). MediaWiki normalises a title before it finds the page — ``_`` is a space,
runs of white space are one, the ends are trimmed, Unicode is NFC, and the first letter is upper
case wherever a name starts a title or a page-type value (``$wgCapitalLinks``). So "Bauen_&_Wohnen",
"Bauen  & Wohnen", " Bauen & Wohnen" and "bauen & Wohnen" are *one* page: two catalogue entries
spelled like that would overwrite each other's page on every import, and links would reach only
one of them. And ``# < > [ ] | { }``, control characters, ``%41``-style escapes, HTML entities and
``~~~`` cannot be in a title at all: such a page could never be written.

Both are errors, reported where the later spelling stands and naming the earlier one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from ozgwiki.catalogue.problems import Problems

MAX_TITLE_BYTES = 255  # MediaWiki's limit for a title, in UTF-8 bytes

# MediaWikiTitleCodec: bidi marks are dropped, these spaces and "_" become one space each run.
_BIDI = re.compile("[\u200e\u200f\u202a-\u202e]")
_SPACES = re.compile("[ _\u00a0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
# Not in $wgLegalTitleChars, or sequences Title refuses.
_FORBIDDEN_CHAR = re.compile("[#<>\\[\\]|{}\x00-\x1f\x7f\ufffd]")
_SEQUENCES = (
    (re.compile(r"%[0-9A-Fa-f]{2}"), "URL-Kodierung"),
    (re.compile("&[A-Za-z0-9\x80-\U0010ffff]+;"), "HTML-Entität"),
    (re.compile("~{3,}"), "Signatur"),
)


@dataclass(frozen=True)
class Named:
    """One name as a source wrote it, and where: the file, line and field of its first use."""

    name: str
    file: str
    line: int
    field: str


def title_key(name: str) -> str:
    """The name as MediaWiki's title normalisation leaves it: two names with one key are one page."""
    t = _SPACES.sub(" ", _BIDI.sub("", unicodedata.normalize("NFC", name))).strip()
    first = t[:1].upper()
    return (first if len(first) == 1 else t[:1]) + t[1:]  # "ß".upper() is "SS"; MediaWiki keeps ß


def visible(name: str) -> str:
    """A name for a message: control characters shown as ``<U+0007>`` instead of vanishing."""
    return "".join(ch if ch.isprintable() else f"<U+{ord(ch):04X}>" for ch in name)


def title_problem(prefix: str, name: str) -> str | None:
    """Why ``prefix + name`` cannot be a MediaWiki title (German), or None if it can."""
    key = title_key(name)
    shown_name = visible(name)
    if not key:
        return "ist leer (nur Leerzeichen/Unterstriche) und kann kein Seitentitel sein"
    if m := _FORBIDDEN_CHAR.search(key):
        ch = m.group()
        shown = f"„{ch}“" if ch.isprintable() else f"U+{ord(ch):04X}"
        return f"„{shown_name}“ kann kein Seitentitel sein: das Zeichen {shown} ist in Titeln nicht erlaubt"
    for pattern, what in _SEQUENCES:
        if m := pattern.search(key):
            found = m.group()
            return (
                f"„{shown_name}“ kann kein Seitentitel sein: „{found}“ ({what}) ist in Titeln nicht erlaubt"
            )
    size = len((prefix + key).encode("utf-8"))
    if size > MAX_TITLE_BYTES:
        return f"„{shown_name}“ ist zu lang für einen Seitentitel ({size} Bytes, höchstens {MAX_TITLE_BYTES})"
    return None


def check_titles(kind: str, prefix: str, names: Iterable[Named], problems: Problems) -> None:
    """Report names that cannot be titles, and names that give the title of an earlier, different name.

    ``names`` come in reading order (the order the loader read the files and lines), so the message
    stands at the later spelling. The same name used again is the same page and not reported.
    """
    first: dict[str, Named] = {}
    for n in names:
        problem = title_problem(prefix, n.name)
        if problem is not None:
            problems.error(n.file, n.line, n.field, f"{kind} {problem}")
            continue
        key = title_key(n.name)
        earlier = first.setdefault(key, n)
        if earlier.name != n.name:
            problems.error(
                n.file,
                n.line,
                n.field,
                f"{kind} „{visible(n.name)}“ ergibt denselben Seitentitel „{prefix}{visible(key)}“ "
                f"wie „{visible(earlier.name)}“ "
                f"({earlier.file}:{earlier.line}); bitte einheitlich schreiben",
            )
