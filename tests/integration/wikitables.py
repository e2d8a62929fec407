"""Helpers the real-wiki tests share: reading the bots' generated tables and the bot's cron config."""

from __future__ import annotations

import re
from typing import Any

_PAGE = re.compile(r"\| \[\[:(.*)\]\]")
_KEY = re.compile(r"\| <nowiki>(.*)</nowiki>")
_STATUS = re.compile(r"\| '''(.*?):'''")


def maintenance_rows(section: str) -> list[tuple[str, str, str]]:
    """(page, key as written, status word) of each row of the validate bot's maintenance table."""
    out = []
    for row in section.split("\n|-\n")[1:]:
        cells = row.split("\n|}")[0].split("\n")
        page, key, status = _PAGE.fullmatch(cells[0]), _KEY.fullmatch(cells[1]), _STATUS.match(cells[2])
        assert page and key and status, row
        out.append((page.group(1), key.group(1), status.group(1)))
    return out


def bot_wiki_config(accounts: dict[str, Any], secret_env: str) -> dict[str, Any]:
    """The ``wiki:`` section for the local bot, its secret read from ``secret_env``; few, short retries."""
    return {
        "api_url": accounts["api_url"],
        "username": accounts["bot"]["login"],
        "password_env": secret_env,
        "retry": {"max_attempts": 3, "base_delay": 0.5, "max_delay": 5, "budget_seconds": 30},
    }
