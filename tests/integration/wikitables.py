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


#: The ``import`` section for cron configs on the shared test wiki: it holds other tests' LeiKa pages,
#: which every import retires -- not a catalogue that lost its rows, so the mass-retire rail (tested on
#: its own in tests/unit/test_rails.py and test_importer.py) is lifted for these runs.
SHARED_WIKI_IMPORT = {"max_retire_share": 1.0}


def bot_wiki_config(accounts: dict[str, Any], secret_env: str) -> dict[str, Any]:
    """The ``wiki:`` section for the local bot, its secret read from ``secret_env``; few, short retries."""
    return {
        "api_url": accounts["api_url"],
        "username": accounts["bot"]["login"],
        "password_env": secret_env,
        "retry": {"max_attempts": 3, "base_delay": 0.5, "max_delay": 5, "budget_seconds": 30},
    }
