"""``ozgwiki import`` meeting refusals by a REAL wiki: pages deleted or protected by an admin between
the bot's read and its save, rate limits that outlast the retries, a spam filter matching a catalogue
text. Each test imports a small catalogue (three LeiKa keys of the sample, six pages) into a fresh
wiki of its own -- an import retires every LeiKa page it does not plan, so imports never share a
wiki -- and checks exit code, report, stderr and the pages, then that the next run converges.

Settings go into the wiki's ``LocalSettings.extra.php`` (``faults.WikiSettings``); the admin acts from
the loopback proxy, just before it forwards the bot's save (``FaultProxy.before_edit``), so the bot
has read the page and is saving it. The fault matrix is docs/faults.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from faults import (
    DELETED,
    KEYS,
    QUICK_RETRY,
    RATE_LIMIT,
    FaultProxy,
    WikiSettings,
    admin_of,
    clear_rate_limits,
    contents,
    exists,
    import_json,
    message_of,
    one_line_error,
    outcomes,
    own_wiki,
    revisions,
    run_cli,
    small_catalogue,
    wiki_settings,
    write_config,
)

from ozgwiki import localwiki as lw
from ozgwiki.bots.importer import ImportItem
from ozgwiki.catalogue import load
from ozgwiki.errors import EXIT_FINDINGS, EXIT_OK, EXIT_UNREACHABLE
from ozgwiki.render.plans import plan_pages

pytestmark = pytest.mark.wiki

SPAM_TEXT = "Pass für Geringverdiener"
SPAM = f"$wgSpamRegex = [ '/{SPAM_TEXT}/' ];"


@pytest.fixture
def wiki(tmp_path: Path) -> Iterator[lw.LocalWiki]:
    """A fresh wiki of this test's own. Fails (never skips) when it cannot be set up."""
    with own_wiki(tmp_path / "wiki") as own:
        yield own


@pytest.fixture
def settings(wiki: lw.LocalWiki) -> Iterator[WikiSettings]:
    yield from wiki_settings(wiki)


# ---------------------------------------------------------------- deleted / protected meanwhile


def test_cli_import_reports_pages_deleted_or_protected_meanwhile_and_goes_on(
    wiki: lw.LocalWiki, tmp_path: Path
) -> None:
    """``ozgwiki import`` of a changed catalogue while an admin deletes one LeiKa page and protects
    another just before the bot's save of each reaches the wiki (the loopback proxy acts between the
    bot's read and its save): exit 1, both pages reported with one-line reasons, every other page
    written, the deleted page not recreated, the protected one unchanged. The next run recreates the
    deleted page (the catalogue still has it) and reports the protected one again."""
    deleted, protected = (f"LeiKa {k}" for k in KEYS[:2])
    original = small_catalogue(tmp_path / "v1", KEYS)
    rc, report, _ = import_json(write_config(tmp_path / "first.yaml", wiki, catalogue=original))
    assert rc == EXIT_OK and report["counts"]["created"] == 6, report["counts"]
    before = contents(wiki, protected)

    renamed = small_catalogue(tmp_path / "v2", KEYS, {k: f"Neue Bezeichnung {k}" for k in KEYS[:2]})
    admin = admin_of(wiki)
    with FaultProxy(wiki.port) as proxy:
        proxy.before_edit(deleted, lambda: admin(action="delete", title=deleted, reason="Test"))
        proxy.before_edit(
            protected, lambda: admin(action="protect", title=protected, protections="edit=sysop")
        )
        config = write_config(tmp_path / "second.yaml", wiki, catalogue=renamed, api_url=proxy.api_url)
        rc, report, _ = import_json(config)
        assert not proxy.hooks, "the proxy never saw the bot's saves of both pages"
    assert rc == EXIT_FINDINGS
    seen = outcomes(report)
    assert seen[deleted] == "conflict" and seen[protected] == "error", seen
    assert message_of(report, deleted).startswith(DELETED + " (missingtitle: ")
    assert message_of(report, protected).startswith("protectedpage: ")
    assert all("\n" not in (p["message"] or "") for p in report["pages"])
    others = {t: o for t, o in seen.items() if t not in (deleted, protected)}
    assert len(others) == 4 and set(others.values()) <= {"changed", "unchanged"}, seen
    assert not exists(wiki, deleted)
    revs = revisions(wiki, protected)
    assert [r["user"] for r in revs] == ["Admin", "OzgBot"]  # the protection's null revision, no bot edit
    assert revs[0]["slots"]["main"]["content"] == before[0]

    config = write_config(tmp_path / "third.yaml", wiki, catalogue=renamed)
    rc, report, _ = import_json(config)
    seen = outcomes(report)
    assert rc == EXIT_FINDINGS and seen[deleted] == "created" and seen[protected] == "error", seen
    assert "Neue Bezeichnung" in contents(wiki, deleted)[0]


def test_cli_import_hitting_the_rate_limit_stops_with_exit_3_and_the_reruns_converge(
    wiki: lw.LocalWiki, settings: WikiSettings, tmp_path: Path
) -> None:
    """``ozgwiki import`` of six pages with two edits allowed per window: each cron run writes two
    pages, then the limit outlasts its (short) retry budget: exit 3, one line naming ``ratelimited``.
    Between runs the window passes; the third run writes the last two and ends with exit 0. Every
    page is written exactly once: nothing lost, nothing twice."""
    settings.set(RATE_LIMIT)
    catalogue = small_catalogue(tmp_path / "cat", KEYS)
    titles = [p.title for p in plan_pages(load(catalogue))]
    config = write_config(tmp_path / "ozgwiki.yaml", wiki, catalogue=catalogue, retry=QUICK_RETRY)
    written: list[int] = []
    for _run in range(2):
        clear_rate_limits(wiki)  # the window has passed since the last cron run
        rc, out, err = run_cli(config, "import")
        line = one_line_error(rc, out, err)
        assert rc == EXIT_UNREACHABLE
        assert "action=edit: gave up after 2 attempts" in line and "ratelimited" in line, line
        written.append(sum(exists(wiki, t) for t in titles))
    assert written == [2, 4]

    clear_rate_limits(wiki)
    rc, report, _ = import_json(config)
    assert rc == EXIT_OK
    assert (report["counts"]["created"], report["counts"]["unchanged"]) == (2, 4), report["counts"]
    assert all(len(contents(wiki, t)) == 1 for t in titles)


# ---------------------------------------------------------------- spam filter


def test_cli_import_reports_the_page_the_spam_filter_refuses_and_goes_on(
    wiki: lw.LocalWiki, settings: WikiSettings, tmp_path: Path
) -> None:
    """``$wgSpamRegex`` matches one LeiKa-Bezeichnung of the catalogue: that page is refused
    (``spamprotectionmatch``) and reported, the other five are written, exit 1. With the filter
    fixed, the re-run writes the missing page and nothing else."""
    catalogue = small_catalogue(tmp_path / "cat", KEYS)
    plans = plan_pages(load(catalogue))
    refused = [p.title for p in plans if SPAM_TEXT in ImportItem.from_plan(p).transform("")]
    assert refused == ["LeiKa 99107027000000"]
    settings.set(SPAM)
    config = write_config(tmp_path / "ozgwiki.yaml", wiki, catalogue=catalogue)
    rc, report, err = import_json(config)
    assert rc == EXIT_FINDINGS
    seen = outcomes(report)
    assert {t for t, o in seen.items() if o != "created"} == set(refused) and seen[refused[0]] == "error"
    message = message_of(report, refused[0])
    assert message.startswith("spamprotectionmatch: ") and SPAM_TEXT in message, message
    assert not exists(wiki, refused[0]) and len(seen) == 6
    assert "WARNING ozgwiki.wiki.site: LeiKa 99107027000000: not saved: spamprotectionmatch" in err

    settings.clear()
    rc, report, _ = import_json(config)
    assert rc == EXIT_OK and (report["counts"]["created"], report["counts"]["unchanged"]) == (1, 5)
