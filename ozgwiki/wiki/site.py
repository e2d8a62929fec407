"""The site client: **the only code that talks to a wiki.**

Every request goes through :meth:`Site.api`, which adds ``format=json``, ``formatversion=2``,
``maxlag`` and (once logged in) ``assert=user``, retries transient refusals with the policy from
:mod:`ozgwiki.wiki.retry`, logs in again once when the session is lost, refreshes the token once on
``badtoken``, refuses every write in dry-run mode, and turns everything else into the project's
errors. Every save goes through :meth:`Site.edit`, the one choke point that holds the no-change check,
conflict handling, dry-run diffs and the counters; every page move through :meth:`Site.move`, which
holds the same dry-run refusal and counters and never moves onto an existing page. Bots build no
queries: they read through :meth:`Site.read_pages` and the named listings (``allpages``,
``embeddedin``, ``pages_info``, ``page_urls``, ``redirect_targets``, ``revisions``, ``logevents``,
``recentchanges``, ``newest_change``, ``site_statistics``), which follow continuation here and hand
back the types of :mod:`ozgwiki.wiki.listings`.

The HTTP layer (parameters, retries, error mapping) is :mod:`ozgwiki.wiki.transport`; mwclient serves
only as the session and cookie holder there: its own API calls send no ``maxlag``, its sleepers can
wait for hours, and it does not log in again after a lost session.

Raises (besides ``ValueError`` for programming errors)::

    LoginError            wrong bot password, session lost again right after a re-login, write without login
    WikiUnreachable       network, timeouts, 5xx, HTML instead of JSON (after the retries); other HTTP errors
    RetryBudgetExceeded   maxlag / ratelimited / readonly outlasted the budget
    DryRunWriteBlocked    a write action reached api() in dry-run mode
    ApiError              any other API error (SMW query errors have code None)
    (write_guard's own)   whatever the optional write guard raises to refuse a write (BotStopped, ...)
"""

from __future__ import annotations

import logging
import random as _random
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import IO, Any

import requests

from ozgwiki.config import Config, WikiConfig
from ozgwiki.errors import ApiError, DryRunWriteBlocked, LoginError, WikiError
from ozgwiki.wiki import listings
from ozgwiki.wiki.listings import PageInfo, Revision
from ozgwiki.wiki.pages import (
    LinkTarget,
    MoveResult,
    Outcome,
    PageState,
    ParsedPage,
    SaveResult,
    page_state_from_api,
    same_after_save,
    unified_diff,
)
from ozgwiki.wiki.retry import RetryPolicy
from ozgwiki.wiki.siteinfo import SiteInfo, UserInfo, flag, name_of
from ozgwiki.wiki.stats import SiteStats
from ozgwiki.wiki.transport import Transport, Upload

log = logging.getLogger(__name__)

#: Actions that change the wiki. api() refuses them in dry-run mode and without a login.
WRITE_ACTIONS = frozenset(
    {
        "edit", "move", "delete", "undelete", "purge", "upload", "filerevert", "protect", "rollback",
        "import", "patrol", "review", "stabilize", "setpagelanguage", "changecontentmodel",
        "mergehistory", "managetags", "tag", "revisiondelete", "pfautoedit", "block", "unblock",
        "userrights", "emailuser", "createaccount", "options", "watch", "clearhasmsg",
    }
)  # fmt: skip
#: The session was lost: log in once more, then fail.
SESSION_LOST = frozenset({"assertuserfailed", "assertbotfailed"})
#: The page changed (or appeared / vanished) between our read and our save: re-read and re-apply.
CONFLICT_CODES = frozenset({"editconflict", "articleexists", "missingtitle", "pagedeleted"})
#: A move's target holds a page (``redirectexists``: a redirect elsewhere, or one with history): the
#: move is reported, never forced -- the wiki would have to delete that page first.
MOVE_CONFLICT_CODES = frozenset({"articleexists", "redirectexists"})
#: Edit errors that are not about one page: the run must stop instead of counting them per page.
FATAL_EDIT_CODES = (
    frozenset(
        {"badtoken", "blocked", "autoblocked", "writeapidenied", "readonly", "mwoauth-invalidauthorization"}
    )
    | SESSION_LOST
)
#: MediaWiki 1.39 counts rate limits in a sliding window of 30 buckets (WRStatsRateLimiter): after
#: the window and one more bucket, every earlier hit has left it.
RATE_LIMIT_BUCKETS = 30
DEFAULT_MAX_CONFLICT_RETRIES = 3
# MediaWiki's limits for multi-value parameters such as titles=: normal, and with apihighlimits.
TITLE_LIMITS = (50, 500)
#: What :meth:`Site.recentchanges` asks about each change unless told otherwise (``rcprop``).
RC_PROPS = "title|ids|sizes|flags|user|timestamp|comment"


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _joined(values: Iterable[int | str]) -> str:
    """A multi-value API parameter (namespaces ``0|10``)."""
    return "|".join(str(v) for v in values)


#: What the client asks of ``meta=siteinfo``: names, namespaces with aliases, extensions.
SIPROP = "general|namespaces|namespacealiases|extensions"


class Site:
    """A session with one wiki. See the module docstring for what it guarantees."""

    def __init__(
        self,
        wiki: WikiConfig,
        *,
        dry_run: bool = False,
        diff_out: IO[str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        random: Callable[[], float] = _random.random,
        max_conflict_retries: int = DEFAULT_MAX_CONFLICT_RETRIES,
        write_guard: Callable[[str], None] | None = None,
    ) -> None:
        self.wiki = wiki
        #: Called with the action name before every write request is sent; it raises to refuse the
        #: write (the on-wiki emergency switch of ``ozgwiki run``, see :mod:`ozgwiki.engine.switch`). Here,
        #: in api(), no code path can write around it. It must only read, never write.
        self.write_guard = write_guard
        self.api_url = wiki.api_url
        self.dry_run = dry_run
        self.diff_out = diff_out
        self.max_conflict_retries = max_conflict_retries
        self.retry = RetryPolicy.from_config(wiki.retry, sleep=sleep, clock=clock, random=random)
        self.stats = SiteStats(dry_run=dry_run)
        self.transport = Transport(wiki, self.retry, self.stats)
        self.transport.wait_hint = self._wait_hint
        self.mw = self.transport.mw
        self.session: requests.Session = self.transport.session
        self.logged_in = False
        self._tokens: dict[str, str] = {}
        self._siteinfo: SiteInfo | None = None
        self._userinfo: UserInfo | None = None
        self._title_limits: tuple[int, int] | None = None
        # The account's rate limits (meta=userinfo&uiprop=ratelimits), read at the first 'ratelimited'.
        self._ratelimits: Mapping[str, Any] | None = None

    @classmethod
    def from_config(cls, config: Config, *, dry_run: bool = False, diff_out: IO[str] | None = None) -> Site:
        """The usual way in: a Site for the configured wiki."""
        return cls(config.wiki, dry_run=dry_run, diff_out=diff_out)

    def __repr__(self) -> str:
        return (
            f"Site({self.api_url!r}, user={self.wiki.username!r}, logged_in={self.logged_in}, "
            f"dry_run={self.dry_run})"
        )

    # ------------------------------------------------------------------ requests

    def api(self, action: str, *, method: str = "GET", **params: Any) -> dict[str, Any]:
        """Send one API request and return the decoded answer (see the module docstring)."""
        if action in WRITE_ACTIONS:
            if self.dry_run:
                raise DryRunWriteBlocked(f"dry-run: refused to send action={action} to {self.api_url}")
            if not self.logged_in:
                raise LoginError(f"action={action} needs a login at {self.api_url}; call login() first")
            if self.write_guard is not None:
                self.write_guard(action)
            method = "POST"
        relogged = refreshed = False
        while True:
            try:
                return self._send(action, method, params)
            except ApiError as exc:
                if exc.code in SESSION_LOST and self.logged_in:
                    if relogged:
                        raise LoginError(
                            f"session of {self.wiki.username} at {self.api_url} lost again right after "
                            f"logging in ({exc.code})"
                        ) from None
                    relogged = True
                    log.warning("session lost (%s); logging in again as %s", exc.code, self.wiki.username)
                    self.stats.relogins += 1
                    self._login()
                    if "token" in params:
                        params = {**params, "token": self.token(refresh=True)}
                    continue
                if exc.code == "badtoken" and "token" in params and not refreshed:
                    refreshed = True
                    log.info("token rejected; fetching a new one")
                    self.stats.token_refreshes += 1
                    params = {**params, "token": self.token(refresh=True)}
                    continue
                raise

    def _send(self, action: str, method: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """One logical request with retries; no session or token recovery (that is api()'s job)."""
        return self.transport.send(action, method, params, assert_user=self.logged_in)

    # ------------------------------------------------------------------ session

    def login(self) -> UserInfo:
        """Log in with the bot password and return who we are now."""
        self._login()
        return self.userinfo

    def _login(self) -> None:
        user = self.wiki.username
        self.logged_in = False
        self._tokens.clear()
        self._userinfo = None
        self._ratelimits = None
        tokens = self._send("query", "GET", {"meta": "tokens", "type": "login"})["query"]["tokens"]
        token = tokens["logintoken"]
        secret = self.wiki.password()
        body = self._send("login", "POST", {"lgname": user, "lgpassword": secret, "lgtoken": token})
        result = body.get("login", {})
        if result.get("result") != "Success":
            reason = str(result.get("reason") or result.get("result") or "no reason given")
            reason = reason.replace(secret, "***")
            raise LoginError(
                f"login as {user} at {self.api_url} failed: {reason} "
                f"(check wiki.username 'User@BotName' and the bot password in ${self.wiki.password_env} "
                "or wiki.password_file)"
            )
        self.logged_in = True
        log.info("logged in as %s at %s", result.get("lgusername", user), self.api_url)

    def _wait_hint(self, reason: str, action: str) -> float | None:
        """Seconds to wait before repeating an ``action`` the wiki refused as ``ratelimited``.

        MediaWiki sends no ``Retry-After`` with ``ratelimited``, and after a burst (MediaWiki's default
        for the bot group: 90 edits a minute) a backoff of 1, 2, 4, 8, 16 s gives up before the window
        has moved on. The account's own limits (``meta=userinfo&uiprop=ratelimits``, read once, without
        retries) say how long the window is; after it and one of its 30 buckets every earlier hit has
        left it. None -- plain backoff -- when the wiki does not tell.
        """
        if reason != "ratelimited":
            return None
        if self._ratelimits is None:
            try:
                body = self.transport.send(
                    "query", "GET", {"meta": "userinfo", "uiprop": "ratelimits"},
                    assert_user=self.logged_in, retry=False,
                )  # fmt: skip
                limits = body["query"]["userinfo"].get("ratelimits", {})
            except (WikiError, KeyError, TypeError, AttributeError) as exc:
                log.info("could not read the rate limits (%s); backing off instead", exc)
                return None
            self._ratelimits = limits if isinstance(limits, Mapping) else {}
        # The limiter of the same name ($wgRateLimits['edit'] for action=edit), per group or per user.
        entries = self._ratelimits.get(action)
        windows: list[float] = []
        for entry in entries.values() if isinstance(entries, Mapping) else ():
            try:
                windows.append(float(entry["seconds"]))
            except (KeyError, TypeError, ValueError):
                continue
        if not windows:
            return None
        window = max(windows)
        return window + window / RATE_LIMIT_BUCKETS

    def token(self, kind: str = "csrf", *, refresh: bool = False) -> str:
        """A token of ``kind``, cached until ``refresh`` or the next login."""
        if refresh or kind not in self._tokens:
            body = self.api("query", meta="tokens", type=kind)
            self._tokens[kind] = body["query"]["tokens"][f"{kind}token"]
        return self._tokens[kind]

    @property
    def siteinfo(self) -> SiteInfo:
        """General info, localised namespaces with aliases, extensions (cached for the session)."""
        if self._siteinfo is None:
            body = self.api("query", meta="siteinfo", siprop=SIPROP)
            self._siteinfo = SiteInfo.from_query(body["query"])
        return self._siteinfo

    @property
    def userinfo(self) -> UserInfo:
        """Name, groups and rights of the session (cached until the next login)."""
        if self._userinfo is None:
            body = self.api("query", meta="userinfo", uiprop="rights|groups")
            self._userinfo = UserInfo.from_query(body["query"])
        return self._userinfo

    @property
    def batch_size(self) -> int:
        """Titles per request: the API's high limit with ``apihighlimits``, else its normal limit.

        MediaWiki fixes both for every multi-value parameter (50 and 500, ``ApiBase::LIMIT_SML1/2``;
        the API help says so for ``titles``), so no run spends a request on ``action=paraminfo``."""
        low, high = self._title_limits or TITLE_LIMITS
        return high if self.userinfo.apihighlimits else low

    # ------------------------------------------------------------------ reading

    def query(self, **params: Any) -> Iterator[dict[str, Any]]:
        """``action=query`` following ``continue`` until the wiki says it is complete."""
        cont: dict[str, Any] = {}
        seen: set[tuple[tuple[str, str], ...]] = set()
        while True:
            body = self.api("query", **params, **cont)
            yield body
            nxt = body.get("continue")
            if not nxt:
                return
            key = tuple(sorted((str(k), str(v)) for k, v in nxt.items()))
            if key in seen:
                raise WikiError(f"{self.api_url}: the wiki repeated continue={nxt}; stopping")
            seen.add(key)
            cont = dict(nxt)

    def read_pages(self, titles: Iterable[str]) -> dict[str, PageState]:
        """Read the current text of pages, keyed by the *requested* title.

        Missing pages come back with ``exists=False`` and ``text=""``; invalid titles (bad characters,
        interwiki, special pages) with ``invalid`` set to the reason -- they are reported, not raised,
        so one bad catalogue entry does not stop a batch.
        """
        requested = list(dict.fromkeys(titles))
        out: dict[str, PageState] = {}
        valid: list[str] = []
        for t in requested:
            if not t.strip() or "|" in t:
                out[t] = PageState(title=t, exists=False, invalid="leerer Titel oder '|' im Titel")
            else:
                valid.append(t)
        if valid:
            size = self.batch_size
            for batch in _chunks(valid, size):
                out.update(self._read_batch(batch))
        return {t: out[t] for t in requested}

    def _read_batch(self, batch: list[str]) -> dict[str, PageState]:
        mapping: dict[str, str] = {}
        pages: dict[str, dict[str, Any]] = {}
        interwiki: set[str] = set()
        start: str | None = None
        for body in self.query(
            prop="revisions", titles="|".join(batch), rvprop="ids|timestamp|content|user",
            rvslots="main", curtimestamp=True,
        ):  # fmt: skip
            start = start or body.get("curtimestamp")
            q = body.get("query", {})
            for entry in q.get("normalized", []) + q.get("converted", []):
                mapping[entry["from"]] = entry["to"]
            interwiki.update(e["title"] for e in q.get("interwiki", []))
            raw = q.get("pages", [])
            for page in raw.values() if isinstance(raw, Mapping) else raw:
                known = pages.setdefault(page["title"], {})
                known.update({k: v for k, v in page.items() if k != "revisions" or v})
        result: dict[str, PageState] = {}
        for t in batch:
            final, hops = t, 0
            while final in mapping and hops < 5:
                final, hops = mapping[final], hops + 1
            page = pages.get(final)
            if final in interwiki or page is None:
                result[t] = PageState(title=final, exists=False, invalid="Interwiki- oder unbekannter Titel")
            else:
                result[t] = page_state_from_api(page, start)
        return result

    # ------------------------------------------------------------------ the save choke point

    def edit(
        self,
        title: str,
        transform: Callable[[str], str | None],
        summary: str | Callable[[str], str],
        *,
        page: PageState | None = None,
        minor: bool = False,
        on_base: Callable[[PageState], None] | None = None,
    ) -> SaveResult:
        """Apply the pure ``transform`` to a page and save the result if it really changes the page.

        ``transform`` gets the current text ("" for a missing page) and returns the new text or None
        ("leave it alone"). ``summary`` may be a function of the text the transform was applied to, so
        a summary that names what changed stays right after a conflict re-read. On a conflict the page
        is re-read and ``transform`` re-applied, at most ``max_conflict_retries`` times; then the page
        is reported as a conflict and never overwritten. ``on_base`` is called with each read state just
        before ``transform`` is applied to it: its last call names the text and revision the result is
        based on (the sync engine reports them, so a bot need not remember what its transform saw).
        Per-page refusals (protection, spam and abuse filters, ...) become an ``error`` outcome; errors
        that concern the whole run (lost login, unreachable wiki, budget) propagate.
        """
        if isinstance(summary, str) and not summary.strip():
            raise ValueError("an edit needs a summary")
        state = page if page is not None else self.read_pages([title])[title]
        existed = state.exists
        # The page existed at one of our reads: if it is gone at a later one, someone deleted (or
        # moved) it while we edited, and the bot does not recreate it behind their back.
        seen_existing = state.exists
        last_conflict = ""
        # Text of a save whose answer was lost (the transport had to send it again): the wiki may have
        # stored it, so a later "already there" is our own edit, not someone else's.
        maybe_saved: str | None = None
        for attempt in range(1, self.max_conflict_retries + 2):
            if state.invalid:
                return self._done(title, Outcome.ERROR, message=f"ungültiger Titel: {state.invalid}")
            if on_base is not None:
                on_base(state)
            new = transform(state.text)
            if new is None:
                return self._done(title, Outcome.SKIPPED, revid=state.revid, attempts=attempt)
            if same_after_save(state.text, new):
                if self._stored_by_lost_save(state, new, maybe_saved):
                    outcome = Outcome.CHANGED if existed else Outcome.CREATED
                    return self._done(title, outcome, revid=state.revid, attempts=attempt)
                return self._done(title, Outcome.UNCHANGED, revid=state.revid, attempts=attempt)
            if self.dry_run:
                diff = unified_diff(state.title, state.text, new)
                (self.diff_out or sys.stdout).write(diff)
                outcome = Outcome.CHANGED if state.exists else Outcome.CREATED
                return self._done(title, outcome, revid=state.revid, diff=diff, attempts=attempt)
            text_summary = summary(state.text) if callable(summary) else summary
            if not text_summary.strip():
                raise ValueError("an edit needs a summary")
            retries_before = self.stats.retries
            try:
                body = self._save(state, new, text_summary, minor)
            except ApiError as exc:
                if self.stats.retries > retries_before:
                    maybe_saved = new
                if exc.code in CONFLICT_CODES:
                    last_conflict = f"{exc.code}: {exc.info}"
                    log.info("%s: %s on attempt %d; reading again", title, exc.code, attempt)
                    state = self.read_pages([title])[title]
                    vanished = not state.exists and not state.invalid
                    if vanished and (seen_existing or exc.code == "pagedeleted"):
                        # MediaWiki itself asks a person before recreating a page deleted since they
                        # began to edit (wpRecreate); a bot has nobody to ask. The next run reads the
                        # page as missing and decides afresh.
                        log.warning("%s: deleted or moved after it was read; not recreated", title)
                        return self._done(
                            title, Outcome.CONFLICT, attempts=attempt,
                            message="gelöscht oder verschoben, nachdem der Bot die Seite gelesen hatte; "
                            f"nicht neu angelegt ({last_conflict})",
                        )  # fmt: skip
                    seen_existing = seen_existing or state.exists
                    continue
                if exc.code in FATAL_EDIT_CODES:
                    raise
                log.warning("%s: not saved: %s: %s", title, exc.code, exc.info)
                return self._done(title, Outcome.ERROR, message=f"{exc.code}: {exc.info}", attempts=attempt)
            result = body.get("edit", {})
            if result.get("result") != "Success":
                return self._done(title, Outcome.ERROR, message=f"edit refused: {result}", attempts=attempt)
            if flag(result, "nochange"):
                if self.stats.retries > retries_before:
                    fresh = self.read_pages([title])[title]
                    if self._stored_by_lost_save(fresh, new, new):
                        outcome = Outcome.CHANGED if existed else Outcome.CREATED
                        return self._done(title, outcome, revid=fresh.revid, attempts=attempt)
                return self._done(title, Outcome.UNCHANGED, revid=state.revid, attempts=attempt)
            outcome = Outcome.CREATED if flag(result, "new") else Outcome.CHANGED
            return self._done(title, outcome, revid=result.get("newrevid"), attempts=attempt)
        log.warning("%s: edit conflict persisted after %d attempts; not overwritten", title, attempt)
        return self._done(title, Outcome.CONFLICT, message=last_conflict, attempts=attempt)

    def _stored_by_lost_save(self, state: PageState, new: str, maybe_saved: str | None) -> bool:
        """Whether the page already holds ``new`` because our own save went through unanswered.

        Without this, a save whose answer was lost and whose resend met the stored text ("already
        exists" / "nochange") would be counted as unchanged, and the import's catalogue diff would miss
        the key it created.
        """
        return (
            maybe_saved is not None
            and same_after_save(state.text, maybe_saved)
            and same_after_save(state.text, new)
            and state.user == self.userinfo.name
        )

    def _save(self, state: PageState, text: str, summary: str, minor: bool) -> dict[str, Any]:
        params: dict[str, Any] = {"title": state.title, "text": text, "summary": summary, "bot": True}
        if state.exists:
            params["nocreate"] = True
            # The base revision goes as baserevid, deliberately WITHOUT basetimestamp: given a
            # basetimestamp, MediaWiki 1.39 suppresses a conflict when it finds no other user's revision
            # with a timestamp *after* it (RevisionStore::userWasLastToEdit, strict ">"), so a human edit in
            # the same second as our base revision is silently overwritten -- seen on the local wiki. With
            # baserevid alone every intervening revision is a conflict (at worst one with ourselves, which
            # is merged or re-read and re-applied).
            if state.revid:
                params["baserevid"] = state.revid
            else:
                params["basetimestamp"] = state.timestamp
        else:
            params["createonly"] = True
        if state.starttimestamp:
            params["starttimestamp"] = state.starttimestamp
        if minor:
            params["minor"] = True
        params["token"] = self.token()
        self.stats.edits_sent += 1
        return self.api("edit", method="POST", **params)

    def _done(self, title: str, outcome: Outcome, **kwargs: Any) -> SaveResult:
        if kwargs.get("message"):
            kwargs["message"] = " ".join(str(kwargs["message"]).split())  # one line in every report
        self.stats.count_outcome(outcome)
        result = SaveResult(title=title, outcome=outcome, dry_run=self.dry_run, **kwargs)
        log.info("%s: %s%s", title, outcome.value, " (dry-run)" if self.dry_run else "")
        return result

    # ------------------------------------------------------------------ the move point

    def move(
        self, source: str, target: str, reason: str, *, pages: Mapping[str, PageState] | None = None
    ) -> MoveResult:
        """Give the page ``source`` the title ``target``: **the one move point**, as :meth:`edit` is the
        one save point.

        ``action=move`` with ``movetalk`` (the talk page goes along) and without ``noredirect``: the
        wiki leaves a redirect at ``source``, so links and titles built from an ID keep working, and the
        history and people's edits go with the page. The wiki decides whether the move may happen: a
        target that holds a page (``articleexists``, ``redirectexists``) comes back as ``CONFLICT`` and
        is never forced; a missing source, a move onto itself, protection or missing rights as
        ``ERROR``, each with the wiki's words. Errors about the whole run (lost login, token, block,
        read-only wiki, unreachable, budget) propagate as in :meth:`edit`; the write guard and the
        retries are api()'s. ``pages`` (by requested title) may hold either page as just read: an
        invalid title is then refused without a request.

        Dry-run sends nothing: it prints ``would move A → B`` to the diff output and predicts the
        outcome from the two pages (read unless in ``pages``): missing source or self-move an error,
        a target that holds a page other than a redirect to the source a conflict. Whether such a
        redirect has history (then the wiki refuses too) only the real move finds out.
        """
        if not reason.strip():
            raise ValueError("a move needs a reason")
        states = {t: s for t, s in (pages or {}).items() if t in (source, target)}
        if self.dry_run:
            unread = [t for t in dict.fromkeys((source, target)) if t not in states]
            if unread:
                states.update(self.read_pages(unread))
            return self._dry_move(source, target, states[source], states[target])
        for title, state in states.items():
            if state.invalid:
                message = f"ungültiger Titel „{title}“: {state.invalid}"
                return self._moved(source, target, Outcome.ERROR, message=message)
        params: dict[str, Any] = {"from": source, "to": target, "reason": reason, "movetalk": True}
        params["token"] = self.token()
        retries_before = self.stats.retries
        try:
            body = self.api("move", method="POST", **params)
        except ApiError as exc:
            if exc.code in FATAL_EDIT_CODES:
                raise
            if self.stats.retries > retries_before and self._moved_by_lost_request(source, target):
                # The first request went through unanswered; the resend met our own move.
                return self._moved(source, target, Outcome.MOVED, redirect=True)
            outcome = Outcome.CONFLICT if exc.code in MOVE_CONFLICT_CODES else Outcome.ERROR
            log.warning("%s: not moved to %s: %s: %s", source, target, exc.code, exc.info)
            return self._moved(source, target, outcome, message=f"{exc.code}: {exc.info}")
        result = body.get("move")
        if not isinstance(result, Mapping) or not result.get("to"):
            return self._moved(source, target, Outcome.ERROR, message=f"move refused: {body}")
        notes = []
        if not flag(result, "redirectcreated"):
            notes.append("keine Weiterleitung am alten Titel hinterlassen")
        if result.get("talkmove-errors"):
            notes.append(f"Diskussionsseite nicht verschoben: {result['talkmove-errors']}")
        return self._moved(
            str(result.get("from") or source), str(result["to"]), Outcome.MOVED,
            redirect=flag(result, "redirectcreated"), message="; ".join(notes) or None,
        )  # fmt: skip

    def _dry_move(self, source: str, target: str, src: PageState, dst: PageState) -> MoveResult:
        """What :meth:`move` would do, predicted from the two pages; prints ``would move A → B``."""
        for title, state in ((source, src), (target, dst)):
            if state.invalid:
                message = f"ungültiger Titel „{title}“: {state.invalid}"
                return self._moved(source, target, Outcome.ERROR, message=message)
        if src.title == dst.title:
            return self._moved(source, target, Outcome.ERROR, message="selfmove: Quelle und Ziel sind gleich")
        if not src.exists:
            message = f"missingtitle: die Seite „{src.title}“ gibt es nicht"
            return self._moved(src.title, dst.title, Outcome.ERROR, message=message)
        if dst.exists and self.redirect_targets([dst.title]).get(dst.title) != src.title:
            message = f"articleexists: unter „{dst.title}“ steht schon eine Seite"
            return self._moved(src.title, dst.title, Outcome.CONFLICT, message=message)
        (self.diff_out or sys.stdout).write(f"would move {src.title} → {dst.title}\n")
        return self._moved(src.title, dst.title, Outcome.MOVED, redirect=True)

    def _moved_by_lost_request(self, source: str, target: str) -> bool:
        """Whether ``source`` already redirects to ``target``: a move whose answer was lost, and whose
        resend the wiki refused because the page was there already."""
        normalized, redirects = self._redirect_query([source, target])
        return redirects.get(normalized.get(source, source)) == normalized.get(target, target)

    def _moved(self, source: str, target: str, outcome: Outcome, **kwargs: Any) -> MoveResult:
        if kwargs.get("message"):
            kwargs["message"] = " ".join(str(kwargs["message"]).split())  # one line in every report
        self.stats.count_outcome(outcome)
        log.info("%s -> %s: %s%s", source, target, outcome.value, " (dry-run)" if self.dry_run else "")
        return MoveResult(source=source, target=target, outcome=outcome, dry_run=self.dry_run, **kwargs)

    # ------------------------------------------------------------------ small helpers for bots

    def parse(
        self, title: str | None = None, *, text: str | None = None, context_title: str = "API"
    ) -> ParsedPage:
        """Render a saved page (``title``) or ad-hoc wikitext (``text``) and list what it links to."""
        if (title is None) == (text is None):
            raise ValueError("parse() needs exactly one of title= or text=")
        params: dict[str, Any] = {"prop": "text|categories|links|templates", "disablelimitreport": True}
        if title is not None:
            params["page"] = title
        else:
            params.update(text=text, title=context_title, contentmodel="wikitext")
        p = self.api("parse", method="POST", **params)["parse"]
        html = p.get("text", "")
        if isinstance(html, Mapping):
            html = html.get("*", "")

        def targets(key: str) -> tuple[LinkTarget, ...]:
            return tuple(
                LinkTarget(title=name_of(x, "title"), ns=int(x.get("ns", 0)), exists=flag(x, "exists"))
                for x in p.get(key, [])
            )

        return ParsedPage(
            title=p.get("title", title or context_title),
            html=html,
            categories=tuple(name_of(c, "category").replace("_", " ") for c in p.get("categories", [])),
            links=targets("links"),
            templates=targets("templates"),
        )

    def purge(self, titles: Iterable[str], *, forcelinkupdate: bool = True) -> list[str]:
        """Re-render pages (and with ``forcelinkupdate`` their links/SMW data); the purged titles.

        Purging is a write: in dry-run mode this logs and returns [] without a request.
        """
        todo = list(dict.fromkeys(titles))
        if self.dry_run:
            log.info("dry-run: would purge %d page(s)", len(todo))
            return []
        done: list[str] = []
        for batch in _chunks(todo, self.batch_size):
            body = self.api("purge", method="POST", titles="|".join(batch), forcelinkupdate=forcelinkupdate)
            done.extend(e["title"] for e in body.get("purge", []) if flag(e, "purged"))
        return done

    def recentchanges(
        self,
        since: datetime | str,
        *,
        namespaces: Iterable[int] | None = None,
        types: str = "edit|new",
        show: str | None = None,
        props: str = RC_PROPS,
    ) -> Iterator[dict[str, Any]]:
        """Changes since ``since`` (oldest first), following continuation.

        ``types`` is ``rctype`` (``edit|new|log`` to see deletions and moves too), ``props`` is
        ``rcprop`` (``...|loginfo`` adds the log entries' ``logparams``, such as a move's target).
        """
        start = since if isinstance(since, str) else since.strftime("%Y-%m-%dT%H:%M:%SZ")
        params: dict[str, Any] = {
            "list": "recentchanges", "rcdir": "newer", "rcstart": start, "rclimit": "max", "rctype": types,
            "rcprop": props,
        }  # fmt: skip
        if namespaces is not None:
            params["rcnamespace"] = _joined(namespaces)
        if show:
            params["rcshow"] = show
        for body in self.query(**params):
            yield from listings.entries(body, "recentchanges")

    def newest_change(self, namespaces: Iterable[int]) -> tuple[dict[str, Any] | None, str | None]:
        """The newest recent-changes entry in ``namespaces`` (``rcid``, ``timestamp``; None when the
        wiki has none) and the server time of the answer (``curtimestamp``): one request, no paging.
        """
        body = self.api(
            "query", list="recentchanges", rcnamespace=_joined(namespaces), rcdir="older", rclimit=1,
            rcprop="ids|timestamp", curtimestamp=True,
        )  # fmt: skip
        found = listings.entries(body, "recentchanges")
        now = body.get("curtimestamp")
        return (found[0] if found else None), (str(now) if now else None)

    # ------------------------------------------------------------------ named listings

    def allpages(self, prefix: str = "", *, namespace: int = 0) -> Iterator[str]:
        """Titles of the pages in ``namespace`` whose title starts with ``prefix`` (``list=allpages``).

        It reads the page table directly, so it does not wait for the job queue as categories do.
        """
        params: dict[str, Any] = {"list": "allpages", "apnamespace": namespace, "aplimit": "max"}
        if prefix:
            params["apprefix"] = prefix
        for body in self.query(**params):
            yield from (str(e["title"]) for e in listings.entries(body, "allpages"))

    def embeddedin(self, title: str, *, namespaces: Iterable[int] | None = None) -> Iterator[str]:
        """Titles of the pages (in ``namespaces``; all when None) that transclude ``title``."""
        params: dict[str, Any] = {"list": "embeddedin", "eititle": title, "eilimit": "max"}
        if namespaces is not None:
            params["einamespace"] = _joined(namespaces)
        for body in self.query(**params):
            yield from (str(e["title"]) for e in listings.entries(body, "embeddedin"))

    def using_or_prefixed(self, template: str, prefix: str, *, namespace: int = 0) -> list[str]:
        """Titles in ``namespace`` that transclude ``template`` or start with ``prefix``, each once:
        :meth:`embeddedin` and :meth:`allpages` asked in one request (``list=embeddedin|allpages``)."""
        params: dict[str, Any] = {
            "list": "embeddedin|allpages", "eititle": template, "einamespace": namespace, "eilimit": "max",
            "apprefix": prefix, "apnamespace": namespace, "aplimit": "max",
        }  # fmt: skip
        found: dict[str, None] = {}
        for body in self.query(**params):
            for key in ("embeddedin", "allpages"):
                found.update((str(e["title"]), None) for e in listings.entries(body, key))
        return list(found)

    def pages_info(
        self, titles: Iterable[str], *, hashes: bool = False, existing: bool = False
    ) -> dict[str, PageInfo]:
        """``prop=info`` of pages, batched like :meth:`read_pages`, keyed by the wiki's title;
        ``hashes`` adds each page's current revision and its SHA-1 (no text is sent); ``existing``
        leaves out the pages that do not exist (a first import asks for 100,000 titles of which
        hardly one exists: their answers need not be kept).

        No request for no titles; a title the wiki normalises comes back under its normal form and
        under the spelling asked for (``Project:X`` is ``OZG-Wiki:X`` too).
        """
        todo = list(dict.fromkeys(titles))
        out: dict[str, PageInfo] = {}
        if not todo:
            return out
        extra = {"prop": "info|revisions", "rvprop": "ids|sha1"} if hashes else {"prop": "info"}
        for batch in _chunks(todo, self.batch_size):
            for body in self.query(titles="|".join(batch), **extra):
                for page in listings.pages(body):
                    info = listings.page_info(page)
                    if info.exists or not existing:
                        out[str(page["title"])] = info
                for asked, wiki_title in listings.title_map(body, "normalized").items():
                    if wiki_title in out:
                        out[asked] = out[wiki_title]
        return out

    def census(self, namespace: int = 0) -> dict[str, PageInfo]:
        """Every page of a namespace with its :class:`PageInfo`, SHA-1 included, keyed by title:
        ``generator=allpages`` with ``prop=info|revisions``, so a bot learns which of its thousands of
        pages exist, which are redirects and what each holds in ⌈pages / 5,000⌉ requests
        (``apihighlimits``; 500 without) -- a tenth of asking by title."""
        out: dict[str, PageInfo] = {}
        for body in self.query(
            generator="allpages", gapnamespace=namespace, gaplimit="max", prop="info|revisions",
            rvprop="ids|sha1",
        ):  # fmt: skip
            for page in listings.pages(body):
                out[str(page["title"])] = listings.page_info(page)
        return out

    def page_urls(self, titles: Iterable[str]) -> dict[str, str]:
        """The address of each existing page as the wiki publishes it (``prop=info&inprop=url``:
        ``canonicalurl``, else ``fullurl``), batched like :meth:`pages_info`, keyed by the wiki's title.

        The wiki builds it from its own server and article path, so an export links to the address
        readers use even when the bot reaches the API by another one. Missing pages are left out.
        """
        todo = list(dict.fromkeys(titles))
        out: dict[str, str] = {}
        if not todo:
            return out
        for batch in _chunks(todo, self.batch_size):
            for body in self.query(prop="info", inprop="url", titles="|".join(batch)):
                for page in listings.pages(body):
                    url = page.get("canonicalurl") or page.get("fullurl")
                    if url and listings.page_info(page).exists:
                        out[str(page["title"])] = str(url)
        return out

    def redirect_targets(self, titles: Iterable[str]) -> dict[str, str]:
        """Where redirects lead: requested title -> the title its redirect names, for those of
        ``titles`` that are redirects (others are left out); ``action=query&redirects=1``, batched
        like :meth:`read_pages`, the answer's ``redirects`` list read in :mod:`ozgwiki.wiki.listings`.

        One hop, as the page says: a redirect to a redirect maps to the second one (readers are not
        taken further, so a bot that re-points redirects must see it). A section the redirect names is
        dropped. Empty titles and titles with ``|`` are no titles and left out unasked.
        """
        todo = list(dict.fromkeys(titles))
        normalized, redirects = self._redirect_query(todo)
        out: dict[str, str] = {}
        for title in todo:
            final = normalized.get(title, title)
            if final in redirects:
                out[title] = redirects[final]
        return out

    def _redirect_query(self, titles: list[str]) -> tuple[dict[str, str], dict[str, str]]:
        """The ``normalized`` and ``redirects`` maps of ``titles``; no request for no titles."""
        normalized: dict[str, str] = {}
        redirects: dict[str, str] = {}
        valid = [t for t in titles if t.strip() and "|" not in t]
        for batch in _chunks(valid, self.batch_size) if valid else ():
            for body in self.query(titles="|".join(batch), redirects=True):
                normalized.update(listings.title_map(body, "normalized"))
                redirects.update(listings.title_map(body, "redirects"))
        return normalized, redirects

    def revisions(self, title: str, *, user: str | None = None, limit: int = 1) -> list[Revision]:
        """The newest ``limit`` revisions of one page (by ``user`` only, if given), newest first.

        Continuation is followed only until ``limit`` revisions are there: for the usual small limit
        that is one request.
        """
        params: dict[str, Any] = {
            "prop": "revisions", "titles": title, "rvlimit": limit, "rvprop": "ids|content",
            "rvslots": "main",
        }  # fmt: skip
        if user is not None:
            params["rvuser"] = user
        out: list[Revision] = []
        for body in self.query(**params):
            for page in listings.pages(body):
                out += listings.revisions(page)
            if len(out) >= limit:
                break
        return out[:limit]

    def logevents(self, title: str, *, limit: int = 50) -> list[dict[str, Any]]:
        """The newest ``limit`` log entries about ``title`` (``type``, ``timestamp``), newest first.

        Continuation is followed only until ``limit`` entries are there (one request up to 500).
        """
        out: list[dict[str, Any]] = []
        for body in self.query(list="logevents", letitle=title, leprop="type|timestamp", lelimit=limit):
            out += listings.entries(body, "logevents")
            if len(out) >= limit:
                break
        return out[:limit]

    def site_statistics(self) -> dict[str, int]:
        """The wiki's counters (``meta=siteinfo&siprop=statistics``): pages, edits, users, jobs, ...

        Never cached: callers poll it (the job queue).
        """
        body = self.api("query", meta="siteinfo", siprop="statistics")
        raw = body.get("query", {}).get("statistics", {})
        return {str(k): int(v) for k, v in raw.items() if isinstance(v, int) and not isinstance(v, bool)}

    def job_count(self) -> int:
        """Jobs waiting in the wiki's queue (an estimate on big wikis); one request each time."""
        return self.site_statistics().get("jobs", 0)

    def ask(self, query: str) -> dict[str, dict[str, Any]]:
        """Run an SMW ``#ask`` query and return all results keyed by page (or subobject) name.

        Pages through ``query-continue-offset`` by re-asking with ``|offset=N``; no results is {}.
        """
        results: dict[str, dict[str, Any]] = {}
        offset = 0
        while True:
            body = self.api("ask", query=query if offset == 0 else f"{query}|offset={offset}")
            raw = body.get("query", {}).get("results", [])
            if isinstance(raw, Mapping):
                results.update(raw)
            nxt = body.get("query-continue-offset")
            if nxt is None or int(nxt) <= offset:
                return results
            offset = int(nxt)

    def import_xml(
        self, document: bytes, *, summary: str, interwiki_prefix: str = "ozgwiki"
    ) -> dict[str, int]:
        """Upload an XML export document (``action=import``): the wiki's title of each page in it ->
        the revisions imported (0: none, e.g. already there).

        Needs the ``importupload`` right (with a bot password: the ``import`` grant). Authors the wiki
        knows keep their account (``assignknownusers``); others are stored as ``<prefix>>Name``. A write
        like every other: refused in dry-run mode, behind the write guard, with maxlag and retries. A
        request resent after a lost answer imports nothing twice, provided the document carries each
        revision's SHA-1 (:mod:`ozgwiki.render.xmldump` does): the wiki skips a revision whose page
        already has one of the same timestamp and SHA-1. Each page imported counts as created.
        """
        body = self.api(
            "import", method="POST", xml=Upload("ozgwiki.xml", document, "application/xml"),
            interwikiprefix=interwiki_prefix, assignknownusers=True, summary=summary, token=self.token(),
        )  # fmt: skip
        out: dict[str, int] = {}
        for entry in body.get("import", []):
            if isinstance(entry, Mapping) and entry.get("title"):
                out[str(entry["title"])] = int(entry.get("revisions") or 0)
        for revisions in out.values():
            if revisions:
                self.stats.count_outcome(Outcome.CREATED)
        return out
