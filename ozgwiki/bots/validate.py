"""The validate bot: check the LeiKa keys on pages editors changed, publish the maintenance page.

One run:

1. **Which pages.** Incremental (the default): every page in the configured namespaces that appears
   in ``list=recentchanges`` after the position stored by the last run (timestamp + rcid), edits of
   the bot itself excluded — they add no editor keys, and the page keeps the findings stored for it.
   Deletions and moves (log entries) count whoever made them. Full scan (``--all``, the first run,
   a lost or corrupt state, a changed catalogue or changed rules, a position older than
   :data:`MAX_GAP`): every page that transcludes a template with key parameters, plus every page
   with stored findings. ``--since``: the pages changed in that window; the stored position stays.
2. **Check** each page with :func:`ozgwiki.render.maintenance.check_page` (pure).
3. **Optionally fix the spelling** of harmlessly mis-formatted keys (``--fix-format``): a minor bot
   edit through the sync engine; the fixed pages are read again and checked again.
4. **Merge** with the stored findings, render the maintenance page, save it through the sync engine
   (only when its text changes).
5. **Remember**: the state (position + per-page findings) is written atomically, and only after the
   maintenance page was saved (or was already up to date). A run that dies before that is simply
   repeated by the next one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ozgwiki.config import ValidateSettings
from ozgwiki.engine import memory
from ozgwiki.engine.bot import BotContext, StepResult
from ozgwiki.engine.state import StateError, StateStore, state_dir
from ozgwiki.engine.sync import Outcome, PageChange, SyncReport
from ozgwiki.errors import ReportNotPublished
from ozgwiki.render.maintenance import (
    FormatFix,
    PageRecord,
    all_findings,
    check_page,
    fingerprint,
    fix_format,
    merge,
    records_from_state,
    records_to_state,
    render_report,
    report_transform,
)
from ozgwiki.wiki.pages import PageState
from ozgwiki.wiki.site import Site
from ozgwiki.wikitext.extract import DEFAULT_KEY_PARAMS

log = logging.getLogger(__name__)

STATE_NAME = "validate"
STATE_VERSION = 1
#: Recent changes are kept 90 days by default ($wgRCMaxAge); older positions are not trusted.
MAX_GAP = timedelta(days=30)
#: Templates whose pages are scanned by a full run: those with key parameters and the inline one.
KEY_TEMPLATES: tuple[str, ...] = (*DEFAULT_KEY_PARAMS, "LeiKa")
REPORT_SUMMARY = "Bot: Liste der fehlerhaften LeiKa-Schlüssel aktualisiert"
_SAVED = (Outcome.CREATED, Outcome.CHANGED, Outcome.UNCHANGED)


@dataclass(frozen=True)
class Position:
    """Where the last run stopped reading recent changes: the newest entry it saw."""

    timestamp: str
    rcid: int

    def as_dict(self) -> dict[str, Any]:
        return {"timestamp": self.timestamp, "rcid": self.rcid}


@dataclass
class _Plan:
    mode: str  # "full", "incremental" or "since"
    titles: list[str]
    position: Position | None
    previous: dict[str, PageRecord]
    reason: str = ""


def run(
    ctx: BotContext, *, all_pages: bool = False, since: datetime | None = None, fix: bool = False
) -> StepResult:
    """Check the keys on editor pages and publish the maintenance page (see the module docstring)."""
    settings = ctx.config.validate
    fix = fix or settings.fix_format
    rules = ctx.key_rules
    store = StateStore(state_dir(ctx.config))
    site = ctx.site
    report_title = normalize_title(site, settings.report_page)
    bot_pages = ctx.titles.titles_of("leika", "ozg")  # the importer's pages that carry keys
    print_ = fingerprint(rules, settings)

    with store.lock(STATE_NAME):
        stored = _load_state(store, settings, print_)
        plan = _plan(site, ctx.bot_user, settings, stored, all_pages=all_pages, since=since)
        log.info("validate: %s run over %d page(s) %s", plan.mode, len(plan.titles), plan.reason)

        def check(states: dict[str, PageState]) -> dict[str, PageRecord | None]:
            out: dict[str, PageRecord | None] = {}
            for requested, state in states.items():
                record = None
                if (
                    state.exists
                    and not state.invalid
                    and (state.ns is None or state.ns in settings.namespaces)
                    and settings.is_editor_page(state.title, report_title, bot_pages)
                ):
                    findings = check_page(state.title, state.text, rules=rules)
                    record = PageRecord(state.title, state.revid, state.user, state.timestamp, findings)
                if state.title != requested:
                    out[requested] = None  # stored under a spelling the wiki normalises differently
                out[state.title] = record
            return out

        states = site.read_pages(plan.titles) if plan.titles else {}
        checked = check(states)

        report = SyncReport()
        fixed: list[FormatFix] = []
        if fix:
            fix_report, fixed = _fix_format(ctx, states, checked)
            report.extend(fix_report)
            changed = [p.title for p in fix_report.pages if p.outcome is Outcome.CHANGED and not p.dry_run]
            if changed:
                checked.update(check(site.read_pages(changed)))

        records = merge(plan.previous, checked, full=plan.mode == "full")
        rendered = render_report(records)
        page_report = ctx.engine().run(
            [
                PageChange(
                    settings.report_page,
                    report_transform(rendered),
                    REPORT_SUMMARY,
                    kind="Wartungsseite",
                    fingerprint=memory.fingerprint("validate-report", settings.report_page, rendered),
                )
            ]
        )
        report.extend(page_report)
        saved = all(p.outcome in _SAVED for p in page_report.pages)
        if saved and not ctx.dry_run:
            store.save(
                STATE_NAME,
                {
                    "version": STATE_VERSION,
                    "report_page": settings.report_page,
                    "fingerprint": print_,
                    "position": plan.position.as_dict() if plan.position else None,
                    "pages": records_to_state(records),
                },
            )
        elif not saved:
            log.warning("maintenance page %s not saved; state left as it was", settings.report_page)
        failed = [p for p in page_report.pages if p.outcome is Outcome.ERROR]
        if failed:
            raise ReportNotPublished(
                f"maintenance page {settings.report_page} could not be saved ({failed[0].message}); "
                "the findings are not published -- see the log; the next run tries again"
            )

    findings = all_findings(records)
    pages = len(records)
    mode = {"full": "alle Seiten", "incremental": "geänderte Seiten", "since": "Seiten seit --since"}[
        plan.mode
    ]
    summary = (
        f"{len(findings)} Fund(e) auf {pages} Seite(n); {len(plan.titles)} Seite(n) geprüft ({mode}); "
        f"Wartungsseite {settings.report_page}: {page_report.pages[0].outcome.value}"
    )
    if fixed:
        summary += f"; Schreibweise auf {len(fixed)} Seite(n) vereinheitlicht"
    return StepResult(
        name="validate",
        report=report,
        summary=summary,
        findings=len(findings),
        data={
            "mode": plan.mode,
            "checked": len(plan.titles),
            "report_page": settings.report_page,
            "findings": [_public(f.as_dict()) for f in findings],
            "fixed": [{"page": f.fixed[0].page, "keys": [x.raw for x in f.fixed]} for f in fixed],
        },
    )


def _public(finding: dict[str, Any]) -> dict[str, Any]:
    """The JSON fields of a finding (``fixable``/``offset`` are internal but harmless; keep them)."""
    return {
        "page": finding["page"],
        "key": finding["raw"],
        "status": finding["status"],
        "message": finding["message"],
        "suggestion": finding["suggestion"],
        "normalized": finding["key"],
        "template": finding["template"],
        "parameter": finding["parameter"],
        "line": finding["line"],
    }


# --- state -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Stored:
    position: Position | None
    records: dict[str, PageRecord]
    usable: bool
    reason: str = ""


def _load_state(store: StateStore, settings: ValidateSettings, print_: str) -> _Stored:
    """The stored state, or an unusable one (→ full scan) with the reason."""
    try:
        data = store.load(STATE_NAME)
    except StateError as exc:
        log.warning("%s; scanning every page again", exc)
        store.quarantine(STATE_NAME)
        return _Stored(None, {}, False, "(Zustand beschädigt)")
    if data is None:
        return _Stored(None, {}, False, "(erster Lauf)")
    try:
        records = records_from_state(data)
        raw_pos = data.get("position")
        position = Position(str(raw_pos["timestamp"]), int(raw_pos["rcid"])) if raw_pos else None
    except (KeyError, TypeError, ValueError) as exc:
        log.warning("state %s has an unexpected shape (%s); scanning every page again", STATE_NAME, exc)
        return _Stored(None, {}, False, "(Zustand unlesbar)")
    if data.get("version") != STATE_VERSION or data.get("report_page") != settings.report_page:
        return _Stored(None, records, False, "(anderer Zustand)")
    if data.get("fingerprint") != print_:
        return _Stored(None, records, False, "(Katalog oder Regeln geändert)")
    if position is None:
        return _Stored(None, records, False, "(keine Position gespeichert)")
    if _parse_ts(position.timestamp) < datetime.now(UTC) - MAX_GAP:
        return _Stored(None, records, False, "(letzter Lauf zu lange her)")
    return _Stored(position, records, True)


def _parse_ts(ts: str) -> datetime:
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


def _iso(when: datetime) -> str:
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- which pages -----------------------------------------------------------------------------------


def _plan(
    site: Site,
    bot_user: str,
    settings: ValidateSettings,
    stored: _Stored,
    *,
    all_pages: bool,
    since: datetime | None,
) -> _Plan:
    namespaces = tuple(settings.namespaces)
    if since is not None:
        titles, _ = _changed_titles(site, bot_user, namespaces, _iso(since), None)
        # A window does not move the position: edits between it and the last run would be lost.
        return _Plan("since", titles, stored.position, stored.records, f"seit {_iso(since)}")
    if all_pages or not stored.usable:
        head = _head(site, namespaces)  # before listing, so edits during the scan are seen next time
        titles = list(dict.fromkeys([*_embedding_pages(site, namespaces), *stored.records]))
        return _Plan("full", titles, head, stored.records, stored.reason)
    assert stored.position is not None
    titles, newest = _changed_titles(site, bot_user, namespaces, stored.position.timestamp, stored.position)
    return _Plan("incremental", titles, newest or stored.position, stored.records)


def _head(site: Site, namespaces: Sequence[int]) -> Position:
    """The newest recent-changes entry now (or the server time when there is none)."""
    entry, now = site.newest_change(namespaces)
    if entry is not None:
        return Position(entry["timestamp"], int(entry["rcid"]))
    return Position(now or _iso(datetime.now(UTC)), 0)


def _changed_titles(
    site: Site, bot_user: str, namespaces: Sequence[int], start: str, after: Position | None
) -> tuple[list[str], Position | None]:
    """Titles changed from ``start`` on (entries up to ``after`` skipped) and the newest entry seen."""
    titles: dict[str, None] = {}
    newest: Position | None = None
    changes = site.recentchanges(
        start, namespaces=namespaces, types="edit|new|log", props="title|ids|timestamp|user|loginfo"
    )
    for entry in changes:
        rcid = int(entry.get("rcid", 0))
        ts = str(entry.get("timestamp", ""))
        if after is not None and (ts, rcid) <= (after.timestamp, after.rcid):
            continue
        if newest is None or (ts, rcid) > (newest.timestamp, newest.rcid):
            newest = Position(ts, rcid)
        kind = entry.get("type")
        if kind in ("edit", "new"):
            if entry.get("user") == bot_user:
                continue  # the bot adds no editor keys; the page keeps its stored findings
            titles.setdefault(entry["title"])
        elif kind == "log":
            titles.setdefault(entry["title"])
            target = (entry.get("logparams") or {}).get("target_title")
            if target:
                titles.setdefault(str(target))
    return list(titles), newest


def _embedding_pages(site: Site, namespaces: Sequence[int]) -> Iterable[str]:
    """Every page that transcludes one of :data:`KEY_TEMPLATES`."""
    prefix = site.siteinfo.namespace_name(10)
    seen: dict[str, None] = {}
    for template in KEY_TEMPLATES:
        seen.update(dict.fromkeys(site.embeddedin(f"{prefix}:{template}", namespaces=namespaces)))
    return seen


def normalize_title(site: Site, title: str) -> str:
    """``Project:X`` → ``OZG-Wiki:X``: the title as the wiki spells it (namespace name, first letter)."""
    title = " ".join(title.replace("_", " ").split())
    prefix, sep, rest = title.partition(":")
    if sep:
        ns_id = site.siteinfo.namespace_id(prefix)
        if ns_id is not None and ns_id != 0:
            rest = rest.strip()
            return f"{site.siteinfo.namespace_name(ns_id)}:{rest[:1].upper()}{rest[1:]}"
    return title[:1].upper() + title[1:]


# --- format fix ------------------------------------------------------------------------------------


def _fix_format(
    ctx: BotContext,
    states: dict[str, PageState],
    checked: dict[str, PageRecord | None],
) -> tuple[SyncReport, list[FormatFix]]:
    """Minor bot edits that only re-spell harmlessly mis-formatted keys, through the sync engine.

    The pages were read for checking already; that read is the base revision of the edit, so an
    editor's save in between is an edit conflict (re-read, re-planned), never overwritten.
    """
    rules = ctx.key_rules
    engine = ctx.engine(scope=ctx.scope.with_articles())  # fix_format is the admin's opt-in to this
    fixes: list[FormatFix] = []
    changes: list[PageChange] = []
    pages = {s.title: s for s in states.values()}  # by the wiki's title: one change per page
    for state in pages.values():
        title = state.title
        record = checked.get(title)
        if record is None or not any(f.fixable for f in record.findings):
            continue
        planned = fix_format(title, state.text, rules=rules)
        if planned is None:
            continue
        fixes.append(planned)

        def transform(text: str, title: str = title) -> str:
            # Re-planned on the fresh text: after an edit conflict the offsets are different.
            again = fix_format(title, text, rules=rules)
            return again.text if again is not None else text

        changes.append(PageChange(title, transform, planned.summary, kind="LeiKa-Schreibweise", minor=True))
    return engine.run(changes, states=pages), fixes
