"""Tools for the fault-injection tests (``test_faults_*wiki.py``): wikis of their own and settings
switched on them, child processes watched line by line, and a loopback proxy that answers with HTTP
5xx, HTML pages, stalls, truncates or drops connections, or acts (as an admin) just before it forwards
a save.

Nothing here sleeps to synchronise: child processes are followed through their log lines (a condition
variable with a deadline), settings are waited for by polling the wiki for a marker with a deadline,
the proxy's faults are a queue consumed per connection and its stalls end when the client hangs up.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qs

import requests

from ozgwiki import localwiki as lw
from ozgwiki.config import RetryConfig, WikiConfig
from ozgwiki.localwiki import write_private
from ozgwiki.wiki.site import Site

REPO = Path(__file__).resolve().parents[2]
SAMPLE_CATALOGUE = REPO / "ozgwiki" / "data" / "sample" / "umsetzungskatalog.csv"
SECRET_ENV = "OZGWIKI_IT_FAULTS_SECRET"
MAXLAG = 5

#: Three LeiKa-Leistungen of one OZG-Leistung of the sample: six pages with their Lage and Themenfeld.
KEYS = ["99107022000000", "99107022012000", "99107027000000"]
#: The bot group loses noratelimit (MediaWiki 1.39 gives it none; the local wiki adds it): 2 edits in 45 s.
RATE_LIMIT = "$wgGroupPermissions['bot']['noratelimit'] = false;\n$wgRateLimits['edit']['user'] = [ 2, 45 ];"
#: The client's wait for that limit: 45 s and one of MediaWiki's 30 buckets of the window.
RATE_LIMIT_WAIT = 45 + 45 / 30
#: Quick retries for the CLI (it really sleeps): what matters there is how it ends.
QUICK_RETRY = {"max_attempts": 2, "base_delay": 0.1, "max_delay": 0.5, "budget_seconds": 30}
#: How Site.edit reports a page that was deleted (or moved) between its read and its save.
DELETED = "gelöscht oder verschoben, nachdem der Bot die Seite gelesen hatte; nicht neu angelegt"


def free_port() -> int:
    """A TCP port nobody listens on right now (the kernel's pick)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def own_wiki(directory: Path, **kwargs: Any) -> Iterator[lw.LocalWiki]:
    """A fresh local wiki in ``directory`` on a free port, stopped afterwards whatever happens."""
    # No object cache: the faults change counters and queues behind the wiki's back (clear_rate_limits).
    wiki = lw.LocalWiki(directory, free_port(), object_cache=False, **kwargs)
    try:
        wiki.up()
        yield wiki
    finally:
        wiki.down()


#: MediaWiki's default $wgMaxArticleSize (KiB); the settings marker is this plus a counter.
DEFAULT_MAX_ARTICLE_KIB = 2048
EXTRA_SETTINGS = "LocalSettings.extra.php"


class WikiSettings:
    """Switches extra settings of a wiki of its own on and off (``LocalSettings.extra.php``, which its
    ``ozgwiki-settings.php`` loads last on every request), and waits until the wiki runs with them.

    Each version of the file also sets ``$wgMaxArticleSize`` to a marker value that ``siteinfo``
    reports, so "the wiki runs with these settings" is a condition polled with a deadline, not a hope.
    """

    def __init__(self, wiki: lw.LocalWiki) -> None:
        self.wiki = wiki
        self.file = wiki.path(EXTRA_SETTINGS)
        self._version = 0

    def _max_article_kib(self) -> int:
        query = raw_query(requests.Session(), self.wiki.api_url, meta="siteinfo", siprop="general")
        return int(query["general"]["maxarticlesize"]) // 1024

    def _wait_for(self, kib: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while (seen := self._max_article_kib()) != kib:
            assert time.monotonic() < deadline, f"the wiki did not take up its settings ({seen} != {kib} KiB)"

    def set(self, php: str) -> None:
        """Replace the extra settings by ``php`` (statements, without ``<?php``) and wait for them."""
        self._version += 1
        marker = DEFAULT_MAX_ARTICLE_KIB + self._version
        write_private(self.file, f"<?php\n$wgMaxArticleSize = {marker};\n{php}\n")
        self._wait_for(marker)

    def clear(self) -> None:
        """Back to the wiki's own settings."""
        self.file.unlink(missing_ok=True)
        self._wait_for(DEFAULT_MAX_ARTICLE_KIB)

    @contextmanager
    def applied(self, php: str) -> Iterator[WikiSettings]:
        self.set(php)
        try:
            yield self
        finally:
            self.clear()


def wiki_settings(wiki: lw.LocalWiki) -> Iterator[WikiSettings]:
    """For fixtures: the wiki's extra settings, back to none afterwards whatever happens."""
    settings = WikiSettings(wiki)
    try:
        yield settings
    finally:
        settings.clear()


def clear_rate_limits(wiki: lw.LocalWiki) -> int:
    """Forget every rate-limit counter of ``wiki`` -- what the limit's window passing does -- and
    return how many counters there were. MediaWiki keeps them in the object cache (CACHE_ANYTHING
    falls back to the database: ``data/wikicache.sqlite``); the wiki is idle while this runs."""
    with contextlib.closing(sqlite3.connect(wiki.path("data/wikicache.sqlite"), timeout=30)) as db, db:
        return db.execute("DELETE FROM objectcache WHERE keyname LIKE '%:limiter:%'").rowcount


def accounts_of(wiki: lw.LocalWiki) -> lw.Accounts:
    return lw.read_accounts(wiki.path("accounts.json"))


def make_site(
    wiki: lw.LocalWiki,
    *,
    api_url: str | None = None,
    retry: RetryConfig | None = None,
    sleeps: list[float] | None = None,
    request_timeout: float = 30,
    **kwargs: Any,
) -> Site:
    """A bot Site for ``wiki`` whose sleep only records; jitter off, so delays are exact."""
    bot = accounts_of(wiki).bot
    config = WikiConfig(
        api_url=api_url or wiki.api_url,
        username=bot.login,
        password_env=kwargs.pop("password_env", SECRET_ENV),
        secret=kwargs.pop("secret", bot.password),
        maxlag=MAXLAG,
        request_timeout=request_timeout,
        retry=retry or RetryConfig(max_attempts=4, base_delay=1.0, max_delay=60, budget_seconds=300),
    )
    kwargs.setdefault("sleep", recording_sleep(sleeps if sleeps is not None else []))
    return Site(config, random=lambda: 1.0, **kwargs)


def exists(wiki: lw.LocalWiki, title: str) -> bool:
    return "missing" not in raw_query(requests.Session(), wiki.api_url, titles=title)["pages"][0]


def revisions(wiki: lw.LocalWiki, title: str) -> list[dict[str, Any]]:
    """Every revision of a page, newest first, with user and content."""
    pages = raw_query(
        requests.Session(), wiki.api_url, titles=title, prop="revisions", rvlimit="max",
        rvprop="ids|user|content", rvslots="main",
    )["pages"]  # fmt: skip
    return list(pages[0].get("revisions", []))


def contents(wiki: lw.LocalWiki, title: str) -> list[str]:
    """The text of every revision of a page, newest first."""
    return [r["slots"]["main"]["content"] for r in revisions(wiki, title)]


# ------------------------------------------------------------------------------------ the CLI


def small_catalogue(directory: Path, keys: list[str], rename: dict[str, str] | None = None) -> Path:
    """A catalogue manifest of the sample's rows for ``keys`` (LeiKa-Schlüssel) only, in ``directory``;
    ``rename`` gives some keys another LeiKa-Bezeichnung (the catalogue changed). Returns the manifest."""
    directory.mkdir(parents=True, exist_ok=True)
    header, *rows = SAMPLE_CATALOGUE.read_text(encoding="utf-8-sig").splitlines()
    columns = header.split(";")
    key_at, name_at = columns.index("LeiKa-Schlüssel"), columns.index("LeiKa-Bezeichnung")
    kept = []
    for row in rows:
        cells = row.split(";")
        if cells[key_at] in keys:
            cells[name_at] = (rename or {}).get(cells[key_at], cells[name_at])
            kept.append(";".join(cells))
    assert len(kept) == len(keys), f"the sample has not all of {keys}"
    (directory / "umsetzungskatalog.csv").write_text("\n".join([header, *kept]) + "\n", encoding="utf-8")
    manifest = directory / "catalogue.yaml"
    manifest.write_text("umsetzungskatalog: umsetzungskatalog.csv\n", encoding="utf-8")
    return manifest


def write_config(
    path: Path, wiki: lw.LocalWiki, *, catalogue: Path | None = None, **wiki_settings: object
) -> Path:
    """An ozgwiki.yaml for ``wiki`` with its own state dir; ``wiki_settings`` override the wiki section."""
    data: dict[str, Any] = {
        "wiki": {
            "api_url": wiki.api_url, "username": accounts_of(wiki).bot.login,
            "password_file": str(wiki.path("bot.secret")), "maxlag": MAXLAG, "request_timeout": 30,
            **wiki_settings,
        },
        "state": {"dir": str(path.parent / "state")},
    }  # fmt: skip
    if catalogue is not None:
        data["catalogue"] = {"manifest": str(catalogue)}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")  # JSON is YAML
    return path


def run_cli(config: Path, *args: str, timeout: float = 120) -> tuple[int, str, str]:
    """``python -m ozgwiki --config CONFIG ARGS`` as cron runs it (no OZGWIKI_* from the test's env)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OZGWIKI_")}
    argv = [sys.executable, "-m", "ozgwiki", "--config", str(config), *args]
    return Child(argv, env, REPO).finish(timeout)


def import_json(config: Path) -> tuple[int, dict[str, Any], str]:
    """``ozgwiki -v import --format json``: exit code (0 or 1), the report, stderr; never a traceback."""
    rc, out, err = run_cli(config, "-v", "import", "--format", "json")
    assert "Traceback" not in out + err, err[-3000:]
    assert rc in (0, 1), (rc, out[-2000:], err[-3000:])
    return rc, json.loads(out), err


def outcomes(report: dict[str, Any]) -> dict[str, str]:
    """Title → outcome of a ``--format json`` report."""
    return {p["title"]: p["outcome"] for p in report["pages"]}


def message_of(report: dict[str, Any], title: str) -> str:
    return str(next(p["message"] for p in report["pages"] if p["title"] == title))


def one_line_error(rc: int, out: str, err: str) -> str:
    """The CLI's error line: the last line on stderr, the only one starting ``ozgwiki:``, no traceback."""
    assert "Traceback" not in err + out, err[-3000:]
    lines = err.strip().splitlines()
    assert lines and lines[-1].startswith("ozgwiki: error: "), (rc, out[-2000:], err[-3000:])
    assert [line for line in lines if line.startswith("ozgwiki:")] == lines[-1:], err[-3000:]
    return lines[-1]


def raw_login(api_url: str, account: lw.Account) -> requests.Session:
    """A plain requests session logged in with ``action=login`` -- no maxlag, no retries, no ozgwiki."""
    session = requests.Session()
    token = raw_query(session, api_url, meta="tokens", type="login")["tokens"]["logintoken"]
    answer = session.post(
        api_url,
        data={
            "action": "login", "lgname": account.login, "lgpassword": account.password, "lgtoken": token,
            "format": "json", "formatversion": "2",
        },
        timeout=30,
    ).json()  # fmt: skip
    assert answer["login"]["result"] == "Success", answer
    return session


def admin_of(wiki: lw.LocalWiki) -> Callable[..., dict[str, Any]]:
    """``admin(action=..., ...)``: a POST as Admin (sysop) straight to the wiki; it must succeed."""
    session = raw_login(wiki.api_url, accounts_of(wiki).admin)

    def post(**data: Any) -> dict[str, Any]:
        answer = raw_post(session, wiki.api_url, **data)
        assert "error" not in answer, answer
        return answer

    return post


def raw_query(session: requests.Session, api_url: str, **params: Any) -> dict[str, Any]:
    """``action=query`` without maxlag; the ``query`` part of the answer."""
    body = session.get(
        api_url, params={"action": "query", "format": "json", "formatversion": "2", **params}, timeout=30
    ).json()
    assert "query" in body, body
    return dict(body["query"])


def raw_post(session: requests.Session, api_url: str, **data: Any) -> dict[str, Any]:
    """A POST with a fresh CSRF token of ``session`` (no maxlag: it goes through whatever the lag)."""
    token = raw_query(session, api_url, meta="tokens")["tokens"]["csrftoken"]
    body = session.post(
        api_url, data={"format": "json", "formatversion": "2", "token": token, **data}, timeout=30
    ).json()
    return dict(body)


def queued_jobs(api_url: str) -> int:
    """The wiki's job queue length as ``siteinfo`` reports it (asked without maxlag)."""
    stats = raw_query(requests.Session(), api_url, meta="siteinfo", siprop="statistics")["statistics"]
    return int(stats["jobs"])


# ------------------------------------------------------------------------------------ child processes


class LineWatcher:
    """Collects the lines of a child's stream in a thread; tests wait for lines with a deadline."""

    def __init__(self, stream: IO[str]) -> None:
        self.lines: list[str] = []
        self.closed = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            with self._cond:
                self.lines.append(line.rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self.closed = True
            self._cond.notify_all()

    def count(self, pattern: re.Pattern[str]) -> int:
        with self._cond:
            return sum(1 for line in self.lines if pattern.search(line))

    def wait_for(self, pattern: re.Pattern[str], n: int, timeout: float) -> bool:
        """True once ``n`` lines matched ``pattern``; False when the stream ended or the deadline passed."""

        def enough() -> bool:
            return self.closed or sum(1 for line in self.lines if pattern.search(line)) >= n

        with self._cond:
            self._cond.wait_for(enough, timeout)
        return self.count(pattern) >= n

    def text(self, timeout: float = 30) -> str:
        """Everything, once the stream is closed (the child has exited)."""
        self._thread.join(timeout)
        with self._cond:
            return "\n".join(self.lines)


class Child:
    """A child process whose stdout and stderr are both watched."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path) -> None:
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=env, cwd=cwd,
        )  # fmt: skip
        assert self.proc.stdout is not None and self.proc.stderr is not None
        self.out = LineWatcher(self.proc.stdout)
        self.err = LineWatcher(self.proc.stderr)

    def finish(self, timeout: float) -> tuple[int, str, str]:
        rc = self.proc.wait(timeout)
        return rc, self.out.text(), self.err.text()


# ------------------------------------------------------------------------------------ the proxy

#: What the proxy can do instead of forwarding one request (see FaultProxy).
FAULTS = ("503", "500", "502-after", "html", "stall", "slow", "truncate", "drop", "lose-response")
#: A proxy's error page, as a load balancer sends it while the wiki behind it is away.
PROXY_PAGE = b"<!DOCTYPE html><html><head><title>Wartung</title></head><body><h1>Bitte warten</h1></body>"
BAD_GATEWAY = b"<html><body><h1>502 Bad Gateway</h1></body></html>"


def _read_request(conn: socket.socket) -> bytes:
    """One HTTP/1.1 request (headers + Content-Length body), with ``Connection: close`` forced."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    length = 0
    kept = [lines[0]]
    for line in lines[1:]:
        name = line.split(b":", 1)[0].strip().lower()
        if name == b"content-length":
            length = int(line.split(b":", 1)[1])
        if name in (b"connection", b"keep-alive"):
            continue
        kept.append(line)
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    kept.append(b"Connection: close")
    return b"\r\n".join(kept) + b"\r\n\r\n" + body


def _action(request: bytes) -> str:
    match = re.search(rb"[?&\n]action=([a-z]+)", request)
    return match.group(1).decode() if match else "?"


def _form(request: bytes) -> dict[str, str]:
    """The urlencoded POST parameters of a request (empty for a GET)."""
    body = request.partition(b"\r\n\r\n")[2]
    return {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}


def _answer(status: bytes, body: bytes, *extra: bytes) -> bytes:
    head = [b"HTTP/1.1 " + status, b"Content-Type: text/html; charset=utf-8", *extra]
    head += [b"Content-Length: %d" % len(body), b"Connection: close"]
    return b"\r\n".join(head) + b"\r\n\r\n" + body


def _with_length(response: bytes) -> tuple[bytes, bytes]:
    """Head (with a Content-Length for the body php -S ended by closing) and body of an answer."""
    head, _, body = response.partition(b"\r\n\r\n")
    lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"content-length:")]
    lines.append(b"Content-Length: %d" % len(body))
    return b"\r\n".join(lines) + b"\r\n\r\n", body


def _wait_for_hangup(conn: socket.socket, limit: float = 120) -> None:
    """Block until the client closes its end (it timed out and gave up), at most ``limit`` seconds."""
    conn.settimeout(limit)
    with contextlib.suppress(OSError):
        while conn.recv(65536):
            pass


class FaultProxy:
    """A loopback HTTP proxy in front of one wiki; ``inject()`` queues faults for the next requests.

    Without asking the wiki: ``503`` answers ``HTTP/1.1 503`` with ``Retry-After``; ``500`` answers an
    Internal Server Error page; ``html`` answers a proxy's maintenance page with status 200;
    ``stall`` never answers, until the client gives up (its read timeout) and hangs up; ``drop``
    closes the connection after reading the request. After the wiki did the request: ``502-after``
    answers 502 Bad Gateway with an HTML page instead of the wiki's answer; ``slow`` holds the
    wiki's answer until the client has timed out and hung up; ``truncate`` sends the head (with the
    body's length) and half of the body, then closes; ``lose-response`` closes without passing the
    answer on -- the worst cases for a write. Everything else is forwarded byte for byte (one
    connection per request). ``before_edit(title, fn)`` runs ``fn`` once just before a save of
    ``title`` is forwarded: "between the bot's read and its save", even inside a child process.
    """

    def __init__(self, upstream_port: int, *, retry_after: int = 3) -> None:
        self.upstream_port = upstream_port
        self.retry_after = retry_after
        self.faults: collections.deque[str] = collections.deque()
        self.hooks: dict[str, Callable[[], None]] = {}
        #: (what the proxy did, action) per request, in order.
        self.log: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._server.getsockname()[1])
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/w/api.php"

    def inject(self, *faults: str) -> None:
        assert all(f in FAULTS for f in faults), faults
        with self._lock:
            self.faults.extend(faults)

    def before_edit(self, title: str, fn: Callable[[], None]) -> None:
        """Run ``fn`` (once) just before the first ``action=edit`` of ``title`` is forwarded."""
        with self._lock:
            self.hooks[title] = fn

    def done(self, what: str) -> list[str]:
        """The actions of the requests the proxy handled with ``what`` (a fault or ``forward``)."""
        with self._lock:
            return [action for did, action in self.log if did == what]

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._server.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept() (close() alone does not)
        self._server.close()
        self._thread.join(5)
        assert not self._thread.is_alive(), "the proxy's accept loop did not stop"

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(30)
            request = _read_request(conn)
            if not request:
                return
            action = _action(request)
            with self._lock:
                fault = self.faults.popleft() if self.faults else "forward"
                self.log.append((fault, action))
                hook = self.hooks.pop(_form(request).get("title", ""), None) if action == "edit" else None
            if fault == "503":
                retry_after = b"Retry-After: %d" % self.retry_after
                conn.sendall(_answer(b"503 Service Unavailable", b"<h1>Wartungsarbeiten</h1>", retry_after))
                return
            if fault == "500":
                conn.sendall(_answer(b"500 Internal Server Error", b"<h1>Internal Server Error</h1>"))
                return
            if fault == "html":
                conn.sendall(_answer(b"200 OK", PROXY_PAGE))
                return
            if fault == "stall":
                _wait_for_hangup(conn)
                return
            if fault == "drop":
                return
            if hook is not None:
                hook()
            with socket.create_connection(("127.0.0.1", self.upstream_port), timeout=60) as up:
                up.sendall(request)
                response = b""
                while chunk := up.recv(65536):
                    if fault == "forward":
                        conn.sendall(chunk)
                    response += chunk
            # The wiki has done the request; what the client hears of it:
            if fault == "502-after":
                conn.sendall(_answer(b"502 Bad Gateway", BAD_GATEWAY))
            elif fault == "slow":
                _wait_for_hangup(conn)
            elif fault == "truncate":
                head, body = _with_length(response)
                conn.sendall(head + body[: len(body) // 2])
            # lose-response: nothing at all.


def recording_sleep(
    sleeps: list[float], then: Callable[[int], None] | None = None
) -> Callable[[float], None]:
    """A Site ``sleep`` that records the delay instead of waiting; ``then(n)`` runs at the n-th "wait"."""

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if then is not None:
            then(len(sleeps))

    return sleep


class VirtualClock:
    """A clock that only moves when the Site "sleeps": budgets in seconds without waiting."""

    def __init__(self) -> None:
        self.now = time.monotonic()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
