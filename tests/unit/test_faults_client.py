"""Faults no real wiki here can produce on purpose, replayed with ``responses``: abuse-filter refusals
(AbuseFilter needs its own tables and filters), ``pagedeleted`` (MediaWiki compares the deletion with
the edit's start in whole seconds, so a test cannot provoke it reliably), and the edges of the
rate-limit wait (limits that cannot be read, several refusals in one session). The real-wiki side of
each fault is in tests/integration/test_faults_*_wiki.py; the matrix in docs/faults.md.
"""

from __future__ import annotations

import fixtures_smw as fx
import pytest
import responses

from ozgwiki.config import RetryConfig
from ozgwiki.wiki.pages import Outcome, PageState

TITLE = "Baugenehmigung"


@pytest.fixture
def rsps():
    with responses.RequestsMock() as r:
        yield r


logged_in = fx.logged_in_as_bot


def existing(text: str = "Alter Text") -> PageState:
    return PageState(
        title=TITLE, exists=True, text=text, revid=22, timestamp="2026-11-29T01:01:23Z",
        starttimestamp="2026-11-29T02:00:00Z", user="OzgBot",
    )  # fmt: skip


def missing() -> PageState:
    return PageState(title=TITLE, exists=False, starttimestamp="2026-11-29T02:00:00Z")


def refusal(code: str, info: str) -> dict:
    return {"error": {"code": code, "info": info}}


def register_missing_page(rsps) -> None:
    # No recording of a re-read that finds the page gone; the shape is MediaWiki's (formatversion=2).
    page = {"ns": 0, "title": TITLE, "missing": True}
    fx.register_body(rsps, "query", {"curtimestamp": "2026-11-29T02:10:00Z", "query": {"pages": [page]}})


def register_ratelimits(rsps, seconds: int) -> None:
    # meta=userinfo&uiprop=ratelimits as the local wiki answers it once the bot group lost noratelimit.
    limits = {
        "edit": {"user": {"hits": 90, "seconds": seconds}},
        "purge": {"user": {"hits": 30, "seconds": 60}},
    }
    fx.register_body(
        rsps, "query", {"query": {"userinfo": {"id": 3, "name": "OzgBot", "ratelimits": limits}}}
    )


# ---------------------------------------------------------------- spam and abuse filters


@pytest.mark.parametrize(
    ("code", "info"),
    [
        ("abusefilter-disallowed", "Diese Aktion wurde automatisch als schädlich erkannt.\n\nRegel: Werbung"),
        ("abusefilter-warning", "Achtung: Diese Aktion wurde als möglicherweise schädlich erkannt.\n"),
        ("spamblacklist", "Der Text enthält einen gesperrten Link:\n  example.com"),
        ("spamprotectionmatch", "The following text is what triggered our spam filter: Wunderpille"),
    ],
)
def test_filter_refusals_are_reported_per_page_on_one_line_and_never_retried(
    monkeypatch, rsps, code: str, info: str
) -> None:
    site, t = logged_in(monkeypatch, rsps)
    fx.register(rsps, "tokens_csrf")
    fx.register(rsps, "edit_conflict_fv2", body_override=refusal(code, info))  # recorded error shape
    result = site.edit(TITLE, lambda text: text + "\nneu", "Bot: Test", page=existing())
    assert result.outcome is Outcome.ERROR and result.attempts == 1
    assert result.message == f"{code}: " + " ".join(info.split())
    assert len(fx.sent(rsps, "edit")) == 1 and t.sleeps == [] and site.stats.errors == 1


# ---------------------------------------------------------------- deleted meanwhile


def test_pagedeleted_is_reported_not_recreated(monkeypatch, rsps) -> None:
    """Someone created the page after the bot's read and deleted it again: MediaWiki refuses the
    bot's create (``pagedeleted``: deleted since the edit began). The bot does not recreate it now."""
    site, _ = logged_in(monkeypatch, rsps)
    fx.register(rsps, "tokens_csrf")
    fx.register(rsps, "edit_conflict_fv2", body_override=refusal("pagedeleted", "The page has been deleted."))
    register_missing_page(rsps)
    seen: list[str] = []
    result = site.edit(TITLE, lambda text: seen.append(text) or "Neu", "Bot: Test", page=missing())
    assert result.outcome is Outcome.CONFLICT
    assert result.message.startswith("gelöscht oder verschoben, nachdem der Bot die Seite gelesen hatte")
    assert result.message.endswith("(pagedeleted: The page has been deleted.)")
    assert seen == [""] and len(fx.sent(rsps, "edit")) == 1


def test_missingtitle_for_a_page_that_existed_is_not_recreated(monkeypatch, rsps) -> None:
    site, _ = logged_in(monkeypatch, rsps)
    fx.register(rsps, "tokens_csrf")
    fx.register(rsps, "edit_conflict_fv2", body_override=refusal("missingtitle", "The page doesn't exist."))
    register_missing_page(rsps)
    result = site.edit(TITLE, lambda text: text + "\nneu", "Bot: Test", page=existing())
    assert result.outcome is Outcome.CONFLICT and site.stats.conflicts == 1
    sent = fx.sent(rsps, "edit")
    assert len(sent) == 1 and sent[0]["nocreate"] == "1"


# ---------------------------------------------------------------- rate limits


def test_ratelimited_waits_the_accounts_window_and_reads_the_limits_once(monkeypatch, rsps) -> None:
    site, t = logged_in(monkeypatch, rsps)
    fx.register(rsps, "ratelimited_fv2")
    register_ratelimits(rsps, 30)
    fx.register(rsps, "edit_update")
    fx.register(rsps, "ratelimited_fv2")
    fx.register(rsps, "edit_update")
    for _ in range(2):
        assert site.api("edit", title=TITLE, text="x", token="t")["edit"]["result"] == "Success"
    assert t.sleeps == [31.0, 31.0]  # 30 s and one of its 30 buckets, not the backoff of 1 s
    uiprops = [p.get("uiprop") for p in fx.sent(rsps, "query")]
    assert uiprops.count("ratelimits") == 1  # read at the first refusal, kept for the session
    assert site.stats.retry_reasons["ratelimited"] == 2


def test_ratelimited_window_is_capped_by_max_delay(monkeypatch, rsps) -> None:
    site, t = logged_in(monkeypatch, rsps, retry=RetryConfig(max_attempts=6, max_delay=20.0))
    fx.register(rsps, "ratelimited_fv2")
    register_ratelimits(rsps, 3600)
    fx.register(rsps, "edit_update")
    site.api("edit", title=TITLE, text="x", token="t")
    assert t.sleeps == [20.0]


def test_ratelimited_without_readable_limits_backs_off_plainly(monkeypatch, rsps) -> None:
    site, t = logged_in(monkeypatch, rsps)
    fx.register(rsps, "ratelimited_fv2")
    rsps.add("GET", fx.API_URL, status=500, body="Internal Server Error")  # the limits: one try, no retry
    fx.register(rsps, "edit_update")
    site.api("edit", title=TITLE, text="x", token="t")
    assert t.sleeps == [1.0]
    assert [p.get("uiprop") for p in fx.sent(rsps, "query")] == [None, "ratelimits"]  # one attempt only
    assert dict(site.stats.retry_reasons) == {"ratelimited": 1}


def test_http_429_without_retry_after_waits_the_window_too(monkeypatch, rsps) -> None:
    site, t = logged_in(monkeypatch, rsps)
    rsps.add("POST", fx.API_URL, status=429, body="Too Many Requests")
    register_ratelimits(rsps, 60)
    fx.register(rsps, "edit_update")
    site.api("edit", title=TITLE, text="x", token="t")
    assert t.sleeps == [60.0]  # 62 s capped at max_delay 60
