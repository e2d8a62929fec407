"""The fake wiki (tests/fakewiki.py) answers like the real one: shapes as recorded, outcomes as Site's.

The first part sends each recorded request of ``tests/data/api/`` to the fake and compares the answer
with the recording, key by key (and value type by value type for the ``formatversion=2`` recordings;
those of formatversion 1 are translated to formatversion 2's names first). The rest checks the
behaviour the bot tests rely on, through the real :class:`~ozgwiki.wiki.site.Site`.
"""

from __future__ import annotations

import dataclasses
import io
import json
from collections.abc import Callable
from typing import Any

import fixtures_smw as fx
import pytest
import requests
from fakewiki import API_URL, BOT, BOT_LOGIN, EDITOR, START, FakeWiki, NotEmulated, saved_form

from ozgwiki.errors import ApiError, LoginError
from ozgwiki.wiki.pages import Outcome

TITLE = "Aufnahme Baugenehmigung"
RECORDED_TEXT = fx.body("revisions_content_fv2")["query"]["pages"][0]["revisions"][0]["slots"]["main"][
    "content"
]

# ---------------------------------------------------------------- shapes


def shape(value: Any, *, types: bool) -> Any:
    """The structure of an answer: dict keys, the distinct shapes of list items, and the leaf types."""
    if isinstance(value, dict):
        return {k: shape(v, types=types) for k, v in value.items()}
    if isinstance(value, list):
        return sorted({json.dumps(shape(v, types=types), sort_keys=True) for v in value})
    return type(value).__name__ if types else "value"


#: What formatversion 1 calls ``*``, by the key it stands under.
_STAR = {"main": "content", "namespaces": "name", "namespacealiases": "alias", "error": "docref"}


def as_fv2(value: Any, parent: str = "") -> Any:
    """A formatversion 1 answer with formatversion 2's names: ``pages`` as a list, no ``*`` keys."""
    if isinstance(value, dict):
        if parent == "pages":
            return [as_fv2(v) for v in value.values()]
        owner = parent if parent in _STAR else ""
        out = {}
        for key, item in value.items():
            name = _STAR.get(owner, key) if key == "*" else key
            out[name] = as_fv2(item, key if parent != "namespaces" else "namespaces")
        return out
    if isinstance(value, list):
        return [as_fv2(v, parent) for v in value]
    return value


def without_false(value: Any) -> Any:
    """What formatversion 1 leaves out: a flag that is false is not sent at all."""
    if isinstance(value, dict):
        return {k: without_false(v) for k, v in value.items() if v is not False}
    if isinstance(value, list):
        return [without_false(v) for v in value]
    return value


def _login_token(session: requests.Session) -> str:
    body = session.get(API_URL, params={"action": "query", "meta": "tokens", "type": "login",
                                        "format": "json", "formatversion": "2"}).json()  # fmt: skip
    return body["query"]["tokens"]["logintoken"]


Prepared = tuple[requests.Session, dict[str, str]]


def _anonymous(wiki: FakeWiki, params: dict[str, str]) -> Prepared:
    return wiki.site(login=False).session, params


def _login(secret: str) -> Callable[[FakeWiki, dict[str, str]], Prepared]:
    def prepare(wiki: FakeWiki, params: dict[str, str]) -> Prepared:
        session = wiki.site(login=False).session
        return session, {**params, "lgtoken": _login_token(session), "lgpassword": secret}

    return prepare


def _bot(wiki: FakeWiki, params: dict[str, str]) -> Prepared:
    return wiki.site().session, params


def _with_page(*titles: str) -> Callable[[FakeWiki, dict[str, str]], Prepared]:
    def prepare(wiki: FakeWiki, params: dict[str, str]) -> Prepared:
        for title in titles:
            wiki.edit_as(title, RECORDED_TEXT if title == TITLE else f"Text von {title}", BOT)
        return wiki.site().session, params

    return prepare


def _edit(setup: Callable[[FakeWiki], dict[str, str]]) -> Callable[[FakeWiki, dict[str, str]], Prepared]:
    """An edit as recorded, with this session's token and this wiki's revision ids and times."""

    def prepare(wiki: FakeWiki, params: dict[str, str]) -> Prepared:
        site = wiki.site()
        changes = setup(wiki)
        token = changes.pop("token", None) or site.token()
        return site.session, {**params, "token": token, "starttimestamp": wiki.now(), **changes}

    return prepare


def _update(wiki: FakeWiki) -> dict[str, str]:
    return {"baserevid": str(wiki.edit_as(TITLE, "eine ältere Fassung", BOT))}


def _nochange(wiki: FakeWiki) -> dict[str, str]:
    return {"baserevid": str(wiki.edit_as(TITLE, RECORDED_TEXT, BOT))}


def _conflict(wiki: FakeWiki) -> dict[str, str]:
    base = wiki.edit_as("Aufnahme Konflikt", "Zeile 1\nZeile 2\n", BOT)
    wiki.edit_as("Aufnahme Konflikt", "Zeile 1 (Redakteurin)\nZeile 2\n")
    return {"baserevid": str(base)}


def _badtoken(wiki: FakeWiki) -> dict[str, str]:
    wiki.edit_as("Aufnahme Konflikt", "Zeile 1\n", BOT)
    return {"token": "falsch+\\"}


def _recent(wiki: FakeWiki, params: dict[str, str]) -> Prepared:
    wiki.edit_as(TITLE, "erste Fassung", BOT)
    wiki.edit_as(TITLE, "zweite Fassung", EDITOR)
    return wiki.site().session, {**params, "rcstart": START}


def _lagged(wiki: FakeWiki, params: dict[str, str]) -> Prepared:
    session = wiki.site(login=False).session
    wiki.lagged = 1
    return session, params


#: Each recording the fake emulates, and how the wiki is prepared so the recorded request makes sense.
EMULATED: dict[str, Callable[[FakeWiki, dict[str, str]], Prepared]] = {
    "tokens_login": _anonymous,
    "login_success": _login(fx.SECRET),
    "login_failure": _login("ein falsches Passwort"),
    "tokens_csrf": _bot,
    "userinfo_bot": _bot,
    "siteinfo_extensions": _bot,
    "paraminfo_fv2": _bot,
    "revisions_content_fv2": _with_page(TITLE),
    "revisions_multi_missing": _with_page(TITLE, "Attribut:OZG-ID"),
    "edit_create_page": _edit(lambda wiki: {}),
    "edit_create_page_fv2": _edit(lambda wiki: {}),
    "edit_update": _edit(_update),
    "edit_nochange": _edit(_nochange),
    "edit_conflict_fv2": _edit(_conflict),
    "badtoken_fv2": _edit(_badtoken),
    "assertuserfailed": _anonymous,
    "recentchanges_fv2": _recent,
    "purge": _with_page("Aufnahme OZG-Leistungen Bauen"),
    "maxlag_fv2": _lagged,
    "maxlag_localwiki_fv2": _lagged,
}
#: Recordings of what the fake does not emulate: SMW queries, rendering, and the anonymous rate limit.
NOT_EMULATED = {
    "ask_continue", "ask_empty_fv2", "ask_fv2", "ask_query_error", "ask_subobjects", "askargs_fv2",
    "browsebysubject_fv2", "parse_ask_page_fv2", "parse_missingtitle_fv2", "parse_text_ask",
    "ratelimited_fv2",
}  # fmt: skip


def test_every_recording_is_emulated_or_named_as_not() -> None:
    assert set(EMULATED) | NOT_EMULATED == set(fx.names())
    assert not set(EMULATED) & NOT_EMULATED


@pytest.mark.parametrize("name", sorted(EMULATED))
def test_the_fake_answers_the_recorded_request_in_the_recorded_shape(fake_wiki: FakeWiki, name: str) -> None:
    recorded = fx.load(name)
    params = {**recorded["request"]["params"], "formatversion": "2"}
    session, params = EMULATED[name](fake_wiki, params)
    method = recorded["request"]["method"]
    get = method == "GET"
    resp = session.request(method, API_URL, params=params if get else None, data=None if get else params)
    fv2 = name.endswith("_fv2")
    # Formatversion 1 leaves most false flags out (a few values are false there too): compared without.
    expected = recorded["response"]["body"] if fv2 else without_false(as_fv2(recorded["response"]["body"]))
    assert resp.status_code == recorded["response"]["status"]
    assert {h.lower() for h in recorded["response"]["headers"]} <= {h.lower() for h in resp.headers}
    assert resp.headers.get("MediaWiki-API-Error") == recorded["response"]["headers"].get(
        "MediaWiki-API-Error"
    )
    answer = resp.json() if fv2 else without_false(resp.json())
    assert shape(answer, types=fv2) == shape(expected, types=fv2)


def test_the_shape_comparison_sees_a_missing_key_and_a_wrong_type() -> None:
    recorded = fx.body("revisions_content_fv2")
    other_page = json.loads(json.dumps(recorded))
    other_page["query"]["pages"][0].update(title="Andere Seite", pageid=7)
    assert shape(other_page, types=True) == shape(recorded, types=True)  # values do not count
    broken = json.loads(json.dumps(recorded))
    del broken["query"]["pages"][0]["revisions"][0]["parentid"]
    assert shape(broken, types=True) != shape(recorded, types=True)
    broken = json.loads(json.dumps(recorded))
    broken["query"]["pages"][0]["revisions"][0]["revid"] = "879"
    assert shape(broken, types=True) != shape(recorded, types=True)
    assert as_fv2(fx.body("revisions_multi_missing"))["query"]["pages"][1]["revisions"][0]["slots"]["main"][
        "content"
    ].startswith("Die '''Baugenehmigung'''")


# ---------------------------------------------------------------- Site.edit's outcomes on the fake


def test_every_outcome_of_the_save_choke_point(fake_wiki: FakeWiki) -> None:
    site = fake_wiki.site(max_conflict_retries=2)
    assert site.edit("Neu", lambda _t: "angelegt\n", "Bot: an").outcome is Outcome.CREATED
    assert fake_wiki.text("Neu") == "angelegt"  # stored the way MediaWiki stores it
    assert site.edit("Neu", lambda t: t + " und geändert", "Bot: ä").outcome is Outcome.CHANGED
    assert site.edit("Neu", lambda t: t + "  \n", "Bot: =").outcome is Outcome.UNCHANGED
    assert site.edit("Neu", lambda _t: None, "Bot: -").outcome is Outcome.SKIPPED
    for n in range(3):  # one editor's save before each of the three attempts
        fake_wiki.meanwhile("Neu", f"von Hand {n}")
    conflict = site.edit("Neu", lambda t: t + " + Bot", "Bot: k")
    assert (conflict.outcome, conflict.attempts) == (Outcome.CONFLICT, 3)
    assert "editconflict" in (conflict.message or "") and fake_wiki.text("Neu") == "von Hand 2"
    fake_wiki.refuse(
        "Neu", "protectedpage", "This page has been protected to prevent editing or other actions."
    )
    error = site.edit("Neu", lambda t: t + " + Bot", "Bot: f")
    assert error.outcome is Outcome.ERROR and error.message.startswith("protectedpage: This page")
    assert fake_wiki.saves() == ["Neu", "Neu"]
    assert fake_wiki.summaries() == {"Neu": "Bot: ä"}


def test_a_conflict_is_re_read_and_re_applied_on_the_editors_revision(fake_wiki: FakeWiki) -> None:
    first = fake_wiki.edit_as("Seite", "alt")
    site = fake_wiki.site()
    state = site.read_pages(["Seite"])["Seite"]
    fake_wiki.meanwhile("Seite", "von Hand")
    result = site.edit("Seite", lambda t: t + " + Bot", "Bot", page=state)
    editor = first + 1
    assert (result.outcome, result.attempts, result.revid) == (Outcome.CHANGED, 2, editor + 1)
    assert fake_wiki.text("Seite") == "von Hand + Bot"
    sent = [c.params.get("baserevid") for c in fake_wiki.requests_of("edit")]
    assert sent == [str(first), str(editor)]


def test_the_bots_own_later_revision_is_no_conflict(fake_wiki: FakeWiki) -> None:
    """MediaWiki lets a user edit on top of their own newer revision (userWasLastToEdit)."""
    base = fake_wiki.edit_as("Seite", "alt", BOT)
    fake_wiki.edit_as("Seite", "neuer, auch vom Bot", BOT)
    site = fake_wiki.site()
    token = site.token()
    body = site.api(
        "edit", title="Seite", text="vom Bot", summary="s", baserevid=base, nocreate=True, token=token
    )
    assert body["edit"]["result"] == "Success" and fake_wiki.text("Seite") == "vom Bot"


def test_a_page_deleted_after_the_read_is_not_recreated(fake_wiki: FakeWiki) -> None:
    fake_wiki.edit_as("Seite", "alt")
    site = fake_wiki.site()
    state = site.read_pages(["Seite"])["Seite"]
    fake_wiki.delete("Seite")
    result = site.edit("Seite", lambda t: t + " + Bot", "Bot", page=state)
    assert result.outcome is Outcome.CONFLICT and "nicht neu angelegt" in (result.message or "")
    assert fake_wiki.text("Seite") is None
    missing = site.read_pages(["Neu"])["Neu"]
    fake_wiki.edit_as("Neu", "von Hand angelegt")
    again = site.edit("Neu", lambda t: t + " + Bot", "Bot", page=missing)
    assert again.outcome is Outcome.CHANGED and fake_wiki.text("Neu") == "von Hand angelegt + Bot"
    assert [c.answer.get("error", {}).get("code") for c in fake_wiki.requests_of("edit")] == [
        "missingtitle", "articleexists", None,
    ]  # fmt: skip


def test_dry_run_reads_and_writes_nothing(fake_wiki: FakeWiki) -> None:
    fake_wiki.edit_as("Seite", "alt")
    out = io.StringIO()
    site = fake_wiki.site(dry_run=True, diff_out=out)
    assert site.edit("Seite", lambda _t: "neu", "Bot").outcome is Outcome.CHANGED
    assert site.edit("Neu", lambda _t: "neu", "Bot").outcome is Outcome.CREATED
    assert fake_wiki.requests_of("edit") == [] and fake_wiki.texts() == {"Seite": "alt"}
    assert "-alt\n+neu" in out.getvalue()


def test_a_lost_session_is_logged_in_again_and_a_wrong_password_refused(fake_wiki: FakeWiki) -> None:
    site = fake_wiki.site()
    fake_wiki.drop_sessions()
    assert site.edit("Seite", lambda _t: "neu", "Bot").outcome is Outcome.CREATED
    assert (
        site.stats.relogins == 1 and fake_wiki.requests_of("login")[-1].answer["login"]["result"] == "Success"
    )
    stale = fake_wiki.site(login=False)
    fake_wiki.accounts[BOT_LOGIN] = dataclasses.replace(fake_wiki.accounts[BOT_LOGIN], secret="ein neues")
    with pytest.raises(LoginError, match="Incorrect username or password"):
        stale.login()


def test_a_retry_after_maxlag_reaches_the_wiki_once(fake_wiki: FakeWiki) -> None:
    site = fake_wiki.site()
    fake_wiki.lagged = 2
    assert site.edit("Seite", lambda _t: "neu", "Bot").outcome is Outcome.CREATED
    assert site.stats.retry_reasons["maxlag"] == 2 and fake_wiki.saves() == ["Seite"]


def test_a_move_keeps_the_history_and_leaves_a_redirect(fake_wiki: FakeWiki) -> None:
    first = fake_wiki.edit_as("Kommune 05554004", "Ahaus")
    site = fake_wiki.site()
    body = site.api(
        "move", **{"from": "Kommune 05554004"}, to="Ahaus", reason="Bot: Name", token=site.token()
    )
    assert body["move"] == {"from": "Kommune 05554004", "to": "Ahaus", "reason": "Bot: Name",
                            "redirectcreated": True, "moveoverredirect": False}  # fmt: skip
    moved = fake_wiki.pages["Ahaus"]
    assert moved.revisions[0].revid == first and moved.latest.user == BOT  # history kept, + a null revision
    assert (
        fake_wiki.text("Ahaus") == "Ahaus"
        and fake_wiki.text("Kommune 05554004") == "#WEITERLEITUNG [[Ahaus]]"
    )
    info = site.pages_info(["Kommune 05554004", "Ahaus"])
    assert fake_wiki.requests_of("info")[-1].answer["query"]["pages"][0].get("redirect") is True
    assert info["Ahaus"].lastrevid == moved.latest.revid
    assert [e["type"] for e in site.logevents("Kommune 05554004")] == ["move"]
    back = site.api("move", **{"from": "Ahaus"}, to="Kommune 05554004", noredirect=True, token=site.token())
    assert back["move"]["moveoverredirect"] is True and "Ahaus" not in fake_wiki.pages
    with pytest.raises(ApiError, match="missingtitle"):
        site.api("move", **{"from": "Ahaus"}, to="Woanders", token=site.token())
    fake_wiki.edit_as("Woanders", "schon da")
    with pytest.raises(ApiError, match="articleexists"):
        site.api("move", **{"from": "Kommune 05554004"}, to="Woanders", token=site.token())


# ---------------------------------------------------------------- reading


def test_titles_are_normalised_as_the_wiki_does(fake_wiki: FakeWiki) -> None:
    fake_wiki.edit_as("Vorlage:Steckbrief", "x")
    site = fake_wiki.site()
    got = site.read_pages(
        ["Template:steckbrief", "vorlage:Steckbrief", "Vorlage_Steckbrief", "a<b", "Spezial:X"]
    )
    assert got["Template:steckbrief"].title == "Vorlage:Steckbrief" and got["Template:steckbrief"].exists
    assert got["vorlage:Steckbrief"].revid == got["Template:steckbrief"].revid
    assert (got["Vorlage_Steckbrief"].title, got["Vorlage_Steckbrief"].exists) == (
        "Vorlage Steckbrief",
        False,
    )
    assert "invalid characters" in (got["a<b"].invalid or "") and got["Spezial:X"].invalid == "Spezialseite"
    assert fake_wiki.reads == [
        ["Template:steckbrief", "vorlage:Steckbrief", "Vorlage_Steckbrief", "a<b", "Spezial:X"]
    ]
    project = FakeWiki(sitename="OZG-Wiki")
    assert project._resolve("Project:Prüfung") == (4, "OZG-Wiki:Prüfung")


def test_lists_follow_continuation_in_the_wikis_order(fake_wiki: FakeWiki) -> None:
    fake_wiki.list_limit = 2
    for title in ("LeiKa 3", "LeiKa 1", "LeiKa 2", "Lage X", "Vorlage:LeiKa 9"):
        fake_wiki.edit_as(title, "{{LeiKa-Leistung}}")
    site = fake_wiki.site()
    assert list(site.allpages("LeiKa ")) == ["LeiKa 1", "LeiKa 2", "LeiKa 3"]
    assert len(fake_wiki.requests_of("allpages")) == 2
    assert list(site.embeddedin("Vorlage:LeiKa-Leistung", namespaces=[0])) == [
        "LeiKa 3", "LeiKa 1", "LeiKa 2", "Lage X",
    ]  # fmt: skip
    changes = list(site.recentchanges(START, namespaces=[0]))
    assert [c["title"] for c in changes] == ["LeiKa 3", "LeiKa 1", "LeiKa 2", "Lage X"]


def test_embeddedin_sees_indirect_transclusions_but_not_comments_or_documentation(
    fake_wiki: FakeWiki,
) -> None:
    fake_wiki.edit_as("Vorlage:Rahmen", "{{Steckbrief|x=1}}<noinclude>{{Doku}}</noinclude>")
    fake_wiki.edit_as("Direkt", "{{ steckbrief\n|a=1}}")
    fake_wiki.edit_as("Indirekt", "{{Rahmen}}")
    fake_wiki.edit_as("Kommentar", "<!-- {{Steckbrief}} --> <nowiki>{{Steckbrief}}</nowiki> {{{Steckbrief}}}")
    site = fake_wiki.site()
    assert list(site.embeddedin("Vorlage:Steckbrief", namespaces=[0])) == ["Direkt", "Indirekt"]
    assert list(site.embeddedin("Vorlage:Doku")) == ["Vorlage:Rahmen"]


def test_recent_changes_and_logs_say_what_people_did(fake_wiki: FakeWiki) -> None:
    site = fake_wiki.site()
    fake_wiki.edit_as("A", "a")
    site.edit("B", lambda _t: "b", "Bot: angelegt")  # a bot edit: flagged bot
    fake_wiki.move("A", "C")
    fake_wiki.delete("B")
    rows = list(site.recentchanges(START, types="edit|new|log", props="title|ids|timestamp|user|loginfo"))
    assert [(r["type"], r["title"], r["user"]) for r in rows] == [
        ("new", "A", "Redakteurin"), ("new", "B", BOT), ("log", "A", "Admin"), ("log", "B", "Admin"),
    ]  # fmt: skip
    assert rows[2]["logparams"]["target_title"] == "C" and rows[3]["logtype"] == "delete"
    assert [r["rcid"] for r in rows] == sorted(r["rcid"] for r in rows)
    newest, now = site.newest_change([0])
    assert newest is not None and newest["rcid"] == rows[-1]["rcid"] and now == fake_wiki.now()
    assert [e["type"] for e in site.logevents("B")] == ["delete"] and site.logevents("Z") == []
    assert list(site.recentchanges(START, show="!bot")) == [
        r for r in site.recentchanges(START) if r["user"] != BOT
    ]


def test_what_people_do_before_the_next_request_of_a_kind_the_bot_sees(fake_wiki: FakeWiki) -> None:
    fake_wiki.seed({"A": "{{Steckbrief}}", "B": "{{Steckbrief}}"})
    site = fake_wiki.site()
    fake_wiki.before_next("revisions", lambda: fake_wiki.delete("B"))
    fake_wiki.before_next("revisions", lambda: fake_wiki.delete("A"))
    assert list(site.embeddedin("Vorlage:Steckbrief")) == ["A", "B"]  # another kind: nothing happened yet
    first = site.read_pages(["A", "B"])  # deleted between the listing and this read
    assert first["A"].exists and not first["B"].exists
    assert not site.read_pages(["A"])["A"].exists  # the second action, at the second read
    assert site.read_pages(["C"]) and [e.title for e in fake_wiki.log] == ["B", "A"]  # none queued


def test_revisions_of_one_user_newest_first(fake_wiki: FakeWiki) -> None:
    for n, user in enumerate([BOT, "Redakteurin", BOT, BOT]):
        fake_wiki.edit_as("Seite", f"Fassung {n}", user)
    site = fake_wiki.site()
    assert [r.text for r in site.revisions("Seite", user=BOT, limit=2)] == ["Fassung 3", "Fassung 2"]
    assert [r.text for r in site.revisions("Seite", limit=5)] == [f"Fassung {n}" for n in (3, 2, 1, 0)]


def test_statistics_report_the_job_queue_in_turn(fake_wiki: FakeWiki) -> None:
    fake_wiki.jobs = [4, 1, 0]
    site = fake_wiki.site()
    assert [site.job_count() for _ in range(4)] == [4, 1, 0, 0]
    assert site.siteinfo.extensions.smw
    fake_wiki.extensions = ("ParserFunctions",)
    assert not fake_wiki.site().siteinfo.extensions.smw


def test_what_the_fake_does_not_emulate_fails_the_test(fake_wiki: FakeWiki) -> None:
    site = fake_wiki.site()
    with pytest.raises(NotEmulated, match="action=parse"):
        site.parse("Seite")
    with pytest.raises(NotEmulated, match="rvdir"):
        site.api("query", prop="revisions", titles="Seite", rvdir="newer")


def test_saved_form_follows_mediawiki() -> None:
    assert saved_form("a\r\nb \t\n\n") == "a\nb"
    assert saved_form("Schlu\u0308ssel") == "Schl\u00fcssel"
    assert saved_form(" a") == " a" and saved_form("a\u00a0") == "a\u00a0"
