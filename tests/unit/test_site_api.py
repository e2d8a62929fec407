"""Site.api(): the parameters every request carries, retries, session and token recovery, errors."""

from __future__ import annotations

import re

import fixtures_smw as fx
import pytest
import requests
import responses

from ozgwiki.config import RetryConfig
from ozgwiki.errors import (
    ApiError,
    DryRunWriteBlocked,
    LoginError,
    RetryBudgetExceeded,
    WikiUnreachable,
)


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as r:
        yield r


def logged_in(monkeypatch, rsps, **kw):
    site, t = fx.make_site(monkeypatch, **kw)
    fx.register_login(rsps)
    site._login()
    return site, t


def test_every_request_carries_format_maxlag_useragent(monkeypatch, rsps) -> None:
    site, _ = fx.make_site(monkeypatch)
    fx.register(rsps, "siteinfo_extensions")
    site.api("query", meta="siteinfo")
    p = fx.sent(rsps)[0]
    assert p["format"] == "json"
    assert p["formatversion"] == "2"
    assert p["maxlag"] == "5"
    assert "assert" not in p  # not logged in yet
    assert rsps.calls[0].request.headers["User-Agent"] == "ozgwiki-test/1.0 (unit tests)"


def test_request_timeout_comes_from_config(monkeypatch, rsps) -> None:
    site, _ = fx.make_site(monkeypatch)
    seen: list[object] = []
    real = site.session.request

    def spy(*args, **kwargs):
        seen.append(kwargs.get("timeout"))
        return real(*args, **kwargs)

    monkeypatch.setattr(site.session, "request", spy)
    fx.register(rsps, "siteinfo_extensions")
    site.api("query", meta="siteinfo")
    assert seen == [7.0]


def test_login_and_token_requests_carry_maxlag_and_later_requests_assert_user(monkeypatch, rsps) -> None:
    site, _ = logged_in(monkeypatch, rsps)
    fx.register(rsps, "tokens_csrf")
    site.token()
    token_req, login_req, csrf_req = fx.sent(rsps)
    assert token_req["maxlag"] == login_req["maxlag"] == csrf_req["maxlag"] == "5"
    assert login_req["lgname"] == "OzgBot@ozgwiki"
    assert rsps.calls[1].request.method == "POST"
    assert "assert" not in login_req
    assert csrf_req["assert"] == "user"
    assert "assertbot" not in csrf_req and csrf_req["assert"] != "bot"


def test_mwclient_sleepers_never_wait(monkeypatch) -> None:
    import mwclient.errors

    site, _ = fx.make_site(monkeypatch)
    sleeper = site.mw.sleepers.make()
    monkeypatch.setattr("time.sleep", lambda s: pytest.fail(f"mwclient slept {s} s"))
    with pytest.raises(mwclient.errors.MaximumRetriesExceeded):
        sleeper.sleep(3600)


# ---------------------------------------------------------------- retries


def test_maxlag_is_retried_honouring_retry_after(monkeypatch, rsps) -> None:
    site, t = fx.make_site(monkeypatch)
    fx.register(rsps, "maxlag_localwiki_fv2")  # Retry-After: 5, lag -1 (the plain local wiki)
    fx.register(rsps, "maxlag_fv2")
    fx.register(rsps, "siteinfo_extensions")
    body = site.api("query", meta="siteinfo")
    assert "general" in body["query"]
    assert t.sleeps == [5.0, 5.0]  # backoff 1 and 2 are shorter than Retry-After 5
    assert site.stats.requests["query"] == 3
    assert site.stats.retries == 2
    assert site.stats.retry_reasons["maxlag"] == 2


def test_maxlag_detected_from_header_alone(monkeypatch, rsps) -> None:
    site, t = fx.make_site(monkeypatch)
    rsps.add("GET", fx.API_URL, body="<html>lagged</html>", headers={"MediaWiki-API-Error": "maxlag"})
    fx.register(rsps, "siteinfo_extensions")
    site.api("query", meta="siteinfo")
    assert t.sleeps == [1.0]


def test_maxlag_forever_exceeds_the_budget(monkeypatch, rsps) -> None:
    site, t = fx.make_site(
        monkeypatch, retry=RetryConfig(max_attempts=1000, base_delay=1, max_delay=60, budget_seconds=30)
    )
    for _ in range(10):
        fx.register(rsps, "maxlag_fv2")
    rsps.assert_all_requests_are_fired = False
    with pytest.raises(RetryBudgetExceeded, match=r"maxlag.*Waiting for a database server") as err:
        site.api("query", meta="siteinfo")
    assert sum(t.sleeps) <= 30
    assert t.sleeps == [5.0, 5.0, 5.0, 8.0]  # the next (16) would cross 30 s
    assert err.value.exit_code == 3


def test_5xx_until_attempts_are_spent_is_unreachable(monkeypatch, rsps) -> None:
    site, t = fx.make_site(monkeypatch, retry=RetryConfig(max_attempts=4, budget_seconds=300))
    for _ in range(4):
        rsps.add("GET", fx.API_URL, body="Service Unavailable", status=503)
    with pytest.raises(WikiUnreachable, match=re.escape(fx.API_URL) + r".*4 attempts.*HTTP 503"):
        site.api("query", meta="siteinfo")
    assert t.sleeps == [1.0, 2.0, 4.0]
    assert site.stats.requests["query"] == 4
    assert site.stats.retries == 3


def test_5xx_then_success(monkeypatch, rsps) -> None:
    site, t = fx.make_site(monkeypatch, jitter=0.0)
    rsps.add("GET", fx.API_URL, status=502, body="bad gateway", headers={"Retry-After": "3"})
    fx.register(rsps, "siteinfo_extensions")
    site.api("query", meta="siteinfo")
    assert t.sleeps == [3.0]


@pytest.mark.parametrize(
    ("exc", "reason"),
    [
        (requests.ConnectionError("Connection refused"), "connection"),
        (requests.ConnectTimeout("connect timed out"), "timeout"),
        (requests.ReadTimeout("read timed out"), "timeout"),
    ],
    ids=["refused", "connect-timeout", "read-timeout"],
)
def test_network_errors_are_retried_then_unreachable(monkeypatch, rsps, exc, reason) -> None:
    site, t = fx.make_site(monkeypatch, retry=RetryConfig(max_attempts=3))
    for _ in range(3):
        rsps.add("GET", fx.API_URL, body=exc)
    with pytest.raises(WikiUnreachable) as err:
        site.api("query", meta="siteinfo")
    assert fx.API_URL in str(err.value)
    assert reason in str(err.value)
    assert t.sleeps == [1.0, 2.0]


def test_connection_error_then_success(monkeypatch, rsps) -> None:
    site, _t = fx.make_site(monkeypatch)
    rsps.add("GET", fx.API_URL, body=requests.ConnectionError("reset"))
    fx.register(rsps, "siteinfo_extensions")
    site.api("query", meta="siteinfo")
    assert site.stats.retry_reasons == {"connection": 1}


def test_ratelimited_edit_is_retried(monkeypatch, rsps) -> None:
    site, t = logged_in(monkeypatch, rsps)
    fx.register(rsps, "ratelimited_fv2")
    fx.register(rsps, "edit_update")
    body = site.api("edit", title="Baugenehmigung", text="x", token="t")
    assert body["edit"]["newrevid"] == fx.body("edit_update")["edit"]["newrevid"]
    assert t.sleeps == [1.0]
    assert site.stats.retry_reasons["ratelimited"] == 1


def test_readonly_is_retried_then_budget(monkeypatch, rsps) -> None:
    site, t = fx.make_site(monkeypatch, retry=RetryConfig(max_attempts=2))
    readonly = {
        "error": {
            "code": "readonly",
            "info": "The wiki is currently in read-only mode.",
            "readonlyreason": "Wartung",
        }
    }
    # No recording of readonly exists; the error shape is the recorded one of badtoken/maxlag.
    for _ in range(2):
        fx.register(rsps, "maxlag_fv2", body_override=readonly)
    with pytest.raises(RetryBudgetExceeded, match="readonly"):
        site.api("query", meta="siteinfo")
    assert t.sleeps == [5.0]  # the recorded response still carries Retry-After: 5


def test_http_404_is_not_retried(monkeypatch, rsps) -> None:
    site, t = fx.make_site(monkeypatch)
    rsps.add("GET", fx.API_URL, status=404, body="not found")
    with pytest.raises(WikiUnreachable, match=r"HTTP 404.*api\.php"):
        site.api("query", meta="siteinfo")
    assert t.sleeps == []


def test_html_instead_of_json_is_a_clear_error(monkeypatch, rsps) -> None:
    site, _ = fx.make_site(monkeypatch)
    rsps.add("GET", fx.API_URL, body="<!DOCTYPE html><html></html>", content_type="text/html")
    with pytest.raises(WikiUnreachable, match="did not answer with JSON"):
        site.api("query", meta="siteinfo")


# ---------------------------------------------------------------- errors


def test_non_retryable_error_is_api_error_with_code_info_action(monkeypatch, rsps) -> None:
    site, t = fx.make_site(monkeypatch)
    fx.register(rsps, "parse_missingtitle_fv2")
    with pytest.raises(ApiError) as err:
        site.api("parse", page="Gibt es nicht")
    assert err.value.code == "missingtitle"
    assert err.value.action == "parse"
    assert "doesn't exist" in err.value.info
    assert t.sleeps == []


def test_smw_query_error_without_code(monkeypatch, rsps) -> None:
    site, _ = fx.make_site(monkeypatch)
    fx.register(rsps, "ask_query_error")
    with pytest.raises(ApiError) as err:
        site.api("ask", query="[[Einwohnerzahl::<>]]|?Einwohnerzahl")
    assert err.value.code is None
    assert err.value.info == "„>“ ist keine Zahl."


# ---------------------------------------------------------------- dry-run, session, token


@pytest.mark.parametrize("action", ["edit", "purge", "move", "delete", "upload", "protect"])
def test_dry_run_refuses_every_write_action(monkeypatch, rsps, action) -> None:
    site, _ = fx.make_site(monkeypatch, dry_run=True)
    site.logged_in = True
    with pytest.raises(DryRunWriteBlocked, match=action):
        site.api(action, method="POST", title="X", token="t")
    assert len(rsps.calls) == 0


def test_write_without_login_is_refused(monkeypatch, rsps) -> None:
    site, _ = fx.make_site(monkeypatch)
    with pytest.raises(LoginError, match="login"):
        site.api("edit", title="X", text="y", token="+\\")
    assert len(rsps.calls) == 0


def test_badtoken_refreshes_the_token_once_and_retries(monkeypatch, rsps) -> None:
    site, _ = logged_in(monkeypatch, rsps)
    fx.register(rsps, "badtoken_fv2")
    fx.register(rsps, "tokens_csrf")
    fx.register(rsps, "edit_update")
    body = site.api("edit", title="Baugenehmigung", text="x", token="stale")
    assert body["edit"]["result"] == "Success"
    edits = fx.sent(rsps, "edit")
    assert [e["token"] for e in edits] == ["stale", "REDACTED"]
    assert site.stats.token_refreshes == 1


def test_badtoken_twice_is_an_error(monkeypatch, rsps) -> None:
    site, _ = logged_in(monkeypatch, rsps)
    fx.register(rsps, "badtoken_fv2")
    fx.register(rsps, "tokens_csrf")
    fx.register(rsps, "badtoken_fv2")
    with pytest.raises(ApiError) as err:
        site.api("edit", title="Baugenehmigung", text="x", token="stale")
    assert err.value.code == "badtoken"
    assert len(fx.sent(rsps, "edit")) == 2


def test_lost_session_logs_in_again_once_and_retries(monkeypatch, rsps) -> None:
    site, _ = logged_in(monkeypatch, rsps)
    fx.register(rsps, "assertuserfailed")
    fx.register_login(rsps)
    fx.register(rsps, "tokens_csrf")
    fx.register(rsps, "edit_update")
    body = site.api("edit", title="Baugenehmigung", text="x", token="old-session")
    assert body["edit"]["newrevid"] == fx.body("edit_update")["edit"]["newrevid"]
    assert site.stats.relogins == 1
    assert len(fx.sent(rsps, "login")) == 2
    assert fx.sent(rsps, "edit")[-1]["token"] == "REDACTED"  # the new session's token


def test_session_lost_again_after_relogin_is_fatal(monkeypatch, rsps) -> None:
    site, _ = logged_in(monkeypatch, rsps)
    fx.register(rsps, "assertuserfailed")
    fx.register_login(rsps)
    fx.register(rsps, "tokens_csrf")
    fx.register(rsps, "assertuserfailed")
    with pytest.raises(LoginError, match="lost again"):
        site.api("edit", title="Baugenehmigung", text="x", token="old-session")
    assert len(fx.sent(rsps, "login")) == 2
