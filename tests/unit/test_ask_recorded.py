"""The ``ask`` rendering against what a real Semantic MediaWiki 4.2 answered (tests/data/smw/).

The recording (``tests/smw/record.py``, ``make smw-record``) holds, for one overview page of each kind,
the page text and the ``action=parse`` HTML after a static and after a live regeneration of the same
wiki, the ``action=ask`` answers to each section's conditions and sort, and the property types. So
without any SMW here:

* the renderer still writes exactly the texts that were recorded (else the recording is stale:
  re-record on an SMW wiki);
* readers saw the same headings, paragraphs and table cells in both renderings on the real SMW;
* SMW selected and ordered the rows as the bot's own selection does;
* every property got the type ``semantic/properties.yaml`` asks for.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import readerview

from ozgwiki import catalogue
from ozgwiki.definitions import schema
from ozgwiki.render import facts, overview
from ozgwiki.render.facts import Facts
from ozgwiki.wikitext.sections import get_section

RECORDING = Path(__file__).resolve().parents[1] / "data" / "smw" / "recording.json"
STALE = "the renderer changed since the recording: re-record on an SMW wiki (make smw-record)"


@pytest.fixture(scope="module")
def recording() -> dict[str, Any]:
    return json.loads(RECORDING.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def loaded() -> schema.Schema:
    return schema.load()


@pytest.fixture(scope="module")
def recorded_facts(recording: dict[str, Any]) -> Facts:
    return facts.build(catalogue.load(catalogue.sample_path()), recording["steckbriefe"])


def test_recording_is_from_smw_42_with_page_forms_and_the_sample(recording: dict[str, Any]) -> None:
    assert recording["wiki"]["semantic_mediawiki"].startswith("4.2")
    assert recording["wiki"]["page_forms"] == "5.9"
    assert recording["wiki"]["mediawiki"].startswith("MediaWiki 1.39")
    assert recording["catalogue"] == "sample" and len(recording["steckbriefe"]) == 2
    assert len(recording["pages"]) >= 10


def _pages(loaded: schema.Schema, f: Facts) -> dict[str, overview.OverviewPage]:
    props = {p.name: p for p in loaded.properties}
    return {p.title: p for d in loaded.pages for p in overview.pages_of(d, f, props)}


@pytest.mark.parametrize("mode", ["static", "ask"])
def test_renderer_writes_what_was_recorded(recording, loaded, recorded_facts, mode) -> None:
    props = {p.name: p for p in loaded.properties}
    pages = _pages(loaded, recorded_facts)
    for title, recorded in recording["pages"].items():
        page = pages[title]
        for section in page.definition.sections:
            now = overview.render_section(section, page, recorded_facts, props, mode)
            saved = get_section(recorded[mode]["text"], section.name)
            assert saved == now, f"{title}#{section.name}: {STALE}"


def test_readers_saw_the_same_in_both_renderings(recording: dict[str, Any]) -> None:
    tables = 0
    for title, recorded in recording["pages"].items():
        static = readerview.blocks(recorded["static"]["html"])
        live = readerview.blocks(recorded["ask"]["html"])
        assert live == static, title
        tables += sum(1 for b in live if b.table is not None)
        assert "{{#ask" not in recorded["ask"]["html"], title
    assert tables >= 15  # the comparison saw real tables, not just headings


def test_live_tables_show_names_counts_and_labels(recording: dict[str, Any]) -> None:
    """The defects the live tables had: titles, link lists for counts, digits, lost separators."""
    bildung = readerview.tables(recording["pages"]["Bildung"]["ask"]["html"])
    rows = {r[0].text: r for t in bildung if t.header[:3] == ["OZG-Leistung", "OZG-ID", "LeiKa-Leistungen"]
            for r in t.rows}  # fmt: skip
    assert rows["Schulaufnahme und -wechsel"][0].links == ("Schulaufnahme und -wechsel",)  # its page, by name
    assert rows["Schulaufnahme und -wechsel"][2].text == "35"
    ahaus = next(
        t
        for t in readerview.tables(recording["pages"]["Ahaus"]["ask"]["html"])
        if t.header[:1] == ["OZG-Leistung"]
    )
    abfall = next(r for r in ahaus.rows if r[0].text == "Abfallentsorgung")
    assert abfall[2].text == "Land, Kommunal"
    assert abfall[5].text == "3 - niedrige Umsetzungspriorität für die Kommunen in NRW"
    titles = ("OZG-Leistung ", "Kommune ", "Themenfeld ")
    assert not any(c.text.startswith(titles) for r in ahaus.rows for c in r)


def test_smw_selected_and_ordered_the_rows_like_the_bot(recording, recorded_facts) -> None:
    assert len(recording["asks"]) >= 15
    for q in recording["asks"]:
        sort = [(p, o == "desc") for p, o in zip(q["sort"], q["order"], strict=True)]
        ours = overview.select(recorded_facts, q["category"], [tuple(w) for w in q["where"]], sort)
        assert [s.title for s in ours.rows] == q["titles"], (q["page"], q["section"], q["group"])
    assert any(q["titles"] for q in recording["asks"])


def test_properties_got_the_types_the_schema_asks_for(recording, loaded) -> None:
    assert recording["properties"] == {p.name: p.type_id for p in loaded.properties}
