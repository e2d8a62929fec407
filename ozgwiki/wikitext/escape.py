"""Every escaping rule for the wikitext the bots write, and the one table of character references. Pure.

Each rule makes text show literally where the bots put it:

* :func:`param_value` / :func:`unescape` - a value the bot writes into a named template parameter,
  escaped only where it would be markup, so editors read it as they would type it, and read back
  exactly by :func:`unescape` (the importer and the facts compare stored values that way);
* :func:`cell`, :func:`link`, :func:`page_link` - generated table cells: the overviews, the
  roadmap's month grid and the maintenance report, so one value looks the same in all of them;
* :func:`nowiki` - text inside ``<nowiki>`` (a key exactly as an editor wrote it).

Escaping writes HTML character references (:data:`REFERENCES`): MediaWiki renders them as the
character and never parses them as markup, and they work in every context, unlike ``{{!}}``, which
needs a template or a newer magic word. The rules differ only in which characters they escape.

This module imports nothing of ozgwiki, so every layer that writes wikitext can use it.
"""

from __future__ import annotations

import html
import html.entities
import re
from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["REFERENCES", "cell", "link", "nowiki", "page_link", "param_value", "unescape"]

#: The character reference each escaped character is written as: the HTML name where there is one
#: everybody knows (``&amp; &lt; &gt;``), the decimal code point otherwise.
REFERENCES: Mapping[str, str] = MappingProxyType(
    {
        "&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "&#124;", "=": "&#61;", "{": "&#123;",
        "}": "&#125;", "[": "&#91;", "]": "&#93;", "'": "&#39;", "~": "&#126;", "_": "&#95;",
        "*": "&#42;", "#": "&#35;", ":": "&#58;", ";": "&#59;", "-": "&#45;", " ": "&#32;",
        "!": "&#33;",
    }
)  # fmt: skip

# A "&" that would start a character reference. Only there does it need escaping in rendered text:
# MediaWiki's sanitizer writes every other "&" as "&amp;" itself, so both render the same.
_REFERENCE_START = r"&(?=#?\w+;)"
# Breaks that would end a table cell or row (or the line a value must stay on): shown as a space.
_LINE_BREAKS = "\r\n\t"

# --------------------------------------------------------------------------------------------------
# Template parameter values

# Legacy HTML names that html.unescape (and so :func:`unescape`) decodes even without the ";" and as
# a prefix: "&amp" and "&ampx" both read as "&". MediaWiki and Lua's mw.text.decode need the ";".
_LEGACY_NAMES = sorted((n for n in html.entities.html5 if not n.endswith(";")), key=len, reverse=True)
_PARAM_MARKUP_RE = re.compile(
    # Always: parameter separators, templates and arguments ("}" next to the call's own "}}"
    # would close it), links ("[" before a URL, "[[") and tags, comments and <nowiki> ("<").
    r"[|{}\[\]<]"
    # "&" only where some reader of the value would see a character reference: "&#...", anything
    # shaped like "&name;", and the legacy names above. Everywhere else "&" is plain text.
    r"|&(?=#|\w+;|" + "|".join(_LEGACY_NAMES) + r")"
    # Bold and italics need two apostrophes, a signature three tildes.
    r"|'{2,}|~{3,}"
    # At the start of the value or of a line: lists and definitions, <pre> by a space, a heading,
    # and "----". CR counts: MediaWiki saves a lone CR as a line break.
    r"|(?:\A|(?<=[\r\n]))(?:[*#:; =]|-(?=---))"
)
_UNSTORABLE_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _references(match: re.Match[str]) -> str:
    return "".join(REFERENCES[char] for char in match.group(0))


def param_value(value: str) -> str:
    """Make ``value`` safe as a named template parameter value that renders as the literal text.

    Only what would be markup there is written as a character reference, so the page source reads
    as an editor would type it (``Bauen & Immobilien``, ``d'Artagnan``, ``a = b``):

    * always ``| { } [ ]`` and ``<`` (parameter separators, templates, links, tags and comments).
      ``[`` only makes a link before a URL or another ``[``, and ``<`` only opens a tag before a
      letter, ``/`` or ``!``; both are escaped everywhere all the same, because the URL protocols and
      the tag names (extensions) are wiki configuration, and brackets read better escaped in pairs;
    * ``&`` only where it would start a character reference (``&amp;``, ``&#124;``, ``&nbsp;``, also
      the legacy ``&amp`` without ``;``); a plain ``&`` is text to MediaWiki and to ``mw.text.decode``;
    * ``'`` only in runs of two or more (bold/italics), ``~`` only in runs of three or more
      (``~~~`` is replaced by a signature when the page is saved);
    * at the start of the value or of a line: ``* # : ;``, a space (lists, ``<pre>``), ``=``
      (a heading) and the first ``-`` of ``----``.

    Not escaped: ``>`` (markup only after a ``<``) and ``=`` inside a line (the bot writes only
    named parameters, whose value starts after the first ``=``).

    Line breaks are kept. Leading and trailing whitespace is kept here, but MediaWiki trims named
    values and so does ``set_template_params``. Not covered: free URLs and ``ISBN``/``RFC`` magic
    links still become links.

    Raises ValueError for control characters other than tab, LF and CR: MediaWiki replaces them when
    a page is saved (and the parser stops at NUL), so such a value could never read back as written.
    """
    bad = _UNSTORABLE_RE.search(value)
    if bad:
        raise ValueError(f"control character {bad.group(0)!r} cannot be stored in a wiki page")
    return _PARAM_MARKUP_RE.sub(_references, value)


def unescape(value: str) -> str:
    """Reverse :func:`param_value`: decode every HTML character reference. On what ``param_value``
    writes that is also exactly what Lua's ``mw.text.decode`` in ``Modul:OZG`` reads."""
    return html.unescape(value)


# --------------------------------------------------------------------------------------------------
# Generated tables

# What could start markup inside a table cell: cell separators, links, templates, tags, bold and
# italics, signatures, behaviour switches ("__NOTOC__"), character references; and line breaks.
# "!" because "!!" ends a header cell (the roadmap's row headers are project names).
_CELL_RE = re.compile(_REFERENCE_START + r"|[|\[\]{}<>'~_!\r\n\t]")
# Inside <nowiki> only a tag (its own end tag) and a character reference are read; and a line break
# would still end the table cell the <nowiki> stands in.
_NOWIKI_RE = re.compile(_REFERENCE_START + r"|[<>\r\n\t]")


def _replace(match: re.Match[str]) -> str:
    char = match.group(0)
    return " " if char in _LINE_BREAKS else REFERENCES[char]


def cell(text: str) -> str:
    """Make ``text`` show literally in a generated table cell (or a heading or attribute there).

    No cell or row break, link, template, tag, bold/italics, signature or behaviour switch; CR, LF
    and tab become a space, so a value can neither end its cell nor start a new row.
    """
    return _CELL_RE.sub(_replace, text)


def nowiki(text: str) -> str:
    """``<nowiki>`` around ``text``, which cannot close the tag and stays on its line."""
    return f"<nowiki>{_NOWIKI_RE.sub(_replace, text)}</nowiki>"


def link(title: str, label: str) -> str:
    """``[[title|label]]`` with a label that shows literally; ``[[title]]`` when the label is the title
    itself (pages are titled by name, so most links read so -- and big tables stay smaller)."""
    shown = cell(label)
    if shown == title and ":" not in title:  # a colon could make [[X]] a category or file link
        return f"[[{title}]]"
    return f"[[{title}|{shown}]]"


def page_link(title: str) -> str:
    """``[[:title]]``: the colon keeps ``Kategorie:``/``Datei:`` titles links instead of a category
    assignment or an image; ``~`` is escaped, the only title character that is markup here."""
    return f"[[:{title.replace('~', REFERENCES['~'])}]]"
