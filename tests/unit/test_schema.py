"""ozgwiki.definitions.schema: the shipped definitions load, and broken ones fail with file and entry
named."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest
import yaml

from ozgwiki.definitions import schema
from ozgwiki.definitions.schema import SchemaError


@pytest.fixture(scope="module")
def loaded() -> schema.Schema:
    return schema.load()


def test_everything_loads(loaded: schema.Schema) -> None:
    names = {t.name for t in loaded.templates}
    assert names >= {
        "LeiKa-Leistung",
        "OZG-Leistung",
        "Themenfeld",
        "Lage",
        "Kommune",
        "Umsetzungsprojekt",
        "Steckbrief",
        "LeiKa",
        "OZG",
    }
    assert {f.name for f in loaded.forms} == {"Steckbrief", "Umsetzungsprojekt"}
    assert {p.title for p in loaded.navigation} >= {
        "Hauptseite",
        "MediaWiki:Sidebar",
        "Impressum",
        "Datenschutz",
    }
    assert {p.file for p in loaded.pages} == {
        "pages/kommunen.yaml",
        "pages/themenfeld.yaml",
        "pages/groessenklasse.yaml",
        "pages/kommune.yaml",
        "pages/lage.yaml",
        "pages/roadmap.yaml",
    }


def test_titles(loaded: schema.Schema) -> None:
    assert loaded.property("LeiKa-Schlüssel").title == "Attribut:LeiKa-Schlüssel"
    assert loaded.template("Vorlage:LeiKa").file == "LeiKa.wiki"
    assert {t.title for t in loaded.templates if t.is_module} == {"Modul:LeiKa", "Modul:OZG"}
    assert {c.title for c in loaded.categories} >= {
        "Kategorie:LeiKa-Leistung",
        "Kategorie:Ausgemusterte LeiKa-Leistung",
    }
    assert {f.title for f in loaded.forms} == {"Formular:Steckbrief", "Formular:Umsetzungsprojekt"}


@pytest.mark.parametrize("name", sorted(schema.IDENTIFIER_PROPERTIES))
def test_identifiers_are_never_page_or_number(loaded: schema.Schema, name: str) -> None:
    assert loaded.property(name).datatype in {"Text", "External identifier", "Keyword"}


def test_links_between_entities_are_pages_and_phases_are_dates(loaded: schema.Schema) -> None:
    for name in ("Themenfeld", "Lage", "OZG-Leistung", "Kommune", "Kreis"):
        assert loaded.property(name).datatype == "Page", name
    for name in (
        "Beginn Vorbereitung",
        "Beginn Konzeption",
        "Beginn Umsetzung",
        "Beginn Pilotierung NRW",
        "Inbetriebnahme NRW",
        "Start bundesweiter Roll-out",
        "Workshop",
    ):
        assert loaded.property(name).datatype == "Date", name


@pytest.mark.parametrize(
    ("name", "values"),
    [
        ("Priorität", ("1", "2", "3")),
        ("Zuständigkeit", ("Bund", "Land", "Kommunal")),
        ("Reifegrad", ("0", "1", "2", "3", "4")),
        ("LeiKa-Status", ("aktiv", "ausgemustert")),
    ],
)
def test_vocabularies(loaded: schema.Schema, name: str, values: tuple[str, ...]) -> None:
    assert loaded.property(name).allowed == values


def test_vocabularies_exist_for_the_brief(loaded: schema.Schema) -> None:
    for name in ("Größenklasse", "EfA-Typ", "Umsetzungsstatus", "Umsetzungsstand"):
        assert loaded.property(name).allowed, name


def test_property_page_text_uses_smw_syntax(loaded: schema.Schema) -> None:
    text = loaded.property("Priorität").page_text()
    assert "[[Has type::Text]]" in text
    assert "[[Allows value::1]], [[Allows value::2]], [[Allows value::3]]" in text
    assert "{{#set:Has property description=Umsetzungspriorität" in text
    assert text.rstrip().endswith("@de}}")
    assert "[[Has type::Page]]" in loaded.property("Themenfeld").page_text()


def test_category_page_text_names_parent(loaded: schema.Schema) -> None:
    cats = {c.name: c for c in loaded.categories}
    text = cats["Ausgemusterte LeiKa-Leistung"].page_text()
    assert text.endswith("[[Kategorie:LeiKa-Leistung]]\n")
    assert "[[Kategorie:" not in cats["OZG-Wiki"].page_text()


def test_page_title_pattern(loaded: schema.Schema) -> None:
    pages = {p.file: p for p in loaded.pages}
    # Entity pages are the entity's own page, titled by name (ozgwiki.domain.titles): {Seite}.
    assert pages["pages/themenfeld.yaml"].title_for({"Seite": "Bildung", "Name": "Bildung"}) == "Bildung"
    assert pages["pages/kommune.yaml"].title_for({"Seite": "Ahaus", "AGS": "05554004"}) == "Ahaus"
    assert pages["pages/kommunen.yaml"].title == "Kommunen in NRW"
    roadmap = pages["pages/roadmap.yaml"]
    assert roadmap.title == "Roadmap" and roadmap.for_each_category is None
    kommune = pages["pages/kommune.yaml"].sections[0]
    assert [c.header for c in kommune.columns] == [
        "OZG-Leistung",
        "OZG-ID",
        "Zuständigkeiten",
        "Lage",
        "Themenfeld",
        "Priorität",
    ]


# ------------------------------------------------------------------ broken copies of the definitions


@pytest.fixture
def copies(tmp_path: Path) -> tuple[Path, Path]:
    templates = tmp_path / "templates"
    semantic = tmp_path / "semantic"
    shutil.copytree(str(resources.files("ozgwiki.templates")), templates)
    shutil.copytree(str(resources.files("ozgwiki.semantic")), semantic)
    return templates, semantic


def edit_yaml(path: Path, change: Callable[[dict], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def problems_of(copies: tuple[Path, Path]) -> list[str]:
    with pytest.raises(SchemaError) as info:
        schema.load(*copies)
    return info.value.problems


def test_unknown_property_in_column_names_file_and_entry(copies: tuple[Path, Path]) -> None:
    def change(d: dict) -> None:
        d["sections"][0]["columns"][1]["field"] = "OZG-Kennung"

    edit_yaml(copies[1] / "pages" / "kommune.yaml", change)
    assert problems_of(copies) == [
        "semantic/pages/kommune.yaml: section ozg-leistungen: column OZG-ID: unknown property 'OZG-Kennung'"
    ]


@pytest.mark.parametrize("bad_type", ["Page", "Number"])
def test_key_property_as_page_or_number_is_refused(copies: tuple[Path, Path], bad_type: str) -> None:
    def change(d: dict) -> None:
        next(p for p in d["properties"] if p["name"] == "LeiKa-Schlüssel")["type"] = bad_type

    edit_yaml(copies[1] / "properties.yaml", change)
    [problem] = problems_of(copies)
    assert "property LeiKa-Schlüssel" in problem and bad_type in problem


def test_unknown_datatype(copies: tuple[Path, Path]) -> None:
    def change(d: dict) -> None:
        d["properties"][1]["type"] = "Zeichenkette"

    edit_yaml(copies[1] / "properties.yaml", change)
    assert any("unknown type 'Zeichenkette'" in p for p in problems_of(copies))


def test_template_vocabulary_must_match_property(copies: tuple[Path, Path]) -> None:
    path = copies[0] / "OZG-Leistung.wiki"
    path.write_text(
        path.read_text(encoding="utf-8").replace("erlaubt=1;2;3", "erlaubt=1;2;3;4"), encoding="utf-8"
    )
    [problem] = problems_of(copies)
    assert problem.startswith("templates/OZG-Leistung.wiki: allowed values for 'Priorität'")


def test_template_storing_unknown_property(copies: tuple[Path, Path]) -> None:
    path = copies[0] / "Kommune.wiki"
    path.write_text(
        path.read_text(encoding="utf-8").replace("attribut=ARS}}", "attribut=RS}}"), encoding="utf-8"
    )
    assert problems_of(copies) == ["templates/Kommune.wiki: stores unknown property 'RS'"]


def test_unknown_placeholder_and_category(copies: tuple[Path, Path]) -> None:
    def change(d: dict) -> None:
        d["title"] = "Themenfeld {Titel}"
        d["sections"][1]["select"]["category"] = "Lösung"

    edit_yaml(copies[1] / "pages" / "themenfeld.yaml", change)
    assert problems_of(copies) == [
        "semantic/pages/themenfeld.yaml: title: unknown placeholder {Titel}",
        "semantic/pages/themenfeld.yaml: section steckbriefe: unknown category 'Lösung'",
    ]


def test_count_column_needs_a_page_property(copies: tuple[Path, Path]) -> None:
    def change(d: dict) -> None:
        d["sections"][0]["columns"][2]["count"]["field"] = "OZG-ID"

    edit_yaml(copies[1] / "pages" / "themenfeld.yaml", change)
    [problem] = problems_of(copies)
    assert "column LeiKa-Leistungen: count: property 'OZG-ID' must be of type Page" in problem


def test_count_property_stored_by_another_category_is_refused(copies: tuple[Path, Path]) -> None:
    """?-OZG-Leistung would also list Umsetzungsprojekte: the static and #ask counts would differ."""
    path = copies[0] / "Umsetzungsprojekt.wiki"
    text = path.read_text(encoding="utf-8")
    assert "attribut=Umgesetzte OZG-Leistung}}" in text
    text = text.replace("attribut=Umgesetzte OZG-Leistung}}", "attribut=OZG-Leistung}}")
    path.write_text(text, encoding="utf-8")
    problems = problems_of(copies)
    message = "count: property 'OZG-Leistung' is also stored by templates/Umsetzungsprojekt.wiki"
    assert problems and all(message in p for p in problems)
    files = {p.split(":")[0] for p in problems}
    assert files == {
        "semantic/pages/groessenklasse.yaml",
        "semantic/pages/lage.yaml",
        "semantic/pages/themenfeld.yaml",
    }


def test_project_ozg_leistungen_have_their_own_property(loaded: schema.Schema) -> None:
    assert loaded.property("Umgesetzte OZG-Leistung").datatype == "Page"
    source = loaded.template("Vorlage:Umsetzungsprojekt").source
    assert "{{{OZG-IDs|}}}|praefix=OZG-Leistung|namen=ja|attribut=Umgesetzte OZG-Leistung}}" in source


def test_missing_navigation_file_and_broken_marker(copies: tuple[Path, Path]) -> None:
    (copies[1] / "navigation" / "Impressum.wiki").unlink()
    hauptseite = copies[1] / "navigation" / "Hauptseite.wiki"
    hauptseite.write_text(hauptseite.read_text(encoding="utf-8") + "<!--SMW-->", encoding="utf-8")
    problems = problems_of(copies)
    assert (
        "semantic/navigation/seiten.yaml: page Impressum: file navigation/Impressum.wiki does not exist"
        in problems
    )
    assert "semantic/navigation/Hauptseite.wiki: <!--SMW--> is never closed" in problems


def test_unknown_parent_category(copies: tuple[Path, Path]) -> None:
    def change(d: dict) -> None:
        d["categories"][-1]["parent"] = "Vorlagen"

    edit_yaml(copies[1] / "categories.yaml", change)
    assert problems_of(copies) == ["semantic/categories.yaml: category Vorlage: unknown parent 'Vorlagen'"]


def test_all_problems_at_once(copies: tuple[Path, Path]) -> None:
    (copies[1] / "navigation" / "Datenschutz.wiki").unlink()
    (copies[1] / "navigation" / "Impressum.wiki").unlink()
    assert len(problems_of(copies)) == 2


# ------------------------------------------------------------------ property chains, intro, limit


def test_leika_sections_follow_the_ozg_leistung_to_its_groessenklasse(loaded: schema.Schema) -> None:
    pages = {p.file: p for p in loaded.pages}
    for file, value in (("pages/groessenklasse.yaml", "{Wert}"), ("pages/kommune.yaml", "{Größenklasse}")):
        names = [s.name for s in pages[file].sections]
        assert names[names.index("ozg-leistungen") + 1] == "leika-leistungen", file
        leika = pages[file].sections[names.index("leika-leistungen")]
        assert leika.category == "LeiKa-Leistung"
        assert leika.where == (("OZG-Leistung.Größenklasse", value), ("LeiKa-Status", "aktiv"))
        assert schema.chain_of(leika.where[0][0]) == ("OZG-Leistung", "Größenklasse")
        assert [c.header for c in leika.columns] == ["LeiKa-Schlüssel", "Bezeichnung", "OZG-Leistung"]
        assert [k.field for k in leika.sort] == ["OZG-Leistung", "LeiKa-Schlüssel"]
        assert leika.limit == schema.MAX_INLINE_LIMIT and leika.more.startswith("weitere LeiKa-Leistungen")
        assert leika.intro and "\n" not in leika.intro


def _leika_section(d: dict) -> dict:
    return next(s for s in d["sections"] if s["name"] == "leika-leistungen")


@pytest.mark.parametrize(
    ("where", "problem"),
    [
        (
            {"OZG-ID.Größenklasse": "{Größenklasse}"},
            "'OZG-ID.Größenklasse': 'OZG-ID' must be of type Page to be followed",
        ),
        ({"OZG-Leistung.Grösse": "{Größenklasse}"}, "unknown property 'Grösse'"),
    ],
)
def test_a_chain_needs_known_properties_and_pages_to_follow(
    copies: tuple[Path, Path], where: dict, problem: str
) -> None:
    def change(d: dict) -> None:
        _leika_section(d)["select"]["where"] = where

    edit_yaml(copies[1] / "pages" / "kommune.yaml", change)
    here = "semantic/pages/kommune.yaml: section leika-leistungen: where:"
    assert problems_of(copies) == [f"{here} {problem}"]


def test_a_property_name_with_the_chain_separator_is_refused(copies: tuple[Path, Path]) -> None:
    def change(d: dict) -> None:
        d["properties"].append({"name": "Abschn. 2", "type": "Text", "description": "x"})

    edit_yaml(copies[1] / "properties.yaml", change)
    [problem] = problems_of(copies)
    assert problem.startswith("semantic/properties.yaml: property Abschn. 2: a name must not contain '.'")


@pytest.mark.parametrize(
    ("limit", "more", "problem"),
    [
        (5000, "weitere", "limit 5000 exceeds 500, SMW's $smwgQMaxInlineLimit (it would cut the list there)"),
        (0, "weitere", "limit must be a positive whole number, not 0"),
        ("viele", "weitere", "limit must be a positive whole number, not 'viele'"),
        (100, None, "a limit needs 'more', the label of the link to the rest of the list"),
    ],
)
def test_a_limit_stays_within_smw_and_names_its_link_to_the_rest(
    copies: tuple[Path, Path], limit: object, more: str | None, problem: str
) -> None:
    def change(d: dict) -> None:
        section = _leika_section(d)
        section["limit"] = limit
        section.pop("more")
        if more is not None:
            section["more"] = more

    edit_yaml(copies[1] / "pages" / "groessenklasse.yaml", change)
    assert problems_of(copies) == [f"semantic/pages/groessenklasse.yaml: section leika-leistungen: {problem}"]


def test_every_table_section_names_its_limit_and_its_link_to_the_rest(loaded: schema.Schema) -> None:
    """SMW cuts every live list at $smwgQMaxInlineLimit, silently without a searchlabel: no table
    section may leave either out; the gantt grid is computed in full and takes neither."""
    for page in loaded.pages:
        for sec in page.sections:
            if sec.format == "gantt":
                assert sec.more == "", (page.file, sec.name)
                continue
            assert 0 < sec.limit <= schema.MAX_INLINE_LIMIT, (page.file, sec.name)
            assert sec.more.startswith("weitere "), (page.file, sec.name)


@pytest.mark.parametrize(
    ("drop", "problem"),
    [
        ("limit", "missing 'limit' (at most 500, SMW's $smwgQMaxInlineLimit)"),
        ("more", "a limit needs 'more', the label of the link to the rest of the list"),
    ],
)
def test_a_table_section_without_limit_or_more_is_refused(
    copies: tuple[Path, Path], drop: str, problem: str
) -> None:
    def change(d: dict) -> None:
        d["sections"][0].pop(drop)

    edit_yaml(copies[1] / "pages" / "lage.yaml", change)
    assert problems_of(copies) == [f"semantic/pages/lage.yaml: section ozg-leistungen: {problem}"]


def test_a_gantt_section_takes_no_limit(copies: tuple[Path, Path]) -> None:
    def change(d: dict) -> None:
        next(s for s in d["sections"] if s.get("format") == "gantt")["limit"] = 100

    edit_yaml(copies[1] / "pages" / "roadmap.yaml", change)
    assert problems_of(copies) == [
        "semantic/pages/roadmap.yaml: section roadmap-zeitplan: a gantt section is computed in full, "
        "it takes no 'limit' or 'more'"
    ]
