"""The site client against the real local MediaWiki: what only a real wiki can show."""

from __future__ import annotations

import io

import pytest

from ozgwiki.errors import LoginError
from ozgwiki.wiki.pages import Outcome
from ozgwiki.wiki.site import Site
from ozgwiki.wikitext.params import redirect_target, redirect_text

pytestmark = pytest.mark.wiki
SUMMARY = "Integrationstest: Seite bearbeitet"


def create(site: Site, title: str, text: str) -> None:
    result = site.edit(title, lambda _: text, "Integrationstest: Seite angelegt")
    assert result.outcome is Outcome.CREATED, result


def test_login_works(bot_site: Site) -> None:
    info = bot_site.userinfo
    assert info.name == "OzgBot"
    assert "bot" in info.groups
    assert not info.anonymous


def test_siteinfo_of_the_german_wiki(bot_site: Site) -> None:
    info = bot_site.siteinfo
    assert info.lang == "de"
    assert info.namespace_name(10) == "Vorlage"
    assert info.namespace_id("Template") == info.namespace_id("Vorlage") == 10


def test_wrong_password_is_a_clear_login_error(make_site, accounts) -> None:
    wrong = "0" * 32  # valid bot-password format, wrong value
    with pytest.raises(LoginError) as err:
        make_site("bot", secret=wrong)
    msg = str(err.value)
    assert accounts["bot"]["login"] in msg
    assert accounts["api_url"] in msg
    assert wrong not in msg and accounts["bot"]["secret"] not in msg


def test_batched_read_of_60_pages(bot_site: Site, unique: str) -> None:
    titles = [f"{unique} {i:02d}" for i in range(60)]
    for t in titles:
        create(bot_site, t, f"Inhalt von {t}")
    assert bot_site.stats.created == 60
    size = bot_site.batch_size  # rights + limits are read once, before counting
    assert size == 500  # the local bot has apihighlimits
    before = bot_site.stats.requests["query"]
    got = bot_site.read_pages([*titles, f"{unique} fehlt", f"{unique[0].lower()}{unique[1:]} 00"])
    assert bot_site.stats.requests["query"] - before <= 2
    assert all(got[t].exists and got[t].text == f"Inhalt von {t}" for t in titles)
    assert not got[f"{unique} fehlt"].exists
    # the wiki upper-cases the first letter: a lower-case request maps back to the same page
    lowered = got[f"{unique[0].lower()}{unique[1:]} 00"]
    assert lowered.title == titles[0] and lowered.exists


def test_create_change_unchanged(bot_site: Site, unique: str, revid_of) -> None:
    title = f"{unique} Seite"
    created = bot_site.edit(title, lambda _: "Zeile 1\nZeile 2\n", "Integrationstest: angelegt")
    assert created.outcome is Outcome.CREATED and created.revid
    changed = bot_site.edit(title, lambda t: t.replace("Zeile 2", "Zeile 2 geändert"), SUMMARY)
    assert changed.outcome is Outcome.CHANGED and changed.revid > created.revid
    sent_before = bot_site.stats.edits_sent
    same = bot_site.edit(title, lambda t: t + "\n\n", SUMMARY)  # only trailing whitespace differs
    assert same.outcome is Outcome.UNCHANGED
    assert bot_site.stats.edits_sent == sent_before  # nothing was sent
    assert revid_of(title) == changed.revid  # no new revision
    skipped = bot_site.edit(title, lambda _: None, SUMMARY)
    assert skipped.outcome is Outcome.SKIPPED
    assert revid_of(title) == changed.revid


def test_create_on_a_page_that_appeared_meanwhile_does_not_overwrite(
    bot_site: Site, editor_site: Site, unique: str
) -> None:
    title = f"{unique} Rennen"
    stale = bot_site.read_pages([title])[title]
    assert not stale.exists
    create(editor_site, title, "Von der Redakteurin angelegt.")
    result = bot_site.edit(title, lambda t: t + ("\n" if t else "") + "Bot-Zeile", SUMMARY, page=stale)
    assert result.outcome is Outcome.CHANGED and result.attempts == 2  # articleexists, re-read
    text = bot_site.read_pages([title])[title].text
    assert text == "Von der Redakteurin angelegt.\nBot-Zeile"


def _conflict_setup(bot_site: Site, editor_site: Site, title: str):
    """Bot reads the page, then the editor changes the very line the bot wants to change."""
    create(bot_site, title, "Status: offen\nZeile 2\n")
    state = bot_site.read_pages([title])[title]
    editor = editor_site.edit(
        title, lambda t: t.replace("Status: offen", "Status: geprüft (Redaktion)"), SUMMARY
    )
    assert editor.outcome is Outcome.CHANGED
    return state


def close_status(text: str) -> str | None:
    """The bot's change: close an open status. Applied to someone else's status it does nothing."""
    return text.replace("Status: offen", "Status: erledigt") if "Status: offen" in text else None


def test_edit_conflict_is_never_overwritten_reapply_keeps_editor_text(
    bot_site: Site, editor_site: Site, unique: str
) -> None:
    title = f"{unique} Konflikt"
    state = _conflict_setup(bot_site, editor_site, title)
    result = bot_site.edit(title, close_status, SUMMARY, page=state)
    assert result.attempts == 2  # the wiki refused the first save (editconflict), the bot re-read
    assert result.outcome is Outcome.SKIPPED  # re-applied to the editor's text: nothing to do
    now = bot_site.read_pages([title])[title]
    assert now.text.startswith("Status: geprüft (Redaktion)")
    assert now.user == "Redakteurin"


def test_edit_conflict_outcome_after_retries_are_spent(make_site, editor_site: Site, unique: str) -> None:
    bot = make_site("bot", max_conflict_retries=0)
    title = f"{unique} Konflikt"
    state = _conflict_setup(bot, editor_site, title)
    result = bot.edit(title, lambda t: t.replace("Status: offen", "Status: erledigt"), SUMMARY, page=state)
    assert result.outcome is Outcome.CONFLICT
    assert "editconflict" in (result.message or "")
    assert bot.stats.conflicts == 1
    now = bot.read_pages([title])[title]
    assert now.text.startswith("Status: geprüft (Redaktion)") and now.user == "Redakteurin"


def test_dry_run_writes_nothing(make_site, bot_site: Site, unique: str, revid_of) -> None:
    title = f"{unique} Probelauf"
    create(bot_site, title, "Alt\n")
    before = revid_of(title)
    out = io.StringIO()
    dry = make_site("bot", dry_run=True, diff_out=out)
    result = dry.edit(title, lambda _: "Neu\n", SUMMARY)
    assert result.outcome is Outcome.CHANGED and result.dry_run
    assert "-Alt\n+Neu\n" in out.getvalue()
    assert title in out.getvalue()
    assert dry.stats.requests["edit"] == 0 and dry.stats.edits_sent == 0
    assert revid_of(title) == before
    new_title = f"{unique} Probelauf neu"
    assert dry.edit(new_title, lambda _: "x", SUMMARY).outcome is Outcome.CREATED
    assert not bot_site.read_pages([new_title])[new_title].exists


def test_a_move_takes_the_history_along_and_leaves_a_redirect(
    bot_site: Site, editor_site: Site, unique: str
) -> None:
    source, target = f"{unique} alt", f"{unique} neu"
    create(bot_site, source, "Erste Fassung\n")
    first = bot_site.read_pages([source])[source].revid
    edited = editor_site.edit(source, lambda t: t + "\nZeile der Redakteurin", SUMMARY)
    assert edited.outcome is Outcome.CHANGED
    moved = bot_site.move(source, target, "Integrationstest: verschoben")
    assert moved.outcome is Outcome.MOVED and moved.redirect and moved.message is None
    assert (moved.source, moved.target) == (source, target)
    pages = bot_site.read_pages([source, target])
    assert pages[source].text == redirect_text(target)  # the words the bot writes into its own redirects
    assert redirect_target(pages[source].text) == target
    assert pages[target].text == "Erste Fassung\nZeile der Redakteurin"
    history = [r.revid for r in bot_site.revisions(target, limit=10)]
    assert first in history and edited.revid in history  # the revisions moved with the page
    assert bot_site.redirect_targets([source, target]) == {source: target}
    again = bot_site.move(source, target, "Integrationstest: noch einmal")  # the target holds the page now
    assert again.outcome is Outcome.CONFLICT and "articleexists" in (again.message or "")
    assert bot_site.read_pages([target])[target].revid == pages[target].revid
    assert (bot_site.stats.moved, bot_site.stats.conflicts) == (1, 1)
