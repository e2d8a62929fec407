"""The embedded local MediaWiki: install, start, stop, reset, and run its job queue.

Decisions, each measured on Debian 12 (MediaWiki 1.39, PHP 8.2, SQLite):

* **Debian's code in place, no copy.** MediaWiki takes ``$MW_CONFIG_FILE`` (an absolute path) before
  ``$IP/LocalSettings.php``, so every php process started here gets
  ``MW_CONFIG_FILE=<folder>/LocalSettings.php`` and never sees ``/etc/mediawiki``. Copying the 284 MB
  tree would cost 1.2 s and the disk space on every fresh install and gain nothing.
* **``php -S``, one worker** (with more, a fast client can read before a save's post-send updates
  are done), document root ``<folder>/htdocs`` whose ``w`` is a symlink to the code, so api.php is
  ``/w/api.php``. Started in its own session, stopped by PID, then by process group (``php -S`` takes
  about 2 s to exit on SIGTERM). Its request log goes to ``<folder>/logs/php-server.log``, never to
  the terminal.
* **No background job runner.** api.php never runs jobs and ``$wgJobRunRate = 0`` keeps page
  views from running them at random; ``run_jobs()`` drains the queue when a bot or test asks. A
  ``runJobs.php --wait`` loop would be a second writer on the single SQLite file (lock contention next
  to the server), must be restarted after every settings change, and would make "did the jobs run yet?"
  depend on timing - exactly what integration tests must not depend on.
* **Least privilege for the bot**: groups ``bot`` + ``interface-admin`` (``editinterface`` for
  ``MediaWiki:Sidebar``; ``sysop`` would add delete/block/protect), bot-password grants ``basic``,
  ``highvolume``, ``editpage``, ``createeditmovepage``, ``editinterface`` (not ``editsiteconfig``: no
  site CSS/JS), ``import`` with ``importupload`` for the bot group (``ozgwiki import --bulk``, the XML
  first load; not ``import`` from other wikis).
* **Idempotent** ``up``: a set-up, running wiki costs one HTTP request. A lock file serialises
  ``up``/``down``/``reset`` of several engineers sharing one folder.

Layout of the folder (``ozgwiki.config.localwiki_dir()``, mode 0700)::

    LocalSettings.php      from install.php, plus one line that loads ozgwiki-settings.php
    ozgwiki-settings.php   rendered from ozgwiki/data/localwiki/settings.php on every ``up``
    LocalSettings.extra.php  optional, yours, never touched
    data/ cache/ images/ logs/ htdocs/
    server.json            PID and port of the running server
    ozgwiki.yaml bot.secret accounts.json   the contract of docs/architecture.md
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from ozgwiki.config import localwiki_dir
from ozgwiki.engine.lock import RunLock
from ozgwiki.errors import LocalWikiError
from ozgwiki.localwiki.accounts import (
    ADMIN_USER,
    APP_ID,
    BOT_GRANTS,
    BOT_GROUPS,
    BOT_PASSWORD_RE,
    BOT_USER,
    EDITOR_GRANTS,
    EDITOR_USER,
    SECRET_ALPHABET,
    SECRET_LENGTH,
    Account,
    Accounts,
    generate_secret,
    read_accounts,
)
from ozgwiki.localwiki.install import DB_NAME, SITE_NAME, InstallMixin
from ozgwiki.localwiki.server import (
    DEFAULT_PORT,
    HOST,
    PORT_ENV,
    READY_TIMEOUT,
    SERVER_LOG_MAX_BYTES,
    STOP_TIMEOUT,
    ServerMixin,
    _port_in_use,
    port_from_env,
)
from ozgwiki.localwiki.settings import (
    SETTINGS_FILE,
    SETTINGS_INCLUDE,
    SETTINGS_TEMPLATE,
    _write_if_changed,
    php_string,
    render_config,
    render_settings,
    write_private,
)
from ozgwiki.localwiki.software import (
    APT_PACKAGES,
    EXTENSIONS,
    LOG_TAIL_LINES,
    LUA,
    MEDIAWIKI_DIR,
    PHP_MODULES,
    SoftwareMixin,
    apt_commands,
    tail,
)
from ozgwiki.wiki.siteinfo import PAGEFORMS_EXTENSION, SMW_EXTENSION, Extensions

__all__ = [
    "ADMIN_USER",
    "APP_ID",
    "APT_PACKAGES",
    "BOT_GRANTS",
    "BOT_GROUPS",
    "BOT_PASSWORD_RE",
    "BOT_USER",
    "DB_NAME",
    "DEFAULT_PORT",
    "EDITOR_GRANTS",
    "EDITOR_USER",
    "EXTENSIONS",
    "HOST",
    "LOG_TAIL_LINES",
    "LUA",
    "MEDIAWIKI_DIR",
    "PAGEFORMS_EXTENSION",
    "PHP_MODULES",
    "PORT_ENV",
    "READY_TIMEOUT",
    "SECRET_ALPHABET",
    "SECRET_LENGTH",
    "SERVER_LOG_MAX_BYTES",
    "SETTINGS_FILE",
    "SETTINGS_INCLUDE",
    "SETTINGS_TEMPLATE",
    "SITE_NAME",
    "SMW_EXTENSION",
    "STOP_TIMEOUT",
    "Account",
    "Accounts",
    "LocalWiki",
    "RunJobsResult",
    "UpResult",
    "WikiStatus",
    "_write_if_changed",
    "apt_commands",
    "generate_secret",
    "php_string",
    "port_from_env",
    "read_accounts",
    "render_config",
    "render_settings",
    "tail",
    "write_private",
]

log = logging.getLogger(__name__)


# ----------------------------------------------------------------------------------------- results


@dataclass(frozen=True)
class UpResult:
    """What ``up`` did: ``installed`` a fresh wiki, ``started`` the server, or neither (fast path)."""

    installed: bool
    started: bool
    pid: int
    api_url: str
    generator: str
    seconds: float


@dataclass(frozen=True)
class WikiStatus:
    """Set up? Running? What software? ``error`` says why a live server does not answer."""

    directory: Path
    set_up: bool
    running: bool
    pid: int | None
    port: int
    api_url: str
    generator: str | None = None
    extensions: Extensions = field(default_factory=Extensions)
    error: str | None = None


@dataclass(frozen=True)
class RunJobsResult:
    """How many jobs ran, how many of them failed, and why runJobs.php stopped."""

    jobs: int
    failed: int
    reached: str


# ---------------------------------------------------------------------------------------- the wiki


class LocalWiki(InstallMixin, ServerMixin, SoftwareMixin):
    """One embedded wiki in one folder on one port.

    Every method that changes something raises :class:`LocalWikiError` with the reason and, where a
    program failed, the tail of its output or log.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str] | None = None,
        port: int | None = None,
        *,
        mediawiki_dir: str | os.PathLike[str] = MEDIAWIKI_DIR,
        php: str = "php",
        ready_timeout: float = READY_TIMEOUT,
        job_queue_lag_factor: int | None = None,
        object_cache: bool = True,
    ) -> None:
        self.directory = Path(directory).absolute() if directory is not None else localwiki_dir()
        self.port = port if port is not None else port_from_env()
        self.mediawiki_dir = Path(mediawiki_dir)
        self.php = php
        self.ready_timeout = ready_timeout
        self.job_queue_lag_factor = job_queue_lag_factor
        # False: no object cache even where PHP has APCu, so state a test changes behind the wiki's
        # back (rate-limit counters, the job count maxlag reads) is seen at once, as on the database.
        self.object_cache = object_cache

    # -- where things are

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/w/api.php"

    @property
    def index_url(self) -> str:
        return f"{self.base_url}/w/index.php"

    def path(self, name: str) -> Path:
        """A file or folder inside the wiki folder (``accounts.json``, ``logs/php-server.log``...)."""
        return self.directory / name

    @property
    def db_file(self) -> Path:
        return self.path(f"data/{DB_NAME}.sqlite")

    @property
    def server_log(self) -> Path:
        return self.path("logs/php-server.log")

    def is_set_up(self) -> bool:
        """Installed completely: ``accounts.json`` is written last, so it marks a finished install."""
        return all(
            p.is_file() for p in (self.path("LocalSettings.php"), self.db_file, self.path("accounts.json"))
        )

    # -- public operations

    def up(self) -> UpResult:
        """Install if needed, start if stopped, wait until the API answers. Fast when already running."""
        t0 = time.monotonic()
        with self._lock():
            return self._up(t0)

    def down(self) -> bool:
        """Stop the server; True if one was running."""
        with self._lock():
            return self._down()

    def reset(self) -> UpResult:
        """Stop, delete everything in the folder (database, accounts, logs), install and start afresh."""
        t0 = time.monotonic()
        with self._lock():
            self._down()
            self._wipe()
            return self._up(t0)

    def status(self) -> WikiStatus:
        """Report; changes nothing but a stale PID file (no lock: safe while another ``up`` runs)."""
        server = self._server()
        pid, port = server if server else (None, self.port)
        api_url = f"http://{HOST}:{port}/w/api.php"
        status = WikiStatus(self.directory, self.is_set_up(), False, pid, port, api_url)
        if pid is None:
            return status
        try:
            query = self._siteinfo(api_url, "general|extensions", timeout=10.0)
        except LocalWikiError as exc:
            return replace(status, error=str(exc))
        return replace(
            status,
            running=True,
            generator=str(query["general"].get("generator", "")),
            extensions=Extensions.from_api(query),
        )

    def run_jobs(self, *, max_jobs: int | None = None, max_time: int | None = None) -> RunJobsResult:
        """Run the job queue with ``runJobs.php`` (api.php never does)."""
        if not self.is_set_up():
            raise LocalWikiError(
                f"the local wiki in {self.directory} is not set up: run `ozgwiki localwiki up`"
            )
        args = ["--result=json"]
        if max_jobs is not None:
            args.append(f"--maxjobs={max_jobs}")
        if max_time is not None:
            args.append(f"--maxtime={max_time}")
        out = self._maintenance("runJobs.php", *args)
        try:
            start = out.index("{")
            result = json.loads(out[start:])
        except ValueError:
            raise LocalWikiError(f"runJobs.php printed no JSON result:\n{tail(out)}") from None
        jobs = result.get("jobs") or []
        failed = sum(1 for j in jobs if j.get("status") != "ok")
        return RunJobsResult(len(jobs), failed, str(result.get("reached", "")))

    # -- the steps

    def _up(self, t0: float) -> UpResult:
        server = self._server()
        if server and server[1] != self.port:
            raise LocalWikiError(
                f"the local wiki in {self.directory} already runs on port {server[1]} (pid {server[0]}), "
                f"not {self.port}: run `ozgwiki localwiki down` first"
            )
        if server is None and _port_in_use(self.port):
            raise LocalWikiError(
                f"port {self.port} on {HOST} is in use by another program (not the local wiki in "
                f"{self.directory}); stop it or choose another port with ${PORT_ENV}"
            )
        installed = False
        if not self.is_set_up():
            if server:
                self._stop(server[0])
                server = None
            self._install()
            installed = True
        elif server is None:
            self._ensure_software()
        self._write_settings()
        self._write_credentials(read_accounts(self.path("accounts.json")))
        started = server is None
        pid = self._start() if server is None else server[0]
        general = self._wait_ready(pid)
        log.info(
            "local wiki ready at %s (pid %s, installed=%s, started=%s)", self.api_url, pid, installed, started
        )
        generator = str(general.get("generator", ""))
        return UpResult(installed, started, pid, self.api_url, generator, time.monotonic() - t0)

    def _down(self) -> bool:
        server = self._server()
        if server is None:
            return False
        self._stop(server[0])
        return True

    def _wipe(self) -> None:
        """Delete the folder's content but keep the folder and its lock file (another ``up`` may wait)."""
        if not self.directory.is_dir():
            return
        for child in self.directory.iterdir():
            if child.name == ".lock":
                continue
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
        log.info("deleted the local wiki in %s", self.directory)

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """Serialise up/down/reset between processes that share this folder."""
        if not self.directory.exists():
            self.directory.mkdir(parents=True, mode=0o700)
        with RunLock(self.path(".lock"), wait=True):
            yield
