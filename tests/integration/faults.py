"""Tools for the fault-injection tests (``test_faults_wiki.py``): wikis of their own, child processes
watched line by line, and a loopback proxy that answers with HTTP 503 or drops connections.

Nothing here sleeps to synchronise: child processes are followed through their log lines (a condition
variable with a deadline), the proxy's faults are a queue consumed per connection.
"""

from __future__ import annotations

import collections
import contextlib
import re
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import requests

from ozgwiki import localwiki as lw


def free_port() -> int:
    """A TCP port nobody listens on right now (the kernel's pick)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def own_wiki(directory: Path, **kwargs: Any) -> Iterator[lw.LocalWiki]:
    """A fresh local wiki in ``directory`` on a free port, stopped afterwards whatever happens."""
    wiki = lw.LocalWiki(directory, free_port(), **kwargs)
    try:
        wiki.up()
        yield wiki
    finally:
        wiki.down()


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

#: What the proxy can do instead of forwarding one request.
FAULTS = ("503", "drop", "lose-response")


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


class FaultProxy:
    """A loopback HTTP proxy in front of one wiki; ``inject()`` queues faults for the next requests.

    ``503``: answer ``HTTP/1.1 503`` with ``Retry-After`` without asking the wiki. ``drop``: close the
    connection after reading the request, unanswered and unseen by the wiki. ``lose-response``: forward
    the request, let the wiki do it, then close without passing the answer on -- the worst case for a
    write. Everything else is forwarded byte for byte (one connection per request).
    """

    def __init__(self, upstream_port: int, *, retry_after: int = 3) -> None:
        self.upstream_port = upstream_port
        self.retry_after = retry_after
        self.faults: collections.deque[str] = collections.deque()
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
            with self._lock:
                fault = self.faults.popleft() if self.faults else "forward"
                self.log.append((fault, _action(request)))
            if fault == "503":
                body = b"<h1>Wartungsarbeiten</h1>"
                conn.sendall(
                    b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: %d\r\nContent-Type: text/html\r\n"
                    b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (self.retry_after, len(body), body)
                )
                return
            if fault == "drop":
                return
            with socket.create_connection(("127.0.0.1", self.upstream_port), timeout=60) as up:
                up.sendall(request)
                response = b""
                while chunk := up.recv(65536):
                    if fault == "forward":
                        conn.sendall(chunk)
                    response += chunk
            # lose-response: the wiki has done the request; the client never hears about it.


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
