"""Read wikitext the way MediaWiki does: the helpers that ``pagetext``, ``sections`` and ``optout`` share.

A lossless parse, a walk over the parse tree, values with comments removed and trimmed, a template's
named values (the last of duplicate names wins), and the page's line end. Internal to those modules.
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
