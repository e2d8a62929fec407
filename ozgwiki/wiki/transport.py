"""HTTP for the site client: one logical API request with retries, answers mapped to project errors.

Only :class:`ozgwiki.wiki.site.Site` uses this module; it adds what needs session state (login, tokens,
dry-run). mwclient serves as the session and cookie holder only: its own API calls send no ``maxlag``,
its sleepers can wait for hours, so they are replaced by ones that never wait.
"""

from __future__ import annotations

import dataclasses
import errno
import http.client
import logging
import socket
import ssl
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import mwclient
import mwclient.errors
import mwclient.sleep
import requests
import urllib3.exceptions

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


def _one_line(exc: BaseException, limit: int) -> str:
    text = " ".join(f"{type(exc).__name__}: {exc}".split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and what lies beneath it, outermost first.

    requests wraps urllib3's ``MaxRetryError`` as its first argument, which names the real cause in
    ``.reason``; below that Python's own chain (``__cause__``/``__context__``) reaches the socket or
    ssl error that says what actually happened.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        reason = getattr(current, "reason", None)
        first = current.args[0] if current.args else None
        if isinstance(reason, BaseException):
            current = reason
        elif isinstance(first, BaseException):
            current = first
        else:
            current = current.__cause__ or current.__context__


def describe(exc: BaseException) -> str:
    """The technical cause of a network error on one line, for ``-v``: the outermost exception and the
    innermost one (the socket or ssl error, which urllib3's wrapping text tends to bury).

    requests never puts POST bodies (passwords) in messages.
    """
    root = list(causes(exc))[-1]
    outer = _one_line(exc, 400)
    return outer if root is exc else f"{outer} <- {_one_line(root, 200)}"


@dataclasses.dataclass(frozen=True)
class NetworkFailure:
    """What a failed HTTP attempt means for an admin: the retry reason, what failed in a few words
    (the retry log line), what to check (the final error) and requests' exception name (for grep)."""

    reason: str
    short: str
    check: str
    name: str


_UNREACHABLE = {
    errno.EHOSTUNREACH: "no route to the host",
    errno.ENETUNREACH: "network unreachable",
    errno.EHOSTDOWN: "the host is down",
    errno.ENETDOWN: "the network is down",
}
_CHECK_NETWORK = "is the host up? check the network, routing and firewall between here and the wiki"
_CHECK_API_URL = "is the wiki reachable from this machine? is wiki.api_url right?"


def classify(exc: requests.RequestException, api_url: str, timeout: float) -> NetworkFailure:
    """Map a requests exception of a failed attempt to what an admin reads (see docs/operations.md).

    The outer type decides timeouts (urllib3's ``NewConnectionError`` subclasses its connect-timeout
    error, so the chain would mislead); the innermost causes decide the rest, by type and errno, never
    by message text, which changes between library versions.
    """
    url = urlsplit(api_url)
    host = url.hostname or url.netloc
    port = url.port or (443 if url.scheme == "https" else 80)
    name = type(exc).__name__
    if isinstance(exc, requests.ConnectTimeout):
        check = "is the host up, is a firewall dropping packets? is wiki.request_timeout too short?"
        return NetworkFailure("timeout", f"no connection within {timeout:g} s", check, name)
    if isinstance(exc, requests.Timeout):
        check = "is the web server, PHP or the database overloaded? is wiki.request_timeout too short?"
        return NetworkFailure("timeout", f"no answer within {timeout:g} s", check, name)
    chain = list(causes(exc))
    for cause in chain:
        if isinstance(cause, ssl.SSLCertVerificationError):
            # Only OpenSSL sets these attributes; an error raised from Python code has none.
            why = (
                getattr(cause, "verify_message", None)
                or getattr(cause, "reason", None)
                or "verification failed"
            )
            check = (
                f"is the certificate valid for {host} and not expired? for a private CA point "
                "REQUESTS_CA_BUNDLE at its CA bundle"
            )
            return NetworkFailure("connection", f"TLS certificate not accepted: {why}", check, name)
    for cause in chain:
        if isinstance(cause, ssl.SSLError | urllib3.exceptions.SSLError | requests.exceptions.SSLError):
            why = next(
                (c.reason for c in chain if getattr(c, "reason", None) and isinstance(c, ssl.SSLError)), None
            )
            check = (
                f"does port {port} speak https, or should wiki.api_url start with http://? "
                "is the certificate valid, is the CA bundle (REQUESTS_CA_BUNDLE) right?"
            )
            short = f"TLS handshake failed: {why}" if why else "TLS handshake failed"
            return NetworkFailure("connection", short, check, name)
    if isinstance(exc, requests.exceptions.ProxyError):
        check = "check HTTPS_PROXY / HTTP_PROXY / NO_PROXY in the bot's environment"
        return NetworkFailure("connection", "the HTTP proxy failed", check, name)
    for cause in chain:
        if isinstance(cause, socket.gaierror | urllib3.exceptions.NameResolutionError):
            check = "is the host name in wiki.api_url right? does this machine's DNS resolve it?"
            return NetworkFailure("connection", f"host name {host!r} not found", check, name)
    for cause in reversed(chain):
        code = cause.errno if isinstance(cause, OSError) else None
        if isinstance(cause, ConnectionRefusedError) or code == errno.ECONNREFUSED:
            check = f"is the web server running and listening on port {port}? is wiki.api_url right?"
            return NetworkFailure("connection", "connection refused", check, name)
        if code in _UNREACHABLE:
            return NetworkFailure("connection", _UNREACHABLE[code], _CHECK_NETWORK, name)
        if isinstance(
            cause,
            ConnectionResetError
            | ConnectionAbortedError
            | BrokenPipeError
            | http.client.RemoteDisconnected
            | http.client.IncompleteRead
            | urllib3.exceptions.ProtocolError
            | requests.exceptions.ChunkedEncodingError
            | requests.exceptions.ContentDecodingError,
        ):
            check = "did the web server or a proxy in front of it fail or restart? see their error logs"
            return NetworkFailure("connection", "the connection broke off", check, name)
    return NetworkFailure("connection", f"network error ({_one_line(chain[-1], 120)})", _CHECK_API_URL, name)


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


@dataclasses.dataclass(frozen=True)
class Upload:
    """A file sent as a parameter of a POST request (``multipart/form-data``), such as the XML document
    of ``action=import``. Immutable bytes, so a retry sends it again unchanged."""

    filename: str
    content: bytes = dataclasses.field(repr=False)
    mimetype: str = "application/octet-stream"


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
        files: dict[str, tuple[str, bytes, str]] = {}
        for key, value in params.items():
            if value is None or value is False:
                continue
            if isinstance(value, Upload):
                files[key] = (value.filename, value.content, value.mimetype)
                continue
            full[key] = "1" if value is True else str(value)
        full.update(format="json", formatversion="2", maxlag=str(self.wiki.maxlag))
        if assert_user and action != "login":
            full["assert"] = "user"
        get = method.upper() == "GET"
        if files and get:
            raise ValueError(f"action={action}: a file upload needs a POST request")
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
                    files=files or None,
                    timeout=self.wiki.request_timeout,
                )
            except (requests.Timeout, requests.ConnectionError, *BROKEN_ANSWER) as exc:
                self._network_failure(run, exc)
                continue
            except requests.RequestException as exc:
                # Not a fault of a running wiki (an invalid URL, too many redirects): at once, one line.
                raise WikiUnreachable(
                    f"cannot use the wiki at {self.api_url} action={action}: {_one_line(exc, 200)} "
                    "(is wiki.api_url right?)"
                ) from None
            retry_after = parse_retry_after(resp.headers.get("Retry-After"))
            header_code = resp.headers.get("MediaWiki-API-Error")
            if resp.status_code >= 500:
                status = f"HTTP {resp.status_code}"
                self._retry(
                    run, "http5xx", status, retry_after,
                    short=f"the wiki answers {status}",
                    check="a server error: see the web server's and PHP's error log",
                )  # fmt: skip
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
                kind = resp.headers.get("Content-Type") or "no Content-Type"
                short = f"HTTP {resp.status_code} {kind!r} instead of JSON"
                self._retry(run, "notjson", not_json(resp, action, self.api_url), retry_after, short=short)
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

    def _network_failure(self, run: RetryRun, exc: requests.RequestException) -> None:
        """A failed attempt without an answer: the library detail at INFO (``-v``), then one short line
        per retry and a final error that says what failed and what to check."""
        failure = classify(exc, self.api_url, self.wiki.request_timeout)
        log.info("%s: attempt %d: %s", run.what, run.failures + 1, describe(exc))
        self._retry(run, failure.reason, failure.name, short=failure.short, check=failure.check)

    def _retry(
        self,
        run: RetryRun,
        reason: str,
        detail: str,
        retry_after: float | None = None,
        *,
        short: str | None = None,
        check: str | None = None,
    ) -> None:
        # sleeps, or raises when attempts/budget are spent
        run.failed(reason, detail, retry_after, short=short, check=check)
        self.stats.retries += 1
        self.stats.retry_reasons[reason] += 1
