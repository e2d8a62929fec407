"""A small fact store: the subjects the overview pages are made of, with the values SMW would hold.

Both renderings of an overview (static tables and live ``{{#ask:}}`` queries) must show the same
rows. That only holds if the bot computes its static tables from exactly the values the templates
store with ``#set``. So this module mirrors the templates (``Modul:OZG`` / ``Modul:LeiKa``):

* Page properties hold page *titles* (``Themenfeld Bildung``, ``Lage Schule``, ``Kommune 05554004``);
* vocabulary properties hold the wiki's labels (``Kommunal``, ``Mittlere kreisangehörige Stadt``) and
  the Priorität as its digit; values outside the vocabulary are not stored;
* dates are stored as written, ``JJJJ-MM`` or ``JJJJ-MM-TT``; anything else is not stored;
* LeiKa keys are stored only when they are valid (the templates store only known keys: the page
  ``LeiKa <key>`` exists and is not ``ausgemustert``; a retired page does not even store its own key).

Facts come from the catalogue (the bot's own pages: Themenfelder, Lagen, OZG- and LeiKa-Leistungen,
Kommunen, Umsetzungsprojekte) and from editors' Steckbrief pages, which only the wiki knows.
Everything here is pure.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from ozgwiki import titles
from ozgwiki.errors import PageTextError
from ozgwiki.model import Catalogue, Groessenklasse, Phase, Reifegrad, Status, Zustaendigkeit
from ozgwiki.pagetext import get_template_params

#: Template parameter -> property of a roadmap phase (the Umsetzungsprojekt template's date fields).
PHASE_PROPERTIES: Mapping[Phase, str] = MappingProxyType(
    {
        Phase.VORBEREITUNG: "Beginn Vorbereitung",
        Phase.KONZEPTION: "Beginn Konzeption",
        Phase.UMSETZUNG: "Beginn Umsetzung",
        Phase.PILOTIERUNG_NRW: "Beginn Pilotierung NRW",
        Phase.INBETRIEBNAHME_NRW: "Inbetriebnahme NRW",
        Phase.START_BUNDESWEITER_ROLLOUT: "Start bundesweiter Roll-out",
    }
)

STECKBRIEF_TEMPLATE = "Steckbrief"
_DATE = re.compile(r"\A(\d{4})-(\d{2})(?:-(\d{2}))?\Z")
_URL = re.compile(r"\Ahttps?://[^\s\[\]<>\"|{}]+\Z")
_SPLIT = re.compile(r"<\s*br\s*/?\s*>|[;,\n]", re.IGNORECASE)
_BAD_TITLE = re.compile(r"[\[\]{}|<>#]")


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
    """All subjects, with the look-ups the renderers need (by title, by category, inverse counts)."""

    def __init__(self, subjects: Iterable[Subject]) -> None:
        self._by_title: dict[str, Subject] = {}
        for s in subjects:
            if s.title in self._by_title:
                raise ValueError(f"subject {s.title!r} is defined twice")
            self._by_title[s.title] = s

    @property
    def subjects(self) -> tuple[Subject, ...]:
        return tuple(self._by_title.values())

    def subject(self, title: str) -> Subject | None:
        return self._by_title.get(title)

    def in_category(self, category: str) -> tuple[Subject, ...]:
        """The subjects of a category, in insertion order (sorting is the renderer's job)."""
        return tuple(s for s in self._by_title.values() if category in s.categories)

    def pointing_to(self, category: str, prop: str, target: str) -> tuple[Subject, ...]:
        """Subjects of ``category`` whose Page property ``prop`` holds ``target`` (SMW's ``-prop``)."""
        return tuple(s for s in self.in_category(category) if target in s.get(prop))

    def label(self, title: str) -> str:
        """What a link to ``title`` shows: the page's Name, else the title without its prefix."""
        subject = self._by_title.get(title)
        name = subject.first("Name") if subject else None
        if name:
            return name
        for prefix in (
            titles.THEMENFELD_PREFIX, titles.LAGE_PREFIX, titles.KOMMUNE_PREFIX, titles.OZG_PREFIX,
            titles.PROJEKT_PREFIX, titles.STECKBRIEF_PREFIX, titles.GROESSENKLASSE_PREFIX,
        ):  # fmt: skip
            if title.startswith(prefix):
                return title[len(prefix) :]
        return title


def _values(**props: Iterable[str | None] | str | None) -> dict[str, tuple[str, ...]]:
    """Property name (``_`` for space, ``__`` for ``-``) -> non-empty values, duplicates dropped."""
    out: dict[str, tuple[str, ...]] = {}
    for key, raw in props.items():
        name = key.replace("__", "-").replace("_", " ")
        items = [raw] if raw is None or isinstance(raw, str) else list(raw)
        values = tuple(dict.fromkeys(v.strip() for v in items if v is not None and v.strip()))
        if values:
            out[name] = values
    return out


def _date(value: str | None) -> str | None:
    """A date as the templates store it (``JJJJ-MM`` / ``JJJJ-MM-TT``), None if they would not."""
    if value is None:
        return None
    m = _DATE.match(value.strip())
    if not m or not 1 <= int(m[2]) <= 12 or (m[3] and not 1 <= int(m[3]) <= 31):
        return None
    return value.strip()


def from_catalogue(cat: Catalogue) -> list[Subject]:
    """The subjects of the pages the import bot writes from the catalogue, with their #set values."""
    out: list[Subject] = []
    for t in cat.themenfelder:
        out.append(
            Subject(
                titles.themenfeld(t.name),
                frozenset({"Themenfeld"}),
                _values(Name=t.name, Workshop=_date(t.workshop), Beschreibung=t.beschreibung),
            )
        )
    for lage in cat.lagen:
        out.append(
            Subject(
                titles.lage(lage.name),
                frozenset({"Lage"}),
                _values(
                    Name=lage.name,
                    Lagenart=lage.art.label if lage.art else None,
                    Themenfeld=titles.themenfeld(lage.themenfeld),
                ),
            )
        )
    for o in cat.ozg_leistungen:
        values = _values(
            OZG__ID=o.ozg_id,
            Name=o.name,
            EfA__Hinweis=o.efa,
            Lage=titles.lage(o.lage),
            Themenfeld=titles.themenfeld(o.themenfeld),
            Priorität=str(o.prioritaet.stufe) if o.prioritaet else None,
            LeiKa__Schlüssel=[k for k in o.leika_schluessel if k in cat.known_keys],
        )
        # Vocabulary lists in the vocabulary's own order, the order the infobox and SEED-FACTS use.
        values.update(
            _values(
                Zuständigkeit=[z.label for z in Zustaendigkeit if z in o.zustaendigkeiten],
                Größenklasse=[g.label for g in Groessenklasse if g in o.groessenklassen],
            )
        )
        out.append(Subject(titles.ozg_leistung(o.ozg_id), frozenset({"OZG-Leistung"}), values))
    for li in cat.leika_leistungen:
        retired = li.schluessel in cat.retired_keys
        cats = {"LeiKa-Leistung"} | ({"Ausgemusterte LeiKa-Leistung"} if retired else set())
        out.append(
            Subject(
                titles.leika(li.schluessel),
                frozenset(cats),
                _values(
                    LeiKa__Schlüssel=None if retired else li.schluessel,
                    Name=li.bezeichnung,
                    LeiKa__Typ=li.typ,
                    OZG__Leistung=titles.ozg_leistung(li.ozg_id) if li.ozg_id else None,
                    Rechtsgrundlage=li.rechtsgrundlage,
                    Gesetz=li.gesetze,
                    Gesetzeskürzel=li.gesetzeskuerzel,
                    SDG1__Relevanz="ja" if li.sdg1 else "nein",
                    SDG2__Relevanz="ja" if li.sdg2 else "nein",
                    LeiKa__Status="ausgemustert" if retired else "aktiv",
                ),
            )
        )
    for k in cat.kommunen:
        out.append(
            Subject(
                titles.kommune(k.ags),
                frozenset({"Kommune"}),
                _values(
                    AGS=k.ags,
                    ARS=k.ars,
                    Name=k.name,
                    Kreis=titles.kommune(k.kreis) if k.kreis else None,
                    Regierungsbezirk=k.regierungsbezirk,
                    Größenklasse=k.groessenklasse.label,
                    Einwohnerzahl=str(k.einwohner) if k.einwohner is not None else None,
                ),
            )
        )
    for p in cat.umsetzungsprojekte:
        values = _values(
            Name=p.name,
            Themenfeld=[titles.themenfeld(t) for t in p.themenfelder],
            Umsetzungsstatus=p.status.label,
            EfA__Typ=p.efa_typ.label,
            Umgesetzte_OZG__Leistung=[titles.ozg_leistung(i) for i in p.ozg_ids],
            LeiKa__Schlüssel=[k for k in p.leika_schluessel if k in cat.known_keys],
        )
        for phase, monat in p.zeitplan.items():
            values[PHASE_PROPERTIES[phase]] = (monat.iso,)
        out.append(Subject(titles.umsetzungsprojekt(p.name), frozenset({"Umsetzungsprojekt"}), values))
    return out


KeyFilter = Callable[[str], list[str]]


def valid_keys_with(cat: Catalogue, *, allow_regional: bool = False) -> KeyFilter:
    """The valid keys of a Steckbrief page's text, as the validate bot defines them.

    „Nur gültige Leika-Schlüssel können übertragen werden“: unknown, retired, malformed or hidden
    (shadowed) keys never reach an overview. One place decides: :func:`ozgwiki.validation.valid_keys_of`.
    """
    from ozgwiki.validation import valid_keys_of

    return lambda text: list(valid_keys_of(text, cat, allow_regional))


def _clean(value: str | None) -> str:
    """Like ``Modul:OZG``'s ``clean``: decode the bot's entities and trim."""
    return html.unescape(value or "").strip()


def _split(value: str) -> list[str]:
    return [p.strip() for p in _SPLIT.split(value) if p.strip()]


def _pages(prefix: str, value: str) -> list[str]:
    """Entries of a list linked as ``PREFIX entry`` (entries that make no valid title are dropped)."""
    out = []
    for entry in _split(value):
        if not _BAD_TITLE.search(entry):
            title = f"{prefix}{entry}"
            out.append(title[0].upper() + title[1:])
    return out


def steckbrief_subject(title: str, params: Mapping[str, str], keys: Iterable[str]) -> Subject:
    """A Steckbrief page as its template stores it. ``keys`` are the page's *valid* LeiKa keys."""
    kommunen = _clean(params.get("Kommunen"))
    status = _clean(params.get("Status"))
    reifegrad = _clean(params.get("Reifegrad"))
    url = _clean(params.get("URL"))
    return Subject(
        title,
        frozenset({"Steckbrief"}),
        _values(
            Name=_clean(params.get("Titel")),
            Kommune=[] if kommunen == "alle" else _pages(titles.KOMMUNE_PREFIX, kommunen),
            Themenfeld=_pages(titles.THEMENFELD_PREFIX, _clean(params.get("Themenfeld"))),
            LeiKa__Schlüssel=list(keys),
            URL=url if _URL.match(url) else None,
            Umsetzungsstand=status if status in {s.label for s in Status} else None,
            Reifegrad=reifegrad if reifegrad in {r.label for r in Reifegrad} else None,
            Kontakt=_clean(params.get("Kontakt")),
        ),
    )


def build(
    cat: Catalogue,
    steckbrief_pages: Mapping[str, str] = MappingProxyType({}),
    *,
    valid_keys: KeyFilter | None = None,
) -> Facts:
    """All facts: the catalogue's pages plus the Steckbrief pages (title -> text) that use the template.

    A Steckbrief page whose template cannot be located unambiguously is left out (the validate bot
    reports such pages; an overview must not guess).
    """
    keys_of = valid_keys or valid_keys_with(cat)
    subjects = from_catalogue(cat)
    for title, text in steckbrief_pages.items():
        try:
            params = get_template_params(text, STECKBRIEF_TEMPLATE)
        except PageTextError:
            continue
        if params is not None:
            subjects.append(steckbrief_subject(title, params, keys_of(text)))
    return Facts(subjects)
