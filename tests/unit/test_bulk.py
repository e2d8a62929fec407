"""``ozgwiki import --bulk`` (ozgwiki.bots.bulk) on the fake wiki: the XML first load ends where the
per-page import ends, refuses a wiki that is not empty or an account without the right, and a normal
import afterwards makes no edit."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from fakewiki import BOT, BOT_LOGIN, FakeWiki

from ozgwiki.bots import bulk, importer
from ozgwiki.domain.model import Catalogue
from ozgwiki.engine.bot import BotContext
from ozgwiki.engine.sync import Outcome
from ozgwiki.errors import DryRunWriteBlocked, SafetyRailError
from ozgwiki.render.xmldump import DumpPage, render
from ozgwiki.wiki.site import Site
from ozgwiki.wiki.transport import Upload

ContextFactory = Callable[..., BotContext]
BULK_LOGIN = "OzgBot@bulk"


def grant_import(wiki: FakeWiki) -> None:
    """A second bot password of the bot with the import grant (what an admin sets up)."""
    bot = wiki.accounts[BOT_LOGIN]
    wiki.accounts[BULK_LOGIN] = dataclasses.replace(
        bot, login=BULK_LOGIN, rights=(*bot.rights, "importupload")
    )


def per_page_texts(sample_catalogue: Catalogue, context: ContextFactory) -> dict[str, str]:
    with FakeWiki().running() as other:
        importer.run(context(other.site(), catalogue=sample_catalogue))
        return other.texts()


def test_bulk_load_ends_where_the_per_page_import_ends(
    fake_wiki: FakeWiki, sample_catalogue: Catalogue, context: ContextFactory
) -> None:
    grant_import(fake_wiki)
    result = bulk.run(context(fake_wiki.site(account=BULK_LOGIN), catalogue=sample_catalogue), chunk=40)
    wanted = per_page_texts(sample_catalogue, context)
    assert fake_wiki.texts() == wanted  # every page, byte for byte
    assert len(result.report.with_outcome(Outcome.CREATED)) == len(wanted)
    imports = fake_wiki.requests_of("import")
    assert len(imports) == -(-len(wanted) // 40)
    assert fake_wiki.saves() == []  # not one action=edit
    # Who wrote it: the bot itself (a known user keeps its name), with the page's usual summary.
    title = result.report.pages[0].title
    first, null = fake_wiki.pages[title].revisions
    assert (first.user, first.comment) == (BOT, "Bot: Themenfeld aus dem OZG-Katalog angelegt")
    assert null.user == BOT and null.minor and null.comment.startswith("1 Version importiert")
    assert [e.type for e in fake_wiki.log].count("import") == len(wanted)

    again = importer.run(context(fake_wiki.site(), catalogue=sample_catalogue))
    assert again.data["counts"]["created"] == again.data["counts"]["changed"] == 0
    assert fake_wiki.saves() == []


def test_refused_before_any_write_when_a_page_exists(
    fake_wiki: FakeWiki, sample_catalogue: Catalogue, context: ContextFactory
) -> None:
    grant_import(fake_wiki)
    ctx = context(fake_wiki.site(account=BULK_LOGIN), catalogue=sample_catalogue)
    title = bulk.first_load(sample_catalogue, ctx.titles)[5].title
    fake_wiki.seed({title: "Hier stand schon etwas."})
    with pytest.raises(SafetyRailError, match="nur in ein leeres Wiki: 1 der Seiten"):
        bulk.run(ctx)
    assert fake_wiki.requests_of("import") == []
    assert fake_wiki.text(title) == "Hier stand schon etwas."


def test_refused_without_the_import_right(
    fake_wiki: FakeWiki, sample_catalogue: Catalogue, context: ContextFactory
) -> None:
    with pytest.raises(SafetyRailError, match="Dem Konto OzgBot fehlt das Recht „importupload“"):
        bulk.run(context(fake_wiki.site(), catalogue=sample_catalogue))
    assert fake_wiki.requests_of("import") == []
    assert fake_wiki.texts() == {}


def test_dry_run_sends_nothing_and_says_what_it_would_do(
    fake_wiki: FakeWiki, sample_catalogue: Catalogue, context: ContextFactory
) -> None:
    result = bulk.run(context(fake_wiki.site(dry_run=True), catalogue=sample_catalogue), chunk=100)
    assert fake_wiki.requests_of("import") == []
    assert fake_wiki.texts() == {}
    assert result.report.pages and all(p.dry_run for p in result.report.pages)
    assert "würden per XML-Import angelegt" in result.summary
    assert "aber dem Konto OzgBot fehlt das Recht „importupload“" in result.summary  # says so ahead
    with pytest.raises(DryRunWriteBlocked):
        fake_wiki.site(dry_run=True).import_xml(b"<mediawiki/>", summary="x")


def test_a_resent_document_imports_nothing_twice(fake_wiki: FakeWiki) -> None:
    grant_import(fake_wiki)
    site: Site = fake_wiki.site(account=BULK_LOGIN)
    document = render(
        [DumpPage("Ahaus", "{{Kommune}}", "angelegt")], user=BOT, timestamp="2024-05-01T12:00:00Z"
    )
    assert site.import_xml(document, summary="s") == {"Ahaus": 1}
    assert site.import_xml(document, summary="s") == {"Ahaus": 0}  # as after a lost answer
    assert len(fake_wiki.pages["Ahaus"].revisions) == 2  # the import and its null revision
    assert site.stats.created == 1


def test_a_page_the_wiki_skips_is_an_error_a_lost_answer_is_not(
    fake_wiki: FakeWiki, sample_catalogue: Catalogue, context: ContextFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    grant_import(fake_wiki)
    site = fake_wiki.site(account=BULK_LOGIN)
    real = site.import_xml
    calls = {"n": 0}

    def flaky(document: bytes, **kwargs: str) -> dict[str, int]:
        calls["n"] += 1
        done = real(document, **kwargs)
        if calls["n"] == 1:  # the first request went through, its answer is as a resend's would be
            done = dict.fromkeys(done, 0)
        if calls["n"] == 2:  # the wiki refused one title of the second request
            first = next(iter(done))
            del fake_wiki.pages[first]
            done[first] = 0
        return done

    monkeypatch.setattr(site, "import_xml", flaky)
    result = bulk.run(context(site, catalogue=sample_catalogue), chunk=100)
    errors = result.report.with_outcome(Outcome.ERROR)
    assert len(errors) == 1 and "nicht importiert" in (errors[0].message or "")
    assert len(result.report.with_outcome(Outcome.CREATED)) == len(result.report.pages) - 1
    assert result.exit_code == 1


def test_an_upload_goes_as_multipart_post_only(fake_wiki: FakeWiki) -> None:
    site = fake_wiki.site()
    with pytest.raises(ValueError, match="needs a POST"):
        site.transport.send("import", "GET", {"xml": Upload("a.xml", b"<x/>")}, assert_user=True)
    grant_import(fake_wiki)
    document = render([DumpPage("Borken", "Text", "angelegt")], user=BOT, timestamp="2024-05-01T12:00:00Z")
    fake_wiki.site(account=BULK_LOGIN).import_xml(document, summary="Erstbefüllung")
    (call,) = fake_wiki.requests_of("import")
    assert call.method == "POST" and call.files == {"xml": document}
    assert call.params["summary"] == "Erstbefüllung" and call.params["assignknownusers"] == "1"
