"""The shape every bot shares, so ``ozgwiki run`` can run them in a row and each command alone.

A bot in :mod:`ozgwiki.bots` is a module with ``run(ctx: BotContext, **options) -> StepResult``: it
builds its :class:`~ozgwiki.engine.sync.PageChange` list from pure functions and hands it to the sync engine.
Everything a bot needs from outside arrives in the context; nothing else reads config or opens sites.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ozgwiki.config import Config
from ozgwiki.definitions import scope
from ozgwiki.definitions.scope import Scope
from ozgwiki.domain.keyrules import KeyRules
from ozgwiki.domain.model import Catalogue
from ozgwiki.domain.titles import TitleScheme
from ozgwiki.engine.memory import PageMemory
from ozgwiki.engine.state import state_dir
from ozgwiki.engine.sync import Progress, SyncEngine, SyncReport
from ozgwiki.errors import EXIT_FINDINGS, EXIT_OK
from ozgwiki.render import plans
from ozgwiki.wiki.site import Site


@dataclass
class BotContext:
    """What a bot run gets: configuration, a logged-in site, the catalogue (loaded on first use)."""

    config: Config
    site: Site
    bot_user: str
    load_catalogue: Callable[[], Catalogue]
    # Called by every engine between pages; the cron job passes its deadline check here.
    checkpoint: Callable[[], None] | None = None
    # Told of every page each engine run does (a terminal's progress line); None: nobody watches.
    progress: Progress | None = None

    @property
    def dry_run(self) -> bool:
        return self.site.dry_run

    @cached_property
    def catalogue(self) -> Catalogue:
        """The validated catalogue; loading raises CatalogueError with every problem at once."""
        return self.load_catalogue()

    @cached_property
    def scope(self) -> Scope:
        """The pages this bot may write (:mod:`ozgwiki.definitions.scope`): its definitions and the report
        page."""
        from ozgwiki.definitions import schema

        report_page = self.config.validate.report_page
        return scope.of(schema.load(), bot_user=self.bot_user, extra_titles=[report_page])

    @cached_property
    def titles(self) -> TitleScheme:
        """The run's one title scheme (names first), from the catalogue and the shipped definitions."""
        from ozgwiki.definitions import schema

        return plans.title_scheme(self.catalogue, schema.load())

    @cached_property
    def catalogue_scope(self) -> Scope:
        """:attr:`scope` plus the catalogue's pages titled by name: for the bots that write them."""
        return self.scope.with_titles(self.titles.titles())

    @cached_property
    def key_rules(self) -> KeyRules:
        """How every bot of this run judges LeiKa keys: the catalogue's key sets and
        ``validate.allow_regional``, in one value (the validate and the regeneration bot must agree)."""
        return KeyRules.of(self.catalogue, allow_regional=self.config.validate.allow_regional)

    @cached_property
    def memory(self) -> PageMemory:
        """What the bots found converged in earlier runs (:mod:`ozgwiki.engine.memory`), one for every
        engine of this run, kept in the state folder."""
        return PageMemory.load(state_dir(self.config), wiki=self.config.wiki.api_url)

    def engine(self, **options: Any) -> SyncEngine:
        """A sync engine on this context's site, as this bot user, limited to the bot's pages, telling
        this context's progress hook of every page, remembering in :attr:`memory`."""
        options.setdefault("memory", self.memory)
        options.setdefault("checkpoint", self.checkpoint)
        options.setdefault("progress", self.progress)
        options.setdefault("scope", self.scope)
        return SyncEngine(self.site, bot_user=self.bot_user, **options)


@dataclass
class StepResult:
    """What one bot run did: its page report, a one-line summary and data for ``--format json``.

    ``findings`` counts problems the bot found in the wiki's content (e.g. invalid keys) that are not
    page outcomes; they make the exit code 1 just like skipped or conflicting pages.
    """

    name: str
    report: SyncReport = field(default_factory=SyncReport)
    summary: str = ""
    findings: int = 0
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return EXIT_FINDINGS if self.findings or self.report.needs_attention else EXIT_OK

    def as_dict(self) -> dict[str, Any]:
        return {
            "step": self.name,
            "summary": self.summary,
            "findings": self.findings,
            "counts": dict(self.report.counts()),
            "pages": [p.as_dict() for p in self.report.pages],
            **self.data,
        }
