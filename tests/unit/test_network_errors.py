"""Network errors an admin reads at a glance (issue 12, item 6).

A wiki that is down, refuses the connection, has no DNS entry, speaks no (or untrusted) TLS, or does not
answer must end in one line that says what failed, where and what to check; every retry logs one short
line, and urllib3's wording shows only with ``-v`` (INFO). The failures are real: local sockets on
127.0.0.1 (refused, silent, plain HTTP where TLS belongs, a self-signed certificate, a dropped or
truncated answer), or the standard library's socket functions raising what the kernel or resolver would
(DNS, no route, connect timeout) -- urllib3 and requests build their own exception chains on top.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from ozgwiki.config import RetryConfig, WikiConfig
from ozgwiki.errors import EXIT_UNREACHABLE, WikiUnreachable
from ozgwiki.wiki.site import Site
from ozgwiki.wiki.transport import classify

#: Two attempts: one retry line, then the error. Delays are recorded, never slept.
RETRY = RetryConfig(max_attempts=2, base_delay=0.1, max_delay=0.1, budget_seconds=30)
#: Short enough that a silent peer costs little, long enough for a loaded CI machine to connect locally.
TIMEOUT = 0.3
#: What urllib3 and requests write into their messages; none of it belongs in a line an admin reads.
LIBRARY_WORDS = ("ConnectionPool", "Max retries", "Caused by", "urllib3", "Errno", "_ssl.c")
#: A retry line is short: URL, action, a few words, attempt n/m, next wait.
SHORT_LINE = 160


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """requests would send 127.0.0.1 through a proxy set in the environment."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


def free_port() -> int:
    """A port nobody listens on: the kernel's pick, closed again -- a connection there is refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def listener(handle: Callable[[socket.socket], None]) -> Iterator[int]:
    """A TCP server on 127.0.0.1 that passes each connection to ``handle``; yields its port."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:  # the test is over: the socket was shut down
                return
            held.append(conn)  # kept open until the end: a silent peer must not hang up by itself
            conn.settimeout(5)
            with suppress(OSError):  # the client hung up first: nothing more to say to it
                handle(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield int(server.getsockname()[1])
    finally:
        with suppress(OSError):
            server.shutdown(socket.SHUT_RDWR)  # wakes the accept() above (close alone does not on Linux)
        server.close()
        thread.join(5)
        for conn in held:
            conn.close()


def read_request(conn: socket.socket) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return
        data += chunk


def answer(raw: bytes) -> Callable[[socket.socket], None]:
    def handle(conn: socket.socket) -> None:
        read_request(conn)
        conn.sendall(raw)
        conn.close()

    return handle


def hang_up(conn: socket.socket) -> None:
    read_request(conn)
    conn.close()


def never_answer(conn: socket.socket) -> None:
    """Accept and stay silent: the client's read timeout must fire."""


def plain_http(conn: socket.socket) -> None:
    """Answer a TLS ClientHello in plain HTTP, as a web server does on its http port."""
    conn.recv(4096)
    conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    conn.close()


def self_signed(tmp: Path) -> Callable[[socket.socket], None]:
    """TLS with a self-signed certificate the client cannot verify (made by the openssl command)."""
    key, cert = tmp / "key.pem", tmp / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=localhost"],
        check=True, capture_output=True,
    )  # fmt: skip
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)

    def handle(conn: socket.socket) -> None:
        with ctx.wrap_socket(conn, server_side=True):
            pass  # the client rejects the certificate during the handshake: wrap_socket raises

    return handle


def resolver_says_unknown(monkeypatch: pytest.MonkeyPatch, host: str) -> None:
    real = socket.getaddrinfo

    def getaddrinfo(name, *args, **kwargs):  # type: ignore[no-untyped-def]
        if name == host:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def connect_fails(monkeypatch: pytest.MonkeyPatch, exc: OSError) -> None:
    def connect(self: socket.socket, address: object) -> None:
        raise exc

    monkeypatch.setattr(socket.socket, "connect", connect)


@dataclass(frozen=True)
class Case:
    """One failure class: what the admin reads, the reason and exception name kept for grep, and the
    innermost cause that ``-v`` shows (None: not a network exception, nothing to detail)."""

    short: str  # a regex for the few words
    check: str  # a word of what to check
    reason: str
    name: str
    root: str | None


CASES = {
    "refused": Case(
        "connection refused", "is the web server running", "connection", "ConnectionError",
        "ConnectionRefusedError",
    ),
    "dns": Case("host name 'wiki\\.invalid' not found", "DNS", "connection", "ConnectionError", "gaierror"),
    "no-route": Case("no route to the host", "firewall", "connection", "ConnectionError", "OSError"),
    "connect-timeout": Case(
        f"no connection within {TIMEOUT:g} s", "wiki.request_timeout", "timeout", "ConnectTimeout",
        "TimeoutError",
    ),
    "read-timeout": Case(
        f"no answer within {TIMEOUT:g} s", "wiki.request_timeout", "timeout", "ReadTimeout", "TimeoutError"
    ),
    "tls-handshake": Case(
        "TLS handshake failed: [A-Z_]+", "should wiki.api_url start with http://", "connection", "SSLError",
        "SSLError",
    ),
    "tls-certificate": Case(
        "TLS certificate not accepted: self.signed certificate", "REQUESTS_CA_BUNDLE", "connection",
        "SSLError", "SSLCertVerificationError",
    ),
    "dropped": Case(
        "the connection broke off", "error logs", "connection", "ConnectionError", "RemoteDisconnected"
    ),
    "truncated": Case(
        "the connection broke off", "error logs", "connection", "ChunkedEncodingError", "IncompleteRead"
    ),
    "http-503": Case("the wiki answers HTTP 503", "error log", "http5xx", "HTTP 503", None),
}  # fmt: skip

TRUNCATED = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"batch'
HTTP_503 = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


@contextmanager
def failing_wiki(case: str, monkeypatch: pytest.MonkeyPatch, tmp: Path) -> Iterator[str]:
    """The api_url of a wiki that fails as ``case`` says."""
    servers: dict[str, Callable[[], Callable[[socket.socket], None]]] = {
        "read-timeout": lambda: never_answer,
        "tls-handshake": lambda: plain_http,
        "tls-certificate": lambda: self_signed(tmp),
        "dropped": lambda: hang_up,
        "truncated": lambda: answer(TRUNCATED),
        "http-503": lambda: answer(HTTP_503),
    }
    if case in servers:
        scheme = "https" if case.startswith("tls") else "http"
        with listener(servers[case]()) as port:
            yield f"{scheme}://127.0.0.1:{port}/w/api.php"
        return
    if case == "refused":
        yield f"http://127.0.0.1:{free_port()}/w/api.php"
    elif case == "dns":
        resolver_says_unknown(monkeypatch, "wiki.invalid")
        yield "http://wiki.invalid/w/api.php"
    elif case == "no-route":
        connect_fails(monkeypatch, OSError(errno.EHOSTUNREACH, os.strerror(errno.EHOSTUNREACH)))
        yield "http://192.0.2.7/w/api.php"
    elif case == "connect-timeout":
        connect_fails(monkeypatch, TimeoutError("timed out"))
        yield "http://192.0.2.7/w/api.php"
    else:
        raise AssertionError(case)


def site_for(api_url: str, sleeps: list[float]) -> Site:
    wiki = WikiConfig(
        api_url=api_url, username="OzgBot@ozgwiki", secret="x" * 32, request_timeout=TIMEOUT, retry=RETRY
    )
    return Site(wiki, sleep=sleeps.append, random=lambda: 1.0)


def needs(case: str) -> list[pytest.MarkDecorator]:
    if case == "tls-certificate":
        return [pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")]
    return []


@pytest.mark.parametrize("verbose", [False, True], ids=["default", "verbose"])
@pytest.mark.parametrize("case", [pytest.param(c, id=c, marks=needs(c)) for c in CASES])
def test_each_failure_ends_in_one_line_that_says_what_where_and_what_to_check(
    case: str,
    verbose: bool,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    expected = CASES[case]
    caplog.set_level(logging.INFO if verbose else logging.WARNING)
    sleeps: list[float] = []
    with failing_wiki(case, monkeypatch, tmp_path) as api_url:
        site = site_for(api_url, sleeps)
        with pytest.raises(WikiUnreachable) as err:
            site.api("query", meta="siteinfo")

    message = str(err.value)
    host = urlsplit(api_url).hostname
    assert host and host in message
    assert "\n" not in message and err.value.exit_code == EXIT_UNREACHABLE
    head = rf"cannot reach the wiki at {re.escape(api_url)} action=query: {expected.short} \(.*"
    assert re.fullmatch(head + re.escape(expected.check) + ".*", message), message
    tail = f"; gave up after 2 attempts, {{}} s: {expected.reason} ({expected.name})"
    assert re.search(re.escape(tail).replace(r"\{\}", r"\d+\.\d") + "$", message), message
    assert not [w for w in LIBRARY_WORDS if w in message], message
    assert sleeps == [0.1] and dict(site.stats.retry_reasons) == {expected.reason: 1}

    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    retry_line = rf"{re.escape(api_url)} action=query: {expected.short}; attempt 1/2 failed, next in 0\.1 s"
    assert [r.getMessage() for r in warnings if re.fullmatch(retry_line, r.getMessage())] == [
        r.getMessage() for r in warnings
    ]
    assert len(warnings) == 1 and len(warnings[0].getMessage()) <= SHORT_LINE, caplog.text
    assert not [w for w in LIBRARY_WORDS if w in warnings[0].getMessage()]

    details = [r.getMessage() for r in caplog.records if r.name == "ozgwiki.wiki.transport"]
    if not verbose or expected.root is None:
        assert details == []
        if not verbose:
            assert not [w for w in LIBRARY_WORDS if w in caplog.text], caplog.text
    else:  # -v: what the libraries said, one line per attempt, down to the socket's or ssl's own error
        assert len(details) == 2 and all("\n" not in d for d in details), details
        assert all(f"<- {expected.root}" in d or d.startswith(expected.root) for d in details), details


def test_a_refused_port_through_the_cli_is_one_retry_line_and_the_error(tmp_path: Path) -> None:
    """``ozgwiki import --dry-run`` as cron runs it, against a port where nothing listens: stderr holds
    one line per retry and ends in the one-line error; exit 3, no traceback, no urllib3 text."""
    secret = tmp_path / "bot.secret"
    secret.write_text("x" * 32 + "\n")
    secret.chmod(0o600)
    api_url = f"http://127.0.0.1:{free_port()}/w/api.php"
    config = tmp_path / "ozgwiki.yaml"
    config.write_text(
        f"wiki:\n  api_url: {api_url}\n  username: OzgBot@ozgwiki\n  password_file: {secret}\n"
        "  request_timeout: 5\n"
        "  retry: {max_attempts: 2, base_delay: 0.1, max_delay: 0.1, budget_seconds: 30}\n"
        f"state:\n  dir: {tmp_path / 'state'}\n"
    )
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower() and not k.startswith("OZGWIKI")}
    proc = subprocess.run(
        [sys.executable, "-m", "ozgwiki", "--config", str(config), "import", "--dry-run"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == EXIT_UNREACHABLE, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert 1 <= len(lines) <= RETRY.max_attempts, proc.stderr  # retries + 1
    assert lines[:-1] == [
        f"WARNING ozgwiki.wiki.retry: {api_url} action=query: connection refused; "
        "attempt 1/2 failed, next in 0.1 s"
    ]
    assert lines[-1].startswith(f"ozgwiki: error: cannot reach the wiki at {api_url} action=query: ")
    assert "connection refused (is the web server running" in lines[-1] and "wiki.api_url" in lines[-1]
    assert not [w for w in LIBRARY_WORDS if w in proc.stderr], proc.stderr


@pytest.mark.parametrize(
    ("exc", "short", "check"),
    [
        pytest.param(
            requests.exceptions.SSLError(ssl.SSLCertVerificationError(1, "certificate verify failed")),
            "TLS certificate not accepted: verification failed", "REQUESTS_CA_BUNDLE", id="tls-from-python",
        ),
        pytest.param(
            requests.exceptions.ProxyError(ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")),
            "the HTTP proxy failed", "HTTPS_PROXY", id="proxy",
        ),
        pytest.param(
            requests.ConnectionError("something new"), "network error (ConnectionError: something new)",
            "wiki.api_url", id="unknown-keeps-its-words",
        ),
    ],
)  # fmt: skip
def test_classify_without_openssl_attributes_proxy_and_the_unknown(
    exc: requests.RequestException, short: str, check: str
) -> None:
    """Exceptions built by code rather than by OpenSSL or urllib3 still get a clear line: no attribute
    is taken for granted, a proxy is named as such, and an unknown cause keeps its own words."""
    failure = classify(exc, "https://wiki.example/w/api.php", 30)
    assert (failure.reason, failure.short, failure.name) == ("connection", short, type(exc).__name__)
    assert check in failure.check
