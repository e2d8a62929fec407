"""Marked sections: the text between ``<!-- ozgwiki:begin NAME -->`` and ``<!-- ozgwiki:end NAME -->``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from mwparserfromhell.nodes import Comment, Text
from mwparserfromhell.wikicode import Wikicode

from ozgwiki.errors import PageTextError
from ozgwiki.wikitext.parse import _newline, _parse, _walk

__all__ = ["get_section", "replace_section", "section_markers"]

_SECTION_NAME_RE = re.compile(r"\A\w[\w.-]*\Z")
_MARKER_RE = re.compile(r"\A\s*ozgwiki:(begin|end)\s+(\S+)\s*\Z")


def section_markers(name: str) -> tuple[str, str]:
    """The exact begin and end markers written for section ``name``.

    Names are a word character followed by word characters, ``.`` or ``-`` (no spaces). When reading,
    extra whitespace inside the comment is tolerated: ``<!--ozgwiki:begin  NAME-->`` counts too.
    """
    if not _SECTION_NAME_RE.match(name):
        raise ValueError(f"not a valid section name: {name!r}")
    return f"<!-- ozgwiki:begin {name} -->", f"<!-- ozgwiki:end {name} -->"


#: Where a page's markers are: section name -> ``begin``/``end`` -> (container, index) of each.
_Markers = dict[str, dict[str, list[tuple[Wikicode, int]]]]


def _markers(root: Wikicode) -> _Markers:
    """Every section marker of the page, found in one walk (placing a section looks at its neighbours'
    markers, so one parse serves them all)."""
    found: _Markers = {}
    for container, index, node, _inside in _walk(root):
        if isinstance(node, Comment):
            match = _MARKER_RE.match(str(node.contents))
            if match:
                kinds = found.setdefault(match.group(2), {"begin": [], "end": []})
                kinds[match.group(1)].append((container, index))
    return found


def _span(markers: _Markers, name: str) -> tuple[Wikicode, int, int] | None:
    """``(container, begin_index, end_index)`` of section ``name``, None if unmarked.

    Raises PageTextError for duplicated, unbalanced or misordered markers."""
    kinds = markers.get(name, {})
    begins, ends = kinds.get("begin", []), kinds.get("end", [])
    if not begins and not ends:
        return None
    if len(begins) != 1 or len(ends) != 1:
        raise PageTextError(
            f"section {name!r} has {len(begins)} begin and {len(ends)} end marker(s); expected one each"
        )
    (container, begin), (end_container, end) = begins[0], ends[0]
    if container is not end_container:
        raise PageTextError(f"the markers of section {name!r} are in different parts of the page structure")
    if end < begin:
        raise PageTextError(f"section {name!r} ends before it begins")
    return container, begin, end


def _find_section(text: str, name: str) -> tuple[Wikicode, Wikicode, int, int] | None:
    """Return ``(root, container, begin_index, end_index)`` of the section, None if unmarked."""
    section_markers(name)
    root = _parse(text)
    span = _span(_markers(root), name)
    return None if span is None else (root, *span)


def _strip_one_break(region: str) -> str:
    for br in ("\r\n", "\n"):
        if region.startswith(br):
            region = region[len(br) :]
            break
    for br in ("\r\n", "\n"):
        if region.endswith(br):
            return region[: -len(br)]
    return region


def get_section(text: str, name: str) -> str | None:
    """Return the content of marked section ``name``, None if the page has no such markers.

    The content is what lies between the markers, minus the one line break that follows the begin
    marker and the one that precedes the end marker. Raises PageTextError for duplicated,
    unbalanced or misordered markers.
    """
    found = _find_section(text, name)
    if found is None:
        return None
    _root, container, begin, end = found
    return _strip_one_break("".join(str(n) for n in container.nodes[begin + 1 : end]))


def _place_next_to(
    markers: _Markers, after: Sequence[str], before: Sequence[str]
) -> tuple[Wikicode, int, bool] | None:
    """Where a missing section goes: ``(container, index, after)`` -- right after the end marker of the
    first section in ``after`` the page has, else right before the begin marker of the first in
    ``before``; None when the page has none of them."""
    for other in after:
        span = _span(markers, other)
        if span is not None:
            container, _begin, end = span
            return container, end + 1, True
    for other in before:
        span = _span(markers, other)
        if span is not None:
            container, begin, _end = span
            return container, begin, False
    return None


def replace_section(
    text: str,
    name: str,
    content: str,
    *,
    create: Literal["bottom", "top"] | None = "bottom",
    after: Sequence[str] = (),
    before: Sequence[str] = (),
) -> str:
    """Replace the content of marked section ``name``; everything outside the markers stays as it is.

    Written layout: ``<!-- ozgwiki:begin NAME -->`` line break, content, line break,
    ``<!-- ozgwiki:end NAME -->``, with the page's own line end (LF or CRLF). If the section already
    has ``content``, the text is returned unchanged. A missing section goes where its neighbours put
    it, so a page keeps the order of its definition: on a line of its own right after the end marker
    of the first section in ``after`` the page has (nearest first), else right before the begin marker
    of the first in ``before``. With none of them it is appended at the bottom (on a line of its own)
    or put at the top, followed by a line break; ``create=None`` raises PageTextError instead. Text
    around the markers is never moved or changed. Content that would break the markers raises
    PageTextError.
    """
    begin_marker, end_marker = section_markers(name)
    for other in (*after, *before):
        section_markers(other)
    root = _parse(text)
    markers = _markers(root)
    found = _span(markers, name)
    nl = _newline(text)
    region = nl + content + nl
    if found is None:
        if create is None:
            raise PageTextError(f"section {name!r} is missing on the page")
        block = begin_marker + region + end_marker
        slot = _place_next_to(markers, after, before)
        if slot is not None:
            container, index, behind = slot
            container.nodes.insert(index, Text(nl + block if behind else block + nl))
            result = str(root)
        elif not text:
            result = block
        elif create == "top":
            result = block + nl + text
        else:
            result = text + ("" if text.endswith("\n") else nl) + block
    else:
        container, begin, end = found
        if _strip_one_break("".join(str(n) for n in container.nodes[begin + 1 : end])) == content:
            return text
        nodes = container.nodes
        container.nodes = [*nodes[: begin + 1], Text(region), *nodes[end:]]
        result = str(root)
    try:
        ok = get_section(result, name) == content
    except PageTextError:
        ok = False
    if not ok:
        raise PageTextError(f"the new content would break the markers of section {name!r}")
    return result
