"""Bad wiki pages: each is skipped and reported with its reason, never guessed at, never written.

The bots meet pages people wrote: broken templates, the bot's template twice, cut-off comments,
broken section markers, megabytes of text, thousands of keys. Each case runs the bot's own pure
transform through the sync engine and the real site client on the fake wiki (tests/fakewiki.py) and
asserts the outcome, the class of the message, and that the page stayed exactly as it was (its text
and its revision: no edit request was sent).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from fakewiki import FakeWiki, saved_form

from ozgwiki import catalogue
from ozgwiki.bots.importer import ImportItem
from ozgwiki.bots.regenerate import transform_for
from ozgwiki.domain.keyrules import KeyRules
from ozgwiki.engine.sync import Outcome, PageChange, SyncEngine
from ozgwiki.render import plans as catalogue_pages
from ozgwiki.render.maintenance import check_page

SAMPLE = catalogue.load(catalogue.sample_path())
PLAN = next(p for p in catalogue_pages.plan_pages(SAMPLE) if p.title == "Abbruchgenehmigung (OZG-Leistung)")
ITEM = ImportItem.from_plan(PLAN)
GOOD = ITEM.transform("")


@dataclass(frozen=True)
class Stored:
    """The page after the run: its text and how many revisions the bot saved."""

    text: str
    writes: int


def through_engine(text: str, transform: Callable[[str], str | None]) -> tuple[Outcome, str, Stored]:
    """An editor left ``text`` on the page; the bot runs ``transform`` on it through the engine."""
    title = "Abbruchgenehmigung (OZG-Leistung)"
    wiki = FakeWiki()
    with wiki.running():
        wiki.edit_as(title, text)
        engine = SyncEngine(wiki.site(), bot_user="OzgBot")
        report = engine.run([PageChange(title, transform, "Bot: Test")])
    page = report.pages[0]
    writes = len(wiki.saves())
    assert len(wiki.requests_of("edit")) == writes, "an edit request that saved nothing"
    return page.outcome, page.message or "", Stored(wiki.text(title) or "", writes)


IMPORT_CASES = {
    "template twice": (GOOD + "\n" + GOOD, Outcome.SKIPPED, "occurs 2 times"),
    "template only nested": ("{{Box|inhalt=" + GOOD + "}}", Outcome.SKIPPED, "only nested"),
    "unclosed comment before": ("<!-- Entwurf\n" + GOOD, Outcome.SKIPPED, "unclosed '{{' or comment"),
    "template cut by unclosed comment": (GOOD[:40] + "<!--" + GOOD[40:], Outcome.SKIPPED, "unclosed comment"),
    "NUL in the page": ("a\x00b\n" + GOOD, Outcome.SKIPPED, "NUL"),
    "nobots": ("{{nobots}}\n" + GOOD, Outcome.OPTED_OUT, "für Bots gesperrt"),
    "bots deny OzgBot": ("{{bots|deny=OzgBot}}\n" + GOOD, Outcome.OPTED_OUT, "für Bots gesperrt"),
    "Keine Bots": ("{{Keine Bots}}\n" + GOOD, Outcome.OPTED_OUT, "für Bots gesperrt"),
    "template twice, one in a comment is fine": (
        "<!-- " + GOOD + " -->\n" + GOOD.replace("Abbruchgenehmigung", "x"), Outcome.CHANGED, ""
    ),
    "unbalanced braces elsewhere are kept": (
        "{{{{ Notiz\n" + GOOD.replace("Kommunal", "Land"), Outcome.CHANGED, ""
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(IMPORT_CASES), ids=list(IMPORT_CASES))
def test_broken_pages_are_skipped_and_left_byte_for_byte(case: str) -> None:
    text, outcome, message = IMPORT_CASES[case]
    got, said, site = through_engine(text, ITEM.transform)
    assert got is outcome, said
    assert message in said
    if outcome is not Outcome.CHANGED:
        assert site.text == saved_form(text) and site.writes == 0
    else:
        assert site.writes == 1 and ITEM.transform(site.text) == site.text


BEGIN, END = "<!-- ozgwiki:begin roadmap -->", "<!-- ozgwiki:end roadmap -->"
SECTION_CASES = {
    "begin twice": (f"{BEGIN}\n{BEGIN}\nx\n{END}", "roadmap"),
    "end before begin": (f"{END}\nx\n{BEGIN}", "ends before it begins"),
    "begin without end": (f"{BEGIN}\nx\n", "roadmap"),
    "markers in different parts": (f"{{{{Box|{BEGIN}}}}}\n{END}", "roadmap"),
}


@pytest.mark.parametrize("case", list(SECTION_CASES), ids=list(SECTION_CASES))
def test_broken_section_markers_are_skipped_and_left_alone(case: str) -> None:
    text, message = SECTION_CASES[case]
    got, said, site = through_engine(text, transform_for([("roadmap", "neu")]))
    assert got is Outcome.SKIPPED and message in said
    assert site.text == saved_form(text) and site.writes == 0


def test_megabytes_of_text_around_the_template_survive_and_are_checked() -> None:
    filler = ("Lorem ipsum dolor sit amet. " * 40 + "\n") * 2500  # about 2.8 MB
    text = filler + GOOD.replace("Kommunal", "Land") + filler + "Ende"
    start = time.monotonic()
    got, _said, site = through_engine(text, ITEM.transform)
    assert got is Outcome.CHANGED and site.writes == 1
    assert site.text.startswith(filler) and site.text.endswith(filler + "Ende")
    assert site.text == filler + GOOD + filler + "Ende"  # the one template found and set right
    # (speed lives in bench/; this only has to finish, within a bound no working parser comes near)
    assert time.monotonic() - start < 120


def test_ten_thousand_keys_on_a_page_are_each_checked_once() -> None:
    keys = ", ".join(f"{99990000000000 + i}" for i in range(10_000))
    findings = check_page("Steckbrief Viel", "{{Steckbrief|LeiKa-Schlüssel=" + keys + "}}",
                          rules=KeyRules.of(SAMPLE))  # fmt: skip
    assert len(findings) == 10_000  # none of them is in the catalogue
    assert len({f.raw for f in findings}) == 10_000


def test_a_page_that_is_only_markup_garbage_yields_no_keys_and_no_crash() -> None:
    garbage = "{{" * 3000 + "[[" * 3000 + "<!--" + "|}" * 3000
    assert check_page("Steckbrief Müll", garbage, rules=KeyRules.of(SAMPLE)) == ()
    got, _said, site = through_engine(garbage, ITEM.transform)
    assert got in (Outcome.SKIPPED, Outcome.CHANGED)
    if got is Outcome.SKIPPED:
        assert site.text == garbage and site.writes == 0


@pytest.mark.parametrize(
    "text",
    [
        "#WEITERLEITUNG [[Abbruchgenehmigung]]",
        "#weiterleitung[[OZG-Leistung 10514]]\n[[Kategorie:Weiterleitung]]",
        "  #REDIRECT: [[Bauen#Abbruch|x]]\n" + GOOD,
    ],
)
def test_an_editors_redirect_stays_a_redirect(text: str) -> None:
    """Writing the template above the magic word would turn the redirect into an ordinary page."""
    got, said, site = through_engine(text, ITEM.transform)
    assert got is Outcome.SKIPPED and "Weiterleitung" in said
    assert site.text == saved_form(text) and site.writes == 0


def test_a_redirect_in_a_comment_is_no_redirect() -> None:
    text = "<!-- #WEITERLEITUNG [[X]] -->\n" + GOOD.replace("Kommunal", "Land")
    got, _said, site = through_engine(text, ITEM.transform)
    assert got is Outcome.CHANGED and site.writes == 1
