"""The bot writes only its own pages, whatever a definition or a change asks for."""

from __future__ import annotations

import dataclasses

import pytest
import responses

from ozgwiki.config import RetryConfig, WikiConfig
from ozgwiki.definitions import deploy, schema, scope
from ozgwiki.domain.model import Catalogue
from ozgwiki.engine.sync import Outcome, PageChange, SyncEngine
from ozgwiki.render import facts, overview
from ozgwiki.render import plans as catalogue_pages
from ozgwiki.wiki.site import Site

REPORT_PAGE = "Project:LeiKa-Schlüsselprüfung"


@pytest.fixture(scope="module")
def loaded() -> schema.Schema:
    return schema.load()


@pytest.fixture(scope="module")
def own(loaded: schema.Schema) -> scope.Scope:
    return scope.of(loaded, bot_user="OzgBot@ozgwiki", extra_titles=[REPORT_PAGE])


def test_every_page_the_bots_write_is_in_scope(
    loaded: schema.Schema, own: scope.Scope, sample_catalogue: Catalogue
) -> None:
    cat = sample_catalogue
    names = catalogue_pages.title_scheme(cat)
    own = own.with_titles(names.titles())  # the importer's and regenerate's engines use this scope
    titles = [p.title for p in catalogue_pages.plan_pages(cat)]
    titles += [r.title for r in catalogue_pages.redirect_plans(names)]
    titles += [d.title for d in catalogue_pages.disambiguation_plans(catalogue_pages.plan_pages(cat), names)]
    for smw in (True, False):
        titles += [p.title for p in deploy.desired_pages(loaded, deploy.Variant(smw=smw, pageforms=smw))]
    props = {p.name: p for p in loaded.properties}
    titles += [p.title for d in loaded.pages for p in overview.pages_of(d, facts.build(cat), props)]
    titles += [REPORT_PAGE, deploy.record_title("OzgBot@ozgwiki")]
    assert len(titles) > 500
    assert [t for t in titles if not own.allows(t)] == []


@pytest.mark.parametrize(
    "title",
    [
        "MediaWiki:Common.js", "MediaWiki:Sitenotice", "Benutzer:Redakteurin", "Benutzer:Jemand/Notizen",
        "User:Admin/common.js", "Diskussion:Hauptseite", "Vorlage:Fremd", "Modul:Fremd", "Kategorie:Fremd",
        "Datei:Logo.png", "Spezial:Export", "Hauptseite 2", "Steckbrief Hortanmeldung", "Projekt:Sonstiges",
        "Formular:Fremd",
    ],
)  # fmt: skip
def test_other_pages_are_refused(own: scope.Scope, title: str) -> None:
    assert not own.allows(title)


def test_key_format_fix_may_touch_articles_only(own: scope.Scope) -> None:
    fix = own.with_articles()
    assert fix.allows("Steckbrief Hortanmeldung") and fix.allows("Irgendein Artikel")
    assert not fix.allows("Benutzer:Jemand/Notizen") and not fix.allows("MediaWiki:Common.js")


def test_a_definition_asking_for_foreign_pages_does_not_widen_the_scope(loaded: schema.Schema) -> None:
    page = dataclasses.replace(loaded.pages[0], title="Benutzer:Jemand/{Name}", for_each_category="Lage")
    nav = dataclasses.replace(loaded.navigation[0], title="MediaWiki:Common.js")
    widened = dataclasses.replace(loaded, pages=(*loaded.pages, page), navigation=(*loaded.navigation, nav))
    s = scope.of(widened, bot_user="OzgBot", extra_titles=["Benutzer:Jemand"])
    assert not s.allows("Benutzer:Jemand/Schule") and not s.allows("MediaWiki:Common.js")
    assert not s.allows("Benutzer:Jemand")
    starting = dataclasses.replace(loaded.pages[0], title="{Name}", for_each_category="Lage")
    s = scope.of(dataclasses.replace(loaded, pages=(starting,)), bot_user="OzgBot")
    assert not s.allows("Irgendein Artikel")  # a pattern that starts with a placeholder owns nothing


def test_engine_refuses_out_of_scope_changes_without_a_request(own: scope.Scope) -> None:
    wiki = WikiConfig("http://wiki.invalid/w/api.php", "OzgBot@ozgwiki", secret="x" * 32,
                      retry=RetryConfig(max_attempts=1))  # fmt: skip
    site = Site(wiki)
    engine = SyncEngine(site, bot_user="OzgBot", scope=own)
    change = PageChange("MediaWiki:Common.js", lambda _t: "alert(1)", "Bot: x")
    with responses.RequestsMock() as rsps:  # any request would fail the test
        report = engine.run([change])
        single = engine.apply(change)
        assert len(rsps.calls) == 0
    assert [p.outcome for p in report.pages] == [Outcome.ERROR] and single.outcome is Outcome.ERROR
    assert "gehört nicht zu den Seiten des Bots" in (report.pages[0].message or "")
    assert report.needs_attention
