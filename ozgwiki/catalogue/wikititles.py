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

from collections.abc import Iterable
from dataclasses import dataclass

from ozgwiki.catalogue.problems import Problems
from ozgwiki.domain.titles import (
    CHARACTER_REFERENCE,
    FORBIDDEN_CHAR,
    MAX_TITLE_BYTES,
    PERCENT_ESCAPE,
    SIGNATURE,
    normalized,
)

# What MediaWiki makes of a title is stated once, in ozgwiki.domain.titles; here it becomes messages.
_SEQUENCES = (
    (PERCENT_ESCAPE, "URL-Kodierung"),
    (CHARACTER_REFERENCE, "HTML-Entität"),
    (SIGNATURE, "Signatur"),
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
    return normalized(name)


def visible(name: str) -> str:
    """A name for a message: control characters shown as ``<U+0007>`` instead of vanishing."""
    return "".join(ch if ch.isprintable() else f"<U+{ord(ch):04X}>" for ch in name)


def title_problem(prefix: str, name: str) -> str | None:
    """Why ``prefix + name`` cannot be a MediaWiki title (German), or None if it can."""
    key = title_key(name)
    shown_name = visible(name)
    if not key:
        return "ist leer (nur Leerzeichen/Unterstriche) und kann kein Seitentitel sein"
    if m := FORBIDDEN_CHAR.search(key):
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
