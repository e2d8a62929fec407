"""The pages the catalogue asks for: one :class:`PagePlan` per page, computed without any I/O.

This is the pure half of ``ozgwiki import`` (and what the regeneration bot reads to know which pages
exist): for every Themenfeld, Lage, LeiKa-Leistung, OZG-Leistung, Kommune and Umsetzungsprojekt of a
:class:`~ozgwiki.domain.model.Catalogue` it says the page title (from :mod:`ozgwiki.domain.titles`, i.e.
from keys,
OZG-IDs, AGS and names that serve as IDs), the template on that page and the values of the parameters
the bot owns there. The parameter names and value forms follow the table in ``docs/templates.md``,
which the template tests check against ``templates/*.wiki``.

Values are **raw** (unescaped) text: the caller runs each through
:func:`ozgwiki.wikitext.escape.param_value` before writing, so ``Bauen & Immobilien`` stays readable
here and in the diff derivation. Lists are joined with ``", "`` (``Modul:OZG`` splits on commas).
Every owned parameter is always present, empty when the catalogue has no value: the bot owns the
field, so a value that disappears from the catalogue must disappear from the page too.

Steckbrief pages are not planned: they are the editors' pages; bots only read them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from ozgwiki.domain import titles
from ozgwiki.domain.model import (
    Catalogue,
    Groessenklasse,
    Kommune,
    Lage,
    LeikaLeistung,
    Monat,
    OzgLeistung,
    Phase,
    Themenfeld,
    Umsetzungsprojekt,
    Zustaendigkeit,
)

__all__ = [
    "KINDS",
    "LEIKA_PARAMS",
    "STATUS_AKTIV",
    "STATUS_AUSGEMUSTERT",
    "PagePlan",
    "kommune_page",
    "lage_page",
    "leika_page",
    "ozg_page",
    "plan_pages",
    "projekt_page",
    "themenfeld_page",
]

STATUS_AKTIV = "aktiv"
STATUS_AUSGEMUSTERT = "ausgemustert"

# Page kind == template name for every page the import writes.
KIND_THEMENFELD = "Themenfeld"
KIND_LAGE = "Lage"
KIND_LEIKA = "LeiKa-Leistung"
KIND_OZG = "OZG-Leistung"
KIND_KOMMUNE = "Kommune"
KIND_PROJEKT = "Umsetzungsprojekt"
#: The kinds in the order :func:`plan_pages` returns them (pages others link to come first).
KINDS: tuple[str, ...] = (KIND_THEMENFELD, KIND_LAGE, KIND_LEIKA, KIND_OZG, KIND_KOMMUNE, KIND_PROJEKT)

LEIKA_PARAMS: tuple[str, ...] = (
    "Schlüssel", "Bezeichnung", "Typ", "OZG-ID", "Rechtsgrundlage", "Gesetze", "Gesetzeskürzel",
    "SDG1", "SDG2", "Status",
)  # fmt: skip
OZG_PARAMS: tuple[str, ...] = (
    "OZG-ID", "Name", "EfA", "Lage", "Themenfeld", "Zuständigkeiten", "Priorität", "Größenklassen",
    "LeiKa-Schlüssel",
)  # fmt: skip
THEMENFELD_PARAMS: tuple[str, ...] = ("Name", "Workshop", "Beschreibung")
LAGE_PARAMS: tuple[str, ...] = ("Name", "Art", "Themenfeld")
KOMMUNE_PARAMS: tuple[str, ...] = (
    "AGS", "ARS", "Name", "Kreis", "Regierungsbezirk", "Größenklasse", "Einwohner",
)  # fmt: skip
#: Roadmap phase → its parameter on an Umsetzungsprojekt page (spelled out: the template reads these).
PHASE_PARAMS: Mapping[Phase, str] = MappingProxyType(
    {
        Phase.VORBEREITUNG: "Vorbereitung",
        Phase.KONZEPTION: "Konzeption",
        Phase.UMSETZUNG: "Umsetzung",
        Phase.PILOTIERUNG_NRW: "Pilotierung NRW",
        Phase.INBETRIEBNAHME_NRW: "Inbetriebnahme NRW",
        Phase.START_BUNDESWEITER_ROLLOUT: "Start bundesweiter Roll-out",
    }
)
PROJEKT_PARAMS: tuple[str, ...] = (
    "Name", "Themenfelder", "Status", *PHASE_PARAMS.values(), "EfA", "OZG-IDs", "LeiKa-Schlüssel",
)  # fmt: skip


@dataclass(frozen=True)
class PagePlan:
    """One page the catalogue asks for: title, template and the raw values of the owned parameters.

    ``params`` holds every owned parameter in ``param_order`` (empty string = no value); it is a
    read-only mapping so a plan can be shared between threads and bots.
    """

    title: str
    kind: str
    template: str
    params: Mapping[str, str]
    param_order: tuple[str, ...]

    def __post_init__(self) -> None:
        if tuple(self.params) != self.param_order:
            raise ValueError(f"{self.title}: params {tuple(self.params)} do not follow {self.param_order}")
        if not isinstance(self.params, MappingProxyType):
            object.__setattr__(self, "params", MappingProxyType(dict(self.params)))


def _plan(title: str, kind: str, order: tuple[str, ...], values: Mapping[str, str]) -> PagePlan:
    return PagePlan(title, kind, kind, {name: values.get(name, "") for name in order}, order)


def _join(items: Iterable[str]) -> str:
    return ", ".join(items)


def _flag(value: bool) -> str:
    return "ja" if value else "nein"


_DATE_DMY = re.compile(r"(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4})")


def workshop_value(text: str | None) -> str:
    """The Workshop parameter: ``JJJJ-MM-TT`` or ``JJJJ-MM`` when the catalogue text is a date.

    The supplement holds free text ("Q4 2019, voraussichtlich 12.12."); what is not a date is passed
    on as it is, so the template shows it with its "not a date" warning instead of the bot guessing.
    """
    if not text:
        return ""
    t = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", t):
        return t
    if m := _DATE_DMY.fullmatch(t):
        return f"{int(m[3]):04d}-{int(m[2]):02d}-{int(m[1]):02d}"
    try:
        return Monat.parse(t).iso
    except ValueError:
        return t


def themenfeld_page(t: Themenfeld) -> PagePlan:
    return _plan(
        titles.themenfeld(t.name),
        KIND_THEMENFELD,
        THEMENFELD_PARAMS,
        {"Name": t.name, "Workshop": workshop_value(t.workshop), "Beschreibung": t.beschreibung or ""},
    )


def lage_page(lage: Lage) -> PagePlan:
    return _plan(
        titles.lage(lage.name),
        KIND_LAGE,
        LAGE_PARAMS,
        {"Name": lage.name, "Art": lage.art.label if lage.art else "", "Themenfeld": lage.themenfeld},
    )


def leika_page(x: LeikaLeistung, *, retired: bool = False) -> PagePlan:
    """A LeiKa-Leistung; ``retired`` (listed in ``aufgehobene_schluessel``) → Status ausgemustert."""
    return _plan(
        titles.leika(x.schluessel),
        KIND_LEIKA,
        LEIKA_PARAMS,
        {
            "Schlüssel": x.schluessel,
            "Bezeichnung": x.bezeichnung,
            "Typ": x.typ,
            "OZG-ID": x.ozg_id or "",
            "Rechtsgrundlage": x.rechtsgrundlage,
            "Gesetze": x.gesetze,
            "Gesetzeskürzel": x.gesetzeskuerzel,
            "SDG1": _flag(x.sdg1),
            "SDG2": _flag(x.sdg2),
            "Status": STATUS_AUSGEMUSTERT if retired else STATUS_AKTIV,
        },
    )


def ozg_page(o: OzgLeistung) -> PagePlan:
    """An OZG-Leistung; vocabulary lists in vocabulary order (frozensets have none of their own)."""
    return _plan(
        titles.ozg_leistung(o.ozg_id),
        KIND_OZG,
        OZG_PARAMS,
        {
            "OZG-ID": o.ozg_id,
            "Name": o.name,
            "EfA": o.efa or "",
            "Lage": o.lage,
            "Themenfeld": o.themenfeld,
            "Zuständigkeiten": _join(z.label for z in Zustaendigkeit if z in o.zustaendigkeiten),
            "Priorität": str(o.prioritaet.stufe) if o.prioritaet else "",
            # Aachen (regionsangehörig, Rechtsstellung einer kreisfreien Stadt) implements what kreisfreie
            # Städte implement; listing it lets the Aachen page's query find these Leistungen too.
            "Größenklassen": _join(g.label for g in Groessenklasse if g.leistungen_wie in o.groessenklassen),
            "LeiKa-Schlüssel": _join(o.leika_schluessel),
        },
    )


def kommune_page(k: Kommune) -> PagePlan:
    """A Kommune; ``Kreis`` is the Kreis's AGS (the template shows the name from its page)."""
    return _plan(
        titles.kommune(k.ags),
        KIND_KOMMUNE,
        KOMMUNE_PARAMS,
        {
            "AGS": k.ags,
            "ARS": k.ars,
            "Name": k.name,
            "Kreis": k.kreis or "",
            "Regierungsbezirk": k.regierungsbezirk,
            "Größenklasse": k.groessenklasse.label,
            "Einwohner": "" if k.einwohner is None else str(k.einwohner),
        },
    )


def projekt_page(p: Umsetzungsprojekt) -> PagePlan:
    """An Umsetzungsprojekt; one parameter per phase, month as ``JJJJ-MM``."""
    values = {
        "Name": p.name,
        "Themenfelder": _join(p.themenfelder),
        "Status": p.status.label,
        "EfA": p.efa_typ.label,
        "OZG-IDs": _join(p.ozg_ids),
        "LeiKa-Schlüssel": _join(p.leika_schluessel),
    }
    for phase, monat in p.zeitplan.items():
        values[PHASE_PARAMS[phase]] = monat.iso
    return _plan(titles.umsetzungsprojekt(p.name), KIND_PROJEKT, PROJEKT_PARAMS, values)


def plan_pages(catalogue: Catalogue) -> list[PagePlan]:
    """Every page of the catalogue, in a fixed order: by kind (:data:`KINDS`), then within a kind
    Themenfelder, Lagen, OZG-Leistungen and projects in catalogue order, LeiKa keys and AGS sorted.

    Pages that others link to come first (a LeiKa page before the OZG-Leistung listing its key, a
    Kreis before its Gemeinden), so a first import renders with fewer red links. A key in
    ``catalogue.retired_keys`` that still has a LeiKa-Leistung is planned with Status ausgemustert.
    """
    plans: list[PagePlan] = []
    plans += (themenfeld_page(t) for t in catalogue.themenfelder)
    plans += (lage_page(lage) for lage in catalogue.lagen)
    leika = sorted(catalogue.leika_leistungen, key=lambda x: x.schluessel)
    plans += (leika_page(x, retired=x.schluessel in catalogue.retired_keys) for x in leika)
    plans += (ozg_page(o) for o in catalogue.ozg_leistungen)
    plans += (kommune_page(k) for k in sorted(catalogue.kommunen, key=lambda k: k.ags))
    plans += (projekt_page(p) for p in catalogue.umsetzungsprojekte)
    return plans
