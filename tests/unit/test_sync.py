"""The sync engine: batching, opt-out, unsafe pages, outcome mapping — on the fake wiki.

The engine runs on the real site client over the in-memory wiki of tests/fakewiki.py (``fake_wiki``),
so reads, saves, conflicts and dry-run are the client's own; the wiki's pages and its request log
show what the engine did. The save choke point itself is tested in test_site_edit.py.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from fakewiki import EDITOR, FakeWiki

from ozgwiki.engine.sync import Outcome, PageChange, PageMove, Phase, SyncEngine, SyncReport
from ozgwiki.errors import PageTextError
from ozgwiki.wiki.pages import PageState
from ozgwiki.wiki.site import Site


@pytest.fixture
def site(fake_wiki: FakeWiki) -> Site:
    """The bot, logged in to the fake wiki."""
    return fake_wiki.site()


def set_text(text: str) -> Callable[[str], str]:
    return lambda _old: text


def engine(site: Site, chunk: int = 500) -> SyncEngine:
    return SyncEngine(site, bot_user="OzgBot", chunk=chunk)


def test_outcomes_are_mapped_and_counted(fake_wiki: FakeWiki, site: Site) -> None:
    fake_wiki.seed({"A": "alt", "B": "gleich"})
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
    assert fake_wiki.texts() == {"A": "neu", "B": "gleich", "C": "angelegt"}


def test_pages_are_read_in_chunks(fake_wiki: FakeWiki, site: Site) -> None:
    engine(site, chunk=2).run([PageChange(f"P{i}", set_text("x"), "Bot") for i in range(5)])
    assert fake_wiki.reads == [["P0", "P1"], ["P2", "P3"], ["P4"]]


@pytest.mark.parametrize(
    "marker", ["{{nobots}}", "{{bots|deny=OzgBot}}", "{{Keine Bots}}"], ids=["nobots", "deny", "german"]
)
def test_opted_out_pages_are_left_alone_and_reported(fake_wiki: FakeWiki, site: Site, marker: str) -> None:
    text = f"Von Hand.\n{marker}"
    revid = fake_wiki.seed({"A": text})["A"]
    report = engine(site).run([PageChange("A", set_text("überschrieben"), "Bot")])
    assert report.pages[0].outcome is Outcome.OPTED_OUT
    assert fake_wiki.text("A") == text and fake_wiki.revid("A") == revid
    assert fake_wiki.requests_of("edit") == []


def test_other_bots_denied_do_not_stop_us(fake_wiki: FakeWiki, site: Site) -> None:
    fake_wiki.seed({"A": "{{bots|deny=AndererBot}}"})
    report = engine(site).run([PageChange("A", set_text("neu"), "Bot")])
    assert report.pages[0].outcome is Outcome.CHANGED


def test_unsafe_page_is_skipped_with_its_reason_and_the_run_goes_on(fake_wiki: FakeWiki, site: Site) -> None:
    def refuse(_text: str) -> str:
        raise PageTextError("template 'Steckbrief' occurs 2 times on the page; expected once")

    fake_wiki.seed({"A": "x", "B": "y"})
    report = engine(site).run([PageChange("A", refuse, "Bot"), PageChange("B", set_text("z"), "Bot")])
    assert report.pages[0].outcome is Outcome.SKIPPED
    assert "occurs 2 times" in (report.pages[0].message or "")
    assert report.pages[1].outcome is Outcome.CHANGED
    assert fake_wiki.text("A") == "x" and fake_wiki.saves() == ["B"]


def test_same_title_twice_in_one_run_is_a_bug(site: Site) -> None:
    with pytest.raises(ValueError, match="changed twice"):
        engine(site).run([PageChange("A", set_text("1"), "Bot"), PageChange("A", set_text("2"), "Bot")])


def test_dry_run_reports_what_would_change_and_writes_nothing(fake_wiki: FakeWiki) -> None:
    fake_wiki.seed({"A": "alt"})
    site = fake_wiki.site(dry_run=True, diff_out=io.StringIO())
    changes = [PageChange("A", set_text("neu"), "Bot"), PageChange("N", set_text("n"), "Bot")]
    report = engine(site).run(changes)
    assert [p.outcome for p in report.pages] == [Outcome.CHANGED, Outcome.CREATED]
    assert all(p.dry_run for p in report.pages)
    assert fake_wiki.texts() == {"A": "alt"} and fake_wiki.requests_of("edit") == []


def test_a_second_run_with_the_same_changes_edits_nothing(fake_wiki: FakeWiki, site: Site) -> None:
    fake_wiki.seed({"A": "alt"})
    changes = [PageChange("A", set_text("neu"), "Bot"), PageChange("B", set_text("b"), "Bot")]
    engine(site).run(changes)
    sent = len(fake_wiki.requests_of("edit"))
    again = engine(site).run(changes)
    assert again.edits == 0 and again.counts()["unchanged"] == 2
    assert len(fake_wiki.requests_of("edit")) == sent == 2


def test_checkpoint_runs_before_each_chunk_and_page_and_can_stop_the_run(
    fake_wiki: FakeWiki, site: Site
) -> None:
    calls: list[int] = []

    class Stop(Exception):
        pass

    def checkpoint() -> None:
        calls.append(len(calls))
        if len(calls) == 4:  # chunk 1, P0, P1, then chunk 2
            raise Stop

    changes = [PageChange(f"P{i}", set_text("x"), "Bot") for i in range(4)]
    with pytest.raises(Stop):
        SyncEngine(site, bot_user="OzgBot", chunk=2, checkpoint=checkpoint).run(changes)
    assert fake_wiki.saves() == ["P0", "P1"]
    assert fake_wiki.reads == [["P0", "P1"]]


# ---------------------------------------------------------------- what the report says about the base


def test_the_report_names_the_text_and_revision_the_edit_was_based_on(
    fake_wiki: FakeWiki, site: Site
) -> None:
    revids = fake_wiki.seed({"A": "alt", "B": "gleich"})
    report = engine(site).run(
        [PageChange("A", set_text("neu"), "Bot"), PageChange("B", set_text("gleich"), "Bot"),
         PageChange("N", set_text("n"), "Bot")]
    )  # fmt: skip
    a, b, n = report.pages
    assert (a.base_text, a.base_revid, a.revid) == ("alt", revids["A"], fake_wiki.revid("A"))
    assert a.revid != a.base_revid
    # An unchanged page keeps its revision, not its text (a long run would hold every text).
    assert (b.outcome, b.base_text, b.base_revid) == (Outcome.UNCHANGED, None, revids["B"])
    assert (n.outcome, n.base_text, n.base_revid) == (Outcome.CREATED, "", None)
    assert set(a.as_dict()) == {"title", "outcome", "kind", "message", "revid", "dry_run"}  # no texts in JSON


def test_after_a_conflict_the_base_is_the_re_read_not_the_first_read(fake_wiki: FakeWiki, site: Site) -> None:
    fake_wiki.seed({"A": "alt"})
    fake_wiki.meanwhile("A", "von Hand")
    seen: list[str] = []

    def transform(text: str) -> str:
        seen.append(text)
        return text + " + Bot"

    page = engine(site).run([PageChange("A", transform, "Bot")]).pages[0]
    editors = fake_wiki.pages["A"].revisions[-2]  # the revision the bot's save is based on
    assert seen == ["alt", "von Hand"]
    assert (page.outcome, page.base_text, page.base_revid) == (Outcome.CHANGED, "von Hand", editors.revid)
    assert editors.user == EDITOR and page.revid == fake_wiki.revid("A")
    assert fake_wiki.text("A") == "von Hand + Bot"


def test_a_refused_or_opted_out_page_reports_what_it_saw(fake_wiki: FakeWiki, site: Site) -> None:
    fake_wiki.seed({"A": "{{nobots}}"})
    page = engine(site).run([PageChange("A", set_text("x"), "Bot")]).pages[0]
    assert page.outcome is Outcome.OPTED_OUT and page.base_text == "{{nobots}}"


# ---------------------------------------------------------------- phases


def test_phases_run_in_order_and_after_sees_only_its_phase_before_the_next_is_read(
    fake_wiki: FakeWiki, site: Site
) -> None:
    fake_wiki.seed({"Attribut:X": "alt"})
    events: list[object] = []

    def after(done: SyncReport) -> None:
        events.append(("after", [p.title for p in done.pages], list(fake_wiki.reads)))

    properties = [
        PageChange("Attribut:X", set_text("neu"), "Bot"),
        PageChange("Attribut:Y", set_text("y"), "Bot"),
    ]
    report = engine(site).run_phases(
        [Phase(properties, after=after), Phase([PageChange("Vorlage:Z", set_text("z"), "Bot")])]
    )
    assert events == [("after", ["Attribut:X", "Attribut:Y"], [["Attribut:X", "Attribut:Y"]])]
    assert fake_wiki.reads == [["Attribut:X", "Attribut:Y"], ["Vorlage:Z"]]
    assert [p.title for p in report.pages] == ["Attribut:X", "Attribut:Y", "Vorlage:Z"]
    assert fake_wiki.saves() == ["Attribut:X", "Attribut:Y", "Vorlage:Z"]


def test_an_after_that_raises_stops_the_run_before_the_next_phase(fake_wiki: FakeWiki, site: Site) -> None:
    class Wait(Exception):
        pass

    def after(_done: SyncReport) -> None:
        raise Wait

    with pytest.raises(Wait):
        engine(site).run_phases(
            [
                Phase([PageChange("A", set_text("a"), "Bot")], after=after),
                Phase([PageChange("B", set_text("b"), "Bot")]),
            ]
        )
    assert fake_wiki.saves() == ["A"]


def test_a_page_in_two_phases_is_changed_twice_in_one_run(fake_wiki: FakeWiki, site: Site) -> None:
    with pytest.raises(ValueError, match="changed twice"):
        engine(site).run_phases(
            [Phase([PageChange("A", set_text("1"), "Bot")]), Phase([PageChange("A", set_text("2"), "Bot")])]
        )
    assert fake_wiki.saves() == ["A"] and fake_wiki.text("A") == "1"


def test_the_checkpoint_runs_in_every_phase(site: Site) -> None:
    calls: list[str] = []
    sync = SyncEngine(site, bot_user="OzgBot", checkpoint=lambda: calls.append("x"))
    sync.run_phases(
        [Phase([PageChange("A", set_text("a"), "Bot")]), Phase([PageChange("B", set_text("b"), "Bot")])]
    )
    assert calls == ["x"] * 4  # chunk + page, twice


def test_states_given_to_the_run_are_not_read_again_in_any_phase(fake_wiki: FakeWiki, site: Site) -> None:
    revids = fake_wiki.seed({"A": "alt", "B": "alt"})
    states = {t: PageState(t, True, "alt", revid=revids[t]) for t in ("A", "B")}
    report = engine(site).run_phases(
        [Phase([PageChange("A", set_text("a"), "Bot")]), Phase([PageChange("B", set_text("b"), "Bot")])],
        states=states,
    )
    assert fake_wiki.reads == []
    assert [p.base_revid for p in report.pages] == [revids["A"], revids["B"]]
    assert fake_wiki.texts() == {"A": "a", "B": "b"}


class OnlyVorlagen:
    """A scope that owns templates only."""

    def allows(self, title: str) -> bool:
        return title.startswith("Vorlage:")

    def why_not(self, title: str) -> str:
        return f"{title} gehört nicht dem Bot"


def test_refused_pages_keep_their_place_in_the_report_and_are_not_read(
    fake_wiki: FakeWiki, site: Site
) -> None:
    sync = SyncEngine(site, bot_user="OzgBot", scope=OnlyVorlagen())  # type: ignore[arg-type]
    report = sync.run([PageChange(t, set_text("x"), "Bot") for t in ("Vorlage:A", "Hauptseite", "Vorlage:B")])
    assert [(p.title, p.outcome) for p in report.pages] == [
        ("Vorlage:A", Outcome.CREATED), ("Hauptseite", Outcome.ERROR), ("Vorlage:B", Outcome.CREATED),
    ]  # fmt: skip
    assert report.pages[1].message == "Hauptseite gehört nicht dem Bot" and report.pages[1].base_text is None
    assert fake_wiki.reads == [["Vorlage:A", "Vorlage:B"]]
    assert fake_wiki.saves() == ["Vorlage:A", "Vorlage:B"]


# ---------------------------------------------------------------- redirects

REDIRECT = "#WEITERLEITUNG [[Abbruchgenehmigung]]"


def test_a_redirect_is_skipped_and_never_handed_to_the_transform(fake_wiki: FakeWiki, site: Site) -> None:
    revid = fake_wiki.seed({"OZG-Leistung 1": REDIRECT})["OZG-Leistung 1"]
    seen: list[str] = []

    def transform(text: str) -> str:
        seen.append(text)
        return "{{OZG-Leistung}}"

    page = engine(site).run([PageChange("OZG-Leistung 1", transform, "Bot")]).pages[0]
    assert page.outcome is Outcome.SKIPPED and "Weiterleitung" in (page.message or "")
    assert seen == [] and fake_wiki.revid("OZG-Leistung 1") == revid


def test_a_change_that_replaces_redirects_gets_the_redirect_and_decides(
    fake_wiki: FakeWiki, site: Site
) -> None:
    fake_wiki.seed({"OZG-Leistung 1": "#WEITERLEITUNG [[Abbruch]]", "OZG-Leistung 2": REDIRECT})
    seen: list[str] = []

    def point_at_the_name(text: str) -> str:
        seen.append(text)
        return REDIRECT

    report = engine(site).run(
        [PageChange(t, point_at_the_name, "Bot: Weiterleitung", replaces_redirect=True)
         for t in ("OZG-Leistung 1", "OZG-Leistung 2")]
    )  # fmt: skip
    assert [p.outcome for p in report.pages] == [Outcome.CHANGED, Outcome.UNCHANGED]
    assert seen == ["#WEITERLEITUNG [[Abbruch]]", REDIRECT]
    assert fake_wiki.text("OZG-Leistung 1") == REDIRECT


def test_replacing_redirects_still_respects_the_opt_out(fake_wiki: FakeWiki, site: Site) -> None:
    fake_wiki.seed({"OZG-Leistung 1": REDIRECT + "\n{{nobots}}"})
    change = PageChange("OZG-Leistung 1", set_text("neu"), "Bot", replaces_redirect=True)
    assert engine(site).run([change]).pages[0].outcome is Outcome.OPTED_OUT


# ---------------------------------------------------------------- moves

OLD, NEW = "OZG-Leistung 10001", "Abbruchgenehmigung"
MOVE = PageMove(OLD, NEW, "Bot: nach dem Namen benannt", kind="OZG-Leistung")


def keep_redirect(text: str) -> str:
    """The bot's own ID redirect: it points at the name title."""
    return f"#WEITERLEITUNG [[{NEW}]]"


def migration(extra: str = " + Bot") -> Phase:
    """The importer's migration in one phase: move, then edit the page under its name and keep the
    redirect at its ID title."""
    return Phase(
        [PageChange(NEW, lambda t: t + extra, "Bot: aktualisiert", kind="OZG-Leistung"),
         PageChange(OLD, keep_redirect, "Bot: Weiterleitung", kind="Weiterleitung", replaces_redirect=True)],
        moves=[MOVE],
    )  # fmt: skip


def test_moves_run_before_the_changes_of_their_phase_and_keep_the_history(
    fake_wiki: FakeWiki, site: Site
) -> None:
    revid = fake_wiki.seed({OLD: "{{OZG-Leistung|Name=Abbruchgenehmigung}}"})[OLD]
    pageid = fake_wiki.pages[OLD].pageid
    report = engine(site).run_phases([migration()])
    assert [(p.title, p.outcome) for p in report.pages] == [
        (OLD, Outcome.MOVED), (NEW, Outcome.CHANGED), (OLD, Outcome.UNCHANGED),
    ]  # fmt: skip
    move = report.pages[0]
    assert (move.kind, move.message) == ("OZG-Leistung", f"verschoben nach „{NEW}“")
    assert (move.base_text, move.base_revid) == ("{{OZG-Leistung|Name=Abbruchgenehmigung}}", revid)
    assert move.as_dict()["outcome"] == "moved"
    assert report.edits == 2 and not report.needs_attention
    assert report.counts()["moved"] == 1
    assert fake_wiki.text(NEW) == "{{OZG-Leistung|Name=Abbruchgenehmigung}} + Bot"
    assert fake_wiki.pages[NEW].pageid == pageid and revid in [
        r.revid for r in fake_wiki.pages[NEW].revisions
    ]
    assert fake_wiki.text(OLD) == f"#WEITERLEITUNG [[{NEW}]]"
    kinds = [c.kind for c in fake_wiki.calls if c.kind in ("move", "edit")]
    assert kinds == ["move", "edit"]  # the redirect the move left is already right
    assert fake_wiki.requests_of("move")[0].params["reason"] == MOVE.summary
    assert site.stats.moved == 1


def test_a_move_onto_a_page_is_a_conflict_and_both_pages_stay(fake_wiki: FakeWiki, site: Site) -> None:
    fake_wiki.seed({OLD: "alt", NEW: "Von Hand angelegt."})
    report = engine(site).run_phases([Phase([], moves=[MOVE])])
    (page,) = report.pages
    assert page.outcome is Outcome.CONFLICT and "articleexists" in (page.message or "")
    assert report.needs_attention and report.edits == 0
    assert fake_wiki.texts() == {OLD: "alt", NEW: "Von Hand angelegt."}


def test_a_move_of_a_missing_page_is_an_error(fake_wiki: FakeWiki, site: Site) -> None:
    page = engine(site).run_phases([Phase([], moves=[MOVE])]).pages[0]
    assert page.outcome is Outcome.ERROR and "missingtitle" in (page.message or "")
    assert (page.base_text, page.base_revid) == ("", None)


def test_the_checkpoint_runs_before_the_moves_are_read_and_before_each_move(
    fake_wiki: FakeWiki, site: Site
) -> None:
    fake_wiki.seed({"A": "a", "B": "b"})
    calls: list[int] = []

    class Stop(Exception):
        pass

    def checkpoint() -> None:
        calls.append(len(calls))
        if len(calls) == 3:  # the read, move 1, then move 2
            raise Stop

    moves = [PageMove("A", "A neu", "Bot"), PageMove("B", "B neu", "Bot")]
    with pytest.raises(Stop):
        SyncEngine(site, bot_user="OzgBot", checkpoint=checkpoint).run_phases([Phase([], moves=moves)])
    assert [c.params["from"] for c in fake_wiki.requests_of("move")] == ["A"]
    assert fake_wiki.reads == [["A", "A neu", "B", "B neu"]]
    assert "B" in fake_wiki.pages and "B neu" not in fake_wiki.pages


def test_a_move_with_a_title_outside_the_scope_is_refused_before_anything_is_read(
    fake_wiki: FakeWiki, site: Site
) -> None:
    fake_wiki.seed({"Vorlage:A": "a", "Vorlage:B": "b"})
    moves = [PageMove("Vorlage:A", "Hauptseite", "Bot"), PageMove("Vorlage:B", "Vorlage:C", "Bot")]
    sync = SyncEngine(site, bot_user="OzgBot", scope=OnlyVorlagen())  # type: ignore[arg-type]
    report = sync.run_phases([Phase([], moves=moves)])
    assert [(p.title, p.outcome) for p in report.pages] == [
        ("Vorlage:A", Outcome.ERROR),
        ("Vorlage:B", Outcome.MOVED),
    ]
    assert report.pages[0].message == "Hauptseite gehört nicht dem Bot" and report.pages[0].base_text is None
    assert fake_wiki.reads == [["Vorlage:B", "Vorlage:C"]]
    assert [c.params["from"] for c in fake_wiki.requests_of("move")] == ["Vorlage:B"]
    assert fake_wiki.text("Vorlage:A") == "a"


def test_a_dry_run_moves_nothing_and_reports_what_the_real_run_would(fake_wiki: FakeWiki) -> None:
    fake_wiki.seed({OLD: "alt"})
    out = io.StringIO()
    site = fake_wiki.site(dry_run=True, diff_out=out)
    report = engine(site).run_phases([migration()])
    assert [(p.title, p.outcome, p.dry_run) for p in report.pages] == [
        (OLD, Outcome.MOVED, True), (NEW, Outcome.CHANGED, True), (OLD, Outcome.UNCHANGED, True),
    ]  # fmt: skip
    assert out.getvalue().startswith(f"would move {OLD} → {NEW}\n")
    assert "-alt\n+alt + Bot\n" in out.getvalue()  # the page under its new name, not a new page
    assert fake_wiki.texts() == {OLD: "alt"}
    assert fake_wiki.requests_of("move") == [] and fake_wiki.requests_of("edit") == []


def test_after_a_move_the_changes_read_both_pages_afresh(fake_wiki: FakeWiki, site: Site) -> None:
    revid = fake_wiki.seed({OLD: "alt"})[OLD]
    stale = {OLD: PageState(OLD, True, "alt", revid=revid), NEW: PageState(NEW, False)}
    report = engine(site).run_phases([migration()], states=stale)
    assert [p.outcome for p in report.pages] == [Outcome.MOVED, Outcome.CHANGED, Outcome.UNCHANGED]
    assert fake_wiki.reads == [[NEW, OLD]]  # the moves used the given states; the changes read anew
    assert fake_wiki.text(NEW) == "alt + Bot"


def test_progress_counts_and_hears_of_the_moves(fake_wiki: FakeWiki, site: Site) -> None:
    fake_wiki.seed({OLD: "alt"})
    heard: list[object] = []

    class Listener:
        def start(self, total: int | None) -> None:
            heard.append(("start", total))

        def advance(self, title: str, outcome: Outcome) -> None:
            heard.append((title, outcome))

        def finish(self) -> None:
            heard.append("finish")

    SyncEngine(site, bot_user="OzgBot", progress=Listener()).run_phases([migration()])
    assert heard == [
        ("start", 3), (OLD, Outcome.MOVED), (NEW, Outcome.CHANGED), (OLD, Outcome.UNCHANGED), "finish",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "phases",
    [
        [Phase([], moves=[PageMove("A", "C", "Bot"), PageMove("B", "C", "Bot")])],
        [Phase([], moves=[PageMove("A", "B", "Bot")]), Phase([], moves=[PageMove("B", "C", "Bot")])],
        [Phase([PageChange("A", set_text("a"), "Bot")]), Phase([], moves=[PageMove("A", "B", "Bot")])],
        [Phase([], moves=[PageMove("A", "A", "Bot")])],
    ],
    ids=["two-onto-one-target", "moved-on", "changed-then-moved", "onto-itself"],
)
def test_a_title_in_two_moves_or_moved_after_its_change_is_a_bug(site: Site, phases: list[Phase]) -> None:
    with pytest.raises(ValueError, match="move"):
        engine(site).run_phases(phases)


# ---------------------------------------------------------------- on the recorded answers


def test_over_the_site_client_the_base_after_a_conflict_is_the_editors_revision(monkeypatch) -> None:
    """Site.edit's on_base hook on the real wiki's recorded answers: the engine learns the re-read revid."""
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
