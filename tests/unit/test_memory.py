"""The page memory: a run with nothing to do reads no page text, and a wrong memory only costs reads.

The memory (ozgwiki.engine.memory) is trusted only where the wiki's own SHA-1 of a page matches the one
remembered for the same change, so every test here that spoils the memory must still end in the right
wiki text.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import pytest
from fakewiki import FakeWiki

from ozgwiki.bots import importer
from ozgwiki.config import Config
from ozgwiki.domain.model import Catalogue
from ozgwiki.engine.bot import BotContext
from ozgwiki.engine.memory import NAME, PageMemory, code_fingerprint, fingerprint, text_sha1
from ozgwiki.engine.state import StateStore
from ozgwiki.engine.sync import Outcome, PageChange, SyncEngine
from ozgwiki.wikitext.params import set_template_params

WIKI = "http://wiki.invalid/w/api.php"


def _set(title: str, value: str) -> PageChange:
    """A change that owns one parameter of a template; the rest of the page is the editors'."""

    def transform(text: str) -> str:
        return set_template_params(text, "T", {"A": value}, param_order=("A",), create_at="top")

    return PageChange(title, transform, "Bot: A gesetzt", fingerprint=fingerprint("set", title, value))


def _engine(wiki: FakeWiki, memory: PageMemory, *, dry_run: bool = False) -> SyncEngine:
    return SyncEngine(wiki.site(dry_run=dry_run), bot_user="OzgBot", memory=memory)


def test_fingerprints_are_stable_and_tell_changes_apart() -> None:
    assert fingerprint("a", ("b", 1)) == fingerprint("a", ("b", 1))
    assert fingerprint("a", ("b", 1)) != fingerprint("a", ("b", 2))
    assert len(code_fingerprint()) == 24
    # The SHA-1 of a saved text is the wiki's: of the text as MediaWiki stores it.
    assert text_sha1("x\r\ny  \n\n") == hashlib.sha1(b"x\ny").hexdigest()


def test_memory_survives_a_save_and_is_dropped_when_corrupt_foreign_or_of_another_version(
    tmp_path: Path,
) -> None:
    memory = PageMemory(StateStore(tmp_path), wiki=WIKI)
    memory.remember("A", "1" * 40, "k")
    memory.save()
    again = PageMemory.load(tmp_path, wiki=WIKI)
    assert again.sha1_for("A", "k") == "1" * 40 and again.sha1_for("A", "other key") is None
    assert len(PageMemory.load(tmp_path, wiki="http://another.invalid/w/api.php")) == 0

    path = tmp_path / f"{NAME}.json"
    data = json.loads(path.read_text())
    path.write_text(json.dumps({**data, "code": "an older ozgwiki"}))
    assert len(PageMemory.load(tmp_path, wiki=WIKI)) == 0
    path.write_text('{"version": 1, "pages": {"A": ["x"')  # cut off mid-write by hand
    assert len(PageMemory.load(tmp_path, wiki=WIKI)) == 0  # a warning, no error: it only costs reads


def test_second_run_reads_no_text_and_an_edited_page_is_read_and_merged(
    fake_wiki: FakeWiki, tmp_path: Path
) -> None:
    changes = [_set(f"Seite {i}", "1") for i in range(30)]
    memory = PageMemory(StateStore(tmp_path), wiki=WIKI)
    first = _engine(fake_wiki, memory).run(changes)
    assert first.counts()["created"] == 30 and len(memory) == 30

    reads = len(fake_wiki.reads)
    second = _engine(fake_wiki, PageMemory.load(tmp_path, wiki=WIKI)).run(changes)
    assert second.counts()["unchanged"] == 30
    assert fake_wiki.reads[reads:] == []  # no page text read at all
    assert len(fake_wiki.requests_of("info|revisions")) == 1  # one SHA-1 listing for 30 pages

    fake_wiki.edit_as("Seite 7", (fake_wiki.text("Seite 7") or "") + "\nVon Hand ergänzt.")
    reads = len(fake_wiki.reads)
    third = _engine(fake_wiki, PageMemory.load(tmp_path, wiki=WIKI)).run(
        [*changes[:7], _set("Seite 7", "2"), *changes[8:]]
    )
    assert fake_wiki.reads[reads:] == [["Seite 7"]]
    assert third.counts()["changed"] == 1 and third.counts()["unchanged"] == 29
    assert fake_wiki.text("Seite 7") == "{{T\n| A = 2\n}}\nVon Hand ergänzt."


def test_a_wrong_memory_costs_a_read_never_a_wrong_page(fake_wiki: FakeWiki, tmp_path: Path) -> None:
    changes = [_set("Seite A", "1"), _set("Seite B", "1")]
    memory = PageMemory(StateStore(tmp_path), wiki=WIKI)
    _engine(fake_wiki, memory).run(changes)
    # An editor blanks the owned value; a memory that claims the new text is converged (a bug, a
    # hand-edited file) is not believed: the SHA-1 the wiki reports is another.
    fake_wiki.edit_as("Seite A", "{{T\n| A = \n}}")
    key = _engine(fake_wiki, memory)._key(changes[0])
    memory.remember("Seite A", "0" * 40, key)
    report = _engine(fake_wiki, memory).run(changes)
    assert [p.outcome for p in report.pages] == [Outcome.CHANGED, Outcome.UNCHANGED]
    assert fake_wiki.text("Seite A") == "{{T\n| A = 1\n}}"


def test_a_dry_run_uses_the_memory_but_never_writes_it(fake_wiki: FakeWiki, tmp_path: Path) -> None:
    changes = [_set("Seite A", "1")]
    _engine(fake_wiki, PageMemory(StateStore(tmp_path), wiki=WIKI)).run(changes)
    stamp = (tmp_path / f"{NAME}.json").read_bytes()
    report = _engine(fake_wiki, PageMemory.load(tmp_path, wiki=WIKI), dry_run=True).run(
        [_set("Seite A", "2")]
    )
    assert report.counts()["changed"] == 1 and fake_wiki.text("Seite A") == "{{T\n| A = 1\n}}"
    assert (tmp_path / f"{NAME}.json").read_bytes() == stamp


def test_sample_import_no_op_stays_within_the_request_budget_and_reads_no_text(
    fake_wiki: FakeWiki, sample_catalogue: Catalogue, tmp_path: Path
) -> None:
    config = Config(fake_wiki.site().wiki, path=tmp_path / "ozgwiki.yaml", raw={})

    def run() -> importer.StepResult:
        site = fake_wiki.site()
        return importer.run(BotContext(config, site, "OzgBot", lambda: sample_catalogue))

    first = run()
    pages = len(first.report.pages)
    assert pages == 738 and first.report.edits == 738
    mark, reads = len(fake_wiki.calls), len(fake_wiki.reads)
    second = run()
    assert second.report.edits == 0 and second.data["counts"]["unchanged"] == 738
    assert fake_wiki.reads[reads:] == []
    asked = fake_wiki.calls[mark:]
    assert len(asked) <= math.ceil(pages / 500) + 10, [c.kind for c in asked]


@pytest.mark.parametrize("spoil", ["delete", "corrupt"])
def test_import_after_a_lost_memory_reads_everything_and_changes_nothing(
    fake_wiki: FakeWiki, sample_catalogue: Catalogue, tmp_path: Path, spoil: str
) -> None:
    config = Config(fake_wiki.site().wiki, path=tmp_path / "ozgwiki.yaml", raw={})

    def run() -> importer.StepResult:
        return importer.run(BotContext(config, fake_wiki.site(), "OzgBot", lambda: sample_catalogue))

    run()
    path = tmp_path / "state" / f"{NAME}.json"
    if spoil == "delete":
        path.unlink()
    else:
        path.write_text("{ not json")
    reads = len(fake_wiki.reads)
    again = run()
    assert again.report.edits == 0 and sum(len(r) for r in fake_wiki.reads[reads:]) == 738
    assert len(PageMemory.load(path.parent, wiki=config.wiki.api_url)) == 738  # learnt anew


def test_regenerate_no_op_reads_no_overview_page(
    fake_wiki: FakeWiki, sample_catalogue: Catalogue, tmp_path: Path
) -> None:
    from ozgwiki.bots import regenerate

    config = Config(fake_wiki.site().wiki, path=tmp_path / "ozgwiki.yaml", raw={})

    def run() -> importer.StepResult:
        ctx = BotContext(config, fake_wiki.site(), "OzgBot", lambda: sample_catalogue)
        return regenerate.run(ctx, mode="static")

    first = run()
    assert first.report.edits > 0
    reads = len(fake_wiki.reads)
    second = run()
    assert second.report.edits == 0 and second.report.counts()["unchanged"] == len(first.report.pages)
    assert [t for r in fake_wiki.reads[reads:] for t in r] == []  # no Steckbrief in the sample either
    # An editor's line under a table is kept, and the page is read again because its SHA-1 changed.
    title = first.report.pages[0].title
    fake_wiki.edit_as(title, (fake_wiki.text(title) or "") + "\nVon Hand.")
    reads = len(fake_wiki.reads)
    third = run()
    assert third.report.edits == 0 and [t for r in fake_wiki.reads[reads:] for t in r] == [title]


def test_two_bots_sharing_pages_each_keep_their_fact(
    fake_wiki: FakeWiki, sample_catalogue: Catalogue, tmp_path: Path
) -> None:
    """The importer owns a Themenfeld page's template, the regeneration its sections: after one round
    that settles both, neither reads the shared pages again."""
    from ozgwiki.bots import regenerate

    config = Config(fake_wiki.site().wiki, path=tmp_path / "ozgwiki.yaml", raw={})

    def both() -> int:
        reads = len(fake_wiki.reads)
        ctx = BotContext(config, fake_wiki.site(), "OzgBot", lambda: sample_catalogue)
        importer.run(ctx)
        regenerate.run(ctx, mode="static")
        return sum(len(r) for r in fake_wiki.reads[reads:])

    both()  # creates everything; the regeneration changes the importer's Themenfeld and Kommune pages
    both()  # the importer reads those once (their SHA-1 is the regeneration's now)
    assert both() == 0
