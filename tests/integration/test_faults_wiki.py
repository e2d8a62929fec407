"""Fault injection against REAL wikis: SIGKILL mid-run, maxlag, lost sessions, bad tokens, 5xx, HTML
pages instead of JSON, read timeouts, truncated answers and lost connections. The table of faults and
what proves what is docs/faults.md; refusals by the wiki itself (deleted, protected, read-only, rate
limits, spam filter) are in test_faults_refusals_wiki.py.

Every wiki here is a wiki of its own (a temporary folder on a free port, ~3 s to set up), never the
shared one on 8091: one plain wiki for the kills, sessions and proxy faults, one started with
``job_queue_lag_factor=1`` so that each queued job counts as one second of lag (maxlag never fires
on a single SQLite database otherwise). Nothing waits by sleeping: child processes are followed
through their log lines, the Site's sleep is a recording hook (which, for maxlag, is where the job
queue is run), the proxy's faults are a queue.

Edit conflicts are proven in test_site_wiki.py (a second account), not here.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from faults import (
    MAXLAG,
    PROXY_PAGE,
    REPO,
    SECRET_ENV,
    Child,
    FaultProxy,
    VirtualClock,
    accounts_of,
    contents,
    exists,
    free_port,
    make_site,
    one_line_error,
    own_wiki,
    queued_jobs,
    raw_login,
    raw_post,
    raw_query,
    recording_sleep,
    revisions,
    run_cli,
    write_config,
)

from ozgwiki import localwiki as lw
from ozgwiki.bots.importer import ImportItem
from ozgwiki.catalogue import load
from ozgwiki.config import RetryConfig, WikiConfig
from ozgwiki.engine.lock import LOCK_NAME, LockHolder
from ozgwiki.errors import EXIT_UNREACHABLE, LoginError, RetryBudgetExceeded, WikiUnreachable
from ozgwiki.render.plans import disambiguation_plans, plan_pages, redirect_plans, title_scheme
from ozgwiki.wiki.pages import Outcome, SaveResult, save_form
from ozgwiki.wiki.site import Site

pytestmark = pytest.mark.wiki

KILL_AFTER = 40  # pages of the sample's 367
CREATED = re.compile(r"^INFO ozgwiki\.wiki\.site: .+: created$")
WRITTEN = re.compile(r"^INFO ozgwiki\.wiki\.site: .+: (created|changed)$")
EDITS_SENT = re.compile(r"; (\d+) edits sent, ")
SUMMARY = "Test: Störfall"


@pytest.fixture(scope="module")
def wiki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[lw.LocalWiki]:
    """A plain wiki of this module's own. Fails (never skips) when it cannot be set up."""
    with own_wiki(tmp_path_factory.mktemp("faults") / "wiki") as own:
        yield own


@pytest.fixture(scope="module")
def lag_wiki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[lw.LocalWiki]:
    """A wiki whose job queue counts as lag: one queued job = one second (maxlag fires at > 5 jobs)."""
    with own_wiki(tmp_path_factory.mktemp("faults") / "lagwiki", job_queue_lag_factor=1) as own:
        yield own


# ---------------------------------------------------------------- SIGKILL mid-run, then re-runs


def ozgwiki(wiki: lw.LocalWiki, *args: str) -> Child:
    """``python -m ozgwiki --config <the wiki's ozgwiki.yaml> -v ARGS`` with the secret from bot.secret."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OZGWIKI_")}
    argv = [sys.executable, "-m", "ozgwiki", "--config", str(wiki.path("ozgwiki.yaml")), "-v", *args]
    return Child(argv, env, REPO)


def kill_after(child: Child, pattern: re.Pattern[str], n: int, timeout: float = 120) -> None:
    """SIGKILL the child as soon as its stderr showed ``n`` lines matching ``pattern``."""
    reached = child.err.wait_for(pattern, n, timeout)
    child.proc.kill()
    rc, _, err = child.finish(30)
    assert reached, f"the child never logged {n} lines like {pattern.pattern} (exit {rc}):\n{err[-3000:]}"
    assert rc == -9, f"the child ended by itself (exit {rc}) before it was killed"


def clean(rc: int, out: str, err: str) -> None:
    assert rc in (0, 1), f"exit {rc}\n{out[-2000:]}\n{err[-3000:]}"
    assert "Traceback" not in err + out, err[-3000:]


def test_sigkill_mid_import_then_the_rerun_converges(wiki: lw.LocalWiki) -> None:
    """Kill ``ozgwiki import`` after 40 pages; the re-run finishes exactly the rest, the third run
    makes no edit, and every page reads as an uninterrupted import writes it (the transform of "")."""
    plans = plan_pages(load())
    expected = {p.title: save_form(ImportItem.from_plan(p).transform("")) for p in plans}
    assert len(expected) == len(plans) == 367
    reader = make_site(wiki)
    reader.login()
    assert not any(s.exists for s in reader.read_pages(expected).values()), "the wiki is not fresh"

    kill_after(ozgwiki(wiki, "import"), CREATED, KILL_AFTER)
    saved = sum(s.exists for s in reader.read_pages(expected).values())
    assert KILL_AFTER <= saved < len(expected), saved  # killed mid-run, not before, not after

    rc, out, err = ozgwiki(wiki, "import", "--format", "json").finish(300)
    clean(rc, out, err)
    counts = json.loads(out)["counts"]
    assert counts["created"] == len(expected) - saved  # exactly the rest: nothing twice
    assert counts["changed"] == counts["retired"] == counts["conflicts"] == counts["skipped"] == 0
    assert counts["errors"] == 0
    assert counts["unchanged"] == saved

    rc, out, err = ozgwiki(wiki, "import", "--format", "json").finish(300)
    clean(rc, out, err)
    assert rc == 0
    # the catalogue's pages and the ID-title redirects and Begriffsklärung pages beside them
    scheme = title_scheme(load())
    kept = len(redirect_plans(scheme)) + len(disambiguation_plans(plans, scheme))
    assert json.loads(out)["counts"]["unchanged"] == len(expected) + kept
    assert [int(n) for n in EDITS_SENT.findall(err)] == [0], err[-2000:]

    texts = {t: s.text for t, s in reader.read_pages(expected).items()}
    wrong = [t for t in expected if texts[t] != expected[t]]
    assert not wrong, f"{len(wrong)} pages differ from an uninterrupted import, e.g. {wrong[:3]}"


def test_sigkill_mid_run_the_next_run_takes_over_the_lock_and_converges(wiki: lw.LocalWiki) -> None:
    """Kill ``ozgwiki run`` (holding the run lock, in the middle of deploy) after 10 written pages; the
    next run takes the stale lock over and finishes; a third run makes no edit."""
    lock_file = wiki.path("state") / LOCK_NAME
    child = ozgwiki(wiki, "run")
    pid = child.proc.pid
    kill_after(child, WRITTEN, 10)
    holder = LockHolder.parse(lock_file.read_text())
    assert holder is not None and holder.pid == pid, "the killed run's PID is not in the lock file"

    rc, out, err = ozgwiki(wiki, "run", "--format", "json").finish(300)
    clean(rc, out, err)
    assert f"taking over the lock file {lock_file} left by a killed run (PID {pid}, " in err
    doc = json.loads(out)
    assert [s["step"] for s in doc["steps"]] == ["deploy", "import", "validate", "regenerate"]
    assert all(s["status"] in ("ok", "findings") for s in doc["steps"]), doc["steps"]
    for step in doc["steps"][:2]:  # the killed deploy's own pages are never refused as "changed by hand"
        attention = [p for p in step["pages"] if p["outcome"] not in ("created", "changed", "unchanged")]
        assert not attention, (step["step"], attention)
    assert LockHolder.parse(lock_file.read_text()) is None, "a clean end empties the lock file"
    log_text = (wiki.path("state") / "ozgwiki-run.log").read_text()
    assert f"the previous run (PID {pid}, started " in log_text
    assert "was killed; took over its lock" in log_text

    rc, out, err = ozgwiki(wiki, "run", "--format", "json").finish(300)
    clean(rc, out, err)
    again = json.loads(out)
    assert again["stats"]["edits_sent"] == 0, [
        (s["step"], p["title"], p["outcome"]) for s in again["steps"] for p in s["pages"]
        if p["outcome"] in ("created", "changed")
    ]  # fmt: skip


# ---------------------------------------------------------------- maxlag for real


def pile_up_jobs(wiki: lw.LocalWiki) -> int:
    """Queue more than MAXLAG jobs: page saves by the editor, sent without maxlag (each queues ~2)."""
    editor = raw_login(wiki.api_url, accounts_of(wiki).editor)
    for i in range(20):
        jobs = queued_jobs(wiki.api_url)
        if jobs > MAXLAG:
            return jobs
        answer = raw_post(editor, wiki.api_url, action="edit", title=f"Rückstau {i}", text="[[Rückstau 0]]")
        assert answer.get("edit", {}).get("result") == "Success", answer
    raise AssertionError("20 saves did not queue more than 5 jobs")


def test_maxlag_never_clearing_backs_off_by_retry_after_then_gives_up(lag_wiki: lw.LocalWiki) -> None:
    assert lag_wiki.run_jobs().failed == 0
    sleeps: list[float] = []
    clock = VirtualClock()

    def wait(_n: int) -> None:
        clock.advance(sleeps[-1])  # the lag does not clear: nobody runs the jobs

    site = make_site(
        lag_wiki,
        retry=RetryConfig(max_attempts=100, base_delay=1.0, max_delay=60, budget_seconds=12),
        sleep=recording_sleep(sleeps, wait),
        clock=clock,
    )
    site.login()  # before the queue grows: no lag yet
    jobs = pile_up_jobs(lag_wiki)
    queries = site.stats.requests["query"]
    with pytest.raises(RetryBudgetExceeded, match=r"time budget of 12 s .*maxlag") as err:
        site.api("query", meta="siteinfo")
    # Backoff would be 1 s, then 2 s; the wiki's Retry-After (5) wins. A third wait would pass 12 s.
    assert sleeps == [5.0, 5.0]
    assert site.stats.retry_reasons["maxlag"] == 2 and site.stats.requests["query"] - queries == 3
    assert f"{jobs} seconds lagged" in str(err.value)  # the wiki's own words: jobs / factor 1
    assert err.value.exit_code == 3
    assert queued_jobs(lag_wiki.api_url) >= jobs  # still lagging: the give-up was not a fluke
    lag_wiki.run_jobs()


def test_maxlag_clears_once_the_job_queue_ran_and_the_edit_goes_through(lag_wiki: lw.LocalWiki) -> None:
    assert lag_wiki.run_jobs().failed == 0
    sleeps: list[float] = []
    drained: list[int] = []

    def wait(_n: int) -> None:  # the "wait" is where the jobs run: event-driven, no real sleep
        drained.append(lag_wiki.run_jobs().jobs)

    site = make_site(lag_wiki, sleep=recording_sleep(sleeps, wait))
    site.login()
    pile_up_jobs(lag_wiki)
    result = site.edit("Nach dem Rückstau", lambda _: "Gespeichert, als die Warteschlange leer war.", SUMMARY)
    assert result.outcome is Outcome.CREATED
    assert sleeps == [5.0] and len(drained) == 1 and drained[0] > MAXLAG
    assert dict(site.stats.retry_reasons) == {"maxlag": 1}
    assert revisions(lag_wiki, "Nach dem Rückstau")[0]["slots"]["main"]["content"].startswith("Gespeichert")


# ---------------------------------------------------------------- lost sessions, bad tokens


def test_session_cookies_lost_client_side_relogin_once(wiki: lw.LocalWiki) -> None:
    site = make_site(wiki)
    site.login()
    site.session.cookies.clear()
    result = site.edit("Störfall Keks weg", lambda _: "Nach dem Wiederanmelden gespeichert.", SUMMARY)
    assert result.outcome is Outcome.CREATED
    assert site.stats.relogins == 1
    assert revisions(wiki, "Störfall Keks weg")[0]["user"] == "OzgBot"


def test_session_ended_server_side_between_read_and_save(wiki: lw.LocalWiki) -> None:
    """A second client logs the bot's session out (same cookies) after the page was read and the token
    fetched: the save itself meets the lost session (MediaWiki checks ``assert=user`` before the token),
    the client logs in again once and sends the save with the new session's token: one revision."""
    title = "Störfall abgemeldet"
    site = make_site(wiki)
    site.login()
    state = site.read_pages([title])[title]
    site.token()
    intruder = requests.Session()
    intruder.cookies.update(site.session.cookies)
    assert raw_post(intruder, wiki.api_url, action="logout") == {}
    assert raw_query(intruder, wiki.api_url, meta="userinfo")["userinfo"].get("anon") is True

    result = site.edit(title, lambda _: "Gespeichert trotz Abmeldung.", SUMMARY, page=state)
    assert result.outcome is Outcome.CREATED
    assert (site.stats.relogins, site.stats.token_refreshes) == (1, 0)  # re-login renews the token
    assert site.stats.requests["edit"] == 2 and site.stats.edits_sent == 1
    assert [r["user"] for r in revisions(wiki, title)] == ["OzgBot"]


def test_lost_session_with_a_wrong_secret_is_a_clear_login_error(
    wiki: lw.LocalWiki, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = accounts_of(wiki).bot.password
    wrong = lw.generate_secret()
    monkeypatch.setenv(SECRET_ENV, good)
    site = make_site(wiki, secret=None)
    site.login()
    monkeypatch.setenv(SECRET_ENV, wrong)  # the secret was rotated meanwhile
    site.session.cookies.clear()
    with pytest.raises(LoginError) as err:
        site.edit("Störfall falsches Passwort", lambda _: "Darf nie gespeichert werden.", SUMMARY)
    message = str(err.value)
    assert message.startswith("login as OzgBot@ozgwiki at ") and " failed: " in message
    assert wrong not in message and good not in message
    assert err.value.exit_code == 2
    assert site.stats.relogins == 1 and site.stats.edits_sent == 0
    assert not exists(wiki, "Störfall falsches Passwort")


def test_corrupted_csrf_token_is_refreshed_once(wiki: lw.LocalWiki) -> None:
    site = make_site(wiki)
    site.login()
    site._tokens["csrf"] = "0123456789abcdef0123456789abcdef+\\"
    result = site.edit("Störfall Token", lambda _: "Mit frischem Token gespeichert.", SUMMARY)
    assert result.outcome is Outcome.CREATED
    assert (site.stats.token_refreshes, site.stats.relogins) == (1, 0)
    assert site._tokens["csrf"] != "0123456789abcdef0123456789abcdef+\\"


# ---------------------------------------------------------------- 5xx and lost connections (proxy)


@pytest.fixture
def proxy(wiki: lw.LocalWiki) -> Iterator[FaultProxy]:
    with FaultProxy(wiki.port, retry_after=3) as p:
        yield p


def save_through(
    wiki: lw.LocalWiki, proxy: FaultProxy, title: str, text: str, *faults: str
) -> tuple[SaveResult, Site, list[float]]:
    """Create ``title`` through the proxy with ``faults`` injected into the save (the login, the read
    and the token are fetched before, undisturbed); the result, the site and its recorded sleeps."""
    sleeps: list[float] = []
    site = make_site(wiki, api_url=proxy.api_url, sleeps=sleeps)
    site.login()
    state = site.read_pages([title])[title]
    site.token()
    proxy.inject(*faults)
    return site.edit(title, lambda _: text, SUMMARY, page=state), site, sleeps


def test_503_with_retry_after_is_retried_and_the_edit_saved(wiki: lw.LocalWiki, proxy: FaultProxy) -> None:
    result, site, sleeps = save_through(
        wiki, proxy, "Störfall 503", "Nach zwei 503 gespeichert.", "503", "503"
    )
    assert result.outcome is Outcome.CREATED
    assert proxy.done("503") == ["edit", "edit"] and proxy.done("forward")[-1] == "edit"
    assert sleeps == [3.0, 3.0]  # Retry-After 3 beats the backoff of 1 s and 2 s
    assert dict(site.stats.retry_reasons) == {"http5xx": 2}


def test_503_forever_gives_up_as_unreachable(wiki: lw.LocalWiki, proxy: FaultProxy) -> None:
    sleeps: list[float] = []
    site = make_site(wiki, api_url=proxy.api_url, sleeps=sleeps)
    proxy.inject(*["503"] * 4)
    with pytest.raises(WikiUnreachable, match=r"gave up after 4 attempts.*http5xx \(HTTP 503\)") as err:
        site.api("query", meta="siteinfo")
    assert sleeps == [3.0, 3.0, 4.0]
    assert proxy.done("forward") == [] and err.value.exit_code == 3


def test_dropped_connection_is_retried(wiki: lw.LocalWiki, proxy: FaultProxy) -> None:
    sleeps: list[float] = []
    site = make_site(wiki, api_url=proxy.api_url, sleeps=sleeps)
    proxy.inject("drop")
    site.login()
    assert site.stats.retry_reasons == {"connection": 1} and sleeps == [1.0]
    assert proxy.done("drop") == ["query"]


def test_lost_answer_to_a_save_is_not_saved_twice(wiki: lw.LocalWiki, proxy: FaultProxy) -> None:
    """The wiki saved the page but the answer never arrived: the client sends the save again; the wiki
    refuses to create the page twice (createonly → articleexists, re-read, nothing left to do) and
    turns the repeated change into a null edit (baserevid, same text). One revision per change, and
    each is reported as what it was (created, changed): the client sees that the stored text is its
    own, from the save whose answer it lost."""
    title = "Störfall Antwort verloren"
    result, site, _sleeps = save_through(wiki, proxy, title, "Einmal gespeichert.", "lose-response")
    assert proxy.done("lose-response") == ["edit"]
    assert result.outcome is Outcome.CREATED  # articleexists, re-read: our own lost save stored it
    assert site.stats.retry_reasons == {"connection": 1}
    assert [r["slots"]["main"]["content"] for r in revisions(wiki, title)] == ["Einmal gespeichert."]

    # The same for a change of an existing page: one new revision, not two.
    state = site.read_pages([title])[title]
    proxy.inject("lose-response")
    result = site.edit(title, lambda t: t + "\nZweite Zeile.", SUMMARY, page=state)
    assert result.outcome is Outcome.CHANGED  # nochange to the resend: our lost save stored it
    assert site.stats.retry_reasons == {"connection": 2} and site.stats.edits_sent == 2
    assert [r["slots"]["main"]["content"] for r in revisions(wiki, title)] == [
        "Einmal gespeichert.\nZweite Zeile.",
        "Einmal gespeichert.",
    ]


def test_nothing_listening_is_unreachable_after_the_retries() -> None:
    sleeps: list[float] = []
    config = WikiConfig(
        api_url=f"http://127.0.0.1:{free_port()}/w/api.php", username="OzgBot@ozgwiki", secret="x" * 32,
        retry=RetryConfig(max_attempts=3, base_delay=1.0, max_delay=60, budget_seconds=300),
    )  # fmt: skip
    site = Site(config, sleep=recording_sleep(sleeps), random=lambda: 1.0)
    gave_up = r"gave up after 3 attempts.*connection \(ConnectionError"
    with pytest.raises(WikiUnreachable, match=gave_up) as err:
        site.login()
    assert sleeps == [1.0, 2.0] and err.value.exit_code == 3


# ---------------------------------------------------------------- timeouts, 500/502, HTML pages (proxy)

#: Short enough that a timed-out attempt costs little, 40 times what a save takes on the local wiki.
SHORT_TIMEOUT = 2.0


def test_read_timeout_is_retried(wiki: lw.LocalWiki, proxy: FaultProxy) -> None:
    """The proxy holds a read unanswered (the wiki never sees it) until the client's read timeout
    fires and it hangs up; the client backs off 1 s and reads again."""
    sleeps: list[float] = []
    site = make_site(wiki, api_url=proxy.api_url, sleeps=sleeps, request_timeout=SHORT_TIMEOUT)
    site.login()
    assert site.batch_size  # read_pages' first question (userinfo: the batch size) comes before the fault
    proxy.inject("stall")
    state = site.read_pages(["Hauptseite"])["Hauptseite"]
    assert state.exists and state.revid
    assert proxy.done("stall") == ["query"] and proxy.done("forward")[-1] == "query"
    assert dict(site.stats.retry_reasons) == {"timeout": 1} and sleeps == [1.0]


def test_read_timeouts_that_persist_give_up_as_unreachable(wiki: lw.LocalWiki, proxy: FaultProxy) -> None:
    """Every attempt hangs: two timed-out attempts (the wall-clock cost is bounded by attempts x
    request_timeout), then WikiUnreachable, exit 3."""
    sleeps: list[float] = []
    site = make_site(
        wiki, api_url=proxy.api_url, sleeps=sleeps, request_timeout=SHORT_TIMEOUT,
        retry=RetryConfig(max_attempts=2, base_delay=1.0, max_delay=60, budget_seconds=300),
    )  # fmt: skip
    proxy.inject("stall", "stall")
    with pytest.raises(WikiUnreachable, match=r"gave up after 2 attempts.*timeout \(ReadTimeout") as err:
        site.api("query", meta="siteinfo")
    assert sleeps == [1.0] and proxy.done("stall") == ["query", "query"] and proxy.done("forward") == []
    assert err.value.exit_code == EXIT_UNREACHABLE


def test_save_answered_after_the_timeout_is_not_saved_twice(wiki: lw.LocalWiki, proxy: FaultProxy) -> None:
    """The wiki stores the save but its answer arrives only after the client timed out (the proxy holds
    it until the client hung up): the resend meets the stored page -- one revision per change, each
    reported as what it was."""
    title = "Störfall Zeitüberschreitung"
    site = make_site(wiki, api_url=proxy.api_url, request_timeout=SHORT_TIMEOUT)
    site.login()
    state = site.read_pages([title])[title]
    site.token()
    proxy.inject("slow")
    result = site.edit(title, lambda _: "Einmal gespeichert.", SUMMARY, page=state)
    assert result.outcome is Outcome.CREATED
    state = site.read_pages([title])[title]
    proxy.inject("slow")
    result = site.edit(title, lambda t: t + "\nZweite Zeile.", SUMMARY, page=state)
    assert result.outcome is Outcome.CHANGED
    assert proxy.done("slow") == ["edit", "edit"]
    assert dict(site.stats.retry_reasons) == {"timeout": 2} and site.stats.edits_sent == 2
    assert contents(wiki, title) == ["Einmal gespeichert.\nZweite Zeile.", "Einmal gespeichert."]


def test_http_500_is_retried_and_the_edit_saved(wiki: lw.LocalWiki, proxy: FaultProxy) -> None:
    title = "Störfall 500"
    result, site, sleeps = save_through(wiki, proxy, title, "Nach zwei 500 gespeichert.", "500", "500")
    assert result.outcome is Outcome.CREATED
    assert proxy.done("500") == ["edit", "edit"] and proxy.done("forward")[-1] == "edit"
    assert sleeps == [1.0, 2.0]  # no Retry-After: the plain backoff
    assert dict(site.stats.retry_reasons) == {"http5xx": 2}
    assert contents(wiki, title) == ["Nach zwei 500 gespeichert."]


def test_502_page_after_the_wiki_saved_is_not_saved_twice(wiki: lw.LocalWiki, proxy: FaultProxy) -> None:
    """The gateway passes the save on, the wiki stores it, and the gateway answers 502 with an HTML
    page: the client retries, the resend meets the stored text, the page is reported as created."""
    title = "Störfall 502"
    result, site, sleeps = save_through(wiki, proxy, title, "Trotz 502 einmal gespeichert.", "502-after")
    assert result.outcome is Outcome.CREATED
    assert proxy.done("502-after") == ["edit"] and sleeps == [1.0]
    assert dict(site.stats.retry_reasons) == {"http5xx": 1}
    assert contents(wiki, title) == ["Trotz 502 einmal gespeichert."]


def test_html_page_with_status_200_is_retried_and_saved(wiki: lw.LocalWiki, proxy: FaultProxy) -> None:
    """A proxy's maintenance page with status 200 where the API's JSON belongs: retried like a 5xx."""
    title = "Störfall HTML"
    result, site, sleeps = save_through(wiki, proxy, title, "Nach der Wartungsseite gespeichert.", "html")
    assert result.outcome is Outcome.CREATED
    assert proxy.done("html") == ["edit"] and sleeps == [1.0]
    assert dict(site.stats.retry_reasons) == {"notjson": 1}
    assert contents(wiki, title) == ["Nach der Wartungsseite gespeichert."]


def test_html_page_forever_gives_up_as_unreachable(wiki: lw.LocalWiki, proxy: FaultProxy) -> None:
    sleeps: list[float] = []
    site = make_site(wiki, api_url=proxy.api_url, sleeps=sleeps)
    proxy.inject(*["html"] * 4)
    gave_up = r"gave up after 4 attempts.*notjson \(HTTP 200 'text/html"
    with pytest.raises(WikiUnreachable, match=gave_up) as err:
        site.api("query", meta="siteinfo")
    assert "did not answer with JSON" in str(err.value) and "\n" not in str(err.value)
    assert sleeps == [1.0, 2.0, 4.0] and proxy.done("forward") == []
    assert err.value.exit_code == EXIT_UNREACHABLE


def test_truncated_answer_is_retried(wiki: lw.LocalWiki, proxy: FaultProxy) -> None:
    """The connection breaks inside the answer's body (the head announced more): retried like a
    dropped connection, not the end of the run."""
    sleeps: list[float] = []
    site = make_site(wiki, api_url=proxy.api_url, sleeps=sleeps)
    site.login()
    assert site.batch_size
    proxy.inject("truncate")
    assert site.read_pages(["Hauptseite"])["Hauptseite"].exists
    assert proxy.done("truncate") == ["query"] and sleeps == [1.0]
    assert dict(site.stats.retry_reasons) == {"connection": 1}


def test_cli_facing_a_proxy_page_exits_3_with_one_line(
    wiki: lw.LocalWiki, proxy: FaultProxy, tmp_path: Path
) -> None:
    """``ozgwiki import`` while the proxy answers its maintenance page: retries, then exit 3 with one
    line on stderr naming the cause, no traceback, nothing written."""
    config = write_config(
        tmp_path / "ozgwiki.yaml", wiki, api_url=proxy.api_url,
        retry={"max_attempts": 3, "base_delay": 0.1, "max_delay": 1, "budget_seconds": 30},
    )  # fmt: skip
    proxy.inject(*["html"] * 3)
    rc, out, err = run_cli(config, "import")
    line = one_line_error(rc, out, err)
    assert rc == EXIT_UNREACHABLE, (rc, out, err)
    assert "gave up after 3 attempts" in line and "notjson" in line and "did not answer with JSON" in line
    assert proxy.done("html") == ["query"] * 3 and proxy.done("forward") == []
    assert PROXY_PAGE.decode() not in err  # the page itself is not dumped into the cron mail
