"""ozgwiki deploy against the real local wiki: idempotence, refusing an editor's change, --force,
dry-run and --check.

Deploy is idempotent, so running it here leaves the shared wiki as ``ozgwiki deploy`` would; the test
that changes a template restores it with ``--force``.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest

from ozgwiki.bots import deploy as deploy_bot
from ozgwiki.config import Config
from ozgwiki.definitions import deploy, schema
from ozgwiki.engine.bot import BotContext
from ozgwiki.engine.sync import Outcome
from ozgwiki.wiki.pages import same_after_save
from ozgwiki.wiki.site import Site

pytestmark = pytest.mark.wiki

TEMPLATE = "Vorlage:Lage"


def ctx_for(site: Site) -> BotContext:
    return BotContext(
        Config(site.wiki),
        site,
        site.userinfo.name,
        load_catalogue=lambda: pytest.fail("deploy needs no catalogue"),
    )


def desired_text(site: Site, title: str) -> str:
    pages = deploy.desired_pages(schema.load(), deploy.Variant.of(site.siteinfo))
    return next(p.text for p in pages if p.title == title)


@pytest.fixture
def deployed(make_site: Callable[..., Site]) -> Callable[..., Any]:
    """Bring the wiki to the deployed state (forcing over leftovers), then hand out fresh bot sites."""
    deploy_bot.run(ctx_for(make_site("bot")), force=True)

    def fresh(**kwargs: Any) -> Site:
        return make_site("bot", **kwargs)

    return fresh


def test_second_deploy_makes_zero_edits(deployed: Callable[..., Site]) -> None:
    site = deployed()
    result = deploy_bot.run(ctx_for(site))
    assert site.stats.edits_sent == 0
    assert result.report.edits == 0 and result.exit_code == 0
    assert {p.outcome for p in result.report.pages} == {Outcome.UNCHANGED}
    assert result.data["variant"] == "plain"
    titles = {p.title for p in result.report.pages}
    assert {"Modul:OZG", "Vorlage:LeiKa", "Kategorie:Wartung", "Hauptseite", "MediaWiki:Sidebar"} <= titles
    assert deploy.record_title(site.userinfo.name) in titles
    assert not any(t.startswith(("Attribut:", "Formular:")) for t in titles)  # plain wiki
    checked = deploy_bot.run(ctx_for(site), check=True)
    assert checked.exit_code == 0 and checked.findings == 0 and site.stats.edits_sent == 0


def test_record_is_a_json_page_listing_every_deployed_page(deployed: Callable[..., Site]) -> None:
    site = deployed()
    title = deploy.record_title(site.userinfo.name)
    info = site.api("query", prop="info", titles=title)["query"]["pages"][0]
    assert info["contentmodel"] == "json"
    record = deploy.DeployRecord.from_text(site.read_pages([title])[title].text)
    assert record.pending == {}
    assert record.pages["Vorlage:Lage"] == deploy.text_sha1(desired_text(site, "Vorlage:Lage"))


def test_editor_change_is_refused_then_forced(deployed: Callable[..., Site], editor_site: Site) -> None:
    bot = deployed()
    editor_text = desired_text(bot, TEMPLATE) + "\n<!-- Anmerkung der Redaktion -->"
    try:
        saved = editor_site.edit(TEMPLATE, lambda _t: editor_text, "Redaktion: Anmerkung")
        assert saved.outcome.value == "changed"

        result = deploy_bot.run(ctx_for(bot))
        refused = {p.title: p for p in result.report.with_outcome(Outcome.SKIPPED)}
        assert list(refused) == [TEMPLATE]
        reason = refused[TEMPLATE].message or ""
        assert "Redakteurin" in reason and "seit der letzten Bereitstellung" in reason and "--force" in reason
        assert result.exit_code == 1
        assert result.data["refused"][0]["title"] == TEMPLATE
        assert bot.stats.edits_sent == 0  # the rest is deployed already, the record did not change
        assert same_after_save(bot.read_pages([TEMPLATE])[TEMPLATE].text, editor_text)

        forced = deploy_bot.run(ctx_for(bot), force=True)
        changed = [p.title for p in forced.report.with_outcome(Outcome.CHANGED) if p.kind != "Protokoll"]
        assert changed == [TEMPLATE]
        assert forced.data["forced"][0]["title"] == TEMPLATE and forced.exit_code == 0
        assert same_after_save(bot.read_pages([TEMPLATE])[TEMPLATE].text, desired_text(bot, TEMPLATE))

        again = deploy_bot.run(ctx_for(bot))
        assert again.report.edits == 0 and again.exit_code == 0
    finally:
        deploy_bot.run(ctx_for(bot), force=True)


def test_dry_run_and_check_write_nothing(deployed: Callable[..., Site], editor_site: Site) -> None:
    bot = deployed()
    editor_text = desired_text(bot, TEMPLATE) + "\n<!-- Probe für den Probelauf -->"
    try:
        editor_site.edit(TEMPLATE, lambda _t: editor_text, "Redaktion: Probe")
        before = bot.read_pages([TEMPLATE])[TEMPLATE].revid

        out = io.StringIO()
        dry = deployed(dry_run=True, diff_out=out)
        result = deploy_bot.run(ctx_for(dry), force=True)
        assert dry.stats.edits_sent == 0
        changed = [p.title for p in result.report.with_outcome(Outcome.CHANGED) if p.kind != "Protokoll"]
        assert changed == [TEMPLATE]
        assert f"a/{TEMPLATE}" in out.getvalue() and "-<!-- Probe für den Probelauf -->" in out.getvalue()

        checker = deployed()
        checked = deploy_bot.run(ctx_for(checker), check=True)
        assert (
            checker.stats.edits_sent == 0 and sum(checker.stats.requests[a] for a in ("edit", "purge")) == 0
        )
        assert checked.exit_code == 1
        assert [p.title for p in checked.report.with_outcome(Outcome.SKIPPED)] == [TEMPLATE]

        assert bot.read_pages([TEMPLATE])[TEMPLATE].revid == before
    finally:
        deploy_bot.run(ctx_for(bot), force=True)
