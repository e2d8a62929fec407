"""The import bot: bring the catalogue's pages onto the wiki and report what changed in the catalogue.

What it wants is :func:`ozgwiki.render.plans.plan_pages`; this module only turns each plan into a
:class:`~ozgwiki.engine.sync.PageChange` (set the owned template parameters, escaped, nothing else) and adds
the one thing a plan cannot know: LeiKa pages that exist on the wiki but whose key left the catalogue.
Those are marked ``Status = ausgemustert`` (only that parameter changes), never deleted, because
other pages still cite the key and its history matters; a key that comes back is ``aktiv`` again.

The catalogue diff (new, changed, retired keys) is derived from what this run did to the LeiKa pages,
not from local state: a page created is a new key, owned fields changed on an active key are a changed
key, a page newly set to ausgemustert is a retired key, a page set back to aktiv is a new key. So the
diff is right after a crash (the next run finishes the job and reports the rest), and a dry run reports
the diff a real run would produce.

Each chunk of pages is read once; the edit summary is computed from that read (it names the fields
that change), and the page is handed to the engine with its state, so no page is read twice.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ozgwiki.domain import titles
from ozgwiki.engine import rails
from ozgwiki.engine.bot import BotContext, StepResult
from ozgwiki.engine.rails import Rail
from ozgwiki.engine.sync import Outcome, PageChange, SyncReport
from ozgwiki.errors import PageTextError
from ozgwiki.render.plans import KIND_LEIKA, STATUS_AKTIV, STATUS_AUSGEMUSTERT, PagePlan, plan_pages
from ozgwiki.wiki.pages import PageState
from ozgwiki.wiki.site import Site
from ozgwiki.wikitext import escape
from ozgwiki.wikitext.params import get_template_params, set_template_params

__all__ = [
    "NAME",
    "CatalogueDiff",
    "Delta",
    "ImportItem",
    "existing_leika_keys",
    "import_items",
    "run",
]

log = logging.getLogger(__name__)

NAME = "import"
STATUS = "Status"
#: How many names a text report lists per diff category before it says "… und N weitere".
TEXT_LIST_LIMIT = 20


class Delta(StrEnum):
    """What an edit of a LeiKa page means for the catalogue diff."""

    NEW = "new"
    CHANGED = "changed"
    RETIRED = "retired"


@dataclass(frozen=True)
class Examined:
    """A page's owned parameters before the edit, compared with what the bot wants.

    ``rewritten`` are the parameters whose text the edit changes or adds (for the edit summary);
    ``changed`` those whose *value* changes once the escaping is decoded (for the catalogue diff), so
    an editor's unescaped ``&`` rewritten as ``&amp;`` is an edit but not a catalogue change.
    """

    exists: bool
    old: Mapping[str, str] | None  # effective values as MediaWiki reads them (escaped); None: no template
    rewritten: tuple[str, ...]
    changed: tuple[str, ...]

    def old_value(self, name: str) -> str:
        return html.unescape((self.old or {}).get(name, ""))


def examine(text: str, exists: bool, template: str, wanted: Mapping[str, str]) -> Examined:
    """Compare the page's owned parameters with the raw ``wanted`` values. Raises PageTextError."""
    old = get_template_params(text, template) if text else None
    if old is None:
        return Examined(exists, None, tuple(wanted), tuple(n for n, v in wanted.items() if v))
    rewritten = tuple(n for n, v in wanted.items() if old.get(n) != escape.param_value(v).strip())
    changed = tuple(n for n, v in wanted.items() if html.unescape(old.get(n, "")) != v.strip())
    return Examined(exists, old, rewritten, changed)


@dataclass(frozen=True)
class ImportItem:
    """One page of the import: its title, the parameters to set, and whether it only retires a key.

    ``params`` are raw values; ``order`` places new parameters. A retiring item owns only ``Status``
    and never creates a page.
    """

    title: str
    kind: str
    template: str
    params: Mapping[str, str]
    order: tuple[str, ...]
    key: str | None = None  # the LeiKa key for LeiKa pages
    retire_only: bool = False

    @classmethod
    def from_plan(cls, plan: PagePlan) -> ImportItem:
        key = titles.key_of_leika_title(plan.title) if plan.kind == KIND_LEIKA else None
        return cls(plan.title, plan.kind, plan.template, plan.params, plan.param_order, key)

    @classmethod
    def retire(cls, key: str) -> ImportItem:
        return cls(
            titles.leika(key), KIND_LEIKA, KIND_LEIKA, {STATUS: STATUS_AUSGEMUSTERT}, (STATUS,), key, True
        )

    def transform(self, text: str) -> str:
        """The page with the owned parameters set (escaped); everything else byte for byte."""
        try:
            escaped = {name: escape.param_value(value) for name, value in self.params.items()}
        except ValueError as exc:  # a control character in the catalogue: never guess, report
            raise PageTextError(f"Katalogwert nicht speicherbar: {exc}") from None
        if self.retire_only and (not text or get_template_params(text, self.template) is None):
            raise PageTextError(
                f"LeiKa-Schlüssel nicht mehr im Katalog, aber die Seite hat keine Vorlage {self.template}; "
                "bitte von Hand prüfen"
            )
        return set_template_params(
            text,
            self.template,
            escaped,
            param_order=self.order,
            create_at=None if self.retire_only else "top",
        )

    def delta(self, seen: Examined) -> tuple[Delta, tuple[str, ...]] | None:
        """What an edit of this page means for the catalogue diff (None: nothing, or not a LeiKa page)."""
        if self.key is None:
            return None
        wanted_status = self.params.get(STATUS, STATUS_AKTIV)
        if seen.old is None:
            return (Delta.RETIRED if wanted_status == STATUS_AUSGEMUSTERT else Delta.NEW), ()
        was_retired = seen.old_value(STATUS).strip() == STATUS_AUSGEMUSTERT
        if wanted_status == STATUS_AUSGEMUSTERT:
            return None if was_retired else (Delta.RETIRED, ())
        if was_retired:
            return Delta.NEW, ()
        fields = tuple(n for n in seen.changed if n != STATUS)
        return (Delta.CHANGED, fields) if fields else None

    def examine(self, text: str) -> Examined:
        """The owned parameters on a page's text ("" when the page is missing). Raises PageTextError."""
        return examine(text, bool(text), self.template, self.params)

    def change(self) -> PageChange:
        """The engine's change of this page. Its summary is computed from the text the edit is based
        on (after an edit conflict: the re-read), so it names what the saved edit changes."""

        def transform(text: str) -> str:
            self.examine(text)  # a page that cannot be read safely raises here: skipped and reported
            return self.transform(text)

        def summary(text: str) -> str:
            return self.summary(self.examine(text))

        return PageChange(self.title, transform, summary, kind=self.kind)

    def summary(self, seen: Examined) -> str:
        """A German edit summary that says what this edit changes."""
        if self.retire_only:
            return "Bot: LeiKa-Schlüssel nicht mehr im Katalog – als ausgemustert markiert"
        if seen.old is None:
            if not seen.exists:
                return f"Bot: {self.kind} aus dem OZG-Katalog angelegt"
            return f"Bot: Vorlage {self.template} mit Katalogdaten eingefügt"
        parts: list[str] = []
        fields = [n for n in seen.rewritten if n != STATUS or self.key is None]
        if self.key is not None and STATUS in seen.rewritten:
            if self.params.get(STATUS) == STATUS_AUSGEMUSTERT:
                parts.append("LeiKa-Schlüssel im Katalog aufgehoben – als ausgemustert markiert")
            elif seen.old_value(STATUS).strip() == STATUS_AUSGEMUSTERT:
                parts.append("LeiKa-Schlüssel wieder im Katalog – als aktiv markiert")
            else:
                fields.append(STATUS)
        if fields:
            parts.append(f"Katalogdaten aktualisiert ({', '.join(fields)})")
        return "Bot: " + ("; ".join(parts) if parts else "Katalogdaten abgeglichen")


def existing_leika_keys(site: Site) -> set[str]:
    """Keys of every ``LeiKa <key>`` page in the main namespace.

    ``list=allpages`` reads the page table directly, so it does not depend on the job queue (unlike
    categories); titles that are not ``LeiKa`` + 14 digits are ignored.
    """
    keys = (titles.key_of_leika_title(t) for t in site.allpages(titles.LEIKA_PREFIX, namespace=0))
    return {k for k in keys if k is not None}


def import_items(plans: Sequence[PagePlan], existing_keys: Iterable[str]) -> list[ImportItem]:
    """Every page of the run: the plans, then retiring items for existing keys that have no plan."""
    items = [ImportItem.from_plan(p) for p in plans]
    planned = {i.key for i in items if i.key is not None}
    items += (ImportItem.retire(k) for k in sorted(set(existing_keys) - planned))
    return items


@dataclass
class CatalogueDiff:
    """The catalogue's changes since the last import, as seen on the LeiKa pages."""

    new: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)
    retired: list[str] = field(default_factory=list)
    #: Keys whose owned fields an editor had changed and the import set back: not catalogue changes.
    reverted: dict[str, list[str]] = field(default_factory=dict)

    def add(self, key: str, delta: Delta, fields: Sequence[str] = ()) -> None:
        if delta is Delta.NEW:
            self.new.append(key)
        elif delta is Delta.CHANGED:
            self.changed[key] = list(fields)
        else:
            self.retired.append(key)

    @property
    def empty(self) -> bool:
        return not (self.new or self.changed or self.retired)

    def as_dict(self) -> dict[str, Any]:
        return {
            "new": sorted(self.new),
            "changed": dict(sorted(self.changed.items())),
            "retired": sorted(self.retired),
            "reverted": dict(sorted(self.reverted.items())),
        }

    def lines(self, limit: int = TEXT_LIST_LIMIT) -> list[str]:
        """German text lines: counts and keys, long lists cut after ``limit`` with the rest counted."""

        def cut(items: list[str]) -> str:
            shown = ", ".join(items[:limit])
            return shown + (f" … und {len(items) - limit} weitere" if len(items) > limit else "")

        if self.empty:
            out = ["Katalog: keine Änderungen seit dem letzten Import"]
        else:
            counts = f"{len(self.new)} neu, {len(self.changed)} geändert, {len(self.retired)} ausgemustert"
            out = [f"Katalog: {counts}"]
        if self.new:
            out.append(f"  neu: {cut(sorted(self.new))}")
        if self.changed:
            shown = [f"{k} ({', '.join(v)})" for k, v in sorted(self.changed.items())]
            out.append(f"  geändert: {cut(shown)}")
        if self.retired:
            out.append(f"  ausgemustert: {cut(sorted(self.retired))}")
        if self.reverted:
            shown = [f"{k} ({', '.join(v)})" for k, v in sorted(self.reverted.items())]
            out.append(f"  von Hand geändert, auf den Katalogstand zurückgesetzt: {cut(shown)}")
        return out


_EDITED = (Outcome.CREATED, Outcome.CHANGED)


def counts(report: SyncReport, retired_titles: set[str]) -> dict[str, int]:
    """The run's page counts; a page newly marked ausgemustert counts as retired, not changed."""
    out = dict.fromkeys(("created", "changed", "unchanged", "retired", "conflicts", "skipped", "errors"), 0)
    for page in report.pages:
        if page.outcome in _EDITED and page.title in retired_titles:
            out["retired"] += 1
        elif page.outcome is Outcome.CONFLICT:
            out["conflicts"] += 1
        elif page.outcome in (Outcome.SKIPPED, Outcome.OPTED_OUT):
            out["skipped"] += 1
        elif page.outcome is Outcome.ERROR:
            out["errors"] += 1
        else:
            out[page.outcome.value] += 1
    return out


def summary_line(c: Mapping[str, int], diff: CatalogueDiff, dry_run: bool) -> str:
    """One German line for cron mail."""
    line = (
        f"{c['created']} angelegt, {c['changed']} geändert, {c['unchanged']} unverändert, "
        f"{c['retired']} ausgemustert, {c['conflicts']} Konflikte, {c['skipped']} übersprungen, "
        f"{c['errors']} Fehler; Katalog: {len(diff.new)} neu, {len(diff.changed)} geändert, "
        f"{len(diff.retired)} ausgemustert"
    )
    return line + (" (Probelauf: nichts gespeichert)" if dry_run else "")


def bot_before(site: Site, title: str, bot_user: str, saved: int | None) -> str | None:
    """The text of the bot's own last revision of ``title`` before ``saved`` (None: there is none).

    What the bot wrote last is what the catalogue said last: comparing with it, not with the page's
    current text, tells a catalogue change from an editor's change the import just set back.
    """
    # The newest two are enough: the one just saved (if any) and the one before it.
    for rev in site.revisions(title, user=bot_user.split("@", 1)[0], limit=2):
        if rev.revid != saved:
            return rev.text
    return None


def _catalogue_fields(
    site: Site, item: ImportItem, fields: tuple[str, ...], bot_user: str, saved: int | None
) -> tuple[str, ...]:
    """Of the owned ``fields`` the edit changed, those that differ from what the bot wrote last."""
    before = bot_before(site, item.title, bot_user, saved)
    if before is None:
        return fields
    try:
        last = examine(before, True, item.template, item.params)
    except PageTextError:
        return fields
    return tuple(f for f in fields if f in last.changed)


def _status(text: str) -> str | None:
    try:
        params = get_template_params(text, KIND_LEIKA) if text else None
    except PageTextError:
        return None
    return html.unescape(params.get(STATUS, "")) if params is not None else None


def check_retirements(
    site: Site, items: Sequence[ImportItem], existing: set[str], cat_retired: Iterable[str], rail: Rail
) -> dict[str, PageState]:
    """The mass-retire rail (:mod:`ozgwiki.engine.rails`): read the pages about to be retired, stop the run
    before its first write when too many active keys would go; return the pages read."""
    retiring = [i for i in items if i.retire_only]
    if not retiring:
        return {}
    states = site.read_pages([i.title for i in retiring])
    statuses = {i.key or i.title: _status(states[i.title].text) for i in retiring}
    retired_already = sum(1 for s in statuses.values() if (s or "").strip() == STATUS_AUSGEMUSTERT)
    active_total = len(existing) - retired_already - len(existing & set(cat_retired))
    rails.retiring(statuses, active_total, rail)
    return states


def run(ctx: BotContext, *, chunk: int = 500, allow_mass_retire: bool = False) -> StepResult:
    """Import the context's catalogue; returns the page report, the counts and the catalogue diff.

    Stops before writing anything when the catalogue would retire more than ``import.max_retire_share``
    of the wiki's active keys (a catalogue that lost rows), unless ``allow_mass_retire``.
    """
    site = ctx.site
    rail = Rail.of(ctx.config.importing, allowed=allow_mass_retire)
    existing = existing_leika_keys(site)
    items = import_items(plan_pages(ctx.catalogue), existing)
    read = check_retirements(site, items, existing, ctx.catalogue.retired_keys, rail)
    report = ctx.engine(chunk=max(1, chunk)).run((i.change() for i in items), states=read)
    by_title = {i.title: i for i in items}
    diff = CatalogueDiff()
    retired_titles: set[str] = set()
    for page in report.pages:
        item = by_title[page.title]
        if page.outcome not in _EDITED or item.key is None or page.base_text is None:
            continue
        # The text the saved edit was based on (after a conflict: the re-read), not the first read.
        delta = item.delta(item.examine(page.base_text))
        if delta is not None and delta[0] is Delta.CHANGED:
            fields = _catalogue_fields(site, item, delta[1], ctx.bot_user, page.revid)
            if not fields:
                diff.reverted[item.key] = list(delta[1])
                continue
            delta = (Delta.CHANGED, fields)
        if delta is not None:
            diff.add(item.key, *delta)
            if delta[0] is Delta.RETIRED:
                retired_titles.add(item.title)
    c = counts(report, retired_titles)
    log.info("import: %s", site.stats.summary())
    return StepResult(
        NAME,
        report,
        summary=summary_line(c, diff, site.dry_run),
        data={"diff": diff.as_dict(), "counts": c},
    )
