"""Refusals by a REAL wiki, in process: a page deleted or protected between the bot's read and its
save, a read-only wiki, rate limits the bot really hits. ``ozgwiki import`` meeting such refusals (and
the spam filter) is test_faults_import_wiki.py; the fault matrix is docs/faults.md.

All tests here share one wiki of this module's own (a temporary folder on a free port), never the
shared one on 8091; their titles are their own. The settings a fault needs -- ``$wgReadOnly``,
``$wgRateLimits`` without ``noratelimit`` for the bot group -- go into that wiki's
``LocalSettings.extra.php`` (``faults.WikiSettings`` waits until the wiki reports them) and are removed
after each test. Nothing waits by sleeping: the Site's sleep is a recording hook, and where the fault
must end while the client waits (the wiki becomes writable again, the rate limit's window passes)
that hook is where it ends; an admin acts from inside the bot's transform, i.e. between read and save.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from faults import (
    DELETED,
    KEYS,
    QUICK_RETRY,
    RATE_LIMIT,
    RATE_LIMIT_WAIT,
    VirtualClock,
    WikiSettings,
    admin_of,
    clear_rate_limits,
    contents,
    exists,
    make_site,
    one_line_error,
    own_wiki,
    recording_sleep,
    revisions,
    run_cli,
    small_catalogue,
    wiki_settings,
    write_config,
)

from ozgwiki import localwiki as lw
from ozgwiki.config import RetryConfig
from ozgwiki.errors import EXIT_UNREACHABLE, RetryBudgetExceeded
from ozgwiki.wiki.pages import Outcome

pytestmark = pytest.mark.wiki

SUMMARY = "Test: Verweigerung"
READ_ONLY = "$wgReadOnly = 'Wartung: Datenbank-Update bis 12 Uhr';"


@pytest.fixture(scope="module")
def wiki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[lw.LocalWiki]:
    """A plain wiki of this module's own. Fails (never skips) when it cannot be set up."""
    with own_wiki(tmp_path_factory.mktemp("refusals") / "wiki") as own:
        yield own


@pytest.fixture
def settings(wiki: lw.LocalWiki) -> Iterator[WikiSettings]:
    """The wiki's extra settings; back to its own after each test."""
    yield from wiki_settings(wiki)


# ---------------------------------------------------------------- deleted / protected between read and save


def test_page_deleted_between_read_and_save_is_reported_not_recreated(wiki: lw.LocalWiki) -> None:
    """Admin deletes the page while the bot's transform runs: the save (``nocreate``) meets
    ``missingtitle``, the re-read finds the page gone, and the bot does not recreate it behind the
    admin's back (MediaWiki would ask a person first): a ``conflict`` with a one-line reason. The next
    edit reads the page as missing and decides afresh."""
    title = "Verweigerung gelöscht"
    admin = admin_of(wiki)
    admin(action="edit", title=title, text="Von Hand angelegt.")
    site = make_site(wiki)
    site.login()
    seen: list[str] = []

    def transform(text: str) -> str:
        seen.append(text)
        if len(seen) == 1:
            admin(action="delete", title=title, reason="Test: gelöscht, während der Bot schrieb")
        return text + "\nVom Bot ergänzt."

    result = site.edit(title, transform, SUMMARY)
    assert result.outcome is Outcome.CONFLICT
    assert result.message.startswith(DELETED + " (missingtitle: "), result.message
    assert "\n" not in result.message
    assert seen == ["Von Hand angelegt."]  # never re-applied to "", never sent as a new page
    assert not exists(wiki, title)
    assert (site.stats.edits_sent, site.stats.conflicts, site.stats.created) == (1, 1, 0)

    again = site.edit(title, lambda t: "Vom Bot neu angelegt.", SUMMARY)
    assert again.outcome is Outcome.CREATED
    assert contents(wiki, title) == ["Vom Bot neu angelegt."]


def test_page_protected_between_read_and_save_is_reported_and_left_alone(wiki: lw.LocalWiki) -> None:
    """Admin protects the page (edit=sysop) while the transform runs, and a missing page against
    creation: both saves meet ``protectedpage``; each page is an ``error`` with the wiki's words, one
    attempt, nothing written; the run goes on (the next page is saved)."""
    admin = admin_of(wiki)
    existing, missing = "Verweigerung geschützt", "Verweigerung Anlegen gesperrt"
    after = "Verweigerung danach"
    admin(action="edit", title=existing, text="Von Hand angelegt.")
    site = make_site(wiki)
    site.login()

    def protecting(title: str, level: str) -> Callable[[str], str]:
        def transform(text: str) -> str:
            admin(action="protect", title=title, protections=f"{level}=sysop", reason="Test: geschützt")
            return text + "\nVom Bot ergänzt."

        return transform

    first = site.edit(existing, protecting(existing, "edit"), SUMMARY)
    second = site.edit(missing, protecting(missing, "create"), SUMMARY)
    third = site.edit(after, lambda _: "Gespeichert.", SUMMARY)
    for result in (first, second):
        assert result.outcome is Outcome.ERROR and result.attempts == 1
        assert result.message.startswith("protectedpage: ") and "\n" not in result.message, result.message
    assert third.outcome is Outcome.CREATED
    # Protecting adds a null revision by Admin; the bot added none.
    assert [(r["user"], r["slots"]["main"]["content"]) for r in revisions(wiki, existing)] == [
        ("Admin", "Von Hand angelegt."),
    ] * 2
    assert not exists(wiki, missing)
    assert (site.stats.edits_sent, site.stats.errors, site.stats.retries) == (3, 2, 0)


# ---------------------------------------------------------------- read-only wiki


def test_read_only_wiki_is_waited_for_and_the_edit_saved_once_writable(
    wiki: lw.LocalWiki, settings: WikiSettings
) -> None:
    """``$wgReadOnly`` set after the bot logged in: the save meets ``readonly``; the client backs off
    (MediaWiki sends no Retry-After), and at its second wait the admin ends the maintenance: saved
    once."""
    title = "Verweigerung schreibgeschützt"
    sleeps: list[float] = []

    def wait(n: int) -> None:
        if n == 2:
            settings.clear()

    site = make_site(wiki, sleep=recording_sleep(sleeps, wait))
    site.login()
    state = site.read_pages([title])[title]
    site.token()
    settings.set(READ_ONLY)
    result = site.edit(title, lambda _: "Nach der Wartung gespeichert.", SUMMARY, page=state)
    assert result.outcome is Outcome.CREATED
    assert sleeps == [1.0, 2.0] and dict(site.stats.retry_reasons) == {"readonly": 2}
    assert site.stats.requests["edit"] == 3 and contents(wiki, title) == ["Nach der Wartung gespeichert."]


def test_read_only_wiki_stops_the_cli_with_exit_3_naming_the_reason(
    wiki: lw.LocalWiki, settings: WikiSettings, tmp_path: Path
) -> None:
    """A cron run against a wiki in read-only mode: even the login is refused (``readonly``); after
    the retries ``ozgwiki import`` stops with exit 3 and one line that carries the admin's reason."""
    settings.set(READ_ONLY)
    config = write_config(
        tmp_path / "ozgwiki.yaml", wiki, catalogue=small_catalogue(tmp_path / "cat", KEYS), retry=QUICK_RETRY
    )
    rc, out, err = run_cli(config, "import")
    line = one_line_error(rc, out, err)
    assert rc == EXIT_UNREACHABLE
    assert "action=login: gave up after 2 attempts" in line and "readonly" in line, line
    assert "Reason: Wartung: Datenbank-Update bis 12 Uhr" in line
    assert not any(exists(wiki, f"LeiKa {k}") for k in KEYS)


# ---------------------------------------------------------------- rate limits


def test_rate_limited_bot_waits_for_the_limit_window_then_saves(
    wiki: lw.LocalWiki, settings: WikiSettings
) -> None:
    """Two edits per 45 s for the bot: the third save is refused (``ratelimited``, no Retry-After).
    The client reads the account's limits and waits the window (not the 1 s backoff); the wait is
    where the window passes (the limiter's counters are forgotten): the third page is saved once."""
    settings.set(RATE_LIMIT)
    clear_rate_limits(wiki)
    sleeps: list[float] = []
    forgotten: list[int] = []

    def window_passes(_n: int) -> None:
        forgotten.append(clear_rate_limits(wiki))

    site = make_site(wiki, sleep=recording_sleep(sleeps, window_passes))
    site.login()
    titles = [f"Verweigerung gedrosselt {i}" for i in range(3)]
    states = site.read_pages(titles)
    results = [site.edit(t, lambda _: "Gedrosselt gespeichert.", SUMMARY, page=states[t]) for t in titles]
    assert [r.outcome for r in results] == [Outcome.CREATED] * 3
    assert sleeps == [RATE_LIMIT_WAIT] and forgotten[0] > 0
    assert dict(site.stats.retry_reasons) == {"ratelimited": 1} and site.stats.requests["edit"] == 4
    assert all(len(contents(wiki, t)) == 1 for t in titles)


def test_rate_limit_that_does_not_pass_gives_up_within_the_budget(
    wiki: lw.LocalWiki, settings: WikiSettings
) -> None:
    settings.set(RATE_LIMIT)
    clear_rate_limits(wiki)
    sleeps: list[float] = []
    clock = VirtualClock()
    site = make_site(
        wiki,
        retry=RetryConfig(max_attempts=10, base_delay=1.0, max_delay=60, budget_seconds=100),
        sleep=recording_sleep(sleeps, lambda _n: clock.advance(sleeps[-1])),
        clock=clock,
    )
    site.login()
    for i in range(2):
        assert site.edit(f"Verweigerung Kontingent {i}", lambda _: "x", SUMMARY).outcome.value == "created"
    gave_up = r"action=edit: gave up after the time budget of 100 s"
    with pytest.raises(RetryBudgetExceeded, match=gave_up) as err:
        site.edit("Verweigerung Kontingent 2", lambda _: "x", SUMMARY)
    assert "ratelimited" in str(err.value) and err.value.exit_code == EXIT_UNREACHABLE
    assert sleeps == [RATE_LIMIT_WAIT] * 2  # a third wait would pass 100 s
    assert not exists(wiki, "Verweigerung Kontingent 2")
    clear_rate_limits(wiki)
