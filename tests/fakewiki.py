"""An in-memory MediaWiki behind ``responses``: the real :class:`ozgwiki.wiki.site.Site` runs against it.

The unit tests of the bots and the engine need a wiki that behaves like one -- revisions, users,
timestamps, edit conflicts, deletions, recent changes -- without a server. This module is that wiki,
answering the HTTP requests the site client sends, shaped like the recorded real answers in
``tests/data/api/`` (``tests/unit/test_fakewiki.py`` compares them key by key). So a bot test exercises
the real client: batching, tokens, ``baserevid``, conflict re-reads, the no-change check, dry-run.

What it emulates (MediaWiki 1.39, ``formatversion=2`` only -- the only one the client asks for):

* sessions by cookie, login with a bot password (``meta=tokens&type=login``, ``action=login`` with
  ``lgtoken``), csrf tokens (``badtoken`` for a wrong one), ``assert=user`` (``assertuserfailed`` once
  :meth:`FakeWiki.drop_sessions` lost the session);
* ``meta=siteinfo`` (the recorded German SMW wiki; the extensions and the project namespace's name
  can be set), its ``statistics`` (the job queue from :attr:`FakeWiki.jobs`), ``meta=userinfo``;
* ``prop=revisions`` (the latest revision of many titles, or the newest revisions of one title,
  optionally by one user), ``prop=info`` (with ``inprop=url``), ``redirects=1`` without a module
  (the ``redirects`` hops), title normalisation (namespace names, canonical names and aliases, first
  letter, underscores), missing, invalid and special titles;
* ``list=allpages``, ``list=embeddedin`` (direct and indirect transclusions), ``list=recentchanges``
  (edits, creations and log entries with ``loginfo``), ``list=logevents``, each with continuation;
* ``action=edit`` with ``createonly`` / ``nocreate`` (``articleexists``, ``missingtitle``),
  ``baserevid`` / ``basetimestamp`` conflict detection (``editconflict``; the fake never merges),
  ``starttimestamp`` (``pagedeleted``), null edits (``nochange``), the wiki's save rules (line ends,
  NFC, trailing whitespace), and per-page refusals set with :meth:`FakeWiki.refuse`;
* ``action=move`` (history kept, a null revision, the log entry, a redirect left behind unless
  ``noredirect``; over a single-revision redirect to the page as MediaWiki allows; ``movetalk`` while
  there is no talk page; refusals set with :meth:`FakeWiki.refuse`);
* ``action=purge``, ``action=paraminfo`` (the recorded answer), ``maxlag`` on request
  (:attr:`FakeWiki.lagged`);
* ``action=import`` of an uploaded XML document (multipart, ``importupload`` right): revisions stored as
  sent under the document's timestamps and authors, a null revision and an ``import/upload`` log entry
  per page, a revision with the timestamp and SHA-1 of one the page has skipped.

Anything else raises :class:`NotEmulated`, so a test cannot pass on a request the fake only guesses.
People act through methods, not HTTP: :meth:`FakeWiki.edit_as`, :meth:`FakeWiki.delete`,
:meth:`FakeWiki.move`, :meth:`FakeWiki.add_log`, :meth:`FakeWiki.meanwhile` (an editor who saves
between the bot's read and its save) and :meth:`FakeWiki.before_next` (anything people do just before
the next request of a kind, say a deletion between a listing and the read of its pages). Every request
is kept in :attr:`FakeWiki.calls`.
"""

from __future__ import annotations

import email.parser
import email.policy
import hashlib
import json
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import fixtures_smw as fx
import responses

from ozgwiki.config import RetryConfig, WikiConfig
from ozgwiki.render.xmldump import EXPORT_NS, sha1_base36
from ozgwiki.wiki.site import Site

API_URL = fx.API_URL
BOT_LOGIN = "OzgBot@ozgwiki"
BOT = "OzgBot"
EDITOR = "Redakteurin"
SESSION_COOKIE = "fakewiki_session"
#: What the wiki answers every error with (``docref`` in formatversion 2).
DOCREF = (
    f"See {API_URL} for API usage. Subscribe to the mediawiki-api-announce mailing list at "
    "&lt;https://lists.wikimedia.org/postorius/lists/mediawiki-api-announce.lists.wikimedia.org/&gt; "
    "for notice of API deprecations and breaking changes."
)
#: Characters MediaWiki never allows in a title ($wgLegalTitleChars' complement, the ASCII part).
ILLEGAL_TITLE_CHARS = frozenset("#<>[]|{}")
# PHP's rtrim() set: the wiki cuts these from the end of wikitext on save.
_RTRIM = " \t\n\r\0\x0b"
#: Parameters the client adds to every request; the rest are the action's own.
COMMON_PARAMS = frozenset(
    {"action", "format", "formatversion", "maxlag", "assert", "curtimestamp", "continue"}
)
START = "2026-12-01T10:00:00Z"


class NotEmulated(AssertionError):
    """A request the fake wiki does not answer: extend the fake instead of guessing in a test."""


class ApiFailure(Exception):
    """Inside the fake: answer with MediaWiki's error object for ``code``."""

    def __init__(self, code: str, info: str, **extra: Any) -> None:
        super().__init__(f"{code}: {info}")
        self.code, self.info, self.extra = code, info, extra


def saved_form(text: str) -> str:
    """The text as MediaWiki stores it: ``\\n`` line ends, NFC, trailing whitespace cut.

    Written from MediaWiki's rules (TextContent::normalizeLineEndings, rtrim, UtfNormal), not taken
    from the client, so a wrong rule in the client shows up as an unexpected edit.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text).rstrip(_RTRIM)


def iso(moment: datetime) -> str:
    """MediaWiki's API timestamp format."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(value: str) -> datetime:
    """An API timestamp (``2026-12-01T10:12:14Z``) or a compact one (``20261201101214``)."""
    value = value.strip()
    fmt = "%Y%m%d%H%M%S" if value.isdigit() else "%Y-%m-%dT%H:%M:%SZ"
    return datetime.strptime(value, fmt).replace(tzinfo=UTC)


def _compact(timestamp: str) -> str:
    return parse_iso(timestamp).strftime("%Y%m%d%H%M%S")


@dataclass
class Revision:
    """One saved revision of a page."""

    revid: int
    parentid: int
    user: str
    timestamp: str
    text: str
    comment: str = ""
    minor: bool = False
    bot: bool = False


@dataclass
class Page:
    """One existing page: its id, namespace, title and revisions (oldest first)."""

    pageid: int
    ns: int
    title: str
    revisions: list[Revision] = field(default_factory=list)
    touched: str = ""

    @property
    def latest(self) -> Revision:
        return self.revisions[-1]

    @property
    def text(self) -> str:
        return self.latest.text


@dataclass
class LogEntry:
    """One entry of the wiki's log (``delete``, ``move``, ``protect`` ...)."""

    logid: int
    type: str
    action: str
    ns: int
    title: str
    pageid: int
    user: str
    timestamp: str
    comment: str = ""
    params: dict[str, Any] | list[Any] = field(default_factory=list)


@dataclass
class Change:
    """One recent-changes row: an edit, a creation or a log entry."""

    rcid: int
    type: str
    ns: int
    title: str
    pageid: int
    revid: int
    old_revid: int
    user: str
    timestamp: str
    comment: str = ""
    bot: bool = False
    new: bool = False
    minor: bool = False
    oldlen: int = 0
    newlen: int = 0
    log: LogEntry | None = None


@dataclass
class Session:
    """A cookie session: who is logged in and the tokens handed out to it."""

    id: str
    user: str | None = None
    login_token: str | None = None
    csrf_token: str | None = None
    #: The bot password logged in with (``User@BotName``): one user may have several, granting more or less.
    login: str | None = None


@dataclass(frozen=True)
class Account:
    """A bot password: the login name (``User@BotName``), the user, the secret and what it may do."""

    login: str
    user: str
    secret: str
    userid: int
    groups: tuple[str, ...]
    rights: tuple[str, ...]


@dataclass
class Call:
    """One request the wiki answered: method, parameters, what kind it was, and the answer body."""

    method: str
    params: dict[str, str]
    kind: str
    answer: dict[str, Any] = field(default_factory=dict)
    #: Files sent as multipart/form-data (``action=import``'s ``xml``): name -> content.
    files: dict[str, bytes] = field(default_factory=dict)
    #: Who saved a new revision with this request, and the page's title as the wiki spells it
    #: (``action=edit`` only; None: nothing was saved).
    saved_by: str | None = None
    saved_title: str | None = None

    @property
    def titles(self) -> list[str]:
        """The ``titles`` parameter, split."""
        raw = self.params.get("titles", "")
        return raw.split("|") if raw else []


@dataclass
class Meanwhile:
    """A save someone else makes just before the bot's next edit request for the page is handled."""

    text: str
    user: str = EDITOR
    summary: str = "von Hand geändert"


def _recorded_bot() -> Account:
    info = fx.body("userinfo_bot")["query"]["userinfo"]
    return Account(
        login=BOT_LOGIN, user=info["name"], secret=fx.SECRET, userid=int(info["id"]),
        groups=tuple(info["groups"]), rights=tuple(info["rights"]),
    )  # fmt: skip


def _template_links(text: str, *, transcluded: bool) -> list[str]:
    """Raw names in ``{{...}}`` of ``text`` (not parser functions, not parameters ``{{{x}}}``).

    ``transcluded``: the text as another page sees it (``<noinclude>`` parts gone), else as the page
    itself renders (``<includeonly>`` parts gone). Comments and ``<nowiki>``/``<pre>`` hide calls.
    """
    text = re.sub(r"<!--.*?(?:-->|\Z)", "", text, flags=re.S)
    text = re.sub(r"<(nowiki|pre)\b[^>]*>.*?(?:</\1\s*>|\Z)", "", text, flags=re.S | re.I)
    hidden = "noinclude" if transcluded else "includeonly"
    text = re.sub(rf"<{hidden}>.*?(?:</{hidden}>|\Z)", "", text, flags=re.S | re.I)
    names = re.findall(r"(?<!\{)\{\{(?!\{)\s*([^{}|#<>\[\]]+?)\s*(?=\||\}\})", text, flags=re.S)
    return [n for n in names if n.strip()]


class FakeWiki:
    """One wiki: pages, log, recent changes, accounts and sessions; see the module docstring."""

    def __init__(self, *, start: str = START, sitename: str | None = None) -> None:
        recorded = fx.body("siteinfo_extensions")["query"]
        self._recorded_siteinfo = recorded
        #: The project namespace's name (ns 4); the recorded wiki's unless set.
        self.sitename: str = sitename or recorded["general"]["sitename"]
        #: Names of the installed extensions; None: the recorded wiki's.
        self.extensions: tuple[str, ...] | None = None
        #: Job counts the next statistics answers report, one per answer; the last one stays.
        self.jobs: list[int] = [0]
        #: The next this many requests are refused with ``maxlag`` (as the recorded answer).
        self.lagged = 0
        #: Entries per answer of the ``list=`` modules (``max``: 5000, as MediaWiki allows a bot with
        #: apihighlimits); tests set it low to see continuation.
        self.list_limit: int | None = None
        self.accounts: dict[str, Account] = {BOT_LOGIN: _recorded_bot()}
        self.pages: dict[str, Page] = {}
        self.log: list[LogEntry] = []
        self.changes: list[Change] = []
        self.calls: list[Call] = []
        #: Titles whose edit requests are refused: title -> (code, info).
        self.refusals: dict[str, tuple[str, str]] = {}
        self._meanwhile: dict[str, list[Meanwhile]] = {}
        self._before_next: dict[str, list[Callable[[], object]]] = {}
        self._sessions: dict[str, Session] = {}
        self._now = parse_iso(start)
        self._ns_cache: tuple[str, dict[int, tuple[str, ...]]] | None = None
        self._ids = {"page": 0, "rev": 0, "rc": 0, "log": 0, "session": 0, "token": 0}

    # ------------------------------------------------------------------ serving

    def serve(self, rsps: responses.RequestsMock) -> None:
        """Answer every GET and POST to :data:`API_URL` on ``rsps``."""
        rsps.add_callback(responses.GET, API_URL, callback=self._respond)
        rsps.add_callback(responses.POST, API_URL, callback=self._respond)

    @contextmanager
    def running(self) -> Iterator[FakeWiki]:
        """Serve this wiki for the ``with`` block (no other HTTP request may leave)."""
        with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
            self.serve(rsps)
            yield self

    def site(self, *, login: bool = True, account: str = BOT_LOGIN, **kwargs: Any) -> Site:
        """A :class:`~ozgwiki.wiki.site.Site` for this wiki (logged in unless ``login=False``).

        ``kwargs`` go to Site (``dry_run``, ``diff_out``, ``max_conflict_retries``, ``write_guard``);
        sleeping and the clock are a :class:`fixtures_smw.FakeTime`, so retries never wait.
        """
        wiki = WikiConfig(
            api_url=API_URL, username=account, maxlag=5, request_timeout=7.0,
            user_agent="ozgwiki-test/1.0 (fake wiki)", secret=self.accounts[account].secret,
            retry=RetryConfig(max_attempts=6, base_delay=1.0, max_delay=60.0, budget_seconds=300.0),
        )  # fmt: skip
        t = fx.FakeTime()
        kwargs.setdefault("sleep", t.sleep)
        kwargs.setdefault("clock", t.clock)
        kwargs.setdefault("random", lambda: 1.0)
        site = Site(wiki, **kwargs)
        if login:
            site.login()
        return site

    # ------------------------------------------------------------------ what people do

    def edit_as(
        self, title: str, text: str, user: str = EDITOR, *, summary: str = "von Hand", minor: bool = False
    ) -> int:
        """Someone saves ``text`` on ``title`` (created if missing); returns the new revision id.

        A save that changes nothing makes no revision and returns the current one, as the wiki does.
        """
        ns, name = self._resolve(title)
        page = self.pages.get(name)
        if page is not None and page.text == saved_form(text):
            return page.latest.revid
        return self._save(ns, name, text, user, summary, minor=minor, bot=False).revid

    def seed(self, pages: Mapping[str, str], user: str = EDITOR) -> dict[str, int]:
        """Pages as people left them before the test: title -> text, saved by ``user``; their revids."""
        return {title: self.edit_as(title, text, user, summary="angelegt") for title, text in pages.items()}

    def meanwhile(
        self, title: str, text: str, user: str = EDITOR, summary: str = "von Hand geändert"
    ) -> None:
        """``user`` saves ``text`` just before the bot's next edit request for ``title`` is handled:
        the bot read the page before that save, so its edit conflicts. Each call queues one save for
        one more edit request (so the re-read and re-applied edit conflicts again)."""
        _ns, name = self._resolve(title)
        self._meanwhile.setdefault(name, []).append(Meanwhile(text, user, summary))

    def before_next(self, kind: str, action: Callable[[], object]) -> None:
        """``action`` (people acting: ``lambda: wiki.delete("X")``) happens just before the next request
        of ``kind`` (a :attr:`Call.kind`: ``revisions``, ``embeddedin``, ``edit`` ...) is answered, so the
        bot sees the wiki change between two of its requests, as on a wiki others use. Each call queues
        one action for one more request of that kind."""
        self._before_next.setdefault(kind, []).append(action)

    def refuse(self, title: str, code: str = "abusefilter-disallowed", info: str | None = None) -> None:
        """Every edit request for ``title`` is refused with ``code`` (a filter, a protection, ...)."""
        _ns, name = self._resolve(title)
        self.refusals[name] = (
            code,
            info or f"This action has been automatically identified as harmful ({code}).",
        )

    def delete(self, title: str, user: str = "Admin", reason: str = "gelöscht") -> None:
        """Delete a page: it is missing afterwards; the log and recent changes say so."""
        ns, name = self._resolve(title)
        page = self.pages.pop(name)
        self._log("delete", "delete", ns, name, page.pageid, user, reason, [])

    def move(
        self,
        title: str,
        target: str,
        user: str = "Admin",
        reason: str = "verschoben",
        *,
        redirect: bool = False,
    ) -> None:
        """Move a page (leaving a redirect behind only if asked)."""
        ns, name = self._resolve(title)
        target_ns, target_name = self._resolve(target)
        self._move(ns, name, target_ns, target_name, user, reason, redirect=redirect)

    def add_log(self, type_: str, title: str, action: str | None = None, user: str = "Admin") -> LogEntry:
        """A log entry of another kind (``protect``, ``upload`` ...) about ``title``."""
        ns, name = self._resolve(title)
        page = self.pages.get(name)
        return self._log(type_, action or type_, ns, name, page.pageid if page else 0, user, "", [])

    def drop_sessions(self) -> None:
        """Every session is lost (the wiki restarted its session store): ``assert=user`` fails."""
        self._sessions.clear()

    # ------------------------------------------------------------------ what tests read

    def text(self, title: str) -> str | None:
        """The current text of a page, None when it does not exist."""
        page = self.pages.get(self._resolve(title)[1])
        return None if page is None else page.text

    def texts(self) -> dict[str, str]:
        """Every existing page's current text, by title."""
        return {title: page.text for title, page in self.pages.items()}

    def revid(self, title: str) -> int | None:
        """The latest revision id of a page, None when it does not exist."""
        page = self.pages.get(self._resolve(title)[1])
        return None if page is None else page.latest.revid

    def requests_of(self, kind: str) -> list[Call]:
        """The calls of one kind (``edit``, ``revisions``, ``statistics``, ``recentchanges`` ...)."""
        return [c for c in self.calls if c.kind == kind]

    @property
    def reads(self) -> list[list[str]]:
        """The titles of every page-text read (``prop=revisions`` of the latest revisions), in order."""
        return [c.titles for c in self.calls if c.kind == "revisions" and "rvlimit" not in c.params]

    def saves(self, user: str = BOT, *, since: int = 0) -> list[str]:
        """Titles of the revisions ``user`` saved through ``action=edit`` (from call ``since`` on)."""
        return [str(c.saved_title) for c in self.calls[since:] if c.saved_by == user]

    def summaries(self, user: str = BOT, *, since: int = 0) -> dict[str, str]:
        """Title -> the summary of the last revision ``user`` saved through ``action=edit`` (from call
        ``since`` on; ``len(wiki.calls)`` before an action marks where it began)."""
        return {
            str(c.saved_title): c.params.get("summary", "") for c in self.calls[since:] if c.saved_by == user
        }

    # ------------------------------------------------------------------ time, ids, titles

    def now(self) -> str:
        """The wiki's clock (``curtimestamp``)."""
        return iso(self._now)

    def _tick(self) -> str:
        """One second passes per write, so every revision and log entry has its own time."""
        self._now += timedelta(seconds=1)
        return iso(self._now)

    def _next(self, kind: str) -> int:
        self._ids[kind] += 1
        return self._ids[kind]

    def _namespaces(self) -> dict[int, tuple[str, ...]]:
        """Namespace id -> every name the wiki accepts for it, the localised one first."""
        if self._ns_cache is not None and self._ns_cache[0] == self.sitename:
            return self._ns_cache[1]
        names: dict[int, list[str]] = {}
        for raw in self._recorded_siteinfo["namespaces"].values():
            local = raw["*"]
            if raw["id"] in (4, 5):
                local = self.sitename if raw["id"] == 4 else f"{self.sitename} Diskussion"
            names[int(raw["id"])] = [local, *([raw["canonical"]] if raw.get("canonical") else [])]
        for alias in self._recorded_siteinfo["namespacealiases"]:
            names[int(alias["id"])].append(alias["*"])
        self._ns_cache = (self.sitename, {k: tuple(v) for k, v in names.items()})
        return self._ns_cache[1]

    def _normalise(self, raw: str) -> tuple[int, str]:
        """(namespace, normalised title) of a requested title, or raise ApiFailure("invalidtitle")."""
        title = " ".join(raw.replace("_", " ").split())
        bad = sorted({c for c in title if c in ILLEGAL_TITLE_CHARS or ord(c) < 32 or ord(c) == 127})
        if bad:
            raise ApiFailure(
                "invalidtitle", f'The requested page title contains invalid characters: "{bad[0]}".'
            )
        ns, rest = 0, title
        if title.startswith(":"):
            rest = title[1:].strip()
        elif ":" in title:
            prefix, rest_ = title.split(":", 1)
            key = prefix.strip().casefold()
            for ns_id, names in self._namespaces().items():
                if ns_id != 0 and any(n.casefold() == key for n in names):
                    ns, rest = ns_id, rest_.strip()
                    break
        if not rest:
            raise ApiFailure(
                "invalidtitle", "The requested page title is empty or contains only the name of a namespace."
            )
        rest = rest[:1].upper() + rest[1:]
        return ns, rest if ns == 0 else f"{self._namespaces()[ns][0]}:{rest}"

    def _resolve(self, title: str) -> tuple[int, str]:
        """Like _normalise, for titles the test itself names (an invalid one is the test's mistake)."""
        try:
            return self._normalise(title)
        except ApiFailure as exc:
            raise ValueError(f"{title!r}: {exc}") from None

    # ------------------------------------------------------------------ changing the wiki

    def _save(
        self, ns: int, title: str, text: str, user: str, summary: str, *, minor: bool, bot: bool
    ) -> Revision:
        stored = saved_form(text)
        page = self.pages.get(title)
        created = page is None
        if page is None:
            page = self.pages[title] = Page(self._next("page"), ns, title)
        old = page.revisions[-1] if page.revisions else None
        rev = Revision(
            revid=self._next("rev"), parentid=old.revid if old else 0, user=user, timestamp=self._tick(),
            text=stored, comment=summary, minor=minor and not created, bot=bot,
        )  # fmt: skip
        page.revisions.append(rev)
        page.touched = rev.timestamp
        self.changes.append(
            Change(
                rcid=self._next("rc"), type="new" if created else "edit", ns=ns, title=title,
                pageid=page.pageid, revid=rev.revid, old_revid=rev.parentid, user=user,
                timestamp=rev.timestamp, comment=summary, bot=bot, new=created, minor=rev.minor,
                oldlen=len(old.text.encode()) if old else 0, newlen=len(stored.encode()),
            )
        )  # fmt: skip
        return rev

    def _move(
        self, ns: int, title: str, target_ns: int, target: str, user: str, reason: str, *, redirect: bool
    ) -> bool:
        """Move ``title`` to ``target`` as MediaWiki does: same page id and history plus a null revision
        by the mover, a log entry (and its recent-changes row), optionally a redirect left behind.

        A target that is a redirect to ``title`` with a single revision is moved over (deleted), as
        MediaWiki allows; returns whether that happened.
        """
        over = target in self.pages
        if over:
            del self.pages[target]
        page = self.pages.pop(title)
        page.ns, page.title = target_ns, target
        self.pages[target] = page
        stamp = self._tick()
        note = f"{user} verschob die Seite [[{title}]] nach [[{target}]]" + (f": {reason}" if reason else "")
        page.revisions.append(Revision(self._next("rev"), page.latest.revid, user, stamp, page.text, note))
        page.touched = stamp
        params: dict[str, Any] = {"target_ns": target_ns, "target_title": target}
        if not redirect:
            params["suppressredirect"] = True
        self._log("move", "move_redir" if over else "move", ns, title, page.pageid, user, reason, params)
        if redirect:
            left = self.pages[title] = Page(self._next("page"), ns, title)
            text = f"#WEITERLEITUNG [[{target}]]"
            left.revisions.append(Revision(self._next("rev"), 0, user, stamp, text, note))
            left.touched = stamp
        return over

    def _log(
        self, type_: str, action: str, ns: int, title: str, pageid: int, user: str, comment: str,
        params: dict[str, Any] | list[Any],
    ) -> LogEntry:  # fmt: skip
        entry = LogEntry(
            self._next("log"), type_, action, ns, title, pageid, user, self._tick(), comment, params
        )
        self.log.append(entry)
        self.changes.append(
            Change(
                rcid=self._next("rc"), type="log", ns=ns, title=title, pageid=pageid, revid=0, old_revid=0,
                user=user, timestamp=entry.timestamp, comment=comment, log=entry,
            )
        )  # fmt: skip
        return entry

    # ------------------------------------------------------------------ HTTP

    def _respond(self, request: Any) -> tuple[int, dict[str, str], str]:
        params, files = _form_of(request)
        headers: dict[str, str] = {"Content-Type": "application/json; charset=utf-8"}
        session = self._session(request, headers)
        call = Call(request.method, params, self._kind(params), files=files)
        self.calls.append(call)
        queued = self._before_next.get(call.kind)
        if queued:  # before anything is answered, so even a refused request finds the wiki changed
            queued.pop(0)()
        try:
            if params.get("format") != "json" or params.get("formatversion") != "2":
                raise NotEmulated(f"the fake wiki answers format=json&formatversion=2 only: {params}")
            if self.lagged > 0:
                self.lagged -= 1
                headers.update({"Retry-After": "5", "X-Database-Lag": "6"})
                raise ApiFailure(
                    "maxlag", "Waiting for a database server: 6 seconds lagged.", host="db1", lag=6, type="db"
                )
            if params.get("assert") == "user" and session.user is None:
                raise ApiFailure(
                    "assertuserfailed", "You are no longer logged in, so the action could not be completed."
                )
            body = self._dispatch(call, session)
        except ApiFailure as exc:
            headers["MediaWiki-API-Error"] = exc.code
            body = {"error": {"code": exc.code, "info": exc.info, **exc.extra, "docref": DOCREF}}
        if params.get("curtimestamp") and "error" not in body:
            body["curtimestamp"] = self.now()
        call.answer = body
        return 200, headers, json.dumps(body, ensure_ascii=False)

    def _session(self, request: Any, headers: dict[str, str]) -> Session:
        """The request's session; a new one (and its cookie) when it brings none the wiki knows."""
        cookie = request.headers.get("Cookie", "")
        match = re.search(rf"(?:^|;\s*){SESSION_COOKIE}=([^;]+)", cookie)
        if match and match.group(1) in self._sessions:
            return self._sessions[match.group(1)]
        sid = f"s{self._next('session')}"
        self._sessions[sid] = Session(sid)
        headers["Set-Cookie"] = f"{SESSION_COOKIE}={sid}; path=/; HttpOnly"
        return self._sessions[sid]

    @staticmethod
    def _kind(params: Mapping[str, str]) -> str:
        action = params.get("action", "")
        if action != "query":
            return action
        meta, prop, lst = params.get("meta"), params.get("prop"), params.get("list")
        if meta == "siteinfo" and params.get("siprop") == "statistics":
            return "statistics"
        return meta or prop or lst or "query"

    def _dispatch(self, call: Call, session: Session) -> dict[str, Any]:
        p, action = call.params, call.params.get("action")
        if action in ("edit", "move", "purge", "login", "import") and call.method != "POST":
            raise ApiFailure("mustbeposted", f'The "{action}" module requires a POST request.')
        if action == "login":
            return self._login(p, session)
        if action == "edit":
            return self._edit(call, session)
        if action == "purge":
            return self._purge(p)
        if action == "move":
            return self._move_request(call, session)
        if action == "import":
            return self._import(call, session)
        if action == "paraminfo":
            if p.get("modules") != "query":
                raise NotEmulated(f"paraminfo is recorded for modules=query only: {p}")
            return fx.body("paraminfo_fv2")
        if action != "query":
            raise NotEmulated(f"action={action} is not emulated: {p}")
        if p.get("redirects") and not any(p.get(m) for m in ("meta", "prop", "list")):
            return {"batchcomplete": True, **self._resolve_redirects(p)}
        if p.get("generator") == "allpages":
            return self._census(p, session)
        if p.get("list") == "embeddedin|allpages" and not (p.get("prop") or p.get("meta")):
            return {"batchcomplete": True, **self._two_lists(p, session)}
        if p.get("prop") == "info|revisions":
            return {"batchcomplete": True, **self._info_and_hashes(p, session)}
        handlers: dict[str, Callable[[Mapping[str, str], Session], dict[str, Any]]] = {
            "tokens": self._tokens, "siteinfo": self._siteinfo, "statistics": self._siteinfo,
            "userinfo": self._userinfo, "revisions": self._revisions, "info": self._info,
            "allpages": self._allpages, "embeddedin": self._embeddedin,
            "recentchanges": self._recentchanges, "logevents": self._logevents,
        }  # fmt: skip
        modules = [m for m in (p.get("meta"), p.get("prop"), p.get("list")) if m]
        if len(modules) != 1 or "|" in modules[0] or call.kind not in handlers:
            raise NotEmulated(f"one query module at a time, of {sorted(handlers)}: {p}")
        return {"batchcomplete": True, **handlers[call.kind](p, session)}

    # ------------------------------------------------------------------ session and meta

    def _token(self, kind: str) -> str:
        """A fresh token; like MediaWiki's, it ends in ``+\\``."""
        return f"{kind}{self._next('token'):04d}fake+\\"

    def _tokens(self, p: Mapping[str, str], session: Session) -> dict[str, Any]:
        _only(p, {"meta", "type"})
        tokens: dict[str, str] = {}
        for kind in p.get("type", "csrf").split("|"):
            if kind == "login":
                session.login_token = session.login_token or self._token("login")
                tokens["logintoken"] = session.login_token
            elif kind == "csrf":
                # An anonymous session gets MediaWiki's anonymous token, which no edit accepts here.
                if session.user is None:
                    tokens["csrftoken"] = "+\\"
                else:
                    session.csrf_token = session.csrf_token or self._token("csrf")
                    tokens["csrftoken"] = session.csrf_token
            else:
                raise NotEmulated(f"token type {kind!r}")
        return {"query": {"tokens": tokens}}

    def _login(self, p: Mapping[str, str], session: Session) -> dict[str, Any]:
        _only(p, {"lgname", "lgpassword", "lgtoken"})
        if not p.get("lgtoken") or p.get("lgtoken") != session.login_token:
            return {"login": {"result": "WrongToken"}}
        account = self.accounts.get(p.get("lgname", ""))
        if account is None or p.get("lgpassword") != account.secret:
            return {
                "login": {
                    "result": "Failed",
                    "reason": "Incorrect username or password entered. Please try again.",
                }
            }
        session.user, session.login_token, session.csrf_token = account.user, None, None
        session.login = account.login
        return {"login": {"result": "Success", "lguserid": account.userid, "lgusername": account.user}}

    def _account(self, session: Session) -> Account | None:
        if session.login in self.accounts and self.accounts[session.login].user == session.user:
            return self.accounts[session.login]
        return next((a for a in self.accounts.values() if a.user == session.user), None)

    def _userinfo(self, p: Mapping[str, str], session: Session) -> dict[str, Any]:
        _only(p, {"meta", "uiprop"})
        account = self._account(session)
        if account is None:
            return {"query": {"userinfo": {"id": 0, "name": "127.0.0.1", "anon": True}}}
        info: dict[str, Any] = {"id": account.userid, "name": account.user}
        props = set(p.get("uiprop", "").split("|")) - {""}
        if props - {"rights", "groups", "ratelimits"}:
            raise NotEmulated(f"uiprop {sorted(props)}")
        if "groups" in props:
            info["groups"] = list(account.groups)
        if "rights" in props:
            info["rights"] = list(account.rights)
        if "ratelimits" in props:
            info["ratelimits"] = {}  # the bot group has noratelimit
        return {"query": {"userinfo": info}}

    def _siteinfo(self, p: Mapping[str, str], session: Session) -> dict[str, Any]:
        _only(p, {"meta", "siprop"})
        recorded = self._recorded_siteinfo
        query: dict[str, Any] = {}
        for prop in p.get("siprop", "general").split("|"):
            if prop == "general":
                query["general"] = {**recorded["general"], "sitename": self.sitename, "time": self.now()}
            elif prop == "namespaces":
                query["namespaces"] = {
                    str(ns_id): self._namespace(raw, ns_id)
                    for raw in recorded["namespaces"].values()
                    for ns_id in [int(raw["id"])]
                }
            elif prop == "namespacealiases":
                query["namespacealiases"] = [
                    {"id": a["id"], "alias": a["*"]} for a in recorded["namespacealiases"]
                ]
            elif prop == "extensions":
                query["extensions"] = self._extensions()
            elif prop == "statistics":
                jobs = self.jobs.pop(0) if len(self.jobs) > 1 else self.jobs[0]
                edits = sum(len(page.revisions) for page in self.pages.values())
                query["statistics"] = {
                    "pages": len(self.pages), "articles": sum(1 for pg in self.pages.values() if pg.ns == 0),
                    "edits": edits, "images": 0, "users": len(self.accounts) + 1, "activeusers": 2,
                    "admins": 1, "jobs": jobs,
                }  # fmt: skip
            else:
                raise NotEmulated(f"siprop={prop}")
        return {"query": query}

    def _namespace(self, raw: Mapping[str, Any], ns_id: int) -> dict[str, Any]:
        """One namespace as formatversion 2 has it: ``name`` for ``*``, flags as booleans."""
        out: dict[str, Any] = {}
        for key, value in raw.items():
            if key == "*":
                out["name"] = self._namespaces()[ns_id][0]
            elif value == "" and key in ("content", "subpages", "nonincludable"):
                out[key] = True
            else:
                out[key] = value
        return out

    def _extensions(self) -> list[dict[str, Any]]:
        recorded = {e["name"]: e for e in self._recorded_siteinfo["extensions"]}
        if self.extensions is None:
            return list(recorded.values())
        return [recorded.get(n, {"type": "other", "name": n}) for n in self.extensions]

    # ------------------------------------------------------------------ reading pages

    def _titles(
        self, p: Mapping[str, str]
    ) -> tuple[list[dict[str, Any]], list[tuple[dict[str, Any], Page | None]]]:
        """The ``normalized`` list and, per distinct title, its page entry head and the page (or None)."""
        normalized: list[dict[str, Any]] = []
        out: list[tuple[dict[str, Any], Page | None]] = []
        seen: set[str] = set()
        for raw in p.get("titles", "").split("|"):
            try:
                ns, title = self._normalise(raw)
            except ApiFailure as exc:
                if raw not in seen:
                    seen.add(raw)
                    out.append(({"title": raw, "invalidreason": exc.info, "invalid": True}, None))
                continue
            if title != raw:
                normalized.append({"fromencoded": False, "from": raw, "to": title})
            if title in seen:
                continue
            seen.add(title)
            page = self.pages.get(title)
            if ns < 0:
                out.append(({"ns": ns, "title": title, "special": True}, None))
            elif page is None:
                out.append(({"ns": ns, "title": title, "missing": True}, None))
            else:
                out.append(({"pageid": page.pageid, "ns": page.ns, "title": page.title}, page))
        return normalized, out

    def _revisions(self, p: Mapping[str, str], session: Session) -> dict[str, Any]:
        _only(p, {"prop", "titles", "rvprop", "rvslots", "rvlimit", "rvuser", "rvcontinue"})
        props = set(p.get("rvprop", "ids|timestamp|flags|comment|user").split("|"))
        if "content" in props and p.get("rvslots") != "main":
            raise NotEmulated("content without rvslots=main (deprecated by MediaWiki)")
        normalized, found = self._titles(p)
        single = any(k in p for k in ("rvlimit", "rvuser", "rvcontinue"))
        if single and len(found) != 1:
            raise ApiFailure(
                "multpages",
                "titles, pageids or a generator was used to supply multiple pages, but the rvlimit, "
                "rvstartid, rvendid, rvdir=newer, rvuser, rvexcludeuser, rvstart, and rvend parameters "
                "may only be used on a single page.",
            )
        body: dict[str, Any] = {}
        pages = []
        for head, page in found:
            entry = dict(head)
            if page is not None:
                revs = [page.latest]
                if single:
                    revs, more = self._rev_window(page, p)
                    if more is not None:
                        body["continue"] = {"rvcontinue": more, "continue": "||"}
                entry["revisions"] = [self._rev(r, props) for r in revs]
            pages.append(entry)
        query: dict[str, Any] = {"pages": pages}
        if normalized:
            query = {"normalized": normalized, **query}
        if "continue" in body:
            return {"continue": body["continue"], "query": query}
        return {"query": query}

    def _rev_window(self, page: Page, p: Mapping[str, str]) -> tuple[list[Revision], str | None]:
        """The newest revisions of one page (by ``rvuser``), one answer's worth, and the continuation."""
        revs = [r for r in reversed(page.revisions) if "rvuser" not in p or r.user == p["rvuser"]]
        if "rvcontinue" in p:
            below = int(p["rvcontinue"].split("|")[1])
            revs = [r for r in revs if r.revid <= below]
        limit = self._limit(p.get("rvlimit", "1"))
        more = f"{_compact(revs[limit].timestamp)}|{revs[limit].revid}" if len(revs) > limit else None
        return revs[:limit], more

    @staticmethod
    def _rev(rev: Revision, props: set[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if "ids" in props:
            out.update(revid=rev.revid, parentid=rev.parentid)
        if "flags" in props:
            out["minor"] = rev.minor
        if "user" in props:
            out["user"] = rev.user
        if "timestamp" in props:
            out["timestamp"] = rev.timestamp
        if "comment" in props:
            out["comment"] = rev.comment
        if "size" in props:
            out["size"] = len(rev.text.encode())
        if "sha1" in props:
            out["sha1"] = hashlib.sha1(rev.text.encode()).hexdigest()
        if "content" in props:
            out["slots"] = {
                "main": {"contentmodel": "wikitext", "contentformat": "text/x-wiki", "content": rev.text}
            }
        unknown = props - {"ids", "flags", "user", "timestamp", "comment", "size", "sha1", "content"}
        if unknown:
            raise NotEmulated(f"rvprop {sorted(unknown)}")
        return out

    def _info(self, p: Mapping[str, str], session: Session) -> dict[str, Any]:
        _only(p, {"prop", "titles", "inprop"})
        extra = set(p.get("inprop", "").split("|")) - {""}
        if extra - {"url"}:
            raise NotEmulated(f"inprop {sorted(extra)}")
        normalized, found = self._titles(p)
        pages = []
        for head, page in found:
            entry = dict(head)
            if "invalid" not in head and "special" not in head:
                entry.update(contentmodel="wikitext", pagelanguage="de", pagelanguagehtmlcode="de",
                             pagelanguagedir="ltr")  # fmt: skip
            if page is not None:
                entry.update(
                    touched=page.touched, lastrevid=page.latest.revid, length=len(page.text.encode())
                )
                if _redirect_target(page.text):
                    entry["redirect"] = True
            if "url" in extra and "invalid" not in head:
                entry.update(self._urls(str(head["title"])))
            pages.append(entry)
        query: dict[str, Any] = {"pages": pages}
        return {"query": {"normalized": normalized, **query} if normalized else query}

    def _info_and_hashes(self, p: Mapping[str, str], session: Session) -> dict[str, Any]:
        """``prop=info|revisions&rvprop=ids|sha1``: each page's info entry with its latest revision's
        id and SHA-1 (what MediaWiki answers; no text)."""
        _only(p, {"prop", "titles", "rvprop"})
        if set(p.get("rvprop", "").split("|")) - {"ids", "sha1"}:
            raise NotEmulated(f"prop=info|revisions with rvprop={p.get('rvprop')}")
        info = self._info({"prop": "info", "titles": p["titles"]}, session)
        revs = self._revisions({"prop": "revisions", "titles": p["titles"], "rvprop": p["rvprop"]}, session)
        by_title = {e["title"]: e.get("revisions") for e in revs["query"]["pages"]}
        for entry in info["query"]["pages"]:
            if by_title.get(entry["title"]):
                entry["revisions"] = by_title[entry["title"]]
        return info

    def _census(self, p: Mapping[str, str], session: Session) -> dict[str, Any]:
        """``generator=allpages`` with ``prop=info|revisions``: the pages of one namespace (in the
        generator's order and limit, ``gapcontinue`` as MediaWiki sends it) with info and SHA-1."""
        _only(p, {"generator", "gapnamespace", "gaplimit", "gapcontinue", "prop", "rvprop"})
        asked = {
            "list": "allpages",
            "apnamespace": p.get("gapnamespace", "0"),
            "aplimit": p.get("gaplimit", "10"),
        }
        if "gapcontinue" in p:
            asked["apcontinue"] = p["gapcontinue"]
        listed = self._allpages(asked, session)
        titles = [e["title"] for e in listed["query"]["allpages"]]
        body: dict[str, Any] = {"batchcomplete": True}
        if titles:
            rest = {k: v for k, v in p.items() if k in ("prop", "rvprop")}
            body.update(self._info_and_hashes({**rest, "titles": "|".join(titles)}, session))
        if "continue" in listed:
            body["continue"] = {"gapcontinue": listed["continue"]["apcontinue"], "continue": "gapcontinue||"}
        return body

    @staticmethod
    def _urls(title: str) -> dict[str, str]:
        """``inprop=url``: the page's address under the wiki's article path (``/w/index.php/$1``)."""
        server = API_URL.rsplit("/w/", 1)[0]
        path = quote(title.replace(" ", "_"), safe=";@$!*(),/~:")
        full = f"{server}/w/index.php/{path}"
        edit = f"{server}/w/index.php?title={quote(title.replace(' ', '_'), safe=':/')}&action=edit"
        return {"fullurl": full, "editurl": edit, "canonicalurl": full}

    # ------------------------------------------------------------------ lists

    def _limit(self, raw: str, *, maximum: int | None = None) -> int:
        high = self.list_limit or maximum or 5000
        return high if raw == "max" else min(int(raw), high)

    def _page_of(
        self, entries: list[Any], limit: int, key: Callable[[Any], str], name: str
    ) -> tuple[list[Any], dict[str, str]]:
        """One answer's worth of ``entries`` and the ``continue`` object pointing at the rest."""
        if len(entries) <= limit:
            return entries, {}
        return entries[:limit], {name: key(entries[limit]), "continue": "-||"}

    def _allpages(self, p: Mapping[str, str], session: Session) -> dict[str, Any]:
        _only(p, {"list", "apnamespace", "apprefix", "aplimit", "apcontinue", "apfrom"})
        ns = int(p.get("apnamespace", "0"))
        prefix = p.get("apprefix", "").replace("_", " ")
        start = (p.get("apcontinue") or p.get("apfrom") or "").replace("_", " ")

        def local(page: Page) -> str:
            return page.title.split(":", 1)[1] if page.ns else page.title

        found = sorted(
            (pg for pg in self.pages.values() if pg.ns == ns and local(pg).startswith(prefix)),
            key=lambda pg: local(pg).replace(" ", "_").encode(),
        )
        found = [
            pg for pg in found if local(pg).replace(" ", "_").encode() >= start.replace(" ", "_").encode()
        ]
        shown, cont = self._page_of(
            found, self._limit(p.get("aplimit", "10")), lambda pg: local(pg).replace(" ", "_"), "apcontinue"
        )
        out: dict[str, Any] = {
            "query": {"allpages": [{"pageid": pg.pageid, "ns": pg.ns, "title": pg.title} for pg in shown]}
        }
        return {"continue": cont, **out} if cont else out

    def _two_lists(self, p: Mapping[str, str], session: Session) -> dict[str, Any]:
        """``list=embeddedin|allpages``: each module answers as it would alone, in one ``query``. A
        continuation of either is not emulated (MediaWiki's rules for continuing two lists)."""
        own = {"embeddedin": ("ei", self._embeddedin), "allpages": ("ap", self._allpages)}
        query: dict[str, Any] = {}
        for name, (prefix, handler) in own.items():
            mine = {k: v for k, v in p.items() if k.startswith(prefix)}
            answer = handler({"list": name, **mine}, session)
            if "continue" in answer:
                raise NotEmulated(f"continuing list=embeddedin|allpages: {p}")
            query.update(answer["query"])
        _only(p, {"list", *(k for k in p if k[:2] in ("ei", "ap"))})
        return {"query": query}

    def _transcludes(self, page: Page) -> set[str]:
        """Every title ``page`` transcludes, directly or through the templates it transcludes."""
        seen: set[str] = set()
        todo = [(page.text, False)]
        while todo:
            text, transcluded = todo.pop()
            for raw in _template_links(text, transcluded=transcluded):
                target = raw[1:] if raw.startswith(":") else raw
                if not raw.startswith(":") and ":" not in raw:
                    target = f"Template:{raw}"
                try:
                    _ns, title = self._normalise(target)
                except ApiFailure:
                    continue
                if title in seen:
                    continue
                seen.add(title)
                if title in self.pages:
                    todo.append((self.pages[title].text, True))
        return seen

    def _embeddedin(self, p: Mapping[str, str], session: Session) -> dict[str, Any]:
        _only(p, {"list", "eititle", "einamespace", "eilimit", "eicontinue"})
        _ns, target = self._normalise(p["eititle"])
        namespaces = {int(n) for n in p["einamespace"].split("|")} if p.get("einamespace") else None
        found = sorted(
            (pg for pg in self.pages.values()
             if (namespaces is None or pg.ns in namespaces) and target in self._transcludes(pg)),
            key=lambda pg: (pg.ns, pg.pageid),
        )  # fmt: skip
        if p.get("eicontinue"):
            ns_s, id_s = p["eicontinue"].split("|")
            found = [pg for pg in found if (pg.ns, pg.pageid) >= (int(ns_s), int(id_s))]
        limit = self._limit(p.get("eilimit", "10"))
        shown, cont = self._page_of(found, limit, lambda pg: f"{pg.ns}|{pg.pageid}", "eicontinue")
        out: dict[str, Any] = {
            "query": {"embeddedin": [{"pageid": pg.pageid, "ns": pg.ns, "title": pg.title} for pg in shown]}
        }
        return {"continue": cont, **out} if cont else out

    def _recentchanges(self, p: Mapping[str, str], session: Session) -> dict[str, Any]:
        _only(p, {"list", "rcdir", "rcstart", "rcend", "rclimit", "rctype", "rcprop", "rcnamespace", "rcshow",
                  "rccontinue"})  # fmt: skip
        newer = p.get("rcdir", "older") == "newer"
        types = set(p.get("rctype", "edit|new|log").split("|"))
        namespaces = {int(n) for n in p["rcnamespace"].split("|")} if p.get("rcnamespace") else None
        show = set(p.get("rcshow", "").split("|")) - {""}
        if show - {"bot", "!bot", "minor", "!minor"}:
            raise NotEmulated(f"rcshow {sorted(show)}")
        rows = [
            c for c in self.changes
            if c.type in types and (namespaces is None or c.ns in namespaces)
            and ("bot" not in show or c.bot) and ("!bot" not in show or not c.bot)
            and ("minor" not in show or c.minor) and ("!minor" not in show or not c.minor)
        ]  # fmt: skip
        rows.sort(key=lambda c: (c.timestamp, c.rcid), reverse=not newer)
        first, last = p.get("rcstart"), p.get("rcend")
        if first:
            bound = iso(parse_iso(first))
            rows = [c for c in rows if (c.timestamp >= bound if newer else c.timestamp <= bound)]
        if last:
            bound = iso(parse_iso(last))
            rows = [c for c in rows if (c.timestamp <= bound if newer else c.timestamp >= bound)]
        if p.get("rccontinue"):
            ts_s, id_s = p["rccontinue"].split("|")
            mark = (iso(parse_iso(ts_s)), int(id_s))
            rows = [
                c for c in rows if ((c.timestamp, c.rcid) >= mark if newer else (c.timestamp, c.rcid) <= mark)
            ]
        limit = self._limit(p.get("rclimit", "10"))
        shown, cont = self._page_of(rows, limit, lambda c: f"{_compact(c.timestamp)}|{c.rcid}", "rccontinue")
        props = set(p.get("rcprop", "title|timestamp|ids").split("|"))
        out: dict[str, Any] = {"query": {"recentchanges": [self._change(c, props) for c in shown]}}
        if p.get("rclimit") == "max":
            out = {"limits": {"recentchanges": limit}, **out}
        return {"continue": cont, **out} if cont else out

    @staticmethod
    def _change(c: Change, props: set[str]) -> dict[str, Any]:
        out: dict[str, Any] = {"type": c.type}
        if "title" in props:
            out.update(ns=c.ns, title=c.title)
        if "ids" in props:
            out.update(pageid=c.pageid, revid=c.revid, old_revid=c.old_revid, rcid=c.rcid)
        if "user" in props:
            out["user"] = c.user
        if "flags" in props:
            out.update(bot=c.bot, new=c.new, minor=c.minor)
        if "sizes" in props:
            out.update(oldlen=c.oldlen, newlen=c.newlen)
        if "timestamp" in props:
            out["timestamp"] = c.timestamp
        if "comment" in props:
            out["comment"] = c.comment
        if "loginfo" in props and c.log is not None:
            out.update(logid=c.log.logid, logtype=c.log.type, logaction=c.log.action, logparams=c.log.params)
        unknown = props - {"title", "ids", "user", "flags", "sizes", "timestamp", "comment", "loginfo"}
        if unknown:
            raise NotEmulated(f"rcprop {sorted(unknown)}")
        return out

    def _logevents(self, p: Mapping[str, str], session: Session) -> dict[str, Any]:
        _only(p, {"list", "letitle", "letype", "leprop", "lelimit", "lecontinue"})
        title = self._normalise(p["letitle"])[1] if p.get("letitle") else None
        rows = [
            e
            for e in reversed(self.log)
            if (title is None or e.title == title) and ("letype" not in p or e.type == p["letype"])
        ]
        if p.get("lecontinue"):
            ts_s, id_s = p["lecontinue"].split("|")
            mark = (iso(parse_iso(ts_s)), int(id_s))
            rows = [e for e in rows if (e.timestamp, e.logid) <= mark]
        shown, cont = self._page_of(rows, self._limit(p.get("lelimit", "10")),
                                    lambda e: f"{_compact(e.timestamp)}|{e.logid}", "lecontinue")  # fmt: skip
        props = set(p.get("leprop", "ids|title|type|user|timestamp|comment|details").split("|"))
        unknown = props - {"ids", "title", "type", "user", "timestamp", "comment", "details"}
        if unknown:
            raise NotEmulated(f"leprop {sorted(unknown)}")
        entries = []
        for e in shown:
            out: dict[str, Any] = {}
            if "ids" in props:
                out.update(logid=e.logid, pageid=e.pageid, logpage=e.pageid)
            if "title" in props:
                out.update(ns=e.ns, title=e.title)
            if "type" in props:
                out.update(type=e.type, action=e.action)
            if "user" in props:
                out["user"] = e.user
            if "timestamp" in props:
                out["timestamp"] = e.timestamp
            if "comment" in props:
                out["comment"] = e.comment
            if "details" in props:
                out["params"] = e.params
            entries.append(out)
        body: dict[str, Any] = {"query": {"logevents": entries}}
        return {"continue": cont, **body} if cont else body

    # ------------------------------------------------------------------ writing

    def _edit(self, call: Call, session: Session) -> dict[str, Any]:
        p = call.params
        _only(p, {"title", "text", "summary", "bot", "minor", "nocreate", "createonly", "baserevid",
                  "basetimestamp", "starttimestamp", "token"})  # fmt: skip
        self._check_csrf(p, session)
        ns, title = self._normalise(p["title"])
        if ns < 0:
            raise ApiFailure("invalidtitle", f'Bad title "{p["title"]}".')
        queued = self._meanwhile.get(title)
        if queued:  # one save per edit request: several make a conflict that persists
            later = queued.pop(0)
            self.edit_as(title, later.text, later.user, summary=later.summary)
        page = self.pages.get(title)
        if page is not None and p.get("createonly"):
            raise ApiFailure("articleexists", "The article you tried to create has been created already.")
        if page is None and p.get("nocreate"):
            raise ApiFailure("missingtitle", "The page you specified doesn't exist.")
        if title in self.refusals:
            raise ApiFailure(*self.refusals[title])
        if page is None and p.get("starttimestamp") and self._deleted_since(title, p["starttimestamp"]):
            raise ApiFailure("pagedeleted", "The page has been deleted since you fetched its timestamp.")
        user = session.user or "127.0.0.1"
        if page is not None and self._conflicts(page, p, user):
            raise ApiFailure("editconflict", "Edit conflict.")
        text = p.get("text")
        if text is None:
            raise NotEmulated("action=edit without text= (appendtext, undo ...)")
        result: dict[str, Any] = {"result": "Success"}
        if page is not None and page.text == saved_form(text):
            result.update(pageid=page.pageid, title=title, contentmodel="wikitext", nochange=True)
            return {"edit": result}
        account = self._account(session)
        bot = bool(p.get("bot")) and account is not None and "bot" in account.rights
        old = page.latest.revid if page is not None else 0
        rev = self._save(ns, title, text, user, p.get("summary", ""), minor=bool(p.get("minor")), bot=bot)
        if page is None:
            result["new"] = True
        result.update(pageid=self.pages[title].pageid, title=title, contentmodel="wikitext", oldrevid=old,
                      newrevid=rev.revid, newtimestamp=rev.timestamp)  # fmt: skip
        call.saved_by, call.saved_title = user, title
        return {"edit": result}

    def _import(self, call: Call, session: Session) -> dict[str, Any]:
        """``action=import`` of an uploaded export document, as MediaWiki 1.39 does it for a wiki user:
        each ``<revision>`` stored as sent (no save rules: an import runs no pre-save transform) under
        its own timestamp, attributed to its ``<username>`` -- a user the wiki knows keeps the name with
        ``assignknownusers``, others get ``<interwikiprefix>>`` -- then, for a page that got a revision,
        a null revision by the importer and an ``import/upload`` log entry. A revision whose page
        already has one with the same timestamp and SHA-1 is skipped (a resent request). Invalid titles
        are skipped, as the wiki does (with a notice, not an error)."""
        p = call.params
        _only(p, {"interwikiprefix", "assignknownusers", "summary", "token", "xml"})
        self._check_csrf(p, session)
        account = self._account(session)
        if account is None or "importupload" not in account.rights:
            raise ApiFailure("cantimport-upload", "You don't have permission to import uploaded pages.")
        if not p.get("interwikiprefix"):
            raise ApiFailure("missingparam", 'The "interwikiprefix" parameter must be set.')
        if "xml" not in call.files:
            raise NotEmulated("action=import without an uploaded xml file (interwiki imports)")
        known = {a.user for a in self.accounts.values()} if p.get("assignknownusers") else set()
        ns_ = {"mw": EXPORT_NS}
        summary = p.get("summary", "")
        out = []
        for node in ET.fromstring(call.files["xml"]).findall("mw:page", ns_):
            try:
                ns, title = self._normalise(node.findtext("mw:title", "", ns_))
            except ApiFailure:
                continue
            imported = 0
            for rev in node.findall("mw:revision", ns_):
                text = rev.findtext("mw:text", "", ns_)
                stamp = rev.findtext("mw:timestamp", "", ns_) or self._tick()
                sha1 = rev.findtext("mw:sha1", None, ns_)
                page = self.pages.get(title)
                if (
                    page is not None
                    and sha1
                    and any(r.timestamp == stamp and sha1_base36(r.text) == sha1 for r in page.revisions)
                ):
                    continue
                name = rev.findtext("mw:contributor/mw:username", "", ns_)
                user = name if name in known else f"{p['interwikiprefix']}>{name}"
                if page is None:
                    page = self.pages[title] = Page(self._next("page"), ns, title)
                parent = page.revisions[-1].revid if page.revisions else 0
                page.revisions.append(
                    Revision(
                        self._next("rev"), parent, user, stamp, text, rev.findtext("mw:comment", "", ns_)
                    )
                )
                imported += 1
            if imported:
                page = self.pages[title]
                note = f"{imported} Version{'en' if imported > 1 else ''} importiert"
                null = Revision(self._next("rev"), page.latest.revid, account.user, self._tick(), page.text,
                                f"{note}: {summary}" if summary else note, minor=True)  # fmt: skip
                page.revisions.append(null)
                page.touched = null.timestamp
                self._log(
                    "import", "upload", ns, title, page.pageid, account.user, summary, {"count": imported}
                )
            out.append({"ns": ns, "title": title, "revisions": imported})
        return {"import": out}

    def _check_csrf(self, p: Mapping[str, str], session: Session) -> None:
        if not p.get("token"):
            raise ApiFailure("missingparam", 'The "token" parameter must be set.')
        if session.csrf_token is None or p["token"] != session.csrf_token:
            raise ApiFailure("badtoken", "Invalid CSRF token.")

    def _deleted_since(self, title: str, start: str) -> bool:
        bound = iso(parse_iso(start))
        return any(
            e.title == title and e.type in ("delete", "move") and e.timestamp > bound for e in self.log
        )

    @staticmethod
    def _conflicts(page: Page, p: Mapping[str, str], user: str) -> bool:
        """MediaWiki's rule without the merge: someone else saved after the revision the edit is based on."""
        if p.get("baserevid"):
            base = int(p["baserevid"])
            ids = [r.revid for r in page.revisions]
            if base not in ids:
                raise ApiFailure("nosuchrevid", f"There is no revision with ID {base}.")
            later = page.revisions[ids.index(base) + 1 :]
        elif p.get("basetimestamp"):
            bound = iso(parse_iso(p["basetimestamp"]))
            later = [r for r in page.revisions if r.timestamp > bound]
        else:
            return False
        return any(r.user != user for r in later)

    def _move_request(self, call: Call, session: Session) -> dict[str, Any]:
        """``action=move`` (``from``, ``to``, ``reason``, ``noredirect``, ``movetalk`` while there is no talk
        page to move; no subpages)."""
        p = call.params
        _only(p, {"from", "to", "reason", "noredirect", "ignorewarnings", "movetalk", "token"})
        self._check_csrf(p, session)
        ns, title = self._normalise(p["from"])
        target_ns, target = self._normalise(p["to"])
        if title == target:
            raise ApiFailure("selfmove", "The title is the same; cannot move a page over itself.")
        if title not in self.pages:
            raise ApiFailure("missingtitle", "The page you specified doesn't exist.")
        if p.get("movetalk") and ns % 2 == 0 and self._talk_of(ns, title) in self.pages:
            raise NotEmulated(f"movetalk with an existing talk page of {title}")
        if title in self.refusals:
            raise ApiFailure(*self.refusals[title])
        existing = self.pages.get(target)
        if existing is not None and not (
            len(existing.revisions) == 1 and _redirect_target(existing.text) == title
        ):
            raise ApiFailure(
                "articleexists",
                "A page of that name already exists, or the name you have chosen is not valid. "
                "Please choose another name.",
            )
        account = self._account(session)
        if p.get("noredirect") and (account is None or "suppressredirect" not in account.rights):
            raise NotEmulated("noredirect without the suppressredirect right")
        user = session.user or "127.0.0.1"
        reason = p.get("reason", "")
        over = self._move(ns, title, target_ns, target, user, reason, redirect=not p.get("noredirect"))
        call.saved_by, call.saved_title = user, target
        result: dict[str, Any] = {"from": title, "to": target, "reason": reason}
        result["redirectcreated"] = not p.get("noredirect")
        result["moveoverredirect"] = over
        return {"move": result}

    def _talk_of(self, ns: int, title: str) -> str:
        """The title of the talk page of ``title`` (in a subject namespace ``ns``)."""
        name = title.split(":", 1)[1] if ns else title
        return f"{self._namespaces()[ns + 1][0]}:{name}"

    def _resolve_redirects(self, p: Mapping[str, str]) -> dict[str, Any]:
        """``action=query&titles=...&redirects=1`` without a module: ``redirects`` (each hop, as the
        wiki follows a chain until it ends or loops) and the pages where the chains end."""
        _only(p, {"titles", "redirects"})
        normalized, found = self._titles(p)
        hops: list[dict[str, Any]] = []
        pages: list[dict[str, Any]] = []
        for head, page in found:
            seen = {str(head["title"])}
            while page is not None and (raw := _redirect_target(page.text)) is not None:
                try:
                    ns, target = self._normalise(raw)
                except ApiFailure:
                    break
                if {"from": page.title, "to": target} not in hops:
                    hops.append({"from": page.title, "to": target})
                if target in seen:
                    break
                seen.add(target)
                page = self.pages.get(target)
                head = {"ns": ns, "title": target, "missing": True}
                if page is not None:
                    head = {"pageid": page.pageid, "ns": page.ns, "title": page.title}
            if head not in pages:
                pages.append(head)
        query: dict[str, Any] = {"pages": pages}
        if hops:
            query = {"redirects": hops, **query}
        return {"query": {"normalized": normalized, **query} if normalized else query}

    def _purge(self, p: Mapping[str, str]) -> dict[str, Any]:
        _only(p, {"titles", "forcelinkupdate"})
        normalized, found = self._titles(p)
        entries = []
        for head, page in found:
            entry = {k: v for k, v in head.items() if k != "pageid"}
            if page is not None:
                page.touched = self._tick()
                entry["purged"] = True
                if p.get("forcelinkupdate"):
                    entry["linkupdate"] = True
            entries.append(entry)
        body: dict[str, Any] = {"purge": entries}
        return (
            {"batchcomplete": True, "normalized": normalized, **body}
            if normalized
            else {"batchcomplete": True, **body}
        )


def _redirect_target(text: str) -> str | None:
    """The raw target of a redirect page (``#WEITERLEITUNG [[X]]`` or ``#REDIRECT [[X]]``), else None."""
    match = re.match(r"\s*#(?:REDIRECT|WEITERLEITUNG)\s*:?\s*\[\[([^\]|#]+)", text, flags=re.I)
    return " ".join(match.group(1).replace("_", " ").split()) if match else None


def _form_of(request: Any) -> tuple[dict[str, str], dict[str, bytes]]:
    """The request's parameters and, for a multipart/form-data POST, its uploaded files."""
    kind = request.headers.get("Content-Type", "")
    if not kind.startswith("multipart/form-data"):
        return fx.params_of(request), {}
    raw = request.body if isinstance(request.body, bytes) else request.body.encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {kind}\r\n\r\n".encode() + raw
    )
    params: dict[str, str] = {}
    files: dict[str, bytes] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        content = part.get_payload(decode=True) or b""
        if part.get_filename() is not None:
            files[str(name)] = content
            params[str(name)] = ""  # present, as MediaWiki sees an upload parameter
        else:
            params[str(name)] = content.decode("utf-8")
    return params, files


def _only(p: Mapping[str, str], allowed: set[str]) -> None:
    """Refuse parameters the fake would silently ignore: a test must not pass on a misread request."""
    unknown = set(p) - COMMON_PARAMS - allowed - {"list", "prop", "meta"}
    if unknown:
        raise NotEmulated(f"parameters {sorted(unknown)} are not emulated for {dict(p)}")
