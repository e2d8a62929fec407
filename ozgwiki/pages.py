"""What the site client hands back about pages: :class:`PageState`, :class:`SaveResult`, and the rules
MediaWiki applies to text on save, so the client can tell a real change from a null edit.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

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
    ``timestamp`` is the revision's timestamp (sent as ``basetimestamp``), ``starttimestamp`` the
    server time of the read (``curtimestamp``, sent as ``starttimestamp`` so deletions after the
    read are noticed). ``invalid`` holds the wiki's reason when the requested title is not a valid
    page title; such a state never exists and is never saved.
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


class SaveOutcome(StrEnum):
    """What :meth:`ozgwiki.site.Site.edit` did with one page."""

    CREATED = "created"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    CONFLICT = "conflict"
    ERROR = "error"


@dataclass(frozen=True)
class SaveResult:
    """The result of one :meth:`~ozgwiki.site.Site.edit` call.

    ``dry_run`` results say what *would* have happened (created/changed) and carry the ``diff``.
    ``message`` holds the wiki's words for errors and conflicts.
    """

    title: str
    outcome: SaveOutcome
    revid: int | None = None
    message: str | None = None
    dry_run: bool = False
    diff: str | None = None
    attempts: int = 1
