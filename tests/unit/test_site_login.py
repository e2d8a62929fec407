"""Login with a bot password: success, a clear failure, an unreachable wiki, and no leaked secret --
neither in what the client says nor in the recorded answers the tests replay."""

from __future__ import annotations

import json
import logging
import re
import traceback
from typing import Any

import fixtures_smw as fx
import pytest
import requests
import responses

from ozgwiki.config import RetryConfig
from ozgwiki.errors import LoginError, WikiUnreachable


@pytest.fixture
def rsps():
    with responses.RequestsMock() as r:
        yield r


def test_login_success_sends_bot_password_and_returns_rights(monkeypatch, rsps) -> None:
    site, _ = fx.make_site(monkeypatch)
    fx.register_login(rsps)
    fx.register(rsps, "userinfo_bot")
    info = site.login()
    assert site.logged_in
    assert info.name == "OzgBot"
    assert info.apihighlimits
    login = fx.sent(rsps, "login")[0]
    assert login["lgname"] == "OzgBot@ozgwiki"
    assert login["lgpassword"] == fx.SECRET
    assert login["lgtoken"] == "REDACTED"  # the token from the recorded meta=tokens answer
    assert fx.sent(rsps, "query")[-1]["uiprop"] == "rights|groups"


def test_login_failure_names_user_and_wiki(monkeypatch, rsps) -> None:
    site, _ = fx.make_site(monkeypatch)
    fx.register_login(rsps, success=False)
    with pytest.raises(LoginError) as err:
        site.login()
    msg = str(err.value)
    assert "OzgBot@ozgwiki" in msg
    assert fx.API_URL in msg
    assert "Incorrect username or password" in msg
    assert not site.logged_in
    assert err.value.exit_code == 2


def test_failed_login_leaks_the_secret_nowhere(monkeypatch, rsps, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    site, _ = fx.make_site(monkeypatch)
    fx.register_login(rsps, success=False)
    with pytest.raises(LoginError) as err:
        site.login()
    texts = [
        str(err.value),
        repr(err.value),
        "".join(traceback.format_exception(err.value)),
        caplog.text,
        repr(site),
        repr(site.wiki),
        str(site.stats.as_dict()),
    ]
    assert fx.SECRET in fx.sent(rsps, "login")[0]["lgpassword"]  # it was really used...
    for text in texts:
        assert fx.SECRET not in text  # ...and shows up nowhere else


def test_secret_echoed_by_the_wiki_is_masked(monkeypatch, rsps) -> None:
    site, _ = fx.make_site(monkeypatch)
    fx.register(rsps, "tokens_login")
    echo = {"login": {"result": "Failed", "reason": f"bad password {fx.SECRET}"}}
    fx.register(rsps, "login_failure", body_override=echo)  # hostile/buggy wiki; not a recording
    with pytest.raises(LoginError) as err:
        site.login()
    assert fx.SECRET not in str(err.value)
    assert "***" in str(err.value)


def test_unreachable_wiki_names_url_and_cause(monkeypatch, rsps) -> None:
    site, t = fx.make_site(monkeypatch, retry=RetryConfig(max_attempts=2))
    for _ in range(2):
        rsps.add("GET", fx.API_URL, body=requests.ConnectionError("Connection refused"))
    with pytest.raises(WikiUnreachable) as err:
        site.login()
    assert fx.API_URL in str(err.value)
    assert "Connection refused" in str(err.value)
    assert err.value.exit_code == 3
    assert t.sleeps == [1.0]


def test_unreachable_during_login_post_leaks_no_secret(monkeypatch, rsps, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    site, _ = fx.make_site(monkeypatch, retry=RetryConfig(max_attempts=1))
    fx.register(rsps, "tokens_login")
    rsps.add("POST", fx.API_URL, body=requests.ConnectionError("Connection reset by peer"))
    with pytest.raises(WikiUnreachable) as err:
        site.login()
    assert fx.SECRET not in "".join(traceback.format_exception(err.value)) + caplog.text


# ---------------------------------------------------------------- the recordings keep no secret

#: A MediaWiki token (csrf, login, ...): 32 or more hex digits and "+\\".
TOKEN_LIKE = re.compile(r"[0-9a-f]{32,}\+\\")
#: A bot-password secret as MediaWiki makes them: 32 characters of [0-9a-w] with at least one letter
#: beyond f (32 hex digits alone are SMW's hashes of queries and subobjects).
BOT_PASSWORD_LIKE = re.compile(r"(?<![0-9a-z])(?=[0-9a-w]{0,31}[g-w])[0-9a-w]{32}(?![0-9a-z])")


def _fields(value: Any, key: str = "") -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [f for k, v in value.items() for f in _fields(v, k)]
    if isinstance(value, list):
        return [f for v in value for f in _fields(v, key)]
    return [(key, value)]


def test_recordings_hold_no_token_cookie_or_secret() -> None:
    names = fx.names()
    assert len(names) >= 30 and "login_success" in names and "tokens_csrf" in names
    secrets = [fx.SECRET, *fx.local_secrets()]  # the real ones where this machine has them
    for name in names:
        text = (fx.RECORDINGS / f"{name}.json").read_text(encoding="utf-8")
        data = json.loads(text)
        assert not TOKEN_LIKE.search(text), f"{name}: a token"
        assert not BOT_PASSWORD_LIKE.search(text), f"{name}: a bot password"
        assert not [s for s in secrets if s in text], f"{name}: a secret of this machine's wikis"
        assert not re.search(r"(?i)set-cookie|\bcookie\b|_session", text), f"{name}: a cookie"
        for key, value in _fields(data):
            if key.endswith("token") or key == "lgpassword":
                assert value == fx.PLACEHOLDER, f"{name}: {key}={value!r} is not the placeholder"
    login = fx.load("login_success")["request"]["params"]
    assert login["lgpassword"] == login["lgtoken"] == fx.PLACEHOLDER
    assert fx.body("tokens_csrf")["query"]["tokens"]["csrftoken"] == fx.PLACEHOLDER
