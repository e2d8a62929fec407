"""The ``php -S`` server of the wiki: start it, find it by its PID file, wait until it answers, stop it."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import socket
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import requests

from ozgwiki.config import LOCALWIKI_PORT_ENV
from ozgwiki.errors import LocalWikiError
from ozgwiki.localwiki.install import DB_NAME
from ozgwiki.localwiki.settings import _write_if_changed, write_private
from ozgwiki.localwiki.software import tail

log = logging.getLogger("ozgwiki.localwiki")  # the package logger: log lines name it as before the split

PORT_ENV = LOCALWIKI_PORT_ENV
DEFAULT_PORT = 8091
HOST = "127.0.0.1"
SERVER_LOG_MAX_BYTES = 10 * 1024 * 1024
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 5.0

# Servers started by this process, kept so they can be reaped (no zombies, no ResourceWarning).
_children: dict[int, subprocess.Popen[bytes]] = {}


def port_from_env(environ: Mapping[str, str] | None = None) -> int:
    """The port from ``$OZGWIKI_LOCALWIKI_PORT`` (default 8091), checked."""
    raw = (os.environ if environ is None else environ).get(PORT_ENV, "").strip()
    if not raw:
        return DEFAULT_PORT
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise LocalWikiError(f"${PORT_ENV} must be a TCP port number (1-65535), got {raw!r}")
    return int(raw)


def _pid_alive(pid: int) -> bool:
    """True while ``pid`` runs; reaps our own children so a dead server is never taken for alive."""
    proc = _children.get(pid)
    if proc is not None:
        if proc.poll() is not None:
            del _children[pid]
            return False
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat.rsplit(")", 1)[-1].split()[0] == "Z":
            return False
    return True


def _is_our_server(pid: int, port: int) -> bool:
    """Guard against a stale PID file whose number now belongs to another process."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return _pid_alive(pid)  # no /proc: trust the PID file
    return b"-S" in argv and f"{HOST}:{port}".encode() in argv


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(1.0)
        return s.connect_ex((HOST, port)) == 0


class ServerMixin:
    """Start, find, wait for and stop the server of a :class:`~ozgwiki.localwiki.LocalWiki` (mixed into it).

    Uses the wiki's ``directory``, ``port``, ``php``, ``mediawiki_dir``, ``ready_timeout``, ``api_url``,
    ``server_log``, ``path()`` and ``_php_env()``.
    """

    def _start(self) -> int:
        htdocs = self.path("htdocs")
        htdocs.mkdir(parents=True, exist_ok=True)
        link = htdocs / "w"
        if not link.is_symlink() or Path(os.readlink(link)) != self.mediawiki_dir:
            link.unlink(missing_ok=True)
            link.symlink_to(self.mediawiki_dir)
        _write_if_changed(htdocs / "index.php", "<?php\nheader( 'Location: /w/index.php' );\n")
        log_file = self.server_log
        log_file.parent.mkdir(parents=True, exist_ok=True)
        if log_file.is_file() and log_file.stat().st_size > SERVER_LOG_MAX_BYTES:
            log_file.replace(log_file.with_suffix(".log.1"))
        env = self._php_env()
        env.pop("PHP_CLI_SERVER_WORKERS", None)  # exactly one worker: see the package docstring
        with log_file.open("ab") as fh:
            fh.write(f"--- ozgwiki: php -S {HOST}:{self.port} starting {time.ctime()}\n".encode())
            fh.flush()
            try:
                proc = subprocess.Popen(
                    [self.php, "-S", f"{HOST}:{self.port}", "-t", str(htdocs)],
                    cwd=self.directory,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=fh,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            except OSError as exc:
                raise LocalWikiError(f"cannot start {self.php}: {exc}") from None
        _children[proc.pid] = proc
        write_private(self.path("server.json"), json.dumps({"pid": proc.pid, "port": self.port}) + "\n")
        log.info("started php -S on %s:%s (pid %s), log %s", HOST, self.port, proc.pid, log_file)
        return proc.pid

    def _stop(self, pid: int) -> None:
        """SIGTERM, wait, then SIGKILL the whole process group (php -S takes about 2 s to exit on SIGTERM)."""
        log.info("stopping the local wiki (pid %s)", pid)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        if not self._wait_exit(pid, STOP_TIMEOUT):
            log.warning("pid %s ignored SIGTERM for %.0f s; killing its process group", pid, STOP_TIMEOUT)
        # start_new_session made the server its group's leader: the group id is its pid, never ours.
        if pid != os.getpgrp():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
        if not self._wait_exit(pid, STOP_TIMEOUT):
            raise LocalWikiError(f"the local wiki server (pid {pid}) does not stop; kill it by hand")
        self.path("server.json").unlink(missing_ok=True)

    @staticmethod
    def _wait_exit(pid: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while _pid_alive(pid):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def _server(self) -> tuple[int, int] | None:
        """PID and port of this folder's running server, or None (a stale PID file is removed)."""
        pid_file = self.path("server.json")
        try:
            data = json.loads(pid_file.read_text(encoding="utf-8"))
            pid, port = int(data["pid"]), int(data["port"])
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError):
            log.warning("ignoring unreadable %s", pid_file)
            pid_file.unlink(missing_ok=True)
            return None
        if _pid_alive(pid) and _is_our_server(pid, port):
            return pid, port
        log.info("removing stale %s (pid %s is gone)", pid_file, pid)
        pid_file.unlink(missing_ok=True)
        return None

    def _wait_ready(self, pid: int) -> dict[str, Any]:
        """Poll the API until it answers as this wiki; fail early if the server died."""
        deadline = time.monotonic() + self.ready_timeout
        last_error = "no answer yet"
        while True:
            if not _pid_alive(pid):
                self.path("server.json").unlink(missing_ok=True)
                log_tail = self._log_tail()
                if "Address already in use" in log_tail:
                    raise LocalWikiError(f"port {self.port} on {HOST} is in use by another program")
                raise LocalWikiError(
                    f"the local wiki server exited at start; see {self.server_log}:\n{log_tail}"
                )
            try:
                general = self._siteinfo(self.api_url, "general", timeout=10.0)["general"]
            except LocalWikiError as exc:
                last_error = str(exc)
            else:
                if general.get("wikiid") == DB_NAME:
                    return dict(general)
                last_error = f"port {self.port} answers as wiki {general.get('wikiid')!r}, not {DB_NAME!r}"
            if time.monotonic() > deadline:
                raise LocalWikiError(
                    f"the local wiki did not answer at {self.api_url} within {self.ready_timeout:.0f} s "
                    f"({last_error}); see {self.server_log} and {self.path('logs')}/:\n{self._log_tail()}"
                )
            time.sleep(0.1)

    @staticmethod
    def _siteinfo(api_url: str, siprop: str, *, timeout: float) -> dict[str, Any]:
        params = {
            "action": "query",
            "meta": "siteinfo",
            "siprop": siprop,
            "format": "json",
            "formatversion": "2",
        }
        try:
            resp = requests.get(api_url, params=params, timeout=timeout)
            resp.raise_for_status()
            return dict(resp.json()["query"])
        except (requests.RequestException, ValueError, KeyError) as exc:
            raise LocalWikiError(f"{api_url} does not answer siteinfo: {type(exc).__name__}") from None

    def _log_tail(self) -> str:
        try:
            return tail(self.server_log.read_text(encoding="utf-8", errors="replace"))
        except FileNotFoundError:
            return "(no log)"
