"""The shared sync engine: what a bot wants of its pages in, the wiki brought to match, a report out.

Every bot (deploy, import, validate, regenerate) is "a list of :class:`PageChange`" plus this engine.
A change is a pure ``transform(text) -> text | None`` for one title; the engine reads the pages in
batches through the site client, respects opt-outs (``{{nobots}}``), turns pages that cannot be edited
safely -- and redirects, which a write would break, unless the change says it writes redirects --
into reported skips, and saves through :meth:`ozgwiki.wiki.site.Site.edit`, the one save choke point.
A bot whose pages must be saved in steps (deploy: properties, then wait for the job queue, then the
rest) hands over a list of :class:`Phase`; a phase may also give pages new titles (:class:`PageMove`,
through :meth:`ozgwiki.wiki.site.Site.move`) before its changes. Each page's report names the text and
revision its transform (or move) was applied to.

Runs converge: a transform describes the desired state, not a step, so a run that was killed half-way
and started again ends where an uninterrupted run would have, and a second run changes nothing. With a
:class:`~ozgwiki.engine.memory.PageMemory`, a second run does not even read what it would leave alone:
a change that carries a ``fingerprint`` is skipped unread when the page still has the SHA-1 it had when
the same change last found it converged.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Sized
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, TypeVar

from ozgwiki.definitions.scope import Scope
from ozgwiki.engine.memory import PageMemory, fingerprint, text_sha1
from ozgwiki.errors import PageTextError
from ozgwiki.wiki.listings import PageInfo
from ozgwiki.wiki.pages import Outcome, PageState
from ozgwiki.wiki.site import Site
from ozgwiki.wikitext.optout import bot_may_edit
from ozgwiki.wikitext.params import is_redirect, redirect_text

log = logging.getLogger(__name__)
_T = TypeVar("_T")


# The outcomes a cron admin must look at: they make a run exit with code 1.
ATTENTION = frozenset({Outcome.SKIPPED, Outcome.OPTED_OUT, Outcome.CONFLICT, Outcome.ERROR})


@dataclass(frozen=True, slots=True)
class PageChange:
    """What a bot wants of one page.

    ``transform`` gets the page's current text ("" when it does not exist) and returns the text it
    should have, or None to leave it alone. It must be pure: after an edit conflict it is applied again
    to the fresh text. It may raise :class:`~ozgwiki.errors.PageTextError` when the page cannot be edited
    safely; the page is then skipped and reported, never guessed at.

    A page whose text is a redirect is skipped and reported: a template written into it would break
    it. ``replaces_redirect`` hands the transform a redirect's text too, and it decides -- for pages
    the bot keeps as redirects itself (the old ID titles) or may replace when a move left a redirect
    there (a Begriffsklärung at a plain name).

    ``fingerprint`` (:func:`ozgwiki.engine.memory.fingerprint` of everything ``transform`` depends on
    besides the text) lets the engine skip the page unread when its memory says this very change found
    the page's current text converged before; None: always read.
    """

    title: str
    transform: Callable[[str], str | None]
    summary: str | Callable[[str], str]  # or a function of the text the transform was applied to
    kind: str = ""
    minor: bool = False
    skip_reason: str | None = None  # reported when the transform returns None
    replaces_redirect: bool = False
    fingerprint: str | None = None


class Changes:
    """The changes of a run, each made only when the engine reaches its chunk: the count is known up
    front (a terminal's progress line shows the total), but a run of 100,000 pages never holds
    100,000 changes with their closures at once. ``make`` turns one of ``sources`` into its change."""

    def __init__(self, sources: Sequence[Any], make: Callable[[Any], PageChange]) -> None:
        self.sources = sources
        self.make = make

    def __len__(self) -> int:
        return len(self.sources)

    def __iter__(self) -> Iterator[PageChange]:
        return (self.make(source) for source in self.sources)


@dataclass(frozen=True, slots=True)
class PageMove:
    """A page a bot wants under a new title: ``source`` moved to ``target``, the wiki leaving a redirect.

    ``summary`` is the move's reason in the log. The wiki never moves onto an existing page: such a
    move is reported as a conflict (see :meth:`ozgwiki.wiki.site.Site.move`).
    """

    source: str
    target: str
    summary: str
    kind: str = ""


@dataclass(frozen=True, slots=True)
class Phase:
    """Changes the engine finishes before it starts on the next phase of the same run.

    ``moves`` run before the phase's changes, so a change may edit a moved page under its new title
    or the redirect left at its old one. ``after`` gets the phase's report once its last page is done
    and before the next phase is read; it may wait (deploy waits for the job queue after the
    properties: SMW activates a property's type only in a job, and templates saved before that store
    data with the old type) or raise to stop.
    """

    changes: Iterable[PageChange]
    after: Callable[[SyncReport], None] | None = None
    moves: Sequence[PageMove] = ()


@dataclass(frozen=True, slots=True)
class PageReport:
    """The result for one page.

    ``base_text`` / ``base_revid`` are the page as it was when the transform was last applied to it
    (after an edit conflict: the re-read), so a bot can describe what its edit changed without
    remembering what its transform saw; None when the transform never ran (refused, invalid title,
    proven unchanged by the memory). An unchanged page keeps only ``base_revid``: its text is the
    wiki's as it was, and holding it would make memory grow with the run instead of the chunk.
    ``base_revid`` is None for a page that did not exist. Neither appears in :meth:`as_dict`.
    A move is reported under its source title, with the page as read before the move as its base.
    """

    title: str
    outcome: Outcome
    kind: str = ""
    message: str | None = None
    revid: int | None = None
    dry_run: bool = False
    base_text: str | None = field(default=None, repr=False, compare=False)
    base_revid: int | None = None

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
        """Pages created, changed or moved (would be, in a dry run): what changed the wiki."""
        return sum(p.outcome in (Outcome.CREATED, Outcome.CHANGED, Outcome.MOVED) for p in self.pages)

    def summary(self) -> str:
        """One line for logs and cron mail."""
        c = self.counts()
        return ", ".join(f"{c[o.value]} {o.value}" for o in Outcome)

    def extend(self, other: SyncReport) -> None:
        """Append another run's pages (a bot made of several engine runs reports once)."""
        self.pages.extend(other.pages)


class Progress(Protocol):
    """Told how a run goes, page by page: a terminal shows it, the engine knows no terminal.

    ``start`` gets the number of pages when every phase's changes is a sized collection, else None;
    ``advance`` is called once per page in report order (refused and skipped pages too); ``finish``
    always follows ``start``, also when the run raises, so a progress line is gone before the error.
    """

    def start(self, total: int | None) -> None: ...

    def advance(self, title: str, outcome: Outcome) -> None: ...

    def finish(self) -> None: ...


class _NoProgress:
    """The default: a run nobody watches."""

    def start(self, total: int | None) -> None:
        pass

    def advance(self, title: str, outcome: Outcome) -> None:
        pass

    def finish(self) -> None:
        pass


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
    names the pages the bot owns; a change for any other page is refused before anything is read or
    written. ``progress`` (:class:`Progress`) hears of every page as it is done. Every bot loop goes
    through :meth:`run` (or :meth:`run_phases`), so the checkpoint, the scope, the progress and the
    one-change-per-page rule hold for all of them. ``memory`` (:mod:`ozgwiki.engine.memory`) lets a run
    skip the pages it knows converged; it is saved when a run ends (not in a dry run).
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
        progress: Progress | None = None,
        memory: PageMemory | None = None,
    ) -> None:
        self.site = site
        self.bot_user = bot_user
        self.respect_opt_out = respect_opt_out
        self.chunk = max(1, chunk)
        self.checkpoint = checkpoint or (lambda: None)
        self.scope = scope
        self.progress: Progress = progress or _NoProgress()
        self.memory = memory
        # What this engine learnt of pages' current SHA-1 (from a census or its own batched asks);
        # a title leaves it as soon as the engine writes or moves it.
        self._current: dict[str, PageInfo] = {}

    def run(
        self,
        changes: Iterable[PageChange],
        *,
        states: Mapping[str, PageState] | None = None,
        census: Mapping[str, PageInfo] | None = None,
    ) -> SyncReport:
        """Apply every change; return the report. Run-wide errors (login lost, wiki down) propagate.

        ``states`` are pages the bot has just read already (a safety rail looked at them first);
        they are not read again. The edits stay conflict-safe: they are based on that read.
        ``census`` (:meth:`ozgwiki.wiki.site.Site.census`) spares the memory's SHA-1 asks.
        """
        return self.run_phases([Phase(changes)], states=states, census=census)

    def learn(self, census: Mapping[str, PageInfo]) -> None:
        """Take the current SHA-1s of a census just listed (pages without one are left out)."""
        self._current.update((t, i) for t, i in census.items() if i.sha1)

    def proven(self, changes: Iterable[PageChange]) -> set[str]:
        """The titles of ``changes`` the memory proves converged: the page still has the SHA-1 it had
        when the same change last left it alone or saved it. SHA-1s the engine does not know yet are
        asked for in batches (no text is read). A proven page is what its transform wants; a safety rail
        need not read it, and the run reports it unchanged without reading it."""
        if self.memory is None or not len(self.memory):
            return set()
        wanted = {c.title: sha1 for c in changes if (sha1 := self._remembered(c)) is not None}
        unknown = [t for t in wanted if t not in self._current]
        if unknown:
            self.learn(self.site.pages_info(unknown, hashes=True))
        return {t for t, sha1 in wanted.items() if (i := self._current.get(t)) is not None and i.sha1 == sha1}

    def _remembered(self, change: PageChange) -> str | None:
        if self.memory is None or change.fingerprint is None:
            return None
        return self.memory.sha1_for(change.title, self._key(change))

    def _key(self, change: PageChange) -> str:
        """A change's memory key: its fingerprint and what the engine adds to its transform."""
        return fingerprint(change.fingerprint, change.replaces_redirect, self.respect_opt_out, self.bot_user)

    def run_phases(
        self,
        phases: Iterable[Phase],
        *,
        states: Mapping[str, PageState] | None = None,
        census: Mapping[str, PageInfo] | None = None,
    ) -> SyncReport:
        """Run the phases in order, each as :meth:`run` would, as one run: a page may be changed in
        one phase only, and each phase's ``after`` is called with that phase's report before the next
        phase reads anything. The report lists every phase's pages in order, a phase's moves first.

        A title may take part in one move per run (as source or target: two moves onto one title are
        a bug, and so is a move of a page already changed in the run); a change of either title may
        follow the move, once, and reads the page afresh (in a dry run: the page as the move would
        have left it, so the report says what a real run would do).
        """
        known = dict(states or {})
        if census:
            self.learn(census)
        report = SyncReport()
        seen: set[str] = set()
        moved: set[str] = set()
        self.progress.start(_total(phases))
        try:
            for phase in phases:
                done = SyncReport()
                for moves in _chunks(phase.moves, self.chunk):
                    done.pages += self._run_moves(moves, known, seen, moved)
                for chunk in _chunks(phase.changes, self.chunk):
                    done.pages += self._run_chunk(chunk, known, seen)
                report.extend(done)
                if phase.after is not None:
                    phase.after(done)
        finally:
            self.progress.finish()
            if self.memory is not None and not self.site.dry_run:
                self.memory.save()
        return report

    def _run_chunk(
        self, chunk: Sequence[PageChange], known: Mapping[str, PageState], seen: set[str]
    ) -> list[PageReport]:
        """One chunk: refuse what is out of scope, read the rest in one batch, apply in input order."""
        refused: dict[str, PageReport] = {}
        for change in chunk:
            if change.title in seen:
                # Two transforms for one page would each see the other's edit as a conflict.
                raise ValueError(f"page {change.title!r} is changed twice in one run")
            seen.add(change.title)
            report = self._refused(change)
            if report is not None:
                refused[change.title] = report
        self.checkpoint()
        open_ = [c for c in chunk if c.title not in refused and c.title not in known]
        proven = self.proven(open_)
        unread = [c.title for c in open_ if c.title not in proven]
        read = {**self.site.read_pages(unread), **known} if unread else known
        out: list[PageReport] = []
        for change in chunk:
            if change.title in refused:
                page = refused[change.title]
            elif change.title in proven:
                info = self._current[change.title]
                page = PageReport(
                    change.title, Outcome.UNCHANGED, change.kind, None, info.lastrevid, self.site.dry_run,
                    base_revid=info.lastrevid,
                )  # fmt: skip
            else:
                self.checkpoint()
                page = self._edit(change, read[change.title])
            out.append(page)
            self.progress.advance(page.title, page.outcome)
        return out

    def _run_moves(
        self, chunk: Sequence[PageMove], known: dict[str, PageState], seen: set[str], moved: set[str]
    ) -> list[PageReport]:
        """One chunk of moves, like :meth:`_run_chunk`: refuse what is out of scope, read both titles
        of the rest in one batch, move in input order; ``known`` learns what each move changed."""
        refused: dict[PageMove, PageReport] = {}
        for move in chunk:
            if move.source == move.target:
                raise ValueError(f"page {move.source!r} is moved onto itself")
            for title in (move.source, move.target):
                if title in moved:
                    raise ValueError(f"page {title!r} takes part in two moves in one run")
                if title in seen:
                    raise ValueError(f"page {title!r} is changed before it is moved in one run")
            moved.update((move.source, move.target))
            report = self._move_refused(move)
            if report is not None:
                refused[move] = report
        self.checkpoint()
        titles = [t for m in chunk if m not in refused for t in (m.source, m.target)]
        unread = [t for t in dict.fromkeys(titles) if t not in known]
        read = {**self.site.read_pages(unread), **known} if unread else dict(known)
        out: list[PageReport] = []
        for move in chunk:
            if move in refused:
                page = refused[move]
            else:
                self.checkpoint()
                page = self._move(move, read[move.source], read[move.target], known)
            out.append(page)
            self.progress.advance(page.title, page.outcome)
        return out

    def _move_refused(self, move: PageMove) -> PageReport | None:
        """The report of a move with a title outside the bot's scope (nothing read or moved), else None."""
        if self.scope is None:
            return None
        outside = [t for t in (move.source, move.target) if not self.scope.allows(t)]
        if not outside:
            return None
        log.error("%s -> %s: outside the bot's pages; not moved", move.source, move.target)
        reason = self.scope.why_not(outside[0])
        return PageReport(move.source, Outcome.ERROR, move.kind, reason, dry_run=self.site.dry_run)

    def _move(
        self, move: PageMove, source: PageState, target: PageState, known: dict[str, PageState]
    ) -> PageReport:
        """Move one page through the site client's move point and note in ``known`` what changed."""
        pages = {move.source: source, move.target: target}
        result = self.site.move(move.source, move.target, move.summary, pages=pages)
        for title in (move.source, move.target):
            self._current.pop(title, None)
        if self.memory is not None:
            self.memory.forget((move.source, move.target))
        message = result.message
        if result.outcome is Outcome.MOVED:
            done = f"verschoben nach „{result.target}“"
            message = f"{done}; {message}" if message else done
            known.pop(move.source, None)
            known.pop(move.target, None)
            if result.dry_run:
                known.update(_as_moved(move, source, target))
        return PageReport(
            move.source, result.outcome, move.kind, message, None, result.dry_run,
            base_text=None if source.invalid else source.text, base_revid=source.revid,
        )  # fmt: skip

    def _refused(self, change: PageChange) -> PageReport | None:
        """The report of a change outside the bot's scope (nothing is read or written), else None."""
        if self.scope is None or self.scope.allows(change.title):
            return None
        log.error("%s: outside the bot's pages; refused", change.title)
        reason = self.scope.why_not(change.title)
        return PageReport(change.title, Outcome.ERROR, change.kind, reason, dry_run=self.site.dry_run)

    def apply(self, change: PageChange, state: PageState | None = None) -> PageReport:
        """Apply one change (reading the page first unless ``state`` is given): a run of one page."""
        return self.run([change], states={change.title: state} if state is not None else None).pages[0]

    def _edit(self, change: PageChange, state: PageState | None) -> PageReport:
        """Save one change through the choke point; unsafe pages become reported skips."""

        def guarded(text: str) -> str | None:
            if text and not change.replaces_redirect and is_redirect(text):
                raise _Redirect
            if self.respect_opt_out and text and not bot_may_edit(text, self.bot_user):
                raise _OptedOut
            wanted = change.transform(text)
            outputs.append(wanted)
            return wanted

        outputs: list[str | None] = []  # what the transform returned, in step with ``bases``
        bases: list[PageState] = []  # every state the transform was applied to; the last is the base
        revid: int | None = None
        dry = self.site.dry_run
        try:
            result = self.site.edit(
                change.title, guarded, change.summary, page=state, minor=change.minor, on_base=bases.append
            )
        except _Redirect:
            log.warning("%s: is a redirect now; left alone", change.title)
            outcome = Outcome.SKIPPED
            message: str | None = (
                "Seite ist eine Weiterleitung; nicht bearbeitet (zum Pflegen Weiterleitung entfernen)"
            )
        except _OptedOut:
            log.warning("%s: opted out of bot edits ({{nobots}}); left alone", change.title)
            outcome, message = Outcome.OPTED_OUT, "Seite ist für Bots gesperrt"
        except PageTextError as exc:
            log.warning("%s: skipped: %s", change.title, exc)
            outcome, message = Outcome.SKIPPED, str(exc)
        else:
            outcome, message, revid, dry = result.outcome, result.message, result.revid, result.dry_run
            if outcome is Outcome.SKIPPED and message is None:
                message = change.skip_reason
        base = bases[-1] if bases else None
        self._current.pop(change.title, None)
        self._remember(change, outcome, dry, base, outputs[-1] if outputs else None)
        # An unchanged page's text is the wiki's as it was: keeping it would make a run over 60,000
        # unchanged pages hold every text until it ends (memory growing with the run, not the chunk).
        kept = base is not None and outcome is not Outcome.UNCHANGED
        return PageReport(
            change.title, outcome, change.kind, message, revid, dry,
            base_text=base.text if kept and base is not None else None,
            base_revid=base.revid if base is not None else None,
        )  # fmt: skip

    def _remember(
        self, change: PageChange, outcome: Outcome, dry: bool, base: PageState | None, wanted: str | None
    ) -> None:
        """Note what this page's text is now, if the change left it converged: unchanged (the text
        read), or saved (the text sent, as the wiki stores it). Anything else is forgotten, so the next
        run reads the page again."""
        if self.memory is None or change.fingerprint is None:
            return
        sha1 = None
        if outcome is Outcome.UNCHANGED and base is not None and base.exists:
            sha1 = hashlib.sha1(base.text.encode("utf-8")).hexdigest()  # the wiki's bytes, as read
        elif outcome in (Outcome.CREATED, Outcome.CHANGED) and not dry and wanted is not None:
            sha1 = text_sha1(wanted)
        if sha1 is None:
            self.memory.forget([change.title], self._key(change))
        else:
            self.memory.remember(change.title, sha1, self._key(change))


def _as_moved(move: PageMove, source: PageState, target: PageState) -> dict[str, PageState]:
    """The two pages as a dry run's move would have left them: the source's page under the target's
    title, and at the source the redirect the wiki writes. A title no redirect can name is left out
    (the change reads that page as it is)."""
    out = {move.target: replace(source, title=target.title, ns=target.ns)}
    with contextlib.suppress(ValueError):
        out[move.source] = PageState(source.title, True, redirect_text(target.title), ns=source.ns)
    return out


def _total(phases: Iterable[Phase]) -> int | None:
    """The run's page count, if it is known without consuming anything: every collection is sized
    (a generator of changes, e.g. the import's, is not; its count would cost the flat memory)."""
    if not isinstance(phases, Sized):
        return None
    sizes = [
        len(p.changes) + len(p.moves) if isinstance(p.changes, Sized) and isinstance(p.moves, Sized) else None
        for p in phases
    ]
    return None if None in sizes else sum(s for s in sizes if s is not None)


def _chunks(items: Iterable[_T], size: int) -> Iterator[Sequence[_T]]:
    batch: list[_T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
