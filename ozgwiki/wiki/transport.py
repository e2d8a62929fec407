"""HTTP for the site client: one logical API request with retries, answers mapped to project errors.

Only :class:`ozgwiki.wiki.site.Site` uses this module; it adds what needs session state (login, tokens,
dry-run). mwclient serves as the session and cookie holder only: its own API calls send no ``maxlag``,
its sleepers can wait for hours, so they are replaced by ones that never wait.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import mwclient
import mwclient.errors
import mwclient.sleep
import requests

from ozgwiki.config import WikiConfig
from ozgwiki.errors import ApiError, WikiUnreachable
from ozgwiki.wiki.retry import BACKOFF_REASONS, RetryPolicy, RetryRun, parse_retry_after
from ozgwiki.wiki.stats import SiteStats

log = logging.getLogger(__name__)


class _NoWaitSleeper(mwclient.sleep.Sleeper):
    """mwclient's sleeper would wait up to hours; ours gives up at once (retries are ours)."""

    def sleep(self, min_time: float = 0) -> None:
        raise mwclient.errors.MaximumRetriesExceeded(self, self.args)


class _NoWaitSleepers(mwclient.sleep.Sleepers):
    def make(self, args: Any = None) -> mwclient.sleep.Sleeper:
        return _NoWaitSleeper(args, 0, 0, self.callback)


def mwclient_site(wiki: WikiConfig) -> mwclient.Site:
    """An mwclient.Site used as session and cookie holder only: no init request, no waiting."""
    url = urlsplit(wiki.api_url)
    path = url.path.rsplit("/", 1)[0] + "/"
    mw = mwclient.Site(
        url.netloc,
        path=path,
        scheme=url.scheme,
        do_init=False,
        max_retries=0,
        retry_timeout=0,
        max_lag=wiki.maxlag,
        connection_options={"timeout": wiki.request_timeout},
        custom_headers={"User-Agent": wiki.user_agent},
    )
    mw.sleepers = _NoWaitSleepers(0, 0)
    return mw


def describe(exc: BaseException) -> str:
    """A short cause for a network error. requests never puts POST bodies (passwords) in messages."""
    return f"{type(exc).__name__}: {exc}"[:300]


def api_error(error: Mapping[str, Any], action: str) -> ApiError:
    """The ApiError for an ``error`` object; SMW query errors carry messages but no code."""
    code = error.get("code")
    info = error.get("info")
    if not code and info is None:
        # SMW: {"error": {"query": ["msg", ...]}} without a code.
        parts: list[str] = []
        for value in error.values():
            parts.extend(str(v) for v in (value if isinstance(value, list) else [value]))
        info = "; ".join(parts)
    return ApiError(code or None, str(info or ""), action=action)


#: Network errors of requests that are worth another attempt: the answer broke off mid-way
#: (a proxy or the wiki closed the connection inside the body) -- like a dropped connection.
BROKEN_ANSWER = (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)


def not_json(resp: requests.Response, action: str, api_url: str) -> str:
    """Why an answer is not the API's: a proxy's error page, a truncated body, or not the api.php."""
    kind = resp.headers.get("Content-Type") or "no Content-Type"
    return (
        f"HTTP {resp.status_code} {kind!r} to action={action}, {len(resp.content)} bytes: "
        f"{api_url} did not answer with JSON (a proxy's error page? is wiki.api_url the api.php?)"
    )


def error_detail(error: Mapping[str, Any], code: str) -> str:
    """The wiki's words for a retryable refusal, on one line; ``readonly`` adds the admin's reason."""
    detail = str(error.get("info", code))
    reason = error.get("readonlyreason")
    if reason:
        detail = f"{detail} Reason: {reason}"
    return " ".join(detail.split())


class Transport:
    """Sends API requests for one wiki: adds the standard parameters, retries, maps errors, counts.

    ``wait_hint(reason, action)`` (set by the Site) may name how many seconds the wiki needs when it
    refused without a ``Retry-After`` -- for ``ratelimited`` the window of the account's rate limit.
    """

    def __init__(self, wiki: WikiConfig, retry: RetryPolicy, stats: SiteStats) -> None:
        self.wiki = wiki
        self.api_url = wiki.api_url
        self.retry = retry
        self.stats = stats
        self.mw = mwclient_site(wiki)
        self.session: requests.Session = self.mw.connection
        self.wait_hint: Callable[[str, str], float | None] | None = None

    def send(
        self, action: str, method: str, params: Mapping[str, Any], *, assert_user: bool, retry: bool = True
    ) -> dict[str, Any]:
        """One logical request: HTTP with retries, errors mapped. No session or token recovery here.

        ``retry=False`` makes one attempt: whatever would be retried raises at once (for requests that
        only help another one, such as reading the rate limits while a save waits).
        """
        full: dict[str, str] = {"action": action}
        for key, value in params.items():
            if value is None or value is False:
                continue
            full[key] = "1" if value is True else str(value)
        full.update(format="json", formatversion="2", maxlag=str(self.wiki.maxlag))
        if assert_user and action != "login":
            full["assert"] = "user"
        get = method.upper() == "GET"
        policy = self.retry if retry else dataclasses.replace(self.retry, max_attempts=1)
        run = policy.start(f"{self.api_url} action={action}", quiet=not retry)
        while True:
            self.stats.requests[action] += 1
            try:
                resp = self.session.request(
                    "GET" if get else "POST",
                    self.api_url,
                    params=full if get else None,
                    data=None if get else full,
                    timeout=self.wiki.request_timeout,
                )
            except requests.Timeout as exc:
                self._retry(run, "timeout", describe(exc))
                continue
            except (requests.ConnectionError, *BROKEN_ANSWER) as exc:
                self._retry(run, "connection", describe(exc))
                continue
            except requests.RequestException as exc:
                raise WikiUnreachable(f"{self.api_url}: {describe(exc)}") from None
            retry_after = parse_retry_after(resp.headers.get("Retry-After"))
            header_code = resp.headers.get("MediaWiki-API-Error")
            if resp.status_code >= 500:
                self._retry(run, "http5xx", f"HTTP {resp.status_code}", retry_after)
                continue
            if resp.status_code == 429:
                self._retry(run, "ratelimited", "HTTP 429", self._wait(retry_after, "ratelimited", action))
                continue
            if resp.status_code != 200:
                raise WikiUnreachable(
                    f"{self.api_url} answered HTTP {resp.status_code} to action={action}; "
                    "is wiki.api_url the wiki's api.php?"
                )
            try:
                body = resp.json()
            except ValueError:
                body = None
            if not isinstance(body, dict):
                if header_code in BACKOFF_REASONS:
                    self._retry(run, header_code, "MediaWiki-API-Error header", retry_after)
                    continue
                # An HTML page with status 200 is what proxies and load balancers send while the wiki
                # behind them is away (maintenance page, captive portal): retried like a 5xx. A wrong
                # wiki.api_url ends the same way after the retries, and the message says both.
                self._retry(run, "notjson", not_json(resp, action, self.api_url), retry_after)
                continue
            error = body.get("error")
            code = (error.get("code") if isinstance(error, dict) else None) or header_code
            if code in BACKOFF_REASONS:
                detail = error_detail(error, code) if isinstance(error, dict) else code
                self._retry(run, code, detail, self._wait(retry_after, code, action))
                continue
            if isinstance(error, dict):
                raise api_error(error, action)
            if body.get("warnings"):
                log.warning("API warnings for action=%s: %s", action, body["warnings"])
            return body

    def _wait(self, retry_after: float | None, reason: str, action: str) -> float | None:
        """The wiki's ``Retry-After``; without one, what ``wait_hint`` knows (None: plain backoff)."""
        if retry_after is not None or self.wait_hint is None:
            return retry_after
        return self.wait_hint(reason, action)

    def _retry(self, run: RetryRun, reason: str, detail: str, retry_after: float | None = None) -> None:
        run.failed(reason, detail, retry_after)  # sleeps, or raises when attempts/budget are spent
        self.stats.retries += 1
        self.stats.retry_reasons[reason] += 1
