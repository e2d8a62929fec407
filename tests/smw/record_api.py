"""Record the MediaWiki / Semantic MediaWiki API answers the unit tests replay (``tests/data/api/``).

Usage (the same small YAML file as the SMW suite, see tests/smw/conftest.py)::

    .venv/bin/python tests/smw/record_api.py --config /path/to/smw-suite.yaml [--localwiki DIR]

It talks with plain ``requests`` to the Semantic MediaWiki named by the YAML (``bot:`` the bot's ozgwiki
config, ``editor:`` an ordinary account) and to the project's local plain MediaWiki (``DIR/accounts.json``,
default ``$OZGWIKI_LOCALWIKI_DIR`` or ``.localwiki``; only read there). Every request carries the
parameters ``ozgwiki.wiki.site.Site`` sends (``format=json``, ``maxlag=5``, ``assert=user`` once logged in);
names ending in ``_fv2`` use ``formatversion=2``, the others formatversion 1.

On the SMW wiki it writes only pages whose titles start with ``Aufnahme `` (listed at the end; delete
them afterwards with ``php maintenance/deleteBatch.php``) and refuses to start while any of them exists.
Tokens and passwords become :data:`PLACEHOLDER`; no cookie is kept; a file that would still contain a
secret or a token is not written. All answers are collected first and written only when all succeeded,
together with ``README.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import stat
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
import yaml

from ozgwiki.config import load_config

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "tests" / "data" / "api"
PLACEHOLDER = "REDACTED"
USER_AGENT = "ozgwiki-record-api/1.0 (tests/smw/record_api.py)"
MAXLAG = "5"
#: Response headers worth keeping: what the client reads, and what says the body is JSON.
KEEP_HEADERS = ("Content-Type", "MediaWiki-API-Error", "Retry-After", "X-Database-Lag")
#: A MediaWiki token (csrf, login, ...): 32+ hex digits and "+\".
TOKEN_RE = re.compile(r"[0-9a-f]{32,}\+\\")

# The pages written on the SMW wiki; nothing else is touched there.
A = "Aufnahme Baugenehmigung"
B = "Aufnahme Bauvorbescheid"
ASK_PAGE = "Aufnahme OZG-Leistungen Bauen"
CONFLICT = "Aufnahme Konflikt"
RATE = "Aufnahme Ratenbegrenzung"
MISSING = "Aufnahme Gibt es nicht"
THEMENFELD = "Aufnahme Themenfeld Bauen"
PAGES = (A, B, ASK_PAGE, CONFLICT, RATE)

TEXT_A1 = (
    "Die '''Baugenehmigung''' ist eine Seite der API-Aufnahme (tests/smw/record_api.py).\n"
    f"{{{{#set: OZG-ID=99001 |Themenfeld={THEMENFELD} |Einwohnerzahl=1200 }}}}\n"
    f"{{{{#subobject: |LeiKa-Schlüssel=99000000000001 |OZG-Leistung={A} }}}}\n"
    "[[Kategorie:Aufnahme API]]"
)
TEXT_A2 = TEXT_A1.replace(
    "\n[[Kategorie:",
    f"\n{{{{#subobject: |LeiKa-Schlüssel=99000000000002 |OZG-Leistung={A} }}}}\n"
    "Zuständig ist die untere Bauaufsicht.\n[[Kategorie:",
)
TEXT_B = (
    "Der '''Bauvorbescheid''' ist eine Seite der API-Aufnahme.\n"
    f"{{{{#set: OZG-ID=99002 |Themenfeld={THEMENFELD} |Einwohnerzahl=800 }}}}\n"
    "[[Kategorie:Aufnahme API]]"
)
ASK_TABLE = f"{{{{#ask: [[Themenfeld::{THEMENFELD}]] |?OZG-ID |?Einwohnerzahl |format=table |sort=OZG-ID }}}}"
TEXT_ASK_PAGE = f"Die Leistungen im Themenfeld, live abgefragt:\n\n{ASK_TABLE}\n"
ASK_QUERY = f"[[Themenfeld::{THEMENFELD}]]|?OZG-ID|?Einwohnerzahl|sort=OZG-ID|order=asc|limit=50"


class RecordError(RuntimeError):
    pass


def _utc(ts: float | None = None) -> str:
    return datetime.fromtimestamp(ts if ts is not None else time.time(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Client:
    """One session (cookies) with one wiki; sends what ozgwiki's Site would send."""

    def __init__(self, api_url: str, label: str) -> None:
        self.api_url = api_url
        self.label = label
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.logged_in = False

    def params(self, action: str, fv: int, extra: dict[str, Any]) -> dict[str, str]:
        out = {"action": action}
        for key, value in extra.items():
            if value is None or value is False:
                continue
            out[key] = "1" if value is True else str(value)
        out["format"] = "json"
        if fv == 2:
            out["formatversion"] = "2"
        out.setdefault("maxlag", MAXLAG)
        if self.logged_in and action != "login":
            out["assert"] = "user"
        return out

    def send(self, method: str, params: dict[str, str]) -> requests.Response:
        get = method == "GET"
        resp = self.session.request(
            method, self.api_url, params=params if get else None, data=None if get else params, timeout=60
        )
        if resp.status_code >= 500:
            raise RecordError(f"{self.api_url}: HTTP {resp.status_code} to {params.get('action')}")
        return resp

    def call(self, method: str, action: str, fv: int = 2, **extra: Any) -> dict[str, Any]:
        """An unrecorded helper request; API errors stop the recording."""
        body = self.send(method, self.params(action, fv, extra)).json()
        if "error" in body:
            raise RecordError(f"{self.label}: action={action} failed: {body['error']}")
        return body

    def login(self, username: str, password: str) -> None:
        token = self.call("GET", "query", meta="tokens", type="login")["query"]["tokens"]["logintoken"]
        body = self.call("POST", "login", lgname=username, lgpassword=password, lgtoken=token)
        if body.get("login", {}).get("result") != "Success":
            raise RecordError(f"{self.label}: login as {username} failed: {body.get('login')}")
        self.logged_in = True

    def csrf(self) -> str:
        return self.call("GET", "query", meta="tokens", type="csrf")["query"]["tokens"]["csrftoken"]

    def revision(self, title: str) -> tuple[int, str]:
        body = self.call(
            "GET", "query", prop="revisions", titles=title, rvprop="ids|timestamp", curtimestamp=True
        )
        return body["query"]["pages"][0]["revisions"][0]["revid"], body["curtimestamp"]


class Recorder:
    def __init__(self, secrets: list[str]) -> None:
        self.secrets = [s for s in secrets if len(s) >= 8]
        self.recordings: dict[str, dict[str, Any]] = {}
        self.wikis: dict[str, dict[str, Any]] = {}

    def remember(self, value: str) -> str:
        """A token or password seen in this run: scrubbed wherever it shows up (the anonymous token
        ``+\\`` is too short to search for; it only ever appears in token fields)."""
        if len(value) >= 8 and value not in self.secrets:
            self.secrets.append(value)
        return value

    def record(
        self, name: str, description: str, client: Client, method: str, action: str, *,
        wiki: str, expect: Callable[[requests.Response, Any], bool] | None = None, **extra: Any,
    ) -> dict[str, Any]:  # fmt: skip
        if name in self.recordings:
            raise RecordError(f"{name} recorded twice")
        fv = 2 if name.endswith("_fv2") else 1
        params = client.params(action, fv, extra)
        resp = client.send(method, params)
        return self.store(name, description, wiki, method, params, resp, expect)

    def store(
        self, name: str, description: str, wiki: str, method: str, params: dict[str, str],
        resp: requests.Response, expect: Callable[[requests.Response, Any], bool] | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        """Keep one answer exactly as the wiki sent it (scrubbed only when written)."""
        body = resp.json()
        if expect is not None and not expect(resp, body):
            raise RecordError(f"{name}: unexpected answer HTTP {resp.status_code} {str(body)[:500]}")
        headers = {h: resp.headers[h] for h in KEEP_HEADERS if h in resp.headers}
        self.recordings[name] = {
            "name": name,
            "description": description,
            "wiki": self.wikis[wiki],
            "recorded_at": _utc(),
            "request": {"method": method, "params": params},
            "response": {"status": resp.status_code, "headers": headers, "body": body},
        }
        print(f"  {name}: HTTP {resp.status_code} {headers.get('MediaWiki-API-Error', '')}")
        return body

    def construct(self, name: str, description: str, reason: str, *, wiki: str, request: dict[str, Any],
                  response: dict[str, Any]) -> None:  # fmt: skip
        self.recordings[name] = {
            "name": name,
            "description": description,
            "constructed": True,
            "reason": reason,
            "wiki": self.wikis[wiki],
            "recorded_at": _utc(),
            "request": request,
            "response": response,
        }
        print(f"  {name}: CONSTRUCTED ({reason})")

    # ------------------------------------------------------------------ scrubbing

    def scrub(self, value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: self.scrub(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.scrub(v, key) for v in value]
        if isinstance(value, str):
            if key.endswith("token") or key == "lgpassword":
                return PLACEHOLDER
            for secret in self.secrets:
                value = value.replace(secret, PLACEHOLDER)
            return value
        return value

    def check(self, name: str, text: str) -> None:
        leaks = [s for s in self.secrets if s in text]
        if leaks or TOKEN_RE.search(text) or re.search(r"(?i)set-cookie|_session", text):
            raise RecordError(f"{name}: a token, password or cookie survived scrubbing; nothing written")

    def write(self, out: Path, readme: Callable[[int], str]) -> int:
        """Write every recording (or none) and the README made by ``readme(total bytes)``."""
        texts = {}
        for name, rec in self.recordings.items():
            text = json.dumps(self.scrub(rec), ensure_ascii=False, indent=1) + "\n"
            self.check(name, text)
            texts[name] = text
        size = sum(len(t.encode()) for t in texts.values())
        out.mkdir(parents=True, exist_ok=True)
        for old in out.glob("*.json"):
            if old.stem not in texts:
                old.unlink()
        for name, text in texts.items():
            (out / f"{name}.json").write_text(text, encoding="utf-8")
        (out / "README.md").write_text(readme(size), encoding="utf-8")
        return size


# ---------------------------------------------------------------------- expectations


def ok(resp: requests.Response, body: Any) -> bool:
    return resp.status_code == 200 and isinstance(body, dict) and "error" not in body


def error(code: str | None) -> Callable[[requests.Response, Any], bool]:
    def check(resp: requests.Response, body: Any) -> bool:
        err = body.get("error") if isinstance(body, dict) else None
        return isinstance(err, dict) and (err.get("code") == code if code else "query" in err)

    return check


def edit_result(flag_name: str | None) -> Callable[[requests.Response, Any], bool]:
    def check(resp: requests.Response, body: Any) -> bool:
        result = body.get("edit", {}) if ok(resp, body) else {}
        return result.get("result") == "Success" and (flag_name is None or flag_name in result)

    return check


# ---------------------------------------------------------------------- the recording


def wiki_info(client: Client) -> dict[str, Any]:
    body = client.call("GET", "query", meta="siteinfo", siprop="general|extensions")
    ext = {e["name"]: e.get("version", "") for e in body["query"]["extensions"]}
    info: dict[str, Any] = {"api_url": client.api_url, "generator": body["query"]["general"]["generator"]}
    for name in ("SemanticMediaWiki", "PageForms"):
        if name in ext:
            info[name] = ext[name]
    return info


def wait_for_jobs(client: Client, limit: float = 120) -> None:
    """SMW stores data and activates property types in jobs; the lab's job runner works them off."""
    deadline = time.monotonic() + limit
    while True:
        stats = client.call("GET", "query", meta="siteinfo", siprop="statistics")["query"]["statistics"]
        jobs = stats["jobs"]
        if jobs == 0:
            return
        if time.monotonic() > deadline:
            raise RecordError(f"{client.api_url}: the job queue still holds {jobs} job(s) after {limit} s")
        time.sleep(2)


def record_smw(rec: Recorder, url: str, bot_user: str, bot_secret: str, editor_user: str,
               editor_secret: str) -> str:  # fmt: skip
    start = _utc()
    anon = Client(url, "anonymous")
    existing = anon.call("GET", "query", titles="|".join(PAGES))["query"]["pages"]
    there = [p["title"] for p in existing if not p.get("missing")]
    if there:
        raise RecordError(
            f"{url}: pages of an earlier recording exist: {there}. Delete them first, e.g. "
            "printf '%s\\n' ... > /tmp/aufnahme.txt && php maintenance/deleteBatch.php /tmp/aufnahme.txt"
        )
    rec.wikis["smw"] = wiki_info(anon)
    w = "smw"
    rec.record(
        "siteinfo_extensions", "meta=siteinfo: general, localised namespaces (German: 102 Attribut, "
        "106 Formular), aliases, extensions (SMW, Page Forms, ParserFunctions, Scribunto), statistics",
        anon, "GET", "query", wiki=w, expect=ok,
        meta="siteinfo", siprop="general|namespaces|namespacealiases|extensions|statistics",
    )  # fmt: skip
    rec.record(
        "paraminfo_fv2", "action=paraminfo for the query module: limit/highlimit of titles= (50/500)",
        anon, "GET", "paraminfo", wiki=w, expect=ok, modules="query",
    )  # fmt: skip

    # ---------------------------------------------------------------- login with the bot password
    failing = Client(url, "bot (wrong password)")
    tokens = failing.call("GET", "query", meta="tokens", type="login")["query"]["tokens"]
    token = rec.remember(tokens["logintoken"])
    wrong = rec.remember("aufnahme-falsches-passwort")
    rec.record(
        "login_failure", f"action=login as {bot_user} with a wrong bot password: result Failed "
        "(HTTP 200, no error object)", failing, "POST", "login", wiki=w,
        expect=lambda r, b: b.get("login", {}).get("result") == "Failed",
        lgname=bot_user, lgpassword=wrong, lgtoken=token,
    )  # fmt: skip
    bot = Client(url, "bot")
    body = rec.record(
        "tokens_login", "meta=tokens&type=login (token replaced)", bot, "GET", "query", wiki=w,
        expect=ok, meta="tokens", type="login",
    )  # fmt: skip
    token = rec.remember(body["query"]["tokens"]["logintoken"])
    rec.record(
        "login_success", f"action=login as {bot_user} with the bot password: result Success",
        bot, "POST", "login", wiki=w, expect=lambda r, b: b.get("login", {}).get("result") == "Success",
        lgname=bot_user, lgpassword=bot_secret, lgtoken=token,
    )  # fmt: skip
    bot.logged_in = True
    rec.record(
        "userinfo_bot", "meta=userinfo&uiprop=rights|groups of the bot session (bot group; rights "
        "limited by the bot password's grants, incl. apihighlimits)", bot, "GET", "query", wiki=w,
        expect=ok, meta="userinfo", uiprop="rights|groups",
    )  # fmt: skip
    body = rec.record(
        "tokens_csrf", "meta=tokens&type=csrf of the bot session (token replaced)", bot, "GET", "query",
        wiki=w, expect=ok, meta="tokens", type="csrf",
    )  # fmt: skip
    csrf = rec.remember(body["query"]["tokens"]["csrftoken"])

    # ---------------------------------------------------------------- edits by the bot
    def save(name: str, description: str, title: str, text: str, expect: Any, **extra: Any) -> dict:
        return rec.record(
            name, description, bot, "POST", "edit", wiki=w, expect=expect,
            title=title, text=text, summary="Aufnahme der API-Antworten", bot=True, **extra, token=csrf,
        )  # fmt: skip

    now = bot.call("GET", "query", curtimestamp=True)["curtimestamp"]
    save("edit_create_page", f"action=edit creating {A!r} (createonly; #set, #subobject): Success "
         "with the 'new' flag", A, TEXT_A1, edit_result("new"),
         createonly=True, starttimestamp=now)  # fmt: skip
    save("edit_create_page_fv2", f"action=edit creating {B!r}, formatversion=2", B, TEXT_B,
         edit_result("new"), createonly=True, starttimestamp=now)  # fmt: skip
    revid, now = bot.revision(A)
    save("edit_update", f"action=edit changing {A!r} (nocreate, baserevid): Success with oldrevid/newrevid",
         A, TEXT_A2, edit_result("newrevid"), nocreate=True, baserevid=revid, starttimestamp=now)  # fmt: skip
    rec.record(
        "revisions_content_fv2", f"prop=revisions of {A!r} as Site.read_pages asks (content of the main "
        "slot, curtimestamp), formatversion=2", bot, "GET", "query", wiki=w, expect=ok,
        prop="revisions", titles=A, rvprop="ids|timestamp|content|user", rvslots="main", curtimestamp=True,
    )  # fmt: skip
    revid, now = bot.revision(A)
    save("edit_nochange", f"action=edit of {A!r} with the stored text: Success with the 'nochange' flag",
         A, TEXT_A2, edit_result("nochange"), nocreate=True, baserevid=revid, starttimestamp=now)  # fmt: skip
    rec.record(
        "revisions_multi_missing", "prop=revisions of several titles, formatversion 1: pages keyed by "
        "pageid, a missing title (negative key, 'missing' flag), Property: normalised to Attribut:",
        bot, "GET", "query", wiki=w, expect=ok, prop="revisions",
        titles=f"{A}|{MISSING}|Property:OZG-ID", rvprop="ids|timestamp|content|user", rvslots="main",
        curtimestamp=True,
    )  # fmt: skip

    # ---------------------------------------------------------------- SMW: #ask page, parse, ask
    bot.call("POST", "edit", title=ASK_PAGE, text=TEXT_ASK_PAGE, summary="Aufnahme der API-Antworten",
             bot=True, createonly=True, token=csrf)  # fmt: skip
    wait_for_jobs(bot)
    rec.record(
        "purge", f"action=purge&forcelinkupdate=1 (POST) of {ASK_PAGE!r}", bot, "POST", "purge", wiki=w,
        expect=ok, titles=ASK_PAGE, forcelinkupdate=True,
    )  # fmt: skip
    parse_props = {"prop": "text|categories|links|templates", "disablelimitreport": True}
    rec.record(
        "parse_ask_page_fv2", f"action=parse of {ASK_PAGE!r} (a live {{{{#ask:}}}} table, class "
        "smwtable) after the purge, formatversion=2", bot, "POST", "parse", wiki=w, expect=ok,
        page=ASK_PAGE, **parse_props,
    )  # fmt: skip
    rec.record(
        "parse_text_ask", "action=parse of ad-hoc wikitext with a #ask table, formatversion 1 "
        "(text as {'*': html})", bot, "POST", "parse", wiki=w, expect=ok,
        text=f"{{{{#ask: [[Themenfeld::{THEMENFELD}]] |?OZG-ID |format=table}}}}", title="API",
        contentmodel="wikitext", **parse_props,
    )  # fmt: skip
    rec.record(
        "parse_missingtitle_fv2", f"action=parse (GET) of the missing page {MISSING!r}: error missingtitle",
        bot, "GET", "parse", wiki=w, expect=error("missingtitle"), page=MISSING,
    )  # fmt: skip
    rec.record(
        "ask_fv2", "action=ask with printouts (Text OZG-ID, Number Einwohnerzahl), formatversion=2: "
        "results keyed by page title", bot, "GET", "ask", wiki=w, expect=ok, query=ASK_QUERY,
    )  # fmt: skip
    rec.record(
        "ask_continue", "action=ask with limit=1, formatversion 1: query-continue-offset for paging",
        bot, "GET", "ask", wiki=w, expect=lambda r, b: "query-continue-offset" in b,
        query=f"[[Themenfeld::{THEMENFELD}]]|?OZG-ID|sort=OZG-ID|limit=1",
    )  # fmt: skip
    rec.record(
        "ask_empty_fv2", "action=ask without matches, formatversion=2: results is an empty list",
        bot, "GET", "ask", wiki=w, expect=ok, query=f"[[Themenfeld::{MISSING}]]|?OZG-ID",
    )  # fmt: skip
    rec.record(
        "ask_subobjects", "action=ask for #subobject data, formatversion 1: keys are 'Page# <hash>'",
        bot, "GET", "ask", wiki=w, expect=ok,
        query=f"[[OZG-Leistung::{A}]][[LeiKa-Schlüssel::+]]|?LeiKa-Schlüssel|limit=50",
    )  # fmt: skip
    rec.record(
        "ask_query_error", "action=ask with an invalid value for a Number property: SMW answers "
        "{'error': {'query': [message]}} without a code, in the wiki's language", bot, "GET", "ask",
        wiki=w, expect=error(None), query="[[Einwohnerzahl::<>]]|?Einwohnerzahl",
    )  # fmt: skip
    rec.record(
        "askargs_fv2", "action=askargs (conditions, printouts, parameters), formatversion=2",
        bot, "GET", "askargs", wiki=w, expect=ok, conditions=f"Themenfeld::{THEMENFELD}",
        printouts="OZG-ID|Einwohnerzahl", parameters="sort=OZG-ID|order=asc|limit=50",
    )  # fmt: skip
    rec.record(
        "browsebysubject_fv2", f"action=browsebysubject of {A!r}: its stored data incl. subobjects",
        bot, "GET", "browsebysubject", wiki=w, expect=ok, subject=A,
    )  # fmt: skip

    # ---------------------------------------------------------------- refusals
    bot.call("POST", "edit", title=CONFLICT, text="Zeile 1\nZeile 2\n", summary="Aufnahme der API-Antworten",
             bot=True, createonly=True, token=csrf)  # fmt: skip
    base, start_edit = bot.revision(CONFLICT)
    editor = Client(url, "editor")
    editor.login(editor_user, editor_secret)
    editor.call("POST", "edit", title=CONFLICT, text="Zeile 1 (Redakteurin)\nZeile 2\n",
                summary="Aufnahme: die Redakteurin ändert Zeile 1", nocreate=True,
                token=rec.remember(editor.csrf()))  # fmt: skip
    save("edit_conflict_fv2", f"action=edit of {CONFLICT!r} on baserevid {base} after the editor "
         f"{editor_user} changed the same line: error editconflict", CONFLICT,
         "Zeile 1 (Bot)\nZeile 2\n", error("editconflict"), nocreate=True, baserevid=base,
         starttimestamp=start_edit)  # fmt: skip
    rec.record(
        "badtoken_fv2", "action=edit with a wrong csrf token: error badtoken", bot, "POST", "edit",
        wiki=w, expect=error("badtoken"), title=CONFLICT, text="x", summary="Aufnahme: falsches Token",
        bot=True, nocreate=True, token="0" * 32 + "+\\",
    )  # fmt: skip
    anon_token = rec.remember(anon.csrf())
    anon.logged_in = True  # send assert=user from a session that has no login: what a lost session does
    rec.record(
        "assertuserfailed", "action=edit with assert=user from a session without login (a lost session): "
        "error assertuserfailed", anon, "POST", "edit", wiki=w, expect=error("assertuserfailed"),
        title=CONFLICT, text="x", summary="Aufnahme", token=anon_token,
    )  # fmt: skip
    anon.logged_in = False
    rec.record(
        "recentchanges_fv2", "list=recentchanges of this recording (rcstart = its start, oldest first), "
        "formatversion=2: bot, new and minor flags as booleans", bot, "GET", "query", wiki=w,
        expect=lambda r, b: ok(r, b) and all(c["title"].startswith("Aufnahme ")
                                             for c in b["query"]["recentchanges"]),
        list="recentchanges", rcdir="newer", rcstart=start, rclimit="max", rctype="edit|new",
        rcprop="title|ids|sizes|flags|user|timestamp|comment", rcnamespace="0",
    )  # fmt: skip
    record_maxlag(rec, anon, "maxlag_fv2", w)
    record_ratelimited(rec, w, url)
    return start


def record_maxlag(rec: Recorder, client: Client, name: str, wiki: str) -> None:
    """maxlag=-1 fails only where the lag is 0 or more; a single database reports -1 (no replicas)."""
    probe = client.send("GET", client.params("query", 2, {"meta": "siteinfo", "maxlag": "-1"}))
    if probe.headers.get("MediaWiki-API-Error") == "maxlag":
        value, why = "-1", "maxlag=-1"
    else:
        value = "-2"
        why = ("maxlag=-2: with maxlag=-1 this single-database wiki answers normally (it reports lag -1, "
               "and -1 is not more than -1)")  # fmt: skip
    rec.record(
        name, f"meta=siteinfo with {why}: error maxlag with headers Retry-After, X-Database-Lag and "
        "MediaWiki-API-Error", client, "GET", "query", wiki=wiki, expect=error("maxlag"),
        meta="siteinfo", maxlag=value,
    )  # fmt: skip


def record_ratelimited(rec: Recorder, wiki: str, url: str, tries: int = 12) -> None:
    """Anonymous edits until MediaWiki's default $wgRateLimits['edit']['ip'] (8 per 60 s) refuses one.

    The bot group has noratelimit on the lab, and an account's own limit is 90 edits a minute; the
    anonymous limit is the one a recording reaches in a few requests. The refusal is kept as sent.
    """
    anon = Client(url, "anonymous (rate limit)")
    token = anon.csrf()
    params: dict[str, str] = {}
    for i in range(1, tries + 1):
        params = anon.params("edit", 2, {
            "title": RATE, "text": f"Anonyme Bearbeitung {i} der API-Aufnahme.", "summary": "Aufnahme",
            "token": token,
        })  # fmt: skip
        resp = anon.send("POST", params)
        if resp.headers.get("MediaWiki-API-Error") == "ratelimited":
            rec.store(
                "ratelimited_fv2", f"action=edit of {RATE!r}, the {i}. anonymous edit within a minute: "
                "error ratelimited ($wgRateLimits['edit']['ip'] = 8 per 60 s, MediaWiki's default; no "
                "Retry-After)", wiki, "POST", params, resp, error("ratelimited"),
            )  # fmt: skip
            return
    rec.construct(
        "ratelimited_fv2", "action=edit refused as ratelimited, formatversion=2",
        f"{tries} anonymous edits within a minute were all accepted: this wiki does not rate-limit them; "
        "the answer is MediaWiki's documented one (error code ratelimited, message apierror-ratelimited)",
        wiki=wiki, request={"method": "POST", "params": params},
        response={"status": 200, "headers": {"Content-Type": "application/json; charset=utf-8",
                                             "MediaWiki-API-Error": "ratelimited"},
                  "body": {"error": {"code": "ratelimited", "info": RATELIMITED_INFO}}},
    )  # fmt: skip


#: MediaWiki's message apierror-ratelimited (English, as errorformat=bc sends it).
RATELIMITED_INFO = (
    "As an anti-abuse measure, you are limited from performing this action too many times in a short "
    "space of time, and you have exceeded this limit. Please try again in a few minutes."
)


def record_localwiki(rec: Recorder, accounts: Path) -> None:
    url = json.loads(accounts.read_text(encoding="utf-8"))["api_url"]
    client = Client(url, "local wiki")
    rec.wikis["localwiki"] = wiki_info(client)
    record_maxlag(rec, client, "maxlag_localwiki_fv2", "localwiki")


# ---------------------------------------------------------------------- configuration, README


def _secret_file(path: Path) -> str:
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        raise RecordError(f"{path} is readable by others; chmod 600 it")
    return path.read_text(encoding="utf-8").strip()


def load_suite(path: Path) -> tuple[str, str, str, str, str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    try:
        bot = load_config((path.parent / data["bot"]).resolve()).wiki
        editor = data["editor"]
        editor_user = str(editor["username"])
        editor_secret = os.environ.get("OZGWIKI_SMW_EDITOR_PASSWORD") or _secret_file(
            path.parent / editor["password_file"]
        )
    except (KeyError, TypeError) as exc:
        raise RecordError(f"{path}: needs 'bot' and 'editor: {{username, password_file}}' ({exc})") from None
    return bot.api_url, bot.username, bot.password(), editor_user, editor_secret


def _rows(rec: Recorder) -> Iterator[str]:
    for name in sorted(rec.recordings):
        r = rec.recordings[name]
        params, body = r["request"]["params"], r["response"]["body"]
        mark = " **(constructed)**" if r.get("constructed") else ""
        code = body.get("error", {}).get("code") or "" if isinstance(body, dict) else ""
        src = "SMW" if r["wiki"] is rec.wikis["smw"] else "plain"
        what = f"{r['description']}{mark}".replace("|", "\\|")
        yield f"| `{name}` | {src} | {r['request']['method']} {params.get('action')} | {code} | {what} |"


def readme(rec: Recorder, start: str, size: int) -> str:
    smw, local = rec.wikis["smw"], rec.wikis.get("localwiki", {})
    constructed = [r for r in rec.recordings.values() if r.get("constructed")]
    lines = [
        "# Recorded MediaWiki / Semantic MediaWiki API answers",
        "",
        "The answers the unit tests replay (`tests/fixtures_smw.py`, with `responses`). Recorded by the",
        "project itself with `tests/smw/record_api.py`; GENERATED by it, edit the recorder, not this file.",
        "",
        f"* Recorded: {start} (UTC).",
        f"* SMW wiki: `{smw['api_url']}` — {smw['generator']}, Semantic MediaWiki "
        f"{smw.get('SemanticMediaWiki', '?')}, Page Forms {smw.get('PageForms', '?')}, content language "
        "German, SQLite, a job runner; the bot `OzgBot@ozgwiki` (bot password) and the editor "
        "`Redakteurin@ozgwiki`.",
    ]
    if local:
        lines.append(f"* Plain wiki: `{local['api_url']}` — {local['generator']}, the project's local wiki "
                     "(only read).")  # fmt: skip
    lines += [
        "* Pages written on the SMW wiki (and deleted afterwards): "
        + ", ".join(f"„{t}“" for t in PAGES)
        + ".",
        "",
        "## Format",
        "",
        "One file per answer, `<name>.json`: `name`, `description`, `wiki` (api.php, versions),",
        "`recorded_at`, `request` (`method`, `params` as sent — the parameters `ozgwiki.wiki.site.Site`",
        "sends,",
        "`format=json`, `maxlag=5`, `assert=user` once logged in) and `response` (`status`, the `headers`",
        "that matter — `Content-Type`, `MediaWiki-API-Error`, `Retry-After`, `X-Database-Lag` — and the",
        "decoded `body`). Names ending in `_fv2` were asked with `formatversion=2`, the others with",
        "formatversion 1. The register() helper checks that a replayed request uses the recorded method",
        "and action.",
        "",
        f'Tokens and passwords are `"{PLACEHOLDER}"` (every `*token` and `lgpassword` field, and every',
        "token or secret the recording saw, wherever it appeared); no cookie is kept. The recorder refuses",
        "to write a file that still holds one, and `tests/unit/test_site_login.py` checks every file.",
        "",
        "Notes",
        "",
        "* maxlag: a wiki on one database reports lag -1, so `maxlag=-1` never fails there (-1 is not more",
        "  than -1); the recorder tries -1 first and otherwise sends `maxlag=-2` (the description says",
        "  which). MediaWiki then answers `Retry-After: 5` (max(maxlag, 5)) and `X-Database-Lag: -1`.",
        "* ratelimited: the 9th anonymous edit within a minute (MediaWiki's default",
        "  `$wgRateLimits['edit']['ip']`, 8 per 60 s); the bot group has `noratelimit` on both wikis.",
        "* Error `info` texts are English (`errorformat=bc`); SMW's query errors come in the wiki's",
        "  language (German).",
    ]
    for r in constructed:
        lines.append(f'* `{r["name"]}` is CONSTRUCTED, not recorded (`"constructed": true`): {r["reason"]}.')
    lines += [
        "",
        "## Files",
        "",
        "| file | wiki | request | error | what |",
        "|---|---|---|---|---|",
        *_rows(rec),
        "",
        f"{len(rec.recordings)} files, {size} bytes of JSON.",
        "",
        "## Re-recording",
        "",
        "Against a Semantic MediaWiki with Page Forms that may be written to (never production), with the",
        "project's properties deployed (`ozgwiki deploy`: OZG-ID, Themenfeld, Einwohnerzahl, OZG-Leistung,",
        "LeiKa-Schlüssel), and the local wiki running (`ozgwiki localwiki up`):",
        "",
        "```sh",
        ".venv/bin/python tests/smw/record_api.py --config /path/to/smw-suite.yaml",
        "# then, on the SMW wiki's server, delete the pages it wrote:",
        "printf '%s\\n' " + " ".join(f"'{t}'" for t in PAGES) + " > /tmp/aufnahme.txt",
        "cd /path/to/mediawiki && php maintenance/deleteBatch.php -r 'Aufnahme aufgeräumt' /tmp/aufnahme.txt",
        "```",
        "",
        "The YAML file is the SMW suite's (tests/smw/conftest.py). The recorder refuses to start while",
        "pages of an earlier recording exist. Revision and page ids, timestamps and hashes change with",
        "every recording; the tests read them from the files, titles and texts are the recorder's own.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", required=True, type=Path, help="the SMW suite's YAML (bot:, editor:)")
    default_local = Path(os.environ.get("OZGWIKI_LOCALWIKI_DIR") or REPO / ".localwiki")
    parser.add_argument("--localwiki", type=Path, default=default_local, help="the local wiki's folder")
    parser.add_argument("--out", type=Path, default=OUT, help="where the JSON files go")
    args = parser.parse_args(argv)
    try:
        url, bot_user, bot_secret, editor_user, editor_secret = load_suite(args.config.resolve())
        for u in (url, json.loads((args.localwiki / "accounts.json").read_text("utf-8"))["api_url"]):
            if not re.match(r"https?://(127\.0\.0\.1|localhost|\[::1\])[:/]", u):
                raise RecordError(f"{u}: the recorder only talks to wikis on this machine")
        rec = Recorder([bot_secret, editor_secret])
        print(f"recording from {url}")
        start = record_smw(rec, url, bot_user, bot_secret, editor_user, editor_secret)
        record_localwiki(rec, args.localwiki / "accounts.json")
        size = rec.write(args.out, lambda total: readme(rec, start, total))
    except (RecordError, requests.RequestException, OSError, ValueError) as exc:
        print(f"record_api: {exc}", file=sys.stderr)
        print("nothing written; pages it may have created on the SMW wiki (delete them with "
              f"maintenance/deleteBatch.php): {', '.join(PAGES)}", file=sys.stderr)  # fmt: skip
        return 1
    print(f"wrote {len(rec.recordings)} recordings ({size} bytes) to {args.out}")
    print("pages written on the SMW wiki (delete them with maintenance/deleteBatch.php):")
    for title in PAGES:
        print(f"  {title}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
