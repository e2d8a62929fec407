"""Edit what the bots own inside a page, and return everything else byte for byte.

A bot owns exactly two things on a page:

* the **named parameters it sets** in its own template (``set_template_params``), and
* **marked sections** between ``<!-- ozgwiki:begin NAME -->`` and ``<!-- ozgwiki:end NAME -->``
  (``replace_section`` in :mod:`ozgwiki.wikitext.sections`).

Every other byte - human prose, other templates, other parameters of the same template, comments,
parameter order, spacing and line ends (also CRLF) - comes back unchanged. The functions work by
parsing with mwparserfromhell (whose own promise is ``str(parse(text)) == text``), locating the one
thing they own, and splicing new text into the original string at computed offsets. Each edit is
re-parsed and checked afterwards; when the page cannot be edited safely a ``PageTextError`` is raised
and the caller skips and reports the page. No function ever guesses.

MediaWiki's rules that this module follows (and tests):

* Template names resolve as :func:`ozgwiki.wikitext.parse.template_title` says (the same rule
  extraction and the opt-out use): the namespace prefix (``Vorlage:``/``Template:``, any case,
  spaces or underscores around the colon) is optional, also after a leading colon, ``_`` equals a
  space, runs of spaces collapse, surrounding whitespace, comments and bidi marks are ignored, and
  only the first letter is case-insensitive.
* Named parameter names and values are trimmed of surrounding whitespace (PHP ``trim``); comments are
  removed by the preprocessor before that. Positional values are not trimmed.
* When a parameter name occurs more than once, only the **last** occurrence is read.
* ``<nowiki>``, ``<pre>`` and other non-wikitext tags, and comments, hide templates and markers.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from mwparserfromhell.definitions import PARSER_BLACKLIST
from mwparserfromhell.nodes import Comment, Node, Template, Text
from mwparserfromhell.wikicode import Wikicode

from ozgwiki.domain import titles
from ozgwiki.errors import PageTextError
from ozgwiki.wikitext.parse import (
    _COMMENT_RE,
    _WS,
    _effective,
    _named_values,
    _newline,
    _param_name,
    _parse,
    _walk,
    template_title,
)

__all__ = [
    "PageTextError",
    "get_template_params",
    "is_redirect",
    "redirect_target",
    "redirect_text",
    "set_template_params",
]

_HIDING_TAGS_RE = re.compile(
    r"<(" + "|".join(PARSER_BLACKLIST) + r")(?:\s[^>]*)?(?<!/)>.*?</\1\s*>",
    re.DOTALL | re.IGNORECASE,
)
_RAW_TEMPLATE_RE = re.compile(r"\{\{([^{}|]*)")
_LINE_BREAK_RE = re.compile(r"(\r?\n)[ \t]*\Z")


# --------------------------------------------------------------------------------------------------
# Redirects


# MediaWiki's redirect magic word on a German wiki: #WEITERLEITUNG and the English #REDIRECT, in any
# case (MessagesDe.php); then, as WikitextContent::getRedirectTargetAndText reads it, optional white
# space and one optional colon, and a link whose target is everything up to the first "|" or "]]".
# PHP's \s (no /u flag) is ASCII white space, so is re.ASCII's.
_REDIRECT_RE = re.compile(
    r"(?:#WEITERLEITUNG|#REDIRECT)\s*:?\s*\[\[(.*?)(?:\|.*?)?\]\]", re.IGNORECASE | re.ASCII
)
# What no page title may contain, what MediaWiki would decode in it, and its spaces: stated once in
# ozgwiki.domain.titles (MediaWikiTitleCodec).
_WRITTEN_ILLEGAL = (titles.FORBIDDEN_CHAR, titles.SIGNATURE, titles.RELATIVE_PATH)
_DECODED = (titles.PERCENT_ESCAPE, titles.CHARACTER_REFERENCE)


def is_redirect(text: str) -> bool:
    """Whether MediaWiki reads the page ``text`` as a redirect, so that no bot may write into it.

    A redirect is ``#WEITERLEITUNG [[Ziel]]`` or ``#REDIRECT [[Ziel]]`` at the very start of the page
    (after leading white space), the magic word in any case, with or without a space or a colon before
    the link (``#redirect:[[Ziel]]``); the link may have a label or a section (``[[Ziel#Teil|x]]``),
    and anything may follow it (categories, ``{{Weiterleitungshinweis}}``, text). Like MediaWiki, a
    link whose target is no valid page title (empty, with ``< > [ ] { } |`` or ``~~~``, a relative
    path) makes no redirect, and neither does the magic word anywhere but at the start, inside a
    comment or ``<nowiki>``. Where only the wiki's configuration could tell (a bare namespace such as
    ``[[Kategorie:]]``, ``[[Spezial:Abmelden]]``), the answer is True: a bot rather leaves a page alone.

    Pure: the text alone decides. Writing a template into a redirect would put it before the magic word
    and turn the redirect into an ordinary page, so the sync engine skips such pages.
    """
    return _redirect_link(text) is not None


def _contains(title: str, patterns: tuple[re.Pattern[str], ...]) -> bool:
    return any(p.search(title) for p in patterns)


def _redirect_link(text: str) -> str | None:
    """The link target of a redirect ``text`` as written, decoded and without its section; None when
    MediaWiki reads no redirect in it."""
    match = _REDIRECT_RE.match(text.lstrip(_WS))
    if match is None:
        return None
    target = match.group(1)
    if "%" in target:  # MediaWiki decodes percent-encoded targets
        target = urllib.parse.unquote(target.lstrip(":"), errors="replace")
    title = target.partition("#")[0].strip(" _").lstrip(":").strip(" _")
    if not title or _contains(title, _WRITTEN_ILLEGAL) or len(title.encode()) > titles.MAX_TITLE_BYTES:
        return None
    return title


def redirect_target(text: str) -> str | None:
    """The page a redirect ``text`` points to, read as :func:`is_redirect` reads it; None for no redirect.

    The title comes without its section (``Ziel#Teil`` -> ``Ziel``), label and leading colon, percent
    escapes decoded, underscores and Unicode spaces as one space each run, as MediaWiki normalises a
    title (so it compares with the title the bot would write). The first letter is left as written:
    whether it is case-sensitive is the wiki's setting.
    """
    link = _redirect_link(text)
    if link is None:
        return None
    return titles.TITLE_SPACES.sub(" ", link).strip(" ") or None


def redirect_text(target: str) -> str:
    """The text of a page that redirects to ``target``: ``#WEITERLEITUNG [[target]]``.

    The German magic word is the one MediaWiki itself writes on this wiki when a move leaves a
    redirect, so the bot's own redirect and the one a move left read the same. The title goes in
    as it is -- a link target is never escaped, a character reference would be part of the title --
    so a string that is no valid page title raises ``ValueError`` instead of writing a redirect that
    points elsewhere or nowhere: empty, white space or ``_`` at either end, a leading colon,
    characters no title may hold (``# < > [ ] | { }``, control characters, ``~~~``), percent escapes
    or character references (MediaWiki would decode them), relative paths, more than 255 bytes.
    """
    problem = _title_problem(target)
    if problem is not None:
        raise ValueError(f"no redirect to {target!r}: {problem}")
    return f"#WEITERLEITUNG [[{target}]]"


def retarget(text: str, target: str) -> str:
    """A redirect's ``text`` pointing at ``target`` instead: only the link's page changes, its section,
    label and whatever follows the link (categories, notes) stay. A text that is no redirect becomes
    :func:`redirect_text`. Raises ``ValueError`` for a ``target`` that is no valid title."""
    problem = _title_problem(target)
    if problem is not None:
        raise ValueError(f"not a title to redirect to ({problem}): {target!r}")
    start = len(text) - len(text.lstrip(_WS))
    match = _REDIRECT_RE.match(text, start)
    if match is None:
        return redirect_text(target)
    page_end = match.start(1) + len(match.group(1).partition("#")[0])
    return text[: match.start(1)] + target + text[page_end:]


def _title_problem(title: str) -> str | None:
    """Why ``title`` cannot be written as a link target as it is (None: it can)."""
    spaced = titles.TITLE_SPACES.sub(" ", title)
    if not spaced.strip(" "):
        return "empty title"
    if spaced != spaced.strip(" ") or title.startswith(":"):
        return "white space or '_' at either end, or a leading ':'"
    if _contains(title, _WRITTEN_ILLEGAL):
        return "characters no page title may contain"
    if _contains(title, _DECODED):
        return "a percent escape or character reference, which MediaWiki would decode"
    if len(title.encode()) > titles.MAX_TITLE_BYTES:
        return f"longer than {titles.MAX_TITLE_BYTES} bytes"
    return None


# --------------------------------------------------------------------------------------------------
# Locating the one template


_HIDDEN_RE = re.compile(f"{_COMMENT_RE.pattern}|{_HIDING_TAGS_RE.pattern}", re.DOTALL | re.IGNORECASE)


def _scrub(text: str) -> str:
    """The text with comments and non-wikitext tags removed: what MediaWiki's preprocessor sees."""
    return _HIDDEN_RE.sub("", text)


def _unclosed_comment_at(text: str) -> int | None:
    """Where an unclosed ``<!--`` starts. MediaWiki hides everything after it; the parser does not."""
    for match in _HIDDEN_RE.finditer(text):
        if match.group(0).startswith("<!--") and not match.group(0).endswith("-->"):
            return match.start()
    return None


@dataclass(frozen=True)
class _Found:
    """The one top-level occurrence of a template and the page text around it."""

    template: Template
    prefix: str
    suffix: str


def _locate(text: str, template: str) -> _Found | None:
    """Parse ``text`` and return the one top-level occurrence of ``template`` (or None).

    Raises PageTextError when the template occurs twice at top level, only nested inside another
    template, or where the parser could not pair ``{{`` with ``}}`` or ``<!--`` with ``-->`` before
    the template ends (broken wikitext: MediaWiki would read it differently). Raises ValueError when
    ``template`` names no template (``":Seite"``, empty): a bot's own template must be one.
    """
    target = template_title(template)
    if target is None:
        raise ValueError(f"not a template name: {template!r}")
    root = _parse(text)
    top: list[Template] = []
    nested: list[Template] = []
    for _container, _index, node, inside in _walk(root):
        if isinstance(node, Template) and template_title(str(node.name)) == target:
            (nested if inside else top).append(node)
    raw = sum(1 for m in _RAW_TEMPLATE_RE.finditer(_scrub(text)) if template_title(m.group(1)) == target)
    if raw != len(top) + len(nested):
        raise PageTextError(
            f"template {target!r} cannot be located unambiguously: the page has an unclosed "
            f"'{{{{' or comment around it (broken wikitext)"
        )
    if len(top) > 1:
        raise PageTextError(f"template {target!r} occurs {len(top)} times on the page; expected once")
    if not top and nested:
        raise PageTextError(f"template {target!r} occurs only nested inside another template")
    if not top:
        return None
    tpl_text = str(top[0])
    prefix, suffix = _split_around(root, top[0], text)
    unclosed = _unclosed_comment_at(text)
    if unclosed is not None and unclosed < len(prefix) + len(tpl_text):
        raise PageTextError(f"template {target!r} is cut off by an unclosed comment '<!--' (broken wikitext)")
    return _Found(top[0], prefix, suffix)


def _split_around(root: Wikicode, node: Node, text: str) -> tuple[str, str]:
    """Return the page text before and after ``node``; checks that they frame it exactly."""
    sentinel = "\ue000ozgwiki\ue001"
    while sentinel in text:
        sentinel += "\ue001"
    node_text = str(node)
    root.replace(node, sentinel)
    prefix, _, suffix = str(root).partition(sentinel)
    if prefix + node_text + suffix != text:  # pragma: no cover - would be a parser bug
        raise PageTextError("the template's position on the page could not be determined")
    return prefix, suffix


# --------------------------------------------------------------------------------------------------
# Template parameters


@dataclass(frozen=True)
class _Param:
    """One ``|…`` of a template call, with offsets into the template's own text."""

    name: str  # effective name: "Name" for "| Name =", "1" for the first positional
    named: bool
    start: int  # offset of the "|"
    value_start: int
    end: int  # offset after the value
    name_text: str  # raw text between "|" and "=" ("" for positional)
    value_text: str


def _params(tpl: Template, tpl_text: str) -> tuple[int, list[_Param]]:
    """Offsets of the name's end and of every parameter; mirrors ``Template.__str__``."""
    pos = 2 + len(str(tpl.name))
    name_end = pos
    found: list[_Param] = []
    for param in tpl.params:
        start = pos
        name_text = str(param.name) if param.showkey else ""
        pos += 1 + (len(name_text) + 1 if param.showkey else 0)
        value_text = str(param.value)
        value_start = pos
        pos += len(value_text)
        found.append(
            _Param(_param_name(param), param.showkey, start, value_start, pos, name_text, value_text)
        )
    if tpl_text[pos:] != "}}":  # pragma: no cover - would be a parser bug
        raise PageTextError("the template's parameters could not be mapped to the page text")
    return name_end, found


def _trailing_ws(text: str) -> int:
    return len(text) - len(text.rstrip(_WS))


def _padding(text: str) -> tuple[int, int]:
    """Lengths of the leading and trailing runs of whitespace and comments of a value."""
    nodes = _parse(text).nodes
    lead = 0
    for node in nodes:
        if isinstance(node, Comment) or (isinstance(node, Text) and not str(node).strip(_WS)):
            lead += len(str(node))
            continue
        if isinstance(node, Text):
            lead += len(str(node)) - len(str(node).lstrip(_WS))
        break
    if lead == len(text):
        return lead, 0
    trail = 0
    for node in reversed(nodes):
        if isinstance(node, Comment) or (isinstance(node, Text) and not str(node).strip(_WS)):
            trail += len(str(node))
            continue
        if isinstance(node, Text):
            trail += _trailing_ws(str(node))
        break
    return lead, trail


def _check_param_name(name: str) -> None:
    if name != name.strip(_WS) or not name or name.isdigit() or re.search(r"[|={}\[\]<>\n]", name):
        raise ValueError(f"not a valid owned parameter name: {name!r}")


@dataclass(frozen=True)
class _Style:
    """How new parameters are written: ``sep`` + "|" + pre_name + name + pad + "=" + pre_value."""

    sep: str
    pre_name: str
    pad: str
    pre_value: str
    align_at: int  # column of "=" counted from after "|", 0 when the template is not aligned

    def render(self, name: str, value: str) -> str:
        pad = self.pad
        if self.align_at:
            pad = " " * max(1, self.align_at - len(self.pre_name) - len(name))
        return f"{self.sep}|{self.pre_name}{name}{pad}={self.pre_value if value else ''}{value}"


def _canonical_style(newline: str) -> _Style:
    """The bot's own layout for templates without named parameters: ``\\n| name = value``."""
    return _Style(sep=newline, pre_name=" ", pad=" ", pre_value=" ", align_at=0)


def _detect_style(tpl_text: str, name_end: int, params: list[_Param], ref: _Param | None, nl: str) -> _Style:
    """Copy the dominant layout of the template: multi-line if most parameters start a line."""
    leads = []
    previous_end = name_end
    for param in params:
        leads.append(tpl_text[previous_end - _trailing_ws(tpl_text[:previous_end]) : param.start])
        previous_end = param.end
    if ref is None:
        return _canonical_style(nl)
    multiline = sum("\n" in lead for lead in leads) * 2 >= len(leads)
    ref_lead = leads[params.index(ref)]
    if multiline:
        breaks = [m.group(0) for lead in [ref_lead, *reversed(leads)] if (m := _LINE_BREAK_RE.search(lead))]
        sep = breaks[0] if breaks else nl
    else:
        sep = ref_lead if not ref_lead.strip(" \t") else ""
    pre_name = ref.name_text[: len(ref.name_text) - len(ref.name_text.lstrip(_WS))]
    pad = ref.name_text[len(ref.name_text.rstrip(_WS)) :]
    if "\n" in pre_name or "\n" in pad:
        pre_name, pad = " ", " "
    core_len = len(ref.name_text) - len(pre_name) - len(pad)
    align_at = len(pre_name) + core_len + len(pad) if len(pad) > 1 and pad.strip(" ") == "" else 0
    value = ref.value_text
    pre_value = value[: len(value) - len(value.lstrip(" \t"))] if value.strip(_WS) else ""
    if not pre_value and pad:
        pre_value = " "
    return _Style(sep, pre_name, pad, pre_value, align_at)


def _set_value_edit(param: _Param, value: str) -> tuple[int, int, str]:
    """Replace the content of a value, keeping surrounding whitespace and comments."""
    text = param.value_text
    lead, trail = _padding(text)
    if lead < len(text):
        return param.value_start + lead, param.value_start + len(text) - trail, value
    # Only whitespace and comments: write after the horizontal space that follows "=".
    at = len(text) - len(text.lstrip(" \t"))
    rest = text[at:]
    insert = value + (" " if value and rest and rest[0] not in _WS else "")
    if at == 0 and value and param.name_text[-1:] in (" ", "\t"):
        insert = " " + insert
    return param.value_start + at, param.value_start + at, insert


def _edit_template(
    tpl: Template, tpl_text: str, wanted: dict[str, str | None], order: list[str], nl: str
) -> str:
    name_end, params = _params(tpl, tpl_text)
    by_name: dict[str, list[_Param]] = {}
    for param in params:
        if param.named:
            by_name.setdefault(param.name, []).append(param)

    edits: list[tuple[int, int, int, str]] = []  # (start, end, tie-break, replacement)
    new_names: list[str] = []
    removed: set[int] = set()
    for name, value in wanted.items():
        occurrences = by_name.get(name, [])
        if value is None:
            for param in occurrences:
                edits.append((param.start, param.end, 0, ""))
                removed.add(param.start)
        elif not occurrences:
            new_names.append(name)
        elif _effective(occurrences[-1].value_text) != _effective(value):
            start, end, text = _set_value_edit(occurrences[-1], value)
            edits.append((start, end, 0, text))
    if not new_names and not edits:
        return tpl_text

    surviving = [p for p in params if p.start not in removed]
    owned = [p for p in surviving if p.named and p.name in order]
    named = [p for p in surviving if p.named] or [p for p in params if p.named]
    ref = owned[-1] if owned else (named[-1] if named else None)
    style = _detect_style(tpl_text, name_end, params, ref, nl)

    def anchor_after(param: _Param | None) -> int:
        """The insertion point after a segment: before its trailing whitespace."""
        end = param.end if param else name_end
        return end - _trailing_ws(tpl_text[:end])

    def anchor_before(param: _Param) -> int:
        earlier = [p for p in surviving if p.start < param.start]
        return anchor_after(earlier[-1] if earlier else None)

    last_of = {p.name: p for p in surviving if p.named}
    for name in new_names:
        rank = order.index(name)
        before = [last_of[n] for n in order[:rank] if n in last_of]
        after = [last_of[n] for n in order[rank + 1 :] if n in last_of]
        if before:
            at = anchor_after(max(before, key=lambda p: p.start))
        elif after:
            at = anchor_before(min(after, key=lambda p: p.start))
        elif owned:
            at = anchor_after(owned[-1])
        else:
            at = anchor_after(surviving[-1] if surviving else None)
        edits.append((at, at, 1 + rank, style.render(name, wanted[name] or "")))

    if not any(p.named for p in params) and new_names and "\n" in style.sep:
        closing = len(tpl_text) - 2
        if "\n" not in tpl_text[anchor_after(surviving[-1] if surviving else None) : closing]:
            edits.append((closing, closing, len(order) + 1, style.sep))

    out, pos = [], 0
    for start, end, _tie, replacement in sorted(edits):
        out.append(tpl_text[pos:start])
        out.append(replacement)
        pos = end
    out.append(tpl_text[pos:])
    return "".join(out)


def get_template_params(text: str, template: str) -> dict[str, str] | None:
    """Return the parameters of the one top-level ``template`` on the page, as MediaWiki reads them.

    Named values are trimmed and comments removed; for duplicate names the last one wins; positional
    parameters appear as ``"1"``, ``"2"``, … untrimmed. Returns None when the template is absent.
    Raises PageTextError when the template cannot be located unambiguously.
    """
    found = _locate(text, template)
    return None if found is None else _named_values(found.template)


def set_template_params(
    text: str,
    template: str,
    params: Mapping[str, str | None],
    *,
    param_order: Sequence[str] = (),
    create_at: Literal["top"] | None = "top",
) -> str:
    """Set the bot-owned named ``params`` of ``template`` and return the new page text.

    * A ``str`` value is trimmed (MediaWiki trims named values anyway) and inserted verbatim: escape
      it with :func:`ozgwiki.wikitext.escape.param_value` first unless it is meant as wikitext.
    * An existing parameter keeps its position, the whitespace around ``=``, its line layout and
      comments around the value; only the value between them changes. If MediaWiki would already
      read the same value, nothing changes (no churn).
    * ``None`` removes the parameter. With duplicate names MediaWiki reads only the last occurrence:
      setting changes the last one and leaves earlier ones alone; removing removes all of them,
      otherwise an earlier one would come back into effect.
    * A new parameter goes after its nearest existing predecessor in ``param_order`` (else before
      its nearest successor, else after the last owned parameter, else before ``}}``), written in
      the template's dominant layout (multi-line ``\\n| name = value`` or inline ``|name=value``,
      column alignment of ``=`` included).
    * A missing template is created at the top of the page (infobox convention) with the parameters
      in ``param_order``, followed by a line break and the unchanged page; ``create_at=None`` raises
      PageTextError instead.

    Every other byte of the page is returned unchanged. Raises PageTextError when the template is
    ambiguous or the wikitext around it is broken, or when a value would change the template's
    structure (an unescaped ``|`` or ``}}``); raises ValueError for invalid parameter names.
    """
    if create_at not in ("top", None):
        raise ValueError(f"create_at must be 'top' or None, not {create_at!r}")
    for name in [*params, *param_order]:
        _check_param_name(name)
    wanted = {name: None if v is None else v.strip(_WS) for name, v in params.items()}
    order = list(dict.fromkeys([*param_order, *params]))
    found = _locate(text, template)
    nl = _newline(text)
    if found is None:
        items = [(n, wanted[n]) for n in order if n in wanted and wanted[n] is not None]
        if not items:
            return text
        if create_at is None:
            raise PageTextError(f"template {template_title(template)!r} is missing on the page")
        style = _canonical_style(nl)
        created = "{{" + template.strip() + "".join(style.render(n, v or "") for n, v in items) + nl + "}}"
        result = created + nl + text if text else created
    else:
        before = str(found.template)
        after = _edit_template(found.template, before, wanted, order, nl)
        if after == before:
            return text
        result = found.prefix + after + found.suffix
        _check_untouched(_named_values(found.template), wanted, result, template)
    _check_owned(result, template, wanted)
    return result


def _check_untouched(old: dict[str, str], wanted: Mapping[str, object], result: str, template: str) -> None:
    new = get_template_params(result, template) or {}
    keep_old = {k: v for k, v in old.items() if k not in wanted}
    keep_new = {k: v for k, v in new.items() if k not in wanted}
    if keep_old != keep_new:
        raise PageTextError("the new values would change other parameters of the template; escape them")


def _check_owned(result: str, template: str, wanted: Mapping[str, str | None]) -> None:
    """Re-read the result: every owned parameter must now read exactly as requested."""
    now = get_template_params(result, template) or {}
    for name, value in wanted.items():
        if (None if value is None else _effective(value)) != now.get(name):
            raise PageTextError(f"parameter {name!r} would not read back as set; is its value escaped?")
