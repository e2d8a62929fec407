"""The save choke point Site.edit(): no null edits, conflict safety, per-page errors, dry-run, counters."""

from __future__ import annotations

import io

import fixtures_smw as fx
import pytest
import requests
import responses

from ozgwiki.errors import ApiError, LoginError
from ozgwiki.wiki.pages import Outcome, PageState, same_after_save, save_form
from ozgwiki.wiki.siteinfo import UserInfo

TITLE = "Aufnahme Baugenehmigung"
#: The recorded revision of TITLE (revision ids are the wiki's, see tests/data/api/README.md).
RECORDED = fx.body("revisions_content_fv2")["query"]["pages"][0]["revisions"][0]
CURRENT = RECORDED["slots"]["main"]["content"]
REVID = RECORDED["revid"]


@pytest.fixture
def rsps():
    with responses.RequestsMock() as r:
        yield r


def existing(text: str = CURRENT) -> PageState:
    """The recorded page as a batch read would have returned it."""
    return PageState(
        title=TITLE, exists=True, text=text, revid=REVID, timestamp=RECORDED["timestamp"],
        starttimestamp="2026-11-29T02:00:00Z", user=RECORDED["user"],
    )  # fmt: skip


def missing() -> PageState:
    return PageState(title=TITLE, exists=False, starttimestamp="2026-11-29T02:00:00Z")


logged_in = fx.logged_in_as_bot


def append(line: str):
    return lambda text: text + "\n" + line


def reread(rsps, text: str = CURRENT, revid: int = REVID + 1, ts: str = "2026-11-29T01:05:00Z") -> None:
    """The page as read again after a conflict: someone else's newer revision."""
    data = fx.body("revisions_content_fv2")
    rev = data["query"]["pages"][0]["revisions"][0]
    rev.update(revid=revid, timestamp=ts, user="Redakteurin")
    rev["slots"]["main"]["content"] = text
    data["curtimestamp"] = "2026-11-29T02:10:00Z"
    fx.register(rsps, "revisions_content_fv2", body_override=data)


# ---------------------------------------------------------------- save normalisation


@pytest.mark.parametrize(
    ("old", "new", "same"),
    [
        pytest.param("a\nb", "a\nb\n", True, id="trailing-newline"),
        pytest.param("a\nb", "a\nb  \n\t\n", True, id="trailing-whitespace"),
        pytest.param("a\nb", "a\r\nb\r\n", True, id="crlf"),
        pytest.param("Schlu\u0308ssel", "Schl\u00fcssel", True, id="nfc"),
        pytest.param("a\nb", " a\nb", False, id="leading-space-matters"),
        pytest.param("a\n\nb", "a\nb", False, id="inner-blank-line-matters"),
        pytest.param("a", "a\u00a0", False, id="nbsp-is-not-rtrimmed"),
    ],
)
def test_same_after_save(old: str, new: str, same: bool) -> None:
    assert same_after_save(old, new) is same


def test_save_form_is_idempotent() -> None:
    s = save_form("x\r\ny\u0308 \n")
    assert save_form(s) == s


# ---------------------------------------------------------------- outcomes


def test_update_sends_a_conflict_safe_edit(monkeypatch, rsps) -> None:
    site, _ = logged_in(monkeypatch, rsps)
    fx.register(rsps, "tokens_csrf")
    fx.register(rsps, "edit_update")
    result = site.edit(TITLE, append("[[Kategorie:Bauen]]"), "Bot: Kategorie ergänzt", page=existing())
    assert result.outcome is Outcome.CHANGED
    assert result.revid == fx.body("edit_update")["edit"]["newrevid"]
    sent = fx.sent(rsps, "edit")[0]
    assert sent["title"] == TITLE
    assert sent["text"] == CURRENT + "\n[[Kategorie:Bauen]]"
    assert sent["summary"] == "Bot: Kategorie ergänzt"
    assert sent["baserevid"] == str(REVID)
    assert "basetimestamp" not in sent  # see Site._save: it lets same-second human edits be overwritten
    assert sent["starttimestamp"] == "2026-11-29T02:00:00Z"
    assert sent["nocreate"] == "1" and "createonly" not in sent
    assert sent["bot"] == "1" and sent["assert"] == "user" and sent["token"] == "REDACTED"
    assert "minor" not in sent
    assert rsps.calls[-1].request.method == "POST"
    assert (site.stats.changed, site.stats.edits_sent) == (1, 1)


def test_create_uses_createonly(monkeypatch, rsps) -> None:
    site, _ = logged_in(monkeypatch, rsps)
    fx.register(rsps, "tokens_csrf")
    fx.register(rsps, "edit_create_page")
    result = site.edit(TITLE, lambda _: "Neu.", "Bot: angelegt", page=missing(), minor=True)
    assert result.outcome is Outcome.CREATED
    assert result.revid == fx.body("edit_create_page")["edit"]["newrevid"]
    sent = fx.sent(rsps, "edit")[0]
    assert sent["createonly"] == "1" and "nocreate" not in sent
    assert "basetimestamp" not in sent and "baserevid" not in sent
    assert sent["minor"] == "1"
    assert site.stats.created == 1


def test_edit_reads_the_page_when_not_given(monkeypatch, rsps) -> None:
    site, _ = logged_in(monkeypatch, rsps)
    fx.register(rsps, "revisions_content_fv2")
    fx.register(rsps, "tokens_csrf")
    fx.register(rsps, "edit_update")
    seen: list[str] = []

    def transform(text: str) -> str:
        seen.append(text)
        return text + "\nmehr"

    assert site.edit(TITLE, transform, "Bot: Test").outcome is Outcome.CHANGED
    assert seen == [CURRENT]


@pytest.mark.parametrize(
    "transform",
    [
        pytest.param(lambda t: t, id="identical"),
        pytest.param(lambda t: t + "\n", id="trailing-newline"),
        pytest.param(lambda t: t.replace("\n", "\r\n") + "  ", id="crlf-and-spaces"),
    ],
)
def test_no_null_edit_is_ever_sent(monkeypatch, rsps, transform) -> None:
    site, _ = logged_in(monkeypatch, rsps)
    result = site.edit(TITLE, transform, "Bot: nichts", page=existing())
    assert result.outcome is Outcome.UNCHANGED
    assert fx.sent(rsps, method="POST") == fx.sent(rsps, "login")  # only the login POST
    assert (site.stats.unchanged, site.stats.edits_sent) == (1, 0)


def test_transform_none_is_skipped(monkeypatch, rsps) -> None:
    site, _ = logged_in(monkeypatch, rsps)
    result = site.edit(TITLE, lambda _: None, "Bot: nichts", page=existing())
    assert result.outcome is Outcome.SKIPPED
    assert fx.sent(rsps, "edit") == []
    assert site.stats.skipped == 1


def test_nochange_answer_counts_as_unchanged(monkeypatch, rsps) -> None:
    site, _ = logged_in(monkeypatch, rsps)
    fx.register(rsps, "tokens_csrf")
    fx.register(rsps, "edit_nochange")
    # The wiki may still normalise differently (e.g. PST of a signature); trust its nochange.
    result = site.edit(TITLE, append("x"), "Bot: Test", page=existing())
    assert result.outcome is Outcome.UNCHANGED
    assert (site.stats.unchanged, site.stats.changed, site.stats.edits_sent) == (1, 0, 1)


def test_empty_summary_is_refused(monkeypatch, rsps) -> None:
    site, _ = logged_in(monkeypatch, rsps)
    with pytest.raises(ValueError):
        site.edit(TITLE, append("x"), " ", page=existing())


def test_invalid_title_is_an_error_outcome_without_request(monkeypatch, rsps) -> None:
    site, _ = logged_in(monkeypatch, rsps)
    page = PageState(title="a|b", exists=False, invalid="'|' im Titel")
    result = site.edit("a|b", append("x"), "Bot: Test", page=page)
    assert result.outcome is Outcome.ERROR and "'|'" in result.message
    assert fx.sent(rsps, "edit") == []


# ---------------------------------------------------------------- conflicts


def test_conflict_rereads_reapplies_and_saves(monkeypatch, rsps) -> None:
    site, _ = logged_in(monkeypatch, rsps)
    fx.register(rsps, "tokens_csrf")
    fx.register(rsps, "edit_conflict_fv2")
    editor_text = CURRENT + "\nZeile der Redakteurin"
    reread(rsps, editor_text)
    fx.register(rsps, "edit_update")
    result = site.edit(TITLE, append("Bot-Zeile"), "Bot: Test", page=existing())
    assert result.outcome is Outcome.CHANGED
    assert result.attempts == 2
    first, second = fx.sent(rsps, "edit")
    assert first["baserevid"] == str(REVID)
    assert second["text"] == editor_text + "\nBot-Zeile"  # re-applied to the editor's text
    assert second["baserevid"] == str(REVID + 1)
    assert second["starttimestamp"] == "2026-11-29T02:10:00Z"
    assert site.stats.conflicts == 0 and site.stats.changed == 1


def test_summary_function_describes_the_text_the_saved_edit_was_based_on(monkeypatch, rsps) -> None:
    site, _ = logged_in(monkeypatch, rsps)
    fx.register(rsps, "tokens_csrf")
    fx.register(rsps, "edit_conflict_fv2")
    reread(rsps, CURRENT + "\nZeile der Redakteurin")
    fx.register(rsps, "edit_update")
    seen: list[str] = []

    def summary(text: str) -> str:
        seen.append(text)
        return f"Bot: Test ({text.count(chr(10)) + 1} Zeilen vorher)"

    site.edit(TITLE, append("Bot-Zeile"), summary, page=existing())
    first, second = fx.sent(rsps, "edit")
    assert seen == [CURRENT, CURRENT + "\nZeile der Redakteurin"]
    assert first["summary"] != second["summary"]
    assert second["summary"] == summary(CURRENT + "\nZeile der Redakteurin")


def test_save_whose_answer_was_lost_is_reported_as_the_change_it_was(monkeypatch, rsps) -> None:
    """The first POST reached the wiki but its answer was lost; the resend meets our own stored text."""
    site, _ = logged_in(monkeypatch, rsps)
    fx.register(rsps, "tokens_csrf")
    rsps.add("POST", fx.API_URL, body=requests.ConnectionError("reset by peer"))
    fx.register(rsps, "edit_nochange")
    stored = CURRENT + "\nBot-Zeile"
    data = fx.body("revisions_content_fv2")
    rev = data["query"]["pages"][0]["revisions"][0]
    rev.update(revid=REVID + 2, user="OzgBot")  # the bot's own revision: the lost save went through
    rev["slots"]["main"]["content"] = stored
    fx.register(rsps, "revisions_content_fv2", body_override=data)
    result = site.edit(TITLE, append("Bot-Zeile"), "Bot: Test", page=existing())
    assert result.outcome is Outcome.CHANGED and result.revid == REVID + 2
    assert len(fx.sent(rsps, "edit")) == 2 and site.stats.retry_reasons["connection"] == 1
    assert (site.stats.changed, site.stats.unchanged) == (1, 0)


def test_nochange_after_a_lost_answer_but_someone_elses_revision_stays_unchanged(monkeypatch, rsps) -> None:
    site, _ = logged_in(monkeypatch, rsps)
    fx.register(rsps, "tokens_csrf")
    rsps.add("POST", fx.API_URL, body=requests.ConnectionError("reset by peer"))
    fx.register(rsps, "edit_nochange")
    reread(rsps, CURRENT + "\nBot-Zeile")  # the same text, but saved by Redakteurin
    result = site.edit(TITLE, append("Bot-Zeile"), "Bot: Test", page=existing())
    assert result.outcome is Outcome.UNCHANGED


def test_conflict_that_persists_is_reported_not_overwritten(monkeypatch, rsps) -> None:
    site, _ = logged_in(monkeypatch, rsps, max_conflict_retries=2)
    fx.register(rsps, "tokens_csrf")
    for i in range(3):
        fx.register(rsps, "edit_conflict_fv2")
        if i < 2:
            reread(rsps, CURRENT + f"\nRedaktion {i}", revid=30 + i)
    result = site.edit(TITLE, append("Bot-Zeile"), "Bot: Test", page=existing())
    assert result.outcome is Outcome.CONFLICT
    assert result.attempts == 3
    assert "editconflict" in result.message
    assert len(fx.sent(rsps, "edit")) == 3  # 1 + 2 retries, then stop
    assert site.stats.conflicts == 1 and site.stats.changed == 0


def test_reread_after_conflict_may_show_nothing_left_to_do(monkeypatch, rsps) -> None:
    site, _ = logged_in(monkeypatch, rsps)
    fx.register(rsps, "tokens_csrf")
    fx.register(rsps, "edit_conflict_fv2")
    reread(rsps, CURRENT + "\nBot-Zeile")  # someone already added our line
    result = site.edit(
        TITLE, lambda t: t if "Bot-Zeile" in t else t + "\nBot-Zeile", "Bot: Test", page=existing()
    )
    assert result.outcome is Outcome.UNCHANGED
    assert len(fx.sent(rsps, "edit")) == 1


def test_articleexists_race_rereads_and_updates(monkeypatch, rsps) -> None:
    site, _ = logged_in(monkeypatch, rsps)
    fx.register(rsps, "tokens_csrf")
    exists = {
        "error": {
            "code": "articleexists",
            "info": "The article you tried to create has been created already.",
        }
    }
    fx.register(rsps, "edit_conflict_fv2", body_override=exists)  # recorded error shape, other code
    reread(rsps, "Von jemand anderem angelegt.")
    fx.register(rsps, "edit_update")
    result = site.edit(TITLE, lambda t: (t + "\n" if t else "") + "Bot", "Bot: Test", page=missing())
    assert result.outcome is Outcome.CHANGED
    second = fx.sent(rsps, "edit")[1]
    assert second["nocreate"] == "1" and second["text"] == "Von jemand anderem angelegt.\nBot"


# ---------------------------------------------------------------- errors


def test_per_page_error_is_counted_and_the_run_goes_on(monkeypatch, rsps) -> None:
    site, _ = logged_in(monkeypatch, rsps)
    fx.register(rsps, "tokens_csrf")
    protected = {
        "error": {"code": "protectedpage", "info": "This page has been protected to prevent editing."}
    }
    fx.register(rsps, "edit_conflict_fv2", body_override=protected)
    result = site.edit(TITLE, append("x"), "Bot: Test", page=existing())
    assert result.outcome is Outcome.ERROR
    assert result.message.startswith("protectedpage: This page has been protected")
    assert site.stats.errors == 1


def test_lost_login_after_relogin_propagates(monkeypatch, rsps) -> None:
    site, _ = logged_in(monkeypatch, rsps)
    fx.register(rsps, "tokens_csrf")
    fx.register(rsps, "assertuserfailed")
    fx.register_login(rsps)
    fx.register(rsps, "tokens_csrf")
    fx.register(rsps, "assertuserfailed")
    with pytest.raises(LoginError):
        site.edit(TITLE, append("x"), "Bot: Test", page=existing())
    assert site.stats.errors == 0


def test_repeated_badtoken_propagates(monkeypatch, rsps) -> None:
    site, _ = logged_in(monkeypatch, rsps)
    fx.register(rsps, "tokens_csrf")
    fx.register(rsps, "badtoken_fv2")
    fx.register(rsps, "tokens_csrf")
    fx.register(rsps, "badtoken_fv2")
    with pytest.raises(ApiError, match="badtoken"):
        site.edit(TITLE, append("x"), "Bot: Test", page=existing())


# ---------------------------------------------------------------- dry-run


def test_dry_run_prints_a_diff_and_sends_no_write(monkeypatch, rsps) -> None:
    out = io.StringIO()
    site, _ = fx.make_site(monkeypatch, dry_run=True, diff_out=out)
    fx.register(rsps, "revisions_content_fv2")
    site._title_limits = (50, 500)
    site._userinfo = UserInfo.from_query(fx.body("userinfo_bot")["query"])
    result = site.edit(TITLE, append("[[Kategorie:Bauen]]"), "Bot: Test")
    assert result.outcome is Outcome.CHANGED and result.dry_run
    diff = out.getvalue()
    assert diff.startswith(f"--- a/{TITLE}\n+++ b/{TITLE}\n")
    assert "+[[Kategorie:Bauen]]\n" in diff
    assert result.diff == diff
    assert all(c.request.method == "GET" for c in rsps.calls)
    assert fx.sent(rsps, "edit") == [] and site.stats.edits_sent == 0
    assert "Probelauf" in site.stats.summary_de() and "dry-run" in site.stats.summary()


def test_dry_run_of_a_new_page(monkeypatch, rsps) -> None:
    out = io.StringIO()
    site, _ = fx.make_site(monkeypatch, dry_run=True, diff_out=out)
    result = site.edit("Neue Seite", lambda _: "Inhalt", "Bot: Test", page=missing())
    assert result.outcome is Outcome.CREATED
    assert "+Inhalt\n" in out.getvalue()
    assert len(rsps.calls) == 0


def test_dry_run_unchanged_prints_nothing(monkeypatch, rsps) -> None:
    out = io.StringIO()
    site, _ = fx.make_site(monkeypatch, dry_run=True, diff_out=out)
    assert site.edit(TITLE, lambda t: t + "\n", "Bot: Test", page=existing()).outcome is Outcome.UNCHANGED
    assert out.getvalue() == ""


def test_summary_lines(monkeypatch, rsps) -> None:
    site, _ = logged_in(monkeypatch, rsps)
    site.edit(TITLE, lambda _: None, "Bot: Test", page=existing())
    site.edit(TITLE, lambda t: t, "Bot: Test", page=existing())
    assert site.stats.summary().startswith(
        "0 created, 0 changed, 0 moved, 1 unchanged, 1 skipped, 0 conflicts, 0 errors"
    )
    assert "1 unverändert, 1 übersprungen" in site.stats.summary_de()
    assert site.stats.as_dict()["requests"] == {"query": 1, "login": 1}
