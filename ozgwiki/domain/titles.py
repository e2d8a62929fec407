"""Page titles of the things the bots own: names first, the ID forms as redirects.

Readers look for Ahaus, Kreis Borken, Abbruchgenehmigung, Bildung -- not for "Kommune 05554004". So the
pages readers look up (Kommunen, OZG-Leistungen, LeiKa-Leistungen, Themenfelder, Lagen) are titled by
their name (:class:`TitleScheme`), and their ID titles (``LeiKa <key>``, ``OZG-Leistung <id>``,
``Kommune <AGS>``, ``Themenfeld <Name>``, ``Lage <Name>``; the functions below) stay on the wiki as
redirects to them. Templates and ``Modul:LeiKa`` still build the ID forms, which keeps every link and
every editor's habit working; Semantic MediaWiki stores a Page value that points at a redirect as its
target, so the data names the name pages. docs/templates.md, "Page titles", gives the reasons.

Themenfelder and Lagen have no official IDs: their names are their IDs. Größenklasse overview pages,
Umsetzungsprojekte and the Roadmap keep their titles.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from ozgwiki.domain.model import Catalogue, Groessenklasse

LEIKA_PREFIX = "LeiKa "
OZG_PREFIX = "OZG-Leistung "
LAGE_PREFIX = "Lage "
THEMENFELD_PREFIX = "Themenfeld "
KOMMUNE_PREFIX = "Kommune "
PROJEKT_PREFIX = "Umsetzungsprojekt "
STECKBRIEF_PREFIX = "Steckbrief "
GROESSENKLASSE_PREFIX = "Größenklasse "
ROADMAP = "Roadmap"


def leika(key: str) -> str:
    """``LeiKa 99012001001000``."""
    return LEIKA_PREFIX + key


def ozg_leistung(ozg_id: str) -> str:
    """``OZG-Leistung 10513``."""
    return OZG_PREFIX + ozg_id


def lage(name: str) -> str:
    """``Lage Bauen & Immobilien``."""
    return LAGE_PREFIX + name


def themenfeld(name: str) -> str:
    """``Themenfeld Bildung``."""
    return THEMENFELD_PREFIX + name


def kommune(ags: str) -> str:
    """``Kommune 05554004``."""
    return KOMMUNE_PREFIX + ags


def umsetzungsprojekt(name: str) -> str:
    """``Umsetzungsprojekt Einbürgerung``."""
    return PROJEKT_PREFIX + name


def groessenklasse(label: str) -> str:
    """``Größenklasse Mittlere kreisangehörige Stadt``."""
    return GROESSENKLASSE_PREFIX + label


def roadmap_for(themenfeld_name: str | None = None) -> str:
    """``Roadmap`` overall, ``Roadmap/Bildung`` for one Themenfeld."""
    return ROADMAP if themenfeld_name is None else f"{ROADMAP}/{themenfeld_name}"


def key_of_leika_title(title: str) -> str | None:
    """The key of a ``LeiKa <key>`` title, or None for any other title."""
    if title.startswith(LEIKA_PREFIX):
        rest = title[len(LEIKA_PREFIX) :]
        if len(rest) == 14 and rest.isascii() and rest.isdigit():
            return rest
    return None


# --------------------------------------------------------------------------------------------------
# Names first

#: The kinds of pages titled by name, with the word a suffix uses when two things share a name.
KIND_LABELS: dict[str, str] = {
    "themenfeld": "Themenfeld",
    "lage": "Lage",
    "leika": "LeiKa-Leistung",
    "ozg": "OZG-Leistung",
    "kommune": "Kommune",
}
#: The ID title of each kind is its prefix and the ID (:func:`leika`, :func:`kommune`, ...).
_ID_PREFIXES = {
    "themenfeld": THEMENFELD_PREFIX,
    "lage": LAGE_PREFIX,
    "leika": LEIKA_PREFIX,
    "ozg": OZG_PREFIX,
    "kommune": KOMMUNE_PREFIX,
}

# What MediaWiki's title codec (MediaWikiTitleCodec) does with a title -- the one statement of it, for
# the title scheme, the catalogue's title checks (ozgwiki.catalogue.wikititles) and the redirects the
# bot writes (ozgwiki.wikitext.params).
MAX_TITLE_BYTES = 255  # a title's length limit, in UTF-8 bytes
#: Bidi marks, which it drops; the spaces and "_", of which it makes one space each run.
BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e]")
TITLE_SPACES = re.compile("[ _\u00a0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
#: Characters outside $wgLegalTitleChars.
FORBIDDEN_CHAR = re.compile("[#<>\\[\\]|{}\x00-\x1f\x7f\ufffd]")
#: Sequences it refuses: a percent escape and a character reference (the link would decode them),
#: a signature, and "." or ".." as a path segment.
PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
CHARACTER_REFERENCE = re.compile("&(?:[A-Za-z0-9\x80-\U0010ffff]+|#[0-9]+|#x[0-9A-Fa-f]+);")
SIGNATURE = re.compile("~{3,}")
RELATIVE_PATH = re.compile(r"(?:^|/)\.\.?(?:/|$)")

_SUFFIX_ROOM = 40  # bytes kept free for " (LeiKa-Leistung 99012001001000)"
# "Wort:" at the start would make MediaWiki read a namespace or interwiki prefix ("Hilfe: …", "w:…").
_PREFIX_LIKE = re.compile(r"^\s*:|^[\w\- ]{1,30}:")


def normalized(title: str) -> str:
    """``title`` as MediaWiki finds the page: Unicode NFC, bidi marks dropped, runs of spaces and
    ``_`` one space, trimmed, first letter upper case (``$wgCapitalLinks``; a letter whose upper case
    is two characters, such as "ß", stays). Two titles with one normal form are one page."""
    t = TITLE_SPACES.sub(" ", BIDI_MARKS.sub("", unicodedata.normalize("NFC", title))).strip()
    first = t[:1].upper()
    return (first if len(first) == 1 else t[:1]) + t[1:]


def illegal(title: str) -> bool:
    """Whether MediaWiki refuses ``title`` for what it contains (the length is the caller's)."""
    return any(
        p.search(title)
        for p in (FORBIDDEN_CHAR, PERCENT_ESCAPE, CHARACTER_REFERENCE, SIGNATURE, RELATIVE_PATH)
    )


def usable(name: str) -> bool:
    """Whether ``name`` can be a page title of its own, with room for a suffix."""
    title = normalized(name)
    return (
        bool(title)
        and not illegal(title)
        and not _PREFIX_LIKE.match(title)
        and len(title.encode("utf-8")) <= MAX_TITLE_BYTES - _SUFFIX_ROOM
    )


@dataclass(frozen=True)
class Named:
    """A thing titled by name: its kind (a key of :data:`KIND_LABELS`), its ID and its name."""

    kind: str
    key: str
    name: str

    @property
    def id_title(self) -> str:
        """The ID form (``Kommune 05554004``): the title before names came first, now a redirect."""
        return _ID_PREFIXES[self.kind] + self.key


def kommune_name(name: str, groessenklasse: Groessenklasse) -> str:
    """What a Kommune's page is called: a Kreis is "Kreis Borken" (its name alone is its Kreisstadt's),
    unless its name says it is one already ("Rhein-Kreis Neuss", "Hochsauerlandkreis": never "Kreis
    Hochsauerlandkreis")."""
    if groessenklasse is Groessenklasse.KREIS and "kreis" not in name.casefold():
        return f"Kreis {name}"
    if groessenklasse is Groessenklasse.STAEDTEREGION and not name.startswith("Städteregion "):
        return f"Städteregion {name}"
    return name


def named_things(catalogue: Catalogue) -> list[Named]:
    """Everything of the catalogue that is titled by name, in the importer's page order."""
    things = [Named("themenfeld", t.name, t.name) for t in catalogue.themenfelder]
    things += [Named("lage", x.name, x.name) for x in catalogue.lagen]
    things += [Named("leika", x.schluessel, x.bezeichnung) for x in catalogue.leika_leistungen]
    things += [Named("ozg", o.ozg_id, o.name) for o in catalogue.ozg_leistungen]
    things += [Named("kommune", k.ags, kommune_name(k.name, k.groessenklasse)) for k in catalogue.kommunen]
    return things


class TitleScheme:
    """Which title each named thing gets, which plain names need a Begriffsklärung page, and where
    every ID title points.

    The rule, applied to the whole catalogue at once so it does not depend on import order:

    * a name that is claimed by exactly one thing and by no ``reserved`` title (the navigation pages,
      the overview pages) is the title: ``Ahaus``;
    * a name claimed by several things, or reserved: each claimant gets ``Name (Art)`` --
      ``Abbruchgenehmigung (OZG-Leistung)``, ``Abbruchgenehmigung (LeiKa-Leistung)`` -- and, where
      several of one kind share it, ``Name (Art ID)``; the plain name (unless reserved) becomes a
      Begriffsklärung page listing them;
    * a name that cannot be a title (:func:`usable`) keeps the ID title.

    Titles are compared as MediaWiki compares them (:func:`normalized`).
    """

    def __init__(self, things: Iterable[Named], reserved: Iterable[str] = ()) -> None:
        things = list(things)
        taken = {normalized(t) for t in reserved}
        claims: dict[str, list[Named]] = {}
        for thing in things:
            if usable(thing.name):
                claims.setdefault(normalized(thing.name), []).append(thing)
        self._titles: dict[tuple[str, str], str] = {}
        self._disambiguations: dict[str, tuple[str, ...]] = {}
        for name, claimants in claims.items():
            if len(claimants) == 1 and name not in taken:
                self._titles[(claimants[0].kind, claimants[0].key)] = name
                continue
            per_kind: dict[str, int] = {}
            for c in claimants:
                per_kind[c.kind] = per_kind.get(c.kind, 0) + 1
            for c in claimants:
                label = KIND_LABELS[c.kind]
                suffix = label if per_kind[c.kind] == 1 else f"{label} {c.key}"
                self._titles[(c.kind, c.key)] = f"{name} ({suffix})"
            if name not in taken:
                self._disambiguations[name] = tuple(self._titles[(c.kind, c.key)] for c in claimants)
        for thing in things:
            self._titles.setdefault((thing.kind, thing.key), thing.id_title)
        self._redirects = {
            thing.id_title: self._titles[(thing.kind, thing.key)]
            for thing in things
            if thing.id_title != self._titles[(thing.kind, thing.key)]
        }
        self._by_kind: dict[str, dict[str, bool]] = {}
        for (kind, _key), title in self._titles.items():
            self._by_kind.setdefault(kind, {})[title] = True
        clash = set(self._titles.values()) & (set(self._redirects) | set(self._disambiguations) | taken)
        if clash:  # e.g. a Lage named "Themenfeld Bildung": refuse rather than overwrite one with the other
            raise ValueError(f"title(s) claimed twice: {', '.join(sorted(clash))}")

    @classmethod
    def of(cls, catalogue: Catalogue, reserved: Iterable[str] = ()) -> TitleScheme:
        return cls(named_things(catalogue), reserved)

    def title(self, kind: str, key: str) -> str:
        """The title of a named thing (KeyError for one the scheme does not know)."""
        return self._titles[(kind, key)]

    def titles_of(self, *kinds: str) -> frozenset[str]:
        """The titles of the named things of these kinds."""
        return frozenset(t for (kind, _key), t in self._titles.items() if kind in kinds)

    def titles(self) -> frozenset[str]:
        """Every title the scheme gives out: the named things' pages and the Begriffsklärung pages."""
        return frozenset(self._titles.values()) | frozenset(self._disambiguations)

    def redirects(self) -> dict[str, str]:
        """ID title -> name title, for every thing whose title is not its ID title."""
        return dict(self._redirects)

    def disambiguations(self) -> dict[str, tuple[str, ...]]:
        """Plain name -> the titles that share it, in catalogue order."""
        return dict(self._disambiguations)

    def resolve(self, title: str) -> str:
        """Where a link to ``title`` leads, as the templates and Semantic MediaWiki see it: an ID title
        goes to its name title (SMW stores a Page value that points at a redirect as the target); a
        prefixed name that is no page (``Kommune Ahaus``: ``Modul:OZG``'s ``seiten|titel=ja`` given the
        name title a form wrote) is the name title itself; any other title stays."""
        if title in self._redirects:
            return self._redirects[title]
        for kind, label in _ID_PREFIXES.items():
            if kind == "leika":
                continue  # no template builds "LeiKa <name>"
            rest = title.removeprefix(label)
            if rest != title and self._by_kind.get(kind, {}).get(rest):
                return rest
        return title
