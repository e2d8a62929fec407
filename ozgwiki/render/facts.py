"""A small fact store: the subjects the overview pages are made of, with the values SMW holds.

Both renderings of an overview (static tables and live ``{{#ask:}}`` queries) must show the same
rows. That only holds if the bot computes its static tables from exactly the values the templates
store with ``#set``. So nothing here maps parameters to properties by hand: every subject is what
:mod:`ozgwiki.definitions.storage` reads out of the template on that page --

* for the bot's own pages, the :class:`~ozgwiki.render.plans.PagePlan` s the importer writes
  (escaped as written), so the static tables and the wiki's data come from one computation;
* for editors' Steckbrief pages, the parameters on the page, with the keys the validate bot accepts.

Page properties therefore hold page *titles* (``Themenfeld Bildung``, ``Kommune 05554004``),
vocabulary properties the wiki's labels and the Priorität as its digit, dates as ``JJJJ-MM[-TT]``,
and LeiKa keys only when they are valid. Everything here is pure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from ozgwiki.definitions import storage
from ozgwiki.definitions.schema import chain_of
from ozgwiki.domain import titles
from ozgwiki.domain.keyrules import KeyRules
from ozgwiki.domain.model import Catalogue, Phase
from ozgwiki.domain.titles import TitleScheme
from ozgwiki.errors import PageTextError
from ozgwiki.render.plans import PHASE_PARAMS, STATUS_AUSGEMUSTERT, plan_pages, title_scheme
from ozgwiki.wikitext import escape
from ozgwiki.wikitext.params import get_template_params

STECKBRIEF_TEMPLATE = "Steckbrief"
PROJEKT_TEMPLATE = "Umsetzungsprojekt"
_KEY_SPLIT = re.compile(r"[^0-9]+")

#: What a link label drops from a title when the page has no Name (``Modul:OZG`` cuts the same).
LABEL_PREFIXES = (
    titles.THEMENFELD_PREFIX, titles.LAGE_PREFIX, titles.KOMMUNE_PREFIX, titles.OZG_PREFIX,
    titles.PROJEKT_PREFIX, titles.STECKBRIEF_PREFIX, titles.GROESSENKLASSE_PREFIX,
)  # fmt: skip

#: Roadmap phase -> the property its parameter is stored in, as ``Vorlage:Umsetzungsprojekt`` says.
PHASE_PROPERTIES: Mapping[Phase, str] = MappingProxyType(
    {phase: storage.property_of(PROJEKT_TEMPLATE, param) for phase, param in PHASE_PARAMS.items()}
)


@dataclass(frozen=True)
class Subject:
    """One page as SMW sees it: title, categories and property values (in storage order)."""

    title: str
    categories: frozenset[str]
    values: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def get(self, prop: str) -> tuple[str, ...]:
        """All values of ``prop`` (empty when the page stores none)."""
        return self.values.get(prop, ())

    def first(self, prop: str) -> str | None:
        """The first value of ``prop``, or None."""
        values = self.get(prop)
        return values[0] if values else None


class Facts:
    """All subjects, with the look-ups the renderers need (by title, by category, by value).

    The look-ups are indexed: an overview run asks, for each of ~500 pages, which of ~12,000
    subjects hold a value, and a scan per question made the no-op ``ozgwiki run`` at NRW scale spend
    16 s in the renderer. Subjects are fixed once built, so the indexes are built on first use and
    kept; every answer keeps the subjects' insertion order, as the scans did.
    """

    def __init__(self, subjects: Iterable[Subject]) -> None:
        self._by_title: dict[str, Subject] = {}
        self._by_category: dict[str, list[Subject]] = {}
        for s in subjects:
            if s.title in self._by_title:
                raise ValueError(f"subject {s.title!r} is defined twice")
            self._by_title[s.title] = s
            for category in s.categories:
                self._by_category.setdefault(category, []).append(s)
        self._holding: dict[tuple[str, str], dict[str, tuple[Subject, ...]]] = {}

    @property
    def subjects(self) -> tuple[Subject, ...]:
        return tuple(self._by_title.values())

    def subject(self, title: str) -> Subject | None:
        return self._by_title.get(title)

    def in_category(self, category: str) -> tuple[Subject, ...]:
        """The subjects of a category, in insertion order (sorting is the renderer's job)."""
        return tuple(self._by_category.get(category, ()))

    def values(self, subject: Subject, prop: str) -> tuple[str, ...]:
        """The values of ``prop`` on ``subject``; for a chain (``OZG-Leistung.Größenklasse``) the last
        property's values on the pages the others point to, as SMW answers
        ``[[OZG-Leistung.Größenklasse::X]]``. A value page the facts do not hold ends its path."""
        *links, last = chain_of(prop)
        current = [subject]
        for link in links:
            current = [t for s in current for title in s.get(link) if (t := self._by_title.get(title))]
        return tuple(v for s in current for v in s.get(last))

    def holding(self, category: str, prop: str, value: str) -> tuple[Subject, ...]:
        """Subjects of ``category`` whose ``prop`` (a property or a chain of them) holds ``value``."""
        index = self._holding.get((category, prop))
        if index is None:
            lists: dict[str, list[Subject]] = {}
            for s in self._by_category.get(category, ()):
                for v in dict.fromkeys(self.values(s, prop)):
                    lists.setdefault(v, []).append(s)
            index = self._holding[(category, prop)] = {v: tuple(subs) for v, subs in lists.items()}
        return index.get(value, ())

    def pointing_to(self, category: str, prop: str, target: str) -> tuple[Subject, ...]:
        """Subjects of ``category`` whose Page property ``prop`` holds ``target`` (SMW's ``-prop``)."""
        return self.holding(category, prop, target)

    def label(self, title: str) -> str:
        """What a link to ``title`` shows: the page's Name, else the title without its prefix."""
        subject = self._by_title.get(title)
        name = subject.first("Name") if subject else None
        if name:
            return name
        for prefix in LABEL_PREFIXES:
            if title.startswith(prefix):
                return title[len(prefix) :]
        return title


def subject_of(
    title: str, template: str, params: Mapping[str, str], keys: storage.KeyRule = storage.no_keys
) -> Subject:
    """A page holding ``{{TEMPLATE|params}}`` as SMW sees it: what the template stores (see
    :mod:`ozgwiki.definitions.storage`), read from the template itself rather than mirrored by hand."""
    stored = storage.stored_by(template, params, keys)
    return Subject(title, frozenset(stored.categories), stored.values)


def catalogue_keys(cat: Catalogue) -> storage.KeyRule:
    """``Modul:LeiKa``'s rule on the bot's pages: a listed key is stored when its LeiKa page exists
    and is not ausgemustert; a LeiKa page stores its own key unless it is ausgemustert itself."""

    def keys(value: str, own: str | None) -> list[str]:
        listed = [k for k in _KEY_SPLIT.split(storage.clean(value)) if k]
        if own is not None:
            return [] if own == STATUS_AUSGEMUSTERT else listed
        return [k for k in listed if k in cat.known_keys]

    return keys


def resolved(subject: Subject, scheme: TitleScheme) -> Subject:
    """``subject`` with every value that names an ID title replaced by its name title: the templates
    store ``Kommune 05554000`` (built from the AGS), Semantic MediaWiki stores the redirect's target,
    ``Kreis Borken``."""
    values = {prop: tuple(scheme.resolve(v) for v in vals) for prop, vals in subject.values.items()}
    return Subject(subject.title, subject.categories, values)


def from_catalogue(cat: Catalogue, scheme: TitleScheme | None = None) -> list[Subject]:
    """The subjects of the pages the import bot writes, derived from the very page plans it writes.

    Each plan's parameter values are escaped as the importer writes them and then read the way the
    template reads them, so a fact here is exactly the ``#set`` the wiki makes of that page.
    """
    scheme = scheme or title_scheme(cat)
    keys = catalogue_keys(cat)
    return [
        resolved(
            subject_of(
                plan.title,
                plan.template,
                {name: escape.param_value(value) for name, value in plan.params.items()},
                keys,
            ),
            scheme,
        )
        for plan in plan_pages(cat, scheme)
    ]


KeyFilter = Callable[[str], list[str]]


def valid_keys_with(rules: KeyRules) -> KeyFilter:
    """The valid keys of a Steckbrief page's text under ``rules``, as the validate bot defines them.

    „Nur gültige Leika-Schlüssel können übertragen werden“: unknown, retired, malformed or hidden
    (shadowed) keys never reach an overview. One place decides:
    :func:`ozgwiki.render.maintenance.valid_keys_of`.
    """
    from ozgwiki.render.maintenance import valid_keys_of

    return lambda text: list(valid_keys_of(text, rules))


def steckbrief_subject(title: str, params: Mapping[str, str], keys: Iterable[str]) -> Subject:
    """A Steckbrief page as its template stores it. ``keys`` are the page's *valid* LeiKa keys: what
    the validate bot accepts (which also knows keys MediaWiki hides), so they replace the template's
    own key lookup here."""
    valid = list(keys)
    return subject_of(title, STECKBRIEF_TEMPLATE, params, lambda _value, _own: valid)


def build(
    cat: Catalogue,
    steckbrief_pages: Mapping[str, str] = MappingProxyType({}),
    *,
    valid_keys: KeyFilter | None = None,
    scheme: TitleScheme | None = None,
) -> Facts:
    """All facts: the catalogue's pages plus the Steckbrief pages (title -> text) that use the template.

    A Steckbrief page whose template cannot be located unambiguously is left out (the validate bot
    reports such pages; an overview must not guess).
    """
    keys_of = valid_keys or valid_keys_with(KeyRules.of(cat))
    scheme = scheme or title_scheme(cat)
    subjects = from_catalogue(cat, scheme)
    for title, text in steckbrief_pages.items():
        try:
            params = get_template_params(text, STECKBRIEF_TEMPLATE)
        except PageTextError:
            continue
        if params is not None:
            subjects.append(resolved(steckbrief_subject(title, params, keys_of(text)), scheme))
    return Facts(subjects)
