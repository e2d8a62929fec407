"""Read wikitext the way MediaWiki does: the helpers that ``params``, ``sections``, ``optout`` and
``extract`` share.

A lossless parse, a walk over the parse tree, values with comments removed and trimmed, a template's
named values (the last of duplicate names wins), the page's line end, and :func:`template_title`, the
one rule for which template a ``{{name}}`` calls. Internal to those modules.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import mwparserfromhell
from mwparserfromhell.nodes import Node, Template
from mwparserfromhell.wikicode import Wikicode

from ozgwiki.errors import PageTextError

# PHP's trim(), which MediaWiki applies to named parameter names and values.
_WS = " \t\n\r\0\x0b"
_NAMESPACE_RE = re.compile(r"\A([^:]*?)\s*:\s*(.*)\Z", re.DOTALL)
_SPACES_RE = re.compile(r"[\s_]+")
_COMMENT_RE = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)  # unclosed: runs to the end, as in MediaWiki

# MediaWikiTitleCodec::splitTitleString: bidi marks are dropped, runs of these characters become
# one "_" (shown as a space) and are trimmed.
_BIDI_RE = re.compile(r"[\u200e\u200f\u202a-\u202e]")
_TITLE_SPACE_RE = re.compile(r"[ _\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
# The template namespace under its German and its canonical name; after the spaces are collapsed at
# most one space stands on each side of the colon.
_TEMPLATE_NS_RE = re.compile(r"(?:vorlage|template) ?: ?", re.IGNORECASE)


def template_title(name: str) -> str | None:
    """The title in the template namespace that ``{{name}}`` transcludes, as MediaWiki resolves it.

    ``" vorlage : steck_brief <!-- x -->"`` and ``":Vorlage:Steckbrief"`` become ``"Steck brief"``
    and ``"Steckbrief"``: HTML comments removed, the name trimmed (PHP ``trim``, as the preprocessor
    does), bidi marks (U+200E, U+200F, U+202A-U+202E) removed, runs of spaces, underscores and the
    other title white space one space, an optional ``Vorlage:``/``Template:`` prefix in any case
    stripped, and the first letter upper-cased (unless its upper case is two letters, like ``ß``).

    None when the call is no template at all: an empty name, or a leading colon without the template
    namespace (``{{:Seite}}`` transcludes the article). Names in other namespaces and parser
    functions keep their prefix (``"Benutzer:X"``, ``"#if: x"``, ``"Subst:X"``), so they equal only a
    name written with the same prefix, never a template's own name. Callers compare two results:
    ``template_title(a) == template_title(b)`` says whether ``a`` and ``b`` call the same template.
    """
    title = _COMMENT_RE.sub("", name).strip(_WS)
    title = _TITLE_SPACE_RE.sub(" ", _BIDI_RE.sub("", title)).strip(" ")
    forced_main = title.startswith(":")
    if forced_main:
        title = title[1:].lstrip(" ")
    prefix = _TEMPLATE_NS_RE.match(title)
    if prefix:
        title = title[prefix.end() :]
    elif forced_main:
        return None
    if not title:
        return None
    if len(title[0].upper()) == 1:
        title = title[0].upper() + title[1:]
    return title


def _parse(text: str) -> Wikicode:
    """Parse, and refuse text the parser cannot give back unchanged (it stops at a NUL byte)."""
    code = mwparserfromhell.parse(text)
    if str(code) != text:
        raise PageTextError("the page text contains characters the wikitext parser cannot handle (NUL)")
    return code


def _without_comments(code: Wikicode | str) -> str:
    parsed = _parse(str(code))
    for comment in parsed.filter_comments():
        parsed.remove(comment)
    return str(parsed)


def _effective(code: Wikicode | str) -> str:
    """What MediaWiki reads from a named parameter value: comments removed, then trimmed."""
    return _without_comments(code).strip(_WS)


def _param_name(param: object) -> str:
    return _effective(param.name)  # type: ignore[attr-defined]


def _walk(code: Wikicode, nested: bool = False) -> Iterator[tuple[Wikicode, int, Node, bool]]:
    """Yield ``(container, index, node, inside_template)`` for every node, depth first."""
    for index, node in enumerate(code.nodes):
        yield code, index, node, nested
        for child in node.__children__():
            yield from _walk(child, nested or isinstance(node, Template))


def _newline(text: str) -> str:
    """The page's line end: CRLF when most line ends are CRLF, else LF."""
    crlf = text.count("\r\n")
    return "\r\n" if crlf and crlf >= text.count("\n") - crlf else "\n"


def _named_values(tpl: Template) -> dict[str, str]:
    values: dict[str, str] = {}
    for param in tpl.params:
        name = _param_name(param)
        values[name] = _effective(param.value) if param.showkey else _without_comments(param.value)
    return values
