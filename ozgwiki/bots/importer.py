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

import dataclasses
import html
import logging
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ozgwiki.domain import titles
from ozgwiki.domain.titles import TitleScheme
from ozgwiki.engine import rails
from ozgwiki.engine.bot import BotContext, StepResult
from ozgwiki.engine.memory import fingerprint
from ozgwiki.engine.rails import Rail
from ozgwiki.engine.sync import Changes, Outcome, PageChange, PageMove, Phase, SyncReport
from ozgwiki.errors import PageTextError
from ozgwiki.render.plans import (
    KIND_LEIKA,
    STATUS_AKTIV,
    STATUS_AUSGEMUSTERT,
    DisambiguationPlan,
    PagePlan,
    RedirectPlan,
    disambiguation_plans,
    plan_pages,
    redirect_plans,
)
from ozgwiki.wiki.listings import PageInfo
from ozgwiki.wiki.pages import PageState
from ozgwiki.wiki.site import Site
from ozgwiki.wikitext import escape
from ozgwiki.wikitext.params import (
    get_template_params,
    is_redirect,
    redirect_target,
    redirect_text,
    retarget,
    set_template_params,
)
from ozgwiki.wikitext.sections import get_section, replace_section

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
KEY_PARAM = "Schlüssel"
#: How many names a text report lists per diff category before it says "… und N weitere".
TEXT_LIST_LIMIT = 20


class Delta(StrEnum):
    """What an edit of a LeiKa page means for the catalogue diff."""

    NEW = "new"
    CHANGED = "changed"
    RETIRED = "retired"


@dataclass(frozen=True, slots=True)
class Examined:
    """A page's owned parameters before the edit, compared with what the bot wants.

    ``rewritten`` are the parameters whose text the edit changes or adds (for the edit summary);
    ``changed`` those whose *value* changes once the escaping is decoded (for the catalogue diff), so
    an older ``&amp;`` rewritten as the plain ``&`` the bot writes now is an edit but not a
    catalogue change.
    """

    exists: bool
    old: Mapping[str, str] | None  # effective values as MediaWiki reads them (escaped); None: no template
    rewritten: tuple[str, ...]
    changed: tuple[str, ...]

    def old_value(self, name: str) -> str:
        return html.unescape((self.old or {}).get(name, ""))

    def spelling_only(self, names: Iterable[str]) -> bool:
        """Whether the edit of ``names`` only respells values that are already on the page (a
        parameter added, even empty, is more than spelling)."""
        return all(n in (self.old or {}) and n not in self.changed for n in names)


def examine(text: str, exists: bool, template: str, wanted: Mapping[str, str]) -> Examined:
    """Compare the page's owned parameters with the raw ``wanted`` values. Raises PageTextError."""
    old = get_template_params(text, template) if text else None
    if old is None:
        return Examined(exists, None, tuple(wanted), tuple(n for n, v in wanted.items() if v))
    rewritten = tuple(n for n, v in wanted.items() if old.get(n) != escape.param_value(v).strip())
    changed = tuple(n for n, v in wanted.items() if html.unescape(old.get(n, "")) != v.strip())
    return Examined(exists, old, rewritten, changed)


@dataclass(frozen=True, slots=True)
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
        key = plan.key if plan.kind == KIND_LEIKA else None
        return cls(plan.title, plan.kind, plan.template, plan.params, plan.param_order, key)

    @classmethod
    def retire(cls, key: str, title: str | None = None) -> ImportItem:
        """Retire ``key`` on its page: ``title`` where the ``LeiKa <key>`` redirect leads, else that title."""
        return cls(
            title or titles.leika(key),
            KIND_LEIKA,
            KIND_LEIKA,
            {STATUS: STATUS_AUSGEMUSTERT},
            (STATUS,),
            key,
            True,
        )

    def transform(self, text: str) -> str:
        """The page with the owned parameters set (escaped); everything else byte for byte."""
        try:
            escaped = {name: escape.param_value(value) for name, value in self.params.items()}
        except ValueError as exc:  # a control character in the catalogue: never guess, report
            raise PageTextError(f"Katalogwert nicht speicherbar: {exc}") from None
        if text and get_section(text, DISAMBIGUATION_SECTION) is not None:
            # The name was shared and is this thing's alone again: its page waits under the suffixed
            # title; the bot's Begriffsklärung here must not become half a catalogue page.
            raise PageTextError(
                "unter diesem Namen steht eine Begriffsklärung des Bots; die Seite bleibt unter ihrem "
                "Titel mit Zusatz – bitte die Begriffsklärung löschen, dann verschiebt der nächste Lauf sie"
            )
        if self.retire_only:
            found = get_template_params(text, self.template) if text else None
            if found is None:
                raise PageTextError(
                    "LeiKa-Schlüssel nicht mehr im Katalog, aber die Seite hat keine Vorlage "
                    f"{self.template}; bitte von Hand prüfen"
                )
            if html.unescape(found.get(KEY_PARAM, "")).strip() != self.key:
                # Reached through the key's redirect, but the page is another key's: never retire that.
                raise PageTextError(
                    f"die Weiterleitung des Schlüssels {self.key} führt auf eine Seite mit anderem "
                    "Schlüssel; bitte von Hand prüfen"
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

        return PageChange(self.title, transform, summary, kind=self.kind, fingerprint=self.fingerprint())

    def fingerprint(self) -> str:
        """Everything :meth:`transform` depends on besides the text (:mod:`ozgwiki.engine.memory`)."""
        return fingerprint(
            "import", self.title, self.kind, self.template, tuple(self.params.items()), self.order,
            self.key, self.retire_only,
        )  # fmt: skip

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
        if fields and not parts and seen.spelling_only(fields):
            # Only the escaping differs (e.g. "&amp;" from an older rule where the bot now writes
            # "&"): say so, so that nobody looks for a catalogue change in the diff.
            return f"Bot: Schreibweise vereinheitlicht, Inhalt unverändert ({', '.join(fields)})"
        if fields:
            parts.append(f"Katalogdaten aktualisiert ({', '.join(fields)})")
        return "Bot: " + ("; ".join(parts) if parts else "Katalogdaten abgeglichen")


def existing_leika_keys(census: Iterable[str]) -> set[str]:
    """Keys of every ``LeiKa <key>`` page among the main namespace's titles (:meth:`Site.census`).

    ``allpages`` reads the page table directly, so it does not depend on the job queue (unlike
    categories); titles that are not ``LeiKa`` + 14 digits are ignored.
    """
    keys = (titles.key_of_leika_title(t) for t in census if t.startswith(titles.LEIKA_PREFIX))
    return {k for k in keys if k is not None}


def import_items(
    plans: Sequence[PagePlan], existing_keys: Iterable[str], pages_of: Mapping[str, str] | None = None
) -> list[ImportItem]:
    """Every page of the run: the plans, then retiring items for existing keys that have no plan
    (on the page ``pages_of[key]``, where the key's ``LeiKa <key>`` redirect leads, if given)."""
    items = [ImportItem.from_plan(p) for p in plans]
    planned = {i.key for i in items if i.key is not None}
    where = pages_of or {}
    items += (ImportItem.retire(k, where.get(k)) for k in sorted(set(existing_keys) - planned))
    return items


# -------------------------------------------------------------------------------- names first
#
# Pages used to be titled by ID ("Kommune 05554004"); now they are titled by name ("Ahaus") and the ID
# titles redirect (ozgwiki.domain.titles). An existing wiki migrates by itself: a page found at its ID
# title, or at the name it had before a catalogue rename, is *moved* (history and human edits move with
# it, MediaWiki leaves a redirect); the ID titles are kept as redirects to the name; a name several
# things share gets a Begriffsklärung page. Moves never overwrite a page: the wiki refuses a target that
# exists, and the run reports it.

MOVE_SUMMARY = "Bot: Seite nach ihrem Namen benannt (Namen zuerst; der alte Titel leitet weiter)"
DISAMBIGUATION_SECTION = "begriffsklaerung"
REDIRECT_KIND = "Weiterleitung"
DISAMBIGUATION_KIND = "Begriffsklärung"
DISAMBIGUATION_CATEGORY = "Begriffsklärung"


def _is_content(info: PageInfo | None) -> bool:
    return info is not None and info.exists and not info.redirect


def moves_for(
    plans: Sequence[PagePlan], info: Mapping[str, PageInfo], leads: Mapping[str, str]
) -> list[PageMove]:
    """The moves that bring existing pages to their name titles.

    ``info`` holds what the wiki says of the plans' titles, of their ID titles and of the pages those
    lead to (:func:`migration_lookups`); ``leads`` where each redirecting ID title leads. A page is
    moved only when its name title holds no page of its own, and only from where the bot put it: its ID
    title, or the name title its ID redirect leads to (the catalogue renamed it).
    """
    out: list[PageMove] = []
    for plan in plans:
        if plan.id_title == plan.title or _is_content(info.get(plan.title)):
            continue
        legacy = info.get(plan.id_title)
        if legacy is None or not legacy.exists:
            continue  # a new thing: the engine creates it under its name
        source = plan.id_title
        if legacy.redirect:
            source = leads.get(plan.id_title, "")
            if source in ("", plan.title) or not _is_content(info.get(source)):
                continue
        out.append(PageMove(source, plan.title, MOVE_SUMMARY, kind=plan.kind))
    return out


#: The parameter that holds each kind's ID on its page: a page is only moved as a thing's page when it
#: says it is that thing.
ID_PARAMS = {
    "Themenfeld": "Name",
    "Lage": "Name",
    KIND_LEIKA: KEY_PARAM,
    "OZG-Leistung": "OZG-ID",
    "Kommune": "AGS",
}


def verified(site: Site, plans: Sequence[PagePlan], moves: Sequence[PageMove]) -> list[PageMove]:
    """The moves whose source page holds the thing's template with the thing's ID. A page under a
    bot-owned ID title is taken as the bot's; one reached through a redirect (the catalogue renamed
    the thing) must prove it, or a redirect someone pointed at another page would move that page."""
    by_title = {p.title: p for p in plans}
    check = [m for m in moves if m.source != by_title[m.target].id_title]
    if not check:
        return list(moves)
    texts = site.read_pages([m.source for m in check])
    refused = set()
    for m in check:
        plan = by_title[m.target]
        try:
            found = get_template_params(texts[m.source].text, plan.template)
        except PageTextError:
            found = None
        if found is None or html.unescape(found.get(ID_PARAMS[plan.kind], "")).strip() != plan.key:
            log.warning("%s: not moved to %s: the page is not that %s", m.source, m.target, plan.kind)
            refused.add(m.source)
    return [m for m in moves if m.source not in refused]


def stuck(
    plans: Sequence[PagePlan], info: Mapping[str, PageInfo], leads: Mapping[str, str]
) -> dict[str, str]:
    """Name title -> where the bot's page stays, for the plans that cannot move: another page already
    stands under the name (someone wrote an article "Ahaus", or the bot's Begriffsklärung of a name
    that is one thing's alone again) while the bot's page is still under its ID title or under the
    title its ID redirect leads to. The bot keeps its page where it is -- two pages of one Kommune
    would each claim its data -- and the run reports it for a person to merge."""
    out: dict[str, str] = {}
    for p in plans:
        if p.id_title == p.title or not _is_content(info.get(p.title)):
            continue
        if _is_content(info.get(p.id_title)):
            out[p.title] = p.id_title
        elif (where := leads.get(p.id_title)) not in (None, p.title) and _is_content(info.get(where)):
            out[p.title] = where
    return out


def migration_lookups(
    site: Site,
    plans: Sequence[PagePlan],
    census: Mapping[str, PageInfo],
    known_leads: Mapping[str, str] | None = None,
) -> tuple[dict[str, PageInfo], dict[str, str]]:
    """What :func:`moves_for` and :func:`stuck` need, asked without reading any page text: the info
    of every plan's title and ID title (from the main namespace's ``census``; a title it lacks is asked
    for, in case the wiki spells it otherwise); where the ID redirects lead; whether those targets are
    pages of their own. ``known_leads`` are ID redirects known to lead to their name already (the
    memory proves them: :mod:`ozgwiki.engine.memory`), which are not asked for again. A title
    missing from the returned info names no page."""
    wanted = [p.title for p in plans] + [p.id_title for p in plans if p.id_title != p.title]
    info = {t: census[t] for t in wanted if t in census}
    info.update(site.pages_info([t for t in wanted if t not in census], existing=True))
    # Where every ID redirect leads: for a page not at its name yet (it moves from there), and for one
    # whose name holds a page (ours, normally; if not, the bot's page stays where the redirect leads).
    given = dict(known_leads or {})
    ids = [p.id_title for p in plans if p.id_title != p.title and p.id_title not in given]
    leads = site.redirect_targets([t for t in ids if (i := info.get(t)) is not None and i.redirect])
    leads.update(given)
    info.update(site.pages_info([t for t in leads.values() if t not in info]))
    return info, leads


def redirect_change(plan: RedirectPlan) -> PageChange:
    """Keep ``plan.title`` a redirect to ``plan.target``; a page of its own there is left alone."""

    def transform(text: str) -> str | None:
        if not text:
            return redirect_text(plan.target)
        if not is_redirect(text):
            return None
        if redirect_target(text) == plan.target:
            return text
        return retarget(text, plan.target)

    def summary(text: str) -> str:
        if not text:
            return f"Bot: Weiterleitung auf „{plan.target}“ angelegt (die Seite heißt jetzt nach ihrem Namen)"
        return f"Bot: Weiterleitung auf „{plan.target}“ umgestellt (neuer Name im Katalog)"

    return PageChange(
        plan.title, transform, summary, kind=REDIRECT_KIND, replaces_redirect=True,
        skip_reason="unter dem alten Titel steht eine eigene Seite; bitte mit der Seite unter dem Namen "
        f"„{plan.target}“ zusammenführen",
        fingerprint=fingerprint("redirect", plan.title, plan.target),
    )  # fmt: skip


def _change_of(thing: ImportItem | RedirectPlan | DisambiguationPlan) -> PageChange:
    """The engine's change of one of the import's pages."""
    if isinstance(thing, ImportItem):
        return thing.change()
    if isinstance(thing, RedirectPlan):
        return redirect_change(thing)
    return disambiguation_change(thing)


def disambiguation_text(plan: DisambiguationPlan) -> str:
    """The list of a Begriffsklärung page (the section the bot owns)."""
    lines = [f"* [[{title}]] – {what}" if what else f"* [[{title}]]" for title, what in plan.entries]
    return "\n".join(lines)


def disambiguation_change(plan: DisambiguationPlan) -> PageChange:
    """A Begriffsklärung page at a name several things share; the bot owns its list, people the rest.
    A page someone wrote under that name is left alone and reported."""
    content = disambiguation_text(plan)

    def transform(text: str) -> str | None:
        if not text or is_redirect(text):  # nothing, or the redirect a move left here
            return (
                f"'''{escape.cell(plan.title)}''' steht für:\n\n"
                + replace_section("", DISAMBIGUATION_SECTION, content, create="bottom").lstrip("\n")
                + f"\n[[Kategorie:{DISAMBIGUATION_CATEGORY}]]\n"
            )
        if get_section(text, DISAMBIGUATION_SECTION) is None:
            return None
        return replace_section(text, DISAMBIGUATION_SECTION, content)

    return PageChange(
        plan.title, transform, "Bot: Begriffsklärung der Seiten gleichen Namens aktualisiert",
        kind=DISAMBIGUATION_KIND, replaces_redirect=True,
        skip_reason="unter diesem Namen steht eine eigene Seite; die Begriffsklärung fehlt",
        fingerprint=fingerprint("disambiguation", plan.title, plan.entries),
    )  # fmt: skip


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
    """The run's page counts; a page newly marked ausgemustert counts as retired, not changed. The
    ID-title redirects and Begriffsklärung pages the bot created or re-pointed are counted apart
    (``redirects``), so "angelegt" still counts the catalogue's pages."""
    out = dict.fromkeys(
        (
            "created",
            "changed",
            "moved",
            "redirects",
            "unchanged",
            "retired",
            "conflicts",
            "skipped",
            "errors",
        ),
        0,
    )
    for page in report.pages:
        if page.outcome in _EDITED and page.kind in (REDIRECT_KIND, DISAMBIGUATION_KIND):
            out["redirects"] += 1
        elif page.outcome in _EDITED and page.title in retired_titles:
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
        f"{c['created']} angelegt, {c['changed']} geändert, {c['moved']} verschoben, "
        f"{c['redirects']} Weiterleitungen und Begriffsklärungen, "
        f"{c['unchanged']} unverändert, {c['retired']} ausgemustert, {c['conflicts']} Konflikte, "
        f"{c['skipped']} übersprungen, {c['errors']} Fehler; "
        f"Katalog: {len(diff.new)} neu, {len(diff.changed)} geändert, {len(diff.retired)} ausgemustert"
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


def retired_pages(site: Site, keys: Sequence[str], census: Mapping[str, PageInfo]) -> dict[str, str]:
    """Where each key's ``LeiKa <key>`` page leads, for keys whose title is a redirect now (names
    first: the LeiKa page is titled by its Bezeichnung, the key title redirects to it). Only the
    titles the ``census`` lists as redirects are asked for, and no text is read."""
    by_title = {titles.leika(k): k for k in keys}
    leads = site.redirect_targets([t for t in by_title if (i := census.get(t)) is not None and i.redirect])
    return {by_title[t]: target for t, target in leads.items()}


def check_retirements(
    site: Site,
    items: Sequence[ImportItem],
    existing: set[str],
    cat_retired: Iterable[str],
    rail: Rail,
    proven: Iterable[str] = (),
) -> dict[str, PageState]:
    """The mass-retire rail (:mod:`ozgwiki.engine.rails`): read the pages about to be retired, stop the run
    before its first write when too many active keys would go; return the pages read. A page in
    ``proven`` (the memory knows it holds what its retiring item wants) is retired already: not read."""
    retiring = [i for i in items if i.retire_only]
    if not retiring:
        return {}
    done = set(proven)
    states = site.read_pages([i.title for i in retiring if i.title not in done])
    statuses = {
        i.key or i.title: STATUS_AUSGEMUSTERT if i.title in done else _status(states[i.title].text)
        for i in retiring
    }
    retired_already = sum(1 for s in statuses.values() if (s or "").strip() == STATUS_AUSGEMUSTERT)
    active_total = len(existing) - retired_already - len(existing & set(cat_retired))
    rails.retiring(statuses, active_total, rail)
    return states


def page_changes(
    items: Sequence[ImportItem],
    plans: Sequence[PagePlan],
    scheme: TitleScheme,
    *,
    redirects: Sequence[RedirectPlan] | None = None,
    keeping: Collection[str] = (),
) -> Changes:
    """Every page an import writes, in the order it writes them: the catalogue's items, the ID-title
    redirects (``redirects``, by default all of ``scheme``'s, less the ID titles in ``keeping``, which
    stay pages) and the Begriffsklärung pages. The per-page run and the bulk first load
    (:mod:`ozgwiki.bots.bulk`) both take their pages from here, so the two cannot drift apart.

    Sized, so a terminal's progress line knows the total; each change is made when its chunk runs.
    """
    ids = redirect_plans(scheme) if redirects is None else redirects
    return Changes(
        [*items, *(r for r in ids if r.title not in keeping), *disambiguation_plans(plans, scheme)],
        _change_of,
    )


def run(ctx: BotContext, *, chunk: int = 500, allow_mass_retire: bool = False) -> StepResult:
    """Import the context's catalogue; returns the page report, the counts and the catalogue diff.

    Stops before writing anything when the catalogue would retire more than ``import.max_retire_share``
    of the wiki's active keys (a catalogue that lost rows), unless ``allow_mass_retire``.
    """
    site = ctx.site
    rail = Rail.of(ctx.config.importing, allowed=allow_mass_retire)
    scheme = ctx.titles
    plans = plan_pages(ctx.catalogue, scheme)
    # One listing of the main namespace says which pages exist, which redirect and what each holds
    # (its SHA-1): the migration, the retirements and the engine's memory all work from it.
    census = site.census(0)
    existing = existing_leika_keys(census)
    id_redirects = redirect_plans(scheme)
    prover = ctx.engine()
    prover.learn(census)
    proven = prover.proven(Changes(id_redirects, redirect_change))
    targets = {r.title: r.target for r in id_redirects}
    info, leads = migration_lookups(site, plans, census, {t: targets[t] for t in proven})
    moves = verified(site, plans, moves_for(plans, info, leads))
    kept = stuck(plans, info, leads)
    if kept:
        log.warning(
            "%d page(s) not moved to their name, a page of that name exists: %s", len(kept), ", ".join(kept)
        )
    keeping = {p.id_title for p in plans if p.title in kept}  # their ID titles stay as they are
    plans = [dataclasses.replace(p, title=kept[p.title]) if p.title in kept else p for p in plans]
    planned = {p.key for p in plans if p.kind == KIND_LEIKA}
    items = import_items(plans, existing, retired_pages(site, sorted(existing - planned), census))
    retired = prover.proven(i.change() for i in items if i.retire_only)
    read = check_retirements(site, items, existing, ctx.catalogue.retired_keys, rail, retired)
    changes = page_changes(items, plans, scheme, redirects=id_redirects, keeping=keeping)
    touched = {m.source for m in moves} | {m.target for m in moves}
    known = {t: s for t, s in read.items() if t not in touched}  # moved pages: read anew
    # Pages reached through the bot's own ID redirects are the bot's too: a page it moves away from an
    # older name, a page kept where its redirect leads, the page of a key that left the catalogue.
    reached = {m.source for m in moves} | set(kept.values()) | {i.title for i in items if i.retire_only}
    engine = ctx.engine(chunk=max(1, chunk), scope=ctx.catalogue_scope.with_titles(reached))
    report = engine.run_phases([Phase([], moves=moves), Phase(changes)], states=known, census=census)
    by_title = {i.title: i for i in items}
    diff = CatalogueDiff()
    retired_titles: set[str] = set()
    for page in report.pages:
        item = by_title.get(page.title)
        if item is None or page.outcome not in _EDITED or item.key is None or page.base_text is None:
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
    summary = summary_line(c, diff, site.dry_run)
    if kept:
        summary += (
            f"; {len(kept)} Seite(n) nicht nach ihrem Namen verschoben, dort steht schon eine Seite "
            f"(bitte zusammenführen): {', '.join(sorted(kept))}"
        )
    return StepResult(
        NAME,
        report,
        summary=summary,
        findings=len(kept),  # a person must merge them: exit 1
        data={"diff": diff.as_dict(), "counts": c, "not_moved": dict(sorted(kept.items()))},
    )
