"""``ozgwiki import`` meeting refusals by a REAL wiki: pages deleted or protected by an admin between
the bot's read and its save, rate limits that outlast the retries, a spam filter matching a catalogue
text. Each test imports a small catalogue (three LeiKa keys of the sample, six pages titled by name,
and the six ID titles redirecting to them) into a fresh wiki of its own -- an import retires every
LeiKa page it does not plan, so imports never share a wiki -- and checks exit code, report, stderr and
the pages, then that the next run converges.

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
from ozgwiki.render.plans import KIND_LEIKA, PagePlan, plan_pages, redirect_plans, title_scheme
from ozgwiki.wikitext.params import redirect_text

pytestmark = pytest.mark.wiki

SPAM_TEXT = "Pass für Geringverdiener"
SPAM = f"$wgSpamRegex = [ '/{SPAM_TEXT}/' ];"


def leika_plans(manifest: Path, keys: list[str]) -> list[PagePlan]:
    """The LeiKa pages of ``keys`` in the catalogue of ``manifest``: name title and ID title."""
    by_key = {p.key: p for p in plan_pages(load(manifest)) if p.kind == KIND_LEIKA}
    return [by_key[k] for k in keys]


def import_titles(manifest: Path) -> tuple[list[str], list[str]]:
    """The titles an import of ``manifest`` writes, in its order: the pages, then the ID redirects."""
    catalogue = load(manifest)
    scheme = title_scheme(catalogue)
    return [p.title for p in plan_pages(catalogue, scheme)], [r.title for r in redirect_plans(scheme)]


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
    deleted page (the catalogue still has it) and reports the protected one again.

    The new Bezeichnung is the pages' new name: the bot first moves both pages to it (names first),
    then saves them there, and that save is what the admin gets in front of."""
    original = small_catalogue(tmp_path / "v1", KEYS)
    rc, report, _ = import_json(write_config(tmp_path / "first.yaml", wiki, catalogue=original))
    assert rc == EXIT_OK and report["counts"]["created"] == 6, report["counts"]
    old_deleted, old_protected = (p.title for p in leika_plans(original, KEYS[:2]))
    before = contents(wiki, old_protected)

    renamed = small_catalogue(tmp_path / "v2", KEYS, {k: f"Neue Bezeichnung {k}" for k in KEYS[:2]})
    deleted, protected = (p.title for p in leika_plans(renamed, KEYS[:2]))
    pages, _redirects = import_titles(renamed)
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
    assert seen[old_deleted] == "moved" and seen[old_protected] == "moved", seen
    assert seen[deleted] == "conflict" and seen[protected] == "error", seen
    assert message_of(report, deleted).startswith(DELETED + " (missingtitle: ")
    assert message_of(report, protected).startswith("protectedpage: ")
    assert all("\n" not in (p["message"] or "") for p in report["pages"])
    others = {t: o for t, o in seen.items() if t in pages and t not in (deleted, protected)}
    assert len(others) == 4 and set(others.values()) <= {"changed", "unchanged"}, seen
    assert not exists(wiki, deleted)
    revs = revisions(wiki, protected)
    # The protection's null revision and the move's, no bot edit: the text is the one first imported.
    assert [r["user"] for r in revs] == ["Admin", "OzgBot", "OzgBot"]
    assert [r["slots"]["main"]["content"] for r in revs] == [before[0]] * 3

    config = write_config(tmp_path / "third.yaml", wiki, catalogue=renamed)
    rc, report, _ = import_json(config)
    seen = outcomes(report)
    assert rc == EXIT_FINDINGS and seen[deleted] == "created" and seen[protected] == "error", seen
    assert "Neue Bezeichnung" in contents(wiki, deleted)[0]


def test_cli_import_hitting_the_rate_limit_stops_with_exit_3_and_the_reruns_converge(
    wiki: lw.LocalWiki, settings: WikiSettings, tmp_path: Path
) -> None:
    """``ozgwiki import`` of six pages and their six ID-title redirects with two edits allowed per
    window: each cron run writes two pages, then the limit outlasts its (short) retry budget: exit 3,
    one line naming ``ratelimited``. Between runs the window passes; the pages come first, then the
    redirects to them; the sixth run writes the last two and ends with exit 0. Every page is written
    exactly once: nothing lost, nothing twice."""
    settings.set(RATE_LIMIT)
    catalogue = small_catalogue(tmp_path / "cat", KEYS)
    pages, redirects = import_titles(catalogue)
    assert (len(pages), len(redirects)) == (6, 6)
    config = write_config(tmp_path / "ozgwiki.yaml", wiki, catalogue=catalogue, retry=QUICK_RETRY)
    written: list[tuple[int, int]] = []
    for _run in range(5):
        clear_rate_limits(wiki)  # the window has passed since the last cron run
        rc, out, err = run_cli(config, "import")
        line = one_line_error(rc, out, err)
        assert rc == EXIT_UNREACHABLE
        assert "action=edit: gave up after 2 attempts" in line and "ratelimited" in line, line
        written.append((sum(exists(wiki, t) for t in pages), sum(exists(wiki, t) for t in redirects)))
    assert written == [(2, 0), (4, 0), (6, 0), (6, 2), (6, 4)]

    clear_rate_limits(wiki)
    rc, report, _ = import_json(config)
    assert rc == EXIT_OK
    counts = report["counts"]
    assert (counts["created"], counts["redirects"], counts["unchanged"]) == (0, 2, 10), counts
    assert all(len(contents(wiki, t)) == 1 for t in pages + redirects)


# ---------------------------------------------------------------- spam filter


def test_cli_import_reports_the_page_the_spam_filter_refuses_and_goes_on(
    wiki: lw.LocalWiki, settings: WikiSettings, tmp_path: Path
) -> None:
    """``$wgSpamRegex`` matches one LeiKa-Bezeichnung of the catalogue: that page -- and the
    redirect of its ID title, whose text names the page -- are refused (``spamprotectionmatch``) and
    reported, the other five pages and five redirects are written, exit 1. With the filter fixed, the
    re-run writes the missing page and its redirect and nothing else."""
    catalogue = small_catalogue(tmp_path / "cat", KEYS)
    scheme = title_scheme(load(catalogue))
    texts = {p.title: ImportItem.from_plan(p).transform("") for p in plan_pages(load(catalogue), scheme)}
    texts |= {r.title: redirect_text(r.target) for r in redirect_plans(scheme)}
    refused = sorted(t for t, text in texts.items() if SPAM_TEXT in text)
    (spam,) = leika_plans(catalogue, ["99107027000000"])
    assert refused == sorted([spam.title, spam.id_title])
    settings.set(SPAM)
    config = write_config(tmp_path / "ozgwiki.yaml", wiki, catalogue=catalogue)
    rc, report, err = import_json(config)
    assert rc == EXIT_FINDINGS
    seen = outcomes(report)
    assert {t for t, o in seen.items() if o != "created"} == set(refused), seen
    assert all(seen[t] == "error" for t in refused), seen
    for title in refused:
        message = message_of(report, title)
        assert message.startswith("spamprotectionmatch: ") and SPAM_TEXT in message, message
        assert not exists(wiki, title)
        assert f"WARNING ozgwiki.wiki.site: {title}: not saved: spamprotectionmatch" in err
    assert len(seen) == 12

    settings.clear()
    rc, report, _ = import_json(config)
    counts = report["counts"]
    assert rc == EXIT_OK and (counts["created"], counts["redirects"], counts["unchanged"]) == (1, 1, 10)
