"""What the templates store is read from the templates, and the bot's facts are made from it.

These tests fail where the static tables and the wiki's ``#set`` would drift apart: a parameter the
importer owns that no template stores, a storage rule the facts do not follow, a template change
the facts do not see.
"""

from __future__ import annotations

import dataclasses

import pytest

from ozgwiki.definitions import schema, storage
from ozgwiki.domain.model import Catalogue, Groessenklasse
from ozgwiki.render import facts, overview
from ozgwiki.render import plans as catalogue_pages


def test_every_owned_parameter_is_stored_by_its_template_and_nothing_else(
    sample_catalogue: Catalogue,
) -> None:
    order = {plan.template: plan.param_order for plan in catalogue_pages.plan_pages(sample_catalogue)}
    assert set(order) == set(catalogue_pages.KINDS)
    for template, params in order.items():
        assert set(storage.stored_params(template)) == set(params), template


def test_every_stored_property_is_defined() -> None:
    defined = {p.name for p in schema.load().properties}
    for template in (*catalogue_pages.KINDS, facts.STECKBRIEF_TEMPLATE):
        assert set(storage.stored_params(template).values()) <= defined, template


def test_kreisfreie_stadt_leistungen_also_hold_aachens_groessenklasse(sample_catalogue: Catalogue) -> None:
    """The Aachen case: the page plan lists Aachen's class too, so the facts must (the wiki does)."""
    first = next(o for o in sample_catalogue.ozg_leistungen if o.prioritaet)  # listed only with a sort value
    kreisfrei = dataclasses.replace(first, groessenklassen=frozenset({Groessenklasse.KREISFREIE_STADT}))
    others = tuple(o for o in sample_catalogue.ozg_leistungen if o is not first)
    changed = dataclasses.replace(sample_catalogue, ozg_leistungen=(kreisfrei, *others))
    title = catalogue_pages.title_scheme(changed).title("ozg", kreisfrei.ozg_id)
    subject = facts.build(changed).subject(title)
    assert subject is not None
    assert subject.get("Größenklasse") == ("kreisfreie Stadt", "regionsangehörige Stadt Aachen")
    loaded = schema.load()
    definition = next(d for d in loaded.pages if d.file.endswith("groessenklasse.yaml"))
    props = {p.name: p for p in loaded.properties}
    pages = {p.title: p for p in overview.pages_of(definition, facts.build(changed), props)}
    rows = overview.static_rows(
        definition.sections[0], pages["Größenklasse regionsangehörige Stadt Aachen"], facts.build(changed)
    )
    assert title in [r.subject for r in rows]


def test_facts_of_a_plan_are_its_escaped_values_read_back(sample_catalogue: Catalogue) -> None:
    lage = next(p for p in catalogue_pages.plan_pages(sample_catalogue) if p.title == "Bauen & Immobilien")
    subject = facts.build(sample_catalogue).subject(lage.title)
    assert subject is not None
    assert subject.get("Name") == ("Bauen & Immobilien",)  # stored decoded, as SMW does
    assert subject.categories == {"Lage"}


def test_retired_leika_page_is_categorised_and_stores_no_own_key(sample_catalogue: Catalogue) -> None:
    key = sample_catalogue.leika_leistungen[0].schluessel
    title = catalogue_pages.title_scheme(sample_catalogue).title("leika", key)
    retired = facts.build(dataclasses.replace(sample_catalogue, retired_keys=frozenset({key}))).subject(title)
    assert retired is not None
    assert retired.categories == {"LeiKa-Leistung", "Ausgemusterte LeiKa-Leistung"}
    assert retired.get("LeiKa-Schlüssel") == () and retired.get("LeiKa-Status") == ("ausgemustert",)
    active = facts.build(sample_catalogue).subject(title)
    assert active is not None and active.get("LeiKa-Schlüssel") == (key,)
    assert active.categories == {"LeiKa-Leistung"}


@pytest.mark.parametrize(
    ("function", "raw", "options", "stored"),
    [
        ("wert", "  a &amp;#124; b ", {}, ["a &#124; b"]),
        ("wert", "   ", {}, []),
        ("werte", "Land, Kommunal; Bund", {"erlaubt": "Bund;Land;Kommunal"}, ["Land", "Kommunal", "Bund"]),
        ("werte", "Land, Kommunal", {"erlaubt": "Land;Kommunal", "einzeln": "ja"}, []),
        ("werte", "Mars", {"erlaubt": "Land"}, []),
        ("seiten", "Bildung, Familie &amp; Kind", {"praefix": "Themenfeld"},
         ["Themenfeld Bildung", "Themenfeld Familie & Kind"]),
        ("seiten", "Bauen, Wohnen", {"praefix": "Lage", "einzeln": "ja"}, ["Lage Bauen, Wohnen"]),
        ("seiten", "a[b], schule", {"praefix": ""}, ["Schule"]),
        ("seiten", "x_y  z", {"praefix": "Lage"}, ["Lage x y z"]),
        ("seiten", "Kommune 05554004, 05554008", {"praefix": "Kommune", "titel": "ja"},
         ["Kommune 05554004", "Kommune 05554008"]),
        ("seiten", "Kommune 05554004", {"praefix": "Kommune"}, ["Kommune Kommune 05554004"]),
        ("datum", "2020-01", {}, ["2020-01"]),
        ("datum", "2019-12-12", {}, ["2019-12-12"]),
        ("datum", "2020-13", {}, []),
        ("datum", "Januar 2020", {}, []),
        ("url", "https://example.org/a", {}, ["https://example.org/a"]),
        ("url", "ftp://example.org", {}, []),
    ],
)  # fmt: skip
def test_storage_rules_of_the_lua_functions(
    function: str, raw: str, options: dict[str, str], stored: list[str]
) -> None:
    assert storage.stored_values(function, raw, options, storage.no_keys) == stored


def test_a_changed_template_changes_what_is_stored() -> None:
    source = """<includeonly>{{#invoke:OZG|wert|{{{A|}}}|attribut=Eins}}
{{#ifeq:{{{B|}}}|alle|[[Kategorie:Alle]]|{{#invoke:OZG|seiten|{{{B|}}}|praefix=Kommune|attribut=Zwei}}}}
{{#if:{{{C|}}}|[[Kategorie:Mit C]]|[[Kategorie:Ohne C]]}}</includeonly><noinclude>
{{#invoke:OZG|wert|{{{A|}}}|attribut=Doku}}</noinclude>"""
    prog = storage.compile_source(source)
    some = storage.stored_by(prog, {"A": "x", "B": "05554004, 05554008", "C": ""}, storage.no_keys)
    assert some.values == {"Eins": ("x",), "Zwei": ("Kommune 05554004", "Kommune 05554008")}
    assert some.categories == {"Ohne C"}
    alle = storage.stored_by(prog, {"B": " alle ", "C": "1"}, storage.no_keys)
    assert alle.values == {} and alle.categories == {"Alle", "Mit C"}


def test_phase_properties_come_from_the_project_template() -> None:
    assert set(facts.PHASE_PROPERTIES.values()) == {
        storage.property_of("Umsetzungsprojekt", p) for p in catalogue_pages.PHASE_PARAMS.values()
    }
    with pytest.raises(KeyError, match="stores no parameter"):
        storage.property_of("Umsetzungsprojekt", "Gibt es nicht")


def test_every_project_and_ozg_leistung_has_a_sort_key(sample_catalogue: Catalogue) -> None:
    """No row falls out of a table because the value a table sorts by is missing (SMW drops such rows)."""
    project = sample_catalogue.umsetzungsprojekte[0]
    without = dataclasses.replace(project, zeitplan={})
    f = facts.build(
        dataclasses.replace(
            sample_catalogue, umsetzungsprojekte=(without, *sample_catalogue.umsetzungsprojekte[1:])
        )
    )
    subject = f.subject(f"Umsetzungsprojekt {project.name}")
    assert subject is not None and subject.get("Roadmap-Reihenfolge") == ("ohne Zeitplan",)
    for p in sample_catalogue.umsetzungsprojekte[1:]:
        s = f.subject(f"Umsetzungsprojekt {p.name}")
        assert s is not None and s.get("Roadmap-Reihenfolge") == (min(m.iso for m in p.zeitplan.values()),)
    loaded = schema.load()
    props = {p.name: p for p in loaded.properties}
    roadmap = next(d for d in loaded.pages if d.file.endswith("roadmap.yaml"))
    page = next(p for p in overview.pages_of(roadmap, f, props) if p.title == "Roadmap")
    selection = overview.select_section(roadmap.sections[0], page, f)
    assert selection.rows[-1].title == f"Umsetzungsprojekt {project.name}" and not selection.hidden
    kommune = next(d for d in loaded.pages if d.file.endswith("kommune.yaml"))
    ahaus = next(p for p in overview.pages_of(kommune, f, props) if p.title == "Ahaus")
    assert not overview.select_section(kommune.sections[0], ahaus, f).hidden


@pytest.mark.parametrize(
    ("raws", "options", "stored"),
    [
        (["2021-02", "2020-11", "x"], {"datum": "ja", "sonst": "ohne"}, ["2020-11"]),
        (["", "2019-12-12", "2020-01"], {"datum": "ja", "sonst": "ohne"}, ["2019-12-12"]),
        (["", "13/2020"], {"datum": "ja", "sonst": "ohne Zeitplan"}, ["ohne Zeitplan"]),
        (["4"], {"erlaubt": "1;2;3", "sonst": "ohne Priorität"}, ["ohne Priorität"]),
        (["2"], {"erlaubt": "1;2;3", "sonst": "ohne Priorität"}, ["2"]),
    ],
)
def test_rank_rule(raws: list[str], options: dict[str, str], stored: list[str]) -> None:
    assert storage.stored_values("rang", raws[0], options, storage.no_keys, raws[1:]) == stored
