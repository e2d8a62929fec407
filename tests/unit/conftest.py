"""Fixtures the unit tests share, named for what they are.

* ``sample_catalogue`` -- the shipped sample catalogue (``ozgwiki/data/sample/``), loaded once;
* ``sample_plans`` -- its page plans by title; ``sample_facts`` -- the facts built from it;
* ``fake_wiki`` -- an empty in-memory MediaWiki (:mod:`fakewiki`) served for the test; the real
  :class:`~ozgwiki.wiki.site.Site` talks to it (``fake_wiki.site()``);
* ``context`` -- builds the :class:`~ozgwiki.engine.bot.BotContext` a bot run gets.

The catalogue, plans and facts are loaded once per session: tests read them and build changed
copies (``dataclasses.replace``) instead of changing them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fakewiki import FakeWiki

from ozgwiki import catalogue
from ozgwiki.config import Config
from ozgwiki.domain.model import Catalogue
from ozgwiki.engine.bot import BotContext
from ozgwiki.render import facts
from ozgwiki.render.facts import Facts
from ozgwiki.render.plans import PagePlan, plan_pages

ContextFactory = Callable[..., BotContext]


@pytest.fixture(scope="session")
def sample_catalogue() -> Catalogue:
    """The sample catalogue shipped with the package."""
    return catalogue.load(catalogue.sample_path())


@pytest.fixture(scope="session")
def sample_plans(sample_catalogue: Catalogue) -> dict[str, PagePlan]:
    """The pages the import plans for the sample catalogue, by title."""
    return {p.title: p for p in plan_pages(sample_catalogue)}


@pytest.fixture(scope="session")
def sample_facts(sample_catalogue: Catalogue) -> Facts:
    """The facts the overviews are rendered from, built from the sample catalogue (no Steckbriefe)."""
    return facts.build(sample_catalogue)


@pytest.fixture
def fake_wiki() -> Iterator[FakeWiki]:
    """An empty fake wiki, served while the test runs; no other HTTP request may leave."""
    with FakeWiki().running() as wiki:
        yield wiki


@pytest.fixture
def context(tmp_path: Path) -> ContextFactory:
    """``context(site, catalogue=..., config=..., raw=..., checkpoint=...)``: the BotContext of a run.

    Without ``config`` the run's config is the site's wiki with ``raw`` as its other sections, read
    from ``tmp_path/ozgwiki.yaml`` (so the state folder is ``tmp_path/state``). Without ``catalogue`` a
    bot that loads one fails the test: it was not supposed to need it.
    """

    def make(
        site: Any,
        *,
        catalogue: Catalogue | None = None,
        config: Config | None = None,
        raw: dict[str, Any] | None = None,
        checkpoint: Callable[[], None] | None = None,
        bot_user: str = "OzgBot",
    ) -> BotContext:
        if config is None:
            config = Config(site.wiki, path=tmp_path / "ozgwiki.yaml", raw=raw or {})

        def load() -> Catalogue:
            if catalogue is None:
                pytest.fail("this bot run was not expected to load a catalogue")
            return catalogue

        return BotContext(config, site, bot_user, load, checkpoint=checkpoint)

    return make
