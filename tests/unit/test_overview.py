"""Overview rendering: goldens for the static tables and #ask text, the seed tables, selection rules
and the shape of the live queries. That the live tables show readers the same as the static ones is
checked on a real SMW (tests/smw/) and against its recorded answers (test_ask_recorded.py).

Goldens live in tests/golden/overview/. After an intended change regenerate them with
``OZGWIKI_UPDATE_GOLDEN=1 .venv/bin/pytest tests/unit/test_overview.py tests/unit/test_gantt.py``
and review ``git diff tests/golden/overview`` by hand.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from ozgwiki import catalogue
from ozgwiki.definitions import schema
from ozgwiki.definitions.schema import PageDef
from ozgwiki.render import facts, overview
from ozgwiki.render.facts import Facts, Subject
from ozgwiki.render.overview import OverviewPage
from ozgwiki.wikitext import escape

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "overview"
UPDATE = os.environ.get("OZGWIKI_UPDATE_GOLDEN") == "1"


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text + "\n", encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text + "\n", f"golden {name} differs (see module docstring)"


@pytest.fixture(scope="module")
def loaded() -> schema.Schema:
    return schema.load()


@pytest.fixture(scope="module")
def props(loaded: schema.Schema) -> dict[str, schema.PropertyDef]:
    return {p.name: p for p in loaded.properties}


@pytest.fixture(scope="module")
def cat() -> catalogue.Catalogue:
    return catalogue.load(catalogue.sample_path())


@pytest.fixture(scope="module")
def sample(cat: catalogue.Catalogue) -> Facts:
    return facts.build(cat)


def definition(loaded: schema.Schema, kind: str) -> PageDef:
    return next(p for p in loaded.pages if p.file == f"pages/{kind}.yaml")


def page(loaded: schema.Schema, sample: Facts, props: dict, kind: str, title: str) -> OverviewPage:
    pages = overview.pages_of(definition(loaded, kind), sample, props)
    return next(p for p in pages if p.title == title)


def section_text(loaded, sample, props, kind: str, title: str, section: str, mode: str) -> str:
    p = page(loaded, sample, props, kind, title)
    sec = next(s for s in p.definition.sections if s.name == section)
    return overview.render_section(sec, p, sample, props, mode)


# Which page/section is golden-tested, as (golden name, kind, title, section).
CASES = [
    ("themenfeld-bildung-ozg-leistungen", "themenfeld", "Themenfeld Bildung", "ozg-leistungen"),
    ("themenfeld-bildung-steckbriefe", "themenfeld", "Themenfeld Bildung", "steckbriefe"),
    ("themenfeld-bildung-umsetzungsprojekte", "themenfeld", "Themenfeld Bildung", "umsetzungsprojekte"),
    ("kommune-05554004", "kommune", "Kommune 05554004", "ozg-leistungen"),
    ("roadmap", "roadmap", "Roadmap", "roadmap"),
    ("roadmap-umwelt", "roadmap", "Roadmap/Umwelt", "roadmap"),
    ("lage-schule", "lage", "Lage Schule", "ozg-leistungen"),
    ("lage-bauen-immobilien", "lage", "Lage Bauen & Immobilien", "ozg-leistungen"),
]


@pytest.mark.parametrize(("name", "kind", "title", "section"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("mode", ["static", "ask"])
def test_golden(loaded, sample, props, name, kind, title, section, mode) -> None:
    check_golden(f"{name}.{mode}.wiki", section_text(loaded, sample, props, kind, title, section, mode))


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
            current.append(re.sub(r"\[\[[^|\]]*\|([^\]]*)\]\]", r"\1", cell))
    return rows


def test_ahaus_table_holds_exactly_the_six_seed_rows(loaded, sample, props) -> None:
    text = section_text(loaded, sample, props, "kommune", "Kommune 05554004", "ozg-leistungen", "static")
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


def test_bildung_table_counts_leika_leistungen_per_ozg_leistung(loaded, sample, props, cat) -> None:
    text = section_text(loaded, sample, props, "themenfeld", "Themenfeld Bildung", "ozg-leistungen", "static")
    lagen = re.findall(r"^=== (.+) ===$", text, re.M)
    assert lagen == [f"[[Lage {lage.name}|{lage.name}]]" for lage in cat.lagen_of("Bildung")]
    rows = _cells(text)
    expected = {(o.name, o.ozg_id, str(cat.leika_count(o.ozg_id))) for lage in cat.lagen_of("Bildung")
                for o in cat.ozg_leistungen_of(lage.name)}  # fmt: skip
    assert {tuple(r[:3]) for r in rows} == expected
    assert ("Hortbetreuung", "10040", "1") in expected


@pytest.mark.parametrize("mode", ["static", "ask"])
def test_group_headings_link_the_groups_page_when_group_by_is_a_page(loaded, sample, props, mode) -> None:
    text = section_text(loaded, sample, props, "themenfeld", "Themenfeld Bildung", "ozg-leistungen", mode)
    headings = re.findall(r"^=== (.+) ===$", text, re.M)
    assert "[[Lage Schule|Schule]]" in headings
    assert all(re.fullmatch(r"\[\[Lage [^|\]]+\|[^\]]+\]\]", h) for h in headings), headings


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


def test_lage_page_lists_its_ozg_leistungen_by_name(loaded, sample, props, cat) -> None:
    p = page(loaded, sample, props, "lage", "Lage Schule")
    assert not p.overview_only  # the Lage page itself, below the importer's template
    sec = p.definition.sections[0]
    rows = overview.static_rows(sec, p, sample)
    expected = sorted(cat.ozg_leistungen_of("Schule"), key=lambda o: o.name)
    assert [r.subject for r in rows] == [f"OZG-Leistung {o.ozg_id}" for o in expected]
    schulaufnahme = next(r for r in rows if r.subject == "OZG-Leistung 10041")
    assert schulaufnahme.cells[:3] == (("OZG-Leistung 10041",), ("10041",), (str(cat.leika_count("10041")),))
    text = overview.render_section(sec, p, sample, props, "static")
    assert "| [[OZG-Leistung 10041|Schulaufnahme und -wechsel]]" in text.splitlines()


def test_every_lage_gets_a_page_and_its_empty_text_is_german(loaded, sample, props, cat) -> None:
    pages = overview.pages_of(definition(loaded, "lage"), sample, props)
    assert {p.title for p in pages} == {f"Lage {lage.name}" for lage in cat.lagen}
    empty = Facts([subject("Lage Leer", "Lage", Name="Leer")])
    (p,) = overview.pages_of(definition(loaded, "lage"), empty, props)
    for mode in ("static", "ask"):
        text = overview.render_section(p.definition.sections[0], p, empty, props, mode)
        assert "''dieser Lage sind noch keine OZG-Leistungen zugeordnet''" in text


def test_empty_sections_show_their_empty_text(loaded, sample, props) -> None:
    for mode in ("static", "ask"):
        text = section_text(loaded, sample, props, "themenfeld", "Themenfeld Bildung", "steckbriefe", mode)
        assert "aktuell noch keine bekannt – bitte Steckbrief ausfüllen" in text
    text = section_text(loaded, sample, props, "roadmap", "Roadmap/Bildung", "roadmap", "static")
    assert text.endswith("''noch keine Umsetzungsprojekte''") and "{|" not in text


def test_roadmap_per_themenfeld_pages_use_titles_roadmap_for(loaded, sample, props, cat) -> None:
    from ozgwiki.domain import titles

    got = {p.title for p in overview.pages_of(definition(loaded, "roadmap"), sample, props)}
    assert got == {titles.roadmap_for()} | {titles.roadmap_for(t.name) for t in cat.themenfelder}


def test_umwelt_roadmap_lists_sprengstofferlaubnis_and_altlasten(loaded, sample, props) -> None:
    p = page(loaded, sample, props, "roadmap", "Roadmap/Umwelt")
    rows = overview.static_rows(p.definition.sections[0], p, sample)
    assert [r.subject for r in rows] == [
        "Umsetzungsprojekt Altlasten & Bodenschutzkataster",
        "Umsetzungsprojekt Sprengstofferlaubnis",
    ]


def test_static_output_holds_no_raw_ask_and_no_timestamp(loaded, sample, props) -> None:
    for d in loaded.pages:
        for p in overview.pages_of(d, sample, props)[:3]:
            for sec in d.sections:
                text = overview.render_section(sec, p, sample, props, "static")
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


def test_inverse_count_of_projects_ozg_leistungen_is_exact(loaded, sample, props) -> None:
    """OZG-Leistungen 10480 and 10485 belong to the projects Sprengstofferlaubnis and Altlasten.

    The projects store them as ``Umgesetzte OZG-Leistung``, so ``?-OZG-Leistung`` (the live count's
    printout) lists only LeiKa-Leistungen, like the static count (it used to be one higher).
    """
    p = page(loaded, sample, props, "themenfeld", "Themenfeld Umwelt")
    sec = p.definition.sections[0]
    rows = {r.subject: r.cells for r in overview.static_rows(sec, p, sample)}
    assert rows["OZG-Leistung 10480"][2] == (
        str(len(sample.pointing_to("LeiKa-Leistung", "OZG-Leistung", "OZG-Leistung 10480"))),
    )
    query = overview.ask_query(sec, overview.conditions(sec, p), props)
    assert overview.Printout("OZG-Leistung", "s3", inverse=True) in query.printouts
    projects = sample.pointing_to("Umsetzungsprojekt", "Umgesetzte OZG-Leistung", "OZG-Leistung 10480")
    assert [s.title for s in projects] == ["Umsetzungsprojekt Sprengstofferlaubnis"]
    assert not any(s.get("OZG-Leistung") for s in sample.subjects if "LeiKa-Leistung" not in s.categories)


# ----------------------------------------------------------------------------- the live queries


def test_live_query_prints_only_titles_dates_vocabularies_and_counts(loaded, sample, props) -> None:
    """Free text never travels through SMW's template call (it is pasted unescaped): names and IDs
    are read from the row's page by Modul:OZG, so they have no printout."""
    for d in loaded.pages:
        for p in overview.pages_of(d, sample, props)[:2]:
            for sec in (s for s in d.sections if s.format == "table"):
                query = overview.ask_query(sec, overview.conditions(sec, p), props)
                for printout in query.printouts:
                    prop = props[printout.prop]
                    assert printout.inverse or prop.datatype in ("Page", "Date") or prop.allowed, printout
                assert "Name" not in {pr.prop for pr in query.printouts}
                text = query.text()
                assert " |template=Übersichtszeile" in text and " |format=plainlist" in text
                assert " |introtemplate=Übersichtskopf" in text and " |valuesep=#" in text


def test_live_query_columns_for_the_ahaus_table(loaded, sample, props) -> None:
    p = page(loaded, sample, props, "kommune", "Kommune 05554004")
    sec = p.definition.sections[0]
    query = overview.ask_query(sec, overview.conditions(sec, p), props)
    kinds = [c.split("=", 1)[1].split(":", 1)[0] for c in query.columns.split(";")]
    assert kinds == ["titel", "feld", "wahl", "seiten", "seiten", "abbild"]
    assert query.columns.startswith("OZG-Leistung=titel:Name;OZG-ID=feld:OZG-ID;")
    assert "Zuständigkeiten=wahl:Bund/Land/Kommunal" in query.columns
    assert [pr.label for pr in query.printouts] == ["s3", "s4", "s5", "s6"]
    assert query.where == (("Größenklasse", "Mittlere kreisangehörige Stadt"),)


def test_steckbrief_name_is_read_from_its_titel_parameter(loaded, sample, props) -> None:
    p = page(loaded, sample, props, "themenfeld", "Themenfeld Bildung")
    sec = next(s for s in p.definition.sections if s.name == "steckbriefe")
    assert overview.ask_query(sec, (), props).columns.startswith("Lösung=titel:Titel;")


def test_dates_print_twice_shown_and_iso_for_sorting(loaded, sample, props) -> None:
    p = page(loaded, sample, props, "roadmap", "Roadmap")
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


def test_transform_keeps_human_text_and_the_importers_template(loaded, sample, props) -> None:
    from ozgwiki.bots.regenerate import page_sections, transform_for

    p = page(loaded, sample, props, "themenfeld", "Themenfeld Bildung")
    transform = transform_for(page_sections(p, sample, props, "static"))
    before = "{{Themenfeld\n| Name = Bildung\n}}\nVorwort der Redaktion.\n"
    first = transform(before)
    assert first.startswith(before) and "<!-- ozgwiki:begin steckbriefe -->" in first
    edited = first.replace("Vorwort der Redaktion.", "Vorwort der Redaktion, geändert.") + "Nachwort.\n"
    assert transform(edited) == edited  # converged: nothing to change, human text untouched
    assert transform(first) == first


def test_overview_only_pages_get_a_head_with_the_category(loaded, sample, props) -> None:
    from ozgwiki.bots.regenerate import page_sections

    p = page(loaded, sample, props, "roadmap", "Roadmap")
    names = [name for name, _content in page_sections(p, sample, props, "static")]
    assert names == ["kopf", "roadmap", "roadmap-zeitplan"]
    themenfeld = page(loaded, sample, props, "themenfeld", "Themenfeld Bildung")
    assert "kopf" not in [n for n, _c in page_sections(themenfeld, sample, props, "static")]
