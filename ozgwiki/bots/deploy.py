"""The deploy bot: make the wiki's templates, modules, categories, properties, forms and navigation
pages match ``templates/`` and ``semantic/``.

The pages and the record rule are pure (:mod:`ozgwiki.definitions.deploy`); this module reads the wiki once,
decides, and saves through the sync engine. Order of a run:

1. refuse a wiki without ParserFunctions / Scribunto (exit 2);
2. read every desired page and the record in one batched read, decide each page;
3. save the write-ahead record (only if something will be written);
4. properties (SMW only), then - if one was created or changed - wait until the job queue is empty,
   because SMW activates a property's type only in a job (``smw.changePropagationDispatch``); data
   stored before that gets the old type;
5. everything else; if a page was created, purge the navigation pages (their links were red when saved);
6. save the settled record (only if it changed).

``check`` plans and reports without a single write (the cron "deploy check"); every page that would
change counts as a finding.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

from ozgwiki import __version__
from ozgwiki.definitions import deploy
from ozgwiki.definitions.deploy import Action, Decision, DeployRecord
from ozgwiki.definitions.schema import load as load_schema
from ozgwiki.engine.bot import BotContext, StepResult
from ozgwiki.engine.sync import Outcome, PageChange, PageReport, Phase, SyncEngine, SyncReport
from ozgwiki.errors import RetryBudgetExceeded
from ozgwiki.wiki.pages import PageState, same_after_save
from ozgwiki.wiki.site import Site

log = logging.getLogger(__name__)

NAME = "deploy"
#: How long to wait for the job queue after property changes, and how often to look.
JOB_WAIT_SECONDS = 600.0
JOB_POLL_SECONDS = 5.0
#: A queue that has not shrunk for this long has nobody working on it (api.php runs no jobs).
JOB_STALL_SECONDS = 60.0

_WROTE = (Outcome.CREATED, Outcome.CHANGED, Outcome.UNCHANGED)


def wait_for_job_queue(
    site: Site,
    *,
    timeout: float = JOB_WAIT_SECONDS,
    interval: float = JOB_POLL_SECONDS,
    stall: float = JOB_STALL_SECONDS,
) -> float:
    """Poll until the job queue is empty; return the seconds waited.

    Uses the site's injectable clock and sleep (tests run on a fake clock). Raises
    :class:`~ozgwiki.errors.RetryBudgetExceeded` (exit 3), saying what to do -- the properties are
    deployed, the rest is not, and the write-ahead record lets the next run continue -- either after
    ``timeout`` seconds, or as soon as the queue has not shrunk for ``stall`` seconds: a wiki without a
    job runner never empties it, and waiting the full timeout would only hide that.
    """
    clock, sleep, url = site.retry.clock, site.retry.sleep, site.wiki.api_url
    start = clock()
    jobs = site.job_count()
    lowest, since = jobs, start
    while jobs > 0:
        now = clock()
        if jobs < lowest:
            lowest, since = jobs, now
        waited = now - start
        if now - since >= stall:
            raise RetryBudgetExceeded(
                f"deploy stopped: the job queue of {url} has not shrunk for {now - since:.0f} s "
                f"({jobs} job(s) waiting) -- the wiki seems to have no job runner (api.php runs no jobs). "
                f"{_JOB_ADVICE}"
            )
        if waited >= timeout:
            raise RetryBudgetExceeded(
                f"deploy stopped: the job queue of {url} still holds {jobs} job(s) after "
                f"{waited:.0f} s. {_JOB_ADVICE}"
            )
        log.info("waiting for the job queue: %d job(s) left", jobs)
        sleep(max(0.0, min(interval, timeout - waited, stall - (now - since))))
        jobs = site.job_count()
    return clock() - start


_JOB_ADVICE = (
    "Semantic MediaWiki activates new property types only in a job; templates deployed before that "
    "would store data with the old type. The properties are deployed, the rest is not: run "
    "maintenance/runJobs.php (or start a job runner), then run `ozgwiki deploy` again."
)


def _save_record(engine: SyncEngine, title: str, record: DeployRecord, state: PageState | None) -> PageReport:
    """Save the record as a run of its own: the write-ahead and the settled record are two saves of
    one page, the second based on a fresh read of the first (``state`` None: read it)."""
    text = record.to_text()
    change = PageChange(
        title,
        lambda _old: text,
        f"Bot: Bereitstellungsprotokoll von ozgwiki {__version__} aktualisiert",
        kind=deploy.KIND_RECORD,
    )
    return engine.run([change], states={title: state} if state is not None else None).pages[0]


def _changes(decisions: list[Decision], force: bool) -> list[PageChange]:
    """The engine's page changes for ``decisions``; a page the rule refuses is skipped with its reason."""
    return [
        PageChange(d.page.title, d.transform(force), d.summary(), kind=d.page.kind, skip_reason=d.reason)
        for d in decisions
    ]


def _check_report(decisions: list[Decision], record_state: PageState, final: DeployRecord) -> SyncReport:
    """What a run would do, without reading more or writing anything."""
    outcome = {
        Action.CREATE: Outcome.CREATED,
        Action.UPDATE: Outcome.CHANGED,
        Action.OVERWRITE: Outcome.CHANGED,
        Action.KEEP: Outcome.UNCHANGED,
        Action.REFUSE: Outcome.SKIPPED,
    }
    report = SyncReport(
        [PageReport(d.page.title, outcome[d.action], d.page.kind, d.reason, dry_run=True) for d in decisions]
    )
    if not record_state.exists:
        rec = Outcome.CREATED
    else:
        rec = Outcome.UNCHANGED if same_after_save(record_state.text, final.to_text()) else Outcome.CHANGED
    report.pages.append(PageReport(record_state.title, rec, deploy.KIND_RECORD, dry_run=True))
    return report


def run(
    ctx: BotContext,
    *,
    force: bool = False,
    check: bool = False,
    job_timeout: float = JOB_WAIT_SECONDS,
) -> StepResult:
    """Deploy (with ``check``: only plan) templates and semantic definitions; see the module docstring."""
    site = ctx.site
    info = site.siteinfo
    deploy.check_requirements(info, site.wiki.api_url)
    variant = deploy.Variant.of(info)
    pages = deploy.desired_pages(load_schema(), variant)
    rec_title = deploy.record_title(ctx.bot_user)
    states = site.read_pages([p.title for p in pages] + [rec_title])
    record_state = states[rec_title]
    record = DeployRecord.from_text(record_state.text)
    decisions = deploy.plan(pages, states, record, force=force)
    by_title = {d.page.title: d for d in decisions}

    def final_record(written: set[str]) -> DeployRecord:
        deployed = {t: by_title[t].page.sha1 for t in written}
        return record.settled(deployed, keep=[t for t in by_title if t not in written])

    waited: float | None = None
    if check:
        ok = {d.page.title for d in decisions if d.action is not Action.REFUSE}
        report = _check_report(decisions, record_state, final_record(ok))
        findings = report.edits
    else:
        engine = ctx.engine()
        report = SyncReport()
        to_write = {d.page.title: d.page.sha1 for d in decisions if d.writes}
        if to_write and not site.dry_run:
            ahead = _save_record(engine, rec_title, record.with_pending(to_write), record_state)
            if ahead.outcome not in _WROTE:
                # Without the write-ahead record a crash could make our own pages look foreign: stop.
                report.pages.append(ahead)
                return _result(report, variant, decisions, force, check, waited, findings=0)
            record_state = None  # re-read before the final save: it has a new revision now

        def after_properties(props: SyncReport) -> None:
            nonlocal waited
            changed_props = [p for p in props.pages if p.outcome in (Outcome.CREATED, Outcome.CHANGED)]
            if changed_props and not site.dry_run:
                log.info("%d propert(y/ies) changed; waiting for the job queue", len(changed_props))
                waited = wait_for_job_queue(site, timeout=job_timeout)

        phases = [
            Phase(_changes([d for d in decisions if d.page.is_property], force), after=after_properties),
            Phase(_changes([d for d in decisions if not d.page.is_property], force)),
        ]
        report.extend(engine.run_phases(phases, states=states))
        written = {p.title for p in report.pages if p.outcome in _WROTE}
        created = [p for p in report.pages if p.outcome is Outcome.CREATED]
        if created and not site.dry_run:
            # Pages saved before the pages they link to keep red links until the job queue ran (or a
            # view re-renders them); purging the few navigation pages shows the new links at once.
            nav = [d.page.title for d in decisions if d.page.kind == deploy.KIND_NAVIGATION]
            site.purge(nav, forcelinkupdate=True)
        report.pages.append(_save_record(engine, rec_title, final_record(written), record_state))
        findings = 0
    result = _result(report, variant, decisions, force, check, waited, findings=findings)
    result.data["stats"] = site.stats.as_dict()
    return result


def _result(
    report: SyncReport,
    variant: deploy.Variant,
    decisions: list[Decision],
    force: bool,
    check: bool,
    waited: float | None,
    *,
    findings: int,
) -> StepResult:
    by_outcome: dict[str, list[str]] = defaultdict(list)
    for p in report.pages:
        by_outcome[p.outcome.value].append(p.title)
    refused = [
        {"title": p.title, "kind": p.kind, "reason": p.message}
        for p in report.pages
        if p.outcome is Outcome.SKIPPED
    ]
    forced = [{"title": d.page.title, "reason": d.reason} for d in decisions if d.action is Action.OVERWRITE]
    data: dict[str, Any] = {
        "variant": variant.name,
        "smw": variant.smw,
        "pageforms": variant.pageforms,
        "check": check,
        "force": force,
        "by_outcome": dict(by_outcome),
        "refused": refused,
        "forced": forced,
        "waited_for_jobs_seconds": waited,
    }
    mode = " (check: nothing written)" if check else ""
    summary = f"variant {variant.name}: {report.summary()}{mode}"
    if check and findings:
        summary += f"; {findings} page(s) would change"
    return StepResult(name=NAME, report=report, summary=summary, findings=findings, data=data)
