"""The domain: frozen dataclasses and the vocabularies of the OZG roll-out in NRW.

Everything here is plain data. The loader (:mod:`ozgwiki.catalogue`) builds it once, validated; bots
only read it. That is why every collection is a tuple or a frozenset and every class is frozen: a bot
cannot change the catalogue another bot is looking at.

Objects refer to each other by their natural keys (Themenfeld name, Lage name, OZG-ID, LeiKa key, AGS),
not by object references. The :class:`Catalogue` resolves them. This keeps every object hashable and
printable, and a bot can build a page from one object without dragging the whole graph along.

Vocabularies are enums whose ``label`` is the German text shown on the wiki; ``parse()`` accepts the
label, the code and a few spellings editors actually type (see :class:`_Vocabulary`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType
from typing import Any, Self


def _fold(text: str) -> str:
    """Fold a label for tolerant comparison: case, umlauts (ü = ue), spaces, hyphens, dots."""
    t = text.strip().casefold()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        t = t.replace(a, b)
    return re.sub(r"[\s\-_.,/]+", "", t)


_LOOKUPS: dict[type, dict[str, Any]] = {}


class _Vocabulary(Enum):
    """Base of the vocabulary enums: a stable code as value, a German label, accepted aliases.

    The code is what YAML files and KDN use (``1`` for Priorität 1, ``"kommunal"``); the label is what
    the wiki shows. ``parse()`` is the one place that turns editor input into a member, so every
    vocabulary accepts the same kinds of spelling.
    """

    label: str
    aliases: tuple[str, ...]

    def __new__(cls, code: object, label: str, *aliases: str) -> Self:
        obj = object.__new__(cls)
        obj._value_ = code
        obj.label = label
        obj.aliases = aliases
        return obj

    def __str__(self) -> str:
        return self.label

    @classmethod
    def parse(cls, text: object) -> Self:
        """Return the member for a code, label, member name or alias; ``ValueError`` lists the choices."""
        if isinstance(text, cls):
            return text
        lookup = _LOOKUPS.get(cls)
        if lookup is None:  # built once per vocabulary: the loader parses thousands of values
            lookup = {
                _fold(s): member
                for member in cls
                for s in (str(member.value), member.label, member.name, *member.aliases)
            }
            _LOOKUPS[cls] = lookup
        member = lookup.get(_fold(str(text)))
        if member is not None:
            return member  # type: ignore[return-value]
        choices = ", ".join(m.label for m in cls)
        raise ValueError(f"unbekannter Wert {text!r}; erlaubt: {choices}")


class Zustaendigkeit(_Vocabulary):
    """Who is responsible for a Leistung (KDN ``ozg_jurisdiction``; compared by name, see DOMAIN §2.5)."""

    BUND = ("bund", "Bund")
    LAND = ("land", "Land")
    KOMMUNAL = ("kommunal", "Kommunal", "Kommune", "Kommunen")


class Prioritaet(_Vocabulary):
    """Umsetzungspriorität of an OZG-Leistung for the municipalities in NRW (1 is the most urgent).

    This is the three-level scale of the Kommunalportal.NRW guide, not KDN's Niedrig/Mittel/Hoch.
    """

    HOECHSTE = (1, "1 - höchste Umsetzungspriorität für die Kommunen in NRW", "höchste", "hoechste")
    HOHE = (2, "2 - hohe Umsetzungspriorität für die Kommunen in NRW", "hohe", "hoch")
    NIEDRIGE = (3, "3 - niedrige Umsetzungspriorität für die Kommunen in NRW", "niedrige", "niedrig")

    @property
    def stufe(self) -> int:
        """The number 1–3, for sorting and for the short form on overview pages."""
        return int(self.value)


class Groessenklasse(_Vocabulary):
    """Kommunentyp per § 4 GO NRW, with KDN's CommuneType labels.

    ``REGIONSANGEHOERIGE_STADT_AACHEN`` is kept as its own value so the municipality list round-trips, but
    Aachen has the Rechtsstellung einer kreisfreien Stadt (Aachen-Gesetz): :attr:`leistungen_wie` maps it
    to ``KREISFREIE_STADT``, and every "Leistungen of a Größenklasse" view uses that mapping.
    """

    STAEDTEREGION = ("staedteregion", "Städteregion")
    KREIS = ("kreis", "Kreis")
    KREISFREIE_STADT = ("kreisfreie_stadt", "kreisfreie Stadt")
    REGIONSANGEHOERIGE_STADT_AACHEN = ("regionsangehoerige_stadt_aachen", "regionsangehörige Stadt Aachen")
    GROSSE_KREISANGEHOERIGE_STADT = ("grosse_kreisangehoerige_stadt", "Große kreisangehörige Stadt", "GkSt")
    MITTLERE_KREISANGEHOERIGE_STADT = (
        "mittlere_kreisangehoerige_stadt",
        "Mittlere kreisangehörige Stadt",
        "MkSt",
    )
    KREISANGEHOERIGE_STADT = ("kreisangehoerige_stadt", "kreisangehörige Stadt")
    KREISANGEHOERIGE_GEMEINDE = ("kreisangehoerige_gemeinde", "kreisangehörige Gemeinde")

    @property
    def leistungen_wie(self) -> Groessenklasse:
        """The class whose Leistungen this class must implement (Aachen → kreisfreie Stadt)."""
        if self is Groessenklasse.REGIONSANGEHOERIGE_STADT_AACHEN:
            return Groessenklasse.KREISFREIE_STADT
        return self

    @property
    def ist_kreisebene(self) -> bool:
        """True for Kreis and Städteregion (KDN: ``constituency = 1``)."""
        return self in (Groessenklasse.KREIS, Groessenklasse.STAEDTEREGION)


class LageArt(_Vocabulary):
    """Lebenslage (Bürgerinnen und Bürger) or Geschäftslage (Unternehmen).

    The federal file does not tell them apart (DOMAIN §4.2), so a Lage's art is None unless the YAML
    supplement says so.
    """

    LEBENSLAGE = ("lebenslage", "Lebenslage", "Bürger")
    GESCHAEFTSLAGE = ("geschaeftslage", "Geschäftslage", "Unternehmen")


class Umsetzungsstatus(_Vocabulary):
    """Status of an Umsetzungsprojekt (KDN ``ozg_implementation_status``; ``kdn_id`` is KDN's id)."""

    NEU = ("neu", "Neu")
    VORBEREITUNG = ("vorbereitung", "Vorbereitung", "Geplant")
    KONZEPTION = ("konzeption", "Konzeption")
    UMSETZUNG = ("umsetzung", "Umsetzung")
    PILOTIERUNG_NRW = ("pilotierung_nrw", "Pilotierung NRW", "Pilotierung")
    INBETRIEBNAHME_NRW = ("inbetriebnahme_nrw", "Inbetriebnahme NRW", "Inbetriebnahme", "Start Roll-out NRW")
    START_BUNDESWEITER_ROLLOUT = ("start_bundesweiter_rollout", "Start bundesweiter Roll-out")
    ZURUECKGESTELLT = ("zurueckgestellt", "Zurückgestellt")

    @property
    def kdn_id(self) -> int:
        """KDN's ImplementationStatus id (DOMAIN §2.2), for exchanging data with ozg.kdn.de."""
        return _KDN_STATUS_IDS[self]


_KDN_STATUS_IDS: Mapping[Umsetzungsstatus, int] = MappingProxyType(
    {
        Umsetzungsstatus.NEU: 1,
        Umsetzungsstatus.VORBEREITUNG: 2,
        Umsetzungsstatus.KONZEPTION: 3,
        Umsetzungsstatus.UMSETZUNG: 4,
        Umsetzungsstatus.INBETRIEBNAHME_NRW: 6,
        Umsetzungsstatus.ZURUECKGESTELLT: 7,
        Umsetzungsstatus.START_BUNDESWEITER_ROLLOUT: 8,
        Umsetzungsstatus.PILOTIERUNG_NRW: 9,
    }
)


class Phase(_Vocabulary):
    """A phase of the roadmap, in the order they happen (KDN's date fields of ImplementationProject)."""

    VORBEREITUNG = ("vorbereitung", "Vorbereitung", "Vorbereitung NRW")
    KONZEPTION = ("konzeption", "Konzeption", "Konzeption NRW")
    UMSETZUNG = ("umsetzung", "Umsetzung", "Umsetzung NRW")
    PILOTIERUNG_NRW = ("pilotierung_nrw", "Pilotierung NRW", "Pilotierung")
    INBETRIEBNAHME_NRW = ("inbetriebnahme_nrw", "Inbetriebnahme NRW", "Inbetriebnahme", "Start Roll-out NRW")
    START_BUNDESWEITER_ROLLOUT = ("start_bundesweiter_rollout", "Start bundesweiter Roll-out")

    @property
    def rang(self) -> int:
        """Position in the roadmap, 0 = Vorbereitung."""
        return list(Phase).index(self)


class EfaTyp(_Vocabulary):
    """EfA ("Einer für Alle") type of an Umsetzungsprojekt; the code is KDN's ``efa_type``."""

    KEINE_ANGABE = (0, "keine Angabe")
    NACHNUTZUNG_IN_KLAERUNG = (1, "EfA-Nachnutzung aus anderem Bundesland in Klärung")
    NACHNUTZUNG_SICHER = (2, "EfA-Nachnutzung aus anderem Bundesland sicher")
    ENTWICKLUNG_LAND_NRW = (3, "EfA-Entwicklung Land NRW")
    ENTWICKLUNG_KDN = (4, "EfA-Entwicklung KDN")
    ENTWICKLUNG_IN_KLAERUNG = (5, "EfA-Entwicklung in Klärung")
    KEIN_EFA = (6, "Kein EfA")


class Status(_Vocabulary):
    """Status of an OZG-Leistung, LeiKa-Leistung or Online-Dienst (KDN ``ozg_status``)."""

    OFFEN = ("offen", "offen")
    IN_PLANUNG = ("in_planung", "in Planung")
    IN_BEARBEITUNG = ("in_bearbeitung", "in Bearbeitung")
    UMGESETZT = ("umgesetzt", "umgesetzt")


class Reifegrad(_Vocabulary):
    """Reifegrad of an Online-Dienst, 0 (nur Information) to 4 (vollständig digital); KDN names are digits."""

    STUFE_0 = (0, "0")
    STUFE_1 = (1, "1")
    STUFE_2 = (2, "2")
    STUFE_3 = (3, "3")
    STUFE_4 = (4, "4")


MONATE: tuple[str, ...] = (
    "Januar", "Februar", "März", "April", "Mai", "Juni",
    "Juli", "August", "September", "Oktober", "November", "Dezember",
)  # fmt: skip


@dataclass(frozen=True, order=True)
class Monat:
    """A calendar month: the roadmap only ever speaks in months ("Januar 2020")."""

    jahr: int
    monat: int

    def __post_init__(self) -> None:
        if not 1 <= self.monat <= 12:
            raise ValueError(f"Monat muss 1–12 sein, nicht {self.monat}")
        if not 1900 <= self.jahr <= 2999:
            raise ValueError(f"unplausibles Jahr {self.jahr}")

    def __str__(self) -> str:
        return f"{MONATE[self.monat - 1]} {self.jahr}"

    @property
    def iso(self) -> str:
        """``2020-01``: the form for YAML and Semantic MediaWiki date properties."""
        return f"{self.jahr:04d}-{self.monat:02d}"

    def as_date(self) -> dt.date:
        """The first day of the month."""
        return dt.date(self.jahr, self.monat, 1)

    @classmethod
    def parse(cls, value: object) -> Monat:
        """Accept ``2020-01``, ``01/2020``, ``Januar 2020`` (also ``Maerz``) or a date."""
        if isinstance(value, Monat):
            return value
        if isinstance(value, dt.date):
            return cls(value.year, value.month)
        text = str(value).strip()
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})(?:-01)?", text):
            return cls(int(m[1]), int(m[2]))
        if m := re.fullmatch(r"(\d{1,2})\s*[/.]\s*(\d{4})", text):
            return cls(int(m[2]), int(m[1]))
        if m := re.fullmatch(r"([^\d\s]+)\.?\s+(\d{4})", text):
            wanted = _fold(m[1])
            for i, name in enumerate(MONATE, start=1):
                if len(wanted) >= 3 and _fold(name).startswith(wanted):
                    return cls(int(m[2]), i)
        raise ValueError(f"kein Monat: {text!r} (erwartet z. B. 2020-01 oder Januar 2020)")


class Zeitplan(Mapping[Phase, Monat]):
    """Phase → month of an Umsetzungsprojekt: an immutable, hashable mapping in roadmap order.

    Phases without a month are simply absent. The order of the months is *not* enforced: real projects
    have Inbetriebnahme before Umsetzung, and the roadmap must still show them (the loader warns).
    """

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[Phase, Monat] | Iterable[tuple[Phase, Monat]] = ()) -> None:
        pairs = dict(items.items() if isinstance(items, Mapping) else items)
        self._items: tuple[tuple[Phase, Monat], ...] = tuple(sorted(pairs.items(), key=lambda kv: kv[0].rang))

    def __getitem__(self, phase: Phase) -> Monat:
        for p, m in self._items:
            if p is phase:
                return m
        raise KeyError(phase)

    def __iter__(self) -> Iterator[Phase]:
        return (p for p, _ in self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Zeitplan):
            return self._items == other._items
        return Mapping.__eq__(self, other)

    def __repr__(self) -> str:
        inner = ", ".join(f"{p.name}: {m.iso}" for p, m in self._items)
        return f"Zeitplan({{{inner}}})"

    def out_of_order(self) -> tuple[tuple[Phase, Monat, Phase, Monat], ...]:
        """Every pair of phases whose months run backwards (later phase, earlier month)."""
        found = []
        for i, (p1, m1) in enumerate(self._items):
            for p2, m2 in self._items[i + 1 :]:
                if m2 < m1:
                    found.append((p1, m1, p2, m2))
        return tuple(found)


_EFA_SUFFIX = re.compile(r"\s*\((EfA\b[^()]*)\)\s*$")


def split_efa(name: str) -> tuple[str, str | None]:
    """Split the "(EfA gemäß erster Liste vom BMI, …)" remark off an OZG-Leistung name.

    The slides carry the remark inside the name; on the wiki it is its own property, so the page title
    stays the plain name.
    """
    m = _EFA_SUFFIX.search(name)
    if not m:
        return name.strip(), None
    return name[: m.start()].strip(), m[1].strip()


@dataclass(frozen=True, slots=True)
class Themenfeld:
    """One of the 14 OZG-Themenfelder, or an extra one such as Basisdienste (which has no Lagen)."""

    name: str
    workshop: str | None = None
    beschreibung: str | None = None


@dataclass(frozen=True, slots=True)
class Lage:
    """A Lebens- or Geschäftslage; each belongs to exactly one Themenfeld."""

    name: str
    themenfeld: str
    art: LageArt | None = None


@dataclass(frozen=True, slots=True)
class OzgLeistung:
    """An OZG-Leistung (Leistungsbündel) of the Umsetzungskatalog with NRW's own attributes.

    ``ozg_id`` is text ("10513") because it is an identifier, not a number to compute with. Zuständigkeiten,
    Priorität, Größenklassen and the EfA note come from the YAML supplement; the federal file has none.
    """

    ozg_id: str
    name: str
    lage: str
    themenfeld: str
    zustaendigkeiten: frozenset[Zustaendigkeit] = frozenset()
    prioritaet: Prioritaet | None = None
    efa: str | None = None
    groessenklassen: frozenset[Groessenklasse] = frozenset()
    leika_schluessel: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LeikaLeistung:
    """A LeiKa-Leistung of the catalogue: one row of the spreadsheet with a real key.

    ``typ`` stays text: the catalogue holds combined values such as "2/3" and "1, 2/3" (DOMAIN §3.6).
    ``ozg_id`` is None for the rows the catalogue itself leaves without an OZG-Leistung.
    """

    schluessel: str
    bezeichnung: str
    typ: str = ""
    rechtsgrundlage: str = ""
    gesetze: str = ""
    gesetzeskuerzel: str = ""
    sdg1: bool = False
    sdg2: bool = False
    ozg_id: str | None = None


@dataclass(frozen=True, slots=True)
class Kommune:
    """A Gemeinde, Kreis or the Städteregion in NRW. ``kreis`` is the AGS of its Kreis, if any."""

    ags: str
    ars: str
    name: str
    groessenklasse: Groessenklasse
    regierungsbezirk: str
    kreis: str | None = None
    amtlicher_name: str | None = None
    einwohner: int | None = None


@dataclass(frozen=True, slots=True)
class Umsetzungsprojekt:
    """An OZG-Umsetzungsprojekt of the NRW roadmap."""

    name: str
    slug: str
    themenfelder: tuple[str, ...]
    status: Umsetzungsstatus
    zeitplan: Zeitplan = field(default_factory=Zeitplan)
    efa_typ: EfaTyp = EfaTyp.KEINE_ANGABE
    ozg_ids: tuple[str, ...] = ()
    leika_schluessel: tuple[str, ...] = ()
    beschreibung: str | None = None


@dataclass(frozen=True, slots=True)
class Steckbrief:
    """Profile of a municipal online service ("Online-Dienst"). ``beispiel`` marks sample content."""

    titel: str
    kommunen: tuple[str, ...]
    leika_schluessel: tuple[str, ...]
    status: Status = Status.OFFEN
    reifegrad: Reifegrad | None = None
    url: str | None = None
    kontakt_rolle: str | None = None
    beispiel: bool = False


def _index(items: Iterable[Any], key: str) -> Mapping[Any, Any]:
    return MappingProxyType({getattr(i, key): i for i in items})


@dataclass(frozen=True, slots=True)
class Catalogue:
    """The whole validated catalogue, with lookups by natural key and a few derived views.

    Built only by :func:`ozgwiki.catalogue.load`, which guarantees the cross-references hold: every
    Lage's Themenfeld exists, every OZG-Leistung's Lage exists, keys are unique, and so on. The indexes
    are computed once here; the views are cheap dictionary look-ups.

    ``known_keys`` are the keys of the catalogue's LeiKa-Leistungen minus the ``retired_keys`` (keys
    an admin listed as aufgehoben; they stay in ``leika_leistungen`` if the federal file still has
    them, so pages can still show their name).
    """

    themenfelder: tuple[Themenfeld, ...] = ()
    lagen: tuple[Lage, ...] = ()
    ozg_leistungen: tuple[OzgLeistung, ...] = ()
    leika_leistungen: tuple[LeikaLeistung, ...] = ()
    kommunen: tuple[Kommune, ...] = ()
    umsetzungsprojekte: tuple[Umsetzungsprojekt, ...] = ()
    steckbriefe: tuple[Steckbrief, ...] = ()
    retired_keys: frozenset[str] = frozenset()
    known_keys: frozenset[str] = field(init=False)
    _themenfelder: Mapping[str, Themenfeld] = field(init=False, repr=False, compare=False)
    _lagen: Mapping[str, Lage] = field(init=False, repr=False, compare=False)
    _ozg: Mapping[str, OzgLeistung] = field(init=False, repr=False, compare=False)
    _leika: Mapping[str, LeikaLeistung] = field(init=False, repr=False, compare=False)
    _kommunen: Mapping[str, Kommune] = field(init=False, repr=False, compare=False)
    _projekte: Mapping[str, Umsetzungsprojekt] = field(init=False, repr=False, compare=False)
    _lagen_of: Mapping[str, tuple[Lage, ...]] = field(init=False, repr=False, compare=False)
    _ozg_of: Mapping[str, tuple[OzgLeistung, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        def put(name: str, value: object) -> None:
            object.__setattr__(self, name, value)

        put("known_keys", frozenset(x.schluessel for x in self.leika_leistungen) - self.retired_keys)
        put("_themenfelder", _index(self.themenfelder, "name"))
        put("_lagen", _index(self.lagen, "name"))
        put("_ozg", _index(self.ozg_leistungen, "ozg_id"))
        put("_leika", _index(self.leika_leistungen, "schluessel"))
        put("_kommunen", _index(self.kommunen, "ags"))
        put("_projekte", _index(self.umsetzungsprojekte, "slug"))
        lagen_of: dict[str, list[Lage]] = {}
        for lage in self.lagen:
            lagen_of.setdefault(lage.themenfeld, []).append(lage)
        put("_lagen_of", MappingProxyType({k: tuple(v) for k, v in lagen_of.items()}))
        ozg_of: dict[str, list[OzgLeistung]] = {}
        for o in self.ozg_leistungen:
            ozg_of.setdefault(o.lage, []).append(o)
        put("_ozg_of", MappingProxyType({k: tuple(v) for k, v in ozg_of.items()}))

    # -- lookups (None when absent, so callers decide whether that is an error) --

    def themenfeld(self, name: str) -> Themenfeld | None:
        return self._themenfelder.get(name)

    def lage(self, name: str) -> Lage | None:
        return self._lagen.get(name)

    def ozg_leistung(self, ozg_id: str | int) -> OzgLeistung | None:
        return self._ozg.get(str(ozg_id))

    def leika_leistung(self, schluessel: str) -> LeikaLeistung | None:
        return self._leika.get(schluessel)

    def kommune(self, ags: str) -> Kommune | None:
        return self._kommunen.get(ags)

    def umsetzungsprojekt(self, slug: str) -> Umsetzungsprojekt | None:
        return self._projekte.get(slug)

    # -- derived views --

    def lagen_of(self, themenfeld: str) -> tuple[Lage, ...]:
        """The Lagen of a Themenfeld, in catalogue order (empty for Basisdienste)."""
        return self._lagen_of.get(themenfeld, ())

    def ozg_leistungen_of(self, lage: str) -> tuple[OzgLeistung, ...]:
        """The OZG-Leistungen of a Lage, in catalogue order."""
        return self._ozg_of.get(lage, ())

    def ozg_leistungen_for(self, groessenklasse: Groessenklasse) -> tuple[OzgLeistung, ...]:
        """The OZG-Leistungen a Kommune of this Größenklasse implements (Aachen counts as kreisfrei)."""
        klasse = groessenklasse.leistungen_wie
        return tuple(o for o in self.ozg_leistungen if klasse in o.groessenklassen)

    def leika_leistungen_for(self, groessenklasse: Groessenklasse) -> tuple[LeikaLeistung, ...]:
        """The LeiKa-Leistungen of :meth:`ozg_leistungen_for` (inherited, as KDN does by default)."""
        return tuple(
            self._leika[k] for o in self.ozg_leistungen_for(groessenklasse) for k in o.leika_schluessel
        )

    def leika_leistungen_of(self, ozg_id: str | int) -> tuple[LeikaLeistung, ...]:
        o = self.ozg_leistung(ozg_id)
        return tuple(self._leika[k] for k in o.leika_schluessel) if o else ()

    def leika_count(self, ozg_id: str | int) -> int:
        """Number of LeiKa-Leistungen of an OZG-Leistung: the figure in the Themenfeld overview."""
        o = self.ozg_leistung(ozg_id)
        return len(o.leika_schluessel) if o else 0

    def gemeinden_of(self, kreis_ags: str) -> tuple[Kommune, ...]:
        """The Kommunen whose Kreis is ``kreis_ags``."""
        return tuple(k for k in self.kommunen if k.kreis == kreis_ags)
