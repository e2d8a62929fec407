"""What the site client hands back about pages: :class:`PageState`, :class:`SaveResult`,
:class:`ParsedPage`, and the rules MediaWiki applies to text on save, so the client can tell a real
change from a null edit.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ozgwiki.errors import WikiError
from ozgwiki.wiki.siteinfo import flag

# PHP's rtrim() default set: MediaWiki strips exactly these from the end of wikitext on save.
_PHP_RTRIM = " \t\n\r\0\x0b"


def save_form(text: str) -> str:
    """Return ``text`` the way MediaWiki stores it: line endings ``\\n``, NFC, trailing whitespace cut.

    Comparing save forms (not raw strings) is what keeps a bot from sending an edit on every run just
    because its renderer ends with a newline the wiki strips.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text).rstrip(_PHP_RTRIM)


def same_after_save(old: str, new: str) -> bool:
    """True when saving ``new`` over ``old`` would not create a revision."""
    return save_form(old) == save_form(new)


def unified_diff(title: str, old: str, new: str) -> str:
    """A unified diff of the save forms, headed with the title; "" when nothing would change."""
    a = save_form(old).splitlines(keepends=True)
    b = save_form(new).splitlines(keepends=True)
    if a and not a[-1].endswith("\n"):
        a[-1] += "\n"
    if b and not b[-1].endswith("\n"):
        b[-1] += "\n"
    return "".join(difflib.unified_diff(a, b, fromfile=f"a/{title}", tofile=f"b/{title}"))


@dataclass(frozen=True)
class PageState:
    """One page as read from the wiki, everything an edit needs to be conflict-safe.

    ``title`` is the wiki's normalised title (``Vorlage:X`` for a requested ``Template:x``).
    ``revid`` is the revision the edit is based on (sent as ``baserevid``; not ``basetimestamp``, see
    docs/architecture.md), ``timestamp`` that revision's time, ``starttimestamp`` the server time of
    the read (``curtimestamp``, sent as ``starttimestamp`` so deletions after the read are noticed).
    ``invalid`` holds the wiki's reason when the requested title is not a valid page title; such a
    state never exists and is never saved.
    """

    title: str
    exists: bool
    text: str = ""
    revid: int | None = None
    timestamp: str | None = None
    starttimestamp: str | None = None
    user: str | None = None
    ns: int | None = None
    invalid: str | None = None


class Outcome(StrEnum):
    """What happened to one page: the one outcome type of :meth:`ozgwiki.wiki.site.Site.edit`,
    :meth:`~ozgwiki.wiki.site.Site.move` and the sync engine's reports. Stable strings: they appear in
    JSON reports.

    ``OPTED_OUT`` is the engine's (the page carries ``{{nobots}}`` or a friend); ``Site.edit`` never
    returns it, because it does not read the opt-out rule. ``MOVED`` is only ``Site.move``'s.
    """

    CREATED = "created"
    CHANGED = "changed"
    MOVED = "moved"  # the page has a new title; the wiki left a redirect at the old one
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"  # the transform said "leave it alone", or the page cannot be edited safely
    OPTED_OUT = "opted_out"
    CONFLICT = "conflict"
    ERROR = "error"


@dataclass(frozen=True)
class SaveResult:
    """The result of one :meth:`~ozgwiki.wiki.site.Site.edit` call.

    ``dry_run`` results say what *would* have happened (created/changed) and carry the ``diff``.
    ``message`` holds the wiki's words for errors and conflicts.
    """

    title: str
    outcome: Outcome
    revid: int | None = None
    message: str | None = None
    dry_run: bool = False
    diff: str | None = None
    attempts: int = 1


@dataclass(frozen=True)
class MoveResult:
    """The result of one :meth:`~ozgwiki.wiki.site.Site.move` call.

    ``outcome`` is ``MOVED``, ``CONFLICT`` (the target holds a page; never forced) or ``ERROR``
    (``message`` holds the wiki's words). ``source`` / ``target`` are the titles as the wiki spells them
    once it answered, as requested otherwise. ``redirect`` says whether the wiki left a redirect at
    the source (a dry run predicts one). ``dry_run`` results say what *would* have happened.
    """

    source: str
    target: str
    outcome: Outcome
    message: str | None = None
    dry_run: bool = False
    redirect: bool = False


def page_state_from_api(page: Mapping[str, Any], start: str | None) -> PageState:
    """Build a PageState from one ``query.pages`` entry (either formatversion)."""
    title = page["title"]
    if flag(page, "invalid"):
        return PageState(title=title, exists=False, invalid=str(page.get("invalidreason", "ungültig")))
    if flag(page, "special"):
        return PageState(title=title, exists=False, ns=page.get("ns"), invalid="Spezialseite")
    if flag(page, "missing"):
        return PageState(title=title, exists=False, starttimestamp=start, ns=page.get("ns"))
    revs = page.get("revisions") or []
    if not revs:
        raise WikiError(f"the wiki returned no revision for existing page {title}")
    rev = revs[0]
    main = rev.get("slots", {}).get("main", {})
    text = main.get("content", main.get("*", ""))
    return PageState(
        title=title,
        exists=True,
        text=text,
        revid=rev.get("revid"),
        timestamp=rev.get("timestamp"),
        starttimestamp=start,
        user=rev.get("user"),
        ns=page.get("ns"),
    )


@dataclass(frozen=True)
class LinkTarget:
    """A link or transclusion found by ``action=parse``."""

    title: str
    ns: int
    exists: bool


@dataclass(frozen=True)
class ParsedPage:
    """The parts of ``action=parse`` bots check: HTML, categories, links and templates."""

    title: str
    html: str
    categories: tuple[str, ...]
    links: tuple[LinkTarget, ...]
    templates: tuple[LinkTarget, ...]

    @property
    def missing_templates(self) -> tuple[str, ...]:
        """Transcluded templates that do not exist (red links in the rendering)."""
        return tuple(t.title for t in self.templates if not t.exists)
