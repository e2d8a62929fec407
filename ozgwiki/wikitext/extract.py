"""Find every LeiKa key candidate on a wiki page, with template, parameter, line and offset.

Keys live in the parameters listed in ``docs/architecture.md`` (:data:`DEFAULT_KEY_PARAMS`) and in
the inline template ``{{LeiKa|…}}`` (every positional parameter). This module only *finds*
candidates; :func:`ozgwiki.domain.leika.classify` judges them. It never raises on broken wikitext.

What counts, and why:

* **Templates are matched the way MediaWiki resolves them**, by
  :func:`ozgwiki.wikitext.parse.template_title` (the rule the bots use to find their own template):
  first letter case-insensitive, ``_`` and runs of (Unicode) spaces equal one space, bidi marks
  ignored, an optional ``Vorlage:``/``Template:`` prefix in any case. ``{{:Steckbrief}}`` (leading
  colon) transcludes the *article* "Steckbrief", not the template, so it does not count;
  ``{{:Vorlage:Steckbrief}}`` does. ``{{subst:…}}`` never survives a save and does not count.
* **Parameter names are exact** (MediaWiki only trims named parameters): ``Leika-Schlüssel`` is not
  ``LeiKa-Schlüssel``. HTML comments in names are dropped, as MediaWiki does.
* **Duplicate parameters**: MediaWiki reads only the last parameter of a name. Keys in the earlier
  ones are still reported, flagged ``shadowed=True``, because the editor typed them and the page
  silently does not show them — that is worth a message. Templates nested in a shadowed parameter
  are shadowed too.
* **Nested templates**: ``{{LeiKa|…}}`` inside a ``Steckbrief`` parameter is reported once, for the
  inline template; in the outer parameter it only separates the text around it.
* **Ignored**: HTML comments (also inside templates and inside a key: ``990120<!-- -->01001000`` is
  one key, as MediaWiki sees it), the contents of ``<nowiki>``, ``<pre>``, ``<syntaxhighlight>``,
  ``<source>``, ``<math>`` and the other tags MediaWiki does not parse as wikitext, footnotes
  (``<ref>``: sources, not keys), struck-out text (``<s>``, ``<del>``, ``<strike>``: an editor's way
  of retiring a key), ``<includeonly>`` (not shown on the page), external links — URL *and* link
  text — and bare URLs, and file/category links. ``<code>`` is **not** ignored: MediaWiki parses
  wikitext inside it and editors use it to set keys in monospace.
* **Splitting a parameter value** into candidates:

  - hard separators: ``,`` ``;`` ``/`` line breaks, ``<br>`` (any spelling), and the words "und",
    "sowie", "oder", "bzw.", "&", "+";
  - inside one list item, words are split on white space. A "digit word" (digits of any script with
    dots, dashes and invisible format characters, maybe in quotes or brackets) is joined with the
    next digit word when exactly one white space character (also a no-break or thin space) separates
    them and the digits stay at most 14. So "99 012 001 001 000" is one candidate and
    "99012001001000 99008001012009" are two;
  - a word with digits *and* other characters (``9901200A001000``, ``LeiKa:99012001001000``) is one
    candidate of its own; plain words beside a key ("LeiKa:", "(Erteilung)") are commentary and are
    skipped; a list item without any digit ("nicht im LeiKa") is one candidate if it has a (Latin)
    letter, so placeholders are reported.

  The character classes are :mod:`ozgwiki.domain.leika`'s explicit lists, which Modul:LeiKa repeats
  (Lua 5.1 has no Unicode tables), so the wiki finds the same candidates.

``offset`` is the position of the candidate's first character in the original text; ``raw`` is
what MediaWiki would show there (comments removed, ``&nbsp;`` decoded), so ``raw`` equals
``text[offset:offset + len(raw)]`` unless a comment or an entity sits inside the candidate.
"""

from __future__ import annotations

import bisect
import contextlib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import mwparserfromhell
from mwparserfromhell.nodes import (
    Comment,
    ExternalLink,
    HTMLEntity,
    Node,
    Tag,
    Template,
    Text,
    Wikilink,
)
from mwparserfromhell.wikicode import Wikicode

from ozgwiki.domain.leika import DASHES, DOTS, FORMAT_CHARS, WHITESPACE, is_digit, is_word_char
from ozgwiki.wikitext.parse import template_title

#: Template → parameters that carry LeiKa keys (docs/architecture.md).
DEFAULT_KEY_PARAMS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "LeiKa-Leistung": ("Schlüssel",),
        "OZG-Leistung": ("LeiKa-Schlüssel",),
        "Umsetzungsprojekt": ("LeiKa-Schlüssel",),
        "Steckbrief": ("LeiKa-Schlüssel",),
    }
)

#: Maximum digits a space-joined candidate may collect (a LeiKa key has 14).
_MAX_JOINED_DIGITS = 14

# Tags whose contents never count (neither text nor templates). The first group is what MediaWiki
# does not parse as wikitext at all; the rest is explained in the module docstring.
IGNORED_TAGS: frozenset[str] = frozenset(
    {
        "nowiki", "pre", "syntaxhighlight", "source", "math", "chem", "ce", "score", "timeline",
        "templatedata", "hiero", "graph", "inputbox", "categorytree", "imagemap", "gallery",
        "ref", "references", "s", "del", "strike", "includeonly",
    }
)  # fmt: skip

_HARD_SEPARATORS = frozenset(",;/\n\r")
_CONJUNCTIONS = frozenset({"und", "sowie", "oder", "bzw", "bzw.", "&", "+"})
_OPENERS = "\"'„“”‚‘’«»‹›([{<（［「『"
_CLOSERS = "\"'„“”‚‘’«»‹›)]}>）］」』.,;:!?"
# What may stand between the digits of a digit word: dots, dashes and invisible format characters
# (the character classes of ozgwiki.domain.leika, which Modul:LeiKa repeats).
_DIGIT_WORD_EXTRA = DOTS | DASHES | FORMAT_CHARS

_NON_TEXT_LINK_RE = re.compile(
    r"^\s*:?\s*(?:datei|file|bild|image|medium|media|kategorie|category)\s*:", re.IGNORECASE
)
_POSITIONAL_RE = re.compile(r"[1-9][0-9]*")


@dataclass(frozen=True)
class KeyFinding:
    """One key candidate on a page.

    ``template`` is the name as written (comments removed, trimmed); ``parameter`` is the parameter
    name, or the position ("1", "2", …) for positional parameters; ``line`` is 1-based.
    ``shadowed`` is true when a later parameter of the same name hides this one from MediaWiki.
    """

    raw: str
    template: str
    parameter: str
    line: int
    offset: int
    shadowed: bool = False


def render_key_list(keys: Iterable[str]) -> str:
    """Write several keys into one parameter the way the bot always does: ``", "``-separated.

    Only plain ASCII digit strings are accepted, so the result always extracts back to exactly
    the same keys (a property test holds us to that).
    """
    out: list[str] = []
    for key in keys:
        if not key or not key.isascii() or not key.isdigit():
            raise ValueError(f"only normalised keys (ASCII digits) can be rendered, got {key!r}")
        out.append(key)
    return ", ".join(out)


def extract_keys(
    text: str,
    *,
    key_params: Mapping[str, Iterable[str]] = DEFAULT_KEY_PARAMS,
    inline_templates: Iterable[str] = ("LeiKa",),
) -> list[KeyFinding]:
    """Every key candidate in ``text``, in document order. Never raises.

    ``key_params`` maps template names to the parameters that hold keys; ``inline_templates`` are
    templates whose positional parameters each hold a key. Names are matched like MediaWiki does.
    """
    extractor = _Extractor(text, key_params, inline_templates)
    try:
        code = mwparserfromhell.parse(text)
    except Exception:  # the parser has had bugs on odd input; a page we cannot parse has no keys
        return []
    with contextlib.suppress(RecursionError):  # absurdly deep nesting: keep what was found so far
        extractor.walk(code, 0, shadowed=False)
    return sorted(extractor.findings, key=lambda f: f.offset)


# --- internals -----------------------------------------------------------------------------------


def _without_comments(code: Wikicode) -> str:
    return "".join(str(node) for node in code.nodes if not isinstance(node, Comment))


def _tag_name(tag: Tag) -> str:
    return _without_comments(tag.tag).strip().lower()


def _child_offsets(node: Node, pos: int) -> Iterator[tuple[Wikicode, int]]:
    """The node's child wikicodes with their absolute offsets.

    Children come in source order, so searching forward from a cursor finds each one where it is.
    """
    source = str(node)
    cursor = 0
    for child in node.__children__():
        piece = str(child)
        index = source.find(piece, cursor)
        if index < 0:
            continue
        yield child, pos + index
        cursor = index + len(piece)


@dataclass
class _Run:
    """Visible characters of a parameter value between two boundaries, each with its offset."""

    chars: list[str] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)


class _Stream:
    """The visible text of one parameter value, cut into runs at boundaries (templates, <br>, …)."""

    def __init__(self) -> None:
        self.runs: list[_Run] = [_Run()]

    def add(self, text: str, offset: int, *, same_offset: bool = False) -> None:
        run = self.runs[-1]
        for i, ch in enumerate(text):
            run.chars.append(ch)
            run.offsets.append(offset if same_offset else offset + i)

    def boundary(self) -> None:
        if self.runs[-1].chars:
            self.runs.append(_Run())


@dataclass
class _Word:
    start: int
    end: int
    gap_before: str  # white space between this word and the previous one in the same item
    kind: str  # "digit", "mixed" or "text"
    digits: int


class _Extractor:
    def __init__(
        self, text: str, key_params: Mapping[str, Iterable[str]], inline_templates: Iterable[str]
    ) -> None:
        self.text = text
        self.findings: list[KeyFinding] = []
        self.key_params: dict[str, frozenset[str]] = {}
        for name, params in key_params.items():
            canonical = template_title(name)
            if canonical:
                self.key_params[canonical] = frozenset(params)
        self.inline = frozenset(filter(None, (template_title(n) for n in inline_templates)))
        self._line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self._line_starts, offset)

    # -- walking the tree ---------------------------------------------------------------------

    def walk(self, code: Wikicode, base: int, *, shadowed: bool) -> None:
        """Visit every template in ``code``, skipping comments and ignored tags."""
        pos = base
        for node in code.nodes:
            length = len(str(node))
            if isinstance(node, Template):
                self.template(node, pos, shadowed=shadowed)
            elif isinstance(node, Tag) and _tag_name(node) in IGNORED_TAGS:
                pass
            elif not isinstance(node, Text | Comment | HTMLEntity):
                for child, offset in _child_offsets(node, pos):
                    self.walk(child, offset, shadowed=shadowed)
            pos += length

    def template(self, node: Template, pos: int, *, shadowed: bool) -> None:
        written = _without_comments(node.name).strip()
        canonical = template_title(written) if "{" not in written else None
        inline = canonical in self.inline
        wanted = self.key_params.get(canonical or "", frozenset())

        self.walk(node.name, pos + 2, shadowed=shadowed)
        names = [_without_comments(p.name).strip() if p.showkey else str(p.name) for p in node.params]
        last_index = {name: i for i, name in enumerate(names)}

        cursor = pos + 2 + len(str(node.name))
        for i, (param, name) in enumerate(zip(node.params, names, strict=True)):
            cursor += 1  # the "|"
            if param.showkey:
                self.walk(param.name, cursor, shadowed=shadowed)
                cursor += len(str(param.name)) + 1  # the name and "="
            value_offset = cursor
            cursor += len(str(param.value))
            hidden = shadowed or last_index[name] != i
            is_key_param = (inline and _POSITIONAL_RE.fullmatch(name) is not None) or name in wanted
            if is_key_param:
                stream = _Stream()
                self.flatten(param.value, value_offset, stream, shadowed=hidden)
                for raw, offset in _candidates(stream):
                    self.findings.append(
                        KeyFinding(
                            raw=raw,
                            template=written,
                            parameter=name,
                            line=self.line_of(offset),
                            offset=offset,
                            shadowed=hidden,
                        )
                    )
            else:
                self.walk(param.value, value_offset, shadowed=hidden)

    def flatten(self, code: Wikicode, base: int, stream: _Stream, *, shadowed: bool) -> None:
        """Collect the visible text of a key parameter; nested templates are walked, not read."""
        pos = base
        for node in code.nodes:
            length = len(str(node))
            if isinstance(node, Text):
                stream.add(node.value, pos)
            elif isinstance(node, Comment):
                pass
            elif isinstance(node, HTMLEntity):
                stream.add(node.normalize(), pos, same_offset=True)
            elif isinstance(node, Template):
                stream.boundary()
                self.template(node, pos, shadowed=shadowed)
                stream.boundary()
            elif isinstance(node, Tag):
                stream.boundary()
                if _tag_name(node) not in IGNORED_TAGS and node.contents is not None:
                    for child, offset in _child_offsets(node, pos):
                        if child is node.contents:
                            self.flatten(child, offset, stream, shadowed=shadowed)
                stream.boundary()
            elif isinstance(node, Wikilink):
                stream.boundary()
                if not _NON_TEXT_LINK_RE.match(str(node.title)):
                    shown = node.text if node.text is not None else node.title
                    for child, offset in _child_offsets(node, pos):
                        if child is shown:
                            self.flatten(child, offset, stream, shadowed=shadowed)
                stream.boundary()
            elif isinstance(node, ExternalLink):
                stream.boundary()  # URL and link text are never keys; templates inside still count
                for child, offset in _child_offsets(node, pos):
                    self.walk(child, offset, shadowed=shadowed)
            else:  # headings, {{{arguments}}}, ...: not key text, but may hold templates
                stream.boundary()
                for child, offset in _child_offsets(node, pos):
                    self.walk(child, offset, shadowed=shadowed)
                stream.boundary()
            pos += length


# --- splitting a parameter value into candidates ---------------------------------------------------


def _word_kind(word: str) -> tuple[str, int]:
    """Classify a word as "digit", "mixed" or "text" and count its digits (of any script)."""
    core = word.lstrip(_OPENERS).rstrip(_CLOSERS)
    digits = sum(1 for ch in core if is_digit(ch))
    if digits == 0:
        return "text", 0
    if all(is_digit(ch) or ch in _DIGIT_WORD_EXTRA for ch in core):
        return "digit", digits
    return "mixed", digits


def _items(run: _Run) -> Iterator[list[_Word]]:
    """Cut a run into list items (at hard separators and conjunctions) made of words."""
    chars = run.chars
    item: list[_Word] = []
    gap = ""
    i = 0
    while i < len(chars):
        ch = chars[i]
        if ch in _HARD_SEPARATORS:
            if item:
                yield item
            item, gap = [], ""
            i += 1
            continue
        if ch in WHITESPACE:
            gap += ch
            i += 1
            continue
        j = i
        while j < len(chars) and chars[j] not in WHITESPACE and chars[j] not in _HARD_SEPARATORS:
            j += 1
        word = "".join(chars[i:j])
        if word.lower() in _CONJUNCTIONS:
            if item:
                yield item
            item, gap = [], ""
        else:
            kind, digits = _word_kind(word)
            item.append(_Word(start=i, end=j, gap_before=gap, kind=kind, digits=digits))
            gap = ""
        i = j
    if item:
        yield item


def _spans(item: list[_Word]) -> Iterator[tuple[int, int]]:
    """Candidate spans of one list item (see the module docstring for the rules)."""
    if all(w.kind == "text" for w in item):
        yield item[0].start, item[-1].end
        return
    start = end = -1
    digits = 0
    for word in item:
        if word.kind == "digit":
            joinable = start >= 0 and len(word.gap_before) == 1 and digits + word.digits <= _MAX_JOINED_DIGITS
            if joinable:
                end = word.end
                digits += word.digits
                continue
            if start >= 0:
                yield start, end
            start, end, digits = word.start, word.end, word.digits
            continue
        if start >= 0:
            yield start, end
            start = -1
        if word.kind == "mixed":
            yield word.start, word.end
    if start >= 0:
        yield start, end


def _candidates(stream: _Stream) -> Iterator[tuple[str, int]]:
    for run in stream.runs:
        for item in _items(run):
            if all(w.kind == "text" for w in item):
                text = "".join(run.chars[item[0].start : item[-1].end])
                if not any(is_word_char(ch) for ch in text):
                    continue  # "-", "–", "?" … an empty list item, not a candidate
            for start, end in _spans(item):
                yield "".join(run.chars[start:end]), run.offsets[start]
