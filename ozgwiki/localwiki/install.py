"""Set a wiki folder up: install.php and the accounts, and the files rewritten on every ``up``."""

from __future__ import annotations

import logging
import os
import shutil

from ozgwiki.localwiki.accounts import (
    ADMIN_USER,
    APP_ID,
    BOT_GRANTS,
    BOT_GROUPS,
    BOT_USER,
    EDITOR_GRANTS,
    EDITOR_USER,
    Account,
    Accounts,
    generate_secret,
)
from ozgwiki.localwiki.settings import (
    SETTINGS_FILE,
    SETTINGS_INCLUDE,
    _write_if_changed,
    render_config,
    render_settings,
    write_private,
)
from ozgwiki.localwiki.software import EXTENSIONS, LUA

log = logging.getLogger("ozgwiki.localwiki")  # the package logger: log lines name it as before the split

DB_NAME = "ozgwiki"
SITE_NAME = "OZG-Wiki"


class InstallMixin:
    """Install a :class:`~ozgwiki.localwiki.LocalWiki` and write its files (mixed into it).

    Uses the wiki's ``directory``, ``mediawiki_dir``, URLs, ``job_queue_lag_factor``, ``path()``,
    ``_ensure_software()`` and ``_maintenance()``.
    """

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
            object_cache=self.object_cache,
        )
        if _write_if_changed(self.path(SETTINGS_FILE), text):
            log.info("wrote %s", self.path(SETTINGS_FILE))

    def _write_credentials(self, accounts: Accounts) -> None:
        """Write bot.secret, ozgwiki.yaml and accounts.json (last), each 0600, only when they changed."""
        current = Accounts(self.api_url, self.index_url, accounts.admin, accounts.bot, accounts.editor)
        _write_if_changed(self.path("bot.secret"), current.bot.password + "\n")
        _write_if_changed(self.path("ozgwiki.yaml"), render_config(self.api_url))
        _write_if_changed(self.path("accounts.json"), current.to_json())
