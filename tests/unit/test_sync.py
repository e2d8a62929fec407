"""The sync engine: batching, opt-out, unsafe pages, outcome mapping — against an in-memory site.

The real save choke point is tested in test_site_edit.py and against the real wiki; here a small fake
with the same contract (read_pages / edit / dry_run) isolates the engine's own rules.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ozgwiki.engine.sync import Outcome, PageChange, SyncEngine
from ozgwiki.errors import PageTextError
from ozgwiki.wiki.pages import PageState, SaveResult, same_after_save


class FakeSite:
    """Pages in a dict; edit() follows the choke point's contract (None → skipped, same → unchanged)."""

    def __init__(self, pages: dict[str, str], *, dry_run: bool = False) -> None:
        self.pages = dict(pages)
        self.dry_run = dry_run
        self.read_calls: list[list[str]] = []
        self.saved: list[str] = []

    def read_pages(self, titles: list[str]) -> dict[str, PageState]:
        self.read_calls.append(list(titles))
        return {
            t: PageState(t, t in self.pages, self.pages.get(t, ""), revid=1 if t in self.pages else None)
            for t in titles
        }

    def edit(
        self, title: str, transform: Callable[[str], str | None], summary: str, *, page=None, minor=False
    ) -> SaveResult:
        state = page or self.read_pages([title])[title]
        new = transform(state.text)
        if new is None:
            return SaveResult(title, Outcome.SKIPPED)
        if same_after_save(state.text, new):
            return SaveResult(title, Outcome.UNCHANGED)
        if not self.dry_run:
            self.pages[title] = new
            self.saved.append(title)
        outcome = Outcome.CHANGED if state.exists else Outcome.CREATED
        return SaveResult(title, outcome, revid=2, dry_run=self.dry_run)


def set_text(text: str) -> Callable[[str], str]:
    return lambda _old: text


def engine(site: FakeSite, chunk: int = 500) -> SyncEngine:
    return SyncEngine(site, bot_user="OzgBot", chunk=chunk)  # type: ignore[arg-type]


def test_outcomes_are_mapped_and_counted() -> None:
    site = FakeSite({"A": "alt", "B": "gleich"})
    report = engine(site).run(
        [
            PageChange("A", set_text("neu"), "Bot: aktualisiert", kind="Test"),
            PageChange("B", set_text("gleich\n"), "Bot: aktualisiert"),
            PageChange("C", set_text("angelegt"), "Bot: angelegt"),
            PageChange("D", lambda _t: None, "Bot", skip_reason="nicht im Katalog"),
        ]
    )
    assert [(p.title, p.outcome) for p in report.pages] == [
        ("A", Outcome.CHANGED),
        ("B", Outcome.UNCHANGED),
        ("C", Outcome.CREATED),
        ("D", Outcome.SKIPPED),
    ]
    assert report.pages[3].message == "nicht im Katalog"
    assert report.edits == 2
    assert report.counts()["conflict"] == 0 and report.counts()["created"] == 1
    assert report.needs_attention  # the skipped page
    assert site.pages == {"A": "neu", "B": "gleich", "C": "angelegt"}


def test_pages_are_read_in_chunks() -> None:
    site = FakeSite({})
    engine(site, chunk=2).run([PageChange(f"P{i}", set_text("x"), "Bot") for i in range(5)])
    assert site.read_calls == [["P0", "P1"], ["P2", "P3"], ["P4"]]


@pytest.mark.parametrize(
    "marker", ["{{nobots}}", "{{bots|deny=OzgBot}}", "{{Keine Bots}}"], ids=["nobots", "deny", "german"]
)
def test_opted_out_pages_are_left_alone_and_reported(marker: str) -> None:
    text = f"Von Hand.\n{marker}\n"
    site = FakeSite({"A": text})
    report = engine(site).run([PageChange("A", set_text("überschrieben"), "Bot")])
    assert report.pages[0].outcome is Outcome.OPTED_OUT
    assert site.pages["A"] == text and site.saved == []


def test_other_bots_denied_do_not_stop_us() -> None:
    site = FakeSite({"A": "{{bots|deny=AndererBot}}"})
    report = engine(site).run([PageChange("A", set_text("neu"), "Bot")])
    assert report.pages[0].outcome is Outcome.CHANGED


def test_unsafe_page_is_skipped_with_its_reason_and_the_run_goes_on() -> None:
    def refuse(_text: str) -> str:
        raise PageTextError("template 'Steckbrief' occurs 2 times on the page; expected once")

    site = FakeSite({"A": "x", "B": "y"})
    report = engine(site).run([PageChange("A", refuse, "Bot"), PageChange("B", set_text("z"), "Bot")])
    assert report.pages[0].outcome is Outcome.SKIPPED
    assert "occurs 2 times" in (report.pages[0].message or "")
    assert report.pages[1].outcome is Outcome.CHANGED
    assert site.pages["A"] == "x"


def test_same_title_twice_in_one_run_is_a_bug() -> None:
    site = FakeSite({})
    with pytest.raises(ValueError, match="changed twice"):
        engine(site).run([PageChange("A", set_text("1"), "Bot"), PageChange("A", set_text("2"), "Bot")])


def test_dry_run_reports_what_would_change_and_writes_nothing() -> None:
    site = FakeSite({"A": "alt"}, dry_run=True)
    changes = [PageChange("A", set_text("neu"), "Bot"), PageChange("N", set_text("n"), "Bot")]
    report = engine(site).run(changes)
    assert [p.outcome for p in report.pages] == [Outcome.CHANGED, Outcome.CREATED]
    assert all(p.dry_run for p in report.pages)
    assert site.pages == {"A": "alt"}


def test_a_second_run_with_the_same_changes_edits_nothing() -> None:
    site = FakeSite({"A": "alt"})
    changes = [PageChange("A", set_text("neu"), "Bot"), PageChange("B", set_text("b"), "Bot")]
    engine(site).run(changes)
    again = engine(site).run(changes)
    assert again.edits == 0 and again.counts()["unchanged"] == 2


def test_checkpoint_runs_before_each_chunk_and_page_and_can_stop_the_run() -> None:
    calls: list[int] = []

    class Stop(Exception):
        pass

    def checkpoint() -> None:
        calls.append(len(calls))
        if len(calls) == 4:  # chunk 1, P0, P1, then chunk 2
            raise Stop

    site = FakeSite({})
    changes = [PageChange(f"P{i}", set_text("x"), "Bot") for i in range(4)]
    with pytest.raises(Stop):
        SyncEngine(site, bot_user="OzgBot", chunk=2, checkpoint=checkpoint).run(changes)  # type: ignore[arg-type]
    assert site.saved == ["P0", "P1"]
    assert site.read_calls == [["P0", "P1"]]
