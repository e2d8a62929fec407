"""The wiki's accounts: who they are, their bot-password secrets, and ``accounts.json``."""

from __future__ import annotations

import json
import os
import re
import secrets
import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ozgwiki.config import localwiki_dir
from ozgwiki.errors import LocalWikiError

APP_ID = "ozgwiki"
ADMIN_USER = "Admin"
BOT_USER = "OzgBot"
EDITOR_USER = "Redakteurin"
BOT_GROUPS = ("bot", "interface-admin")
BOT_GRANTS = ("basic", "highvolume", "editpage", "createeditmovepage", "editinterface", "import")
EDITOR_GRANTS = ("basic", "editpage", "createeditmovepage")

#: createBotPassword.php accepts anything, but login only works for ``^[0-9a-w]{32,}$``.
SECRET_ALPHABET = string.digits + "abcdefghijklmnopqrstuvw"
BOT_PASSWORD_RE = re.compile(r"^[0-9a-w]{32,}$")
SECRET_LENGTH = 32


def generate_secret(length: int = SECRET_LENGTH) -> str:
    """Return a random secret a bot-password login accepts (see :data:`BOT_PASSWORD_RE`)."""
    if length < SECRET_LENGTH:
        raise ValueError(f"bot passwords need at least {SECRET_LENGTH} characters")
    return "".join(secrets.choice(SECRET_ALPHABET) for _ in range(length))


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
