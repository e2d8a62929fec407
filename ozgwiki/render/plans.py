"""The pages the catalogue asks for: one :class:`PagePlan` per page, computed without any I/O.

This is the pure half of ``ozgwiki import`` (and what the regeneration bot reads to know which pages
exist): for every Themenfeld, Lage, LeiKa-Leistung, OZG-Leistung, Kommune and Umsetzungsprojekt of a
:class:`~ozgwiki.domain.model.Catalogue` it says the page title (the name, by the
:class:`~ozgwiki.domain.titles.TitleScheme` of :func:`title_scheme`), the template on that page and the
values of the parameters the bot owns there. Besides them, the names-first pages: the ID titles as
redirects (:func:`redirect_plans`) and a Begriffsklärung page for each name several things share
(:func:`disambiguation_plans`). The parameter names and value forms follow the table in ``docs/templates.md``,
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

from ozgwiki.definitions.schema import Schema
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
from ozgwiki.domain.titles import TitleScheme

__all__ = [
    "KINDS",
    "LEIKA_PARAMS",
    "STATUS_AKTIV",
    "STATUS_AUSGEMUSTERT",
    "DisambiguationPlan",
    "PagePlan",
    "RedirectPlan",
    "disambiguation_plans",
    "kommune_page",
    "lage_page",
    "leika_page",
    "ozg_page",
    "plan_pages",
    "projekt_page",
    "redirect_plans",
    "themenfeld_page",
    "title_scheme",
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


@dataclass(frozen=True, slots=True)
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
    #: The thing's ID (LeiKa key, OZG-ID, AGS, name of a Themenfeld/Lage/project) and its ID title,
    #: where the page stood before names came first (the importer moves a page found there).
    key: str = ""
    id_title: str = ""

    def __post_init__(self) -> None:
        if tuple(self.params) != self.param_order:
            raise ValueError(f"{self.title}: params {tuple(self.params)} do not follow {self.param_order}")
        if not isinstance(self.params, MappingProxyType):
            object.__setattr__(self, "params", MappingProxyType(dict(self.params)))


def _plan(
    title: str,
    kind: str,
    order: tuple[str, ...],
    values: Mapping[str, str],
    key: str = "",
    id_title: str = "",
) -> PagePlan:
    params = {name: values.get(name, "") for name in order}
    return PagePlan(title, kind, kind, params, order, key, id_title or title)


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


def themenfeld_page(t: Themenfeld, title: str | None = None) -> PagePlan:
    return _plan(
        title or titles.themenfeld(t.name),
        KIND_THEMENFELD,
        THEMENFELD_PARAMS,
        {"Name": t.name, "Workshop": workshop_value(t.workshop), "Beschreibung": t.beschreibung or ""},
        t.name,
        titles.themenfeld(t.name),
    )


def lage_page(lage: Lage, title: str | None = None) -> PagePlan:
    return _plan(
        title or titles.lage(lage.name),
        KIND_LAGE,
        LAGE_PARAMS,
        {"Name": lage.name, "Art": lage.art.label if lage.art else "", "Themenfeld": lage.themenfeld},
        lage.name,
        titles.lage(lage.name),
    )


def leika_page(x: LeikaLeistung, *, retired: bool = False, title: str | None = None) -> PagePlan:
    """A LeiKa-Leistung; ``retired`` (listed in ``aufgehobene_schluessel``) → Status ausgemustert."""
    return _plan(
        title or titles.leika(x.schluessel),
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
        x.schluessel,
        titles.leika(x.schluessel),
    )


def ozg_page(o: OzgLeistung, title: str | None = None) -> PagePlan:
    """An OZG-Leistung; vocabulary lists in vocabulary order (frozensets have none of their own)."""
    return _plan(
        title or titles.ozg_leistung(o.ozg_id),
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
        o.ozg_id,
        titles.ozg_leistung(o.ozg_id),
    )


def kommune_page(k: Kommune, title: str | None = None) -> PagePlan:
    """A Kommune; ``Kreis`` is the Kreis's AGS (the template shows the name from its page)."""
    return _plan(
        title or titles.kommune(k.ags),
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
        k.ags,
        titles.kommune(k.ags),
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
    return _plan(titles.umsetzungsprojekt(p.name), KIND_PROJEKT, PROJEKT_PARAMS, values, p.name)


def title_scheme(catalogue: Catalogue, schema: Schema | None = None) -> TitleScheme:
    """The one title scheme of a wiki with these definitions: names first, the navigation and overview
    pages' fixed titles reserved (a LeiKa-Leistung called "Roadmap" must not take that page)."""
    if schema is None:
        from ozgwiki.definitions import schema as schema_mod  # the shipped definitions

        schema = schema_mod.load()
    reserved = {n.title for n in schema.navigation}
    reserved |= {p.title for p in schema.pages if "{" not in p.title}
    reserved |= {titles.umsetzungsprojekt(p.name) for p in catalogue.umsetzungsprojekte}
    return TitleScheme.of(catalogue, reserved)


def plan_pages(catalogue: Catalogue, scheme: TitleScheme | None = None) -> list[PagePlan]:
    """Every page of the catalogue, in a fixed order: by kind (:data:`KINDS`), then within a kind
    Themenfelder, Lagen, OZG-Leistungen and projects in catalogue order, LeiKa keys and AGS sorted.

    Pages that others link to come first (a LeiKa page before the OZG-Leistung listing its key, a
    Kreis before its Gemeinden), so a first import renders with fewer red links. A key in
    ``catalogue.retired_keys`` that still has a LeiKa-Leistung is planned with Status ausgemustert.
    Titles come from ``scheme`` (default: :func:`title_scheme` with the shipped definitions).
    """
    scheme = scheme or title_scheme(catalogue)
    plans: list[PagePlan] = []
    plans += (themenfeld_page(t, scheme.title("themenfeld", t.name)) for t in catalogue.themenfelder)
    plans += (lage_page(x, scheme.title("lage", x.name)) for x in catalogue.lagen)
    leika = sorted(catalogue.leika_leistungen, key=lambda x: x.schluessel)
    plans += (
        leika_page(
            x, retired=x.schluessel in catalogue.retired_keys, title=scheme.title("leika", x.schluessel)
        )
        for x in leika
    )
    plans += (ozg_page(o, scheme.title("ozg", o.ozg_id)) for o in catalogue.ozg_leistungen)
    kommunen = sorted(catalogue.kommunen, key=lambda k: k.ags)
    plans += (kommune_page(k, scheme.title("kommune", k.ags)) for k in kommunen)
    plans += (projekt_page(p) for p in catalogue.umsetzungsprojekte)
    return plans


@dataclass(frozen=True, slots=True)
class RedirectPlan:
    """An ID title that leads to the page titled by name (``Kommune 05554004`` → ``Ahaus``)."""

    title: str
    target: str


@dataclass(frozen=True, slots=True)
class DisambiguationPlan:
    """A name several things share, and the page of each (title, what it is) in catalogue order."""

    title: str
    entries: tuple[tuple[str, str], ...]


def redirect_plans(scheme: TitleScheme) -> list[RedirectPlan]:
    """Every ID title whose thing is titled by name now, sorted: the redirects the bot keeps."""
    return [RedirectPlan(source, target) for source, target in sorted(scheme.redirects().items())]


def disambiguation_plans(plans: Iterable[PagePlan], scheme: TitleScheme) -> list[DisambiguationPlan]:
    """One Begriffsklärung page per shared name, each entry described by its kind and ID."""
    described = {p.title: f"{p.kind} {p.key}" if p.kind in (KIND_LEIKA, KIND_OZG, KIND_KOMMUNE) else p.kind
                 for p in plans}  # fmt: skip
    return [
        DisambiguationPlan(name, tuple((t, described.get(t, "")) for t in shared))
        for name, shared in sorted(scheme.disambiguations().items())
    ]
