"""The embedded local MediaWiki: install, start, stop, reset, and run its job queue.

Decisions, each measured on Debian 12 (facts in ``../shared/LOCALWIKI.md``):

* **Debian's code in place, no copy.** MediaWiki takes ``$MW_CONFIG_FILE`` (an absolute path) before
  ``$IP/LocalSettings.php``, so every php process started here gets
  ``MW_CONFIG_FILE=<folder>/LocalSettings.php`` and never sees ``/etc/mediawiki``. Copying the 284 MB
  tree would cost 1.2 s and the disk space on every fresh install and gain nothing.
* **``php -S``, one worker** (pitfall 4), document root ``<folder>/htdocs`` whose ``w`` is a symlink to
  the code, so api.php is ``/w/api.php``. Started in its own session, stopped by PID, then by process
  group (pitfall 8). Its request log goes to ``<folder>/logs/php-server.log``, never to the terminal.
* **No background job runner.** api.php never runs jobs (pitfall 3) and ``$wgJobRunRate = 0`` keeps page
  views from running them at random; ``run_jobs()`` drains the queue when a bot or test asks. A
  ``runJobs.php --wait`` loop would be a second writer on the single SQLite file (lock contention next
  to the server), must be restarted after every settings change, and would make "did the jobs run yet?"
  depend on timing - exactly what integration tests must not depend on.
* **Least privilege for the bot**: groups ``bot`` + ``interface-admin`` (``editinterface`` for
  ``MediaWiki:Sidebar``; ``sysop`` would add delete/block/protect), bot-password grants ``basic``,
  ``highvolume``, ``editpage``, ``createeditmovepage``, ``editinterface`` (not ``editsiteconfig``: no
  site CSS/JS).
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
import fcntl
import json
import logging
import os
import re
import secrets
import shutil
import signal
import socket
import string
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

import requests
import yaml

from ozgwiki.config import LOCALWIKI_PORT_ENV, localwiki_dir
from ozgwiki.errors import LocalWikiError

log = logging.getLogger(__name__)

PORT_ENV = LOCALWIKI_PORT_ENV
DEFAULT_PORT = 8091
HOST = "127.0.0.1"
MEDIAWIKI_DIR = Path("/usr/share/mediawiki")
APT_PACKAGES = (
    "mediawiki", "php-sqlite3", "php-intl", "php-mbstring", "php-xml", "php-curl", "php-cli", "lua5.1",
)  # fmt: skip
# Bundled extensions the templates need, loaded from Debian's extensions-core/ by path.
EXTENSIONS = ("ParserFunctions", "Scribunto")
LUA = "lua5.1"
PHP_MODULES = ("pdo_sqlite", "intl", "mbstring", "dom", "xml", "curl")

DB_NAME = "ozgwiki"
SITE_NAME = "OZG-Wiki"
APP_ID = "ozgwiki"
ADMIN_USER = "Admin"
BOT_USER = "OzgBot"
EDITOR_USER = "Redakteurin"
BOT_GROUPS = ("bot", "interface-admin")
BOT_GRANTS = ("basic", "highvolume", "editpage", "createeditmovepage", "editinterface")
EDITOR_GRANTS = ("basic", "editpage", "createeditmovepage")
SMW_EXTENSION = "SemanticMediaWiki"
PAGEFORMS_EXTENSION = "PageForms"

#: Pitfall 1: createBotPassword.php accepts anything, but login only works for ``^[0-9a-w]{32,}$``.
SECRET_ALPHABET = string.digits + "abcdefghijklmnopqrstuvw"
BOT_PASSWORD_RE = re.compile(r"^[0-9a-w]{32,}$")
SECRET_LENGTH = 32

SETTINGS_TEMPLATE = "settings.php"
SETTINGS_FILE = "ozgwiki-settings.php"
SETTINGS_INCLUDE = "require_once __DIR__ . '/ozgwiki-settings.php';"
SERVER_LOG_MAX_BYTES = 10 * 1024 * 1024
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 5.0
LOG_TAIL_LINES = 25

# Servers started by this process, kept so they can be reaped (no zombies, no ResourceWarning).
_children: dict[int, subprocess.Popen[bytes]] = {}


# --------------------------------------------------------------------------------------------- pure


def generate_secret(length: int = SECRET_LENGTH) -> str:
    """Return a random secret a bot-password login accepts (see :data:`BOT_PASSWORD_RE`)."""
    if length < SECRET_LENGTH:
        raise ValueError(f"bot passwords need at least {SECRET_LENGTH} characters")
    return "".join(secrets.choice(SECRET_ALPHABET) for _ in range(length))


def port_from_env(environ: Mapping[str, str] | None = None) -> int:
    """The port from ``$OZGWIKI_LOCALWIKI_PORT`` (default 8091), checked."""
    raw = (os.environ if environ is None else environ).get(PORT_ENV, "").strip()
    if not raw:
        return DEFAULT_PORT
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise LocalWikiError(f"${PORT_ENV} must be a TCP port number (1-65535), got {raw!r}")
    return int(raw)


def php_string(value: str) -> str:
    """Quote ``value`` as a PHP single-quoted string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def render_settings(
    *,
    server: str,
    directory: Path,
    extension_jsons: Sequence[Path],
    lua_path: str,
    job_queue_lag_factor: int | None = None,
) -> str:
    """Render ``ozgwiki-settings.php`` from the template in the package data."""
    template = resources.files("ozgwiki.data").joinpath("localwiki", SETTINGS_TEMPLATE).read_text("utf-8")
    lag = (
        f"$wgJobQueueIncludeInMaxLagFactor = {int(job_queue_lag_factor)};"
        if job_queue_lag_factor
        else "$wgJobQueueIncludeInMaxLagFactor = false;"
    )
    values = {
        "SERVER": php_string(server),
        "CACHE_DIR": php_string(str(directory / "cache")),
        "LOG_DIR": php_string(str(directory / "logs")),
        "UPLOAD_DIR": php_string(str(directory / "images")),
        "EXTENSIONS": "\n".join(
            f"wfLoadExtension( {php_string(p.parent.name)}, {php_string(str(p))} );" for p in extension_jsons
        ),
        "LUA": php_string(lua_path),
        "JOB_QUEUE_LAG": lag,
    }
    text = re.sub(r"@@([A-Z_]+)@@", lambda m: values[m.group(1)], template)
    return text


def render_config(api_url: str) -> str:
    """The bot's ``ozgwiki.yaml`` in the format of docs/architecture.md (secret in ``bot.secret``)."""
    data = {
        "wiki": {
            "api_url": api_url,
            "username": f"{BOT_USER}@{APP_ID}",
            "password_file": "bot.secret",
            "maxlag": 5,
            "request_timeout": 30,
            "retry": {"max_attempts": 6, "base_delay": 1.0, "max_delay": 60, "budget_seconds": 300},
        }
    }
    header = (
        "# Written by `ozgwiki localwiki up` for the local wiki and rewritten on every `up`.\n"
        "# To change settings, copy it to ./ozgwiki.yaml (found first) and edit that copy.\n"
    )
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def apt_commands(*, is_root: bool, has_sudo: bool) -> list[list[str]]:
    """The commands that install MediaWiki and PHP, as root or through passwordless sudo."""
    prefix = ["env", "DEBIAN_FRONTEND=noninteractive"]
    if not is_root:
        if not has_sudo:
            raise LocalWikiError(
                "MediaWiki/PHP are missing and cannot be installed: not root and no passwordless sudo. "
                f"As root run: apt-get update && apt-get install -y --no-install-recommends "
                f"{' '.join(APT_PACKAGES)}"
            )
        prefix = ["sudo", "-n", *prefix]
    return [
        [*prefix, "apt-get", "update"],
        [*prefix, "apt-get", "install", "-y", "--no-install-recommends", *APT_PACKAGES],
    ]


def tail(text: str, lines: int = LOG_TAIL_LINES) -> str:
    """The last ``lines`` lines of ``text``, for error messages."""
    return "\n".join(text.rstrip().splitlines()[-lines:])


def write_private(path: Path, text: str) -> None:
    """Write ``text`` atomically to ``path`` with mode 0600.

    The temporary file is created 0600 by ``os.open`` itself, so the content is never readable by others,
    not even for a moment, whatever the umask; ``os.replace`` then swaps it in.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write_if_changed(path: Path, text: str) -> bool:
    """Write (0600, atomically) when content or mode differ; a running wiki then never sees churn."""
    try:
        if path.read_text(encoding="utf-8") == text and not path.stat().st_mode & 0o077:
            return False
    except FileNotFoundError:
        pass
    write_private(path, text)
    return True


# ----------------------------------------------------------------------------------------- accounts


@dataclass(frozen=True)
class Account:
    """One account. ``login`` and ``password`` are what ``action=login`` takes (bot password or not)."""

    username: str
    login: str
    password: str


@dataclass(frozen=True)
class Accounts:
    """Everything in ``accounts.json`` (format: docs/architecture.md)."""

    api_url: str
    index_url: str
    admin: Account
    bot: Account
    editor: Account

    def to_json(self) -> str:
        data = {
            "api_url": self.api_url,
            "index_url": self.index_url,
            "admin": {"username": self.admin.username, "password": self.admin.password},
            "bot": {"username": self.bot.username, "login": self.bot.login, "secret": self.bot.password},
            "editor": {
                "username": self.editor.username,
                "login": self.editor.login,
                "secret": self.editor.password,
            },
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Accounts:
        admin, bot, editor = data["admin"], data["bot"], data["editor"]
        return cls(
            api_url=str(data["api_url"]),
            index_url=str(data["index_url"]),
            admin=Account(str(admin["username"]), str(admin["username"]), str(admin["password"])),
            bot=Account(str(bot["username"]), str(bot["login"]), str(bot["secret"])),
            editor=Account(str(editor["username"]), str(editor["login"]), str(editor["secret"])),
        )


def read_accounts(path: str | os.PathLike[str] | None = None) -> Accounts:
    """Read ``accounts.json`` (default: the one in the local wiki folder) for tests and the demo."""
    p = Path(path) if path is not None else localwiki_dir() / "accounts.json"
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
        return Accounts.from_mapping(data)
    except FileNotFoundError:
        raise LocalWikiError(f"{p} does not exist: run `ozgwiki localwiki up` first") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise LocalWikiError(f"{p} is not a valid accounts file ({type(exc).__name__}: {exc})") from None


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
    extensions: tuple[str, ...] = ()
    error: str | None = None

    @property
    def has_smw(self) -> bool:
        return SMW_EXTENSION in self.extensions

    @property
    def has_pageforms(self) -> bool:
        return PAGEFORMS_EXTENSION in self.extensions


@dataclass(frozen=True)
class RunJobsResult:
    """How many jobs ran, how many of them failed, and why runJobs.php stopped."""

    jobs: int
    failed: int
    reached: str


# --------------------------------------------------------------------------------------- processes


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


def _has_sudo() -> bool:
    if shutil.which("sudo") is None:
        return False
    return subprocess.run(["sudo", "-n", "true"], capture_output=True, check=False).returncode == 0


# ---------------------------------------------------------------------------------------- the wiki


class LocalWiki:
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
    ) -> None:
        self.directory = Path(directory).absolute() if directory is not None else localwiki_dir()
        self.port = port if port is not None else port_from_env()
        self.mediawiki_dir = Path(mediawiki_dir)
        self.php = php
        self.ready_timeout = ready_timeout
        self.job_queue_lag_factor = job_queue_lag_factor

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
            extensions=tuple(str(e.get("name", "")) for e in query.get("extensions", [])),
        )

    def run_jobs(self, *, max_jobs: int | None = None, max_time: int | None = None) -> RunJobsResult:
        """Run the job queue with ``runJobs.php`` (api.php never does, pitfall 3)."""
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

    def _install(self) -> None:
        self._ensure_software()
        log.info("installing MediaWiki into %s", self.directory)
        for name in ("LocalSettings.php", SETTINGS_FILE, "accounts.json", "bot.secret", "ozgwiki.yaml"):
            self.path(name).unlink(missing_ok=True)
        for name in ("data", "cache"):
            shutil.rmtree(self.path(name), ignore_errors=True)
        for name in ("data", "cache", "images", "logs", "htdocs"):
            self.path(name).mkdir(exist_ok=True)
        accounts = Accounts(
            api_url=self.api_url,
            index_url=self.index_url,
            admin=Account(ADMIN_USER, ADMIN_USER, generate_secret()),
            bot=Account(BOT_USER, f"{BOT_USER}@{APP_ID}", generate_secret()),
            editor=Account(EDITOR_USER, f"{EDITOR_USER}@{APP_ID}", generate_secret()),
        )
        passfile = self.path(".admin-password")
        write_private(passfile, accounts.admin.password)
        try:
            self._maintenance(
                "install.php",
                "--dbtype=sqlite",
                f"--dbpath={self.path('data')}",
                f"--dbname={DB_NAME}",
                f"--server={self.base_url}",
                "--scriptpath=/w",
                "--lang=de",
                f"--passfile={passfile}",
                f"--confpath={self.directory}",
                "--skins=Vector",
                SITE_NAME,
                ADMIN_USER,
            )
        finally:
            passfile.unlink(missing_ok=True)
        local_settings = self.path("LocalSettings.php")
        os.chmod(local_settings, 0o600)  # holds $wgSecretKey
        with local_settings.open("a", encoding="utf-8") as fh:
            fh.write(f"\n# ozgwiki: the local wiki's own settings\n{SETTINGS_INCLUDE}\n")
        self._write_settings()
        # Secrets are arguments here (the stock scripts read no stdin): visible in the process list for
        # well under a second on this machine only, and only until the accounts exist.
        secrets_ = (accounts.bot.password, accounts.editor.password)
        self._maintenance(
            "createAndPromote.php",
            *(f"--{g}" for g in BOT_GROUPS),
            BOT_USER,
            generate_secret(),
            redact=secrets_,
        )
        self._maintenance(
            "createBotPassword.php",
            f"--appid={APP_ID}",
            f"--grants={','.join(BOT_GRANTS)}",
            BOT_USER,
            accounts.bot.password,
            redact=secrets_,
        )
        self._maintenance("createAndPromote.php", EDITOR_USER, generate_secret(), redact=secrets_)
        self._maintenance(
            "createBotPassword.php",
            f"--appid={APP_ID}",
            f"--grants={','.join(EDITOR_GRANTS)}",
            EDITOR_USER,
            accounts.editor.password,
            redact=secrets_,
        )
        self._write_credentials(accounts)  # accounts.json last: it marks the install as complete

    def _write_settings(self) -> None:
        jsons = []
        for name in EXTENSIONS:
            extension_json = self.mediawiki_dir / "extensions-core" / name / "extension.json"
            if not extension_json.is_file():
                extension_json = self.mediawiki_dir / "extensions" / name / "extension.json"
            jsons.append(extension_json)
        text = render_settings(
            server=self.base_url,
            directory=self.directory,
            extension_jsons=jsons,
            lua_path=shutil.which(LUA) or f"/usr/bin/{LUA}",
            job_queue_lag_factor=self.job_queue_lag_factor,
        )
        if _write_if_changed(self.path(SETTINGS_FILE), text):
            log.info("wrote %s", self.path(SETTINGS_FILE))

    def _write_credentials(self, accounts: Accounts) -> None:
        """Write bot.secret, ozgwiki.yaml and accounts.json (last), each 0600, only when they changed."""
        current = Accounts(self.api_url, self.index_url, accounts.admin, accounts.bot, accounts.editor)
        _write_if_changed(self.path("bot.secret"), current.bot.password + "\n")
        _write_if_changed(self.path("ozgwiki.yaml"), render_config(self.api_url))
        _write_if_changed(self.path("accounts.json"), current.to_json())

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
        env.pop("PHP_CLI_SERVER_WORKERS", None)  # pitfall 4: exactly one worker
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
        """SIGTERM, wait, then SIGKILL the whole process group (pitfall 8)."""
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

    # -- software and php

    def _ensure_software(self) -> None:
        missing = self._missing_software()
        if not missing:
            return
        log.warning("missing %s: installing Debian packages", ", ".join(missing))
        self.path("logs").mkdir(parents=True, exist_ok=True)
        apt_log = self.path("logs/apt.log")
        for cmd in apt_commands(is_root=os.geteuid() == 0, has_sudo=_has_sudo()):
            with apt_log.open("ab") as fh:
                rc = subprocess.run(
                    cmd, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, check=False
                ).returncode
            if rc != 0:
                raise LocalWikiError(
                    f"`{' '.join(cmd)}` failed (exit {rc}); see {apt_log}:\n"
                    f"{tail(apt_log.read_text(encoding='utf-8', errors='replace'))}"
                )
        still = self._missing_software()
        if still:
            raise LocalWikiError(f"still missing after apt-get install: {', '.join(still)}")

    def _missing_software(self) -> list[str]:
        missing = []
        if not (self.mediawiki_dir / "maintenance" / "install.php").is_file():
            missing.append(f"MediaWiki in {self.mediawiki_dir}")
        if shutil.which(LUA) is None:
            missing.append(LUA)
        if shutil.which(self.php) is None:
            return [*missing, "php"]
        code = "foreach ($argv as $i => $m) { if ($i && !extension_loaded($m)) echo $m, PHP_EOL; }"
        proc = subprocess.run(
            [self.php, "-r", code, "--", *PHP_MODULES], capture_output=True, text=True, check=False
        )
        if proc.returncode != 0:
            return [*missing, f"a working php ({tail(proc.stderr, 3)})"]
        missing.extend(f"php module {m}" for m in proc.stdout.split())
        return missing

    def _php_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["MW_CONFIG_FILE"] = str(self.path("LocalSettings.php"))
        env["MW_INSTALL_PATH"] = str(self.mediawiki_dir)
        return env

    def _maintenance(self, script: str, *args: str, redact: Sequence[str] = ()) -> str:
        """Run a maintenance script; its output goes to logs/maintenance.log, secrets blanked out."""
        cmd = [self.php, str(self.mediawiki_dir / "maintenance" / script), *args]
        proc = subprocess.run(
            cmd,
            cwd=self.directory,
            env=self._php_env(),
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        output = proc.stdout + proc.stderr
        for secret in redact:
            output = output.replace(secret, "********")
        self.path("logs").mkdir(parents=True, exist_ok=True)
        with self.path("logs/maintenance.log").open("a", encoding="utf-8") as fh:
            fh.write(f"--- {time.ctime()} {script} (exit {proc.returncode})\n{output}\n")
        if proc.returncode != 0:
            raise LocalWikiError(f"{script} failed (exit {proc.returncode}):\n{tail(output)}")
        return proc.stdout

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """Serialise up/down/reset between processes that share this folder."""
        if not self.directory.exists():
            self.directory.mkdir(parents=True, mode=0o700)
        with self.path(".lock").open("a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
