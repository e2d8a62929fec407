"""The roadmap SVG of `ozgwiki export`: the wiki's month grid (same rows, phases and warnings as the
Roadmap page), well-formed XML with every project, the legend and the warnings, text escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

import pytest

from ozgwiki import catalogue
from ozgwiki.definitions import schema
from ozgwiki.domain.model import Phase
from ozgwiki.export import roadmap
from ozgwiki.export.records import Page
from ozgwiki.render import facts, gantt, overview
from ozgwiki.render.plans import plan_pages
from ozgwiki.wikitext import escape
from ozgwiki.wikitext.params import set_template_params

SVG = "{http://www.w3.org/2000/svg}"
STAND = date(2026, 11, 29)


def project_pages() -> list[Page]:
    """The sample's Umsetzungsprojekt pages as the importer writes them."""
    return [
        Page(
            plan.title,
            set_template_params(
                "", plan.template, {k: escape.param_value(v) for k, v in plan.params.items()}
            ),
        )
        for plan in plan_pages(catalogue.load(catalogue.sample_path()))
        if plan.template == "Umsetzungsprojekt"
    ]


def texts(svg: str) -> list[str]:
    """Every text the picture shows, in document order."""
    return ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG}text")]


@pytest.fixture(scope="module")
def picture() -> roadmap.Roadmap:
    return roadmap.roadmap_of(project_pages())


def test_the_grid_is_the_one_the_wikis_roadmap_page_shows(picture: roadmap.Roadmap) -> None:
    sample = facts.build(catalogue.load(catalogue.sample_path()))
    loaded = schema.load()
    definition = next(p for p in loaded.pages if p.file == "pages/roadmap.yaml")
    section = next(s for s in definition.sections if s.format == "gantt")
    page = overview.OverviewPage(definition.title, definition, {})
    wiki = gantt.grid(overview.select_section(section, page, sample).rows, sample)
    assert wiki is not None and picture.grid == wiki
    assert picture.heading == "Zeitplan nach Monaten" and picture.bad_dates == ()


def test_the_svg_is_well_formed_and_shows_every_project_the_legend_and_the_warning(
    picture: roadmap.Roadmap,
) -> None:
    svg = roadmap.to_svg(picture, stand=STAND, source="OZG-Wiki")
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("width") == "1280"
    shown = texts(svg)
    for plan in plan_pages(catalogue.load(catalogue.sample_path())):
        if plan.template == "Umsetzungsprojekt":
            assert plan.params["Name"] in shown, plan.params["Name"]
    assert "Legende:" in shown and all(p.label in shown for p in Phase)
    assert "Roadmap – Zeitplan nach Monaten" in shown and "Stand: 29.11.2026 · Quelle: OZG-Wiki" in shown
    assert {"2020", "2021", "Jan", "Dez"} <= set(shown)
    assert (
        "⚠ Phasen in falscher Reihenfolge: Sprengstofferlaubnis: Inbetriebnahme NRW (Juni 2021) liegt vor "
        "Umsetzung (Dezember 2021) – bitte den Zeitplan prüfen." in shown
    )
    tips = {"".join(t.itertext()) for t in root.iter(f"{SVG}title")}
    assert "Umsetzung (Dezember 2021)" in tips  # the wiki table's hover text, per cell
    colours = {r.get("fill") for r in root.iter(f"{SVG}rect")}
    assert {c for c, _letter in gantt.PHASE_STYLE.values()} <= colours


def test_names_are_escaped_and_unreadable_dates_are_warned_about() -> None:
    text = (
        '{{Umsetzungsprojekt|Name=Müll <&> "Sperrgut" ]]>|Vorbereitung=2020-13|Konzeption=2020-05'
        "|Umsetzung=Mai 2021}}"
    )
    picture = roadmap.roadmap_of([Page("Umsetzungsprojekt X", text)])
    svg = roadmap.to_svg(picture, stand=STAND, source="https://wiki.example/w/api.php?a=1&b=2")
    shown = texts(svg)  # parses: < & > ]]> are escaped
    assert 'Müll <&> "Sperrgut" ]]>' in shown
    assert [w.phase for w in picture.bad_dates] == [Phase.VORBEREITUNG, Phase.UMSETZUNG]
    warned = " ".join(t for t in shown if t.startswith("⚠") or "angeben" in t)
    assert "Ungültige Datumsangabe" in warned and "„2020-13“" in warned and "„Mai 2021“" in warned
    assert "⚠" in shown  # the row is marked, too


def test_no_project_with_a_month_shows_the_empty_text() -> None:
    picture = roadmap.roadmap_of([Page("Umsetzungsprojekt Leer", "{{Umsetzungsprojekt|Name=Leer}}")])
    assert picture.grid is None
    shown = texts(roadmap.to_svg(picture, stand=STAND, source="OZG-Wiki"))
    assert "noch keine Umsetzungsprojekte" in shown and "Legende:" not in shown


def test_a_long_span_still_fits_1280_pixels() -> None:
    """Six years of months: narrow cells, one-letter month headings, nothing beyond the width."""
    text = "{{Umsetzungsprojekt|Name=Lang|Vorbereitung=2019-01|Start bundesweiter Roll-out=2024-12}}"
    svg = roadmap.to_svg(roadmap.roadmap_of([Page("U", text)]), stand=STAND, source="w")
    rights = [float(r.get("x")) + float(r.get("width")) for r in ET.fromstring(svg).iter(f"{SVG}rect")]
    assert max(rights) <= 1280.01
    assert "Jan" not in texts(svg) and "J" in texts(svg)
