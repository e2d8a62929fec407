"""What ``ozgwiki deploy`` wants on a wiki, and the record of what it deployed (pure: no I/O).

The desired pages come from :func:`ozgwiki.definitions.schema.load` rendered for the wiki's variant
(:mod:`ozgwiki.definitions.variant`): Semantic MediaWiki properties first (their types must be active
before any
page stores data), then Lua modules, templates, categories, Page Forms forms and navigation pages.

**The deploy record** lives on the wiki itself, in the bot-owned JSON page
``Benutzer:<bot>/ozgwiki-deploy.json`` (a user's ``.json`` subpage: only that user and interface
admins may edit it, and a cron job that moves to another machine still finds it). It maps each title to
the SHA-1 of the text deployed there, in MediaWiki's save form (:func:`ozgwiki.wiki.pages.save_form`), so
deploy can tell its own pages from pages an admin has changed. For one page:

====================================================  =================================================
the page on the wiki                                   decision
====================================================  =================================================
missing                                                create
text equals the desired text                          nothing (and record it: it is ours now)
text's SHA-1 is recorded for the title (or pending)   update: it is still what we deployed
last edited by MediaWiki's installer ("MediaWiki      update: the placeholder main page of a fresh wiki
default")
anything else (changed by someone, never deployed)    refuse, report who changed it last and when;
                                                      ``--force`` overwrites and records
====================================================  =================================================

**Crash consistency (write-ahead).** Before a run saves any page, it saves the record with the SHA-1
of every text it is about to write added under ``pending``; after the run it saves the record with
``pending`` folded into ``pages``. A run killed anywhere in between leaves each page either at its old
(recorded) text or at the new (pending) text, both of which the next run accepts as its own - even if
the next run deploys a newer version. A run killed before the write-ahead record wrote no page. Only
text decides, never the user name of the last revision, so a renamed bot account or a second bot
password changes nothing. A run that changes nothing writes nothing, the record included.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ozgwiki import __version__
from ozgwiki.definitions.schema import Schema
from ozgwiki.errors import ConfigError
from ozgwiki.wiki.pages import PageState, same_after_save, save_form
from ozgwiki.wiki.siteinfo import SiteInfo

log = logging.getLogger(__name__)

#: Extensions the templates cannot work without (``#if``/``#switch`` and ``#invoke``).
REQUIRED_EXTENSIONS = ("ParserFunctions", "Scribunto")

#: MediaWiki's reserved installer account: the main page of a fresh wiki is its placeholder, not an
#: admin's work, so deploy may replace it without --force. No one can log in under this name.
INSTALLER_USERS = frozenset({"MediaWiki default"})

#: Where the record lives, relative to the bot's user page.
RECORD_SUBPAGE = "ozgwiki-deploy.json"

#: Page kinds in deploy order; the German noun goes into edit summaries.
KIND_PROPERTY = "Attribut"
KIND_MODULE = "Modul"
KIND_TEMPLATE = "Vorlage"
KIND_CATEGORY = "Kategorie"
KIND_FORM = "Formular"
KIND_NAVIGATION = "Seite"
KIND_RECORD = "Protokoll"

# Parser functions that only exist with Semantic MediaWiki: on a plain wiki they would show as raw text.
_SMW_MARKUP = re.compile(r"\{\{\s*#\s*(set|subobject|ask|declare|show|set_recurring_event)\s*:", re.I)


class DeployError(ConfigError):
    """The wiki cannot take this deploy (a required extension is missing, a variant leaks SMW markup)."""


# --------------------------------------------------------------------------------------- variant


@dataclass(frozen=True)
class Variant:
    """Which optional extensions the target wiki has, hence which texts and pages it gets."""

    smw: bool
    pageforms: bool

    @property
    def name(self) -> str:
        """``smw+pageforms``, ``smw``, ``pageforms`` or ``plain``: stable, appears in JSON reports."""
        parts = [n for n, on in (("smw", self.smw), ("pageforms", self.pageforms)) if on]
        return "+".join(parts) or "plain"

    @classmethod
    def of(cls, info: SiteInfo) -> Variant:
        return cls(smw=info.extensions.smw, pageforms=info.extensions.pageforms)


def check_requirements(info: SiteInfo, api_url: str = "the wiki") -> None:
    """Refuse a wiki without ParserFunctions or Scribunto: every template would show script errors."""
    missing = [e for e in REQUIRED_EXTENSIONS if e not in info.extensions]
    if missing:
        raise DeployError(
            f"deploy refused: {api_url} lacks the extension(s) {', '.join(missing)} "
            f"(see Spezial:Version); the templates need {' and '.join(REQUIRED_EXTENSIONS)}. "
            "Install and enable them (wfLoadExtension in LocalSettings.php), then deploy again."
        )


# --------------------------------------------------------------------------------------- desired pages


@dataclass(frozen=True)
class DeployPage:
    """One page deploy wants: title, text in MediaWiki's save form, and its kind."""

    title: str
    text: str
    kind: str

    @property
    def is_property(self) -> bool:
        return self.kind == KIND_PROPERTY

    @property
    def sha1(self) -> str:
        return text_sha1(self.text)


def semantic_markup(text: str) -> list[str]:
    """The SMW-only parser functions used in ``text`` (``set``, ``ask`` ...), for the plain-variant check."""
    return sorted({m.group(1).lower() for m in _SMW_MARKUP.finditer(text)})


def desired_pages(schema: Schema, variant: Variant) -> list[DeployPage]:
    """Every page deploy wants on a wiki of ``variant``, in deploy order (properties first).

    Modules come before templates (templates ``#invoke`` them), categories before navigation pages
    (which link them). Raises :class:`DeployError` if a text for a wiki without SMW still contains an
    SMW parser function: it would show up as raw ``{{#set:…}}`` text on every page.
    """
    smw, pf = variant.smw, variant.pageforms
    pages: list[DeployPage] = []
    if smw:
        pages += [DeployPage(p.title, p.page_text(), KIND_PROPERTY) for p in schema.properties]
    modules = [t for t in schema.templates if t.is_module]
    templates = [t for t in schema.templates if not t.is_module]
    pages += [DeployPage(t.title, t.render(smw=smw, pageforms=pf), KIND_MODULE) for t in modules]
    pages += [DeployPage(t.title, t.render(smw=smw, pageforms=pf), KIND_TEMPLATE) for t in templates]
    pages += [DeployPage(c.title, c.page_text(), KIND_CATEGORY) for c in schema.categories]
    if pf:
        pages += [DeployPage(f.title, f.render(smw=smw), KIND_FORM) for f in schema.forms]
    pages += [
        DeployPage(n.title, n.render(smw=smw, pageforms=pf), KIND_NAVIGATION) for n in schema.navigation
    ]
    pages = [DeployPage(p.title, save_form(p.text), p.kind) for p in pages]
    if not smw:
        leaks = [
            f"{p.title} ({', '.join(semantic_markup(p.text))})" for p in pages if semantic_markup(p.text)
        ]
        if leaks:
            raise DeployError(
                "the plain variant still contains Semantic MediaWiki markup, which would show as raw text: "
                + "; ".join(leaks)
            )
    titles = [p.title for p in pages]
    dups = sorted({t for t in titles if titles.count(t) > 1})
    if dups:
        raise DeployError(f"two definitions deploy to the same page: {', '.join(dups)}")
    return pages


# --------------------------------------------------------------------------------------- record


def text_sha1(text: str) -> str:
    """SHA-1 (hex) of a text in MediaWiki's save form: what the wiki will hold after saving ``text``."""
    return hashlib.sha1(save_form(text).encode("utf-8")).hexdigest()


#: Navigation pages earlier versions deployed and this one no longer does, with the SHA-1 of every text
#: they deployed there (both variants). "Kommunen in NRW" is an overview page the regeneration bot
#: writes now (semantic/pages/kommunen.yaml); a page that still holds exactly such a text was never
#: touched by a person, so the bot may replace it instead of writing its tables around an outdated text.
RETIRED_NAVIGATION: Mapping[str, frozenset[str]] = {
    "Kommunen in NRW": frozenset(
        {"c16815f0151b3d7a91cc03b4ab7d2379356b9ea0", "710e3509bb4d4e83e5db0fc36ff22f52cf7f2bb4"}
    ),
}


def untouched_retired_navigation(title: str, text: str) -> bool:
    """Whether ``text`` on ``title`` is a navigation text an earlier version deployed, unchanged."""
    return text_sha1(text) in RETIRED_NAVIGATION.get(title, frozenset())


def record_title(bot_user: str) -> str:
    """``Benutzer:OzgBot/ozgwiki-deploy.json`` for ``OzgBot`` (a bot-password login's ``@app`` cut)."""
    return f"Benutzer:{bot_user.split('@', 1)[0]}/{RECORD_SUBPAGE}"


def mediawiki_json(data: Any) -> str:
    """``data`` as MediaWiki 1.39 stores a JSON page (``FormatJson::encode($v, "\\t", UTF8_OK)``).

    MediaWiki pretty-prints JSON content on save, with tabs, unescaped UTF-8 and slashes, but
    ``< > &`` (and U+2028/9) as ``\\u`` escapes. Sending exactly that form is what keeps the record
    from being re-sent on every run (the client's no-change check compares texts). Keys are sorted so
    the same record is always the same text.
    """
    text = json.dumps(data, indent="\t", ensure_ascii=False, sort_keys=True)
    for char, escape in (("&", "\\u0026"), ("<", "\\u003C"), (">", "\\u003E"), ("\u2028", "\\u2028"),
                         ("\u2029", "\\u2029")):  # fmt: skip
        text = text.replace(char, escape)
    return text


@dataclass(frozen=True)
class DeployRecord:
    """What deploy wrote: title -> SHA-1 of the deployed text, and SHA-1s of writes in flight.

    ``pending`` holds, per title, the texts a run announced before writing them (see the module
    docstring); a completed run folds them into ``pages``.
    """

    pages: Mapping[str, str] = field(default_factory=dict)
    pending: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def accepts(self, title: str, text: str) -> bool:
        """Whether ``text`` on ``title`` is one deploy wrote (recorded or announced)."""
        return text_sha1(text) in self.accepted(title)

    def accepted(self, title: str) -> frozenset[str]:
        known = {self.pages[title]} if title in self.pages else set()
        return frozenset(known | set(self.pending.get(title, ())))

    def knows(self, title: str) -> bool:
        return title in self.pages or title in self.pending

    def with_pending(self, writes: Mapping[str, str]) -> DeployRecord:
        """The write-ahead record: ``writes`` (title -> SHA-1 about to be saved) added to ``pending``."""
        pending = {t: tuple(v) for t, v in self.pending.items()}
        for title, sha in writes.items():
            pending[title] = tuple(sorted(set(pending.get(title, ())) | {sha}))
        return DeployRecord(dict(self.pages), pending)

    def settled(self, deployed: Mapping[str, str], keep: Iterable[str] = ()) -> DeployRecord:
        """The record after a completed run: ``deployed`` (title -> SHA-1 now on the wiki) recorded,
        the old entries of ``keep`` (pages left alone, e.g. refused) kept, nothing pending."""
        pages = {t: self.pages[t] for t in keep if t in self.pages}
        pages.update(deployed)
        return DeployRecord(pages, {})

    def to_text(self) -> str:
        data = {
            "beschreibung": "Von ozgwiki deploy bereitgestellte Seiten: Titel -> SHA-1 des Textes. "
            "Nicht von Hand ändern.",
            "pages": dict(self.pages),
            "pending": {t: list(v) for t, v in self.pending.items()},
        }
        return mediawiki_json(data)

    @classmethod
    def from_text(cls, text: str) -> DeployRecord:
        """Parse a record page; a missing or unreadable one is empty (which only makes deploy refuse more)."""
        if not text.strip():
            return cls()
        try:
            data = json.loads(text)
            pages = {str(k): str(v) for k, v in (data.get("pages") or {}).items()}
            pending = {str(k): tuple(str(x) for x in v) for k, v in (data.get("pending") or {}).items()}
        except (ValueError, AttributeError, TypeError) as exc:
            log.warning("deploy record is not readable (%s); treating every existing page as foreign", exc)
            return cls()
        return cls(pages, pending)


# --------------------------------------------------------------------------------------- decisions


class Action(StrEnum):
    """What deploy does with one page. Stable strings: they appear in JSON reports."""

    CREATE = "create"
    KEEP = "keep"  # already has the desired text
    UPDATE = "update"  # still our text: replace it
    OVERWRITE = "overwrite"  # not ours, but --force
    REFUSE = "refuse"  # not ours: leave it and report


@dataclass(frozen=True)
class Decision:
    """The decision for one page, with the reason shown to admins for refused / forced pages."""

    page: DeployPage
    action: Action
    reason: str | None = None
    accepted: frozenset[str] = frozenset()

    @property
    def writes(self) -> bool:
        return self.action in (Action.CREATE, Action.UPDATE, Action.OVERWRITE)

    def transform(self, force: bool) -> Any:
        """The pure transform for the save choke point: re-decides on the text it is given.

        After an edit conflict the client re-reads the page and calls this again: a text that is no
        longer ours (someone edited in between) is left alone unless ``force``.
        """
        desired, accepted = self.page.text, self.accepted

        def transform(text: str) -> str | None:
            if not text.strip() or same_after_save(text, desired):
                return desired
            if force or text_sha1(text) in accepted:
                return desired
            return None

        return transform

    def summary(self, version: str = __version__) -> str:
        """German edit summary."""
        noun = self.page.kind
        if self.action is Action.CREATE:
            return f"Bot: {noun} aus ozgwiki {version} bereitgestellt"
        if self.action is Action.OVERWRITE:
            return f"Bot: {noun} aus ozgwiki {version} aktualisiert (erzwungen: überschreibt fremde Änderung)"
        return f"Bot: {noun} aus ozgwiki {version} aktualisiert"


def _last_edit(state: PageState) -> tuple[str, str]:
    return state.user or "unbekannt", state.timestamp or "unbekannt"


def foreign_reason(state: PageState, recorded: bool) -> str:
    """Why a page is not ours, in German and English, naming the last editor and time."""
    user, ts = _last_edit(state)
    if recorded:
        return (
            f"seit der letzten Bereitstellung auf dem Wiki geändert (zuletzt von {user} am {ts}); "
            f"mit --force überschreiben / changed on the wiki since the last deploy (last edit by {user} "
            f"at {ts}); use --force to overwrite"
        )
    return (
        f"Seite bestand schon und wurde nie von ozgwiki bereitgestellt (zuletzt von {user} am {ts}); "
        f"mit --force überschreiben / page existed and was never deployed by ozgwiki (last edit by {user} "
        f"at {ts}); use --force to overwrite"
    )


def decide(page: DeployPage, state: PageState, record: DeployRecord, *, force: bool = False) -> Decision:
    """Apply the record rule (module docstring) to one page as it is on the wiki."""
    accepted = record.accepted(page.title)
    if state.exists and state.user in INSTALLER_USERS:
        accepted |= {text_sha1(state.text)}
    if not state.exists:
        return Decision(page, Action.CREATE, accepted=accepted)
    if same_after_save(state.text, page.text):
        return Decision(page, Action.KEEP, accepted=accepted)
    if text_sha1(state.text) in accepted:
        return Decision(page, Action.UPDATE, accepted=accepted)
    reason = foreign_reason(state, record.knows(page.title))
    return Decision(page, Action.OVERWRITE if force else Action.REFUSE, reason, accepted)


def plan(
    pages: Iterable[DeployPage], states: Mapping[str, PageState], record: DeployRecord, *, force: bool = False
) -> list[Decision]:
    """Decide every page (``states`` keyed by the requested title, as ``Site.read_pages`` returns)."""
    return [decide(p, states[p.title], record, force=force) for p in pages]
