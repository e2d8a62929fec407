"""The regeneration bot: overview pages from the definitions in ``semantic/pages/``.

Desired pages come from pure functions (:mod:`ozgwiki.render.facts`, :mod:`ozgwiki.render.overview`,
:mod:`ozgwiki.render.gantt`); the sync engine saves them through the one choke point. The bot owns only its
marked sections (``<!-- ozgwiki:begin NAME -->``): the importer's template at the top of a Themenfeld
or Kommune page and every human line around the sections stay as they are.

Mode (``--mode`` / ``regenerate.mode``): ``ask`` writes live ``{{#ask:}}`` queries (Semantic
MediaWiki), ``static`` writes the tables the bot computes, ``auto`` picks ``ask`` exactly when the wiki
has SMW. Both show the same rows. Generated text holds no timestamp, so a run without data changes
saves nothing. On an SMW wiki, query pages whose rows' source pages changed since the page was last
rendered are purged (with ``forcelinkupdate``), since SMW may otherwise serve a stale rendering.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from ozgwiki.definitions import schema
from ozgwiki.definitions.deploy import untouched_retired_navigation
from ozgwiki.definitions.schema import PropertyDef
from ozgwiki.domain import titles
from ozgwiki.engine import rails
from ozgwiki.engine.bot import BotContext, StepResult
from ozgwiki.engine.memory import fingerprint
from ozgwiki.engine.rails import Rail
from ozgwiki.engine.sync import Outcome, PageChange
from ozgwiki.errors import ConfigError, PageTextError
from ozgwiki.render import facts as facts_mod
from ozgwiki.render import overview
from ozgwiki.render.facts import Facts
from ozgwiki.render.overview import OverviewPage
from ozgwiki.wiki.pages import PageState
from ozgwiki.wiki.site import Site
from ozgwiki.wikitext.sections import get_section, replace_section

log = logging.getLogger(__name__)

SUMMARY = "Bot: Übersicht aktualisiert"
MODES = ("auto", "ask", "static")
HEAD_SECTION = "kopf"
OVERVIEW_CATEGORY = "Übersicht"
STECKBRIEF_TEMPLATE_TITLE = "Vorlage:Steckbrief"


def resolve_mode(mode: str, configured: object, has_smw: bool) -> str:
    """``ask`` or ``static``. ``auto`` defers to ``regenerate.mode``, then to the wiki's extensions.

    Asking for ``ask`` on a wiki without SMW is refused: readers would see raw ``{{#ask:}}`` text.
    """
    wanted = mode
    if wanted == "auto" and configured not in (None, ""):
        wanted = str(configured)
    if wanted not in MODES:
        raise ConfigError(f"regenerate.mode must be one of {', '.join(MODES)}, not {wanted!r}")
    if wanted == "auto":
        return "ask" if has_smw else "static"
    if wanted == "ask" and not has_smw:
        raise ConfigError("regenerate mode 'ask' needs Semantic MediaWiki, which this wiki does not have")
    return wanted


def head_text(page: OverviewPage) -> str:
    """The head of a page that only holds overviews: its description and the overview category."""
    return f"{page.definition.description}\n[[Kategorie:{OVERVIEW_CATEGORY}]]"


def page_sections(
    page: OverviewPage, facts: Facts, props: Mapping[str, PropertyDef], mode: str
) -> list[tuple[str, str]]:
    """(section name, content) of one page, in the definition's order."""
    out = [(HEAD_SECTION, head_text(page))] if page.overview_only else []
    out += [
        (section.name, overview.render_section(section, page, facts, props, mode))
        for section in page.definition.sections
    ]
    return out


def transform_for(sections: list[tuple[str, str]], title: str = "") -> Any:
    """A pure transform: replace each owned section, creating missing ones (the head at the top).

    A section the page lacks -- one a newer definition added -- goes right after the nearest section
    before it in the definition that the page has, else right before the nearest one after it, and at
    the bottom only when the page has none: on an existing page the new LeiKa table lands between the
    OZG and the Kommunen table, as on a new page, and human text around them stays where it is."""
    order = [name for name, _content in sections if name != HEAD_SECTION]

    def transform(text: str) -> str:
        if title and untouched_retired_navigation(title, text):
            text = ""  # an outdated navigation text nobody changed (ozgwiki.definitions.deploy)
        for name, content in sections:
            if name == HEAD_SECTION:
                text = replace_section(text, name, content, create="top")
                continue
            i = order.index(name)
            text = replace_section(text, name, content, after=order[:i][::-1], before=order[i + 1 :])
        return text

    return transform


def kind_of(page: OverviewPage) -> str:
    """``themenfeld``, ``kommune``, ``groessenklasse``, ``roadmap`` (from the definition's file)."""
    return page.definition.file.rsplit("/", 1)[-1].removesuffix(".yaml")


def source_subjects(page: OverviewPage, facts: Facts) -> set[str]:
    """Titles whose data a page shows: its rows and the pages counted in its count columns."""
    out: set[str] = set()
    for section in page.definition.sections:
        rows = overview.select_section(section, page, facts).rows
        out.update(s.title for s in rows)
        for col in section.columns:
            if col.count_category and col.count_field:
                for s in rows:
                    out.update(
                        o.title for o in facts.pointing_to(col.count_category, col.count_field, s.title)
                    )
    return out


def to_purge(
    subjects: Mapping[str, set[str]], touched: Mapping[str, str], changes: Iterable[tuple[str, str]]
) -> list[str]:
    """Query pages to re-render: a source page changed after the query page was last rendered.

    ``touched`` is each query page's ``page_touched``; ``changes`` are (title, timestamp) of recent
    edits. ISO timestamps compare as strings.
    """
    latest: dict[str, str] = {}
    for title, ts in changes:
        latest[title] = max(ts, latest.get(title, ""))
    return [
        page
        for page, sources in subjects.items()
        if page in touched and any(latest.get(s, "") > touched[page] for s in sources)
    ]


def _steckbrief_pages(site: Site) -> dict[str, str]:
    """Text of every Steckbrief page: pages embedding the template, and ``Steckbrief …`` pages."""
    found = site.using_or_prefixed(STECKBRIEF_TEMPLATE_TITLE, titles.STECKBRIEF_PREFIX, namespace=0)
    states = site.read_pages(found)
    return {s.title: s.text for s in states.values() if s.exists}


def _touched(site: Site, pages: list[str]) -> dict[str, str]:
    """When each existing page was last rendered (``page_touched``), by the wiki's title."""
    return {t: info.touched for t, info in site.pages_info(pages).items() if info.touched}


def _purge_stale(site: Site, subjects: Mapping[str, set[str]]) -> list[str]:
    """Purge query pages whose sources changed since their last rendering; the purged titles."""
    touched = _touched(site, list(subjects))
    if not touched:
        return []
    since = min(touched.values())
    changes = [(c["title"], c["timestamp"]) for c in site.recentchanges(since, namespaces=[0])]
    stale = to_purge(subjects, touched, changes)
    return site.purge(stale, forcelinkupdate=True) if stale else []


def _filled(content: str) -> bool:
    """Whether a generated section shows rows: a static table with rows, or a live query (whose rows
    only SMW knows)."""
    return "\n|-" in content or "{{#ask" in content


def check_blanking(
    site: Site,
    pages: list[OverviewPage],
    sections: Mapping[str, list[tuple[str, str]]],
    rail: Rail,
    mode: str,
) -> dict[str, PageState]:
    """The blanking rail (:mod:`ozgwiki.engine.rails`): read the overview pages, stop before the first write
    when too many of their filled tables would be emptied; return the pages read (for the engine).

    A live query replaced by a static table is a change of mode, not a loss: how many rows the query
    had is unknown here, so such sections are not counted."""
    states = site.read_pages([p.title for p in pages])
    pairs = []
    for page in pages:
        text = states[page.title].text
        for name, content in sections[page.title]:
            try:
                old = get_section(text, name) if text else None
            except PageTextError:
                continue  # broken markers: the engine skips and reports that page
            if old is None or (mode == "static" and "{{#ask" in old):
                continue
            pairs.append((_filled(old), _filled(content)))
    rails.blanking(pairs, rail)
    return states


def run(ctx: BotContext, *, mode: str = "auto", allow_mass_retire: bool = False) -> StepResult:
    """Regenerate every overview page; ``mode`` is ``auto``, ``ask`` or ``static``.

    Stops before writing anything when more than ``import.max_retire_share`` of the filled overview
    tables would be emptied (a catalogue that lost its rows), unless ``allow_mass_retire``.
    """
    site = ctx.site
    has_smw = site.siteinfo.extensions.smw
    used = resolve_mode(mode, ctx.config.regenerate.mode, has_smw)
    loaded = schema.load()
    props = {p.name: p for p in loaded.properties}
    steckbriefe = _steckbrief_pages(site)
    facts = facts_mod.build(
        ctx.catalogue,
        steckbriefe,
        valid_keys=facts_mod.valid_keys_with(ctx.key_rules),  # the validate bot's rules, to the letter
        scheme=ctx.titles,
    )

    changes: list[PageChange] = []
    pages: list[OverviewPage] = []
    hidden: dict[str, list[str]] = {}
    rendered: dict[str, list[tuple[str, str]]] = {}
    for definition in loaded.pages:
        for page in overview.pages_of(definition, facts, props):
            pages.append(page)
            for section in definition.sections:
                left_out = overview.select_section(section, page, facts).hidden
                if left_out:
                    hidden[f"{page.title}#{section.name}"] = [s.title for s in left_out]
            rendered[page.title] = page_sections(page, facts, props, used)
            changes.append(
                PageChange(
                    page.title,
                    transform_for(rendered[page.title], page.title),
                    SUMMARY,
                    kind=kind_of(page),
                    fingerprint=fingerprint("regenerate", page.title, tuple(rendered[page.title])),
                )
            )
    for where, left in hidden.items():
        log.warning(
            "%s: %d row(s) without a sort value are not listed: %s", where, len(left), ", ".join(left)
        )

    rail = Rail.of(ctx.config.importing, allowed=allow_mass_retire)
    engine = ctx.engine(scope=ctx.catalogue_scope)
    # A page the memory proves to hold what it would be given loses no table: the rail need not read it.
    proven = engine.proven(changes)
    read = check_blanking(site, [p for p in pages if p.title not in proven], rendered, rail, used)
    report = engine.run(changes, states=read)

    purged: list[str] = []
    if has_smw and used == "ask" and not ctx.dry_run:
        edited = {p.title for p in report.pages if p.outcome in (Outcome.CREATED, Outcome.CHANGED)}
        query_pages = {p.title: source_subjects(p, facts) for p in pages if p.title not in edited}
        purged = _purge_stale(site, query_pages)

    by_kind: dict[str, Counter[str]] = {}
    for p in report.pages:
        by_kind.setdefault(p.kind, Counter())[p.outcome.value] += 1
    warnings = [
        {"title": w.title, "text": w.text}
        for w in overview.gantt.warnings_of(facts.in_category("Umsetzungsprojekt"), facts)
    ]
    data = {
        "mode": used,
        "pages_by_kind": {k: dict(v) for k, v in by_kind.items()},
        "steckbriefe": len(steckbriefe),
        "purged": purged,
        "hidden_rows": hidden,
        "warnings": warnings,
        "requests": dict(site.stats.requests),
        "edits_sent": site.stats.edits_sent,
    }
    summary = f"{report.summary()} (Modus {used}, {len(report.pages)} Seiten, {len(purged)} neu gerendert)"
    return StepResult(name="regenerate", report=report, summary=summary, data=data)
