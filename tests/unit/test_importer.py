"""The import bot: golden page edits, the catalogue diff, whole runs on the fake wiki (tests/fakewiki.py).

Golden cases live in ``tests/golden/import/<case>/``: ``before.wiki`` (the page as an editor left it),
``after.wiki`` (hand-written expectation, compared as bytes) and ``case.yaml``: ``page`` (a title of
the sample catalogue's plans) or ``retire`` (a key that left the catalogue), the expected edit
``summary`` and the expected catalogue ``delta`` (+ ``fields``), or ``error`` for a refused page.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import golden
import pytest
import yaml
from fakewiki import BOT, FakeWiki

from ozgwiki.bots import importer
from ozgwiki.bots.importer import CatalogueDiff, Delta, ImportItem, examine
from ozgwiki.config import Config, WikiConfig
from ozgwiki.domain.model import Catalogue
from ozgwiki.engine.bot import BotContext, StepResult
from ozgwiki.engine.sync import Outcome
from ozgwiki.errors import ConfigError, PageTextError, SafetyRailError
from ozgwiki.render.plans import PagePlan
from ozgwiki.wiki.site import Site

CONFIG = Config(WikiConfig("http://wiki.invalid/w/api.php", "OzgBot@ozgwiki"))
CASES = golden.cases("import")
ContextFactory = Callable[..., BotContext]  # the ``context`` fixture (tests/unit/conftest.py)


def _item(case: dict[str, Any], sample_plans: dict[str, PagePlan]) -> ImportItem:
    if "retire" in case:
        return ImportItem.retire(str(case["retire"]))
    return ImportItem.from_plan(sample_plans[case["page"]])


def test_there_are_enough_golden_cases() -> None:
    assert len(CASES) >= 8


@pytest.mark.parametrize("case_dir", CASES, ids=golden.case_id)
def test_golden(case_dir: Path, sample_plans: dict[str, PagePlan]) -> None:
    case = yaml.safe_load(golden.read(case_dir / "case.yaml"))
    before = golden.read(case_dir / "before.wiki")
    item = _item(case, sample_plans)
    if "error" in case:
        with pytest.raises(PageTextError, match=case["error"]):
            item.transform(before)
        return
    golden.check(case_dir / "after.wiki", item.transform(before))
    after = golden.read(case_dir / "after.wiki")

    assert item.transform(after) == after  # the next run changes nothing
    seen = examine(before, bool(before), item.template, item.params)
    assert item.summary(seen) == case["summary"]
    delta = item.delta(seen)
    if case["delta"] is None:
        assert delta is None
    else:
        assert delta == (Delta(case["delta"]), tuple(case.get("fields", ())))


# -- the catalogue diff, derived from one page's before/after ----------------------------------------


def _leika(sample_plans: dict[str, PagePlan], **changes: str) -> str:
    plan = sample_plans["Abbruchgenehmigung Erteilung"]
    item = ImportItem.from_plan(plan)
    values = {**plan.params, **changes}
    return ImportItem(item.title, item.kind, item.template, values, item.order, item.key).transform("")


@pytest.mark.parametrize(
    ("before", "expected"),
    [
        pytest.param({}, None, id="unchanged"),
        pytest.param({"Typ": "2/3"}, (Delta.CHANGED, ("Typ",)), id="one-field"),
        pytest.param(
            {"Bezeichnung": "x", "OZG-ID": ""}, (Delta.CHANGED, ("Bezeichnung", "OZG-ID")), id="two-fields"
        ),
        pytest.param({"Status": "ausgemustert"}, (Delta.NEW, ()), id="reactivated"),
        pytest.param({"Status": "ausgemustert", "Typ": "1"}, (Delta.NEW, ()), id="reactivated-and-changed"),
        pytest.param({"Status": ""}, None, id="status-filled-in-is-no-catalogue-change"),
    ],
)
def test_delta_of_a_catalogue_key(
    sample_plans: dict[str, PagePlan], before: dict[str, str], expected: tuple[Delta, tuple[str, ...]] | None
) -> None:
    item = ImportItem.from_plan(sample_plans["Abbruchgenehmigung Erteilung"])
    text = _leika(sample_plans, **before)
    assert item.delta(examine(text, True, item.template, item.params)) == expected


def test_delta_of_a_missing_page_is_a_new_key(sample_plans: dict[str, PagePlan]) -> None:
    item = ImportItem.from_plan(sample_plans["Abbruchgenehmigung Erteilung"])
    assert item.delta(examine("", False, item.template, item.params)) == (Delta.NEW, ())


def test_delta_of_retiring(sample_plans: dict[str, PagePlan]) -> None:
    item = ImportItem.retire("99012001001000")
    active = _leika(sample_plans)
    assert item.delta(examine(active, True, item.template, item.params)) == (Delta.RETIRED, ())
    retired = _leika(sample_plans, Status="ausgemustert")
    assert item.delta(examine(retired, True, item.template, item.params)) is None


def test_non_leika_pages_have_no_delta(sample_plans: dict[str, PagePlan]) -> None:
    item = ImportItem.from_plan(sample_plans["Abbruchgenehmigung (OZG-Leistung)"])
    assert item.delta(examine("", False, item.template, item.params)) is None


def test_escaped_and_unescaped_spelling_is_the_same_value() -> None:
    """An older page's ``&amp;`` and today's plain ``&``: the text is rewritten, the value is the same."""
    text = "{{OZG-Leistung\n| Lage = Bauen &amp; Immobilien\n}}"
    seen = examine(text, True, "OZG-Leistung", {"Lage": "Bauen & Immobilien"})
    assert (seen.rewritten, seen.changed) == (("Lage",), ())
    plain = "{{OZG-Leistung\n| Lage = Bauen & Immobilien\n}}"
    assert examine(plain, True, "OZG-Leistung", {"Lage": "Bauen & Immobilien"}).rewritten == ()


def test_a_page_in_the_older_spelling_is_respelled_once_with_its_own_summary() -> None:
    item = ImportItem("Lage X", "Lage", "Lage", {"Name": "Bauen & Immobilien", "Art": "Lebenslage"}, ())
    old = "{{Lage\n| Name = Bauen &amp; Immobilien\n| Art = Lebenslage\n}}"
    new = item.transform(old)
    assert new == "{{Lage\n| Name = Bauen & Immobilien\n| Art = Lebenslage\n}}"
    assert item.summary(item.examine(old)) == "Bot: Schreibweise vereinheitlicht, Inhalt unverändert (Name)"
    assert item.transform(new) == new and item.examine(new).rewritten == ()


@pytest.mark.parametrize(
    ("page", "summary"),
    [
        pytest.param(
            "{{Lage\n| Name = Bauen &amp; Immobilien\n| Art = Geschäftslage\n}}",
            "Bot: Katalogdaten aktualisiert (Name, Art)",
            id="respelled-and-changed",
        ),
        pytest.param(
            "{{Lage\n| Name = Bauen &amp; Immobilien\n}}",
            "Bot: Katalogdaten aktualisiert (Name, Art)",
            id="respelled-and-added",
        ),
    ],
)
def test_a_respelling_beside_a_real_change_is_reported_as_the_change(page: str, summary: str) -> None:
    item = ImportItem("Lage X", "Lage", "Lage", {"Name": "Bauen & Immobilien", "Art": "Lebenslage"}, ())
    assert item.summary(item.examine(page)) == summary


def test_diff_text_is_cut_for_big_runs() -> None:
    diff = CatalogueDiff()
    for i in range(25):
        diff.add(f"990120010{i:05d}", Delta.NEW)
    diff.add("99012001001000", Delta.CHANGED, ["Bezeichnung", "Typ"])
    lines = diff.lines(limit=3)
    assert lines[0] == "Katalog: 25 neu, 1 geändert, 0 ausgemustert"
    assert lines[1] == "  neu: 99012001000000, 99012001000001, 99012001000002 … und 22 weitere"
    assert lines[2] == "  geändert: 99012001001000 (Bezeichnung, Typ)"
    assert CatalogueDiff().lines() == ["Katalog: keine Änderungen seit dem letzten Import"]
    assert diff.as_dict()["changed"] == {"99012001001000": ["Bezeichnung", "Typ"]}


def test_control_character_in_the_catalogue_is_refused_not_written() -> None:
    item = ImportItem("Lage X", "Lage", "Lage", {"Name": "X\x01"}, ("Name",))
    with pytest.raises(PageTextError, match="nicht speicherbar"):
        item.transform("")


def test_existing_keys_without_plan_are_retired_after_the_plans(sample_plans: dict[str, PagePlan]) -> None:
    items = importer.import_items(
        list(sample_plans.values()), ["99012001001000", "99000000000002", "99000000000001"]
    )
    assert [i.title for i in items if i.retire_only] == ["LeiKa 99000000000001", "LeiKa 99000000000002"]
    assert len(items) == len(sample_plans) + 2


# -- whole runs on the fake wiki -----------------------------------------------------------------------


@dataclass
class ImportRun:
    """``ozgwiki import`` on the fake wiki: ``run_import(catalogue)`` is one run of the bot."""

    wiki: FakeWiki
    site: Site
    context: ContextFactory

    def __call__(
        self,
        catalogue: Catalogue,
        chunk: int = 500,
        *,
        allow: bool = False,
        config: Config = CONFIG,
        site: Site | None = None,
        checkpoint: Callable[[], None] | None = None,
    ) -> StepResult:
        ctx = self.context(site or self.site, catalogue=catalogue, config=config, checkpoint=checkpoint)
        return importer.run(ctx, chunk=chunk, allow_mass_retire=allow)


@pytest.fixture
def run_import(fake_wiki: FakeWiki, context: ContextFactory) -> ImportRun:
    return ImportRun(fake_wiki, fake_wiki.site(), context)


def _without(catalogue: Catalogue, key: str) -> Catalogue:
    return Catalogue(
        themenfelder=catalogue.themenfelder,
        lagen=catalogue.lagen,
        ozg_leistungen=catalogue.ozg_leistungen,
        leika_leistungen=tuple(x for x in catalogue.leika_leistungen if x.schluessel != key),
        kommunen=catalogue.kommunen,
        umsetzungsprojekte=catalogue.umsetzungsprojekte,
    )


def test_first_run_creates_everything_and_second_run_nothing(
    run_import: ImportRun, sample_catalogue: Catalogue
) -> None:
    wiki = run_import.wiki
    first = run_import(sample_catalogue, chunk=100)
    assert first.data["counts"]["created"] == 367
    assert len(first.data["diff"]["new"]) == 290
    # Chunked reads, each page read once: the 367 catalogue pages, then the ID titles kept as redirects
    # to them (360) and the Begriffsklärung pages of shared names (11), 738 changes in chunks of 100.
    assert [len(r) for r in wiki.reads] == [100] * 7 + [38]
    assert (
        wiki.summaries()["Abbruchgenehmigung Erteilung"] == "Bot: LeiKa-Leistung aus dem OZG-Katalog angelegt"
    )
    assert first.exit_code == 0 and len(wiki.saves()) == 738

    mark = len(wiki.calls)
    second = run_import(sample_catalogue)
    assert first.data["counts"]["redirects"] == 360 + 11
    assert second.data["counts"]["unchanged"] == 738 and second.report.edits == 0
    assert second.data["diff"] == {"new": [], "changed": {}, "retired": [], "reverted": {}}
    assert wiki.summaries(since=mark) == {} and wiki.requests_of("edit")[738:] == []


def test_pages_in_the_older_spelling_are_respelled_once_and_are_no_catalogue_change(
    run_import: ImportRun, sample_catalogue: Catalogue
) -> None:
    wiki = run_import.wiki
    run_import(sample_catalogue)
    content = {t: p for t, p in wiki.texts().items() if not p.startswith("#WEITERLEITUNG")}
    older = {t: p.replace(" & ", " &amp; ") for t, p in content.items()}  # the rule before issue 12
    respelled = {t for t in older if older[t] != wiki.text(t)}
    assert respelled, "the sample catalogue has values with '&'"
    wiki.seed({t: older[t] for t in respelled}, user=BOT)  # what an older bot wrote
    mark = len(wiki.calls)

    first = run_import(sample_catalogue)
    assert first.report.edits == len(respelled) and set(wiki.summaries(since=mark)) == respelled
    assert all(
        s.startswith("Bot: Schreibweise vereinheitlicht, Inhalt unverändert (")
        for s in wiki.summaries(since=mark).values()
    )
    assert first.data["diff"] == {"new": [], "changed": {}, "retired": [], "reverted": {}}
    assert not any(" &amp; " in p for p in wiki.texts().values())
    assert run_import(sample_catalogue).report.edits == 0


def test_removed_key_is_retired_and_comes_back_as_new(
    run_import: ImportRun, sample_catalogue: Catalogue
) -> None:
    wiki = run_import.wiki
    run_import(sample_catalogue)
    gone = run_import(_without(sample_catalogue, "99012001001000"))
    assert gone.data["diff"]["retired"] == ["99012001001000"]
    assert gone.data["counts"]["retired"] == 1 and gone.data["counts"]["changed"] == 0
    assert "| Status = ausgemustert" in (wiki.text("Abbruchgenehmigung Erteilung") or "")
    assert wiki.summaries()["Abbruchgenehmigung Erteilung"] == (
        "Bot: LeiKa-Schlüssel nicht mehr im Katalog – als ausgemustert markiert"
    )
    assert run_import(_without(sample_catalogue, "99012001001000")).report.edits == 0  # stays retired

    back = run_import(sample_catalogue)
    assert back.data["diff"] == {"new": ["99012001001000"], "changed": {}, "retired": [], "reverted": {}}
    assert "| Status = aktiv" in (wiki.text("Abbruchgenehmigung Erteilung") or "")


def test_dry_run_reports_the_same_diff_and_writes_nothing(
    run_import: ImportRun, sample_catalogue: Catalogue
) -> None:
    site = run_import.wiki.site(dry_run=True, diff_out=io.StringIO())
    result = run_import(sample_catalogue, site=site)
    assert run_import.wiki.texts() == {} and site.stats.edits_sent == 0
    assert run_import.wiki.requests_of("edit") == []
    assert result.data["counts"]["created"] == 367 and len(result.data["diff"]["new"]) == 290


def test_changed_field_is_in_the_diff_with_its_name(
    run_import: ImportRun, sample_catalogue: Catalogue
) -> None:
    run_import(sample_catalogue)
    title = "Abbruchgenehmigung Erteilung"
    retyped = tuple(
        dataclasses.replace(x, typ="2") if x.schluessel == "99012001001000" else x
        for x in sample_catalogue.leika_leistungen
    )
    result = run_import(dataclasses.replace(sample_catalogue, leika_leistungen=retyped))
    assert result.data["diff"]["changed"] == {"99012001001000": ["Typ"]}
    assert result.data["diff"]["reverted"] == {}
    assert run_import.wiki.summaries()[title] == "Bot: Katalogdaten aktualisiert (Typ)"


def test_an_editors_change_the_import_sets_back_is_no_catalogue_change(
    run_import: ImportRun, sample_catalogue: Catalogue
) -> None:
    wiki = run_import.wiki
    run_import(sample_catalogue)
    title = "Abbruchgenehmigung Erteilung"
    wiki.edit_as(title, (wiki.text(title) or "").replace("| Typ = 4", "| Typ = 2"))  # an editor, not the bot
    result = run_import(sample_catalogue)
    assert result.data["diff"]["changed"] == {}
    assert result.data["diff"]["reverted"] == {"99012001001000": ["Typ"]}
    assert "| Typ = 4" in (wiki.text(title) or "")  # the bot owns the field: set back
    assert wiki.summaries()[title] == "Bot: Katalogdaten aktualisiert (Typ)"
    assert "zurückgesetzt: 99012001001000 (Typ)" in "\n".join(
        importer.CatalogueDiff(**result.data["diff"]).lines()
    )


def test_after_an_edit_conflict_summary_and_diff_describe_the_re_read_page(
    run_import: ImportRun, sample_catalogue: Catalogue, sample_plans: dict[str, PagePlan]
) -> None:
    """Read: missing (a new key). Meanwhile someone creates it with another Typ: the saved edit changes
    the Typ of an existing page, and that is what summary and diff must say."""
    wiki = run_import.wiki
    title = "Abbruchgenehmigung Erteilung"
    created = ImportItem.from_plan(sample_plans[title]).transform("")  # what the import would create
    assert "| Typ = 4" in created
    wiki.meanwhile(title, created.replace("| Typ = 4", "| Typ = 2"))
    result = run_import(sample_catalogue)
    assert "| Typ = 4" in (wiki.text(title) or "")
    assert [r.user for r in wiki.pages[title].revisions] == ["Redakteurin", BOT]
    assert wiki.summaries()[title] == "Bot: Katalogdaten aktualisiert (Typ)"
    assert result.data["diff"]["changed"] == {"99012001001000": ["Typ"]}
    assert "99012001001000" not in result.data["diff"]["new"]


def test_opted_out_and_unsafe_pages_need_attention(
    run_import: ImportRun, sample_catalogue: Catalogue
) -> None:
    wiki = run_import.wiki
    wiki.seed(
        {
            "Abbruchgenehmigung Erteilung": "{{nobots}}\nHier nicht.",
            "Abbruchgenehmigung (OZG-Leistung)": "{{OZG-Leistung|Name=a}}\n{{OZG-Leistung|Name=b}}",
        }
    )
    result = run_import(sample_catalogue)
    outcomes = {p.title: p.outcome for p in result.report.pages}
    assert outcomes["Abbruchgenehmigung Erteilung"] is Outcome.OPTED_OUT
    assert outcomes["Abbruchgenehmigung (OZG-Leistung)"] is Outcome.SKIPPED
    assert wiki.text("Abbruchgenehmigung Erteilung") == "{{nobots}}\nHier nicht."
    assert (
        "Abbruchgenehmigung Erteilung" not in wiki.saves()
        and "Abbruchgenehmigung (OZG-Leistung)" not in wiki.saves()
    )
    assert "99012001001000" not in result.data["diff"]["new"]  # nothing was done to it
    assert result.data["counts"]["skipped"] == 2 and result.exit_code == 1


# -- the command ---------------------------------------------------------------------------------------


@pytest.fixture
def cli_wiki(fake_wiki: FakeWiki, monkeypatch: pytest.MonkeyPatch) -> FakeWiki:
    """``ozgwiki import`` on the fake wiki: context() is replaced, the catalogue loading is not.

    Dry-run diffs go to a buffer here: the command's own site writes them to stdout.
    """
    from ozgwiki.commands import importing

    def fake_context(args: Any) -> BotContext:
        site = fake_wiki.site(dry_run=args.dry_run, diff_out=io.StringIO())
        return BotContext(config=CONFIG, site=site, bot_user="OzgBot", load_catalogue=lambda: Catalogue())

    monkeypatch.setattr(importing, "context", fake_context)
    return fake_wiki


def main(argv: list[str]) -> int:
    """Parse and run like ``ozgwiki.cli.main``, with only this command registered."""
    import argparse

    from ozgwiki.commands import importing

    parser = argparse.ArgumentParser(prog="ozgwiki")
    importing.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


def test_cli_text_output_with_catalogue_override(
    cli_wiki: FakeWiki, capsys: pytest.CaptureFixture[str]
) -> None:
    from ozgwiki.catalogue import sample_path

    assert main(["import", "--catalogue", str(sample_path())]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("import: 367 angelegt, 0 geändert,")
    assert out[1] == "Katalog: 290 neu, 0 geändert, 0 ausgemustert"
    assert out[2].startswith("  neu: 99001001000000, ") and out[2].endswith(" … und 270 weitere")
    assert len(cli_wiki.texts()) == 738  # the catalogue's pages, their ID redirects, 11 Begriffsklärungen


def test_cli_json_dry_run(cli_wiki: FakeWiki, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from ozgwiki.catalogue import sample_path

    assert main(["import", "--dry-run", "--format", "json", "--catalogue", str(sample_path())]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["step"] == "import" and doc["counts"]["created"] == 367
    assert set(doc["diff"]) == {"new", "changed", "retired", "reverted"} and len(doc["diff"]["new"]) == 290
    assert doc["counts"] == {
        "created": 367, "changed": 0, "moved": 0, "redirects": 371, "unchanged": 0, "retired": 0,
        "conflicts": 0, "skipped": 0, "errors": 0,
    }  # fmt: skip
    assert cli_wiki.texts() == {} and cli_wiki.requests_of("edit") == []


def test_checkpoint_before_each_chunk_and_page_can_stop_the_run(
    run_import: ImportRun, sample_catalogue: Catalogue
) -> None:
    class Stop(Exception):
        pass

    calls = 0

    def checkpoint() -> None:
        nonlocal calls
        calls += 1
        if calls > 5:
            raise Stop

    with pytest.raises(Stop):
        run_import(sample_catalogue, chunk=100, checkpoint=checkpoint)
    assert len(run_import.wiki.texts()) == 4  # 1 chunk checkpoint + 4 pages written, stopped before the 5th


# ------------------------------------------------------------------------------ the mass-retire rail


def _keys_only(catalogue: Catalogue, keep: int) -> Catalogue:
    return dataclasses.replace(catalogue, leika_leistungen=catalogue.leika_leistungen[:keep])


def test_a_catalogue_that_lost_its_rows_stops_the_import_before_any_write(
    run_import: ImportRun, sample_catalogue: Catalogue
) -> None:
    wiki = run_import.wiki
    run_import(sample_catalogue)
    before = wiki.texts()
    for shrunk in (Catalogue(), _keys_only(sample_catalogue, 100)):  # header only; most rows swallowed
        with pytest.raises(SafetyRailError, match=r"aktive LeiKa-Schlüssel würden ausgemustert: \d+ von 290"):
            run_import(shrunk)
        assert wiki.texts() == before and run_import.site.stats.edits_sent == 738
        assert len(wiki.requests_of("edit")) == 738


def test_the_admin_can_lift_the_rail_and_then_the_keys_are_retired(
    run_import: ImportRun, sample_catalogue: Catalogue
) -> None:
    run_import(sample_catalogue)
    result = run_import(_keys_only(sample_catalogue, 100), allow=True)
    assert result.data["counts"]["retired"] == 190


def test_a_few_abolished_keys_pass_the_rail_and_already_retired_ones_do_not_count(
    run_import: ImportRun, sample_catalogue: Catalogue
) -> None:
    run_import(sample_catalogue)
    result = run_import(_keys_only(sample_catalogue, 290 - 25))  # 25 of 290 (8.6 %) under the 10 % default
    assert result.data["counts"]["retired"] == 25
    # 25 are ausgemustert now; retiring 20 more is 20 of 265 active (7.5 %): still fine
    assert run_import(_keys_only(sample_catalogue, 290 - 45)).data["counts"]["retired"] == 20


def test_the_share_is_configurable_and_checked(run_import: ImportRun, sample_catalogue: Catalogue) -> None:
    run_import(sample_catalogue)
    strict = Config(CONFIG.wiki, raw={"import": {"max_retire_share": 0.05}})
    with pytest.raises(SafetyRailError, match="mehr als die erlaubten 5%"):
        run_import(_keys_only(sample_catalogue, 290 - 25), config=strict)
    for bad in (1.5, -0.1, "viel", float("nan"), True):
        with pytest.raises(ConfigError, match="max_retire_share"):
            run_import(
                sample_catalogue, config=Config(CONFIG.wiki, raw={"import": {"max_retire_share": bad}})
            )


# ------------------------------------------------------------------------------- names first (migration)


def _old_wiki(wiki: FakeWiki, catalogue: Catalogue, human: str = "") -> dict[str, str]:
    """The wiki as the importer left it before names came first: every page under its ID title (with
    ``human`` text an editor added below the template). Returns ID title -> name title."""
    from ozgwiki.render.plans import plan_pages
    from ozgwiki.wikitext import escape
    from ozgwiki.wikitext.params import set_template_params

    old: dict[str, str] = {}
    names: dict[str, str] = {}
    for plan in plan_pages(catalogue):
        escaped = {k: escape.param_value(v) for k, v in plan.params.items()}
        old[plan.id_title] = (
            set_template_params("", plan.template, escaped, param_order=plan.param_order) + human
        )
        names[plan.id_title] = plan.title
    wiki.seed(old, user=BOT)
    return names


def test_an_old_wiki_migrates_by_itself_moving_every_page_to_its_name_with_its_human_text(
    run_import: ImportRun, sample_catalogue: Catalogue
) -> None:
    wiki = run_import.wiki
    human = "\nEine Redakteurin schrieb hier etwas dazu."  # MediaWiki trims what ends a page
    names = _old_wiki(wiki, sample_catalogue, human)
    moving = {i: n for i, n in names.items() if i != n}
    assert len(moving) == 360  # everything but the Umsetzungsprojekte, whose titles are names already

    result = run_import(sample_catalogue)
    assert result.data["counts"]["moved"] == 360 and result.data["counts"]["created"] == 0
    assert result.data["diff"] == {"new": [], "changed": {}, "retired": [], "reverted": {}}
    for id_title, name in moving.items():
        assert wiki.text(name) is not None and wiki.text(name).endswith(human), name  # moved, human text kept
        assert wiki.text(id_title) == f"#WEITERLEITUNG [[{name}]]", id_title  # the old title leads there
    assert "Ahaus" in wiki.texts() and "Kreis Borken" in wiki.texts()
    assert wiki.text("Abbruchgenehmigung").startswith("'''Abbruchgenehmigung''' steht für:")  # shared name
    again = run_import(sample_catalogue)
    assert again.report.edits == 0 and again.data["counts"]["moved"] == 0


def test_a_renamed_kommune_moves_to_its_new_name_and_its_id_title_follows(
    run_import: ImportRun, sample_catalogue: Catalogue
) -> None:
    wiki = run_import.wiki
    run_import(sample_catalogue)
    wiki.seed({"Ahaus": (wiki.text("Ahaus") or "") + "\nMenschentext."})
    ahaus = next(k for k in sample_catalogue.kommunen if k.ags == "05554004")
    renamed = dataclasses.replace(
        sample_catalogue,
        kommunen=tuple(
            dataclasses.replace(k, name="Ahaus (Westf.)") if k is ahaus else k
            for k in sample_catalogue.kommunen
        ),
    )
    result = run_import(renamed)
    assert result.data["counts"]["moved"] == 1
    assert (wiki.text("Ahaus (Westf.)") or "").endswith("\nMenschentext.")
    assert "| Name = Ahaus (Westf.)" in (wiki.text("Ahaus (Westf.)") or "")
    assert wiki.text("Kommune 05554004") == "#WEITERLEITUNG [[Ahaus (Westf.)]]"  # no double redirect
    assert wiki.text("Ahaus") == "#WEITERLEITUNG [[Ahaus (Westf.)]]"  # the old name still leads there
    assert run_import(renamed).report.edits == 0


def test_a_move_never_overwrites_a_page_of_its_own_under_the_name(
    run_import: ImportRun, sample_catalogue: Catalogue
) -> None:
    wiki = run_import.wiki
    _old_wiki(wiki, sample_catalogue)
    wiki.seed({"Ahaus": "Ein Artikel über Ahaus, von Hand geschrieben."})
    result = run_import(sample_catalogue)
    assert wiki.text("Ahaus") == "Ein Artikel über Ahaus, von Hand geschrieben."  # byte for byte
    assert "{{Kommune" in (wiki.text("Kommune 05554004") or "")  # the bot's page stays where it was
    assert result.exit_code == 1  # and the run says so
    assert result.data["not_moved"] == {"Ahaus": "Kommune 05554004"}
    assert "nicht nach ihrem Namen verschoben" in result.summary and "Ahaus" in result.summary
    assert "| Name = Ahaus" in (wiki.text("Kommune 05554004") or "")  # still updated where it is


def test_a_redirect_someone_pointed_at_another_page_moves_nothing(
    run_import: ImportRun, sample_catalogue: Catalogue
) -> None:
    wiki = run_import.wiki
    run_import(sample_catalogue)
    # Someone points Ahaus's ID title at the Hauptseite, and the catalogue renames Ahaus.
    wiki.seed({"Hauptseite": "Willkommen.", "Kommune 05554004": "#WEITERLEITUNG [[Hauptseite]]"})
    wiki.seed({"Ahaus": "#WEITERLEITUNG [[Hauptseite]]"})
    ahaus = next(k for k in sample_catalogue.kommunen if k.ags == "05554004")
    renamed = dataclasses.replace(
        sample_catalogue,
        kommunen=tuple(
            dataclasses.replace(k, name="Ahaus (Westf.)") if k is ahaus else k
            for k in sample_catalogue.kommunen
        ),
    )
    run_import(renamed)
    assert wiki.text("Hauptseite") == "Willkommen."  # not moved, not touched


@pytest.mark.parametrize(("fmt", "stream"), [("json", "stderr"), ("text", "stdout")])
def test_with_json_output_the_dry_run_diffs_go_to_stderr(
    fmt: str, stream: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """stdout carries one JSON document and nothing else (a dry run's diffs used to precede it)."""
    import argparse
    import sys

    from ozgwiki.commands import _common

    seen: dict[str, Any] = {}

    def fake_open_site(config: Config, *, dry_run: bool = False, diff_out: Any = None) -> Any:
        seen["diff_out"] = diff_out
        return type("S", (), {"userinfo": type("U", (), {"name": "OzgBot"})()})()

    monkeypatch.setattr(_common, "load", lambda args: CONFIG)
    monkeypatch.setattr(_common, "open_site", fake_open_site)
    monkeypatch.setattr(_common, "bot_user", lambda site: "OzgBot")
    _common.context(argparse.Namespace(format=fmt, dry_run=True))
    assert seen["diff_out"] is getattr(sys, stream)


def test_a_name_shared_no_longer_leaves_the_begriffsklaerung_alone_and_says_so(
    run_import: ImportRun, sample_catalogue: Catalogue
) -> None:
    """The LeiKa-Leistung "Abbruchgenehmigung" leaves the catalogue: the OZG-Leistung's name is its
    own again, but "Abbruchgenehmigung" holds the bot's Begriffsklärung, which is never filled with
    the OZG-Leistung's template; the page stays under its suffixed title and the run reports it."""
    wiki = run_import.wiki
    run_import(sample_catalogue)
    before = wiki.text("Abbruchgenehmigung")
    assert before is not None and "steht für:" in before
    result = run_import(_without(sample_catalogue, "99012001000000"), allow=True)
    assert wiki.text("Abbruchgenehmigung") == before  # the Begriffsklärung untouched
    assert "{{OZG-Leistung" in (wiki.text("Abbruchgenehmigung (OZG-Leistung)") or "")
    assert result.data["not_moved"] == {"Abbruchgenehmigung": "Abbruchgenehmigung (OZG-Leistung)"}
    kept = next(p for p in result.report.pages if p.title == "Abbruchgenehmigung (OZG-Leistung)")
    assert kept.outcome is Outcome.UNCHANGED  # still the bot's page, kept up to date where it is
    assert wiki.text("OZG-Leistung 10513") == "#WEITERLEITUNG [[Abbruchgenehmigung (OZG-Leistung)]]"
    assert result.exit_code == 1
    # A person removes the Begriffsklärung; the next run moves the page to its name.
    wiki.delete("Abbruchgenehmigung")
    after = run_import(_without(sample_catalogue, "99012001000000"), allow=True)
    assert after.data["counts"]["moved"] == 1 and after.data["not_moved"] == {}
    assert "{{OZG-Leistung" in (wiki.text("Abbruchgenehmigung") or "")
    assert wiki.text("OZG-Leistung 10513") == "#WEITERLEITUNG [[Abbruchgenehmigung]]"
