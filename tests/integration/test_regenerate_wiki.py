"""`regenerate` against the real local wiki (plain MediaWiki, so static mode): the saved tables hold
exactly the expected rows, human text around the sections survives byte for byte, a second run makes
no edit, and no raw ``{{#ask:`` reaches a wiki without Semantic MediaWiki. Pages are read under their
names (the sample's title scheme); their ID titles redirect there."""

from __future__ import annotations

import re

import pytest

from ozgwiki import catalogue
from ozgwiki.bots import regenerate
from ozgwiki.config import Config
from ozgwiki.engine.bot import BotContext
from ozgwiki.render.plans import title_scheme
from ozgwiki.wiki.site import Site
from ozgwiki.wikitext.sections import get_section

pytestmark = pytest.mark.wiki

SAMPLE = catalogue.load(catalogue.sample_path())
SCHEME = title_scheme(SAMPLE)


def context(site: Site) -> BotContext:
    return BotContext(
        config=Config(wiki=site.wiki, raw={}),
        site=site,
        bot_user=site.userinfo.name,
        load_catalogue=lambda: SAMPLE,
    )


def row_targets(section: str) -> list[str]:
    """The first-column link target of every table row in a generated section."""
    out, expect_first = [], False
    for line in section.splitlines():
        if line == "|-":
            expect_first = True
        elif expect_first and line.startswith("| [["):
            out.append(re.match(r"\| \[\[([^|\]]+)", line).group(1))
            expect_first = False
    return out


def text_of(site: Site, title: str) -> str:
    return site.read_pages([title])[title].text


def test_regenerate_on_the_plain_wiki(bot_site: Site, editor_site: Site) -> None:
    first = regenerate.run(context(bot_site))
    assert first.data["mode"] == "static"
    assert not first.report.needs_attention, first.report.summary()

    bildung_title, ahaus_title = SCHEME.title("themenfeld", "Bildung"), SCHEME.title("kommune", "05554004")
    leads = {i: t for i, t in SCHEME.redirects().items() if t in (bildung_title, ahaus_title)}
    assert len(leads) == 2 and bot_site.redirect_targets(leads) == leads  # the ID titles lead there

    bildung = text_of(bot_site, bildung_title)
    expected = [SCHEME.title("ozg", o.ozg_id) for lage in SAMPLE.lagen_of("Bildung")
                for o in sorted(SAMPLE.ozg_leistungen_of(lage.name), key=lambda o: o.name)]  # fmt: skip
    assert sorted(row_targets(get_section(bildung, "ozg-leistungen"))) == sorted(expected)
    assert "bitte Steckbrief ausfüllen" in get_section(bildung, "steckbriefe") or row_targets(
        get_section(bildung, "steckbriefe")
    )

    ahaus = text_of(bot_site, ahaus_title)
    assert row_targets(get_section(ahaus, "ozg-leistungen")) == [
        SCHEME.title("ozg", ozg_id) for ozg_id in ("10513", "10514", "10111", "10110", "10011", "10515")
    ]

    roadmap = text_of(bot_site, "Roadmap")
    assert len(row_targets(get_section(roadmap, "roadmap"))) == 7
    assert "Inbetriebnahme NRW (Juni 2021) liegt vor Umsetzung (Dezember 2021)" in get_section(
        roadmap, "roadmap-zeitplan"
    )
    umwelt = text_of(bot_site, "Roadmap/Umwelt")
    assert row_targets(get_section(umwelt, "roadmap")) == [
        "Umsetzungsprojekt Altlasten & Bodenschutzkataster",
        "Umsetzungsprojekt Sprengstofferlaubnis",
    ]

    # An editor writes above and below a generated section; the bot leaves it byte for byte.
    marker = "<!-- ozgwiki:begin roadmap -->"
    human = (
        roadmap.replace(marker, "Redaktion: bitte Termine melden.\n" + marker) + "\nStand der Redaktion.\n"
    )
    editor_site.edit("Roadmap", lambda _t: human, "Redaktion: Hinweise ergänzt")
    roadmap_human = text_of(bot_site, "Roadmap")

    second = regenerate.run(context(bot_site))
    assert second.report.edits == 0, [p.title for p in second.report.pages if p.outcome.value != "unchanged"]
    assert text_of(bot_site, "Roadmap") == roadmap_human

    titles = [p.title for p in second.report.pages]
    states = bot_site.read_pages(titles)
    assert all("{{#ask" not in s.text for s in states.values())
