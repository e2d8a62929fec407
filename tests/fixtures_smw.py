"""Recorded real SMW/MediaWiki API responses for unit tests, replayed with ``responses``.

The recordings are the repository's own, in ``tests/data/api/`` (see its README; re-recorded with
``tests/smw/record_api.py``); this helper loads one and registers it for the test wiki's api.php,
honouring the recorded HTTP status and headers (``Retry-After``, ``MediaWiki-API-Error`` ...). Each
registration also checks that the request uses the recorded method and ``action``, so a test cannot
pass on the wrong call.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import responses

RECORDINGS = Path(__file__).resolve().parent / "data" / "api"
#: What the recorder put in place of every token and password.
PLACEHOLDER = "REDACTED"
API_URL = "http://wiki.test/w/api.php"
# Hop-by-hop or body-describing headers that `responses` sets itself.
_SKIP_HEADERS = {"content-type", "content-length", "connection", "set-cookie", "host", "date"}


@cache
def _raw(name: str) -> dict[str, Any]:
    path = RECORDINGS / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(
            f"recording {name!r} not found in {RECORDINGS} (recorded with tests/smw/record_api.py)"
        )
    return json.loads(path.read_text(encoding="utf-8"))


def load(name: str) -> dict[str, Any]:
    """A fresh deep copy of one recording (request, response, ...)."""
    return copy.deepcopy(_raw(name))


def body(name: str) -> dict[str, Any]:
    """The recorded response body of a recording."""
    return load(name)["response"]["body"]


def params_of(request: Any) -> dict[str, str]:
    """The API parameters of a sent request: query string for GET, form body for POST."""
    params = dict(parse_qsl(urlsplit(request.url).query, keep_blank_values=True))
    raw = request.body
    if raw:
        text = raw.decode() if isinstance(raw, bytes) else raw
        params.update(parse_qsl(text, keep_blank_values=True))
    return params


# Parameters that tell query requests apart (meta=tokens vs meta=userinfo, type=csrf vs type=login).
_DISCRIMINATING = ("action", "meta", "prop", "list", "type")


def _matcher(method: str, recorded: dict[str, str]) -> Callable[[Any], tuple[bool, str]]:
    keys = _DISCRIMINATING if recorded.get("action") == "query" else ("action",)
    expected = {k: recorded[k] for k in keys if k in recorded}

    def match(request: Any) -> tuple[bool, str]:
        if request.method != method:
            return False, f"method {request.method} != recorded {method}"
        sent = params_of(request)
        for key, value in expected.items():
            if sent.get(key) != value:
                return False, f"{key}={sent.get(key)!r} != recorded {value!r}"
        return True, ""

    return match


def register(
    rsps: responses.RequestsMock,
    name: str,
    *,
    url: str = API_URL,
    body_override: dict[str, Any] | None = None,
    status: int | None = None,
    method: str | None = None,
) -> responses.BaseResponse:
    """Register a recorded response (once; register again for repeats) and return it.

    ``method`` defaults to the recorded one. ``body_override`` replaces the body for the few cases where
    no recording exists; prefer recordings.
    """
    fx = load(name)
    req, resp = fx["request"], fx["response"]
    headers = {k: v for k, v in resp.get("headers", {}).items() if k.lower() not in _SKIP_HEADERS}
    m = (method or req["method"]).upper()
    return rsps.add(
        m,
        url,
        json=body_override if body_override is not None else resp["body"],
        status=status if status is not None else resp["status"],
        headers=headers,
        match=[_matcher(m, req["params"])],
    )


def register_body(
    rsps: responses.RequestsMock,
    action: str,
    data: dict[str, Any],
    *,
    method: str = "GET",
    url: str = API_URL,
) -> responses.BaseResponse:
    """Register a hand-made body for requests that have no recording (say why at the call site)."""
    return rsps.add(method, url, json=data, match=[_matcher(method, {"action": action})])


def register_login(rsps: responses.RequestsMock, *, success: bool = True) -> None:
    """The two requests of a bot-password login: login token, then action=login."""
    register(rsps, "tokens_login")
    register(rsps, "login_success" if success else "login_failure")


def sent(
    rsps: responses.RequestsMock, action: str | None = None, method: str | None = None
) -> list[dict[str, str]]:
    """Parameters of the requests sent so far, optionally only one action / method."""
    out = []
    for call in rsps.calls:
        p = params_of(call.request)
        if (action is None or p.get("action") == action) and (
            method is None or call.request.method == method
        ):
            out.append(p)
    return out


class FakeTime:
    """Injected clock + sleep: sleeping advances the clock and is recorded, nothing waits."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


SECRET_ENV = "OZGWIKI_TEST_BOT_SECRET"
SECRET = "s3cretbotpasswordabcdefghijklmnop"


def make_site(
    monkeypatch: Any,
    *,
    retry: Any = None,
    dry_run: bool = False,
    diff_out: Any = None,
    jitter: float = 1.0,
    max_conflict_retries: int = 3,
) -> tuple[Any, FakeTime]:
    """A Site for :data:`API_URL` with a fake clock; ``jitter`` is what the random source returns
    (1.0 = the full backoff, so delays are exact)."""
    from ozgwiki.config import RetryConfig, WikiConfig
    from ozgwiki.wiki.site import Site

    monkeypatch.setenv(SECRET_ENV, SECRET)
    wiki = WikiConfig(
        api_url=API_URL,
        username="OzgBot@ozgwiki",
        password_env=SECRET_ENV,
        maxlag=5,
        request_timeout=7.0,
        user_agent="ozgwiki-test/1.0 (unit tests)",
        retry=retry or RetryConfig(max_attempts=6, base_delay=1.0, max_delay=60.0, budget_seconds=300.0),
    )
    t = FakeTime()
    site = Site(
        wiki,
        dry_run=dry_run,
        diff_out=diff_out,
        sleep=t.sleep,
        clock=t.clock,
        random=lambda: jitter,
        max_conflict_retries=max_conflict_retries,
    )
    return site, t


def logged_in_as_bot(monkeypatch: Any, rsps: responses.RequestsMock, **kw: Any) -> tuple[Any, FakeTime]:
    """A :func:`make_site` that has logged in through the recorded login, with the recorded bot's
    rights and title limits 50/500 preset (the batch size itself is tested in test_site_read)."""
    from ozgwiki.wiki.siteinfo import UserInfo

    site, t = make_site(monkeypatch, **kw)
    register_login(rsps)
    site._login()
    site._title_limits = (50, 500)
    site._userinfo = UserInfo.from_query(body("userinfo_bot")["query"])
    return site, t


def names() -> list[str]:
    """The names of all recordings."""
    return sorted(p.stem for p in RECORDINGS.glob("*.json"))


def local_secrets() -> list[str]:
    """The real wiki passwords this machine knows, to look for in recordings (none on a fresh clone).

    The local wiki's accounts (``.localwiki/accounts.json`` or ``$OZGWIKI_LOCALWIKI_DIR``) and, when
    ``$OZGWIKI_SMW_CONFIG`` names the SMW suite's file, that wiki's bot and editor passwords.
    """
    import os

    import yaml

    from ozgwiki.config import load_config

    out: list[str] = []
    repo = Path(__file__).resolve().parents[1]
    local = Path(os.environ.get("OZGWIKI_LOCALWIKI_DIR") or repo / ".localwiki")
    if (local / "accounts.json").is_file():
        accounts = json.loads((local / "accounts.json").read_text(encoding="utf-8"))
        for account in accounts.values():
            if isinstance(account, dict):
                out += [str(account[k]) for k in ("secret", "password") if account.get(k)]
    suite = Path(os.environ.get("OZGWIKI_SMW_CONFIG", ""))
    if suite.is_file():
        data = yaml.safe_load(suite.read_text(encoding="utf-8")) or {}
        out.append(load_config((suite.parent / data["bot"]).resolve()).wiki.password())
        out.append((suite.parent / data["editor"]["password_file"]).read_text(encoding="utf-8").strip())
    return [s for s in out if len(s) >= 8]
