"""Fixtures for tests against the real local wiki (``ozgwiki localwiki up``, see docs/architecture.md).

A missing wiki is a failure, never a skip: a green run must mean the real-wiki scenarios passed.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from ozgwiki.config import LOCALWIKI_DIR_ENV, RetryConfig, WikiConfig
from ozgwiki.wiki.site import Site

REPO = Path(__file__).resolve().parents[2]


def _accounts_path() -> Path:
    env = os.environ.get(LOCALWIKI_DIR_ENV)
    return (Path(env) if env else REPO / ".localwiki") / "accounts.json"


@pytest.fixture(scope="session")
def accounts() -> dict[str, Any]:
    """The local wiki's accounts; fails the test run with a clear message when the wiki is not up."""
    path = _accounts_path()
    if not path.is_file():
        pytest.fail(f"{path} is missing: start the local wiki with `ozgwiki localwiki up` (or `make test`)")
    data = json.loads(path.read_text(encoding="utf-8"))
    try:
        resp = requests.get(
            data["api_url"], params={"action": "query", "meta": "siteinfo", "format": "json"}, timeout=10
        )
        resp.raise_for_status()
        resp.json()
    except (requests.RequestException, ValueError) as exc:
        pytest.fail(
            f"the local wiki at {data['api_url']} does not answer ({exc}); run `ozgwiki localwiki up`"
        )
    return data


SiteFactory = Callable[..., Site]


@pytest.fixture
def make_site(accounts: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> SiteFactory:
    """Build a Site for one account (``bot`` or ``editor``), optionally with another secret."""

    def build(role: str = "bot", *, secret: str | None = None, login: bool = True, **kwargs: Any) -> Site:
        account = accounts[role]
        env = f"OZGWIKI_IT_{role.upper()}_SECRET"
        monkeypatch.setenv(env, secret if secret is not None else account["secret"])
        wiki = WikiConfig(
            api_url=accounts["api_url"],
            username=account["login"],
            password_env=env,
            request_timeout=30,
            retry=RetryConfig(max_attempts=3, base_delay=0.5, max_delay=5, budget_seconds=30),
        )
        site = Site(wiki, **kwargs)
        if login:
            site.login()
        return site

    return build


@pytest.fixture
def bot_site(make_site: SiteFactory) -> Site:
    """A Site logged in as the bot (bot group, noratelimit, apihighlimits)."""
    return make_site("bot")


@pytest.fixture
def editor_site(make_site: SiteFactory) -> Site:
    """A Site logged in as Redakteurin, an ordinary user: her edits can conflict with the bot's."""
    return make_site("editor")


@pytest.fixture
def unique(request: pytest.FixtureRequest) -> str:
    """A title prefix unique to this test run, so reruns never meet old pages."""
    name = re.sub(r"[^A-Za-z0-9]+", " ", request.node.name).strip()[:40].strip()
    # MediaWiki squeezes runs of spaces in titles: the prefix must not contain any.
    return " ".join(part for part in ("IT", name, uuid.uuid4().hex[:8]) if part)


@pytest.fixture
def revid_of(bot_site: Site) -> Iterator[Callable[[str], int | None]]:
    """The current revision id of a page, read fresh."""

    def revid(title: str) -> int | None:
        return bot_site.read_pages([title])[title].revid

    yield revid
