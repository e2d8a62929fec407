"""The shared sync engine: what a bot wants of its pages in, the wiki brought to match, a report out.

Every bot (deploy, import, validate, regenerate) is "a list of :class:`PageChange`" plus this engine.
A change is a pure ``transform(text) -> text | None`` for one title; the engine reads the pages in
batches through the site client, respects opt-outs (``{{nobots}}``), turns pages that cannot be edited
safely -- and redirects, which a write would break -- into reported skips, and saves through
:meth:`ozgwiki.wiki.site.Site.edit`, the one save choke point.

Runs converge: a transform describes the desired state, not a step, so a run that was killed half-way
and started again ends where an uninterrupted run would have, and a second run changes nothing.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ozgwiki.definitions.scope import Scope
from ozgwiki.errors import PageTextError
from ozgwiki.wiki.pages import Outcome, PageState
from ozgwiki.wiki.site import Site
from ozgwiki.wikitext.optout import bot_may_edit
from ozgwiki.wikitext.params import is_redirect

log = logging.getLogger(__name__)


# The outcomes a cron admin must look at: they make a run exit with code 1.
ATTENTION = frozenset({Outcome.SKIPPED, Outcome.OPTED_OUT, Outcome.CONFLICT, Outcome.ERROR})


@dataclass(frozen=True)
class PageChange:
    """What a bot wants of one page.

    ``transform`` gets the page's current text ("" when it does not exist) and returns the text it
    should have, or None to leave it alone. It must be pure: after an edit conflict it is applied again
    to the fresh text. It may raise :class:`~ozgwiki.errors.PageTextError` when the page cannot be edited
    safely; the page is then skipped and reported, never guessed at.
    """

    title: str
    transform: Callable[[str], str | None]
    summary: str | Callable[[str], str]  # or a function of the text the transform was applied to
    kind: str = ""
    minor: bool = False
    skip_reason: str | None = None  # reported when the transform returns None


@dataclass(frozen=True)
class PageReport:
    """The result for one page."""

    title: str
    outcome: Outcome
    kind: str = ""
    message: str | None = None
    revid: int | None = None
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return {
            "title": self.title,
            "outcome": self.outcome.value,
            "kind": self.kind,
            "message": self.message,
            "revid": self.revid,
            "dry_run": self.dry_run,
        }


@dataclass
class SyncReport:
    """All page results of one run, in the order the pages were handled."""

    pages: list[PageReport] = field(default_factory=list)

    def counts(self) -> Counter[str]:
        """Number of pages per outcome (every outcome present, zeros included)."""
        counts: Counter[str] = Counter({o.value: 0 for o in Outcome})
        counts.update(p.outcome.value for p in self.pages)
        return counts

    def with_outcome(self, *outcomes: Outcome) -> list[PageReport]:
        """The pages that ended in one of ``outcomes``."""
        return [p for p in self.pages if p.outcome in outcomes]

    @property
    def needs_attention(self) -> bool:
        """True when a page was skipped, opted out, in conflict or in error."""
        return any(p.outcome in ATTENTION for p in self.pages)

    @property
    def edits(self) -> int:
        """Pages created or changed (would be, in a dry run)."""
        return sum(p.outcome in (Outcome.CREATED, Outcome.CHANGED) for p in self.pages)

    def summary(self) -> str:
        """One line for logs and cron mail."""
        c = self.counts()
        return ", ".join(f"{c[o.value]} {o.value}" for o in Outcome)

    def extend(self, other: SyncReport) -> None:
        """Append another run's pages (a bot made of several engine runs reports once)."""
        self.pages.extend(other.pages)


class _OptedOut(Exception):
    """Raised inside a transform when the fresh text carries an opt-out marker."""


class _Redirect(Exception):
    """Raised inside a transform when the fresh text is a redirect (someone pointed the page elsewhere)."""


class SyncEngine:
    """Bring pages to the state a bot wants, through the site client's save choke point.

    ``chunk`` bounds how many pages are read ahead: memory stays flat at ten times the real catalogue,
    and an interrupted run has written everything before the chunk it died in. ``checkpoint`` is called
    before each chunk is read and before each page; it may raise to stop the run (the cron job's time
    budget), so even a run that writes nothing stops on time. ``scope`` (:mod:`ozgwiki.definitions.scope`)
    names the
    pages the bot owns; a change for any other page is refused before anything is read or written.
    """

    def __init__(
        self,
        site: Site,
        *,
        bot_user: str,
        respect_opt_out: bool = True,
        chunk: int = 500,
        checkpoint: Callable[[], None] | None = None,
        scope: Scope | None = None,
    ) -> None:
        self.site = site
        self.bot_user = bot_user
        self.respect_opt_out = respect_opt_out
        self.chunk = max(1, chunk)
        self.checkpoint = checkpoint or (lambda: None)
        self.scope = scope

    def run(
        self, changes: Iterable[PageChange], *, states: Mapping[str, PageState] | None = None
    ) -> SyncReport:
        """Apply every change; return the report. Run-wide errors (login lost, wiki down) propagate.

        ``states`` are pages the bot has just read already (a safety rail looked at them first);
        they are not read again. The edits stay conflict-safe: they are based on that read.
        """
        known = states or {}
        report = SyncReport()
        seen: set[str] = set()
        for chunk in _chunks(changes, self.chunk):
            batch = []
            for change in chunk:
                if change.title in seen:
                    # Two transforms for one page would each see the other's edit as a conflict.
                    raise ValueError(f"page {change.title!r} is changed twice in one run")
                seen.add(change.title)
                refused = self._refused(change)
                if refused is not None:
                    report.pages.append(refused)
                else:
                    batch.append(change)
            self.checkpoint()
            unread = [c.title for c in batch if c.title not in known]
            read = {**self.site.read_pages(unread), **known} if unread else known
            for change in batch:
                self.checkpoint()
                report.pages.append(self.apply(change, read[change.title]))
        return report

    def _refused(self, change: PageChange) -> PageReport | None:
        """The report of a change outside the bot's scope (nothing is read or written), else None."""
        if self.scope is None or self.scope.allows(change.title):
            return None
        log.error("%s: outside the bot's pages; refused", change.title)
        reason = self.scope.why_not(change.title)
        return PageReport(change.title, Outcome.ERROR, change.kind, reason, dry_run=self.site.dry_run)

    def apply(self, change: PageChange, state: PageState | None = None) -> PageReport:
        """Apply one change (reading the page first unless ``state`` is given)."""
        dry = self.site.dry_run
        refused = self._refused(change)
        if refused is not None:
            return refused

        def guarded(text: str) -> str | None:
            if text and is_redirect(text):
                raise _Redirect
            if self.respect_opt_out and text and not bot_may_edit(text, self.bot_user):
                raise _OptedOut
            return change.transform(text)

        try:
            result = self.site.edit(change.title, guarded, change.summary, page=state, minor=change.minor)
        except _Redirect:
            log.warning("%s: is a redirect now; left alone", change.title)
            message = "Seite ist eine Weiterleitung; nicht bearbeitet (zum Pflegen Weiterleitung entfernen)"
            return PageReport(change.title, Outcome.SKIPPED, change.kind, message, dry_run=dry)
        except _OptedOut:
            log.warning("%s: opted out of bot edits ({{nobots}}); left alone", change.title)
            return PageReport(
                change.title, Outcome.OPTED_OUT, change.kind, "Seite ist für Bots gesperrt", dry_run=dry
            )
        except PageTextError as exc:
            log.warning("%s: skipped: %s", change.title, exc)
            return PageReport(change.title, Outcome.SKIPPED, change.kind, str(exc), dry_run=dry)
        outcome = result.outcome
        message = result.message
        if outcome is Outcome.SKIPPED and message is None:
            message = change.skip_reason
        return PageReport(change.title, outcome, change.kind, message, result.revid, result.dry_run)


def _chunks(items: Iterable[PageChange], size: int) -> Iterator[Sequence[PageChange]]:
    batch: list[PageChange] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
