"""What each template stores, read from the template itself. Pure.

The templates in ``templates/*.wiki`` are the one definition of the wiki's stored data: every field
goes through ``{{#invoke:OZG|FUNCTION|{{{Param|}}}|…|attribut=PROPERTY}}`` (or ``Modul:LeiKa``'s
``liste``), and ``[[Kategorie:…]]`` puts the page into its categories. The bot's static tables must
show what SMW holds, so instead of a second, hand-kept mapping of parameters to properties this
module reads those calls out of the template text and applies the storage rule of each Lua function
to the parameter values:

* ``wert`` -- the trimmed, entity-decoded value;
* ``werte`` -- the values (one with ``einzeln=ja``) found in the ``erlaubt`` vocabulary;
* ``seiten`` -- the page titles ``PRAEFIX entry`` (normalised like ``mw.title``; with ``titel=ja`` an
  entry that already is such a title, as the forms write it, is taken as it is);
* ``datum`` -- ``JJJJ-MM`` or ``JJJJ-MM-TT``, nothing else;
* ``url`` -- an ``http(s)://`` address;
* ``liste`` (``Modul:LeiKa``) -- the keys a caller-supplied rule accepts (known, not retired);
* ``rang`` -- a sort key every page has: the first allowed value, or (``datum=ja``) the earliest date of
  all its values, else the ``sonst`` text.

``{{#if:}}`` and ``{{#ifeq:}}`` on parameters are evaluated, so ``Kommunen = alle`` stores no Kommune
and ``Status = ausgemustert`` adds the retired category, exactly as on the wiki. A change of a
template's storage is therefore a change of the static tables too; the two cannot drift.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import mwparserfromhell
from mwparserfromhell.nodes import Argument, Comment, Tag, Template, Wikilink
from mwparserfromhell.wikicode import Wikicode

CATEGORY_PREFIXES = ("kategorie:", "category:")
STORING_FUNCTIONS = frozenset({"wert", "werte", "seiten", "datum", "url", "liste", "rang"})

_INCLUDEONLY = re.compile(r"<includeonly>(.*?)</includeonly>", re.DOTALL)
_SPLIT = re.compile(r"<\s*br\s*/?\s*>|[;,\n]", re.IGNORECASE)
_DATE = re.compile(r"\A(\d{4})-(\d{2})(?:-(\d{2}))?\Z")
_URL = re.compile(r"\Ahttps?://[^\s\[\]<>\"|{}]+\Z")
_BAD_TITLE = re.compile(r"[\[\]{}|<>#\x00-\x1f\x7f]")
_TITLE_SPACE = re.compile(r"[\s_]+")

#: A page's keys as ``Modul:LeiKa`` stores them: (parameter value, own-key status or None) -> keys.
KeyRule = Callable[[str, "str | None"], Sequence[str]]


@dataclass(frozen=True)
class Stored:
    """The values and categories one template call on a page leaves in SMW."""

    values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    categories: set[str] = field(default_factory=set)

    def add(self, prop: str, values: Iterable[str]) -> None:
        merged = dict.fromkeys(self.values.get(prop, ()))
        merged.update(dict.fromkeys(v for v in values if v))
        if merged:
            self.values[prop] = tuple(merged)


def clean(value: str | None) -> str:
    """``Modul:OZG``'s ``clean``: decode character references (the bot's escaping) and trim."""
    return html.unescape(value or "").strip()


def split(text: str) -> list[str]:
    """``Modul:OZG``'s ``split``: commas, semicolons, ``<br>`` and line breaks separate entries."""
    return [p.strip() for p in _SPLIT.split(text) if p.strip()]


def page_title(text: str) -> str | None:
    """The title ``mw.title.new(text)`` normalises to (spaces squeezed, first letter upper), or None."""
    name = _TITLE_SPACE.sub(" ", text).strip()
    if not name or _BAD_TITLE.search(name):
        return None
    return name[0].upper() + name[1:]


def _date(value: str) -> str | None:
    m = _DATE.match(value)
    if not m or not 1 <= int(m[2]) <= 12 or (m[3] and not 1 <= int(m[3]) <= 31):
        return None
    return value


def _rank(raws: Sequence[str], options: Mapping[str, str]) -> str:
    values = [v for v in (clean(r) for r in raws) if v]
    if options.get("datum") == "ja":
        dates = [v for v in values if _date(v)]
        return min(dates) if dates else clean(options.get("sonst"))
    allowed = {a.strip() for a in options.get("erlaubt", "").split(";") if a.strip()}
    return next((v for v in values if not allowed or v in allowed), clean(options.get("sonst")))


def stored_values(
    function: str, raw: str, options: Mapping[str, str], keys: KeyRule, more: Sequence[str] = ()
) -> list[str]:
    """The values one ``#invoke`` stores for the parameter text ``raw`` (before decoding); ``more`` are
    the further positional values (``rang`` looks at all of them)."""
    if function == "rang":
        return [v] if (v := _rank([raw, *more], options)) else []
    value = clean(raw)
    if not value:
        return []
    if function == "wert":
        return [value]
    if function == "werte":
        allowed = {a.strip() for a in options.get("erlaubt", "").split(";")}
        entries = [value] if options.get("einzeln") == "ja" else split(value)
        return [v for v in entries if v in allowed]
    if function == "seiten":
        prefix = clean(options.get("praefix"))
        entries = [value] if options.get("einzeln") == "ja" else split(value)
        if options.get("titel") == "ja" and prefix:
            entries = [e.removeprefix(f"{prefix} ") for e in entries]
        found = (page_title(f"{prefix} {e}" if prefix else e) for e in entries)
        return [t for t in found if t]
    if function == "datum":
        return [d] if (d := _date(value)) else []
    if function == "url":
        return [value] if _URL.match(value) else []
    if function == "liste":
        own = clean(options.get("status")) if options.get("eigen") == "ja" else None
        return list(keys(raw, own))
    raise ValueError(f"unknown storing function {function!r}")


# ------------------------------------------------------------------------------ reading the template
#
# A template is compiled once into a small program -- text expressions, stores, categories and the
# two conditionals -- so applying it to thousands of pages costs no parsing.


@dataclass(frozen=True)
class _Arg:
    """``{{{name|default}}}``."""

    name: str
    default: _Expr | None


_Expr = tuple["str | _Arg", ...]


@dataclass(frozen=True)
class _Store:
    function: str
    value: _Expr
    options: tuple[tuple[str, _Expr], ...]
    more: tuple[_Expr, ...] = ()


@dataclass(frozen=True)
class _Category:
    name: str


@dataclass(frozen=True)
class _If:
    """``{{#if:test|then|else}}``, or ``{{#ifeq:test|other|then|else}}`` when ``other`` is set."""

    test: _Expr
    other: _Expr | None
    then: _Program
    otherwise: _Program


_Program = tuple["_Store | _Category | _If", ...]


def _expr(code: Wikicode | None) -> _Expr:
    if code is None:
        return ()
    out: list[str | _Arg] = []
    for node in code.nodes:
        if isinstance(node, Argument):
            default = _expr(node.default) if node.default is not None else None
            out.append(_Arg(str(node.name).strip(), default))
        elif not isinstance(node, Comment):
            out.append(str(node))
    return tuple(out)


def _eval(expr: _Expr, params: Mapping[str, str]) -> str:
    out = []
    for part in expr:
        if isinstance(part, str):
            out.append(part)
        elif part.name in params:
            out.append(params[part.name])
        elif part.default is not None:
            out.append(_eval(part.default, params))
    return "".join(out)


def _positional(tpl: Template) -> list[Wikicode]:
    """Parser-function arguments are positional even when they hold ``=`` (``<div class=…>``)."""
    return [mwparserfromhell.parse(f"{p.name}={p.value}") if p.showkey else p.value for p in tpl.params]


def _compile(code: Wikicode | None) -> _Program:
    if code is None:
        return ()
    out: list[_Store | _Category | _If] = []
    for node in code.nodes:
        if isinstance(node, Wikilink):
            target = str(node.title).strip()
            if target.lower().startswith(CATEGORY_PREFIXES):
                out.append(_Category(target.split(":", 1)[1].strip()))
        elif isinstance(node, Tag) and node.contents is not None:
            out += _compile(node.contents)
        elif isinstance(node, Template):
            out += _compile_template(node)
    return tuple(out)


def _compile_template(tpl: Template) -> _Program:
    func, _sep, first = str(tpl.name).strip().partition(":")
    func = func.strip().lower()
    if func == "#invoke":
        positional = [p.value for p in tpl.params if not p.showkey]
        named = tuple((str(p.name).strip(), _expr(p.value)) for p in tpl.params if p.showkey)
        function = str(positional[0]).strip() if positional else ""
        if function in STORING_FUNCTIONS and any(k == "attribut" for k, _v in named):
            value = _expr(positional[1]) if len(positional) > 1 else ()
            return (_Store(function, value, named, tuple(_expr(p) for p in positional[2:])),)
        return ()
    args = _positional(tpl)
    test = _expr(mwparserfromhell.parse(first))
    if func == "#if":
        then = _compile(args[0] if args else None)
        return (_If(test, None, then, _compile(args[1] if len(args) > 1 else None)),)
    if func == "#ifeq":
        other = _expr(args[0]) if args else ()
        then = _compile(args[1] if len(args) > 1 else None)
        return (_If(test, other, then, _compile(args[2] if len(args) > 2 else None)),)
    return ()  # #switch, #default_form, PAGENAME …: nothing that stores


@cache
def program(template: str) -> _Program:
    """The compiled storage of the shipped ``templates/TEMPLATE.wiki`` (its ``<includeonly>`` part)."""
    text = resources.files("ozgwiki.templates").joinpath(f"{template}.wiki").read_text(encoding="utf-8")
    return compile_source(text)


def compile_source(text: str) -> _Program:
    """The storage program of a template's source text (only its ``<includeonly>`` part counts)."""
    return _compile(mwparserfromhell.parse("".join(_INCLUDEONLY.findall(text))))


def _taken(op: _If, params: Mapping[str, str]) -> bool:
    test = _eval(op.test, params)
    if op.other is None:
        return bool(test.strip())
    return clean(test) == clean(_eval(op.other, params))


def _run(prog: _Program, params: Mapping[str, str], keys: KeyRule, into: Stored) -> None:
    for op in prog:
        if isinstance(op, _Category):
            into.categories.add(op.name)
        elif isinstance(op, _Store):
            options = {k: _eval(v, params).strip() for k, v in op.options}
            more = [_eval(m, params) for m in op.more]
            values = stored_values(op.function, _eval(op.value, params), options, keys, more)
            into.add(options["attribut"], values)
        else:
            _run(op.then if _taken(op, params) else op.otherwise, params, keys, into)


def stored_by(template: str | _Program, params: Mapping[str, str], keys: KeyRule) -> Stored:
    """What ``{{TEMPLATE|params}}`` stores on a page: property values and categories.

    ``template`` is a shipped template's name (or a program from :func:`compile_source`); ``params``
    are the parameter values as written on the page (the bot's escaped text or an editor's), trimmed
    like MediaWiki trims named parameters.
    """
    into = Stored()
    prog = program(template) if isinstance(template, str) else template
    _run(prog, {k: v.strip() for k, v in params.items()}, keys, into)
    return into


def _stores(prog: _Program) -> list[_Store]:
    out: list[_Store] = []
    for op in prog:
        if isinstance(op, _Store):
            out.append(op)
        elif isinstance(op, _If):
            out += _stores(op.then) + _stores(op.otherwise)
    return out


def stored_params(template: str) -> dict[str, str]:
    """Parameter -> the property ``template`` stores it in (the ``attribut`` of its ``#invoke``)."""
    out: dict[str, str] = {}
    for op in _stores(program(template)):
        params = [p.name for p in op.value if isinstance(p, _Arg)]
        attribut = "".join(str(x) for x in dict(op.options)["attribut"])
        for name in params:
            out.setdefault(name, attribut.strip())
    return out


def property_of(template: str, param: str) -> str:
    """The property ``{{{param}}}`` of ``template`` is stored in."""
    try:
        return stored_params(template)[param]
    except KeyError:
        raise KeyError(f"Vorlage:{template} stores no parameter {param!r}") from None


def no_keys(_value: str, _own: str | None) -> Sequence[str]:
    """A key rule for pages that store no keys."""
    return ()


def param_for(template: str, prop: str) -> str:
    """The parameter of ``template`` whose value is stored in ``prop`` (``Titel`` for a Steckbrief's
    Name)."""
    for param, stored in stored_params(template).items():
        if stored == prop:
            return param
    raise KeyError(f"Vorlage:{template} stores nothing in {prop!r}")


#: The templates whose pages the overviews list (one category each).
LISTED_TEMPLATES = (
    "Themenfeld", "Lage", "LeiKa-Leistung", "OZG-Leistung", "Kommune", "Umsetzungsprojekt", "Steckbrief",
)  # fmt: skip


def template_for_category(category: str) -> str:
    """The shipped template that always puts its page into ``category``."""
    for template in LISTED_TEMPLATES:
        if any(isinstance(op, _Category) and op.name == category for op in program(template)):
            return template
    raise KeyError(f"no template puts its pages into Kategorie:{category}")
