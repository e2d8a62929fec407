"""The move point Site.move() and the listing Site.redirect_targets(), on hand-made API answers.

No recording of ``action=move`` exists (tests/data/api/); the answers here follow MediaWiki 1.39's
ApiMove (``move.from/to/reason/redirectcreated/moveoverredirect``) and MovePage's error codes, and
tests/integration/test_site_wiki.py moves a page on the real local wiki.
"""

from __future__ import annotations

import io
from typing import Any

import fixtures_smw as fx
import pytest
import requests
import responses
from fakewiki import FakeWiki

from ozgwiki.errors import ApiError, BotStopped
from ozgwiki.wiki.pages import Outcome, PageState

SOURCE = "OZG-Leistung 10001"
TARGET = "Abbruchgenehmigung"
REASON = "Bot: Seite nach ihrem Namen benannt"

logged_in = fx.logged_in_as_bot


@pytest.fixture
def rsps():
    with responses.RequestsMock() as r:
        yield r


def moved_body(source: str = SOURCE, target: str = TARGET, **extra: Any) -> dict[str, Any]:
    """ApiMove's answer to a move that left a redirect."""
    return {
        "move": {
            "from": source, "to": target, "reason": REASON, "redirectcreated": True,
            "moveoverredirect": False, **extra,
        }
    }  # fmt: skip


def error_body(code: str, info: str) -> dict[str, Any]:
    return {"error": {"code": code, "info": info, "docref": "See the API help."}}


def queries(rsps) -> list[dict[str, str]]:
    """The ``action=query`` requests after the login (whose token request is one too)."""
    return [p for p in fx.sent(rsps, "query") if p.get("type") != "login"]


def register_move(rsps, data: dict[str, Any]) -> None:
    fx.register_body(rsps, "move", data, method="POST")


def page(title: str, text: str = "", *, exists: bool = True, invalid: str | None = None) -> PageState:
    """A page as a batch read would have returned it."""
    found = exists and invalid is None
    return PageState(title=title, exists=found, text=text, revid=7 if found else None, invalid=invalid)


def test_a_move_sends_from_to_reason_movetalk_and_the_token_and_leaves_a_redirect(monkeypatch, rsps) -> None:
    site, _ = logged_in(monkeypatch, rsps)
    fx.register(rsps, "tokens_csrf")
    register_move(rsps, moved_body())
    result = site.move(SOURCE, TARGET, REASON)
    assert (result.outcome, result.source, result.target) == (Outcome.MOVED, SOURCE, TARGET)
    assert result.redirect and result.message is None and not result.dry_run
    sent = fx.sent(rsps, "move")
    assert len(sent) == 1 and rsps.calls[-1].request.method == "POST"
    move = sent[0]
    assert (move["from"], move["to"], move["reason"], move["movetalk"]) == (SOURCE, TARGET, REASON, "1")
    assert move["token"] == fx.PLACEHOLDER  # the recorded csrf token
    assert move["assert"] == "user" and move["maxlag"] == "5"
    assert "noredirect" not in move  # the redirect is what keeps old links and ID titles working
    assert (site.stats.moved, site.stats.requests["move"]) == (1, 1)
    assert "1 moved" in site.stats.summary() and "1 verschoben" in site.stats.summary_de()
    assert site.stats.as_dict()["moved"] == 1


def test_the_titles_come_back_as_the_wiki_spells_them(monkeypatch, rsps) -> None:
    site, _ = logged_in(monkeypatch, rsps)
    fx.register(rsps, "tokens_csrf")
    register_move(rsps, moved_body(source="Ozg-Leistung 10001", target="Abbruch genehmigung"))
    result = site.move("ozg-Leistung_10001", "abbruch_genehmigung", REASON)
    assert (result.source, result.target) == ("Ozg-Leistung 10001", "Abbruch genehmigung")


def test_a_move_that_left_no_redirect_or_no_talk_page_says_so(monkeypatch, rsps) -> None:
    site, _ = logged_in(monkeypatch, rsps)
    fx.register(rsps, "tokens_csrf")
    talk_errors = [{"code": "articleexists", "text": "A page of that name already exists."}]
    register_move(rsps, moved_body(redirectcreated=False, **{"talkmove-errors": talk_errors}))
    result = site.move(SOURCE, TARGET, REASON)
    assert result.outcome is Outcome.MOVED and not result.redirect
    assert "keine Weiterleitung" in (result.message or "")
    assert "Diskussionsseite nicht verschoben" in (result.message or "") and "\n" not in (
        result.message or ""
    )


@pytest.mark.parametrize(
    ("code", "info"),
    [
        ("articleexists", "A page of that name already exists, or the name you have chosen is not valid."),
        (
            "redirectexists",
            'The page "Abbruchgenehmigung" already exists and it cannot be automatically deleted.',
        ),
    ],
)
def test_a_target_that_holds_a_page_is_a_conflict_reported_once_and_never_forced(
    monkeypatch, rsps, code: str, info: str
) -> None:
    site, t = logged_in(monkeypatch, rsps)
    fx.register(rsps, "tokens_csrf")
    register_move(rsps, error_body(code, info))
    result = site.move(SOURCE, TARGET, REASON)
    assert result.outcome is Outcome.CONFLICT
    assert result.message == f"{code}: {info}"
    assert len(fx.sent(rsps, "move")) == 1 and t.sleeps == []  # asked once, not retried
    assert "ignorewarnings" not in fx.sent(rsps, "move")[0]
    assert (site.stats.conflicts, site.stats.moved) == (1, 0)


@pytest.mark.parametrize(
    ("code", "info"),
    [
        ("selfmove", "The title is the same; cannot move a page over itself."),
        ("missingtitle", "The page you specified doesn't exist."),
        ("nonexistent", "The page does not exist."),
        ("cantmove", "You do not have permission to move this page."),
        ("protectedpage", "This page has been protected to prevent editing or other actions."),
        ("immobile-target-namespace", 'Cannot move pages into namespace "Spezial".'),
    ],
)
def test_refusals_about_the_page_are_errors_with_the_wikis_words(
    monkeypatch, rsps, code: str, info: str
) -> None:
    site, _ = logged_in(monkeypatch, rsps)
    fx.register(rsps, "tokens_csrf")
    register_move(rsps, error_body(code, info))
    result = site.move(SOURCE, TARGET, REASON)
    assert (result.outcome, result.message) == (Outcome.ERROR, f"{code}: {info}")
    assert site.stats.errors == 1


@pytest.mark.parametrize("code", ["blocked", "autoblocked", "writeapidenied", "mwoauth-invalidauthorization"])
def test_refusals_about_the_whole_run_propagate(monkeypatch, rsps, code: str) -> None:
    site, _ = logged_in(monkeypatch, rsps)
    fx.register(rsps, "tokens_csrf")
    register_move(rsps, error_body(code, "not for you"))
    with pytest.raises(ApiError) as err:
        site.move(SOURCE, TARGET, REASON)
    assert err.value.code == code


def test_a_move_whose_answer_was_lost_is_found_as_the_move_it_was(monkeypatch, rsps) -> None:
    """The first POST moved the page but its answer was lost; the resend meets the moved page."""
    site, t = logged_in(monkeypatch, rsps)
    fx.register(rsps, "tokens_csrf")
    rsps.add("POST", fx.API_URL, body=requests.ConnectionError("reset by peer"))
    register_move(rsps, error_body("articleexists", "A page of that name already exists."))
    redirects = {
        "query": {"redirects": [{"from": SOURCE, "to": TARGET}], "pages": [{"ns": 0, "title": TARGET}]}
    }
    fx.register_body(rsps, "query", redirects)
    result = site.move(SOURCE, TARGET, REASON)
    assert result.outcome is Outcome.MOVED and t.sleeps  # retried once, then checked
    assert queries(rsps)[-1]["redirects"] == "1"
    assert site.stats.moved == 1 and site.stats.conflicts == 0


def test_after_a_lost_answer_a_target_someone_else_holds_stays_a_conflict(monkeypatch, rsps) -> None:
    site, _ = logged_in(monkeypatch, rsps)
    fx.register(rsps, "tokens_csrf")
    rsps.add("POST", fx.API_URL, body=requests.ConnectionError("reset by peer"))
    register_move(rsps, error_body("articleexists", "A page of that name already exists."))
    fx.register_body(
        rsps, "query", {"query": {"pages": [{"ns": 0, "title": SOURCE}, {"ns": 0, "title": TARGET}]}}
    )
    assert site.move(SOURCE, TARGET, REASON).outcome is Outcome.CONFLICT


def test_the_write_guard_sees_the_move_and_can_refuse_it(monkeypatch, rsps) -> None:
    site, _ = logged_in(monkeypatch, rsps)
    fx.register(rsps, "tokens_csrf")
    seen: list[str] = []

    def guard(action: str) -> None:
        seen.append(action)
        raise BotStopped("Notaus: aus")

    site.write_guard = guard
    with pytest.raises(BotStopped):
        site.move(SOURCE, TARGET, REASON)
    assert seen == ["move"] and fx.sent(rsps, "move") == []


def test_an_invalid_title_already_read_is_refused_without_a_request(monkeypatch, rsps) -> None:
    site, _ = logged_in(monkeypatch, rsps)
    bad = "Abbruch|genehmigung"
    pages = {SOURCE: page(SOURCE, "x"), bad: page(bad, invalid="leerer Titel oder '|' im Titel")}
    result = site.move(SOURCE, bad, REASON, pages=pages)
    assert result.outcome is Outcome.ERROR and "ungültiger Titel" in (result.message or "")
    assert fx.sent(rsps, "move") == [] and queries(rsps) == []


def test_a_move_needs_a_reason(monkeypatch, rsps) -> None:
    site, _ = logged_in(monkeypatch, rsps)
    with pytest.raises(ValueError, match="reason"):
        site.move(SOURCE, TARGET, "  ")


# ---------------------------------------------------------------- dry run


def dry_site(monkeypatch, rsps):
    """A logged-in dry-run site and the stream its dry run prints to."""
    out = io.StringIO()
    site, _ = logged_in(monkeypatch, rsps, dry_run=True, diff_out=out)
    return site, out


def test_dry_run_prints_the_move_and_sends_nothing(monkeypatch, rsps) -> None:
    site, out = dry_site(monkeypatch, rsps)
    pages = {SOURCE: page(SOURCE, "{{OZG-Leistung}}"), TARGET: page(TARGET, exists=False)}
    result = site.move(SOURCE, TARGET, REASON, pages=pages)
    assert (result.outcome, result.dry_run, result.redirect) == (Outcome.MOVED, True, True)
    assert out.getvalue() == f"would move {SOURCE} → {TARGET}\n"
    assert fx.sent(rsps, "move") == [] and queries(rsps) == []  # the pages were given
    assert site.stats.moved == 1 and "Probelauf" in site.stats.summary_de()


def test_dry_run_reads_the_pages_it_was_not_given(monkeypatch, rsps) -> None:
    site, out = dry_site(monkeypatch, rsps)
    data = fx.body("revisions_content_fv2")
    existing = data["query"]["pages"][0]["title"]
    data["query"]["pages"].append({"ns": 0, "title": TARGET, "missing": True})
    fx.register(rsps, "revisions_content_fv2", body_override=data)
    result = site.move(existing, TARGET, REASON)
    assert result.outcome is Outcome.MOVED and result.dry_run
    (read,) = queries(rsps)
    assert read["titles"] == f"{existing}|{TARGET}" and read["prop"] == "revisions"
    assert out.getvalue() == f"would move {existing} → {TARGET}\n"
    assert fx.sent(rsps, "move") == []


def test_dry_run_predicts_a_conflict_for_a_target_that_holds_a_page(monkeypatch, rsps) -> None:
    site, out = dry_site(monkeypatch, rsps)
    fx.register_body(rsps, "query", {"query": {"pages": [{"ns": 0, "title": TARGET}]}})  # no redirect
    pages = {SOURCE: page(SOURCE, "alt"), TARGET: page(TARGET, "Von Hand angelegt.")}
    result = site.move(SOURCE, TARGET, REASON, pages=pages)
    assert result.outcome is Outcome.CONFLICT and result.dry_run
    assert (result.message or "").startswith("articleexists:")
    assert out.getvalue() == "" and fx.sent(rsps, "move") == []


def test_dry_run_moves_over_a_redirect_to_the_source_as_the_wiki_would(monkeypatch, rsps) -> None:
    site, out = dry_site(monkeypatch, rsps)
    redirects = {
        "query": {"redirects": [{"from": TARGET, "to": SOURCE}], "pages": [{"ns": 0, "title": SOURCE}]}
    }
    fx.register_body(rsps, "query", redirects)
    pages = {SOURCE: page(SOURCE, "alt"), TARGET: page(TARGET, f"#WEITERLEITUNG [[{SOURCE}]]")}
    assert site.move(SOURCE, TARGET, REASON, pages=pages).outcome is Outcome.MOVED
    assert out.getvalue() == f"would move {SOURCE} → {TARGET}\n"


@pytest.mark.parametrize(
    ("source", "target", "message"),
    [
        (page(SOURCE, exists=False), page(TARGET, exists=False), "missingtitle:"),
        (page(SOURCE, "x"), page(SOURCE, "x"), "selfmove:"),
        (page(SOURCE, "x"), page("Spezial:X", invalid="Spezialseite"), "ungültiger Titel"),
    ],
    ids=["missing-source", "self-move", "invalid-target"],
)
def test_dry_run_predicts_the_errors_the_wiki_would_answer(
    monkeypatch, rsps, source: PageState, target: PageState, message: str
) -> None:
    site, out = dry_site(monkeypatch, rsps)
    result = site.move("A", "B", REASON, pages={"A": source, "B": target})
    assert result.outcome is Outcome.ERROR and (result.message or "").startswith(message)
    assert out.getvalue() == "" and fx.sent(rsps, "move") == []


# ---------------------------------------------------------------- redirect_targets


def test_redirect_targets_asks_once_with_redirects_and_keys_by_the_requested_title(monkeypatch, rsps) -> None:
    site, _ = logged_in(monkeypatch, rsps)
    answer = {
        "batchcomplete": True,
        "query": {
            "normalized": [{"fromencoded": False, "from": "kommune_05554004", "to": "Kommune 05554004"}],
            "redirects": [
                {"from": "Kommune 05554004", "to": "Ahaus"},
                {"from": "LeiKa 99001001000000", "to": "Abbruchgenehmigung", "tofragment": "Teil"},
            ],
            "pages": [
                {"pageid": 3, "ns": 0, "title": "Ahaus"},
                {"pageid": 4, "ns": 0, "title": "Abbruchgenehmigung"},
                {"pageid": 5, "ns": 0, "title": "Hauptseite"},
                {"ns": 0, "title": "Fehlt", "missing": True},
            ],
        },
    }
    fx.register_body(rsps, "query", answer)
    got = site.redirect_targets(
        ["kommune_05554004", "LeiKa 99001001000000", "Hauptseite", "Fehlt", "Hauptseite"]
    )
    assert got == {"kommune_05554004": "Ahaus", "LeiKa 99001001000000": "Abbruchgenehmigung"}
    (sent,) = queries(rsps)
    assert (
        sent["redirects"] == "1"
        and sent["titles"] == "kommune_05554004|LeiKa 99001001000000|Hauptseite|Fehlt"
    )
    assert not {"prop", "list", "meta"} & set(sent)


def test_redirect_targets_gives_one_hop_of_a_double_redirect(monkeypatch, rsps) -> None:
    site, _ = logged_in(monkeypatch, rsps)
    hops = [{"from": "Kommune 05554004", "to": "Ahaus (alt)"}, {"from": "Ahaus (alt)", "to": "Ahaus"}]
    fx.register_body(rsps, "query", {"query": {"redirects": hops, "pages": [{"ns": 0, "title": "Ahaus"}]}})
    assert site.redirect_targets(["Kommune 05554004"]) == {"Kommune 05554004": "Ahaus (alt)"}


def test_redirect_targets_batches_and_asks_nothing_for_nothing(monkeypatch, rsps) -> None:
    site, _ = logged_in(monkeypatch, rsps)
    site._title_limits = (2, 2)
    assert site.redirect_targets([]) == {} and site.redirect_targets(["", "a|b"]) == {}
    assert queries(rsps) == []
    for _ in range(2):
        fx.register_body(rsps, "query", {"query": {"pages": []}})
    assert site.redirect_targets(["A", "B", "C"]) == {}
    assert [s["titles"] for s in queries(rsps)] == ["A|B", "C"]


# ---------------------------------------------------------------- on the fake wiki


def test_on_the_fake_wiki_redirects_are_listed_and_a_move_goes_over_a_redirect_to_its_page(
    fake_wiki: FakeWiki,
) -> None:
    fake_wiki.seed(
        {SOURCE: "{{OZG-Leistung}}", TARGET: f"#WEITERLEITUNG [[{SOURCE}]]", "Alt": f"#REDIRECT [[{TARGET}]]"}
    )
    site = fake_wiki.site()
    assert site.redirect_targets(["alt", TARGET, SOURCE, "Fehlt"]) == {"alt": TARGET, TARGET: SOURCE}
    dry = fake_wiki.site(dry_run=True, diff_out=io.StringIO())
    assert dry.move(SOURCE, TARGET, REASON).outcome is Outcome.MOVED
    result = site.move(SOURCE, TARGET, REASON)
    assert result.outcome is Outcome.MOVED and result.redirect
    assert (
        fake_wiki.text(TARGET) == "{{OZG-Leistung}}"
        and fake_wiki.text(SOURCE) == f"#WEITERLEITUNG [[{TARGET}]]"
    )
    assert site.redirect_targets([SOURCE, "Alt"]) == {SOURCE: TARGET, "Alt": TARGET}
