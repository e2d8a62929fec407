"""The safety rails: a run that would destroy too much stops before its first write."""

from __future__ import annotations

import pytest
from fakewiki import FakeWiki

from ozgwiki.bots import regenerate
from ozgwiki.config import ImportSettings, parse_config
from ozgwiki.definitions import schema
from ozgwiki.domain.model import Catalogue
from ozgwiki.engine import rails
from ozgwiki.errors import ConfigError, SafetyRailError
from ozgwiki.render import facts, overview


def test_limit_and_check() -> None:
    rail = rails.Rail()
    assert rail.limit(1000) == 100 and rail.limit(10) == 4  # never stops for fewer than 5 pages
    rail.check(100, 1000, "x")
    with pytest.raises(SafetyRailError, match=r"x: 101 von 1000 \(10 %\).*--allow-mass-retire"):
        rail.check(101, 1000, "x")
    rails.Rail(allowed=True).check(1000, 1000, "x")
    assert rails.Rail.of(ImportSettings(max_retire_share=0)).limit(1000) == 4
    wiki = {"api_url": "http://x/api.php", "username": "u"}
    assert rails.Rail.of(parse_config({"wiki": wiki}).importing).share == rails.DEFAULT_SHARE == 0.10
    for bad in (2, -1, "10%", None, float("inf")):
        with pytest.raises(ConfigError, match="max_retire_share"):
            parse_config({"wiki": wiki, "import": {"max_retire_share": bad}})


def test_only_active_keys_count_for_the_import() -> None:
    statuses = {str(i): "ausgemustert" for i in range(50)} | {str(i): "aktiv" for i in range(50, 60)}
    rails.retiring(statuses, 100, rails.Rail())  # 10 newly of 100 active
    with pytest.raises(SafetyRailError, match="11 von 100"):
        rails.retiring({**statuses, "x": None}, 100, rails.Rail())


Sections = dict[str, list[tuple[str, str]]]


def _rendered(cat: Catalogue, mode: str) -> tuple[list[overview.OverviewPage], Sections]:
    loaded = schema.load()
    props = {p.name: p for p in loaded.properties}
    f = facts.build(cat)
    pages = [p for d in loaded.pages for p in overview.pages_of(d, f, props)]
    return pages, {p.title: regenerate.page_sections(p, f, props, mode) for p in pages}


def _texts(pages: list[overview.OverviewPage], sections: Sections) -> dict[str, str]:
    return {p.title: regenerate.transform_for(sections[p.title])("") for p in pages}


def test_regenerating_from_a_catalogue_that_lost_its_rows_stops_before_writing(
    fake_wiki: FakeWiki, sample_catalogue: Catalogue
) -> None:
    sample = sample_catalogue
    pages, sections = _rendered(sample, "static")
    fake_wiki.seed(_texts(pages, sections), user="OzgBot")  # what the last regeneration saved
    site = fake_wiki.site()
    regenerate.check_blanking(site, pages, sections, rails.Rail(), "static")  # same data: fine
    shrunk = Catalogue(themenfelder=sample.themenfelder, lagen=sample.lagen, kommunen=sample.kommunen)
    _empty_pages, empty = _rendered(shrunk, "static")
    blank = {p.title: empty.get(p.title, sections[p.title]) for p in pages}
    with pytest.raises(SafetyRailError, match="gefüllte Übersichtstabellen würden geleert"):
        regenerate.check_blanking(site, pages, blank, rails.Rail(), "static")
    regenerate.check_blanking(site, pages, blank, rails.Rail(allowed=True), "static")
    assert fake_wiki.requests_of("edit") == []  # the rail only reads


def test_switching_from_live_queries_to_static_tables_is_no_loss(
    fake_wiki: FakeWiki, sample_catalogue: Catalogue
) -> None:
    sample = sample_catalogue
    pages, live = _rendered(sample, "ask")
    _pages, static = _rendered(sample, "static")
    fake_wiki.seed(_texts(pages, live), user="OzgBot")
    states = regenerate.check_blanking(fake_wiki.site(), pages, static, rails.Rail(), "static")
    assert set(states) == {p.title for p in pages}  # the engine gets these and reads nothing again
    assert all(state.exists and state.revid == fake_wiki.revid(title) for title, state in states.items())
