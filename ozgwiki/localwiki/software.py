"""The software on this machine: MediaWiki, PHP and Lua, installed with apt when missing; php scripts."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

from ozgwiki.errors import LocalWikiError

log = logging.getLogger("ozgwiki.localwiki")  # the package logger: log lines name it as before the split

MEDIAWIKI_DIR = Path("/usr/share/mediawiki")
APT_PACKAGES = (
    "mediawiki", "php-sqlite3", "php-intl", "php-mbstring", "php-xml", "php-curl", "php-cli", "lua5.1",
    "php-luasandbox", "php-apcu",
)  # fmt: skip
# php-luasandbox and php-apcu (both in Debian main) are installed with the rest but not required: the
# settings pick Scribunto's in-process luasandbox engine when PHP has loaded it, else luastandalone
# (lua5.1), and APCu as the object cache when PHP has it, else none; so neither is an entry of
# PHP_MODULES and a wiki without them still starts.
# Bundled extensions the templates need, loaded from Debian's extensions-core/ by path.
EXTENSIONS = ("ParserFunctions", "Scribunto")
LUA = "lua5.1"
PHP_MODULES = ("pdo_sqlite", "intl", "mbstring", "dom", "xml", "curl")
# What makes the wiki faster, not work: PHP module -> its Debian package. Installed when missing and
# apt may run; a machine where it cannot be installed gets a slower wiki and a warning.
SPEED_MODULES = {"luasandbox": "php-luasandbox", "apcu": "php-apcu"}
LOG_TAIL_LINES = 25
# PHP that prints each module named on its command line that is not loaded.
_LACKS = "foreach ($argv as $i => $m) { if ($i && !extension_loaded($m)) echo $m, PHP_EOL; }"


APT_INSTALL = ("apt-get", "install", "-y", "--no-install-recommends")


def _apt_prefix(*, is_root: bool) -> list[str]:
    """Non-interactive apt, through passwordless sudo when not root."""
    prefix = ["env", "DEBIAN_FRONTEND=noninteractive"]
    return prefix if is_root else ["sudo", "-n", *prefix]


def apt_commands(*, is_root: bool, has_sudo: bool) -> list[list[str]]:
    """The commands that install MediaWiki and PHP, as root or through passwordless sudo."""
    if not is_root and not has_sudo:
        raise LocalWikiError(
            "MediaWiki/PHP are missing and cannot be installed: not root and no passwordless sudo. "
            f"As root run: apt-get update && {' '.join(APT_INSTALL)} {' '.join(APT_PACKAGES)}"
        )
    prefix = _apt_prefix(is_root=is_root)
    return [[*prefix, "apt-get", "update"], [*prefix, *APT_INSTALL, *APT_PACKAGES]]


def tail(text: str, lines: int = LOG_TAIL_LINES) -> str:
    """The last ``lines`` lines of ``text``, for error messages."""
    return "\n".join(text.rstrip().splitlines()[-lines:])


def _has_sudo() -> bool:
    if shutil.which("sudo") is None:
        return False
    return subprocess.run(["sudo", "-n", "true"], capture_output=True, check=False).returncode == 0


class SoftwareMixin:
    """Find, install and run the software of a :class:`~ozgwiki.localwiki.LocalWiki` (mixed into it).

    Uses the wiki's ``directory``, ``mediawiki_dir``, ``php`` and ``path()``.
    """

    def _ensure_software(self) -> None:
        missing = self._missing_software()
        if not missing:
            self._ensure_speed_modules()
            return
        log.warning("missing %s: installing Debian packages", ", ".join(missing))
        for cmd in apt_commands(is_root=os.geteuid() == 0, has_sudo=_has_sudo()):
            rc = self._apt(cmd)
            if rc != 0:
                apt_log = self.path("logs/apt.log")
                raise LocalWikiError(
                    f"`{' '.join(cmd)}` failed (exit {rc}); see {apt_log}:\n"
                    f"{tail(apt_log.read_text(encoding='utf-8', errors='replace'))}"
                )
        still = self._missing_software()
        if still:
            raise LocalWikiError(f"still missing after apt-get install: {', '.join(still)}")

    def _ensure_speed_modules(self) -> None:
        """Install the packages of :data:`SPEED_MODULES` PHP lacks (a machine set up before they were
        in :data:`APT_PACKAGES`); a failure only costs speed, so it is a warning."""
        lacks = self._php_lacks(list(SPEED_MODULES))
        lacking = [pkg for mod, pkg in SPEED_MODULES.items() if mod in lacks]
        is_root = os.geteuid() == 0
        if not lacking or not (is_root or _has_sudo()):
            return
        if self._apt([*_apt_prefix(is_root=is_root), *APT_INSTALL, *lacking]) != 0:
            log.warning(
                "could not install %s (the wiki runs slower); see %s",
                " ".join(lacking),
                self.path("logs/apt.log"),
            )

    def _apt(self, cmd: list[str]) -> int:
        """Run one apt command, its output appended to ``logs/apt.log``; its exit code."""
        self.path("logs").mkdir(parents=True, exist_ok=True)
        with self.path("logs/apt.log").open("ab") as fh:
            return subprocess.run(
                cmd, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, check=False
            ).returncode

    def _php_lacks(self, modules: list[str]) -> list[str]:
        """The ``modules`` the PHP interpreter has not loaded ([] when PHP cannot even say)."""
        proc = subprocess.run(
            [self.php, "-r", _LACKS, "--", *modules], capture_output=True, text=True, check=False
        )
        return proc.stdout.split() if proc.returncode == 0 else []

    def _missing_software(self) -> list[str]:
        missing = []
        if not (self.mediawiki_dir / "maintenance" / "install.php").is_file():
            missing.append(f"MediaWiki in {self.mediawiki_dir}")
        if shutil.which(LUA) is None:
            missing.append(LUA)
        if shutil.which(self.php) is None:
            return [*missing, "php"]
        proc = subprocess.run(
            [self.php, "-r", _LACKS, "--", *PHP_MODULES], capture_output=True, text=True, check=False
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
