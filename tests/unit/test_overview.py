"""Overview rendering: goldens for the static tables and #ask text, the seed tables, selection rules
and the shape of the live queries. That the live tables show readers the same as the static ones is
checked on a real SMW (tests/smw/) and against its recorded answers (test_ask_recorded.py).

Goldens live in tests/golden/overview/<page>-<section>/<mode>.wiki (tests/golden/README.md). After an
intended change regenerate them with
``OZGWIKI_UPDATE_GOLDEN=1 .venv/bin/pytest tests/unit/test_overview.py tests/unit/test_gantt.py``
and review ``git diff tests/golden/overview`` by hand.
"""

from __future__ import annotations

import dataclasses
import re

import golden
import pytest

from ozgwiki import catalogue
from ozgwiki.definitions import schema
from ozgwiki.definitions.schema import PageDef
from ozgwiki.domain import titles
from ozgwiki.domain.model import Catalogue, Groessenklasse
from ozgwiki.render import facts, overview
from ozgwiki.render.facts import Facts, Subject
from ozgwiki.render.overview import OverviewPage
from ozgwiki.render.plans import title_scheme
from ozgwiki.wikitext import escape

#: The sample's titles, names first (ozgwiki.domain.titles): "Ahaus", not "Kommune 05554004".
NAMES = title_scheme(catalogue.load(catalogue.sample_path()))

#: The one Größenklasse the sample assigns OZG-Leistungen to (Ahaus's).
MITTLERE = Groessenklasse.MITTLERE_KREISANGEHOERIGE_STADT
MITTLERE_PAGE = titles.groessenklasse(MITTLERE.label)


def check_golden(name: str, mode: str, text: str) -> None:
    """One section's rendering in ``mode`` against tests/golden/overview/<name>/<mode>.wiki."""
    golden.check(golden.ROOT / "overview" / name / f"{mode}.wiki", text + "\n")


@pytest.fixture(scope="module")
def loaded() -> schema.Schema:
    return schema.load()


@pytest.fixture(scope="module")
def props(loaded: schema.Schema) -> dict[str, schema.PropertyDef]:
    return {p.name: p for p in loaded.properties}


def definition(loaded: schema.Schema, kind: str) -> PageDef:
    return next(p for p in loaded.pages if p.file == f"pages/{kind}.yaml")


def page(loaded: schema.Schema, sample_facts: Facts, props: dict, kind: str, title: str) -> OverviewPage:
    pages = overview.pages_of(definition(loaded, kind), sample_facts, props)
    return next(p for p in pages if p.title == title)


def section_text(loaded, sample_facts, props, kind: str, title: str, section: str, mode: str) -> str:
    p = page(loaded, sample_facts, props, kind, title)
    sec = next(s for s in p.definition.sections if s.name == section)
    return overview.render_section(sec, p, sample_facts, props, mode)


# Which page/section is golden-tested, as (golden name, kind, title, section).
CASES = [
    ("themenfeld-bildung-ozg-leistungen", "themenfeld", "Bildung", "ozg-leistungen"),
    ("themenfeld-bildung-steckbriefe", "themenfeld", "Bildung", "steckbriefe"),
    ("themenfeld-bildung-umsetzungsprojekte", "themenfeld", "Bildung", "umsetzungsprojekte"),
    ("kommune-05554004", "kommune", "Ahaus", "ozg-leistungen"),
    ("roadmap", "roadmap", "Roadmap", "roadmap"),
    ("roadmap-umwelt", "roadmap", "Roadmap/Umwelt", "roadmap"),
    ("lage-schule", "lage", "Schule", "ozg-leistungen"),
    ("lage-bauen-immobilien", "lage", "Bauen & Immobilien", "ozg-leistungen"),
    ("kommune-05554004-leika", "kommune", NAMES.title("kommune", "05554004"), "leika-leistungen"),
    ("groessenklasse-mittlere-ozg", "groessenklasse", MITTLERE_PAGE, "ozg-leistungen"),
    ("groessenklasse-mittlere-leika", "groessenklasse", MITTLERE_PAGE, "leika-leistungen"),
]


@pytest.mark.parametrize(("name", "kind", "title", "section"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("mode", ["static", "ask"])
def test_golden(loaded, sample_facts, props, name, kind, title, section, mode) -> None:
    check_golden(name, mode, section_text(loaded, sample_facts, props, kind, title, section, mode))


# ----------------------------------------------------------------------------- the seed tables


def _cells(text: str) -> list[list[str]]:
    """Rows of the static tables in a section, as lists of cell texts (links reduced to labels)."""
    rows, current = [], None
    for line in text.splitlines():
        if line == "|-":
            current = []
            rows.append(current)
        elif line.startswith("|}"):
            current = None
        elif current is not None and line.startswith("|"):
            cell = line[1:].strip()
            cell = cell.split(" | ", 1)[1] if cell.startswith("data-sort-value") else cell
            cell = re.sub(r"\[\[[^|\]]*\|([^\]]*)\]\]", r"\1", cell)
            current.append(re.sub(r"\[\[([^|\]]*)\]\]", r"\1", cell))  # [[Titel]]: the title is the label
    return rows


def test_ahaus_table_holds_exactly_the_six_seed_rows(loaded, sample_facts, props) -> None:
    text = section_text(loaded, sample_facts, props, "kommune", "Ahaus", "ozg-leistungen", "static")
    prio = {1: "1 - höchste", 2: "2 - hohe", 3: "3 - niedrige"}
    suffix = " Umsetzungspriorität für die Kommunen in NRW"
    expected = {
        ("Abbruchgenehmigung", "10513", "Kommunal", "Bauen & Immobilien", "Bauen & Wohnen", prio[1] + suffix),
        ("Abfallentsorgung", "10110", "Land, Kommunal", "Wohnen & Umzug", "Bauen & Wohnen", prio[3] + suffix),
        ("Abgeschlossenheitsbescheinigung für Wohnraum", "10514", "Kommunal", "Bauen & Immobilien",
         "Bauen & Wohnen", prio[1] + suffix),
        ("Adoption", "10011", "Land, Kommunal", "Adoption & Pflegekinder", "Familie & Kind",
         prio[3] + suffix),
        ("Erschließungsbeitrag und Anliegerbescheinigung", "10515", "Land, Kommunal", "Bauen & Immobilien",
         "Bauen & Wohnen", prio[3] + suffix),
        ("Auskunfts- und Übermittlungssperren im Melderegister, Adressbuchsperre", "10111", "Kommunal",
         "Wohnen & Umzug", "Bauen & Wohnen", prio[2] + suffix),
    }  # fmt: skip
    rows = _cells(text)
    assert len(rows) == 6 and {tuple(r) for r in rows} == expected
    assert [r[5][0] for r in rows] == sorted(r[5][0] for r in rows)  # sorted by Priorität
    assert 'class="wikitable sortable"' in text


def test_bildung_table_counts_leika_leistungen_per_ozg_leistung(
    loaded, sample_facts, props, sample_catalogue
) -> None:
    text = section_text(loaded, sample_facts, props, "themenfeld", "Bildung", "ozg-leistungen", "static")
    lagen = re.findall(r"^=== (.+) ===$", text, re.M)
    assert lagen == [
        escape.link(NAMES.title("lage", lage.name), lage.name)
        for lage in sample_catalogue.lagen_of("Bildung")
    ]
    rows = _cells(text)
    cat = sample_catalogue
    expected = {(o.name, o.ozg_id, str(cat.leika_count(o.ozg_id))) for lage in cat.lagen_of("Bildung")
                for o in cat.ozg_leistungen_of(lage.name)}  # fmt: skip
    assert {tuple(r[:3]) for r in rows} == expected
    assert ("Hortbetreuung", "10040", "1") in expected


@pytest.mark.parametrize("mode", ["static", "ask"])
def test_group_headings_link_the_groups_page_when_group_by_is_a_page(
    loaded, sample_facts, props, mode
) -> None:
    text = section_text(loaded, sample_facts, props, "themenfeld", "Bildung", "ozg-leistungen", mode)
    headings = re.findall(r"^=== (.+) ===$", text, re.M)
    assert escape.link(NAMES.title("lage", "Schule"), "Schule") in headings
    lagen = {NAMES.title("lage", x.name) for x in catalogue.load(catalogue.sample_path()).lagen}
    assert all((m := re.fullmatch(r"\[\[([^|\]]+)(\|[^\]]+)?\]\]", h)) and m[1] in lagen for h in headings), (
        headings
    )


def test_group_headings_stay_plain_text_for_other_properties(props) -> None:
    """A group value that is not a page (here a Text property) is shown escaped, not linked."""
    sec = schema.SectionDef(
        name="x", heading="X", category="OZG-Leistung", where=(), group_by="OZG-ID",
        columns=(schema.ColumnDef("Seite", field="Seite"),), sort=(schema.SortKey("OZG-ID"),),
    )  # fmt: skip
    f = Facts([subject("A", "OZG-Leistung", **{"OZG-ID": "1|[2]"})])
    p = OverviewPage("P", PageDef(file="x", title="P", description="", sections=(sec,)), {})
    for mode in ("static", "ask"):
        text = overview.render_section(sec, p, f, props, mode)
        assert "=== 1&#124;&#91;2&#93; ===" in text.splitlines(), text


def test_lage_page_lists_its_ozg_leistungen_by_name(loaded, sample_facts, props, sample_catalogue) -> None:
    p = page(loaded, sample_facts, props, "lage", "Schule")
    assert not p.overview_only  # the Lage page itself, below the importer's template
    sec = p.definition.sections[0]
    rows = overview.static_rows(sec, p, sample_facts)
    expected = sorted(sample_catalogue.ozg_leistungen_of("Schule"), key=lambda o: o.name)
    assert [r.subject for r in rows] == [NAMES.title("ozg", o.ozg_id) for o in expected]
    schulaufnahme = next(r for r in rows if r.subject == "Schulaufnahme und -wechsel")
    assert schulaufnahme.cells[:3] == (
        ("Schulaufnahme und -wechsel",),
        ("10041",),
        (str(sample_catalogue.leika_count("10041")),),
    )
    text = overview.render_section(sec, p, sample_facts, props, "static")
    assert "| " + escape.link(NAMES.title("ozg", "10041"), "Schulaufnahme und -wechsel") in text.splitlines()


def test_every_lage_gets_a_page_and_its_empty_text_is_german(
    loaded, sample_facts, props, sample_catalogue
) -> None:
    pages = overview.pages_of(definition(loaded, "lage"), sample_facts, props)
    assert {p.title for p in pages} == {NAMES.title("lage", lage.name) for lage in sample_catalogue.lagen}
    empty = Facts([subject("Lage Leer", "Lage", Name="Leer")])
    (p,) = overview.pages_of(definition(loaded, "lage"), empty, props)
    for mode in ("static", "ask"):
        text = overview.render_section(p.definition.sections[0], p, empty, props, mode)
        assert "''dieser Lage sind noch keine OZG-Leistungen zugeordnet''" in text


def test_empty_sections_show_their_empty_text(loaded, sample_facts, props) -> None:
    for mode in ("static", "ask"):
        text = section_text(loaded, sample_facts, props, "themenfeld", "Bildung", "steckbriefe", mode)
        assert "aktuell noch keine bekannt – bitte Steckbrief ausfüllen" in text
    text = section_text(loaded, sample_facts, props, "roadmap", "Roadmap/Bildung", "roadmap", "static")
    assert text.endswith("''noch keine Umsetzungsprojekte''") and "{|" not in text


def test_roadmap_per_themenfeld_pages_use_titles_roadmap_for(
    loaded, sample_facts, props, sample_catalogue
) -> None:
    from ozgwiki.domain import titles

    got = {p.title for p in overview.pages_of(definition(loaded, "roadmap"), sample_facts, props)}
    assert got == {titles.roadmap_for()} | {titles.roadmap_for(t.name) for t in sample_catalogue.themenfelder}


def test_umwelt_roadmap_lists_sprengstofferlaubnis_and_altlasten(loaded, sample_facts, props) -> None:
    p = page(loaded, sample_facts, props, "roadmap", "Roadmap/Umwelt")
    rows = overview.static_rows(p.definition.sections[0], p, sample_facts)
    assert [r.subject for r in rows] == [
        "Umsetzungsprojekt Altlasten & Bodenschutzkataster",
        "Umsetzungsprojekt Sprengstofferlaubnis",
    ]


def test_static_output_holds_no_raw_ask_and_no_timestamp(loaded, sample_facts, props) -> None:
    for d in loaded.pages:
        for p in overview.pages_of(d, sample_facts, props)[:3]:
            for sec in d.sections:
                text = overview.render_section(sec, p, sample_facts, props, "static")
                assert "{{#ask" not in text and "Stand:" not in text


# ----------------------------------------------------------------------------- selection rules


def subject(title: str, cat: str = "K", **values: str | tuple[str, ...]) -> Subject:
    return Subject(
        title, frozenset({cat}), {k: v if isinstance(v, tuple) else (v,) for k, v in values.items()}
    )


def test_rows_without_a_sort_value_are_left_out_in_both_renderings_and_reported() -> None:
    f = Facts([subject("B", Name="b"), subject("A", Name="a"), subject("C")])
    sel = overview.select(f, "K", [], [("Name", False)])
    assert [s.title for s in sel.rows] == ["A", "B"] and [s.title for s in sel.hidden] == ["C"]


def test_sort_is_code_point_order_then_title_and_descending_works() -> None:
    f = Facts([subject("1", Name="Zoo"), subject("2", Name="Äpfel"), subject("3", Name="Apfel")])
    assert [s.title for s in overview.select(f, "K", [], [("Name", False)]).rows] == ["3", "1", "2"]
    assert [s.title for s in overview.select(f, "K", [], [("Name", True)]).rows] == ["2", "1", "3"]


def test_escape_keeps_cells_and_links_intact() -> None:
    assert escape.cell("a|b [[x]] {{y}} <b>'''") == (
        "a&#124;b &#91;&#91;x&#93;&#93; &#123;&#123;y&#125;&#125; &lt;b&gt;&#39;&#39;&#39;"
    )
    assert escape.cell("Bauen & Wohnen") == "Bauen & Wohnen"
    assert escape.cell("&amp;") == "&amp;amp;"


def test_inverse_count_of_projects_ozg_leistungen_is_exact(loaded, sample_facts, props) -> None:
    """OZG-Leistungen 10480 and 10485 belong to the projects Sprengstofferlaubnis and Altlasten.

    The projects store them as ``Umgesetzte OZG-Leistung``, so ``?-OZG-Leistung`` (the live count's
    printout) lists only LeiKa-Leistungen, like the static count (it used to be one higher).
    """
    p = page(loaded, sample_facts, props, "themenfeld", "Umwelt")
    sec = p.definition.sections[0]
    rows = {r.subject: r.cells for r in overview.static_rows(sec, p, sample_facts)}
    assert rows["Sprengstofferlaubnis"][2] == (
        str(len(sample_facts.pointing_to("LeiKa-Leistung", "OZG-Leistung", "Sprengstofferlaubnis"))),
    )
    query = overview.ask_query(sec, overview.conditions(sec, p), props)
    assert overview.Printout("OZG-Leistung", "s3", inverse=True) in query.printouts
    projects = sample_facts.pointing_to(
        "Umsetzungsprojekt", "Umgesetzte OZG-Leistung", "Sprengstofferlaubnis"
    )
    assert [s.title for s in projects] == ["Umsetzungsprojekt Sprengstofferlaubnis"]
    assert not any(
        s.get("OZG-Leistung") for s in sample_facts.subjects if "LeiKa-Leistung" not in s.categories
    )


# ----------------------------------------------------------------------------- the LeiKa tables
#
# The guide's step 2 shows two tabs per Größenklasse: its OZG-Leistungen and its LeiKa-Leistungen. The
# wiki shows them as two sections one after the other on the Größenklasse and on each Kommune page.

#: MediaWiki's default $wgMaxArticleSize (2048 KiB): a longer page cannot be saved at all.
MAX_ARTICLE_BYTES = 2048 * 1024
AACHEN = Groessenklasse.REGIONSANGEHOERIGE_STADT_AACHEN
KINDS_OF_TABLES = ("OZG-Leistungen", "LeiKa-Leistungen")
AHAUS = "05554004"


def expected_leika(cat: Catalogue, klasse: Groessenklasse) -> list[tuple[str, str, str]]:
    """(key, Bezeichnung, name of the OZG-Leistung) the LeiKa table lists for ``klasse``, from the
    catalogue alone: every key whose LeiKa-Leistung belongs to an OZG-Leistung that Kommunen of that class
    implement (Aachen's as a kreisfreie Stadt's) and that is not retired, by OZG-Leistung page, then key."""
    rows = []
    for x in cat.leika_leistungen:
        o = cat.ozg_leistung(x.ozg_id) if x.ozg_id else None
        retired = x.schluessel in cat.retired_keys
        if o is not None and klasse.leistungen_wie in o.groessenklassen and not retired:
            rows.append((NAMES.title("ozg", o.ozg_id), x.schluessel, x.bezeichnung, o.name))
    return [(key, name, ozg) for _page, key, name, ozg in sorted(rows)]


def leika_pages(klasse: Groessenklasse, cat: Catalogue) -> list[tuple[str, str]]:
    """(kind, title) of the pages with a LeiKa table for ``klasse``: its own and one Kommune's."""
    kommune = next(k for k in cat.kommunen if k.groessenklasse is klasse)
    return [
        ("groessenklasse", titles.groessenklasse(klasse.label)),
        ("kommune", title_scheme(cat).title("kommune", kommune.ags)),
    ]


def leika_section(p: OverviewPage) -> schema.SectionDef:
    return next(s for s in p.definition.sections if s.name == "leika-leistungen")


def with_only_kreisfrei(cat: Catalogue) -> tuple[Catalogue, str]:
    """The sample with one OZG-Leistung moved to kreisfreie Städte only (the Aachen case); its OZG-ID."""
    first = next(o for o in cat.ozg_leistungen if o.prioritaet and o.leika_schluessel)
    kreisfrei = dataclasses.replace(first, groessenklassen=frozenset({Groessenklasse.KREISFREIE_STADT}))
    moved = tuple(kreisfrei if o is first else o for o in cat.ozg_leistungen)
    return dataclasses.replace(cat, ozg_leistungen=moved), first.ozg_id


@pytest.mark.parametrize("kind", ["groessenklasse", "kommune"])
def test_leika_table_lists_exactly_the_keys_of_the_classes_ozg_leistungen(
    loaded, sample_facts, props, sample_catalogue, kind
) -> None:
    title = dict(leika_pages(MITTLERE, sample_catalogue))[kind]
    text = section_text(loaded, sample_facts, props, kind, title, "leika-leistungen", "static")
    expected = expected_leika(sample_catalogue, MITTLERE)
    # the other direction (the OZG-Leistungen's key lists) gives the same 60 keys of Ahaus's class
    assert {k for k, _n, _o in expected} == {
        x.schluessel for x in sample_catalogue.leika_leistungen_for(MITTLERE)
    }
    assert len(expected) == 60
    assert [tuple(r) for r in _cells(text)] == expected
    lines = text.splitlines()
    assert all(f"| [[{NAMES.title('leika', k)}|{k}]]" in lines for k, _n, _o in expected)
    assert f"| [[{NAMES.title('ozg', '10513')}|Abbruchgenehmigung]]" in lines
    assert "! LeiKa-Schlüssel !! Bezeichnung !! OZG-Leistung" in lines


@pytest.mark.parametrize("mode", ["static", "ask"])
def test_the_two_tabs_are_two_headed_sections_one_after_the_other(
    loaded, sample_facts, props, sample_catalogue, mode
) -> None:
    from ozgwiki.bots.regenerate import page_sections, transform_for

    for (kind, title), noun in zip(
        leika_pages(MITTLERE, sample_catalogue), ("Größenklasse", "Kommune"), strict=True
    ):
        p = page(loaded, sample_facts, props, kind, title)
        sections = page_sections(p, sample_facts, props, mode)
        names = [name for name, _content in sections]
        assert names[names.index("ozg-leistungen") + 1] == "leika-leistungen", names
        lines = transform_for(sections)("").splitlines()
        for heading in (f"OZG-Leistungen für diese {noun}", f"LeiKa-Leistungen für diese {noun}"):
            i = lines.index(f"== {heading} ==")
            intro = lines[i + 1]  # a sentence of its own paragraph, saying what the table lists
            assert intro.startswith("Die ") and intro.endswith("."), (heading, intro)
            # the table ends the intro's paragraph; a blank line made an empty one in the live table
            assert lines[i + 2].startswith("{|" if mode == "static" else "{{#ask:"), (heading, lines[i + 2])
        ozg, leika = (lines.index(f"== {kind_} für diese {noun} ==") for kind_ in KINDS_OF_TABLES)
        assert ozg < leika and not [x for x in lines[ozg + 1 : leika] if x.startswith("== ")]


def test_retired_keys_are_left_out_by_their_status_not_hidden(loaded, props, sample_catalogue) -> None:
    """A retired key's page stays in Kategorie:LeiKa-Leistung (Status ausgemustert, no key stored): the
    status condition keeps it out of both renderings, and it is not reported as a row without sort value."""
    key = sample_catalogue.leika_leistungen_for(MITTLERE)[0].schluessel
    retired = dataclasses.replace(sample_catalogue, retired_keys=frozenset({key}))
    f = facts.build(retired)
    page_of_key = f.subject(NAMES.title("leika", key))
    assert page_of_key is not None and "LeiKa-Leistung" in page_of_key.categories
    assert page_of_key.get("OZG-Leistung") and page_of_key.get("LeiKa-Status") == ("ausgemustert",)
    expected = [NAMES.title("leika", k) for k, _n, _o in expected_leika(retired, MITTLERE)]
    assert len(expected) == 59 and NAMES.title("leika", key) not in expected
    for kind, title in leika_pages(MITTLERE, retired):
        p = page(loaded, f, props, kind, title)
        selection = overview.select_section(leika_section(p), p, f)
        assert [s.title for s in selection.rows] == expected and selection.hidden == ()
        query = overview.ask_query(leika_section(p), overview.conditions(leika_section(p), p), props)
        assert "[[LeiKa-Status::aktiv]]" in query.condition_text()


def test_aachen_lists_the_leika_leistungen_of_kreisfreie_staedte(loaded, props, sample_catalogue) -> None:
    """Aachen (regionsangehörig) implements what kreisfreie Städte implement, in the LeiKa table too."""
    changed, ozg_id = with_only_kreisfrei(sample_catalogue)
    f = facts.build(changed)
    expected = [NAMES.title("leika", k) for k, _n, _o in expected_leika(changed, AACHEN)]
    assert set(expected) == {NAMES.title("leika", k) for k in changed.ozg_leistung(ozg_id).leika_schluessel}  # type: ignore[union-attr]
    for klasse in (AACHEN, Groessenklasse.KREISFREIE_STADT):
        for kind, title in leika_pages(klasse, changed):
            p = page(loaded, f, props, kind, title)
            assert [r.subject for r in overview.static_rows(leika_section(p), p, f)] == expected, title
    mittlere = page(loaded, f, props, "groessenklasse", MITTLERE_PAGE)
    rows = {r.subject for r in overview.static_rows(leika_section(mittlere), mittlere, f)}
    assert rows.isdisjoint(expected)


@pytest.mark.parametrize("kind", ["groessenklasse", "kommune"])
def test_live_leika_query_follows_the_chain_and_links_the_rest(
    loaded, sample_facts, props, sample_catalogue, kind
) -> None:
    title = dict(leika_pages(MITTLERE, sample_catalogue))[kind]
    p = page(loaded, sample_facts, props, kind, title)
    sec = leika_section(p)
    query = overview.ask_query(sec, overview.conditions(sec, p), props)
    assert query.condition_text() == (
        "[[Kategorie:LeiKa-Leistung]] [[OZG-Leistung.Größenklasse::Mittlere kreisangehörige Stadt]]"
        " [[LeiKa-Status::aktiv]]"
    )
    assert query.columns == (
        "LeiKa-Schlüssel=titel:Schlüssel;Bezeichnung=feld:Bezeichnung;OZG-Leistung=seiten:Name"
    )
    assert query.sort == ("OZG-Leistung", "LeiKa-Schlüssel") and query.order == ("asc", "asc")
    lines = query.text().splitlines()
    # SMW shows at most $smwgQMaxInlineLimit rows; past them its "weitere" link opens Special:Ask
    assert f" |limit={schema.MAX_INLINE_LIMIT}" in lines
    noun = "Größenklasse" if kind == "groessenklasse" else "Kommune"
    assert f" |searchlabel=weitere LeiKa-Leistungen dieser {noun}" in lines


def test_aachen_live_query_asks_for_aachens_class(loaded, props, sample_catalogue) -> None:
    changed, _ozg_id = with_only_kreisfrei(sample_catalogue)
    f = facts.build(changed)
    for kind, title in leika_pages(AACHEN, changed):
        p = page(loaded, f, props, kind, title)
        text = overview.render_section(leika_section(p), p, f, props, "ask")
        assert "[[OZG-Leistung.Größenklasse::regionsangehörige Stadt Aachen]]" in text, title


def test_static_leika_pages_stay_far_below_the_page_size_on_the_real_catalogue(loaded, props) -> None:
    """Worst case on the real NRW catalogue (557 OZG-Leistungen, 4,813 keys): every OZG-Leistung for
    every Größenklasse. The static pages list every key and must still save with room to spare."""
    from ozgwiki.bots.regenerate import page_sections, transform_for

    real = catalogue.load("nrw")
    every = frozenset(Groessenklasse)
    worst = dataclasses.replace(
        real, ozg_leistungen=tuple(dataclasses.replace(o, groessenklassen=every) for o in real.ozg_leistungen)
    )
    f = facts.build(worst)
    with_ozg = {x.schluessel for x in real.leika_leistungen if x.ozg_id and real.ozg_leistung(x.ozg_id)}
    assert len(with_ozg) > 4700
    biggest = max(Groessenklasse, key=lambda g: sum(1 for k in real.kommunen if k.groessenklasse is g))
    for kind, title in leika_pages(biggest, real):
        p = page(loaded, f, props, kind, title)
        assert len(overview.static_rows(leika_section(p), p, f)) == len(with_ozg - real.retired_keys)
        size = len(transform_for(page_sections(p, f, props, "static"))("").encode("utf-8"))
        # Links to name titles are longer than to "LeiKa <key>" (about 1.1 MB here, from 0.87 MB): the
        # page must still keep a third of MediaWiki's limit free.
        assert size < MAX_ARTICLE_BYTES * 2 // 3, (title, size)


def test_a_chain_condition_follows_the_page_value_to_its_subject() -> None:
    f = Facts(
        [
            subject("L1", "L", **{"OZG-Leistung": "O1"}),
            subject("L2", "L", **{"OZG-Leistung": "O2"}),
            subject("L3", "L", **{"OZG-Leistung": "O fehlt"}),  # its page is not in the facts
            subject("L4", "L"),
            subject("O1", "O", Größenklasse=("A", "B"), Lage="G1"),
            subject("O2", "O", Größenklasse="B"),
            subject("G1", "G", Themenfeld="T"),
        ]
    )

    def rows(where: list[tuple[str, str]]) -> list[str]:
        return [s.title for s in overview.select(f, "L", where, []).rows]

    assert rows([("OZG-Leistung.Größenklasse", "A")]) == ["L1"]
    assert rows([("OZG-Leistung.Größenklasse", "B")]) == ["L1", "L2"]
    assert rows([("OZG-Leistung.Lage.Themenfeld", "T")]) == ["L1"]
    assert rows([("OZG-Leistung", "O fehlt")]) == ["L3"]  # a plain condition needs no page behind it
    assert rows([("OZG-Leistung.Größenklasse", "B"), ("OZG-Leistung", "O2")]) == ["L2"]
    l1 = f.subject("L1")
    assert l1 is not None and overview.chain_values(f, l1, "OZG-Leistung.Größenklasse") == ("A", "B")


# ----------------------------------------------------------------------------- the live queries


def test_live_query_prints_only_titles_dates_vocabularies_and_counts(loaded, sample_facts, props) -> None:
    """Free text never travels through SMW's template call (it is pasted unescaped): names and IDs
    are read from the row's page by Modul:OZG, so they have no printout."""
    for d in loaded.pages:
        for p in overview.pages_of(d, sample_facts, props)[:2]:
            for sec in (s for s in d.sections if s.format == "table"):
                query = overview.ask_query(sec, overview.conditions(sec, p), props)
                for printout in query.printouts:
                    prop = props[printout.prop]
                    assert printout.inverse or prop.datatype in ("Page", "Date") or prop.allowed, printout
                assert "Name" not in {pr.prop for pr in query.printouts}
                text = query.text()
                assert " |template=Übersichtszeile" in text and " |format=plainlist" in text
                assert " |introtemplate=Übersichtskopf" in text and " |valuesep=#" in text


def test_live_query_columns_for_the_ahaus_table(loaded, sample_facts, props) -> None:
    p = page(loaded, sample_facts, props, "kommune", "Ahaus")
    sec = p.definition.sections[0]
    query = overview.ask_query(sec, overview.conditions(sec, p), props)
    kinds = [c.split("=", 1)[1].split(":", 1)[0] for c in query.columns.split(";")]
    assert kinds == ["titel", "feld", "wahl", "seiten", "seiten", "abbild"]
    assert query.columns.startswith("OZG-Leistung=titel:Name;OZG-ID=feld:OZG-ID;")
    assert "Zuständigkeiten=wahl:Bund/Land/Kommunal" in query.columns
    assert [pr.label for pr in query.printouts] == ["s3", "s4", "s5", "s6"]
    assert query.where == (("Größenklasse", "Mittlere kreisangehörige Stadt"),)


def test_steckbrief_name_is_read_from_its_titel_parameter(loaded, sample_facts, props) -> None:
    p = page(loaded, sample_facts, props, "themenfeld", "Bildung")
    sec = next(s for s in p.definition.sections if s.name == "steckbriefe")
    assert overview.ask_query(sec, (), props).columns.startswith("Lösung=titel:Titel;")


def test_dates_print_twice_shown_and_iso_for_sorting(loaded, sample_facts, props) -> None:
    p = page(loaded, sample_facts, props, "roadmap", "Roadmap")
    query = overview.ask_query(p.definition.sections[0], (), props)
    assert overview.Printout("Beginn Vorbereitung", "s4") in query.printouts
    assert overview.Printout("Beginn Vorbereitung", "s4i", output="ISO") in query.printouts
    assert " |?Beginn Vorbereitung#ISO=s4i" in query.text()


def test_a_vocabulary_value_that_could_break_the_row_template_is_refused(loaded, props) -> None:
    sec = schema.SectionDef(
        name="x", heading="X", category="Kommune", where=(),
        columns=(schema.ColumnDef("Kommune", field="Seite"), schema.ColumnDef("R", field="Regierungsbezirk")),
        sort=(),
    )  # fmt: skip
    broken = dict(props)
    broken["Regierungsbezirk"] = schema.PropertyDef("Regierungsbezirk", "Text", "", allowed=("Köln", "a|b"))
    with pytest.raises(ValueError, match="cannot pass SMW's row template"):
        overview.ask_query(sec, (), broken)


def test_several_values_are_ordered_like_the_live_table(props) -> None:
    """SMW prints several values in no fixed order; both renderings sort them the same way."""
    assert overview.page_order(["Themenfeld Querschnitt", "Themenfeld Familie & Kind", "Themenfeld Ab"]) == [
        "Themenfeld Ab", "Themenfeld Familie & Kind", "Themenfeld Querschnitt"]  # fmt: skip
    assert overview.page_order(["Lage A B", "Lage Äb", "Lage A-B"]) == ["Lage A-B", "Lage A B", "Lage Äb"]
    assert overview.vocabulary_order(["Kommunal", "Bund", "x"], ["Bund", "Land", "Kommunal"]) == [
        "Bund", "Kommunal", "x"]  # fmt: skip


# ----------------------------------------------------------------------------- the bot's pure parts


@pytest.mark.parametrize(
    ("mode", "configured", "smw", "expected"),
    [
        ("auto", None, True, "ask"),
        ("auto", None, False, "static"),
        ("auto", "static", True, "static"),
        ("static", "ask", True, "static"),
        ("ask", None, True, "ask"),
    ],
)
def test_mode_resolution(mode: str, configured: str | None, smw: bool, expected: str) -> None:
    from ozgwiki.bots.regenerate import resolve_mode

    assert resolve_mode(mode, configured, smw) == expected


def test_ask_mode_is_refused_without_smw() -> None:
    from ozgwiki.bots.regenerate import resolve_mode
    from ozgwiki.errors import ConfigError

    with pytest.raises(ConfigError, match="Semantic MediaWiki"):
        resolve_mode("ask", None, False)
    with pytest.raises(ConfigError, match=r"regenerate\.mode"):
        resolve_mode("auto", "live", True)


def test_purge_only_pages_whose_sources_changed_after_their_rendering() -> None:
    from ozgwiki.bots.regenerate import to_purge

    subjects = {"Roadmap": {"Umsetzungsprojekt A"}, "Themenfeld X": {"OZG-Leistung 1"}, "Neu": {"B"}}
    touched = {"Roadmap": "2024-01-02T00:00:00Z", "Themenfeld X": "2024-01-02T00:00:00Z"}
    changes = [("Umsetzungsprojekt A", "2024-01-03T00:00:00Z"), ("OZG-Leistung 1", "2024-01-01T00:00:00Z")]
    assert to_purge(subjects, touched, changes) == ["Roadmap"]
    assert to_purge(subjects, touched, []) == []


def test_transform_keeps_human_text_and_the_importers_template(loaded, sample_facts, props) -> None:
    from ozgwiki.bots.regenerate import page_sections, transform_for

    p = page(loaded, sample_facts, props, "themenfeld", "Bildung")
    transform = transform_for(page_sections(p, sample_facts, props, "static"))
    before = "{{Themenfeld\n| Name = Bildung\n}}\nVorwort der Redaktion.\n"
    first = transform(before)
    assert first.startswith(before) and "<!-- ozgwiki:begin steckbriefe -->" in first
    edited = first.replace("Vorwort der Redaktion.", "Vorwort der Redaktion, geändert.") + "Nachwort.\n"
    assert transform(edited) == edited  # converged: nothing to change, human text untouched
    assert transform(first) == first


def test_overview_only_pages_get_a_head_with_the_category(loaded, sample_facts, props) -> None:
    from ozgwiki.bots.regenerate import page_sections

    p = page(loaded, sample_facts, props, "roadmap", "Roadmap")
    names = [name for name, _content in page_sections(p, sample_facts, props, "static")]
    assert names == ["kopf", "roadmap", "roadmap-zeitplan"]
    themenfeld = page(loaded, sample_facts, props, "themenfeld", "Bildung")
    assert "kopf" not in [n for n, _c in page_sections(themenfeld, sample_facts, props, "static")]


# ----------------------------------------------------------------------------- placing a new section
#
# A definition that gains a section (the LeiKa tables) must not append it below the page's later
# sections: it goes next to its neighbours in the definition, and every human byte stays as it was.


def _blocks(sections: list[tuple[str, str]]) -> dict[str, str]:
    """Each section as the bot writes it, markers included."""
    from ozgwiki.wikitext.sections import section_markers

    return {
        name: "\n".join([section_markers(name)[0], content, section_markers(name)[1]])
        for name, content in sections
    }


@pytest.fixture
def groessenklasse_blocks(loaded, sample_facts, props) -> tuple[object, dict[str, str]]:
    from ozgwiki.bots.regenerate import page_sections, transform_for

    sections = page_sections(
        page(loaded, sample_facts, props, "groessenklasse", MITTLERE_PAGE), sample_facts, props, "static"
    )
    assert [n for n, _c in sections] == ["kopf", "ozg-leistungen", "leika-leistungen", "kommunen"]
    return transform_for(sections), _blocks(sections)


def test_a_new_section_goes_between_its_neighbours_and_human_text_stays(groessenklasse_blocks) -> None:
    transform, b = groessenklasse_blocks
    between = "\n\nText der Redaktion zwischen den Tabellen.\n"
    stale = b["kommunen"].replace("{| class", "Alte Tabelle.\n{| class")
    existing = f"{b['kopf']}\nVorwort.\n{b['ozg-leistungen']}{between}{stale}\nNachwort.\n"
    first = transform(existing)
    assert first == (
        f"{b['kopf']}\nVorwort.\n{b['ozg-leistungen']}\n{b['leika-leistungen']}{between}{b['kommunen']}\nNachwort.\n"
    )
    assert transform(first) == first


def test_a_new_section_goes_before_the_first_following_one_the_page_has(groessenklasse_blocks) -> None:
    transform, b = groessenklasse_blocks
    existing = f"Vorwort.\n{b['kommunen']}\nNachwort.\n"
    first = transform(existing)
    assert first == (
        f"{b['kopf']}\nVorwort.\n{b['ozg-leistungen']}\n{b['leika-leistungen']}\n{b['kommunen']}\nNachwort.\n"
    )
    assert transform(first) == first


def test_a_page_without_any_section_gets_all_in_order_below_its_text(groessenklasse_blocks) -> None:
    transform, b = groessenklasse_blocks
    first = transform("Nur Text der Redaktion.\n")
    assert first == (
        f"{b['kopf']}\nNur Text der Redaktion.\n"
        f"{b['ozg-leistungen']}\n{b['leika-leistungen']}\n{b['kommunen']}"
    )
    assert transform(first) == first
    assert transform("") == "\n".join(b.values())  # a new page: the same order


def test_placing_next_to_a_neighbour_keeps_crlf_and_refuses_its_broken_markers() -> None:
    from ozgwiki.errors import PageTextError
    from ozgwiki.wikitext.sections import replace_section

    text = (
        "Kopf\r\n<!-- ozgwiki:begin a -->\r\nA\r\n<!-- ozgwiki:end a -->\r\n"
        "Mitte\r\n<!-- ozgwiki:begin c -->\r\nC\r\n<!-- ozgwiki:end c -->"
    )
    placed = replace_section(text, "b", "B", after=["a"], before=["c"])
    assert placed == text.replace(
        "end a -->\r\n", "end a -->\r\n<!-- ozgwiki:begin b -->\r\nB\r\n<!-- ozgwiki:end b -->\r\n"
    )
    assert replace_section(text, "b", "B", after=["x"], before=["c"]) == text.replace(
        "Mitte\r\n", "Mitte\r\n<!-- ozgwiki:begin b -->\r\nB\r\n<!-- ozgwiki:end b -->\r\n"
    )
    with pytest.raises(PageTextError, match="section 'a' has 2 begin"):
        replace_section(text + "<!-- ozgwiki:begin a -->", "b", "B", after=["a"])


# ----------------------------------------------------------------------------- the line under the intro


def test_no_blank_line_under_the_intro_and_the_empty_text_is_a_paragraph_of_its_own(props) -> None:
    """The live table's head starts with a line break of its own (Modul:OZG's kopf), so a blank line
    under the intro gave the live rendering an empty paragraph; the empty text, which would join the
    intro's paragraph, is marked as one of its own -- the same lines in both renderings."""
    sec = schema.SectionDef(
        name="x", heading="X", category="Kommune", where=(), intro="Die Liste.", empty="nichts",
        columns=(schema.ColumnDef("Seite", field="Seite"),), sort=(),
    )  # fmt: skip
    p = OverviewPage("P", PageDef(file="x", title="P", description="", sections=(sec,)), {})
    full, empty = Facts([subject("A", "Kommune")]), Facts([])
    assert overview.render_section(sec, p, full, props, "static").splitlines()[:3] == [
        "== X ==", "Die Liste.", '{| class="wikitable sortable"']  # fmt: skip
    assert overview.render_section(sec, p, full, props, "ask").splitlines()[:3] == [
        "== X ==", "Die Liste.", "{{#ask: [[Kategorie:Kommune]]"]  # fmt: skip
    assert overview.render_section(sec, p, empty, props, "static") == "== X ==\nDie Liste.\n<p>''nichts''</p>"
    assert " |default=<p>''nichts''</p>" in overview.render_section(sec, p, empty, props, "ask").splitlines()
    plain = dataclasses.replace(sec, intro="")
    assert overview.render_section(plain, p, empty, props, "static") == "== X ==\n''nichts''"


# ----------------------------------------------------------------------------- cut live lists say so


def test_every_live_query_stays_within_smws_inline_limit_and_links_the_rest(
    loaded, sample_facts, props
) -> None:
    """SMW shows at most $smwgQMaxInlineLimit rows of an inline query whatever ``limit=`` says, silently
    without a searchlabel: every table section of every definition asks for at most that many and
    names its German "weitere …" link."""
    seen = 0
    for d in loaded.pages:
        for sec in (s for s in d.sections if s.format == "table"):
            p = overview.pages_of(d, sample_facts, props)[0]
            lines = overview.ask_query(sec, overview.conditions(sec, p), props).text().splitlines()
            limit = int(next(x for x in lines if x.startswith(" |limit=")).removeprefix(" |limit="))
            assert 0 < limit <= schema.MAX_INLINE_LIMIT, (d.file, sec.name)
            label = next(x for x in lines if x.startswith(" |searchlabel=")).removeprefix(" |searchlabel=")
            assert label.startswith("weitere ") and label == sec.more, (d.file, sec.name)
            seen += 1
    assert seen >= 10  # at least the tables of the five original definitions


def test_a_row_without_a_group_value_belongs_to_no_group_and_is_not_hidden(
    loaded, sample_facts, props
) -> None:
    """ "Kommunen in NRW" groups by Kreis: the Kreis itself has none, is no hidden row, and no table."""
    p = page(loaded, sample_facts, props, "kommunen", "Kommunen in NRW")
    sec = next(s for s in p.definition.sections if s.name == "muenster-kreise")
    selection = overview.select_section(sec, p, sample_facts)
    assert [s.title for s in selection.rows] == ["Ahaus", "Bocholt", "Gescher", "Heek"]
    assert selection.hidden == ()
    ungrouped = dataclasses.replace(sec, group_by=None)  # the same rows, but now the Kreis is hidden
    assert [s.title for s in overview.select_section(ungrouped, p, sample_facts).hidden] == ["Kreis Borken"]
