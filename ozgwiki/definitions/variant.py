"""Produce the Semantic-MediaWiki variant or the plain variant of a template or page text.

One source file serves both kinds of wiki. Parts that only make sense with an extension are fenced
by marker comments; :func:`render` keeps or drops them:

====================================  =========================================================
``<!--SMW-->`` … ``<!--/SMW-->``      kept only with Semantic MediaWiki (``smw=True``)
``<!--OHNE-SMW-->`` … ``<!--/OHNE-SMW-->``  kept only without Semantic MediaWiki
``<!--PAGEFORMS-->`` … ``<!--/PAGEFORMS-->``  kept only with Page Forms (``pageforms=True``)
``<!--OHNE-PAGEFORMS-->`` … ``<!--/OHNE-PAGEFORMS-->``  kept only without Page Forms
====================================  =========================================================

Rules, chosen so a mistake cannot leak half a block onto a wiki:

- A marker that stands alone on its line (optionally after a Lua comment ``--``, so Lua modules use
  the same scheme) is removed together with its line break; a marker inside a line is removed alone.
- Blocks do not nest, every opening marker needs its closing marker, and unknown ``<!--UPPERCASE-->``
  markers are errors (:class:`VariantError`), never silently passed through.
- The markers themselves never reach the wiki, kept or not.

Why comments: an undeployed source file is still valid wikitext (and valid Lua), and an HTML comment
is invisible even if a file were ever saved without rendering.
"""

from __future__ import annotations

import re

from ozgwiki.errors import VariantError

#: The marker names and, for each, whether a block is kept given (smw, pageforms).
MARKERS: dict[str, str] = {
    "SMW": "smw",
    "OHNE-SMW": "not smw",
    "PAGEFORMS": "pageforms",
    "OHNE-PAGEFORMS": "not pageforms",
}

# A whole-line marker (with an optional Lua comment prefix), or an inline one.
_LINE_MARKER = re.compile(r"^[ \t]*(?:--[ \t]*)?<!--(/?)([A-Z][A-Z-]*)-->[ \t]*(?:\n|\Z)", re.MULTILINE)
_INLINE_MARKER = re.compile(r"<!--(/?)([A-Z][A-Z-]*)-->")


def _keep(name: str, *, smw: bool, pageforms: bool) -> bool:
    rule = MARKERS[name]
    value = smw if rule.endswith("smw") else pageforms
    return not value if rule.startswith("not ") else value


def render(text: str, *, smw: bool, pageforms: bool, source: str = "<text>") -> str:
    """Return ``text`` with every marker block kept or dropped for the target wiki.

    ``source`` only names the file in error messages.
    """
    # Tokenise into (kind, payload): whole-line markers first, so they take their line break along.
    tokens: list[tuple[str, str]] = []  # ("text", chunk) or ("open" | "close", marker name)
    pos = 0
    spans: list[tuple[int, int, str, str]] = []
    for m in _LINE_MARKER.finditer(text):
        spans.append((m.start(), m.end(), m.group(1), m.group(2)))
    line_covered = [(s, e) for s, e, _, _ in spans]
    for m in _INLINE_MARKER.finditer(text):
        if not any(s <= m.start() < e for s, e in line_covered):
            spans.append((m.start(), m.end(), m.group(1), m.group(2)))
    spans.sort()
    for start, end, slash, name in spans:
        tokens.append(("text", text[pos:start]))
        tokens.append(("close" if slash else "open", name))
        pos = end
    tokens.append(("text", text[pos:]))

    out: list[str] = []
    current: str | None = None
    keeping = True
    for kind, payload in tokens:
        if kind == "text":
            if keeping:
                out.append(payload)
            continue
        if payload not in MARKERS:
            raise VariantError(f"{source}: unknown variant marker <!--{payload}-->")
        if kind == "open":
            if current is not None:
                raise VariantError(f"{source}: <!--{payload}--> inside <!--{current}--> (blocks do not nest)")
            current = payload
            keeping = _keep(payload, smw=smw, pageforms=pageforms)
        else:
            if current != payload:
                raise VariantError(f"{source}: <!--/{payload}--> without a matching <!--{payload}-->")
            current = None
            keeping = True
    if current is not None:
        raise VariantError(f"{source}: <!--{current}--> is never closed")
    return "".join(out)


def check(text: str, *, source: str = "<text>") -> None:
    """Raise :class:`VariantError` if ``text`` has malformed markers (rendering it both ways)."""
    render(text, smw=True, pageforms=True, source=source)
    render(text, smw=False, pageforms=False, source=source)
