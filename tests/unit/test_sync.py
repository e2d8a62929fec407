"""The sync engine: batching, opt-out, unsafe pages, outcome mapping — against an in-memory site.

The real save choke point is tested in test_site_edit.py and against the real wiki; here a small fake
with the same contract (read_pages / edit / dry_run) isolates the engine's own rules.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ozgwiki.engine.sync import Outcome, PageChange, Phase, SyncEngine, SyncReport
from ozgwiki.errors import PageTextError
from ozgwiki.wiki.pages import PageState, SaveResult, same_after_save


class FakeSite:
    """Pages in a dict; edit() follows the choke point's contract (None → skipped, same → unchanged)."""

    def __init__(self, pages: dict[str, str], *, dry_run: bool = False) -> None:
        self.pages = dict(pages)
        self.dry_run = dry_run
        self.read_calls: list[list[str]] = []
        self.saved: list[str] = []
        # title -> text an editor saves between the bot's read and its save: a conflict, re-read
        self.editor_saves: dict[str, str] = {}

    def read_pages(self, titles: list[str]) -> dict[str, PageState]:
        self.read_calls.append(list(titles))
        return {
            t: PageState(t, t in self.pages, self.pages.get(t, ""), revid=1 if t in self.pages else None)
            for t in titles
        }

    def edit(
        self, title: str, transform: Callable[[str], str | None], summary: str, *, page=None, minor=False,
        on_base=None,
    ) -> SaveResult:  # fmt: skip
        state = page or self.read_pages([title])[title]
        if title in self.editor_saves:  # first attempt conflicts: re-read, apply again (as Site.edit does)
            if on_base is not None:
                on_base(state)
            transform(state.text)
            self.pages[title] = self.editor_saves.pop(title)
            state = PageState(title, True, self.pages[title], revid=(state.revid or 0) + 10)
        if on_base is not None:
            on_base(state)
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


# ---------------------------------------------------------------- what the report says about the base


def test_the_report_names_the_text_and_revision_the_edit_was_based_on() -> None:
    site = FakeSite({"A": "alt", "B": "gleich"})
    report = engine(site).run(
        [PageChange("A", set_text("neu"), "Bot"), PageChange("B", set_text("gleich"), "Bot"),
         PageChange("N", set_text("n"), "Bot")]
    )  # fmt: skip
    a, b, n = report.pages
    assert (a.base_text, a.base_revid, a.revid) == ("alt", 1, 2)
    assert (b.outcome, b.base_text, b.base_revid) == (Outcome.UNCHANGED, "gleich", 1)
    assert (n.outcome, n.base_text, n.base_revid) == (Outcome.CREATED, "", None)
    assert set(a.as_dict()) == {"title", "outcome", "kind", "message", "revid", "dry_run"}  # no texts in JSON


def test_after_a_conflict_the_base_is_the_re_read_not_the_first_read() -> None:
    site = FakeSite({"A": "alt"})
    site.editor_saves["A"] = "von Hand"
    seen: list[str] = []

    def transform(text: str) -> str:
        seen.append(text)
        return text + " + Bot"

    page = engine(site).run([PageChange("A", transform, "Bot")]).pages[0]
    assert seen == ["alt", "von Hand"]
    assert (page.outcome, page.base_text, page.base_revid) == (Outcome.CHANGED, "von Hand", 11)
    assert site.pages["A"] == "von Hand + Bot"


def test_a_refused_or_opted_out_page_reports_what_it_saw() -> None:
    site = FakeSite({"A": "{{nobots}}"})
    page = engine(site).run([PageChange("A", set_text("x"), "Bot")]).pages[0]
    assert page.outcome is Outcome.OPTED_OUT and page.base_text == "{{nobots}}"


# ---------------------------------------------------------------- phases


def test_phases_run_in_order_and_after_sees_only_its_phase_before_the_next_is_read() -> None:
    site = FakeSite({"Attribut:X": "alt"})
    events: list[object] = []

    def after(done: SyncReport) -> None:
        events.append(("after", [p.title for p in done.pages], list(site.read_calls)))

    properties = [
        PageChange("Attribut:X", set_text("neu"), "Bot"),
        PageChange("Attribut:Y", set_text("y"), "Bot"),
    ]
    report = engine(site).run_phases(
        [Phase(properties, after=after), Phase([PageChange("Vorlage:Z", set_text("z"), "Bot")])]
    )
    assert events == [("after", ["Attribut:X", "Attribut:Y"], [["Attribut:X", "Attribut:Y"]])]
    assert site.read_calls == [["Attribut:X", "Attribut:Y"], ["Vorlage:Z"]]
    assert [p.title for p in report.pages] == ["Attribut:X", "Attribut:Y", "Vorlage:Z"]
    assert site.saved == ["Attribut:X", "Attribut:Y", "Vorlage:Z"]


def test_an_after_that_raises_stops_the_run_before_the_next_phase() -> None:
    class Wait(Exception):
        pass

    def after(_done: SyncReport) -> None:
        raise Wait

    site = FakeSite({})
    with pytest.raises(Wait):
        engine(site).run_phases(
            [
                Phase([PageChange("A", set_text("a"), "Bot")], after=after),
                Phase([PageChange("B", set_text("b"), "Bot")]),
            ]
        )
    assert site.saved == ["A"]


def test_a_page_in_two_phases_is_changed_twice_in_one_run() -> None:
    site = FakeSite({})
    with pytest.raises(ValueError, match="changed twice"):
        engine(site).run_phases(
            [Phase([PageChange("A", set_text("1"), "Bot")]), Phase([PageChange("A", set_text("2"), "Bot")])]
        )
    assert site.saved == ["A"]


def test_the_checkpoint_runs_in_every_phase() -> None:
    calls: list[str] = []
    site = FakeSite({})
    sync = SyncEngine(site, bot_user="OzgBot", checkpoint=lambda: calls.append("x"))  # type: ignore[arg-type]
    sync.run_phases(
        [Phase([PageChange("A", set_text("a"), "Bot")]), Phase([PageChange("B", set_text("b"), "Bot")])]
    )
    assert calls == ["x"] * 4  # chunk + page, twice


def test_states_given_to_the_run_are_not_read_again_in_any_phase() -> None:
    site = FakeSite({"A": "alt", "B": "alt"})
    states = {t: PageState(t, True, "alt", revid=5) for t in ("A", "B")}
    report = engine(site).run_phases(
        [Phase([PageChange("A", set_text("a"), "Bot")]), Phase([PageChange("B", set_text("b"), "Bot")])],
        states=states,
    )
    assert site.read_calls == []
    assert [p.base_revid for p in report.pages] == [5, 5]


class OnlyVorlagen:
    """A scope that owns templates only."""

    def allows(self, title: str) -> bool:
        return title.startswith("Vorlage:")

    def why_not(self, title: str) -> str:
        return f"{title} gehört nicht dem Bot"


def test_refused_pages_keep_their_place_in_the_report_and_are_not_read() -> None:
    site = FakeSite({})
    sync = SyncEngine(site, bot_user="OzgBot", scope=OnlyVorlagen())  # type: ignore[arg-type]
    report = sync.run([PageChange(t, set_text("x"), "Bot") for t in ("Vorlage:A", "Hauptseite", "Vorlage:B")])
    assert [(p.title, p.outcome) for p in report.pages] == [
        ("Vorlage:A", Outcome.CREATED), ("Hauptseite", Outcome.ERROR), ("Vorlage:B", Outcome.CREATED),
    ]  # fmt: skip
    assert report.pages[1].message == "Hauptseite gehört nicht dem Bot" and report.pages[1].base_text is None
    assert site.read_calls == [["Vorlage:A", "Vorlage:B"]]


# ---------------------------------------------------------------- over the real site client


def test_over_the_site_client_the_base_after_a_conflict_is_the_editors_revision(monkeypatch) -> None:
    """Site.edit's on_base hook: the engine learns the re-read revision, which the fake above only mimics."""
    import fixtures_smw as fx
    import responses

    recorded = fx.body("revisions_content_fv2")["query"]["pages"][0]
    rev = recorded["revisions"][0]
    first = PageState(
        recorded["title"], True, rev["slots"]["main"]["content"], revid=rev["revid"],
        timestamp=rev["timestamp"], starttimestamp="2026-11-29T02:00:00Z", user=rev["user"],
    )  # fmt: skip
    editor_text = first.text + "\nZeile der Redakteurin"
    again = fx.body("revisions_content_fv2")
    again["query"]["pages"][0]["revisions"][0].update(revid=rev["revid"] + 1, user="Redakteurin")
    again["query"]["pages"][0]["revisions"][0]["slots"]["main"]["content"] = editor_text
    with responses.RequestsMock() as rsps:
        site, _ = fx.logged_in_as_bot(monkeypatch, rsps)
        fx.register(rsps, "tokens_csrf")
        fx.register(rsps, "edit_conflict_fv2")
        fx.register(rsps, "revisions_content_fv2", body_override=again)
        fx.register(rsps, "edit_update")
        change = PageChange(first.title, lambda text: text + "\nBot-Zeile", "Bot: Test")
        page = SyncEngine(site, bot_user="OzgBot").run([change], states={first.title: first}).pages[0]
        saved = fx.sent(rsps, "edit")[-1]
    assert page.outcome is Outcome.CHANGED and page.revid == fx.body("edit_update")["edit"]["newrevid"]
    assert (page.base_text, page.base_revid) == (editor_text, rev["revid"] + 1)
    assert saved["baserevid"] == str(page.base_revid) and saved["text"] == editor_text + "\nBot-Zeile"
