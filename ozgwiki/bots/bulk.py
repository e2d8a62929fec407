"""``ozgwiki import --bulk``: the first load of an empty wiki through MediaWiki's XML import.

The pages and texts are exactly those ``ozgwiki import`` would create in an empty wiki (the importer's
own transforms applied to "": every catalogue page, the ID-title redirects, the Begriffsklärung pages);
only the way onto the wiki differs: a few ``action=import`` uploads of an ``export-0.11`` document
(:mod:`ozgwiki.render.xmldump`) instead of one ``action=edit`` per page. MediaWiki stores each text as
sent and runs the same secondary updates (links, categories, semantic data) as for an edit.

Only for an **empty** wiki: the run refuses before its first write when any of its pages exists. An
import never merges with a page -- it would add a revision under the existing text's history, and the
newer of the two would win by timestamp, not by what the bot owns -- so everything else stays the
per-page importer's job. After the bulk load a normal ``ozgwiki import`` makes no edit.

The account needs the ``importupload`` right (and, with a bot password, the ``import`` grant); see
docs/operations.md. Each revision names the bot as its author and carries the page's usual edit
summary; MediaWiki adds a null revision "1 Version importiert" and one import log entry per page
(shown in recent changes, flagged as a bot's) instead of a page-creation entry.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from ozgwiki.bots import importer
from ozgwiki.domain.model import Catalogue
from ozgwiki.domain.titles import TitleScheme
from ozgwiki.engine.bot import BotContext, StepResult
from ozgwiki.engine.sync import Outcome, PageReport, SyncReport
from ozgwiki.errors import SafetyRailError
from ozgwiki.render.plans import plan_pages
from ozgwiki.render.xmldump import DumpPage, render

__all__ = ["CHUNK", "IMPORT_RIGHT", "NAME", "first_load", "run"]

log = logging.getLogger(__name__)

NAME = "import"
#: Pages per ``action=import`` request. Measured (bench/bulk_import.py): 50 is the fastest; 200 or all
#: pages in one request cost more server CPU per page and much more wall time (one request then holds
#: the wiki for half a minute and more, close to the client's timeout).
CHUNK = 50
IMPORT_RIGHT = "importupload"
SUMMARY = "Bot: Erstbefüllung aus dem OZG-Katalog (Massenimport)"
KIND = "XML-Import"


def first_load(catalogue: Catalogue, scheme: TitleScheme) -> list[DumpPage]:
    """What ``ozgwiki import`` creates in an empty wiki: titles, texts and edit summaries.

    The text is trimmed at the end as ``action=edit`` would store it (an import runs no pre-save
    transform), so a normal import afterwards finds every page as it wants it.
    """
    plans = plan_pages(catalogue, scheme)
    out = []
    for change in importer.page_changes(importer.import_items(plans, ()), plans, scheme):
        text = change.transform("")
        if text is None:  # no transform leaves a missing page alone; guard against a future one
            continue
        summary = change.summary("") if callable(change.summary) else change.summary
        out.append(DumpPage(change.title, text.rstrip(), summary))
    return out


def _refuse_unless_empty(existing: Sequence[str]) -> None:
    if existing:
        shown = ", ".join(sorted(existing)[:10]) + (" …" if len(existing) > 10 else "")
        raise SafetyRailError(
            f"Massenimport nur in ein leeres Wiki: {len(existing)} der Seiten gibt es schon ({shown}); "
            "nichts geschrieben – bitte `ozgwiki import` ohne --bulk"
        )


def run(ctx: BotContext, *, chunk: int = CHUNK) -> StepResult:
    """Load the catalogue's pages into an empty wiki by XML import, ``chunk`` pages per request.

    Raises :class:`~ozgwiki.errors.SafetyRailError` before any write when one of the pages exists or
    the account lacks the import right. In a dry run nothing is sent; the result says what would be.
    The check and the load are not one step: a page someone creates in the seconds between them gets
    the bot's text as a newer revision on top of theirs (kept in its history) -- the bulk load is for a
    wiki nobody writes in yet.
    """
    site = ctx.site
    pages = first_load(ctx.catalogue, ctx.titles)
    info = site.pages_info(p.title for p in pages)
    _refuse_unless_empty([t for t, i in info.items() if i.exists])
    # Each title's namespace as the wiki reads it (the catalogue's titles are all in the main one).
    ns = {t: i.ns or 0 for t, i in info.items()}
    pages = [DumpPage(p.title, p.text, p.summary, ns.get(p.title, 0)) for p in pages]
    size = max(1, chunk)
    requests = (len(pages) + size - 1) // size
    missing_right = (
        None
        if IMPORT_RIGHT in site.userinfo.rights
        else f"dem Konto {site.userinfo.name} fehlt das Recht „{IMPORT_RIGHT}“ (beim Bot-Passwort: die "
        "Berechtigung „import“); siehe docs/operations.md – oder `ozgwiki import` ohne --bulk"
    )
    if site.dry_run:
        report = SyncReport([PageReport(p.title, Outcome.CREATED, kind=KIND, dry_run=True) for p in pages])
        summary = f"{len(pages)} Seiten würden per XML-Import angelegt ({requests} Anfragen) (Probelauf)"
        if missing_right:
            summary += f"; aber {missing_right}"
        return StepResult(
            NAME, report, summary=summary, data={"load": {"pages": len(pages), "requests": requests}}
        )
    if missing_right:
        raise SafetyRailError(missing_right[0].upper() + missing_right[1:])
    user = ctx.bot_user.split("@", 1)[0]
    report = SyncReport()
    for i in range(0, len(pages), size):
        part = pages[i : i + size]
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        done = site.import_xml(render(part, user=user, timestamp=stamp), summary=SUMMARY)
        # 0 revisions: skipped by the wiki -- a title it refuses, or a page a first request whose
        # answer was lost had imported already (the resend then finds its revision). Ask which.
        unsure = [p.title for p in part if done.get(p.title, 0) == 0]
        there = {t for t, i in site.pages_info(unsure).items() if i.exists} if unsure else set()
        for p in part:
            if done.get(p.title, 0) > 0 or p.title in there:
                report.pages.append(PageReport(p.title, Outcome.CREATED, kind=KIND))
            else:
                message = "vom Wiki nicht importiert (ungültiger Titel oder keine Berechtigung für die Seite)"
                report.pages.append(PageReport(p.title, Outcome.ERROR, kind=KIND, message=message))
        log.info("bulk import: %d of %d pages", min(i + size, len(pages)), len(pages))
    created = len(report.with_outcome(Outcome.CREATED))
    errors = len(pages) - created
    summary = f"{created} Seiten per XML-Import angelegt ({requests} Anfragen), {errors} Fehler"
    return StepResult(
        NAME, report, summary=summary, data={"load": {"pages": len(pages), "requests": requests}}
    )
